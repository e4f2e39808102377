//! The `[data.school]` section of the evaluation spec: any school
//! attendance and anti-social behaviour design (the files, the arms'
//! schools and LSOAs, the programme start, the two phases and the
//! population year of every rate), turned into a checked
//! [`SchoolDesign`].

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::measures::asb::{AreaCode, Month, MonthRange};
use crate::measures::attendance::{AbsenceThreshold, AcademicYear, LabelledPeriod, SchoolId};
use crate::measures::school_report::{
    ArmDesign, PeriodPopulationYear, PhaseDesign, SchoolDesign, SchoolFiles,
};
use crate::stats::ConfidenceLevel;

/// School attendance and anti-social behaviour (`[data.school]`): the
/// files, the pilot and comparison arms (schools and LSOAs by name), the
/// programme start, the two phases compared and the population year of
/// every rate. Any such design; the bundled sample's is one
/// (`data/sample/evaluation.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolSpec {
    /// The session register (`pupil_id,school_urn,date,session,code`),
    /// relative to the spec file.
    #[serde(default)]
    pub register: Option<PathBuf>,
    /// DfE-style counts per enrolment and academic year; the attendance
    /// source when there is no register, a cross-check beside one.
    #[serde(default)]
    pub enrolment_counts: Option<PathBuf>,
    /// A police.uk street-level file (only `Anti-social behaviour` rows are
    /// kept).
    #[serde(default)]
    pub police_uk: Option<PathBuf>,
    /// Residents by LSOA and year (`area,year,population,source`); needed
    /// with `police_uk`.
    #[serde(default)]
    pub population: Option<PathBuf>,
    /// The programme's first day: the attendance before phase ends before
    /// it, the after phase starts on or after it.
    pub programme_start: NaiveDate,
    /// The first month of the programme's effect on ASB, `"YYYY-MM"`
    /// (default: the month of `programme_start`).
    #[serde(default)]
    pub asb_start_month: Option<String>,
    /// Persistent-absence threshold, % of possible sessions (default 10, the
    /// DfE's from 2015/16; 1 to 100).
    #[serde(default = "ten_percent")]
    pub persistent_absence_percent: u32,
    /// The population year of the monthly and quarterly ASB rates:
    /// `"calendar_year"` (default: each month's own year, which the
    /// population file must hold) or `"phase"` (the phase's
    /// `population_year`).
    #[serde(default)]
    pub period_population_year: PeriodPopulationYear,
    /// The pilot arm.
    pub pilot: SchoolArmSpec,
    /// The comparison arm.
    pub comparison: SchoolArmSpec,
    /// The phase before the start.
    pub before: SchoolPhaseSpec,
    /// The phase from the start.
    pub after: SchoolPhaseSpec,
}

fn ten_percent() -> u32 {
    10
}

/// One arm of `[data.school]`: its name and what belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolArmSpec {
    /// How the report names the arm (a town, or several).
    pub name: String,
    /// Its schools, by `school_urn` as the attendance files write it.
    #[serde(default)]
    pub schools: Vec<String>,
    /// Its areas, by LSOA code as the police.uk and population files write
    /// it.
    #[serde(default)]
    pub lsoas: Vec<String>,
}

/// One phase of `[data.school]` (`before` or `after`): its extent in each
/// file. Each key is needed exactly when its file is named.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolPhaseSpec {
    /// First register day of the phase (with `register`).
    #[serde(default)]
    pub first_day: Option<NaiveDate>,
    /// Last register day of the phase (with `register`).
    #[serde(default)]
    pub last_day: Option<NaiveDate>,
    /// The counts file's academic year of the phase, `"2023/24"` (with
    /// `enrolment_counts`).
    #[serde(default)]
    pub academic_year: Option<String>,
    /// First ASB month, `"YYYY-MM"` (with `police_uk`).
    #[serde(default)]
    pub first_month: Option<String>,
    /// Last ASB month (with `police_uk`).
    #[serde(default)]
    pub last_month: Option<String>,
    /// The population year of the phase's ASB rates (with `police_uk`).
    #[serde(default)]
    pub population_year: Option<i32>,
}

impl SchoolSpec {
    /// The files (resolved with `resolve`) and the design this section
    /// describes, checked ([`SchoolDesign::check`]) without reading any
    /// file.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] naming the `data.school` key and why.
    pub fn design(
        &self,
        resolve: impl Fn(&Path) -> PathBuf,
        level: ConfidenceLevel,
    ) -> Result<(SchoolFiles, SchoolDesign)> {
        let key = |k: &str| format!("data.school.{k}");
        let files = SchoolFiles {
            register: self.register.as_deref().map(&resolve),
            enrolment_counts: self.enrolment_counts.as_deref().map(&resolve),
            police_uk: self.police_uk.as_deref().map(&resolve),
            population: self.population.as_deref().map(&resolve),
        };
        let month = |k: &str, v: &str| {
            Month::parse(v.trim()).map_err(|_| {
                Error::invalid_parameter(key(k), v, "a month is \"YYYY-MM\" (1900-01 to 9999-12)")
            })
        };
        let arm = |k: &str, a: &SchoolArmSpec| -> Result<ArmDesign> {
            Ok(ArmDesign {
                name: a.name.trim().to_string(),
                schools: a
                    .schools
                    .iter()
                    .map(|s| {
                        SchoolId::new(s.trim()).map_err(|_| {
                            Error::invalid_parameter(
                                key(&format!("{k}.schools")),
                                "\"\"",
                                "a school is not blank",
                            )
                        })
                    })
                    .collect::<Result<_>>()?,
                areas: a
                    .lsoas
                    .iter()
                    .map(|s| {
                        AreaCode::new(s.trim()).map_err(|_| {
                            Error::invalid_parameter(
                                key(&format!("{k}.lsoas")),
                                "\"\"",
                                "an LSOA code is not blank",
                            )
                        })
                    })
                    .collect::<Result<_>>()?,
            })
        };
        let phase = |k: &str, p: &SchoolPhaseSpec| -> Result<PhaseDesign> {
            let register = match (p.first_day, p.last_day) {
                (None, None) => None,
                (Some(a), Some(b)) => {
                    if a > b {
                        return Err(Error::invalid_parameter(
                            key(&format!("{k}.last_day")),
                            b,
                            format!("must not be before {k}.first_day ({a})"),
                        ));
                    }
                    Some(LabelledPeriod::new(k, a, b)?)
                }
                (Some(_), None) => {
                    return Err(Error::invalid_parameter(
                        key(&format!("{k}.last_day")),
                        "none",
                        format!("give it with {k}.first_day"),
                    ))
                }
                (None, Some(_)) => {
                    return Err(Error::invalid_parameter(
                        key(&format!("{k}.first_day")),
                        "none",
                        format!("give it with {k}.last_day"),
                    ))
                }
            };
            let academic_year = p
                .academic_year
                .as_deref()
                .map(|y| {
                    AcademicYear::parse(y.trim()).map_err(|_| {
                        Error::invalid_parameter(
                            key(&format!("{k}.academic_year")),
                            y,
                            "an academic year is \"2023/24\" (or 202324, 2023-24)",
                        )
                    })
                })
                .transpose()?;
            let asb_months = match (&p.first_month, &p.last_month) {
                (None, None) => None,
                (Some(a), Some(b)) => {
                    let (a, b) = (
                        month(&format!("{k}.first_month"), a)?,
                        month(&format!("{k}.last_month"), b)?,
                    );
                    Some(MonthRange::new(a, b).map_err(|_| {
                        Error::invalid_parameter(
                            key(&format!("{k}.last_month")),
                            b,
                            format!("must not be before {k}.first_month ({a})"),
                        )
                    })?)
                }
                (Some(_), None) => {
                    return Err(Error::invalid_parameter(
                        key(&format!("{k}.last_month")),
                        "none",
                        format!("give it with {k}.first_month"),
                    ))
                }
                (None, Some(_)) => {
                    return Err(Error::invalid_parameter(
                        key(&format!("{k}.first_month")),
                        "none",
                        format!("give it with {k}.last_month"),
                    ))
                }
            };
            Ok(PhaseDesign {
                register,
                academic_year,
                asb_months,
                population_year: p.population_year,
            })
        };
        if !(1..=100).contains(&self.persistent_absence_percent) {
            return Err(Error::invalid_parameter(
                key("persistent_absence_percent"),
                self.persistent_absence_percent,
                "must be 1 to 100",
            ));
        }
        let asb_start_month = match &self.asb_start_month {
            Some(m) => {
                if self.police_uk.is_none() {
                    return Err(Error::invalid_parameter(
                        key("asb_start_month"),
                        m,
                        "read only with data.school.police_uk, and there is none",
                    ));
                }
                month("asb_start_month", m)?
            }
            None => Month::of(self.programme_start)?,
        };
        let design = SchoolDesign {
            pilot: arm("pilot", &self.pilot)?,
            comparison: arm("comparison", &self.comparison)?,
            programme_start: self.programme_start,
            asb_start_month,
            before: phase("before", &self.before)?,
            after: phase("after", &self.after)?,
            period_population_year: self.period_population_year,
            persistent: AbsenceThreshold::from_percent(self.persistent_absence_percent)?,
            level,
        };
        design.check(&files)?;
        Ok((files, design))
    }

    /// The files this section names, with their keys.
    pub fn files(&self) -> Vec<(&'static str, &Path)> {
        [
            ("data.school.register", &self.register),
            ("data.school.enrolment_counts", &self.enrolment_counts),
            ("data.school.police_uk", &self.police_uk),
            ("data.school.population", &self.population),
        ]
        .into_iter()
        .filter_map(|(k, p)| p.as_deref().map(|p| (k, p)))
        .collect()
    }
}

/// The `[data.school]` section of `data/sample/evaluation.toml`: Northtown
/// (pilot) against Southtown (comparison), programme start 2 Sep 2024, ASB
/// from April 2024, population years 2023 and 2024.
pub(super) fn sample_school() -> SchoolSpec {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    let strings = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect();
    SchoolSpec {
        register: Some("register.csv".into()),
        enrolment_counts: Some("enrolment_counts.csv".into()),
        police_uk: Some("police_uk_street.csv".into()),
        population: Some("population.csv".into()),
        programme_start: date(2024, 9, 2),
        asb_start_month: Some("2024-04".into()),
        persistent_absence_percent: 10,
        period_population_year: PeriodPopulationYear::CalendarYear,
        pilot: SchoolArmSpec {
            name: "Northtown".into(),
            schools: strings(&["900001", "900002"]),
            lsoas: strings(&["E01990001", "E01990002", "E01990003"]),
        },
        comparison: SchoolArmSpec {
            name: "Southtown".into(),
            schools: strings(&["900003", "900004"]),
            lsoas: strings(&["E01990004", "E01990005", "E01990006"]),
        },
        before: SchoolPhaseSpec {
            first_day: Some(date(2023, 9, 1)),
            last_day: Some(date(2024, 9, 1)),
            academic_year: Some("2023/24".into()),
            first_month: Some("2023-04".into()),
            last_month: Some("2024-03".into()),
            population_year: Some(2023),
        },
        after: SchoolPhaseSpec {
            first_day: Some(date(2024, 9, 2)),
            last_day: Some(date(2025, 8, 31)),
            academic_year: Some("2024/25".into()),
            first_month: Some("2024-04".into()),
            last_month: Some("2025-03".into()),
            population_year: Some(2024),
        },
    }
}
