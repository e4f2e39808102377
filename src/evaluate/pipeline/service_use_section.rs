//! The service-use section: coverage, rates per quarter before and after, the binary outcome.

use super::*;

pub(super) fn service_use_section(
    cx: &Ctx<'_>,
    counts: &WindowCounts,
    codes: &[String],
) -> Result<Section> {
    let spec = cx.spec;
    let cats = &cx.cats;
    let cov = coverage(spec);
    let groups = counts.groups();
    let periods = spec.data.period_counts.as_ref().map_or(String::new(), |p| {
        format!(
            " Counts per period (data.period_counts) are counted in the window holding the \
             period's first day; a banded count at the band's {} value (the open band \
             `10 or more` assumed {} mid, {} high).",
            match p.scenario {
                crate::evaluate::spec::BandScenario::Low => "low",
                crate::evaluate::spec::BandScenario::Mid => "middle",
                crate::evaluate::spec::BandScenario::High => "high",
            },
            p.open_band_mid,
            p.open_band_high
        )
    });
    let mut items = vec![Item::Text(format!(
        "Service use per person per quarter in the {} months before and the {} months after each \
         person's start (count x 91.31 / days observed). {} The categories of each group are one \
         family of tests: beside each p-value is its {} adjustment over the family (R p.adjust).{periods}",
        spec.windows.months_before,
        spec.windows.months_after,
        match cov {
            CoveragePolicy::Exclude =>
                "People not observed for the whole of both windows are left out.".to_string(),
            CoveragePolicy::RatePerObservedTime { min_fraction } => format!(
                "People observed for less than {:.0}% of either window are left out; the others' \
                 use is a rate per day observed.",
                min_fraction * 100.0
            ),
        },
        spec.statistics.p_adjust.label()
    ))];

    // Coverage per group.
    let mut cov_t = Table::new(
        "Service use: people kept under the coverage rule",
        vec![
            Column::label("Group"),
            count("People"),
            count("Kept"),
            count("Left out"),
            count("Kept, whole windows observed"),
            count("Kept, part of a window observed"),
        ],
    )?;
    cov_t.declare_column_total("People", &["Kept", "Left out"])?;
    cov_t.declare_column_total(
        "Kept",
        &[
            "Kept, whole windows observed",
            "Kept, part of a window observed",
        ],
    )?;
    let first = codes
        .first()
        .cloned()
        .unwrap_or_else(|| "ae_attendance".into());
    let pv0 = pre_post::service_use_per_quarter(counts, &first, "before", "after", cov)?;
    let (ob, wb) = (
        counts.observed_days("before")?,
        counts.window_days("before")?,
    );
    let (oa, wa) = (counts.observed_days("after")?, counts.window_days("after")?);
    for g in GROUPS {
        let people = groups.iter().filter(|&&x| x == g).count();
        let kept: Vec<usize> = pv0
            .rows
            .iter()
            .copied()
            .filter(|&i| groups.get(i) == Some(&g))
            .collect();
        let partly = kept
            .iter()
            .filter(|&&i| ob[i] < wb[i] || oa[i] < wa[i])
            .count();
        let r = cov_t.push_row(vec![
            Cell::text(group_label(g)),
            cnt(people),
            cnt(kept.len()),
            cnt(people - kept.len()),
            cnt(kept.len() - partly),
            cnt(partly),
        ])?;
        cov_t.link_count(r, "People", link::cohort(g))?;
        cov_t.link_count(r, "Kept", link::service_use_kept(g))?;
        cov_t.link_count(r, "Kept, whole windows observed", link::fully_observed(g))?;
    }
    items.push(cx.clear("service_use_coverage", cov_t)?);

    let mut t = Table::new(
        "Service use per person per quarter, before and after, by group and category",
        vec![
            Column::label("Group"),
            Column::label("Category"),
            count("People"),
            stat_of("Before", "People", 3),
            stat_of("Before CI lower", "People", 3),
            stat_of("Before CI upper", "People", 3),
            stat_of("After", "People", 3),
            stat_of("After CI lower", "People", 3),
            stat_of("After CI upper", "People", 3),
            stat_of("Mean change", "People", 3),
            stat_of("Change CI lower", "People", 3),
            stat_of("Change CI upper", "People", 3),
            stat_of("p (paired t)", "People", 4),
            stat_of(&cx.adjusted_label("p (paired t"), "People", 4),
            stat_of("p (Wilcoxon)", "People", 4),
            stat_of(&cx.adjusted_label("p (Wilcoxon"), "People", 4),
        ],
    )?;
    let per_code = codes
        .iter()
        .map(|code| pre_post::service_use_per_quarter(counts, code, "before", "after", cov))
        .collect::<Result<Vec<_>>>()?;
    for g in GROUPS {
        // The categories of one group are one family of tests.
        let mut rows = Vec::with_capacity(codes.len());
        for (code, pv) in codes.iter().zip(&per_code) {
            let (b, a) = group_pairs(pv, groups, g)?;
            let n = b.len();
            let ci = |x: &[f64]| (n >= 2).then(|| stats::mean_ci(x, cx.level).ok()).flatten();
            let (eb, ea) = (ci(&b), ci(&a));
            let s = paired(&b, &a, cx.level, None);
            let p_t = s
                .as_ref()
                .and_then(|s| s.paired_t.as_ref())
                .map(|t| t.test.p_value);
            let p_w = s
                .as_ref()
                .and_then(|s| s.wilcoxon.as_ref())
                .map(|t| t.test.p_value);
            rows.push((code, n, eb, ea, s, p_t, p_w));
        }
        let adj_t = cx.adjusted(&rows.iter().map(|r| r.5).collect::<Vec<_>>())?;
        let adj_w = cx.adjusted(&rows.iter().map(|r| r.6).collect::<Vec<_>>())?;
        for ((code, n, eb, ea, s, p_t, p_w), (at, aw)) in
            rows.into_iter().zip(adj_t.into_iter().zip(adj_w))
        {
            let label = cats.get(code).map_or(code.as_str(), |c| c.label());
            let r = t.push_row(vec![
                Cell::text(group_label(g)),
                Cell::text(label),
                cnt(n),
                val(eb.as_ref().map(|e| e.value), n),
                val(eb.as_ref().map(|e| e.ci.lower), n),
                val(eb.as_ref().map(|e| e.ci.upper), n),
                val(ea.as_ref().map(|e| e.value), n),
                val(ea.as_ref().map(|e| e.ci.lower), n),
                val(ea.as_ref().map(|e| e.ci.upper), n),
                val(s.as_ref().map(|s| s.mean_change.value), n),
                val(s.as_ref().map(|s| s.mean_change.ci.lower), n),
                val(s.as_ref().map(|s| s.mean_change.ci.upper), n),
                val(p_t, n),
                val(at, n),
                val(p_w, n),
                val(aw, n),
            ])?;
            t.link_count(r, "People", link::service_use_kept(g))?;
        }
    }
    let t = cx.cleared("service_use", t)?;
    if let Some(c) = charts::service_use(&t.table, cx.level)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(t));

    // The two groups after the start, side by side: context for the
    // headline (whole groups, unmatched).
    items.push(Item::Text(format!(
        "The two groups in the {} months after the start, side by side (whole groups, not \
         matched: context for the headline, not the programme's effect): Welch's t and the \
         Mann-Whitney U test of the rates per quarter, Cohen's d and Hedges' g over the pooled \
         SD (programme minus comparison). The categories are one family of tests, adjusted by \
         {}.",
        spec.windows.months_after,
        spec.statistics.p_adjust.label()
    )));
    items.push(cx.clear(
        "service_use_follow_up",
        follow_up_table(cx, codes, &per_code, groups)?,
    )?);

    // Binary outcome (rough sleeping): any use in the window, McNemar.
    let code = &spec.outcomes.binary_category;
    let label = cats.get(code).map_or(code.as_str(), |c| c.label());
    let pv = pre_post::service_use_per_quarter(counts, code, "before", "after", cov)?;
    let mut bt = Table::new(
        format!("{label}: any in the window, before and after (McNemar)"),
        vec![
            Column::label("Group"),
            count("People"),
            count("Any before"),
            rate_of("% before", "People", "Any before", 1),
            rate_of("% before CI lower", "People", "Any before", 1),
            rate_of("% before CI upper", "People", "Any before", 1),
            count("Any after"),
            rate_of("% after", "People", "Any after", 1),
            rate_of("% after CI lower", "People", "Any after", 1),
            rate_of("% after CI upper", "People", "Any after", 1),
            count("Stopped"),
            count("Started"),
            stat_of("p (McNemar exact)", "People", 4),
            stat_of("p (McNemar chi-square)", "People", 4),
        ],
    )?;
    let mut confidential = Vec::new();
    for g in GROUPS {
        let (b, a) = group_pairs(&pv, groups, g)?;
        let (b, a) = (any(&b), any(&a));
        let n = b.len();
        let nb = b.iter().filter(|x| **x).count();
        let na = a.iter().filter(|x| **x).count();
        let stopped = b.iter().zip(&a).filter(|(b, a)| **b && !**a).count();
        let started = b.iter().zip(&a).filter(|(b, a)| !**b && **a).count();
        let bc = (n > 0)
            .then(|| pre_post::binary_change(&b, &a, cx.level).ok())
            .flatten();
        let pct = |x: Option<f64>| x.map(|v| v * 100.0);
        let r = bt.push_row(vec![
            Cell::text(group_label(g)),
            cnt(n),
            cnt(nb),
            val(pct(bc.as_ref().map(|c| c.before.value)), n),
            val(pct(bc.as_ref().map(|c| c.before.ci.lower)), n),
            val(pct(bc.as_ref().map(|c| c.before.ci.upper)), n),
            cnt(na),
            val(pct(bc.as_ref().map(|c| c.after.value)), n),
            val(pct(bc.as_ref().map(|c| c.after.ci.lower)), n),
            val(pct(bc.as_ref().map(|c| c.after.ci.upper)), n),
            cnt(stopped),
            cnt(started),
            val(
                bc.as_ref()
                    .and_then(|c| c.mcnemar.as_ref())
                    .map(|m| m.exact.p_value),
                n,
            ),
            val(
                bc.as_ref()
                    .and_then(|c| c.mcnemar.as_ref())
                    .map(|m| m.chi_square.p_value),
                n,
            ),
        ])?;
        // The McNemar p-values are functions of the discordant counts: withhold
        // them when either count is withheld.
        if (cx.small(stopped as u64) || cx.small(started as u64))
            && n > 0
            && bc.as_ref().is_some_and(|c| c.mcnemar.is_some())
        {
            confidential.push((r, 12));
            confidential.push((r, 13));
        }
    }
    for (r, c) in confidential {
        bt.mark_confidential(r, c)?;
    }
    for (r, g) in GROUPS.into_iter().enumerate() {
        bt.link_count(r, "People", link::service_use_kept(g))?;
    }
    items.push(cx.clear("binary_outcome", bt)?);
    Ok(Section {
        title: "Service use before and after".into(),
        items,
    })
}

/// Programme against comparison in the after window, per category: Welch's
/// t, Mann-Whitney U, Cohen's d and Hedges' g, the p-values of the
/// categories one family.
fn follow_up_table(
    cx: &Ctx<'_>,
    codes: &[String],
    per_code: &[pre_post::PairedValues],
    groups: &[Group],
) -> Result<Table> {
    let cats = &cx.cats;
    let mut t = Table::new(
        "Service use per quarter after the start: programme against comparison (unmatched)",
        vec![
            Column::label("Category"),
            count("Programme"),
            count("Comparison"),
            stat_of("Programme mean", "Programme", 3),
            stat_of("Comparison mean", "Comparison", 3),
            stat_of("Difference", "Programme", 3),
            stat_of("Welch CI lower", "Programme", 3),
            stat_of("Welch CI upper", "Programme", 3),
            stat_of("p (Welch t)", "Programme", 4),
            stat_of(&cx.adjusted_label("p (Welch t"), "Programme", 4),
            stat_of("p (Mann-Whitney)", "Programme", 4),
            stat_of(&cx.adjusted_label("p (Mann-Whitney"), "Programme", 4),
            stat_of("Cohen's d", "Programme", 3),
            stat_of("Hedges' g", "Programme", 3),
            stat_of("g CI lower", "Programme", 3),
            stat_of("g CI upper", "Programme", 3),
        ],
    )?;
    let mut rows = Vec::with_capacity(codes.len());
    for (code, pv) in codes.iter().zip(per_code) {
        let (_, a_p) = group_pairs(pv, groups, Group::Programme)?;
        let (_, a_c) = group_pairs(pv, groups, Group::Comparison)?;
        let both = a_p.len() >= 2 && a_c.len() >= 2;
        let welch = both
            .then(|| stats::welch_t(&a_p, &a_c, cx.level, stats::Alternative::TwoSided).ok())
            .flatten();
        let mw = both
            .then(|| {
                stats::mann_whitney_u(
                    &a_p,
                    &a_c,
                    stats::Alternative::TwoSided,
                    stats::RankTestMethod::Auto,
                )
                .ok()
            })
            .flatten();
        let d = both
            .then(|| stats::cohens_d(&a_p, &a_c, cx.level).ok().flatten())
            .flatten();
        let g = both
            .then(|| stats::hedges_g(&a_p, &a_c, cx.level).ok().flatten())
            .flatten();
        rows.push((code, a_p, a_c, welch, mw, d, g));
    }
    let p_w = cx.adjusted(
        &rows
            .iter()
            .map(|r| r.3.as_ref().map(|w| w.test.p_value))
            .collect::<Vec<_>>(),
    )?;
    let p_m = cx.adjusted(
        &rows
            .iter()
            .map(|r| r.4.as_ref().map(|m| m.test.p_value))
            .collect::<Vec<_>>(),
    )?;
    let mean = |x: &[f64]| (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64);
    for ((code, a_p, a_c, welch, mw, d, g), (pw, pm)) in
        rows.into_iter().zip(p_w.into_iter().zip(p_m))
    {
        let (n_p, n_c) = (a_p.len(), a_c.len());
        let label = cats.get(code).map_or(code.as_str(), |c| c.label());
        let r = t.push_row(vec![
            Cell::text(label),
            cnt(n_p),
            cnt(n_c),
            val(mean(&a_p), n_p),
            val(mean(&a_c), n_c),
            val(welch.as_ref().map(|w| w.estimate.value), n_p.min(n_c)),
            val(welch.as_ref().map(|w| w.estimate.ci.lower), n_p.min(n_c)),
            val(welch.as_ref().map(|w| w.estimate.ci.upper), n_p.min(n_c)),
            val(welch.as_ref().map(|w| w.test.p_value), n_p.min(n_c)),
            val(pw, n_p.min(n_c)),
            val(mw.as_ref().map(|m| m.test.p_value), n_p.min(n_c)),
            val(pm, n_p.min(n_c)),
            val(d.as_ref().map(|e| e.value), n_p.min(n_c)),
            val(g.as_ref().map(|e| e.value), n_p.min(n_c)),
            val(g.as_ref().map(|e| e.ci.lower), n_p.min(n_c)),
            val(g.as_ref().map(|e| e.ci.upper), n_p.min(n_c)),
        ])?;
        t.link_count(r, "Programme", link::service_use_kept(Group::Programme))?;
        t.link_count(r, "Comparison", link::service_use_kept(Group::Comparison))?;
        // With the comparison's count withheld, so is everything that would
        // give its mean back.
        if cx.small(n_c as u64) {
            for c in 5..16 {
                t.mark_confidential(r, c)?;
            }
        }
    }
    Ok(t)
}
