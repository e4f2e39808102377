//! The school attendance and anti-social behaviour section.

use super::*;

/// How the school loaders' rejections are named in the validation account.
fn disposition_word(d: crate::measures::attendance::RowDisposition) -> &'static str {
    match d {
        crate::measures::attendance::RowDisposition::Invalid => "invalid",
        crate::measures::attendance::RowDisposition::FilteredByRule => "filtered by rule",
    }
}

pub(super) fn school_section(cx: &Ctx<'_>, dir: &Path) -> Result<(Section, Vec<FileValidation>)> {
    let design = school_sample_design()?;
    let rep = sample_report::sample_report(dir, &design)?;
    let town = |a: Arm| match a {
        Arm::Pilot => design.pilot.town.clone(),
        Arm::Comparison => design.comparison.town.clone(),
    };
    let arm_label = |a: Arm| match a {
        Arm::Pilot => format!("Pilot ({})", town(a)),
        Arm::Comparison => format!("Comparison ({})", town(a)),
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
    let mut items = vec![Item::Text(format!(
        "School attendance (unit: the enrolment, as the DfE counts it) from the session register, \
         pilot versus comparison town, before and after the programme start on {}; persistent \
         absence = 10% or more of possible sessions missed, severe = 50% or more. Anti-social \
         behaviour from police.uk street-level data per 1,000 residents, programme start {}.",
        design.programme_start, design.asb_start_month
    ))];
    let mut att = Table::new(
        "School attendance by arm and phase (register)",
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
    for c in &rep.attendance_register {
        let s = &c.summary;
        let n = s.units_with_possible_sessions as usize;
        let pct = |x: Option<f64>| x.map(|v| v * 100.0);
        att.push_row(vec![
            Cell::text(arm_label(c.arm)),
            Cell::text(match c.phase {
                Phase::Before => "Before",
                Phase::After => "After",
            }),
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

    let mut asb = Table::new(
        "Anti-social behaviour per 1,000 residents per year, by arm and phase",
        vec![
            Column::label("Arm"),
            Column::label("Phase"),
            count("Incidents"),
            count("Residents"),
            rate_per_cell("Rate per 1,000 per year", "Incidents", 2),
            rate_per_cell("Rate CI lower", "Incidents", 2),
            rate_per_cell("Rate CI upper", "Incidents", 2),
        ],
    )?;
    let a = &rep.asb;
    for (arm, phase, g) in [
        (Arm::Pilot, "Before", &a.pilot_before),
        (Arm::Pilot, "After", &a.pilot_after),
        (Arm::Comparison, "Before", &a.comparison_before),
        (Arm::Comparison, "After", &a.comparison_after),
    ] {
        let n = g.population as usize;
        asb.push_row(vec![
            Cell::text(arm_label(arm)),
            Cell::text(phase),
            Cell::Count(g.incidents),
            Cell::Count(g.population),
            stat(Some(g.rate_per_1000_per_year), n),
            stat(Some(g.exact_ci.lower), n),
            stat(Some(g.exact_ci.upper), n),
        ])?;
    }
    items.push(cx.clear("asb_rates", asb)?);
    let mut rr = Table::new(
        "Anti-social behaviour rate ratios",
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
        ("Pilot: after / before", &a.pilot_after_vs_before),
        ("Comparison: after / before", &a.comparison_after_vs_before),
        ("Pilot / comparison, before", &a.pilot_vs_comparison_before),
        ("Pilot / comparison, after", &a.pilot_vs_comparison_after),
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
    let row = rr.push_row(vec![
        Cell::text("Ratio of rate ratios (pilot / comparison change)"),
        cnt((a.pilot_before.incidents
            + a.pilot_after.incidents
            + a.comparison_before.incidents
            + a.comparison_after.incidents) as usize),
        val(a.ratio_of_rate_ratios.ratio, 1),
        val(a.ratio_of_rate_ratios.wald_log.map(|c| c.lower), 1),
        val(a.ratio_of_rate_ratios.wald_log.map(|c| c.upper), 1),
        Cell::NotApplicable,
    ])?;
    if [
        a.pilot_before.incidents,
        a.pilot_after.incidents,
        a.comparison_before.incidents,
        a.comparison_after.incidents,
    ]
    .iter()
    .any(|n| cx.small(*n))
    {
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

    // Monthly rates for the chart.
    let street = read_police_uk_street(
        POLICE_UK_FILE,
        std::io::BufReader::new(
            std::fs::File::open(dir.join(POLICE_UK_FILE))
                .map_err(|e| Error::io(dir.join(POLICE_UK_FILE), e))?,
        ),
    )?;
    let pop = read_population_csv(
        POPULATION_FILE,
        std::io::BufReader::new(
            std::fs::File::open(dir.join(POPULATION_FILE))
                .map_err(|e| Error::io(dir.join(POPULATION_FILE), e))?,
        ),
    )?;
    let counts = AreaMonthCounts::from_incidents(&street.accepted)?;
    let pop_of = |area: &crate::measures::asb::AreaCode, year: i32| -> Option<u64> {
        pop.accepted
            .iter()
            .filter(|r| &r.area == area)
            .min_by_key(|r| ((r.year - year).abs(), r.year))
            .map(|r| r.population)
    };
    // Incidents and residents per month for each arm.
    let (first, last) = (rep.asb_before.first(), rep.asb_after.last());
    let mut months: Vec<(Month, [(u64, u64); 2])> = Vec::new();
    let mut m: Month = first;
    while m <= last {
        let mut arms = [(0u64, 0u64); 2];
        for (slot, areas) in arms
            .iter_mut()
            .zip([&design.pilot.areas, &design.comparison.areas])
        {
            slot.0 = areas.iter().map(|a| counts.get(a, m)).sum();
            slot.1 = areas.iter().filter_map(|a| pop_of(a, m.year())).sum();
        }
        months.push((m, arms));
        m = m.plus(1)?;
    }
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
    for (m, arms) in &months {
        let mut row = vec![Cell::text(m.to_string())];
        row.extend(rate_cells(arms));
        monthly.push_row(row)?;
    }
    // By calendar quarter, for the chart: monthly counts in small areas are
    // often suppressed, quarterly ones much less often.
    let mut quarterly = Table::new(
        "Anti-social behaviour per 1,000 residents by calendar quarter",
        columns("Quarter"),
    )?;
    let quarter_of = |m: Month| (m.year(), (m.month() - 1) / 3);
    let start_q = quarter_of(design.asb_start_month);
    let mut start_row = None;
    let mut i = 0;
    while i < months.len() {
        let q = quarter_of(months[i].0);
        let mut arms = [(0u64, 0u64); 2];
        let mut first_month = true;
        let label = format!("{}-Q{}", q.0, q.1 + 1);
        while i < months.len() && quarter_of(months[i].0) == q {
            for (acc, (inc, res)) in arms.iter_mut().zip(months[i].1) {
                acc.0 += inc;
                if first_month {
                    acc.1 = res;
                }
            }
            first_month = false;
            i += 1;
        }
        let row_index = quarterly.n_rows();
        if q == start_q {
            start_row = Some(row_index);
        }
        let mut row = vec![Cell::text(label)];
        row.extend(rate_cells(&arms));
        quarterly.push_row(row)?;
    }
    let quarterly = cx.cleared("asb_by_quarter", quarterly)?;
    if let Some(c) = charts::asb_by_period(&quarterly.table, "Quarter", start_row.unwrap_or(0))? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(quarterly));
    items.push(cx.clear("asb_by_month", monthly)?);
    Ok((
        Section {
            title: "School attendance and anti-social behaviour".into(),
            items,
        },
        accounts,
    ))
}
