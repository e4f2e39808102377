//! The costs section: cost by agency, the cost offset, the cost-benefit analysis.

use super::*;

pub(super) fn cost_section(
    cx: &Ctx<'_>,
    cs: &crate::evaluate::spec::CostsSpec,
    counts: &WindowCounts,
    codes: &[String],
) -> Result<CostSection> {
    let spec = cx.spec;
    let table = cs.unit_cost_table(|p| spec.resolve(p))?;
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
                .map(|c| cx.cats.get(c).map_or(c.as_str(), |k| k.label()).to_string())
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
        if cs.unit_costs_is_workbook() {
            "the GMCA workbook's unit costs for the codes the spec maps"
        } else if cs.unit_costs.is_some() {
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
        return Ok(CostSection {
            section: Section {
                title: "Costs".into(),
                items,
            },
            costed: post_cost,
            basis: None,
        });
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

    Ok(CostSection {
        section: Section {
            title: "Costs and cost-benefit analysis".into(),
            items,
        },
        costed: post_cost,
        basis: Some(CostBasis {
            table,
            deflators,
            options,
            offset,
        }),
    })
}

/// The cost section, each cohort member's (before, after) cost (`None`:
/// not costed) and the costing behind it (`None`: nothing costed).
pub(super) struct CostSection {
    pub(super) section: Section,
    pub(super) costed: Vec<Option<(f64, f64)>>,
    pub(super) basis: Option<CostBasis>,
}

/// What the cost-benefit analysis prices with: the costing of the cost
/// section.
pub(super) struct CostBasis {
    table: UnitCostTable,
    deflators: DeflatorSeries,
    options: CostingOptions,
    offset: crate::evaluate::offset::CostOffset,
}

/// The cost-benefit analysis, against the counterfactual the spec names
/// (`cba.counterfactual`): the matched comparison (its units `matched`, the
/// costed of whom are those with a `cost_change`), the whole comparison
/// group, or a deadweight share of the programme group's own fall.
#[allow(clippy::too_many_arguments)]
pub(super) fn cba_items(
    cx: &Ctx<'_>,
    cs: &crate::evaluate::spec::CostsSpec,
    basis: &CostBasis,
    counts: &WindowCounts,
    codes: &[String],
    matched: Option<&[MatchedUnit]>,
    cost_change: &[Option<f64>],
) -> Result<Vec<Item>> {
    use crate::costs::{BenefitStream, Counterfactual, ValueType};
    use crate::evaluate::spec::CbaCounterfactual;
    let spec = cx.spec;
    let cba = &spec.cba;
    let settings = cba.settings()?;
    let target = basis.options.target_year;
    let offset = &basis.offset;
    let mut items = Vec::new();
    let (Some(prog), Some(comp)) = (
        offset.by_group.get(&Group::Programme),
        offset.by_group.get(&Group::Comparison),
    ) else {
        return Ok(items);
    };
    if prog.n == 0 || comp.n == 0 {
        return Ok(items);
    }
    // The streams, the number of programme members the costs are for, what
    // the counterfactual is, and (matched) the NPV's range.
    let mut range: Option<(f64, f64, usize)> = None;
    let (n, streams, against) = match cba.counterfactual {
        CbaCounterfactual::ComparisonGroup => (
            prog.n,
            crate::evaluate::offset::comparison_group_streams(
                prog,
                comp,
                settings.attribution,
                settings.confidence,
            )?,
            "the programme group's fall in cost by agency less the whole comparison group's \
             fall per person"
                .to_string(),
        ),
        CbaCounterfactual::Deadweight => {
            let d = settings.deadweight.ok_or_else(|| {
                Error::invalid_parameter("cba.deadweight", "(missing)", "needed for deadweight")
            })?;
            (
                prog.n,
                crate::evaluate::offset::deadweight_streams(
                    prog,
                    d,
                    settings.attribution,
                    settings.confidence,
                )?,
                format!(
                    "the programme group's own fall in cost by agency, less a deadweight of \
                     {:.0}% that would have happened anyway (no comparison group used)",
                    d.get() * 100.0
                ),
            )
        }
        CbaCounterfactual::MatchedComparison => {
            let units = matched.ok_or_else(|| {
                Error::invalid_parameter(
                    "cba.counterfactual",
                    "matched_comparison",
                    "the matched comparison needs a [comparison] section",
                )
            })?;
            // The matched units with whole-window costs.
            let kept: Vec<&MatchedUnit> = units
                .iter()
                .filter(|u| cost_change.get(u.row).copied().flatten().is_some())
                .collect();
            let rows: Vec<usize> = kept.iter().map(|u| u.row).collect();
            let treated: Vec<bool> = kept.iter().map(|u| u.treated).collect();
            let weights: Vec<f64> = kept.iter().map(|u| u.weight).collect();
            if rows.is_empty() {
                return Err(Error::insufficient_data(
                    "cost-benefit analysis against the matched comparison",
                    "no matched person was observed for the whole of both windows",
                ));
            }
            let changes = crate::evaluate::offset::agency_changes(
                counts,
                ("before", "after"),
                codes,
                &basis.table,
                &basis.deflators,
                &basis.options,
                &rows,
            )?;
            let (n_p, streams) = crate::evaluate::offset::matched_comparison_streams(
                &changes,
                &treated,
                &weights,
                target,
                settings.attribution,
                settings.confidence,
            )?;
            // The matched effect on total cost, bootstrapped by matched set:
            // each set's programme sum and count and comparison weighted sum
            // and weight, the sets in the order their first member comes in
            // the cohort.
            let mut index: std::collections::HashMap<MatchCluster, usize> =
                std::collections::HashMap::new();
            let mut sets: Vec<[f64; 4]> = Vec::new();
            for u in &kept {
                let c = cost_change[u.row].unwrap_or(0.0);
                let k = *index.entry(u.cluster).or_insert_with(|| {
                    sets.push([0.0; 4]);
                    sets.len() - 1
                });
                let e = &mut sets[k];
                if u.treated {
                    e[0] += c;
                    e[1] += 1.0;
                } else {
                    e[2] += u.weight * c;
                    e[3] += u.weight;
                }
            }
            let effect = |t: &[f64; 4]| t[0] / t[1] - t[2] / t[3];
            let ci = (sets.len() >= 2)
                .then(|| stats::bootstrap_cluster_totals(&sets, effect, cx.boot(300).ok()?).ok())
                .flatten()
                .map(|b| b.bca.as_ref().unwrap_or(&b.percentile).ci);
            if let Some(ci) = ci {
                range = Some((ci.lower, ci.upper, n_p));
            }
            // The offset against the matched comparison, per person.
            let tot = sets.iter().fold([0.0; 4], |mut t, s| {
                for k in 0..4 {
                    t[k] += s[k];
                }
                t
            });
            let n_c = treated.iter().filter(|t| !**t).count();
            let pc = cs.programme_cost_per_person;
            let theta = tot[0] / tot[1] - tot[2] / tot[3];
            let mut t = Table::new(
                format!("Cost offset per person against the matched comparison ({target} prices)"),
                vec![
                    Column::label("Measure"),
                    count("Programme, matched"),
                    count("Comparison, matched"),
                    money_of("Value", "Programme, matched", 0),
                    money_of("Bootstrap lower", "Programme, matched", 0),
                    money_of("Bootstrap upper", "Programme, matched", 0),
                ],
            )?;
            // (measure, value, its interval)
            type Row<'a> = (&'a str, f64, Option<(f64, f64)>);
            let rows: [Row<'_>; 5] = [
                ("Change in cost, programme (matched)", tot[0] / tot[1], None),
                ("Change in cost, matched comparison", tot[2] / tot[3], None),
                (
                    "Difference in differences",
                    theta,
                    ci.map(|c| (c.lower, c.upper)),
                ),
                ("Programme cost per person", pc, None),
                (
                    "Net saving per person after the programme's cost",
                    -theta - pc,
                    ci.map(|c| (-c.upper - pc, -c.lower - pc)),
                ),
            ];
            for (label, v, ci) in rows {
                t.push_row(vec![
                    Cell::text(label),
                    cnt(n_p),
                    cnt(n_c),
                    val(Some(v), n_p),
                    val(ci.map(|c| c.0), n_p),
                    val(ci.map(|c| c.1), n_p),
                ])?;
            }
            // Every row rests on the same people; with the comparison's
            // count withheld, so is what would give its mean back.
            if cx.small(n_c as u64) {
                for r in 0..5 {
                    for c in 3..6 {
                        t.mark_confidential(r, c)?;
                    }
                }
            }
            items.push(Item::Text(format!(
                "Against the matched comparison (the {n_p} matched programme members and {n_c} \
                 matched comparison members observed for the whole of both windows): the \
                 difference in their changes in cost is the programme's cost offset per person; \
                 less the programme's cost, the net saving. The interval is the {:.0}% bootstrap \
                 interval by matched set (as the NPV's range below).",
                cx.level.get() * 100.0
            )));
            items.push(cx.clear("cost_offset_matched", t)?);
            (
                n_p,
                streams,
                format!(
                    "the fall in cost by agency of the {n_p} matched programme members observed \
                     for the whole of both windows, less their matched comparison's weighted \
                     mean fall per person (the matched difference in differences, as in the \
                     headline)"
                ),
            )
        }
    };
    let costs_by_year = vec![Gbp::non_negative(
        cs.programme_cost_per_person * n as f64,
        target,
    )?];
    let params = &settings.parameters;
    let r = costs::cba::appraise(&streams, &costs_by_year, params)?;
    let money = format!("£, {target} prices");
    let mut st = Table::new(
        format!("Cost-benefit summary (programme group, {})", r.discounting),
        vec![
            Column::label("Measure"),
            stat_per_cell("Value", 2),
            Column::label("Unit"),
        ],
    )?;
    let mut rows: Vec<(String, Option<f64>, &str)> = vec![
        (
            "Present value of benefits".into(),
            Some(r.pv_benefits.amount()),
            money.as_str(),
        ),
        (
            "Present value of costs".into(),
            Some(r.pv_costs.amount()),
            money.as_str(),
        ),
        (
            "Net present value".into(),
            Some(r.npv.amount()),
            money.as_str(),
        ),
    ];
    // The NPV at each end of the matched effect's interval: the benefit is
    // -n x effect in year 1 (one stream with the same adjustments), so the
    // NPV is affine in the effect and a lower cost effect is a higher NPV.
    if let Some((lo, hi, n_p)) = range {
        let at = |e: f64| -> Result<costs::CbaResult> {
            let stream = BenefitStream {
                label: "reduced demand".into(),
                agency: costs::Agency::Other("all agencies".into()),
                value_type: ValueType::Fiscal,
                annual_gross: Gbp::new(-e * n_p as f64, target)?,
                counterfactual: Counterfactual::ComparisonGroup(Gbp::zero(target)),
                attribution: settings.attribution,
                confidence: settings.confidence,
            };
            costs::cba::appraise(&[stream], &costs_by_year, params)
        };
        let (low, high) = (at(hi)?, at(lo)?);
        let pct = cx.level.get() * 100.0;
        rows.push((
            format!("Net present value, low ({pct:.0}% range)"),
            Some(low.npv.amount()),
            money.as_str(),
        ));
        rows.push((
            format!("Net present value, high ({pct:.0}% range)"),
            Some(high.npv.amount()),
            money.as_str(),
        ));
        rows.push((
            format!("Benefit-cost ratio, low ({pct:.0}% range)"),
            low.benefit_cost_ratio,
            "ratio",
        ));
        rows.push((
            format!("Benefit-cost ratio, high ({pct:.0}% range)"),
            high.benefit_cost_ratio,
            "ratio",
        ));
    }
    rows.extend([
        ("Benefit-cost ratio".into(), r.benefit_cost_ratio, "ratio"),
        ("Fiscal return on investment".into(), r.fiscal_roi, "ratio"),
        (
            "Economic return on investment".into(),
            r.economic_roi,
            "ratio",
        ),
        (
            "Public value return on investment".into(),
            r.public_value_roi,
            "ratio",
        ),
        ("Payback year".into(), r.payback_year.map(f64::from), "year"),
    ]);
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
        "Cost-benefit analysis ({} discounting): benefits are {against}; horizon {} years, \
         drop-off {:.0}% a year, attribution {:.0}%, confidence grade {} (optimism bias {:.0}% \
         off the benefits), cost optimism bias {:.0}%.{}",
        r.discounting,
        cba.horizon_years,
        cba.dropoff * 100.0,
        cba.attribution * 100.0,
        cba.confidence_grade,
        params.optimism_bias.rate(settings.confidence) * 100.0,
        cba.cost_optimism_bias * 100.0,
        if range.is_some() {
            format!(
                " The NPV's range carries the {:.0}% bootstrap interval of the matched effect on \
                 total cost (BCa where defined, else percentile; {} resamples of the matched \
                 sets).",
                cx.level.get() * 100.0,
                spec.statistics.bootstrap_resamples
            )
        } else {
            String::new()
        }
    )));
    items.push(cx.clear("cba_summary", st)?);
    let sens = costs::cba::sensitivity(&streams, &costs_by_year, params, &settings.sensitivity)?;
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
    Ok(items)
}
