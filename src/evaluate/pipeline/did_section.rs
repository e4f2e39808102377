//! The difference-in-differences section (`[did]`): the 2×2 design on each
//! outcome the spec names, the event study with its pre-trend test, and
//! staggered starts (Callaway & Sant'Anna), on the matched sample by default.

use super::matched_section::MatchedSample;
use super::*;
use crate::compare::did::{self, BasePeriod, ComparisonGroup, Panel};
use crate::evaluate::spec::{
    ndt_item_of, DidDesignSpec, DidSample, StaggeredAggregation as AggregationKind, StaggeredBase,
    StaggeredComparison,
};
use crate::measures::ndt::NdtChange;
use crate::stats::ols::{Clusters, Weights};
use chrono::{Months, NaiveDate};

/// What the section reads from the inputs while they are loaded (the
/// events and assessments are not kept after their loading step).
#[derive(Debug, Default)]
pub(super) struct DidInputs {
    /// Periods relative to each start, for the event study.
    event: Option<WindowCounts>,
    /// Calendar period bounds and each member's events per period.
    calendar: Option<(Vec<NaiveDate>, Vec<f64>)>,
    /// NDT baseline and follow-up, by cohort position.
    ndt: Option<Vec<(usize, NdtChange)>>,
}

/// The calendar periods of `[did.staggered]`: `start + k × months` for as
/// many whole periods as end on or before the extract date.
pub(super) fn calendar_bounds(start: NaiveDate, extract: NaiveDate, months: u32) -> Vec<NaiveDate> {
    let end = extract.succ_opt().unwrap_or(extract);
    let mut out = vec![start];
    let mut k = 1u32;
    while let Some(d) = start.checked_add_months(Months::new(k * months)) {
        if d > end {
            break;
        }
        out.push(d);
        k += 1;
    }
    out
}

impl DidInputs {
    /// Read what the designs need of the service-use events.
    pub(super) fn service(
        &mut self,
        spec: &EvaluationSpec,
        cohort: &io::Cohort,
        events: &io::ServiceEvents,
    ) -> Result<()> {
        let Some(d) = &spec.did else {
            return Ok(());
        };
        if let Some(e) = &d.event_study {
            let pm = e.period_months as i32;
            let first = -(spec.windows.months_before as i32) / pm;
            let last = spec.windows.months_after as i32 / pm;
            let windows = (first..last)
                .map(|k| Window::new(format!("{k}"), k * pm, (k + 1) * pm))
                .collect::<Result<Vec<_>>>()?;
            self.event = Some(io::window_counts(
                cohort,
                events,
                &windows,
                std::slice::from_ref(&e.outcome),
            )?);
        }
        if let Some(s) = &d.staggered {
            let bounds = calendar_bounds(
                spec.data_window.start,
                spec.data_window.extract_date,
                s.period_months,
            );
            let counts = io::calendar_counts(cohort, events, &s.outcome, &bounds)?;
            self.calendar = Some((bounds, counts));
        }
        Ok(())
    }

    /// Read the NDT baseline and follow-up of each member.
    pub(super) fn ndt(
        &mut self,
        spec: &EvaluationSpec,
        cohort: &io::Cohort,
        assessments: &[NdtAssessment],
    ) -> Result<()> {
        let Some(d) = &spec.did else {
            return Ok(());
        };
        if !did_outcomes(spec, d)
            .iter()
            .any(|o| o == "ndt_total" || ndt_item_of(o).is_some())
        {
            return Ok(());
        }
        let rule = SelectionRule {
            follow_up_months: spec.outcomes.ndt_follow_up_months,
            ..SelectionRule::default()
        };
        let (changes, _) = ndt::baseline_follow_up(
            cohort.members().iter().map(|m| (&m.person, m.index_date)),
            assessments,
            rule,
            PartialPolicy::Undefined,
        )?;
        let row_of: BTreeMap<&str, usize> = cohort
            .members()
            .iter()
            .enumerate()
            .map(|(i, m)| (m.person.pseudonym(), i))
            .collect();
        self.ndt = Some(
            changes
                .into_iter()
                .filter_map(|c| row_of.get(c.person.pseudonym()).map(|&r| (r, c)))
                .collect(),
        );
        Ok(())
    }
}

/// The outcomes of the 2×2 design: as named, or the comparison's.
pub(super) fn did_outcomes(spec: &EvaluationSpec, d: &DidDesignSpec) -> Vec<String> {
    match &d.outcomes {
        Some(list) => list.clone(),
        None => spec
            .comparison
            .as_ref()
            .map(|c| vec![c.outcome.clone()])
            .unwrap_or_default(),
    }
}

/// Each unit of the sample: cohort position → (weight, cluster).
struct SampleUnits {
    of: BTreeMap<usize, (f64, usize)>,
    label: String,
}

fn sample_units(
    d: &DidDesignSpec,
    cohort: &io::Cohort,
    matched: Option<&MatchedSample>,
) -> Result<SampleUnits> {
    match d.sample {
        DidSample::Matched => {
            let m = matched.ok_or_else(|| {
                Error::invalid_parameter(
                    "did.sample",
                    "matched",
                    "the matched sample needs the [comparison] section's matching",
                )
            })?;
            let of = m.units.iter().map(|u| (u.row, (u.weight, u.row))).collect();
            Ok(SampleUnits {
                of,
                label: "matched sample (with its matching weights)".into(),
            })
        }
        DidSample::All => Ok(SampleUnits {
            of: cohort
                .members()
                .iter()
                .enumerate()
                .filter(|(_, m)| GROUPS.contains(&m.group))
                .map(|(i, _)| (i, (1.0, i)))
                .collect(),
            label: "everyone in the two groups".into(),
        }),
    }
}

/// One person's `(cohort position, before, after)` of an outcome.
type Pair = (usize, f64, f64);

/// Each person's `(cohort position, before, after)` of one outcome.
fn outcome_pairs(
    cx: &Ctx<'_>,
    outcome: &str,
    inputs: &DidInputs,
    counts: Option<&WindowCounts>,
    costed: &[Option<(f64, f64)>],
) -> Result<(String, Vec<Pair>)> {
    let spec = cx.spec;
    let cats = &cx.cats;
    if let Some(c) = cats.get(outcome) {
        let counts = counts.ok_or_else(|| {
            Error::invalid_parameter(
                "did.outcomes",
                outcome,
                "a service-use outcome needs data.service_use",
            )
        })?;
        let pv =
            pre_post::service_use_per_quarter(counts, outcome, "before", "after", coverage(spec))?;
        pv.check_lengths()?;
        let pairs = pv
            .rows
            .iter()
            .zip(pv.before.iter().zip(&pv.after))
            .map(|(&r, (&b, &a))| (r, b, a))
            .collect();
        return Ok((format!("{} per quarter", c.label()), pairs));
    }
    if outcome == "total_cost" {
        // The cost section's costing of each person (one path for costs).
        let Some(cs) = &spec.costs else {
            return Err(Error::invalid_parameter(
                "did.outcomes",
                outcome,
                "`total_cost` needs a [costs] section and data.service_use",
            ));
        };
        let pairs = costed
            .iter()
            .enumerate()
            .filter_map(|(r, c)| c.map(|(pre, post)| (r, pre, post)))
            .collect();
        return Ok((
            format!(
                "Cost of service use per window (£, {} prices)",
                cs.price_year
            ),
            pairs,
        ));
    }
    let changes = inputs.ndt.as_ref().ok_or_else(|| {
        Error::invalid_parameter("did.outcomes", outcome, "an NDT outcome needs data.ndt")
    })?;
    if outcome == "ndt_total" {
        let pairs = changes
            .iter()
            .filter_map(|(r, c)| Some((*r, c.baseline_total?, c.follow_up_total?)))
            .collect();
        return Ok(("NDT total (baseline, follow-up)".into(), pairs));
    }
    let item = ndt_item_of(outcome)
        .ok_or_else(|| Error::invalid_parameter("did.outcomes", outcome, "unknown outcome"))?;
    let i = item.index();
    let pairs = changes
        .iter()
        .filter_map(|(r, c)| Some((*r, f64::from(c.baseline[i]?), f64::from(c.follow_up[i]?))))
        .collect();
    Ok((
        format!("NDT item: {} (baseline, follow-up)", item.label()),
        pairs,
    ))
}

/// A weighted mean.
fn wmean(v: &[(f64, f64)]) -> Option<f64> {
    let w: f64 = v.iter().map(|x| x.1).sum();
    (w > 0.0).then(|| v.iter().map(|x| x.0 * x.1).sum::<f64>() / w)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn did_section(
    cx: &Ctx<'_>,
    d: &DidDesignSpec,
    cohort: &io::Cohort,
    inputs: &DidInputs,
    counts: Option<&WindowCounts>,
    costed: &[Option<(f64, f64)>],
    matched: Option<&MatchedSample>,
) -> Result<Section> {
    let units = sample_units(d, cohort, matched)?;
    let members = cohort.members();
    let is_programme = |r: usize| members.get(r).is_some_and(|m| m.group == Group::Programme);
    let mut items = vec![Item::Text(format!(
        "Difference in differences on the {}: for each outcome, the programme group's change \
         from the {} months before the start to the {} months after, less the comparison \
         group's (NDT: baseline to follow-up), from the regression y ~ programme + after + \
         programme:after on the person × period panel (two rows per person; R lm, standard \
         errors clustered by person, sandwich::vcovCL CR1). The estimate \
         rests on the comparison group's change standing for what the programme group's \
         would have been without the programme (parallel trends).",
        units.label, cx.spec.windows.months_before, cx.spec.windows.months_after
    ))];

    // ---- 2×2 -------------------------------------------------------------
    let mut t = Table::new(
        "Difference in differences: the programme's effect against the comparison group",
        vec![
            Column::label("Outcome"),
            count("People, programme"),
            count("People, comparison"),
            stat_of("Programme before", "People, programme", 3),
            stat_of("Programme after", "People, programme", 3),
            stat_of("Comparison before", "People, comparison", 3),
            stat_of("Comparison after", "People, comparison", 3),
            stat_per_cell("Difference in differences", 3),
            stat_per_cell("Standard error", 3),
            stat_per_cell("CI lower", 3),
            stat_per_cell("CI upper", 3),
            stat_per_cell("p", 4),
        ],
    )?;
    for outcome in did_outcomes(cx.spec, d) {
        let (label, pairs) = outcome_pairs(cx, &outcome, inputs, counts, costed)?;
        let kept: Vec<(usize, f64, f64, f64, usize)> = pairs
            .into_iter()
            .filter_map(|(r, b, a)| units.of.get(&r).map(|&(w, c)| (r, b, a, w, c)))
            .collect();
        let n_p = kept.iter().filter(|k| is_programme(k.0)).count();
        let n_c = kept.len() - n_p;
        if n_p == 0 || n_c == 0 {
            return Err(Error::invalid_parameter(
                "did.outcomes",
                &outcome,
                format!(
                    "no {} group member of the {} has this outcome in both periods, so there is \
                     no difference in differences to estimate",
                    if n_p == 0 { "programme" } else { "comparison" },
                    match d.sample {
                        DidSample::Matched => "matched sample",
                        DidSample::All => "sample",
                    }
                ),
            ));
        }
        let mut y = Vec::with_capacity(2 * kept.len());
        let mut tr = Vec::with_capacity(2 * kept.len());
        let mut post = Vec::with_capacity(2 * kept.len());
        let mut w = Vec::with_capacity(2 * kept.len());
        let mut cl = Vec::with_capacity(2 * kept.len());
        for &(r, b, a, wt, _) in &kept {
            for (v, after) in [(b, false), (a, true)] {
                y.push(v);
                tr.push(is_programme(r));
                post.push(after);
                w.push(wt);
                // Clustered by person: the two rows of a person are one cluster.
                cl.push(r);
            }
        }
        let fit = did::did_regression_weighted(
            &y,
            &tr,
            &post,
            Some(&Weights::new(w.clone())?),
            Some(&Clusters::new(&cl)),
            cx.level,
        )
        .map_err(|e| {
            Error::invalid_parameter(
                "did.outcomes",
                &outcome,
                format!("the difference in differences cannot be estimated: {e}"),
            )
        })?;
        let e = fit.cluster.as_ref().unwrap_or(&fit.hc1);
        let cell = |g: bool, after: bool| {
            let v: Vec<(f64, f64)> = kept
                .iter()
                .filter(|k| is_programme(k.0) == g)
                .map(|k| (if after { k.2 } else { k.1 }, k.3))
                .collect();
            wmean(&v)
        };
        let n = kept.len();
        t.push_row(vec![
            Cell::text(label),
            cnt(n_p),
            cnt(n_c),
            val(cell(true, false), n_p),
            val(cell(true, true), n_p),
            val(cell(false, false), n_c),
            val(cell(false, true), n_c),
            stat(Some(e.estimate), n),
            stat(Some(e.std_error), n),
            stat(Some(e.ci.lower), n),
            stat(Some(e.ci.upper), n),
            stat(e.p_value, n),
        ])?;
    }
    items.push(cx.clear("did_effect", t)?);

    // ---- event study -------------------------------------------------------
    if let Some(es) = &d.event_study {
        let counts = inputs.event.as_ref().ok_or_else(|| {
            Error::invalid_parameter(
                "did.event_study.outcome",
                &es.outcome,
                "needs data.service_use",
            )
        })?;
        let pm = es.period_months as i64;
        let (mut y, mut unit, mut time, mut first, mut w) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for win in counts.windows() {
            let k: i64 = win.label().parse().unwrap_or(0);
            let c = counts.counts(win.label(), &es.outcome)?;
            let obs = counts.observed_days(win.label())?;
            let days = counts.window_days(win.label())?;
            for (r, &(wt, _)) in &units.of {
                // Whole periods only: a period partly outside the data is left out.
                if obs.get(*r) != days.get(*r) || days.get(*r).is_none_or(|d| *d == 0) {
                    continue;
                }
                y.push(c[*r]);
                unit.push(*r);
                time.push(k);
                first.push(is_programme(*r).then_some(0));
                w.push(wt);
            }
        }
        let panel = Panel {
            outcome: &y,
            unit: &unit,
            time: &time,
            first_treated: &first,
        };
        let es_fit = did::event_study_weighted(&panel, -1, Some(&Weights::new(w)?), cx.level)
            .map_err(|e| {
                Error::invalid_parameter(
                    "did.event_study",
                    &es.outcome,
                    format!("the event study cannot be estimated: {e}"),
                )
            })?;
        let label = cx
            .cats
            .get(&es.outcome)
            .map_or(es.outcome.clone(), |c| c.label().to_string());
        items.push(Item::Text(format!(
            "Event study: {label} in each {pm}-month period relative to the start, on the same \
             sample, by weighted least squares with person and period fixed effects and a \
             programme × period dummy for every period but the last before the start (the \
             reference, period −1); standard errors clustered by person (CR1). Periods only \
             partly inside the data window are left out. The pre-trend test is the joint Wald \
             test that every pre-start coefficient is zero."
        )));
        let n_units = es_fit.units;
        let mut et = Table::new(
            format!("Event study: {label} per {pm}-month period, programme against comparison"),
            vec![
                Column::label("Period"),
                Column::label("Months since the start"),
                stat_per_cell("Effect", 3),
                stat_per_cell("Standard error", 3),
                stat_per_cell("CI lower", 3),
                stat_per_cell("CI upper", 3),
                stat_per_cell("p", 4),
            ],
        )?;
        let months = |e: i64| format!("{} to {}", e * pm, (e + 1) * pm - 1);
        let mut rows: Vec<(i64, Option<&did::EventTimeEffect>)> = es_fit
            .effects
            .iter()
            .map(|e| (e.relative_time, Some(e)))
            .collect();
        rows.push((es_fit.reference, None));
        rows.sort_by_key(|r| r.0);
        for (e, eff) in rows {
            let cells = match eff {
                Some(x) => vec![
                    stat(Some(x.effect.estimate), n_units),
                    stat(Some(x.effect.std_error), n_units),
                    stat(Some(x.effect.ci.lower), n_units),
                    stat(Some(x.effect.ci.upper), n_units),
                    stat(x.effect.p_value, n_units),
                ],
                None => vec![
                    stat(Some(0.0), n_units),
                    Cell::NotApplicable,
                    Cell::NotApplicable,
                    Cell::NotApplicable,
                    Cell::NotApplicable,
                ],
            };
            let mut row = vec![
                Cell::text(if eff.is_none() {
                    format!("{e} (reference)")
                } else {
                    e.to_string()
                }),
                Cell::text(months(e)),
            ];
            row.extend(cells);
            et.push_row(row)?;
        }
        items.push(cx.clear("event_study", et)?);
        let mut pt = Table::new(
            "Event study: test of parallel pre-trends (every pre-start coefficient zero)",
            vec![
                Column::label("Test"),
                stat_per_cell("Restrictions", 0),
                stat_per_cell("Denominator df", 0),
                stat_per_cell("Statistic", 3),
                stat_per_cell("p", 4),
            ],
        )?;
        if let Some(w) = &es_fit.pre_trend {
            pt.push_row(vec![
                Cell::text("Wald chi-square (CR1)"),
                stat(Some(w.df_numerator as f64), n_units),
                Cell::NotApplicable,
                stat(Some(w.chi_square), n_units),
                stat(Some(w.chi_square_p_value), n_units),
            ])?;
            pt.push_row(vec![
                Cell::text("F (CR1)"),
                stat(Some(w.df_numerator as f64), n_units),
                stat(Some(w.df_denominator), n_units),
                stat(Some(w.f_statistic), n_units),
                stat(Some(w.f_p_value), n_units),
            ])?;
        }
        items.push(cx.clear("event_study_pretrend", pt)?);
    }

    // ---- staggered starts --------------------------------------------------
    if let Some(st) = &d.staggered {
        let (bounds, counts) = inputs.calendar.as_ref().ok_or_else(|| {
            Error::invalid_parameter(
                "did.staggered.outcome",
                &st.outcome,
                "needs data.service_use",
            )
        })?;
        let np = bounds.len() - 1;
        let last_day = bounds[np].pred_opt().unwrap_or(bounds[np]);
        let period_of = |date: NaiveDate| bounds.partition_point(|&b| b <= date) as i64 - 1;
        let (mut y, mut unit, mut time, mut first) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for r in units.of.keys() {
            let m = &members[*r];
            // A balanced panel: people observed in every period (did drops
            // the others).
            if m.end_date.is_some_and(|e| e < last_day) {
                continue;
            }
            let g = (m.group == Group::Programme).then(|| period_of(m.index_date));
            for k in 0..np {
                y.push(counts[*r * np + k]);
                unit.push(*r);
                time.push(k as i64);
                first.push(g);
            }
        }
        let panel = Panel {
            outcome: &y,
            unit: &unit,
            time: &time,
            first_treated: &first,
        };
        let comparison = match st.comparison_group {
            StaggeredComparison::NeverTreated => ComparisonGroup::NeverTreated,
            StaggeredComparison::NotYetTreated => ComparisonGroup::NotYetTreated,
        };
        let base = match st.base_period {
            StaggeredBase::Varying => BasePeriod::Varying,
            StaggeredBase::Universal => BasePeriod::Universal,
        };
        let gt = did::group_time_att(&panel, comparison, base).map_err(|e| {
            Error::invalid_parameter(
                "did.staggered.comparison_group",
                match st.comparison_group {
                    StaggeredComparison::NeverTreated => "never_treated",
                    StaggeredComparison::NotYetTreated => "not_yet_treated",
                },
                format!("the staggered design cannot be estimated: {e}"),
            )
        })?;
        let label = cx
            .cats
            .get(&st.outcome)
            .map_or(st.outcome.clone(), |c| c.label().to_string());
        let date_of = |k: i64| {
            usize::try_from(k)
                .ok()
                .and_then(|k| bounds.get(k))
                .map_or_else(|| k.to_string(), |d| d.to_string())
        };
        items.push(Item::Text(format!(
            "Staggered starts (Callaway & Sant'Anna 2021, R did::att_gt without covariates, \
             est_method = \"reg\", bstrap = FALSE): {label} in {}-month calendar periods from \
             {}; a programme member's cohort is the period of their start (those starting in \
             the first period have no pre-period and are left out), and the comparison is the \
             {} group{}. The base period is {}. People not observed in every period are left \
             out (a balanced panel). Standard errors are analytic (influence function), \
             intervals pointwise.",
            st.period_months,
            bounds[0],
            match st.comparison_group {
                StaggeredComparison::NeverTreated => "never-treated (comparison)",
                StaggeredComparison::NotYetTreated => "never-treated and not-yet-treated",
            },
            match d.sample {
                DidSample::Matched => ", within the matched sample",
                DidSample::All => "",
            },
            match st.base_period {
                StaggeredBase::Varying => "varying (the period before each pre-start period)",
                StaggeredBase::Universal => "universal (the period before the cohort's start)",
            }
        )));
        let z = {
            use statrs::distribution::{ContinuousCDF, Normal};
            Normal::standard().inverse_cdf(1.0 - cx.level.alpha() / 2.0)
        };
        let mut att = Table::new(
            format!("Staggered starts: ATT(g, t) for {label}"),
            vec![
                Column::label("Cohort (first period)"),
                Column::label("Period"),
                count("People in cohort"),
                count("Comparison people"),
                stat_per_cell("ATT", 3),
                stat_per_cell("Standard error", 3),
                stat_per_cell("CI lower", 3),
                stat_per_cell("CI upper", 3),
            ],
        )?;
        for e in &gt.effects {
            let n = e.n_treated + e.n_control;
            att.push_row(vec![
                Cell::text(date_of(e.group)),
                Cell::text(date_of(e.time)),
                cnt(e.n_treated),
                cnt(e.n_control),
                stat(Some(e.att), n),
                stat(e.std_error, n),
                stat(e.std_error.map(|s| e.att - z * s), n),
                stat(e.std_error.map(|s| e.att + z * s), n),
            ])?;
        }
        items.push(cx.clear("staggered_att", att)?);
        let n_all: usize = gt.group_sizes.iter().map(|c| c.units).sum();
        let mut agg = Table::new(
            format!("Staggered starts: aggregated effects on {label}"),
            vec![
                Column::label("Aggregation"),
                Column::label("Of"),
                stat_per_cell("ATT", 3),
                stat_per_cell("Standard error", 3),
                stat_per_cell("CI lower", 3),
                stat_per_cell("CI upper", 3),
            ],
        )?;
        let ci = |a: f64, s: Option<f64>, n: usize| {
            [
                stat(Some(a), n),
                stat(s, n),
                stat(s.map(|s| a - z * s), n),
                stat(s.map(|s| a + z * s), n),
            ]
        };
        for kind in &st.aggregations {
            let (name, result) = match kind {
                AggregationKind::Simple => ("simple", gt.aggregate_simple(cx.level)),
                AggregationKind::Group => ("group", gt.aggregate_group(cx.level)),
                AggregationKind::Dynamic => ("dynamic", gt.aggregate_dynamic(cx.level)),
            };
            let a = result.map_err(|e| {
                Error::invalid_parameter(
                    "did.staggered.aggregations",
                    name,
                    format!("cannot be computed: {e}"),
                )
            })?;
            for b in &a.by {
                let of = match kind {
                    AggregationKind::Group => format!("cohort {}", date_of(b.key)),
                    _ => format!("{} period(s) since the start", b.key),
                };
                let mut row = vec![Cell::text(name), Cell::text(of)];
                row.extend(ci(b.att, b.std_error, n_all));
                agg.push_row(row)?;
            }
            let mut row = vec![Cell::text(name), Cell::text("overall")];
            row.extend(ci(a.overall, a.overall_std_error, n_all));
            agg.push_row(row)?;
        }
        items.push(cx.clear("staggered_aggregation", agg)?);
    }
    Ok(Section {
        title: "Difference in differences".into(),
        items,
    })
}
