//! Pilot-versus-comparison report over the bundled school attendance and
//! anti-social behaviour sample files (see
//! [`write_school_sample`](super::synthetic_school::write_school_sample)).
//!
//! [`sample_report`] reads the four files from a directory, validates them
//! with the crate's readers and keeps a row-level account of each file
//! (rows read = accepted + excluded, every exclusion with its reason). It
//! then compares the pilot and comparison towns before and after the
//! programme starts:
//!
//! * **Attendance** (unit: the enrolment, as DfE counts it), from
//!   `register.csv` and, as a cross-check, from the aggregated
//!   `enrolment_counts.csv`: overall, authorised and unauthorised absence
//!   rates (sessions summed over the group first, divided once), and the
//!   persistent (≥ 10%) and severe (≥ 50%) absence rates as
//!   absentee enrolments ÷ enrolments with possible sessions.
//! * **ASB**: incidents per 1,000 residents per year for the pilot and
//!   comparison areas before and after the start month, the rate ratios and
//!   the ratio of rate ratios with its interval ([`compare_areas`]).
//!
//! Rates are printed with their counts; no interval is computed for the
//! attendance proportions. No person identifier is kept in the report.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::asb::{
    compare_areas, read_police_uk_street, read_population_csv, AreaCode, AreaComparison,
    AreaMonthCounts, ComparisonDesign, Month, MonthRange, PopulationTable, RateRatio,
};
use super::attendance::{
    enrolment_summaries, group_summary, read_enrolment_counts_csv, read_register_csv,
    AbsenceCounts, AbsenceThreshold, AcademicYear, GroupSummary, LabelledPeriod, RejectedRow,
    RowDisposition, SchoolId,
};
use super::synthetic_school::Arm;
use crate::cohort::Phase;
use crate::error::{Error, Result};
use crate::stats::ConfidenceLevel;

/// The register file's name in the sample directory.
pub const REGISTER_FILE: &str = "register.csv";
/// The aggregated counts file's name.
pub const ENROLMENT_COUNTS_FILE: &str = "enrolment_counts.csv";
/// The police.uk street-level file's name.
pub const POLICE_UK_FILE: &str = "police_uk_street.csv";
/// The population file's name.
pub const POPULATION_FILE: &str = "population.csv";

/// One arm of the evaluation: its town, its schools and its areas. Which
/// arm it is follows from its place in [`SampleDesign`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmDesign {
    /// Town name (for display).
    pub town: String,
    /// Schools whose enrolments belong to this arm.
    pub schools: Vec<SchoolId>,
    /// Areas (LSOA codes) whose ASB belongs to this arm.
    pub areas: Vec<AreaCode>,
}

/// What to compare: the two arms, the start dates and the ASB windows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleDesign {
    /// Pilot town, schools and areas.
    pub pilot: ArmDesign,
    /// Comparison town, schools and areas.
    pub comparison: ArmDesign,
    /// The first day of the programme for attendance.
    pub programme_start: NaiveDate,
    /// The first month of the programme for ASB.
    pub asb_start_month: Month,
    /// ASB months before the start month.
    pub asb_months_before: u32,
    /// ASB months from the start month.
    pub asb_months_after: u32,
    /// Population year for the ASB before window.
    pub population_year_before: i32,
    /// Population year for the ASB after window.
    pub population_year_after: i32,
    /// Persistent-absence threshold (DfE: 10% from 2015/16).
    pub persistent: AbsenceThreshold,
    /// Confidence level for the ASB intervals.
    pub level: ConfidenceLevel,
}

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

/// The whole report: file accounting, attendance by arm × phase (from the
/// register and from the aggregated counts) and the ASB comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleReport {
    /// The design compared.
    pub design: SampleDesign,
    /// One account per input file, in the order register, counts, police.uk,
    /// population.
    pub inputs: Vec<InputAccounting>,
    /// Attendance from `register.csv`: pilot before, pilot after, comparison
    /// before, comparison after.
    pub attendance_register: Vec<AttendanceCell>,
    /// The same from `enrolment_counts.csv`, by academic year.
    pub attendance_counts: Vec<AttendanceCell>,
    /// The ASB months before the start.
    pub asb_before: MonthRange,
    /// The ASB months from the start.
    pub asb_after: MonthRange,
    /// The ASB comparison.
    pub asb: AreaComparison,
}

impl SampleReport {
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
}

fn open(dir: &Path, name: &str) -> Result<std::io::BufReader<std::fs::File>> {
    let path = dir.join(name);
    std::fs::File::open(&path)
        .map(std::io::BufReader::new)
        .map_err(|e| Error::io(path, e))
}

/// The register phases: before = from the first day of the academic year
/// before the one containing `start` to the day before `start`; after =
/// from `start` to the last day of its academic year.
fn register_periods(start: NaiveDate) -> Result<[(Phase, LabelledPeriod); 2]> {
    let after_year = AcademicYear::containing(start)?;
    let before_year = AcademicYear::new(after_year.start_year() - 1)?;
    let day_before = start
        .pred_opt()
        .ok_or_else(|| Error::invalid_parameter("programme_start", start, "no day before it"))?;
    Ok([
        (
            Phase::Before,
            LabelledPeriod::new("before", before_year.first_day(), day_before)?,
        ),
        (
            Phase::After,
            LabelledPeriod::new("after", start, after_year.last_day())?,
        ),
    ])
}

fn school_arms(design: &SampleDesign) -> Result<BTreeMap<&SchoolId, Arm>> {
    let mut map = BTreeMap::new();
    for (arm, d) in [
        (Arm::Pilot, &design.pilot),
        (Arm::Comparison, &design.comparison),
    ] {
        for s in &d.schools {
            if map.insert(s, arm).is_some_and(|a| a != arm) {
                return Err(Error::invalid_parameter(
                    "schools",
                    s,
                    "a school cannot be in both arms",
                ));
            }
        }
    }
    Ok(map)
}

const ARMS: [Arm; 2] = [Arm::Pilot, Arm::Comparison];

/// Read the four sample files in `dir` and compare the design's arms before
/// and after the start.
///
/// Attendance phases from the register: before = the academic year before
/// the one containing `programme_start`, up to the day before it; after =
/// from `programme_start` to the end of its academic year. From the counts
/// file the phases are those two whole academic years, so the two agree
/// when the programme starts before the first school day of its year (as in
/// the bundled sample). ASB: `asb_months_before` months ending the month
/// before `asb_start_month`, and `asb_months_after` months from it.
///
/// # Errors
/// `Io` if a file cannot be read; `MissingColumn` if a file lacks a required
/// column; `InvalidParameter` for an inconsistent design (a school or area
/// in both arms, an empty arm, a zero-month window); `InsufficientData` if a
/// design area has no population row for a phase's named year.
pub fn sample_report(dir: &Path, design: &SampleDesign) -> Result<SampleReport> {
    let arms_of = school_arms(design)?;
    let periods = register_periods(design.programme_start)?;
    let threshold = design.persistent;

    // --- register.csv -----------------------------------------------------
    let reg = read_register_csv(REGISTER_FILE, open(dir, REGISTER_FILE)?)?;
    let mut used = 0u64;
    for m in &reg.accepted {
        if arms_of.contains_key(&m.school) && periods.iter().any(|(_, p)| p.contains(m.date)) {
            used += 1;
        }
    }
    let register_account = InputAccounting {
        file: REGISTER_FILE.to_string(),
        rows_read: reg.rows_read,
        accepted: reg.accepted.len() as u64,
        used_in_analysis: used,
        excluded: reg.rejected.clone(),
    };
    let mut attendance_register = Vec::new();
    for arm in ARMS {
        for (phase, period) in &periods {
            let counts: Vec<AbsenceCounts> = enrolment_summaries(&reg.accepted, period, threshold)
                .into_iter()
                .filter(|e| arms_of.get(&e.school) == Some(&arm))
                .map(|e| e.tally.counts())
                .collect();
            attendance_register.push(AttendanceCell {
                arm,
                phase: *phase,
                period: period.clone(),
                summary: group_summary(&counts, threshold)?,
            });
        }
    }
    drop(reg);

    // --- enrolment_counts.csv ---------------------------------------------
    let cnt = read_enrolment_counts_csv(ENROLMENT_COUNTS_FILE, open(dir, ENROLMENT_COUNTS_FILE)?)?;
    let after_year = AcademicYear::containing(design.programme_start)?;
    let years = [
        (
            Phase::Before,
            AcademicYear::new(after_year.start_year() - 1)?,
        ),
        (Phase::After, after_year),
    ];
    let mut attendance_counts = Vec::new();
    for arm in ARMS {
        for (phase, year) in years {
            let counts: Vec<AbsenceCounts> = cnt
                .accepted
                .iter()
                .filter(|r| r.year == year && arms_of.get(&r.enrolment.school) == Some(&arm))
                .map(|r| r.enrolment.counts)
                .collect();
            attendance_counts.push(AttendanceCell {
                arm,
                phase,
                period: year.period(),
                summary: group_summary(&counts, threshold)?,
            });
        }
    }
    let counts_account = InputAccounting {
        file: ENROLMENT_COUNTS_FILE.to_string(),
        rows_read: cnt.rows_read,
        accepted: cnt.accepted.len() as u64,
        used_in_analysis: cnt
            .accepted
            .iter()
            .filter(|r| {
                arms_of.contains_key(&r.enrolment.school) && years.iter().any(|(_, y)| *y == r.year)
            })
            .count() as u64,
        excluded: cnt.rejected,
    };

    // --- police_uk_street.csv and population.csv --------------------------
    let street = read_police_uk_street(POLICE_UK_FILE, open(dir, POLICE_UK_FILE)?)?;
    let pop = read_population_csv(POPULATION_FILE, open(dir, POPULATION_FILE)?)?;
    let comparison_design = ComparisonDesign::new(
        design.pilot.areas.clone(),
        design.comparison.areas.clone(),
        design.asb_start_month,
        design.asb_months_before,
        design.asb_months_after,
        design.population_year_before,
        design.population_year_after,
    )?;
    let (before, after) = (comparison_design.before(), comparison_design.after());
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
    let table = PopulationTable::new(pop.accepted.clone())?;
    let asb = compare_areas(&counts, &table, &comparison_design, design.level)?;
    let street_account = InputAccounting {
        file: POLICE_UK_FILE.to_string(),
        rows_read: street.rows_read,
        accepted: street.accepted.len() as u64,
        used_in_analysis: street_used,
        excluded: street.excluded,
    };
    let pop_years = [design.population_year_before, design.population_year_after];
    let pop_account = InputAccounting {
        file: POPULATION_FILE.to_string(),
        rows_read: pop.rows_read,
        accepted: pop.accepted.len() as u64,
        used_in_analysis: pop
            .accepted
            .iter()
            .filter(|r| design_areas.contains(&r.area) && pop_years.contains(&r.year))
            .count() as u64,
        excluded: pop.rejected,
    };

    Ok(SampleReport {
        design: design.clone(),
        inputs: vec![
            register_account,
            counts_account,
            street_account,
            pop_account,
        ],
        attendance_register,
        attendance_counts,
        asb_before: before,
        asb_after: after,
        asb,
    })
}

// ---------------------------------------------------------------------------
// Display
// ---------------------------------------------------------------------------

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.2}%", r * 100.0))
        .unwrap_or_else(|| "n/a".to_string())
}

fn disposition(d: RowDisposition) -> &'static str {
    match d {
        RowDisposition::Invalid => "invalid",
        RowDisposition::FilteredByRule => "filtered by rule",
    }
}

fn interval(i: Option<crate::stats::Interval>) -> String {
    i.map(|i| format!("({:.3}, {:.3})", i.lower, i.upper))
        .unwrap_or_else(|| "n/a".to_string())
}

fn ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.3}"))
        .unwrap_or_else(|| "n/a".to_string())
}

/// Invalid rows listed individually per file (the rest are summarised).
const LISTED_INVALID_ROWS: usize = 10;

impl SampleReport {
    fn write_accounting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "== Validation accounting (rows read = accepted + excluded) =="
        )?;
        writeln!(
            f,
            "{:<22} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}",
            "file", "read", "accepted", "invalid", "filtered", "used", "balanced"
        )?;
        for i in &self.inputs {
            writeln!(
                f,
                "{:<22} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}",
                i.file,
                thousands(i.rows_read),
                thousands(i.accepted),
                thousands(i.invalid()),
                thousands(i.filtered_by_rule()),
                thousands(i.used_in_analysis),
                if i.is_balanced() { "yes" } else { "NO" }
            )?;
        }
        writeln!(
            f,
            "(used = accepted rows inside the design's arms, phases and areas; \
             the rest are valid but outside the comparison)"
        )?;
        writeln!(f)?;
        writeln!(f, "Excluded rows by reason:")?;
        for i in &self.inputs {
            let reasons = i.reasons();
            if reasons.is_empty() {
                writeln!(f, "  {}: none", i.file)?;
            }
            for r in reasons {
                writeln!(
                    f,
                    "  {}: {:>7} {} [{}] {}",
                    i.file,
                    thousands(r.rows),
                    disposition(r.disposition),
                    r.column,
                    r.reason
                )?;
            }
        }
        writeln!(f)?;
        writeln!(
            f,
            "Invalid rows (data row, column, value; first {LISTED_INVALID_ROWS} per file):"
        )?;
        for i in &self.inputs {
            let invalid: Vec<&RejectedRow> = i
                .excluded
                .iter()
                .filter(|r| r.disposition == RowDisposition::Invalid)
                .collect();
            for r in invalid.iter().take(LISTED_INVALID_ROWS) {
                writeln!(
                    f,
                    "  {} row {}: [{}] {:?}",
                    i.file, r.source_row, r.column, r.value
                )?;
            }
            if invalid.len() > LISTED_INVALID_ROWS {
                writeln!(
                    f,
                    "  {}: ... and {} more",
                    i.file,
                    invalid.len() - LISTED_INVALID_ROWS
                )?;
            }
        }
        Ok(())
    }

    fn arm_design(&self, arm: Arm) -> &ArmDesign {
        match arm {
            Arm::Pilot => &self.design.pilot,
            Arm::Comparison => &self.design.comparison,
        }
    }

    fn write_attendance(
        &self,
        f: &mut fmt::Formatter<'_>,
        cells: &[AttendanceCell],
    ) -> fmt::Result {
        writeln!(
            f,
            "{:<11} {:<10} {:<7} {:<22} {:>10} {:>8} {:>15} {:>7} {:>7} {:>17} {:>13}",
            "group",
            "town",
            "phase",
            "period",
            "enrolments",
            "possible",
            "overall",
            "auth",
            "unauth",
            "persistent",
            "severe"
        )?;
        for c in cells {
            let s = &c.summary;
            writeln!(
                f,
                "{:<11} {:<10} {:<7} {:<22} {:>10} {:>8} {:>15} {:>7} {:>7} {:>17} {:>13}",
                c.arm.as_str(),
                self.arm_design(c.arm).town,
                c.phase.as_str(),
                format!("{}..{}", c.period.start(), c.period.end()),
                thousands(s.units_with_possible_sessions),
                thousands(s.possible),
                format!("{} {}", thousands(s.overall), pct(s.overall_absence_rate)),
                pct(s.authorised_absence_rate),
                pct(s.unauthorised_absence_rate),
                format!(
                    "{}/{} {}",
                    s.persistent_absentees,
                    s.units_with_possible_sessions,
                    pct(s.persistent_absence_rate)
                ),
                format!(
                    "{}/{} {}",
                    s.severe_absentees,
                    s.units_with_possible_sessions,
                    pct(s.severe_absence_rate)
                ),
            )?;
        }
        let no_possible: u64 = cells
            .iter()
            .map(|c| c.summary.units - c.summary.units_with_possible_sessions)
            .sum();
        if no_possible > 0 {
            writeln!(
                f,
                "  ({no_possible} enrolment(s) with no possible sessions in a phase are left out of the counts above)"
            )?;
        }
        let change = |arm: Arm, get: fn(&GroupSummary) -> Option<f64>| {
            let find = |p: Phase| {
                cells
                    .iter()
                    .find(|c| c.arm == arm && c.phase == p)
                    .and_then(|c| get(&c.summary))
            };
            match (find(Phase::Before), find(Phase::After)) {
                (Some(b), Some(a)) => Some((a - b) * 100.0),
                _ => None,
            }
        };
        let pp = |x: Option<f64>| {
            x.map(|v| format!("{v:+.2}"))
                .unwrap_or_else(|| "n/a".to_string())
        };
        for (label, get) in [
            (
                "persistent absence",
                (|s: &GroupSummary| s.persistent_absence_rate) as fn(&GroupSummary) -> Option<f64>,
            ),
            ("severe absence", |s: &GroupSummary| s.severe_absence_rate),
            ("overall absence", |s: &GroupSummary| s.overall_absence_rate),
        ] {
            let p = change(Arm::Pilot, get);
            let c = change(Arm::Comparison, get);
            let did = match (p, c) {
                (Some(p), Some(c)) => Some(p - c),
                _ => None,
            };
            writeln!(
                f,
                "  change after - before, {label} (percentage points): pilot {}, comparison {}, difference {}",
                pp(p),
                pp(c),
                pp(did)
            )?;
        }
        Ok(())
    }

    fn write_asb(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.asb;
        let level = a.ratio_of_rate_ratios.level * 100.0;
        writeln!(
            f,
            "{:<11} {:<10} {:<7} {:<21} {:>9} {:>14} {:>12} {:>9} {:>16}",
            "group",
            "town",
            "phase",
            "months",
            "incidents",
            "population",
            "person-years",
            "rate",
            format!("{level:.0}% exact CI")
        )?;
        for (arm, phase, range, pop_year, g) in [
            (
                Arm::Pilot,
                Phase::Before,
                self.asb_before,
                self.design.population_year_before,
                &a.pilot_before,
            ),
            (
                Arm::Pilot,
                Phase::After,
                self.asb_after,
                self.design.population_year_after,
                &a.pilot_after,
            ),
            (
                Arm::Comparison,
                Phase::Before,
                self.asb_before,
                self.design.population_year_before,
                &a.comparison_before,
            ),
            (
                Arm::Comparison,
                Phase::After,
                self.asb_after,
                self.design.population_year_after,
                &a.comparison_after,
            ),
        ] {
            writeln!(
                f,
                "{:<11} {:<10} {:<7} {:<21} {:>9} {:>14} {:>12} {:>9} {:>16}",
                arm.as_str(),
                self.arm_design(arm).town,
                phase.as_str(),
                format!("{}..{} ({})", range.first(), range.last(), g.months),
                thousands(g.incidents),
                format!("{} ({pop_year})", thousands(g.population)),
                format!("{:.1}", g.person_years),
                format!("{:.2}", g.rate_per_1000_per_year),
                format!("({:.2}, {:.2})", g.exact_ci.lower, g.exact_ci.upper),
            )?;
        }
        writeln!(f, "(rate = incidents per 1,000 residents per year)")?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<36} {:>9} {:>24} {:>24} {:>9}",
            "rate ratio",
            "estimate",
            format!("{level:.0}% exact conditional"),
            format!("{level:.0}% Wald (log)"),
            "exact p"
        )?;
        let rows: [(&str, &RateRatio); 4] = [
            ("pilot: after / before", &a.pilot_after_vs_before),
            ("comparison: after / before", &a.comparison_after_vs_before),
            ("before: pilot / comparison", &a.pilot_vs_comparison_before),
            ("after: pilot / comparison", &a.pilot_vs_comparison_after),
        ];
        for (label, r) in rows {
            writeln!(
                f,
                "{:<36} {:>9} {:>24} {:>24} {:>9}",
                label,
                ratio(r.ratio),
                interval(r.exact_conditional),
                interval(r.wald_log),
                r.exact_test
                    .as_ref()
                    .map(|t| format!("{:.4}", t.p_value))
                    .unwrap_or_else(|| "n/a".to_string())
            )?;
        }
        let rrr = &a.ratio_of_rate_ratios;
        writeln!(
            f,
            "{:<36} {:>9} {:>24} {:>24}",
            "ratio of rate ratios (pilot/comp.)",
            ratio(rrr.ratio),
            "",
            interval(rrr.wald_log),
        )
    }
}

impl fmt::Display for SampleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_accounting(f)?;
        writeln!(f)?;
        let d = &self.design;
        writeln!(
            f,
            "== School attendance: {} (pilot) vs {} (comparison), programme start {} ==",
            d.pilot.town, d.comparison.town, d.programme_start
        )?;
        writeln!(
            f,
            "Unit: enrolment (pupil x school). Sessions are summed over the group, then divided once. \
             Persistent (>= {:.0}%) and severe (>= 50%) absentees = enrolments whose overall absence \
             reaches that share of their own possible sessions, out of enrolments with possible sessions. \
             Rates are shown with their counts; no intervals are computed for them.",
            f64::from(d.persistent.basis_points()) / 100.0
        )?;
        writeln!(f)?;
        writeln!(f, "From {REGISTER_FILE} (session marks):")?;
        self.write_attendance(f, &self.attendance_register)?;
        writeln!(f)?;
        writeln!(
            f,
            "Cross-check from {ENROLMENT_COUNTS_FILE} (DfE-style counts by academic year):"
        )?;
        self.write_attendance(f, &self.attendance_counts)?;
        writeln!(f)?;
        writeln!(
            f,
            "== Anti-social behaviour: pilot areas {} vs comparison areas {}, start {} ==",
            d.pilot
                .areas
                .iter()
                .map(AreaCode::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            d.comparison
                .areas
                .iter()
                .map(AreaCode::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            d.asb_start_month
        )?;
        self.write_asb(f)
    }
}
