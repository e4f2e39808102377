//! Cost offsets and cost-benefit analysis on the sample cohort.
//!
//! ```text
//! cargo run --release --example cost_offset
//! ```
//!
//! 1. Service use in the 12 months before and after each person's start,
//!    priced with the shipped ILLUSTRATIVE unit costs (GMCA UCD v1.4) and
//!    re-based to 2024/25 prices with the shipped illustrative GDP deflators.
//! 2. Cost per person per year before and after, by agency, for the
//!    programme and comparison groups; the mean change with a seeded
//!    bootstrap interval (costs are skewed); the offset net of an assumed
//!    programme cost per person.
//! 3. The offset against a matched comparison group: programme people
//!    matched 1:1 (nearest neighbour on a logistic propensity score of age,
//!    prior arrests and the cost before) to comparison people; the
//!    difference in mean change in cost (DiD) with a bootstrap interval
//!    resampling matched pairs and the cluster-robust (CR1 by pair)
//!    interval; the net offset per person after the programme cost.
//! 4. A cost-benefit summary (Green Book discounting, the comparison group's
//!    change in place of a deadweight guess, optimism bias by confidence
//!    grade) and its one-way sensitivity table.
//!
//! People not observed for the whole of both windows are left out, and the
//! count is printed. Categories with no unit cost in the table are listed as
//! not costed, never priced at zero silently.

use std::collections::BTreeMap;
use std::path::Path;

use outcomes::cohort::{
    CovariateValue as CohortCovariate, DataWindow, Group, PersonId, Pseudonymiser,
};
use outcomes::compare::{Covariate, Link, NearestNeighbour, PropensityModel, ScoreScale};
use outcomes::costs::{
    self, BenefitStream, CbaParameters, ConfidenceGrade, CostingOptions, Counterfactual,
    DeflatorSeries, Gbp, MatchedCosts, PersonChange, PriceYear, Proportion, SensitivitySpec,
    ServiceUse, UnitCostTable, ValueType,
};
use outcomes::io::{self, Source};
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::stats::{bootstrap_mean, BootstrapConfig, ConfidenceLevel};
use outcomes::Result;

/// The programme's cost per person supported, in 2024/25 prices: an
/// assumption of this example, not a published figure.
const PROGRAMME_COST_PER_PERSON: f64 = 3_500.0;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let key = Pseudonymiser::new(b"demonstration key - use your own")?;
    let spec = outcomes::synthetic::SyntheticSpec::sample();
    let window = DataWindow::new(spec.data_start, spec.extract_date)?;
    let cohort = io::load_cohort(
        &Source::new(data.join("cohort.csv")).pseudonymise(key.clone()),
        window,
    )?;
    let cats = CategorySet::default();
    let events = io::load_service_events(
        &Source::new(data.join("service_use.csv")).pseudonymise(key),
        &cohort.data,
        &cats,
    )?;
    println!(
        "service_use.csv: {} rows read, {} accepted, {} rejected",
        events.summary.rows_read, events.summary.accepted, events.summary.rejected
    );

    let table = UnitCostTable::illustrative()?;
    let deflators = DeflatorSeries::illustrative()?;
    let target = PriceYear::parse("2024/25")?;
    let options = CostingOptions::new(target);

    let codes = cats.codes();
    let costed: Vec<String> = codes
        .iter()
        .filter(|c| costs::CostCategory::new(c.as_str()).is_ok_and(|k| table.chosen(&k).is_ok()))
        .cloned()
        .collect();
    let not_costed: Vec<&String> = codes.iter().filter(|c| !costed.contains(c)).collect();
    println!("\nUnit costs: ILLUSTRATIVE GMCA UCD v1.4 values re-based to {target} (load current values for a real evaluation)");
    println!(
        "  not costed (no unit cost in the table): {}",
        not_costed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    let windows = Window::before_after_12_months();
    let counts = io::window_counts(&cohort.data, &events.data, &windows, &costed)?;
    let ob = counts.observed_days("before")?;
    let oa = counts.observed_days("after")?;
    let wb = counts.window_days("before")?;
    let wa = counts.window_days("after")?;

    let mut by_group: BTreeMap<Group, (Vec<String>, Vec<ServiceUse<String>>)> = BTreeMap::new();
    let mut left_out = 0usize;
    for (i, person) in counts.people().iter().enumerate() {
        if ob[i] < wb[i] || oa[i] < wa[i] {
            left_out += 1;
            continue;
        }
        let Some(m) = cohort.data.get(person) else {
            continue;
        };
        let entry = by_group.entry(m.group).or_default();
        entry.0.push(person.pseudonym().to_string());
        for code in &costed {
            let category = costs::CostCategory::new(code.as_str())?;
            for (label, w) in [
                ("before", outcomes::cohort::Phase::Before),
                ("after", outcomes::cohort::Phase::After),
            ] {
                let n = counts.counts(label, code)?[i];
                if n > 0.0 {
                    entry.1.push(ServiceUse {
                        person: person.pseudonym().to_string(),
                        category: category.clone(),
                        window: w,
                        count: outcomes::measures::service_use::Count::amount(n)?,
                    });
                }
            }
        }
    }
    println!("  people left out (not observed for the whole of both 12-month windows): {left_out}");

    let level = ConfidenceLevel::NINETY_FIVE;
    let mut mean_change = BTreeMap::new();
    let mut person_costs: Vec<(Group, PersonChange<String>)> = Vec::new();
    for (group, (people, records)) in &by_group {
        let programme_cost = if *group == Group::Programme {
            PROGRAMME_COST_PER_PERSON
        } else {
            0.0
        };
        let cmp = costs::costing::pre_post(
            records,
            people,
            &table,
            &deflators,
            &options,
            Gbp::non_negative(programme_cost, target)?,
        )?;
        println!(
            "\n{} group: {} people, cost per person per year ({target} prices)",
            group.code(),
            cmp.n
        );
        println!(
            "  {:<22} {:>12} {:>12} {:>12}",
            "agency", "before", "after", "change"
        );
        let n = cmp.n as f64;
        for (agency, a) in &cmp.by_agency {
            println!(
                "  {:<22} {:>12.0} {:>12.0} {:>+12.0}",
                agency.to_string(),
                a.pre.amount() / n,
                a.post.amount() / n,
                a.change.amount() / n
            );
        }
        println!(
            "  {:<22} {:>12.0} {:>12.0} {:>+12.0}",
            "all agencies",
            cmp.mean_pre.amount(),
            cmp.mean_post.amount(),
            cmp.mean_change.amount()
        );
        let boot = bootstrap_mean(
            &cmp.change_vector(),
            BootstrapConfig::new(9999, 20240101, level)?,
        )?;
        let ci = boot.bca.as_ref().unwrap_or(&boot.percentile).ci;
        println!("  mean change per person: {:+.0} (95% BCa bootstrap CI {:+.0} to {:+.0}; 9,999 resamples, seed 20240101)", cmp.mean_change.amount(), ci.lower, ci.upper);
        println!(
            "  cohort totals: before {:.0}, after {:.0}, change {:+.0}",
            cmp.total_pre.amount(),
            cmp.total_post.amount(),
            cmp.total_change.amount()
        );
        if *group == Group::Programme {
            println!(
                "  programme cost per person (assumed): {:.0}; mean net saving per person: {:+.0}",
                cmp.programme_cost_per_person.amount(),
                cmp.mean_net_saving.amount()
            );
        }
        mean_change.insert(*group, (cmp.n, cmp.by_agency.clone()));
        person_costs.extend(cmp.people.iter().map(|p| (*group, p.clone())));
    }

    // Against a matched comparison group: 1:1 nearest-neighbour matching on
    // a logistic propensity score of age, prior arrests and the cost before.
    matched_offset(&cohort.data, &person_costs, target, level)?;

    // Cost-benefit: the programme group's fall in cost, by agency, less the
    // comparison group's fall per person over the same period.
    let (Some((n_prog, prog)), Some((n_comp, comp))) = (
        mean_change.get(&Group::Programme),
        mean_change.get(&Group::Comparison),
    ) else {
        println!("\nno comparison possible: a group is empty");
        return Ok(());
    };
    let mut streams = Vec::new();
    for (agency, a) in prog {
        let gross = -a.change.amount();
        let comp_per_person = comp
            .get(agency)
            .map_or(0.0, |c| -c.change.amount() / *n_comp as f64);
        streams.push(BenefitStream {
            label: format!("reduced demand: {agency}"),
            agency: agency.clone(),
            value_type: ValueType::Fiscal,
            annual_gross: Gbp::new(gross, target)?,
            counterfactual: Counterfactual::ComparisonGroup(Gbp::new(
                comp_per_person * *n_prog as f64,
                target,
            )?),
            attribution: Proportion::new(0.1)?,
            confidence: ConfidenceGrade::new(3)?,
        });
    }
    let costs_by_year = vec![Gbp::non_negative(
        PROGRAMME_COST_PER_PERSON * *n_prog as f64,
        target,
    )?];
    let params = CbaParameters {
        dropoff: Proportion::new(0.2)?,
        ..CbaParameters::default()
    };
    let r = costs::cba::appraise(&streams, &costs_by_year, &params)?;
    println!("\nCost-benefit summary ({} prices, {}; horizon {} years, drop-off 20%/year, attribution 10%, confidence grade 3)", r.price_year, r.discounting, params.horizon_years);
    println!(
        "  PV benefits {:.0}  PV costs {:.0}  NPV {:+.0}",
        r.pv_benefits.amount(),
        r.pv_costs.amount(),
        r.npv.amount()
    );
    let show = |x: Option<f64>| x.map_or("undefined".to_string(), |v| format!("{v:.2}"));
    println!(
        "  benefit-cost ratio {}  fiscal ROI {}  economic ROI {}  public value ROI {}",
        show(r.benefit_cost_ratio),
        show(r.fiscal_roi),
        show(r.economic_roi),
        show(r.public_value_roi)
    );
    println!(
        "  payback year: {}",
        r.payback_year
            .map_or("not within the horizon".to_string(), |y| y.to_string())
    );
    for (agency, pv) in &r.pv_by_agency {
        println!("  PV benefit to {agency}: {:.0}", pv.amount());
    }
    let table = costs::cba::sensitivity(
        &streams,
        &costs_by_year,
        &params,
        &SensitivitySpec::default_set(),
    )?;
    println!("\nSensitivity (one assumption at a time; NPV at its low and high value)");
    println!(
        "  {:<22} {:>8} {:>8} {:>14} {:>14}",
        "assumption", "low", "high", "NPV at low", "NPV at high"
    );
    for row in &table.rows {
        println!(
            "  {:<22} {:>8} {:>8} {:>+14.0} {:>+14.0}",
            format!("{:?}", row.parameter),
            row.low,
            row.high,
            row.npv_at_low.amount(),
            row.npv_at_high.amount()
        );
    }
    Ok(())
}

/// The cost offset against a matched comparison group (see the module
/// documentation, step 3).
fn matched_offset(
    cohort: &io::Cohort,
    person_costs: &[(Group, PersonChange<String>)],
    target: PriceYear,
    level: ConfidenceLevel,
) -> Result<()> {
    let number = |p: &str, name: &str| -> Result<f64> {
        let m = cohort.get(&PersonId::from_pseudonym(p)?).ok_or_else(|| {
            outcomes::Error::insufficient_data("matching", "a costed person is not in the cohort")
        })?;
        match m.covariates.get(name) {
            Some(CohortCovariate::Number(x)) => Ok(*x),
            _ => Err(outcomes::Error::insufficient_data(
                "matching",
                format!("covariate `{name}` is missing or not a number"),
            )),
        }
    };
    let mut age = Vec::new();
    let mut arrests = Vec::new();
    for (_, p) in person_costs {
        age.push(number(&p.person, "age")?);
        arrests.push(number(&p.person, "prior_arrests")?);
    }
    let pre_cost: Vec<f64> = person_costs.iter().map(|(_, p)| p.pre.amount()).collect();
    let treated: Vec<bool> = person_costs
        .iter()
        .map(|(g, _)| *g == Group::Programme)
        .collect();
    let covariates = [
        Covariate::numeric("age", age),
        Covariate::numeric("prior_arrests", arrests),
        Covariate::numeric("cost_before", pre_cost),
    ];
    let model = PropensityModel::fit(&covariates, &treated, Link::Logit)?;
    let score = model.scores(ScoreScale::Probability);
    let matching = NearestNeighbour::default().run(&score, &treated, &[])?;
    let groups: Vec<Group> = person_costs.iter().map(|(g, _)| *g).collect();
    let pre: Vec<Gbp> = person_costs.iter().map(|(_, p)| p.pre).collect();
    let post: Vec<Gbp> = person_costs.iter().map(|(_, p)| p.post).collect();
    let people = MatchedCosts::from_matching(&matching, &groups, &pre, &post)?;
    let r = costs::comparison_offset(
        &people,
        Gbp::non_negative(PROGRAMME_COST_PER_PERSON, target)?,
        BootstrapConfig::new(9999, 20240101, level)?,
    )?;
    println!(
        "\nAgainst a matched comparison group (1:1 nearest neighbour on a logistic propensity score of age, prior arrests and cost before; {} pairs)",
        r.sets
    );
    println!(
        "  {:<12} {:>8} {:>12} {:>12} {:>12}",
        "group", "people", "before", "after", "change"
    );
    for (label, g) in [("programme", &r.programme), ("comparison", &r.comparison)] {
        println!(
            "  {:<12} {:>8} {:>12.0} {:>12.0} {:>+12.0}",
            label,
            g.n,
            g.mean_pre.amount(),
            g.mean_post.amount(),
            g.mean_change.amount()
        );
    }
    let b = &r.did_bootstrap;
    let ci = b.bca.as_ref().unwrap_or(&b.percentile).ci;
    let cr = &r.did_cluster_robust;
    println!(
        "  difference in mean change (programme − comparison): {:+.0}",
        r.did.amount()
    );
    println!(
        "    95% bootstrap CI {:+.0} to {:+.0} ({}; 9,999 resamples of matched pairs, seed 20240101)",
        ci.lower,
        ci.upper,
        if b.bca.is_some() { "BCa" } else { "percentile" }
    );
    println!(
        "    95% CI {:+.0} to {:+.0} (cluster-robust CR1 by pair, SE {:.0}, p {})",
        cr.ci.lower,
        cr.ci.upper,
        cr.std_error,
        cr.p_value.map_or("undefined".into(), |p| format!("{p:.3}"))
    );
    let net_ci = r.net_offset_bca.unwrap_or(r.net_offset_percentile);
    println!(
        "  net offset per programme person after the programme cost ({:.0}): {:+.0} (95% bootstrap CI {:+.0} to {:+.0})",
        r.programme_cost_per_person.amount(),
        r.net_offset_per_person.amount(),
        net_ci.lower,
        net_ci.upper
    );
    Ok(())
}
