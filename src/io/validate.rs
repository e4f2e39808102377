//! The validation engine: one [`Spec`] per dataset, applied either to a
//! polars frame (column-wise) or to rows of raw strings (typed records).
//! Both produce the same accepted rows and the same [`Rejection`]s.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Datelike;

use polars::prelude::*;
use serde::Serialize;

use super::rules::{parse_date, parse_int, parse_scalar, Kind, Rule, Value};
use crate::error::{Error, Result};

/// What a rejection table shows instead of a person identifier.
pub const REDACTED: &str = "<redacted>";

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
    /// Columns whose combination must be unique among otherwise valid rows,
    /// with the reason given for duplicates.
    pub unique: Option<(Vec<String>, String)>,
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
/// Sets larger than this are checked by a join rather than `is_in`.
const LARGE_SET: usize = 256;
const REASON: &str = "__reason";
const CODE: &str = "__code";
const COLUMN: &str = "__column";
const VALUE: &str = "__value";
const OK_FLAG: &str = "__ok";
const ANY: &str = "__any_check_fails";

fn raw_name(f: &str) -> String {
    format!("__raw_{f}")
}

fn missing_expr(raw: Expr) -> Expr {
    raw.clone()
        .is_null()
        .or(raw.str().len_bytes().eq(lit(0u32)))
}

/// Frame path. `lf` holds the raw columns under their canonical names as
/// strings (or already typed, for Parquet), plus [`ROW`]. Returns the
/// accepted frame (parsed columns + [`ROW`]) and the rejections.
///
/// The raw columns are read once; integers and dates are parsed by the same
/// scalar functions the typed path uses ([`parse_int`], [`parse_date`]), so
/// the two paths agree by construction. Membership of a large set (the
/// cohort's person ids) is checked by a hash lookup that skips runs of the
/// same value (extracts are usually grouped by person). The checks are cheap
/// boolean columns; the reason for a rejection is worked out only for the
/// rows that fail one.
pub(crate) fn validate_frame(
    lf: LazyFrame,
    spec: &Spec,
    typed: &[String],
) -> Result<(DataFrame, Vec<Rejection>)> {
    let is_typed = |f: &Field| typed.iter().any(|t| t == &f.name);
    // The raw columns under their raw names.
    let mut exprs = vec![col(ROW)];
    for f in &spec.fields {
        exprs.push(col(f.name.as_str()).alias(raw_name(&f.name)));
    }
    let raw = lf
        .select(exprs)
        .collect()
        .map_err(|e| Error::frame("reading rows", e))?;

    // Parsed columns and large-set membership flags.
    let mut added: Vec<Column> = Vec::new();
    let mut member_flags: Vec<String> = Vec::new();
    for f in &spec.fields {
        let rc = raw
            .column(&raw_name(&f.name))
            .map_err(|e| Error::frame("reading a raw column", e))?;
        let parsed: Column = if is_typed(f) {
            rc.clone().with_name(f.name.as_str().into())
        } else {
            let text = rc
                .str()
                .map_err(|e| Error::frame("reading a raw text column", e))?;
            parse_column(text, f)?
        };
        for (k, r) in f.rules.iter().enumerate() {
            if let Rule::TextIn { allowed, .. } = r {
                if allowed.len() > LARGE_SET {
                    let name = member_flag(&f.name, k);
                    let values = parsed
                        .str()
                        .map_err(|e| Error::frame("checking membership", e))?;
                    added.push(not_in_set(values, allowed, &name)?.into_column());
                    member_flags.push(name);
                }
            }
        }
        added.push(parsed);
    }
    let df = raw
        .hstack(&added)
        .map_err(|e| Error::frame("assembling parsed columns", e))?;

    // Every check as a boolean expression, in field order: the first that
    // fails gives the row's reason, column and value.
    let mut checks: Vec<Check> = Vec::new();
    for f in &spec.fields {
        let rawc = col(raw_name(&f.name));
        let p = col(f.name.as_str());
        let missing = if is_typed(f) {
            rawc.clone().is_null()
        } else {
            missing_expr(rawc.clone())
        };
        if f.required {
            checks.push((
                missing.clone(),
                f.name.clone(),
                "a value is required".into(),
                f.identifier,
            ));
        }
        if f.kind != Kind::Text && !is_typed(f) {
            checks.push((
                missing.not().and(p.clone().is_null()),
                f.name.clone(),
                f.kind.parse_reason().into(),
                f.identifier,
            ));
        }
        for (k, r) in f.rules.iter().enumerate() {
            let flag = member_flag(&f.name, k);
            let fails = if member_flags.contains(&flag) {
                col(flag.as_str())
            } else {
                r.fails_expr(p.clone())
            };
            checks.push((fails, f.name.clone(), r.reason().to_string(), f.identifier));
        }
    }
    let any = checks.iter().fold(lit(false), |acc, c| {
        acc.or(c.0.clone().fill_null(lit(false)))
    });
    // The first failing check as a small integer code.
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
        df.lazy()
            .with_column(any.alias(ANY))
            .collect()
            .map_err(|e| Error::frame("validating rows", e))?
    };
    let n_rejected = if spec.unique.is_some() {
        flagged
            .column(CODE)
            .map(|c| flagged.height() - c.null_count())
    } else {
        flagged
            .column(ANY)
            .map(|c| c.bool().map(|b| b.sum().unwrap_or(0) as usize).unwrap_or(0))
    }
    .map_err(|e| Error::frame("counting rejected rows", e))?;

    let accepted_cols: Vec<Expr> = std::iter::once(col(ROW))
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

fn member_flag(field: &str, rule: usize) -> String {
    format!("__not_in_{field}_{rule}")
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
        Kind::Date => par_parse::<Int32Type>(raw, &|s| {
            parse_date(s).map(|d| d.num_days_from_ce() - UNIX_EPOCH_CE)
        })?
        .with_name(name)
        .into_date()
        .into_column(),
    })
}

/// Below this many values, parse on the calling thread.
const PARALLEL_MIN: usize = 200_000;

/// Parse every value of a text column with `f` (null where blank or where
/// `f` gives `None`), splitting a large column across the machine's cores.
fn par_parse<T>(
    raw: &StringChunked,
    f: &(dyn Fn(&str) -> Option<T::Native> + Sync),
) -> Result<ChunkedArray<T>>
where
    T: PolarsNumericType,
{
    join_numeric(par_map(raw, &|part: &StringChunked| {
        ChunkedArray::<T>::from_iter_options(
            PlSmallStr::EMPTY,
            part.iter().map(|v| v.filter(|s| !s.is_empty()).and_then(f)),
        )
    }))
}

/// `f` applied to consecutive slices of `raw`, one per core for a large
/// column; the results in order.
fn par_map<T: PolarsDataType>(
    raw: &StringChunked,
    f: &(dyn Fn(&StringChunked) -> ChunkedArray<T> + Sync),
) -> Vec<ChunkedArray<T>> {
    let n = raw.len();
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(16));
    if n < PARALLEL_MIN || threads == 1 {
        return vec![f(raw)];
    }
    let per = n.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let part = raw.slice((i * per) as i64, per);
                s.spawn(move || f(&part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Join the numeric parts [`par_map`] made, in order.
fn join_numeric<T: PolarsNumericType>(parts: Vec<ChunkedArray<T>>) -> Result<ChunkedArray<T>> {
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    for p in parts {
        out.append(&p)
            .map_err(|e| Error::frame("joining parsed parts", e))?;
    }
    Ok(out)
}

/// Join the boolean parts [`par_map`] made, in order.
fn join_bool(parts: Vec<BooleanChunked>) -> Result<BooleanChunked> {
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    for p in parts {
        out.append(&p)
            .map_err(|e| Error::frame("joining membership flags", e))?;
    }
    Ok(out)
}

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_CE: i32 = 719_163;

/// Whether `v` is not in `set`, reusing the answer for the previous value
/// when `v` is the same text (often the same buffer, for dictionary-encoded
/// input).
fn run_flag<'a>(last: &mut Option<(&'a str, bool)>, set: &HashSet<String>, v: &'a str) -> bool {
    if let Some((prev, out)) = *last {
        if (prev.as_ptr() == v.as_ptr() && prev.len() == v.len()) || prev == v {
            return out;
        }
    }
    let out = !set.contains(v);
    *last = Some((v, out));
    out
}

/// True where a value is present and not in `set` (a blank is the
/// `required` check's business). Consecutive equal values (an extract sorted
/// by person) share one lookup; a large column is split across cores.
fn not_in_set(values: &StringChunked, set: &HashSet<String>, name: &str) -> Result<BooleanChunked> {
    let check = |part: &StringChunked| -> BooleanChunked {
        // A plain Vec<bool> then one packing pass: far cheaper than
        // collecting an iterator of bools into a bitmap.
        let mut flags = Vec::with_capacity(part.len());
        let mut last: Option<(&str, bool)> = None;
        let no_nulls = part.null_count() == 0;
        for arr in part.downcast_iter() {
            if no_nulls {
                flags.extend(arr.values_iter().map(|v| run_flag(&mut last, set, v)));
            } else {
                flags.extend(
                    arr.iter()
                        .map(|v| v.is_some_and(|v| run_flag(&mut last, set, v))),
                );
            }
        }
        BooleanChunked::from_slice(PlSmallStr::EMPTY, &flags)
    };
    let out = join_bool(par_map(values, &check))?;
    Ok(out.with_name(name.into()))
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
    Ok(values)
}

#[cfg(test)]
mod tests {
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
                    Some(Ok(Value::Date(d))) => Some(d.num_days_from_ce() - UNIX_EPOCH_CE),
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

    #[test]
    fn membership_lookups_skip_runs_but_not_changes() {
        let set: HashSet<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let v: StringChunked = [
            Some("a"),
            Some("a"),
            Some("z"),
            Some("z"),
            None,
            Some("b"),
            Some("z"),
        ]
        .into_iter()
        .collect();
        let flags: Vec<Option<bool>> = not_in_set(&v, &set, "f").unwrap().iter().collect();
        assert_eq!(
            flags,
            [false, false, true, true, false, false, true].map(Some)
        );
        // Across the parallel threshold, unsorted, with runs.
        let n = PARALLEL_MIN + 999;
        let pool = [Some("a"), Some("z"), None, Some("b"), Some("b"), Some("q")];
        let big: StringChunked = (0..n).map(|i| pool[(i * 5 + i / 7) % pool.len()]).collect();
        let got = not_in_set(&big, &set, "f").unwrap();
        assert_eq!(got.len(), n);
        for (i, g) in got.iter().enumerate() {
            let want = big.get(i).is_some_and(|v| !set.contains(v));
            assert_eq!(g, Some(want), "row {i}");
        }
    }
}
