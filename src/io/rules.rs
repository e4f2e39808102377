//! Validation rules, defined once and applied two ways: to one value at a
//! time (typed records) and to a whole column at once (polars frames).
//!
//! Each rule's scalar check ([`Rule::fails`]) and column expression
//! ([`Rule::fails_expr`]) sit side by side in the same `match`, and the
//! crate's tests check that the two paths accept and reject exactly the same
//! rows for the same reasons.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;

/// The type a column is parsed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, kept as given (trimmed of nothing).
    Text,
    /// A whole number (`i64`).
    Int,
    /// A calendar date written `YYYY-MM-DD`.
    Date,
}

impl Kind {
    /// The reason given when a value does not parse.
    pub fn parse_reason(self) -> &'static str {
        match self {
            Kind::Text => "not text",
            Kind::Int => "not a whole number",
            Kind::Date => "not a valid date (expected YYYY-MM-DD)",
        }
    }
}

/// A parsed scalar value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// Blank.
    Null,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A date.
    Date(NaiveDate),
}

/// Parse one raw cell as `kind`, exactly as the frame path does: `None` for
/// a blank cell, `Some(Err)` for a value that does not parse.
pub fn parse_scalar(raw: Option<&str>, kind: Kind) -> Option<Result<Value, ()>> {
    let raw = raw?;
    if raw.is_empty() {
        return None;
    }
    Some(match kind {
        Kind::Text => Ok(Value::Text(raw.to_string())),
        Kind::Int => parse_int(raw).map(Value::Int).ok_or(()),
        Kind::Date => parse_date(raw).map(Value::Date).ok_or(()),
    })
}

/// The integer grammar both paths accept: an optional `-` and 1–18 ASCII
/// digits. Anything else ("+5", " 5", "5.0", "1e3") is not a whole number.
pub fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The date grammar both paths accept: `YYYY-MM-DD` with exactly four, two
/// and two digits, naming a day that exists.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return None;
    }
    // Every byte used below is an ASCII digit (checked above).
    let digit = |i: usize| u32::from(b[i] - b'0');
    let y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
    let m = digit(5) * 10 + digit(6);
    let d = digit(8) * 10 + digit(9);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// A rule a parsed value must satisfy. Blank values are handled by
/// `required`, not by rules: every rule passes a blank.
#[derive(Debug, Clone)]
pub enum Rule {
    /// An integer in `min..=max`.
    IntRange {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
        /// The reason given.
        reason: Arc<str>,
    },
    /// An integer in a fixed set (e.g. 0, 2, 4, 6, 8).
    IntIn {
        /// The allowed values.
        allowed: Arc<[i64]>,
        /// The reason given.
        reason: Arc<str>,
    },
    /// A date on or after a bound.
    DateFrom {
        /// The first allowed date.
        bound: NaiveDate,
        /// The reason given.
        reason: Arc<str>,
    },
    /// A date on or before a bound.
    DateTo {
        /// The last allowed date.
        bound: NaiveDate,
        /// The reason given.
        reason: Arc<str>,
    },
    /// Text that is a whole number ≥ 0 or one of a set of band labels.
    CountOrBand {
        /// The band labels accepted (exact text).
        labels: Arc<HashSet<String>>,
        /// The reason given.
        reason: Arc<str>,
    },
    /// Text in a set (codes, known person ids).
    TextIn {
        /// The allowed values.
        allowed: Arc<HashSet<String>>,
        /// The reason given.
        reason: Arc<str>,
    },
}

impl Rule {
    /// The reason this rule gives when it fails.
    pub fn reason(&self) -> &str {
        match self {
            Rule::IntRange { reason, .. }
            | Rule::IntIn { reason, .. }
            | Rule::DateFrom { reason, .. }
            | Rule::DateTo { reason, .. }
            | Rule::CountOrBand { reason, .. }
            | Rule::TextIn { reason, .. } => reason,
        }
    }

    /// Scalar path: does `v` break the rule?
    pub fn fails(&self, v: &Value) -> bool {
        match (self, v) {
            (_, Value::Null) => false,
            (Rule::IntRange { min, max, .. }, Value::Int(x)) => x < min || x > max,
            (Rule::IntIn { allowed, .. }, Value::Int(x)) => !allowed.contains(x),
            (Rule::DateFrom { bound, .. }, Value::Date(d)) => d < bound,
            (Rule::DateTo { bound, .. }, Value::Date(d)) => d > bound,
            (Rule::TextIn { allowed, .. }, Value::Text(t)) => !allowed.contains(t),
            (Rule::CountOrBand { labels, .. }, Value::Text(t)) => {
                !(parse_int(t).is_some_and(|n| n >= 0) || labels.contains(t))
            }
            // A rule applied to a value of another kind is a programming
            // error in a schema; the schema tests rule it out.
            _ => true,
        }
    }

    /// Frame path: an expression true where the parsed column breaks the rule
    /// (false where it is null).
    pub fn fails_expr(&self, parsed: Expr) -> Expr {
        let f = match self {
            Rule::IntRange { min, max, .. } => parsed
                .clone()
                .lt(lit(*min))
                .or(parsed.clone().gt(lit(*max))),
            Rule::IntIn { allowed, .. } => {
                let s = Series::new("allowed".into(), allowed.to_vec());
                parsed.clone().is_in(lit(s).implode(false), false).not()
            }
            Rule::DateFrom { bound, .. } => parsed.clone().lt(lit(*bound)),
            Rule::DateTo { bound, .. } => parsed.clone().gt(lit(*bound)),
            Rule::CountOrBand { labels, .. } => {
                let v: Vec<&str> = labels.iter().map(String::as_str).collect();
                let s = Series::new("labels".into(), v);
                let count = parsed.clone().str().contains(lit(r"^[0-9]{1,18}$"), true);
                count
                    .or(parsed.clone().is_in(lit(s).implode(false), false))
                    .not()
            }
            Rule::TextIn { allowed, .. } => {
                let v: Vec<&str> = allowed.iter().map(String::as_str).collect();
                let s = Series::new("allowed".into(), v);
                parsed.clone().is_in(lit(s).implode(false), false).not()
            }
        };
        parsed.is_not_null().and(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_grammar() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("-7"), Some(-7));
        assert_eq!(parse_int("007"), Some(7));
        for bad in [
            "+5",
            " 5",
            "5 ",
            "5.0",
            "1e3",
            "",
            "-",
            "abc",
            "1234567890123456789",
        ] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn date_grammar() {
        assert_eq!(
            parse_date("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "2024-13-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01 ",
            "2024-00-10",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }
}
