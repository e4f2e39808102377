//! Dataset loaders: cohort, service-use events, NDT assessments (long and
//! the Fulfilling Lives wide layout).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;

use super::preflight::{self, Expected, Others};
use super::rules::{Kind, Rule, TextSet, Value};
use super::validate::{
    validate_frame, validate_rows, Cross, CrossRule, Field, Rejection, Spec, ValidationSummary, ROW,
};
use super::ColumnMap;
use crate::cohort::Period;
use crate::cohort::{
    CohortMember, CovariateValue, DataWindow, EndReason, Group, PersonId, Pseudonymiser,
};
use crate::error::{Error, Result};
use crate::measures::ndt::{NdtAssessment, NdtItem, PartialPolicy};
use crate::measures::service_use::{
    BandScheme, CategorySet, CountUnit, PeriodCount, ServiceEvent, MAX_EVENTS_PER_ROW,
};

/// A file to load, with its column mapping and optional pseudonymisation.
#[derive(Debug, Clone)]
pub struct Source {
    path: PathBuf,
    columns: ColumnMap,
    pseudonymiser: Option<Pseudonymiser>,
}

impl Source {
    /// A CSV (`.csv`) or Parquet (`.parquet`) file with canonical column names.
    pub fn new(path: impl AsRef<Path>) -> Self {
        Source {
            path: path.as_ref().to_path_buf(),
            columns: ColumnMap::new(),
            pseudonymiser: None,
        }
    }

    /// Use the user's column names.
    pub fn columns(mut self, map: ColumnMap) -> Self {
        self.columns = map;
        self
    }

    /// The person identifiers in this file are raw: pseudonymise them on
    /// load with this key, before anything else sees them.
    pub fn pseudonymise(mut self, p: Pseudonymiser) -> Self {
        self.pseudonymiser = Some(p);
        self
    }

    /// The file's name as shown in errors and summaries (the last path
    /// component).
    pub fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column mapping (inside the crate).
    pub(crate) fn column_map(&self) -> &ColumnMap {
        &self.columns
    }

    /// The key to pseudonymise person identifiers with, if any.
    pub(crate) fn pseudonymiser(&self) -> Option<&Pseudonymiser> {
        self.pseudonymiser.as_ref()
    }

    pub(crate) fn is_parquet(&self) -> bool {
        self.path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
    }
}

/// The result of a load: the accepted data, every rejected row, and counts.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The accepted data.
    pub data: T,
    /// One entry per rejected source row.
    pub rejections: Vec<Rejection>,
    /// Rows read, accepted and rejected by reason.
    pub summary: ValidationSummary,
}

/// Whether a load keeps each accepted row's source row number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowNumbers {
    /// A [`ROW`] column, carried into the accepted frame (the loader joins
    /// or reports on it after validation).
    Kept,
    /// No column: rows are numbered by position, which validation does only
    /// for the rows it rejects. Saves writing a column the size of the file.
    Positional,
}

/// Open a source lazily after its preflight checks (its bytes, when CSV, and
/// its column names against `expected`).
fn open(
    src: &Source,
    expected: &Expected<'_>,
    typed_kinds: &[(&str, Kind)],
    rows: RowNumbers,
) -> Result<(LazyFrame, Vec<String>, Vec<String>)> {
    if !src.path.exists() {
        return Err(Error::io(
            &src.path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        ));
    }
    let expected_names: Vec<&str> = expected
        .required
        .iter()
        .chain(expected.optional)
        .map(|c| src.columns.source_name(c))
        .collect();
    let shape = preflight::scan_csv(src, &expected_names)?;
    let pl_path = PlRefPath::try_from_path(&src.path)
        .map_err(|e| Error::frame(format!("opening {}", src.name()), e))?;
    let row_index = (rows == RowNumbers::Kept).then(|| RowIndex {
        name: ROW.into(),
        offset: 1,
    });
    let mut lf = if src.is_parquet() {
        let args = ScanArgsParquet {
            row_index,
            ..Default::default()
        };
        LazyFrame::scan_parquet(pl_path, args)
            .map_err(|e| Error::frame(format!("reading {}", src.name()), e))?
    } else {
        LazyCsvReader::new(pl_path)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_row_index(row_index)
            .with_raise_if_empty(false)
            .finish()
            .map_err(|e| Error::frame(format!("reading {}", src.name()), e))?
    };
    let schema = lf
        .collect_schema()
        .map_err(|e| Error::frame(format!("reading the header of {}", src.name()), e))?;
    let present: Vec<String> = schema
        .iter_names()
        .filter(|n| n.as_str() != ROW)
        .map(|n| n.to_string())
        .collect();
    preflight::check_columns(src, &present, expected)?;
    // A Parquet file's rows are counted by its load (`refuse_empty`), which
    // reads them anyway; a CSV file's by the shape scan, before anything else.
    let rows_in_file = shape.map_or(u64::MAX, |s| s.rows);
    refuse_empty(src, rows_in_file)?;
    // Rename mapped columns to canonical names.
    let (old, new): (Vec<String>, Vec<String>) = present
        .iter()
        .filter_map(|p| {
            let canon = src.columns.canonical_of(p)?;
            (canon != p).then(|| (p.clone(), canon.to_string()))
        })
        .unzip();
    if !old.is_empty() {
        lf = lf.rename(old, new, true);
    }
    // Parquet columns already of the target type skip parsing; others are
    // cast to text and parsed like CSV.
    let mut typed = Vec::new();
    if src.is_parquet() {
        let mut casts = Vec::new();
        for (name, kind) in typed_kinds {
            let in_file = src.columns.source_name(name);
            let Some(dt) = schema.get(in_file) else {
                continue;
            };
            let native = matches!(
                (kind, dt),
                (Kind::Date, DataType::Date)
                    | (Kind::Int, DataType::Int64)
                    | (Kind::Text, DataType::String)
            );
            if native {
                typed.push(name.to_string());
            } else {
                casts.push(col(*name).cast(DataType::String));
            }
        }
        if !casts.is_empty() {
            lf = lf.with_columns(casts);
        }
    }
    if let Some(p) = &src.pseudonymiser {
        lf = pseudonymise_column(lf, "person_id", p)?;
    }
    Ok((lf, present, typed))
}

/// Replace a column of raw identifiers by their pseudonyms, hashing each
/// distinct value once.
pub(crate) fn pseudonymise_column(
    lf: LazyFrame,
    column: &str,
    p: &Pseudonymiser,
) -> Result<LazyFrame> {
    let distinct = lf
        .clone()
        .select([col(column).cast(DataType::String)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .map_err(|e| Error::frame("pseudonymising identifiers", e))?;
    let raw = distinct
        .column(column)
        .and_then(|c| c.str().cloned())
        .map_err(|e| Error::frame("pseudonymising identifiers", e))?;
    let mut keys: Vec<Option<String>> = Vec::with_capacity(raw.len());
    let mut vals: Vec<Option<String>> = Vec::with_capacity(raw.len());
    for v in raw.iter().flatten() {
        keys.push(Some(v.to_string()));
        vals.push((!v.trim().is_empty()).then(|| p.pseudonym(v)));
    }
    let map = DataFrame::new_infer_height(vec![
        Column::new("__raw_id".into(), keys),
        Column::new("__pseudonym".into(), vals),
    ])
    .map_err(|e| Error::frame("pseudonymising identifiers", e))?;
    let args = JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(JoinType::Left)
    };
    Ok(lf
        .with_column(col(column).cast(DataType::String))
        .join(map.lazy(), [col(column)], [col("__raw_id")], args)
        .with_column(col("__pseudonym").alias(column))
        .drop(cols(["__pseudonym"])))
}

/// A file with a header and no data rows is refused, not analysed as empty.
fn refuse_empty(src: &Source, rows: u64) -> Result<()> {
    if rows == 0 {
        return Err(Error::malformed(
            crate::Location::source(src.name()),
            "has a header but no data rows: an extract with nothing in it is refused, not \
             analysed as empty",
        ));
    }
    Ok(())
}

/// The engine's refusal of a file the shape scan passed, named by its file.
fn engine<T>(src: &Source, r: Result<T>) -> Result<T> {
    r.map_err(|e| preflight::engine_error(src, e))
}

fn text_set(values: impl IntoIterator<Item = String>) -> Arc<TextSet> {
    Arc::new(TextSet::new(values))
}

fn summary_of(src: &str, accepted: usize, rejections: &[Rejection]) -> ValidationSummary {
    ValidationSummary::new(src, (accepted + rejections.len()) as u64, rejections)
}

fn str_col<'a>(df: &'a DataFrame, name: &str) -> Result<&'a StringChunked> {
    df.column(name)
        .and_then(|c| c.str())
        .map_err(|e| Error::frame(format!("reading column {name}"), e))
}

fn date_col(df: &DataFrame, name: &str) -> Result<Vec<Option<NaiveDate>>> {
    let c = df
        .column(name)
        .map_err(|e| Error::frame(format!("reading column {name}"), e))?;
    let days = c
        .cast(&DataType::Int32)
        .map_err(|e| Error::frame(format!("reading column {name}"), e))?;
    let days = days
        .i32()
        .map_err(|e| Error::frame(format!("reading column {name}"), e))?
        .clone();
    Ok(days.iter().map(|d| d.and_then(days_to_date)).collect())
}

fn int_col(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(|e| Error::frame(format!("reading column {name}"), e))?;
    let v = c
        .i64()
        .map_err(|e| Error::frame(format!("reading column {name}"), e))?
        .clone();
    Ok(v.iter().collect())
}

const EPOCH_DAYS_CE: i32 = 719_163;

pub(crate) fn days_to_date(d: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(d.checked_add(EPOCH_DAYS_CE)?)
}

pub(crate) fn date_to_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - EPOCH_DAYS_CE
}

// ---------------------------------------------------------------- cohort

/// The cohort: one member per person, with each person's index date and
/// group, and the data window the extract covers.
#[derive(Debug, Clone)]
pub struct Cohort {
    members: Vec<CohortMember>,
    by_id: foldhash::HashMap<PersonId, usize>,
    data_window: DataWindow,
    /// The pseudonyms as a set, built on first use and shared by every load
    /// checked against this cohort.
    ids: std::sync::OnceLock<Arc<TextSet>>,
}

impl Cohort {
    /// A cohort from members.
    ///
    /// # Errors
    /// If two members share a person id (the error does not name the
    /// person: it gives the positions).
    pub fn new(members: Vec<CohortMember>, data_window: DataWindow) -> Result<Self> {
        let mut by_id =
            foldhash::HashMap::with_capacity_and_hasher(members.len(), Default::default());
        for (i, m) in members.iter().enumerate() {
            if let Some(j) = by_id.insert(m.person.clone(), i) {
                return Err(Error::invalid_value(
                    crate::Location::source("cohort")
                        .row(i as u64 + 1)
                        .column("person_id"),
                    super::REDACTED,
                    format!("duplicate person id (same as member {})", j + 1),
                ));
            }
        }
        Ok(Cohort {
            members,
            by_id,
            data_window,
            ids: std::sync::OnceLock::new(),
        })
    }

    /// The members, in file order.
    pub fn members(&self) -> &[CohortMember] {
        &self.members
    }

    /// Look a member up.
    pub fn get(&self, person: &PersonId) -> Option<&CohortMember> {
        self.by_id.get(person).map(|&i| &self.members[i])
    }

    /// The position among [`Cohort::members`] of the member with this
    /// pseudonym.
    pub(crate) fn member_index(&self, pseudonym: &str) -> Option<usize> {
        self.by_id.get(pseudonym).copied()
    }

    /// The data window.
    pub fn data_window(&self) -> DataWindow {
        self.data_window
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True if there are no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Members of one group.
    pub fn group(&self, g: Group) -> impl Iterator<Item = &CohortMember> {
        self.members.iter().filter(move |m| m.group == g)
    }

    /// The set of pseudonyms, for membership checks.
    pub(crate) fn id_set(&self) -> Arc<TextSet> {
        Arc::clone(self.ids.get_or_init(|| {
            text_set(
                self.members
                    .iter()
                    .map(|m| m.person.pseudonym().to_string()),
            )
        }))
    }
}

fn cohort_spec(window: DataWindow) -> Spec {
    Spec {
        fields: vec![
            Field::required("person_id", Kind::Text).identifier(),
            Field::required("index_date", Kind::Date)
                .rule(Rule::DateFrom {
                    bound: window.start,
                    reason: format!(
                        "index date before the data window (starts {})",
                        window.start
                    )
                    .into(),
                })
                .rule(Rule::DateTo {
                    bound: window.extract_date,
                    reason: format!(
                        "index date after the extract date ({})",
                        window.extract_date
                    )
                    .into(),
                }),
            Field::required("group", Kind::Text).rule(Rule::TextIn {
                allowed: text_set(Group::ALL.iter().map(|g| g.code().to_string())),
                reason: "group must be programme, comparison or unknown".into(),
            }),
            Field::optional("end_date", Kind::Date).rule(Rule::DateTo {
                bound: window.extract_date,
                reason: format!("end date after the extract date ({})", window.extract_date).into(),
            }),
            Field::optional("end_reason", Kind::Text).rule(Rule::TextIn {
                allowed: text_set(["exit", "death", "moved"].map(String::from)),
                reason: "end reason must be exit, death or moved".into(),
            }),
        ],
        cross: vec![CrossRule {
            field: "end_date".into(),
            check: Cross::DateNotBefore {
                other: "index_date".into(),
            },
            reason: "end date before the index date".into(),
        }],
        unique: Some((vec!["person_id".into()], "duplicate person id".into())),
    }
}

/// Load a cohort file: `person_id`, `index_date`, `group` (programme /
/// comparison / unknown), optional `end_date` and `end_reason` (exit /
/// death / moved); every other column is a covariate (numeric if every
/// value is a number, categorical otherwise).
///
/// Rejected: a blank or duplicate person id (every row sharing it), an
/// index date that is not a date or lies outside the data window, an
/// unknown group, an end date after the extract date or before the index date.
///
/// # Errors
/// If the file cannot be read or a required column is missing.
pub fn load_cohort(src: &Source, window: DataWindow) -> Result<Loaded<Cohort>> {
    load_cohort_numeric(src, window, &[])
}

/// [`load_cohort`], with covariate columns declared numeric: a value in one
/// of them that is not blank and not a finite number rejects its row (rule
/// "not a number: covariate `age` is declared numeric"), so a stray text
/// cell never turns the covariate into categories. Undeclared covariates
/// are numeric when every value is a number, else text.
///
/// # Errors
/// As [`load_cohort`]; also if a declared column is not in the file.
pub fn load_cohort_numeric(
    src: &Source,
    window: DataWindow,
    numeric: &[String],
) -> Result<Loaded<Cohort>> {
    let spec = cohort_spec(window);
    let kinds: Vec<(&str, Kind)> = spec
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    let expected = Expected {
        required: &["person_id", "index_date", "group"],
        optional: &["end_date", "end_reason"],
        others: Others::Kept,
    };
    let (lf, present, typed) = open(src, &expected, &kinds, RowNumbers::Kept)?;
    let canonical: Vec<&str> = spec.fields.iter().map(|f| f.name.as_str()).collect();
    let covariate_cols: Vec<String> = present
        .iter()
        .filter(|p| {
            let c = src.columns.canonical_of(p).unwrap_or(p);
            !canonical.contains(&c)
        })
        .cloned()
        .collect();
    // Optional columns absent from the file are added as blanks.
    let mut lf = lf;
    for f in &spec.fields {
        if !f.required
            && !present
                .iter()
                .any(|p| p == src.columns.source_name(&f.name))
        {
            lf = lf.with_column(lit(NULL).cast(DataType::String).alias(f.name.as_str()));
        }
    }
    let covs = lf
        .clone()
        .select(
            std::iter::once(col(ROW))
                .chain(
                    covariate_cols
                        .iter()
                        .map(|c| col(c.as_str()).cast(DataType::String)),
                )
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(|e| preflight::engine_error(src, Error::frame("reading covariates", e)))?;
    let (accepted, mut rejections) = engine(src, validate_frame(lf, &spec, &typed))?;
    // Declared-numeric covariates: a row validation accepted but whose value
    // there is not a number is rejected here (one rejection per row, its
    // first such column).
    let mut skip: HashSet<i64> = HashSet::new();
    let mut declared: Vec<String> = Vec::new();
    if !numeric.is_empty() {
        let cov_rows = int_col(&covs, ROW)?;
        let accepted_rows: HashSet<i64> = int_col(&accepted, ROW)?.into_iter().flatten().collect();
        let mut extra: BTreeMap<i64, Rejection> = BTreeMap::new();
        for name in numeric {
            let Some(c) = covariate_cols
                .iter()
                .find(|c| *c == name || src.columns.canonical_of(c).is_some_and(|k| k == name))
            else {
                return Err(Error::missing_column(
                    src.name(),
                    name.clone(),
                    &present,
                    &["person_id", "index_date", "group"],
                ));
            };
            declared.push(c.clone());
            for (v, r) in str_col(&covs, c)?.iter().zip(&cov_rows) {
                let (Some(v), Some(r)) = (v, *r) else {
                    continue;
                };
                let t = v.trim();
                if t.is_empty()
                    || CovariateValue::number(t).is_some()
                    || !accepted_rows.contains(&r)
                {
                    continue;
                }
                extra.entry(r).or_insert_with(|| Rejection {
                    source_row: u64::try_from(r).unwrap_or(0),
                    column: c.clone(),
                    value: v.to_string(),
                    reason: format!("not a number: covariate `{name}` is declared numeric"),
                });
            }
        }
        skip.extend(extra.keys().copied());
        rejections.extend(extra.into_values());
        rejections.sort();
    }
    let members = cohort_members(&accepted, &covs, &covariate_cols, &skip, &declared)?;
    let summary = summary_of(&src.name(), members.len(), &rejections);
    refuse_empty(src, summary.rows_read)?;
    Ok(Loaded {
        data: Cohort::new(members, window)?,
        rejections,
        summary,
    })
}

fn cohort_members(
    accepted: &DataFrame,
    covs: &DataFrame,
    cov_cols: &[String],
    skip: &HashSet<i64>,
    numeric_declared: &[String],
) -> Result<Vec<CohortMember>> {
    let ids = str_col(accepted, "person_id")?;
    let idx = date_col(accepted, "index_date")?;
    let grp = str_col(accepted, "group")?;
    let end = date_col(accepted, "end_date")?;
    let reason = str_col(accepted, "end_reason")?;
    let rows = int_col(accepted, ROW)?;
    // Covariates by source row; a column is numeric if all its values parse.
    let cov_rows = int_col(covs, ROW)?;
    let pos: foldhash::HashMap<i64, usize> = cov_rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some(((*r)?, i)))
        .collect();
    let mut cov_values: Vec<(String, Vec<Option<CovariateValue>>)> = Vec::new();
    for c in cov_cols {
        let s = str_col(covs, c)?;
        // Declared numeric: the rows with other values are skipped.
        let numeric = numeric_declared.contains(c)
            || s.iter()
                .flatten()
                .all(|v| CovariateValue::number(v).is_some());
        let vals = s
            .iter()
            .map(|v| {
                let v = v?.trim();
                if v.is_empty() {
                    None
                } else if numeric {
                    CovariateValue::number(v).map(CovariateValue::Number)
                } else {
                    Some(CovariateValue::Category(v.to_string()))
                }
            })
            .collect();
        cov_values.push((c.clone(), vals));
    }
    let mut out = Vec::with_capacity(accepted.height());
    for i in 0..accepted.height() {
        if rows[i].is_some_and(|r| skip.contains(&r)) {
            continue;
        }
        let (Some(id), Some(index_date), Some(group)) =
            (ids.get(i), idx[i], grp.get(i).and_then(Group::parse))
        else {
            return Err(Error::frame(
                "building cohort members",
                "an accepted row lost a required value",
            ));
        };
        let mut covariates = BTreeMap::new();
        if let Some(p) = rows[i].and_then(|r| pos.get(&r)) {
            for (name, vals) in &cov_values {
                if let Some(v) = &vals[*p] {
                    covariates.insert(name.clone(), v.clone());
                }
            }
        }
        out.push(CohortMember {
            person: PersonId::from_pseudonym(id)?,
            index_date,
            group,
            end_date: end[i],
            end_reason: reason.get(i).and_then(EndReason::parse),
            covariates,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------- service use

/// Validated service-use events, held column-wise: `person_id`, `date`,
/// `category`, `count`.
#[derive(Debug, Clone)]
pub struct ServiceEvents {
    pub(crate) df: DataFrame,
}

impl ServiceEvents {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.df.height()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.df.height() == 0
    }

    /// The events as typed records (for small data).
    ///
    /// # Errors
    /// If a category is not in `categories` (cannot happen for events
    /// loaded with the same set).
    pub fn to_records(&self, categories: &CategorySet) -> Result<Vec<ServiceEvent>> {
        let ids = str_col(&self.df, "person_id")?;
        let dates = date_col(&self.df, "date")?;
        let cats = str_col(&self.df, "category")?;
        let counts = int_col(&self.df, "count")?;
        let mut out = Vec::with_capacity(self.df.height());
        for i in 0..self.df.height() {
            let cat = cats.get(i).and_then(|c| categories.get(c)).ok_or_else(|| {
                Error::frame("reading events", "unknown category in a validated frame")
            })?;
            let (Some(id), Some(date)) = (ids.get(i), dates[i]) else {
                return Err(Error::frame(
                    "reading events",
                    "an accepted row lost a required value",
                ));
            };
            out.push(ServiceEvent {
                person: PersonId::from_pseudonym(id)?,
                date,
                category: cat.clone(),
                count: counts[i].map_or(1, |c| u32::try_from(c).unwrap_or(u32::MAX)),
            });
        }
        Ok(out)
    }

    /// The frame (inside the crate only: polars stays behind this module).
    pub(crate) fn frame(&self) -> &DataFrame {
        &self.df
    }

    /// The validated events as a polars frame: `person_id` (the pseudonym),
    /// `date`, `category`, `count` (blank read as 1), in file order. For
    /// bindings that hand frames on (the Python package); with the feature
    /// `frames` only, since it puts polars' `DataFrame` in this crate's API.
    #[cfg(feature = "frames")]
    pub fn as_frame(&self) -> &DataFrame {
        &self.df
    }
}

pub(crate) fn events_spec(cohort: &Cohort, categories: &CategorySet) -> Spec {
    let w = cohort.data_window();
    Spec {
        fields: vec![
            Field::required("person_id", Kind::Text)
                .identifier()
                .rule(Rule::TextIn {
                    allowed: cohort.id_set(),
                    reason: "unknown person id (not in the cohort)".into(),
                }),
            Field::required("date", Kind::Date)
                .rule(Rule::DateFrom {
                    bound: w.start,
                    reason: format!("date before the cohort's data window (starts {})", w.start)
                        .into(),
                })
                .rule(Rule::DateTo {
                    bound: w.extract_date,
                    reason: format!("date after the extract date ({})", w.extract_date).into(),
                }),
            Field::required("category", Kind::Text).rule(Rule::TextIn {
                allowed: text_set(categories.codes()),
                reason: "unknown service-use category".into(),
            }),
            Field::optional("count", Kind::Int).rule(Rule::IntRange {
                min: 0,
                max: i64::MAX,
                reason: "counts must not be negative".into(),
            }),
        ],
        cross: vec![count_ceiling(w, categories)],
        unique: None,
    }
}

/// The stated maximum of one row's count, by category: a row of a day or
/// night category cannot count more days than the data window has
/// ([`DataWindow::days`]); a row of an event category at most
/// [`MAX_EVENTS_PER_ROW`].
fn count_ceiling(w: DataWindow, categories: &CategorySet) -> CrossRule {
    let days = w.days();
    let max = categories
        .iter()
        .map(|c| {
            let m = match c.unit() {
                CountUnit::Days => days,
                CountUnit::Events => MAX_EVENTS_PER_ROW,
            };
            (c.code().to_string(), m)
        })
        .collect();
    CrossRule {
        field: "count".into(),
        check: Cross::IntAtMostFor {
            key: "category".into(),
            max: Arc::new(max),
            otherwise: MAX_EVENTS_PER_ROW,
        },
        reason: format!(
            "count above the stated maximum for one row: {days} for a day or night category (the \
             data window's days), {MAX_EVENTS_PER_ROW} for an event category"
        ),
    }
}

/// Load dated service-use events: `person_id`, `date`, `category` (a code
/// from `categories`), optional `count` (events, or days/nights for day
/// categories; blank means 1).
///
/// Rejected: an unknown person id, a date that is not a date or lies outside
/// the cohort's data window, an unknown category, a negative count, a count
/// above the stated maximum for one row (the data window's days for a day or
/// night category, [`MAX_EVENTS_PER_ROW`] for an event category).
///
/// # Errors
/// If the file cannot be read or a required column is missing.
pub fn load_service_events(
    src: &Source,
    cohort: &Cohort,
    categories: &CategorySet,
) -> Result<Loaded<ServiceEvents>> {
    let spec = events_spec(cohort, categories);
    let kinds: Vec<(&str, Kind)> = spec
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    let expected = Expected {
        required: &["person_id", "date", "category"],
        optional: &["count"],
        others: Others::Refused,
    };
    let (mut lf, present, typed) = open(src, &expected, &kinds, RowNumbers::Positional)?;
    if !present
        .iter()
        .any(|p| p == src.columns.source_name("count"))
    {
        lf = lf.with_column(lit(NULL).cast(DataType::String).alias("count"));
    }
    let (accepted, rejections) = engine(src, validate_frame(lf, &spec, &typed))?;
    let df = accepted
        .lazy()
        .with_column(col("count").fill_null(lit(1i64)))
        .collect()
        .map_err(|e| Error::frame("finishing events", e))?;
    let summary = summary_of(&src.name(), df.height(), &rejections);
    refuse_empty(src, summary.rows_read)?;
    Ok(Loaded {
        data: ServiceEvents { df },
        rejections,
        summary,
    })
}

/// Typed-record entry point for service-use events: the same rules as
/// [`load_service_events`], applied row by row to records as read (e.g.
/// deserialised with serde from a small file or an API).
pub fn validate_service_events(
    records: &[RawServiceEvent],
    source_name: &str,
    cohort: &Cohort,
    categories: &CategorySet,
) -> Loaded<Vec<ServiceEvent>> {
    let spec = events_spec(cohort, categories);
    let rows: Vec<Vec<Option<String>>> = records
        .iter()
        .map(|r| {
            vec![
                r.person_id.clone(),
                r.date.clone(),
                r.category.clone(),
                r.count.clone(),
            ]
        })
        .collect();
    let (accepted, rejections) = validate_rows(&rows, &spec);
    let mut data = Vec::with_capacity(accepted.len());
    for (_, v) in accepted {
        if let [Value::Text(id), Value::Date(date), Value::Text(cat), count] = v.as_slice() {
            if let (Ok(person), Some(category)) =
                (PersonId::from_pseudonym(id.clone()), categories.get(cat))
            {
                let count = match count {
                    Value::Int(c) => u32::try_from(*c).unwrap_or(u32::MAX),
                    _ => 1,
                };
                data.push(ServiceEvent {
                    person,
                    date: *date,
                    category: category.clone(),
                    count,
                });
            }
        }
    }
    let summary = summary_of(source_name, data.len(), &rejections);
    Loaded {
        data,
        rejections,
        summary,
    }
}

/// A service-use event as read, before validation (serde-friendly: every
/// field is text as written, `None` where blank).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RawServiceEvent {
    /// The person's pseudonym.
    pub person_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// A category code.
    pub category: Option<String>,
    /// A whole number, or blank for 1.
    pub count: Option<String>,
}

// ---------------------------------------------------------------- NDT

/// Validated NDT assessments, one per person and date.
#[derive(Debug, Clone)]
pub struct NdtAssessments {
    /// The assessments, in source order.
    pub assessments: Vec<NdtAssessment>,
}

fn ndt_spec(cohort: &Cohort, policy: PartialPolicy) -> Spec {
    let w = cohort.data_window();
    let mut fields = vec![
        Field::required("person_id", Kind::Text)
            .identifier()
            .rule(Rule::TextIn {
                allowed: cohort.id_set(),
                reason: "unknown person id (not in the cohort)".into(),
            }),
        Field::required("date", Kind::Date)
            .rule(Rule::DateFrom {
                bound: w.start,
                reason: format!("date before the cohort's data window (starts {})", w.start).into(),
            })
            .rule(Rule::DateTo {
                bound: w.extract_date,
                reason: format!("date after the extract date ({})", w.extract_date).into(),
            }),
    ];
    for item in NdtItem::ALL {
        let mut allowed: Vec<i64> = (0..=i64::from(item.scale().max()))
            .filter(|v| item.scale().is_valid(*v))
            .collect();
        // Sentinels are recognised (and become missing items), never scores.
        allowed.extend([
            crate::measures::ndt::SENTINEL_NOT_DONE,
            crate::measures::ndt::SENTINEL_NOT_DUE,
        ]);
        let f = if policy == PartialPolicy::Reject {
            Field::required(item.column(), Kind::Int)
        } else {
            Field::optional(item.column(), Kind::Int)
        };
        fields.push(
            f.rule(Rule::IntIn {
                allowed: allowed.into(),
                reason: format!(
                    "{} (997/999 are the CDF's not-done/not-due codes)",
                    item.scale().rule()
                )
                .into(),
            }),
        );
    }
    Spec {
        fields,
        cross: Vec::new(),
        unique: Some((
            vec!["person_id".into(), "date".into()],
            "duplicate assessment (same person and date)".into(),
        )),
    }
}

/// Load NDT assessments in long form: `person_id`, `date` and the ten item
/// columns named by [`NdtItem::column`] (`engagement`, ...,
/// `risk_to_others`, ...).
///
/// Rejected: an unknown person, a date outside the data window, a score off
/// its item's scale (an odd risk score, a 5), two assessments of one person
/// on one date (both rows), and under [`PartialPolicy::Reject`] a blank item.
/// Item values 997 and 999 are read as not done / not due: missing items,
/// never scores.
///
/// # Errors
/// If the file cannot be read or a required column is missing.
pub fn load_ndt(
    src: &Source,
    cohort: &Cohort,
    policy: PartialPolicy,
) -> Result<Loaded<NdtAssessments>> {
    let spec = ndt_spec(cohort, policy);
    let kinds: Vec<(&str, Kind)> = spec
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    let required: Vec<&str> = spec.fields.iter().map(|f| f.name.as_str()).collect();
    let expected = Expected {
        required: &required,
        optional: &[],
        others: Others::Refused,
    };
    let (lf, _, typed) = open(src, &expected, &kinds, RowNumbers::Kept)?;
    let (accepted, rejections) = engine(src, validate_frame(lf, &spec, &typed))?;
    let assessments = ndt_from_frame(&accepted, cohort)?;
    let summary = summary_of(&src.name(), assessments.len(), &rejections);
    refuse_empty(src, summary.rows_read)?;
    Ok(Loaded {
        data: NdtAssessments { assessments },
        rejections,
        summary,
    })
}

fn ndt_from_frame(df: &DataFrame, cohort: &Cohort) -> Result<Vec<NdtAssessment>> {
    let err = |e: PolarsError| Error::frame("reading assessments", e);
    let ids = str_col(df, "person_id")?;
    let dates = df
        .column("date")
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(err)?;
    let dates = dates.i32().map_err(err)?;
    // The item columns as one contiguous array each, read in place (not
    // copied into ten vectors of the file's length).
    let items: Vec<Int64Chunked> = NdtItem::ALL
        .iter()
        .map(|i| {
            df.column(i.column())
                .and_then(|c| c.cast(&DataType::Int64))
                .and_then(|c| c.i64().map(|ca| ca.rechunk().into_owned()))
                .map_err(err)
        })
        .collect::<Result<_>>()?;
    let arrays: Vec<&polars_arrow::array::PrimitiveArray<i64>> = items
        .iter()
        .map(|ca| {
            ca.downcast_iter()
                .next()
                .ok_or_else(|| Error::frame("reading assessments", "an item column has no values"))
        })
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(df.height());
    for (r, (id, day)) in ids.iter().zip(dates.iter()).enumerate() {
        let (Some(id), Some(date)) = (id, day.and_then(days_to_date)) else {
            return Err(Error::frame(
                "reading assessments",
                "an accepted row lost a required value",
            ));
        };
        // The cohort's own identifier (shared, not a copy per assessment);
        // validation has already refused people outside the cohort.
        let person = match cohort.member_index(id) {
            Some(i) => cohort.members()[i].person.clone(),
            None => PersonId::from_pseudonym(id)?,
        };
        let raw: [Option<i64>; 10] = std::array::from_fn(|k| arrays[k].get(r));
        out.push(NdtAssessment::from_raw(person, date, raw)?);
    }
    Ok(out)
}

/// Load the Fulfilling Lives Common Data Framework's wide NDT layout: one
/// row per person with, for each wave `k`, `NDTDATE_k` and the ten item
/// columns `NDTENG_k`, `NDTISH_k`, ... (any suffix after the underscore
/// names the wave). Each (person, wave) becomes one long assessment.
///
/// A wave whose `NDTDATE_` is 997 (due, not done) or 999 (not due) is not an
/// assessment: it is counted in the rejection table with that reason, as is
/// a wave with every cell blank. Everything else is validated as in
/// [`load_ndt`], with `source_row` the wide row and the column the wide
/// column's name.
///
/// # Errors
/// If the file cannot be read, has no `person_id` (mapped) column, or has no
/// `NDTDATE_` columns.
pub fn load_ndt_wide(
    src: &Source,
    cohort: &Cohort,
    policy: PartialPolicy,
) -> Result<Loaded<NdtAssessments>> {
    let expected = Expected {
        required: &["person_id"],
        optional: &[],
        others: Others::Kept,
    };
    let (lf, present, _) = open(src, &expected, &[], RowNumbers::Kept)?;
    let waves: Vec<String> = present
        .iter()
        .filter_map(|c| c.strip_prefix("NDTDATE_").map(str::to_string))
        .collect();
    if waves.is_empty() {
        return Err(Error::missing_column(
            src.name(),
            "NDTDATE_<wave>",
            &present,
            &[src.columns.source_name("person_id")],
        ));
    }
    check_wide_columns(src, &present, &waves)?;
    // Stack the waves into long rows with text cells. While validating, the
    // row id encodes (wide row, wave) as row × waves + wave index, so every
    // rejection can name its wide row and its wave's column.
    let nw = waves.len() as i64;
    let mut parts = Vec::new();
    for (k, w) in waves.iter().enumerate() {
        let mut sel = vec![
            (col(ROW).cast(DataType::Int64) * lit(nw) + lit(k as i64)).alias(ROW),
            col("person_id").cast(DataType::String),
            col(format!("NDTDATE_{w}"))
                .cast(DataType::String)
                .alias("date"),
        ];
        for item in NdtItem::ALL {
            let name = format!("{}{w}", item.cdf_prefix());
            if present.contains(&name) {
                sel.push(
                    col(name.as_str())
                        .cast(DataType::String)
                        .alias(item.column()),
                );
            } else {
                sel.push(lit(NULL).cast(DataType::String).alias(item.column()));
            }
        }
        parts.push(lf.clone().select(sel));
    }
    let long =
        concat(parts, UnionArgs::default()).map_err(|e| Error::frame("stacking NDT waves", e))?;
    // Sentinel and empty waves are accounted for, then left out.
    let all_blank = NdtItem::ALL.iter().fold(col("date").is_null(), |acc, i| {
        acc.and(col(i.column()).is_null())
    });
    let sentinel_reason = when(col("date").eq(lit("997")))
        .then(lit("NDT due but not done (NDTDATE 997)"))
        .when(col("date").eq(lit("999")))
        .then(lit("NDT not due (NDTDATE 999)"))
        .when(all_blank)
        .then(lit("no assessment in this wave (all cells blank)"))
        .otherwise(lit(NULL).cast(DataType::String));
    let tagged = long
        .with_column(sentinel_reason.alias("__sentinel"))
        .collect()
        .map_err(|e| preflight::engine_error(src, Error::frame("reading NDT waves", e)))?;
    let skipped = tagged
        .clone()
        .lazy()
        .filter(col("__sentinel").is_not_null())
        .select([col(ROW), col("date"), col("__sentinel")])
        .collect()
        .map_err(|e| preflight::engine_error(src, Error::frame("reading NDT waves", e)))?;
    let spec = ndt_spec(cohort, policy);
    let kept = tagged
        .lazy()
        .filter(col("__sentinel").is_null())
        .drop(cols(["__sentinel"]));
    let (accepted, mut rejections) = engine(src, validate_frame(kept, &spec, &[]))?;
    let accepted = accepted
        .sort([ROW], SortMultipleOptions::default())
        .map_err(|e| Error::frame("ordering NDT waves", e))?;
    let decode = |v: u64| -> (u64, &str) {
        let nw = nw as u64;
        (
            v / nw,
            waves.get((v % nw) as usize).map_or("", String::as_str),
        )
    };
    for r in &mut rejections {
        let (row, wave) = decode(r.source_row);
        r.source_row = row;
        if let Some(item) = NdtItem::ALL.iter().find(|i| i.column() == r.column) {
            r.column = format!("{}{wave}", item.cdf_prefix());
        } else if r.column == "date" {
            r.column = format!("NDTDATE_{wave}");
        } else if r.column == "person_id" {
            r.column = src.columns.source_name("person_id").to_string();
        }
    }
    let rows = int_col(&skipped, ROW)?;
    let dates = str_col(&skipped, "date")?;
    let why = str_col(&skipped, "__sentinel")?;
    for (i, r) in rows.iter().enumerate() {
        let (row, wave) = decode(r.map_or(0, |r| r as u64));
        rejections.push(Rejection {
            source_row: row,
            column: format!("NDTDATE_{wave}"),
            value: dates.get(i).unwrap_or("").to_string(),
            reason: why.get(i).unwrap_or("").to_string(),
        });
    }
    rejections.sort();
    let assessments = ndt_from_frame(&accepted, cohort)?;
    let summary = summary_of(&src.name(), assessments.len(), &rejections);
    refuse_empty(src, summary.rows_read)?;
    Ok(Loaded {
        data: NdtAssessments { assessments },
        rejections,
        summary,
    })
}

/// Every wave of a wide NDT file has its date and all ten item columns, and
/// every other column is one of them: an item column of a wave with no
/// `NDTDATE_` column, a misspelt or missing item header, or a stray column is
/// an error, never a wave read as blanks or dropped from the rows read.
fn check_wide_columns(src: &Source, present: &[String], waves: &[String]) -> Result<()> {
    let person = src.columns.source_name("person_id");
    for p in present {
        if p == person || p.starts_with("NDTDATE_") {
            continue;
        }
        let wave = NdtItem::ALL
            .iter()
            .find_map(|i| p.strip_prefix(i.cdf_prefix()));
        if let Some(w) = wave {
            if !waves.iter().any(|x| x == w) {
                return Err(Error::malformed(
                    crate::Location::source(src.name()).column(p.as_str()),
                    format!(
                        "is an item of wave `{w}`, which has no `NDTDATE_{w}` column: its \
                         assessments could not be dated"
                    ),
                ));
            }
        }
    }
    let mut names = vec![person.to_string()];
    for w in waves {
        names.push(format!("NDTDATE_{w}"));
        names.extend(
            NdtItem::ALL
                .iter()
                .map(|i| format!("{}{w}", i.cdf_prefix())),
        );
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    // The names are already the file's own: check them with no mapping.
    let unmapped = Source::new(&src.path);
    preflight::check_columns(
        &unmapped,
        present,
        &Expected {
            required: &names,
            optional: &[],
            others: Others::Refused,
        },
    )
}

/// Convert a CSV file to Parquet, keeping every column as text (so that a
/// later load validates exactly what the CSV held). Returns rows written.
///
/// # Errors
/// If the CSV cannot be read or the Parquet file cannot be written.
pub fn csv_to_parquet(csv: &Path, parquet: &Path) -> Result<usize> {
    let pl_path = PlRefPath::try_from_path(csv).map_err(|e| Error::frame("opening CSV", e))?;
    let mut df = LazyCsvReader::new(pl_path)
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .finish()
        .and_then(LazyFrame::collect)
        .map_err(|e| Error::frame(format!("reading {}", csv.display()), e))?;
    let f = std::fs::File::create(parquet).map_err(|e| Error::io(parquet, e))?;
    ParquetWriter::new(f)
        .finish(&mut df)
        .map_err(|e| Error::frame(format!("writing {}", parquet.display()), e))?;
    Ok(df.height())
}

// ---------------------------------------------------------------- period counts

fn period_counts_spec(cohort: &Cohort, categories: &CategorySet, bands: &BandScheme) -> Spec {
    let w = cohort.data_window();
    let labels: Vec<String> = bands.bands().iter().map(|b| b.label.clone()).collect();
    let in_window = |name: &str| {
        Field::required(name, Kind::Date)
            .rule(Rule::DateFrom {
                bound: w.start,
                reason: format!(
                    "{name} before the cohort's data window (starts {})",
                    w.start
                )
                .into(),
            })
            .rule(Rule::DateTo {
                bound: w.extract_date,
                reason: format!("{name} after the extract date ({})", w.extract_date).into(),
            })
    };
    Spec {
        fields: vec![
            Field::required("person_id", Kind::Text)
                .identifier()
                .rule(Rule::TextIn {
                    allowed: cohort.id_set(),
                    reason: "unknown person id (not in the cohort)".into(),
                }),
            in_window("period_start"),
            in_window("period_end"),
            Field::required("category", Kind::Text).rule(Rule::TextIn {
                allowed: text_set(categories.codes()),
                reason: "unknown service-use category".into(),
            }),
            Field::required("count", Kind::Text).rule(Rule::CountOrBand {
                reason: format!(
                    "a count must be a whole number >= 0 or one of the bands: {}",
                    labels.join(", ")
                )
                .into(),
                labels: text_set(labels),
            }),
        ],
        cross: Vec::new(),
        unique: Some((
            vec!["person_id".into(), "period_start".into(), "category".into()],
            "duplicate count (same person, period and category)".into(),
        )),
    }
}

/// Load counts of service use per person per period (e.g. per quarter, as
/// the Fulfilling Lives framework records them): `person_id`,
/// `period_start`, `period_end`, `category`, `count`, where a count is a
/// whole number or a band label of `bands` (e.g. `"5 to 9"`), kept as an
/// interval with low / mid / high estimates.
///
/// Rejected: an unknown person, dates outside the data window or that are
/// not dates, a period that ends before it starts, an unknown category, a
/// count that is neither a whole number ≥ 0 nor a band, two counts for the
/// same person, period start and category (every such row).
///
/// # Errors
/// If the file cannot be read or a required column is missing.
pub fn load_period_counts(
    src: &Source,
    cohort: &Cohort,
    categories: &CategorySet,
    bands: &BandScheme,
) -> Result<Loaded<Vec<PeriodCount>>> {
    let spec = period_counts_spec(cohort, categories, bands);
    let kinds: Vec<(&str, Kind)> = spec
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    let required: Vec<&str> = spec.fields.iter().map(|f| f.name.as_str()).collect();
    let expected = Expected {
        required: &required,
        optional: &[],
        others: Others::Refused,
    };
    let (lf, _, typed) = open(src, &expected, &kinds, RowNumbers::Kept)?;
    let (accepted, mut rejections) = engine(src, validate_frame(lf, &spec, &typed))?;
    let ids = str_col(&accepted, "person_id")?;
    let starts = date_col(&accepted, "period_start")?;
    let ends = date_col(&accepted, "period_end")?;
    let cats = str_col(&accepted, "category")?;
    let counts = str_col(&accepted, "count")?;
    let rows = int_col(&accepted, ROW)?;
    let mut data = Vec::with_capacity(accepted.height());
    for i in 0..accepted.height() {
        let (Some(id), Some(s), Some(e), Some(c), Some(n)) = (
            ids.get(i),
            starts[i],
            ends[i],
            cats.get(i).and_then(|c| categories.get(c)),
            counts.get(i).and_then(|n| bands.parse(n)),
        ) else {
            return Err(Error::frame(
                "reading period counts",
                "an accepted row lost a required value",
            ));
        };
        match Period::new(s, e) {
            Ok(period) => data.push(PeriodCount {
                person: PersonId::from_pseudonym(id)?,
                period,
                category: c.clone(),
                count: n,
            }),
            Err(_) => rejections.push(Rejection {
                source_row: rows[i].map_or(0, |r| r as u64),
                column: "period_end".into(),
                value: e.to_string(),
                reason: "the period ends before it starts".into(),
            }),
        }
    }
    rejections.sort();
    let summary = summary_of(&src.name(), data.len(), &rejections);
    refuse_empty(src, summary.rows_read)?;
    Ok(Loaded {
        data,
        rejections,
        summary,
    })
}
