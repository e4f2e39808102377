//! What a school report compares ([`SchoolDesign`]) and with which files
//! ([`SchoolFiles`]), and the checks of a design before any file is read.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cohort::Phase;
use crate::error::{Error, Result};
use crate::measures::asb::{AreaCode, Month, MonthRange};
use crate::measures::attendance::{AbsenceThreshold, AcademicYear, LabelledPeriod, SchoolId};
use crate::measures::synthetic_school::Arm;
use crate::stats::ConfidenceLevel;

/// The spec section whose keys the errors name.
pub(super) const KEY: &str = "data.school";

/// One arm of the evaluation: its name, its schools and its areas. Which
/// arm it is follows from its place in [`SchoolDesign`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmDesign {
    /// The arm's name for display (a town, or several: "Ashby Cross and
    /// Brinsworth").
    pub name: String,
    /// Schools whose enrolments belong to this arm.
    pub schools: Vec<SchoolId>,
    /// Areas (LSOA codes) whose ASB belongs to this arm.
    pub areas: Vec<AreaCode>,
}

/// One phase (before or after the start) of each measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseDesign {
    /// The register's dates in this phase (with a register file).
    pub register: Option<LabelledPeriod>,
    /// The academic year of the counts file in this phase (with a counts
    /// file).
    pub academic_year: Option<AcademicYear>,
    /// The ASB months of this phase (with a police.uk file).
    pub asb_months: Option<MonthRange>,
    /// The population year of this phase's ASB rates (with a police.uk
    /// file).
    pub population_year: Option<i32>,
}

/// Which population year the month-by-month and quarter-by-quarter ASB
/// rates use (`data.school.period_population_year`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodPopulationYear {
    /// Each month's own calendar year (a quarter: that of its first month);
    /// the population file must hold it for every area.
    #[default]
    CalendarYear,
    /// The population year of the phase the month is in.
    Phase,
}

impl PeriodPopulationYear {
    /// The spec value, `"calendar_year"` or `"phase"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodPopulationYear::CalendarYear => "calendar_year",
            PeriodPopulationYear::Phase => "phase",
        }
    }
}

/// The input files. Attendance needs a register or a counts file (both: the
/// register is the source and the counts a cross-check); ASB needs a
/// police.uk file and a population file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SchoolFiles {
    /// Session marks (`pupil_id,school_urn,date,session,code`).
    pub register: Option<PathBuf>,
    /// DfE-style counts per enrolment and academic year.
    pub enrolment_counts: Option<PathBuf>,
    /// police.uk street-level rows.
    pub police_uk: Option<PathBuf>,
    /// `area,year,population,source`.
    pub population: Option<PathBuf>,
}

impl SchoolFiles {
    /// The four files under the names
    /// [`write_school_data`](crate::measures::synthetic_school::write_school_data)
    /// gives them, in `dir`.
    pub fn in_dir(dir: &Path) -> SchoolFiles {
        use crate::measures::synthetic_school::{
            ENROLMENT_COUNTS_FILE, POLICE_UK_FILE, POPULATION_FILE, REGISTER_FILE,
        };
        SchoolFiles {
            register: Some(dir.join(REGISTER_FILE)),
            enrolment_counts: Some(dir.join(ENROLMENT_COUNTS_FILE)),
            police_uk: Some(dir.join(POLICE_UK_FILE)),
            population: Some(dir.join(POPULATION_FILE)),
        }
    }

    pub(super) fn has_attendance(&self) -> bool {
        self.register.is_some() || self.enrolment_counts.is_some()
    }
}

/// What to compare: the two arms, the start, the two phases and the rules
/// of the rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolDesign {
    /// Pilot name, schools and areas.
    pub pilot: ArmDesign,
    /// Comparison name, schools and areas.
    pub comparison: ArmDesign,
    /// The programme's first day: the before phases end before it and the
    /// after phases start on or after it (attendance).
    pub programme_start: NaiveDate,
    /// The first month of the programme for ASB (the ASB before phase ends
    /// before it, the after phase starts in or after it).
    pub asb_start_month: Month,
    /// Before the start.
    pub before: PhaseDesign,
    /// From the start.
    pub after: PhaseDesign,
    /// The population year of the monthly and quarterly ASB rates.
    pub period_population_year: PeriodPopulationYear,
    /// Persistent-absence threshold (DfE: 10% from 2015/16).
    pub persistent: AbsenceThreshold,
    /// Confidence level of every interval.
    pub level: ConfidenceLevel,
}

pub(super) fn bad<T>(key: &str, value: impl fmt::Display, rule: impl Into<String>) -> Result<T> {
    Err(Error::invalid_parameter(
        format!("{KEY}.{key}"),
        value,
        rule,
    ))
}

pub(super) fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// At most `n` items of a list, for an error message.
pub(super) fn some_of<T: fmt::Display>(items: impl IntoIterator<Item = T>, n: usize) -> String {
    let all: Vec<String> = items.into_iter().map(|x| x.to_string()).collect();
    let mut s = all.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > n {
        s.push_str(&format!(", ... ({} in all)", all.len()));
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}

impl SchoolDesign {
    pub(super) fn arms(&self) -> [(&'static str, Arm, &ArmDesign); 2] {
        [
            ("pilot", Arm::Pilot, &self.pilot),
            ("comparison", Arm::Comparison, &self.comparison),
        ]
    }

    pub(super) fn phases(&self) -> [(&'static str, Phase, &PhaseDesign); 2] {
        [
            ("before", Phase::Before, &self.before),
            ("after", Phase::After, &self.after),
        ]
    }

    /// The arm's design.
    pub fn arm(&self, arm: Arm) -> &ArmDesign {
        match arm {
            Arm::Pilot => &self.pilot,
            Arm::Comparison => &self.comparison,
        }
    }

    /// The phase's design.
    pub fn phase(&self, phase: Phase) -> &PhaseDesign {
        match phase {
            Phase::Before => &self.before,
            Phase::After => &self.after,
        }
    }

    /// Check that the design can be estimated with `files`, before any is
    /// read: each measure has both arms (no comparison schools or areas is
    /// an error), no school or area is in both arms or listed twice, each
    /// phase names what its files need and nothing they do not, the before
    /// phases end before the start and the after phases start on or after
    /// it (a before phase starting on or after the start is "no
    /// pre-period").
    ///
    /// # Errors
    /// `InvalidParameter` naming the `data.school` key and why.
    pub fn check(&self, files: &SchoolFiles) -> Result<()> {
        if !files.has_attendance() && files.police_uk.is_none() {
            return bad(
                "register",
                "none",
                "name at least one of data.school.register, data.school.enrolment_counts or \
                 data.school.police_uk",
            );
        }
        match (&files.police_uk, &files.population) {
            (Some(_), None) => {
                return bad(
                    "population",
                    "none",
                    "the ASB rates need a population file beside data.school.police_uk",
                )
            }
            (None, Some(_)) => {
                return bad(
                    "population",
                    "given",
                    "a population file is read only for ASB rates: name data.school.police_uk too",
                )
            }
            _ => {}
        }
        for (key, _, arm) in self.arms() {
            if arm.name.trim().is_empty() {
                return bad(&format!("{key}.name"), "\"\"", "name the arm");
            }
        }
        if self.pilot.name == self.comparison.name {
            return bad(
                "comparison.name",
                &self.comparison.name,
                "the comparison arm needs a name other than the pilot's",
            );
        }
        self.check_lists(
            "schools",
            files.has_attendance(),
            "data.school.register or data.school.enrolment_counts",
            |a| a.schools.iter().map(SchoolId::as_str).collect(),
        )?;
        self.check_lists(
            "lsoas",
            files.police_uk.is_some(),
            "data.school.police_uk",
            |a| a.areas.iter().map(AreaCode::as_str).collect(),
        )?;
        for (key, _, p) in self.phases() {
            let need = |what: &str, given: bool, needed: bool, file: &str| -> Result<()> {
                match (given, needed) {
                    (false, true) => bad(
                        &format!("{key}.{what}"),
                        "none",
                        format!("needed with data.school.{file}"),
                    ),
                    (true, false) => bad(
                        &format!("{key}.{what}"),
                        "given",
                        format!("read only with a data.school.{file} file, and there is none"),
                    ),
                    _ => Ok(()),
                }
            };
            let dates = if key == "before" {
                "first_day"
            } else {
                "last_day"
            };
            need(
                dates,
                p.register.is_some(),
                files.register.is_some(),
                "register",
            )?;
            need(
                "academic_year",
                p.academic_year.is_some(),
                files.enrolment_counts.is_some(),
                "enrolment_counts",
            )?;
            let months = if key == "before" {
                "first_month"
            } else {
                "last_month"
            };
            need(
                months,
                p.asb_months.is_some(),
                files.police_uk.is_some(),
                "police_uk",
            )?;
            need(
                "population_year",
                p.population_year.is_some(),
                files.police_uk.is_some(),
                "police_uk",
            )?;
            if let Some(y) = p.population_year {
                if !(1900..=9999).contains(&y) {
                    return bad(
                        &format!("{key}.population_year"),
                        y,
                        "must be a year, 1900 to 9999",
                    );
                }
            }
        }
        let start = self.programme_start;
        if let (Some(b), Some(a)) = (&self.before.register, &self.after.register) {
            if b.start() >= start {
                return bad(
                    "before.first_day",
                    b.start(),
                    format!(
                        "no pre-period: the before phase must start before data.school.programme_start ({start})"
                    ),
                );
            }
            if b.end() >= start {
                return bad(
                    "before.last_day",
                    b.end(),
                    format!("must be before data.school.programme_start ({start})"),
                );
            }
            if a.start() < start {
                return bad(
                    "after.first_day",
                    a.start(),
                    format!("must be on or after data.school.programme_start ({start})"),
                );
            }
        }
        if let (Some(b), Some(a)) = (self.before.academic_year, self.after.academic_year) {
            if b.first_day() >= start {
                return bad(
                    "before.academic_year",
                    b,
                    format!("no pre-period: the year must start before data.school.programme_start ({start})"),
                );
            }
            if b.last_day() >= start {
                return bad(
                    "before.academic_year",
                    b,
                    format!("must end before data.school.programme_start ({start})"),
                );
            }
            if a.last_day() < start || a <= b {
                return bad(
                    "after.academic_year",
                    a,
                    format!(
                        "must be a later year than the before phase's ({b}), not ending before \
                         data.school.programme_start ({start})"
                    ),
                );
            }
        }
        let asb = self.asb_start_month;
        if let (Some(b), Some(a)) = (self.before.asb_months, self.after.asb_months) {
            if b.first() >= asb {
                return bad(
                    "before.first_month",
                    b.first(),
                    format!("no pre-period: the before months must start before the ASB start month ({asb})"),
                );
            }
            if b.last() >= asb {
                return bad(
                    "before.last_month",
                    b.last(),
                    format!("must be before the ASB start month ({asb})"),
                );
            }
            if a.first() < asb {
                return bad(
                    "after.first_month",
                    a.first(),
                    format!("must be in or after the ASB start month ({asb})"),
                );
            }
        }
        Ok(())
    }

    /// Both arms' lists of `what` (schools or LSOAs) are empty exactly when
    /// the measure is not read, and hold no name twice or in both arms.
    fn check_lists(
        &self,
        what: &str,
        used: bool,
        needs: &str,
        list: impl Fn(&ArmDesign) -> Vec<&str>,
    ) -> Result<()> {
        let (pilot, comparison) = (list(&self.pilot), list(&self.comparison));
        for (key, names) in [("pilot", &pilot), ("comparison", &comparison)] {
            if used && names.is_empty() {
                return bad(
                    &format!("{key}.{what}"),
                    "[]",
                    format!(
                        "no {key} {what}: a difference in differences needs at least one in each arm"
                    ),
                );
            }
            if !used && !names.is_empty() {
                return bad(
                    &format!("{key}.{what}"),
                    names.join(", "),
                    format!("read only with {needs}, and there is none"),
                );
            }
            let mut seen = BTreeSet::new();
            if let Some(d) = names.iter().find(|n| !seen.insert(**n)) {
                return bad(&format!("{key}.{what}"), d, "listed twice");
            }
        }
        if let Some(both) = comparison.iter().find(|c| pilot.contains(c)) {
            return bad(
                &format!("comparison.{what}"),
                both,
                format!("also in data.school.pilot.{what}: an area or school is in one arm only"),
            );
        }
        Ok(())
    }
}
