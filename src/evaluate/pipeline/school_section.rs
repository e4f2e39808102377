//! The school attendance and anti-social behaviour section, for the design
//! the spec's `[data.school]` describes, and the evaluation of a spec that
//! has nothing else (no person cohort).

use super::*;
use crate::evaluate::spec::SchoolSpec;
use crate::measures::asb::Month;
use crate::measures::school_report::{school_report, AsbReport, SchoolReport};
use crate::measures::synthetic_school::Arm;

/// How the school loaders' rejections are named in the validation account.
fn disposition_word(d: crate::measures::attendance::RowDisposition) -> &'static str {
    match d {
        crate::measures::attendance::RowDisposition::Invalid => "invalid",
        crate::measures::attendance::RowDisposition::FilteredByRule => "filtered by rule",
    }
}

fn phase_word(p: Phase) -> &'static str {
    match p {
        Phase::Before => "Before",
        Phase::After => "After",
    }
}

/// The evaluation of a spec without `[data.cohort]`: the inputs and
/// validation section and the school section, nothing per person.
pub(super) fn school_only(
    cx: &Ctx<'_>,
    inputs: Vec<InputFile>,
    progress: &Progress,
) -> Result<Evaluation> {
    let school = cx.spec.data.school.as_ref().ok_or_else(|| {
        Error::invalid_parameter(
            "data.cohort",
            "none",
            "name a cohort file, or a [data.school] section to evaluate without one",
        )
    })?;
    progress.stage("school attendance and anti-social behaviour");
    let (section, validation) = school_section(cx, school)?;
    // The section leads with its difference in differences.
    finish(
        cx,
        Report {
            headline: None,
            sections: vec![section],
        },
        validation,
        inputs,
        "none: the spec has no person cohort; pupil identifiers in the register are read only \
         to count enrolments and pupils, and are neither kept nor written"
            .into(),
        progress,
    )
}

/// The intro paragraph: what is compared with what, when (no counts).
fn intro(rep: &SchoolReport, files: &[String]) -> String {
    let d = &rep.design;
    let mut text = String::new();
    if !rep.attendance().is_empty() {
        let source = files.first().cloned().unwrap_or_default();
        let period = |p: Phase| {
            rep.attendance()
                .iter()
                .find(|c| c.phase == p)
                .map(|c| format!("{} to {}", c.period.start(), c.period.end()))
                .unwrap_or_default()
        };
        text.push_str(&format!(
            "School attendance (unit: the enrolment, as the DfE counts it) from {source}: pilot \
             ({}) against comparison ({}), before ({}) and after ({}) the programme start on {}; \
             persistent absence = {}% or more of possible sessions missed, severe = 50% or more. ",
            d.pilot.name,
            d.comparison.name,
            period(Phase::Before),
            period(Phase::After),
            d.programme_start,
            f64::from(d.persistent.basis_points()) / 100.0,
        ));
    }
    if let Some(a) = &rep.asb {
        text.push_str(&format!(
            "Anti-social behaviour from police.uk street-level data per 1,000 residents: the \
             pilot's LSOAs against the comparison's, before ({} to {}, residents of {}) and \
             after ({} to {}, residents of {}) the ASB start in {}; the monthly and quarterly \
             rates use {}.",
            a.before.first(),
            a.before.last(),
            a.population_year_before,
            a.after.first(),
            a.after.last(),
            a.population_year_after,
            d.asb_start_month,
            match d.period_population_year {
                crate::measures::school_report::PeriodPopulationYear::CalendarYear =>
                    "each month's calendar year's residents",
                crate::measures::school_report::PeriodPopulationYear::Phase =>
                    "the residents of their phase's population year",
            }
        ));
    }
    text.trim_end().to_string()
}

pub(super) fn school_section(
    cx: &Ctx<'_>,
    school: &SchoolSpec,
) -> Result<(Section, Vec<FileValidation>)> {
    let (files, design) = school.design(|p| cx.spec.resolve(p), cx.level)?;
    let rep = school_report(&files, &design)?;
    let arm_label = |a: Arm| match a {
        Arm::Pilot => format!("Pilot ({})", design.pilot.name),
        Arm::Comparison => format!("Comparison ({})", design.comparison.name),
    };
    let accounts: Vec<FileValidation> = rep
        .inputs
        .iter()
        .map(|i| {
            // One rejection per excluded row; the counts by reason follow.
            let rejections: Vec<io::Rejection> = i
                .excluded
                .iter()
                .map(|r| io::Rejection {
                    source_row: r.source_row,
                    column: r.column.clone(),
                    value: r.value.clone(),
                    reason: format!(
                        "{}: column `{}`: {}",
                        disposition_word(r.disposition),
                        r.column,
                        r.reason
                    ),
                })
                .collect();
            let mut by_reason = BTreeMap::new();
            for r in &rejections {
                *by_reason.entry(r.reason.clone()).or_insert(0) += 1;
            }
            FileValidation {
                file: i.file.clone(),
                rows_read: i.rows_read,
                accepted: i.accepted,
                rejected: i.excluded.len() as u64,
                by_reason,
                rejections,
            }
        })
        .collect();
    let file_names: Vec<String> = rep.inputs.iter().map(|i| i.file.clone()).collect();
    let mut items = vec![Item::Text(intro(&rep, &file_names))];
    items.push(cx.clear("school_did", did_table(cx, &rep)?)?);

    if !rep.attendance().is_empty() {
        let title = if rep.attendance_register.is_empty() {
            "School attendance by arm and phase (enrolment counts)"
        } else {
            "School attendance by arm and phase (register)"
        };
        let mut att = Table::new(
            title,
            vec![
                Column::label("Arm"),
                Column::label("Phase"),
                Column::label("Period"),
                count("Enrolments"),
                count("Possible sessions"),
                stat_of("Overall absence %", "Enrolments", 2),
                stat_of("Authorised absence %", "Enrolments", 2),
                stat_of("Unauthorised absence %", "Enrolments", 2),
                count("Persistent absentees"),
                rate_of(
                    "Persistent absence %",
                    "Enrolments",
                    "Persistent absentees",
                    1,
                ),
                count("Severe absentees"),
                rate_of("Severe absence %", "Enrolments", "Severe absentees", 1),
            ],
        )?;
        for c in rep.attendance() {
            let s = &c.summary;
            let n = s.units_with_possible_sessions as usize;
            let pct = |x: Option<f64>| x.map(|v| v * 100.0);
            att.push_row(vec![
                Cell::text(arm_label(c.arm)),
                Cell::text(phase_word(c.phase)),
                Cell::text(format!("{} to {}", c.period.start(), c.period.end())),
                cnt(n),
                Cell::Count(s.possible),
                val(pct(s.overall_absence_rate), n),
                val(pct(s.authorised_absence_rate), n),
                val(pct(s.unauthorised_absence_rate), n),
                Cell::Count(s.persistent_absentees),
                val(pct(s.persistent_absence_rate), n),
                Cell::Count(s.severe_absentees),
                val(pct(s.severe_absence_rate), n),
            ])?;
        }
        let att = cx.cleared("attendance", att)?;
        if let Some(c) = charts::persistent_absence(&att.table, cx.level)? {
            items.push(Item::Chart(c));
        }
        items.push(Item::Table(att));
    }
    if let Some(a) = &rep.asb {
        asb_tables(cx, a, &arm_label, &mut items)?;
    }
    Ok((
        Section {
            title: "School attendance and anti-social behaviour".into(),
            items,
        },
        accounts,
    ))
}

/// The differences in differences: each attendance measure and the ASB
/// rate, pilot against comparison, after the start against before.
fn did_table(cx: &Ctx<'_>, rep: &SchoolReport) -> Result<Table> {
    let mut t = Table::new(
        "Difference in differences: the pilot's change after the programme start against the \
         comparison's",
        vec![
            Column::label("Measure"),
            Column::label("Scale"),
            stat_per_cell("Pilot change", 2),
            stat_per_cell("Comparison change", 2),
            stat_per_cell("Difference in differences", 3),
            stat_per_cell("CI lower", 3),
            stat_per_cell("CI upper", 3),
            stat_per_cell("p", 4),
            Column::label("Standard error"),
            count("Pupils (clusters)"),
        ],
    )?;
    let mut conf = Vec::new();
    for d in &rep.attendance_did {
        let cells: Vec<_> = [Arm::Pilot, Arm::Comparison]
            .into_iter()
            .flat_map(|arm| {
                [Phase::Before, Phase::After]
                    .into_iter()
                    .filter_map(move |ph| {
                        rep.attendance()
                            .iter()
                            .find(|c| c.arm == arm && c.phase == ph)
                    })
            })
            .collect();
        // Withheld with any of the four cells it rests on: an arm × phase
        // with few enrolments, or (persistent, severe) few absentees.
        let small = cells.iter().any(|c| {
            cx.small(c.summary.units_with_possible_sessions)
                || d.measure.absentees(&c.summary).is_some_and(|n| cx.small(n))
        });
        let n = d.observations;
        let e = d.effect.as_ref();
        let weighting = if d.measure.is_session_rate() {
            "enrolments weighted by possible sessions"
        } else {
            "enrolments with possible sessions"
        };
        let row = t.push_row(vec![
            Cell::text(d.measure.label()),
            Cell::text("percentage points"),
            stat(Some(d.pilot_change), n),
            stat(Some(d.comparison_change), n),
            stat(e.map(|e| e.estimate), n),
            stat(e.map(|e| e.ci.lower), n),
            stat(e.map(|e| e.ci.upper), n),
            stat(e.and_then(|e| e.p_value), n),
            Cell::text(match e {
                Some(_) => format!("CR1 by pupil, t with n - 4 df ({weighting})"),
                None => "not estimable: too few pupils or enrolments".to_string(),
            }),
            Cell::Count(d.pupils as u64),
        ])?;
        if small {
            conf.push(row);
        }
    }
    if let Some(a) = &rep.asb {
        let c = &a.comparison;
        let ks = [
            c.pilot_before.incidents,
            c.pilot_after.incidents,
            c.comparison_before.incidents,
            c.comparison_after.incidents,
        ];
        let n = ks.iter().sum::<u64>() as usize;
        let years = format!(
            "residents of {} before, {} after",
            a.population_year_before, a.population_year_after
        );
        let r = &c.rate_difference;
        let row = t.push_row(vec![
            Cell::text("Anti-social behaviour rate"),
            Cell::text(format!("per 1,000 residents per year ({years})")),
            stat(Some(r.pilot_change), n),
            stat(Some(r.comparison_change), n),
            stat(Some(r.estimate), n),
            stat(r.ci.map(|i| i.lower), n),
            stat(r.ci.map(|i| i.upper), n),
            stat(r.p_value, n),
            Cell::text("Poisson (Wald), normal"),
            Cell::NotApplicable,
        ])?;
        if ks.iter().any(|k| cx.small(*k)) {
            conf.push(row);
        }
        let rrr = &c.ratio_of_rate_ratios;
        let row = t.push_row(vec![
            Cell::text("Anti-social behaviour rate ratio"),
            Cell::text(format!("ratio of rate ratios ({years})")),
            stat(c.pilot_after_vs_before.ratio, n),
            stat(c.comparison_after_vs_before.ratio, n),
            stat(rrr.ratio, n),
            stat(rrr.wald_log.map(|i| i.lower), n),
            stat(rrr.wald_log.map(|i| i.upper), n),
            stat(rrr.wald_p, n),
            Cell::text("Poisson (Wald, log scale), normal"),
            Cell::NotApplicable,
        ])?;
        if ks.iter().any(|k| cx.small(*k)) {
            conf.push(row);
        }
    }
    for row in conf {
        for c in 2..=7 {
            if t.cell(row, c)
                .is_some_and(|x| matches!(x, Cell::Statistic { .. }))
            {
                t.mark_confidential(row, c)?;
            }
        }
    }
    Ok(t)
}

/// The ASB tables: rates by arm and phase, rate ratios, and the rates by
/// quarter and by month, each rate beside its population year.
fn asb_tables(
    cx: &Ctx<'_>,
    a: &AsbReport,
    arm_label: &dyn Fn(Arm) -> String,
    items: &mut Vec<Item>,
) -> Result<()> {
    let mut asb = Table::new(
        "Anti-social behaviour per 1,000 residents per year, by arm and phase",
        vec![
            Column::label("Arm"),
            Column::label("Phase"),
            count("Incidents"),
            count("Residents"),
            Column::label("Population year"),
            rate_per_cell("Rate per 1,000 per year", "Incidents", 2),
            rate_per_cell("Rate CI lower", "Incidents", 2),
            rate_per_cell("Rate CI upper", "Incidents", 2),
        ],
    )?;
    let c = &a.comparison;
    for (arm, phase, year, g) in [
        (
            Arm::Pilot,
            Phase::Before,
            a.population_year_before,
            &c.pilot_before,
        ),
        (
            Arm::Pilot,
            Phase::After,
            a.population_year_after,
            &c.pilot_after,
        ),
        (
            Arm::Comparison,
            Phase::Before,
            a.population_year_before,
            &c.comparison_before,
        ),
        (
            Arm::Comparison,
            Phase::After,
            a.population_year_after,
            &c.comparison_after,
        ),
    ] {
        let n = g.population as usize;
        asb.push_row(vec![
            Cell::text(arm_label(arm)),
            Cell::text(phase_word(phase)),
            Cell::Count(g.incidents),
            Cell::Count(g.population),
            Cell::text(year.to_string()),
            stat(Some(g.rate_per_1000_per_year), n),
            stat(Some(g.exact_ci.lower), n),
            stat(Some(g.exact_ci.upper), n),
        ])?;
    }
    items.push(cx.clear("asb_rates", asb)?);
    let rr_title = format!(
        "Anti-social behaviour rate ratios (residents of {} before, {} after)",
        a.population_year_before, a.population_year_after
    );
    let mut rr = Table::new(
        &rr_title,
        vec![
            Column::label("Comparison"),
            count("Incidents"),
            stat_of("Rate ratio", "Incidents", 3),
            stat_of("CI lower", "Incidents", 3),
            stat_of("CI upper", "Incidents", 3),
            stat_of("p (exact)", "Incidents", 4),
        ],
    )?;
    let mut conf = Vec::new();
    for (label, r) in [
        ("Pilot: after / before", &c.pilot_after_vs_before),
        ("Comparison: after / before", &c.comparison_after_vs_before),
        ("Pilot / comparison, before", &c.pilot_vs_comparison_before),
        ("Pilot / comparison, after", &c.pilot_vs_comparison_after),
    ] {
        let n = (r.numerator_events + r.denominator_events) as usize;
        let ci = r.exact_conditional.filter(|c| c.upper.is_finite());
        let row = rr.push_row(vec![
            Cell::text(label),
            cnt(n),
            val(r.ratio, n),
            val(ci.map(|c| c.lower), n),
            val(ci.map(|c| c.upper), n),
            val(r.exact_test.as_ref().map(|t| t.p_value), n),
        ])?;
        // A ratio of two counts reveals either when one is small.
        if cx.small(r.numerator_events) || cx.small(r.denominator_events) {
            for c in 2..=5 {
                if rr
                    .cell(row, c)
                    .is_some_and(|x| matches!(x, Cell::Statistic { .. }))
                {
                    conf.push((row, c));
                }
            }
        }
    }
    let ks = [
        c.pilot_before.incidents,
        c.pilot_after.incidents,
        c.comparison_before.incidents,
        c.comparison_after.incidents,
    ];
    let row = rr.push_row(vec![
        Cell::text("Ratio of rate ratios (pilot / comparison change)"),
        cnt(ks.iter().sum::<u64>() as usize),
        val(c.ratio_of_rate_ratios.ratio, 1),
        val(c.ratio_of_rate_ratios.wald_log.map(|c| c.lower), 1),
        val(c.ratio_of_rate_ratios.wald_log.map(|c| c.upper), 1),
        Cell::NotApplicable,
    ])?;
    if ks.iter().any(|n| cx.small(*n)) {
        for c in 2..=4 {
            if rr
                .cell(row, c)
                .is_some_and(|x| matches!(x, Cell::Statistic { .. }))
            {
                conf.push((row, c));
            }
        }
    }
    for (r, c) in conf {
        rr.mark_confidential(r, c)?;
    }
    items.push(cx.clear("asb_rate_ratios", rr)?);

    let rate_cells = |arms: &[(u64, u64); 2]| -> Vec<Cell> {
        let mut row = Vec::new();
        for (incidents, residents) in arms {
            row.push(Cell::Count(*incidents));
            row.push(if *residents > 0 {
                Cell::statistic(*incidents as f64 / *residents as f64 * 1000.0, *residents)
            } else {
                Cell::NotAvailable
            });
        }
        row
    };
    let columns = |first: &str| {
        vec![
            Column::label(first),
            Column::label("Population year"),
            count("Pilot incidents"),
            rate_per_cell("Pilot per 1,000", "Pilot incidents", 3),
            count("Comparison incidents"),
            rate_per_cell("Comparison per 1,000", "Comparison incidents", 3),
        ]
    };
    let mut monthly = Table::new(
        "Anti-social behaviour per 1,000 residents by month",
        columns("Month"),
    )?;
    for m in &a.by_month {
        let mut row = vec![
            Cell::text(m.month.to_string()),
            Cell::text(m.population_year.to_string()),
        ];
        row.extend(rate_cells(&[
            (m.pilot_incidents, m.pilot_residents),
            (m.comparison_incidents, m.comparison_residents),
        ]));
        monthly.push_row(row)?;
    }
    // By calendar quarter, for the chart: monthly counts in small areas are
    // often suppressed, quarterly ones much less often. A quarter's
    // residents (and population year) are those of its first month.
    let mut quarterly = Table::new(
        "Anti-social behaviour per 1,000 residents by calendar quarter",
        columns("Quarter"),
    )?;
    let quarter_of = |m: Month| (m.year(), (m.month() - 1) / 3);
    let start_q = quarter_of(a.after.first());
    let mut start_row = None;
    let mut i = 0;
    let months = &a.by_month;
    while i < months.len() {
        let q = quarter_of(months[i].month);
        let first = &months[i];
        let mut arms = [
            (0u64, first.pilot_residents),
            (0u64, first.comparison_residents),
        ];
        while i < months.len() && quarter_of(months[i].month) == q {
            arms[0].0 += months[i].pilot_incidents;
            arms[1].0 += months[i].comparison_incidents;
            i += 1;
        }
        if q == start_q && start_row.is_none() {
            start_row = Some(quarterly.n_rows());
        }
        let mut row = vec![
            Cell::text(format!("{}-Q{}", q.0, q.1 + 1)),
            Cell::text(first.population_year.to_string()),
        ];
        row.extend(rate_cells(&arms));
        quarterly.push_row(row)?;
    }
    let quarterly = cx.cleared("asb_by_quarter", quarterly)?;
    if let Some(c) = charts::asb_by_period(&quarterly.table, "Quarter", start_row.unwrap_or(0))? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(quarterly));
    items.push(cx.clear("asb_by_month", monthly)?);
    Ok(())
}
