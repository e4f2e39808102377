//! School attendance, column-wise: from session-level register marks to the
//! DfE per-enrolment measures, and to per-person-window measures in the
//! long summary layout, for registers too large for typed records.
//!
//! The definitions are those of [`crate::measures::attendance`] and nothing
//! is redefined here: the code tables are built from [`CodeSet::codes`],
//! the set is chosen by the session's date with [`FROM_2024_START`], session
//! labels are parsed with [`Session::parse`], and rejection reasons come from
//! the same rules as [`read_register_csv`](crate::measures::attendance::read_register_csv)
//! and [`classify_marks`](crate::measures::attendance::classify_marks). The
//! tests in `tests/suite/attendance_frame.rs` check that both paths give the same
//! accepted marks, rejections and measures.
//!
//! # How it runs
//!
//! One pass groups the marks by enrolment (pupil × school as written) and
//! counts, per enrolment, its marks, the marks whose code and session match
//! the tables exactly, the distinct sessions, and the sessions of each
//! category in the period. An enrolment is *clean* when every mark matched
//! and no session repeats; its counts are final. Every other enrolment
//! (an unknown or padded code, a lower-case session label, a repeated
//! session, a blank or padded pupil or school, an unparseable date) goes
//! through an exact row-level pass that applies each rule in the typed
//! path's order and keeps the first mark of a repeated session. So a clean
//! register costs one group-by, and a dirty one costs a second pass over the
//! dirty enrolments only.

use chrono::NaiveDate;
use polars::prelude::*;

use super::aggregate::{cohort_frame, months_since_expr};
use super::loaders::{date_to_days, days_to_date, pseudonymise_column, Cohort, Source};
use super::summary::SummaryRecord;
use crate::cohort::PersonId;
use crate::error::{Error, Result};
use crate::measures::attendance::{
    code_rule, group_summary, AbsenceCounts, AbsenceMeasures, AbsenceThreshold, AttendanceCategory,
    CodeSet, EnrolmentSummary, GroupSummary, LabelledPeriod, RejectedRow, RowDisposition, SchoolId,
    Session, SessionMark, SessionTally, FROM_2024_START,
};
use crate::measures::service_use::Window;

const PUPIL: &str = "pupil_id";
const SCHOOL: &str = "school_urn";
const DATE: &str = "date";
const SESSION: &str = "session";
const CODE: &str = "code";
const DATE_RAW: &str = "__date_raw";
const ROW: &str = "__row";
const CAT: &str = "__cat";
const CAT_PRE: &str = "__cat_pre";
const CAT_NEW: &str = "__cat_new";
const SESS: &str = "__sess";
const CHECK: &str = "__check";

/// The five categories in a fixed order; a category's position is its code
/// in the frames.
const CATEGORIES: [AttendanceCategory; 5] = [
    AttendanceCategory::Present,
    AttendanceCategory::ApprovedEducationalActivity,
    AttendanceCategory::AuthorisedAbsence,
    AttendanceCategory::UnauthorisedAbsence,
    AttendanceCategory::NotPossible,
];

/// Count columns of the per-enrolment frame, in [`CATEGORIES`] order.
const COUNT_COLS: [&str; 5] = [
    "present",
    "approved_educational_activity",
    "authorised",
    "unauthorised",
    "not_possible",
];

fn category_index(c: AttendanceCategory) -> u32 {
    CATEGORIES.iter().position(|x| *x == c).unwrap_or(0) as u32
}

fn frame_err(context: &'static str) -> impl Fn(PolarsError) -> Error {
    move |e| Error::frame(context, e)
}

// ---------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------

/// Session-level register marks held column-wise, not yet validated:
/// `pupil_id`, `school_urn`, `date`, `session` (`AM`/`PM`) and `code`, one
/// row per mark. Validation happens when measures are computed, so that a
/// clean register is read once.
#[derive(Clone)]
pub struct RegisterMarks {
    lf: LazyFrame,
    source: String,
    /// Report rejected values trimmed, as the CSV reader of the typed path
    /// does.
    trim_values: bool,
}

impl std::fmt::Debug for RegisterMarks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterMarks")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl RegisterMarks {
    /// Open a register file (CSV, or Parquet by extension) with the columns
    /// `pupil_id`, `school_urn`, `date` (`YYYY-MM-DD`, or a Parquet date),
    /// `session` and `code` (or the names a [`ColumnMap`](super::ColumnMap)
    /// gives them); other columns are ignored. With
    /// [`Source::pseudonymise`] the pupil identifiers are pseudonymised on
    /// load. Dates are read with the typed path's rule (surrounding
    /// whitespace ignored, then `%Y-%m-%d`); an unreadable date is a
    /// rejected row later, never dropped.
    ///
    /// # Errors
    /// If the file is missing or unreadable, or a required column is absent.
    pub fn read(src: &Source) -> Result<RegisterMarks> {
        if !src.path().exists() {
            return Err(Error::io(
                src.path(),
                std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
            ));
        }
        let expected: Vec<&str> = [PUPIL, SCHOOL, DATE, SESSION, CODE]
            .iter()
            .map(|c| src.column_map().source_name(c))
            .collect();
        super::preflight::scan_csv(src, &expected)?;
        let name = src.name();
        let pl_path = PlRefPath::try_from_path(src.path())
            .map_err(|e| Error::frame(format!("opening {name}"), e))?;
        let mut lf = if src.is_parquet() {
            LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default())
                .map_err(|e| Error::frame(format!("reading {name}"), e))?
        } else {
            LazyCsvReader::new(pl_path)
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .with_raise_if_empty(false)
                .finish()
                .map_err(|e| Error::frame(format!("reading {name}"), e))?
        };
        let schema = lf
            .collect_schema()
            .map_err(|e| Error::frame(format!("reading the header of {name}"), e))?;
        let present: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        super::preflight::check_columns(
            src,
            &present,
            &super::preflight::Expected {
                required: &[PUPIL, SCHOOL, DATE, SESSION, CODE],
                optional: &[],
                others: super::preflight::Others::Kept,
            },
        )?;
        let map = src.column_map();
        let mut select = Vec::with_capacity(5);
        for c in [PUPIL, SCHOOL, DATE, SESSION, CODE] {
            select.push(col(map.source_name(c)).alias(c));
        }
        let date_is_typed = matches!(schema.get(map.source_name(DATE)), Some(DataType::Date));
        lf = lf.select(select);
        lf = lf.with_columns([
            col(PUPIL).cast(DataType::String),
            col(SCHOOL).cast(DataType::String),
            col(SESSION).cast(DataType::String),
            col(CODE).cast(DataType::String),
        ]);
        if let Some(p) = src.pseudonymiser() {
            lf = pseudonymise_column(lf, PUPIL, p)?;
        }
        let lf = if date_is_typed {
            lf.with_column(col(DATE).cast(DataType::String).alias(DATE_RAW))
        } else {
            parse_dates(lf.with_column(col(DATE).cast(DataType::String).alias(DATE_RAW)))?
        };
        Ok(RegisterMarks {
            lf,
            source: name,
            trim_values: true,
        })
    }

    /// Marks from typed records, in order (row `i + 1` is `marks[i]`). The
    /// pupil key is written with its `Display` form.
    ///
    /// # Errors
    /// On a frame-engine failure.
    pub fn from_marks<P: std::fmt::Display>(marks: &[SessionMark<P>]) -> Result<RegisterMarks> {
        let df = DataFrame::new_infer_height(vec![
            Column::new(
                PUPIL.into(),
                marks
                    .iter()
                    .map(|m| m.pupil.to_string())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                SCHOOL.into(),
                marks
                    .iter()
                    .map(|m| m.school.as_str().to_string())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                DATE.into(),
                marks
                    .iter()
                    .map(|m| date_to_days(m.date))
                    .collect::<Vec<i32>>(),
            ),
            Column::new(
                SESSION.into(),
                marks.iter().map(|m| m.session.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                CODE.into(),
                marks.iter().map(|m| m.code.as_str()).collect::<Vec<_>>(),
            ),
        ])
        .map_err(frame_err("building the register frame"))?;
        let lf = df.lazy().with_columns([
            col(DATE).cast(DataType::Date),
            col(DATE)
                .cast(DataType::Date)
                .cast(DataType::String)
                .alias(DATE_RAW),
        ]);
        Ok(RegisterMarks {
            lf,
            source: "marks".to_string(),
            trim_values: false,
        })
    }

    /// The source's name as shown in summaries.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The marks as a lazy frame with the columns `pupil_id`, `school_urn`
    /// (text), `date` (date; null where unreadable), `__date_raw`,
    /// `session` and `code` (text as written).
    pub(crate) fn lazy(&self) -> LazyFrame {
        self.lf.clone()
    }
}

/// Parse a text `date` column with the typed path's rule, once per distinct
/// value.
fn parse_dates(lf: LazyFrame) -> Result<LazyFrame> {
    let distinct = lf
        .clone()
        .select([col(DATE)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .map_err(frame_err("reading register dates"))?;
    let raw = distinct
        .column(DATE)
        .and_then(|c| c.str().cloned())
        .map_err(frame_err("reading register dates"))?;
    let mut keys = Vec::with_capacity(raw.len());
    let mut days = Vec::with_capacity(raw.len());
    for v in raw.iter().flatten() {
        keys.push(v.to_string());
        days.push(
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .ok()
                .map(date_to_days),
        );
    }
    let map = DataFrame::new_infer_height(vec![
        Column::new("__date_key".into(), keys),
        Column::new("__date_days".into(), days),
    ])
    .map_err(frame_err("reading register dates"))?;
    Ok(lf
        .join(
            map.lazy(),
            [col(DATE)],
            [col("__date_key")],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .with_column(col("__date_days").cast(DataType::Date).alias(DATE))
        .drop(cols(["__date_days"])))
}

/// The code table: every code of either set, with its category code under
/// each set (null where the set has no such code).
fn code_table() -> Result<DataFrame> {
    let mut codes: Vec<&'static str> = CodeSet::Pre2024
        .codes()
        .iter()
        .chain(CodeSet::From2024.codes())
        .map(|c| c.code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let cat = |set: CodeSet, c: &str| set.lookup(c).map(|rc| category_index(rc.category));
    let pre: Vec<Option<u32>> = codes.iter().map(|c| cat(CodeSet::Pre2024, c)).collect();
    let new: Vec<Option<u32>> = codes.iter().map(|c| cat(CodeSet::From2024, c)).collect();
    DataFrame::new_infer_height(vec![
        Column::new("__code_key".into(), codes),
        Column::new(CAT_PRE.into(), pre),
        Column::new(CAT_NEW.into(), new),
    ])
    .map_err(frame_err("building the code table"))
}

/// The category code of each row from its `__cat_pre`/`__cat_new` columns,
/// by the set in force on its date.
fn category_by_date() -> Expr {
    when(col(DATE).gt_eq(lit(FROM_2024_START)))
        .then(col(CAT_NEW))
        .otherwise(col(CAT_PRE))
        .alias(CAT)
}

fn in_period(period: Option<&LabelledPeriod>) -> Expr {
    match period {
        Some(p) => col(DATE)
            .gt_eq(lit(p.start()))
            .and(col(DATE).lt_eq(lit(p.end()))),
        None => lit(true),
    }
}

// ---------------------------------------------------------------------------
// The two passes
// ---------------------------------------------------------------------------

/// What the first pass and the exact pass give: accepted counts per
/// enrolment in the period, the dirty enrolments' exact rows, rejections.
struct Checked {
    /// Clean enrolments: `pupil_id`, `school_urn`, five count columns
    /// (in-period), only enrolments with a mark in the period.
    clean: DataFrame,
    /// Keys of the clean enrolments (all of them, in or out of the period).
    clean_keys: DataFrame,
    /// Whether any enrolment was dirty.
    any_dirty: bool,
    /// The dirty enrolments' rows after the exact checks: `__row`,
    /// `pupil_id` and `school_urn` (trimmed), `date`, `__cat`, `__check`
    /// (null when accepted).
    dirty_rows: DataFrame,
    rejected: Vec<RejectedRow>,
    rows_read: u64,
}

/// The first pass: group by enrolment as written, count, flag the dirty.
fn first_pass(marks: &RegisterMarks, period: Option<&LabelledPeriod>) -> Result<DataFrame> {
    let codes = code_table()?;
    let ok = col(DATE)
        .is_not_null()
        .and(col(CAT).is_not_null())
        .and(col(SESS).is_not_null());
    let key = col(DATE).cast(DataType::Int32) * lit(2i32) + col(SESS).cast(DataType::Int32);
    let inp = in_period(period);
    let mut aggs = vec![
        len().alias("__n"),
        ok.cast(DataType::UInt32).sum().alias("__ok"),
        key.n_unique().alias("__distinct"),
    ];
    for (k, name) in COUNT_COLS.iter().enumerate() {
        aggs.push(
            col(CAT)
                .eq(lit(k as u32))
                .and(inp.clone())
                .cast(DataType::UInt32)
                .sum()
                .alias(*name),
        );
    }
    let groups = marks
        .lazy()
        .select([col(PUPIL), col(SCHOOL), col(DATE), col(SESSION), col(CODE)])
        .join(
            codes.lazy(),
            [col(CODE)],
            [col("__code_key")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            category_by_date(),
            when(col(SESSION).eq(lit("AM")))
                .then(lit(0u32))
                .when(col(SESSION).eq(lit("PM")))
                .then(lit(1u32))
                .otherwise(lit(NULL).cast(DataType::UInt32))
                .alias(SESS),
        ])
        .group_by([col(PUPIL), col(SCHOOL)])
        .agg(aggs)
        .collect()
        .map_err(frame_err("counting register marks"))?;
    // Dirty: a mark that did not match exactly, a repeated session, or a key
    // that is blank or padded (padded keys merge with their trimmed form,
    // so every enrolment sharing a trimmed key is dirty together).
    let padded = |c: &str| {
        col(c)
            .is_null()
            .or(col(c).str().len_bytes().eq(lit(0u32)))
            .or(col(c).neq(col(c).str().strip_chars(lit(NULL))))
    };
    let dirty = col("__ok")
        .neq(col("__n"))
        .or(col("__distinct").cast(DataType::UInt32).neq(col("__n")))
        .or(padded(PUPIL))
        .or(padded(SCHOOL))
        .fill_null(lit(true));
    groups
        .lazy()
        .with_columns([
            dirty.cast(DataType::UInt32).alias("__dirty"),
            col(PUPIL).str().strip_chars(lit(NULL)).alias("__tp"),
            col(SCHOOL).str().strip_chars(lit(NULL)).alias("__ts"),
        ])
        .with_column(
            col("__dirty")
                .max()
                .over([col("__tp"), col("__ts")])
                .map_err(|e| Error::frame("flagging enrolments", e))?
                .alias("__dirty"),
        )
        .collect()
        .map_err(frame_err("flagging enrolments"))
}

fn check(marks: &RegisterMarks, period: Option<&LabelledPeriod>) -> Result<Checked> {
    let groups = first_pass(marks, period)?;
    let rows_read = groups
        .column("__n")
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(frame_err("counting register marks"))?
        .u64()
        .map_err(frame_err("counting register marks"))?
        .sum()
        .unwrap_or(0);
    let total_in_period = COUNT_COLS
        .iter()
        .map(|c| col(*c))
        .reduce(|a, b| a + b)
        .unwrap_or(lit(0u32));
    let clean_lf = groups.clone().lazy().filter(col("__dirty").eq(lit(0u32)));
    let clean = clean_lf
        .clone()
        .filter(total_in_period.gt(lit(0u32)))
        .select(
            [col(PUPIL), col(SCHOOL)]
                .into_iter()
                .chain(COUNT_COLS.iter().map(|c| col(*c)))
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(frame_err("selecting clean enrolments"))?;
    let clean_keys = clean_lf
        .select([col(PUPIL), col(SCHOOL)])
        .collect()
        .map_err(frame_err("selecting clean enrolments"))?;
    let dirty_keys = groups
        .lazy()
        .filter(col("__dirty").eq(lit(1u32)))
        .select([col(PUPIL), col(SCHOOL)])
        .collect()
        .map_err(frame_err("selecting dirty enrolments"))?;
    if dirty_keys.height() == 0 {
        return Ok(Checked {
            clean,
            clean_keys,
            any_dirty: false,
            dirty_rows: DataFrame::empty(),
            rejected: Vec::new(),
            rows_read,
        });
    }
    let (dirty_rows, rejected) = exact_pass(marks, &dirty_keys)?;
    Ok(Checked {
        clean,
        clean_keys,
        any_dirty: true,
        dirty_rows,
        rejected,
        rows_read,
    })
}

/// A lookup of each distinct value of a text column, made in Rust by `f`.
fn distinct_lookup(
    df: &DataFrame,
    column: &str,
    key_name: &str,
    value_name: &str,
    f: impl Fn(&str) -> Option<u32>,
) -> Result<DataFrame> {
    let distinct = df
        .column(column)
        .and_then(|c| c.unique())
        .map_err(frame_err("reading distinct values"))?;
    let raw = distinct
        .str()
        .map_err(frame_err("reading distinct values"))?;
    let mut keys = Vec::with_capacity(raw.len());
    let mut vals = Vec::with_capacity(raw.len());
    for v in raw.iter().flatten() {
        keys.push(v.to_string());
        vals.push(f(v));
    }
    DataFrame::new_infer_height(vec![
        Column::new(key_name.into(), keys),
        Column::new(value_name.into(), vals),
    ])
    .map_err(frame_err("building a lookup"))
}

/// The exact row-level pass over the dirty enrolments' rows: each rule in
/// the typed path's order, then repeated sessions (the first source row
/// kept).
fn exact_pass(marks: &RegisterMarks, keys: &DataFrame) -> Result<(DataFrame, Vec<RejectedRow>)> {
    let rows = marks
        .lazy()
        .with_row_index(ROW, Some(1))
        .join(
            keys.clone().lazy(),
            [col(PUPIL), col(SCHOOL)],
            [col(PUPIL), col(SCHOOL)],
            JoinArgs {
                nulls_equal: true,
                ..JoinArgs::new(JoinType::Inner)
            },
        )
        .collect()
        .map_err(frame_err("reading dirty enrolments"))?;
    let sessions = distinct_lookup(&rows, SESSION, "__sess_key", SESS, |s| {
        Session::parse(s).ok().map(|s| match s {
            Session::Am => 0u32,
            Session::Pm => 1u32,
        })
    })?;
    let cat_of = |set: CodeSet, c: &str| set.lookup(c.trim()).map(|rc| category_index(rc.category));
    let pre = distinct_lookup(&rows, CODE, "__code_key", CAT_PRE, |c| {
        cat_of(CodeSet::Pre2024, c)
    })?;
    let new = distinct_lookup(&rows, CODE, "__code_key2", CAT_NEW, |c| {
        cat_of(CodeSet::From2024, c)
    })?;
    let left = || JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(JoinType::Left)
    };
    let blank = |c: Expr| c.clone().is_null().or(c.str().len_bytes().eq(lit(0u32)));
    let tp = col(PUPIL).str().strip_chars(lit(NULL));
    let ts = col(SCHOOL).str().strip_chars(lit(NULL));
    let first_fail = when(blank(col("__tp")))
        .then(lit(1u32))
        .when(blank(col("__ts")))
        .then(lit(2u32))
        .when(col(DATE).is_null())
        .then(lit(3u32))
        .when(col(SESS).is_null())
        .then(lit(4u32))
        .when(col(CAT).is_null())
        .then(lit(5u32))
        .otherwise(lit(NULL).cast(DataType::UInt32))
        .alias(CHECK);
    let keys4 = [col("__tp"), col("__ts"), col(DATE), col(SESS)];
    let first_row = when(col(CHECK).is_null())
        .then(col(ROW))
        .otherwise(lit(NULL).cast(IDX_DTYPE))
        .min()
        .over(keys4)
        .map_err(|e| Error::frame("checking repeated sessions", e))?;
    let checked = rows
        .lazy()
        .join(sessions.lazy(), [col(SESSION)], [col("__sess_key")], left())
        .join(pre.lazy(), [col(CODE)], [col("__code_key")], left())
        .join(new.lazy(), [col(CODE)], [col("__code_key2")], left())
        .with_columns([category_by_date(), tp.alias("__tp"), ts.alias("__ts")])
        .with_column(first_fail)
        .with_column(
            when(col(CHECK).is_null().and(col(ROW).neq(first_row)))
                .then(lit(6u32))
                .otherwise(col(CHECK))
                .alias(CHECK),
        )
        .sort([ROW], SortMultipleOptions::default())
        .collect()
        .map_err(frame_err("checking dirty enrolments"))?;
    let rejected = rejections(&checked, marks.trim_values)?;
    let dirty_rows = checked
        .lazy()
        .select([
            col(ROW),
            col("__tp").alias(PUPIL),
            col("__ts").alias(SCHOOL),
            col(DATE),
            col(SESS),
            col(CAT),
            col(CHECK),
        ])
        .collect()
        .map_err(frame_err("checking dirty enrolments"))?;
    Ok((dirty_rows, rejected))
}

/// The rejection table of the exact pass, with the typed path's columns,
/// values and reasons (the pupil is never copied).
fn rejections(df: &DataFrame, trim: bool) -> Result<Vec<RejectedRow>> {
    let e = frame_err("reading rejected marks");
    let bad = df
        .clone()
        .lazy()
        .filter(col(CHECK).is_not_null())
        .collect()
        .map_err(&e)?;
    let rows = bad
        .column(ROW)
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(&e)?;
    let rows = rows.u64().map_err(&e)?;
    let checks = bad.column(CHECK).map_err(&e)?.u32().map_err(&e)?;
    let date_raw = bad.column(DATE_RAW).map_err(&e)?.str().map_err(&e)?;
    let dates = bad
        .column(DATE)
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(&e)?;
    let dates = dates.i32().map_err(&e)?;
    let sess_raw = bad.column(SESSION).map_err(&e)?.str().map_err(&e)?;
    let sess = bad.column(SESS).map_err(&e)?.u32().map_err(&e)?;
    let codes = bad.column(CODE).map_err(&e)?.str().map_err(&e)?;
    let shown = |v: Option<&str>| {
        let v = v.unwrap_or("");
        if trim { v.trim() } else { v }.to_string()
    };
    let mut out = Vec::with_capacity(bad.height());
    for i in 0..bad.height() {
        let date = dates.get(i).and_then(days_to_date);
        let (column, value, reason) = match checks.get(i) {
            Some(1) => (
                "pupil_id",
                String::new(),
                "pupil id must be non-empty UTF-8".to_string(),
            ),
            Some(2) => (
                "school_urn",
                String::new(),
                "school must be non-empty UTF-8".to_string(),
            ),
            Some(3) => (
                "date",
                date_raw.get(i).unwrap_or("").trim().to_string(),
                "date must be YYYY-MM-DD".to_string(),
            ),
            Some(4) => (
                "session",
                sess_raw.get(i).unwrap_or("").trim().to_string(),
                "session must be AM or PM".to_string(),
            ),
            Some(5) => {
                let d = date.ok_or_else(|| Error::frame("reading rejected marks", "no date"))?;
                let raw = codes.get(i).unwrap_or("");
                (
                    "code",
                    shown(Some(raw)),
                    code_rule(raw.trim(), CodeSet::in_force_on(d), d),
                )
            }
            Some(6) => {
                let d = date.ok_or_else(|| Error::frame("reading rejected marks", "no date"))?;
                let s = if sess.get(i) == Some(1) { "PM" } else { "AM" };
                (
                    "session",
                    format!("{d} {s}"),
                    "duplicate mark: an earlier row already records this pupil's session at this school"
                        .to_string(),
                )
            }
            _ => return Err(Error::frame("reading rejected marks", "unknown check code")),
        };
        out.push(RejectedRow {
            source_row: rows.get(i).unwrap_or(0),
            column: column.to_string(),
            value,
            reason,
            disposition: RowDisposition::Invalid,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Per-enrolment measures
// ---------------------------------------------------------------------------

fn rate(num: Expr) -> Expr {
    when(col("possible").gt(lit(0u64)))
        .then(num.cast(DataType::Float64) / col("possible").cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

fn meets(threshold: AbsenceThreshold) -> Expr {
    when(col("possible").gt(lit(0u64)))
        .then(
            (col("overall").cast(DataType::Int64) * lit(10_000i64)).gt_eq(
                lit(i64::from(threshold.basis_points())) * col("possible").cast(DataType::Int64),
            ),
        )
        .otherwise(lit(NULL).cast(DataType::Boolean))
}

/// One sum per attendance category (the [`COUNT_COLS`]): the number of
/// marks whose category code `CAT` is that category, as `dtype`.
fn category_counts(dtype: DataType) -> Vec<Expr> {
    COUNT_COLS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            col(CAT)
                .eq(lit(k as u32))
                .cast(dtype.clone())
                .sum()
                .alias(*name)
        })
        .collect()
}

/// Add the DfE measures to a frame of per-unit category counts (the five
/// [`COUNT_COLS`]): `possible`, `attended`, `overall`, the four rates
/// (null when nothing is possible) and the persistent and severe absence
/// flags, judged in exact integer arithmetic as
/// [`AbsenceThreshold::is_met`] does.
pub(crate) fn with_measures(lf: LazyFrame, persistent: AbsenceThreshold) -> LazyFrame {
    lf.with_columns(
        COUNT_COLS
            .iter()
            .map(|c| col(*c).cast(DataType::UInt64))
            .collect::<Vec<_>>(),
    )
    .with_columns([
        (col("present")
            + col("approved_educational_activity")
            + col("authorised")
            + col("unauthorised"))
        .alias("possible"),
        (col("authorised") + col("unauthorised")).alias("overall"),
    ])
    .with_columns([
        (col("possible") - col("overall")).alias("attended"),
        rate(col("possible") - col("overall")).alias("attendance_rate"),
        rate(col("overall")).alias("overall_absence_rate"),
        rate(col("authorised")).alias("authorised_absence_rate"),
        rate(col("unauthorised")).alias("unauthorised_absence_rate"),
        meets(persistent).alias("persistent_absence"),
        meets(AbsenceThreshold::SEVERE_50_PERCENT).alias("severe_absence"),
    ])
}

/// Per-enrolment counts and measures as a lazy frame, for pipelines that
/// go on column-wise: `pupil_id`, `school_urn` (trimmed), the five category
/// counts, `possible`, `overall`, `attended`, four rates and two flags (see
/// [`with_measures`]), sorted by pupil then school. The validation has
/// already run (the returned rejections and rows read account for every
/// mark); the frame is lazy from there on.
///
/// # Errors
/// On a frame-engine failure.
pub(crate) fn enrolment_measures_lazy(
    marks: &RegisterMarks,
    period: Option<&LabelledPeriod>,
    persistent: AbsenceThreshold,
) -> Result<(LazyFrame, Vec<RejectedRow>, u64)> {
    let c = check(marks, period)?;
    let mut counts = c.clean.lazy();
    if c.any_dirty {
        let dirty = c
            .dirty_rows
            .lazy()
            .filter(col(CHECK).is_null().and(in_period(period)))
            .group_by([col(PUPIL), col(SCHOOL)])
            .agg(category_counts(DataType::UInt32));
        counts = concat([counts, dirty], UnionArgs::default())
            .map_err(frame_err("combining enrolments"))?;
    }
    let lf = with_measures(
        counts.sort([PUPIL, SCHOOL], SortMultipleOptions::default()),
        persistent,
    );
    Ok((lf, c.rejected, c.rows_read))
}

/// Per-enrolment attendance measures computed column-wise, with the
/// rejection table of the marks. `accepted() + rejected().len() ==
/// rows_read()`.
#[derive(Debug, Clone)]
pub struct EnrolmentMeasures {
    df: DataFrame,
    period: String,
    rejected: Vec<RejectedRow>,
    rows_read: u64,
}

/// Per-enrolment measures of register marks in `period` (all marks with
/// `None`): the column-wise path of
/// [`classify_marks`](crate::measures::attendance::classify_marks) followed
/// by [`enrolment_summaries`](crate::measures::attendance::enrolment_summaries),
/// with the same definitions, order (pupil, then school) and rejections.
///
/// # Errors
/// On a frame-engine failure.
pub fn enrolment_measures(
    marks: &RegisterMarks,
    period: Option<&LabelledPeriod>,
    persistent: AbsenceThreshold,
) -> Result<EnrolmentMeasures> {
    let (lf, mut rejected, rows_read) = enrolment_measures_lazy(marks, period, persistent)?;
    let df = lf
        .collect()
        .map_err(frame_err("computing attendance measures"))?;
    rejected.sort_by_key(|r| r.source_row);
    Ok(EnrolmentMeasures {
        df,
        period: period.map_or_else(|| "all marks".to_string(), |p| p.label().to_string()),
        rejected,
        rows_read,
    })
}

impl EnrolmentMeasures {
    /// Number of enrolments (with at least one mark in the period).
    pub fn len(&self) -> usize {
        self.df.height()
    }

    /// True if no enrolment has a mark in the period.
    pub fn is_empty(&self) -> bool {
        self.df.height() == 0
    }

    /// Marks read.
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// Marks accepted (in or out of the period).
    pub fn accepted(&self) -> u64 {
        self.rows_read - self.rejected.len() as u64
    }

    /// Marks rejected, with their 1-based row, column, value and rule,
    /// ordered by row.
    pub fn rejected(&self) -> &[RejectedRow] {
        &self.rejected
    }

    /// The period's label (`"all marks"` when no period was given).
    pub fn period(&self) -> &str {
        &self.period
    }

    fn u64s(&self, name: &str) -> Result<Vec<u64>> {
        let c = self
            .df
            .column(name)
            .and_then(|c| c.cast(&DataType::UInt64))
            .map_err(frame_err("reading attendance measures"))?;
        let ca = c.u64().map_err(frame_err("reading attendance measures"))?;
        Ok(ca.iter().map(|v| v.unwrap_or(0)).collect())
    }

    fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let ca = self
            .df
            .column(name)
            .and_then(|c| c.f64())
            .map_err(frame_err("reading attendance measures"))?;
        Ok(ca.iter().collect())
    }

    fn bools(&self, name: &str) -> Result<Vec<Option<bool>>> {
        let ca = self
            .df
            .column(name)
            .and_then(|c| c.bool())
            .map_err(frame_err("reading attendance measures"))?;
        Ok(ca.iter().collect())
    }

    /// Each enrolment's counts (possible, authorised, unauthorised), in
    /// order.
    ///
    /// # Errors
    /// On a frame-engine failure.
    pub fn counts(&self) -> Result<Vec<AbsenceCounts>> {
        let p = self.u64s("possible")?;
        let a = self.u64s("authorised")?;
        let u = self.u64s("unauthorised")?;
        p.iter()
            .zip(a.iter().zip(&u))
            .map(|(p, (a, u))| AbsenceCounts::new(*p, *a, *u))
            .collect()
    }

    /// Each enrolment's overall absence rate (`None` when nothing is
    /// possible), in order.
    ///
    /// # Errors
    /// On a frame-engine failure.
    pub fn overall_absence_rates(&self) -> Result<Vec<Option<f64>>> {
        self.f64s("overall_absence_rate")
    }

    /// Each enrolment's persistent-absence flag, in order.
    ///
    /// # Errors
    /// On a frame-engine failure.
    pub fn persistent_absentees(&self) -> Result<Vec<Option<bool>>> {
        self.bools("persistent_absence")
    }

    /// Group measures over the enrolments (sessions summed first), as
    /// [`group_summary`] gives.
    ///
    /// # Errors
    /// On overflow or a frame-engine failure.
    pub fn group_summary(&self, persistent: AbsenceThreshold) -> Result<GroupSummary> {
        group_summary(&self.counts()?, persistent)
    }

    /// As typed records, in the order and shape of
    /// [`enrolment_summaries`](crate::measures::attendance::enrolment_summaries)
    /// (pupil keys as text). Rates and flags are the frame's own, not
    /// recomputed.
    ///
    /// # Errors
    /// On a frame-engine failure or an invalid school key.
    pub fn to_records(&self) -> Result<Vec<EnrolmentSummary<String>>> {
        let e = frame_err("reading attendance measures");
        let pupils = self.df.column(PUPIL).and_then(|c| c.str()).map_err(&e)?;
        let schools = self.df.column(SCHOOL).and_then(|c| c.str()).map_err(&e)?;
        let counts: Vec<Vec<u64>> = COUNT_COLS
            .iter()
            .chain(["possible", "attended", "overall"].iter())
            .map(|c| self.u64s(c))
            .collect::<Result<_>>()?;
        let rates: Vec<Vec<Option<f64>>> = [
            "attendance_rate",
            "overall_absence_rate",
            "authorised_absence_rate",
            "unauthorised_absence_rate",
        ]
        .iter()
        .map(|c| self.f64s(c))
        .collect::<Result<_>>()?;
        let pa = self.bools("persistent_absence")?;
        let sa = self.bools("severe_absence")?;
        let mut out = Vec::with_capacity(self.df.height());
        for i in 0..self.df.height() {
            let tally = SessionTally {
                present: counts[0][i],
                approved_educational_activity: counts[1][i],
                authorised: counts[2][i],
                unauthorised: counts[3][i],
                not_possible: counts[4][i],
            };
            out.push(EnrolmentSummary {
                pupil: pupils.get(i).unwrap_or("").to_string(),
                school: SchoolId::new(schools.get(i).unwrap_or(""))?,
                period: self.period.clone(),
                tally,
                measures: AbsenceMeasures {
                    possible: counts[5][i],
                    attended: counts[6][i],
                    authorised: counts[2][i],
                    unauthorised: counts[3][i],
                    overall: counts[7][i],
                    attendance_rate: rates[0][i],
                    overall_absence_rate: rates[1][i],
                    authorised_absence_rate: rates[2][i],
                    unauthorised_absence_rate: rates[3][i],
                    persistent_absentee: pa[i],
                    severe_absentee: sa[i],
                },
            });
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Accepted marks, and the per-person-window summary
// ---------------------------------------------------------------------------

/// Exactly the accepted marks, lazily: `pupil_id` (trimmed), `date`,
/// `__cat`; with the rejections and rows read.
pub(crate) fn accepted_marks_lazy(
    marks: &RegisterMarks,
) -> Result<(LazyFrame, Vec<RejectedRow>, u64)> {
    let c = check(marks, None)?;
    let codes = code_table()?;
    let base = |lf: LazyFrame| {
        lf.select([col(PUPIL), col(SCHOOL), col(DATE), col(CODE)])
            .join(
                codes.clone().lazy(),
                [col(CODE)],
                [col("__code_key")],
                JoinArgs::new(JoinType::Left),
            )
            .with_column(category_by_date())
            .select([col(PUPIL), col(DATE), col(CAT)])
    };
    if !c.any_dirty {
        return Ok((base(marks.lazy()), c.rejected, c.rows_read));
    }
    let clean_rows = marks.lazy().join(
        c.clean_keys.lazy(),
        [col(PUPIL), col(SCHOOL)],
        [col(PUPIL), col(SCHOOL)],
        JoinArgs::new(JoinType::Inner),
    );
    let dirty =
        c.dirty_rows
            .lazy()
            .filter(col(CHECK).is_null())
            .select([col(PUPIL), col(DATE), col(CAT)]);
    let lf = concat([base(clean_rows), dirty], UnionArgs::default())
        .map_err(frame_err("combining accepted marks"))?;
    Ok((lf, c.rejected, c.rows_read))
}

/// Measure names of the attendance rows of the long summary.
pub const SUMMARY_MEASURES: [&str; 5] = [
    "attendance_possible_sessions",
    "attendance_rate",
    "absence_rate",
    "persistent_absence",
    "severe_absence",
];

/// Attendance per person × window in the crate's long summary layout:
/// `person: String, window: String, measure: String, value: Float64 (null =
/// undefined), observed_days: Int64`, with every cohort member × window ×
/// measure present.
#[derive(Debug, Clone)]
pub struct AttendanceSummary {
    df: DataFrame,
    rejected: Vec<RejectedRow>,
    rows_read: u64,
    marks_outside_cohort: u64,
}

impl AttendanceSummary {
    /// Rows (people × windows × 5 measures).
    pub fn len(&self) -> usize {
        self.df.height()
    }

    /// True if there are no rows.
    pub fn is_empty(&self) -> bool {
        self.df.height() == 0
    }

    /// Marks read.
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// Marks rejected, ordered by row.
    pub fn rejected(&self) -> &[RejectedRow] {
        &self.rejected
    }

    /// Accepted marks of pupils who are not cohort members (valid, and not
    /// in any person's summary).
    pub fn marks_outside_cohort(&self) -> u64 {
        self.marks_outside_cohort
    }

    /// As typed rows, in frame order (cohort order, then window, then
    /// measure).
    ///
    /// # Errors
    /// On a frame-engine failure.
    pub fn to_records(&self) -> Result<Vec<SummaryRecord>> {
        let e = frame_err("reading the attendance summary");
        let person = self.df.column("person").and_then(|c| c.str()).map_err(&e)?;
        let window = self.df.column("window").and_then(|c| c.str()).map_err(&e)?;
        let measure = self
            .df
            .column("measure")
            .and_then(|c| c.str())
            .map_err(&e)?;
        let value = self.df.column("value").and_then(|c| c.f64()).map_err(&e)?;
        let obs = self
            .df
            .column("observed_days")
            .and_then(|c| c.i64())
            .map_err(&e)?;
        (0..self.df.height())
            .map(|i| {
                Ok(SummaryRecord {
                    person: PersonId::from_pseudonym(person.get(i).unwrap_or(""))?,
                    window: window.get(i).unwrap_or("").to_string(),
                    measure: measure.get(i).unwrap_or("").to_string(),
                    value: value.get(i),
                    observed_days: obs.get(i).unwrap_or(0),
                })
            })
            .collect()
    }

    /// The long frame, owned (inside the crate only: the person summary
    /// joins it).
    pub(crate) fn into_frame(self) -> DataFrame {
        self.df
    }
}

/// Attendance per cohort member and window, summed over the pupil's
/// schools (the per-pupil view of
/// [`pupil_summaries`](crate::measures::attendance::pupil_summaries)): a
/// mark counts in window `w` when `months_between(index date, mark date)`
/// lies in `[w.start_month, w.end_month)`, the rule every window in the
/// crate uses. The register's `pupil_id` is the cohort's person id (both
/// pseudonymised with the same key). Measures per [`SUMMARY_MEASURES`]:
/// possible sessions (0 when none), attendance and overall absence rates,
/// persistent (at `persistent`) and severe absence as 0/1; rates and flags
/// are null when there are no possible sessions. `observed_days` is the
/// person's observed days in the window, as for service use.
///
/// # Errors
/// On a frame-engine failure.
pub fn attendance_window_summary(
    cohort: &Cohort,
    marks: &RegisterMarks,
    windows: &[Window],
    persistent: AbsenceThreshold,
) -> Result<AttendanceSummary> {
    let (accepted, mut rejected, rows_read) = accepted_marks_lazy(marks)?;
    rejected.sort_by_key(|r| r.source_row);
    let (people, cohort_df) = cohort_frame(cohort)?;
    let cohort_df = cohort_df
        .lazy()
        .rename(["person_id"], [PUPIL], true)
        .collect()
        .map_err(frame_err("building the cohort frame"))?;
    let joined = accepted
        .join(
            cohort_df.lazy(),
            [col(PUPIL)],
            [col(PUPIL)],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(
            months_since_expr(col("__index").cast(DataType::Date), col(DATE)).alias("__m"),
        );
    let accepted_total = rows_read - rejected.len() as u64;
    let in_cohort = joined
        .clone()
        .select([len().alias("__n")])
        .collect()
        .map_err(frame_err("counting marks in the cohort"))?;
    let in_cohort = in_cohort
        .column("__n")
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(frame_err("counting marks in the cohort"))?
        .u64()
        .map_err(frame_err("counting marks in the cohort"))?
        .get(0)
        .unwrap_or(0);
    let nw = windows.len();
    // tallies[(person * nw + window)]
    let mut tallies = vec![SessionTally::default(); people.len() * nw];
    if nw > 0 {
        let mut parts = Vec::with_capacity(nw);
        for (w, win) in windows.iter().enumerate() {
            parts.push(
                joined
                    .clone()
                    .filter(
                        col("__m")
                            .gt_eq(lit(win.start_month()))
                            .and(col("__m").lt(lit(win.end_month()))),
                    )
                    .group_by([col("__p")])
                    .agg(category_counts(DataType::UInt64))
                    .with_column(lit(w as u32).alias("__w")),
            );
        }
        let agg = concat(parts, UnionArgs::default())
            .map_err(frame_err("aggregating attendance"))?
            .collect()
            .map_err(frame_err("aggregating attendance"))?;
        let e = frame_err("reading attendance aggregates");
        let u32s = |name: &str| -> Result<Vec<u32>> {
            let c = agg
                .column(name)
                .and_then(|c| c.cast(&DataType::UInt32))
                .map_err(&e)?;
            Ok(c.u32()
                .map_err(&e)?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect())
        };
        let p = u32s("__p")?;
        let w = u32s("__w")?;
        let mut counts = Vec::with_capacity(5);
        for name in COUNT_COLS {
            let c = agg
                .column(name)
                .and_then(|c| c.cast(&DataType::UInt64))
                .map_err(&e)?;
            counts.push(
                c.u64()
                    .map_err(&e)?
                    .iter()
                    .map(|v| v.unwrap_or(0))
                    .collect::<Vec<u64>>(),
            );
        }
        for i in 0..p.len() {
            if let Some(t) = tallies.get_mut(p[i] as usize * nw + w[i] as usize) {
                t.present += counts[0][i];
                t.approved_educational_activity += counts[1][i];
                t.authorised += counts[2][i];
                t.unauthorised += counts[3][i];
                t.not_possible += counts[4][i];
            }
        }
    }
    let dw = cohort.data_window();
    let n = people.len() * nw * SUMMARY_MEASURES.len();
    let mut person_col = Vec::with_capacity(n);
    let mut window_col = Vec::with_capacity(n);
    let mut measure_col = Vec::with_capacity(n);
    let mut value_col: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut obs_col: Vec<i64> = Vec::with_capacity(n);
    let flag = |b: Option<bool>| b.map(|x| if x { 1.0 } else { 0.0 });
    for (pi, m) in cohort.members().iter().enumerate() {
        let observed = dw.observed(m);
        for (wi, win) in windows.iter().enumerate() {
            let obs = match (win.period(m.index_date), observed) {
                (Some(a), Some(b)) => a.intersect(&b).map_or(0, |x| x.days()),
                _ => 0,
            };
            let meas: AbsenceMeasures = tallies[pi * nw + wi].counts().measures(persistent);
            let values = [
                Some(meas.possible as f64),
                meas.attendance_rate,
                meas.overall_absence_rate,
                flag(meas.persistent_absentee),
                flag(meas.severe_absentee),
            ];
            for (name, v) in SUMMARY_MEASURES.iter().zip(values) {
                person_col.push(m.person.pseudonym());
                window_col.push(win.label());
                measure_col.push(*name);
                value_col.push(v);
                obs_col.push(obs);
            }
        }
    }
    let df = DataFrame::new_infer_height(vec![
        Column::new("person".into(), person_col),
        Column::new("window".into(), window_col),
        Column::new("measure".into(), measure_col),
        Column::new("value".into(), value_col),
        Column::new("observed_days".into(), obs_col),
    ])
    .map_err(frame_err("building the attendance summary"))?;
    Ok(AttendanceSummary {
        df,
        rejected,
        rows_read,
        marks_outside_cohort: accepted_total.saturating_sub(in_cohort),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::attendance::{classify_marks, enrolment_summaries, AcademicYear};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn mark(p: &str, school: &str, date: NaiveDate, s: Session, code: &str) -> SessionMark<String> {
        SessionMark {
            pupil: p.to_string(),
            school: SchoolId::new(school).unwrap(),
            date,
            session: s,
            code: code.to_string(),
        }
    }

    /// Hand-worked (DfE definitions, METHODS.md attendance §1.2): 20
    /// possible sessions with 2 absences is exactly 10%, a persistent
    /// absentee; the X marks are not possible sessions.
    #[test]
    fn exactly_ten_percent_is_persistent_and_x_is_not_possible() {
        let mut marks = Vec::new();
        let mut day = d(2023, 9, 4);
        for i in 0..11 {
            for (s, am) in [(Session::Am, true), (Session::Pm, false)] {
                let code = match i {
                    0 if am => "I",
                    1 if am => "O",
                    10 => "X",
                    _ if am => "/",
                    _ => "\\",
                };
                marks.push(mark("p1", "S1", day, s, code));
            }
            day = day.succ_opt().unwrap();
        }
        let f = RegisterMarks::from_marks(&marks).unwrap();
        let year = AcademicYear::new(2023).unwrap().period();
        let m = enrolment_measures(&f, Some(&year), AbsenceThreshold::default()).unwrap();
        assert_eq!(m.rows_read(), 22);
        assert!(m.rejected().is_empty());
        let r = m.to_records().unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].tally.not_possible, 2);
        assert_eq!(r[0].measures.possible, 20);
        assert_eq!(r[0].measures.overall, 2);
        assert_eq!(r[0].measures.overall_absence_rate, Some(0.1));
        assert_eq!(r[0].measures.persistent_absentee, Some(true));
        assert_eq!(r[0].measures.severe_absentee, Some(false));
        // One fewer absence: 1 of 20 = 5%, not persistent.
        marks[2].code = "/".to_string();
        let f = RegisterMarks::from_marks(&marks).unwrap();
        let m = enrolment_measures(&f, Some(&year), AbsenceThreshold::default()).unwrap();
        assert_eq!(m.persistent_absentees().unwrap(), vec![Some(false)]);
    }

    #[test]
    fn dirty_enrolments_match_the_typed_path() {
        let marks = vec![
            mark("p1", "S1", d(2024, 7, 1), Session::Am, "J"),
            mark("p1", "S1", d(2024, 7, 1), Session::Pm, "J1"),
            mark("p1", "S1", d(2024, 9, 2), Session::Am, "J1"),
            mark("p1", "S1", d(2024, 9, 2), Session::Pm, "H"),
            mark("p1", "S1", d(2024, 9, 3), Session::Am, "??"),
            mark("p1", "S1", d(2024, 9, 2), Session::Am, "/"),
            mark("p2", "S1", d(2024, 9, 2), Session::Am, " I "),
            mark("p3", "S2", d(2024, 9, 2), Session::Am, "/"),
        ];
        let typed = classify_marks(&marks);
        let all = LabelledPeriod::new("all", d(2000, 1, 1), d(2100, 1, 1)).unwrap();
        let te = enrolment_summaries(&typed.accepted, &all, AbsenceThreshold::default());
        let f = RegisterMarks::from_marks(&marks).unwrap();
        let m = enrolment_measures(&f, Some(&all), AbsenceThreshold::default()).unwrap();
        assert_eq!(m.rejected(), typed.rejected.as_slice());
        assert_eq!(m.to_records().unwrap(), te);
        assert_eq!(m.accepted() as usize, typed.accepted.len());
    }
}
