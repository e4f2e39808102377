//! What the subcommands share: the bundled sample, loading a spec's data,
//! plain-text tables and JSON output.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use outcomes::cohort::DataWindow;
use outcomes::evaluate::spec::NdtLayout;
use outcomes::evaluate::EvaluationSpec;
use outcomes::io::{self, Cohort, Loaded, NdtAssessments, ServiceEvents, Source};
use outcomes::measures::ndt::PartialPolicy;
use outcomes::measures::service_use::CategorySet;
use outcomes::{Error, Result};
use serde::Serialize;

use crate::progress::Reporter;

/// What a subcommand hands back: its stdout, and its exit code (0, or 1
/// with the reason when the run succeeded but the check failed, as
/// `validate --strict` on a file with rejected rows).
#[derive(Debug)]
pub(crate) struct Done {
    /// Everything for stdout.
    pub(crate) stdout: String,
    /// The exit code.
    pub(crate) code: u8,
    /// Why the code is not 0, for stderr.
    pub(crate) failure: Option<String>,
}

impl Done {
    /// Success, with this stdout.
    pub(crate) fn ok(stdout: String) -> Self {
        Done {
            stdout,
            code: 0,
            failure: None,
        }
    }
}

/// `data/sample/` of the source tree this binary was built from.
pub(crate) fn sample_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample"))
}

/// The spec at `path`, or the bundled sample's `evaluation.toml`.
///
/// # Errors
/// As [`EvaluationSpec::from_path`].
pub(crate) fn spec_or_sample(path: Option<&Path>) -> Result<EvaluationSpec> {
    match path {
        Some(p) => EvaluationSpec::from_path(p),
        None => EvaluationSpec::from_path(sample_dir().join("evaluation.toml")),
    }
}

/// A spec's cohort, service use and NDT, loaded as the main job loads them
/// (same key, data window and column mappings).
#[derive(Debug)]
pub(crate) struct SpecData {
    /// The spec.
    pub(crate) spec: EvaluationSpec,
    /// The cohort.
    pub(crate) cohort: Loaded<Cohort>,
    /// Service use, if the spec names a file.
    pub(crate) events: Option<Loaded<ServiceEvents>>,
    /// NDT assessments, if the spec names a file and they were asked for.
    pub(crate) ndt: Option<Loaded<NdtAssessments>>,
}

impl SpecData {
    /// Load the spec's files (NDT only when `with_ndt`).
    ///
    /// # Errors
    /// A missing or unreadable file, a missing column, a bad key.
    pub(crate) fn load(spec: EvaluationSpec, with_ndt: bool, r: &Reporter) -> Result<Self> {
        spec.check_files()?;
        let (key, _) = spec.pseudonymiser()?;
        let window = DataWindow::new(spec.data_window.start, spec.data_window.extract_date)?;
        let cf = spec.cohort_file()?;
        r.stage(&format!("loading the cohort ({})", cf.path.display()));
        let cohort = io::load_cohort(
            &Source::new(spec.resolve(&cf.path))
                .columns(cf.column_map())
                .pseudonymise(key.clone()),
            window,
        )?;
        let events = match &spec.data.service_use {
            Some(f) => {
                r.stage(&format!("loading service use ({})", f.path.display()));
                Some(io::load_service_events(
                    &Source::new(spec.resolve(&f.path))
                        .columns(f.column_map())
                        .pseudonymise(key.clone()),
                    &cohort.data,
                    &CategorySet::default(),
                )?)
            }
            None => None,
        };
        let ndt = match (&spec.data.ndt, with_ndt) {
            (Some(f), true) => {
                r.stage(&format!("loading NDT assessments ({})", f.path.display()));
                let src = Source::new(spec.resolve(&f.path))
                    .columns(
                        f.columns
                            .iter()
                            .fold(io::ColumnMap::new(), |m, (k, v)| m.map(k, v)),
                    )
                    .pseudonymise(key);
                Some(match f.layout {
                    NdtLayout::Long => io::load_ndt(&src, &cohort.data, PartialPolicy::Undefined)?,
                    NdtLayout::Wide => {
                        io::load_ndt_wide(&src, &cohort.data, PartialPolicy::Undefined)?
                    }
                })
            }
            _ => None,
        };
        Ok(SpecData {
            spec,
            cohort,
            events,
            ndt,
        })
    }

    /// The service events, or an error naming the spec key.
    pub(crate) fn events(&self) -> Result<&Loaded<ServiceEvents>> {
        self.events.as_ref().ok_or_else(|| {
            Error::invalid_parameter(
                "data.service_use",
                "(missing)",
                "this subcommand needs a service-use file in the spec",
            )
        })
    }

    /// The validation account of every file loaded, one line each.
    pub(crate) fn accounts(&self) -> String {
        let mut s = String::new();
        let all = [
            Some(&self.cohort.summary),
            self.events.as_ref().map(|e| &e.summary),
            self.ndt.as_ref().map(|n| &n.summary),
        ];
        for v in all.into_iter().flatten() {
            let _ = writeln!(
                s,
                "{}: {} rows read, {} accepted, {} rejected",
                v.source, v.rows_read, v.accepted, v.rejected
            );
        }
        s
    }
}

/// `value` as pretty JSON, with a final newline.
///
/// # Errors
/// If it cannot be serialised (a bug).
pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| Error::invalid_parameter("--json", "", e.to_string()))
}

/// Writes `text` to `path`.
///
/// # Errors
/// [`Error::io`] naming the path.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// A plain-text table: the first column left-aligned, the others right.
#[derive(Debug, Default)]
pub(crate) struct TextTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TextTable {
    /// A table with these column headings.
    pub(crate) fn new(header: &[&str]) -> Self {
        TextTable {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Add a row.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, indented by two spaces; a column whose cells
    /// all read as numbers is right-aligned, any other left-aligned.
    pub(crate) fn render(&self) -> String {
        let n = self.header.len();
        let mut width = vec![0usize; n];
        for r in std::iter::once(&self.header).chain(&self.rows) {
            for (i, c) in r.iter().enumerate().take(n) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let numeric: Vec<bool> = (0..n)
            .map(|i| {
                i > 0
                    && self.rows.iter().all(|r| {
                        r.get(i).is_none_or(|c| {
                            c.is_empty()
                                || c == "-"
                                || c.starts_with(|ch: char| {
                                    ch.is_ascii_digit() || ch == '-' || ch == '+' || ch == '('
                                })
                        })
                    })
            })
            .collect();
        let mut s = String::new();
        for r in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, w) in width.iter().enumerate() {
                let c = r.get(i).map_or("", String::as_str);
                if numeric[i] {
                    let _ = write!(line, "  {c:>w$}");
                } else {
                    let _ = write!(line, "  {c:<w$}");
                }
            }
            s.push_str(line.trim_end());
            s.push('\n');
        }
        s
    }
}

/// A number with `d` decimals, or `-` when undefined.
pub(crate) fn opt(x: Option<f64>, d: usize) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.d$}"))
}
