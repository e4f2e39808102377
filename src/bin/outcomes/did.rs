//! `outcomes did`: difference in differences from a long CSV file.

use std::path::PathBuf;

use clap::Args;
use outcomes::compare::report::{run_did, write_json, CsvTable, DidSpec};
use outcomes::Result;

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
/// Example: outcomes did --data panel.csv --unit store --time wave
/// --treated nj --post after --outcome fte
#[derive(Debug, Args)]
pub(crate) struct DidCmd {
    /// The long CSV file, with a header row.
    #[arg(long, value_name = "FILE", requires_all = ["unit", "time", "treated", "post", "outcome"])]
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

/// Run `did`.
///
/// # Errors
/// An unreadable file, a missing column, a bad value (file, row, column;
/// identifiers redacted), a design that cannot be estimated.
pub(crate) fn run(cmd: &DidCmd, r: &Reporter) -> Result<Done> {
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
