//! Charts drawn from cleared tables only: every number plotted is one the
//! disclosure policy published. Suppressed values are left out (or drawn as
//! zero where the chart needs a value, which the caption says).

use super::pipeline::NamedChart;
use super::tables::{label, published};
use crate::disclosure::ClearedTable;
use crate::error::Result;
use crate::plot::{
    self, AgencyCost, AsbByMonth, BalancePlot, BeforeAfterGroup, ChartOptions, CostByAgency,
    CostChartStyle, CovariateBalance, MonthlySeries, NdtGroupSeries, NdtOverTime, OverlapPanel,
    PeriodLabels, PersistentAbsence, PropensityOverlap, ServiceUseBeforeAfter, TimeUnit,
    ValueWithCi, MAX_AGENCIES, MAX_BAR_GROUPS,
};
use crate::stats::ConfidenceLevel;

fn options(title: &str) -> ChartOptions {
    ChartOptions {
        title: Some(title.to_string()),
        ..ChartOptions::default()
    }
}

fn named(stem: &str, title: &str, caption: String, chart: plot::Chart) -> Option<NamedChart> {
    Some(NamedChart {
        stem: stem.into(),
        title: title.into(),
        caption,
        size: (chart.size.width(), chart.size.height()),
        svg: chart.svg,
        png: chart.png,
    })
}

fn ci(
    t: &ClearedTable,
    r: usize,
    v: &str,
    lo: &str,
    hi: &str,
    min: f64,
    max: f64,
) -> Option<ValueWithCi> {
    let value = published(t, r, v)?;
    Some(match (published(t, r, lo), published(t, r, hi)) {
        (Some(l), Some(h)) => ValueWithCi::with_ci(value, l.clamp(min, max), h.clamp(min, max)),
        _ => ValueWithCi::new(value),
    })
}

/// Mean NDT total by quarter since start, one line per group.
pub(crate) fn ndt_over_time(
    t: &ClearedTable,
    level: ConfidenceLevel,
) -> Result<Option<NamedChart>> {
    let mut groups: Vec<NdtGroupSeries> = Vec::new();
    for r in 0..t.n_rows() {
        let (Some(g), Some(q)) = (label(t, r, "Group"), label(t, r, "Quarter")) else {
            continue;
        };
        // Plotted at the middle of the quarter, in months since the start.
        let Some(k) = q.strip_prefix('Q').and_then(|k| k.parse::<f64>().ok()) else {
            continue;
        };
        let k = 3.0 * k + 1.5;
        let Some(v) = ci(t, r, "Mean total", "CI lower", "CI upper", 0.0, 48.0) else {
            continue;
        };
        if !(0.0..=48.0).contains(&v.value) {
            continue;
        }
        match groups.iter_mut().find(|s| s.label == g) {
            Some(s) => {
                s.time.push(k);
                s.mean.push(v);
            }
            None => groups.push(NdtGroupSeries {
                label: g,
                time: vec![k],
                mean: vec![v],
            }),
        }
    }
    if groups.is_empty() {
        return Ok(None);
    }
    let title = "NDT total by quarter since the start of support";
    let chart = plot::ndt_over_time(
        &NdtOverTime {
            time_unit: TimeUnit::Months,
            ci_level: level,
            groups,
        },
        &options(title),
    )?;
    Ok(named(
        "ndt_over_time",
        title,
        "Mean NDT total (0-48, higher = more need) with its confidence interval, from the cleared \
         table below, plotted at the middle of each quarter since the start (Q0 = months 0-2); \
         quarters whose mean was withheld are left out."
            .into(),
        chart,
    ))
}

/// Programme group's service use before and after, by category.
pub(crate) fn service_use(t: &ClearedTable, level: ConfidenceLevel) -> Result<Option<NamedChart>> {
    let mut categories = Vec::new();
    for r in 0..t.n_rows() {
        if label(t, r, "Group").as_deref() != Some("Programme") {
            continue;
        }
        let Some(cat) = label(t, r, "Category") else {
            continue;
        };
        let b = ci(
            t,
            r,
            "Before",
            "Before CI lower",
            "Before CI upper",
            0.0,
            f64::MAX,
        );
        let a = ci(
            t,
            r,
            "After",
            "After CI lower",
            "After CI upper",
            0.0,
            f64::MAX,
        );
        if let (Some(before), Some(after)) = (b, a) {
            if before.value >= 0.0 && after.value >= 0.0 && categories.len() < MAX_BAR_GROUPS {
                categories.push(BeforeAfterGroup {
                    label: cat,
                    before,
                    after,
                });
            }
        }
    }
    if categories.is_empty() {
        return Ok(None);
    }
    let title = "Programme group: service use per person per quarter, before and after";
    let chart = plot::service_use_before_after(
        &ServiceUseBeforeAfter {
            unit: "Per person per quarter".into(),
            periods: PeriodLabels::default(),
            ci_level: level,
            categories,
        },
        &options(title),
    )?;
    Ok(named(
        "service_use_before_after",
        title,
        "Means with confidence intervals from the cleared service-use table; categories whose \
         values were withheld are left out."
            .into(),
        chart,
    ))
}

/// Programme group's cost per person by agency, stacked before and after.
pub(crate) fn cost_by_agency(t: &ClearedTable, price_year: &str) -> Result<Option<NamedChart>> {
    let mut agencies = Vec::new();
    for r in 0..t.n_rows() {
        if label(t, r, "Group").as_deref() != Some("Programme") {
            continue;
        }
        let Some(a) = label(t, r, "Agency") else {
            continue;
        };
        if a == "All agencies" {
            continue;
        }
        if let (Some(before), Some(after)) = (published(t, r, "Before"), published(t, r, "After")) {
            if before >= 0.0 && after >= 0.0 && agencies.len() < MAX_AGENCIES {
                agencies.push(AgencyCost {
                    agency: a,
                    before,
                    after,
                });
            }
        }
    }
    if agencies.is_empty() {
        return Ok(None);
    }
    let title = "Programme group: cost per person by agency, before and after";
    let chart = plot::cost_by_agency(
        &CostByAgency {
            price_base: format!("{price_year} prices"),
            periods: PeriodLabels::default(),
            agencies,
        },
        CostChartStyle::Stacked,
        &options(title),
    )?;
    Ok(named(
        "cost_by_agency",
        title,
        "Mean cost per person from the cleared cost table; agencies whose values were withheld \
         are left out."
            .into(),
        chart,
    ))
}

/// Balance (love) plot of the SMDs before and after matching.
pub(crate) fn balance(t: &ClearedTable) -> Result<Option<NamedChart>> {
    let mut covariates = Vec::new();
    for r in 0..t.n_rows() {
        let Some(name) = label(t, r, "Variable") else {
            continue;
        };
        if let (Some(before), Some(after)) =
            (published(t, r, "SMD before"), published(t, r, "SMD after"))
        {
            covariates.push(CovariateBalance {
                name,
                before,
                after,
            });
        }
    }
    if covariates.is_empty() {
        return Ok(None);
    }
    let title = "Covariate balance: standardised mean differences";
    let chart = plot::balance_plot(&BalancePlot::new(covariates), &options(title))?;
    Ok(named(
        "balance",
        title,
        "Absolute standardised mean difference (treated-group SD, MatchIt) before (hollow) and \
         after (filled) matching; the dashed line marks 0.1."
            .into(),
        chart,
    ))
}

/// Propensity-score overlap from the cleared bin counts.
pub(crate) fn overlap(t: &ClearedTable, bins: usize) -> Result<Option<NamedChart>> {
    // The bin rows (not the total row).
    let col = |name: &str| -> Vec<f64> {
        (0..t.n_rows())
            .filter(|&r| !t.is_total_row(r))
            .map(|r| published(t, r, name).unwrap_or(0.0))
            .collect()
    };
    let share = |v: Vec<f64>| -> Option<Vec<f64>> {
        let total: f64 = v.iter().sum();
        (total > 0.0).then(|| v.iter().map(|x| x / total).collect())
    };
    let (Some(pa), Some(ca), Some(pm), Some(cm)) = (
        share(col("Programme, all")),
        share(col("Comparison, all")),
        share(col("Programme, matched")),
        share(col("Comparison, matched")),
    ) else {
        return Ok(None);
    };
    if pa.len() != bins {
        return Ok(None);
    }
    let title = "Propensity-score overlap, before and after matching";
    let chart = plot::propensity_overlap(
        &PropensityOverlap {
            bin_edges: (0..=bins).map(|b| b as f64 / bins as f64).collect(),
            treated_label: "Programme".into(),
            control_label: "Comparison".into(),
            before: OverlapPanel {
                treated: pa,
                control: ca,
            },
            after: OverlapPanel {
                treated: pm,
                control: cm,
            },
        },
        &options(title),
    )?;
    Ok(named(
        "propensity_overlap",
        title,
        "Share of each group in each score bin, computed from the cleared bin counts: bins whose \
         count was suppressed are drawn as zero and left out of the denominators."
            .into(),
        chart,
    ))
}

/// Persistent absence before and after, pilot and comparison.
pub(crate) fn persistent_absence(
    t: &ClearedTable,
    level: ConfidenceLevel,
) -> Result<Option<NamedChart>> {
    let mut groups: Vec<BeforeAfterGroup> = Vec::new();
    let mut arms: Vec<String> = Vec::new();
    for r in 0..t.n_rows() {
        if let Some(a) = label(t, r, "Arm") {
            if !arms.contains(&a) {
                arms.push(a);
            }
        }
    }
    for arm in arms {
        let find = |phase: &str| {
            (0..t.n_rows()).find(|&r| {
                label(t, r, "Arm").as_deref() == Some(arm.as_str())
                    && label(t, r, "Phase").as_deref() == Some(phase)
            })
        };
        let v = |r: Option<usize>| {
            r.and_then(|r| published(t, r, "Persistent absence %"))
                .map(|x| x / 100.0)
        };
        if let (Some(b), Some(a)) = (v(find("Before")), v(find("After"))) {
            if (0.0..=1.0).contains(&b) && (0.0..=1.0).contains(&a) {
                groups.push(BeforeAfterGroup {
                    label: arm,
                    before: ValueWithCi::new(b),
                    after: ValueWithCi::new(a),
                });
            }
        }
    }
    if groups.is_empty() {
        return Ok(None);
    }
    let title = "Persistent absence before and after the programme start";
    let chart = plot::persistent_absence(
        &PersistentAbsence {
            periods: PeriodLabels::default(),
            ci_level: level,
            groups,
        },
        &options(title),
    )?;
    Ok(named(
        "persistent_absence",
        title,
        "Enrolments missing 10% or more of possible sessions, from the cleared attendance table."
            .into(),
        chart,
    ))
}

/// ASB per 1,000 residents by period (the rows of `t`, labelled in column
/// `period`), pilot and comparison.
pub(crate) fn asb_by_period(
    t: &ClearedTable,
    period: &str,
    start_row: usize,
) -> Result<Option<NamedChart>> {
    let mut months = Vec::new();
    let (mut pilot, mut comparison) = (Vec::new(), Vec::new());
    let mut start_index = None;
    for r in 0..t.n_rows() {
        let (Some(m), Some(p), Some(c)) = (
            label(t, r, period),
            published(t, r, "Pilot per 1,000"),
            published(t, r, "Comparison per 1,000"),
        ) else {
            continue;
        };
        if r >= start_row && start_index.is_none() {
            start_index = Some(months.len());
        }
        months.push(m);
        pilot.push(p.max(0.0));
        comparison.push(c.max(0.0));
    }
    let Some(start_index) = start_index else {
        return Ok(None);
    };
    if months.len() < 2 {
        return Ok(None);
    }
    let title = "Anti-social behaviour per 1,000 residents by calendar quarter";
    let chart = plot::asb_by_month(
        &AsbByMonth {
            months,
            series: vec![
                MonthlySeries {
                    label: "Pilot areas".into(),
                    values: pilot,
                },
                MonthlySeries {
                    label: "Comparison areas".into(),
                    values: comparison,
                },
            ],
            start_index,
            start_label: "Programme starts".into(),
        },
        &options(title),
    )?;
    Ok(named(
        "asb_by_quarter",
        title,
        "Incidents per 1,000 residents in each calendar quarter, from the cleared quarterly \
         table; the dashed line marks the quarter the programme starts in; quarters with a \
         withheld rate are left out (the line joins their neighbours)."
            .into(),
        chart,
    ))
}

/// Survival curves by group from the cleared monthly survival table, with
/// the numbers at risk every `every` months.
pub(crate) fn survival_curves(
    t: &ClearedTable,
    level: ConfidenceLevel,
    what: &str,
    every: u32,
) -> Result<Option<NamedChart>> {
    let mut groups: Vec<plot::SurvivalSeries> = Vec::new();
    for r in 0..t.n_rows() {
        let (Some(g), Some(m)) = (label(t, r, "Group"), label(t, r, "Months")) else {
            continue;
        };
        let Ok(month) = m.parse::<f64>() else {
            continue;
        };
        let Some(v) = ci(t, r, "Survival %", "CI lower", "CI upper", 0.0, 100.0) else {
            continue;
        };
        if !(0.0..=100.0).contains(&v.value) {
            continue;
        }
        let at_risk = published(t, r, "At risk").map(|n| n as u64);
        match groups.iter_mut().find(|s| s.label == g) {
            Some(s) if s.time.last().is_some_and(|&x| month > x) => {
                s.time.push(month);
                s.survival.push(v);
                s.at_risk.push(at_risk);
            }
            Some(_) => {}
            None => groups.push(plot::SurvivalSeries {
                label: g,
                time: vec![month],
                survival: vec![v],
                at_risk: vec![at_risk],
            }),
        }
    }
    groups.retain(|s| s.time.len() >= 2);
    if groups.is_empty() {
        return Ok(None);
    }
    let last = groups
        .iter()
        .filter_map(|s| s.time.last().copied())
        .fold(0.0, f64::max);
    let every = f64::from(every.max(1));
    let risk_times: Vec<f64> = (0..)
        .map(|k| f64::from(k) * every)
        .take_while(|t| *t <= last)
        .collect();
    let title = format!("Time to first {what}: survival by group");
    let chart = plot::survival_curves(
        &plot::SurvivalCurves {
            event: format!("without a {what}"),
            ci_level: level,
            groups,
            risk_times,
        },
        &options(&title),
    )?;
    Ok(named(
        "time_to_event_curves",
        &title,
        "Kaplan–Meier survival read at each whole month from the cleared monthly table, with its \
         interval; months whose values were withheld are left out, and a withheld number at \
         risk is shown as c."
            .into(),
        chart,
    ))
}
