//! Cost offsets and the cost-benefit streams built from them: the logic of
//! `examples/cost_offset.rs`, shared with the evaluation pipeline.
//!
//! 1. Service use in a before and an after window, for people observed for
//!    the whole of both, priced with a unit-cost table and re-based with a
//!    deflator series ([`cost_offset`]).
//! 2. Benefit streams for the cost-benefit analysis: the programme group's
//!    fall in cost by agency, with the comparison group's fall per person
//!    (scaled to the programme group) as the counterfactual
//!    ([`comparison_group_streams`]).

use std::collections::BTreeMap;

use crate::cohort::Group;
use crate::costs::costing::CategoryColumns;
use crate::costs::{
    self, BenefitStream, ConfidenceGrade, CostingOptions, Counterfactual, DeflatorSeries, Gbp,
    PrePostComparison, Proportion, UnitCostTable, ValueType,
};
use crate::error::Result;
use crate::io::WindowCounts;

/// The result of [`cost_offset`].
#[derive(Debug, Clone, PartialEq)]
pub struct CostOffset {
    /// Categories priced (those with a chosen unit cost).
    pub costed: Vec<String>,
    /// Categories asked for but with no unit cost: not costed (never priced
    /// at zero silently).
    pub not_costed: Vec<String>,
    /// People left out because they were not observed for the whole of both
    /// windows (all groups).
    pub left_out: usize,
    /// The pre/post comparison for each group with anyone costed, keyed by
    /// group; each person is identified by their row of the per-person
    /// frame (the cohort's order).
    pub by_group: BTreeMap<Group, PrePostComparison<usize>>,
}

/// The categories of `codes` that `table` prices, and those it does not.
pub fn costed_categories(codes: &[String], table: &UnitCostTable) -> (Vec<String>, Vec<String>) {
    codes
        .iter()
        .cloned()
        .partition(|c| costs::CostCategory::new(c.as_str()).is_ok_and(|k| table.chosen(&k).is_ok()))
}

/// Cost per person in the `before` and `after` windows of the per-person
/// frame `counts` for every person observed for the whole of both, by group.
/// `programme_cost_per_person` (in the target year's prices) is charged to
/// the programme group only. The counts are the ones the service-use section
/// reads (one frame, aggregated once); the costs are computed from its
/// columns by [`costs::costing::pre_post_columns`].
///
/// # Errors
/// If `counts` lacks a window or a costed category of `codes`; as
/// [`costs::costing::pre_post_columns`].
#[allow(clippy::too_many_arguments)]
pub fn cost_offset(
    counts: &WindowCounts,
    (before, after): (&str, &str),
    codes: &[String],
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
    programme_cost_per_person: f64,
) -> Result<CostOffset> {
    let (costed, not_costed) = costed_categories(codes, table);
    let mut out = CostOffset {
        costed,
        not_costed,
        left_out: 0,
        by_group: BTreeMap::new(),
    };
    if out.costed.is_empty() {
        return Ok(out);
    }
    let ob = counts.observed_days(before)?;
    let oa = counts.observed_days(after)?;
    let wb = counts.window_days(before)?;
    let wa = counts.window_days(after)?;
    let mut categories = Vec::with_capacity(out.costed.len());
    let mut columns = Vec::with_capacity(out.costed.len());
    for code in &out.costed {
        categories.push(costs::CostCategory::new(code.as_str())?);
        columns.push((counts.counts(before, code)?, counts.counts(after, code)?));
    }
    let columns: Vec<CategoryColumns<'_>> = categories
        .iter()
        .zip(&columns)
        .map(|(category, (b, a))| CategoryColumns {
            category,
            before: b,
            after: a,
        })
        .collect();
    let mut by_group: BTreeMap<Group, Vec<usize>> = BTreeMap::new();
    for (i, group) in counts.groups().iter().enumerate() {
        if ob[i] < wb[i] || oa[i] < wa[i] {
            out.left_out += 1;
            continue;
        }
        by_group.entry(*group).or_default().push(i);
    }
    let target = options.target_year;
    for (group, rows) in by_group {
        let pc = if group == Group::Programme {
            programme_cost_per_person
        } else {
            0.0
        };
        let cmp = costs::costing::pre_post_columns(
            &rows,
            &rows,
            &columns,
            table,
            deflators,
            options,
            Gbp::non_negative(pc, target)?,
        )?;
        out.by_group.insert(group, cmp);
    }
    Ok(out)
}

/// One fiscal benefit stream per agency: the programme group's annual fall
/// in cost, with the comparison group's fall per person (times the
/// programme group's size) as the counterfactual.
///
/// # Errors
/// If an amount is not finite.
pub fn comparison_group_streams<P>(
    programme: &PrePostComparison<P>,
    comparison: &PrePostComparison<P>,
    attribution: Proportion,
    confidence: ConfidenceGrade,
) -> Result<Vec<BenefitStream>> {
    let (n_prog, n_comp) = (programme.n as f64, comparison.n as f64);
    let mut streams = Vec::new();
    for (agency, a) in &programme.by_agency {
        let year = a.change.price_year();
        let gross = -a.change.amount();
        let comp_pp = comparison
            .by_agency
            .get(agency)
            .map_or(0.0, |c| -c.change.amount() / n_comp);
        streams.push(BenefitStream {
            label: format!("reduced demand: {agency}"),
            agency: agency.clone(),
            value_type: ValueType::Fiscal,
            annual_gross: Gbp::new(gross, year)?,
            counterfactual: Counterfactual::ComparisonGroup(Gbp::new(comp_pp * n_prog, year)?),
            attribution,
            confidence,
        });
    }
    Ok(streams)
}

/// One fiscal benefit stream per agency without a comparison: the programme
/// group's own annual fall in cost, with a `deadweight` share that would
/// have happened anyway.
///
/// # Errors
/// If an amount is not finite.
pub fn deadweight_streams<P>(
    programme: &PrePostComparison<P>,
    deadweight: Proportion,
    attribution: Proportion,
    confidence: ConfidenceGrade,
) -> Result<Vec<BenefitStream>> {
    programme
        .by_agency
        .iter()
        .map(|(agency, a)| {
            Ok(BenefitStream {
                label: format!("reduced demand: {agency}"),
                agency: agency.clone(),
                value_type: ValueType::Fiscal,
                annual_gross: Gbp::new(-a.change.amount(), a.change.price_year())?,
                counterfactual: Counterfactual::Deadweight(deadweight),
                attribution,
                confidence,
            })
        })
        .collect()
}

/// Each person's change in cost (`after − before`, target-year pounds) by
/// the agency that bears it, for the frame rows `rows` (each aligned with
/// `rows`): the costed categories of `codes` grouped by their unit cost's
/// agency, costed with [`costs::costing::pre_post_columns`] as
/// [`cost_offset`] costs them.
///
/// # Errors
/// If `counts` lacks a window or a costed category; as
/// [`costs::costing::pre_post_columns`] (an empty `rows` among them).
pub fn agency_changes(
    counts: &WindowCounts,
    (before, after): (&str, &str),
    codes: &[String],
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
    rows: &[usize],
) -> Result<BTreeMap<costs::Agency, Vec<f64>>> {
    let (costed, _) = costed_categories(codes, table);
    // Each agency's categories, with their before and after count columns.
    type Columns = Vec<(costs::CostCategory, Vec<f64>, Vec<f64>)>;
    let mut by_agency: BTreeMap<costs::Agency, Columns> = BTreeMap::new();
    for code in &costed {
        let category = costs::CostCategory::new(code.as_str())?;
        let agency = table.chosen(&category)?.agency().clone();
        by_agency.entry(agency).or_default().push((
            category,
            counts.counts(before, code)?,
            counts.counts(after, code)?,
        ));
    }
    let zero = Gbp::non_negative(0.0, options.target_year)?;
    let mut out = BTreeMap::new();
    for (agency, cols) in &by_agency {
        let columns: Vec<CategoryColumns<'_>> = cols
            .iter()
            .map(|(category, b, a)| CategoryColumns {
                category,
                before: b,
                after: a,
            })
            .collect();
        let cmp = costs::costing::pre_post_columns(
            rows, rows, &columns, table, deflators, options, zero,
        )?;
        out.insert(
            agency.clone(),
            cmp.people.iter().map(|p| p.change.amount()).collect(),
        );
    }
    Ok(out)
}

/// One fiscal benefit stream per agency against the matched comparison:
/// `gross` is the fall in cost of the `n_p` matched programme members
/// costed, and the counterfactual their matched comparison's weighted mean
/// fall per person times `n_p`, so that `gross − counterfactual` is `n_p`
/// times the matched difference in differences of that agency's cost.
/// `changes` holds each agency's per-unit change ([`agency_changes`]) for the
/// units `treated` / `weights` describe.
///
/// # Errors
/// If either group has no unit (or no weight), or an amount is not finite.
pub fn matched_comparison_streams(
    changes: &BTreeMap<costs::Agency, Vec<f64>>,
    treated: &[bool],
    weights: &[f64],
    year: costs::PriceYear,
    attribution: Proportion,
    confidence: ConfidenceGrade,
) -> Result<(usize, Vec<BenefitStream>)> {
    let n_p = treated.iter().filter(|t| **t).count();
    let w_c: f64 = treated
        .iter()
        .zip(weights)
        .filter(|(t, _)| !**t)
        .map(|(_, w)| w)
        .sum();
    if n_p == 0 || w_c <= 0.0 {
        return Err(crate::error::Error::insufficient_data(
            "cost-benefit analysis against the matched comparison",
            format!(
                "{n_p} matched programme members and comparison weight {w_c} with whole-window \
                 costs; both are needed"
            ),
        ));
    }
    let mut streams = Vec::with_capacity(changes.len());
    for (agency, change) in changes {
        let (mut prog, mut comp) = (0.0, 0.0);
        for ((c, t), w) in change.iter().zip(treated).zip(weights) {
            if *t {
                prog += c;
            } else {
                comp += w * c;
            }
        }
        streams.push(BenefitStream {
            label: format!("reduced demand: {agency}"),
            agency: agency.clone(),
            value_type: ValueType::Fiscal,
            annual_gross: Gbp::new(-prog, year)?,
            counterfactual: Counterfactual::ComparisonGroup(Gbp::new(
                -comp / w_c * n_p as f64,
                year,
            )?),
            attribution,
            confidence,
        });
    }
    Ok((n_p, streams))
}
