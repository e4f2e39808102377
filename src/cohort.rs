//! The cohort: who is in the evaluation, when their support started, and
//! which group they belong to.
//!
//! Every person is known only by a [`PersonId`], a keyed pseudonym made by a
//! [`Pseudonymiser`] from the raw identifier on load (HMAC-SHA256 with a key
//! the caller holds), so raw identifiers never enter an analysis. A
//! `PersonId` never prints its value: its `Debug` and `Display` are redacted.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{Error, Result};

/// A pseudonymous person identifier.
///
/// Holds a pseudonym (never a raw identifier when made through
/// [`Pseudonymiser`]). Its `Debug` and `Display` print `PersonId(<redacted>)`
/// so that it cannot leak into an error message, a log line or a report by
/// accident; [`PersonId::pseudonym`] gives the value where a join needs it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(std::sync::Arc<str>);

impl PersonId {
    /// Wrap a value that is already a pseudonym (e.g. read from a file that
    /// was pseudonymised upstream).
    ///
    /// # Errors
    /// If the value is empty or only whitespace.
    pub fn from_pseudonym(pseudonym: impl Into<String>) -> Result<Self> {
        let p = pseudonym.into();
        if p.trim().is_empty() {
            return Err(Error::invalid_parameter(
                "person_id",
                "\"\"",
                "a person identifier must not be empty",
            ));
        }
        Ok(PersonId(p.into()))
    }

    /// The pseudonym, for joins and for writing pseudonymised extracts.
    pub fn pseudonym(&self) -> &str {
        &self.0
    }
}

/// Maps keyed by `PersonId` can be searched by the pseudonym's text (the
/// hash and order of a `PersonId` are those of its text).
impl std::borrow::Borrow<str> for PersonId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonId(<redacted>)")
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Keyed pseudonymisation: HMAC-SHA256 of the raw identifier under a key the
/// caller holds, hex-encoded (the first 16 bytes, 32 hex characters).
///
/// The same key and raw identifier always give the same pseudonym, so files
/// from different agencies link; without the key the pseudonym cannot be
/// reversed or recomputed from a guessed identifier.
#[derive(Clone)]
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonymiser { key: <redacted> }")
    }
}

impl Pseudonymiser {
    /// The minimum key length in bytes.
    pub const MIN_KEY_BYTES: usize = 16;

    /// A pseudonymiser with the caller's secret key.
    ///
    /// # Errors
    /// If the key is shorter than [`Self::MIN_KEY_BYTES`] bytes.
    pub fn new(key: &[u8]) -> Result<Self> {
        if key.len() < Self::MIN_KEY_BYTES {
            return Err(Error::invalid_parameter(
                "pseudonymisation key",
                format!("{} bytes", key.len()),
                format!("the key must be at least {} bytes", Self::MIN_KEY_BYTES),
            ));
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| {
            Error::invalid_parameter("pseudonymisation key", "(key)", "rejected by HMAC")
        })?;
        Ok(Pseudonymiser { mac })
    }

    /// The pseudonym of a raw identifier (whitespace at either end ignored).
    pub fn pseudonym(&self, raw: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(raw.trim().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(32);
        for b in &digest[..16] {
            out.push(char::from(HEX[(b >> 4) as usize]));
            out.push(char::from(HEX[(b & 0xF) as usize]));
        }
        out
    }

    /// The [`PersonId`] of a raw identifier.
    ///
    /// # Errors
    /// If the raw identifier is empty.
    pub fn person_id(&self, raw: &str) -> Result<PersonId> {
        if raw.trim().is_empty() {
            return Err(Error::invalid_parameter(
                "person_id",
                "\"\"",
                "a person identifier must not be empty",
            ));
        }
        Ok(PersonId(self.pseudonym(raw).into()))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Which arm of the evaluation a person is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Supported by the programme.
    Programme,
    /// In the comparison group.
    Comparison,
    /// Not (yet) assigned.
    Unknown,
}

/// Before or after a person's (or an area's) programme start: the two
/// observation windows every pre/post comparison, costing and area design
/// reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Phase {
    /// Before the start (baseline).
    Before,
    /// From the start (during and after the programme: follow-up).
    After,
}

impl Phase {
    /// `"before"` or `"after"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
        }
    }
}

impl Group {
    /// Every group, in order.
    pub const ALL: [Group; 3] = [Group::Programme, Group::Comparison, Group::Unknown];

    /// The code used in files: `programme`, `comparison`, `unknown`.
    pub fn code(self) -> &'static str {
        match self {
            Group::Programme => "programme",
            Group::Comparison => "comparison",
            Group::Unknown => "unknown",
        }
    }

    /// Parse a code (case-insensitive; `treated`/`treatment`/`1` mean
    /// programme, `control`/`0` mean comparison).
    pub fn parse(s: &str) -> Option<Group> {
        match s.trim().to_ascii_lowercase().as_str() {
            "programme" | "program" | "treated" | "treatment" | "1" => Some(Group::Programme),
            "comparison" | "control" | "0" => Some(Group::Comparison),
            "unknown" | "" => Some(Group::Unknown),
            _ => None,
        }
    }
}

/// Why a person's time in the evaluation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Left support (planned or unplanned exit).
    Exit,
    /// Died.
    Death,
    /// Moved out of the area.
    Moved,
}

impl EndReason {
    /// The code used in files.
    pub fn code(self) -> &'static str {
        match self {
            EndReason::Exit => "exit",
            EndReason::Death => "death",
            EndReason::Moved => "moved",
        }
    }

    /// Parse a code (case-insensitive).
    pub fn parse(s: &str) -> Option<EndReason> {
        match s.trim().to_ascii_lowercase().as_str() {
            "exit" | "exited" => Some(EndReason::Exit),
            "death" | "died" | "deceased" => Some(EndReason::Death),
            "moved" | "moved away" => Some(EndReason::Moved),
            _ => None,
        }
    }
}

/// A span of calendar days, `start..=end` (both inclusive), with
/// `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// A period from `start` to `end`, both inclusive.
    ///
    /// # Errors
    /// If `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self> {
        if end < start {
            return Err(Error::invalid_parameter(
                "period",
                format!("{start} to {end}"),
                "the end must not be before the start",
            ));
        }
        Ok(Period { start, end })
    }

    /// The period between two days, whichever comes first.
    pub(crate) fn spanning(a: NaiveDate, b: NaiveDate) -> Self {
        Period {
            start: a.min(b),
            end: a.max(b),
        }
    }

    /// First day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Last day (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Number of days, counting both ends.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// True if `date` lies in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The overlap with another period, if any.
    pub fn intersect(&self, other: &Period) -> Option<Period> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start <= end).then_some(Period { start, end })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.start, self.end)
    }
}

/// A covariate value recorded for a person (used by matching and balance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CovariateValue {
    /// A number (age, prior arrests...).
    Number(f64),
    /// A category (area, sex...).
    Category(String),
}

impl CovariateValue {
    /// `text` as a covariate number: a finite number, spaces trimmed (the
    /// one test of whether a covariate cell is numeric).
    pub(crate) fn number(text: &str) -> Option<f64> {
        text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
    }
}

/// One person in the cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortMember {
    /// The pseudonymous identifier.
    pub person: PersonId,
    /// The date support started (or, for the comparison group, the matched
    /// pseudo-start): the index date every window is aligned to.
    pub index_date: NaiveDate,
    /// Programme, comparison or unknown.
    pub group: Group,
    /// When the person's time in the evaluation ended, if it did.
    pub end_date: Option<NaiveDate>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// Any covariates, by name.
    pub covariates: BTreeMap<String, CovariateValue>,
}

/// The period over which data about a cohort were collected: events before
/// `start` or after `extract_date` cannot be in the data and are rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataWindow {
    /// The first date the extract covers.
    pub start: NaiveDate,
    /// The date the extract was taken: nothing after it can be recorded.
    pub extract_date: NaiveDate,
}

impl DataWindow {
    /// A data window.
    ///
    /// # Errors
    /// If the extract date is before the start.
    pub fn new(start: NaiveDate, extract_date: NaiveDate) -> Result<Self> {
        Period::new(start, extract_date)?;
        Ok(DataWindow {
            start,
            extract_date,
        })
    }

    /// The days in the window, both ends included.
    pub fn days(&self) -> i64 {
        self.period().days()
    }

    /// The window as a [`Period`].
    pub fn period(&self) -> Period {
        Period {
            start: self.start,
            end: self.extract_date,
        }
    }

    /// The days on which a member's data can be observed: from the window's
    /// start to the earlier of the extract date and the member's end date.
    pub fn observed(&self, member: &CohortMember) -> Option<Period> {
        let end = member
            .end_date
            .map_or(self.extract_date, |e| e.min(self.extract_date));
        (self.start <= end).then_some(Period {
            start: self.start,
            end,
        })
    }
}

/// The largest whole number of calendar months `m` such that `from` plus
/// `m` months is on or before `to` (negative when `to` is earlier), with the
/// month-end rule of calendar arithmetic: 31 January plus one month
/// is the last day of February, so a date on the last day of its month
/// counts a full month when the start day is later in the month.
///
/// This is the one definition of "months since the index date" used by
/// every window in the crate, on typed records and on frames alike.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> i32 {
    let m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    // `from` plus `m` months lands on day min(from.day, days in to's month) of
    // to's month; if that is after `to`, the last whole month is m - 1.
    if to.day() < from.day() && !is_last_day_of_month(to) {
        m - 1
    } else {
        m
    }
}

/// True if `d` is the last day of its month.
pub fn is_last_day_of_month(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|n| n.day() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn person_id_never_prints_its_value() {
        let p = Pseudonymiser::new(b"a sixteen byte key!").unwrap();
        let id = p.person_id("NHS 943 476 5919").unwrap();
        assert_eq!(format!("{id:?}"), "PersonId(<redacted>)");
        assert_eq!(format!("{id}"), "<redacted>");
        assert!(!id.pseudonym().contains("943"));
        assert_eq!(id.pseudonym().len(), 32);
        assert!(!format!("{p:?}").contains("sixteen"));
    }

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        let a = Pseudonymiser::new(b"0123456789abcdef").unwrap();
        let b = Pseudonymiser::new(b"0123456789abcdeg").unwrap();
        assert_eq!(a.pseudonym("X1"), a.pseudonym(" X1 "));
        assert_ne!(a.pseudonym("X1"), a.pseudonym("X2"));
        assert_ne!(a.pseudonym("X1"), b.pseudonym("X1"));
        // RFC 4231-style check of the construction: HMAC-SHA256 with key
        // "0123456789abcdef" over "X1", computed independently with Python's
        // hmac module (hmac.new(b"0123456789abcdef", b"X1", "sha256")).
        assert_eq!(a.pseudonym("X1"), PY_X1);
        assert!(Pseudonymiser::new(b"short").is_err());
        assert!(a.person_id("  ").is_err());
    }
    const PY_X1: &str = "435366b1c3bff1a6caad4062ba49fa3d";

    #[test]
    fn periods() {
        assert!(Period::new(d(2024, 1, 2), d(2024, 1, 1)).is_err());
        let p = Period::new(d(2024, 1, 1), d(2024, 12, 31)).unwrap();
        assert_eq!(p.days(), 366);
        let q = Period::new(d(2024, 12, 1), d(2025, 1, 31)).unwrap();
        assert_eq!(p.intersect(&q).unwrap().days(), 31);
        assert!(p
            .intersect(&Period::new(d(2025, 1, 1), d(2025, 1, 1)).unwrap())
            .is_none());
    }

    #[test]
    fn months_between_follows_calendar_arithmetic() {
        assert_eq!(months_between(d(2024, 1, 15), d(2024, 1, 15)), 0);
        assert_eq!(months_between(d(2024, 1, 15), d(2024, 2, 14)), 0);
        assert_eq!(months_between(d(2024, 1, 15), d(2024, 2, 15)), 1);
        assert_eq!(months_between(d(2024, 1, 31), d(2024, 2, 29)), 1);
        assert_eq!(months_between(d(2024, 1, 31), d(2024, 2, 28)), 0);
        assert_eq!(months_between(d(2024, 1, 15), d(2024, 1, 14)), -1);
        assert_eq!(months_between(d(2024, 3, 15), d(2024, 1, 15)), -2);
        assert_eq!(months_between(d(2024, 3, 15), d(2024, 1, 16)), -2);
        assert_eq!(months_between(d(2024, 3, 15), d(2024, 1, 14)), -3);
        // agrees with chrono's month addition on every offset
        let start = d(2023, 1, 31);
        for k in -24..24i32 {
            let t = if k >= 0 {
                start.checked_add_months(chrono::Months::new(k as u32))
            } else {
                start.checked_sub_months(chrono::Months::new((-k) as u32))
            }
            .unwrap();
            assert_eq!(months_between(start, t), k, "{t}");
        }
    }

    #[test]
    fn groups_parse() {
        assert_eq!(Group::parse("Treated"), Some(Group::Programme));
        assert_eq!(Group::parse("control"), Some(Group::Comparison));
        assert_eq!(Group::parse("maybe"), None);
        assert_eq!(EndReason::parse("Deceased"), Some(EndReason::Death));
    }
}
