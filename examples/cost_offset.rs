//! Cost offsets on the bundled sample cohort: cost per person before and
//! after the start, by group and agency.
//!
//! ```text
//! cargo run --release --example cost_offset
//! ```
//!
//! Service use in the 12 months before and after each start, priced with
//! the shipped ILLUSTRATIVE unit costs (GMCA UCD v1.4) at 2024/25 prices;
//! the mean change with a seeded BCa bootstrap interval, net of an assumed
//! programme cost. People not observed for both whole windows are left out
//! and counted; categories with no unit cost are listed, never priced at 0.
//!
//! `outcomes costs` adds the offset against a matched comparison group, and
//! `outcomes cba` the Green Book cost-benefit analysis.

use std::collections::BTreeMap;
use std::path::Path;

use outcomes::cohort::{DataWindow, Group, Phase, Pseudonymiser};
use outcomes::costs::{
    self, CostCategory, CostingOptions, DeflatorSeries, Gbp, PriceYear, ServiceUse, UnitCostTable,
};
use outcomes::io::{self, Source};
use outcomes::measures::service_use::{CategorySet, Count, Window};
use outcomes::stats::{bootstrap_mean, BootstrapConfig, ConfidenceLevel};
use outcomes::Result;

/// The programme's cost per person, in 2024/25 prices: an assumption of
/// this example, not a published figure.
const PROGRAMME_COST_PER_PERSON: f64 = 3_500.0;

fn main() -> Result<()> {
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
    let table = UnitCostTable::illustrative()?;
    let deflators = DeflatorSeries::illustrative()?;
    let target = PriceYear::parse("2024/25")?;

    let (costed, not_costed): (Vec<String>, Vec<String>) = cats
        .codes()
        .into_iter()
        .partition(|c| CostCategory::new(c.as_str()).is_ok_and(|k| table.chosen(&k).is_ok()));
    println!(
        "Unit costs: ILLUSTRATIVE, {target} prices; not costed: {}",
        not_costed.join(", ")
    );

    let counts = io::window_counts(
        &cohort.data,
        &events.data,
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
        let Some(m) = cohort.data.get(person) else {
            continue;
        };
        if ob[i] < wb[i] || oa[i] < wa[i] {
            left_out += 1;
            continue;
        }
        let (people, records) = by_group.entry(m.group).or_default();
        people.push(person.pseudonym().to_string());
        for code in &costed {
            for (label, phase) in [("before", Phase::Before), ("after", Phase::After)] {
                let n = counts.counts(label, code)?[i];
                if n > 0.0 {
                    records.push(ServiceUse {
                        person: person.pseudonym().to_string(),
                        category: CostCategory::new(code.as_str())?,
                        window: phase,
                        count: Count::amount(n)?,
                    });
                }
            }
        }
    }
    println!("People left out (not observed for the whole of both windows): {left_out}");

    let boot = BootstrapConfig::new(9999, 20240101, ConfidenceLevel::NINETY_FIVE)?;
    for (group, (people, records)) in &by_group {
        let programme_cost = match group {
            Group::Programme => PROGRAMME_COST_PER_PERSON,
            _ => 0.0,
        };
        let cmp = costs::costing::pre_post(
            records,
            people,
            &table,
            &deflators,
            &CostingOptions::new(target),
            Gbp::non_negative(programme_cost, target)?,
        )?;
        println!(
            "\n{} group: {} people, cost per person per year",
            group.code(),
            cmp.n
        );
        println!(
            "  {:<22} {:>10} {:>10} {:>10}",
            "agency", "before", "after", "change"
        );
        let n = cmp.n as f64;
        for (agency, a) in &cmp.by_agency {
            println!(
                "  {:<22} {:>10.0} {:>10.0} {:>+10.0}",
                agency.to_string(),
                a.pre.amount() / n,
                a.post.amount() / n,
                a.change.amount() / n
            );
        }
        let b = bootstrap_mean(&cmp.change_vector(), boot)?;
        let ci = b.bca.as_ref().unwrap_or(&b.percentile).ci;
        println!(
            "  mean change {:+.0} (95% BCa bootstrap CI {:+.0} to {:+.0})",
            cmp.mean_change.amount(),
            ci.lower,
            ci.upper
        );
        if *group == Group::Programme {
            println!(
                "  net of the programme cost ({programme_cost:.0}): mean net saving {:+.0}",
                cmp.mean_net_saving.amount()
            );
        }
    }
    Ok(())
}
