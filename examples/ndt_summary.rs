//! Baseline vs follow-up NDT for the bundled sample cohort.
//!
//! ```text
//! cargo run --release --example ndt_summary
//! ```
//!
//! Loads `data/sample/cohort.csv` (pseudonymising its identifiers with a
//! demonstration key) and `data/sample/ndt.csv`, picks each person's
//! baseline (nearest the start, within 90 days) and 12-month follow-up
//! (within 90 days), and prints mean scores per item and in total.
//!
//! The NDT Assessment is copyright South West London and St George's Mental
//! Health NHS Trust.

use std::path::Path;

use outcomes::cohort::{DataWindow, Group, Pseudonymiser};
use outcomes::io::{self, Source};
use outcomes::measures::ndt::{self, NdtItem, PartialPolicy, SelectionRule};

fn main() -> Result<(), outcomes::Error> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let key = Pseudonymiser::new(b"demonstration key - use your own")?;
    let spec = outcomes::synthetic::SyntheticSpec::sample();
    let window = DataWindow::new(spec.data_start, spec.extract_date)?;

    let cohort = io::load_cohort(
        &Source::new(data.join("cohort.csv")).pseudonymise(key.clone()),
        window,
    )?;
    let assessments = io::load_ndt(
        &Source::new(data.join("ndt.csv")).pseudonymise(key),
        &cohort.data,
        PartialPolicy::Undefined,
    )?;
    for s in [&cohort.summary, &assessments.summary] {
        println!(
            "{}: {} rows read, {} accepted, {} rejected",
            s.source, s.rows_read, s.accepted, s.rejected
        );
        for (reason, n) in &s.by_reason {
            println!("    {n:>4}  {reason}");
        }
    }

    println!();
    println!("NDT baseline vs 12-month follow-up (higher = more need)");
    for group in [Group::Programme, Group::Comparison] {
        let starts = cohort.data.group(group).map(|m| (&m.person, m.index_date));
        let (changes, counts) = ndt::baseline_follow_up(
            starts,
            &assessments.data.assessments,
            SelectionRule::default(),
            PartialPolicy::Undefined,
        )?;
        println!();
        println!(
            "{} group: {} people, {} with baseline and follow-up ({} no baseline, {} no follow-up)",
            group.code(),
            counts.people,
            counts.with_both,
            counts.no_baseline,
            counts.no_follow_up
        );
        println!(
            "{:<36} {:>5} {:>9} {:>10} {:>8}",
            "item", "n", "baseline", "follow-up", "change"
        );
        for item in NdtItem::ALL {
            let pairs: Vec<(f64, f64)> = changes
                .iter()
                .filter_map(|c| {
                    let i = item.index();
                    Some((f64::from(c.baseline[i]?), f64::from(c.follow_up[i]?)))
                })
                .collect();
            print_row(item.label(), &pairs);
        }
        let totals: Vec<(f64, f64)> = changes
            .iter()
            .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
            .collect();
        print_row("Total (0-48)", &totals);
    }
    println!();
    println!("{}", ndt::NDT_COPYRIGHT);
    Ok(())
}

fn print_row(label: &str, pairs: &[(f64, f64)]) {
    let n = pairs.len();
    if n == 0 {
        println!("{label:<36} {n:>5} {:>9} {:>10} {:>8}", "-", "-", "-");
        return;
    }
    let b = pairs.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let f = pairs.iter().map(|p| p.1).sum::<f64>() / n as f64;
    println!("{label:<36} {n:>5} {b:>9.2} {f:>10.2} {:>+8.2}", f - b);
}
