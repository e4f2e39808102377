//! Pre/post change on the sample cohort, or paired statistics on any CSV.
//!
//! ```text
//! cargo run --release --example pre_post
//! cargo run --release --example pre_post -- --data FILE --id COL --before COL --after COL [--json OUT]
//! ```
//!
//! On the sample: NDT total (baseline vs 12-month follow-up), A&E
//! attendances per person per quarter (12 months before vs after the start)
//! and rough sleeping (any night in the window) before vs after, for the
//! programme group, with a table of the statistics.
//!
//! With `--data`, the paired statistics (mean change, paired t, Wilcoxon,
//! sign test, d_z, bootstrap) on the two columns, printed and, with
//! `--json`, written as JSON (one object per statistic, named fields). Rows
//! with a blank or non-numeric value are reported by row and column and
//! left out; the identifier column is used only to check for duplicates and
//! is never printed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use outcomes::cohort::{DataWindow, Group, Pseudonymiser};
use outcomes::compare::pre_post::{self, CoveragePolicy, PairedStatistics};
use outcomes::disclosure::format_value;
use outcomes::io::{self, Source};
use outcomes::measures::ndt::{self, PartialPolicy, SelectionRule};
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::stats::{self, BootstrapConfig, ConfidenceLevel, Direction, ReliableChangeParams};
use outcomes::{Error, Location, Result};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        return sample();
    }
    let get = |flag: &str| -> Option<String> {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    for a in args.iter().filter(|a| a.starts_with("--")) {
        if !["--data", "--id", "--before", "--after", "--json"].contains(&a.as_str()) {
            return Err(Error::invalid_parameter(
                a.as_str(),
                "",
                "unknown option (expected --data, --id, --before, --after, --json)",
            ));
        }
    }
    let need = |flag: &str| {
        get(flag).ok_or_else(|| Error::invalid_parameter(flag, "(missing)", "required with --data"))
    };
    let data = PathBuf::from(need("--data")?);
    let (id, before, after) = (need("--id")?, need("--before")?, need("--after")?);
    let (b, a, skipped) = read_pairs(&data, &id, &before, &after)?;
    println!(
        "{}: {} pairs used, {} rows left out",
        data.display(),
        b.len(),
        skipped.len()
    );
    for (row, col, why) in skipped.iter().take(20) {
        println!("  row {row}, column `{col}`: {why}");
    }
    let s = pre_post::paired_statistics(
        &b,
        &a,
        ConfidenceLevel::NINETY_FIVE,
        Some(BootstrapConfig::new(
            9999,
            20240101,
            ConfidenceLevel::NINETY_FIVE,
        )?),
    )?;
    print_stats(&format!("{after} vs {before}"), &s);
    if let Some(out) = get("--json") {
        let json = serde_json::to_string_pretty(&s)
            .map_err(|e| Error::invalid_parameter("--json", &out, e.to_string()))?;
        std::fs::write(&out, json).map_err(|e| Error::io(&out, e))?;
        println!("wrote {out}");
    }
    Ok(())
}

type Skipped = Vec<(u64, String, String)>;

fn read_pairs(
    path: &Path,
    id: &str,
    before: &str,
    after: &str,
) -> Result<(Vec<f64>, Vec<f64>, Skipped)> {
    let name = path.display().to_string();
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| Error::invalid_value(Location::source(&name), "", e.to_string()))?;
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| Error::invalid_value(Location::source(&name), "", e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let pos = |c: &str| {
        headers
            .iter()
            .position(|h| h == c)
            .ok_or_else(|| Error::missing_column(&name, c, &headers, &[id, before, after]))
    };
    let (pi, pb, pa) = (pos(id)?, pos(before)?, pos(after)?);
    let (mut b, mut a, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    let mut records = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let row = i as u64 + 1;
        records.push(rec.map_err(|e| {
            Error::invalid_value(Location::source(&name).row(row), "", e.to_string())
        })?);
    }
    // Every identifier in the file: a value equal to one is never echoed,
    // whichever column it turns up in.
    let ids: HashSet<String> = records
        .iter()
        .filter_map(|rec| rec.get(pi))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    for (i, rec) in records.iter().enumerate() {
        let row = i as u64 + 1;
        let key = rec.get(pi).unwrap_or("").trim().to_string();
        if key.is_empty() {
            skipped.push((row, id.to_string(), "blank identifier".into()));
            continue;
        }
        if !seen.insert(key) {
            skipped.push((
                row,
                id.to_string(),
                "duplicate identifier (value not shown)".into(),
            ));
            continue;
        }
        let num = |p: usize, c: &str| -> std::result::Result<f64, (u64, String, String)> {
            let v = rec.get(p).unwrap_or("").trim();
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    let shown = if ids.contains(v) {
                        io::REDACTED.to_string()
                    } else {
                        format!("{v:?}")
                    };
                    (row, c.to_string(), format!("{shown} is not a number"))
                })
        };
        match (num(pb, before), num(pa, after)) {
            (Ok(x), Ok(y)) => {
                b.push(x);
                a.push(y);
            }
            (Err(e), _) | (_, Err(e)) => skipped.push(e),
        }
    }
    Ok((b, a, skipped))
}

fn sample() -> Result<()> {
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
        &Source::new(data.join("service_use.csv")).pseudonymise(key.clone()),
        &cohort.data,
        &cats,
    )?;
    let ndt_in = io::load_ndt(
        &Source::new(data.join("ndt.csv")).pseudonymise(key),
        &cohort.data,
        PartialPolicy::Undefined,
    )?;
    for s in [&cohort.summary, &events.summary, &ndt_in.summary] {
        println!(
            "{}: {} read, {} accepted, {} rejected",
            s.source, s.rows_read, s.accepted, s.rejected
        );
    }
    let level = ConfidenceLevel::NINETY_FIVE;
    let boot = Some(BootstrapConfig::new(9999, 20240101, level)?);

    // NDT total, programme group.
    let starts = cohort
        .data
        .group(Group::Programme)
        .map(|m| (&m.person, m.index_date));
    let (changes, counts) = ndt::baseline_follow_up(
        starts,
        &ndt_in.data.assessments,
        SelectionRule::default(),
        PartialPolicy::Undefined,
    )?;
    let (b, a): (Vec<f64>, Vec<f64>) = changes
        .iter()
        .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
        .unzip();
    println!("\nNDT total, programme group: {} people, {} with baseline and 12-month follow-up, {} with both totals defined", counts.people, counts.with_both, b.len());
    let s = pre_post::paired_statistics(&b, &a, level, boot)?;
    print_stats("NDT total (0-48, lower is better)", &s);
    // The NDT has no published reliability: 0.8 is an assumption stated here.
    let sd = stats::describe(&b)?.sd.unwrap_or(1.0);
    let rci = stats::reliable_change(
        &b,
        &a,
        ReliableChangeParams::new(sd, 0.8, Direction::LowerIsBetter)?,
        level,
    )?;
    println!("  reliable change (s1 = baseline SD {sd:.2}, r_xx = 0.8 assumed): {} improved, {} no reliable change, {} deteriorated", rci.improved, rci.no_reliable_change, rci.deteriorated);

    // A&E per person per quarter, 12 months before vs after, from the
    // per-person summary frame (one row per person, window and measure).
    let windows = Window::before_after_12_months();
    let summary = io::SummaryBuilder::new(&cohort.data, &windows)
        .service_use(
            &events.data,
            &["ae_attendance".into(), "rough_sleeping_night".into()],
        )
        .build()?;
    let ae = pre_post::summary_pairs(
        &summary,
        "ae_attendance",
        "before",
        "after",
        CoveragePolicy::default(),
    )?
    .values;
    let prog: Vec<usize> = ae
        .people
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            cohort
                .data
                .get(p)
                .is_some_and(|m| m.group == Group::Programme)
        })
        .map(|(i, _)| i)
        .collect();
    let pick = |v: &[f64]| prog.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    println!(
        "\nA&E attendances per person per quarter, programme group ({} kept of {}; {} left out as under half observed, {} rates on part of a window)",
        prog.len(), ae.coverage.people, ae.coverage.excluded, ae.coverage.partly_observed
    );
    let s = pre_post::paired_statistics(&pick(&ae.before), &pick(&ae.after), level, boot)?;
    print_stats("A&E per quarter", &s);

    // Rough sleeping: any night in the window.
    let rs = pre_post::summary_pairs(
        &summary,
        "rough_sleeping_night",
        "before",
        "after",
        CoveragePolicy::default(),
    )?
    .values;
    let b: Vec<bool> = prog.iter().map(|&i| rs.before[i] > 0.0).collect();
    let a: Vec<bool> = prog.iter().map(|&i| rs.after[i] > 0.0).collect();
    let bc = pre_post::binary_change(&b, &a, level)?;
    println!(
        "\nRough sleeping (any night in the window), programme group, n = {}",
        bc.n
    );
    println!(
        "  before {:.1}% [{:.1}, {:.1}]   after {:.1}% [{:.1}, {:.1}]",
        100.0 * bc.before.value,
        100.0 * bc.before.ci.lower,
        100.0 * bc.before.ci.upper,
        100.0 * bc.after.value,
        100.0 * bc.after.ci.lower,
        100.0 * bc.after.ci.upper
    );
    if let Some(m) = &bc.mcnemar {
        println!(
            "  McNemar: {} stopped, {} started; exact {}; chi-square (corrected) = {:.3}, {}",
            m.true_to_false,
            m.false_to_true,
            p4(m.exact.p_value),
            m.chi_square.statistic,
            p4(m.chi_square.p_value)
        );
    }
    println!("\n{}", ndt::NDT_COPYRIGHT);
    Ok(())
}

/// "p = 0.0141", or "p < 0.0001" where the report writes `<0.0001`: never
/// a false 0.0000.
fn p4(p: f64) -> String {
    let v = format_value(p, 4);
    match v.strip_prefix('<') {
        Some(bound) => format!("p < {bound}"),
        None => format!("p = {v}"),
    }
}

fn print_stats(label: &str, s: &PairedStatistics) {
    println!(
        "  {label}: n = {}, mean before {:.3}, after {:.3}",
        s.n, s.mean_before, s.mean_after
    );
    let e = &s.mean_change;
    println!(
        "  {:<28} {:>10.3}  95% CI [{:.3}, {:.3}]",
        "mean change", e.value, e.ci.lower, e.ci.upper
    );
    if let Some(t) = &s.paired_t {
        println!(
            "  {:<28} {:>10.3}  df {:.0}, {}",
            "paired t",
            t.test.statistic,
            t.test.df.unwrap_or(f64::NAN),
            p4(t.test.p_value)
        );
    }
    if let Some(w) = &s.wilcoxon {
        println!(
            "  {:<28} {:>10.1}  {} ({:?})",
            "Wilcoxon signed-rank V",
            w.test.statistic,
            p4(w.test.p_value),
            w.method
        );
    }
    if let Some(t) = &s.sign_test {
        println!(
            "  {:<28} {:>10.0}  {} ({} up, {} down, {} tied)",
            "sign test",
            t.test.statistic,
            p4(t.test.p_value),
            t.n_positive,
            t.n_negative,
            t.n_zero
        );
    }
    if let Some(d) = &s.cohens_dz {
        println!(
            "  {:<28} {:>10.3}  95% CI [{:.3}, {:.3}]",
            "Cohen's d_z", d.value, d.ci.lower, d.ci.upper
        );
    }
    if let Some(b) = &s.bootstrap {
        println!(
            "  {:<28} {:>10}  percentile [{:.3}, {:.3}]",
            "bootstrap (9999, seeded)", "", b.percentile.ci.lower, b.percentile.ci.upper
        );
        if let Some(bca) = &b.bca {
            println!(
                "  {:<28} {:>10}  BCa [{:.3}, {:.3}]",
                "", "", bca.ci.lower, bca.ci.upper
            );
        }
    }
    for n in &s.notes {
        println!("  note: {n}");
    }
}
