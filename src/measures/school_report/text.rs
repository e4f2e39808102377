//! The school report as text (`impl Display for SchoolReport`): the
//! accounting of every file, attendance by arm and phase, the differences
//! in differences and the ASB comparison.

use std::fmt;

use super::{AsbReport, AttendanceCell, SchoolReport};
use crate::cohort::Phase;
use crate::measures::asb::{AreaCode, RateRatio};
use crate::measures::attendance::{RejectedRow, RowDisposition};
use crate::measures::synthetic_school::Arm;

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

impl SchoolReport {
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

    fn write_attendance(
        &self,
        f: &mut fmt::Formatter<'_>,
        cells: &[AttendanceCell],
    ) -> fmt::Result {
        writeln!(
            f,
            "{:<11} {:<12} {:<7} {:<22} {:>10} {:>8} {:>15} {:>7} {:>7} {:>17} {:>13}",
            "group",
            "arm",
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
                "{:<11} {:<12} {:<7} {:<22} {:>10} {:>8} {:>15} {:>7} {:>7} {:>17} {:>13}",
                c.arm.as_str(),
                self.design.arm(c.arm).name,
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
        Ok(())
    }

    fn write_did(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(first) = self.attendance_did.first() else {
            return Ok(());
        };
        writeln!(
            f,
            "Difference in differences (percentage points; from {}, CR1 standard errors by pupil, {} pupils):",
            first.source, first.pupils
        )?;
        for d in &self.attendance_did {
            let Some(e) = &d.effect else {
                writeln!(
                    f,
                    "  {:<24} pilot {:+.2}, comparison {:+.2}, not estimated: {}",
                    d.measure.label(),
                    d.pilot_change,
                    d.comparison_change,
                    d.not_estimated.as_deref().unwrap_or("")
                )?;
                continue;
            };
            writeln!(
                f,
                "  {:<24} pilot {:+.2}, comparison {:+.2}, difference {:+.2} ({:.0}% CI {:+.2} to {:+.2}, p {})",
                d.measure.label(),
                d.pilot_change,
                d.comparison_change,
                e.estimate,
                e.level * 100.0,
                e.ci.lower,
                e.ci.upper,
                e.p_value
                    .map(|p| format!("{p:.4}"))
                    .unwrap_or_else(|| "n/a".to_string())
            )?;
        }
        Ok(())
    }

    fn write_asb(&self, f: &mut fmt::Formatter<'_>, r: &AsbReport) -> fmt::Result {
        let a = &r.comparison;
        let level = a.ratio_of_rate_ratios.level * 100.0;
        writeln!(
            f,
            "{:<11} {:<12} {:<7} {:<21} {:>9} {:>14} {:>12} {:>9} {:>16}",
            "group",
            "arm",
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
                r.before,
                r.population_year_before,
                &a.pilot_before,
            ),
            (
                Arm::Pilot,
                Phase::After,
                r.after,
                r.population_year_after,
                &a.pilot_after,
            ),
            (
                Arm::Comparison,
                Phase::Before,
                r.before,
                r.population_year_before,
                &a.comparison_before,
            ),
            (
                Arm::Comparison,
                Phase::After,
                r.after,
                r.population_year_after,
                &a.comparison_after,
            ),
        ] {
            writeln!(
                f,
                "{:<11} {:<12} {:<7} {:<21} {:>9} {:>14} {:>12} {:>9} {:>16}",
                arm.as_str(),
                self.design.arm(arm).name,
                phase.as_str(),
                format!("{}..{} ({})", range.first(), range.last(), g.months),
                thousands(g.incidents),
                format!("{} ({pop_year})", thousands(g.population)),
                format!("{:.1}", g.person_years),
                format!("{:.2}", g.rate_per_1000_per_year),
                format!("({:.2}, {:.2})", g.exact_ci.lower, g.exact_ci.upper),
            )?;
        }
        writeln!(
            f,
            "(rate = incidents per 1,000 residents per year; population year in brackets)"
        )?;
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
        )?;
        let d = &a.rate_difference;
        writeln!(
            f,
            "difference in differences of the rates: {:+.2} per 1,000 per year ({level:.0}% Wald CI {})",
            d.estimate,
            d.ci.map(|c| format!("{:+.2} to {:+.2}", c.lower, c.upper))
                .unwrap_or_else(|| "n/a".to_string())
        )
    }
}

impl fmt::Display for SchoolReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_accounting(f)?;
        writeln!(f)?;
        let d = &self.design;
        if !self.attendance().is_empty() {
            writeln!(
                f,
                "== School attendance: {} (pilot) vs {} (comparison), programme start {} ==",
                d.pilot.name, d.comparison.name, d.programme_start
            )?;
            writeln!(
                f,
                "Unit: enrolment (pupil x school). Sessions are summed over the group, then divided once. \
                 Persistent (>= {:.0}%) and severe (>= 50%) absentees = enrolments whose overall absence \
                 reaches that share of their own possible sessions, out of enrolments with possible sessions.",
                f64::from(d.persistent.basis_points()) / 100.0
            )?;
            writeln!(f)?;
            if let Some(i) = self
                .inputs
                .first()
                .filter(|_| !self.attendance_register.is_empty())
            {
                writeln!(f, "From {} (session marks):", i.file)?;
                self.write_attendance(f, &self.attendance_register)?;
                writeln!(f)?;
            }
            if !self.attendance_counts.is_empty() {
                let file = self
                    .inputs
                    .get(usize::from(!self.attendance_register.is_empty()))
                    .map_or("", |i| i.file.as_str());
                writeln!(
                    f,
                    "{} {file} (DfE-style counts by academic year):",
                    if self.attendance_register.is_empty() {
                        "From"
                    } else {
                        "Cross-check from"
                    }
                )?;
                self.write_attendance(f, &self.attendance_counts)?;
                writeln!(f)?;
            }
            self.write_did(f)?;
            writeln!(f)?;
        }
        if let Some(r) = &self.asb {
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
            self.write_asb(f, r)?;
        }
        Ok(())
    }
}
