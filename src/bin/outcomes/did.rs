//! `outcomes did`: difference in differences from a long CSV file.

use std::path::PathBuf;

use std::fmt::Write as _;

use clap::{Args, ValueEnum};
use outcomes::compare::did::{
    event_study, group_time_att, BasePeriod, ComparisonGroup, EventStudy, GroupTimeEffects, Panel,
};
use outcomes::compare::report::{run_did, write_json, CsvTable, DidSpec};
use outcomes::stats::ConfidenceLevel;
use outcomes::{Error, Location, Result};
use serde::Serialize;

use crate::common::{self, Done};
use crate::progress::Reporter;
use crate::sample;

/// 2×2 difference in differences from a long CSV file (one row per unit and
/// period): cell means, and `y ~ treated * post` with iid, HC1 and
/// cluster-robust (CR1) standard errors. Without `--cluster` the
/// cluster-robust errors cluster on the unit.
///
/// With no `--data` it runs on the bundled sample cohort: A&E attendances
/// per person per quarter, 12 months before against after the start,
/// programme against comparison.
///
/// With `--design event-study` or `--design staggered` the panel has a
/// first-treated column instead of `--treated`/`--post` (whole-number
/// periods; blank or 0 = never treated, as in R's `did`): a two-way fixed-effects event study
/// with CR1 errors by unit and a pre-trend test, or Callaway & Sant'Anna
/// group-time effects with their simple, dynamic and group aggregations.
///
/// Example: outcomes did --data panel.csv --unit store --time wave
/// --treated nj --post after --outcome fte
///
/// Example: outcomes did --design staggered --data panel.csv --unit county
/// --time year --first-treated first_treat --outcome lemp
#[derive(Debug, Args)]
pub(crate) struct DidCmd {
    /// The design: the 2×2 (default), an event study, or staggered adoption.
    #[arg(long, value_enum, default_value_t = DesignArg::TwoByTwo)]
    design: DesignArg,
    /// The first-treated period of each row's unit (event-study and
    /// staggered designs; blank or 0 = never treated, as in R's `did`).
    #[arg(long, value_name = "COL", requires = "data")]
    first_treated: Option<String>,
    /// The omitted reference period of the event study, relative to the
    /// first treated period.
    #[arg(long, value_name = "E", default_value_t = -1, allow_negative_numbers = true)]
    reference: i64,
    /// The comparison units of the staggered design.
    #[arg(long, value_enum, default_value_t = ComparisonArg::NeverTreated)]
    comparison: ComparisonArg,
    /// The base period of the staggered design's pre-period effects.
    #[arg(long, value_enum, default_value_t = BaseArg::Varying)]
    base: BaseArg,
    /// The long CSV file, with a header row.
    #[arg(long, value_name = "FILE", requires_all = ["unit", "time", "outcome"])]
    data: Option<PathBuf>,
    /// The unit column (an identifier: its values are never shown).
    #[arg(long, value_name = "COL", requires = "data")]
    unit: Option<String>,
    /// The time-period column.
    #[arg(long, value_name = "COL", requires = "data")]
    time: Option<String>,
    /// The 0/1 column: the unit is in the treated group.
    #[arg(long, value_name = "COL", requires = "data")]
    treated: Option<String>,
    /// The 0/1 column: the period is after treatment.
    #[arg(long, value_name = "COL", requires = "data")]
    post: Option<String>,
    /// The numeric outcome column.
    #[arg(long, value_name = "COL", requires = "data")]
    outcome: Option<String>,
    /// Cluster column of the cluster-robust errors (default: the unit).
    #[arg(long, value_name = "COL", requires = "data")]
    cluster: Option<String>,
    /// More identifier columns, comma-separated, whose values are never shown.
    #[arg(long = "id", value_name = "COLS", value_delimiter = ',')]
    identifiers: Vec<String>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    json_out: Option<PathBuf>,
}

/// `--design`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DesignArg {
    /// Two groups, two periods (or pre and post periods): `y ~ treated * post`.
    #[value(name = "2x2")]
    TwoByTwo,
    /// Two-way fixed effects with relative-time dummies.
    EventStudy,
    /// Callaway & Sant'Anna group-time average effects.
    Staggered,
}

/// `--comparison`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ComparisonArg {
    /// Never-treated units only (`did` `control_group = "nevertreated"`).
    NeverTreated,
    /// Never-treated and not-yet-treated units (`"notyettreated"`).
    NotYetTreated,
}

/// `--base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BaseArg {
    /// The period before each pre-period (`base_period = "varying"`).
    Varying,
    /// The period before treatment for every effect (`"universal"`).
    Universal,
}

/// The staggered design's output.
#[derive(Debug, Serialize)]
struct StaggeredJson {
    rows_read: usize,
    rows_used: usize,
    group_time: GroupTimeEffects,
    simple: outcomes::compare::did::Aggregation,
    dynamic: outcomes::compare::did::Aggregation,
    group: outcomes::compare::did::Aggregation,
}

/// The event study's output.
#[derive(Debug, Serialize)]
struct EventStudyJson {
    rows_read: usize,
    rows_used: usize,
    event_study: EventStudy,
}

/// A panel's columns read from the file: rows with a blank outcome or time
/// are left out (counted).
struct PanelColumns {
    outcome: Vec<f64>,
    unit: Vec<String>,
    time: Vec<i64>,
    first_treated: Vec<Option<i64>>,
    read: usize,
}

fn whole(table: &CsvTable, col: &str, row: usize, x: f64) -> Result<i64> {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Ok(x as i64)
    } else {
        Err(Error::invalid_value(
            Location::source(table.source())
                .row(row as u64 + 1)
                .column(col),
            x.to_string(),
            "a period must be a whole number",
        ))
    }
}

fn panel_columns(
    table: &CsvTable,
    unit: &str,
    time: &str,
    first: &str,
    outcome: &str,
) -> Result<PanelColumns> {
    let y = table.numeric(outcome)?;
    let t = table.numeric(time)?;
    let g = table.numeric(first)?;
    let u = table.column(unit)?;
    let mut p = PanelColumns {
        outcome: Vec::new(),
        unit: Vec::new(),
        time: Vec::new(),
        first_treated: Vec::new(),
        read: table.nrows(),
    };
    for i in 0..table.nrows() {
        let (Some(yi), Some(ti)) = (y[i], t[i]) else {
            continue;
        };
        p.outcome.push(yi);
        p.time.push(whole(table, time, i, ti)?);
        // Blank or 0: never treated (R's `did` convention).
        let g = g[i].filter(|x| *x != 0.0);
        p.first_treated
            .push(g.map(|x| whole(table, first, i, x)).transpose()?);
        p.unit.push(u.get(i).unwrap_or_default().to_owned());
    }
    Ok(p)
}

fn staggered(
    cmd: &DidCmd,
    table: &CsvTable,
    unit: &str,
    time: &str,
    outcome: &str,
    r: &Reporter,
) -> Result<Done> {
    let first = cmd.first_treated.as_deref().unwrap_or_default();
    let p = panel_columns(table, unit, time, first.trim(), outcome)?;
    let panel = Panel {
        outcome: &p.outcome,
        unit: &p.unit,
        time: &p.time,
        first_treated: &p.first_treated,
    };
    let level = ConfidenceLevel::NINETY_FIVE;
    let mut s = format!(
        "Panel {}: {} rows read, {} used ({} left out with a blank outcome or period)\n",
        table.source(),
        p.read,
        p.outcome.len(),
        p.read - p.outcome.len()
    );
    if cmd.design == DesignArg::EventStudy {
        r.stage("event study (two-way fixed effects)");
        let es = event_study(&panel, cmd.reference, level)?;
        if cmd.json {
            return Ok(Done::ok(common::json(&EventStudyJson {
                rows_read: p.read,
                rows_used: p.outcome.len(),
                event_study: es,
            })?));
        }
        let _ = writeln!(
            s,
            "\nEvent study: {} observations, {} units, reference period {} (CR1 by unit)",
            es.n, es.units, es.reference
        );
        let mut t = common::TextTable::new(&["relative time", "effect", "SE", "p", "95% CI"]);
        for e in &es.effects {
            let x = &e.effect;
            t.row(vec![
                e.relative_time.to_string(),
                format!("{:.4}", x.estimate),
                format!("{:.4}", x.std_error),
                x.p_value
                    .map_or_else(|| "-".into(), |p| outcomes::disclosure::format_value(p, 4)),
                format!("[{:.4}, {:.4}]", x.ci.lower, x.ci.upper),
            ]);
        }
        s.push_str(&t.render());
        if let Some(w) = &es.pre_trend {
            let _ = writeln!(
                s,
                "pre-trend test ({} terms): chi-square {:.3}, p {:.4}; F {:.3}",
                w.terms.len(),
                w.chi_square,
                w.chi_square_p_value,
                w.f_statistic
            );
        }
        return Ok(Done::ok(s));
    }
    r.stage("group-time effects (Callaway & Sant'Anna)");
    let comparison = match cmd.comparison {
        ComparisonArg::NeverTreated => ComparisonGroup::NeverTreated,
        ComparisonArg::NotYetTreated => ComparisonGroup::NotYetTreated,
    };
    let base = match cmd.base {
        BaseArg::Varying => BasePeriod::Varying,
        BaseArg::Universal => BasePeriod::Universal,
    };
    let gt = group_time_att(&panel, comparison, base)?;
    let out = StaggeredJson {
        rows_read: p.read,
        rows_used: p.outcome.len(),
        simple: gt.aggregate_simple(level)?,
        dynamic: gt.aggregate_dynamic(level)?,
        group: gt.aggregate_group(level)?,
        group_time: gt,
    };
    if cmd.json {
        return Ok(Done::ok(common::json(&out)?));
    }
    let mut t =
        common::TextTable::new(&["group", "time", "ATT(g,t)", "SE", "treated", "comparison"]);
    for e in &out.group_time.effects {
        t.row(vec![
            e.group.to_string(),
            e.time.to_string(),
            format!("{:.4}", e.att),
            common::opt(e.std_error, 4),
            e.n_treated.to_string(),
            e.n_control.to_string(),
        ]);
    }
    let _ = writeln!(s, "\nGroup-time average effects:");
    s.push_str(&t.render());
    for (label, a) in [
        ("simple", &out.simple),
        ("dynamic", &out.dynamic),
        ("by group", &out.group),
    ] {
        let _ = writeln!(
            s,
            "{label} aggregation: overall ATT {:.4} (SE {}, CI {})",
            a.overall,
            common::opt(a.overall_std_error, 4),
            a.overall_ci.map_or_else(
                || "-".into(),
                |c| format!("[{:.4}, {:.4}]", c.lower, c.upper)
            )
        );
    }
    Ok(Done::ok(s))
}

/// Run `did`.
///
/// # Errors
/// An unreadable file, a missing column, a bad value (file, row, column;
/// identifiers redacted), a design that cannot be estimated.
pub(crate) fn run(cmd: &DidCmd, r: &Reporter) -> Result<Done> {
    if cmd.design != DesignArg::TwoByTwo {
        let (Some(path), Some(u), Some(t), Some(y), Some(_)) = (
            &cmd.data,
            &cmd.unit,
            &cmd.time,
            &cmd.outcome,
            &cmd.first_treated,
        ) else {
            crate::usage_error(
                "the event-study and staggered designs need --data, --unit, --time, \
                 --first-treated and --outcome",
            );
        };
        r.stage(&format!("reading {}", path.display()));
        let mut table = CsvTable::from_path(path)?;
        let mut ids = vec![u.trim().to_string()];
        ids.extend(
            cmd.identifiers
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
        );
        ids.dedup();
        table.declare_identifiers(&ids)?;
        return staggered(cmd, &table, u.trim(), t.trim(), y.trim(), r);
    }
    let (table, spec, preface) = match (
        &cmd.data,
        &cmd.unit,
        &cmd.time,
        &cmd.treated,
        &cmd.post,
        &cmd.outcome,
    ) {
        (Some(path), Some(u), Some(t), Some(g), Some(p), Some(y)) => {
            r.stage(&format!("reading {}", path.display()));
            let mut table = CsvTable::from_path(path)?;
            let mut ids = vec![u.trim().to_string()];
            for c in &cmd.identifiers {
                let c = c.trim().to_string();
                if !c.is_empty() && !ids.contains(&c) {
                    ids.push(c);
                }
            }
            table.declare_identifiers(&ids)?;
            let mut spec = DidSpec::new(u.trim(), t.trim(), g.trim(), p.trim(), y.trim());
            spec.cluster = cmd.cluster.as_ref().map(|c| c.trim().to_string());
            (table, spec, String::new())
        }
        (Some(_), ..) => {
            crate::usage_error("the 2x2 design with --data needs --treated and --post")
        }
        _ => {
            let (table, left_out) = sample::long_table(r)?;
            let preface = format!(
                "Sample cohort, long form: {} person-periods ({left_out} people left out as \
                 observed for under half of a window)\n\n",
                table.nrows()
            );
            let spec = DidSpec::new("unit", "period", "treated", "post", "ae_per_quarter");
            (table, spec, preface)
        }
    };
    r.stage(&format!(
        "difference in differences ({} rows)",
        table.nrows()
    ));
    let report = run_did(&table, &spec)?;
    if let Some(p) = &cmd.json_out {
        write_json(&report, p)?;
    }
    let text = if cmd.json {
        common::json(&report)?
    } else {
        format!("{preface}{report}")
    };
    Ok(Done::ok(text))
}
