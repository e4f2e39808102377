//! The main job through the library's API: a whole evaluation of the
//! bundled sample, written as a report folder.
//!
//! ```text
//! cargo run --release --example evaluate
//! ```
//!
//! It runs `data/sample/evaluation.toml` (300 fictional people; school
//! attendance and ASB for two fictional towns) and writes `report/sample/`:
//! `report.html`, `report.md`, every table as CSV and JSON, `tables.xlsx`,
//! the charts and `run.json`. Every table passes the spec's disclosure
//! policy first. The rejected input rows go beside the report folder.
//!
//! The command-line tool does the same on your own spec:
//! `outcomes evaluate --spec FILE.toml [--out DIR]`.

use std::path::{Path, PathBuf};

use outcomes::evaluate::{self, EvaluationSpec, Progress};

fn main() -> Result<(), outcomes::Error> {
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/evaluation.toml");
    let spec = EvaluationSpec::from_path(&spec_path)?;
    let progress = Progress::stderr();
    let ev = evaluate::run(&spec, &progress)?;
    let dir = PathBuf::from("report").join(&spec.name);
    let files = evaluate::write_report(&ev, &dir)?;
    progress.stage(&format!(
        "{} files written; rejected rows in {}",
        files.len(),
        evaluate::rejected_rows_path(&ev, &dir).display()
    ));
    println!("{}", dir.join("report.html").display());
    Ok(())
}
