//! The NDT section: selection, total change, reliable change, items, by quarter.

use super::*;

pub(super) fn ndt_section(
    cx: &Ctx<'_>,
    cohort: &io::Cohort,
    assessments: &[NdtAssessment],
) -> Result<Section> {
    let rule: SelectionRule = cx.spec.outcomes.ndt_selection();
    let mut items = vec![Item::Text(format!(
        "NDT assessments (10 items, total 0-48, higher = more need). Baseline: the assessment \
         nearest the start within {} days before or {} days after; follow-up: nearest {} months \
         after the start within {} days. Totals are undefined when an item is missing. {}",
        rule.baseline_before_days,
        rule.baseline_after_days,
        rule.follow_up_months,
        rule.follow_up_tolerance_days,
        ndt::NDT_COPYRIGHT
    ))];
    let mut sel = Table::new(
        "NDT: people with a baseline and a follow-up assessment",
        vec![
            Column::label("Group"),
            count("People"),
            count("Baseline and follow-up"),
            count("No baseline"),
            count("No follow-up"),
        ],
    )?;
    sel.declare_column_total(
        "People",
        &["Baseline and follow-up", "No baseline", "No follow-up"],
    )?;
    let mut item_t = Table::new(
        "NDT items: baseline and follow-up means",
        vec![
            Column::label("Group"),
            Column::label("Item"),
            count("People"),
            stat_of("Baseline mean", "People", 2),
            stat_of("Follow-up mean", "People", 2),
            stat_of("Mean change", "People", 2),
            stat_of("p (Wilcoxon)", "People", 4),
            stat_of(&cx.adjusted_label("p (Wilcoxon"), "People", 4),
        ],
    )?;
    let mut totals = paired_columns("NDT total: paired change from baseline to follow-up")?;
    let mut rci = Table::new(
        "NDT total: reliable change",
        vec![
            Column::label("Group"),
            count("People"),
            count("Reliably improved"),
            count("No reliable change"),
            count("Reliably deteriorated"),
        ],
    )?;
    rci.declare_column_total(
        "People",
        &[
            "Reliably improved",
            "No reliable change",
            "Reliably deteriorated",
        ],
    )?;
    let mut over_time = Table::new(
        "NDT total by quarter since the start",
        vec![
            Column::label("Group"),
            Column::label("Quarter"),
            count("People"),
            stat_of("Mean total", "People", 2),
            stat_of("CI lower", "People", 2),
            stat_of("CI upper", "People", 2),
        ],
    )?;
    let by_person = ndt::assessments_by_person(assessments);
    let last_q = (cx.spec.outcomes.ndt_follow_up_months as i32)
        .div_euclid(3)
        .max(4);
    for (gi, g) in GROUPS.into_iter().enumerate() {
        let starts = cohort.group(g).map(|m| (&m.person, m.index_date));
        let (changes, counts) =
            ndt::baseline_follow_up_indexed(starts, &by_person, rule, PartialPolicy::Undefined)?;
        let r = sel.push_row(vec![
            Cell::text(group_label(g)),
            cnt(counts.people),
            cnt(counts.with_both),
            cnt(counts.no_baseline),
            cnt(counts.no_follow_up),
        ])?;
        sel.link_count(r, "People", link::cohort(g))?;
        // The items of one group are one family of tests (signed-rank: the
        // items are ordinal scores 0-4).
        let mut rows = Vec::with_capacity(NdtItem::ALL.len());
        for item in NdtItem::ALL {
            let i = item.index();
            let (b, a): (Vec<f64>, Vec<f64>) = changes
                .iter()
                .filter_map(|c| Some((f64::from(c.baseline[i]?), f64::from(c.follow_up[i]?))))
                .unzip();
            let n = b.len();
            let mean = |x: &[f64]| (n > 0).then(|| x.iter().sum::<f64>() / n as f64);
            let (mb, ma) = (mean(&b), mean(&a));
            let p = paired(&b, &a, cx.level, None).and_then(|s| s.wilcoxon.map(|w| w.test.p_value));
            rows.push((item, n, mb, ma, p));
        }
        let adj = cx.adjusted(&rows.iter().map(|r| r.4).collect::<Vec<_>>())?;
        for ((item, n, b, a, p), pa) in rows.into_iter().zip(adj) {
            item_t.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text(item.label()),
                cnt(n),
                val(b, n),
                val(a, n),
                val(b.zip(a).map(|(b, a)| a - b), n),
                val(p, n),
                val(pa, n),
            ])?;
        }
        let (b, a): (Vec<f64>, Vec<f64>) = changes
            .iter()
            .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
            .unzip();
        let s = paired(&b, &a, cx.level, Some(cx.boot(100 + gi as u64)?));
        let r = totals.push_row(paired_row(
            "NDT total (0-48)",
            group_label(g),
            s.as_ref(),
            b.len(),
        ))?;
        totals.link_count(r, "People", link::ndt_pairs(g))?;
        let rc = (b.len() >= 2)
            .then(|| {
                let sd = stats::describe(&b).ok()?.sd?;
                let p = ReliableChangeParams::new(
                    sd,
                    cx.spec.outcomes.ndt_reliability,
                    Direction::LowerIsBetter,
                )
                .ok()?;
                stats::reliable_change(&b, &a, p, cx.level).ok()
            })
            .flatten();
        match rc {
            Some(r) => {
                let row = rci.push_row(vec![
                    Cell::text(group_label(g)),
                    cnt(r.n),
                    cnt(r.improved),
                    cnt(r.no_reliable_change),
                    cnt(r.deteriorated),
                ])?;
                rci.link_count(row, "People", link::ndt_pairs(g))?;
                row
            }
            None => rci.push_row(vec![
                Cell::text(group_label(g)),
                cnt(0),
                cnt(0),
                cnt(0),
                cnt(0),
            ])?,
        };
        // Mean total by quarter since start: each person's first assessment
        // with a defined total in each quarter.
        let mut per_q: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
        for m in cohort.group(g) {
            let Some(list) = by_person.get(&m.person) else {
                continue;
            };
            let mut sorted: Vec<&&NdtAssessment> = list.iter().collect();
            sorted.sort_by_key(|a| a.date);
            let mut seen = std::collections::BTreeSet::new();
            for a in sorted {
                let q = months_between(m.index_date, a.date).div_euclid(3);
                if !(-1..=last_q).contains(&q) || seen.contains(&q) {
                    continue;
                }
                if let Ok(Some(t)) = a.total(PartialPolicy::Undefined) {
                    seen.insert(q);
                    per_q.entry(q).or_default().push(t.value());
                }
            }
        }
        for q in -1..=last_q {
            let v = per_q.get(&q).map(Vec::as_slice).unwrap_or(&[]);
            let n = v.len();
            let e = (n >= 2).then(|| stats::mean_ci(v, cx.level).ok()).flatten();
            over_time.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text(format!("Q{q}")),
                cnt(n),
                val(e.as_ref().map(|e| e.value), n),
                val(e.as_ref().map(|e| e.ci.lower), n),
                val(e.as_ref().map(|e| e.ci.upper), n),
            ])?;
        }
    }
    items.push(cx.clear("ndt_selection", sel)?);
    items.push(cx.clear("ndt_total_change", totals)?);
    items.push(Item::Text(format!(
        "Reliable change uses the baseline SD and an ASSUMED test-retest reliability of {} \
         (the NDT has no published value); lower totals are better.",
        cx.spec.outcomes.ndt_reliability
    )));
    items.push(cx.clear("ndt_reliable_change", rci)?);
    items.push(cx.clear("ndt_items", item_t)?);
    let over = cx.cleared("ndt_over_time", over_time)?;
    if let Some(c) = charts::ndt_over_time(&over.table, cx.level)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(over));
    Ok(Section {
        title: "NDT assessments".into(),
        items,
    })
}
