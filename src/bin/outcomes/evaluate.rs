//! `outcomes evaluate`: the main job.

use std::path::PathBuf;

use clap::Args;
use outcomes::evaluate::{self, EvaluationSpec};
use outcomes::Result;

use crate::common::{self, Done};
use crate::progress::Reporter;

/// Run a whole evaluation and write its report folder.
///
/// With no `--spec` it runs the bundled sample (`data/sample/evaluation.toml`:
/// 300 fictional people). The report goes to `report/<name>` (or `--out`):
/// `report.html`, `report.md`, every table as CSV and JSON, `tables.xlsx`,
/// the charts and `run.json`. Every table passes the spec's disclosure
/// policy first. The rejected input rows go to a CSV file outside the report
/// folder. Prints the path of `report.html` on stdout.
#[derive(Debug, Args)]
pub(crate) struct EvaluateCmd {
    /// The evaluation spec (TOML); default: the bundled sample's.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// The report folder; default: `report/<name>` (the spec's `name`).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Run `evaluate`.
///
/// # Errors
/// A bad spec (naming the key), a missing or unreadable data file, a failed
/// step of the evaluation, a report folder that cannot be written.
pub(crate) fn run(cmd: &EvaluateCmd, r: &Reporter) -> Result<Done> {
    let spec_path = cmd
        .spec
        .clone()
        .unwrap_or_else(|| common::sample_dir().join("evaluation.toml"));
    r.stage(&format!("reading the spec {}", spec_path.display()));
    let spec = EvaluationSpec::from_path(&spec_path)?;
    let ev = match evaluate::run(&spec, &r.progress()) {
        Err(e) if cmd.spec.is_none() && matches!(e.kind(), outcomes::ErrorKind::Io { .. }) => {
            eprintln!(
                "hint: regenerate the bundled sample with `outcomes generate --sample --out data/sample` and \
                 `cargo run --example generate_school_sample`"
            );
            return Err(e);
        }
        other => other?,
    };
    let dir = cmd
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("report").join(&spec.name));
    r.stage(&format!("writing {}", dir.display()));
    let files = evaluate::write_report(&ev, &dir)?;
    let rejected: u64 = ev.accounts.iter().map(|f| f.rejected).sum();
    r.stage(&format!(
        "{} files written; {rejected} rejected input rows written to {} (outside the report \
         folder: for fixing the data, not for publication)",
        files.len(),
        evaluate::rejected_rows_path(&ev, &dir).display()
    ));
    Ok(Done::ok(format!("{}\n", dir.join("report.html").display())))
}
