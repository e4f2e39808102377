//! `outcomes costs` and `outcomes cba`: cost offsets and the cost-benefit
//! analysis, on a spec's data (default: the bundled sample).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use outcomes::cohort::{CovariateValue, Group, PersonId, Phase};
use outcomes::compare::{Covariate, Link, NearestNeighbour, PropensityModel, ScoreScale};
use outcomes::costs::{
    self, AgencyChange, BenefitStream, CbaParameters, ConfidenceGrade, CostCategory,
    CostingOptions, Counterfactual, DeflatorSeries, Gbp, MatchedCosts, PersonChange, PriceYear,
    Proportion, SensitivitySpec, ServiceUse, UnitCostTable, ValueType,
};
use outcomes::evaluate::spec::CostsSpec;
use outcomes::io;
use outcomes::measures::service_use::{CategorySet, Count, Window};
use outcomes::stats::{bootstrap_mean, BootstrapConfig, ConfidenceLevel};
use outcomes::{Error, Result};
use serde::Serialize;

use crate::common::{self, Done, SpecData, TextTable};
use crate::progress::Reporter;

/// Cost offsets: service use in the 12 months before and after each
/// person's start, priced with the spec's unit costs (default: the shipped
/// ILLUSTRATIVE GMCA values) at the spec's price year; cost per person per
/// year by agency for each group, the mean change with a seeded BCa
/// bootstrap interval, and the offset against a 1:1 matched comparison
/// group (propensity score of age, prior arrests and cost before) with
/// bootstrap and cluster-robust intervals, net of the programme cost.
///
/// People not observed for the whole of both windows are left out and
/// counted; categories with no unit cost are listed, never priced at zero.
#[derive(Debug, Args)]
pub(crate) struct CostsCmd {
    /// The evaluation spec (default: the bundled sample).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Print the results as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Cost-benefit analysis (HM Treasury Green Book): the programme group's
/// fall in cost by agency, net of the comparison group's, as benefit
/// streams over the spec's `[cba]` horizon with drop-off, attribution and
/// optimism bias by confidence grade; NPV, benefit-cost ratio, ROIs,
/// payback, and a one-way sensitivity table.
#[derive(Debug, Args)]
pub(crate) struct CbaCmd {
    /// The evaluation spec (default: the bundled sample).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Print the results as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// One group's costs, per person per year (both windows are 12 months).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GroupCostSummary {
    /// `programme` or `comparison`.
    pub(crate) group: String,
    /// People costed.
    pub(crate) n: usize,
    /// Mean cost before.
    pub(crate) mean_before: f64,
    /// Mean cost after.
    pub(crate) mean_after: f64,
    /// Mean change (after − before).
    pub(crate) mean_change: f64,
    /// The bootstrap interval of the mean change (BCa where defined).
    pub(crate) mean_change_ci: [f64; 2],
    /// Mean net saving per person after the programme cost (programme group).
    pub(crate) mean_net_saving: f64,
    /// Per agency: mean before, after, change.
    pub(crate) by_agency: BTreeMap<String, [f64; 3]>,
}

/// The matched-comparison offset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MatchedOffsetSummary {
    /// Matched sets.
    pub(crate) sets: usize,
    /// Difference in mean change, programme − comparison.
    pub(crate) did: f64,
    /// Its bootstrap percentile interval.
    pub(crate) did_percentile: [f64; 2],
    /// Cluster-robust (CR1 by set) standard error.
    pub(crate) did_cr1_std_error: f64,
    /// Net offset per person after the programme cost.
    pub(crate) net_offset_per_person: f64,
    /// Its bootstrap interval (BCa where defined).
    pub(crate) net_offset_ci: [f64; 2],
}

/// What `costs` prints as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CostsJson {
    /// Price year.
    pub(crate) price_year: String,
    /// Categories with no unit cost.
    pub(crate) not_costed: Vec<String>,
    /// People left out (not observed for both whole windows).
    pub(crate) left_out: usize,
    /// One per group.
    pub(crate) groups: Vec<GroupCostSummary>,
    /// The matched offset.
    pub(crate) matched: MatchedOffsetSummary,
}

/// The costed cohort: every shared step of `costs` and `cba`.
struct Costed {
    target: PriceYear,
    programme_cost: f64,
    not_costed: Vec<String>,
    left_out: usize,
    /// Per group: pre/post comparison.
    groups: BTreeMap<Group, costs::PrePostComparison<String>>,
    data: SpecData,
    boot: BootstrapConfig,
}

fn cost(spec: Option<&PathBuf>, r: &Reporter) -> Result<Costed> {
    let data = SpecData::load(
        common::spec_or_sample(spec.map(PathBuf::as_path))?,
        false,
        r,
    )?;
    let cs: CostsSpec = data.spec.costs.clone().ok_or_else(|| {
        Error::invalid_parameter("costs", "(missing)", "the spec has no [costs] section")
    })?;
    let table = match &cs.unit_costs {
        Some(p) => UnitCostTable::from_csv_path(data.spec.resolve(p))?,
        None => UnitCostTable::illustrative()?,
    };
    let deflators = match &cs.deflators {
        Some(p) => DeflatorSeries::from_csv_path(data.spec.resolve(p))?,
        None => DeflatorSeries::illustrative()?,
    };
    let target = PriceYear::parse(&cs.price_year)?;
    let options = CostingOptions::new(target);
    let level = ConfidenceLevel::new(data.spec.statistics.confidence_level)?;
    let boot = BootstrapConfig::new(
        data.spec.statistics.bootstrap_resamples,
        data.spec.seed,
        level,
    )?;
    let codes = CategorySet::default().codes();
    let costed: Vec<String> = codes
        .iter()
        .filter(|c| CostCategory::new(c.as_str()).is_ok_and(|k| table.chosen(&k).is_ok()))
        .cloned()
        .collect();
    let not_costed = codes.into_iter().filter(|c| !costed.contains(c)).collect();
    r.stage("counting service use in the 12 months before and after");
    let counts = io::window_counts(
        &data.cohort.data,
        &data.events()?.data,
        &Window::before_after_12_months(),
        &costed,
    )?;
    let (ob, oa) = (
        counts.observed_days("before")?,
        counts.observed_days("after")?,
    );
    let (wb, wa) = (counts.window_days("before")?, counts.window_days("after")?);
    let mut by_group: BTreeMap<Group, (Vec<String>, Vec<ServiceUse<String>>)> = BTreeMap::new();
    let mut left_out = 0;
    for (i, person) in counts.people().iter().enumerate() {
        if ob[i] < wb[i] || oa[i] < wa[i] {
            left_out += 1;
            continue;
        }
        let Some(m) = data.cohort.data.get(person) else {
            continue;
        };
        let entry = by_group.entry(m.group).or_default();
        entry.0.push(person.pseudonym().to_string());
        for code in &costed {
            let category = CostCategory::new(code.as_str())?;
            for (label, phase) in [("before", Phase::Before), ("after", Phase::After)] {
                let n = counts.counts(label, code)?[i];
                if n > 0.0 {
                    entry.1.push(ServiceUse {
                        person: person.pseudonym().to_string(),
                        category: category.clone(),
                        window: phase,
                        count: Count::amount(n)?,
                    });
                }
            }
        }
    }
    r.stage("costing each person's service use");
    let mut groups = BTreeMap::new();
    for (group, (people, records)) in &by_group {
        let programme_cost = if *group == Group::Programme {
            cs.programme_cost_per_person
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
        groups.insert(*group, cmp);
    }
    Ok(Costed {
        target,
        programme_cost: cs.programme_cost_per_person,
        not_costed,
        left_out,
        groups,
        data,
        boot,
    })
}

fn agency_means(
    by: &BTreeMap<costs::Agency, AgencyChange>,
    n: usize,
) -> BTreeMap<String, [f64; 3]> {
    let n = n as f64;
    by.iter()
        .map(|(a, c)| {
            (
                a.to_string(),
                [
                    c.pre.amount() / n,
                    c.post.amount() / n,
                    c.change.amount() / n,
                ],
            )
        })
        .collect()
}

/// The matched offset (1:1 nearest neighbour on a logistic score of age,
/// prior arrests and cost before).
fn matched(c: &Costed, r: &Reporter) -> Result<MatchedOffsetSummary> {
    r.stage("matched comparison of the change in cost");
    let people: Vec<(Group, &PersonChange<String>)> = c
        .groups
        .iter()
        .flat_map(|(g, cmp)| cmp.people.iter().map(move |p| (*g, p)))
        .collect();
    let number = |p: &str, name: &str| -> Result<f64> {
        let m = c
            .data
            .cohort
            .data
            .get(&PersonId::from_pseudonym(p)?)
            .ok_or_else(|| {
                Error::insufficient_data("matching", "a costed person is not in the cohort")
            })?;
        match m.covariates.get(name) {
            Some(CovariateValue::Number(x)) => Ok(*x),
            _ => Err(Error::insufficient_data(
                "matching",
                format!("cohort covariate `{name}` is missing or not a number"),
            )),
        }
    };
    let mut age = Vec::new();
    let mut arrests = Vec::new();
    for (_, p) in &people {
        age.push(number(&p.person, "age")?);
        arrests.push(number(&p.person, "prior_arrests")?);
    }
    let treated: Vec<bool> = people.iter().map(|(g, _)| *g == Group::Programme).collect();
    let covariates = [
        Covariate::numeric("age", age),
        Covariate::numeric("prior_arrests", arrests),
        Covariate::numeric(
            "cost_before",
            people.iter().map(|(_, p)| p.pre.amount()).collect(),
        ),
    ];
    let model = PropensityModel::fit(&covariates, &treated, Link::Logit)?;
    let matching =
        NearestNeighbour::default().run(&model.scores(ScoreScale::Probability), &treated, &[])?;
    let groups: Vec<Group> = people.iter().map(|(g, _)| *g).collect();
    let pre: Vec<Gbp> = people.iter().map(|(_, p)| p.pre).collect();
    let post: Vec<Gbp> = people.iter().map(|(_, p)| p.post).collect();
    let set = MatchedCosts::from_matching(&matching, &groups, &pre, &post)?;
    r.stage("bootstrap of the matched offset");
    let o = costs::comparison_offset(&set, Gbp::non_negative(c.programme_cost, c.target)?, c.boot)?;
    let net = o.net_offset_bca.unwrap_or(o.net_offset_percentile);
    let p = o.did_bootstrap.percentile.ci;
    Ok(MatchedOffsetSummary {
        sets: o.sets,
        did: o.did.amount(),
        did_percentile: [p.lower, p.upper],
        did_cr1_std_error: o.did_cluster_robust.std_error,
        net_offset_per_person: o.net_offset_per_person.amount(),
        net_offset_ci: [net.lower, net.upper],
    })
}

/// Run `costs`.
///
/// # Errors
/// A spec with no `[costs]`, a bad unit-cost or deflator file, too few
/// people to match or bootstrap.
pub(crate) fn run_costs(cmd: &CostsCmd, r: &Reporter) -> Result<Done> {
    let c = cost(cmd.spec.as_ref(), r)?;
    let mut groups = Vec::new();
    r.stage("bootstrap of the mean change in cost");
    for (g, cmp) in &c.groups {
        let b = bootstrap_mean(&cmp.change_vector(), c.boot)?;
        let ci = b.bca.as_ref().unwrap_or(&b.percentile).ci;
        groups.push(GroupCostSummary {
            group: g.code().to_string(),
            n: cmp.n,
            mean_before: cmp.mean_pre.amount(),
            mean_after: cmp.mean_post.amount(),
            mean_change: cmp.mean_change.amount(),
            mean_change_ci: [ci.lower, ci.upper],
            mean_net_saving: cmp.mean_net_saving.amount(),
            by_agency: agency_means(&cmp.by_agency, cmp.n),
        });
    }
    let out = CostsJson {
        price_year: c.target.to_string(),
        not_costed: c.not_costed.clone(),
        left_out: c.left_out,
        groups,
        matched: matched(&c, r)?,
    };
    if cmd.json {
        return Ok(Done::ok(common::json(&out)?));
    }
    let mut s = c.data.accounts();
    let _ = writeln!(
        s,
        "\nCost per person per year, {} prices; not costed (no unit cost): {}",
        out.price_year,
        out.not_costed.join(", ")
    );
    let _ = writeln!(
        s,
        "People left out (not observed for the whole of both 12-month windows): {}",
        out.left_out
    );
    for g in &out.groups {
        let _ = writeln!(s, "\n{} group: {} people", g.group, g.n);
        let mut t = TextTable::new(&["agency", "before", "after", "change"]);
        for (a, [b, f, ch]) in &g.by_agency {
            t.row(vec![
                a.clone(),
                format!("{b:.0}"),
                format!("{f:.0}"),
                format!("{ch:+.0}"),
            ]);
        }
        t.row(vec![
            "all agencies".into(),
            format!("{:.0}", g.mean_before),
            format!("{:.0}", g.mean_after),
            format!("{:+.0}", g.mean_change),
        ]);
        s.push_str(&t.render());
        let _ = writeln!(
            s,
            "  mean change per person {:+.0} (bootstrap CI {:+.0} to {:+.0})",
            g.mean_change, g.mean_change_ci[0], g.mean_change_ci[1]
        );
        if g.group == Group::Programme.code() {
            let _ = writeln!(
                s,
                "  programme cost per person {:.0}; mean net saving per person {:+.0}",
                c.programme_cost, g.mean_net_saving
            );
        }
    }
    let m = &out.matched;
    let _ = writeln!(
        s,
        "\nAgainst a matched comparison group ({} pairs; 1:1 nearest neighbour on a logistic \
         score of age, prior arrests and cost before)",
        m.sets
    );
    let _ = writeln!(
        s,
        "  difference in mean change {:+.0} (bootstrap percentile {:+.0} to {:+.0}; CR1 SE {:.0})",
        m.did, m.did_percentile[0], m.did_percentile[1], m.did_cr1_std_error
    );
    let _ = writeln!(
        s,
        "  net offset per programme person after the programme cost: {:+.0} (CI {:+.0} to {:+.0})",
        m.net_offset_per_person, m.net_offset_ci[0], m.net_offset_ci[1]
    );
    Ok(Done::ok(s))
}

/// What `cba` prints as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CbaJson {
    /// Price year.
    pub(crate) price_year: String,
    /// Discounting, in words.
    pub(crate) discounting: String,
    /// Present value of benefits.
    pub(crate) pv_benefits: f64,
    /// Present value of costs.
    pub(crate) pv_costs: f64,
    /// Net present value.
    pub(crate) npv: f64,
    /// Benefit-cost ratio.
    pub(crate) benefit_cost_ratio: Option<f64>,
    /// Fiscal return on investment.
    pub(crate) fiscal_roi: Option<f64>,
    /// Payback year, if within the horizon.
    pub(crate) payback_year: Option<u32>,
    /// Present value of benefits by agency.
    pub(crate) pv_by_agency: BTreeMap<String, f64>,
    /// One-way sensitivity: (assumption, low, high, NPV at low, NPV at high).
    pub(crate) sensitivity: Vec<(String, f64, f64, f64, f64)>,
}

/// Run `cba`.
///
/// # Errors
/// As `costs`; a bad `[cba]` parameter (naming the key); a group with no one.
pub(crate) fn run_cba(cmd: &CbaCmd, r: &Reporter) -> Result<Done> {
    let c = cost(cmd.spec.as_ref(), r)?;
    let (Some(prog), Some(comp)) = (
        c.groups.get(&Group::Programme),
        c.groups.get(&Group::Comparison),
    ) else {
        return Err(Error::insufficient_data(
            "cost-benefit analysis",
            "the programme or the comparison group has no one observed for both windows",
        ));
    };
    let cba = &c.data.spec.cba;
    let key = |k: &str, e: Error| Error::invalid_parameter(format!("cba.{k}"), "", e.to_string());
    let attribution = Proportion::new(cba.attribution).map_err(|e| key("attribution", e))?;
    let confidence =
        ConfidenceGrade::new(cba.confidence_grade).map_err(|e| key("confidence_grade", e))?;
    let mut streams = Vec::new();
    for (agency, a) in &prog.by_agency {
        let comp_per_person = comp
            .by_agency
            .get(agency)
            .map_or(0.0, |x| -x.change.amount() / comp.n as f64);
        streams.push(BenefitStream {
            label: format!("reduced demand: {agency}"),
            agency: agency.clone(),
            value_type: ValueType::Fiscal,
            annual_gross: Gbp::new(-a.change.amount(), c.target)?,
            counterfactual: Counterfactual::ComparisonGroup(Gbp::new(
                comp_per_person * prog.n as f64,
                c.target,
            )?),
            attribution,
            confidence,
        });
    }
    let costs_by_year = vec![Gbp::non_negative(
        c.programme_cost * prog.n as f64,
        c.target,
    )?];
    let params = CbaParameters {
        horizon_years: cba.horizon_years,
        dropoff: Proportion::new(cba.dropoff).map_err(|e| key("dropoff", e))?,
        ..CbaParameters::default()
    };
    r.stage("cost-benefit appraisal and sensitivity");
    let res = costs::cba::appraise(&streams, &costs_by_year, &params)?;
    let sens = costs::cba::sensitivity(
        &streams,
        &costs_by_year,
        &params,
        &SensitivitySpec::default_set(),
    )?;
    let out = CbaJson {
        price_year: res.price_year.to_string(),
        discounting: res.discounting.clone(),
        pv_benefits: res.pv_benefits.amount(),
        pv_costs: res.pv_costs.amount(),
        npv: res.npv.amount(),
        benefit_cost_ratio: res.benefit_cost_ratio,
        fiscal_roi: res.fiscal_roi,
        payback_year: res.payback_year,
        pv_by_agency: res
            .pv_by_agency
            .iter()
            .map(|(a, v)| (a.to_string(), v.amount()))
            .collect(),
        sensitivity: sens
            .rows
            .iter()
            .map(|row| {
                (
                    format!("{:?}", row.parameter),
                    row.low,
                    row.high,
                    row.npv_at_low.amount(),
                    row.npv_at_high.amount(),
                )
            })
            .collect(),
    };
    if cmd.json {
        return Ok(Done::ok(common::json(&out)?));
    }
    let mut s = c.data.accounts();
    let _ = writeln!(
        s,
        "\nCost-benefit summary ({} prices, {}; horizon {} years, drop-off {}/year, attribution {}, confidence grade {})",
        out.price_year, out.discounting, cba.horizon_years, cba.dropoff, cba.attribution, cba.confidence_grade
    );
    let mut t = TextTable::new(&["measure", "value"]);
    t.row(vec![
        "PV benefits".into(),
        format!("{:.0}", out.pv_benefits),
    ]);
    t.row(vec!["PV costs".into(), format!("{:.0}", out.pv_costs)]);
    t.row(vec!["NPV".into(), format!("{:+.0}", out.npv)]);
    t.row(vec![
        "benefit-cost ratio".into(),
        common::opt(out.benefit_cost_ratio, 2),
    ]);
    t.row(vec!["fiscal ROI".into(), common::opt(out.fiscal_roi, 2)]);
    t.row(vec![
        "payback year".into(),
        out.payback_year
            .map_or_else(|| "not within the horizon".into(), |y| y.to_string()),
    ]);
    for (a, v) in &out.pv_by_agency {
        t.row(vec![format!("PV benefit to {a}"), format!("{v:.0}")]);
    }
    s.push_str(&t.render());
    let _ = writeln!(s, "\nSensitivity (one assumption at a time)");
    let mut t = TextTable::new(&["assumption", "low", "high", "NPV at low", "NPV at high"]);
    for (p, lo, hi, nl, nh) in &out.sensitivity {
        t.row(vec![
            p.clone(),
            lo.to_string(),
            hi.to_string(),
            format!("{nl:+.0}"),
            format!("{nh:+.0}"),
        ]);
    }
    s.push_str(&t.render());
    Ok(Done::ok(s))
}
