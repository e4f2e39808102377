//! The validation engine: one [`Spec`] per dataset, applied either to a
//! polars frame (column-wise) or to rows of raw strings (typed records).
//! Both produce the same accepted rows and the same [`Rejection`]s.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

use polars::prelude::*;
use serde::Serialize;

use super::kernels::{blank_mask, count_true, join, outside_mask, par_map};
use super::rules::{
    epoch_days, examines_text, parse_date, parse_int, parse_scalar, Kind, Rule, Value,
};
use crate::error::{Error, Result};

/// What a rejection table shows instead of a person identifier.
pub const REDACTED: &str = "<redacted>";

/// Redacts every value in `values` that equals a person identifier held in
/// one of `files` (`(path, identifier column as named in the file)`).
///
/// A rejection shows the value that broke a rule, and an identifier column's
/// values are redacted when they are read; but a value shifted out of its
/// column (a row with a missing field, an identifier pasted into `group` or
/// `category`) is still an identifier. Only the values shown are looked
/// for, in one pass over each file's identifier column (CSV or Parquet); a
/// file without that column is passed over (its own load names the missing
/// column).
///
/// # Errors
/// A file that cannot be read.
pub fn redact_identifiers(
    values: &mut [&mut String],
    files: &[(std::path::PathBuf, String)],
) -> Result<()> {
    let shown: std::collections::HashSet<String> = values
        .iter()
        .filter(|v| v.as_str() != REDACTED && !v.trim().is_empty())
        .map(|v| v.trim().to_string())
        .collect();
    if shown.is_empty() {
        return Ok(());
    }
    let mut ids = std::collections::HashSet::new();
    let mut note = |v: &str| {
        let v = v.trim();
        if shown.contains(v) {
            ids.insert(v.to_string());
        }
    };
    for (path, column) in files {
        let parquet = path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("parquet"));
        if parquet {
            let name = path.display().to_string();
            let pl_path = PlRefPath::try_from_path(path)
                .map_err(|e| Error::frame(format!("opening {name}"), e))?;
            let lf = LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default())
                .map_err(|e| Error::frame(format!("reading {name}"), e))?;
            let mut lf = lf;
            let has = lf
                .collect_schema()
                .map_err(|e| Error::frame(format!("reading {name}"), e))?
                .contains(column);
            if !has {
                continue;
            }
            let df = lf
                .select([col(column.as_str()).cast(DataType::String)])
                .collect()
                .map_err(|e| Error::frame(format!("reading {name}"), e))?;
            let ca = df
                .column(column)
                .and_then(|c| c.str().cloned())
                .map_err(|e| Error::frame(format!("reading {name}"), e))?;
            ca.iter().flatten().for_each(&mut note);
            continue;
        }
        let io_err = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .map_err(io_err)?;
        let Some(at) = rdr
            .byte_headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c.trim_ascii() == column.as_bytes()))
        else {
            continue;
        };
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap_or(false) {
            if let Some(v) = rec.get(at).and_then(|v| std::str::from_utf8(v).ok()) {
                note(v);
            }
        }
    }
    for v in values.iter_mut() {
        if ids.contains(v.trim()) {
            **v = REDACTED.to_string();
        }
    }
    Ok(())
}

/// One column of a dataset: its canonical name, type, whether it is
/// required, and its rules (checked in order after parsing).
#[derive(Debug, Clone)]
pub struct Field {
    /// The crate's name for the column.
    pub name: String,
    /// What it parses to.
    pub kind: Kind,
    /// A blank is a rejection.
    pub required: bool,
    /// The column holds a person identifier: its values never appear in a
    /// rejection table or an error.
    pub identifier: bool,
    /// Rules on the parsed value.
    pub rules: Vec<Rule>,
}

impl Field {
    /// A required field with no rules.
    pub fn required(name: &str, kind: Kind) -> Self {
        Field {
            name: name.to_string(),
            kind,
            required: true,
            identifier: false,
            rules: Vec::new(),
        }
    }

    /// An optional field with no rules.
    pub fn optional(name: &str, kind: Kind) -> Self {
        Field {
            required: false,
            ..Field::required(name, kind)
        }
    }

    /// Mark as an identifier column.
    pub fn identifier(mut self) -> Self {
        self.identifier = true;
        self
    }

    /// Add a rule.
    pub fn rule(mut self, r: Rule) -> Self {
        self.rules.push(r);
        self
    }
}

/// A dataset's validation spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The fields, in order (their order is the order reasons are checked).
    pub fields: Vec<Field>,
    /// Rules between two fields of a row, checked after every field's own
    /// rules, in order.
    pub cross: Vec<CrossRule>,
    /// Columns whose combination must be unique among otherwise valid rows,
    /// with the reason given for duplicates.
    pub unique: Option<(Vec<String>, String)>,
}

/// A rule between two fields of one row. A blank in either passes (blanks are
/// the fields' own `required` rule's business). The rejection names `field`.
#[derive(Debug, Clone)]
pub struct CrossRule {
    /// The field whose value is rejected.
    pub field: String,
    /// What it is checked against.
    pub check: Cross,
    /// The reason given.
    pub reason: String,
}

/// The checks a [`CrossRule`] can make.
#[derive(Debug, Clone)]
pub enum Cross {
    /// The field's date is not before the date in field `other`.
    DateNotBefore {
        /// The earlier date's field.
        other: String,
    },
    /// The field's whole number is at most the maximum stated for the text in
    /// field `key` (a category), or `otherwise` for a text not listed.
    IntAtMostFor {
        /// The field whose text picks the maximum.
        key: String,
        /// The maximum by text.
        max: std::sync::Arc<BTreeMap<String, i64>>,
        /// The maximum for any other text.
        otherwise: i64,
    },
}

impl Cross {
    /// Scalar path: do the values break the rule?
    fn fails(&self, v: &Value, other: &Value) -> bool {
        match (self, v, other) {
            (Cross::DateNotBefore { .. }, Value::Date(d), Value::Date(o)) => d < o,
            (Cross::IntAtMostFor { max, otherwise, .. }, Value::Int(n), Value::Text(k)) => {
                *n > max.get(k).copied().unwrap_or(*otherwise)
            }
            _ => false,
        }
    }

    /// The other field the rule reads.
    fn other(&self) -> &str {
        match self {
            Cross::DateNotBefore { other } => other,
            Cross::IntAtMostFor { key, .. } => key,
        }
    }

    /// Frame path: the mask of [`Cross::fails`] over two parsed columns.
    fn fails_mask(&self, v: &Column, other: &Column) -> Result<BooleanChunked> {
        let err = |e| {
            Error::frame(
                format!("checking '{}' against '{}'", v.name(), other.name()),
                e,
            )
        };
        Ok(match self {
            Cross::DateNotBefore { .. } => {
                let (a, b) = (
                    v.date().map_err(err)?.physical(),
                    other.date().map_err(err)?.physical(),
                );
                a.iter()
                    .zip(b.iter())
                    .map(|(a, b)| matches!((a, b), (Some(a), Some(b)) if a < b))
                    .collect()
            }
            Cross::IntAtMostFor { max, otherwise, .. } => {
                // Most counts are under every ceiling: a vectorised pass finds
                // those above the lowest, and only they have their key looked up.
                let n = v.i64().map_err(err)?;
                let floor = max.values().copied().fold(*otherwise, i64::min);
                let above = outside_mask(n, None, Some(floor))?;
                if count_true(&above) == 0 {
                    return Ok(above);
                }
                let k = other.str().map_err(err)?;
                above
                    .iter()
                    .enumerate()
                    .map(|(i, hit)| {
                        let ceiling = |key: &str| max.get(key).copied().unwrap_or(*otherwise);
                        hit == Some(true)
                            && matches!((n.get(i), k.get(i)), (Some(x), Some(key)) if x > ceiling(key))
                    })
                    .collect()
            }
        })
    }
}

/// One rejected source row: where, what and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Rejection {
    /// The 1-based data row in the source (header not counted).
    pub source_row: u64,
    /// The column whose value broke a rule.
    pub column: String,
    /// The value as read (`<redacted>` for identifier columns).
    pub value: String,
    /// The rule broken.
    pub reason: String,
}

/// Counts of a load: rows read, accepted, rejected, and rejections by
/// reason. `accepted + rejected == rows_read` always.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ValidationSummary {
    /// The file or dataset.
    pub source: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rejected rows by reason.
    pub by_reason: BTreeMap<String, u64>,
}

impl ValidationSummary {
    pub(crate) fn new(source: &str, rows_read: u64, rejections: &[Rejection]) -> Self {
        let mut by_reason = BTreeMap::new();
        for r in rejections {
            *by_reason.entry(r.reason.clone()).or_insert(0) += 1;
        }
        let rejected = rejections.len() as u64;
        ValidationSummary {
            source: source.to_string(),
            rows_read,
            accepted: rows_read - rejected,
            rejected,
            by_reason,
        }
    }
}

pub(crate) const ROW: &str = "__source_row";
const REASON: &str = "__reason";
const CODE: &str = "__code";
const COLUMN: &str = "__column";
const VALUE: &str = "__value";
const OK_FLAG: &str = "__ok";
const ANY: &str = "__any_check_fails";

fn raw_name(f: &str) -> String {
    format!("__raw_{f}")
}

/// Frame path. `lf` holds the raw columns under their canonical names as
/// strings (or already typed, for Parquet), plus [`ROW`]. Returns the
/// accepted frame (parsed columns + [`ROW`]) and the rejections.
///
/// The raw columns are read once; integers and dates are parsed by the same
/// scalar functions the typed path uses ([`parse_int`], [`parse_date`]), and
/// every check is a mask computed on the column's arrays by
/// [`Rule::fails_mask`] (see `io::kernels`), so the two paths agree by
/// construction. The masks are or-ed; only when a row fails one are the
/// reason, column and value worked out, and only for the rows that fail. A
/// clean file's accepted frame is the columns as read: nothing is copied.
pub(crate) fn validate_frame(
    lf: LazyFrame,
    spec: &Spec,
    typed: &[String],
) -> Result<(DataFrame, Vec<Rejection>)> {
    // A typed column (a Parquet date or integer) skips parsing. A text
    // column is text either way: it goes through the same blank check as
    // CSV text, so an empty string is a blank in both.
    let is_typed = |f: &Field| f.kind != Kind::Text && typed.iter().any(|t| t == &f.name);
    let mut lf = lf;
    // Without a row-number column, rows are numbered by position (the frame
    // is the file's rows in order), and only the rejected rows need one.
    let numbered = lf
        .collect_schema()
        .map_err(|e| Error::frame("reading the columns", e))?
        .contains(ROW);
    // The raw columns under their raw names.
    let mut exprs = if numbered { vec![col(ROW)] } else { Vec::new() };
    for f in &spec.fields {
        exprs.push(col(f.name.as_str()).alias(raw_name(&f.name)));
    }
    let raw = lf
        .select(exprs)
        .collect()
        .map_err(|e| Error::frame("reading rows", e))?;

    // Parsed columns, and every check as a mask, in field order: the first
    // that fails gives the row's reason, column and value.
    let mut parsed_cols: Vec<Column> = Vec::new();
    let mut masks: Vec<BooleanChunked> = Vec::new();
    let mut checks: Vec<Check> = Vec::new();
    let mut push = |mask: BooleanChunked, f: &Field, reason: &str| {
        let name = format!("__check_{}", masks.len());
        checks.push((
            col(name.as_str()),
            f.name.clone(),
            reason.to_string(),
            f.identifier,
        ));
        masks.push(mask.with_name(name.into()));
    };
    for f in &spec.fields {
        let rc = raw
            .column(&raw_name(&f.name))
            .map_err(|e| Error::frame("reading a raw column", e))?;
        let saw_empty = AtomicBool::new(false);
        let (parsed, rule_masks, missing) = if is_typed(f) {
            let parsed = rc.clone().with_name(f.name.as_str().into());
            let rule_masks = rule_masks(f, &parsed, &saw_empty)?;
            (parsed, rule_masks, rc.is_null())
        } else {
            let text = rc
                .str()
                .map_err(|e| Error::frame("reading a raw text column", e))?;
            let parsed = parse_column(text, f)?;
            let rule_masks = rule_masks(f, &parsed, &saw_empty)?;
            // A required text column is checked as read, so when a text rule
            // saw no empty value and there are no nulls, there are no blanks.
            let no_blanks = f.kind == Kind::Text
                && f.required
                && f.rules.iter().any(examines_text)
                && !saw_empty.load(Ordering::Relaxed)
                && text.null_count() == 0;
            let missing = if no_blanks {
                BooleanChunked::full(PlSmallStr::EMPTY, false, text.len())
            } else {
                blank_mask(text)
            };
            (parsed, rule_masks, missing)
        };
        if f.kind != Kind::Text && !is_typed(f) {
            // Present in the file but not parsed.
            let unparsed = &!&missing & &parsed.is_null();
            if f.required {
                push(missing, f, "a value is required");
            }
            push(unparsed, f, f.kind.parse_reason());
        } else if f.required {
            push(missing, f, "a value is required");
        }
        for (r, m) in f.rules.iter().zip(rule_masks) {
            push(m, f, r.reason());
        }
        parsed_cols.push(parsed);
    }
    for c in &spec.cross {
        let find = |name: &str| {
            spec.fields
                .iter()
                .position(|f| f.name == name)
                .map(|i| (&spec.fields[i], &parsed_cols[i]))
                .ok_or_else(|| {
                    Error::frame("checking a cross-field rule", format!("no field {name}"))
                })
        };
        let (f, v) = find(&c.field)?;
        let (_, o) = find(c.check.other())?;
        let mask = c.check.fails_mask(v, o)?.with_name(PlSmallStr::EMPTY);
        push(mask, f, &c.reason);
    }
    let mut accepted_cols = Vec::with_capacity(parsed_cols.len() + 1);
    if numbered {
        accepted_cols.push(
            raw.column(ROW)
                .map_err(|e| Error::frame("reading row numbers", e))?
                .clone(),
        );
    }
    accepted_cols.extend(parsed_cols.iter().cloned());
    // The common case for a large clean extract: no check fails, and without
    // a uniqueness rule the accepted rows are the columns as read.
    if spec.unique.is_none() && masks.iter().all(|m| count_true(m) == 0) {
        let accepted = DataFrame::new(raw.height(), accepted_cols)
            .map_err(|e| Error::frame("assembling accepted rows", e))?;
        return Ok((accepted, Vec::new()));
    }
    let any = masks.iter().fold(
        BooleanChunked::full(PlSmallStr::EMPTY, false, raw.height()),
        |acc, m| &acc | m,
    );
    let failing = count_true(&any);
    let mut extra = parsed_cols;
    extra.extend(masks.into_iter().map(IntoColumn::into_column));
    extra.push(any.with_name(ANY.into()).into_column());
    let mut df = raw
        .hstack(&extra)
        .map_err(|e| Error::frame("assembling parsed columns", e))?;
    if !numbered {
        df = df
            .with_row_index(ROW.into(), Some(1))
            .map_err(|e| Error::frame("numbering rows", e))?;
    }

    let code_of = |checks: &[Check]| -> Expr {
        checks
            .iter()
            .enumerate()
            .rev()
            .fold(lit(NULL).cast(DataType::UInt32), |acc, (i, c)| {
                when(c.0.clone()).then(lit(i as u32)).otherwise(acc)
            })
            .alias(CODE)
    };

    let mut all_checks = checks.clone();
    // Rows needing a reason: with a uniqueness rule, every row (duplicates are
    // found among otherwise valid rows); without, only the rows that fail.
    let flagged = if let Some((keys, why)) = &spec.unique {
        let ok = col(CODE).is_null().cast(DataType::UInt32);
        let key_exprs: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
        let dup_code = checks.len() as u32;
        let first = keys.first().cloned().unwrap_or_default();
        let ident = spec.fields.iter().any(|f| f.name == first && f.identifier);
        all_checks.push((lit(true), first, why.clone(), ident));
        df.lazy()
            .with_column(code_of(&checks))
            .with_column(ok.alias(OK_FLAG))
            .with_column(
                when(
                    col(CODE).is_null().and(
                        col(OK_FLAG)
                            .sum()
                            .over(key_exprs)
                            .map_err(|e| Error::frame("checking duplicates", e))?
                            .gt(lit(1u32)),
                    ),
                )
                .then(lit(dup_code))
                .otherwise(col(CODE))
                .alias(CODE),
            )
            .collect()
            .map_err(|e| Error::frame("validating rows", e))?
    } else {
        df
    };
    let n_rejected = if spec.unique.is_some() {
        flagged
            .column(CODE)
            .map(|c| flagged.height() - c.null_count())
            .map_err(|e| Error::frame("counting rejected rows", e))?
    } else {
        failing
    };

    let accepted_cols: Vec<Expr> = numbered
        .then(|| col(ROW))
        .into_iter()
        .chain(spec.fields.iter().map(|f| col(f.name.as_str())))
        .collect();
    let ok_rows = if spec.unique.is_some() {
        col(CODE).is_null()
    } else {
        col(ANY).not()
    };
    // With nothing rejected (the common case for a large clean extract) the
    // accepted rows are the whole frame: no filter, no copy.
    let accepted_lf = if n_rejected == 0 {
        flagged.clone().lazy()
    } else {
        flagged.clone().lazy().filter(ok_rows.clone())
    };
    let accepted = accepted_lf
        .select(accepted_cols)
        .collect()
        .map_err(|e| Error::frame("selecting accepted rows", e))?;
    if n_rejected == 0 {
        return Ok((accepted, Vec::new()));
    }

    // Rejections: reason, column and value by code, on the rejected rows only.
    let by_code = |pick: &dyn Fn(&Check) -> Expr| -> Expr {
        all_checks
            .iter()
            .enumerate()
            .rev()
            .fold(lit(NULL).cast(DataType::String), |acc, (i, c)| {
                when(col(CODE).eq(lit(i as u32)))
                    .then(pick(c))
                    .otherwise(acc)
            })
    };
    let pick_col = |c: &Check| lit(c.1.clone());
    let pick_reason = |c: &Check| lit(c.2.clone());
    let pick_val = |c: &Check| {
        if c.3 {
            lit(REDACTED)
        } else {
            col(raw_name(&c.1))
                .cast(DataType::String)
                .fill_null(lit(""))
        }
    };
    let mut rejected = flagged.lazy().filter(ok_rows.not());
    if spec.unique.is_none() {
        rejected = rejected.with_column(code_of(&checks));
    }
    let rej = rejected
        .select([
            col(ROW),
            by_code(&pick_col).alias(COLUMN),
            by_code(&pick_val).alias(VALUE),
            by_code(&pick_reason).alias(REASON),
        ])
        .collect()
        .map_err(|e| Error::frame("collecting rejected rows", e))?;
    let rejections = rejections_from(&rej)?;
    Ok((accepted, rejections))
}

/// The masks of a field's rules on its parsed column, in order.
fn rule_masks(f: &Field, parsed: &Column, saw_empty: &AtomicBool) -> Result<Vec<BooleanChunked>> {
    f.rules
        .iter()
        .map(|r| r.fails_mask(parsed, saw_empty))
        .collect()
}

/// Parse a raw text column as the field's kind with the scalar grammar of
/// [`parse_scalar`]: blank or unparseable → null.
fn parse_column(raw: &StringChunked, f: &Field) -> Result<Column> {
    let name: PlSmallStr = f.name.as_str().into();
    Ok(match f.kind {
        // A required text field's blanks are rejected, so the raw column is
        // already the accepted value; an optional one's blanks become null.
        Kind::Text if f.required => raw.clone().with_name(name).into_column(),
        Kind::Text => {
            if raw.iter().any(|v| v == Some("")) {
                raw.iter()
                    .map(|v| v.filter(|s| !s.is_empty()))
                    .collect::<StringChunked>()
                    .with_name(name)
                    .into_column()
            } else {
                raw.clone().with_name(name).into_column()
            }
        }
        Kind::Int => par_parse::<Int64Type>(raw, &parse_int)?
            .with_name(name)
            .into_column(),
        Kind::Date => par_parse::<Int32Type>(raw, &|s| parse_date(s).map(epoch_days))?
            .with_name(name)
            .into_date()
            .into_column(),
    })
}

/// Parse every value of a text column with `f` (null where blank or where
/// `f` gives `None`), splitting a large column across the machine's cores.
fn par_parse<T>(
    raw: &StringChunked,
    f: &(dyn Fn(&str) -> Option<T::Native> + Sync),
) -> Result<ChunkedArray<T>>
where
    T: PolarsNumericType,
{
    join(par_map(raw, &|part: &StringChunked| {
        ChunkedArray::<T>::from_iter_options(
            PlSmallStr::EMPTY,
            part.iter().map(|v| v.filter(|s| !s.is_empty()).and_then(f)),
        )
    }))
}

/// A check: condition, column, reason, whether the column is an identifier.
type Check = (Expr, String, String, bool);

fn rejections_from(df: &DataFrame) -> Result<Vec<Rejection>> {
    let get = |name: &str| -> Result<&Column> {
        df.column(name)
            .map_err(|e| Error::frame("reading rejection table", e))
    };
    let rows = get(ROW)?
        .cast(&DataType::UInt64)
        .map_err(|e| Error::frame("reading rejection rows", e))?;
    let rows = rows
        .u64()
        .map_err(|e| Error::frame("reading rejection rows", e))?
        .clone();
    let cols = get(COLUMN)?
        .str()
        .map_err(|e| Error::frame("reading rejection columns", e))?
        .clone();
    let vals = get(VALUE)?
        .str()
        .map_err(|e| Error::frame("reading rejection values", e))?
        .clone();
    let reasons = get(REASON)?
        .str()
        .map_err(|e| Error::frame("reading rejection reasons", e))?
        .clone();
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        out.push(Rejection {
            source_row: rows.get(i).unwrap_or(0),
            column: cols.get(i).unwrap_or("").to_string(),
            value: vals.get(i).unwrap_or("").to_string(),
            reason: reasons.get(i).unwrap_or("").to_string(),
        });
    }
    out.sort();
    Ok(out)
}

/// Typed path: validate rows of raw cells (in `spec.fields` order). Returns
/// the parsed values of each accepted row, with its source row, and the
/// rejections — the same as [`validate_frame`] on the same data.
pub(crate) fn validate_rows(
    rows: &[Vec<Option<String>>],
    spec: &Spec,
) -> (Vec<(u64, Vec<Value>)>, Vec<Rejection>) {
    let mut accepted: Vec<(u64, Vec<Value>)> = Vec::new();
    let mut rejections = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let source_row = i as u64 + 1;
        match check_row(row, spec) {
            Ok(values) => accepted.push((source_row, values)),
            Err((column, value, reason)) => rejections.push(Rejection {
                source_row,
                column,
                value,
                reason,
            }),
        }
    }
    if let Some((keys, why)) = &spec.unique {
        let pos: Vec<usize> = keys
            .iter()
            .filter_map(|k| spec.fields.iter().position(|f| &f.name == k))
            .collect();
        let mut counts: HashMap<Vec<Value>, usize> = HashMap::new();
        for (_, v) in &accepted {
            let key: Vec<Value> = pos.iter().map(|&p| v[p].clone()).collect();
            *counts.entry(key).or_insert(0) += 1;
        }
        let first = keys.first().cloned().unwrap_or_default();
        let ident = spec.fields.iter().any(|f| f.name == first && f.identifier);
        let first_pos = pos.first().copied();
        accepted.retain(|(row, v)| {
            let key: Vec<Value> = pos.iter().map(|&p| v[p].clone()).collect();
            if counts.get(&key).copied().unwrap_or(0) > 1 {
                let raw = first_pos
                    .and_then(|p| rows.get(*row as usize - 1)?.get(p).cloned().flatten())
                    .unwrap_or_default();
                rejections.push(Rejection {
                    source_row: *row,
                    column: first.clone(),
                    value: if ident { REDACTED.to_string() } else { raw },
                    reason: why.clone(),
                });
                false
            } else {
                true
            }
        });
    }
    rejections.sort();
    (accepted, rejections)
}

fn check_row(
    row: &[Option<String>],
    spec: &Spec,
) -> std::result::Result<Vec<Value>, (String, String, String)> {
    let mut values = Vec::with_capacity(spec.fields.len());
    for (i, f) in spec.fields.iter().enumerate() {
        let raw = row.get(i).and_then(|c| c.as_deref());
        let shown = |raw: Option<&str>| {
            if f.identifier {
                REDACTED.to_string()
            } else {
                raw.unwrap_or("").to_string()
            }
        };
        let v = match parse_scalar(raw, f.kind) {
            None if f.required => {
                return Err((f.name.clone(), shown(raw), "a value is required".into()))
            }
            None => Value::Null,
            Some(Err(())) => {
                return Err((f.name.clone(), shown(raw), f.kind.parse_reason().into()))
            }
            Some(Ok(v)) => v,
        };
        if let Some(r) = f.rules.iter().find(|r| r.fails(&v)) {
            return Err((f.name.clone(), shown(raw), r.reason().to_string()));
        }
        values.push(v);
    }
    for c in &spec.cross {
        let pos = |name: &str| spec.fields.iter().position(|f| f.name == name);
        let (Some(i), Some(j)) = (pos(&c.field), pos(c.check.other())) else {
            continue;
        };
        if c.check.fails(&values[i], &values[j]) {
            let f = &spec.fields[i];
            let raw = row.get(i).and_then(|c| c.as_deref()).unwrap_or("");
            let shown = if f.identifier { REDACTED } else { raw };
            return Err((f.name.clone(), shown.to_string(), c.reason.clone()));
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::super::kernels::PARALLEL_MIN;
    use super::*;

    /// A column large enough to be split across threads parses exactly as
    /// the scalar grammar does value by value, in order.
    #[test]
    fn parallel_parse_matches_scalar_parse() {
        let pool = [
            Some("2024-02-29"),
            Some("2023-02-29"),
            Some(""),
            None,
            Some("2024-1-05"),
            Some("1999-12-31"),
            Some("0001-01-01"),
            Some("9999-12-31"),
        ];
        let n = PARALLEL_MIN + 12_345;
        let raw: StringChunked = (0..n).map(|i| pool[(i * 7 + i / 3) % pool.len()]).collect();
        let dates = parse_column(&raw, &Field::optional("d", Kind::Date)).unwrap();
        let dates = dates.date().unwrap();
        assert_eq!(dates.len(), n);
        for (i, got) in dates.physical().iter().enumerate() {
            let want = raw
                .get(i)
                .and_then(|s| match parse_scalar(Some(s), Kind::Date) {
                    Some(Ok(Value::Date(d))) => Some(epoch_days(d)),
                    _ => None,
                });
            assert_eq!(got, want, "row {i}");
        }
        let ints: StringChunked = (0..n)
            .map(|i| {
                [
                    Some("7"),
                    Some("-3"),
                    Some("+3"),
                    Some(""),
                    None,
                    Some("007"),
                ][i % 6]
            })
            .collect();
        let parsed = parse_column(&ints, &Field::optional("c", Kind::Int)).unwrap();
        let parsed = parsed.i64().unwrap();
        for (i, got) in parsed.iter().enumerate() {
            assert_eq!(got, ints.get(i).and_then(parse_int), "row {i}");
        }
    }
}
