//! The main job: a whole evaluation, written as a report folder.
//!
//! ```text
//! cargo run --release --example evaluate                       # the bundled sample
//! cargo run --release --example evaluate -- --spec FILE.toml   # your evaluation
//! cargo run --release --example evaluate -- --spec FILE.toml --out DIR
//! ```
//!
//! With no `--spec` it runs `data/sample/evaluation.toml` (the synthetic
//! sample: 300 fictional people, school attendance and ASB for two fictional
//! towns). The report goes to `report/<name>` (or `--out DIR`): a
//! self-contained `report.html`, `report.md`, every table as CSV and JSON,
//! `tables.xlsx`, the charts as PNG and SVG, and `run.json` (inputs and
//! SHA-256 checksums, parameters, version, seed, the validation account).
//!
//! Every table passes the spec's disclosure policy (default: minimum cell
//! size 10) before it is written or drawn; no identifier and no row-level
//! record is written. Each stage is printed to stderr with the time elapsed.

use std::path::{Path, PathBuf};

use outcomes::evaluate::{self, EvaluationSpec, Progress};
use outcomes::{Error, Result};

const USAGE: &str = "usage: evaluate [--spec FILE.toml] [--out DIR] [--quiet]";

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut spec_path: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut quiet = false;
    let mut i = 0;
    while i < args.len() {
        let value = |i: usize| {
            args.get(i + 1)
                .filter(|v| !v.starts_with("--"))
                .cloned()
                .ok_or_else(|| {
                    Error::invalid_parameter(
                        &args[i],
                        "(missing)",
                        format!("needs a value; {USAGE}"),
                    )
                })
        };
        match args[i].as_str() {
            "--spec" => {
                spec_path = Some(value(i)?.into());
                i += 2;
            }
            "--out" => {
                out = Some(value(i)?.into());
                i += 2;
            }
            "--quiet" => {
                quiet = true;
                i += 1;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => {
                return Err(Error::invalid_parameter(
                    other,
                    "",
                    format!("unknown argument; {USAGE}"),
                ));
            }
        }
    }
    let sample = spec_path.is_none();
    let spec_path = spec_path.unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/evaluation.toml")
    });
    let spec = EvaluationSpec::from_path(&spec_path)?;
    let progress = if quiet {
        Progress::quiet()
    } else {
        Progress::stderr()
    };
    progress.stage(&format!("spec {}", spec_path.display()));
    let ev = match evaluate::run(&spec, &progress) {
        Err(e) if sample && matches!(e.kind(), outcomes::ErrorKind::Io { .. }) => {
            eprintln!(
                "hint: regenerate the sample with `cargo run --example generate_sample` and \
                 `cargo run --example generate_school_sample`"
            );
            return Err(e);
        }
        other => other?,
    };
    let dir = out.unwrap_or_else(|| PathBuf::from("report").join(&spec.name));
    progress.stage(&format!("writing {}", dir.display()));
    let files = evaluate::write_report(&ev, &dir)?;
    progress.stage(&format!("{} files written", files.len()));
    let rows: u64 = ev.accounts.iter().map(|f| f.rejected).sum();
    progress.stage(&format!(
        "{rows} rejected input rows (file, row, column, value, rule) written to {}, outside the \
         report folder: for fixing the data, not for publication",
        evaluate::rejected_rows_path(&ev, &dir).display()
    ));
    println!("{}", dir.join("report.html").display());
    Ok(())
}
