//! Effect estimates from comparison designs: the matched-sample effect
//! (MatchIt vignette style), the 2×2 difference-in-differences (cell means
//! and regression form), an event study with relative-time dummies and a
//! pre-trend test, and Callaway & Sant'Anna (2021) group-time ATTs for
//! staggered adoption.
//!
//! All regressions go through [`crate::stats::ols`], so the variances are
//! those of R's `sandwich` (HC1, and CR1 = `vcovCL` defaults) and the
//! p-values those of `lmtest::coeftest` (t with `n − k` df). Each function
//! says which reference it reproduces; METHODS.md gives the formulas.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

use serde::Serialize;

use crate::error::{Error, Location, Result};
use crate::stats::ols::{
    fit_ols, fit_ols_absorbing, Clusters, Coefficient, Intercept, Term, Variance, WaldTest, Weights,
};
use crate::stats::{ConfidenceLevel, Interval};

/// Name of the treatment term in the regressions of this module.
pub const TREAT_TERM: &str = "treat";
/// Name of the post-period term in the 2×2 DiD regression.
pub const POST_TERM: &str = "post";
/// Name of the interaction (the DiD) in the 2×2 DiD regression.
pub const INTERACTION_TERM: &str = "treat:post";

/// One effect estimate from a regression coefficient, with its inference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectEstimate {
    /// The point estimate.
    pub estimate: f64,
    /// Standard error under `estimator`.
    pub std_error: f64,
    /// t statistic; `None` when the standard error is 0.
    pub t_value: Option<f64>,
    /// Two-sided p-value, t distribution with `df` degrees of freedom.
    pub p_value: Option<f64>,
    /// Confidence interval `estimate ± t_{1−α/2, df}·SE`.
    pub ci: Interval,
    /// Confidence level of `ci`.
    pub level: f64,
    /// Degrees of freedom of the t reference: `n − k` (as `lmtest::coeftest`).
    pub df: f64,
    /// Variance estimator ("classical", "HC1", "CR1").
    pub estimator: &'static str,
    /// Observations used.
    pub n: usize,
    /// Clusters, for cluster-robust estimators.
    pub clusters: Option<usize>,
}

impl EffectEstimate {
    fn from_coefficient(
        c: &Coefficient,
        level: f64,
        df: f64,
        estimator: &'static str,
        n: usize,
        clusters: Option<usize>,
    ) -> Self {
        EffectEstimate {
            estimate: c.estimate,
            std_error: c.std_error,
            t_value: c.t_value,
            p_value: c.p_value,
            ci: c.ci,
            level,
            df,
            estimator,
            n,
            clusters,
        }
    }
}

fn indicator(values: &[bool]) -> Vec<f64> {
    values.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect()
}

fn check_len(name: &str, len: usize, n: usize) -> Result<()> {
    if len != n {
        return Err(Error::invalid_parameter(
            name,
            len,
            format!("must have one value per observation ({n})"),
        ));
    }
    Ok(())
}

fn coefficient_effect(
    fit: &crate::stats::ols::OlsFit,
    term: &str,
    variance: &Variance,
    level: ConfidenceLevel,
) -> Result<EffectEstimate> {
    let tab = fit.table(variance, level)?;
    let c = tab.get(term).ok_or_else(|| {
        Error::numerical(
            "effect estimate",
            format!("term `{term}` missing from the fit"),
        )
    })?;
    Ok(EffectEstimate::from_coefficient(
        c,
        tab.level,
        tab.df,
        tab.estimator,
        fit.n(),
        tab.clusters,
    ))
}

// ---------------------------------------------------------------------------
// Matched-sample effect
// ---------------------------------------------------------------------------

/// A matched sample, as returned by MatchIt's `match.data()`: one row per
/// matched unit, with its matching weight and subclass (pair) id.
#[derive(Debug, Clone, Copy)]
pub struct MatchedSample<'a> {
    /// Outcome of each unit.
    pub outcome: &'a [f64],
    /// Whether each unit is treated.
    pub treated: &'a [bool],
    /// Covariates for the regression-adjusted estimate (may be empty).
    pub covariates: &'a [Term<'a>],
    /// Matching weights (`weights` column of `match.data`).
    pub weights: &'a Weights,
    /// Subclass (pair) of each unit, for cluster-robust SEs.
    pub subclass: &'a Clusters,
}

/// The effect of treatment on the treated in a matched sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedEffect {
    /// Weighted difference in means, `lm(y ~ treat, weights)`, SE CR1 by
    /// subclass.
    pub difference_in_means: EffectEstimate,
    /// Coefficient on treat in `lm(y ~ treat + covariates, weights)`, SE CR1
    /// by subclass; `None` when no covariates were given.
    pub regression_adjusted: Option<EffectEstimate>,
}

/// The ATT in a matched sample, as in the MatchIt vignette ("Estimating
/// effects after matching"): `lm(y ~ treat [+ covariates], data = md,
/// weights = weights)` with `lmtest::coeftest(fit, vcov. = vcovCL, cluster =
/// ~subclass)`.
///
/// # Errors
/// If lengths differ, a value is not finite, either group is empty (after
/// dropping zero weights), the design is singular (naming the term), or
/// fewer than 2 subclasses are present.
pub fn matched_effect(sample: &MatchedSample<'_>, level: ConfidenceLevel) -> Result<MatchedEffect> {
    let n = sample.outcome.len();
    check_len("treated", sample.treated.len(), n)?;
    check_len("weights", sample.weights.values().len(), n)?;
    check_len("subclass", sample.subclass.len(), n)?;
    let w = sample.weights.values();
    let n_t = (0..n).filter(|&i| sample.treated[i] && w[i] > 0.0).count();
    let n_c = (0..n).filter(|&i| !sample.treated[i] && w[i] > 0.0).count();
    if n_t == 0 || n_c == 0 {
        return Err(Error::insufficient_data(
            "matched-sample effect",
            format!("{n_t} treated and {n_c} control units with positive weight; need both"),
        ));
    }
    let t = indicator(sample.treated);
    let variance = Variance::Cluster(sample.subclass.clone());
    let fit = fit_ols(
        sample.outcome,
        &[Term::new(TREAT_TERM, &t)],
        Intercept::Included,
        Some(sample.weights),
    )?;
    let difference_in_means = coefficient_effect(&fit, TREAT_TERM, &variance, level)?;
    let regression_adjusted = if sample.covariates.is_empty() {
        None
    } else {
        let mut terms = vec![Term::new(TREAT_TERM, &t)];
        terms.extend_from_slice(sample.covariates);
        let fit = fit_ols(
            sample.outcome,
            &terms,
            Intercept::Included,
            Some(sample.weights),
        )?;
        Some(coefficient_effect(&fit, TREAT_TERM, &variance, level)?)
    };
    Ok(MatchedEffect {
        difference_in_means,
        regression_adjusted,
    })
}

// ---------------------------------------------------------------------------
// 2×2 difference in differences
// ---------------------------------------------------------------------------

/// The mean of one cell of a 2×2 design.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CellMean {
    /// Mean outcome.
    pub mean: f64,
    /// Number of observations.
    pub n: usize,
    /// Standard error of the mean, `sd/√n` (sd with `n − 1`); `None` when
    /// `n < 2`.
    pub std_error: Option<f64>,
}

fn cell(values: &[f64]) -> Option<CellMean> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let std_error = if n >= 2 {
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        Some((ss / (n as f64 - 1.0)).sqrt() / (n as f64).sqrt())
    } else {
        None
    };
    Some(CellMean { mean, n, std_error })
}

/// The 2×2 difference in differences from the four cell means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DidCells {
    /// Treated group, pre-period.
    pub treated_pre: CellMean,
    /// Treated group, post-period.
    pub treated_post: CellMean,
    /// Comparison group, pre-period.
    pub control_pre: CellMean,
    /// Comparison group, post-period.
    pub control_post: CellMean,
    /// `treated_post − treated_pre`.
    pub treated_change: f64,
    /// `control_post − control_pre`.
    pub control_change: f64,
    /// `treated_change − control_change`.
    pub did: f64,
}

fn check_finite(name: &str, values: &[f64]) -> Result<()> {
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::invalid_value(
                Location::source("difference in differences")
                    .row(i as u64 + 1)
                    .column(name),
                v.to_string(),
                "must be finite (drop missing values first)",
            ));
        }
    }
    Ok(())
}

/// The 2×2 DiD from cell means, using every observation in each cell
/// (unbalanced panels and repeated cross-sections alike): Card & Krueger
/// (1994) Table 3 rows 1–3.
///
/// # Errors
/// If lengths differ, an outcome is not finite, or a cell is empty.
pub fn did_cell_means(outcome: &[f64], treated: &[bool], post: &[bool]) -> Result<DidCells> {
    let n = outcome.len();
    check_len("treated", treated.len(), n)?;
    check_len("post", post.len(), n)?;
    check_finite("outcome", outcome)?;
    let pick = |t: bool, p: bool| -> Vec<f64> {
        (0..n)
            .filter(|&i| treated[i] == t && post[i] == p)
            .map(|i| outcome[i])
            .collect()
    };
    let get = |t: bool, p: bool, what: &str| {
        cell(&pick(t, p)).ok_or_else(|| {
            Error::insufficient_data(
                "difference in differences",
                format!("the {what} cell is empty"),
            )
        })
    };
    let treated_pre = get(true, false, "treated pre-period")?;
    let treated_post = get(true, true, "treated post-period")?;
    let control_pre = get(false, false, "comparison pre-period")?;
    let control_post = get(false, true, "comparison post-period")?;
    let treated_change = treated_post.mean - treated_pre.mean;
    let control_change = control_post.mean - control_pre.mean;
    Ok(DidCells {
        treated_pre,
        treated_post,
        control_pre,
        control_post,
        treated_change,
        control_change,
        did: treated_change - control_change,
    })
}

/// Mean within-unit change in each group of a balanced two-period panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeComparison {
    /// Mean (and SE = sd/√n) of `post − pre` among treated units.
    pub treated: CellMean,
    /// Mean (and SE) of `post − pre` among comparison units.
    pub control: CellMean,
    /// `treated.mean − control.mean`, the DiD on the balanced panel.
    pub did: f64,
    /// `√(SE_t² + SE_c²)`, the SE of the difference of independent means;
    /// `None` when either group has fewer than 2 units.
    pub std_error: Option<f64>,
}

/// DiD from within-unit changes on a balanced panel (one row per unit, with
/// its pre and post outcomes): Card & Krueger (1994) Table 3 rows 4–5.
///
/// # Errors
/// If lengths differ, a value is not finite, or a group is empty.
pub fn compare_changes(pre: &[f64], post: &[f64], treated: &[bool]) -> Result<ChangeComparison> {
    let n = pre.len();
    check_len("post", post.len(), n)?;
    check_len("treated", treated.len(), n)?;
    check_finite("pre", pre)?;
    check_finite("post", post)?;
    let ch = |t: bool| -> Vec<f64> {
        (0..n)
            .filter(|&i| treated[i] == t)
            .map(|i| post[i] - pre[i])
            .collect()
    };
    let tr = cell(&ch(true))
        .ok_or_else(|| Error::insufficient_data("change comparison", "no treated units"))?;
    let co = cell(&ch(false))
        .ok_or_else(|| Error::insufficient_data("change comparison", "no comparison units"))?;
    let std_error = match (tr.std_error, co.std_error) {
        (Some(a), Some(b)) => Some((a * a + b * b).sqrt()),
        _ => None,
    };
    Ok(ChangeComparison {
        did: tr.mean - co.mean,
        treated: tr,
        control: co,
        std_error,
    })
}

/// The regression form of the 2×2 DiD, `y ~ treat + post + treat:post`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DidRegression {
    /// Intercept: comparison-group pre-period mean.
    pub intercept: f64,
    /// Coefficient on `treat`: treated − comparison in the pre-period.
    pub treat: f64,
    /// Coefficient on `post`: change in the comparison group.
    pub post: f64,
    /// The DiD (`treat:post`) with classical (iid) SE.
    pub classical: EffectEstimate,
    /// The DiD with HC1 SE.
    pub hc1: EffectEstimate,
    /// The DiD with CR1 SE, when clusters were given.
    pub cluster: Option<EffectEstimate>,
}

/// Fit `y ~ treat * post` by OLS (R `lm(y ~ treat * post)`) and report the
/// interaction with classical, HC1 and (given clusters, e.g. unit ids)
/// CR1 standard errors.
///
/// # Errors
/// If lengths differ, a value is not finite, a cell is empty (the design is
/// then singular and the error names the aliased term), or clusters number
/// fewer than 2.
pub fn did_regression(
    outcome: &[f64],
    treated: &[bool],
    post: &[bool],
    clusters: Option<&Clusters>,
    level: ConfidenceLevel,
) -> Result<DidRegression> {
    did_regression_weighted(outcome, treated, post, None, clusters, level)
}

/// [`did_regression`] by weighted least squares (R `lm(y ~ treat * post,
/// weights = w)`), e.g. with MatchIt's matching weights on a matched
/// sample; `None` is [`did_regression`]. With classical, HC1 and (given
/// clusters) CR1 standard errors (`sandwich::vcovHC(type = "HC1")`,
/// `vcovCL(cluster = ~g)`, t with `n − 4` df as `lmtest::coeftest`). With
/// each observation's outcome a ratio `yᵢ = aᵢ/wᵢ` and `wᵢ` its denominator,
/// each cell's fitted mean is `Σa/Σw`, so the interaction is the DiD of the
/// four ratios of totals (the DfE's absence rates: sessions summed, divided
/// once). Observations of weight 0 are dropped, as by `lm`.
///
/// # Errors
/// As [`did_regression`]; a weight that is negative or not finite.
pub fn did_regression_weighted(
    outcome: &[f64],
    treated: &[bool],
    post: &[bool],
    weights: Option<&Weights>,
    clusters: Option<&Clusters>,
    level: ConfidenceLevel,
) -> Result<DidRegression> {
    let n = outcome.len();
    check_len("treated", treated.len(), n)?;
    check_len("post", post.len(), n)?;
    let t = indicator(treated);
    let p = indicator(post);
    let tp: Vec<f64> = t.iter().zip(&p).map(|(a, b)| a * b).collect();
    let fit = fit_ols(
        outcome,
        &[
            Term::new(TREAT_TERM, &t),
            Term::new(POST_TERM, &p),
            Term::new(INTERACTION_TERM, &tp),
        ],
        Intercept::Included,
        weights,
    )?;
    let coef = fit.coefficients();
    let classical = coefficient_effect(&fit, INTERACTION_TERM, &Variance::Classical, level)?;
    let hc1 = coefficient_effect(&fit, INTERACTION_TERM, &Variance::Hc1, level)?;
    let cluster = match clusters {
        Some(c) => Some(coefficient_effect(
            &fit,
            INTERACTION_TERM,
            &Variance::Cluster(c.clone()),
            level,
        )?),
        None => None,
    };
    Ok(DidRegression {
        intercept: coef.first().copied().unwrap_or(f64::NAN),
        treat: coef.get(1).copied().unwrap_or(f64::NAN),
        post: coef.get(2).copied().unwrap_or(f64::NAN),
        classical,
        hc1,
        cluster,
    })
}

// ---------------------------------------------------------------------------
// Event study
// ---------------------------------------------------------------------------

/// A panel with (possibly staggered) treatment timing: one row per unit and
/// period.
#[derive(Debug, Clone, Copy)]
pub struct Panel<'a, U> {
    /// Outcome.
    pub outcome: &'a [f64],
    /// Unit identifier of each row (never shown in errors).
    pub unit: &'a [U],
    /// Period of each row (e.g. year).
    pub time: &'a [i64],
    /// First treated period of the row's unit; `None` for never-treated
    /// units. Must be constant within a unit.
    pub first_treated: &'a [Option<i64>],
}

struct CodedPanel {
    unit: Vec<usize>,
    n_units: usize,
    /// First-treated period per unit code.
    cohort: Vec<Option<i64>>,
}

fn code_panel<U: Hash + Eq>(panel: &Panel<'_, U>) -> Result<CodedPanel> {
    let n = panel.outcome.len();
    check_len("unit", panel.unit.len(), n)?;
    check_len("time", panel.time.len(), n)?;
    check_len("first_treated", panel.first_treated.len(), n)?;
    check_finite("outcome", panel.outcome)?;
    if n == 0 {
        return Err(Error::insufficient_data("panel", "no observations"));
    }
    let cl = Clusters::new(panel.unit);
    let mut cohort: Vec<Option<Option<i64>>> = vec![None; cl.count()];
    for (i, &u) in cl.codes().iter().enumerate() {
        let g = panel.first_treated[i];
        match cohort[u] {
            None => cohort[u] = Some(g),
            Some(prev) if prev != g => {
                return Err(Error::invalid_value(
                    Location::source("panel")
                        .row(i as u64 + 1)
                        .column("first_treated"),
                    format!("{g:?}"),
                    "first treated period must be the same in every row of a unit",
                ))
            }
            Some(_) => {}
        }
    }
    Ok(CodedPanel {
        unit: cl.codes().to_vec(),
        n_units: cl.count(),
        cohort: cohort.into_iter().map(|c| c.flatten()).collect(),
    })
}

/// One event-time coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventTimeEffect {
    /// Periods relative to first treatment (`time − first_treated`).
    pub relative_time: i64,
    /// Coefficient, with CR1 (by unit) inference.
    pub effect: EffectEstimate,
}

/// A two-way fixed-effects event study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventStudy {
    /// The omitted reference period (relative time).
    pub reference: i64,
    /// Coefficients for every other observed relative time, ascending.
    pub effects: Vec<EventTimeEffect>,
    /// Joint Wald test that all pre-period (relative time < 0, other than
    /// the reference) coefficients are zero, with the CR1 vcov; `None` when
    /// there are no such coefficients.
    pub pre_trend: Option<WaldTest>,
    /// Observations used.
    pub n: usize,
    /// Units (clusters).
    pub units: usize,
}

/// Event study by OLS with unit and period fixed effects and relative-time
/// dummies: `y_it = α_i + λ_t + Σ_{e ≠ reference} β_e 1{t − G_i = e} + ε_it`,
/// never-treated units having all dummies 0. Unit effects are absorbed by
/// demeaning ([`fit_ols_absorbing`]), period effects are dummies. Equals R's
/// `lm(y ~ factor(unit) + factor(time) + D_e...)` with
/// `vcovCL(fit, cluster = ~unit)` (CR1, so `k` counts every fixed-effect
/// parameter in `(n−1)/(n−k)`, unlike `fixest`, which drops effects nested
/// in the clusters) and `coeftest` (t, `n − k` df). The pre-trend test is `W = b' V⁻¹ b` on the pre-period
/// coefficients: both χ²(q) and `F = W/q` on F(q, n − k) are reported.
///
/// # Errors
/// If lengths differ, a value is not finite, a unit's first treated period
/// varies, no unit is ever treated, the reference period is never observed,
/// fewer than 2 units, or the design is singular (e.g. no never-treated units
/// and every relative time observed: the error names the aliased term).
pub fn event_study<U: Hash + Eq>(
    panel: &Panel<'_, U>,
    reference: i64,
    level: ConfidenceLevel,
) -> Result<EventStudy> {
    event_study_weighted(panel, reference, None, level)
}

/// [`event_study`] by weighted least squares (`lm(..., weights = w)`), one
/// weight per row (e.g. each person's matching weight); `None` is
/// [`event_study`].
///
/// # Errors
/// As [`event_study`]; weights of the wrong length or not non-negative.
pub fn event_study_weighted<U: Hash + Eq>(
    panel: &Panel<'_, U>,
    reference: i64,
    weights: Option<&Weights>,
    level: ConfidenceLevel,
) -> Result<EventStudy> {
    let coded = code_panel(panel)?;
    let n = panel.outcome.len();
    let rel: Vec<Option<i64>> = (0..n)
        .map(|i| coded.cohort[coded.unit[i]].and_then(|g| panel.time[i].checked_sub(g)))
        .collect();
    let rel_times: BTreeSet<i64> = rel.iter().flatten().copied().collect();
    if rel_times.is_empty() {
        return Err(Error::insufficient_data(
            "event study",
            "no unit is ever treated",
        ));
    }
    if !rel_times.contains(&reference) {
        return Err(Error::invalid_parameter(
            "reference",
            reference,
            "the reference relative period is not observed for any treated unit",
        ));
    }
    let times: BTreeSet<i64> = panel.time.iter().copied().collect();
    let mut names: Vec<String> = Vec::new();
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for &t in times.iter().skip(1) {
        names.push(format!("period {t}"));
        cols.push(
            panel
                .time
                .iter()
                .map(|&x| if x == t { 1.0 } else { 0.0 })
                .collect(),
        );
    }
    let effects_e: Vec<i64> = rel_times
        .iter()
        .copied()
        .filter(|&e| e != reference)
        .collect();
    for &e in &effects_e {
        names.push(format!("relative time {e}"));
        cols.push(
            rel.iter()
                .map(|r| if *r == Some(e) { 1.0 } else { 0.0 })
                .collect(),
        );
    }
    let terms: Vec<Term<'_>> = names
        .iter()
        .zip(&cols)
        .map(|(nm, c)| Term::new(nm.as_str(), c.as_slice()))
        .collect();
    let cl = Clusters::new(&coded.unit);
    let fit = fit_ols_absorbing(panel.outcome, &terms, &cl, weights)?;
    let variance = Variance::Cluster(cl);
    let effect_names: Vec<String> = effects_e
        .iter()
        .map(|e| format!("relative time {e}"))
        .collect();
    let refs: Vec<&str> = effect_names.iter().map(|s| s.as_str()).collect();
    let tab = fit.table_for(&refs, &variance, level)?;
    let effects: Vec<EventTimeEffect> = effects_e
        .iter()
        .zip(&tab.coefficients)
        .map(|(&e, c)| EventTimeEffect {
            relative_time: e,
            effect: EffectEstimate::from_coefficient(
                c,
                tab.level,
                tab.df,
                tab.estimator,
                fit.n(),
                tab.clusters,
            ),
        })
        .collect();
    let pre: Vec<String> = effects_e
        .iter()
        .filter(|&&e| e < 0)
        .map(|e| format!("relative time {e}"))
        .collect();
    let pre_trend = if pre.is_empty() {
        None
    } else {
        let refs: Vec<&str> = pre.iter().map(|s| s.as_str()).collect();
        Some(fit.wald_test(&refs, &variance)?)
    };
    Ok(EventStudy {
        reference,
        effects,
        pre_trend,
        n: fit.n(),
        units: coded.n_units,
    })
}

// ---------------------------------------------------------------------------
// Callaway & Sant'Anna (2021)
// ---------------------------------------------------------------------------

/// Which units form the comparison group for ATT(g, t).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum ComparisonGroup {
    /// Never-treated units only (`did` `control_group = "nevertreated"`).
    #[default]
    NeverTreated,
    /// Never-treated units and units not yet treated by `max(t, base)`
    /// (`control_group = "notyettreated"`).
    NotYetTreated,
}

/// The base (pre) period of each ATT(g, t).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum BasePeriod {
    /// Post-treatment: `g − 1`; pre-treatment: the period just before `t`
    /// (`did` `base_period = "varying"`, the default).
    #[default]
    Varying,
    /// Always `g − 1`; ATT(g, g − 1) is reported as 0 (`base_period =
    /// "universal"`).
    Universal,
}

/// One group-time average treatment effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTimeAtt {
    /// Cohort: first treated period.
    pub group: i64,
    /// Period.
    pub time: i64,
    /// Base period the change is measured from.
    pub base: i64,
    /// ATT(g, t): mean change in cohort g minus mean change in the
    /// comparison group, between `base` and `time`.
    pub att: f64,
    /// Analytic standard error from the influence function of the 2×2
    /// estimator, `√(σ̂²_g/n_g + σ̂²_c/n_c)` with `σ̂²` the variance of the
    /// changes dividing by `n` (what `did::att_gt(bstrap = FALSE)` reports);
    /// `None` for the normalised cell ATT(g, g − 1) under a universal base.
    pub std_error: Option<f64>,
    /// True when `time ≥ group`.
    pub post: bool,
    /// Units in the cohort.
    pub n_treated: usize,
    /// Units in the comparison group.
    pub n_control: usize,
}

/// All ATT(g, t) of a balanced panel, with what is needed to aggregate them
/// (including each ATT(g, t)'s influence function over the units, for the
/// standard errors of the aggregations: `n_units × effects` numbers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTimeEffects {
    /// ATT(g, t), ordered by group then time.
    pub effects: Vec<GroupTimeAtt>,
    /// Units per cohort (the aggregation weights ∝ these), ascending cohort.
    pub group_sizes: Vec<CohortSize>,
    /// Comparison group used.
    pub comparison: ComparisonGroup,
    /// Base period rule used.
    pub base_period: BasePeriod,
    /// Influence functions of the ATT(g, t), for the aggregations' SEs.
    #[serde(skip)]
    influence: Influence,
}

/// The influence function of each ATT(g, t) over the `n` units kept (did's
/// `inffunc`, scaled so that `SE = √(Σᵢ ψᵢ²) / n`), and each unit's cohort.
#[derive(Clone, PartialEq, Default)]
struct Influence {
    /// Cohort of each kept unit (`None` = never treated), did's `G`.
    cohort: Vec<Option<i64>>,
    /// One column of length `n` per entry of `effects`.
    columns: Vec<Vec<f64>>,
}

impl std::fmt::Debug for Influence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Influence {{ units: {}, columns: {} }}",
            self.cohort.len(),
            self.columns.len()
        )
    }
}

/// Number of units in a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CohortSize {
    /// Cohort (first treated period).
    pub group: i64,
    /// Units.
    pub units: usize,
}

/// An aggregated effect for one cohort or one event time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AggregatedAtt {
    /// The cohort (for group aggregation) or event time (for dynamic).
    pub key: i64,
    /// The aggregated ATT.
    pub att: f64,
    /// Analytic standard error from the aggregated influence function
    /// (`did::aggte(bstrap = FALSE)`); `None` where did reports `NA` (an SE
    /// of at most `10·√ε`, e.g. the normalised event time −1 under a
    /// universal base).
    pub std_error: Option<f64>,
    /// Pointwise confidence interval `att ± z_{1−α/2}·SE` (did's pointwise
    /// interval, `cband = FALSE`); `None` without an SE.
    pub ci: Option<Interval>,
}

/// An aggregation of ATT(g, t) (`did::aggte`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregation {
    /// Per-cohort or per-event-time effects, ascending key (empty for
    /// "simple").
    pub by: Vec<AggregatedAtt>,
    /// The overall summary.
    pub overall: f64,
    /// Analytic standard error of `overall`; `None` where did reports `NA`.
    pub overall_std_error: Option<f64>,
    /// Confidence interval `overall ± z_{1−α/2}·SE`; `None` without an SE.
    pub overall_ci: Option<Interval>,
    /// Confidence level of the intervals.
    pub level: f64,
}

/// Callaway & Sant'Anna (2021) group-time ATTs without covariates, as
/// `did::att_gt(yname, tname, idname, gname, xformla = ~1, est_method =
/// "reg", panel = TRUE, anticipation = 0)` computes them on a balanced panel:
/// ATT(g, t) = mean over cohort g of `Y_t − Y_b` minus the same mean over the
/// comparison group, where `b` is the base period. With no covariates the
/// "reg", "ipw" and "dr" estimators all reduce to this.
///
/// Conventions of `did`: units first treated in or before the first period
/// are dropped; units first treated after the last period count as never
/// treated. Varying base: ATT(g, t) for every period except the first.
/// Universal base: every period, with ATT(g, g − 1) = 0.
///
/// # Errors
/// If lengths differ, a value is not finite, the panel is not balanced (every
/// unit observed once in every period), there are fewer than 2 periods, no
/// cohort can be estimated, or an ATT(g, t) has no comparison units (e.g.
/// never-treated comparisons with no never-treated units).
pub fn group_time_att<U: Hash + Eq>(
    panel: &Panel<'_, U>,
    comparison: ComparisonGroup,
    base_period: BasePeriod,
) -> Result<GroupTimeEffects> {
    let coded = code_panel(panel)?;
    let periods: Vec<i64> = panel
        .time
        .iter()
        .copied()
        .collect::<BTreeSet<i64>>()
        .into_iter()
        .collect();
    let tp = periods.len();
    if tp < 2 {
        return Err(Error::insufficient_data(
            "group-time ATT",
            format!("{tp} period(s); need at least 2"),
        ));
    }
    let pidx: HashMap<i64, usize> = periods.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    // Wide matrix: units × periods.
    let mut wide: Vec<Option<f64>> = vec![None; coded.n_units * tp];
    for i in 0..panel.outcome.len() {
        let slot = coded.unit[i] * tp + pidx[&panel.time[i]];
        if wide[slot].is_some() {
            return Err(Error::invalid_value(
                Location::source("panel").row(i as u64 + 1).column("time"),
                panel.time[i].to_string(),
                "a unit is observed more than once in this period",
            ));
        }
        wide[slot] = Some(panel.outcome[i]);
    }
    if wide.iter().any(|v| v.is_none()) {
        return Err(Error::insufficient_data(
            "group-time ATT",
            "the panel is not balanced: some unit is missing some period",
        ));
    }
    let y = |u: usize, p: usize| wide[u * tp + p].unwrap_or(f64::NAN);
    let first = periods[0];
    let last = periods[tp - 1];
    // Effective cohort per unit: None = never treated (incl. treated after last period);
    // units treated in or before the first period are excluded (Some(None) marker below).
    let mut cohort: Vec<Option<i64>> = Vec::with_capacity(coded.n_units);
    let mut keep: Vec<bool> = Vec::with_capacity(coded.n_units);
    for g in &coded.cohort {
        match g {
            Some(g) if *g <= first => {
                cohort.push(None);
                keep.push(false);
            }
            Some(g) if *g > last => {
                cohort.push(None);
                keep.push(true);
            }
            other => {
                cohort.push(*other);
                keep.push(true);
            }
        }
    }
    let mut sizes: BTreeMap<i64, usize> = BTreeMap::new();
    for (u, g) in cohort.iter().enumerate() {
        if let (Some(g), true) = (g, keep[u]) {
            *sizes.entry(*g).or_insert(0) += 1;
        }
    }
    if sizes.is_empty() {
        return Err(Error::insufficient_data(
            "group-time ATT",
            "no cohort first treated after the first period and by the last",
        ));
    }
    // did's n: the units kept; each ATT(g, t)'s influence function is over them.
    let kept: Vec<usize> = (0..coded.n_units).filter(|&u| keep[u]).collect();
    let n_kept = kept.len();
    let nk = n_kept as f64;
    let mut influence = Influence {
        cohort: kept.iter().map(|&u| cohort[u]).collect(),
        columns: Vec::new(),
    };
    let mut effects = Vec::new();
    for (&g, &n_g) in &sizes {
        // index of g − 1 (last period before g)
        let gb = periods.iter().rposition(|&t| t < g).ok_or_else(|| {
            Error::insufficient_data("group-time ATT", format!("cohort {g} has no pre-period"))
        })?;
        let start = match base_period {
            BasePeriod::Varying => 1,
            BasePeriod::Universal => 0,
        };
        for ti in start..tp {
            let t = periods[ti];
            let post = t >= g;
            let bi = match base_period {
                BasePeriod::Varying if !post => ti - 1,
                _ => gb,
            };
            let b = periods[bi];
            if base_period == BasePeriod::Universal && bi == ti {
                effects.push(GroupTimeAtt {
                    group: g,
                    time: t,
                    base: b,
                    att: 0.0,
                    std_error: None,
                    post,
                    n_treated: n_g,
                    n_control: 0,
                });
                influence.columns.push(vec![0.0; n_kept]);
                continue;
            }
            let horizon = t.max(b);
            let is_control = |u: usize| -> bool {
                if !keep[u] {
                    return false;
                }
                match (comparison, cohort[u]) {
                    (_, None) => true,
                    (ComparisonGroup::NeverTreated, Some(_)) => false,
                    (ComparisonGroup::NotYetTreated, Some(h)) => h > horizon && h != g,
                }
            };
            let mut dt: Vec<f64> = Vec::with_capacity(n_g);
            let mut dc: Vec<f64> = Vec::new();
            for u in 0..coded.n_units {
                let d = y(u, ti) - y(u, bi);
                if keep[u] && cohort[u] == Some(g) {
                    dt.push(d);
                } else if is_control(u) {
                    dc.push(d);
                }
            }
            let (nt, nc) = (dt.len(), dc.len());
            if nc == 0 {
                return Err(Error::insufficient_data(
                    "group-time ATT",
                    format!("no comparison units for cohort {g} in period {t}"),
                ));
            }
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let (mt, mc) = (mean(&dt), mean(&dc));
            // Σ(d − m)² / n², i.e. population variance / n, per group.
            let part = |v: &[f64], m: f64| {
                let nn = v.len() as f64;
                v.iter().map(|d| (d - m) * (d - m)).sum::<f64>() / (nn * nn)
            };
            // DRDID reg_did_panel without covariates, rescaled by n / n₁ as
            // did's compute.att_gt: n(ΔY − m_g)/n_g for the cohort,
            // −n(ΔY − m_c)/n_c for the comparison units, 0 otherwise.
            let column: Vec<f64> = kept
                .iter()
                .map(|&u| {
                    let d = y(u, ti) - y(u, bi);
                    if cohort[u] == Some(g) {
                        nk * (d - mt) / nt as f64
                    } else if is_control(u) {
                        -nk * (d - mc) / nc as f64
                    } else {
                        0.0
                    }
                })
                .collect();
            influence.columns.push(column);
            effects.push(GroupTimeAtt {
                group: g,
                time: t,
                base: b,
                att: mt - mc,
                std_error: Some((part(&dt, mt) + part(&dc, mc)).sqrt()),
                post,
                n_treated: nt,
                n_control: nc,
            });
        }
    }
    Ok(GroupTimeEffects {
        effects,
        group_sizes: sizes
            .into_iter()
            .map(|(group, units)| CohortSize { group, units })
            .collect(),
        comparison,
        base_period,
        influence,
    })
}

/// did's `getSE` with `bstrap = FALSE`: `√(mean(ψ²) / n)`, `NA` (here
/// `None`) at or below `10·√ε`.
fn influence_se(psi: &[f64]) -> Option<f64> {
    if psi.is_empty() {
        return None;
    }
    let n = psi.len() as f64;
    let se = (psi.iter().map(|v| v * v).sum::<f64>() / (n * n)).sqrt();
    (se.is_finite() && se > 10.0 * f64::EPSILON.sqrt()).then_some(se)
}

/// `estimate ± z·se`.
fn normal_interval(estimate: f64, se: Option<f64>, z: f64) -> Option<Interval> {
    se.map(|s| Interval::new(estimate - z * s, estimate + z * s))
}

/// `z_{1−α/2}` of the standard normal.
fn normal_critical(level: ConfidenceLevel) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(1.0 - level.alpha() / 2.0)
}

/// One aggregated estimate with its influence function.
struct Combined {
    att: f64,
    psi: Vec<f64>,
}

impl Combined {
    fn summary(&self, key: i64, z: f64) -> AggregatedAtt {
        let se = influence_se(&self.psi);
        AggregatedAtt {
            key,
            att: self.att,
            std_error: se,
            ci: normal_interval(self.att, se, z),
        }
    }
}

impl GroupTimeEffects {
    fn size(&self, g: i64) -> f64 {
        self.group_sizes
            .iter()
            .find(|c| c.group == g)
            .map_or(0.0, |c| c.units as f64)
    }

    /// did's `pg` of a cohort: `n_g / n` over the units kept.
    fn share(&self, g: i64) -> f64 {
        self.size(g) / self.influence.cohort.len() as f64
    }

    /// did's `get_agg_inf_func`: `Σ_k w_k ATT(g_k, t_k)` and `Σ_k w_k ψ_k`,
    /// plus, when `with_weights`, the influence of the estimated weights
    /// `w_k = pg_k / Σ pg` (did's `wif(...) %*% att`).
    fn combine(&self, cells: &[(i64, f64, f64, &[f64])], with_weights: bool) -> Combined {
        // cells: (cohort, pg, att, ψ); weights pg / Σ pg.
        let n = self.influence.cohort.len();
        let total: f64 = cells.iter().map(|c| c.1).sum();
        let att = cells.iter().map(|c| c.1 * c.2).sum::<f64>() / total;
        let mut psi = vec![0.0; n];
        for &(_, pg, _, col) in cells {
            let w = pg / total;
            for (p, v) in psi.iter_mut().zip(col) {
                *p += w * v;
            }
        }
        if with_weights {
            // wif[i, k] = (1{G_i = g_k} − pg_k)/S − R_i pg_k / S²,
            // R_i = Σ_j (1{G_i = g_j} − pg_j); added as wif %*% att.
            let weighted_att: f64 = cells.iter().map(|c| c.1 * c.2).sum();
            for (p, g) in psi.iter_mut().zip(&self.influence.cohort) {
                let (mut first, mut r) = (0.0, 0.0);
                for &(gk, pg, a, _) in cells {
                    let ind = if *g == Some(gk) { 1.0 } else { 0.0 };
                    first += a * (ind - pg);
                    r += ind - pg;
                }
                *p += first / total - r * weighted_att / (total * total);
            }
        }
        Combined { att, psi }
    }

    /// The cells `(cohort, pg, ATT, ψ)` of the effects selected by `keep`.
    fn cells(&self, keep: impl Fn(&GroupTimeAtt) -> bool) -> Vec<(i64, f64, f64, &[f64])> {
        self.effects
            .iter()
            .zip(&self.influence.columns)
            .filter(|(e, _)| keep(e))
            .map(|(e, c)| (e.group, self.share(e.group), e.att, c.as_slice()))
            .collect()
    }

    /// `did::aggte(type = "group", bstrap = FALSE, cband = FALSE)`: θ(g) =
    /// mean of ATT(g, t) over post periods `t ≥ g`; overall = Σ_g n_g θ(g) /
    /// Σ_g n_g over cohorts with a post period. Standard errors from the
    /// influence functions: θ(g)'s is the mean of its cells' (the weights
    /// are not estimated); the overall one adds the influence of the
    /// estimated cohort shares (did's `wif` over the distinct cohorts).
    ///
    /// # Errors
    /// If no ATT(g, t) is in a post period.
    pub fn aggregate_group(&self, level: ConfidenceLevel) -> Result<Aggregation> {
        let z = normal_critical(level);
        let mut by = Vec::new();
        let mut thetas: Vec<(i64, f64, Combined)> = Vec::new();
        for c in &self.group_sizes {
            let cells = self.cells(|e| e.group == c.group && e.post);
            if cells.is_empty() {
                continue;
            }
            let th = self.combine(&cells, false);
            by.push(th.summary(c.group, z));
            thetas.push((c.group, self.share(c.group), th));
        }
        if thetas.is_empty() {
            return Err(Error::insufficient_data(
                "group aggregation",
                "no post-treatment ATT(g, t)",
            ));
        }
        let cells: Vec<(i64, f64, f64, &[f64])> = thetas
            .iter()
            .map(|(g, pg, th)| (*g, *pg, th.att, th.psi.as_slice()))
            .collect();
        let overall = self.combine(&cells, true);
        Ok(self.finish(by, &overall, level, z))
    }

    /// `did::aggte(type = "dynamic", bstrap = FALSE, cband = FALSE)`: θ(e) =
    /// Σ_g n_g ATT(g, g + e) / Σ_g n_g over cohorts observed at event time
    /// `e` (its SE includes the influence of the estimated weights, did's
    /// `wif`); overall = mean of θ(e) over `e ≥ 0` (SE from the mean of
    /// their influence functions).
    ///
    /// # Errors
    /// If no event time `e ≥ 0` is observed.
    pub fn aggregate_dynamic(&self, level: ConfidenceLevel) -> Result<Aggregation> {
        let z = normal_critical(level);
        let events: BTreeSet<i64> = self.effects.iter().map(|e| e.time - e.group).collect();
        let mut by = Vec::new();
        let mut post: Vec<Combined> = Vec::new();
        for ev in events {
            let cells = self.cells(|e| e.time - e.group == ev);
            let th = self.combine(&cells, true);
            by.push(th.summary(ev, z));
            if ev >= 0 {
                post.push(th);
            }
        }
        if post.is_empty() {
            return Err(Error::insufficient_data(
                "dynamic aggregation",
                "no event time e ≥ 0",
            ));
        }
        // Equal weights: pg = 1 for each θ(e), no weight influence.
        let cells: Vec<(i64, f64, f64, &[f64])> = post
            .iter()
            .map(|th| (0, 1.0, th.att, th.psi.as_slice()))
            .collect();
        let overall = self.combine(&cells, false);
        Ok(self.finish(by, &overall, level, z))
    }

    /// `did::aggte(type = "simple", bstrap = FALSE)`: Σ n_g ATT(g, t) / Σ n_g
    /// over all post-period cells; the SE includes the influence of the
    /// estimated weights (did's `wif`).
    ///
    /// # Errors
    /// If no ATT(g, t) is in a post period.
    pub fn aggregate_simple(&self, level: ConfidenceLevel) -> Result<Aggregation> {
        let z = normal_critical(level);
        let cells = self.cells(|e| e.post);
        if cells.is_empty() {
            return Err(Error::insufficient_data(
                "simple aggregation",
                "no post-treatment ATT(g, t)",
            ));
        }
        let overall = self.combine(&cells, true);
        Ok(self.finish(Vec::new(), &overall, level, z))
    }

    fn finish(
        &self,
        by: Vec<AggregatedAtt>,
        overall: &Combined,
        level: ConfidenceLevel,
        z: f64,
    ) -> Aggregation {
        let se = influence_se(&overall.psi);
        Aggregation {
            by,
            overall: overall.att,
            overall_std_error: se,
            overall_ci: normal_interval(overall.att, se, z),
            level: level.get(),
        }
    }

    /// The ATT for cohort `group` in period `time`, if estimated.
    pub fn get(&self, group: i64, time: i64) -> Option<&GroupTimeAtt> {
        self.effects
            .iter()
            .find(|e| e.group == group && e.time == time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_means_and_regression_agree() {
        let y = [1.0, 2.0, 3.0, 5.0, 2.0, 3.5, 4.0, 8.0];
        let t = [false, false, true, true, false, false, true, true];
        let p = [false, false, false, false, true, true, true, true];
        let cells = did_cell_means(&y, &t, &p).unwrap();
        let reg = did_regression(&y, &t, &p, None, ConfidenceLevel::NINETY_FIVE).unwrap();
        assert!((cells.did - reg.classical.estimate).abs() < 1e-12);
        assert!((cells.control_pre.mean - reg.intercept).abs() < 1e-12);
        assert!((cells.treated_pre.mean - cells.control_pre.mean - reg.treat).abs() < 1e-12);
        assert!((cells.control_change - reg.post).abs() < 1e-12);
    }

    #[test]
    fn empty_cell_is_an_error() {
        let y = [1.0, 2.0, 3.0];
        let t = [false, true, true];
        let p = [false, false, true];
        assert!(did_cell_means(&y, &t, &p).is_err());
        assert!(did_regression(&y, &t, &p, None, ConfidenceLevel::NINETY_FIVE).is_err());
    }

    #[test]
    fn group_time_att_on_a_tiny_panel() {
        // 3 units × 3 periods: unit 0 treated at 2, units 1, 2 never.
        let unit = [0, 0, 0, 1, 1, 1, 2, 2, 2];
        let time = [1, 2, 3, 1, 2, 3, 1, 2, 3];
        let g = [
            Some(2),
            Some(2),
            Some(2),
            None,
            None,
            None,
            None,
            None,
            None,
        ];
        let y = [1.0, 4.0, 6.0, 1.0, 2.0, 3.0, 2.0, 2.0, 5.0];
        let panel = Panel {
            outcome: &y,
            unit: &unit,
            time: &time,
            first_treated: &g,
        };
        let r = group_time_att(&panel, ComparisonGroup::NeverTreated, BasePeriod::Varying).unwrap();
        // ATT(2,2) = (4-1) - mean(1, 0) = 2.5 ; ATT(2,3) = (6-1) - mean(2, 3) = 2.5
        assert!((r.get(2, 2).unwrap().att - 2.5).abs() < 1e-12);
        assert!((r.get(2, 3).unwrap().att - 2.5).abs() < 1e-12);
        let u =
            group_time_att(&panel, ComparisonGroup::NeverTreated, BasePeriod::Universal).unwrap();
        assert_eq!(u.get(2, 1).unwrap().att, 0.0);
    }

    #[test]
    fn unbalanced_panel_is_rejected() {
        let unit = [0, 0, 1];
        let time = [1, 2, 1];
        let g = [Some(2), Some(2), None];
        let y = [1.0, 2.0, 3.0];
        let panel = Panel {
            outcome: &y,
            unit: &unit,
            time: &time,
            first_treated: &g,
        };
        assert!(
            group_time_att(&panel, ComparisonGroup::NeverTreated, BasePeriod::Varying).is_err()
        );
    }

    #[test]
    fn event_study_without_never_treated_and_common_timing_is_singular() {
        // Everyone treated at period 2: relative time is collinear with period effects.
        let unit = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
        let time = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4];
        let g = [Some(2); 12];
        let y = [1.0, 2.0, 4.0, 3.0, 0.5, 2.5, 3.0, 5.0, 1.5, 1.0, 2.0, 6.0];
        let panel = Panel {
            outcome: &y,
            unit: &unit,
            time: &time,
            first_treated: &g,
        };
        let err = event_study(&panel, -1, ConfidenceLevel::NINETY_FIVE).unwrap_err();
        assert!(err.to_string().contains("relative time 0"), "{err}");
        let none = [None; 12];
        let panel = Panel {
            outcome: &y,
            unit: &unit,
            time: &time,
            first_treated: &none,
        };
        assert!(event_study(&panel, -1, ConfidenceLevel::NINETY_FIVE).is_err());
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn did_functions_never_panic(
                y in proptest::collection::vec(-1e3f64..1e3, 0..16),
                t in proptest::collection::vec(any::<bool>(), 0..16),
                p in proptest::collection::vec(any::<bool>(), 0..16),
                g in proptest::collection::vec(proptest::option::of(1i64..4), 0..16),
                tm in proptest::collection::vec(1i64..4, 0..16),
                u in proptest::collection::vec(0u8..5, 0..16)) {
                let _ = did_cell_means(&y, &t, &p);
                let _ = did_regression(&y, &t, &p, Some(&Clusters::new(&u)), ConfidenceLevel::NINETY_FIVE);
                let _ = compare_changes(&y, &y, &t);
                let panel = Panel { outcome: &y, unit: &u, time: &tm, first_treated: &g };
                let _ = event_study(&panel, -1, ConfidenceLevel::NINETY_FIVE);
                if let Ok(r) = group_time_att(&panel, ComparisonGroup::NotYetTreated, BasePeriod::Varying) {
                    let _ = r.aggregate_group(ConfidenceLevel::NINETY_FIVE);
                    let _ = r.aggregate_dynamic(ConfidenceLevel::NINETY_FIVE);
                    let _ = r.aggregate_simple(ConfidenceLevel::NINETY_FIVE);
                }
            }
        }
    }
}
