//! The validation engine: one [`Spec`] per dataset, applied either to a
//! polars frame (column-wise) or to rows of raw strings (typed records).
//! Both produce the same accepted rows and the same [`Rejection`]s.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;
use serde::Serialize;

use super::rules::{parse_expr, parse_scalar, Kind, Rule, Value};
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
pub(crate) fn validate_frame(
    lf: LazyFrame,
    spec: &Spec,
    typed: &[String],
) -> Result<(DataFrame, Vec<Rejection>)> {
    let is_typed = |f: &Field| typed.iter().any(|t| t == &f.name);
    // Rename raw columns and parse.
    let mut exprs = vec![col(ROW)];
    for f in &spec.fields {
        exprs.push(col(f.name.as_str()).alias(raw_name(&f.name)));
    }
    let lf = lf.select(exprs);
    let mut parsed = Vec::new();
    for f in &spec.fields {
        let raw = col(raw_name(&f.name));
        let p = if is_typed(f) {
            raw
        } else {
            parse_expr(raw, f.kind)
        };
        parsed.push(p.alias(f.name.as_str()));
    }
    let mut lf = lf.with_columns(parsed);

    // Membership in a large set (known person ids) is a hash join, not an
    // `is_in` against a literal list, which polars evaluates far more slowly.
    // The join adds a flag column that the rule's check then reads.
    let mut member_flags: Vec<(String, usize)> = Vec::new();
    for f in &spec.fields {
        for (k, r) in f.rules.iter().enumerate() {
            if let Rule::TextIn { allowed, .. } = r {
                if allowed.len() > LARGE_SET {
                    let flag = format!("__in_{}_{k}", f.name);
                    let mut values: Vec<&str> = allowed.iter().map(String::as_str).collect();
                    values.sort_unstable();
                    let set =
                        DataFrame::new_infer_height(vec![Column::new("__key".into(), values)])
                            .and_then(|df| {
                                let n = df.height();
                                df.hstack(&[Column::new(flag.as_str().into(), vec![true; n])])
                            })
                            .map_err(|e| Error::frame("preparing a membership check", e))?;
                    let args = JoinArgs {
                        maintain_order: MaintainOrderJoin::Left,
                        ..JoinArgs::new(JoinType::Left)
                    };
                    lf = lf.join(set.lazy(), [col(f.name.as_str())], [col("__key")], args);
                    member_flags.push((flag, k));
                }
            }
        }
    }

    // The first failing check, in field order, gives reason/column/value.
    let mut checks: Vec<Check> = Vec::new();
    for f in &spec.fields {
        let raw = col(raw_name(&f.name));
        let p = col(f.name.as_str());
        let missing = if is_typed(f) {
            raw.clone().is_null()
        } else {
            missing_expr(raw.clone())
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
            let flag = format!("__in_{}_{k}", f.name);
            let fails = if member_flags.iter().any(|(m, _)| *m == flag) {
                p.clone().is_not_null().and(col(flag.as_str()).is_null())
            } else {
                r.fails_expr(p.clone())
            };
            checks.push((fails, f.name.clone(), r.reason().to_string(), f.identifier));
        }
    }
    // The first failing check gives the row's reason, as a small integer
    // code: cheap to compute over every row. Text is made only for the
    // rejected rows.
    let code = checks
        .iter()
        .enumerate()
        .rev()
        .fold(lit(NULL).cast(DataType::UInt32), |acc, (i, c)| {
            when(c.0.clone()).then(lit(i as u32)).otherwise(acc)
        })
        .alias(CODE);
    let mut lf = lf.with_column(code);

    let mut all_checks = checks.clone();
    if let Some((keys, why)) = &spec.unique {
        let ok = col(CODE).is_null().cast(DataType::UInt32);
        let key_exprs: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
        let dup_code = checks.len() as u32;
        lf = lf.with_column(ok.alias(OK_FLAG)).with_column(
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
        );
        let first = keys.first().cloned().unwrap_or_default();
        let ident = spec.fields.iter().any(|f| f.name == first && f.identifier);
        all_checks.push((lit(true), first, why.clone(), ident));
    }
    let df = lf
        .collect()
        .map_err(|e| Error::frame("validating rows", e))?;

    let accepted_cols: Vec<Expr> = std::iter::once(col(ROW))
        .chain(spec.fields.iter().map(|f| col(f.name.as_str())))
        .collect();
    let n_rejected = df
        .column(CODE)
        .map(|c| df.height() - c.null_count())
        .map_err(|e| Error::frame("counting rejected rows", e))?;
    // With nothing rejected (the common case for a large clean extract) the
    // accepted rows are the whole frame: no filter, no copy.
    let accepted_lf = if n_rejected == 0 {
        df.clone().lazy()
    } else {
        df.clone().lazy().filter(col(CODE).is_null())
    };
    let accepted = accepted_lf
        .select(accepted_cols)
        .collect()
        .map_err(|e| Error::frame("selecting accepted rows", e))?;

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
    let rej = df
        .lazy()
        .filter(col(CODE).is_not_null())
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
