//! The headline: the programme's effect against the matched comparison, per
//! outcome, as a difference in differences on the matched sample.

use super::*;
use crate::compare::did::{matched_effect, MatchedSample};
use crate::stats::ols::{Clusters, Weights};

/// One outcome of the headline: each cohort member's change from the before
/// to the after window (`None`: not observed for this outcome).
struct Outcome {
    label: String,
    unit: String,
    change: Vec<Option<f64>>,
}

pub(super) fn headline_section(
    cx: &Ctx<'_>,
    cmp: &crate::evaluate::spec::ComparisonSpec,
    units: &[MatchedUnit],
    counts: Option<&WindowCounts>,
    codes: &[String],
    cost_change: &[Option<f64>],
) -> Result<Section> {
    let spec = cx.spec;
    let cats = &cx.cats;
    let cov = coverage(spec);
    // The outcomes: the matching's own outcome first, then total cost, then
    // every other service-use category of the spec.
    let mut order: Vec<String> = vec![cmp.outcome.clone()];
    if spec.costs.is_some() && cmp.outcome != "total_cost" {
        order.push("total_cost".into());
    }
    order.extend(codes.iter().filter(|c| **c != cmp.outcome).cloned());
    let price_year = spec.costs.as_ref().map(|c| c.price_year.clone());
    let mut outcomes = Vec::with_capacity(order.len());
    for code in &order {
        if code == "total_cost" {
            if cost_change.iter().all(Option::is_none) {
                continue;
            }
            outcomes.push(Outcome {
                label: "Total cost".into(),
                unit: format!(
                    "£ per person over the window, {} prices",
                    price_year.as_deref().unwrap_or("")
                ),
                change: cost_change.to_vec(),
            });
            continue;
        }
        let Some(counts) = counts else { continue };
        let pv = pre_post::service_use_per_quarter(counts, code, "before", "after", cov)?;
        pv.check_lengths()?;
        let mut change = vec![None; counts.people().len()];
        for ((&row, b), a) in pv.rows.iter().zip(&pv.before).zip(&pv.after) {
            if let Some(slot) = change.get_mut(row) {
                *slot = Some(a - b);
            }
        }
        outcomes.push(Outcome {
            label: cats
                .get(code)
                .map_or(code.as_str(), |c| c.label())
                .to_string(),
            unit: "per person per quarter".into(),
            change,
        });
    }

    let mut t = Table::new(
        "The programme's effect against the matched comparison (difference in differences)",
        vec![
            Column::label("Outcome"),
            Column::label("Unit"),
            count("Programme, matched"),
            count("Comparison, matched"),
            stat_of("Programme change", "Programme, matched", 3),
            stat_of("Comparison change", "Comparison, matched", 3),
            stat_of("Effect", "Programme, matched", 3),
            stat_of("Standard error", "Programme, matched", 3),
            stat_of("CI lower", "Programme, matched", 3),
            stat_of("CI upper", "Programme, matched", 3),
            stat_of("p", "Programme, matched", 4),
            stat_of(
                &format!("p ({})", spec.statistics.p_adjust.label()),
                "Programme, matched",
                4,
            ),
        ],
    )?;
    let n_matched = |treated: bool| units.iter().filter(|u| u.treated == treated).count();
    let (all_t, all_c) = (n_matched(true), n_matched(false));
    let mut rows = Vec::with_capacity(outcomes.len());
    for o in &outcomes {
        let kept: Vec<(&MatchedUnit, f64)> = units
            .iter()
            .filter_map(|u| o.change.get(u.row).copied().flatten().map(|c| (u, c)))
            .collect();
        let y: Vec<f64> = kept.iter().map(|k| k.1).collect();
        let treated: Vec<bool> = kept.iter().map(|k| k.0.treated).collect();
        let (n_t, n_c) = (
            treated.iter().filter(|t| **t).count(),
            treated.iter().filter(|t| !**t).count(),
        );
        let wmean = |g: bool| {
            let (sw, swy) = kept
                .iter()
                .filter(|k| k.0.treated == g)
                .fold((0.0, 0.0), |(sw, swy), k| {
                    (sw + k.0.weight, swy + k.0.weight * k.1)
                });
            (sw > 0.0).then(|| swy / sw)
        };
        let effect = if n_t >= 1 && n_c >= 1 && n_t + n_c >= 3 {
            let weights = Weights::new(kept.iter().map(|k| k.0.weight).collect())?;
            let labels: Vec<MatchCluster> = kept.iter().map(|k| k.0.cluster).collect();
            let clusters = Clusters::new(&labels);
            matched_effect(
                &MatchedSample {
                    outcome: &y,
                    treated: &treated,
                    covariates: &[],
                    weights: &weights,
                    subclass: &clusters,
                },
                cx.level,
            )
            .ok()
            .map(|e| e.difference_in_means)
        } else {
            None
        };
        rows.push((o, n_t, n_c, wmean(true), wmean(false), effect));
    }
    let adjusted = cx.adjusted(
        &rows
            .iter()
            .map(|r| r.5.as_ref().and_then(|e| e.p_value))
            .collect::<Vec<_>>(),
    )?;
    let mut confidential = Vec::new();
    for ((o, n_t, n_c, mt, mc, e), pa) in rows.into_iter().zip(adjusted) {
        let r = t.push_row(vec![
            Cell::text(&o.label),
            Cell::text(&o.unit),
            cnt(n_t),
            cnt(n_c),
            val(mt, n_t),
            val(mc, n_c),
            val(e.as_ref().map(|e| e.estimate), n_t),
            val(e.as_ref().map(|e| e.std_error), n_t),
            val(e.as_ref().map(|e| e.ci.lower), n_t),
            val(e.as_ref().map(|e| e.ci.upper), n_t),
            val(e.as_ref().and_then(|e| e.p_value), n_t),
            val(pa, n_t),
        ])?;
        if n_t == all_t {
            t.link_count(r, "Programme, matched", link::matched(Group::Programme))?;
        }
        if n_c == all_c {
            t.link_count(r, "Comparison, matched", link::matched(Group::Comparison))?;
        }
        // The effect is the programme's change less the comparison's: with
        // the comparison's count withheld, so is everything that would give
        // its change back.
        if cx.small(n_c as u64) {
            confidential.extend((6..12).map(|c| (r, c)));
        }
    }
    for (r, c) in confidential {
        t.mark_confidential(r, c)?;
    }
    let se_rule = if cmp.replace {
        "HC1 (matching with replacement: each unit its own cluster; sandwich::vcovHC(type = \
         \"HC1\"))"
            .to_string()
    } else {
        "CR1 by matched set (sandwich::vcovCL(fit, cluster = ~subclass))".to_string()
    };
    let items = vec![
        Item::Text(format!(
            "What difference did the programme make? For each outcome, the change from the {} \
             months before to the {} months after each person's start among the programme \
             group's matched members, less the change among their matched comparison members: \
             a difference in differences on the matched sample, lm(change ~ treat, weights = \
             matching weights), standard error {se_rule}, {:.0}% interval. The comparison it \
             rests on: {}:1 nearest-neighbour matching {} replacement on the propensity score \
             of {}{} (counts and balance in the matched comparison section). A negative effect \
             means use or cost fell more (or rose less) than in the matched comparison. The \
             p-values of the outcomes are one family, adjusted by {}. The before/after tables \
             of each group follow as context.",
            spec.windows.months_before,
            spec.windows.months_after,
            cx.level.get() * 100.0,
            cmp.ratio,
            if cmp.replace { "with" } else { "without" },
            cmp.covariates.join(", "),
            cmp.caliper_sd
                .map_or(String::new(), |c| format!(" within a caliper of {c} SD")),
            spec.statistics.p_adjust.label(),
        )),
        cx.clear("headline_effects", t)?,
    ];
    Ok(Section {
        title: "The programme's effect against the matched comparison".into(),
        items,
    })
}
