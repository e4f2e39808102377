//! Anti-social behaviour (ASB): incidents, area counts, rates per 1,000
//! residents and pilot-versus-comparison area contrasts.
//!
//! * Incidents ([`AsbIncident`]) carry an optional id, a date or a month, an
//!   area code, a category and an optional person/household key.
//! * [`read_police_uk_street`] reads a police.uk street-level CSV as
//!   published and keeps the rows whose `Crime type` is
//!   `Anti-social behaviour`; every other row is reported in an exclusion
//!   table (filtered by rule, or invalid), so accepted + excluded = rows read.
//! * Counts per area and month ([`AreaMonthCounts`]); rates per 1,000
//!   residents against a **named** population year ([`PopulationTable`]). An
//!   area with no population row for the year is an error, never a zero.
//! * Counts per person or household in windows around an index date
//!   ([`subject_counts_in_window`]).
//! * Pilot versus comparison areas before and after a start month
//!   ([`compare_areas`]): counts, person-time, rates per 1,000 per year with
//!   exact (Garwood) intervals, rate ratios with the exact conditional
//!   (Clopper–Pearson) and log-normal Wald intervals, and the two
//!   differences in differences: the ratio of rate ratios with its
//!   log-normal Wald interval and p-value, and the difference of the rate
//!   changes with its Poisson Wald interval and p-value.
//!
//! The Poisson intervals match R's `poisson.test`, the differences in
//! differences the saturated Poisson GLMs of R's `glm` (see METHODS.md).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::beta::checked_beta_reg;
use statrs::function::gamma::{checked_gamma_lr, ln_gamma};

use super::attendance::{LabelledPeriod, RejectedRow, RelativeWindow, RowDisposition};
use crate::error::{Error, Result};
use crate::stats::{Alternative, ConfidenceLevel, Interval, TestResult};

/// The police.uk `Crime type` value for anti-social behaviour.
pub const ASB_CRIME_TYPE: &str = "Anti-social behaviour";

// ---------------------------------------------------------------------------
// Months, areas, incidents
// ---------------------------------------------------------------------------

/// A calendar month, e.g. 2024-03 (police.uk's `Month` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `month` (1–12) of `year` (1900–9999).
    ///
    /// # Errors
    /// `InvalidParameter` outside those ranges.
    pub fn new(year: i32, month: u32) -> Result<Month> {
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(Error::invalid_parameter(
                "month",
                format!("{year}-{month:02}"),
                "year must be 1900–9999 and month 1–12",
            ));
        }
        Ok(Month { year, month })
    }

    /// A month known at compile time to be valid (year 1900–9999, month
    /// 1–12); for crate-internal constants only.
    pub(crate) const fn known(year: i32, month: u32) -> Month {
        Month { year, month }
    }

    /// Parse `YYYY-MM` exactly (surrounding whitespace ignored).
    ///
    /// # Errors
    /// `InvalidParameter` for any other form or an out-of-range month.
    pub fn parse(s: &str) -> Result<Month> {
        let t = s.trim();
        let b = t.as_bytes();
        let ok = b.len() == 7
            && b.get(4) == Some(&b'-')
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || c.is_ascii_digit());
        if !ok {
            return Err(Error::invalid_parameter("month", s, "expected YYYY-MM"));
        }
        let y: i32 = t
            .get(..4)
            .and_then(|x| x.parse().ok())
            .ok_or_else(|| Error::invalid_parameter("month", s, "expected YYYY-MM"))?;
        let m: u32 = t
            .get(5..)
            .and_then(|x| x.parse().ok())
            .ok_or_else(|| Error::invalid_parameter("month", s, "expected YYYY-MM"))?;
        Month::new(y, m)
    }

    /// The month containing `date`.
    ///
    /// # Errors
    /// As [`Month::new`] for years outside 1900–9999.
    pub fn of(date: NaiveDate) -> Result<Month> {
        Month::new(date.year(), date.month())
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    fn index(self) -> i64 {
        self.year as i64 * 12 + self.month as i64 - 1
    }

    fn from_index(i: i64) -> Result<Month> {
        let y = i.div_euclid(12);
        let m = i.rem_euclid(12) + 1;
        let y = i32::try_from(y)
            .map_err(|_| Error::invalid_parameter("month", i, "month out of range"))?;
        Month::new(y, m as u32)
    }

    /// This month plus `n` months (negative to go back).
    ///
    /// # Errors
    /// `InvalidParameter` if the result leaves 1900–9999.
    pub fn plus(self, n: i64) -> Result<Month> {
        let i = self
            .index()
            .checked_add(n)
            .ok_or_else(|| Error::invalid_parameter("months", n, "month arithmetic overflow"))?;
        Month::from_index(i)
    }

    /// First day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Last day of the month.
    pub fn last_day(self) -> NaiveDate {
        let next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// An inclusive run of months, `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct MonthRange {
    first: Month,
    last: Month,
}

impl MonthRange {
    /// Months `first` to `last` inclusive.
    ///
    /// # Errors
    /// `InvalidParameter` if `first > last`.
    pub fn new(first: Month, last: Month) -> Result<MonthRange> {
        if first > last {
            return Err(Error::invalid_parameter(
                "month_range",
                format!("{first}..{last}"),
                "first month must not be after last month",
            ));
        }
        Ok(MonthRange { first, last })
    }

    /// First month.
    pub fn first(self) -> Month {
        self.first
    }

    /// Last month.
    pub fn last(self) -> Month {
        self.last
    }

    /// Number of months in the range (≥ 1).
    pub fn len(self) -> u64 {
        (self.last.index() - self.first.index() + 1) as u64
    }

    /// Always false: a range holds at least one month.
    pub fn is_empty(self) -> bool {
        false
    }

    /// True if `m` lies in the range.
    pub fn contains(self, m: Month) -> bool {
        self.first <= m && m <= self.last
    }
}

/// An area code (e.g. an LSOA code such as `E01000001`), non-empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AreaCode(String);

impl AreaCode {
    /// An area code; surrounding whitespace is removed.
    ///
    /// # Errors
    /// `InvalidParameter` if empty after trimming.
    pub fn new(code: impl Into<String>) -> Result<AreaCode> {
        let c = code.into();
        let t = c.trim();
        if t.is_empty() {
            return Err(Error::invalid_parameter(
                "area",
                "\"\"",
                "an area code must not be empty",
            ));
        }
        Ok(AreaCode(t.to_string()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// When an incident happened: a day, or only a month (police.uk publishes
/// months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum IncidentTime {
    /// Known to the day.
    Date(NaiveDate),
    /// Known only to the month.
    Month(Month),
}

impl IncidentTime {
    /// The month the incident fell in.
    ///
    /// # Errors
    /// As [`Month::of`] for dates outside 1900–9999.
    pub fn month(self) -> Result<Month> {
        match self {
            IncidentTime::Date(d) => Month::of(d),
            IncidentTime::Month(m) => Ok(m),
        }
    }

    /// Where the incident lies relative to the dated `period`.
    pub fn placement(self, period: &LabelledPeriod) -> Placement {
        let (a, b) = match self {
            IncidentTime::Date(d) => (d, d),
            IncidentTime::Month(m) => (m.first_day(), m.last_day()),
        };
        if a >= period.start() && b <= period.end() {
            Placement::Inside
        } else if b < period.start() || a > period.end() {
            Placement::Outside
        } else {
            Placement::Partial
        }
    }
}

/// How an incident's time relates to a dated period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Placement {
    /// Wholly inside (a date inside, or a whole month inside).
    Inside,
    /// Wholly outside.
    Outside,
    /// Month-precision incident whose month straddles a period boundary:
    /// it cannot be placed.
    Partial,
}

/// One ASB incident.
///
/// `K` is the caller's opaque person or household key; it is never printed
/// in errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AsbIncident<K> {
    /// Incident identifier, when there is one (police.uk ASB rows have none).
    pub id: Option<String>,
    /// When it happened.
    pub when: IncidentTime,
    /// The area.
    pub area: AreaCode,
    /// Category (e.g. `Anti-social behaviour`, or a local typology).
    pub category: String,
    /// The person or household involved, when known.
    pub subject: Option<K>,
}

// ---------------------------------------------------------------------------
// police.uk street-level CSV
// ---------------------------------------------------------------------------

/// The result of reading a police.uk street-level file.
///
/// `accepted.len() + excluded.len() == rows_read`.
#[derive(Debug, Clone, PartialEq)]
pub struct PoliceUkImport {
    /// ASB incidents, in file order (month precision, no subject).
    pub accepted: Vec<AsbIncident<String>>,
    /// Rows not accepted: other crime types ([`RowDisposition::FilteredByRule`])
    /// and invalid rows ([`RowDisposition::Invalid`]).
    pub excluded: Vec<RejectedRow>,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Every LSOA code on any row of the file, whatever its crime type
    /// (so that an area with no ASB is still known to be in the file).
    pub areas_seen: BTreeSet<AreaCode>,
    /// The first and last valid `Month` on any row, whatever its crime
    /// type; `None` when no row has one.
    pub months_seen: Option<MonthRange>,
}

impl PoliceUkImport {
    /// Rows excluded because their crime type is not ASB.
    pub fn filtered_by_rule(&self) -> usize {
        self.excluded
            .iter()
            .filter(|r| r.disposition == RowDisposition::FilteredByRule)
            .count()
    }

    /// Rows excluded as invalid.
    pub fn invalid(&self) -> usize {
        self.excluded
            .iter()
            .filter(|r| r.disposition == RowDisposition::Invalid)
            .count()
    }
}

/// The published street-level columns, in order.
pub const POLICE_UK_COLUMNS: [&str; 12] = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
];

/// Read a police.uk street-level CSV (`YYYY-MM-<force>-street.csv`) from a
/// reader, keeping `Anti-social behaviour` rows.
///
/// Rules, in order, for each data row (1-based `source_row`):
/// 1. a record whose field count differs from the header's is invalid;
/// 2. a field that is not UTF-8 is invalid;
/// 3. an empty `Crime type` is invalid; any other value than
///    `Anti-social behaviour` is *filtered by rule*;
/// 4. `Month` must be `YYYY-MM`;
/// 5. `LSOA code` must not be empty (rows police.uk could not place have no
///    LSOA and cannot be assigned to an area).
///
/// `source` names the file in the exclusion table and errors.
///
/// # Errors
/// `MissingColumn` if `Month`, `LSOA code` or `Crime type` is absent from
/// the header; `InvalidValue` if the header cannot be read; `Io` if reading
/// fails.
pub fn read_police_uk_street<R: Read>(source: &str, reader: R) -> Result<PoliceUkImport> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let headers = rdr
        .byte_headers()
        .map_err(|e| csv_error(source, e))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    const EXPECTED: [&str; 4] = ["Month", "LSOA code", "Crime type", "Crime ID"];
    crate::names::refuse_near_misses(
        source,
        &names,
        &[
            "Crime ID",
            "Month",
            "Reported by",
            "Falls within",
            "Longitude",
            "Latitude",
            "Location",
            "LSOA code",
            "LSOA name",
            "Crime type",
            "Last outcome category",
            "Context",
        ],
    )?;
    let find = |col: &str| -> Result<usize> {
        names
            .iter()
            .position(|n| n == col)
            .ok_or_else(|| Error::missing_column(source, col, &names, &EXPECTED))
    };
    let i_month = find("Month")?;
    let i_lsoa = find("LSOA code")?;
    let i_type = find("Crime type")?;
    let i_id = names.iter().position(|n| n == "Crime ID");

    let mut accepted = Vec::new();
    let mut excluded = Vec::new();
    let mut rows_read = 0u64;
    let mut seen_codes: BTreeSet<String> = BTreeSet::new();
    let (mut seen_first, mut seen_last): (Option<Month>, Option<Month>) = (None, None);
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let csv::ErrorKind::Io(_) = e.kind() {
                    return Err(csv_error(source, e));
                }
                rows_read += 1;
                excluded.push(RejectedRow {
                    source_row: rows_read,
                    column: "(record)".to_string(),
                    value: String::new(),
                    reason: format!("unreadable CSV record: {e}"),
                    disposition: RowDisposition::Invalid,
                });
                continue;
            }
        }
        rows_read += 1;
        let row = rows_read;
        let invalid = |column: &str, value: String, reason: String| RejectedRow {
            source_row: row,
            column: column.to_string(),
            value,
            reason,
            disposition: RowDisposition::Invalid,
        };
        if record.len() != headers.len() {
            excluded.push(invalid(
                "(record)",
                record.len().to_string(),
                format!(
                    "record has {} fields but the header has {}",
                    record.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let field = |i: usize| -> std::result::Result<&str, String> {
            let b = record.get(i).unwrap_or(&[]);
            std::str::from_utf8(b).map_err(|_| String::from_utf8_lossy(b).into_owned())
        };
        let get = |i: usize, col: &str| {
            field(i)
                .map(str::trim)
                .map_err(|v| invalid(col, v, "field is not valid UTF-8".to_string()))
        };
        // What the file covers, from every row (any crime type).
        if let Ok(code) = field(i_lsoa).map(str::trim) {
            if !code.is_empty() && !seen_codes.contains(code) {
                seen_codes.insert(code.to_string());
            }
        }
        if let Some(m) = field(i_month)
            .ok()
            .and_then(|v| Month::parse(v.trim()).ok())
        {
            seen_first = Some(seen_first.map_or(m, |f: Month| f.min(m)));
            seen_last = Some(seen_last.map_or(m, |l: Month| l.max(m)));
        }
        let crime_type = match get(i_type, "Crime type") {
            Ok(v) => v,
            Err(r) => {
                excluded.push(r);
                continue;
            }
        };
        if crime_type.is_empty() {
            excluded.push(invalid(
                "Crime type",
                String::new(),
                "crime type is empty".to_string(),
            ));
            continue;
        }
        if crime_type != ASB_CRIME_TYPE {
            excluded.push(RejectedRow {
                source_row: row,
                column: "Crime type".to_string(),
                value: crime_type.to_string(),
                reason: format!("crime type is not {ASB_CRIME_TYPE:?}"),
                disposition: RowDisposition::FilteredByRule,
            });
            continue;
        }
        let month = match get(i_month, "Month") {
            Ok(v) => match Month::parse(v) {
                Ok(m) => m,
                Err(_) => {
                    excluded.push(invalid(
                        "Month",
                        v.to_string(),
                        "month must be YYYY-MM (1900-01 to 9999-12)".to_string(),
                    ));
                    continue;
                }
            },
            Err(r) => {
                excluded.push(r);
                continue;
            }
        };
        let area = match get(i_lsoa, "LSOA code") {
            Ok(v) => match AreaCode::new(v) {
                Ok(a) => a,
                Err(_) => {
                    excluded.push(invalid(
                        "LSOA code",
                        String::new(),
                        "no LSOA code: the record has no location and cannot be assigned to an area"
                            .to_string(),
                    ));
                    continue;
                }
            },
            Err(r) => {
                excluded.push(r);
                continue;
            }
        };
        let id = match i_id.map(|i| get(i, "Crime ID")) {
            Some(Ok(v)) if !v.is_empty() => Some(v.to_string()),
            Some(Err(r)) => {
                excluded.push(r);
                continue;
            }
            _ => None,
        };
        accepted.push(AsbIncident {
            id,
            when: IncidentTime::Month(month),
            area,
            category: ASB_CRIME_TYPE.to_string(),
            subject: None,
        });
    }
    let areas_seen: BTreeSet<AreaCode> = seen_codes
        .into_iter()
        .filter_map(|c| AreaCode::new(c).ok())
        .collect();
    let months_seen = match (seen_first, seen_last) {
        (Some(f), Some(l)) => Some(MonthRange::new(f, l)?),
        _ => None,
    };
    Ok(PoliceUkImport {
        accepted,
        excluded,
        rows_read,
        areas_seen,
        months_seen,
    })
}

/// [`read_police_uk_street`] on a file; the file name is the `source`.
///
/// # Errors
/// `Io` if the file cannot be opened, otherwise as [`read_police_uk_street`].
pub fn read_police_uk_street_path(path: &Path) -> Result<PoliceUkImport> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    read_police_uk_street(&name, std::io::BufReader::new(f))
}

fn csv_error(source: &str, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(source, io),
        other => Error::invalid_value(
            crate::error::Location::source(source),
            "",
            format!("CSV header cannot be read: {other:?}"),
        ),
    }
}

// ---------------------------------------------------------------------------
// Counts
// ---------------------------------------------------------------------------

/// Incidents per area and month.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AreaMonthCounts {
    counts: BTreeMap<(AreaCode, Month), u64>,
}

/// One cell of [`AreaMonthCounts`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaMonthCount {
    /// The area.
    pub area: AreaCode,
    /// The month.
    pub month: Month,
    /// Incidents.
    pub count: u64,
}

impl AreaMonthCounts {
    /// Count incidents by area and month.
    ///
    /// # Errors
    /// As [`Month::of`] for an incident dated outside 1900–9999.
    pub fn from_incidents<K>(incidents: &[AsbIncident<K>]) -> Result<AreaMonthCounts> {
        let mut counts = BTreeMap::new();
        for inc in incidents {
            *counts
                .entry((inc.area.clone(), inc.when.month()?))
                .or_insert(0u64) += 1;
        }
        Ok(AreaMonthCounts { counts })
    }

    /// Incidents in `area` in `month` (0 if none recorded).
    pub fn get(&self, area: &AreaCode, month: Month) -> u64 {
        self.counts
            .get(&(area.clone(), month))
            .copied()
            .unwrap_or(0)
    }

    /// Incidents in `area` over `range`.
    pub fn in_range(&self, area: &AreaCode, range: MonthRange) -> u64 {
        self.counts
            .range((area.clone(), range.first())..=(area.clone(), range.last()))
            .map(|(_, c)| *c)
            .sum()
    }

    /// Non-zero cells, sorted by area then month.
    pub fn rows(&self) -> Vec<AreaMonthCount> {
        self.counts
            .iter()
            .map(|((a, m), c)| AreaMonthCount {
                area: a.clone(),
                month: *m,
                count: *c,
            })
            .collect()
    }

    /// Every cell of `areas × range`, including zeros, sorted by the order of
    /// `areas` then month.
    pub fn grid(&self, areas: &[AreaCode], range: MonthRange) -> Vec<AreaMonthCount> {
        let mut out = Vec::new();
        for a in areas {
            let mut m = range.first();
            loop {
                out.push(AreaMonthCount {
                    area: a.clone(),
                    month: m,
                    count: self.get(a, m),
                });
                if m >= range.last() {
                    break;
                }
                match m.plus(1) {
                    Ok(n) => m = n,
                    Err(_) => break,
                }
            }
        }
        out
    }
}

/// Incidents of an area in a dated period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatedCount {
    /// Incidents wholly inside the period.
    pub incidents: u64,
    /// Month-precision incidents whose month straddles a period boundary;
    /// not counted in `incidents`.
    pub partial_month_incidents: u64,
}

/// Incidents in `area` within the dated `period`. Month-precision incidents
/// count only when their whole month lies in the period; those straddling a
/// boundary are reported separately, never apportioned.
pub fn count_in_period<K>(
    incidents: &[AsbIncident<K>],
    area: &AreaCode,
    period: &LabelledPeriod,
) -> DatedCount {
    let mut c = DatedCount {
        incidents: 0,
        partial_month_incidents: 0,
    };
    for inc in incidents.iter().filter(|i| &i.area == area) {
        match inc.when.placement(period) {
            Placement::Inside => c.incidents += 1,
            Placement::Partial => c.partial_month_incidents += 1,
            Placement::Outside => {}
        }
    }
    c
}

// ---------------------------------------------------------------------------
// Population and rates
// ---------------------------------------------------------------------------

/// One row of a population table: an area's residents in a year, with the
/// source (e.g. `"ONS mid-2021 LSOA estimates"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopulationRow {
    /// The area.
    pub area: AreaCode,
    /// The reference year.
    pub year: i32,
    /// Residents (> 0).
    pub population: u64,
    /// Where the figure comes from.
    pub source: String,
}

/// Populations by area and year, at most one row per pair.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PopulationTable {
    rows: BTreeMap<(AreaCode, i32), PopulationRow>,
}

impl PopulationTable {
    /// A table from rows.
    ///
    /// # Errors
    /// `InvalidValue` (row = 1-based position) for a population of zero, an
    /// empty source, or a second row for the same area and year.
    pub fn new(rows: Vec<PopulationRow>) -> Result<PopulationTable> {
        let mut map = BTreeMap::new();
        for (i, r) in rows.into_iter().enumerate() {
            let loc = || crate::error::Location::source("population table").row(i as u64 + 1);
            if r.population == 0 {
                return Err(Error::invalid_value(
                    loc().column("population"),
                    "0",
                    "population must be positive",
                ));
            }
            if r.source.trim().is_empty() {
                return Err(Error::invalid_value(
                    loc().column("source"),
                    "",
                    "the population source must be named",
                ));
            }
            let key = (r.area.clone(), r.year);
            if map.contains_key(&key) {
                return Err(Error::invalid_value(
                    loc().column("area"),
                    format!("{} {}", r.area, r.year),
                    "duplicate population row for this area and year",
                ));
            }
            map.insert(key, r);
        }
        Ok(PopulationTable { rows: map })
    }

    /// The years the table holds for `area`, ascending.
    pub fn years_of(&self, area: &AreaCode) -> Vec<i32> {
        self.rows
            .keys()
            .filter(|(a, _)| a == area)
            .map(|(_, y)| *y)
            .collect()
    }

    /// The row for `area` in `year`.
    ///
    /// # Errors
    /// `InsufficientData` naming the area and year when there is no row.
    pub fn get(&self, area: &AreaCode, year: i32) -> Result<&PopulationRow> {
        self.rows.get(&(area.clone(), year)).ok_or_else(|| {
            Error::insufficient_data(
                "population denominator",
                format!("no population row for area {area} in year {year}"),
            )
        })
    }
}

/// Incidents per 1,000 residents of an area, with the denominator named.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRate {
    /// The area.
    pub area: AreaCode,
    /// Incidents counted.
    pub incidents: u64,
    /// Residents.
    pub population: u64,
    /// Year of the population figure.
    pub population_year: i32,
    /// Source of the population figure.
    pub population_source: String,
    /// incidents ÷ population × 1,000 (over the counting period, not
    /// annualised).
    pub rate_per_1000: f64,
}

/// Rate per 1,000 residents of `area` for `incidents`, using the population
/// of `population_year`.
///
/// # Errors
/// `InsufficientData` naming the area and year if the table has no row.
pub fn rate_per_1000(
    area: &AreaCode,
    incidents: u64,
    population_year: i32,
    table: &PopulationTable,
) -> Result<AreaRate> {
    let p = table.get(area, population_year)?;
    Ok(AreaRate {
        area: area.clone(),
        incidents,
        population: p.population,
        population_year,
        population_source: p.source.clone(),
        rate_per_1000: incidents as f64 / p.population as f64 * 1000.0,
    })
}

/// Rates per 1,000 for each of `areas` over `range`.
///
/// # Errors
/// As [`rate_per_1000`], for the first area without a population row.
pub fn area_rates(
    counts: &AreaMonthCounts,
    areas: &[AreaCode],
    range: MonthRange,
    population_year: i32,
    table: &PopulationTable,
) -> Result<Vec<AreaRate>> {
    areas
        .iter()
        .map(|a| rate_per_1000(a, counts.in_range(a, range), population_year, table))
        .collect()
}

/// The result of [`read_population_csv`]:
/// `accepted.len() + rejected.len() == rows_read`, and the accepted rows
/// always form a valid [`PopulationTable`].
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationImport {
    /// Accepted rows, in file order.
    pub accepted: Vec<PopulationRow>,
    /// Rejected rows with their 1-based data row, column, value and rule.
    pub rejected: Vec<RejectedRow>,
    /// Data rows read (header excluded).
    pub rows_read: u64,
}

/// Read a population table from CSV with the columns `area`, `year`,
/// `population` and `source`, the shape written by
/// [`write_population_csv`](super::synthetic_school::write_population_csv).
///
/// A row is rejected (with its 1-based data row, column, value and rule)
/// when its field count differs from the header's, a field is not UTF-8,
/// the area is empty, the year is not a whole number in 1900–9999, the
/// population is not a whole number > 0, the source is empty, or the row
/// repeats an earlier row's area and year (the later row is rejected).
///
/// # Errors
/// `MissingColumn` if a column is absent; `Io` if reading fails.
pub fn read_population_csv<R: Read>(source: &str, reader: R) -> Result<PopulationImport> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let headers = rdr
        .byte_headers()
        .map_err(|e| csv_error(source, e))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    const EXPECTED: [&str; 4] = ["area", "year", "population", "source"];
    crate::names::refuse_near_misses(source, &names, &EXPECTED)?;
    let find = |col: &str| -> Result<usize> {
        names
            .iter()
            .position(|n| n == col)
            .ok_or_else(|| Error::missing_column(source, col, &names, &EXPECTED))
    };
    let i_area = find("area")?;
    let i_year = find("year")?;
    let i_pop = find("population")?;
    let i_source = find("source")?;

    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    let mut seen: std::collections::BTreeSet<(AreaCode, i32)> = std::collections::BTreeSet::new();
    let mut rows_read = 0u64;
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let csv::ErrorKind::Io(_) = e.kind() {
                    return Err(csv_error(source, e));
                }
                rows_read += 1;
                rejected.push(RejectedRow {
                    source_row: rows_read,
                    column: "(record)".to_string(),
                    value: String::new(),
                    reason: format!("unreadable CSV record: {e}"),
                    disposition: RowDisposition::Invalid,
                });
                continue;
            }
        }
        rows_read += 1;
        let row = rows_read;
        let reject = |column: &str, value: &str, reason: &str| RejectedRow {
            source_row: row,
            column: column.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
            disposition: RowDisposition::Invalid,
        };
        if record.len() != headers.len() {
            rejected.push(reject(
                "(record)",
                &record.len().to_string(),
                "record's field count differs from the header's",
            ));
            continue;
        }
        let text = |i: usize, col: &str| {
            let b = record.get(i).unwrap_or(&[]);
            std::str::from_utf8(b)
                .map(str::trim)
                .map_err(|_| reject(col, &String::from_utf8_lossy(b), "field is not valid UTF-8"))
        };
        let parsed = (|| {
            let area_txt = text(i_area, "area")?;
            let area = AreaCode::new(area_txt)
                .map_err(|_| reject("area", area_txt, "area code must not be empty"))?;
            let year_txt = text(i_year, "year")?;
            let year = year_txt
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=9999).contains(y))
                .ok_or_else(|| {
                    reject("year", year_txt, "year must be a whole number in 1900–9999")
                })?;
            let pop_txt = text(i_pop, "population")?;
            let population = pop_txt
                .parse::<u64>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| {
                    reject(
                        "population",
                        pop_txt,
                        "population must be a whole number greater than 0",
                    )
                })?;
            let src = text(i_source, "source")?;
            if src.is_empty() {
                return Err(reject("source", "", "the population source must be named"));
            }
            if !seen.insert((area.clone(), year)) {
                return Err(reject(
                    "area",
                    &format!("{area} {year}"),
                    "duplicate population row for this area and year",
                ));
            }
            Ok(PopulationRow {
                area,
                year,
                population,
                source: src.to_string(),
            })
        })();
        match parsed {
            Ok(r) => accepted.push(r),
            Err(r) => rejected.push(r),
        }
    }
    Ok(PopulationImport {
        accepted,
        rejected,
        rows_read,
    })
}

// ---------------------------------------------------------------------------
// Person / household windows
// ---------------------------------------------------------------------------

/// A person's or household's index date (e.g. the start of support).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDate<K> {
    /// The person or household (opaque key).
    pub subject: K,
    /// The index date.
    pub date: NaiveDate,
}

/// Incidents linked to one subject in a window around its index date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectWindowCount<K> {
    /// The person or household.
    pub subject: K,
    /// The index date.
    pub index_date: NaiveDate,
    /// The dated window.
    pub window: LabelledPeriod,
    /// Incidents wholly inside the window.
    pub incidents: u64,
    /// Month-precision incidents whose month straddles a window boundary
    /// (not counted in `incidents`).
    pub partial_month_incidents: u64,
}

/// For each index row, count the incidents linked to its subject inside
/// `window` relative to the index date. One output row per index row, in
/// input order (subjects with no incidents get 0); incidents without a
/// subject are ignored.
///
/// # Errors
/// `InvalidParameter` if a window bound leaves the calendar range.
pub fn subject_counts_in_window<K: Ord + Clone>(
    incidents: &[AsbIncident<K>],
    index: &[IndexDate<K>],
    window: RelativeWindow,
) -> Result<Vec<SubjectWindowCount<K>>> {
    let mut by_subject: BTreeMap<&K, Vec<IncidentTime>> = BTreeMap::new();
    for inc in incidents {
        if let Some(s) = &inc.subject {
            by_subject.entry(s).or_default().push(inc.when);
        }
    }
    index
        .iter()
        .map(|ix| {
            let period = window.around(ix.date)?;
            let mut n = 0u64;
            let mut partial = 0u64;
            for t in by_subject
                .get(&ix.subject)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                match t.placement(&period) {
                    Placement::Inside => n += 1,
                    Placement::Partial => partial += 1,
                    Placement::Outside => {}
                }
            }
            Ok(SubjectWindowCount {
                subject: ix.subject.clone(),
                index_date: ix.date,
                window: period,
                incidents: n,
                partial_month_incidents: partial,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Poisson intervals
// ---------------------------------------------------------------------------

fn check_exposure(name: &str, t: f64) -> Result<()> {
    if t.is_finite() && t > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            name,
            t,
            "exposure (person-time) must be positive and finite",
        ))
    }
}

/// Quantile of Gamma(shape, 1) by bisection on the regularised lower
/// incomplete gamma function (`qchisq(p, 2·shape) / 2` in R).
fn gamma_quantile(p: f64, shape: f64) -> Result<f64> {
    let cdf = |x: f64| {
        checked_gamma_lr(shape, x).map_err(|e| Error::numerical("gamma quantile", format!("{e}")))
    };
    let mut lo = 0.0f64;
    let mut hi = shape.max(1.0);
    let mut guard = 0;
    while cdf(hi)? < p {
        lo = hi;
        hi *= 2.0;
        guard += 1;
        if guard > 2000 || !hi.is_finite() {
            return Err(Error::numerical("gamma quantile", "could not bracket"));
        }
    }
    for _ in 0..400 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid)? < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// Quantile of Beta(a, b) by bisection on the regularised incomplete beta
/// function (`qbeta(p, a, b)` in R).
fn beta_quantile(p: f64, a: f64, b: f64) -> Result<f64> {
    let cdf = |x: f64| {
        checked_beta_reg(a, b, x).map_err(|e| Error::numerical("beta quantile", format!("{e}")))
    };
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..400 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid)? < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// Exact (Garwood 1936) confidence interval for a Poisson rate `count /
/// exposure`: `[qchisq(α/2, 2k)/2, qchisq(1−α/2, 2k+2)/2] / exposure`, with
/// lower bound 0 when `k = 0`. Matches R `poisson.test(k, T)$conf.int`.
///
/// # Errors
/// `InvalidParameter` if `exposure` is not positive and finite; `Numerical`
/// if a quantile cannot be found.
pub fn poisson_exact_ci(count: u64, exposure: f64, level: ConfidenceLevel) -> Result<Interval> {
    check_exposure("exposure", exposure)?;
    let a = level.alpha() / 2.0;
    let k = count as f64;
    let lower = if count == 0 {
        0.0
    } else {
        gamma_quantile(a, k)?
    };
    let upper = gamma_quantile(1.0 - a, k + 1.0)?;
    Ok(Interval::new(lower / exposure, upper / exposure))
}

/// A ratio of two Poisson rates, `(k1/t1) / (k2/t2)`, with two intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateRatio {
    /// Numerator events.
    pub numerator_events: u64,
    /// Numerator exposure.
    pub numerator_exposure: f64,
    /// Denominator events.
    pub denominator_events: u64,
    /// Denominator exposure.
    pub denominator_exposure: f64,
    /// The ratio; `None` when `k2 = 0` (unbounded or undefined).
    pub ratio: Option<f64>,
    /// Exact conditional interval: Clopper–Pearson on `k1 / (k1 + k2)`
    /// mapped by `p / (1 − p) · t2 / t1` (R `poisson.test(c(k1, k2),
    /// c(t1, t2))`). `None` when `k1 + k2 = 0`; the upper bound is
    /// `f64::INFINITY` when `k2 = 0`, as in R.
    pub exact_conditional: Option<Interval>,
    /// Log-normal Wald interval `exp(log RR ± z·√(1/k1 + 1/k2))`; `None`
    /// when either count is 0.
    pub wald_log: Option<Interval>,
    /// Exact conditional test of rate ratio = 1 (R's `binom.test` two-sided
    /// p-value rule); `None` when `k1 + k2 = 0`.
    pub exact_test: Option<TestResult>,
    /// Confidence level of the intervals.
    pub level: f64,
}

/// The rate ratio `(k1/t1) / (k2/t2)` with its exact conditional and
/// log-normal Wald intervals and the exact conditional test of ratio 1.
///
/// # Errors
/// `InvalidParameter` if an exposure is not positive and finite;
/// `Numerical` if a quantile cannot be found.
pub fn rate_ratio(k1: u64, t1: f64, k2: u64, t2: f64, level: ConfidenceLevel) -> Result<RateRatio> {
    check_exposure("numerator_exposure", t1)?;
    check_exposure("denominator_exposure", t2)?;
    let ratio = if k2 == 0 {
        None
    } else {
        Some((k1 as f64 / t1) / (k2 as f64 / t2))
    };
    let a = level.alpha() / 2.0;
    let n = k1
        .checked_add(k2)
        .ok_or_else(|| Error::numerical("rate ratio", "event counts overflow"))?;
    let (exact_conditional, exact_test) = if n == 0 {
        (None, None)
    } else {
        let x = k1 as f64;
        let nf = n as f64;
        let pl = if k1 == 0 {
            0.0
        } else {
            beta_quantile(a, x, nf - x + 1.0)?
        };
        let pu = if k1 == n {
            1.0
        } else {
            beta_quantile(1.0 - a, x + 1.0, nf - x)?
        };
        let map = |p: f64| {
            if p >= 1.0 {
                f64::INFINITY
            } else {
                p / (1.0 - p) * t2 / t1
            }
        };
        let p0 = t1 / (t1 + t2);
        let p_value = binom_two_sided_p(k1, n, p0)?;
        (
            Some(Interval::new(map(pl), map(pu))),
            Some(TestResult {
                test: "exact conditional (binomial) test of Poisson rate ratio = 1",
                statistic: x,
                df: None,
                p_value,
                alternative: Alternative::TwoSided,
                n: usize::try_from(n).unwrap_or(usize::MAX),
            }),
        )
    };
    let wald_log = match ratio {
        Some(r) if k1 > 0 => {
            let z = z_quantile(level)?;
            let se = (1.0 / k1 as f64 + 1.0 / k2 as f64).sqrt();
            Some(Interval::new(
                (r.ln() - z * se).exp(),
                (r.ln() + z * se).exp(),
            ))
        }
        _ => None,
    };
    Ok(RateRatio {
        numerator_events: k1,
        numerator_exposure: t1,
        denominator_events: k2,
        denominator_exposure: t2,
        ratio,
        exact_conditional,
        wald_log,
        exact_test,
        level: level.get(),
    })
}

fn z_quantile(level: ConfidenceLevel) -> Result<f64> {
    let n =
        Normal::new(0.0, 1.0).map_err(|e| Error::numerical("normal quantile", e.to_string()))?;
    Ok(n.inverse_cdf(1.0 - level.alpha() / 2.0))
}

fn ln_choose(n: f64, k: f64) -> f64 {
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
}

fn dbinom(i: u64, n: u64, p: f64) -> f64 {
    let (i, nf) = (i as f64, n as f64);
    (ln_choose(nf, i) + i * p.ln() + (nf - i) * (1.0 - p).ln()).exp()
}

/// P(X ≤ x), X ~ Binomial(n, p).
fn pbinom(x: u64, n: u64, p: f64) -> Result<f64> {
    if x >= n {
        return Ok(1.0);
    }
    checked_beta_reg((n - x) as f64, x as f64 + 1.0, 1.0 - p)
        .map_err(|e| Error::numerical("binomial cdf", e.to_string()))
}

/// P(X ≥ j).
fn pbinom_upper(j: u64, n: u64, p: f64) -> Result<f64> {
    if j == 0 {
        return Ok(1.0);
    }
    if j > n {
        return Ok(0.0);
    }
    checked_beta_reg(j as f64, (n - j) as f64 + 1.0, p)
        .map_err(|e| Error::numerical("binomial cdf", e.to_string()))
}

/// R `binom.test(x, n, p)$p.value` (two-sided): the probability of outcomes
/// no more likely than `x`, with R's relative tolerance 1 + 1e-7.
fn binom_two_sided_p(x: u64, n: u64, p: f64) -> Result<f64> {
    const REL_ERR: f64 = 1.0 + 1e-7;
    let d = dbinom(x, n, p) * REL_ERR;
    let m = n as f64 * p;
    let xf = x as f64;
    if xf == m {
        return Ok(1.0);
    }
    let pv = if xf < m {
        // pmf is non-increasing on [ceil(m), n]: first j there with pmf <= d.
        let (mut lo, mut hi) = (m.ceil() as u64, n + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if dbinom(mid, n, p) <= d {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        pbinom(x, n, p)? + pbinom_upper(lo, n, p)?
    } else {
        // pmf is non-decreasing on [0, floor(m)]: count of i there with pmf <= d.
        let (mut lo, mut hi) = (0u64, m.floor() as u64 + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if dbinom(mid, n, p) <= d {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // `lo` = number of i in [0, floor(m)] with pmf <= d.
        let lower_tail = if lo == 0 { 0.0 } else { pbinom(lo - 1, n, p)? };
        lower_tail + pbinom_upper(x, n, p)?
    };
    Ok(pv.min(1.0))
}

// ---------------------------------------------------------------------------
// Area comparison
// ---------------------------------------------------------------------------

/// Pilot and comparison areas, the programme's start month and the windows
/// before and after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonDesign {
    pilot: Vec<AreaCode>,
    comparison: Vec<AreaCode>,
    before: MonthRange,
    after: MonthRange,
    population_year_before: i32,
    population_year_after: i32,
}

impl ComparisonDesign {
    /// `months_before` months ending the month before `start`, and
    /// `months_after` months from `start`; person-time uses the named
    /// population year for each phase.
    ///
    /// # Errors
    /// `InvalidParameter` if either area list is empty or has duplicates,
    /// an area is in both lists, or a window has zero months (or leaves the
    /// supported calendar range).
    pub fn new(
        pilot: Vec<AreaCode>,
        comparison: Vec<AreaCode>,
        start: Month,
        months_before: u32,
        months_after: u32,
        population_year_before: i32,
        population_year_after: i32,
    ) -> Result<ComparisonDesign> {
        for (name, list) in [("pilot", &pilot), ("comparison", &comparison)] {
            if list.is_empty() {
                return Err(Error::invalid_parameter(
                    name,
                    "[]",
                    "needs at least one area",
                ));
            }
            let mut sorted: Vec<&AreaCode> = list.iter().collect();
            sorted.sort();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(Error::invalid_parameter(name, w[0], "area listed twice"));
            }
        }
        if let Some(a) = pilot.iter().find(|a| comparison.contains(a)) {
            return Err(Error::invalid_parameter(
                "comparison",
                a,
                "an area cannot be both pilot and comparison",
            ));
        }
        if months_before == 0 || months_after == 0 {
            return Err(Error::invalid_parameter(
                "months_before/months_after",
                format!("{months_before}/{months_after}"),
                "each window needs at least one month",
            ));
        }
        let before = MonthRange::new(start.plus(-(months_before as i64))?, start.plus(-1)?)?;
        let after = MonthRange::new(start, start.plus(months_after as i64 - 1)?)?;
        Ok(ComparisonDesign {
            pilot,
            comparison,
            before,
            after,
            population_year_before,
            population_year_after,
        })
    }

    /// Explicit windows: `before` and `after`, the first ending before the
    /// second starts (the months between, if any, are in neither), with
    /// the named population year of each.
    ///
    /// # Errors
    /// `InvalidParameter` for the area lists as [`ComparisonDesign::new`],
    /// or if `before` does not end before `after` starts.
    pub fn with_windows(
        pilot: Vec<AreaCode>,
        comparison: Vec<AreaCode>,
        before: MonthRange,
        after: MonthRange,
        population_year_before: i32,
        population_year_after: i32,
    ) -> Result<ComparisonDesign> {
        if before.last() >= after.first() {
            return Err(Error::invalid_parameter(
                "before/after",
                format!(
                    "{}..{} / {}..{}",
                    before.first(),
                    before.last(),
                    after.first(),
                    after.last()
                ),
                "the before window must end before the after window starts",
            ));
        }
        let mut d = ComparisonDesign::new(
            pilot,
            comparison,
            after.first(),
            1,
            1,
            population_year_before,
            population_year_after,
        )?;
        d.before = before;
        d.after = after;
        Ok(d)
    }

    /// The months before the start.
    pub fn before(&self) -> MonthRange {
        self.before
    }

    /// The months from the start.
    pub fn after(&self) -> MonthRange {
        self.after
    }
}

/// Incidents, person-time and rate for one group of areas in one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupPhaseRate {
    /// Incidents in the group's areas over the phase.
    pub incidents: u64,
    /// Residents summed over the group's areas (population year of the phase).
    pub population: u64,
    /// Months in the phase.
    pub months: u64,
    /// population × months / 12.
    pub person_years: f64,
    /// incidents ÷ person-years × 1,000.
    pub rate_per_1000_per_year: f64,
    /// Exact (Garwood) interval for the rate, per 1,000 per year.
    pub exact_ci: Interval,
}

/// The ratio of two rate ratios (difference-in-differences on the log
/// scale): `(a1/a0) / (c1/c0)` with a log-normal Wald interval
/// `exp(log RRR ± z·√(1/a1 + 1/a0 + 1/c1 + 1/c0))`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioOfRateRatios {
    /// The ratio; `None` when any denominator rate is zero.
    pub ratio: Option<f64>,
    /// The Wald interval; `None` when any of the four counts is 0.
    pub wald_log: Option<Interval>,
    /// Two-sided Wald p-value of RRR = 1, `2·(1 − Φ(|log RRR| / SE))`
    /// with `SE = √(1/a₁ + 1/a₀ + 1/c₁ + 1/c₀)` (R: the `treat:post` row of
    /// `summary(glm(k ~ treat*post + offset(log(T)), family = poisson))`);
    /// `None` when any of the four counts is 0.
    pub wald_p: Option<f64>,
    /// Confidence level.
    pub level: f64,
}

/// The difference in differences of two groups' rates on the additive
/// scale, per 1,000 residents per year: `(a₁ − a₀) − (c₁ − c₀)` with the
/// Poisson (Wald) standard error `1000·√(k_a1/T_a1² + k_a0/T_a0² +
/// k_c1/T_c1² + k_c0/T_c0²)`, a normal interval and p-value (R: the
/// `treat:post` row of `summary(glm(k/T ~ treat*post, family =
/// poisson(link = "identity"), weights = T))`, scaled by 1,000).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateDifferenceInDifferences {
    /// The pilot's change in rate, after − before.
    pub pilot_change: f64,
    /// The comparison's change in rate.
    pub comparison_change: f64,
    /// `pilot_change − comparison_change`.
    pub estimate: f64,
    /// Its standard error; 0 when every count is 0.
    pub std_error: f64,
    /// `estimate ± z·SE`; `None` when the SE is 0.
    pub ci: Option<Interval>,
    /// Two-sided normal p-value; `None` when the SE is 0.
    pub p_value: Option<f64>,
    /// Confidence level.
    pub level: f64,
}

/// Pilot versus comparison areas before and after a start month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaComparison {
    /// Pilot areas, before the start.
    pub pilot_before: GroupPhaseRate,
    /// Pilot areas, from the start.
    pub pilot_after: GroupPhaseRate,
    /// Comparison areas, before.
    pub comparison_before: GroupPhaseRate,
    /// Comparison areas, after.
    pub comparison_after: GroupPhaseRate,
    /// Pilot rate after ÷ before.
    pub pilot_after_vs_before: RateRatio,
    /// Comparison rate after ÷ before.
    pub comparison_after_vs_before: RateRatio,
    /// Pilot ÷ comparison rate, before.
    pub pilot_vs_comparison_before: RateRatio,
    /// Pilot ÷ comparison rate, after.
    pub pilot_vs_comparison_after: RateRatio,
    /// (pilot after/before) ÷ (comparison after/before).
    pub ratio_of_rate_ratios: RatioOfRateRatios,
    /// (pilot after − before) − (comparison after − before), per 1,000 per
    /// year.
    pub rate_difference: RateDifferenceInDifferences,
}

fn group_phase(
    counts: &AreaMonthCounts,
    table: &PopulationTable,
    areas: &[AreaCode],
    range: MonthRange,
    year: i32,
    level: ConfidenceLevel,
) -> Result<GroupPhaseRate> {
    let mut incidents = 0u64;
    let mut population = 0u64;
    for a in areas {
        incidents += counts.in_range(a, range);
        population = population
            .checked_add(table.get(a, year)?.population)
            .ok_or_else(|| Error::numerical("summing populations", "overflow"))?;
    }
    let months = range.len();
    let person_years = population as f64 * months as f64 / 12.0;
    let ci = poisson_exact_ci(incidents, person_years, level)?;
    Ok(GroupPhaseRate {
        incidents,
        population,
        months,
        person_years,
        rate_per_1000_per_year: incidents as f64 / person_years * 1000.0,
        exact_ci: Interval::new(ci.lower * 1000.0, ci.upper * 1000.0),
    })
}

/// Compare pilot and comparison areas before and after the start month.
///
/// # Errors
/// `InsufficientData` naming the area and year when an area lacks a
/// population row for a phase's named year; `Numerical` if a quantile
/// cannot be found.
pub fn compare_areas(
    counts: &AreaMonthCounts,
    population: &PopulationTable,
    design: &ComparisonDesign,
    level: ConfidenceLevel,
) -> Result<AreaComparison> {
    let d = design;
    let pb = group_phase(
        counts,
        population,
        &d.pilot,
        d.before,
        d.population_year_before,
        level,
    )?;
    let pa = group_phase(
        counts,
        population,
        &d.pilot,
        d.after,
        d.population_year_after,
        level,
    )?;
    let cb = group_phase(
        counts,
        population,
        &d.comparison,
        d.before,
        d.population_year_before,
        level,
    )?;
    let ca = group_phase(
        counts,
        population,
        &d.comparison,
        d.after,
        d.population_year_after,
        level,
    )?;
    let rr = |x: &GroupPhaseRate, y: &GroupPhaseRate| {
        rate_ratio(
            x.incidents,
            x.person_years,
            y.incidents,
            y.person_years,
            level,
        )
    };
    let pilot_after_vs_before = rr(&pa, &pb)?;
    let comparison_after_vs_before = rr(&ca, &cb)?;
    let ratio = match (
        pilot_after_vs_before.ratio,
        comparison_after_vs_before.ratio,
    ) {
        (Some(p), Some(c)) if c > 0.0 => Some(p / c),
        _ => None,
    };
    let z = z_quantile(level)?;
    let (wald_log, wald_p) = match ratio {
        Some(r) if pa.incidents > 0 && pb.incidents > 0 && ca.incidents > 0 && cb.incidents > 0 => {
            let se = [pa.incidents, pb.incidents, ca.incidents, cb.incidents]
                .iter()
                .map(|k| 1.0 / *k as f64)
                .sum::<f64>()
                .sqrt();
            (
                Some(Interval::new(
                    (r.ln() - z * se).exp(),
                    (r.ln() + z * se).exp(),
                )),
                Some(2.0 * crate::stats::normal_sf(r.ln().abs() / se)),
            )
        }
        _ => (None, None),
    };
    let rate_difference = {
        let rate = |g: &GroupPhaseRate| g.incidents as f64 / g.person_years * 1000.0;
        let var = |g: &GroupPhaseRate| g.incidents as f64 / (g.person_years * g.person_years);
        let pilot_change = rate(&pa) - rate(&pb);
        let comparison_change = rate(&ca) - rate(&cb);
        let estimate = pilot_change - comparison_change;
        let std_error = 1000.0 * (var(&pa) + var(&pb) + var(&ca) + var(&cb)).sqrt();
        let (ci, p_value) = if std_error > 0.0 {
            (
                Some(Interval::new(
                    estimate - z * std_error,
                    estimate + z * std_error,
                )),
                Some(2.0 * crate::stats::normal_sf(estimate.abs() / std_error)),
            )
        } else {
            (None, None)
        };
        RateDifferenceInDifferences {
            pilot_change,
            comparison_change,
            estimate,
            std_error,
            ci,
            p_value,
            level: level.get(),
        }
    };
    Ok(AreaComparison {
        pilot_vs_comparison_before: rr(&pb, &cb)?,
        pilot_vs_comparison_after: rr(&pa, &ca)?,
        pilot_after_vs_before,
        comparison_after_vs_before,
        ratio_of_rate_ratios: RatioOfRateRatios {
            ratio,
            wald_log,
            wald_p,
            level: level.get(),
        },
        rate_difference,
        pilot_before: pb,
        pilot_after: pa,
        comparison_before: cb,
        comparison_after: ca,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> AreaCode {
        AreaCode::new(s).unwrap()
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n";

    #[test]
    fn months() {
        assert_eq!(m("2024-03").to_string(), "2024-03");
        assert!(Month::parse("2024-13").is_err());
        assert!(Month::parse("2024-3").is_err());
        assert!(Month::parse("+024-03").is_err());
        assert_eq!(m("2024-01").plus(-1).unwrap(), m("2023-12"));
        assert_eq!(
            m("2024-02").last_day(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(
            MonthRange::new(m("2023-11"), m("2024-02")).unwrap().len(),
            4
        );
        assert!(MonthRange::new(m("2024-02"), m("2023-11")).is_err());
        assert!(m("9999-12").plus(1).is_err());
    }

    #[test]
    fn reads_police_uk_and_filters_other_crime_types() {
        let csv = format!(
            "{HEADER}\
,2024-01,Test Police,Test Police,-1.5,53.0,On or near X Street,E01999001,Testtown 001A,Anti-social behaviour,,\n\
abc123,2024-01,Test Police,Test Police,-1.5,53.0,On or near X Street,E01999001,Testtown 001A,Burglary,Under investigation,\n\
,2024-01,Test Police,Test Police,,,No Location,,,Anti-social behaviour,,\n\
,2024-1,Test Police,Test Police,-1.5,53.0,On or near X Street,E01999002,Testtown 001B,Anti-social behaviour,,\n\
,2024-02,Test Police\n\
,2024-02,Test Police,Test Police,-1.5,53.0,On or near Y Road,E01999002,Testtown 001B,Anti-social behaviour,,\n"
        );
        let r = read_police_uk_street("test.csv", csv.as_bytes()).unwrap();
        assert_eq!(r.rows_read, 6);
        assert_eq!(r.accepted.len(), 2);
        assert_eq!(r.accepted.len() + r.excluded.len(), 6);
        assert_eq!(r.filtered_by_rule(), 1);
        assert_eq!(r.invalid(), 3);
        let cols: Vec<&str> = r.excluded.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, vec!["Crime type", "LSOA code", "Month", "(record)"]);
        let rows: Vec<u64> = r.excluded.iter().map(|e| e.source_row).collect();
        assert_eq!(rows, vec![2, 3, 4, 5]);
        assert_eq!(r.accepted[1].area, a("E01999002"));
        assert_eq!(r.accepted[1].when, IncidentTime::Month(m("2024-02")));
    }

    #[test]
    fn missing_column_is_an_error() {
        let e = read_police_uk_street("x.csv", "Month,Crime type\n2024-01,Burglary\n".as_bytes())
            .unwrap_err();
        assert!(e.to_string().contains("LSOA code"), "{e}");
    }

    #[test]
    fn rate_per_1000_uses_the_named_year() {
        let t = PopulationTable::new(vec![
            PopulationRow {
                area: a("E1"),
                year: 2021,
                population: 1600,
                source: "Census 2021".into(),
            },
            PopulationRow {
                area: a("E1"),
                year: 2022,
                population: 2000,
                source: "ONS mid-2022".into(),
            },
        ])
        .unwrap();
        let r = rate_per_1000(&a("E1"), 8, 2021, &t).unwrap();
        assert_eq!(r.rate_per_1000, 5.0);
        assert_eq!(r.population_source, "Census 2021");
        let r = rate_per_1000(&a("E1"), 8, 2022, &t).unwrap();
        assert_eq!(r.rate_per_1000, 4.0);
        let e = rate_per_1000(&a("E1"), 8, 2023, &t)
            .unwrap_err()
            .to_string();
        assert!(e.contains("E1") && e.contains("2023"), "{e}");
        let e = rate_per_1000(&a("E2"), 8, 2021, &t)
            .unwrap_err()
            .to_string();
        assert!(e.contains("E2") && e.contains("2021"), "{e}");
        assert!(PopulationTable::new(vec![PopulationRow {
            area: a("E1"),
            year: 2021,
            population: 0,
            source: "x".into()
        }])
        .is_err());
    }

    #[test]
    fn counts_by_area_and_month_and_period() {
        let inc = |area: &str, when: IncidentTime| AsbIncident::<u32> {
            id: None,
            when,
            area: a(area),
            category: ASB_CRIME_TYPE.into(),
            subject: None,
        };
        let d = |y, mo, da| NaiveDate::from_ymd_opt(y, mo, da).unwrap();
        let v = vec![
            inc("A", IncidentTime::Month(m("2024-01"))),
            inc("A", IncidentTime::Date(d(2024, 1, 20))),
            inc("A", IncidentTime::Month(m("2024-02"))),
            inc("B", IncidentTime::Month(m("2024-01"))),
        ];
        let c = AreaMonthCounts::from_incidents(&v).unwrap();
        assert_eq!(c.get(&a("A"), m("2024-01")), 2);
        assert_eq!(c.get(&a("A"), m("2024-03")), 0);
        assert_eq!(
            c.in_range(
                &a("A"),
                MonthRange::new(m("2023-01"), m("2024-12")).unwrap()
            ),
            3
        );
        let g = c.grid(
            &[a("A"), a("C")],
            MonthRange::new(m("2024-01"), m("2024-03")).unwrap(),
        );
        assert_eq!(g.len(), 6);
        assert_eq!(g.iter().map(|x| x.count).sum::<u64>(), 3);
        let p = LabelledPeriod::new("p", d(2024, 1, 15), d(2024, 2, 29)).unwrap();
        let dc = count_in_period(&v, &a("A"), &p);
        assert_eq!(dc.incidents, 2); // dated 20 Jan + whole of Feb
        assert_eq!(dc.partial_month_incidents, 1); // Jan straddles 15 Jan
    }

    #[test]
    fn subject_windows() {
        let d = |y, mo, da| NaiveDate::from_ymd_opt(y, mo, da).unwrap();
        let inc = |s: u32, when| AsbIncident {
            id: None,
            when,
            area: a("A"),
            category: "x".into(),
            subject: Some(s),
        };
        let v = vec![
            inc(1, IncidentTime::Date(d(2024, 1, 10))),
            inc(1, IncidentTime::Date(d(2024, 3, 10))),
            inc(1, IncidentTime::Month(m("2023-12"))),
            inc(2, IncidentTime::Date(d(2024, 1, 10))),
        ];
        let idx = vec![
            IndexDate {
                subject: 1u32,
                date: d(2024, 2, 1),
            },
            IndexDate {
                subject: 3,
                date: d(2024, 2, 1),
            },
        ];
        let before = RelativeWindow::new(-60, -1).unwrap();
        let r = subject_counts_in_window(&v, &idx, before).unwrap();
        assert_eq!(r[0].incidents, 1); // 10 Jan; Dec 2023 straddles 3 Dec start
        assert_eq!(r[0].partial_month_incidents, 1);
        assert_eq!(r[1].incidents, 0);
        let after = RelativeWindow::new(0, 89).unwrap();
        let r = subject_counts_in_window(&v, &idx, after).unwrap();
        assert_eq!(r[0].incidents, 1);
    }

    #[test]
    fn rate_ratio_edge_cases() {
        let l = ConfidenceLevel::NINETY_FIVE;
        let r = rate_ratio(0, 1.0, 0, 1.0, l).unwrap();
        assert_eq!(r.ratio, None);
        assert_eq!(r.exact_conditional, None);
        assert_eq!(r.wald_log, None);
        let r = rate_ratio(3, 1.0, 0, 1.0, l).unwrap();
        assert_eq!(r.ratio, None);
        assert_eq!(r.exact_conditional.unwrap().upper, f64::INFINITY);
        let r = rate_ratio(0, 1.0, 3, 1.0, l).unwrap();
        assert_eq!(r.ratio, Some(0.0));
        assert_eq!(r.exact_conditional.unwrap().lower, 0.0);
        assert_eq!(r.wald_log, None);
        assert!(rate_ratio(1, 0.0, 1, 1.0, l).is_err());
        assert!(rate_ratio(1, f64::NAN, 1, 1.0, l).is_err());
        assert!(poisson_exact_ci(1, -1.0, l).is_err());
    }

    #[test]
    fn hand_worked_rate_ratio_and_did() {
        // Pilot: 2 areas of 1,000 residents; comparison: 1 area of 2,000.
        // 12 months before and after a start of 2024-01.
        let pop = |area: &str, y| PopulationRow {
            area: a(area),
            year: y,
            population: if area == "C1" { 2000 } else { 1000 },
            source: "test".into(),
        };
        let t = PopulationTable::new(vec![
            pop("P1", 2022),
            pop("P2", 2022),
            pop("C1", 2022),
            pop("P1", 2023),
            pop("P2", 2023),
            pop("C1", 2023),
        ])
        .unwrap();
        let mut v: Vec<AsbIncident<u8>> = Vec::new();
        let mut add = |area: &str, month: &str, n: usize| {
            for _ in 0..n {
                v.push(AsbIncident {
                    id: None,
                    when: IncidentTime::Month(m(month)),
                    area: a(area),
                    category: "ASB".into(),
                    subject: None,
                });
            }
        };
        add("P1", "2023-03", 30);
        add("P2", "2023-06", 10); // pilot before: 40
        add("P1", "2024-03", 20); // pilot after: 20
        add("C1", "2023-01", 50); // comparison before: 50
        add("C1", "2024-12", 45); // comparison after: 45
        add("C1", "2025-01", 99); // outside the window
        let c = AreaMonthCounts::from_incidents(&v).unwrap();
        let d = ComparisonDesign::new(
            vec![a("P1"), a("P2")],
            vec![a("C1")],
            m("2024-01"),
            12,
            12,
            2022,
            2023,
        )
        .unwrap();
        let r = compare_areas(&c, &t, &d, ConfidenceLevel::NINETY_FIVE).unwrap();
        assert_eq!(r.pilot_before.incidents, 40);
        assert_eq!(r.pilot_before.person_years, 2000.0);
        assert_eq!(r.pilot_before.rate_per_1000_per_year, 20.0);
        assert_eq!(r.comparison_after.incidents, 45);
        assert_eq!(r.comparison_after.rate_per_1000_per_year, 22.5);
        assert_eq!(r.pilot_after_vs_before.ratio, Some(0.5));
        assert!((r.comparison_after_vs_before.ratio.unwrap() - 0.9).abs() < 1e-15);
        let rrr = r.ratio_of_rate_ratios.ratio.unwrap();
        assert!((rrr - 0.5 / 0.9).abs() < 1e-15);
        let w = r.ratio_of_rate_ratios.wald_log.unwrap();
        let se = (1.0f64 / 20.0 + 1.0 / 40.0 + 1.0 / 45.0 + 1.0 / 50.0).sqrt();
        let z = 1.959963984540054;
        assert!((w.lower - (rrr.ln() - z * se).exp()).abs() < 1e-12);
        assert!((w.upper - (rrr.ln() + z * se).exp()).abs() < 1e-12);
        // R 4.2.2: rrr <- (20/40)/(45/50);
        // exp(log(rrr) + c(-1,1)*qnorm(.975)*sqrt(1/20+1/40+1/45+1/50))
        assert!((w.lower - 0.28398499943440003).abs() < 1e-12);
        assert!((w.upper - 1.0868249235817038).abs() < 1e-12);
        // Missing population year is an error naming area and year.
        let d2 = ComparisonDesign::new(
            vec![a("P1")],
            vec![a("C1")],
            m("2024-01"),
            12,
            12,
            2022,
            2024,
        )
        .unwrap();
        let e = compare_areas(&c, &t, &d2, ConfidenceLevel::NINETY_FIVE)
            .unwrap_err()
            .to_string();
        assert!(e.contains("P1") && e.contains("2024"), "{e}");
        assert!(ComparisonDesign::new(
            vec![a("P1")],
            vec![a("P1")],
            m("2024-01"),
            12,
            12,
            2022,
            2023
        )
        .is_err());
        assert!(
            ComparisonDesign::new(vec![], vec![a("P1")], m("2024-01"), 12, 12, 2022, 2023).is_err()
        );
        assert!(ComparisonDesign::new(
            vec![a("P1")],
            vec![a("C1")],
            m("2024-01"),
            0,
            12,
            2022,
            2023
        )
        .is_err());
    }
}
