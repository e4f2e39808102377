//! `outcomes attendance` and `outcomes asb`: pilot against comparison
//! towns, before and after the programme starts.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use outcomes::measures::school_report::{school_report, AttendanceCell, SchoolReport};
use outcomes::{Error, Result};

use crate::common::{self, Done, TextTable};
use crate::progress::Reporter;

/// School attendance, pilot against comparison, before and after the
/// programme start: overall, authorised and unauthorised absence, and
/// persistent and severe (>= 50%) absence, from the session register and,
/// as a cross-check, from the DfE-style enrolment counts, with the
/// difference in differences of each.
///
/// The design (files, schools, dates) is the `[data.school]` section of
/// `--spec` (default: the bundled sample's `data/sample/evaluation.toml`).
#[derive(Debug, Args)]
pub(crate) struct AttendanceCmd {
    /// The evaluation spec whose `[data.school]` to run.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Print the results as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Anti-social behaviour from police.uk: incidents per 1,000 residents per
/// year in the pilot and comparison areas before and after the start month
/// (each rate against its named population year), with exact Poisson
/// intervals, the rate ratios, the ratio of rate ratios and the difference
/// in differences of the rates.
///
/// `--spec` as for `outcomes attendance` (default: the bundled sample).
#[derive(Debug, Args)]
pub(crate) struct AsbCmd {
    /// The evaluation spec whose `[data.school]` to run.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Print the results as JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn report(spec: Option<&PathBuf>, r: &Reporter) -> Result<SchoolReport> {
    let spec = common::spec_or_sample(spec.map(PathBuf::as_path))?;
    let Some((files, design)) = spec.school_design()? else {
        return Err(Error::invalid_parameter(
            "data.school",
            "none",
            format!(
                "the spec {} has no [data.school] section",
                spec.spec_file.as_deref().unwrap_or("")
            ),
        ));
    };
    r.stage("reading the school and ASB files");
    school_report(&files, &design)
}

fn accounts(rep: &SchoolReport, files: &[&str]) -> String {
    let mut t = TextTable::new(&[
        "file",
        "rows read",
        "accepted",
        "used",
        "invalid",
        "out of scope",
    ]);
    for i in rep
        .inputs
        .iter()
        .filter(|i| files.is_empty() || files.contains(&i.file.as_str()))
    {
        t.row(vec![
            i.file.clone(),
            i.rows_read.to_string(),
            i.accepted.to_string(),
            i.used_in_analysis.to_string(),
            i.invalid().to_string(),
            i.filtered_by_rule().to_string(),
        ]);
    }
    t.render()
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.2}%", 100.0 * v))
}

fn cells(list: &[AttendanceCell]) -> String {
    let mut t = TextTable::new(&[
        "arm",
        "phase",
        "period",
        "enrolments",
        "possible",
        "overall",
        "authorised",
        "unauthorised",
        "persistent",
        "severe",
    ]);
    for c in list {
        let s = &c.summary;
        t.row(vec![
            c.arm.as_str().into(),
            c.phase.as_str().into(),
            format!("{}..{}", c.period.start(), c.period.span().end()),
            s.units_with_possible_sessions.to_string(),
            s.possible.to_string(),
            pct(s.overall_absence_rate),
            pct(s.authorised_absence_rate),
            pct(s.unauthorised_absence_rate),
            format!(
                "{} ({})",
                pct(s.persistent_absence_rate),
                s.persistent_absentees
            ),
            format!("{} ({})", pct(s.severe_absence_rate), s.severe_absentees),
        ]);
    }
    t.render()
}

/// Run `attendance`.
///
/// # Errors
/// A missing or unreadable file, a missing column.
pub(crate) fn run_attendance(cmd: &AttendanceCmd, r: &Reporter) -> Result<Done> {
    let rep = report(cmd.spec.as_ref(), r)?;
    let n_files = usize::from(!rep.attendance_register.is_empty())
        + usize::from(!rep.attendance_counts.is_empty());
    if n_files == 0 {
        return Err(Error::invalid_parameter(
            "data.school.register",
            "none",
            "the spec names no register or enrolment_counts file",
        ));
    }
    let attendance_files: Vec<&str> = rep.inputs[..n_files]
        .iter()
        .map(|i| i.file.as_str())
        .collect();
    if cmd.json {
        #[derive(serde::Serialize)]
        struct AttendanceJson<'a> {
            inputs: Vec<&'a outcomes::measures::school_report::InputAccounting>,
            register: &'a [AttendanceCell],
            enrolment_counts: &'a [AttendanceCell],
            did: &'a [outcomes::measures::school_report::AttendanceDid],
        }
        let out = AttendanceJson {
            inputs: rep.inputs.iter().take(n_files).collect(),
            register: &rep.attendance_register,
            enrolment_counts: &rep.attendance_counts,
            did: &rep.attendance_did,
        };
        return Ok(Done::ok(common::json(&out)?));
    }
    let d = &rep.design;
    let mut s = accounts(&rep, &attendance_files);
    let _ = writeln!(
        s,
        "\nSchool attendance: {} (pilot) against {} (comparison), programme start {}",
        d.pilot.name, d.comparison.name, d.programme_start
    );
    let _ = writeln!(
        s,
        "(unit: enrolment; sessions summed over the group, then divided once; persistent and \
         severe absentees out of enrolments with possible sessions)"
    );
    if !rep.attendance_register.is_empty() {
        let _ = writeln!(s, "\nFrom {}:", attendance_files[0]);
        s.push_str(&cells(&rep.attendance_register));
    }
    if !rep.attendance_counts.is_empty() {
        let counts_file = attendance_files[n_files - 1];
        if rep.attendance_register.is_empty() {
            let _ = writeln!(s, "\nFrom {counts_file}:");
        } else {
            let _ = writeln!(s, "\nCross-check from {counts_file}:");
        }
        s.push_str(&cells(&rep.attendance_counts));
    }
    let mut t = TextTable::new(&[
        "difference in differences (pp)",
        "pilot",
        "comparison",
        "difference",
        "CI",
        "p",
    ]);
    for did in &rep.attendance_did {
        let e = did.effect.as_ref();
        t.row(vec![
            did.measure.label().into(),
            format!("{:+.2}", did.pilot_change),
            format!("{:+.2}", did.comparison_change),
            e.map_or_else(|| "-".into(), |e| format!("{:+.3}", e.estimate)),
            e.map_or_else(
                || "-".into(),
                |e| format!("({:+.3}, {:+.3})", e.ci.lower, e.ci.upper),
            ),
            common::opt(e.and_then(|e| e.p_value), 4),
        ]);
    }
    let _ = writeln!(
        s,
        "\nDifference in differences (CR1 standard errors by pupil, {} pupils):",
        rep.attendance_did.first().map_or(0, |d| d.pupils)
    );
    s.push_str(&t.render());
    Ok(Done::ok(s))
}

/// Run `asb`.
///
/// # Errors
/// A missing or unreadable file, a missing column, an area with no
/// population row for a named year.
pub(crate) fn run_asb(cmd: &AsbCmd, r: &Reporter) -> Result<Done> {
    let rep = report(cmd.spec.as_ref(), r)?;
    let Some(asb) = &rep.asb else {
        return Err(Error::invalid_parameter(
            "data.school.police_uk",
            "none",
            "the spec names no police.uk file",
        ));
    };
    if cmd.json {
        return Ok(Done::ok(common::json(asb)?));
    }
    let a = &asb.comparison;
    let d = &rep.design;
    let files: Vec<&str> = rep.inputs[rep.inputs.len() - 2..]
        .iter()
        .map(|i| i.file.as_str())
        .collect();
    let mut s = accounts(&rep, &files);
    let _ = writeln!(
        s,
        "\nAnti-social behaviour: pilot areas ({}) against comparison areas ({}), start {}",
        d.pilot.name, d.comparison.name, d.asb_start_month
    );
    let level = a.ratio_of_rate_ratios.level * 100.0;
    let mut t = TextTable::new(&[
        "group",
        "phase",
        "months",
        "incidents",
        "population",
        "population year",
        "person-years",
        "rate per 1,000",
        &format!("{level:.0}% exact CI"),
    ]);
    for (arm, phase, year, g) in [
        (
            "pilot",
            "before",
            asb.population_year_before,
            &a.pilot_before,
        ),
        ("pilot", "after", asb.population_year_after, &a.pilot_after),
        (
            "comparison",
            "before",
            asb.population_year_before,
            &a.comparison_before,
        ),
        (
            "comparison",
            "after",
            asb.population_year_after,
            &a.comparison_after,
        ),
    ] {
        t.row(vec![
            arm.into(),
            phase.into(),
            g.months.to_string(),
            g.incidents.to_string(),
            g.population.to_string(),
            year.to_string(),
            format!("{:.1}", g.person_years),
            format!("{:.2}", g.rate_per_1000_per_year),
            format!("({:.2}, {:.2})", g.exact_ci.lower, g.exact_ci.upper),
        ]);
    }
    s.push_str(&t.render());
    let mut t = TextTable::new(&["rate ratio", "ratio", "exact CI", "Wald CI (log)"]);
    let ci = |i: Option<outcomes::stats::Interval>| {
        i.map_or_else(
            || "-".into(),
            |i| format!("({:.3}, {:.3})", i.lower, i.upper),
        )
    };
    for (label, rr) in [
        ("pilot after / before", &a.pilot_after_vs_before),
        ("comparison after / before", &a.comparison_after_vs_before),
        ("pilot / comparison, before", &a.pilot_vs_comparison_before),
        ("pilot / comparison, after", &a.pilot_vs_comparison_after),
    ] {
        t.row(vec![
            label.into(),
            common::opt(rr.ratio, 3),
            ci(rr.exact_conditional),
            ci(rr.wald_log),
        ]);
    }
    let rrr = &a.ratio_of_rate_ratios;
    t.row(vec![
        "ratio of rate ratios".into(),
        common::opt(rrr.ratio, 3),
        "-".into(),
        ci(rrr.wald_log),
    ]);
    s.push('\n');
    s.push_str(&t.render());
    let dd = &a.rate_difference;
    let _ = writeln!(
        s,
        "\ndifference in differences of the rates: {:+.2} per 1,000 per year, {level:.0}% Wald CI {}",
        dd.estimate,
        dd.ci.map_or_else(
            || "-".into(),
            |i| format!("({:+.2}, {:+.2})", i.lower, i.upper)
        )
    );
    Ok(Done::ok(s))
}
