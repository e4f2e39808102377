//! The costs section: cost by agency, the cost offset, the cost-benefit analysis.

use super::*;

pub(super) fn cost_section(
    cx: &Ctx<'_>,
    cs: &crate::evaluate::spec::CostsSpec,
    counts: &WindowCounts,
    codes: &[String],
) -> Result<(Section, Vec<Option<(f64, f64)>>)> {
    let spec = cx.spec;
    let table = match &cs.unit_costs {
        Some(p) => UnitCostTable::from_csv_path(spec.resolve(p))?,
        None => UnitCostTable::illustrative()?,
    };
    let deflators = match &cs.deflators {
        Some(p) => DeflatorSeries::from_csv_path(spec.resolve(p))?,
        None => DeflatorSeries::illustrative()?,
    };
    let target = PriceYear::parse(&cs.price_year)
        .map_err(|e| Error::invalid_parameter("costs.price_year", &cs.price_year, e.to_string()))?;
    let options = CostingOptions::new(target);
    let offset = crate::evaluate::offset::cost_offset(
        counts,
        ("before", "after"),
        codes,
        &table,
        &deflators,
        &options,
        cs.programme_cost_per_person,
    )?;
    let not_costed = &offset.not_costed;
    // What the uncosted categories leave out: their share of the events (of
    // the categories asked for) in both windows, over everyone in the frame.
    let events = |codes: &[String]| -> Result<f64> {
        let mut n = 0.0;
        for c in codes {
            n += counts.total("before", c)? + counts.total("after", c)?;
        }
        Ok(n)
    };
    let (left_out, all_events) = (events(not_costed)?, events(codes)?);
    let uncosted = if not_costed.is_empty() {
        "Every category asked for has a unit cost.".to_string()
    } else {
        format!(
            "NOT COSTED (no unit cost; never priced at zero silently): {}. They hold {} of the \
             {} events in the two windows ({:.1}%), which the offset below leaves out.",
            not_costed
                .iter()
                .map(|c| CategorySet::default()
                    .get(c)
                    .map_or(c.as_str(), |k| k.label())
                    .to_string())
                .collect::<Vec<_>>()
                .join(", "),
            left_out,
            all_events,
            if all_events > 0.0 {
                100.0 * left_out / all_events
            } else {
                0.0
            }
        )
    };
    let mut items = vec![Item::Text(format!(
        "Service use in the {} months before and after each start, priced with {} and re-based \
         to {target} prices with {}. Only people observed for the whole of both windows are \
         costed. {uncosted} The programme cost per person ({:.0} in {target} prices) is an \
         assumption of this spec.",
        spec.windows.months_before,
        if cs.unit_costs.is_some() {
            "the unit costs given"
        } else {
            "the shipped ILLUSTRATIVE GMCA UCD v1.4 unit costs (five categories priced with a \
             named proxy item; see data/unit_costs.csv)"
        },
        if cs.deflators.is_some() {
            "the deflators given"
        } else {
            "the shipped ILLUSTRATIVE GDP deflators"
        },
        cs.programme_cost_per_person
    ))];
    let mut post_cost = vec![None; counts.people().len()];
    if offset.costed.is_empty() {
        items.push(Item::Text(
            "No category has a unit cost: nothing to cost.".into(),
        ));
        return Ok((
            Section {
                title: "Costs".into(),
                items,
            },
            post_cost,
        ));
    }
    let mut agency_t = Table::new(
        format!("Cost per person by agency, before and after ({target} prices)"),
        vec![
            Column::label("Group"),
            Column::label("Agency"),
            count("People"),
            money_of("Before", "People", 0),
            money_of("After", "People", 0),
            money_of("Change", "People", 0),
        ],
    )?;
    let mut offset_t = Table::new(
        format!("Cost offset per person ({target} prices)"),
        vec![
            Column::label("Group"),
            count("People"),
            money_of("Mean before", "People", 0),
            money_of("Mean after", "People", 0),
            money_of("Mean change", "People", 0),
            money_of("Change BCa lower", "People", 0),
            money_of("Change BCa upper", "People", 0),
            money_of("Programme cost per person", "People", 0),
            money_of("Mean net saving", "People", 0),
        ],
    )?;
    for (gi, g) in GROUPS.into_iter().enumerate() {
        let Some(cmp) = offset.by_group.get(&g) else {
            agency_t.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text("All agencies"),
                cnt(0),
                Cell::NotAvailable,
                Cell::NotAvailable,
                Cell::NotAvailable,
            ])?;
            continue;
        };
        let n = cmp.n;
        for pch in &cmp.people {
            if let Some(slot) = post_cost.get_mut(pch.person) {
                *slot = Some((pch.pre.amount(), pch.post.amount()));
            }
        }
        for (agency, a) in &cmp.by_agency {
            let r = agency_t.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text(agency.to_string()),
                cnt(n),
                val(Some(a.pre.amount() / n as f64), n),
                val(Some(a.post.amount() / n as f64), n),
                val(Some(a.change.amount() / n as f64), n),
            ])?;
            agency_t.link_count(r, "People", link::fully_observed(g))?;
        }
        let r = agency_t.push_row(vec![
            Cell::text(group_label(g)),
            Cell::text("All agencies"),
            cnt(n),
            val(Some(cmp.mean_pre.amount()), n),
            val(Some(cmp.mean_post.amount()), n),
            val(Some(cmp.mean_change.amount()), n),
        ])?;
        agency_t.link_count(r, "People", link::fully_observed(g))?;
        let boot = (n >= 2)
            .then(|| {
                stats::bootstrap_mean(&cmp.change_vector(), cx.boot(200 + gi as u64).ok()?).ok()
            })
            .flatten();
        let ci = boot
            .as_ref()
            .map(|b| b.bca.as_ref().unwrap_or(&b.percentile).ci);
        let r = offset_t.push_row(vec![
            Cell::text(group_label(g)),
            cnt(n),
            val(Some(cmp.mean_pre.amount()), n),
            val(Some(cmp.mean_post.amount()), n),
            val(Some(cmp.mean_change.amount()), n),
            val(ci.map(|c| c.lower), n),
            val(ci.map(|c| c.upper), n),
            val(Some(cmp.programme_cost_per_person.amount()), n),
            val(Some(cmp.mean_net_saving.amount()), n),
        ])?;
        offset_t.link_count(r, "People", link::fully_observed(g))?;
    }
    let agency_t = cx.cleared("cost_by_agency", agency_t)?;
    if let Some(c) = charts::cost_by_agency(&agency_t.table, &target.to_string())? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(agency_t));
    if !not_costed.is_empty() {
        items.push(Item::Text(uncosted.clone()));
    }
    items.push(cx.clear("cost_offset", offset_t)?);

    // Cost-benefit analysis, as examples/cost_offset.rs.
    if let (Some(prog), Some(comp)) = (
        offset.by_group.get(&Group::Programme),
        offset.by_group.get(&Group::Comparison),
    ) {
        let n_prog = &prog.n;
        if prog.n > 0 && comp.n > 0 {
            let cba = &spec.cba;
            let streams = crate::evaluate::offset::comparison_group_streams(
                prog,
                comp,
                Proportion::new(cba.attribution).map_err(|e| {
                    Error::invalid_parameter("cba.attribution", cba.attribution, e.to_string())
                })?,
                ConfidenceGrade::new(cba.confidence_grade).map_err(|e| {
                    Error::invalid_parameter(
                        "cba.confidence_grade",
                        cba.confidence_grade,
                        e.to_string(),
                    )
                })?,
            )?;
            let costs_by_year = vec![Gbp::non_negative(
                cs.programme_cost_per_person * *n_prog as f64,
                target,
            )?];
            let params = CbaParameters {
                horizon_years: cba.horizon_years,
                dropoff: Proportion::new(cba.dropoff).map_err(|e| {
                    Error::invalid_parameter("cba.dropoff", cba.dropoff, e.to_string())
                })?,
                ..CbaParameters::default()
            };
            let r = costs::cba::appraise(&streams, &costs_by_year, &params)?;
            let n = *n_prog;
            let money = format!("£, {target} prices");
            let mut st = Table::new(
                format!("Cost-benefit summary (programme group, {})", r.discounting),
                vec![
                    Column::label("Measure"),
                    stat_per_cell("Value", 2),
                    Column::label("Unit"),
                ],
            )?;
            let rows: Vec<(&str, Option<f64>, &str)> = vec![
                (
                    "Present value of benefits",
                    Some(r.pv_benefits.amount()),
                    money.as_str(),
                ),
                (
                    "Present value of costs",
                    Some(r.pv_costs.amount()),
                    money.as_str(),
                ),
                ("Net present value", Some(r.npv.amount()), money.as_str()),
                ("Benefit-cost ratio", r.benefit_cost_ratio, "ratio"),
                ("Fiscal return on investment", r.fiscal_roi, "ratio"),
                ("Economic return on investment", r.economic_roi, "ratio"),
                (
                    "Public value return on investment",
                    r.public_value_roi,
                    "ratio",
                ),
                ("Payback year", r.payback_year.map(f64::from), "year"),
            ];
            for (m, v, u) in rows {
                st.push_row(vec![Cell::text(m), stat(v, n), Cell::text(u)])?;
            }
            for (agency, pv) in &r.pv_by_agency {
                st.push_row(vec![
                    Cell::text(format!("Present value of benefits to {agency}")),
                    stat(Some(pv.amount()), n),
                    Cell::text(money.as_str()),
                ])?;
            }
            items.push(Item::Text(format!(
                "Cost-benefit analysis (Green Book discounting): benefits are the programme group's \
                 fall in cost by agency less the comparison group's fall per person; horizon {} \
                 years, drop-off {:.0}% a year, attribution {:.0}%, confidence grade {}.",
                cba.horizon_years,
                cba.dropoff * 100.0,
                cba.attribution * 100.0,
                cba.confidence_grade
            )));
            items.push(cx.clear("cba_summary", st)?);
            let sens = costs::cba::sensitivity(
                &streams,
                &costs_by_year,
                &params,
                &SensitivitySpec::default_set(),
            )?;
            let mut sv = Table::new(
                "Cost-benefit sensitivity (one assumption at a time)",
                vec![
                    Column::label("Assumption"),
                    stat_per_cell("Low", 3),
                    stat_per_cell("High", 3),
                    stat_per_cell("NPV at low", 0),
                    stat_per_cell("NPV at high", 0),
                    stat_per_cell("BCR at low", 2),
                    stat_per_cell("BCR at high", 2),
                ],
            )?;
            for row in &sens.rows {
                sv.push_row(vec![
                    Cell::text(format!("{:?}", row.parameter)),
                    stat(Some(row.low), n),
                    stat(Some(row.high), n),
                    stat(Some(row.npv_at_low.amount()), n),
                    stat(Some(row.npv_at_high.amount()), n),
                    stat(row.bcr_at_low, n),
                    stat(row.bcr_at_high, n),
                ])?;
            }
            items.push(cx.clear("cba_sensitivity", sv)?);
        }
    }
    Ok((
        Section {
            title: "Costs and cost-benefit analysis".into(),
            items,
        },
        post_cost,
    ))
}
