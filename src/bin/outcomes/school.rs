//! `outcomes attendance` and `outcomes asb`: pilot against comparison
//! towns, before and after the programme starts.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use outcomes::measures::sample_report::{sample_report, AttendanceCell, SampleReport};
use outcomes::measures::synthetic_school::school_sample_design;
use outcomes::Result;

use crate::common::{self, Done, TextTable};
use crate::progress::Reporter;

/// School attendance, pilot against comparison town, before and after the
/// programme start: overall, authorised and unauthorised absence, and
/// persistent (>= 10%) and severe (>= 50%) absence, from the session
/// register and, as a cross-check, from the DfE-style enrolment counts.
///
/// `--dir` holds `register.csv`, `enrolment_counts.csv`,
/// `police_uk_street.csv` and `population.csv` (default: the bundled
/// sample). The design (towns, schools, start date) is the bundled sample's:
/// the only one available so far.
#[derive(Debug, Args)]
pub(crate) struct AttendanceCmd {
    /// The folder of the four school and ASB files.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Print the results as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Anti-social behaviour from police.uk: incidents per 1,000 residents per
/// year in the pilot and comparison areas before and after the start month,
/// with exact Poisson intervals, the rate ratios and the ratio of rate
/// ratios.
///
/// `--dir` as for `outcomes attendance` (default: the bundled sample).
#[derive(Debug, Args)]
pub(crate) struct AsbCmd {
    /// The folder of the four school and ASB files.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Print the results as JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn report(dir: Option<&PathBuf>, r: &Reporter) -> Result<SampleReport> {
    let dir = dir.cloned().unwrap_or_else(common::sample_dir);
    r.stage(&format!(
        "reading the school and ASB files in {}",
        dir.display()
    ));
    sample_report(&dir, &school_sample_design()?)
}

fn accounts(rep: &SampleReport, files: &[&str]) -> String {
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
        .filter(|i| files.contains(&i.file.as_str()))
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
    let rep = report(cmd.dir.as_ref(), r)?;
    if cmd.json {
        #[derive(serde::Serialize)]
        struct AttendanceJson<'a> {
            inputs: Vec<&'a outcomes::measures::sample_report::InputAccounting>,
            register: &'a [AttendanceCell],
            enrolment_counts: &'a [AttendanceCell],
        }
        let out = AttendanceJson {
            inputs: rep.inputs.iter().take(2).collect(),
            register: &rep.attendance_register,
            enrolment_counts: &rep.attendance_counts,
        };
        return Ok(Done::ok(common::json(&out)?));
    }
    let d = &rep.design;
    let mut s = accounts(&rep, &["register.csv", "enrolment_counts.csv"]);
    let _ = writeln!(
        s,
        "\nSchool attendance: {} (pilot) against {} (comparison), programme start {}",
        d.pilot.town, d.comparison.town, d.programme_start
    );
    let _ = writeln!(
        s,
        "(unit: enrolment; sessions summed over the group, then divided once; persistent and \
         severe absentees out of enrolments with possible sessions)\n\nFrom register.csv:"
    );
    s.push_str(&cells(&rep.attendance_register));
    let _ = writeln!(s, "\nCross-check from enrolment_counts.csv:");
    s.push_str(&cells(&rep.attendance_counts));
    Ok(Done::ok(s))
}

/// Run `asb`.
///
/// # Errors
/// A missing or unreadable file, a missing column, an area with no
/// population row.
pub(crate) fn run_asb(cmd: &AsbCmd, r: &Reporter) -> Result<Done> {
    let rep = report(cmd.dir.as_ref(), r)?;
    let a = &rep.asb;
    if cmd.json {
        return Ok(Done::ok(common::json(a)?));
    }
    let d = &rep.design;
    let mut s = accounts(&rep, &["police_uk_street.csv", "population.csv"]);
    let _ = writeln!(
        s,
        "\nAnti-social behaviour: pilot areas ({}) against comparison areas ({}), start {}",
        d.pilot.town, d.comparison.town, d.asb_start_month
    );
    let level = a.ratio_of_rate_ratios.level * 100.0;
    let mut t = TextTable::new(&[
        "group",
        "phase",
        "months",
        "incidents",
        "population",
        "person-years",
        "rate per 1,000",
        &format!("{level:.0}% exact CI"),
    ]);
    for (arm, phase, g) in [
        ("pilot", "before", &a.pilot_before),
        ("pilot", "after", &a.pilot_after),
        ("comparison", "before", &a.comparison_before),
        ("comparison", "after", &a.comparison_after),
    ] {
        t.row(vec![
            arm.into(),
            phase.into(),
            g.months.to_string(),
            g.incidents.to_string(),
            g.population.to_string(),
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
    Ok(Done::ok(s))
}
