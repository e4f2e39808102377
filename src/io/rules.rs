//! Validation rules, defined once and applied two ways: to one value at a
//! time (typed records) and to a whole column at once (polars frames).
//!
//! Each rule's scalar check ([`Rule::fails`]) and column mask
//! ([`Rule::fails_mask`]) sit side by side, and the
//! crate's tests check that the two paths accept and reject exactly the same
//! rows for the same reasons.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

use super::kernels::{numeric_mask, outside_mask, prefetch, text_mask, TextCheck, TextWalk};
use crate::error::Error;

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

/// A set of texts a membership rule checks against: category codes, or the
/// cohort's pseudonyms.
///
/// The texts are kept in their given order in one buffer, with a hash index
/// over it. The order matters for speed only. When a column's values arrive
/// in the set's order (an extract sorted like the cohort), each new value
/// is confirmed by comparing it with the next few texts in the buffer: a
/// sequential read instead of a hash probe to a random place in memory,
/// which for a million pseudonyms is the difference between a cache hit and
/// a cache miss. A value out of order falls back to the hash index, so the
/// answer never depends on the order.
pub(crate) struct TextSet {
    /// The texts, end to end, in their given order.
    text: Vec<u8>,
    /// Where each text ends in `text`.
    ends: Vec<usize>,
    /// An open-addressed hash index, two words a slot: `[position + 1 | tag
    /// << 40, start | length << 40]` (0 is an empty slot). One probe gives
    /// both the position and where its text is, so a lookup touches two
    /// places in memory, and both can be asked for ahead of time
    /// ([`TextSet::prefetch`]).
    index: Vec<[u64; 2]>,
    hasher: foldhash::quality::RandomState,
}

/// The low 40 bits of a slot word; the high 24 are the tag or the length.
const LOW40: u64 = (1 << 40) - 1;
/// A slot's length field holds lengths below this; a longer text is marked
/// with it and compared through `ends`.
const LEN_CAP: usize = (1 << 24) - 1;

impl std::fmt::Debug for TextSet {
    // The texts may be pseudonyms: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextSet({} texts)", self.len())
    }
}

/// How many texts after the last match [`TextSet::contains_near`] compares
/// before it asks the hash index.
const AHEAD: usize = 4;

impl TextSet {
    /// The set of `texts`, in their order (a repeat is kept once, at its
    /// first place).
    pub(crate) fn new<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> Self {
        let texts: Vec<S> = texts.into_iter().collect();
        let slots = (texts.len() * 2).max(8).next_power_of_two();
        let mut set = TextSet {
            text: Vec::new(),
            ends: Vec::new(),
            index: vec![[0, 0]; slots],
            hasher: foldhash::quality::RandomState::default(),
        };
        for t in &texts {
            let t = t.as_ref().as_bytes();
            let h = set.hash(t);
            if set.probe(t, h).is_some() {
                continue;
            }
            let start = set.text.len() as u64;
            set.text.extend_from_slice(t);
            set.ends.push(set.text.len());
            let pos = set.ends.len() as u64;
            let mut i = set.slot(h);
            while set.index[i][0] != 0 {
                i = (i + 1) & (set.index.len() - 1);
            }
            let len = t.len().min(LEN_CAP) as u64;
            set.index[i] = [pos | (Self::tag(h) << 40), start | (len << 40)];
        }
        set
    }

    fn hash(&self, t: &[u8]) -> u64 {
        self.hasher.hash_one(t)
    }

    fn slot(&self, h: u64) -> usize {
        // The table has a power-of-two size; the low bits pick the slot.
        (h as usize) & (self.index.len() - 1)
    }

    fn tag(h: u64) -> u64 {
        h >> 40
    }

    /// The position of `t`, whose hash is `h`.
    fn probe(&self, t: &[u8], h: u64) -> Option<usize> {
        let mut i = self.slot(h);
        loop {
            let [a, b] = self.index[i];
            if a == 0 {
                return None;
            }
            if a >> 40 == Self::tag(h) {
                let pos = (a & LOW40) as usize - 1;
                let (start, len) = ((b & LOW40) as usize, (b >> 40) as usize);
                let same = if len < LEN_CAP {
                    len == t.len() && bytes_eq(&self.text[start..start + len], t)
                } else {
                    bytes_eq(self.get(pos), t)
                };
                if same {
                    return Some(pos);
                }
            }
            i = (i + 1) & (self.index.len() - 1);
        }
    }

    /// Ask the CPU to start loading what looking up `texts` will read: their
    /// slots, then (once those are in) their texts. A hint for a batch of
    /// lookups about to be made out of order; no effect on any answer.
    pub(crate) fn prefetch(&self, texts: &[&str], hashes: &mut Vec<u64>) {
        hashes.clear();
        hashes.extend(texts.iter().map(|t| self.hash(t.as_bytes())));
        for &h in hashes.iter() {
            prefetch(&self.index, self.slot(h));
        }
        for &h in hashes.iter() {
            let [a, b] = self.index[self.slot(h)];
            if a != 0 {
                prefetch(&self.text, (b & LOW40) as usize);
            }
        }
    }

    /// How many texts.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The text at a position of the given order, as bytes.
    fn get(&self, pos: usize) -> &[u8] {
        slice(&self.text, &self.ends, pos)
    }

    /// Where `t` is in the given order.
    fn position(&self, t: &str) -> Option<usize> {
        self.probe(t.as_bytes(), self.hash(t.as_bytes()))
    }

    /// Whether `t` is in the set.
    pub(crate) fn contains(&self, t: &str) -> bool {
        self.position(t).is_some()
    }

    /// Whether `t` is in the set, looking first just after the last text
    /// found (`hint`, which this updates). When the values have stopped
    /// following the set's order (most of the last few lookups missed
    /// nearby), it looks nearby only now and then, to notice when the order
    /// returns, and otherwise goes straight to the hash index.
    pub(crate) fn contains_near(&self, t: &str, hint: &mut NearHint) -> bool {
        let look = hint.misses < COLD_AFTER || hint.misses.is_multiple_of(RETRY_EVERY);
        if look {
            let last = (hint.pos + AHEAD).min(self.len().saturating_sub(1));
            for p in hint.pos + 1..=last {
                if bytes_eq(self.get(p), t.as_bytes()) {
                    hint.pos = p;
                    hint.misses = 0;
                    // The texts a little further on will be asked for next.
                    let ahead = (p + 16).min(self.len() - 1);
                    prefetch(&self.ends, ahead);
                    prefetch(&self.text, self.ends[ahead]);
                    return true;
                }
            }
        }
        hint.misses = hint.misses.saturating_add(1);
        match self.position(t) {
            Some(p) => {
                hint.pos = p;
                true
            }
            None => false,
        }
    }
}

/// Where [`TextSet::contains_near`] found its last text, and how many
/// lookups in a row have missed nearby since.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NearHint {
    /// The position of the last text found.
    pub(crate) pos: usize,
    /// Lookups in a row not found nearby.
    misses: u32,
}

impl NearHint {
    /// Whether lookups have stopped finding their text nearby (the values
    /// are not in the set's order).
    pub(crate) fn is_cold(&self) -> bool {
        self.misses >= COLD_AFTER
    }
}

/// After this many lookups in a row missed nearby, stop looking nearby...
const COLD_AFTER: u32 = 8;
/// ...except on every this-many-th lookup.
const RETRY_EVERY: u32 = 64;

/// Byte equality, with texts of 8 to 16 bytes (pseudonyms, codes) compared
/// as two overlapping words instead of through a call to `memcmp`.
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=16).contains(&n) {
        let word = |s: &[u8], at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&s[at..at + 8]);
            u64::from_ne_bytes(w)
        };
        return word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8);
    }
    a == b
}

fn slice<'a>(text: &'a [u8], ends: &[usize], pos: usize) -> &'a [u8] {
    let start = if pos == 0 { 0 } else { ends[pos - 1] };
    &text[start..ends[pos]]
}

/// Sets larger than this are searched near the last match first
/// ([`TextSet::contains_near`]): worth it for a cohort, not for a code list.
const NEAR_MIN: usize = 256;

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
        labels: Arc<TextSet>,
        /// The reason given.
        reason: Arc<str>,
    },
    /// Text in a set (codes, known person ids).
    TextIn {
        /// The allowed values.
        allowed: Arc<TextSet>,
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

    /// Frame path: a mask true where the parsed column breaks the rule (false
    /// where it is null), worked out on the column's arrays by the same
    /// comparisons as [`Rule::fails`].
    ///
    /// A text rule puts every present value to its predicate (or a value
    /// equal to one it did), so it also notes in `saw_empty` whether any was
    /// the empty text: when none was, a column without nulls has no blanks,
    /// and the blank check need not scan it again.
    pub fn fails_mask(
        &self,
        parsed: &Column,
        saw_empty: &AtomicBool,
    ) -> Result<BooleanChunked, Error> {
        let kind_err = |e| Error::frame(format!("checking '{}'", parsed.name()), e);
        Ok(match self {
            Rule::IntRange { min, max, .. } => {
                outside_mask(parsed.i64().map_err(kind_err)?, Some(*min), Some(*max))?
            }
            Rule::IntIn { allowed, .. } => {
                let allowed = Arc::clone(allowed);
                numeric_mask(parsed.i64().map_err(kind_err)?, |x| !allowed.contains(&x))?
            }
            Rule::DateFrom { bound, .. } => {
                let days = parsed.date().map_err(kind_err)?.physical();
                outside_mask(days, Some(epoch_days(*bound)), None)?
            }
            Rule::DateTo { bound, .. } => {
                let days = parsed.date().map_err(kind_err)?.physical();
                outside_mask(days, None, Some(epoch_days(*bound)))?
            }
            Rule::TextIn { allowed, .. } => {
                let text = parsed.str().map_err(kind_err)?;
                if allowed.len() > NEAR_MIN {
                    let check = NotMember {
                        set: allowed,
                        saw_empty,
                    };
                    text_mask(text, TextWalk::Runs, &check)?
                } else {
                    text_mask(text, TextWalk::Distinct, &|t: &str, _: &mut NearHint| {
                        note_empty(t, saw_empty);
                        !allowed.contains(t)
                    })?
                }
            }
            Rule::CountOrBand { labels, .. } => text_mask(
                parsed.str().map_err(kind_err)?,
                TextWalk::Distinct,
                &|t: &str, _: &mut NearHint| {
                    note_empty(t, saw_empty);
                    !(parse_int(t).is_some_and(|n| n >= 0) || labels.contains(t))
                },
            )?,
        })
    }
}

/// The check of a large set (the cohort's pseudonyms): not in the set,
/// looked up near the last match; when the values are out of the set's
/// order, a batch's lookups have their memory asked for ahead.
struct NotMember<'a> {
    set: &'a TextSet,
    saw_empty: &'a AtomicBool,
}

impl TextCheck for NotMember<'_> {
    fn fails(&self, t: &str, hint: &mut NearHint) -> bool {
        note_empty(t, self.saw_empty);
        !self.set.contains_near(t, hint)
    }

    fn prepare(&self, batch: &[&str], hint: &NearHint, scratch: &mut Vec<u64>) {
        if hint.is_cold() {
            self.set.prefetch(batch, scratch);
        }
    }
}

/// Whether a rule's column mask puts every present text to its predicate
/// (see [`Rule::fails_mask`]).
pub(crate) fn examines_text(rule: &Rule) -> bool {
    matches!(rule, Rule::TextIn { .. } | Rule::CountOrBand { .. })
}

fn note_empty(t: &str, saw_empty: &AtomicBool) {
    if t.is_empty() {
        saw_empty.store(true, Ordering::Relaxed);
    }
}

/// Days from 1970-01-01 to `d` (polars' `Date`).
pub(crate) fn epoch_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - UNIX_EPOCH_CE
}

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
pub(crate) const UNIX_EPOCH_CE: i32 = 719_163;

#[cfg(test)]
mod tests {
    use super::*;

    /// Looking near the last match gives the same answers as the hash index,
    /// whatever order the values come in.
    #[test]
    fn text_set_near_lookups_equal_plain_lookups() {
        let texts: Vec<String> = (0..1000)
            .map(|i| format!("id{:04}", i * 7 % 1000))
            .collect();
        let set = TextSet::new(texts.iter().chain(texts.iter().take(10)));
        assert_eq!(set.len(), 1000);
        let mut hint = NearHint::default();
        let probes = texts
            .iter()
            .cloned()
            .chain((0..3000).map(|i| format!("id{:04}", (i * 13 + i / 5) % 1200)))
            .chain(["".to_string(), "id".to_string(), "id00000".to_string()])
            // In order again after the disorder: found nearby once more.
            .chain(texts.iter().cloned());
        for (k, t) in probes.enumerate() {
            let want = texts.contains(&t);
            assert_eq!(set.contains(&t), want, "{t}");
            assert_eq!(set.contains_near(&t, &mut hint), want, "probe {k}: {t}");
            if want {
                assert_eq!(set.get(hint.pos), t.as_bytes());
            }
        }
        assert_eq!(hint.misses, 0, "back to looking nearby");
        assert!(format!("{set:?}").contains("1000 texts"));
        assert!(!format!("{set:?}").contains("id0"));
    }

    /// The cohort check on a column in the set's order, then shuffled (so
    /// lookups go cold and batches are prefetched), then in order again,
    /// across the parallel threshold: the mask is set membership, row by row.
    #[test]
    fn membership_mask_equals_set_membership_in_any_order() {
        let texts: Vec<String> = (0..1000)
            .map(|i| {
                if i % 3 == 0 {
                    format!("p{i}")
                } else {
                    format!("a-pseudonym-longer-than-a-view-{i}")
                }
            })
            .collect();
        let allowed = Arc::new(TextSet::new(&texts));
        let rule = Rule::TextIn {
            allowed: Arc::clone(&allowed),
            reason: "unknown".into(),
        };
        let mut rng = crate::rng::Rng::new(7);
        let mut next = move |n: u64| rng.below(n);
        let mut values: Vec<Option<String>> = Vec::new();
        for i in 0..120_000 {
            values.push(Some(texts[(i / 3) % texts.len()].clone()));
        }
        for _ in 0..150_000 {
            values.push(match next(50) {
                0 => None,
                1 => Some(format!("stranger-{}", next(5))),
                _ => Some(texts[next(1000) as usize].clone()),
            });
        }
        for i in 0..30_000 {
            values.push(Some(texts[i % texts.len()].clone()));
        }
        let column: StringChunked = values.iter().map(|v| v.as_deref()).collect();
        let column = column.into_column();
        let saw_empty = AtomicBool::new(false);
        let mask = rule.fails_mask(&column, &saw_empty).unwrap();
        assert_eq!(mask.len(), values.len());
        for (i, (m, v)) in mask.iter().zip(&values).enumerate() {
            let want = v.as_deref().is_some_and(|t| !allowed.contains(t));
            assert_eq!(m, Some(want), "row {i}");
        }
        assert!(!saw_empty.load(Ordering::Relaxed));
    }

    #[test]
    fn bytes_eq_is_equality() {
        let texts: Vec<Vec<u8>> = (0..24)
            .flat_map(|n| {
                let base: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
                let mut variants = vec![base.clone()];
                for at in 0..n {
                    let mut v = base.clone();
                    v[at] = b'Z';
                    variants.push(v);
                }
                variants
            })
            .collect();
        for a in &texts {
            for b in &texts {
                assert_eq!(bytes_eq(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

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
