//! Command-line scaffolding shared by the `matched_comparison` and `did`
//! examples: no arguments run the bundled sample, `--help`/`-h` prints the
//! usage, otherwise the arguments are parsed, the CSV file is read, the
//! report is printed and, with `--json`, written as JSON. Any error is
//! printed to stderr and exits with code 1 (a parse error also prints the
//! usage).

use std::fmt::Display;
use std::path::{Path, PathBuf};

use outcomes::compare::report::{write_json, CsvTable};
use serde::Serialize;

/// What an example's parsed arguments must provide.
pub trait Parsed {
    /// The CSV file.
    fn data(&self) -> &Path;
    /// Columns holding identifiers, whose values no error may show.
    fn identifiers(&self) -> &[String];
    /// Where to write the JSON report, if asked.
    fn json(&self) -> Option<&PathBuf>;
}

impl Parsed for outcomes::compare::report::MatchedComparisonArgs {
    fn data(&self) -> &Path {
        &self.data
    }
    fn identifiers(&self) -> &[String] {
        &self.identifiers
    }
    fn json(&self) -> Option<&PathBuf> {
        self.json.as_ref()
    }
}

impl Parsed for outcomes::compare::report::DidArgs {
    fn data(&self) -> &Path {
        &self.data
    }
    fn identifiers(&self) -> &[String] {
        &self.identifiers
    }
    fn json(&self) -> Option<&PathBuf> {
        self.json.as_ref()
    }
}

/// Runs an example's `main`: `sample` without arguments, else
/// `parse` → read CSV → `run` → print (and JSON).
pub fn main<P: Parsed, R: Display + Serialize>(
    usage: &str,
    sample: impl FnOnce() -> outcomes::Result<()>,
    parse: impl FnOnce(&[String]) -> outcomes::Result<P>,
    run: impl FnOnce(&CsvTable, &P) -> outcomes::Result<R>,
) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        exit_on_error(sample());
        return;
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{usage}");
        return;
    }
    let parsed = match parse(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}\n{usage}");
            std::process::exit(1);
        }
    };
    let result = CsvTable::from_path(parsed.data())
        .and_then(|mut t| {
            t.declare_identifiers(parsed.identifiers())?;
            run(&t, &parsed)
        })
        .and_then(|report| {
            print!("{report}");
            match parsed.json() {
                Some(path) => {
                    write_json(&report, path)?;
                    println!("\nJSON report written to {}", path.display());
                    Ok(())
                }
                None => Ok(()),
            }
        });
    exit_on_error(result);
}

fn exit_on_error(result: outcomes::Result<()>) {
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
