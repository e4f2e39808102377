//! Service use: A&E attendances, arrests, prison nights, mental-health bed
//! days, evictions and the rest, as dated events or as counts per period.
//!
//! A count is exact or banded. The Fulfilling Lives public file bands counts
//! as 1–2, 3–4, 5–9 and 10 or more (prison nights 1–31, 32–62, 63–93); a band
//! is kept as an interval with low / mid / high estimates ([`Count`]) and is
//! never collapsed silently: every total carries all three.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cohort::{months_between, CohortMember, DataWindow, Period, PersonId};
use crate::error::{Error, Result};

/// Whether a category counts events or days/nights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountUnit {
    /// Each record is one (or `count`) events: an attendance, an arrest.
    Events,
    /// Each record counts days or nights: bed days, prison nights.
    Days,
}

/// The stated maximum count of one dated row of an event category (an
/// attendance, an arrest): a row counting more events than this on one day is
/// rejected, not summed. (A row of a day or night category is bounded by the
/// data window's length instead.)
pub const MAX_EVENTS_PER_ROW: i64 = 100;

/// A category of service use.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServiceCategory {
    /// Attendance at an emergency department.
    AeAttendance,
    /// Ambulance call-out.
    AmbulanceCallout,
    /// Non-elective (emergency) hospital admission.
    NonElectiveAdmission,
    /// A day in hospital as an inpatient.
    HospitalInpatientDay,
    /// A day as a mental-health inpatient.
    MentalHealthInpatientDay,
    /// A contact with a community mental-health team.
    MentalHealthCommunityContact,
    /// An arrest.
    Arrest,
    /// A night in police custody.
    PoliceCustodyNight,
    /// A court appearance.
    CourtAppearance,
    /// A night in prison.
    PrisonNight,
    /// A contact with drug/alcohol treatment services.
    DrugAlcoholTreatmentContact,
    /// An eviction from a tenancy.
    Eviction,
    /// A night sleeping rough.
    RoughSleepingNight,
    /// A category the user defines, with its code and unit.
    Custom {
        /// Its code in files (lower-case, no spaces).
        code: String,
        /// Events or days.
        unit: CountUnit,
    },
}

impl ServiceCategory {
    /// The built-in categories.
    pub const BUILT_IN: [ServiceCategory; 13] = [
        ServiceCategory::AeAttendance,
        ServiceCategory::AmbulanceCallout,
        ServiceCategory::NonElectiveAdmission,
        ServiceCategory::HospitalInpatientDay,
        ServiceCategory::MentalHealthInpatientDay,
        ServiceCategory::MentalHealthCommunityContact,
        ServiceCategory::Arrest,
        ServiceCategory::PoliceCustodyNight,
        ServiceCategory::CourtAppearance,
        ServiceCategory::PrisonNight,
        ServiceCategory::DrugAlcoholTreatmentContact,
        ServiceCategory::Eviction,
        ServiceCategory::RoughSleepingNight,
    ];

    /// A user-defined category.
    ///
    /// # Errors
    /// If the code is empty, has characters other than `a-z`, `0-9` and `_`,
    /// or is the code of a built-in category.
    pub fn custom(code: &str, unit: CountUnit) -> Result<Self> {
        let ok = !code.is_empty()
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            return Err(Error::invalid_parameter(
                "category code",
                code,
                "codes use only a-z, 0-9 and _",
            ));
        }
        if Self::BUILT_IN.iter().any(|c| c.code() == code) {
            return Err(Error::invalid_parameter(
                "category code",
                code,
                "this is a built-in category's code",
            ));
        }
        Ok(ServiceCategory::Custom {
            code: code.to_string(),
            unit,
        })
    }

    /// The code used in files, e.g. `ae_attendance`.
    pub fn code(&self) -> &str {
        match self {
            ServiceCategory::AeAttendance => "ae_attendance",
            ServiceCategory::AmbulanceCallout => "ambulance_callout",
            ServiceCategory::NonElectiveAdmission => "non_elective_admission",
            ServiceCategory::HospitalInpatientDay => "hospital_inpatient_day",
            ServiceCategory::MentalHealthInpatientDay => "mh_inpatient_day",
            ServiceCategory::MentalHealthCommunityContact => "mh_community_contact",
            ServiceCategory::Arrest => "arrest",
            ServiceCategory::PoliceCustodyNight => "police_custody_night",
            ServiceCategory::CourtAppearance => "court_appearance",
            ServiceCategory::PrisonNight => "prison_night",
            ServiceCategory::DrugAlcoholTreatmentContact => "drug_alcohol_contact",
            ServiceCategory::Eviction => "eviction",
            ServiceCategory::RoughSleepingNight => "rough_sleeping_night",
            ServiceCategory::Custom { code, .. } => code,
        }
    }

    /// Whether it counts events or days/nights.
    pub fn unit(&self) -> CountUnit {
        match self {
            ServiceCategory::HospitalInpatientDay
            | ServiceCategory::MentalHealthInpatientDay
            | ServiceCategory::PoliceCustodyNight
            | ServiceCategory::PrisonNight
            | ServiceCategory::RoughSleepingNight => CountUnit::Days,
            ServiceCategory::Custom { unit, .. } => *unit,
            _ => CountUnit::Events,
        }
    }

    /// A readable label.
    pub fn label(&self) -> &str {
        match self {
            ServiceCategory::AeAttendance => "A&E attendances",
            ServiceCategory::AmbulanceCallout => "Ambulance call-outs",
            ServiceCategory::NonElectiveAdmission => "Non-elective admissions",
            ServiceCategory::HospitalInpatientDay => "Hospital inpatient days",
            ServiceCategory::MentalHealthInpatientDay => "Mental-health inpatient days",
            ServiceCategory::MentalHealthCommunityContact => "Mental-health community contacts",
            ServiceCategory::Arrest => "Arrests",
            ServiceCategory::PoliceCustodyNight => "Nights in police custody",
            ServiceCategory::CourtAppearance => "Court appearances",
            ServiceCategory::PrisonNight => "Prison nights",
            ServiceCategory::DrugAlcoholTreatmentContact => "Drug/alcohol treatment contacts",
            ServiceCategory::Eviction => "Evictions",
            ServiceCategory::RoughSleepingNight => "Nights sleeping rough",
            ServiceCategory::Custom { code, .. } => code,
        }
    }
}

impl fmt::Display for ServiceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The set of categories a dataset may use: the built-ins plus any custom
/// ones. An unknown category code in the data is a rejected row.
#[derive(Debug, Clone, PartialEq)]
pub struct CategorySet {
    categories: Vec<ServiceCategory>,
}

impl Default for CategorySet {
    fn default() -> Self {
        CategorySet {
            categories: ServiceCategory::BUILT_IN.to_vec(),
        }
    }
}

impl CategorySet {
    /// The built-ins plus `custom`.
    pub fn with_custom(custom: impl IntoIterator<Item = ServiceCategory>) -> Self {
        let mut s = CategorySet::default();
        for c in custom {
            if !s.categories.contains(&c) {
                s.categories.push(c);
            }
        }
        s
    }

    /// Look up a code.
    pub fn get(&self, code: &str) -> Option<&ServiceCategory> {
        self.categories.iter().find(|c| c.code() == code)
    }

    /// All categories.
    pub fn iter(&self) -> impl Iterator<Item = &ServiceCategory> {
        self.categories.iter()
    }

    /// The codes, for the frame path's membership check.
    pub fn codes(&self) -> Vec<String> {
        self.categories
            .iter()
            .map(|c| c.code().to_string())
            .collect()
    }
}

/// A count that may be exact or known only to lie in a band.
///
/// The invariant `low <= mid <= high` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Count {
    low: f64,
    mid: f64,
    high: f64,
}

impl Count {
    /// Zero.
    pub const ZERO: Count = Count {
        low: 0.0,
        mid: 0.0,
        high: 0.0,
    };

    /// An exact count.
    pub fn exact(n: u32) -> Self {
        let x = f64::from(n);
        Count {
            low: x,
            mid: x,
            high: x,
        }
    }

    /// An exact amount given as a number (events, days or nights, as
    /// summed or read): the same under every scenario.
    ///
    /// # Errors
    /// Unless `n` is finite and `≥ 0`.
    pub fn amount(n: f64) -> Result<Self> {
        if !(n.is_finite() && n >= 0.0) {
            return Err(Error::invalid_parameter(
                "count",
                n,
                "a count must be finite and ≥ 0",
            ));
        }
        Ok(Count {
            low: n,
            mid: n,
            high: n,
        })
    }

    /// A band with low / mid / high estimates.
    ///
    /// # Errors
    /// Unless `0 <= low <= mid <= high` and all are finite.
    pub fn band(low: f64, mid: f64, high: f64) -> Result<Self> {
        if !(low.is_finite() && mid.is_finite() && high.is_finite())
            || low < 0.0
            || low > mid
            || mid > high
        {
            return Err(Error::invalid_parameter(
                "band",
                format!("{low}/{mid}/{high}"),
                "a band needs 0 <= low <= mid <= high",
            ));
        }
        Ok(Count { low, mid, high })
    }

    /// The low estimate.
    pub fn low(&self) -> f64 {
        self.low
    }
    /// The mid estimate.
    pub fn mid(&self) -> f64 {
        self.mid
    }
    /// The high estimate.
    pub fn high(&self) -> f64 {
        self.high
    }
    /// True if exact (low = high).
    pub fn is_exact(&self) -> bool {
        self.low == self.high
    }
    /// The estimate for a scenario.
    pub fn get(&self, s: Scenario) -> f64 {
        match s {
            Scenario::Low => self.low,
            Scenario::Mid => self.mid,
            Scenario::High => self.high,
        }
    }
}

impl std::ops::Add for Count {
    type Output = Count;
    fn add(self, o: Count) -> Count {
        Count {
            low: self.low + o.low,
            mid: self.mid + o.mid,
            high: self.high + o.high,
        }
    }
}

impl std::iter::Sum for Count {
    fn sum<I: Iterator<Item = Count>>(iter: I) -> Count {
        iter.fold(Count::ZERO, |a, b| a + b)
    }
}

/// Which estimate of a banded count to use (for loading, costing and
/// reporting alike).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// The band's lower bound.
    Low,
    /// The band's middle (the default).
    #[default]
    Mid,
    /// The band's upper bound (or the stated assumption for an open band).
    High,
}

/// One band of a [`BandScheme`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Its text in the data, e.g. `"1 to 2"` (matched case-insensitively,
    /// whitespace trimmed).
    pub label: String,
    /// Low / mid / high estimates.
    pub low: f64,
    /// Mid estimate.
    pub mid: f64,
    /// High estimate.
    pub high: f64,
}

/// How banded counts are written and what each band stands for.
///
/// [`BandScheme::fulfilling_lives`] is the Fulfilling Lives public file's
/// bands. Its open top band, "10 or more", has no upper bound: its mid and
/// high estimates are assumptions the caller states (default 12 and 20).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandScheme {
    bands: Vec<Band>,
}

impl BandScheme {
    /// A scheme from bands.
    ///
    /// # Errors
    /// If any band breaks `0 <= low <= mid <= high`, or labels repeat.
    pub fn new(bands: Vec<Band>) -> Result<Self> {
        for (i, b) in bands.iter().enumerate() {
            Count::band(b.low, b.mid, b.high)?;
            if bands[..i]
                .iter()
                .any(|o| o.label.eq_ignore_ascii_case(&b.label))
            {
                return Err(Error::invalid_parameter(
                    "band label",
                    &b.label,
                    "band labels must be unique",
                ));
            }
        }
        Ok(BandScheme { bands })
    }

    /// The Fulfilling Lives counts bands 1–2, 3–4, 5–9, 10+, with the open
    /// band's mid and high given by the caller.
    ///
    /// # Errors
    /// If `open_mid < 10` or `open_high < open_mid`.
    pub fn fulfilling_lives(open_mid: f64, open_high: f64) -> Result<Self> {
        let b = |l: &str, lo: f64, mid: f64, hi: f64| Band {
            label: l.to_string(),
            low: lo,
            mid,
            high: hi,
        };
        BandScheme::new(vec![
            b("1 to 2", 1.0, 1.5, 2.0),
            b("3 to 4", 3.0, 3.5, 4.0),
            b("5 to 9", 5.0, 7.0, 9.0),
            b("10 or more", 10.0, open_mid, open_high),
        ])
    }

    /// The Fulfilling Lives prison-night bands 1–31, 32–62, 63–93.
    pub fn fulfilling_lives_prison_nights() -> Self {
        let b = |l: &str, lo: f64, hi: f64| Band {
            label: l.to_string(),
            low: lo,
            mid: (lo + hi) / 2.0,
            high: hi,
        };
        BandScheme {
            bands: vec![
                b("1 to 31", 1.0, 31.0),
                b("32 to 62", 32.0, 62.0),
                b("63 to 93", 63.0, 93.0),
            ],
        }
    }

    /// Read a cell: a whole number is exact; otherwise it must be a band
    /// label (the prison-night labels' explanatory suffixes such as
    /// "(i.e. up to one month)" are ignored).
    pub fn parse(&self, raw: &str) -> Option<Count> {
        let t = raw.trim();
        if let Ok(n) = t.parse::<u32>() {
            return Some(Count::exact(n));
        }
        let key = t.split('(').next().unwrap_or(t).trim();
        self.bands
            .iter()
            .find(|b| b.label.eq_ignore_ascii_case(key))
            .map(|b| Count {
                low: b.low,
                mid: b.mid,
                high: b.high,
            })
    }

    /// The bands.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }
}

impl Default for BandScheme {
    fn default() -> Self {
        // 12 and 20 satisfy the constructor's rules; see `fulfilling_lives`.
        BandScheme::fulfilling_lives(12.0, 20.0).unwrap_or(BandScheme { bands: Vec::new() })
    }
}

/// A dated service-use event.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEvent {
    /// Who.
    pub person: PersonId,
    /// When (for day categories, the first day).
    pub date: NaiveDate,
    /// What.
    pub category: ServiceCategory,
    /// How many events, or days/nights for day categories.
    pub count: u32,
}

/// A count of service use by one person over one period (e.g. a quarter in
/// the Fulfilling Lives framework).
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodCount {
    /// Who.
    pub person: PersonId,
    /// The period the count covers. The count is assigned to the window that
    /// contains the period's first day.
    pub period: Period,
    /// What.
    pub category: ServiceCategory,
    /// The count, exact or banded.
    pub count: Count,
}

/// A window of time relative to each person's index date, in whole calendar
/// months: months `start_month..end_month` (end exclusive), where month 0
/// starts on the index date.
///
/// The 12 months before support are `Window::new("before", -12, 0)`; MEAM
/// quarter k is `Window::quarter(k)` = months `3k..3k+3`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    label: String,
    start_month: i32,
    end_month: i32,
}

impl Window {
    /// A window.
    ///
    /// # Errors
    /// If `end_month <= start_month`.
    pub fn new(label: impl Into<String>, start_month: i32, end_month: i32) -> Result<Self> {
        if end_month <= start_month {
            return Err(Error::invalid_parameter(
                "window",
                format!("months {start_month}..{end_month}"),
                "the window must end after it starts",
            ));
        }
        Ok(Window {
            label: label.into(),
            start_month,
            end_month,
        })
    }

    /// Quarter `k` relative to the index date (`k = -1` is the three months
    /// before it; `k = 0` the first three months of support).
    pub fn quarter(k: i32) -> Self {
        Window {
            label: format!("Q{k:+}"),
            start_month: 3 * k,
            end_month: 3 * k + 3,
        }
    }

    /// Quarters `from..=to`.
    pub fn quarters(from: i32, to: i32) -> Vec<Window> {
        (from..=to).map(Window::quarter).collect()
    }

    /// The 12 months before and the 12 months after the index date.
    pub fn before_after_12_months() -> [Window; 2] {
        [
            Window {
                label: "before".into(),
                start_month: -12,
                end_month: 0,
            },
            Window {
                label: "after".into(),
                start_month: 0,
                end_month: 12,
            },
        ]
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }
    /// First month (inclusive).
    pub fn start_month(&self) -> i32 {
        self.start_month
    }
    /// Last month (exclusive).
    pub fn end_month(&self) -> i32 {
        self.end_month
    }

    /// True if an event `date` falls in the window for `index`.
    pub fn contains(&self, index: NaiveDate, date: NaiveDate) -> bool {
        let m = months_between(index, date);
        self.start_month <= m && m < self.end_month
    }

    /// The calendar days of the window for a person with this index date.
    pub fn period(&self, index: NaiveDate) -> Option<Period> {
        let start = add_months(index, self.start_month)?;
        let end = add_months(index, self.end_month)?.pred_opt()?;
        Period::new(start, end).ok()
    }
}

fn add_months(d: NaiveDate, m: i32) -> Option<NaiveDate> {
    if m >= 0 {
        d.checked_add_months(chrono::Months::new(m.unsigned_abs()))
    } else {
        d.checked_sub_months(chrono::Months::new(m.unsigned_abs()))
    }
}

/// One person's use of one category in one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowCount {
    /// Who.
    pub person: PersonId,
    /// Which window (its label).
    pub window: String,
    /// Which category (its code).
    pub category: String,
    /// The count (low/mid/high for banded data).
    pub count: Count,
    /// Days of the window on which the person's data were observed.
    pub observed_days: i64,
    /// Days in the window.
    pub window_days: i64,
}

impl WindowCount {
    /// The fraction of the window observed, in [0, 1].
    pub fn observed_fraction(&self) -> f64 {
        if self.window_days <= 0 {
            0.0
        } else {
            self.observed_days as f64 / self.window_days as f64
        }
    }

    /// The mid count per observed quarter (91.3125 days, a quarter of the
    /// mean Gregorian year), or `None` if nothing was observed.
    pub fn per_quarter(&self, scenario: Scenario) -> Option<f64> {
        (self.observed_days > 0)
            .then(|| self.count.get(scenario) * DAYS_PER_QUARTER / self.observed_days as f64)
    }
}

/// Days in a quarter: 365.2425 / 4.
pub const DAYS_PER_QUARTER: f64 = 91.310_625;

/// Counts per person × window × category, with observed time, for every
/// cohort member (zeros included), from events and period counts.
///
/// A person's observed days in a window are the days of the window inside
/// the data window and before their end date. Events outside every window
/// are ignored (they are valid data, just not in the windows asked for).
pub fn aggregate(
    cohort: &[CohortMember],
    data_window: DataWindow,
    windows: &[Window],
    categories: &CategorySet,
    events: &[ServiceEvent],
    period_counts: &[PeriodCount],
) -> Vec<WindowCount> {
    let cats: Vec<&ServiceCategory> = categories.iter().collect();
    let index: HashMap<&PersonId, usize> = cohort
        .iter()
        .enumerate()
        .map(|(i, m)| (&m.person, i))
        .collect();
    let cat_pos: HashMap<&str, usize> = cats
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code(), i))
        .collect();
    let nw = windows.len();
    let nc = cats.len();
    let mut acc = vec![Count::ZERO; cohort.len() * nw * nc];
    let mut add = |person: &PersonId, date: NaiveDate, cat: &ServiceCategory, c: Count| {
        let (Some(&p), Some(&k)) = (index.get(person), cat_pos.get(cat.code())) else {
            return;
        };
        let idx = cohort[p].index_date;
        for (w, win) in windows.iter().enumerate() {
            if win.contains(idx, date) {
                let slot = &mut acc[(p * nw + w) * nc + k];
                *slot = *slot + c;
            }
        }
    };
    for e in events {
        add(&e.person, e.date, &e.category, Count::exact(e.count));
    }
    for pc in period_counts {
        add(&pc.person, pc.period.start(), &pc.category, pc.count);
    }
    let mut out = Vec::with_capacity(acc.len());
    for (p, m) in cohort.iter().enumerate() {
        let observed = data_window.observed(m);
        for (w, win) in windows.iter().enumerate() {
            let period = win.period(m.index_date);
            let window_days = period.map_or(0, |p| p.days());
            let observed_days = match (period, observed) {
                (Some(a), Some(b)) => a.intersect(&b).map_or(0, |x| x.days()),
                _ => 0,
            };
            for (k, c) in cats.iter().enumerate() {
                out.push(WindowCount {
                    person: m.person.clone(),
                    window: win.label().to_string(),
                    category: c.code().to_string(),
                    count: acc[(p * nw + w) * nc + k],
                    observed_days,
                    window_days,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::Group;
    use std::collections::BTreeMap;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn categories_know_their_unit() {
        assert_eq!(ServiceCategory::PrisonNight.unit(), CountUnit::Days);
        assert_eq!(ServiceCategory::AeAttendance.unit(), CountUnit::Events);
        let c = ServiceCategory::custom("gp_visit", CountUnit::Events).unwrap();
        assert_eq!(c.code(), "gp_visit");
        assert!(ServiceCategory::custom("arrest", CountUnit::Events).is_err());
        assert!(ServiceCategory::custom("GP visit", CountUnit::Events).is_err());
        let set = CategorySet::with_custom([c]);
        assert!(set.get("gp_visit").is_some());
        assert!(set.get("unknown").is_none());
    }

    #[test]
    fn bands_are_intervals_never_collapsed() {
        let s = BandScheme::default();
        let c = s.parse("5 to 9").unwrap();
        assert_eq!((c.low(), c.mid(), c.high()), (5.0, 7.0, 9.0));
        assert!(!c.is_exact());
        assert_eq!(s.parse("4").unwrap(), Count::exact(4));
        assert!(s.parse("lots").is_none());
        let p = BandScheme::fulfilling_lives_prison_nights();
        let c = p.parse("1 to 31 (i.e. up to one month)").unwrap();
        assert_eq!((c.low(), c.high()), (1.0, 31.0));
        assert!(BandScheme::fulfilling_lives(9.0, 20.0).is_err());
    }

    #[test]
    fn aggregation_with_partial_observation() {
        let p = PersonId::from_pseudonym("p").unwrap();
        let member = CohortMember {
            person: p.clone(),
            index_date: d(2024, 1, 1),
            group: Group::Programme,
            end_date: Some(d(2024, 6, 30)),
            end_reason: None,
            covariates: BTreeMap::new(),
        };
        let dw = DataWindow::new(d(2023, 7, 1), d(2025, 1, 1)).unwrap();
        let events = vec![
            ServiceEvent {
                person: p.clone(),
                date: d(2023, 12, 31),
                category: ServiceCategory::AeAttendance,
                count: 1,
            },
            ServiceEvent {
                person: p.clone(),
                date: d(2023, 6, 1),
                category: ServiceCategory::AeAttendance,
                count: 1,
            },
            ServiceEvent {
                person: p.clone(),
                date: d(2024, 1, 1),
                category: ServiceCategory::AeAttendance,
                count: 2,
            },
        ];
        let out = aggregate(
            &[member],
            dw,
            &Window::before_after_12_months(),
            &CategorySet::default(),
            &events,
            &[],
        );
        let get = |w: &str| {
            out.iter()
                .find(|r| r.window == w && r.category == "ae_attendance")
                .unwrap()
        };
        let before = get("before");
        assert_eq!(before.count, Count::exact(2));
        // observed from 2023-07-01 to 2023-12-31 = 184 of 365 days
        assert_eq!((before.observed_days, before.window_days), (184, 365));
        let after = get("after");
        assert_eq!(after.count, Count::exact(2));
        assert_eq!((after.observed_days, after.window_days), (182, 366));
        assert!(
            (after.per_quarter(Scenario::Mid).unwrap() - 2.0 * DAYS_PER_QUARTER / 182.0).abs()
                < 1e-12
        );
        assert_eq!(out.len(), 2 * CategorySet::default().iter().count());
    }

    #[test]
    fn quarters_align_to_index_date() {
        let q = Window::quarter(-1);
        let idx = d(2024, 5, 15);
        assert!(q.contains(idx, d(2024, 2, 15)));
        assert!(q.contains(idx, d(2024, 5, 14)));
        assert!(!q.contains(idx, d(2024, 5, 15)));
        assert!(!q.contains(idx, d(2024, 2, 14)));
        assert_eq!(q.period(idx).unwrap().days(), 90);
        assert_eq!(Window::quarters(-4, 8).len(), 13);
    }
}
