//! Pilot-versus-comparison report over school attendance and anti-social
//! behaviour files, for any design: which schools and LSOAs form the pilot
//! and the comparison arm, the programme start, the before and after phases
//! and the population year of every rate ([`SchoolDesign`]; the evaluation
//! spec's `[data.school]` section builds one).
//!
//! [`school_report`] checks the design against the files it names before
//! reading any ([`SchoolDesign::check`]), reads them with the crate's
//! readers and keeps a row-level account of each file (rows read =
//! accepted + excluded, every exclusion with its reason). Names the files do
//! not hold (a school, an LSOA, a population year), a programme start
//! outside the files' dates and a phase with no data are errors naming the
//! spec key and the file. It then compares the arms before and after the
//! start:
//!
//! * **Attendance** (unit: the enrolment, as DfE counts it), from the
//!   session register and/or the aggregated per-enrolment counts: overall,
//!   authorised and unauthorised absence rates (sessions summed over the
//!   group first, divided once), and the persistent and severe (≥ 50%)
//!   absence rates as absentee enrolments ÷ enrolments with possible
//!   sessions; and the 2×2 difference in differences of each
//!   ([`AttendanceDid`]: weighted least squares for the session rates,
//!   least squares for the absentee shares, CR1 standard errors by pupil).
//! * **ASB**: incidents per 1,000 residents per year for the pilot and
//!   comparison areas in each phase's months, against each phase's named
//!   population year, the rate ratios, the ratio of rate ratios and the
//!   difference in differences of the rates ([`compare_areas`]); and the
//!   months one by one, each with the population year it uses
//!   ([`PeriodPopulationYear`]).
//!
//! No person identifier is kept in the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use super::asb::{
    compare_areas, read_police_uk_street, read_population_csv, AreaCode, AreaComparison,
    AreaMonthCounts, ComparisonDesign, Month, MonthRange, PopulationTable,
};
use super::attendance::{
    enrolment_summaries, group_summary, read_enrolment_counts_csv, read_register_csv,
    AbsenceCounts, AbsenceThreshold, AcademicYear, GroupSummary, LabelledPeriod, RejectedRow,
    RowDisposition, SchoolId,
};
use super::synthetic_school::Arm;
use crate::cohort::Phase;

mod design;
mod text;

use crate::compare::did::{did_regression, did_regression_weighted, EffectEstimate};
use crate::error::{Error, Result};
use crate::stats::ols::{Clusters, Weights};
use design::{bad, file_name, some_of, KEY};
pub use design::{ArmDesign, PeriodPopulationYear, PhaseDesign, SchoolDesign, SchoolFiles};

/// Attendance measures for one arm in one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttendanceCell {
    /// Pilot or comparison.
    pub arm: Arm,
    /// Before or after.
    pub phase: Phase,
    /// The dates (register) or academic year (counts) covered.
    pub period: LabelledPeriod,
    /// Group measures over the arm's enrolments.
    pub summary: GroupSummary,
}

/// An attendance measure compared by difference in differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AttendanceMeasure {
    /// Σ overall absence ÷ Σ possible sessions, %.
    OverallAbsence,
    /// Σ authorised absence ÷ Σ possible sessions, %.
    AuthorisedAbsence,
    /// Σ unauthorised absence ÷ Σ possible sessions, %.
    UnauthorisedAbsence,
    /// Persistent absentees ÷ enrolments with possible sessions, %.
    PersistentAbsence,
    /// Severe (≥ 50%) absentees ÷ enrolments with possible sessions, %.
    SevereAbsence,
}

impl AttendanceMeasure {
    /// Every measure, in report order.
    pub const ALL: [AttendanceMeasure; 5] = [
        AttendanceMeasure::OverallAbsence,
        AttendanceMeasure::AuthorisedAbsence,
        AttendanceMeasure::UnauthorisedAbsence,
        AttendanceMeasure::PersistentAbsence,
        AttendanceMeasure::SevereAbsence,
    ];

    /// The report's name for it.
    pub fn label(self) -> &'static str {
        match self {
            AttendanceMeasure::OverallAbsence => "Overall absence %",
            AttendanceMeasure::AuthorisedAbsence => "Authorised absence %",
            AttendanceMeasure::UnauthorisedAbsence => "Unauthorised absence %",
            AttendanceMeasure::PersistentAbsence => "Persistent absence %",
            AttendanceMeasure::SevereAbsence => "Severe absence %",
        }
    }

    /// The measure of a group, as a fraction.
    pub fn of(self, s: &GroupSummary) -> Option<f64> {
        match self {
            AttendanceMeasure::OverallAbsence => s.overall_absence_rate,
            AttendanceMeasure::AuthorisedAbsence => s.authorised_absence_rate,
            AttendanceMeasure::UnauthorisedAbsence => s.unauthorised_absence_rate,
            AttendanceMeasure::PersistentAbsence => s.persistent_absence_rate,
            AttendanceMeasure::SevereAbsence => s.severe_absence_rate,
        }
    }

    /// The absentee count of a group (persistent and severe only): the
    /// numerator its rate reveals.
    pub fn absentees(self, s: &GroupSummary) -> Option<u64> {
        match self {
            AttendanceMeasure::PersistentAbsence => Some(s.persistent_absentees),
            AttendanceMeasure::SevereAbsence => Some(s.severe_absentees),
            _ => None,
        }
    }

    /// True for the session rates (weighted by possible sessions).
    pub fn is_session_rate(self) -> bool {
        !matches!(
            self,
            AttendanceMeasure::PersistentAbsence | AttendanceMeasure::SevereAbsence
        )
    }
}

/// The 2×2 difference in differences of one attendance measure, in
/// percentage points: `(pilot after − before) − (comparison after −
/// before)`, from `y ~ treat * post` over one row per enrolment and phase
/// (enrolments with possible sessions). For the session rates `y` is the
/// enrolment's rate × 100 weighted by its possible sessions
/// ([`did_regression_weighted`]), so that each cell's mean is the group
/// rate of the attendance table; for persistent and severe absence `y` is
/// 100 × the absentee indicator, unweighted ([`did_regression`]). The
/// standard error is CR1 clustered by pupil (a pupil's enrolments in both
/// phases are correlated), t with `n − 4` df (`lmtest::coeftest(fit,
/// vcovCL, cluster = ~pupil)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttendanceDid {
    /// The measure.
    pub measure: AttendanceMeasure,
    /// The file the rows come from.
    pub source: String,
    /// Pilot after − before, percentage points.
    pub pilot_change: f64,
    /// Comparison after − before, percentage points.
    pub comparison_change: f64,
    /// The interaction, with its CR1 (by pupil) inference; `None` when it
    /// cannot be estimated (see `not_estimated`).
    pub effect: Option<EffectEstimate>,
    /// Why there is no estimate (fewer than 5 rows or 2 pupils, or a fit
    /// that failed), when there is none.
    pub not_estimated: Option<String>,
    /// Enrolment × phase rows.
    pub observations: usize,
    /// Distinct pupils (the clusters).
    pub pupils: usize,
}

/// Excluded rows sharing a disposition, column and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    /// Invalid, or filtered out by a scope rule.
    pub disposition: RowDisposition,
    /// The column that decided the outcome.
    pub column: String,
    /// The rule, in words.
    pub reason: String,
    /// How many rows.
    pub rows: u64,
}

/// The row-level account of one input file.
///
/// `rows_read == accepted + excluded.len()`. `used_in_analysis` counts the
/// accepted rows that fall inside the design's arms and phases; the rest of
/// the accepted rows are valid but outside the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputAccounting {
    /// File name.
    pub file: String,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows accepted by validation.
    pub accepted: u64,
    /// Accepted rows inside the design's arms and phases.
    pub used_in_analysis: u64,
    /// Every row not accepted, with its 1-based data row, column, value and
    /// reason.
    pub excluded: Vec<RejectedRow>,
}

impl InputAccounting {
    /// Excluded rows as invalid.
    pub fn invalid(&self) -> u64 {
        self.count(RowDisposition::Invalid)
    }

    /// Excluded rows filtered out by a scope rule.
    pub fn filtered_by_rule(&self) -> u64 {
        self.count(RowDisposition::FilteredByRule)
    }

    fn count(&self, d: RowDisposition) -> u64 {
        self.excluded.iter().filter(|r| r.disposition == d).count() as u64
    }

    /// True when rows read = accepted + excluded.
    pub fn is_balanced(&self) -> bool {
        self.accepted.checked_add(self.excluded.len() as u64) == Some(self.rows_read)
    }

    /// Exclusions grouped by disposition, column and reason, in order of
    /// first appearance.
    pub fn reasons(&self) -> Vec<ReasonCount> {
        let mut out: Vec<ReasonCount> = Vec::new();
        for r in &self.excluded {
            match out.iter_mut().find(|c| {
                c.disposition == r.disposition && c.column == r.column && c.reason == r.reason
            }) {
                Some(c) => c.rows += 1,
                None => out.push(ReasonCount {
                    disposition: r.disposition,
                    column: r.column.clone(),
                    reason: r.reason.clone(),
                    rows: 1,
                }),
            }
        }
        out
    }
}

/// One month of the ASB comparison, with the population year its rates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AsbMonth {
    /// The month.
    pub month: Month,
    /// The phase it is in.
    pub phase: Phase,
    /// The population year of its residents.
    pub population_year: i32,
    /// Pilot areas' incidents.
    pub pilot_incidents: u64,
    /// Pilot areas' residents in `population_year`.
    pub pilot_residents: u64,
    /// Comparison areas' incidents.
    pub comparison_incidents: u64,
    /// Comparison areas' residents in `population_year`.
    pub comparison_residents: u64,
}

/// The ASB part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AsbReport {
    /// The months before the start.
    pub before: MonthRange,
    /// The months from the start.
    pub after: MonthRange,
    /// The population year of the before rates.
    pub population_year_before: i32,
    /// The population year of the after rates.
    pub population_year_after: i32,
    /// Rates, rate ratios, ratio of rate ratios and the DiD of the rates.
    pub comparison: AreaComparison,
    /// The before months then the after months, one by one.
    pub by_month: Vec<AsbMonth>,
}

/// The whole report: file accounting, attendance by arm × phase (from the
/// register and from the aggregated counts), the attendance differences in
/// differences and the ASB comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolReport {
    /// The design compared.
    pub design: SchoolDesign,
    /// One account per input file given, in the order register, counts,
    /// police.uk, population.
    pub inputs: Vec<InputAccounting>,
    /// Attendance from the register (empty without one): pilot before,
    /// pilot after, comparison before, comparison after.
    pub attendance_register: Vec<AttendanceCell>,
    /// The same from the counts file, by academic year (empty without one).
    pub attendance_counts: Vec<AttendanceCell>,
    /// The difference in differences of each attendance measure, from the
    /// register (or the counts file when there is no register).
    pub attendance_did: Vec<AttendanceDid>,
    /// The ASB comparison (without a police.uk file: `None`).
    pub asb: Option<AsbReport>,
}

impl SchoolReport {
    /// The account for `file`, if it is one of the inputs.
    pub fn input(&self, file: &str) -> Option<&InputAccounting> {
        self.inputs.iter().find(|i| i.file == file)
    }

    /// The register-based cell for `arm` and `phase`.
    pub fn register_cell(&self, arm: Arm, phase: Phase) -> Option<&AttendanceCell> {
        self.attendance_register
            .iter()
            .find(|c| c.arm == arm && c.phase == phase)
    }

    /// The counts-based cell for `arm` and `phase`.
    pub fn counts_cell(&self, arm: Arm, phase: Phase) -> Option<&AttendanceCell> {
        self.attendance_counts
            .iter()
            .find(|c| c.arm == arm && c.phase == phase)
    }

    /// The attendance cells the report leads with: the register's, or the
    /// counts file's when there is no register.
    pub fn attendance(&self) -> &[AttendanceCell] {
        if self.attendance_register.is_empty() {
            &self.attendance_counts
        } else {
            &self.attendance_register
        }
    }

    /// The difference in differences of `measure`.
    pub fn did(&self, measure: AttendanceMeasure) -> Option<&AttendanceDid> {
        self.attendance_did.iter().find(|d| d.measure == measure)
    }
}

fn open(path: &Path) -> Result<std::io::BufReader<std::fs::File>> {
    std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .map_err(|e| Error::io(path, e))
}

fn school_arms(design: &SchoolDesign) -> BTreeMap<&SchoolId, Arm> {
    let mut map = BTreeMap::new();
    for (_, arm, d) in design.arms() {
        for s in &d.schools {
            map.insert(s, arm);
        }
    }
    map
}

/// Every school the design names is in `file`'s accepted rows.
fn check_schools<'a>(
    design: &SchoolDesign,
    file: &str,
    present: impl Iterator<Item = &'a SchoolId>,
) -> Result<()> {
    let present: BTreeSet<&SchoolId> = present.collect();
    for (key, _, arm) in design.arms() {
        if let Some(s) = arm.schools.iter().find(|s| !present.contains(s)) {
            return bad(
                &format!("{key}.schools"),
                s,
                format!(
                    "school not in {file}: no accepted row has this school_urn (its schools: {})",
                    some_of(&present, 12)
                ),
            );
        }
    }
    Ok(())
}

/// One enrolment in one phase, for the differences in differences.
struct DidRow {
    pupil: String,
    treated: bool,
    post: bool,
    counts: AbsenceCounts,
}

/// The attendance differences in differences over `rows` (enrolments with
/// possible sessions), with each arm's changes from `cells`.
fn attendance_did(
    rows: &[DidRow],
    cells: &[AttendanceCell],
    source: &str,
    design: &SchoolDesign,
) -> Result<Vec<AttendanceDid>> {
    let treated: Vec<bool> = rows.iter().map(|r| r.treated).collect();
    let post: Vec<bool> = rows.iter().map(|r| r.post).collect();
    let pupils: Vec<&str> = rows.iter().map(|r| r.pupil.as_str()).collect();
    let clusters = Clusters::new(&pupils);
    let mut out = Vec::new();
    for measure in AttendanceMeasure::ALL {
        let change = |arm: Arm| -> Result<f64> {
            let get = |phase: Phase| {
                cells
                    .iter()
                    .find(|c| c.arm == arm && c.phase == phase)
                    .and_then(|c| measure.of(&c.summary))
                    .ok_or_else(|| {
                        Error::insufficient_data(
                            "attendance difference in differences",
                            format!(
                                "the {} arm has no enrolment with possible sessions in the {} phase",
                                arm.as_str(),
                                phase.as_str()
                            ),
                        )
                    })
            };
            Ok((get(Phase::After)? - get(Phase::Before)?) * 100.0)
        };
        let (pilot_change, comparison_change) = (change(Arm::Pilot)?, change(Arm::Comparison)?);
        let fit = || -> Result<crate::compare::did::DidRegression> {
            if rows.len() <= 4 || clusters.count() < 2 {
                return Err(Error::insufficient_data(
                    "attendance difference in differences",
                    "needs more than four enrolment-phase rows and at least two pupils",
                ));
            }
            if measure.is_session_rate() {
                let c = |r: &DidRow| match measure {
                    AttendanceMeasure::AuthorisedAbsence => r.counts.authorised(),
                    AttendanceMeasure::UnauthorisedAbsence => r.counts.unauthorised(),
                    _ => r.counts.overall(),
                };
                let y: Vec<f64> = rows
                    .iter()
                    .map(|r| c(r) as f64 / r.counts.possible() as f64 * 100.0)
                    .collect();
                let w = Weights::new(rows.iter().map(|r| r.counts.possible() as f64).collect())?;
                did_regression_weighted(
                    &y,
                    &treated,
                    &post,
                    Some(&w),
                    Some(&clusters),
                    design.level,
                )
            } else {
                let threshold = match measure {
                    AttendanceMeasure::PersistentAbsence => design.persistent,
                    _ => AbsenceThreshold::SEVERE_50_PERCENT,
                };
                let y: Vec<f64> = rows
                    .iter()
                    .map(|r| {
                        if threshold.is_met(r.counts.overall(), r.counts.possible()) == Some(true) {
                            100.0
                        } else {
                            0.0
                        }
                    })
                    .collect();
                did_regression(&y, &treated, &post, Some(&clusters), design.level)
            }
        };
        let (effect, not_estimated) = match fit() {
            Ok(f) => match f.cluster {
                Some(e) if e.std_error.is_finite() => (Some(e), None),
                _ => (
                    None,
                    Some("no finite cluster-robust standard error".to_string()),
                ),
            },
            Err(e) => (None, Some(e.to_string())),
        };
        out.push(AttendanceDid {
            measure,
            source: source.to_string(),
            pilot_change,
            comparison_change,
            effect,
            not_estimated,
            observations: rows.len(),
            pupils: clusters.count(),
        });
    }
    Ok(out)
}

/// The no-data error of a phase: "no pre-period" before, "no post-period"
/// after, naming the key that sets the phase and the file.
fn no_phase_data<T>(phase: Phase, key: &str, arm: &str, file: &str, what: String) -> Result<T> {
    let (name, period) = match phase {
        Phase::Before => ("before", "no pre-period"),
        Phase::After => ("after", "no post-period"),
    };
    bad(
        &format!("{name}.{key}"),
        what.clone(),
        format!("{period}: {file} has no accepted row of the {arm} schools in {what}"),
    )
}

/// Read the files and compare the design's arms before and after the start.
///
/// Attendance phases are the design's dates (register) and academic years
/// (counts); ASB phases its months, each with its named population year.
///
/// # Errors
/// As [`SchoolDesign::check`]; `Io` if a file cannot be read;
/// `MissingColumn` if a file lacks a required column; `InvalidParameter`
/// naming the `data.school` key and the file for a school or LSOA the files
/// do not hold, a programme start outside the register's dates or the ASB
/// start month outside the police.uk file's months, a phase with no
/// accepted rows of an arm ("no pre-period"), a phase's months outside the
/// file, or a population year the population file does not hold for an
/// area (never a neighbouring year instead).
pub fn school_report(files: &SchoolFiles, design: &SchoolDesign) -> Result<SchoolReport> {
    design.check(files)?;
    let arms_of = school_arms(design);
    let threshold = design.persistent;
    let mut inputs = Vec::new();
    let mut did_rows: Option<(String, Vec<DidRow>)> = None;

    // --- register ---------------------------------------------------------
    let mut attendance_register = Vec::new();
    if let Some(path) = &files.register {
        let name = file_name(path);
        let reg = read_register_csv(&name, open(path)?)?;
        check_schools(design, &name, reg.accepted.iter().map(|m| &m.school))?;
        let first = reg.accepted.iter().map(|m| m.date).min();
        let last = reg.accepted.iter().map(|m| m.date).max();
        let (Some(first), Some(last)) = (first, last) else {
            return bad("register", &name, "the register has no accepted mark");
        };
        if !(first..=last).contains(&design.programme_start) {
            return bad(
                "programme_start",
                design.programme_start,
                format!("outside the data: {name} holds marks from {first} to {last}"),
            );
        }
        let periods: Vec<(Phase, &LabelledPeriod)> = design
            .phases()
            .into_iter()
            .filter_map(|(_, ph, p)| p.register.as_ref().map(|r| (ph, r)))
            .collect();
        let used = reg
            .accepted
            .iter()
            .filter(|m| {
                arms_of.contains_key(&m.school) && periods.iter().any(|(_, p)| p.contains(m.date))
            })
            .count() as u64;
        let mut rows = Vec::new();
        for (arm_key, arm, _) in design.arms() {
            for (phase, period) in &periods {
                let enrolments: Vec<_> = enrolment_summaries(&reg.accepted, period, threshold)
                    .into_iter()
                    .filter(|e| arms_of.get(&e.school) == Some(&arm))
                    .collect();
                if enrolments.is_empty() {
                    let key = if *phase == Phase::Before {
                        "first_day"
                    } else {
                        "last_day"
                    };
                    return no_phase_data(
                        *phase,
                        key,
                        arm_key,
                        &name,
                        format!("{} to {}", period.start(), period.end()),
                    );
                }
                let counts: Vec<AbsenceCounts> =
                    enrolments.iter().map(|e| e.tally.counts()).collect();
                for e in &enrolments {
                    let c = e.tally.counts();
                    if c.possible() > 0 {
                        rows.push(DidRow {
                            pupil: e.pupil.clone(),
                            treated: arm == Arm::Pilot,
                            post: *phase == Phase::After,
                            counts: c,
                        });
                    }
                }
                attendance_register.push(AttendanceCell {
                    arm,
                    phase: *phase,
                    period: (*period).clone(),
                    summary: group_summary(&counts, threshold)?,
                });
            }
        }
        // Pilot before, pilot after, comparison before, comparison after.
        did_rows = Some((name.clone(), rows));
        inputs.push(InputAccounting {
            file: name,
            rows_read: reg.rows_read,
            accepted: reg.accepted.len() as u64,
            used_in_analysis: used,
            excluded: reg.rejected,
        });
    }

    // --- enrolment counts -------------------------------------------------
    let mut attendance_counts = Vec::new();
    if let Some(path) = &files.enrolment_counts {
        let name = file_name(path);
        let cnt = read_enrolment_counts_csv(&name, open(path)?)?;
        check_schools(
            design,
            &name,
            cnt.accepted.iter().map(|r| &r.enrolment.school),
        )?;
        let primary = files.register.is_none();
        let years: Vec<(Phase, AcademicYear)> = design
            .phases()
            .into_iter()
            .filter_map(|(_, ph, p)| p.academic_year.map(|y| (ph, y)))
            .collect();
        let mut rows = Vec::new();
        for (arm_key, arm, _) in design.arms() {
            for (phase, year) in &years {
                let selected: Vec<_> = cnt
                    .accepted
                    .iter()
                    .filter(|r| r.year == *year && arms_of.get(&r.enrolment.school) == Some(&arm))
                    .collect();
                if primary && selected.is_empty() {
                    return no_phase_data(
                        *phase,
                        "academic_year",
                        arm_key,
                        &name,
                        year.to_string(),
                    );
                }
                let counts: Vec<AbsenceCounts> =
                    selected.iter().map(|r| r.enrolment.counts).collect();
                for r in &selected {
                    if r.enrolment.counts.possible() > 0 {
                        rows.push(DidRow {
                            pupil: r.enrolment.pupil.clone(),
                            treated: arm == Arm::Pilot,
                            post: *phase == Phase::After,
                            counts: r.enrolment.counts,
                        });
                    }
                }
                attendance_counts.push(AttendanceCell {
                    arm,
                    phase: *phase,
                    period: year.period(),
                    summary: group_summary(&counts, threshold)?,
                });
            }
        }
        if primary {
            did_rows = Some((name.clone(), rows));
        }
        inputs.push(InputAccounting {
            file: name,
            rows_read: cnt.rows_read,
            accepted: cnt.accepted.len() as u64,
            used_in_analysis: cnt
                .accepted
                .iter()
                .filter(|r| {
                    arms_of.contains_key(&r.enrolment.school)
                        && years.iter().any(|(_, y)| *y == r.year)
                })
                .count() as u64,
            excluded: cnt.rejected,
        });
    }
    let attendance_did = match &did_rows {
        Some((source, rows)) => {
            let cells = if attendance_register.is_empty() {
                &attendance_counts
            } else {
                &attendance_register
            };
            attendance_did(rows, cells, source, design)?
        }
        None => Vec::new(),
    };

    // --- police.uk and population ------------------------------------------
    let asb = match (&files.police_uk, &files.population) {
        (Some(street_path), Some(pop_path)) => {
            let (asb, accounts) = asb_part(street_path, pop_path, design)?;
            inputs.extend(accounts);
            Some(asb)
        }
        _ => None,
    };

    Ok(SchoolReport {
        design: design.clone(),
        inputs,
        attendance_register,
        attendance_counts,
        attendance_did,
        asb,
    })
}

/// The ASB comparison and the accounts of its two files.
fn asb_part(
    street_path: &Path,
    pop_path: &Path,
    design: &SchoolDesign,
) -> Result<(AsbReport, [InputAccounting; 2])> {
    let missing = |what: &str| {
        Error::invalid_parameter(
            format!("{KEY}.{what}"),
            "none",
            "needed with data.school.police_uk",
        )
    };
    let before = design
        .before
        .asb_months
        .ok_or_else(|| missing("before.first_month"))?;
    let after = design
        .after
        .asb_months
        .ok_or_else(|| missing("after.last_month"))?;
    let year_before = design
        .before
        .population_year
        .ok_or_else(|| missing("before.population_year"))?;
    let year_after = design
        .after
        .population_year
        .ok_or_else(|| missing("after.population_year"))?;

    let sname = file_name(street_path);
    let street = read_police_uk_street(&sname, open(street_path)?)?;
    let pname = file_name(pop_path);
    let pop = read_population_csv(&pname, open(pop_path)?)?;

    for (key, _, arm) in design.arms() {
        if let Some(a) = arm.areas.iter().find(|a| !street.areas_seen.contains(a)) {
            return bad(
                &format!("{key}.lsoas"),
                a,
                format!("LSOA not in {sname}: no row of any crime type has this LSOA code"),
            );
        }
    }
    let Some(seen) = street.months_seen else {
        return bad("police_uk", &sname, "no row of the file has a valid Month");
    };
    if !seen.contains(design.asb_start_month) {
        return bad(
            "asb_start_month",
            design.asb_start_month,
            format!(
                "outside the data: {sname} holds months {} to {}",
                seen.first(),
                seen.last()
            ),
        );
    }
    if before.first() < seen.first() {
        return bad(
            "before.first_month",
            before.first(),
            format!(
                "no pre-period: {sname} starts at {}, so the before months are not all in it",
                seen.first()
            ),
        );
    }
    if after.last() > seen.last() {
        return bad(
            "after.last_month",
            after.last(),
            format!(
                "{sname} ends at {}, so the after months are not all in it",
                seen.last()
            ),
        );
    }
    let table = PopulationTable::new(pop.accepted.clone())?;
    for (key, _, arm) in design.arms() {
        for a in &arm.areas {
            let years = table.years_of(a);
            if years.is_empty() {
                return bad(
                    &format!("{key}.lsoas"),
                    a,
                    format!("LSOA not in {pname}: it has no population row"),
                );
            }
            for (phase, year) in [("before", year_before), ("after", year_after)] {
                if !years.contains(&year) {
                    return bad(
                        &format!("{phase}.population_year"),
                        year,
                        format!(
                            "{pname} has no population of LSOA {a} in {year} (its years: {}); \
                             a rate never takes a neighbouring year's population",
                            some_of(&years, 12)
                        ),
                    );
                }
            }
        }
    }

    let comparison_design = ComparisonDesign::with_windows(
        design.pilot.areas.clone(),
        design.comparison.areas.clone(),
        before,
        after,
        year_before,
        year_after,
    )?;
    let design_areas: BTreeSet<&AreaCode> = design
        .pilot
        .areas
        .iter()
        .chain(&design.comparison.areas)
        .collect();
    let street_used = street
        .accepted
        .iter()
        .filter(|i| {
            design_areas.contains(&i.area)
                && i.when
                    .month()
                    .is_ok_and(|m| before.contains(m) || after.contains(m))
        })
        .count() as u64;
    let counts = AreaMonthCounts::from_incidents(&street.accepted)?;
    let comparison = compare_areas(&counts, &table, &comparison_design, design.level)?;

    // Month by month, each with its population year.
    let mut by_month = Vec::new();
    let mut years_used: BTreeSet<i32> = [year_before, year_after].into();
    for (phase, range, phase_year) in [
        (Phase::Before, before, year_before),
        (Phase::After, after, year_after),
    ] {
        let mut m = range.first();
        loop {
            let year = match design.period_population_year {
                PeriodPopulationYear::CalendarYear => m.year(),
                PeriodPopulationYear::Phase => phase_year,
            };
            years_used.insert(year);
            let mut arm_sums = [(0u64, 0u64); 2];
            for (slot, arm) in arm_sums.iter_mut().zip([&design.pilot, &design.comparison]) {
                for a in &arm.areas {
                    slot.0 += counts.get(a, m);
                    let row = table.get(a, year).map_err(|_| {
                        Error::invalid_parameter(
                            format!("{KEY}.period_population_year"),
                            design.period_population_year.as_str(),
                            format!(
                                "{pname} has no population of LSOA {a} in {year}, the calendar \
                                 year of {m} (its years: {}); add that year, or set \
                                 period_population_year = \"phase\" to use the phases' \
                                 population years",
                                some_of(table.years_of(a), 12)
                            ),
                        )
                    })?;
                    slot.1 += row.population;
                }
            }
            by_month.push(AsbMonth {
                month: m,
                phase,
                population_year: year,
                pilot_incidents: arm_sums[0].0,
                pilot_residents: arm_sums[0].1,
                comparison_incidents: arm_sums[1].0,
                comparison_residents: arm_sums[1].1,
            });
            if m >= range.last() {
                break;
            }
            m = m.plus(1)?;
        }
    }

    let street_account = InputAccounting {
        file: sname,
        rows_read: street.rows_read,
        accepted: street.accepted.len() as u64,
        used_in_analysis: street_used,
        excluded: street.excluded,
    };
    let pop_account = InputAccounting {
        file: pname,
        rows_read: pop.rows_read,
        accepted: pop.accepted.len() as u64,
        used_in_analysis: pop
            .accepted
            .iter()
            .filter(|r| design_areas.contains(&r.area) && years_used.contains(&r.year))
            .count() as u64,
        excluded: pop.rejected,
    };
    Ok((
        AsbReport {
            before,
            after,
            population_year_before: year_before,
            population_year_after: year_after,
            comparison,
            by_month,
        },
        [street_account, pop_account],
    ))
}
