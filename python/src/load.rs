//! Keys, data windows and the validated loaders: each returns the accepted
//! data (a handle whose frame is built on request), every rejected row, and
//! the account (`rows_read = accepted + rejected`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;
use pyo3::prelude::*;

use outcomes::cohort::{CovariateValue, DataWindow as RsWindow, Pseudonymiser};
use outcomes::io::{self, ColumnMap, Rejection, Source, ValidationSummary};
use outcomes::measures::asb::{read_police_uk_street, read_population_csv, IncidentTime};
use outcomes::measures::attendance::{
    read_enrolment_counts_csv, read_register_csv, AbsenceCounts, RejectedRow, RowDisposition,
};
use outcomes::measures::ndt::{NdtItem, PartialPolicy};
use outcomes::measures::service_use::CategorySet;
use outcomes::Error;

use crate::errors::{to_py, IntoPy};
use crate::frames::{frame, to_py_frame};

/// A date from a `datetime.date` or a `"YYYY-MM-DD"` string.
pub fn date_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<NaiveDate> {
    let text: String = if let Ok(s) = obj.extract::<String>() {
        s
    } else {
        obj.call_method0("isoformat")?.extract()?
    };
    let t = text.get(..10).unwrap_or(&text);
    io::parse_date(t.trim()).ok_or_else(|| {
        to_py(Error::invalid_parameter(
            name,
            format!("{text:?}"),
            "must be a date (datetime.date or \"YYYY-MM-DD\")",
        ))
    })
}

/// The key person identifiers are pseudonymised with (HMAC-SHA256).
///
/// Every loader takes one: no identifier is read into an analysis, a frame
/// or a message before it is replaced by its pseudonym under this key.
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct Key {
    pub inner: Pseudonymiser,
    about: String,
}

#[pymethods]
impl Key {
    /// A key from secret bytes or text (at least 16 bytes).
    #[new]
    fn new(secret: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes: Vec<u8> = if let Ok(s) = secret.extract::<String>() {
            s.into_bytes()
        } else {
            secret.extract::<Vec<u8>>()?
        };
        Ok(Key {
            inner: Pseudonymiser::new(&bytes).py_err()?,
            about: "HMAC-SHA256, key given by the caller".into(),
        })
    }

    /// The key held in an environment variable.
    #[staticmethod]
    fn from_env(variable: &str) -> PyResult<Self> {
        let key = std::env::var(variable).map_err(|_| {
            to_py(Error::invalid_parameter(
                "key_env",
                variable,
                "environment variable not set",
            ))
        })?;
        Ok(Key {
            inner: Pseudonymiser::new(key.as_bytes()).py_err()?,
            about: format!("HMAC-SHA256, key from environment variable {variable}"),
        })
    }

    /// The key held in a file (its bytes as they are).
    #[staticmethod]
    fn from_file(path: PathBuf) -> PyResult<Self> {
        let key = std::fs::read(&path).map_err(|e| to_py(Error::io(&path, e)))?;
        Ok(Key {
            inner: Pseudonymiser::new(&key).py_err()?,
            about: format!(
                "HMAC-SHA256, key from file {}",
                path.file_name()
                    .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
            ),
        })
    }

    /// The built-in DEMONSTRATION key the bundled sample's spec uses: not
    /// secret, for synthetic data only.
    #[staticmethod]
    fn demonstration() -> PyResult<Self> {
        Ok(Key {
            inner: Pseudonymiser::new(outcomes::evaluate::spec::DEMONSTRATION_KEY).py_err()?,
            about: "HMAC-SHA256 with the built-in DEMONSTRATION key (not secret)".into(),
        })
    }

    /// The pseudonym of one identifier under this key (to join your own
    /// data to the frames the loaders return).
    fn pseudonym(&self, identifier: &str) -> String {
        self.inner.pseudonym(identifier)
    }

    /// Where the key came from (never the key).
    #[getter]
    fn description(&self) -> String {
        self.about.clone()
    }

    fn __repr__(&self) -> String {
        format!("Key(<secret>: {})", self.about)
    }
}

/// The period the data cover: from `start` to the day the extract was taken.
#[pyclass(module = "outcomes._outcomes", frozen, skip_from_py_object)]
#[derive(Clone, Copy)]
pub struct DataWindow {
    pub inner: RsWindow,
}

#[pymethods]
impl DataWindow {
    /// `DataWindow("2021-04-01", "2025-03-31")` (or `datetime.date`s).
    #[new]
    fn new(start: &Bound<'_, PyAny>, extract_date: &Bound<'_, PyAny>) -> PyResult<Self> {
        let s = date_arg(start, "start")?;
        let e = date_arg(extract_date, "extract_date")?;
        Ok(DataWindow {
            inner: RsWindow::new(s, e).py_err()?,
        })
    }

    /// First day covered (ISO date).
    #[getter]
    fn start(&self) -> String {
        self.inner.start.to_string()
    }

    /// Day the extract was taken (ISO date).
    #[getter]
    fn extract_date(&self) -> String {
        self.inner.extract_date.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "DataWindow(start='{}', extract_date='{}')",
            self.inner.start, self.inner.extract_date
        )
    }
}

/// A column map from `{canonical: name in the file}`.
pub fn column_map(columns: Option<BTreeMap<String, String>>) -> ColumnMap {
    columns
        .unwrap_or_default()
        .iter()
        .fold(ColumnMap::new(), |m, (k, v)| m.map(k, v))
}

/// Days since 1970-01-01, as polars stores dates.
pub fn epoch_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - 719_163
}

/// A Date column.
pub fn date_column(name: &str, days: Vec<Option<i32>>) -> PyResult<Column> {
    Column::new(name.into(), days)
        .cast(&DataType::Date)
        .map_err(|e| Error::frame("building a date column", e))
        .py_err()
}

/// The rejected rows as a frame: `file`, `row`, `column`, `value`, `rule`.
pub fn rejection_frame(file: &str, rows: &[Rejection]) -> PyResult<DataFrame> {
    frame(vec![
        Column::new("file".into(), vec![file.to_string(); rows.len()]),
        Column::new(
            "row".into(),
            rows.iter().map(|r| r.source_row).collect::<Vec<u64>>(),
        ),
        Column::new(
            "column".into(),
            rows.iter().map(|r| r.column.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "value".into(),
            rows.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "rule".into(),
            rows.iter().map(|r| r.reason.as_str()).collect::<Vec<_>>(),
        ),
    ])
}

/// Every rejected value equal to an identifier in `files` shown as
/// `<redacted>` (a value shifted out of its identifier column is still an
/// identifier), as the main job does.
fn redact(rows: &mut [Rejection], files: &[(PathBuf, String)]) -> PyResult<()> {
    let mut values: Vec<&mut String> = rows.iter_mut().map(|r| &mut r.value).collect();
    io::redact_identifiers(&mut values, files).py_err()
}

/// What every loader returns to the Python layer: the handle, the account
/// and the rejections frame.
fn loaded<'py>(
    py: Python<'py>,
    handle: Py<PyAny>,
    summary: &ValidationSummary,
    rejections: DataFrame,
) -> PyResult<Bound<'py, PyAny>> {
    let s = pythonize::pythonize(py, summary)?;
    let t = (handle, s, to_py_frame(py, rejections)?);
    Ok(t.into_pyobject(py)?.into_any())
}

// ---------------------------------------------------------------- cohort

/// A validated cohort (one row per person), to check service use and NDT
/// against. Its frame: `person_id` (the pseudonym), `index_date`, `group`,
/// `end_date`, `end_reason` and every covariate.
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct Cohort {
    pub inner: Arc<io::Cohort>,
    /// The file and its identifier column, for redacting rejected values.
    pub id_file: (PathBuf, String),
}

#[pymethods]
impl Cohort {
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The data window the cohort was validated against.
    #[getter]
    fn data_window(&self) -> DataWindow {
        DataWindow {
            inner: self.inner.data_window(),
        }
    }

    /// The accepted members as a polars DataFrame.
    fn to_polars(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_frame(py, cohort_frame(&self.inner)?)
    }

    fn __repr__(&self) -> String {
        format!("Cohort({} people)", self.inner.len())
    }
}

/// The cohort's members as columns.
pub fn cohort_frame(c: &io::Cohort) -> PyResult<DataFrame> {
    let m = c.members();
    let mut names: BTreeMap<&str, bool> = BTreeMap::new();
    for p in m {
        for (k, v) in &p.covariates {
            let numeric = matches!(v, CovariateValue::Number(_));
            let e = names.entry(k.as_str()).or_insert(true);
            *e = *e && numeric;
        }
    }
    let mut cols = vec![
        Column::new(
            "person_id".into(),
            m.iter().map(|p| p.person.pseudonym()).collect::<Vec<_>>(),
        ),
        date_column(
            "index_date",
            m.iter().map(|p| Some(epoch_days(p.index_date))).collect(),
        )?,
        Column::new(
            "group".into(),
            m.iter().map(|p| p.group.code()).collect::<Vec<_>>(),
        ),
        date_column(
            "end_date",
            m.iter().map(|p| p.end_date.map(epoch_days)).collect(),
        )?,
        Column::new(
            "end_reason".into(),
            m.iter()
                .map(|p| p.end_reason.map(|r| r.code()))
                .collect::<Vec<_>>(),
        ),
    ];
    for (name, numeric) in names {
        if numeric {
            cols.push(Column::new(
                name.into(),
                m.iter()
                    .map(|p| match p.covariates.get(name) {
                        Some(CovariateValue::Number(x)) => Some(*x),
                        _ => None,
                    })
                    .collect::<Vec<Option<f64>>>(),
            ));
        } else {
            cols.push(Column::new(
                name.into(),
                m.iter()
                    .map(|p| match p.covariates.get(name) {
                        Some(CovariateValue::Number(x)) => Some(x.to_string()),
                        Some(CovariateValue::Category(c)) => Some(c.clone()),
                        None => None,
                    })
                    .collect::<Vec<Option<String>>>(),
            ));
        }
    }
    frame(cols)
}

fn source(path: &Path, columns: Option<BTreeMap<String, String>>, key: &Key) -> (Source, String) {
    let map = column_map(columns);
    let id = map.source_name("person_id").to_string();
    (
        Source::new(path)
            .columns(map)
            .pseudonymise(key.inner.clone()),
        id,
    )
}

/// Load and validate a cohort file (CSV or Parquet).
#[pyfunction]
#[pyo3(signature = (path, window, key, columns=None, numeric=None))]
pub fn load_cohort<'py>(
    py: Python<'py>,
    path: PathBuf,
    window: &DataWindow,
    key: &Key,
    columns: Option<BTreeMap<String, String>>,
    numeric: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (src, id) = source(&path, columns, key);
    let w = window.inner;
    let numeric = numeric.unwrap_or_default();
    let mut l = py
        .detach(|| io::load_cohort_numeric(&src, w, &numeric))
        .py_err()?;
    let files = vec![(path.clone(), id.clone())];
    redact(&mut l.rejections, &files)?;
    let rej = rejection_frame(&l.summary.source, &l.rejections)?;
    let handle = Cohort {
        inner: Arc::new(l.data),
        id_file: (path, id),
    };
    loaded(py, Py::new(py, handle)?.into_any(), &l.summary, rej)
}

// ---------------------------------------------------------------- service use

/// Validated service-use events. Its frame: `person_id` (the pseudonym),
/// `date`, `category`, `count`.
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct ServiceEvents {
    pub inner: Arc<io::ServiceEvents>,
}

#[pymethods]
impl ServiceEvents {
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The accepted events as a polars DataFrame (the validated columns
    /// themselves, not a copy).
    fn to_polars(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_frame(py, self.inner.as_frame().clone())
    }

    fn __repr__(&self) -> String {
        format!("ServiceEvents({} events)", self.inner.len())
    }
}

/// Load and validate service-use events against a cohort.
#[pyfunction]
#[pyo3(signature = (path, cohort, key, columns=None))]
pub fn load_service_use<'py>(
    py: Python<'py>,
    path: PathBuf,
    cohort: &Cohort,
    key: &Key,
    columns: Option<BTreeMap<String, String>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (src, id) = source(&path, columns, key);
    let c = Arc::clone(&cohort.inner);
    let mut l = py
        .detach(|| io::load_service_events(&src, &c, &CategorySet::default()))
        .py_err()?;
    redact(&mut l.rejections, &[cohort.id_file.clone(), (path, id)])?;
    let rej = rejection_frame(&l.summary.source, &l.rejections)?;
    let handle = ServiceEvents {
        inner: Arc::new(l.data),
    };
    loaded(py, Py::new(py, handle)?.into_any(), &l.summary, rej)
}

// ---------------------------------------------------------------- NDT

/// Validated NDT assessments. Its frame: `person_id` (the pseudonym),
/// `date`, the ten items (null where missing or a not-done/not-due code).
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct NdtAssessments {
    pub inner: Arc<io::NdtAssessments>,
}

#[pymethods]
impl NdtAssessments {
    fn __len__(&self) -> usize {
        self.inner.assessments.len()
    }

    /// The accepted assessments as a polars DataFrame.
    fn to_polars(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let a = &self.inner.assessments;
        let mut cols = vec![
            Column::new(
                "person_id".into(),
                a.iter().map(|x| x.person.pseudonym()).collect::<Vec<_>>(),
            ),
            date_column("date", a.iter().map(|x| Some(epoch_days(x.date))).collect())?,
        ];
        for (i, item) in NdtItem::ALL.iter().enumerate() {
            cols.push(Column::new(
                item.column().into(),
                a.iter()
                    .map(|x| x.items[i].map(|s| i64::from(s.value())))
                    .collect::<Vec<Option<i64>>>(),
            ));
        }
        to_py_frame(py, frame(cols)?)
    }

    fn __repr__(&self) -> String {
        format!(
            "NdtAssessments({} assessments)",
            self.inner.assessments.len()
        )
    }
}

/// `"undefined"`, `"reject"` or `"prorate:N"`.
pub fn partial_policy(p: &str) -> PyResult<PartialPolicy> {
    match p {
        "undefined" => Ok(PartialPolicy::Undefined),
        "reject" => Ok(PartialPolicy::Reject),
        _ => {
            if let Some(n) = p
                .strip_prefix("prorate:")
                .and_then(|n| n.parse::<u8>().ok())
            {
                Ok(PartialPolicy::ProRate { min_items: n })
            } else {
                Err(to_py(Error::invalid_parameter(
                    "partial",
                    p,
                    "must be \"undefined\", \"reject\" or \"prorate:N\"",
                )))
            }
        }
    }
}

/// Load and validate NDT assessments (long or Fulfilling Lives wide layout).
#[pyfunction]
#[pyo3(signature = (path, cohort, key, layout="long", partial="undefined", columns=None))]
pub fn load_ndt<'py>(
    py: Python<'py>,
    path: PathBuf,
    cohort: &Cohort,
    key: &Key,
    layout: &str,
    partial: &str,
    columns: Option<BTreeMap<String, String>>,
) -> PyResult<Bound<'py, PyAny>> {
    let policy = partial_policy(partial)?;
    let (src, id) = source(&path, columns, key);
    let c = Arc::clone(&cohort.inner);
    let mut l = match layout {
        "long" => py.detach(|| io::load_ndt(&src, &c, policy)),
        "wide" => py.detach(|| io::load_ndt_wide(&src, &c, policy)),
        _ => Err(Error::invalid_parameter(
            "layout",
            layout,
            "must be \"long\" or \"wide\"",
        )),
    }
    .py_err()?;
    redact(&mut l.rejections, &[cohort.id_file.clone(), (path, id)])?;
    let rej = rejection_frame(&l.summary.source, &l.rejections)?;
    let handle = NdtAssessments {
        inner: Arc::new(l.data),
    };
    loaded(py, Py::new(py, handle)?.into_any(), &l.summary, rej)
}

// ---------------------------------------------------------------- school and area data

/// Accepted rows of a school or area dataset, already a frame (pupil
/// identifiers replaced by their pseudonyms).
#[pyclass(module = "outcomes._outcomes", name = "Dataset", frozen)]
pub struct Table {
    df: DataFrame,
    kind: &'static str,
}

#[pymethods]
impl Table {
    fn __len__(&self) -> usize {
        self.df.height()
    }

    /// The accepted rows as a polars DataFrame.
    fn to_polars(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_frame(py, self.df.clone())
    }

    fn __repr__(&self) -> String {
        format!("{}({} rows)", self.kind, self.df.height())
    }
}

fn school_rejections(rows: &[RejectedRow]) -> Vec<Rejection> {
    rows.iter()
        .map(|r| Rejection {
            source_row: r.source_row,
            column: r.column.clone(),
            value: r.value.clone(),
            reason: match r.disposition {
                RowDisposition::FilteredByRule => format!("out of scope: {}", r.reason),
                _ => r.reason.clone(),
            },
        })
        .collect()
}

fn school_summary(file: &str, rows_read: u64, rejections: &[Rejection]) -> ValidationSummary {
    let mut by_reason = BTreeMap::new();
    for r in rejections {
        *by_reason.entry(r.reason.clone()).or_insert(0) += 1;
    }
    ValidationSummary {
        source: file.to_string(),
        rows_read,
        accepted: rows_read - rejections.len() as u64,
        rejected: rejections.len() as u64,
        by_reason,
    }
}

fn open(path: &Path) -> PyResult<std::io::BufReader<std::fs::File>> {
    std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .map_err(|e| to_py(Error::io(path, e)))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}

/// Load and validate one school or area dataset: `kind` is `"register"`,
/// `"enrolment_counts"`, `"police_uk"` or `"population"`.
#[pyfunction]
pub fn load_table<'py>(
    py: Python<'py>,
    kind: &str,
    path: PathBuf,
    key: &Key,
) -> PyResult<Bound<'py, PyAny>> {
    let name = file_name(&path);
    let pseudonym = |p: &str| key.inner.pseudonym(p);
    let (df, rows_read, mut rejections, label) = match kind {
        "register" => {
            let i = read_register_csv(&name, open(&path)?).py_err()?;
            let a = &i.accepted;
            let df = frame(vec![
                Column::new(
                    "pupil_id".into(),
                    a.iter().map(|m| pseudonym(&m.pupil)).collect::<Vec<_>>(),
                ),
                Column::new(
                    "school_urn".into(),
                    a.iter().map(|m| m.school.to_string()).collect::<Vec<_>>(),
                ),
                date_column("date", a.iter().map(|m| Some(epoch_days(m.date))).collect())?,
                Column::new(
                    "session".into(),
                    a.iter()
                        .map(|m| format!("{:?}", m.session).to_uppercase())
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "code".into(),
                    a.iter().map(|m| m.code.code).collect::<Vec<_>>(),
                ),
                Column::new(
                    "meaning".into(),
                    a.iter().map(|m| m.code.meaning).collect::<Vec<_>>(),
                ),
            ])?;
            (df, i.rows_read, school_rejections(&i.rejected), "Register")
        }
        "enrolment_counts" => {
            let i = read_enrolment_counts_csv(&name, open(&path)?).py_err()?;
            let a = &i.accepted;
            let mut cols = vec![
                Column::new(
                    "time_period".into(),
                    a.iter().map(|r| r.year.to_string()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "school_urn".into(),
                    a.iter()
                        .map(|r| r.enrolment.school.to_string())
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "pupil_id".into(),
                    a.iter()
                        .map(|r| pseudonym(&r.enrolment.pupil))
                        .collect::<Vec<_>>(),
                ),
            ];
            type Get = fn(AbsenceCounts) -> u64;
            let fields: [(&str, Get); 3] = [
                ("sess_possible", AbsenceCounts::possible),
                ("sess_authorised", AbsenceCounts::authorised),
                ("sess_unauthorised", AbsenceCounts::unauthorised),
            ];
            for (field, get) in fields {
                cols.push(Column::new(
                    field.into(),
                    a.iter()
                        .map(|r| get(r.enrolment.counts))
                        .collect::<Vec<u64>>(),
                ));
            }
            (
                frame(cols)?,
                i.rows_read,
                school_rejections(&i.rejected),
                "EnrolmentCounts",
            )
        }
        "police_uk" => {
            let i = read_police_uk_street(&name, open(&path)?).py_err()?;
            let a = &i.accepted;
            let df = frame(vec![
                Column::new(
                    "crime_id".into(),
                    a.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "month".into(),
                    a.iter()
                        .map(|r| match &r.when {
                            IncidentTime::Date(d) => d.format("%Y-%m").to_string(),
                            IncidentTime::Month(m) => m.to_string(),
                        })
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "area".into(),
                    a.iter().map(|r| r.area.to_string()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "category".into(),
                    a.iter().map(|r| r.category.as_str()).collect::<Vec<_>>(),
                ),
            ])?;
            (df, i.rows_read, school_rejections(&i.excluded), "PoliceUk")
        }
        "population" => {
            let i = read_population_csv(&name, open(&path)?).py_err()?;
            let a = &i.accepted;
            let df = frame(vec![
                Column::new(
                    "area".into(),
                    a.iter().map(|r| r.area.to_string()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "year".into(),
                    a.iter().map(|r| r.year).collect::<Vec<i32>>(),
                ),
                Column::new(
                    "population".into(),
                    a.iter().map(|r| r.population).collect::<Vec<u64>>(),
                ),
                Column::new(
                    "source".into(),
                    a.iter().map(|r| r.source.as_str()).collect::<Vec<_>>(),
                ),
            ])?;
            (
                df,
                i.rows_read,
                school_rejections(&i.rejected),
                "Population",
            )
        }
        _ => {
            return Err(to_py(Error::invalid_parameter(
                "kind",
                kind,
                "must be \"register\", \"enrolment_counts\", \"police_uk\" or \"population\"",
            )))
        }
    };
    if matches!(kind, "register" | "enrolment_counts") {
        redact(&mut rejections, &[(path.clone(), "pupil_id".to_string())])?;
    }
    let summary = school_summary(&name, rows_read, &rejections);
    let rej = rejection_frame(&name, &rejections)?;
    let handle = Table { df, kind: label };
    loaded(py, Py::new(py, handle)?.into_any(), &summary, rej)
}
