//! Seeded synthetic data for the attendance and ASB measures: a school
//! register for fictional towns (each in the pilot or the comparison arm)
//! and monthly ASB incidents for their areas, each with a dialable
//! programme effect.
//!
//! Everything here is fictional: the towns (by default `Northtown` and
//! `Southtown`; [`SchoolDataConfig::pilot_towns`] has four others), the
//! school numbers (`9000xx`, `9001xx`), the area codes (`E0199xxxx`, outside
//! the range of real LSOA codes) and every pupil. All randomness comes from
//! [`crate::rng::Rng`], so a seed gives the same data on every platform.
//! [`write_school_data`] writes the four files of a [`SchoolDataConfig`];
//! the bundled sample is [`SchoolDataConfig::sample`].
//!
//! * [`generate_register`] gives session marks from Sept 2023 to July 2025 by
//!   default, crossing 19 August 2024 so that both register code sets appear.
//!   Absence is skewed (a gamma-distributed propensity per pupil plus a small
//!   severe tail, whole-day absences more likely than single sessions); a
//!   share of pupils move school, join late (`Z` before joining), are
//!   dual-registered (`D`) or below compulsory school age (`X`). The
//!   programme multiplies pilot pupils' absence propensity by
//!   `programme_effect` from `programme_start`.
//! * [`generate_asb`] gives monthly ASB and other street-level crime for
//!   pilot and comparison areas, Poisson around a rate per 1,000 residents
//!   with a seasonal cycle; pilot ASB is multiplied by `effect` from the
//!   start month.
//! * Writers give the published shapes: register marks, per-enrolment DfE
//!   counts (`sess_possible`, `sess_authorised`, `sess_unauthorised`, ...),
//!   police.uk street-level CSV, and a population table.

use std::io::Write;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use super::asb::{AreaCode, Month, PopulationRow, ASB_CRIME_TYPE, POLICE_UK_COLUMNS};
use super::attendance::{
    classify_marks, enrolment_summaries, AbsenceThreshold, AcademicYear, CodeSet, SchoolId,
    Session, SessionMark,
};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Which arm of the evaluation a town, pupil or area belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Arm {
    /// Receives the programme.
    Pilot,
    /// Does not.
    Comparison,
}

impl Arm {
    /// `"pilot"` or `"comparison"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Pilot => "pilot",
            Arm::Comparison => "comparison",
        }
    }
}

/// One fictional town: its name, its arm, its schools (register) and how
/// many areas (LSOA-like codes, for ASB) it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntheticTown {
    /// Town name (written in the register's `town` column and the areas'
    /// names).
    pub name: String,
    /// Pilot or comparison.
    pub arm: Arm,
    /// School numbers (URN-like), at least one.
    pub schools: Vec<String>,
    /// Areas in the town (for [`generate_asb`]); 0 for a town with none.
    pub areas: usize,
}

impl SyntheticTown {
    /// A town.
    pub fn new(name: &str, arm: Arm, schools: &[&str], areas: usize) -> Self {
        SyntheticTown {
            name: name.to_string(),
            arm,
            schools: schools.iter().map(|s| (*s).to_string()).collect(),
            areas,
        }
    }
}

/// The bundled sample's towns: Northtown (pilot, schools 900001 and 900002,
/// three areas) and Southtown (comparison, schools 900003 and 900004, three
/// areas).
pub fn sample_towns() -> Vec<SyntheticTown> {
    vec![
        SyntheticTown::new("Northtown", Arm::Pilot, &["900001", "900002"], 3),
        SyntheticTown::new("Southtown", Arm::Comparison, &["900003", "900004"], 3),
    ]
}

fn check_towns(towns: &[SyntheticTown], need_schools: bool) -> Result<()> {
    if towns.is_empty() || towns.len() > 100 {
        return Err(Error::invalid_parameter(
            "towns",
            towns.len(),
            "name 1 to 100 towns",
        ));
    }
    for arm in [Arm::Pilot, Arm::Comparison] {
        if !towns.iter().any(|t| t.arm == arm) {
            return Err(Error::invalid_parameter(
                "towns",
                arm.as_str(),
                "each arm needs at least one town",
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in towns {
        if t.name.trim().is_empty() {
            return Err(Error::invalid_parameter(
                "towns",
                "\"\"",
                "a town needs a name",
            ));
        }
        if need_schools && t.schools.is_empty() {
            return Err(Error::invalid_parameter(
                "towns",
                &t.name,
                "a town needs at least one school",
            ));
        }
        for sc in &t.schools {
            SchoolId::new(sc.as_str())?;
            if !seen.insert(sc.clone()) {
                return Err(Error::invalid_parameter(
                    "towns",
                    sc,
                    "a school belongs to one town",
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Register
// ---------------------------------------------------------------------------

/// Settings for [`generate_register`].
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterConfig {
    /// Seed for [`Rng`].
    pub seed: u64,
    /// Number of pupils (1 to 100,000), dealt to the towns in turn.
    pub pupils: usize,
    /// The towns and their schools (default: [`sample_towns`]).
    pub towns: Vec<SyntheticTown>,
    /// First day of the register.
    pub first_day: NaiveDate,
    /// Last day of the register (inclusive).
    pub last_day: NaiveDate,
    /// The day the programme starts for pilot pupils.
    pub programme_start: NaiveDate,
    /// Multiplier on pilot pupils' absence propensity from
    /// `programme_start` (1.0 = no effect; 0.8 = a fifth less absence).
    pub programme_effect: f64,
    /// Mean overall absence propensity before any effect (0 to 0.5).
    pub mean_absence: f64,
}

impl Default for RegisterConfig {
    fn default() -> Self {
        RegisterConfig {
            seed: 20_240_819,
            pupils: 300,
            towns: sample_towns(),
            first_day: NaiveDate::from_ymd_opt(2023, 9, 4).unwrap_or(NaiveDate::MIN),
            last_day: NaiveDate::from_ymd_opt(2025, 7, 18).unwrap_or(NaiveDate::MIN),
            programme_start: NaiveDate::from_ymd_opt(2024, 9, 2).unwrap_or(NaiveDate::MIN),
            programme_effect: 0.8,
            mean_absence: 0.07,
        }
    }
}

impl RegisterConfig {
    fn validate(&self) -> Result<()> {
        check_towns(&self.towns, true)?;
        if !(1..=100_000).contains(&self.pupils) {
            return Err(Error::invalid_parameter(
                "pupils",
                self.pupils,
                "must be between 1 and 100000",
            ));
        }
        if self.first_day > self.last_day || (self.last_day - self.first_day).num_days() > 366 * 5 {
            return Err(Error::invalid_parameter(
                "first_day..last_day",
                format!("{}..{}", self.first_day, self.last_day),
                "must be ordered and span at most five years",
            ));
        }
        if !(self.programme_effect.is_finite()
            && self.programme_effect > 0.0
            && self.programme_effect <= 5.0)
        {
            return Err(Error::invalid_parameter(
                "programme_effect",
                self.programme_effect,
                "must be a finite multiplier in (0, 5]",
            ));
        }
        if !(self.mean_absence.is_finite() && self.mean_absence > 0.0 && self.mean_absence <= 0.5) {
            return Err(Error::invalid_parameter(
                "mean_absence",
                self.mean_absence,
                "must be in (0, 0.5]",
            ));
        }
        Ok(())
    }
}

/// One synthetic pupil.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyntheticPupil {
    /// Pupil key.
    pub pupil: u64,
    /// The pupil's town's arm.
    pub arm: Arm,
    /// Town name.
    pub town: String,
    /// Schools attended, in order (two when the pupil moved).
    pub schools: Vec<SchoolId>,
    /// Absence propensity before any effect.
    pub propensity: f64,
}

/// A generated register.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticRegister {
    /// The pupils.
    pub pupils: Vec<SyntheticPupil>,
    /// Every mark, ordered by pupil, date and session.
    pub marks: Vec<SessionMark<u64>>,
}

/// School holidays (approximate English pattern), by (month, day) ranges.
fn is_holiday(d: NaiveDate) -> bool {
    let md = (d.month(), d.day());
    let within = |a: (u32, u32), b: (u32, u32)| md >= a && md <= b;
    within((7, 22), (9, 3))
        || within((10, 23), (10, 31))
        || within((12, 21), (12, 31))
        || within((1, 1), (1, 3))
        || within((2, 12), (2, 18))
        || within((3, 29), (4, 12))
        || within((5, 27), (5, 31))
}

/// School days between `first` and `last`: weekdays outside holidays.
pub fn school_days(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(*d))
        .collect()
}

fn pick<'a>(rng: &mut Rng, items: &[(&'a str, f64)]) -> &'a str {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut u = rng.uniform() * total;
    for (c, w) in items {
        if u < *w {
            return c;
        }
        u -= w;
    }
    items.last().map(|(c, _)| *c).unwrap_or("O")
}

fn authorised_code(rng: &mut Rng, set: CodeSet) -> &'static str {
    match set {
        CodeSet::Pre2024 => pick(
            rng,
            &[
                ("I", 60.0),
                ("M", 14.0),
                ("C", 6.0),
                ("H", 6.0),
                ("F", 1.0),
                ("R", 4.0),
                ("E", 3.0),
                ("S", 2.0),
                ("T", 1.0),
            ],
        ),
        CodeSet::From2024 => pick(
            rng,
            &[
                ("I", 60.0),
                ("M", 14.0),
                ("C", 6.0),
                ("C1", 1.0),
                ("C2", 3.0),
                ("J1", 1.0),
                ("R", 4.0),
                ("E", 3.0),
                ("S", 2.0),
                ("T", 1.0),
            ],
        ),
    }
}

fn unauthorised_code(rng: &mut Rng) -> &'static str {
    pick(rng, &[("O", 45.0), ("G", 25.0), ("N", 20.0), ("U", 10.0)])
}

fn aea_code(rng: &mut Rng, set: CodeSet) -> &'static str {
    match set {
        CodeSet::Pre2024 => pick(
            rng,
            &[("B", 3.0), ("V", 4.0), ("P", 2.0), ("W", 1.0), ("J", 1.0)],
        ),
        CodeSet::From2024 => pick(
            rng,
            &[("B", 3.0), ("V", 4.0), ("P", 2.0), ("W", 1.0), ("K", 2.0)],
        ),
    }
}

/// Generate a register.
///
/// # Errors
/// `InvalidParameter` for a configuration out of range (see the fields of
/// [`RegisterConfig`]).
pub fn generate_register(config: &RegisterConfig) -> Result<SyntheticRegister> {
    config.validate()?;
    let mut rng = Rng::new(config.seed);
    let days = school_days(config.first_day, config.last_day);
    // One planned closure ('#') and one unexpected closure day per school per
    // academic year, on fixed positions in the school calendar.
    let closure_days: Vec<NaiveDate> = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 190 == 40)
        .map(|(_, d)| *d)
        .collect();
    let unexpected_days: Vec<NaiveDate> = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 190 == 95)
        .map(|(_, d)| *d)
        .collect();
    let mut pupils = Vec::with_capacity(config.pupils);
    let mut marks = Vec::new();
    let n_days = days.len();
    for i in 0..config.pupils {
        let pupil = i as u64 + 1;
        let home = &config.towns[i % config.towns.len()];
        let (town, arm, schools) = (&home.name, home.arm, &home.schools);
        // A pupil who moves goes to the town's next school; in a town with
        // one school nobody moves.
        let first_index = rng.below(schools.len() as u64) as usize;
        let first_school = schools[first_index].as_str();
        let other_school = schools[(first_index + 1) % schools.len()].as_str();
        // Skewed propensity: gamma with shape 1.2 and the configured mean,
        // plus a 2% severe tail.
        let propensity = if rng.bernoulli(0.02) {
            0.5 + 0.4 * rng.uniform()
        } else {
            (rng.gamma(1.2) * config.mean_absence / 1.2).min(0.9)
        };
        let unauth_share = 0.15 + 0.5 * rng.uniform().powi(2);
        let joins_late = rng.bernoulli(0.06);
        let moves = rng.bernoulli(0.05);
        let dual = rng.bernoulli(0.02);
        let under_age = rng.bernoulli(0.04);
        let join_at = if joins_late && n_days > 10 {
            5 + rng.below((n_days as u64 - 5) / 2) as usize
        } else {
            0
        };
        let move_at = if moves && n_days > 20 && schools.len() > 1 {
            join_at + 10 + rng.below((n_days - join_at - 10) as u64) as usize
        } else {
            usize::MAX
        };
        let first_id = SchoolId::new(first_school)?;
        let other_id = SchoolId::new(other_school)?;
        let mut school_list = vec![first_id.clone()];
        if move_at != usize::MAX {
            school_list.push(other_id.clone());
        }
        for (di, &date) in days.iter().enumerate() {
            let set = CodeSet::in_force_on(date);
            let school = if di >= move_at { &other_id } else { &first_id };
            if di < join_at {
                // Prospective pupil: 'Z' for the week before joining.
                if di + 5 >= join_at {
                    for s in [Session::Am, Session::Pm] {
                        marks.push(SessionMark {
                            pupil,
                            school: school.clone(),
                            date,
                            session: s,
                            code: "Z".into(),
                        });
                    }
                }
                continue;
            }
            let effect = if arm == Arm::Pilot && date >= config.programme_start {
                config.programme_effect
            } else {
                1.0
            };
            let p_abs = (propensity * effect).min(0.95);
            // Whole-day absence is likelier than a single session.
            let am_absent = rng.bernoulli(p_abs);
            let pm_absent = if am_absent {
                rng.bernoulli(0.85)
            } else {
                rng.bernoulli(p_abs * 0.15)
            };
            let day_code_auth = rng.uniform() >= unauth_share;
            for (s, absent) in [(Session::Am, am_absent), (Session::Pm, pm_absent)] {
                let code: &str = if closure_days.contains(&date) {
                    "#"
                } else if unexpected_days.contains(&date) {
                    match set {
                        CodeSet::Pre2024 => "Y",
                        CodeSet::From2024 => "Y4",
                    }
                } else if dual && date.weekday() == Weekday::Wed {
                    "D"
                } else if under_age && s == Session::Pm && date.weekday() == Weekday::Fri {
                    "X"
                } else if absent {
                    if day_code_auth {
                        authorised_code(&mut rng, set)
                    } else {
                        unauthorised_code(&mut rng)
                    }
                } else if rng.bernoulli(0.01) {
                    aea_code(&mut rng, set)
                } else if rng.bernoulli(0.04) {
                    "L"
                } else {
                    match s {
                        Session::Am => "/",
                        Session::Pm => "\\",
                    }
                };
                marks.push(SessionMark {
                    pupil,
                    school: school.clone(),
                    date,
                    session: s,
                    code: code.to_string(),
                });
            }
        }
        pupils.push(SyntheticPupil {
            pupil,
            arm,
            town: town.clone(),
            schools: school_list,
            propensity,
        });
    }
    Ok(SyntheticRegister { pupils, marks })
}

fn io_err(what: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(what, e)
}

fn csv_err(what: &str) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::io(what, std::io::Error::from(e))
}

/// Write the register marks as CSV with columns
/// `pupil_id,school_urn,town,arm,date,session,code`.
///
/// # Errors
/// `Io` if writing fails.
pub fn write_register_csv<W: Write>(reg: &SyntheticRegister, out: W) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let what = "register.csv";
    w.write_record([
        "pupil_id",
        "school_urn",
        "town",
        "arm",
        "date",
        "session",
        "code",
    ])
    .map_err(csv_err(what))?;
    let arms: std::collections::BTreeMap<u64, (&str, Arm)> = reg
        .pupils
        .iter()
        .map(|p| (p.pupil, (p.town.as_str(), p.arm)))
        .collect();
    for m in &reg.marks {
        let (town, arm) = arms.get(&m.pupil).copied().unwrap_or(("", Arm::Comparison));
        w.write_record([
            m.pupil.to_string().as_str(),
            m.school.as_str(),
            town,
            arm.as_str(),
            m.date.to_string().as_str(),
            m.session.as_str(),
            m.code.as_str(),
        ])
        .map_err(csv_err(what))?;
    }
    w.flush().map_err(io_err(what))
}

/// Write per-enrolment counts for each academic year in the DfE column
/// names: `time_period,time_identifier,school_urn,pupil_id,arm,sess_possible,
/// sess_authorised,sess_unauthorised,sess_overall,enrolments_pa_10_exact`.
///
/// # Errors
/// `Io` if writing fails.
pub fn write_enrolment_counts_csv<W: Write>(
    reg: &SyntheticRegister,
    years: &[AcademicYear],
    out: W,
) -> Result<()> {
    let what = "enrolment_counts.csv";
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "time_period",
        "time_identifier",
        "school_urn",
        "pupil_id",
        "arm",
        "sess_possible",
        "sess_authorised",
        "sess_unauthorised",
        "sess_overall",
        "enrolments_pa_10_exact",
    ])
    .map_err(csv_err(what))?;
    let arms: std::collections::BTreeMap<u64, Arm> =
        reg.pupils.iter().map(|p| (p.pupil, p.arm)).collect();
    let classified = classify_marks(&reg.marks);
    for y in years {
        let tp = format!(
            "{}{:02}",
            y.start_year(),
            (y.start_year() + 1).rem_euclid(100)
        );
        for e in enrolment_summaries(
            &classified.accepted,
            &y.period(),
            AbsenceThreshold::default(),
        ) {
            let m = e.measures;
            let arm = arms.get(&e.pupil).copied().unwrap_or(Arm::Comparison);
            w.write_record([
                tp.clone(),
                "Academic year".to_string(),
                e.school.as_str().to_string(),
                e.pupil.to_string(),
                arm.as_str().to_string(),
                m.possible.to_string(),
                m.authorised.to_string(),
                m.unauthorised.to_string(),
                m.overall.to_string(),
                u8::from(m.persistent_absentee == Some(true)).to_string(),
            ])
            .map_err(csv_err(what))?;
        }
    }
    w.flush().map_err(io_err(what))
}

// ---------------------------------------------------------------------------
// ASB
// ---------------------------------------------------------------------------

/// Settings for [`generate_asb`].
#[derive(Debug, Clone, PartialEq)]
pub struct AsbConfig {
    /// Seed for [`Rng`].
    pub seed: u64,
    /// The towns, each with its number of areas (1 to 1,000 areas in each
    /// arm; default: [`sample_towns`], three areas each).
    pub towns: Vec<SyntheticTown>,
    /// The number of the first area's code (`E0199nnnn`; default 1): areas
    /// are numbered on from it, town by town.
    pub first_area: usize,
    /// First month.
    pub first_month: Month,
    /// Last month (inclusive).
    pub last_month: Month,
    /// The programme's start month.
    pub start_month: Month,
    /// Multiplier on pilot ASB from `start_month` (1.0 = no effect).
    pub effect: f64,
    /// ASB incidents per 1,000 residents per year before any effect.
    pub asb_per_1000_per_year: f64,
    /// Other street-level crimes per ASB incident (rows to be filtered out).
    pub other_crime_per_asb: f64,
}

impl Default for AsbConfig {
    fn default() -> Self {
        AsbConfig {
            seed: 20_240_401,
            towns: sample_towns(),
            first_area: 1,
            first_month: Month::known(2023, 1),
            last_month: Month::known(2025, 6),
            start_month: Month::known(2024, 4),
            effect: 0.75,
            asb_per_1000_per_year: 30.0,
            other_crime_per_asb: 2.0,
        }
    }
}

/// One synthetic area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyntheticArea {
    /// Fictional LSOA-like code (`E0199xxxx`).
    pub code: AreaCode,
    /// Fictional LSOA-like name.
    pub name: String,
    /// Pilot or comparison.
    pub arm: Arm,
}

/// One police.uk street-level row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreetRow {
    /// `Crime ID` (empty for ASB).
    pub crime_id: String,
    /// `Month`.
    pub month: Month,
    /// `Longitude` (empty when no location).
    pub longitude: Option<f64>,
    /// `Latitude`.
    pub latitude: Option<f64>,
    /// `Location`.
    pub location: String,
    /// `LSOA code` (None for the few rows with no location).
    pub lsoa_code: Option<AreaCode>,
    /// `LSOA name`.
    pub lsoa_name: String,
    /// `Crime type`.
    pub crime_type: &'static str,
    /// `Last outcome category` (empty for ASB).
    pub last_outcome: &'static str,
}

/// Generated ASB data.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticAsb {
    /// The areas.
    pub areas: Vec<SyntheticArea>,
    /// Population rows for every calendar year covered.
    pub population: Vec<PopulationRow>,
    /// Street-level rows (ASB and other crime), month by month.
    pub rows: Vec<StreetRow>,
}

/// The fictional area code of the `n`th area (1-based): `E0199nnnn`.
fn area_code(n: usize) -> Result<AreaCode> {
    AreaCode::new(format!("E0199{n:04}"))
}

const OTHER_TYPES: [(&str, f64); 6] = [
    ("Violence and sexual offences", 35.0),
    ("Criminal damage and arson", 12.0),
    ("Shoplifting", 10.0),
    ("Public order", 10.0),
    ("Burglary", 6.0),
    ("Vehicle crime", 6.0),
];

/// Generate monthly ASB and other crime.
///
/// # Errors
/// `InvalidParameter` for area counts outside 1..=1000, a month range out of
/// order or longer than 20 years, or a non-finite or negative rate or
/// effect.
pub fn generate_asb(config: &AsbConfig) -> Result<SyntheticAsb> {
    let c = config;
    check_towns(&c.towns, false)?;
    for arm in [Arm::Pilot, Arm::Comparison] {
        let n: usize = c
            .towns
            .iter()
            .filter(|t| t.arm == arm)
            .map(|t| t.areas)
            .sum();
        if !(1..=1000).contains(&n) {
            return Err(Error::invalid_parameter(
                format!("{} areas", arm.as_str()),
                n,
                "must be between 1 and 1000",
            ));
        }
    }
    let total: usize = c.towns.iter().map(|t| t.areas).sum();
    if c.first_area == 0 || c.first_area + total > 10_000 {
        return Err(Error::invalid_parameter(
            "first_area",
            c.first_area,
            "area numbers must lie in 1 to 9999",
        ));
    }
    let range = super::asb::MonthRange::new(c.first_month, c.last_month)?;
    if range.len() > 240 {
        return Err(Error::invalid_parameter(
            "months",
            range.len(),
            "at most 240 months",
        ));
    }
    for (name, v) in [
        ("effect", c.effect),
        ("asb_per_1000_per_year", c.asb_per_1000_per_year),
        ("other_crime_per_asb", c.other_crime_per_asb),
    ] {
        if !(v.is_finite() && (0.0..=1000.0).contains(&v)) {
            return Err(Error::invalid_parameter(
                name,
                v,
                "must be finite and in [0, 1000]",
            ));
        }
    }
    let mut rng = Rng::new(c.seed);
    let mut areas = Vec::new();
    let mut base_pop = Vec::new();
    for town in &c.towns {
        for j in 0..town.areas {
            let n = areas.len() + c.first_area;
            areas.push(SyntheticArea {
                code: area_code(n)?,
                name: format!(
                    "{} {:03}{}",
                    town.name,
                    j / 4 + 1,
                    ["A", "B", "C", "D"][j % 4]
                ),
                arm: town.arm,
            });
            base_pop.push(1400.0 + 600.0 * rng.uniform());
        }
    }
    let mut population = Vec::new();
    for year in c.first_month.year()..=c.last_month.year() {
        for (a, p) in areas.iter().zip(&base_pop) {
            let growth = 1.0 + 0.005 * (year - c.first_month.year()) as f64;
            population.push(PopulationRow {
                area: a.code.clone(),
                year,
                population: (p * growth).round() as u64,
                source: "synthetic (fictional areas)".to_string(),
            });
        }
    }
    let mut rows = Vec::new();
    let mut month = c.first_month;
    loop {
        let season =
            1.0 + 0.25 * (2.0 * std::f64::consts::PI * (month.month() as f64 - 7.0) / 12.0).cos();
        for (a, p) in areas.iter().zip(&base_pop) {
            let effect = if a.arm == Arm::Pilot && month >= c.start_month {
                c.effect
            } else {
                1.0
            };
            let mean = c.asb_per_1000_per_year * p / 1000.0 / 12.0 * season;
            let n_asb = rng.poisson(mean * effect);
            let n_other = rng.poisson(mean * c.other_crime_per_asb);
            let mut push = |rng: &mut Rng,
                            crime_type: &'static str,
                            last_outcome: &'static str,
                            crime_id: String| {
                let located = rng.uniform() >= 0.01;
                rows.push(StreetRow {
                    crime_id,
                    month,
                    longitude: located.then(|| -1.5 + 0.01 * rng.uniform()),
                    latitude: located.then(|| 53.0 + 0.01 * rng.uniform()),
                    location: if located {
                        "On or near Example Street".into()
                    } else {
                        "No Location".into()
                    },
                    lsoa_code: located.then(|| a.code.clone()),
                    lsoa_name: if located {
                        a.name.clone()
                    } else {
                        String::new()
                    },
                    crime_type,
                    last_outcome,
                });
            };
            for _ in 0..n_asb {
                push(&mut rng, ASB_CRIME_TYPE, "", String::new());
            }
            for _ in 0..n_other {
                let t = pick(&mut rng, &OTHER_TYPES);
                let id = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
                push(
                    &mut rng,
                    t,
                    "Investigation complete; no suspect identified",
                    id,
                );
            }
        }
        if month >= c.last_month {
            break;
        }
        month = month.plus(1)?;
    }
    Ok(SyntheticAsb {
        areas,
        population,
        rows,
    })
}

/// Write the street-level rows in the police.uk column layout
/// ([`POLICE_UK_COLUMNS`]).
///
/// # Errors
/// `Io` if writing fails.
pub fn write_police_uk_csv<W: Write>(asb: &SyntheticAsb, out: W) -> Result<()> {
    let what = "street.csv";
    let mut w = csv::Writer::from_writer(out);
    w.write_record(POLICE_UK_COLUMNS).map_err(csv_err(what))?;
    for r in &asb.rows {
        let f = |x: Option<f64>| x.map(|v| format!("{v:.6}")).unwrap_or_default();
        w.write_record([
            r.crime_id.as_str(),
            r.month.to_string().as_str(),
            "Testshire Police",
            "Testshire Police",
            f(r.longitude).as_str(),
            f(r.latitude).as_str(),
            r.location.as_str(),
            r.lsoa_code.as_ref().map(AreaCode::as_str).unwrap_or(""),
            r.lsoa_name.as_str(),
            r.crime_type,
            r.last_outcome,
            "",
        ])
        .map_err(csv_err(what))?;
    }
    w.flush().map_err(io_err(what))
}

/// Write the population table as `area,year,population,source`.
///
/// # Errors
/// `Io` if writing fails.
pub fn write_population_csv<W: Write>(asb: &SyntheticAsb, out: W) -> Result<()> {
    let what = "population.csv";
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["area", "year", "population", "source"])
        .map_err(csv_err(what))?;
    for p in &asb.population {
        w.write_record([
            p.area.as_str(),
            p.year.to_string().as_str(),
            p.population.to_string().as_str(),
            p.source.as_str(),
        ])
        .map_err(csv_err(what))?;
    }
    w.flush().map_err(io_err(what))
}

// ---------------------------------------------------------------------------
// Bundled sample files
// ---------------------------------------------------------------------------

/// A fault planted on purpose in the bundled register so that the rejection
/// accounting has something to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum FaultKind {
    /// A code in neither register code set (`A`).
    UnknownCode,
    /// A code of the 2024 set (`J1`) on a date before 19 August 2024.
    CodeOfOtherSet,
    /// A second mark for a session that already has one.
    DuplicateMark,
}

/// One planted fault: where it is and what the reader must say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlantedFault {
    /// The file it is in.
    pub file: &'static str,
    /// Its 1-based data row (header not counted).
    pub source_row: u64,
    /// The column the reader rejects it on (`code` or `session`).
    pub column: &'static str,
    /// The value the rejection table shows for it.
    pub value: String,
    /// What kind of fault it is.
    pub kind: FaultKind,
}

/// What [`write_school_sample`] wrote: data rows per file (header not
/// counted) and the faults planted in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolSampleCounts {
    /// Rows of `register.csv`, planted faults included.
    pub register_rows: u64,
    /// Rows of `enrolment_counts.csv`.
    pub enrolment_count_rows: u64,
    /// Rows of `police_uk_street.csv`.
    pub police_uk_rows: u64,
    /// Rows of `population.csv`.
    pub population_rows: u64,
    /// The faults planted in `register.csv`, in row order.
    pub planted_faults: Vec<PlantedFault>,
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| Error::invalid_parameter("date", format!("{y}-{m}-{d}"), "not a date"))
}

/// The index of the first mark of `pupil` on or after `from` in `session`
/// with a present code (`/` or `\`).
fn first_present_mark(
    marks: &[SessionMark<u64>],
    pupil: u64,
    from: NaiveDate,
    session: Session,
) -> Result<usize> {
    marks
        .iter()
        .position(|m| {
            m.pupil == pupil
                && m.date >= from
                && m.session == session
                && (m.code == "/" || m.code == "\\")
        })
        .ok_or_else(|| {
            Error::insufficient_data(
                "planting sample faults",
                format!("no present mark on or after {from} for the chosen synthetic pupil"),
            )
        })
}

/// The register with the documented faults planted (see
/// [`write_school_sample`]), and where they are.
fn plant_register_faults(
    reg: &SyntheticRegister,
) -> Result<(SyntheticRegister, Vec<PlantedFault>)> {
    let mut out = reg.clone();
    // Duplicate first: inserting a row shifts the rows after it.
    let dup_at = first_present_mark(&out.marks, 20, ymd(2024, 10, 7)?, Session::Pm)?;
    let mut dup = out.marks.get(dup_at).cloned().ok_or_else(|| {
        Error::insufficient_data("planting sample faults", "mark index out of range")
    })?;
    dup.code = "O".to_string();
    let dup_value = format!("{} {}", dup.date, dup.session.as_str());
    out.marks.insert(dup_at + 1, dup);

    let unknown_at = first_present_mark(&out.marks, 7, ymd(2023, 11, 6)?, Session::Am)?;
    let other_set_at = first_present_mark(&out.marks, 12, ymd(2024, 3, 4)?, Session::Am)?;
    for (at, code) in [(unknown_at, "A"), (other_set_at, "J1")] {
        if let Some(m) = out.marks.get_mut(at) {
            m.code = code.to_string();
        }
    }
    let dup_row = out
        .marks
        .iter()
        .position(|m| {
            m.pupil == 20
                && m.code == "O"
                && format!("{} {}", m.date, m.session.as_str()) == dup_value
        })
        .map(|i| i as u64 + 1)
        .unwrap_or(dup_at as u64 + 2);
    let mut faults = vec![
        PlantedFault {
            file: "register.csv",
            source_row: unknown_at as u64 + 1,
            column: "code",
            value: "A".to_string(),
            kind: FaultKind::UnknownCode,
        },
        PlantedFault {
            file: "register.csv",
            source_row: other_set_at as u64 + 1,
            column: "code",
            value: "J1".to_string(),
            kind: FaultKind::CodeOfOtherSet,
        },
        PlantedFault {
            file: "register.csv",
            source_row: dup_row,
            column: "session",
            value: dup_value,
            kind: FaultKind::DuplicateMark,
        },
    ];
    faults.sort_by_key(|f| f.source_row);
    Ok((out, faults))
}

fn write_file(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<u64> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
    // Data rows: every line but the header (no field holds a line break).
    Ok(bytes
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        .saturating_sub(1) as u64)
}

/// The register file's name, as [`write_school_data`] writes it.
pub const REGISTER_FILE: &str = "register.csv";
/// The aggregated counts file's name.
pub const ENROLMENT_COUNTS_FILE: &str = "enrolment_counts.csv";
/// The police.uk street-level file's name.
pub const POLICE_UK_FILE: &str = "police_uk_street.csv";
/// The population file's name.
pub const POPULATION_FILE: &str = "population.csv";

/// What [`write_school_data`] writes: a register, the DfE-style counts of
/// the academic years `count_years`, police.uk street-level rows and a
/// population table, with the register's documented faults planted or not.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolDataConfig {
    /// The register (its towns and schools, dates, programme start and
    /// effect).
    pub register: RegisterConfig,
    /// The ASB rows (their towns' areas, months, start month and effect).
    pub asb: AsbConfig,
    /// The academic years of `enrolment_counts.csv`.
    pub count_years: Vec<AcademicYear>,
    /// Plant the three register faults documented at [`write_school_sample`]
    /// (they need the sample's pupils and dates).
    pub plant_faults: bool,
}

impl SchoolDataConfig {
    /// The bundled sample (`data/sample/`): [`RegisterConfig::default()`],
    /// [`AsbConfig::default()`], counts for 2023/24 and 2024/25, the three
    /// faults planted.
    ///
    /// # Errors
    /// None with these values (the academic years are checked).
    pub fn sample() -> Result<Self> {
        Ok(SchoolDataConfig {
            register: RegisterConfig::default(),
            asb: AsbConfig::default(),
            count_years: vec![AcademicYear::new(2023)?, AcademicYear::new(2024)?],
            plant_faults: true,
        })
    }

    /// The fictional pilot of `data/pilot_towns/`: two pilot towns, Ashby
    /// Cross (schools 900101 and 900102, three areas) and Brinsworth (school
    /// 900103, two areas), against two comparison towns, Calder Moor
    /// (900104 and 900105, three areas) and Dunmere (900106, three areas);
    /// areas `E01990101` to `E01990111`. 150 pupils with sessions from
    /// 5 Sep 2022 to 19 Jul 2024 (the pre-2024 code set only); the programme
    /// starts on 4 Sep 2023 for attendance (absence × 0.75) and in
    /// September 2023 for ASB (× 0.7, 35 per 1,000 per year before), ASB
    /// months Jan 2022 to Aug 2024, population years 2022 to 2024; counts
    /// for 2022/23 and 2023/24; no planted faults.
    ///
    /// # Errors
    /// None with these values.
    pub fn pilot_towns() -> Result<Self> {
        let towns = vec![
            SyntheticTown::new("Ashby Cross", Arm::Pilot, &["900101", "900102"], 3),
            SyntheticTown::new("Calder Moor", Arm::Comparison, &["900104", "900105"], 3),
            SyntheticTown::new("Brinsworth", Arm::Pilot, &["900103"], 2),
            SyntheticTown::new("Dunmere", Arm::Comparison, &["900106"], 3),
        ];
        Ok(SchoolDataConfig {
            register: RegisterConfig {
                seed: 20_230_904,
                pupils: 150,
                towns: towns.clone(),
                first_day: ymd(2022, 9, 5)?,
                last_day: ymd(2024, 7, 19)?,
                programme_start: ymd(2023, 9, 4)?,
                programme_effect: 0.75,
                mean_absence: 0.09,
            },
            asb: AsbConfig {
                seed: 20_230_901,
                towns,
                first_area: 101,
                first_month: Month::new(2022, 1)?,
                last_month: Month::new(2024, 8)?,
                start_month: Month::new(2023, 9)?,
                effect: 0.7,
                asb_per_1000_per_year: 35.0,
                other_crime_per_asb: 1.5,
            },
            count_years: vec![AcademicYear::new(2022)?, AcademicYear::new(2023)?],
            plant_faults: false,
        })
    }
}

/// Write the four files of `config` into `dir` (created if needed),
/// byte-for-byte the same on every run and platform: [`REGISTER_FILE`],
/// [`ENROLMENT_COUNTS_FILE`] (computed from the register's accepted marks,
/// so planted faults are not in them), [`POLICE_UK_FILE`] and
/// [`POPULATION_FILE`] (one row per area and calendar year of the ASB
/// months).
///
/// # Errors
/// `InvalidParameter` for a configuration out of range; `Io` if the
/// directory cannot be created or a file cannot be written;
/// `InsufficientData` if a fault cannot be placed.
pub fn write_school_data(
    dir: &std::path::Path,
    config: &SchoolDataConfig,
) -> Result<SchoolSampleCounts> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let reg = generate_register(&config.register)?;
    let (reg, planted_faults) = if config.plant_faults {
        plant_register_faults(&reg)?
    } else {
        (reg, Vec::new())
    };
    let asb = generate_asb(&config.asb)?;

    let mut buf = Vec::new();
    write_register_csv(&reg, &mut buf)?;
    let register_rows = write_file(dir, REGISTER_FILE, &buf)?;
    buf.clear();
    write_enrolment_counts_csv(&reg, &config.count_years, &mut buf)?;
    let enrolment_count_rows = write_file(dir, ENROLMENT_COUNTS_FILE, &buf)?;
    buf.clear();
    write_police_uk_csv(&asb, &mut buf)?;
    let police_uk_rows = write_file(dir, POLICE_UK_FILE, &buf)?;
    buf.clear();
    write_population_csv(&asb, &mut buf)?;
    let population_rows = write_file(dir, POPULATION_FILE, &buf)?;
    Ok(SchoolSampleCounts {
        register_rows,
        enrolment_count_rows,
        police_uk_rows,
        population_rows,
        planted_faults,
    })
}

/// Write the bundled attendance and ASB sample files into `dir` (created if
/// needed), byte-for-byte the same on every run and platform
/// ([`write_school_data`] with [`SchoolDataConfig::sample`]):
///
/// * `register.csv`: session marks (`pupil_id,school_urn,town,arm,date,
///   session,code`) from [`generate_register`] with
///   [`RegisterConfig::default()`]: 300 fictional pupils in Northtown
///   (pilot, schools 900001–900002) and Southtown (comparison, schools
///   900003–900004), 4 Sep 2023 to 18 Jul 2025, so both code sets appear;
///   the programme (effect 0.8 on absence) starts on 2 Sep 2024.
/// * `enrolment_counts.csv`: DfE-style counts per enrolment per academic
///   year (2023/24 and 2024/25) computed from the accepted marks of that
///   register (so the planted faults are not in them):
///   `time_period,time_identifier,school_urn,pupil_id,arm,sess_possible,
///   sess_authorised,sess_unauthorised,sess_overall,enrolments_pa_10_exact`.
/// * `police_uk_street.csv`: police.uk street-level rows from
///   [`generate_asb`] with [`AsbConfig::default()`]: three pilot areas
///   (E01990001–3, Northtown) and three comparison areas (E01990004–6,
///   Southtown), Jan 2023 to Jun 2025, ASB (effect 0.75 from April 2024)
///   and about two other crimes per ASB incident; about 1% of rows have no
///   location (no LSOA), as police.uk publishes them.
/// * `population.csv`: `area,year,population,source` for 2023–2025.
///
/// The design compared (towns, schools, areas, dates, population years) is
/// not here: it is the `[data.school]` section of
/// `data/sample/evaluation.toml`.
///
/// # Planted faults
///
/// Three rows of `register.csv` are wrong on purpose, and
/// [`read_register_csv`](super::attendance::read_register_csv) must reject
/// each with its reason (their exact rows are in
/// [`SchoolSampleCounts::planted_faults`]):
///
/// 1. **Unknown code.** Pupil 7's first present morning mark on or after
///    6 Nov 2023 has the code `A`, which is in neither code set
///    (rejected on `code`: "not a register code of the pre-2024 set in
///    force on …").
/// 2. **2024-only code before 19 Aug 2024.** Pupil 12's first present
///    morning mark on or after 4 Mar 2024 has the code `J1`, which exists
///    only in the 2024 set (rejected on `code`: "… it belongs to the 2024
///    regulations set").
/// 3. **Duplicate mark.** Right after pupil 20's first present afternoon
///    mark on or after 7 Oct 2024, a second mark for the same pupil,
///    school, date and session with the code `O` (rejected on `session`:
///    "duplicate mark"; the first mark stands).
///
/// Nothing else is planted; the police.uk file's other-crime rows
/// (filtered by rule) and no-location rows (invalid) are as police.uk
/// publishes them.
///
/// # Errors
/// `Io` if the directory cannot be created or a file cannot be written;
/// `InsufficientData` if a fault cannot be placed (not with the defaults).
pub fn write_school_sample(dir: &std::path::Path) -> Result<SchoolSampleCounts> {
    write_school_data(dir, &SchoolDataConfig::sample()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::asb::{
        compare_areas, read_police_uk_street, AreaMonthCounts, ComparisonDesign, PopulationTable,
    };
    use crate::measures::attendance::{group_summary, pupil_summaries};
    use crate::stats::ConfidenceLevel;

    #[test]
    fn register_is_seeded_and_uses_both_code_sets() {
        let cfg = RegisterConfig::default();
        let a = generate_register(&cfg).unwrap();
        let b = generate_register(&cfg).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.pupils.len(), 300);
        let c = classify_marks(&a.marks);
        assert!(c.rejected.is_empty(), "{:?}", c.rejected.first());
        let sets: std::collections::BTreeSet<CodeSet> =
            c.accepted.iter().map(|m| m.code.set).collect();
        assert_eq!(sets.len(), 2);
        for code in ["J1", "K", "Y4", "#", "X", "D", "Z", "H", "Y"] {
            assert!(a.marks.iter().any(|m| m.code == code), "{code} missing");
        }
        assert!(a.pupils.iter().any(|p| p.schools.len() == 2));
    }

    #[test]
    fn register_effect_is_dialable() {
        let rate = |effect: f64| {
            let cfg = RegisterConfig {
                programme_effect: effect,
                ..RegisterConfig::default()
            };
            let r = generate_register(&cfg).unwrap();
            let c = classify_marks(&r.marks);
            let y = AcademicYear::new(2024).unwrap().period();
            let pilots: std::collections::BTreeSet<u64> = r
                .pupils
                .iter()
                .filter(|p| p.arm == Arm::Pilot)
                .map(|p| p.pupil)
                .collect();
            let s = pupil_summaries(&c.accepted, &y, AbsenceThreshold::default());
            let counts: Vec<_> = s
                .iter()
                .filter(|p| pilots.contains(&p.pupil))
                .map(|p| p.tally.counts())
                .collect();
            group_summary(&counts, AbsenceThreshold::default())
                .unwrap()
                .overall_absence_rate
                .unwrap()
        };
        let none = rate(1.0);
        let half = rate(0.5);
        assert!(none > 0.04 && none < 0.15, "{none}");
        assert!(half < 0.7 * none, "{half} vs {none}");
    }

    #[test]
    fn register_csvs_are_written() {
        let cfg = RegisterConfig {
            pupils: 10,
            ..RegisterConfig::default()
        };
        let r = generate_register(&cfg).unwrap();
        let mut buf = Vec::new();
        write_register_csv(&r, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().count(), r.marks.len() + 1);
        let mut buf = Vec::new();
        let years = [
            AcademicYear::new(2023).unwrap(),
            AcademicYear::new(2024).unwrap(),
        ];
        write_enrolment_counts_csv(&r, &years, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.starts_with("time_period,time_identifier,school_urn,pupil_id,arm,sess_possible")
        );
        assert!(text.lines().count() >= 21);
        assert!(generate_register(&RegisterConfig {
            pupils: 0,
            ..RegisterConfig::default()
        })
        .is_err());
        assert!(generate_register(&RegisterConfig {
            programme_effect: f64::NAN,
            ..RegisterConfig::default()
        })
        .is_err());
    }

    #[test]
    fn asb_round_trips_through_the_police_uk_reader() {
        let cfg = AsbConfig::default();
        let asb = generate_asb(&cfg).unwrap();
        assert_eq!(asb, generate_asb(&cfg).unwrap());
        let mut buf = Vec::new();
        write_police_uk_csv(&asb, &mut buf).unwrap();
        let imp = read_police_uk_street("street.csv", buf.as_slice()).unwrap();
        assert_eq!(imp.rows_read as usize, asb.rows.len());
        assert_eq!(imp.accepted.len() + imp.excluded.len(), asb.rows.len());
        let asb_located = asb
            .rows
            .iter()
            .filter(|r| r.crime_type == ASB_CRIME_TYPE && r.lsoa_code.is_some())
            .count();
        assert_eq!(imp.accepted.len(), asb_located);
        assert!(imp.filtered_by_rule() > 0);
        let mut buf = Vec::new();
        write_population_csv(&asb, &mut buf).unwrap();
        assert!(String::from_utf8(buf)
            .unwrap()
            .starts_with("area,year,population,source"));
    }

    #[test]
    fn asb_effect_is_dialable_and_recovered() {
        let cfg = AsbConfig {
            towns: vec![
                SyntheticTown::new("Northtown", Arm::Pilot, &[], 20),
                SyntheticTown::new("Southtown", Arm::Comparison, &[], 20),
            ],
            effect: 0.5,
            ..AsbConfig::default()
        };
        let asb = generate_asb(&cfg).unwrap();
        let mut buf = Vec::new();
        write_police_uk_csv(&asb, &mut buf).unwrap();
        let imp = read_police_uk_street("street.csv", buf.as_slice()).unwrap();
        let counts = AreaMonthCounts::from_incidents(&imp.accepted).unwrap();
        let table = PopulationTable::new(asb.population.clone()).unwrap();
        let pick = |arm| {
            asb.areas
                .iter()
                .filter(|a| a.arm == arm)
                .map(|a| a.code.clone())
                .collect::<Vec<_>>()
        };
        let d = ComparisonDesign::new(
            pick(Arm::Pilot),
            pick(Arm::Comparison),
            cfg.start_month,
            12,
            12,
            2023,
            2024,
        )
        .unwrap();
        let r = compare_areas(&counts, &table, &d, ConfidenceLevel::NINETY_FIVE).unwrap();
        let rrr = r.ratio_of_rate_ratios.ratio.unwrap();
        let ci = r.ratio_of_rate_ratios.wald_log.unwrap();
        assert!(ci.contains(0.5), "rrr {rrr} ci {ci:?}");
        assert!(ci.upper < 1.0, "{ci:?}");
    }

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "outcomes-school-sample-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn school_sample_is_byte_for_byte_deterministic() {
        let (a, b) = (temp_dir("a"), temp_dir("b"));
        let ca = write_school_sample(&a).unwrap();
        let cb = write_school_sample(&b).unwrap();
        assert_eq!(ca, cb);
        for f in [
            "register.csv",
            "enrolment_counts.csv",
            "police_uk_street.csv",
            "population.csv",
        ] {
            let x = std::fs::read(a.join(f)).unwrap();
            let y = std::fs::read(b.join(f)).unwrap();
            assert!(!x.is_empty(), "{f} empty");
            assert!(x == y, "{f} differs between runs");
        }
        // Rows reported match the generators.
        let reg = generate_register(&RegisterConfig::default()).unwrap();
        assert_eq!(ca.register_rows, reg.marks.len() as u64 + 1);
        let asb = generate_asb(&AsbConfig::default()).unwrap();
        assert_eq!(ca.police_uk_rows, asb.rows.len() as u64);
        assert_eq!(ca.population_rows, asb.population.len() as u64);
        std::fs::remove_dir_all(&a).unwrap();
        std::fs::remove_dir_all(&b).unwrap();
    }

    #[test]
    fn planted_faults_are_the_only_register_rejections() {
        let reg = generate_register(&RegisterConfig::default()).unwrap();
        let (bad, faults) = plant_register_faults(&reg).unwrap();
        assert_eq!(bad.marks.len(), reg.marks.len() + 1);
        let c = classify_marks(&bad.marks);
        let got: Vec<(u64, &str, &str)> = c
            .rejected
            .iter()
            .map(|r| (r.source_row, r.column.as_str(), r.value.as_str()))
            .collect();
        let want: Vec<(u64, &str, &str)> = faults
            .iter()
            .map(|f| (f.source_row, f.column, f.value.as_str()))
            .collect();
        assert_eq!(got, want);
        let kinds: Vec<FaultKind> = faults.iter().map(|f| f.kind).collect();
        assert_eq!(kinds.len(), 3);
        for k in [
            FaultKind::UnknownCode,
            FaultKind::CodeOfOtherSet,
            FaultKind::DuplicateMark,
        ] {
            assert!(kinds.contains(&k), "{k:?}");
        }
        let other_set = faults
            .iter()
            .find(|f| f.kind == FaultKind::CodeOfOtherSet)
            .unwrap();
        let m = &bad.marks[other_set.source_row as usize - 1];
        assert!(m.date < crate::measures::attendance::FROM_2024_START);
        assert_eq!(m.code, "J1");
    }

    #[test]
    fn towns_are_configurable_and_checked() {
        let cfg = SchoolDataConfig::pilot_towns().unwrap();
        let reg = generate_register(&cfg.register).unwrap();
        let towns: std::collections::BTreeSet<&str> =
            reg.pupils.iter().map(|p| p.town.as_str()).collect();
        assert_eq!(towns.len(), 4);
        // A pupil of a one-school town never moves; each pupil's schools are
        // its town's.
        for p in &reg.pupils {
            let t = cfg
                .register
                .towns
                .iter()
                .find(|t| t.name == p.town)
                .unwrap();
            assert_eq!(t.arm, p.arm);
            assert!(p
                .schools
                .iter()
                .all(|s| t.schools.contains(&s.as_str().to_string())));
            if t.schools.len() == 1 {
                assert_eq!(p.schools.len(), 1);
            }
        }
        let asb = generate_asb(&cfg.asb).unwrap();
        assert_eq!(asb.areas.len(), 11);
        assert_eq!(asb.areas[0].code.as_str(), "E01990101");
        assert_eq!(asb.areas[10].code.as_str(), "E01990111");
        let years: std::collections::BTreeSet<i32> =
            asb.population.iter().map(|p| p.year).collect();
        assert_eq!(
            years.into_iter().collect::<Vec<_>>(),
            vec![2022, 2023, 2024]
        );

        let bad = |towns: Vec<SyntheticTown>| {
            generate_register(&RegisterConfig {
                towns,
                ..RegisterConfig::default()
            })
            .unwrap_err()
            .to_string()
        };
        let e = bad(vec![SyntheticTown::new("A", Arm::Pilot, &["1"], 1)]);
        assert!(e.contains("each arm"), "{e}");
        let e = bad(vec![
            SyntheticTown::new("A", Arm::Pilot, &["1"], 1),
            SyntheticTown::new("B", Arm::Comparison, &["1"], 1),
        ]);
        assert!(e.contains("one town"), "{e}");
        let e = bad(vec![
            SyntheticTown::new("A", Arm::Pilot, &[], 1),
            SyntheticTown::new("B", Arm::Comparison, &["2"], 1),
        ]);
        assert!(e.contains("at least one school"), "{e}");
        let e = generate_asb(&AsbConfig {
            first_area: 9_999,
            ..AsbConfig::default()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("first_area"), "{e}");
    }
}
