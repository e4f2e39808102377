//! `outcomes pre-post`: paired before/after statistics.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use outcomes::cohort::Group;
use outcomes::compare::pre_post::{self, BinaryChange, CoveragePolicy, PairedStatistics};
use outcomes::disclosure::format_value;
use outcomes::io;
use outcomes::measures::ndt::{self, PartialPolicy, SelectionRule};
use outcomes::measures::service_use::Window;
use outcomes::stats::{
    self, BootstrapConfig, ConfidenceLevel, Direction, ReliableChangeParams, ReliableChangeResult,
};
use outcomes::{Error, Location, Result};
use serde::Serialize;

use crate::common::{self, Done, SpecData, TextTable};
use crate::progress::Reporter;

/// Paired before/after statistics: mean change, paired t, Wilcoxon
/// signed-rank, sign test, Cohen's d_z and a seeded bootstrap.
///
/// On a spec's data (default: the bundled sample), for one group: the NDT
/// total (baseline against 12-month follow-up) with reliable change, a
/// service-use category per person per quarter (12 months before against
/// after), and any use of the spec's binary category (McNemar).
///
/// With `--data`, the statistics of two columns of a CSV file: rows with a
/// blank or non-numeric value, a blank or repeated identifier are listed by
/// row and column and left out; identifiers are never printed.
///
/// Example: outcomes pre-post --data FILE --id client --before b --after a
#[derive(Debug, Args)]
pub(crate) struct PrePostCmd {
    /// The evaluation spec whose data to use (default: the bundled sample).
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    spec: Option<PathBuf>,
    /// A CSV file with one row per person and a before and an after column.
    #[arg(long, value_name = "FILE", requires_all = ["id", "before", "after"])]
    data: Option<PathBuf>,
    /// The identifier column of `--data` (checked for duplicates, never shown).
    #[arg(long, value_name = "COL", requires = "data")]
    id: Option<String>,
    /// The before column of `--data`.
    #[arg(long, value_name = "COL", requires = "data")]
    before: Option<String>,
    /// The after column of `--data`.
    #[arg(long, value_name = "COL", requires = "data")]
    after: Option<String>,
    /// The group analysed (spec mode).
    #[arg(long, value_enum, default_value_t = GroupArg::Programme)]
    group: GroupArg,
    /// The service-use category per quarter (spec mode).
    #[arg(long, value_name = "CODE", default_value = "ae_attendance")]
    category: String,
    /// Bootstrap resamples (at least 100).
    #[arg(long, value_name = "N", default_value_t = 9999)]
    resamples: usize,
    /// Bootstrap seed.
    #[arg(long, value_name = "SEED", default_value_t = 20_240_101)]
    seed: u64,
    /// Print the results as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `--group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GroupArg {
    /// The programme group.
    Programme,
    /// The comparison group.
    Comparison,
}

impl GroupArg {
    /// The library's group.
    pub(crate) fn group(self) -> Group {
        match self {
            GroupArg::Programme => Group::Programme,
            GroupArg::Comparison => Group::Comparison,
        }
    }
}

/// One row left out of `--data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct LeftOut {
    row: u64,
    column: String,
    reason: String,
}

/// The JSON of `--data` mode.
#[derive(Debug, Serialize)]
struct CsvPrePost {
    file: String,
    pairs_used: usize,
    left_out: Vec<LeftOut>,
    statistics: PairedStatistics,
}

/// The JSON of spec mode.
#[derive(Debug, Serialize)]
struct SpecPrePost {
    group: String,
    ndt_total: Option<PairedStatistics>,
    ndt_reliable_change: Option<ReliableChangeResult>,
    category: String,
    per_quarter: PairedStatistics,
    binary_category: String,
    any_use: BinaryChange,
}

/// Run `pre-post`.
///
/// # Errors
/// An unreadable file, a missing column, too few pairs.
pub(crate) fn run(cmd: &PrePostCmd, r: &Reporter) -> Result<Done> {
    let level = ConfidenceLevel::NINETY_FIVE;
    let boot = BootstrapConfig::new(cmd.resamples, cmd.seed, level)?;
    if let (Some(data), Some(id), Some(b), Some(a)) = (&cmd.data, &cmd.id, &cmd.before, &cmd.after)
    {
        r.stage(&format!("reading {}", data.display()));
        let (before, after, left_out) = read_pairs(data, id, b, a)?;
        r.stage(&format!("paired statistics on {} pairs", before.len()));
        let s = pre_post::paired_statistics(&before, &after, level, Some(boot))?;
        let out = CsvPrePost {
            file: data.display().to_string(),
            pairs_used: before.len(),
            left_out,
            statistics: s,
        };
        if cmd.json {
            return Ok(Done::ok(common::json(&out)?));
        }
        let mut t = String::new();
        let _ = writeln!(
            t,
            "{}: {} pairs used, {} rows left out",
            out.file,
            out.pairs_used,
            out.left_out.len()
        );
        for l in out.left_out.iter().take(20) {
            let _ = writeln!(t, "  row {}, column `{}`: {}", l.row, l.column, l.reason);
        }
        t.push('\n');
        t.push_str(&stats_text(&format!("{a} against {b}"), &out.statistics));
        return Ok(Done::ok(t));
    }
    let data = SpecData::load(common::spec_or_sample(cmd.spec.as_deref())?, true, r)?;
    let group = cmd.group.group();
    let mut text = data.accounts();

    // NDT total.
    let (mut ndt_total, mut rci) = (None, None);
    if let Some(n) = &data.ndt {
        r.stage("NDT baseline and follow-up");
        let starts = data
            .cohort
            .data
            .group(group)
            .map(|m| (&m.person, m.index_date));
        let rule = SelectionRule {
            follow_up_months: data.spec.outcomes.ndt_follow_up_months,
            ..SelectionRule::default()
        };
        let (changes, counts) =
            ndt::baseline_follow_up(starts, &n.data.assessments, rule, PartialPolicy::Undefined)?;
        let (b, a): (Vec<f64>, Vec<f64>) = changes
            .iter()
            .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
            .unzip();
        let _ = writeln!(
            text,
            "\nNDT total, {} group: {} people, {} with baseline and follow-up, {} with both totals",
            group.code(),
            counts.people,
            counts.with_both,
            b.len()
        );
        let s = pre_post::paired_statistics(&b, &a, level, Some(boot))?;
        text.push_str(&stats_text("NDT total (0-48, lower is better)", &s));
        let sd = stats::describe(&b)?.sd.unwrap_or(1.0);
        let rc = stats::reliable_change(
            &b,
            &a,
            ReliableChangeParams::new(
                sd,
                data.spec.outcomes.ndt_reliability,
                Direction::LowerIsBetter,
            )?,
            level,
        )?;
        let _ = writeln!(
            text,
            "  reliable change (baseline SD {sd:.2}, reliability {} assumed): {} improved, {} no reliable change, {} deteriorated",
            data.spec.outcomes.ndt_reliability, rc.improved, rc.no_reliable_change, rc.deteriorated
        );
        ndt_total = Some(s);
        rci = Some(rc);
    }

    // Service use per quarter, and any use of the binary category.
    r.stage("service use per person per quarter");
    let binary = data.spec.outcomes.binary_category.clone();
    let windows = Window::before_after_12_months();
    let summary = io::SummaryBuilder::new(&data.cohort.data, &windows)
        .service_use(
            &data.events()?.data,
            &[cmd.category.clone(), binary.clone()],
        )
        .build()?;
    let pairs = |code: &str| {
        pre_post::summary_pairs(&summary, code, "before", "after", CoveragePolicy::default())
    };
    let use_pairs = pairs(&cmd.category)?.values;
    let keep: Vec<usize> = use_pairs
        .people
        .iter()
        .enumerate()
        .filter(|(_, p)| data.cohort.data.get(p).is_some_and(|m| m.group == group))
        .map(|(i, _)| i)
        .collect();
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let _ = writeln!(
        text,
        "\n{} per person per quarter, {} group ({} kept of {}; {} left out as under half observed)",
        cmd.category,
        group.code(),
        keep.len(),
        use_pairs.coverage.people,
        use_pairs.coverage.excluded
    );
    r.stage("paired statistics and bootstrap");
    let per_quarter = pre_post::paired_statistics(
        &pick(&use_pairs.before),
        &pick(&use_pairs.after),
        level,
        Some(boot),
    )?;
    text.push_str(&stats_text(
        &format!("{} per quarter", cmd.category),
        &per_quarter,
    ));

    let bin = pairs(&binary)?.values;
    let keep_bin: Vec<usize> = bin
        .people
        .iter()
        .enumerate()
        .filter(|(_, p)| data.cohort.data.get(p).is_some_and(|m| m.group == group))
        .map(|(i, _)| i)
        .collect();
    let b: Vec<bool> = keep_bin.iter().map(|&i| bin.before[i] > 0.0).collect();
    let a: Vec<bool> = keep_bin.iter().map(|&i| bin.after[i] > 0.0).collect();
    let any_use = pre_post::binary_change(&b, &a, level)?;
    let _ = writeln!(
        text,
        "\n{binary} (any in the window), {} group, n = {}",
        group.code(),
        any_use.n
    );
    let _ = writeln!(
        text,
        "  before {:.1}% [{:.1}, {:.1}]   after {:.1}% [{:.1}, {:.1}]",
        100.0 * any_use.before.value,
        100.0 * any_use.before.ci.lower,
        100.0 * any_use.before.ci.upper,
        100.0 * any_use.after.value,
        100.0 * any_use.after.ci.lower,
        100.0 * any_use.after.ci.upper
    );
    if let Some(m) = &any_use.mcnemar {
        let _ = writeln!(
            text,
            "  McNemar: {} stopped, {} started; exact {}; chi-square (corrected) = {:.3}, {}",
            m.true_to_false,
            m.false_to_true,
            p4(m.exact.p_value),
            m.chi_square.statistic,
            p4(m.chi_square.p_value)
        );
    }
    if ndt_total.is_some() {
        let _ = writeln!(text, "\n{}", ndt::NDT_COPYRIGHT);
    }
    if cmd.json {
        let out = SpecPrePost {
            group: group.code().to_string(),
            ndt_total,
            ndt_reliable_change: rci,
            category: cmd.category.clone(),
            per_quarter,
            binary_category: binary,
            any_use,
        };
        return Ok(Done::ok(common::json(&out)?));
    }
    Ok(Done::ok(text))
}

type Pairs = (Vec<f64>, Vec<f64>, Vec<LeftOut>);

/// The before and after columns of `path`, with every row left out and why.
/// A value equal to any identifier in the file is never echoed.
fn read_pairs(path: &Path, id: &str, before: &str, after: &str) -> Result<Pairs> {
    let name = path.display().to_string();
    let mut rdr = csv::Reader::from_path(path).map_err(|e| match e.kind() {
        csv::ErrorKind::Io(_) => Error::io(
            path,
            std::io::Error::other("the file cannot be opened".to_string()),
        ),
        _ => Error::invalid_value(Location::source(&name), "", "the file is not CSV"),
    })?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|_| {
            Error::invalid_value(Location::source(&name), "", "the header row cannot be read")
        })?
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
    let mut records = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i as u64 + 1;
        // The csv crate's message may quote a field: it is not shown.
        records.push(rec.map_err(|_| {
            Error::invalid_value(
                Location::source(&name).row(row),
                "",
                "the row cannot be read (unequal fields or bad encoding)",
            )
        })?);
    }
    let ids: HashSet<String> = records
        .iter()
        .filter_map(|rec| rec.get(pi))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    let (mut b, mut a, mut left) = (Vec::new(), Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for (i, rec) in records.iter().enumerate() {
        let row = i as u64 + 1;
        let key = rec.get(pi).unwrap_or("").trim().to_string();
        let out = |column: &str, reason: String| LeftOut {
            row,
            column: column.to_string(),
            reason,
        };
        if key.is_empty() {
            left.push(out(id, "blank identifier".into()));
            continue;
        }
        if !seen.insert(key) {
            left.push(out(id, "duplicate identifier (value not shown)".into()));
            continue;
        }
        let num = |p: usize, c: &str| -> std::result::Result<f64, LeftOut> {
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
                    out(c, format!("{shown} is not a number"))
                })
        };
        match (num(pb, before), num(pa, after)) {
            (Ok(x), Ok(y)) => {
                b.push(x);
                a.push(y);
            }
            (Err(e), _) | (_, Err(e)) => left.push(e),
        }
    }
    Ok((b, a, left))
}

/// "p = 0.0141", or "p < 0.0001": never a false 0.0000.
pub(crate) fn p4(p: f64) -> String {
    let v = format_value(p, 4);
    match v.strip_prefix('<') {
        Some(bound) => format!("p < {bound}"),
        None => format!("p = {v}"),
    }
}

/// The paired statistics as a table.
fn stats_text(label: &str, s: &PairedStatistics) -> String {
    let mut out = format!(
        "  {label}: n = {}, mean before {:.3}, after {:.3}\n",
        s.n, s.mean_before, s.mean_after
    );
    let mut t = TextTable::new(&["statistic", "value", "detail"]);
    let e = &s.mean_change;
    t.row(vec![
        "mean change".into(),
        format!("{:.3}", e.value),
        format!("95% CI [{:.3}, {:.3}]", e.ci.lower, e.ci.upper),
    ]);
    if let Some(x) = &s.paired_t {
        t.row(vec![
            "paired t".into(),
            format!("{:.3}", x.test.statistic),
            format!("df {}, {}", common::opt(x.test.df, 0), p4(x.test.p_value)),
        ]);
    }
    if let Some(w) = &s.wilcoxon {
        t.row(vec![
            "Wilcoxon signed-rank V".into(),
            format!("{:.1}", w.test.statistic),
            format!("{} ({:?})", p4(w.test.p_value), w.method),
        ]);
    }
    if let Some(x) = &s.sign_test {
        t.row(vec![
            "sign test".into(),
            format!("{:.0}", x.test.statistic),
            format!(
                "{} ({} up, {} down, {} tied)",
                p4(x.test.p_value),
                x.n_positive,
                x.n_negative,
                x.n_zero
            ),
        ]);
    }
    if let Some(d) = &s.cohens_dz {
        t.row(vec![
            "Cohen's d_z".into(),
            format!("{:.3}", d.value),
            format!("95% CI [{:.3}, {:.3}]", d.ci.lower, d.ci.upper),
        ]);
    }
    if let Some(b) = &s.bootstrap {
        t.row(vec![
            "bootstrap (seeded)".into(),
            String::new(),
            format!(
                "percentile [{:.3}, {:.3}]",
                b.percentile.ci.lower, b.percentile.ci.upper
            ),
        ]);
        if let Some(bca) = &b.bca {
            t.row(vec![
                String::new(),
                String::new(),
                format!("BCa [{:.3}, {:.3}]", bca.ci.lower, bca.ci.upper),
            ]);
        }
    }
    out.push_str(&t.render());
    for n in &s.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}
