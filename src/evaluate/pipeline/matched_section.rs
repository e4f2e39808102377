//! The matched-comparison section: counts, balance, overlap, effect and score model.

use super::*;
use crate::evaluate::spec::MatchOrderSpec;

pub(super) fn matched_section(
    cx: &Ctx<'_>,
    cmp: &crate::evaluate::spec::ComparisonSpec,
    cohort: &io::Cohort,
    outcome: &[Option<f64>],
    outcome_key: fn(Group) -> String,
) -> Result<MatchedSection> {
    let types = cmp.covariate_types()?;
    let names: Vec<String> = types.iter().map(|(n, _)| n.clone()).collect();
    for e in &cmp.exact {
        if !cohort
            .members()
            .iter()
            .any(|m| m.covariates.contains_key(e.trim()))
        {
            return Err(Error::invalid_parameter(
                "comparison.exact",
                e,
                "no cohort row has this column (is it a column of the cohort file?)",
            ));
        }
    }
    let exact_names: Vec<String> = cmp.exact.iter().map(|e| e.trim().to_string()).collect();
    for c in &names {
        if !cohort
            .members()
            .iter()
            .any(|m| m.covariates.contains_key(c))
        {
            return Err(Error::invalid_parameter(
                "comparison.covariates",
                c,
                "no cohort row has this covariate (is it a column of the cohort file?)",
            ));
        }
    }
    // Numeric or categorical: as declared; undeclared, numeric when every
    // value is a number, categorical when none is, and an error (naming no
    // value) when the column holds both.
    let mut numeric: Vec<bool> = Vec::with_capacity(types.len());
    for (c, kind) in &types {
        let values: Vec<&CohortCovariate> = cohort
            .members()
            .iter()
            .filter_map(|m| m.covariates.get(c))
            .collect();
        let is_number = |v: &&CohortCovariate| match v {
            CohortCovariate::Number(_) => true,
            CohortCovariate::Category(s) => CohortCovariate::number(s).is_some(),
        };
        numeric.push(match kind {
            CovariateKind::Numeric => true,
            CovariateKind::Categorical => false,
            CovariateKind::Auto => {
                let numbers = values.iter().filter(|v| is_number(v)).count();
                if numbers == values.len() {
                    true
                } else if numbers == 0 {
                    false
                } else {
                    return Err(Error::invalid_parameter(
                        "comparison.covariates",
                        c,
                        format!(
                            "the column holds numbers and also {} values that are not numbers; \
                             declare `{c}:numeric` (rows with other values are then rejected) \
                             or `{c}:categorical`",
                            values.len() - numbers
                        ),
                    ));
                }
            }
        });
    }
    // Units: programme or comparison, every covariate present, outcome known.
    // The outcome column is aligned with the cohort's members (frame rows).
    if outcome.len() != cohort.len() {
        return Err(Error::invalid_parameter(
            "outcome",
            format!("{} values", outcome.len()),
            format!("one per cohort member ({})", cohort.len()),
        ));
    }
    let kept: Vec<(usize, &crate::cohort::CohortMember, f64)> = cohort
        .members()
        .iter()
        .zip(outcome)
        .enumerate()
        .filter(|(_, (m, _))| GROUPS.contains(&m.group))
        .filter(|(_, (m, _))| {
            names
                .iter()
                .chain(&exact_names)
                .all(|c| m.covariates.contains_key(c))
        })
        .filter_map(|(i, (m, y))| y.map(|y| (i, m, y)))
        .collect();
    // Each unit's cohort position (frame row), for the matched sets handed on.
    let unit_rows: Vec<usize> = kept.iter().map(|k| k.0).collect();
    let units: Vec<&crate::cohort::CohortMember> = kept.iter().map(|k| k.1).collect();
    let unit_outcome: Vec<f64> = kept.iter().map(|k| k.2).collect();
    let treated: Vec<bool> = units.iter().map(|m| m.group == Group::Programme).collect();
    // A level of a categorical covariate is named in the balance table (and
    // in any model message): one held by 1 to k people is refused, without
    // naming it, so that no small group (or an identifier put in a column)
    // is ever published.
    let k = cx.policy.suppress_max();
    for (c, _) in names.iter().zip(&numeric).filter(|(_, n)| !**n) {
        let mut held: BTreeMap<String, u64> = BTreeMap::new();
        for m in &units {
            if let Some(v) = m.covariates.get(c) {
                *held.entry(text_of_covariate(v)).or_insert(0) += 1;
            }
        }
        let small = held.values().filter(|&&n| (1..=k).contains(&n)).count();
        if small > 0 {
            return Err(Error::invalid_parameter(
                "comparison.covariates",
                c,
                format!(
                    "{small} of its {} levels are held by fewer than {} of the people matched \
                     (the disclosure threshold), and a level is named in the balance table; \
                     group the rare levels into wider ones in the cohort file, or leave the \
                     covariate out (the levels are not listed here)",
                    held.len(),
                    k + 1
                ),
            ));
        }
    }
    // The population each group's matching count describes: the people with
    // an outcome (shown in earlier tables) when none lacked a covariate,
    // else a subset of them.
    let all_key = |g: Group| -> (String, bool) {
        let with_outcome = cohort
            .members()
            .iter()
            .zip(outcome)
            .filter(|(m, y)| m.group == g && y.is_some())
            .count();
        let in_units = units.iter().filter(|m| m.group == g).count();
        if in_units == with_outcome {
            (outcome_key(g), false)
        } else {
            (link::matching_all(g), true)
        }
    };
    let text_of = text_of_covariate;
    // The typed inputs, straight from the cohort: one score fit and one
    // matching serve every table of the section.
    let mut covs: Vec<Covariate> = Vec::with_capacity(names.len());
    let mut used: Vec<CovariateUsed> = Vec::with_capacity(names.len());
    for (c, n) in names.iter().zip(&numeric) {
        if *n {
            let v = units
                .iter()
                .map(|m| match m.covariates.get(c) {
                    Some(CohortCovariate::Number(x)) => Ok(*x),
                    _ => Err(Error::invalid_parameter(
                        "comparison.covariates",
                        c,
                        "a matched-comparison unit's value of this numeric covariate is not a \
                         number",
                    )),
                })
                .collect::<Result<Vec<f64>>>()?;
            covs.push(Covariate::numeric(c, v));
            used.push(CovariateUsed {
                column: c.clone(),
                kind: "numeric".into(),
                levels: None,
            });
        } else {
            let v: Vec<String> = units
                .iter()
                .map(|m| m.covariates.get(c).map(text_of).unwrap_or_default())
                .collect();
            let levels: std::collections::BTreeSet<String> = v.iter().cloned().collect();
            covs.push(Covariate::categorical(c, v));
            used.push(CovariateUsed {
                column: c.clone(),
                kind: "categorical".into(),
                levels: Some(levels.into_iter().collect()),
            });
        }
    }
    let caliper = cmp
        .caliper_sd
        .map(Caliper::standard_deviations)
        .transpose()
        .map_err(|e| {
            Error::invalid_parameter(
                "comparison.caliper_sd",
                format!("{:?}", cmp.caliper_sd),
                e.to_string(),
            )
        })?;
    let ratio = Ratio::new(cmp.ratio)?;
    let replacement = if cmp.replace {
        Replacement::With
    } else {
        Replacement::Without
    };
    let mspec = MatchedComparisonSpec {
        treatment: "programme".into(),
        covariates: names
            .iter()
            .zip(&numeric)
            .map(|(c, n)| CovariateSpec {
                column: c.clone(),
                kind: if *n {
                    CovariateKind::Numeric
                } else {
                    CovariateKind::Categorical
                },
            })
            .collect(),
        outcome: cmp.outcome.clone(),
        ratio,
        caliper,
        replacement,
        exact: exact_names.clone(),
        order: match cmp.order {
            MatchOrderSpec::Largest => MatchOrder::Largest,
            MatchOrderSpec::Smallest => MatchOrder::Smallest,
            MatchOrderSpec::Data => MatchOrder::Data,
            MatchOrderSpec::Random => MatchOrder::Random { seed: cx.spec.seed },
        },
        rule: cmp.tie_rule.rule(),
        level: cx.level,
    };
    // Exact-matching columns, compared as text (a level is never published).
    let exact: Vec<Covariate> = exact_names
        .iter()
        .map(|e| {
            Covariate::categorical(
                e,
                units
                    .iter()
                    .map(|m| m.covariates.get(e).map(text_of).unwrap_or_default())
                    .collect(),
            )
        })
        .collect();
    let run = matched_comparison(
        MatchedInputs {
            source: "matched-comparison units".into(),
            rows: RowAccounting {
                read: units.len(),
                used: units.len(),
                rejected: 0,
                rejected_rows: Vec::new(),
            },
            treated: treated.clone(),
            outcome: unit_outcome.clone(),
            covariates: covs.clone(),
            covariates_used: used,
            exact,
            row_of: (0..units.len()).collect(),
        },
        &mspec,
    )?;
    let (rep, score, matching) = (run.report, run.score, run.matching);

    let outcome_label = if cmp.outcome == "total_cost" {
        "total cost in the after window".to_string()
    } else {
        format!(
            "{} per quarter in the after window",
            cx.cats
                .get(&cmp.outcome)
                .map_or(cmp.outcome.as_str(), |c| c.label())
        )
    };
    let mut items = vec![Item::Text(format!(
        "Propensity score: logistic regression of programme membership on {}; {}:1 nearest \
         neighbour matching {} replacement{}{}, {} first; {} (MatchIt conventions). \
         Outcome: {outcome_label}. Effect on the treated with cluster-robust standard errors \
         by matched set.",
        names.join(", "),
        cmp.ratio,
        if cmp.replace { "with" } else { "without" },
        cmp.caliper_sd
            .map_or(String::new(), |c| format!(", caliper {c} SD of the score")),
        if exact_names.is_empty() {
            String::new()
        } else {
            format!(", exactly on {}", exact_names.join(", "))
        },
        match cmp.order {
            MatchOrderSpec::Largest => "largest score".to_string(),
            MatchOrderSpec::Smallest => "smallest score".to_string(),
            MatchOrderSpec::Data => "cohort-file order".to_string(),
            MatchOrderSpec::Random => format!("random order (seed {})", cx.spec.seed),
        },
        rep.settings.rule
    ))];

    let mut counts_t = Table::new(
        "Matched comparison: people matched",
        vec![
            Column::label("Group"),
            count("People"),
            count("Matched"),
            count("Unmatched"),
            count("Discarded"),
        ],
    )?;
    counts_t.declare_column_total("People", &["Matched", "Unmatched", "Discarded"])?;
    for (label, g, counts) in [
        ("Programme", Group::Programme, &rep.counts.treated),
        ("Comparison", Group::Comparison, &rep.counts.control),
    ] {
        let r = counts_t.push_row(vec![
            Cell::text(label),
            cnt(counts.all),
            cnt(counts.matched),
            cnt(counts.unmatched),
            cnt(counts.discarded),
        ])?;
        let (key, subset) = all_key(g);
        counts_t.link_count(r, "People", &key)?;
        counts_t.link_count(r, "Matched", link::matched(g))?;
        if subset {
            // Matched on a subset of the people with an outcome.
            counts_t.relate(
                vec![
                    (1, RelationTerm::Cell(r, "People")),
                    (-1, RelationTerm::Population(&outcome_key(g))),
                ],
                RelationKind::AtMost,
            )?;
        }
    }
    // What the design tells a reader: each matched programme member has
    // between 1 and `ratio` controls; without replacement, 1:1 matching
    // matches as many controls as programme members.
    let (mp, mc) = (
        link::matched(Group::Programme),
        link::matched(Group::Comparison),
    );
    let ratio_k = i64::from(u32::try_from(cmp.ratio).unwrap_or(u32::MAX));
    counts_t.relate(
        vec![
            (1, RelationTerm::Population(&mc)),
            (-ratio_k, RelationTerm::Population(&mp)),
        ],
        RelationKind::AtMost,
    )?;
    if !cmp.replace {
        counts_t.relate(
            vec![
                (1, RelationTerm::Population(&mp)),
                (-1, RelationTerm::Population(&mc)),
            ],
            RelationKind::AtMost,
        )?;
    }
    items.push(cx.clear("matched_counts", counts_t)?);

    let n_all = rep.counts.treated.all + rep.counts.control.all;
    let n_matched = rep.counts.matched_units;
    let mut bal = Table::new(
        "Covariate balance before and after matching (SMD: difference in means over the \
         programme group's SD, MatchIt's convention for the ATT, not cobalt's pooled SD; \
         eCDF max: largest difference of the empirical CDFs)",
        vec![
            Column::label("Variable"),
            stat_per_cell("SMD before", 3),
            stat_per_cell("SMD after", 3),
            stat_per_cell("Variance ratio before", 3),
            stat_per_cell("Variance ratio after", 3),
            stat_per_cell("eCDF max before", 3),
            stat_per_cell("eCDF max after", 3),
        ],
    )?;
    for b in &rep.balance.before {
        let a = rep.balance.after.iter().find(|a| a.variable == b.variable);
        bal.push_row(vec![
            Cell::text(&b.variable),
            stat(b.smd_treated_sd, n_all),
            stat(a.and_then(|a| a.smd_treated_sd), n_matched),
            stat(b.variance_ratio, n_all),
            stat(a.and_then(|a| a.variance_ratio), n_matched),
            stat(b.ecdf_max, n_all),
            stat(a.and_then(|a| a.ecdf_max), n_matched),
        ])?;
    }
    let bal = cx.cleared("balance", bal)?;
    if let Some(c) = charts::balance(&bal.table)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(bal));

    // Overlap: counts of units by score bin, before and after matching.
    let k = cmp.overlap_bins;
    let bin = |s: f64| ((s * k as f64).floor() as usize).min(k - 1);
    let mut ov = vec![[0usize; 4]; k];
    for (i, s) in score.iter().enumerate() {
        let b = bin(*s);
        let matched = matching.weights.get(i).is_some_and(|w| *w > 0.0);
        let col = if treated[i] { 0 } else { 1 };
        ov[b][col] += 1;
        if matched {
            ov[b][col + 2] += 1;
        }
    }
    let mut ov_t = Table::new(
        "Propensity scores by bin, before and after matching",
        vec![
            Column::label("Score bin"),
            count("Programme, all"),
            count("Comparison, all"),
            count("Programme, matched"),
            count("Comparison, matched"),
        ],
    )?;
    let mut total = [0usize; 4];
    for (b, row) in ov.iter().enumerate() {
        ov_t.push_row(vec![
            Cell::text(format!(
                "{:.2}-{:.2}",
                b as f64 / k as f64,
                (b + 1) as f64 / k as f64
            )),
            cnt(row[0]),
            cnt(row[1]),
            cnt(row[2]),
            cnt(row[3]),
        ])?;
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
    }
    // The group totals are published elsewhere: declare them here so that
    // secondary suppression protects the bins against subtraction.
    let tr = ov_t.push_row(vec![
        Cell::text("Total"),
        cnt(total[0]),
        cnt(total[1]),
        cnt(total[2]),
        cnt(total[3]),
    ])?;
    ov_t.declare_row_total(tr, &(0..k).collect::<Vec<_>>())?;
    // The totals are the matching table's populations, and in every bin the
    // matched are some of all.
    for (g, all, matched) in [
        (Group::Programme, "Programme, all", "Programme, matched"),
        (Group::Comparison, "Comparison, all", "Comparison, matched"),
    ] {
        ov_t.link_count(tr, all, all_key(g).0)?;
        ov_t.link_count(tr, matched, link::matched(g))?;
        for b in 0..=k {
            ov_t.declare_at_most((b, matched), (b, all))?;
        }
    }
    let ov_t = cx.cleared("propensity_overlap", ov_t)?;
    if let Some(c) = charts::overlap(&ov_t.table, k)? {
        items.push(Item::Chart(c));
    }
    items.push(Item::Table(ov_t));

    let mut eff = Table::new(
        format!("Effect on the treated: {outcome_label}"),
        vec![
            Column::label("Estimate"),
            count("People"),
            stat_of("Effect", "People", 3),
            stat_of("Standard error", "People", 3),
            stat_of("CI lower", "People", 3),
            stat_of("CI upper", "People", 3),
            stat_of("p", "People", 4),
        ],
    )?;
    for (label, e) in
        std::iter::once(("Difference in means", Some(&rep.effect.difference_in_means))).chain(
            std::iter::once((
                "Regression-adjusted",
                rep.effect.regression_adjusted.as_ref(),
            )),
        )
    {
        let Some(e) = e else { continue };
        let n = e.n;
        let r = eff.push_row(vec![
            Cell::text(label),
            cnt(n),
            val(Some(e.estimate), n),
            val(Some(e.std_error), n),
            val(Some(e.ci.lower), n),
            val(Some(e.ci.upper), n),
            val(e.p_value, n),
        ])?;
        if n == rep.counts.treated.matched + rep.counts.control.matched {
            // The people analysed are the matched of both groups.
            eff.relate(
                vec![
                    (1, RelationTerm::Cell(r, "People")),
                    (-1, RelationTerm::Population(&mp)),
                    (-1, RelationTerm::Population(&mc)),
                ],
                RelationKind::Equal,
            )?;
        }
    }
    items.push(cx.clear("matched_effect", eff)?);
    let (est_t, bal_t) = estimators_table(
        cx,
        &cmp.estimators,
        &covs,
        &treated,
        &unit_outcome,
        &score,
        &rep,
        &outcome_label,
    )?;
    items.push(cx.clear("matched_estimators", est_t)?);
    items.push(cx.clear("weighted_balance", bal_t)?);
    items.push(cx.clear(
        "matched_sensitivity",
        sensitivity_table(&rep, &unit_outcome, cmp, &outcome_label)?,
    )?);

    let mut coef = Table::new(
        "Propensity-score model (logistic regression)",
        vec![
            Column::label("Term"),
            stat_per_cell("Estimate", 4),
            stat_per_cell("Standard error", 4),
            stat_per_cell("z", 3),
            stat_per_cell("p", 4),
        ],
    )?;
    for c in &rep.score_model.coefficients {
        coef.push_row(vec![
            Cell::text(&c.term),
            stat(Some(c.estimate), n_all),
            stat(Some(c.std_error), n_all),
            stat(Some(c.z), n_all),
            stat(Some(c.p_value), n_all),
        ])?;
    }
    items.push(cx.clear("propensity_model", coef)?);
    // The matched sets, by cohort position: (member, set) for every matched
    // unit when each belongs to one set (matching without replacement).
    let mut sets = Vec::new();
    for s in &rep.matched_sets {
        let Some(set) = s.subclass else { continue };
        for row in std::iter::once(s.treated_row).chain(s.control_rows.iter().copied()) {
            if let Some(&r) = row.checked_sub(1).and_then(|i| unit_rows.get(i)) {
                sets.push((r, set));
            }
        }
    }
    // Every matched unit, by cohort position, for the headline effects.
    let matched_units = (0..units.len())
        .filter(|&i| matching.weights.get(i).is_some_and(|w| *w > 0.0))
        .map(|i| MatchedUnit {
            row: unit_rows[i],
            treated: treated[i],
            weight: matching.weights[i],
            // Without replacement, the matched set; with replacement (no
            // sets), each unit is its own cluster (HC1).
            cluster: matching
                .subclass
                .as_ref()
                .and_then(|s| s.get(i).copied().flatten())
                .map_or(MatchCluster::Unit(i), MatchCluster::Set),
        })
        .collect();
    Ok(MatchedSection {
        section: Section {
            title: "Matched comparison".into(),
            items,
        },
        sample: MatchedSample {
            sets,
            units: matched_units,
        },
    })
}

/// The matched-comparison section and its matched sample.
pub(super) struct MatchedSection {
    pub(super) section: Section,
    pub(super) sample: MatchedSample,
}

/// The matched sample, by cohort position, for the sections that reuse it
/// (the headline, the cost-benefit analysis, difference in differences, time
/// to event).
#[derive(Debug, Clone, Default)]
pub(super) struct MatchedSample {
    /// `(member, set)` for every matched unit (matching without replacement).
    pub(super) sets: Vec<(usize, usize)>,
    /// Every matched unit: its cohort position, group, weight and cluster.
    pub(super) units: Vec<MatchedUnit>,
}

/// A covariate value as text (a level, or a number written as read back).
fn text_of_covariate(v: &CohortCovariate) -> String {
    match v {
        CohortCovariate::Number(x) => format!("{x}"),
        CohortCovariate::Category(s) => s.clone(),
    }
}

/// How strong an unmeasured confounder would have to be to explain the
/// difference in means away: its E-value (as a standardised mean difference,
/// EValue's `evalues.MD`) and, for 1:1 pairs, Rosenbaum bounds on the
/// signed-rank test of the pairs' differences (rbounds' `psens`), in the
/// direction of the effect.
fn sensitivity_table(
    rep: &crate::compare::report::MatchedComparisonReport,
    y: &[f64],
    cmp: &crate::evaluate::spec::ComparisonSpec,
    outcome_label: &str,
) -> Result<Table> {
    let mut t = Table::new(
        format!("Sensitivity of the effect on {outcome_label} to an unmeasured confounder"),
        vec![Column::label("Measure"), stat_per_cell("Value", 3)],
    )?;
    let e = &rep.effect.difference_in_means;
    let n = e.n;
    let at = |row: usize| row.checked_sub(1).and_then(|i| y.get(i)).copied();
    let mut matched: Vec<f64> = Vec::new();
    let (mut yt, mut yc) = (Vec::new(), Vec::new());
    for s in &rep.matched_sets {
        if s.control_rows.is_empty() || s.treated_weight <= 0.0 {
            continue;
        }
        if let Some(v) = at(s.treated_row) {
            matched.push(v);
            if let (1, Some(w)) = (s.control_rows.len(), at(s.control_rows[0])) {
                yt.push(v);
                yc.push(w);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for s in &rep.matched_sets {
        for c in &s.control_rows {
            if seen.insert(*c) {
                if let Some(v) = at(*c) {
                    matched.push(v);
                }
            }
        }
    }
    let sd = stats::describe(&matched)
        .ok()
        .and_then(|d| d.sd)
        .filter(|s| *s > 0.0);
    let d = sd.map(|s| e.estimate / s);
    let ev = sd.and_then(|s| stats::e_value_smd(e.estimate / s, Some(e.std_error / s)).ok());
    let rows: Vec<(String, Option<f64>)> = vec![
        (
            "Standardised effect d (difference in means / SD of the outcome among the matched)"
                .into(),
            d,
        ),
        (
            "E-value of the effect (risk ratio exp(0.91 d))".into(),
            ev.as_ref().map(|v| v.point),
        ),
        (
            "E-value of the confidence limit nearer no effect".into(),
            ev.as_ref().and_then(|v| v.confidence_limit),
        ),
    ];
    for (label, v) in rows {
        t.push_row(vec![Cell::text(label), stat(v, n)])?;
    }
    if cmp.ratio == 1 && !cmp.replace && !yt.is_empty() {
        // One-sided, in the direction of the effect.
        let (a, b) = if e.estimate >= 0.0 {
            (&yt, &yc)
        } else {
            (&yc, &yt)
        };
        let gammas = stats::Gamma::grid(3.0, 0.5)?;
        let r = stats::rosenbaum_wilcoxon(
            a,
            b,
            &gammas,
            stats::OneSidedAlpha::new(0.05)?,
            stats::ContinuityCorrection::None,
        )
        .ok();
        let pairs = yt.len();
        if let Some(r) = &r {
            for bound in &r.bounds {
                t.push_row(vec![
                    Cell::text(format!(
                        "Rosenbaum bound: largest one-sided p (signed rank) at Γ = {}",
                        bound.gamma
                    )),
                    stat(Some(bound.p_upper), pairs),
                ])?;
            }
        }
        t.push_row(vec![
            Cell::text("Γ at which the largest one-sided p reaches 0.05"),
            stat(r.as_ref().and_then(|r| r.gamma_critical), pairs),
        ])?;
    }
    Ok(t)
}

/// The effect on the treated by four estimators side by side: the matching
/// above, inverse probability weighting, entropy balancing and augmented IPW
/// (doubly robust), each on every unit the score was fitted to.
#[allow(clippy::too_many_arguments)]
fn estimators_table(
    cx: &Ctx<'_>,
    asked: &[crate::evaluate::spec::Estimator],
    covs: &[Covariate],
    treated: &[bool],
    y: &[f64],
    score: &[f64],
    rep: &crate::compare::report::MatchedComparisonReport,
    outcome_label: &str,
) -> Result<(Table, Table)> {
    use crate::compare::{
        aipw, entropy_balance, propensity_weights, weighted_balance, weighted_effect,
        EntropyControl, Estimand, Moments, SmdDenominator, Stabilisation, Trimming,
    };
    use crate::stats::ols::{Term, Variance, Weights};
    let mut t = Table::new(
        format!("Effect on the treated by estimator: {outcome_label}"),
        vec![
            Column::label("Estimator"),
            stat_per_cell("Effect", 3),
            stat_per_cell("Standard error", 3),
            stat_per_cell("CI lower", 3),
            stat_per_cell("CI upper", 3),
            stat_per_cell("p", 4),
            stat_per_cell("Effective sample, programme", 1),
            stat_per_cell("Effective sample, comparison", 1),
        ],
    )?;
    let n = y.len();
    let design = crate::compare::DesignMatrix::new(covs)?;
    let columns: Vec<(String, Vec<f64>)> = design
        .terms()
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(j, c)| design.column(j).map(|v| (c.name.clone(), v.to_vec())))
        .collect();
    let terms: Vec<Term<'_>> = columns.iter().map(|(n, v)| Term::new(n, v)).collect();
    type Row = [Option<f64>; 7];
    let weighted = |w: &[f64], ess: (f64, f64)| -> Row {
        let fit = Weights::new(w.to_vec())
            .and_then(|w| weighted_effect(y, treated, &[], &w, &Variance::Hc1, cx.level));
        match fit {
            Ok(c) => [
                Some(c.estimate),
                Some(c.std_error),
                Some(c.ci.lower),
                Some(c.ci.upper),
                c.p_value,
                Some(ess.0),
                Some(ess.1),
            ],
            Err(_) => [None; 7],
        }
    };
    let e = &rep.effect.difference_in_means;
    let matched_ess = {
        let (mut wt, mut tr) = (vec![0.0; n], vec![false; n]);
        for s in &rep.matched_sets {
            if let Some(i) = s.treated_row.checked_sub(1).filter(|i| *i < n) {
                wt[i] = s.treated_weight;
                tr[i] = true;
                for (c, w) in s.control_rows.iter().zip(&s.control_weights) {
                    if let Some(j) = c.checked_sub(1).filter(|j| *j < n) {
                        wt[j] = *w;
                    }
                }
            }
        }
        crate::compare::effective_sample_size(&wt, &tr).ok()
    };
    use crate::evaluate::spec::Estimator as E;
    let mut rows: Vec<(E, &str, Row)> = vec![(
        E::Matching,
        "Nearest-neighbour matching (difference in means; CR1 by matched set)",
        [
            Some(e.estimate),
            Some(e.std_error),
            Some(e.ci.lower),
            Some(e.ci.upper),
            e.p_value,
            matched_ess.as_ref().map(|x| x.treated),
            matched_ess.as_ref().map(|x| x.control),
        ],
    )];
    let ipw = propensity_weights(
        score,
        treated,
        Estimand::Att,
        Stabilisation::Unstabilised,
        Trimming::None,
    );
    rows.push((
        E::Ipw,
        "Inverse probability weighting (ATT weights e / (1 − e); HC1)",
        match &ipw {
            Ok(w) => weighted(&w.weights, (w.ess.treated, w.ess.control)),
            Err(_) => [None; 7],
        },
    ));
    // Balanced to 1e-13 (largest standardised imbalance): the reported SMDs
    // under these weights are zero to the printed digit and beyond.
    let eb = entropy_balance(
        covs,
        treated,
        Moments::Means,
        EntropyControl::new(1e-13, 200)?,
    );
    rows.push((
        E::EntropyBalancing,
        "Entropy balancing (covariate means; HC1)",
        match &eb {
            Ok(b) if b.converged => weighted(&b.weights, (b.ess.treated, b.ess.control)),
            _ => [None; 7],
        },
    ));
    let dr = aipw(y, treated, score, &terms, Estimand::Att, cx.level);
    rows.push((
        E::DoublyRobust,
        "Doubly robust (augmented IPW, ATT; influence-function SE)",
        match &dr {
            Ok(a) => {
                let z = a
                    .estimate
                    .std_error
                    .filter(|s| *s > 0.0)
                    .map(|s| a.estimate.value / s);
                [
                    Some(a.estimate.value),
                    a.estimate.std_error,
                    Some(a.estimate.ci.lower),
                    Some(a.estimate.ci.upper),
                    z.map(|z| 2.0 * stats::normal_sf(z.abs())),
                    ipw.as_ref().ok().map(|w| w.ess.treated),
                    ipw.as_ref().ok().map(|w| w.ess.control),
                ]
            }
            Err(_) => [None; 7],
        },
    ));
    for (_, label, r) in rows.into_iter().filter(|(e, _, _)| asked.contains(e)) {
        let mut cells = vec![Cell::text(label)];
        cells.extend(r.iter().map(|v| stat(*v, n)));
        t.push_row(cells)?;
    }

    // Balance under each weighting, in the matching table's SMD convention
    // (over the programme group's unweighted SD).
    let mut bt = Table::new(
        "Covariate balance under the weights (SMD: difference in weighted means over the \
         programme group's unweighted SD, MatchIt's convention for the ATT, not cobalt's \
         pooled SD)",
        vec![
            Column::label("Variable"),
            stat_per_cell("SMD unweighted", 3),
            stat_per_cell("SMD, inverse probability weights", 3),
            stat_per_cell("SMD, entropy balancing", 3),
        ],
    )?;
    let balance = |w: Option<&[f64]>| {
        w.and_then(|w| weighted_balance(covs, treated, w, SmdDenominator::TreatedSd).ok())
    };
    let unit = vec![1.0; n];
    let tables = [
        balance(Some(&unit)),
        balance(ipw.as_ref().ok().map(|w| w.weights.as_slice())),
        balance(
            eb.as_ref()
                .ok()
                .filter(|b| b.converged)
                .map(|b| b.weights.as_slice()),
        ),
    ];
    if let Some(first) = &tables[0] {
        for row in &first.rows {
            let mut cells = vec![Cell::text(&row.name)];
            for tb in &tables {
                cells.push(stat(
                    tb.as_ref()
                        .and_then(|x| x.row(&row.name))
                        .and_then(|r| r.smd),
                    n,
                ));
            }
            bt.push_row(cells)?;
        }
    }
    Ok((t, bt))
}

/// One unit of the matched sample (`match.data()`): its cohort position,
/// group, matching weight and cluster for the effect's standard error.
#[derive(Debug, Clone, Copy)]
pub(super) struct MatchedUnit {
    /// Position in the cohort (the per-person frame's row).
    pub(super) row: usize,
    /// In the programme group.
    pub(super) treated: bool,
    /// MatchIt's ATT weight (positive).
    pub(super) weight: f64,
    /// The cluster of the CR1 standard error.
    pub(super) cluster: MatchCluster,
}

/// The cluster of a matched unit: its matched set, or (matching with
/// replacement, where units serve several sets) the unit itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum MatchCluster {
    /// The matched set (MatchIt's `subclass`).
    Set(usize),
    /// The unit alone (position among the matching's units).
    Unit(usize),
}
