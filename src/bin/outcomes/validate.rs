//! `outcomes validate`: load one file as the main job would and print its
//! account.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use outcomes::cohort::DataWindow;
use outcomes::compare::report::CovariateKind;
use outcomes::io::{self, ColumnMap, Source};
use outcomes::measures::asb::{read_police_uk_street, read_population_csv};
use outcomes::measures::attendance::{
    read_enrolment_counts_csv, read_register_csv, RejectedRow, RowDisposition,
};
use outcomes::measures::ndt::PartialPolicy;
use outcomes::measures::service_use::CategorySet;
use outcomes::{Error, Result};
use serde::Serialize;

use crate::common::{self, Done, TextTable};
use crate::progress::Reporter;

/// Load and validate one data file exactly as `evaluate` would, and print
/// its account: rows read, accepted, rejected by reason, and the first
/// rejected rows (file, row, column, value, rule; identifiers redacted).
///
/// The data window, pseudonymisation key and column mappings come from the
/// spec (default: the bundled sample's). Service use and NDT are checked
/// against the spec's cohort (or `--cohort`): a person not in the cohort is
/// a rejected row.
///
/// Example: outcomes validate --dataset service-use FILE --strict
#[derive(Debug, Args)]
pub(crate) struct ValidateCmd {
    /// Which dataset the file is.
    #[arg(long, value_enum, value_name = "KIND")]
    dataset: DatasetKind,
    /// The file to validate (CSV; Parquet for cohort, service use and NDT).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The evaluation spec giving the data window, key and column mappings.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// The cohort file that service use and NDT are checked against
    /// (default: the spec's).
    #[arg(long, value_name = "FILE")]
    cohort: Option<PathBuf>,
    /// The file's person-identifier column, if it is not `person_id`.
    #[arg(long = "id", value_name = "COL")]
    id: Option<String>,
    /// Map a canonical column to the file's own name: `CANONICAL=NAME`
    /// (repeatable), e.g. `--column index_date="Start date"`.
    #[arg(long = "column", value_name = "CANONICAL=NAME")]
    columns: Vec<String>,
    /// Write every rejected row (file, row, column, value, rule) to this CSV.
    #[arg(long, value_name = "OUT.csv")]
    rejected_rows: Option<PathBuf>,
    /// Exit with code 1 when any row was rejected (for data pipelines).
    #[arg(long)]
    strict: bool,
    /// How many rejected rows to print.
    #[arg(long, value_name = "N", default_value_t = 10)]
    show: usize,
    /// Print the account as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The datasets `validate` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DatasetKind {
    /// The cohort: one row per person.
    Cohort,
    /// Service-use events.
    ServiceUse,
    /// NDT assessments, one row per assessment.
    Ndt,
    /// NDT assessments in the Fulfilling Lives wide layout.
    NdtWide,
    /// School register marks (one row per pupil, date and session).
    Register,
    /// DfE-style enrolment counts.
    EnrolmentCounts,
    /// police.uk street-level crime.
    PoliceUk,
    /// Area populations.
    Population,
}

impl DatasetKind {
    fn label(self) -> &'static str {
        match self {
            DatasetKind::Cohort => "cohort",
            DatasetKind::ServiceUse => "service-use",
            DatasetKind::Ndt => "ndt",
            DatasetKind::NdtWide => "ndt-wide",
            DatasetKind::Register => "register",
            DatasetKind::EnrolmentCounts => "enrolment-counts",
            DatasetKind::PoliceUk => "police-uk",
            DatasetKind::Population => "population",
        }
    }
}

/// One rejected row, as the report's rejected-rows file has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RejectedLine {
    /// The file.
    pub(crate) file: String,
    /// The 1-based data row.
    pub(crate) row: u64,
    /// The column.
    pub(crate) column: String,
    /// The value (`<redacted>` for identifiers).
    pub(crate) value: String,
    /// The rule broken.
    pub(crate) rule: String,
}

/// The account of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FileAccount {
    /// The dataset kind.
    pub(crate) dataset: String,
    /// The file.
    pub(crate) file: String,
    /// Data rows read.
    pub(crate) rows_read: u64,
    /// Rows accepted.
    pub(crate) accepted: u64,
    /// Rows rejected.
    pub(crate) rejected: u64,
    /// Rejected rows by rule.
    pub(crate) by_reason: BTreeMap<String, u64>,
    /// The first rejected rows (at most `--show`).
    pub(crate) first_rejected: Vec<RejectedLine>,
}

fn school_lines(file: &str, rows: &[RejectedRow]) -> Vec<RejectedLine> {
    rows.iter()
        .map(|r| RejectedLine {
            file: file.to_string(),
            row: r.source_row,
            column: r.column.clone(),
            value: r.value.clone(),
            rule: match r.disposition {
                RowDisposition::FilteredByRule => format!("out of scope: {}", r.reason),
                _ => r.reason.clone(),
            },
        })
        .collect()
}

fn io_lines(file: &str, rows: &[io::Rejection]) -> Vec<RejectedLine> {
    rows.iter()
        .map(|r| RejectedLine {
            file: file.to_string(),
            row: r.source_row,
            column: r.column.clone(),
            value: r.value.clone(),
            rule: r.reason.clone(),
        })
        .collect()
}

impl ValidateCmd {
    /// The column map: the spec's for this dataset, then `--column`, then `--id`.
    fn column_map(&self, spec_map: ColumnMap) -> Result<ColumnMap> {
        let mut map = spec_map;
        for c in &self.columns {
            let Some((canonical, name)) = c.split_once('=') else {
                return Err(Error::invalid_parameter(
                    "--column",
                    c,
                    "must be CANONICAL=NAME, e.g. index_date=\"Start date\"",
                ));
            };
            map = map.map(canonical.trim(), name.trim());
        }
        if let Some(id) = &self.id {
            map = map.map("person_id", id.trim());
        }
        Ok(map)
    }
}

fn open(path: &Path) -> Result<std::io::BufReader<std::fs::File>> {
    std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .map_err(|e| Error::io(path, e))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}

/// Load the file; returns the account with every rejected row.
fn load(cmd: &ValidateCmd, r: &Reporter) -> Result<(u64, u64, Vec<RejectedLine>, String)> {
    let name = file_name(&cmd.file);
    let school = |rows_read: u64, accepted: usize, rejected: &[RejectedRow]| {
        r.stage(&format!("{rows_read} rows read"));
        (
            rows_read,
            accepted as u64,
            school_lines(&name, rejected),
            name.clone(),
        )
    };
    if matches!(
        cmd.dataset,
        DatasetKind::Register
            | DatasetKind::EnrolmentCounts
            | DatasetKind::PoliceUk
            | DatasetKind::Population
    ) {
        r.stage(&format!(
            "validating {} as {}",
            cmd.file.display(),
            cmd.dataset.label()
        ));
    }
    match cmd.dataset {
        DatasetKind::Register => {
            let i = read_register_csv(&name, open(&cmd.file)?)?;
            return Ok(school(i.rows_read, i.accepted.len(), &i.rejected));
        }
        DatasetKind::EnrolmentCounts => {
            let i = read_enrolment_counts_csv(&name, open(&cmd.file)?)?;
            return Ok(school(i.rows_read, i.accepted.len(), &i.rejected));
        }
        DatasetKind::PoliceUk => {
            let i = read_police_uk_street(&name, open(&cmd.file)?)?;
            return Ok(school(i.rows_read, i.accepted.len(), &i.excluded));
        }
        DatasetKind::Population => {
            let i = read_population_csv(&name, open(&cmd.file)?)?;
            return Ok(school(i.rows_read, i.accepted.len(), &i.rejected));
        }
        DatasetKind::Cohort | DatasetKind::ServiceUse | DatasetKind::Ndt | DatasetKind::NdtWide => {
        }
    }
    let spec = common::spec_or_sample(cmd.spec.as_deref())?;
    let (key, _) = spec.pseudonymiser()?;
    if cmd.dataset == DatasetKind::Cohort {
        r.stage(&format!("validating {} as cohort", cmd.file.display()));
    }
    let window = DataWindow::new(spec.data_window.start, spec.data_window.extract_date)?;
    let cohort_map = spec
        .data
        .cohort
        .as_ref()
        .map_or_else(ColumnMap::new, |f| f.column_map());
    if cmd.dataset == DatasetKind::Cohort {
        let src = Source::new(&cmd.file)
            .columns(cmd.column_map(cohort_map)?)
            .pseudonymise(key);
        // As the main job: covariates the spec's comparison declares
        // numeric reject a row whose value is not a number.
        let numeric: Vec<String> = match &spec.comparison {
            Some(c) => c
                .covariate_types()?
                .into_iter()
                .filter(|(_, k)| *k == CovariateKind::Numeric)
                .map(|(n, _)| n)
                .collect(),
            None => Vec::new(),
        };
        let c = io::load_cohort_numeric(&src, window, &numeric)?;
        let s = &c.summary;
        return Ok((
            s.rows_read,
            s.accepted,
            io_lines(&s.source, &c.rejections),
            s.source.clone(),
        ));
    }
    let cohort_path = match &cmd.cohort {
        Some(p) => p.clone(),
        None => spec.resolve(&spec.cohort_file()?.path),
    };
    r.stage(&format!("loading the cohort {}", cohort_path.display()));
    let cohort = io::load_cohort(
        &Source::new(&cohort_path)
            .columns(if cmd.cohort.is_some() {
                ColumnMap::new()
            } else {
                cohort_map
            })
            .pseudonymise(key.clone()),
        window,
    )?;
    r.stage(&format!(
        "validating {} as {}",
        cmd.file.display(),
        cmd.dataset.label()
    ));
    let (summary, rejections) = match cmd.dataset {
        DatasetKind::ServiceUse => {
            let map = spec
                .data
                .service_use
                .as_ref()
                .map_or_else(ColumnMap::new, |f| f.column_map());
            let src = Source::new(&cmd.file)
                .columns(cmd.column_map(map)?)
                .pseudonymise(key);
            let e = io::load_service_events(&src, &cohort.data, &CategorySet::default())?;
            (e.summary, e.rejections)
        }
        _ => {
            let map = spec.data.ndt.as_ref().map_or_else(ColumnMap::new, |f| {
                f.columns
                    .iter()
                    .fold(ColumnMap::new(), |m, (k, v)| m.map(k, v))
            });
            let src = Source::new(&cmd.file)
                .columns(cmd.column_map(map)?)
                .pseudonymise(key);
            let n = if cmd.dataset == DatasetKind::Ndt {
                io::load_ndt(&src, &cohort.data, PartialPolicy::Undefined)?
            } else {
                io::load_ndt_wide(&src, &cohort.data, PartialPolicy::Undefined)?
            };
            (n.summary, n.rejections)
        }
    };
    Ok((
        summary.rows_read,
        summary.accepted,
        io_lines(&summary.source, &rejections),
        summary.source,
    ))
}

/// Redacts any rejected value that equals an identifier in one of `files`
/// (`(path, identifier column)`), with [`io::redact_identifiers`].
fn redact_identifiers(lines: &mut [RejectedLine], files: &[(PathBuf, String)]) -> Result<()> {
    let mut values: Vec<&mut String> = lines.iter_mut().map(|l| &mut l.value).collect();
    io::redact_identifiers(&mut values, files)
}

/// Writes the rejected rows as CSV (`file,row,column,value,rule`).
fn write_rejected(path: &Path, rows: &[RejectedLine]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let io_err = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
    let mut w = csv::Writer::from_path(path).map_err(io_err)?;
    w.write_record(["file", "row", "column", "value", "rule"])
        .map_err(io_err)?;
    for r in rows {
        w.write_record([
            r.file.as_str(),
            &r.row.to_string(),
            &r.column,
            &r.value,
            &r.rule,
        ])
        .map_err(io_err)?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// Run `validate`.
///
/// # Errors
/// A file that cannot be read or is not the dataset it is said to be
/// (naming the file, row and column), a bad spec.
pub(crate) fn run(cmd: &ValidateCmd, r: &Reporter) -> Result<Done> {
    let (rows_read, accepted, mut rejected, file) = load(cmd, r)?;
    let spec = common::spec_or_sample(cmd.spec.as_deref())?;
    let id_of = |map: ColumnMap, canonical: &str| -> Result<String> {
        Ok(cmd.column_map(map)?.source_name(canonical).to_string())
    };
    let spec_cohort_map = spec
        .data
        .cohort
        .as_ref()
        .map_or_else(ColumnMap::new, |f| f.column_map());
    let cohort_map = if cmd.cohort.is_some() {
        ColumnMap::new()
    } else {
        spec_cohort_map.clone()
    };
    let cohort_file = || -> Result<std::path::PathBuf> {
        match &cmd.cohort {
            Some(p) => Ok(p.clone()),
            None => Ok(spec.resolve(&spec.cohort_file()?.path)),
        }
    };
    let mut files = match cmd.dataset {
        DatasetKind::Register | DatasetKind::EnrolmentCounts => {
            vec![(cmd.file.clone(), "pupil_id".to_string())]
        }
        DatasetKind::PoliceUk | DatasetKind::Population => Vec::new(),
        DatasetKind::Cohort => vec![(cmd.file.clone(), id_of(spec_cohort_map, "person_id")?)],
        DatasetKind::ServiceUse | DatasetKind::Ndt | DatasetKind::NdtWide => {
            vec![(
                cohort_file()?,
                cohort_map.source_name("person_id").to_string(),
            )]
        }
    };
    if matches!(
        cmd.dataset,
        DatasetKind::ServiceUse | DatasetKind::Ndt | DatasetKind::NdtWide
    ) {
        let map = match cmd.dataset {
            DatasetKind::ServiceUse => spec
                .data
                .service_use
                .as_ref()
                .map_or_else(ColumnMap::new, |f| f.column_map()),
            _ => spec.data.ndt.as_ref().map_or_else(ColumnMap::new, |f| {
                f.columns
                    .iter()
                    .fold(ColumnMap::new(), |m, (k, v)| m.map(k, v))
            }),
        };
        files.push((cmd.file.clone(), id_of(map, "person_id")?));
    }
    redact_identifiers(&mut rejected, &files)?;
    let mut by_reason = BTreeMap::new();
    for l in &rejected {
        *by_reason.entry(l.rule.clone()).or_insert(0u64) += 1;
    }
    if let Some(p) = &cmd.rejected_rows {
        r.stage(&format!("writing the rejected rows to {}", p.display()));
        write_rejected(p, &rejected)?;
    }
    let account = FileAccount {
        dataset: cmd.dataset.label().to_string(),
        file,
        rows_read,
        accepted,
        rejected: rejected.len() as u64,
        by_reason,
        first_rejected: rejected.iter().take(cmd.show).cloned().collect(),
    };
    let text = if cmd.json {
        common::json(&account)?
    } else {
        render(&account, cmd.rejected_rows.as_deref())
    };
    let mut done = Done::ok(text);
    if cmd.strict && account.rejected > 0 {
        done.code = 1;
        done.failure = Some(format!(
            "{}: {} of {} rows rejected (--strict)",
            account.file, account.rejected, account.rows_read
        ));
    }
    Ok(done)
}

fn render(a: &FileAccount, written: Option<&Path>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({})", a.file, a.dataset);
    let mut t = TextTable::new(&["rows", "count"]);
    t.row(vec!["read".into(), a.rows_read.to_string()]);
    t.row(vec!["accepted".into(), a.accepted.to_string()]);
    t.row(vec!["rejected".into(), a.rejected.to_string()]);
    s.push_str(&t.render());
    if !a.by_reason.is_empty() {
        let _ = writeln!(s, "\nrejected by reason");
        let mut t = TextTable::new(&["reason", "rows"]);
        for (reason, n) in &a.by_reason {
            t.row(vec![reason.clone(), n.to_string()]);
        }
        s.push_str(&t.render());
        let _ = writeln!(
            s,
            "\nfirst {} rejected rows (of {})",
            a.first_rejected.len(),
            a.rejected
        );
        let mut t = TextTable::new(&["file", "row", "column", "value", "rule"]);
        for l in &a.first_rejected {
            t.row(vec![
                l.file.clone(),
                l.row.to_string(),
                l.column.clone(),
                format!("{:?}", l.value),
                l.rule.clone(),
            ]);
        }
        s.push_str(&t.render());
    }
    if let Some(p) = written {
        let _ = writeln!(s, "\nevery rejected row written to {}", p.display());
    }
    s
}
