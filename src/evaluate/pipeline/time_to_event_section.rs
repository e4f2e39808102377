//! The time-to-event section: follow-up and events by group, Kaplan–Meier
//! survival at the spec's months, median and restricted mean survival, and
//! the programme against the comparison group (log-rank, Cox hazard ratio,
//! its proportional-hazards test, the RMST difference).

use super::*;
use crate::evaluate::spec::TimeToEventSpec;
use crate::measures::time_to_event::{time_to_first_event, TimeToEvent};
use crate::stats::ols::Term;
use crate::stats::{
    cox_zph, e_value_ratio, fit_cox, kaplan_meier, log_rank, rmst_difference, ConfidenceTransform,
    CoxVariance, KaplanMeier, OutcomePrevalence, RatioMeasure, SurvivalData, Ties, ZphTransform,
};

/// The people of group `g` in `t`, as their own survival data.
fn group_data(t: &TimeToEvent, groups: &[Group], g: Group) -> Option<SurvivalData> {
    t.data.subset(|i| groups.get(t.rows[i]) == Some(&g))
}

/// The people of `t` whose cohort position `keep` accepts: their positions
/// in `t`, their survival data (`None` if nobody), and the programme
/// indicator the Cox model's one term reads.
struct Subsample {
    at: Vec<usize>,
    data: Option<SurvivalData>,
    programme: Vec<f64>,
}

fn subsample(t: &TimeToEvent, groups: &[Group], keep: impl Fn(usize) -> bool) -> Subsample {
    let at: Vec<usize> = (0..t.rows.len()).filter(|&i| keep(t.rows[i])).collect();
    let programme = at
        .iter()
        .map(|&i| f64::from(u8::from(groups.get(t.rows[i]) == Some(&Group::Programme))))
        .collect();
    Subsample {
        data: t.data.subset(|i| keep(t.rows[i])),
        at,
        programme,
    }
}

/// A table of Kaplan–Meier survival (%) with its interval and the number at
/// risk, per group at each of `months`.
fn survival_table(
    title: String,
    curves: &[(Group, Option<KaplanMeier>)],
    months: &[u32],
) -> Result<Table> {
    let mut t = Table::new(
        title,
        vec![
            Column::label("Group"),
            Column::label("Months"),
            count("At risk"),
            stat_of("Survival %", "At risk", 1),
            stat_of("CI lower", "At risk", 1),
            stat_of("CI upper", "At risk", 1),
        ],
    )?;
    let pct = |x: Option<f64>| x.map(|v| v * 100.0);
    for (g, km) in curves {
        for m in months {
            let at = km.as_ref().and_then(|k| k.survival_at(f64::from(*m)));
            let n = at.as_ref().map_or(0, |a| a.n_risk);
            let ci = at.as_ref().and_then(|a| a.ci);
            t.push_row(vec![
                Cell::text(group_label(*g)),
                Cell::text(m.to_string()),
                cnt(n),
                val(pct(at.as_ref().map(|a| a.survival)), n),
                val(pct(ci.map(|c| c.lower)), n),
                val(pct(ci.map(|c| c.upper)), n),
            ])?;
        }
    }
    Ok(t)
}

pub(super) fn time_to_event_section(
    cx: &Ctx<'_>,
    tte: &TimeToEventSpec,
    cohort: &io::Cohort,
    events: &io::FirstEvents,
    matched_sets: Option<&[(usize, usize)]>,
) -> Result<Section> {
    let (first_event, within_year) = (&events.first, &events.within);
    // "arrest", "court appearance or arrest": the codes as words.
    // "arrest", "court appearance or arrest", "arrest or exit from support".
    let category_words: Vec<String> = tte.categories.iter().map(|c| c.replace('_', " ")).collect();
    let what = category_words
        .iter()
        .map(String::as_str)
        .chain(tte.end_reasons.iter().map(|r| match r {
            crate::cohort::EndReason::Exit => "exit from support",
            crate::cohort::EndReason::Death => "death",
            crate::cohort::EndReason::Moved => "move out of the area",
        }))
        .collect::<Vec<_>>()
        .join(" or ");
    let horizon = f64::from(tte.horizon_months);
    let t = time_to_first_event(
        cohort.members(),
        cohort.data_window(),
        first_event,
        &tte.end_reasons,
        Some(tte.horizon_months),
    )?;
    let groups: Vec<Group> = cohort.members().iter().map(|m| m.group).collect();
    let mut items = vec![Item::Text(format!(
        "Time from each person's start to their first {what} on or after it, in months of \
         30.44 days (365.25 / 12). Follow-up ends at the earliest of the person's end date, the \
         extract date and {} months; a person with no {what} by then is censored there. \
         Survival is the Kaplan–Meier estimate of the share still without a {what}, with \
         Greenwood standard errors and intervals on the log scale (R survival's survfit \
         defaults). The groups are compared by the log-rank test, a Cox proportional-hazards \
         model with Efron's ties (hazard ratio of the programme group against the comparison \
         group, unadjusted), the Schoenfeld-residual test of proportional hazards and the \
         difference in restricted mean survival time up to {} months.",
        tte.horizon_months, tte.horizon_months
    ))];

    // Follow-up and events per group.
    let mut ft = Table::new(
        format!("Time to first {what}: people followed, events and censored, by group"),
        vec![
            Column::label("Group"),
            count("People"),
            count("Followed"),
            count("No follow-up"),
            count("With the event"),
            count("Censored"),
        ],
    )?;
    ft.declare_column_total("People", &["Followed", "No follow-up"])?;
    ft.declare_column_total("Followed", &["With the event", "Censored"])?;
    let mut per_group: Vec<(Group, Option<SurvivalData>)> = Vec::new();
    for g in GROUPS {
        let people = groups.iter().filter(|&&x| x == g).count();
        let data = group_data(&t, &groups, g);
        let followed = data.as_ref().map_or(0, SurvivalData::len);
        let events = data.as_ref().map_or(0, SurvivalData::events);
        let r = ft.push_row(vec![
            Cell::text(group_label(g)),
            cnt(people),
            cnt(followed),
            cnt(people - followed),
            cnt(events),
            cnt(followed - events),
        ])?;
        ft.link_count(r, "People", link::cohort(g))?;
        ft.link_count(r, "Followed", link::time_to_event_followed(g))?;
        per_group.push((g, data));
    }
    items.push(cx.clear("time_to_event_followup", ft)?);

    // Survival at the spec's months, then the curve read at every whole
    // month to the horizon: the chart's numbers, cleared like any table
    // (never the event times themselves).
    let curves: Vec<(Group, Option<KaplanMeier>)> = per_group
        .iter()
        .map(|(g, data)| {
            let km = data
                .as_ref()
                .map(|d| kaplan_meier(d, cx.level, ConfidenceTransform::Log))
                .transpose()?;
            Ok((*g, km))
        })
        .collect::<Result<_>>()?;
    let st = survival_table(
        format!("Time to first {what}: Kaplan–Meier survival (% without it), by group"),
        &curves,
        &tte.at_months,
    )?;
    items.push(cx.clear("time_to_event_survival", st)?);
    let every_month: Vec<u32> = (0..=tte.horizon_months).collect();
    let kt = survival_table(
        format!("Time to first {what}: Kaplan–Meier survival (%) at each month, by group"),
        &curves,
        &every_month,
    )?;
    let kt = cx.cleared("time_to_event_curve", kt)?;
    let every = if tte.horizon_months > 24 { 12 } else { 6 };
    if let Some(c) = charts::survival_curves(&kt.table, cx.level, &what, every)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(kt));

    // Median and restricted mean survival.
    let mut mt = Table::new(
        format!(
            "Time to first {what}: median and restricted mean time without it (months, up to \
             {} months), by group",
            tte.horizon_months
        ),
        vec![
            Column::label("Group"),
            count("Followed"),
            stat_of("Median", "Followed", 1),
            stat_of("Median CI lower", "Followed", 1),
            stat_of("Median CI upper", "Followed", 1),
            stat_of("Restricted mean", "Followed", 2),
            stat_of("Restricted mean CI lower", "Followed", 2),
            stat_of("Restricted mean CI upper", "Followed", 2),
        ],
    )?;
    for (r, (g, km)) in curves.iter().enumerate() {
        let n = km.as_ref().map_or(0, |k| k.n);
        let median = km.as_ref().map(KaplanMeier::median);
        let rmst = km.as_ref().map(|k| k.rmst(horizon, cx.level)).transpose()?;
        mt.push_row(vec![
            Cell::text(group_label(*g)),
            cnt(n),
            val(median.and_then(|m| m.median), n),
            val(median.and_then(|m| m.lower), n),
            val(median.and_then(|m| m.upper), n),
            val(rmst.as_ref().map(|x| x.estimate.value), n),
            val(rmst.as_ref().map(|x| x.estimate.ci.lower), n),
            val(rmst.as_ref().map(|x| x.estimate.ci.upper), n),
        ])?;
        mt.link_count(r, "Followed", link::time_to_event_followed(*g))?;
    }
    items.push(cx.clear("time_to_event_median", mt)?);

    // Programme against comparison.
    let both = subsample(&t, &groups, |r| {
        matches!(groups.get(r), Some(Group::Programme | Group::Comparison))
    });
    let mut ct = Table::new(
        format!("Time to first {what}: the programme group against the comparison group"),
        vec![
            Column::label("Statistic"),
            stat_per_cell("Estimate", 3),
            stat_per_cell("CI lower", 3),
            stat_per_cell("CI upper", 3),
            stat_per_cell("Test statistic", 3),
            stat_per_cell("p", 4),
        ],
    )?;
    let n = both.at.len();
    let events_in = |g: Group| {
        per_group
            .iter()
            .find(|(x, _)| *x == g)
            .and_then(|(_, d)| d.as_ref())
            .map_or(0, SurvivalData::events)
    };
    let comparable = per_group.iter().all(|(_, d)| d.is_some())
        && events_in(Group::Programme) + events_in(Group::Comparison) > 0;
    let mut rows: Vec<[Option<f64>; 5]> = Vec::new();
    let mut hazard_ratio: Option<(f64, crate::stats::Interval)> = None;
    if let (true, Some(data)) = (comparable, &both.data) {
        let label: Vec<&str> = both.at.iter().map(|&i| groups[t.rows[i]].code()).collect();
        let lr = log_rank(data, &label, None::<&[u8]>)?;
        rows.push([
            None,
            None,
            None,
            Some(lr.test.statistic),
            Some(lr.test.p_value),
        ]);
        match fit_cox(
            data,
            &[Term::new("programme", &both.programme)],
            Ties::Efron,
        ) {
            Ok(fit) => {
                let c = fit
                    .coefficient_table(&CoxVariance::Model, cx.level)?
                    .into_iter()
                    .next();
                hazard_ratio = c.as_ref().map(|c| (c.hazard_ratio, c.hazard_ratio_ci));
                rows.push([
                    c.as_ref().map(|c| c.hazard_ratio),
                    c.as_ref().map(|c| c.hazard_ratio_ci.lower),
                    c.as_ref().map(|c| c.hazard_ratio_ci.upper),
                    c.as_ref().and_then(|c| c.z_value),
                    c.as_ref().and_then(|c| c.p_value),
                ]);
                let z = cox_zph(&fit, ZphTransform::Km).ok();
                rows.push([
                    None,
                    None,
                    None,
                    z.as_ref().map(|z| z.global.chi_square),
                    z.as_ref().map(|z| z.global.p_value),
                ]);
            }
            Err(_) => {
                rows.push([None; 5]);
                rows.push([None; 5]);
            }
        }
        let d = rmst_difference(data, &label, horizon, cx.level)?;
        // Sorted labels: comparison, programme; the difference is programme −
        // comparison.
        let z = d
            .difference
            .std_error
            .filter(|s| *s > 0.0)
            .map(|s| d.difference.value / s);
        rows.push([
            Some(d.difference.value),
            Some(d.difference.ci.lower),
            Some(d.difference.ci.upper),
            z,
            z.map(|z| 2.0 * stats::normal_sf(z.abs())),
        ]);
    } else {
        rows = vec![[None; 5]; 4];
    }
    // The hazard ratio in the matched sample, robust variance by matched set.
    let mut matched_n = 0;
    let mut matched_row: [Option<f64>; 5] = [None; 5];
    if let Some(sets) = matched_sets.filter(|s| !s.is_empty()) {
        let set_of: std::collections::HashMap<usize, usize> = sets.iter().copied().collect();
        let m = subsample(&t, &groups, |r| set_of.contains_key(&r));
        let labels: Vec<usize> = m.at.iter().map(|&i| set_of[&t.rows[i]]).collect();
        matched_n = m.at.len();
        if let Some(data) = &m.data {
            if let Ok(fit) = fit_cox(data, &[Term::new("programme", &m.programme)], Ties::Efron) {
                let v = CoxVariance::Robust(crate::stats::ols::Clusters::new(&labels));
                if let Some(c) = fit
                    .coefficient_table(&v, cx.level)
                    .ok()
                    .and_then(|c| c.into_iter().next())
                {
                    matched_row = [
                        Some(c.hazard_ratio),
                        Some(c.hazard_ratio_ci.lower),
                        Some(c.hazard_ratio_ci.upper),
                        c.z_value,
                        c.p_value,
                    ];
                }
            }
        }
    }
    let names = [
        "Log-rank test (chi-square, 1 df)".to_string(),
        "Hazard ratio, programme / comparison (Cox, Efron ties; z)".to_string(),
        "Proportional hazards (Schoenfeld residuals, Kaplan–Meier time; chi-square)".to_string(),
        format!(
            "Restricted mean difference to {} months, programme − comparison (z)",
            tte.horizon_months
        ),
    ];
    let mut all: Vec<(String, [Option<f64>; 5], usize)> = names
        .iter()
        .cloned()
        .zip(rows.iter().copied())
        .map(|(a, b)| (a, b, n))
        .collect();
    if matched_sets.is_some_and(|s| !s.is_empty()) {
        all.push((
            "Hazard ratio in the matched sample, programme / comparison (Cox, Efron ties; \
             robust variance by matched set; z)"
                .into(),
            matched_row,
            matched_n,
        ));
    }
    for (name, v, n) in &all {
        ct.push_row(vec![
            Cell::text(name.as_str()),
            stat(v[0], *n),
            stat(v[1], *n),
            stat(v[2], *n),
            stat(v[3], *n),
            stat(v[4], *n),
        ])?;
    }
    items.push(cx.clear("time_to_event_comparison", ct)?);

    // How strong an unmeasured confounder would have to be to explain the
    // hazard ratio away (EValue's evalues.HR; the outcome is common when at
    // least 15% of those followed have the event).
    let events: usize = per_group
        .iter()
        .filter_map(|(_, d)| d.as_ref())
        .map(SurvivalData::events)
        .sum();
    let prevalence = if n > 0 && (events as f64) < 0.15 * n as f64 {
        OutcomePrevalence::Rare
    } else {
        OutcomePrevalence::Common
    };
    let ev = hazard_ratio.and_then(|(hr, ci)| {
        e_value_ratio(RatioMeasure::HazardRatio(prevalence), hr, Some(ci)).ok()
    });
    let mut et = Table::new(
        format!(
            "Time to first {what}: sensitivity of the hazard ratio to an unmeasured confounder"
        ),
        vec![Column::label("Measure"), stat_per_cell("Value", 3)],
    )?;
    et.push_row(vec![
        Cell::text(match prevalence {
            OutcomePrevalence::Rare => "E-value of the hazard ratio (rare outcome)",
            OutcomePrevalence::Common => "E-value of the hazard ratio (common outcome)",
        }),
        stat(ev.as_ref().map(|e| e.point), n),
    ])?;
    et.push_row(vec![
        Cell::text("E-value of the confidence limit nearer 1"),
        stat(ev.as_ref().and_then(|e| e.confidence_limit), n),
    ])?;
    items.push(cx.clear("time_to_event_sensitivity", et)?);
    // The one-year measures count service-use events (not end reasons).
    if !tte.categories.is_empty() {
        let words = category_words.join(" or ");
        one_year_tables(
            cx,
            &words,
            cohort,
            first_event,
            within_year,
            matched_sets,
            &mut items,
        )?;
    }
    if t.events_after_follow_up > 0 || t.no_follow_up > 0 {
        items.push(Item::Text(
            "People whose first event came after their follow-up ended (after their end date \
             or the horizon) are censored at the end of follow-up; people whose follow-up \
             would end before their start have no time and are counted as no follow-up."
                .into(),
        ));
    }
    Ok(Section {
        title: format!("Time to first {what}"),
        items,
    })
}

/// The Justice Data Lab's headline measures, within one year of the start,
/// for the people observed for the whole year: the share with an event (the
/// one-year rate, Wilson interval), the events per person (frequency, t
/// interval) and the days to the first event among those with one (t
/// interval); then the programme group against the comparison group (the
/// rate difference with Newcombe's interval and the chi-square test, Welch's
/// t-test for the other two).
fn one_year_tables(
    cx: &Ctx<'_>,
    what: &str,
    cohort: &io::Cohort,
    first_event: &[Option<chrono::NaiveDate>],
    within_year: &[f64],
    matched_sets: Option<&[(usize, usize)]>,
    items: &mut Vec<Item>,
) -> Result<()> {
    let year = Window::new("year", 0, 12)?;
    let dw = cohort.data_window();
    struct Arm {
        counts: Vec<f64>,
        days: Vec<f64>,
    }
    let arms_of = |keep: &dyn Fn(usize) -> bool| -> Vec<(Group, Arm)> {
        let mut arms: Vec<(Group, Arm)> = Vec::new();
        for g in GROUPS {
            let mut arm = Arm {
                counts: Vec::new(),
                days: Vec::new(),
            };
            for (i, m) in cohort.members().iter().enumerate() {
                if m.group != g || !keep(i) {
                    continue;
                }
                // Observed for the whole year after the start.
                let whole = match (year.period(m.index_date), dw.observed(m)) {
                    (Some(w), Some(o)) => w.intersect(&o).is_some_and(|x| x.days() == w.days()),
                    _ => false,
                };
                if !whole {
                    continue;
                }
                let k = within_year.get(i).copied().unwrap_or(0.0);
                arm.counts.push(k);
                if k > 0.0 {
                    if let Some(d) = first_event.get(i).copied().flatten() {
                        arm.days.push((d - m.index_date).num_days() as f64);
                    }
                }
            }
            arms.push((g, arm));
        }
        arms
    };
    let arms = arms_of(&|_| true);
    let mut t = Table::new(
        format!(
            "Within one year of the start (Justice Data Lab measures): {what}, people observed \
             for the whole year"
        ),
        vec![
            Column::label("Group"),
            count("People"),
            count("With one or more"),
            rate_of("Rate %", "People", "With one or more", 1),
            rate_of("Rate CI lower", "People", "With one or more", 1),
            rate_of("Rate CI upper", "People", "With one or more", 1),
            stat_of("Per person", "People", 3),
            stat_of("Per person CI lower", "People", 3),
            stat_of("Per person CI upper", "People", 3),
            stat_of("Days to first", "With one or more", 1),
            stat_of("Days to first CI lower", "With one or more", 1),
            stat_of("Days to first CI upper", "With one or more", 1),
        ],
    )?;
    for (g, arm) in &arms {
        let n = arm.counts.len();
        let with = arm.days.len();
        let b = stats::BinomialCount::new(with as u64, n as u64)?;
        let rate = (n > 0).then(|| stats::proportion_ci(b, cx.level));
        let mean = |x: &[f64]| {
            (x.len() >= 2)
                .then(|| stats::mean_ci(x, cx.level).ok())
                .flatten()
        };
        let (f, d) = (mean(&arm.counts), mean(&arm.days));
        let pct = |x: Option<f64>| x.map(|v| v * 100.0);
        let r = t.push_row(vec![
            Cell::text(group_label(*g)),
            cnt(n),
            cnt(with),
            val(pct(rate.as_ref().map(|r| r.value)), n),
            val(pct(rate.as_ref().map(|r| r.ci.lower)), n),
            val(pct(rate.as_ref().map(|r| r.ci.upper)), n),
            val(f.as_ref().map(|e| e.value), n),
            val(f.as_ref().map(|e| e.ci.lower), n),
            val(f.as_ref().map(|e| e.ci.upper), n),
            val(d.as_ref().map(|e| e.value), with),
            val(d.as_ref().map(|e| e.ci.lower), with),
            val(d.as_ref().map(|e| e.ci.upper), with),
        ])?;
        t.declare_at_most((r, "With one or more"), (r, "People"))?;
    }
    items.push(cx.clear("time_to_event_one_year", t)?);

    let mut dt = Table::new(
        format!("Within one year of the start: {what}, the programme group against the comparison group"),
        vec![
            Column::label("Measure"),
            stat_per_cell("Difference", 3),
            stat_per_cell("CI lower", 3),
            stat_per_cell("CI upper", 3),
            stat_per_cell("p", 4),
        ],
    )?;
    // The whole groups, then (with a matched comparison) the matched sample,
    // as the Justice Data Lab compares a programme with its matched group.
    let matched: Option<std::collections::HashSet<usize>> = matched_sets
        .filter(|s| !s.is_empty())
        .map(|s| s.iter().map(|x| x.0).collect());
    let mut samples = vec![("", arms)];
    if let Some(m) = &matched {
        samples.push(("Matched sample: ", arms_of(&|i| m.contains(&i))));
    }
    for (prefix, arms) in &samples {
        let (p, c) = (&arms[0].1, &arms[1].1);
        let n_all = p.counts.len() + c.counts.len();
        let b = |a: &Arm| stats::BinomialCount::new(a.days.len() as u64, a.counts.len() as u64);
        let rate = (!p.counts.is_empty() && !c.counts.is_empty())
            .then(|| stats::proportion_difference(b(p).ok()?, b(c).ok()?, cx.level).ok())
            .flatten();
        dt.push_row(vec![
            Cell::text(format!(
                "{prefix}Rate, percentage points (Newcombe interval; chi-square test)"
            )),
            stat(rate.as_ref().map(|r| r.wald.value * 100.0), n_all),
            stat(rate.as_ref().map(|r| r.newcombe.lower * 100.0), n_all),
            stat(rate.as_ref().map(|r| r.newcombe.upper * 100.0), n_all),
            stat(
                rate.as_ref()
                    .and_then(|r| r.chi_square.as_ref())
                    .map(|x| x.p_value),
                n_all,
            ),
        ])?;
        for (label, x, y) in [
            ("Per person (Welch t-test)", &p.counts, &c.counts),
            ("Days to first (Welch t-test)", &p.days, &c.days),
        ] {
            let w = stats::welch_t(x, y, cx.level, stats::Alternative::TwoSided).ok();
            let n = x.len() + y.len();
            dt.push_row(vec![
                Cell::text(format!("{prefix}{label}")),
                stat(w.as_ref().map(|w| w.estimate.value), n),
                stat(w.as_ref().map(|w| w.estimate.ci.lower), n),
                stat(w.as_ref().map(|w| w.estimate.ci.upper), n),
                stat(w.as_ref().map(|w| w.test.p_value), n),
            ])?;
        }
    }
    items.push(cx.clear("time_to_event_one_year_difference", dt)?);
    Ok(())
}
