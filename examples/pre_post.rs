//! Pre/post change on the bundled sample cohort, programme group: the NDT
//! total (baseline against 12-month follow-up) with reliable change, A&E
//! attendances per person per quarter (12 months before against after the
//! start), and rough sleeping (any night in the window) with McNemar.
//!
//! ```text
//! cargo run --release --example pre_post
//! ```
//!
//! The command-line tool does this on your own data, as tables or JSON:
//! `outcomes pre-post [--spec FILE]`, or on two columns of any CSV file,
//! `outcomes pre-post --data FILE --id COL --before COL --after COL`.

use std::path::Path;

use outcomes::cohort::{DataWindow, Group, Pseudonymiser};
use outcomes::compare::pre_post::{self, CoveragePolicy, PairedStatistics};
use outcomes::io::{self, Source};
use outcomes::measures::ndt::{self, PartialPolicy, SelectionRule};
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::stats::{self, BootstrapConfig, ConfidenceLevel, Direction, ReliableChangeParams};
use outcomes::Result;

fn main() -> Result<()> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let key = Pseudonymiser::new(b"demonstration key - use your own")?;
    let spec = outcomes::synthetic::SyntheticSpec::sample();
    let window = DataWindow::new(spec.data_start, spec.extract_date)?;
    let cohort = io::load_cohort(
        &Source::new(data.join("cohort.csv")).pseudonymise(key.clone()),
        window,
    )?;
    let events = io::load_service_events(
        &Source::new(data.join("service_use.csv")).pseudonymise(key.clone()),
        &cohort.data,
        &CategorySet::default(),
    )?;
    let assessments = io::load_ndt(
        &Source::new(data.join("ndt.csv")).pseudonymise(key),
        &cohort.data,
        PartialPolicy::Undefined,
    )?;
    let level = ConfidenceLevel::NINETY_FIVE;
    let boot = Some(BootstrapConfig::new(9999, 20240101, level)?);

    // NDT total: each programme person's baseline and 12-month follow-up.
    let starts = cohort
        .data
        .group(Group::Programme)
        .map(|m| (&m.person, m.index_date));
    let (changes, _) = ndt::baseline_follow_up(
        starts,
        &assessments.data.assessments,
        SelectionRule::default(),
        PartialPolicy::Undefined,
    )?;
    let (b, a): (Vec<f64>, Vec<f64>) = changes
        .iter()
        .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
        .unzip();
    show(
        "NDT total (0-48, lower is better)",
        &pre_post::paired_statistics(&b, &a, level, boot)?,
    );
    // The NDT has no published reliability: 0.8 is an assumption.
    let sd = stats::describe(&b)?.sd.unwrap_or(1.0);
    let rci = stats::reliable_change(
        &b,
        &a,
        ReliableChangeParams::new(sd, 0.8, Direction::LowerIsBetter)?,
        level,
    )?;
    println!(
        "  reliable change: {} improved, {} no reliable change, {} deteriorated",
        rci.improved, rci.no_reliable_change, rci.deteriorated
    );

    // Service use from the per-person summary frame.
    let summary = io::SummaryBuilder::new(&cohort.data, &Window::before_after_12_months())
        .service_use(
            &events.data,
            &["ae_attendance".into(), "rough_sleeping_night".into()],
        )
        .build()?;
    let programme = |p: &outcomes::cohort::PersonId| {
        cohort
            .data
            .get(p)
            .is_some_and(|m| m.group == Group::Programme)
    };
    let pairs = |code: &str| {
        pre_post::summary_pairs(&summary, code, "before", "after", CoveragePolicy::default())
            .map(|p| p.values)
    };
    let ae = pairs("ae_attendance")?;
    let keep: Vec<usize> = (0..ae.people.len())
        .filter(|&i| programme(&ae.people[i]))
        .collect();
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let s = pre_post::paired_statistics(&pick(&ae.before), &pick(&ae.after), level, boot)?;
    show("A&E attendances per person per quarter", &s);

    let rs = pairs("rough_sleeping_night")?;
    let keep: Vec<usize> = (0..rs.people.len())
        .filter(|&i| programme(&rs.people[i]))
        .collect();
    let before: Vec<bool> = keep.iter().map(|&i| rs.before[i] > 0.0).collect();
    let after: Vec<bool> = keep.iter().map(|&i| rs.after[i] > 0.0).collect();
    let bc = pre_post::binary_change(&before, &after, level)?;
    println!(
        "\nRough sleeping (any night), n = {}: before {:.1}%, after {:.1}%",
        bc.n,
        100.0 * bc.before.value,
        100.0 * bc.after.value
    );
    if let Some(m) = &bc.mcnemar {
        println!(
            "  McNemar: {} stopped, {} started; exact p = {:.4}",
            m.true_to_false, m.false_to_true, m.exact.p_value
        );
    }
    println!("\n{}", ndt::NDT_COPYRIGHT);
    Ok(())
}

fn show(label: &str, s: &PairedStatistics) {
    let e = &s.mean_change;
    println!(
        "\n{label}: n = {}, mean before {:.3}, after {:.3}",
        s.n, s.mean_before, s.mean_after
    );
    println!(
        "  mean change {:.3} (95% CI {:.3} to {:.3})",
        e.value, e.ci.lower, e.ci.upper
    );
    if let Some(t) = &s.paired_t {
        println!(
            "  paired t {:.3}, p = {:.4}",
            t.test.statistic, t.test.p_value
        );
    }
    if let Some(w) = &s.wilcoxon {
        println!(
            "  Wilcoxon V {:.1}, p = {:.4}",
            w.test.statistic, w.test.p_value
        );
    }
}
