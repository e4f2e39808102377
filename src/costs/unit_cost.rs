//! Unit costs: what one event, day, week, month or year of a service costs,
//! at whose expense, in which price year, and the table that chooses one
//! entry per service category.
//!
//! Entries follow the GMCA (formerly New Economy) Unit Cost Database row
//! schema (domain.md §3.1): code, description, unit, bearing agency, value,
//! price year and value type. Load current values from your own table
//! ([`UnitCostTable::from_csv_path`]) or from a GMCA workbook
//! ([`GmcaWorkbook`]); the shipped `data/unit_costs.csv`
//! ([`UnitCostTable::illustrative`]) holds dated GMCA UCD v1.4 values for
//! examples and tests only.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::costs::money::{csv_error, find_column, read_headers, Gbp, PriceYear};
use crate::error::{Error, Location, Result};

/// Days in a year used to turn per-year, per-month and per-week costs into a
/// per-day cost.
///
/// | Convention | days per year | days per month | Use |
/// |---|---|---|---|
/// | [`DayConvention::Julian`] (default) | 365.25 | 30.4375 | Counts of nights spread over several years, including leap years: 1,461 nights (four years) cost exactly four annual costs |
/// | [`DayConvention::Calendar365`] | 365 | 365/12 | To match a source that divides an annual cost by 365 (e.g. a spreadsheet model) |
///
/// A week is always 7 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DayConvention {
    /// 365.25 days a year (mean over the four-year leap cycle). Default.
    #[default]
    Julian,
    /// 365 days a year.
    Calendar365,
}

impl DayConvention {
    /// Days per year under this convention.
    pub fn days_per_year(self) -> f64 {
        match self {
            DayConvention::Julian => 365.25,
            DayConvention::Calendar365 => 365.0,
        }
    }
}

/// What one unit of a unit cost is.
///
/// Counts costed against a time-based unit ([`CostUnit::PerDay`],
/// [`CostUnit::PerWeek`], [`CostUnit::PerMonth`], [`CostUnit::PerYear`]) are
/// always numbers of **days (nights)**: a per-year cost is converted to a
/// per-day cost with [`DayConvention`]. Counts costed against
/// [`CostUnit::PerEvent`] are numbers of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CostUnit {
    /// Per event (incident, episode, attendance, arrest, application...).
    PerEvent,
    /// Per day or night (bed day, prison night, night sleeping rough).
    PerDay,
    /// Per week.
    PerWeek,
    /// Per month.
    PerMonth,
    /// Per year (per person per year, per place per year).
    PerYear,
}

impl CostUnit {
    /// Parse a unit as written in the GMCA UCD or a user table,
    /// case-insensitively: text mentioning a year/annum is per year, then
    /// month, week, day/night; event words (incident, event, episode, each,
    /// application, action, attendance, arrest, call, contact, admission,
    /// visit, exclusion, eviction, case, referral, order) are per event.
    /// The enum names (`PerEvent`, `per_day`...) are also accepted.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) at
    /// `location` for anything else (e.g. "per hour", which needs an hours
    /// count this crate does not model).
    pub fn parse_at(text: &str, location: Location) -> Result<Self> {
        let t = text.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        let compact = t.replace(' ', "");
        let has = |w: &str| {
            t.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|x| x == w || x == format!("{w}s"))
        };
        let unit = match compact.as_str() {
            "perevent" => Some(CostUnit::PerEvent),
            "perday" => Some(CostUnit::PerDay),
            "perweek" => Some(CostUnit::PerWeek),
            "permonth" => Some(CostUnit::PerMonth),
            "peryear" => Some(CostUnit::PerYear),
            _ => None,
        };
        if let Some(u) = unit {
            return Ok(u);
        }
        if has("hour") || has("minute") {
            return Err(Error::invalid_value(
                location,
                text,
                "hourly unit costs are not supported: cost hours as events or convert to a per-event cost",
            ));
        }
        let u = if has("year") || has("annum") || has("annual") || has("pa") {
            CostUnit::PerYear
        } else if has("month") {
            CostUnit::PerMonth
        } else if has("week") {
            CostUnit::PerWeek
        } else if has("day") || has("night") {
            CostUnit::PerDay
        } else if [
            "event",
            "incident",
            "episode",
            "each",
            "application",
            "action",
            "attendance",
            "arrest",
            "call",
            "contact",
            "admission",
            "visit",
            "exclusion",
            "eviction",
            "case",
            "referral",
            "order",
            "offence",
            "callout",
            "conviction",
            "session",
            "item",
        ]
        .iter()
        .any(|w| has(w))
        {
            CostUnit::PerEvent
        } else {
            return Err(Error::invalid_value(
                location,
                text,
                "unit must be per event (incident, episode...), per day/night, per week, per month or per year",
            ));
        };
        Ok(u)
    }

    /// Days in one unit (`None` for [`CostUnit::PerEvent`]).
    pub fn days(self, convention: DayConvention) -> Option<f64> {
        let y = convention.days_per_year();
        match self {
            CostUnit::PerEvent => None,
            CostUnit::PerDay => Some(1.0),
            CostUnit::PerWeek => Some(7.0),
            CostUnit::PerMonth => Some(y / 12.0),
            CostUnit::PerYear => Some(y),
        }
    }
}

impl fmt::Display for CostUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CostUnit::PerEvent => "per event",
            CostUnit::PerDay => "per day",
            CostUnit::PerWeek => "per week",
            CostUnit::PerMonth => "per month",
            CostUnit::PerYear => "per year",
        })
    }
}

/// Which kind of value a unit cost (or benefit) is, following the HM
/// Treasury / GMCA 2014 CBA guidance for local partnerships (domain.md §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueType {
    /// A cost to a public budget (cashable or not).
    Fiscal,
    /// A wider economic value (e.g. earnings, productivity).
    Economic,
    /// A social (public) value, e.g. wellbeing or victim costs. GMCA entries
    /// labelled "fiscal, economic and social values" are of this type.
    Social,
}

impl ValueType {
    /// Parse `fiscal`, `economic` or `social` (also `public value`),
    /// case-insensitively.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) at `location` otherwise.
    pub fn parse_at(text: &str, location: Location) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "fiscal" => Ok(ValueType::Fiscal),
            "economic" => Ok(ValueType::Economic),
            "social" | "public value" | "public_value" => Ok(ValueType::Social),
            _ => Err(Error::invalid_value(
                location,
                text,
                "value type must be fiscal, economic or social",
            )),
        }
    }

    /// The type GMCA descriptions imply: text mentioning "social" is
    /// [`ValueType::Social`], else "economic" is [`ValueType::Economic`],
    /// else [`ValueType::Fiscal`].
    pub fn infer_from_description(description: &str) -> Self {
        let d = description.to_ascii_lowercase();
        if d.contains("social value") || d.contains("and social") || d.contains("social cost") {
            ValueType::Social
        } else if d.contains("economic") {
            ValueType::Economic
        } else {
            ValueType::Fiscal
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueType::Fiscal => "fiscal",
            ValueType::Economic => "economic",
            ValueType::Social => "social",
        })
    }
}

/// The agency that bears a cost (or receives a benefit).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Agency {
    /// The NHS (acute, mental health, ambulance, primary care).
    Nhs,
    /// Police.
    Police,
    /// Prisons (HMPPS).
    Prison,
    /// Courts and the wider criminal justice system excluding police and prison.
    CourtsCjs,
    /// Local authority (social care, homelessness services, ASB teams).
    LocalAuthority,
    /// Housing providers (LA housing, registered social landlords).
    Housing,
    /// Department for Work and Pensions.
    Dwp,
    /// Schools and education services.
    Education,
    /// Any other bearer, named.
    Other(String),
}

impl Agency {
    /// Parse an agency name case-insensitively: `NHS`/`health`, `police`,
    /// `prison`/`HMPPS`, `courts`/`CJS`/`courts/cjs`, `LA`/`local authority`/
    /// `council`, `housing`/`RSL`/`LA housing`, `DWP`, `education`/`school`;
    /// any other non-empty text is [`Agency::Other`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) at
    /// `location` if the text is empty.
    pub fn parse_at(text: &str, location: Location) -> Result<Self> {
        let t = text.trim();
        let l = t.to_ascii_lowercase();
        Ok(match l.as_str() {
            "" => {
                return Err(Error::invalid_value(
                    location,
                    text,
                    "agency must not be empty",
                ))
            }
            "nhs" | "health" => Agency::Nhs,
            "police" => Agency::Police,
            "prison" | "prisons" | "hmpps" => Agency::Prison,
            "courts" | "cjs" | "courts/cjs" | "courts / cjs" | "criminal justice"
            | "courts_cjs" => Agency::CourtsCjs,
            "la" | "local authority" | "local_authority" | "council" => Agency::LocalAuthority,
            "housing" | "rsl" | "la housing" | "la / rsl" | "la/rsl" | "housing provider" => {
                Agency::Housing
            }
            "dwp" => Agency::Dwp,
            "education" | "school" | "schools" => Agency::Education,
            _ => Agency::Other(t.to_string()),
        })
    }
}

impl fmt::Display for Agency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Agency::Nhs => f.write_str("NHS"),
            Agency::Police => f.write_str("Police"),
            Agency::Prison => f.write_str("Prison"),
            Agency::CourtsCjs => f.write_str("Courts/CJS"),
            Agency::LocalAuthority => f.write_str("Local authority"),
            Agency::Housing => f.write_str("Housing"),
            Agency::Dwp => f.write_str("DWP"),
            Agency::Education => f.write_str("Education"),
            Agency::Other(s) => f.write_str(s),
        }
    }
}

/// The key of a unit cost: what is costed, e.g. `ae_attendance`, `arrest`,
/// `prison_night`, `mh_inpatient_day`, `ambulance_callout`,
/// `non_elective_admission`, `eviction`, `rough_sleeping_night`,
/// `asb_incident`, `school_exclusion`.
///
/// Keys are non-empty, at most 64 characters of `a-z`, `0-9` and `_`. A
/// service-use category ([`crate::measures::service_use::ServiceCategory`])
/// is costed by the key equal to its code; a unit-cost table may also cost
/// things that are not service use (ASB incidents, exclusions).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CostCategory(String);

impl CostCategory {
    /// Validate a category key.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// the key is empty, longer than 64 characters or has characters other
    /// than `a-z`, `0-9`, `_`.
    pub fn new(key: &str) -> Result<Self> {
        Self::parse_at(key, Location::source("service category")).map_err(|_| {
            Error::invalid_parameter(
                "category",
                format!("{key:?}"),
                "a service category is 1-64 characters of a-z, 0-9 and _",
            )
        })
    }

    /// Validate a category key read at `location`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) at `location`.
    pub fn parse_at(key: &str, location: Location) -> Result<Self> {
        let k = key.trim();
        if k.is_empty()
            || k.len() > 64
            || !k
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::invalid_value(
                location,
                key,
                "a service category is 1-64 characters of a-z, 0-9 and _",
            ));
        }
        Ok(CostCategory(k.to_string()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CostCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One unit cost entry.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCost {
    code: String,
    description: String,
    category: CostCategory,
    unit: CostUnit,
    value: Gbp,
    value_type: ValueType,
    agency: Agency,
    source: String,
}

impl UnitCost {
    /// A unit cost entry. `value` must be ≥ 0 (a cost).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// `code` is empty or `value` is negative.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        code: &str,
        description: &str,
        category: CostCategory,
        unit: CostUnit,
        value: Gbp,
        value_type: ValueType,
        agency: Agency,
        source: &str,
    ) -> Result<Self> {
        if code.trim().is_empty() {
            return Err(Error::invalid_parameter(
                "code",
                "\"\"",
                "a unit cost code must not be empty",
            ));
        }
        if value.amount() < 0.0 {
            return Err(Error::invalid_parameter(
                "value",
                value.amount(),
                "a unit cost must be zero or positive",
            ));
        }
        Ok(UnitCost {
            code: code.trim().to_string(),
            description: description.trim().to_string(),
            category,
            unit,
            value,
            value_type,
            agency,
            source: source.trim().to_string(),
        })
    }

    /// The cost code (e.g. `CR7.0`).
    pub fn code(&self) -> &str {
        &self.code
    }
    /// The description.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// The service category priced.
    pub fn category(&self) -> &CostCategory {
        &self.category
    }
    /// The unit.
    pub fn unit(&self) -> CostUnit {
        self.unit
    }
    /// The value per unit, in its price year.
    pub fn value(&self) -> Gbp {
        self.value
    }
    /// The value type.
    pub fn value_type(&self) -> ValueType {
        self.value_type
    }
    /// The bearing agency.
    pub fn agency(&self) -> &Agency {
        &self.agency
    }
    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The cost of `count` units of service in the entry's price year:
    /// `count × value` for [`CostUnit::PerEvent`]; otherwise `count` is a
    /// number of days and the cost is `count × value ÷ days(unit)`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// `count` is negative or not finite.
    pub fn cost_of(&self, count: f64, convention: DayConvention) -> Result<Gbp> {
        if !(count.is_finite() && count >= 0.0) {
            return Err(Error::invalid_parameter(
                "count",
                count,
                "a count must be finite and zero or positive",
            ));
        }
        // Per-event units divide by 1 (the count is a number of events).
        let per = self.unit.days(convention).unwrap_or(1.0);
        self.value.scale(count / per)
    }
}

/// The columns of a unit-cost CSV, in order.
pub const UNIT_COST_COLUMNS: [&str; 9] = [
    "code",
    "description",
    "category",
    "unit",
    "value",
    "price_year",
    "value_type",
    "agency",
    "source",
];

/// A set of unit costs with an explicit choice of one entry per category.
///
/// **Selection rule.** A category with exactly one entry uses it. A category
/// with several entries uses the one chosen with [`UnitCostTable::select`]
/// (or marked `yes` in the optional `selected` CSV column); if none is
/// chosen, costing that category is an error listing the candidate codes.
/// Nothing is chosen silently.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCostTable {
    entries: Vec<UnitCost>,
    selection: BTreeMap<CostCategory, String>,
}

const ILLUSTRATIVE_UNIT_COSTS: &str = include_str!("../../data/unit_costs.csv");

impl UnitCostTable {
    /// A table from entries, with no explicit selections.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// two entries share a code.
    pub fn from_entries(entries: Vec<UnitCost>) -> Result<Self> {
        let mut seen = std::collections::BTreeSet::new();
        for e in &entries {
            if !seen.insert(e.code.clone()) {
                return Err(Error::invalid_parameter(
                    "code",
                    &e.code,
                    "each unit cost code may appear only once",
                ));
            }
        }
        Ok(UnitCostTable {
            entries,
            selection: BTreeMap::new(),
        })
    }

    /// The entries.
    pub fn entries(&self) -> &[UnitCost] {
        &self.entries
    }

    /// The explicit category → code choices.
    pub fn selections(&self) -> &BTreeMap<CostCategory, String> {
        &self.selection
    }

    /// Choose entry `code` for its category.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// no entry has that code.
    pub fn select(&mut self, code: &str) -> Result<()> {
        let e = self
            .entries
            .iter()
            .find(|e| e.code == code)
            .ok_or_else(|| Error::invalid_parameter("code", code, "no unit cost has this code"))?;
        self.selection.insert(e.category.clone(), e.code.clone());
        Ok(())
    }

    /// The entry used to cost `category` (see the selection rule above).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// the category has no entry, or several and none selected (the message
    /// lists the candidate codes).
    pub fn chosen(&self, category: &CostCategory) -> Result<&UnitCost> {
        if let Some(code) = self.selection.get(category) {
            if let Some(e) = self.entries.iter().find(|e| &e.code == code) {
                return Ok(e);
            }
        }
        let candidates: Vec<&UnitCost> = self
            .entries
            .iter()
            .filter(|e| &e.category == category)
            .collect();
        match candidates.as_slice() {
            [] => Err(Error::invalid_parameter(
                "category",
                category,
                "no unit cost prices this service category",
            )),
            [one] => Ok(one),
            many => Err(Error::invalid_parameter(
                "category",
                category,
                format!(
                    "several unit costs price this category ({}); choose one with UnitCostTable::select",
                    many.iter().map(|e| e.code.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }

    /// The ILLUSTRATIVE table shipped in `data/unit_costs.csv`: GMCA Unit Cost
    /// Database v1.4 values in their original price years (2002/03 to
    /// 2013/14). They are dated; load current values for any real evaluation.
    ///
    /// # Errors
    /// Only if the embedded file were malformed (it is tested not to be).
    pub fn illustrative() -> Result<Self> {
        Self::from_csv_reader(ILLUSTRATIVE_UNIT_COSTS.as_bytes(), "data/unit_costs.csv")
    }

    /// Read a unit-cost CSV with columns [`UNIT_COST_COLUMNS`] and an optional
    /// `selected` column (`yes`/`no`/`true`/`false`/`1`/`0`/blank). Lines
    /// starting `#` are comments.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if the file cannot be read;
    /// otherwise as [`UnitCostTable::from_csv_reader`].
    pub fn from_csv_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Self::from_csv_reader(file, &path.display().to_string())
    }

    /// Read a unit-cost CSV from `reader`; `source` names it in errors.
    ///
    /// # Errors
    /// [`ErrorKind::MissingColumn`](crate::ErrorKind::MissingColumn) for an
    /// absent column; [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue)
    /// naming file, row, column and value for an unparseable unit, value,
    /// price year, value type, agency or category, a negative value, a
    /// repeated code, or two selected entries for one category.
    pub fn from_csv_reader<R: Read>(reader: R, source: &str) -> Result<Self> {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(reader);
        let headers = read_headers(&mut rdr, source)?;
        crate::names::refuse_near_misses(
            source,
            &headers,
            &[&UNIT_COST_COLUMNS[..], &["selected"]].concat(),
        )?;
        let mut col = [0usize; 9];
        for (i, name) in UNIT_COST_COLUMNS.iter().enumerate() {
            col[i] = find_column(&headers, source, name, &UNIT_COST_COLUMNS)?;
        }
        let selected_col = headers.iter().position(|h| h == "selected");
        let mut entries = Vec::new();
        let mut selection = BTreeMap::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, rec) in rdr.records().enumerate() {
            let row = i as u64 + 1;
            let rec = rec.map_err(|e| csv_error(source, row, e))?;
            let loc = |c: &str| Location::source(source).row(row).column(c);
            let get = |k: usize| rec.get(col[k]).unwrap_or("");
            let code = get(0);
            if code.is_empty() {
                return Err(Error::invalid_value(
                    loc("code"),
                    code,
                    "a unit cost code must not be empty",
                ));
            }
            if !seen.insert(code.to_string()) {
                return Err(Error::invalid_value(
                    loc("code"),
                    code,
                    "each unit cost code may appear only once",
                ));
            }
            let category = CostCategory::parse_at(get(2), loc("category"))?;
            let unit = CostUnit::parse_at(get(3), loc("unit"))?;
            let year = PriceYear::parse_at(get(5), loc("price_year"))?;
            let vtext = get(4);
            let value = parse_money(vtext)
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    Error::invalid_value(
                        loc("value"),
                        vtext,
                        "a unit cost must be a finite number ≥ 0",
                    )
                })?;
            let value = Gbp::non_negative(value, year).map_err(|_| {
                Error::invalid_value(
                    loc("value"),
                    vtext,
                    "a unit cost must be a finite number ≥ 0",
                )
            })?;
            let value_type = ValueType::parse_at(get(6), loc("value_type"))?;
            let agency = Agency::parse_at(get(7), loc("agency"))?;
            if let Some(sc) = selected_col {
                let s = rec.get(sc).unwrap_or("");
                let yes = match s.to_ascii_lowercase().as_str() {
                    "yes" | "true" | "1" | "y" => true,
                    "no" | "false" | "0" | "n" | "" => false,
                    _ => {
                        return Err(Error::invalid_value(
                            loc("selected"),
                            s,
                            "selected must be yes/no, true/false, 1/0 or blank",
                        ))
                    }
                };
                if yes {
                    if let Some(prev) = selection.insert(category.clone(), code.to_string()) {
                        return Err(Error::invalid_value(
                            loc("selected"),
                            s,
                            format!("category {category} already has a selected entry ({prev})"),
                        ));
                    }
                }
            }
            entries.push(UnitCost {
                code: code.to_string(),
                description: get(1).to_string(),
                category,
                unit,
                value,
                value_type,
                agency,
                source: get(8).to_string(),
            });
        }
        Ok(UnitCostTable { entries, selection })
    }
}

/// Parse a money cell: digits with optional `£`, thousands commas and
/// surrounding spaces.
pub(crate) fn parse_money(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    cleaned.trim().parse::<f64>().ok()
}

/// One data row of a GMCA Unit Cost Database workbook, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct GmcaRow {
    /// Worksheet name (e.g. `Crime`).
    pub sheet: String,
    /// 1-based data row within the sheet (the header row not counted).
    pub row: u64,
    /// Outcome category column.
    pub outcome_category: String,
    /// Outcome detail column.
    pub outcome_detail: String,
    /// Cost code (e.g. `CR7.0`).
    pub code: String,
    /// Description.
    pub description: String,
    /// Unit text (e.g. `Per incident`).
    pub unit: String,
    /// Agency column.
    pub agency: String,
    /// Agency detail column.
    pub agency_detail: String,
    /// Cost in the original price year.
    pub cost: f64,
    /// Price year text (e.g. `2006/07`).
    pub price_year: String,
}

/// The column headings looked for in a GMCA workbook, in order (matched
/// case-insensitively after trimming).
pub const GMCA_COLUMNS: [&str; 9] = [
    "outcome category",
    "outcome detail",
    "cost code",
    "description",
    "unit",
    "agency",
    "agency detail",
    "cost",
    "price year",
];

/// The rows of a GMCA Unit Cost Database workbook (`.xlsx`, `.xls`, `.ods`).
///
/// On every sheet, the header row is the first row (within the first 20)
/// containing all of [`GMCA_COLUMNS`]; sheets without one (e.g. an
/// Introduction or Lookups sheet) are skipped. Rows with an empty cost code
/// or an empty cost cell (section headings) are skipped. Extra columns (such
/// as the uprated-cost formula column) are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct GmcaWorkbook {
    source: String,
    rows: Vec<GmcaRow>,
}

impl GmcaWorkbook {
    /// Read a workbook.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if the workbook cannot be
    /// opened or a sheet read; [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue)
    /// naming `file#sheet`, row, column and value for a non-numeric cost;
    /// [`ErrorKind::InsufficientData`](crate::ErrorKind::InsufficientData) if
    /// no sheet has the GMCA header.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        use calamine::{open_workbook_auto, Data, Reader};
        let path = path.as_ref();
        let source = path.display().to_string();
        let io = |e: &dyn std::fmt::Display| Error::io(path, std::io::Error::other(e.to_string()));
        let mut wb = open_workbook_auto(path).map_err(|e| io(&e))?;
        let cell_text = |d: &Data| -> String {
            match d {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => b.to_string(),
                other => other.to_string(),
            }
        };
        let mut rows = Vec::new();
        let mut any_header = false;
        for sheet in wb.sheet_names() {
            let range = wb.worksheet_range(&sheet).map_err(|e| io(&e))?;
            let mut header: Option<(usize, [usize; 9])> = None;
            for (ri, r) in range.rows().enumerate().take(20) {
                let texts: Vec<String> = r
                    .iter()
                    .map(|c| cell_text(c).to_ascii_lowercase())
                    .collect();
                let mut cols = [0usize; 9];
                let mut ok = true;
                for (k, name) in GMCA_COLUMNS.iter().enumerate() {
                    match texts.iter().position(|t| t == name) {
                        Some(p) => cols[k] = p,
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok {
                    header = Some((ri, cols));
                    break;
                }
            }
            let Some((hrow, cols)) = header else { continue };
            any_header = true;
            for (ri, r) in range.rows().enumerate().skip(hrow + 1) {
                let data_row = (ri - hrow) as u64;
                let get = |k: usize| r.get(cols[k]).map(cell_text).unwrap_or_default();
                let code = get(2);
                let cost_cell = r.get(cols[7]).unwrap_or(&Data::Empty);
                if code.is_empty() || matches!(cost_cell, Data::Empty) {
                    continue;
                }
                let cost = match cost_cell {
                    Data::Float(f) => Some(*f),
                    Data::Int(i) => Some(*i as f64),
                    Data::String(s) => parse_money(s),
                    _ => None,
                }
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    Error::invalid_value(
                        Location::source(format!("{source}#{sheet}"))
                            .row(data_row)
                            .column("cost"),
                        cell_text(cost_cell),
                        "expected a number",
                    )
                })?;
                rows.push(GmcaRow {
                    sheet: sheet.clone(),
                    row: data_row,
                    outcome_category: get(0),
                    outcome_detail: get(1),
                    code,
                    description: get(3),
                    unit: get(4),
                    agency: get(5),
                    agency_detail: get(6),
                    cost,
                    price_year: get(8),
                });
            }
        }
        if !any_header {
            return Err(Error::insufficient_data(
                format!("GMCA workbook {source}"),
                format!("no sheet has the header row ({})", GMCA_COLUMNS.join(", ")),
            ));
        }
        Ok(GmcaWorkbook { source, rows })
    }

    /// All data rows read.
    pub fn rows(&self) -> &[GmcaRow] {
        &self.rows
    }

    /// A [`UnitCostTable`] of the rows whose codes appear in `mapping`
    /// (cost code → service category). Each mapped row's unit, price year,
    /// agency and cost are validated; its value type is inferred from the
    /// description ([`ValueType::infer_from_description`]); the source text
    /// is `"GMCA Unit Cost Database (<file>), sheet <sheet>"`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) naming
    /// `file#sheet`, row, column and value for a mapped row with an
    /// unsupported unit (e.g. per hour), a bad price year or a negative cost;
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if a
    /// mapped code is not in the workbook.
    pub fn to_table(&self, mapping: &BTreeMap<String, CostCategory>) -> Result<UnitCostTable> {
        let mut entries = Vec::new();
        for (code, category) in mapping {
            let Some(r) = self.rows.iter().find(|r| &r.code == code) else {
                return Err(Error::invalid_parameter(
                    "mapping",
                    code,
                    format!("cost code not found in {}", self.source),
                ));
            };
            let loc = |c: &str| {
                Location::source(format!("{}#{}", self.source, r.sheet))
                    .row(r.row)
                    .column(c)
            };
            let unit = CostUnit::parse_at(&r.unit, loc("unit"))?;
            let year = PriceYear::parse_at(&r.price_year, loc("price year"))?;
            let value = Gbp::non_negative(r.cost, year).map_err(|_| {
                Error::invalid_value(loc("cost"), r.cost.to_string(), "a unit cost must be ≥ 0")
            })?;
            let agency = if r.agency.trim().is_empty() {
                Agency::Other("unspecified".to_string())
            } else {
                Agency::parse_at(&r.agency, loc("agency"))?
            };
            entries.push(UnitCost {
                code: r.code.clone(),
                description: r.description.clone(),
                category: category.clone(),
                unit,
                value,
                value_type: ValueType::infer_from_description(&r.description),
                agency,
                source: format!(
                    "GMCA Unit Cost Database ({}), sheet {}",
                    self.source, r.sheet
                ),
            });
        }
        UnitCostTable::from_entries(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::source("t")
    }

    #[test]
    fn units_parse() {
        let cases = [
            ("Per incident", CostUnit::PerEvent),
            ("per bed day", CostUnit::PerDay),
            ("per person per year", CostUnit::PerYear),
            ("per client per week", CostUnit::PerWeek),
            ("Per month", CostUnit::PerMonth),
            ("per night", CostUnit::PerDay),
            ("PerEvent", CostUnit::PerEvent),
            ("per_year", CostUnit::PerYear),
            ("each", CostUnit::PerEvent),
            ("per episode", CostUnit::PerEvent),
        ];
        for (t, u) in cases {
            assert_eq!(CostUnit::parse_at(t, loc()).unwrap(), u, "{t}");
        }
        assert!(CostUnit::parse_at("per hour", loc()).is_err());
        assert!(CostUnit::parse_at("", loc()).is_err());
    }

    #[test]
    fn per_year_to_per_day() {
        let y = PriceYear::new(2010).unwrap();
        let u = UnitCost::new(
            "HO6.0",
            "rough sleeper",
            CostCategory::new("rough_sleeping_night").unwrap(),
            CostUnit::PerYear,
            Gbp::new(7900.0, y).unwrap(),
            ValueType::Fiscal,
            Agency::LocalAuthority,
            "GMCA",
        )
        .unwrap();
        // 1,461 nights = four years under 365.25.
        let c = u.cost_of(1461.0, DayConvention::Julian).unwrap();
        assert!((c.amount() - 4.0 * 7900.0).abs() < 1e-9);
        let c = u.cost_of(365.0, DayConvention::Calendar365).unwrap();
        assert!((c.amount() - 7900.0).abs() < 1e-9);
        assert!(u.cost_of(-1.0, DayConvention::Julian).is_err());
    }

    #[test]
    fn agencies_parse() {
        assert_eq!(Agency::parse_at("NHS", loc()).unwrap(), Agency::Nhs);
        assert_eq!(
            Agency::parse_at("Courts/CJS", loc()).unwrap(),
            Agency::CourtsCjs
        );
        assert_eq!(
            Agency::parse_at("LA", loc()).unwrap(),
            Agency::LocalAuthority
        );
        assert_eq!(
            Agency::parse_at("Fire", loc()).unwrap(),
            Agency::Other("Fire".into())
        );
        assert!(Agency::parse_at(" ", loc()).is_err());
    }

    #[test]
    fn value_type_inference() {
        assert_eq!(
            ValueType::infer_from_description(
                "Domestic violence (fiscal, economic and social values)"
            ),
            ValueType::Social
        );
        assert_eq!(
            ValueType::infer_from_description("fiscal and economic cost"),
            ValueType::Economic
        );
        assert_eq!(
            ValueType::infer_from_description("Arrest - detained"),
            ValueType::Fiscal
        );
    }

    #[test]
    fn illustrative_table_loads_and_selects() {
        let t = UnitCostTable::illustrative().unwrap();
        let ae = t
            .chosen(&CostCategory::new("ae_attendance").unwrap())
            .unwrap();
        assert_eq!(ae.code(), "HE4.0");
        assert_eq!(ae.value().amount(), 109.0);
        assert_eq!(ae.value().price_year().to_string(), "2011/12");
        let arrest = t.chosen(&CostCategory::new("arrest").unwrap()).unwrap();
        assert_eq!(arrest.code(), "CR7.0");
        assert_eq!(arrest.value().amount(), 593.0);
    }

    /// The shipped table prices every built-in service-use category (five of
    /// them with a named proxy item, as its header says).
    #[test]
    fn illustrative_table_prices_every_built_in_category() {
        let t = UnitCostTable::illustrative().unwrap();
        for code in crate::measures::service_use::CategorySet::default().codes() {
            let c = CostCategory::new(code.as_str()).unwrap();
            assert!(t.chosen(&c).is_ok(), "{code} has no unit cost");
        }
        let court = t
            .chosen(&CostCategory::new("court_appearance").unwrap())
            .unwrap();
        assert_eq!((court.code(), court.value().amount()), ("CR5.4", 4012.0));
    }

    #[test]
    fn ambiguous_category_is_an_error_until_selected() {
        let data = "code,description,category,unit,value,price_year,value_type,agency,source\n\
                    A,a,ae_attendance,per incident,1,2011/12,fiscal,NHS,x\n\
                    B,b,ae_attendance,per incident,2,2011/12,fiscal,NHS,x\n";
        let mut t = UnitCostTable::from_csv_reader(data.as_bytes(), "u.csv").unwrap();
        let cat = CostCategory::new("ae_attendance").unwrap();
        let e = t.chosen(&cat).unwrap_err().to_string();
        assert!(e.contains("A, B"), "{e}");
        t.select("B").unwrap();
        assert_eq!(t.chosen(&cat).unwrap().code(), "B");
        assert!(t.select("Z").is_err());
    }

    #[test]
    fn csv_errors_name_file_row_column_value() {
        let data = "code,description,category,unit,value,price_year,value_type,agency,source\n\
                    A,a,ae_attendance,per incident,1,2011/12,fiscal,NHS,x\n\
                    B,b,ae_attendance,per incident,-5,2011/12,fiscal,NHS,x\n";
        let e = UnitCostTable::from_csv_reader(data.as_bytes(), "u.csv")
            .unwrap_err()
            .to_string();
        for s in ["u.csv", "row 2", "`value`", "\"-5\""] {
            assert!(e.contains(s), "{s} missing from {e}");
        }
        let data = "code,description,category,unit,value,price_year,value_type,agency\n";
        let e = UnitCostTable::from_csv_reader(data.as_bytes(), "u.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("source"), "{e}");
        let data = "code,description,category,unit,value,price_year,value_type,agency,source\n\
                    A,a,A&E,per incident,1,2011/12,fiscal,NHS,x\n";
        let e = UnitCostTable::from_csv_reader(data.as_bytes(), "u.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`category`") && e.contains("A&E"), "{e}");
        let data = "code,description,category,unit,value,price_year,value_type,agency,source\n\
                    A,a,x,per incident,1,2011/13,fiscal,NHS,x\n";
        let e = UnitCostTable::from_csv_reader(data.as_bytes(), "u.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`price_year`") && e.contains("2011/13"), "{e}");
    }
}
