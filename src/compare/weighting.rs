//! Weighting: propensity-score weights for the ATT and the ATE (optionally
//! stabilised and trimmed), entropy balancing of the controls to the treated
//! (Hainmueller 2012), Kish effective sample sizes, weighted balance tables,
//! the weighted outcome regression and augmented IPW (doubly robust)
//! estimates with influence-function standard errors.
//!
//! See METHODS.md, "Weighting and doubly robust estimation", for every formula
//! and the R computation each matches (`scripts/reference/weighting.R`).

use nalgebra::{DMatrix, DVector};

use super::balance::VariableKind;
use super::design::{Covariate, DesignMatrix};
use crate::error::{Error, Location, Result};
use crate::stats::ols::{fit_ols, Coefficient, Intercept, Term, Variance, Weights};
use crate::stats::{z_estimate, ConfidenceLevel, Estimate};

/// The estimand the weights target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimand {
    /// Average effect on the treated: treated 1, controls `e/(1−e)`.
    Att,
    /// Average effect in the whole sample: treated `1/e`, controls `1/(1−e)`.
    Ate,
}

/// Whether ATE weights are stabilised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stabilisation {
    /// The plain inverse-probability weights.
    #[default]
    Unstabilised,
    /// ATE weights multiplied by the marginal probability of the unit's own arm
    /// (`n_t/n` for the treated, `n_c/n` for controls; WeightIt
    /// `stabilize = TRUE`). Refused for the ATT, whose weights are already on
    /// the treated's scale.
    Stabilised,
}

/// A trimming quantile strictly between 0 and 0.5.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrimQuantile(f64);

impl TrimQuantile {
    /// A trimming quantile.
    ///
    /// # Errors
    /// If `q` is not strictly between 0 and 0.5.
    pub fn new(q: f64) -> Result<Self> {
        if q > 0.0 && q < 0.5 {
            Ok(TrimQuantile(q))
        } else {
            Err(Error::invalid_parameter(
                "trim quantile",
                q,
                "must be strictly between 0 and 0.5",
            ))
        }
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// How, if at all, extreme scores or weights are trimmed. Quantiles are R's
/// default (`quantile(type = 7)`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Trimming {
    /// No trimming.
    #[default]
    None,
    /// Propensity scores clamped into `[Q(q), Q(1−q)]`, quantiles over all
    /// units, before the weights are formed.
    Score(TrimQuantile),
    /// Weights above `Q(1−q)` set to `Q(1−q)` (WeightIt `trim(w, at = 1 − q)`,
    /// `lower = FALSE`): the quantile over the controls for the ATT (the
    /// treated keep weight 1), over all units for the ATE; applied before any
    /// stabilisation.
    Weights(TrimQuantile),
}

/// Kish's effective sample size `(Σw)² / Σw²` of each arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectiveSampleSize {
    /// Treated arm.
    pub treated: f64,
    /// Control arm.
    pub control: f64,
}

/// Propensity-score weights.
#[derive(Debug, Clone, PartialEq)]
pub struct PropensityWeights {
    /// The estimand.
    pub estimand: Estimand,
    /// One weight per unit, in input order (not normalised; see
    /// [`normalise_by_arm`]).
    pub weights: Vec<f64>,
    /// Units whose score or weight was trimmed.
    pub trimmed: usize,
    /// Effective sample sizes.
    pub ess: EffectiveSampleSize,
}

fn arm_counts(what: &str, treated: &[bool]) -> Result<(usize, usize)> {
    let nt = treated.iter().filter(|t| **t).count();
    let nc = treated.len() - nt;
    if nt == 0 || nc == 0 {
        return Err(Error::insufficient_data(
            what,
            format!("{nt} treated and {nc} control unit(s); both groups must be non-empty"),
        ));
    }
    Ok((nt, nc))
}

fn check_same_len(what: &str, name: &str, len: usize, n: usize) -> Result<()> {
    if len == n {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            name,
            len,
            format!("{what}: must have one value per unit ({n})"),
        ))
    }
}

/// R's `quantile(x, p, type = 7)` of a non-empty slice.
fn quantile7(x: &[f64], p: f64) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Propensity-score weights for `estimand` from scores `score` (probabilities
/// strictly between 0 and 1, e.g. [`PropensityModel::scores`](super::PropensityModel::scores)).
///
/// # Errors
/// * [`Error::invalid_parameter`] if lengths differ or `Stabilised` is asked of the ATT;
/// * [`Error::insufficient_data`] if either arm is empty;
/// * [`Error::invalid_value`] for a score that is not strictly between 0 and 1.
pub fn propensity_weights(
    score: &[f64],
    treated: &[bool],
    estimand: Estimand,
    stabilisation: Stabilisation,
    trimming: Trimming,
) -> Result<PropensityWeights> {
    const WHAT: &str = "propensity weights";
    check_same_len(WHAT, "score", score.len(), treated.len())?;
    let (nt, _) = arm_counts(WHAT, treated)?;
    for (i, e) in score.iter().enumerate() {
        if !(e.is_finite() && *e > 0.0 && *e < 1.0) {
            return Err(Error::invalid_value(
                Location::source("propensity score").row(i as u64 + 1),
                e.to_string(),
                "a propensity score must be strictly between 0 and 1",
            ));
        }
    }
    if estimand == Estimand::Att && stabilisation == Stabilisation::Stabilised {
        return Err(Error::invalid_parameter(
            "stabilisation",
            "Stabilised",
            "stabilisation applies to ATE weights only",
        ));
    }
    let mut trimmed = 0;
    let e: Vec<f64> = match trimming {
        Trimming::Score(q) => {
            let lo = quantile7(score, q.get());
            let hi = quantile7(score, 1.0 - q.get());
            score
                .iter()
                .map(|&s| {
                    let c = s.clamp(lo, hi);
                    trimmed += usize::from(c != s);
                    c
                })
                .collect()
        }
        _ => score.to_vec(),
    };
    let mut w: Vec<f64> = e
        .iter()
        .zip(treated)
        .map(|(&e, &t)| match (estimand, t) {
            (Estimand::Att, true) => 1.0,
            (Estimand::Att, false) => e / (1.0 - e),
            (Estimand::Ate, true) => 1.0 / e,
            (Estimand::Ate, false) => 1.0 / (1.0 - e),
        })
        .collect();
    if let Trimming::Weights(q) = trimming {
        let in_set = |t: bool| estimand == Estimand::Ate || !t;
        let set: Vec<f64> = w
            .iter()
            .zip(treated)
            .filter(|(_, &t)| in_set(t))
            .map(|(w, _)| *w)
            .collect();
        let cap = quantile7(&set, 1.0 - q.get());
        for (wi, &t) in w.iter_mut().zip(treated) {
            if in_set(t) && *wi > cap {
                *wi = cap;
                trimmed += 1;
            }
        }
    }
    if stabilisation == Stabilisation::Stabilised {
        let p = nt as f64 / treated.len() as f64;
        for (wi, &t) in w.iter_mut().zip(treated) {
            *wi *= if t { p } else { 1.0 - p };
        }
    }
    let ess = effective_sample_size(&w, treated)?;
    Ok(PropensityWeights {
        estimand,
        weights: w,
        trimmed,
        ess,
    })
}

fn check_weights(what: &str, weights: &[f64], treated: &[bool]) -> Result<()> {
    check_same_len(what, "weights", weights.len(), treated.len())?;
    for (i, w) in weights.iter().enumerate() {
        if !(w.is_finite() && *w >= 0.0) {
            return Err(Error::invalid_value(
                Location::source("weights").row(i as u64 + 1),
                w.to_string(),
                "weights must be finite and non-negative",
            ));
        }
    }
    for arm in [true, false] {
        let s: f64 = weights
            .iter()
            .zip(treated)
            .filter(|(_, &t)| t == arm)
            .map(|(w, _)| w)
            .sum();
        if s <= 0.0 {
            return Err(Error::insufficient_data(
                what,
                format!(
                    "the {} arm has no positive weight",
                    if arm { "treated" } else { "control" }
                ),
            ));
        }
    }
    Ok(())
}

/// Kish's effective sample size per arm, `(Σw)² / Σw²` (WeightIt
/// `summary()`'s "Effective sample size"; at most the arm's size).
///
/// # Errors
/// If lengths differ, a weight is negative or not finite, or an arm has no
/// positive weight.
pub fn effective_sample_size(weights: &[f64], treated: &[bool]) -> Result<EffectiveSampleSize> {
    check_weights("effective sample size", weights, treated)?;
    let ess = |arm: bool| {
        let (s, s2) = weights
            .iter()
            .zip(treated)
            .filter(|(_, &t)| t == arm)
            .fold((0.0, 0.0), |(s, s2), (w, _)| (s + w, s2 + w * w));
        s * s / s2
    };
    Ok(EffectiveSampleSize {
        treated: ess(true),
        control: ess(false),
    })
}

/// The weights rescaled within each arm to sum to the arm's size (mean 1 in
/// each arm); ATT weights of the treated stay 1.
///
/// # Errors
/// As [`effective_sample_size`].
pub fn normalise_by_arm(weights: &[f64], treated: &[bool]) -> Result<Vec<f64>> {
    check_weights("normalising weights", weights, treated)?;
    let (mut s1, mut n1, mut s0, mut n0) = (0.0, 0.0, 0.0, 0.0);
    for (w, &t) in weights.iter().zip(treated) {
        if t {
            s1 += w;
            n1 += 1.0;
        } else {
            s0 += w;
            n0 += 1.0;
        }
    }
    Ok(weights
        .iter()
        .zip(treated)
        .map(|(w, &t)| if t { w * n1 / s1 } else { w * n0 / s0 })
        .collect())
}

/// Which moments entropy balancing matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Moments {
    /// Means of every design column (WeightIt `moments = 1`).
    #[default]
    Means,
    /// Means and, for non-binary columns, means of squares (`moments = 2`).
    MeansAndSquares,
}

/// Newton settings of [`entropy_balance`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntropyControl {
    tolerance: f64,
    max_iterations: usize,
}

impl Default for EntropyControl {
    /// Tolerance 1e-10 (largest standardised imbalance), 200 iterations.
    fn default() -> Self {
        EntropyControl {
            tolerance: 1e-10,
            max_iterations: 200,
        }
    }
}

impl EntropyControl {
    /// Settings: stop when every standardised imbalance is below `tolerance`.
    ///
    /// # Errors
    /// If `tolerance` is not finite and positive or `max_iterations` is 0.
    pub fn new(tolerance: f64, max_iterations: usize) -> Result<Self> {
        if !(tolerance.is_finite() && tolerance > 0.0) {
            return Err(Error::invalid_parameter(
                "tolerance",
                tolerance,
                "must be finite and positive",
            ));
        }
        if max_iterations == 0 {
            return Err(Error::invalid_parameter(
                "max_iterations",
                0,
                "must be at least 1",
            ));
        }
        Ok(EntropyControl {
            tolerance,
            max_iterations,
        })
    }
}

/// The result of entropy balancing.
#[derive(Debug, Clone, PartialEq)]
pub struct EntropyBalance {
    /// One weight per unit: 1 for the treated; the controls' weights sum to
    /// the number of controls.
    pub weights: Vec<f64>,
    /// The names of the balanced columns (design columns, then `name^2`).
    pub constraints: Vec<String>,
    /// The dual solution λ, one per constraint, on the standardised scale.
    pub lambda: Vec<f64>,
    /// Newton iterations used.
    pub iterations: usize,
    /// Whether the tolerance was reached (always true: failure is an error).
    pub converged: bool,
    /// The largest `|weighted control mean − treated mean| / s_t` over the
    /// constraints, `s_t` the unweighted treated SD (1 where that is 0).
    pub max_std_imbalance: f64,
    /// Effective sample sizes.
    pub ess: EffectiveSampleSize,
}

/// Entropy balancing of the controls to the treated (Hainmueller 2012; ATT):
/// control weights `wᵢ ∝ exp(λ'zᵢ)` of maximal entropy whose weighted means of
/// every design column of `covariates` (and, with
/// [`Moments::MeansAndSquares`], of the squares of non-binary columns) equal
/// the treated means. λ minimises the convex dual `log Σ exp(λ'zᵢ)`, `zᵢ` the
/// control's columns minus the treated means over the treated SDs, by Newton's
/// method with backtracking (Armijo) line search.
///
/// # Errors
/// * as [`DesignMatrix::new`] for the covariates;
/// * [`Error::insufficient_data`] if an arm is empty;
/// * [`Error::numerical`] if the treated means are outside what the controls
///   can reach (infeasible) or Newton does not converge.
pub fn entropy_balance(
    covariates: &[Covariate],
    treated: &[bool],
    moments: Moments,
    control: EntropyControl,
) -> Result<EntropyBalance> {
    const WHAT: &str = "entropy balancing";
    let design = DesignMatrix::new(covariates)?;
    check_same_len(WHAT, "treated", treated.len(), design.nrows())?;
    let (nt, nc) = arm_counts(WHAT, treated)?;
    let mut names = Vec::new();
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for (j, t) in design.terms().iter().enumerate().skip(1) {
        let c = design.column(j).unwrap_or(&[]).to_vec();
        names.push(t.name.clone());
        cols.push(c);
    }
    if moments == Moments::MeansAndSquares {
        for j in 0..cols.len() {
            if cols[j].iter().any(|v| *v != 0.0 && *v != 1.0) {
                names.push(format!("{}^2", names[j]));
                let sq = cols[j].iter().map(|v| v * v).collect();
                cols.push(sq);
            }
        }
    }
    let k = cols.len();
    // Treated means and SDs; controls standardised.
    let mut target = Vec::with_capacity(k);
    let mut scale = Vec::with_capacity(k);
    for (name, c) in names.iter().zip(&cols) {
        let xt: Vec<f64> = c
            .iter()
            .zip(treated)
            .filter(|(_, &t)| t)
            .map(|(v, _)| *v)
            .collect();
        let m = xt.iter().sum::<f64>() / nt as f64;
        let sd = if nt > 1 {
            (xt.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (nt - 1) as f64).sqrt()
        } else {
            0.0
        };
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (v, &t) in c.iter().zip(treated) {
            if !t {
                lo = lo.min(*v);
                hi = hi.max(*v);
            }
        }
        if m < lo || m > hi || (lo == hi && m != lo) {
            return Err(Error::numerical(
                WHAT,
                format!(
                    "infeasible: the treated mean of `{name}` ({m}) is outside the controls' range [{lo}, {hi}]"
                ),
            ));
        }
        target.push(m);
        scale.push(if sd > 0.0 && sd.is_finite() { sd } else { 1.0 });
    }
    let ctrl: Vec<usize> = (0..treated.len()).filter(|&i| !treated[i]).collect();
    // z, row-major nc × k.
    let mut z = vec![0.0; nc * k];
    for (r, &i) in ctrl.iter().enumerate() {
        for j in 0..k {
            z[r * k + j] = (cols[j][i] - target[j]) / scale[j];
        }
    }
    let eval = |lambda: &[f64], p: &mut [f64]| -> f64 {
        let mut mx = f64::NEG_INFINITY;
        for r in 0..nc {
            let s: f64 = (0..k).map(|j| z[r * k + j] * lambda[j]).sum();
            p[r] = s;
            mx = mx.max(s);
        }
        let mut tot = 0.0;
        for v in p.iter_mut() {
            *v = (*v - mx).exp();
            tot += *v;
        }
        for v in p.iter_mut() {
            *v /= tot;
        }
        mx + tot.ln()
    };
    let mut lambda = vec![0.0; k];
    let mut p = vec![0.0; nc];
    let mut f = eval(&lambda, &mut p);
    let mut iterations = 0;
    let gradient = |p: &[f64]| -> Vec<f64> {
        let mut g = vec![0.0; k];
        for r in 0..nc {
            for j in 0..k {
                g[j] += p[r] * z[r * k + j];
            }
        }
        g
    };
    let mut g = gradient(&p);
    let mut trial = vec![0.0; nc];
    loop {
        let gmax = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if gmax < control.tolerance {
            break;
        }
        if iterations >= control.max_iterations || !f.is_finite() {
            return Err(Error::numerical(
                WHAT,
                format!(
                    "no convergence after {iterations} Newton iterations (largest standardised imbalance {gmax:.3e}); the treated means may be unreachable by weighting the controls"
                ),
            ));
        }
        iterations += 1;
        let mut h = DMatrix::<f64>::zeros(k, k);
        for r in 0..nc {
            let pr = p[r];
            if pr == 0.0 {
                continue;
            }
            for a in 0..k {
                let za = pr * z[r * k + a];
                for b in a..k {
                    h[(a, b)] += za * z[r * k + b];
                }
            }
        }
        for a in 0..k {
            for b in a..k {
                let v = h[(a, b)] - g[a] * g[b];
                h[(a, b)] = v;
                h[(b, a)] = v;
            }
        }
        let gv = DVector::from_column_slice(&g);
        let step = h
            .svd(true, true)
            .solve(&gv, 1e-12)
            .map_err(|e| Error::numerical(WHAT, e.to_string()))?;
        let slope: f64 = -step.dot(&gv);
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            let cand: Vec<f64> = lambda
                .iter()
                .zip(step.iter())
                .map(|(l, s)| l - t * s)
                .collect();
            let fc = eval(&cand, &mut trial);
            // Armijo's decrease, or, near the optimum where the objective's
            // change is below its rounding, a smaller imbalance (so Newton
            // keeps converging quadratically to the tolerance asked for).
            let smaller = || gradient(&trial).iter().fold(0.0f64, |a, v| a.max(v.abs())) < gmax;
            if fc.is_finite() && (fc <= f + 1e-4 * t * slope || smaller()) {
                lambda = cand;
                f = fc;
                std::mem::swap(&mut p, &mut trial);
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            // The objective cannot be lowered along the Newton direction: at
            // numerical precision, or infeasible.
            let gnow = gradient(&p);
            let gmax = gnow.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            if gmax < control.tolerance.max(1e-9) {
                g = gnow;
                break;
            }
            return Err(Error::numerical(
                WHAT,
                format!(
                    "the line search failed after {iterations} iterations (largest standardised imbalance {gmax:.3e}); the balance constraints may be infeasible"
                ),
            ));
        }
        g = gradient(&p);
    }
    let mut weights = vec![1.0; treated.len()];
    for (r, &i) in ctrl.iter().enumerate() {
        weights[i] = p[r] * nc as f64;
    }
    let max_std_imbalance = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let ess = effective_sample_size(&weights, treated)?;
    Ok(EntropyBalance {
        weights,
        constraints: names,
        lambda,
        iterations,
        converged: true,
        max_std_imbalance,
        ess,
    })
}

/// The denominator of a weighted standardised mean difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmdDenominator {
    /// The unweighted SD of the treated (full sample): MatchIt's and
    /// `balance`'s `smd_treated_sd` convention, for the ATT.
    TreatedSd,
    /// `sqrt((s_t² + s_c²)/2)`, unweighted group SDs: cobalt's ATE default and
    /// `balance`'s `smd_pooled_sd`.
    PooledSd,
}

impl SmdDenominator {
    /// The conventional denominator for an estimand.
    pub fn for_estimand(estimand: Estimand) -> Self {
        match estimand {
            Estimand::Att => SmdDenominator::TreatedSd,
            Estimand::Ate => SmdDenominator::PooledSd,
        }
    }
}

/// One row of a weighted balance table.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedBalanceRow {
    /// Covariate name, or name + level for a categorical level (as `balance`).
    pub name: String,
    /// Binary or continuous.
    pub kind: VariableKind,
    /// Weighted mean of the treated.
    pub mean_treated: f64,
    /// Weighted mean of the controls.
    pub mean_control: f64,
    /// `(mean_treated − mean_control) / denominator`; `None` if the denominator is 0.
    pub smd: Option<f64>,
}

/// A weighted balance table.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedBalanceTable {
    /// The SMD denominator used (labelled in every report).
    pub denominator: SmdDenominator,
    /// One row per balance column.
    pub rows: Vec<WeightedBalanceRow>,
}

impl WeightedBalanceTable {
    /// The row of a variable by name.
    pub fn row(&self, name: &str) -> Option<&WeightedBalanceRow> {
        self.rows.iter().find(|r| r.name == name)
    }
}

/// Unweighted SD: `sqrt(p(1−p))` for 0/1, else `n − 1` (balance.rs's `wvar`
/// with unit weights).
fn group_sd(x: &[f64], binary: bool) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    if binary {
        (m * (1.0 - m)).sqrt()
    } else {
        (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)).sqrt()
    }
}

/// Balance of `covariates` between the arms under `weights`: weighted means and
/// the weighted SMD over the unweighted `denominator`.
///
/// # Errors
/// If lengths differ, a weight is invalid or an arm has no positive weight, or
/// a covariate value is not finite.
pub fn weighted_balance(
    covariates: &[Covariate],
    treated: &[bool],
    weights: &[f64],
    denominator: SmdDenominator,
) -> Result<WeightedBalanceTable> {
    const WHAT: &str = "weighted balance";
    check_weights(WHAT, weights, treated)?;
    let mut rows = Vec::new();
    for c in covariates {
        check_same_len(WHAT, c.name(), c.len(), treated.len())?;
        for (name, x) in c.balance_columns() {
            if let Some(i) = x.iter().position(|v| !v.is_finite()) {
                return Err(Error::invalid_value(
                    Location::source("covariates")
                        .row(i as u64 + 1)
                        .column(name),
                    x[i].to_string(),
                    "covariate values must be finite",
                ));
            }
            let binary = x.iter().all(|&v| v == 0.0 || v == 1.0);
            let wm = |arm: bool| {
                let (s, sw) = x
                    .iter()
                    .zip(weights)
                    .zip(treated)
                    .filter(|(_, &t)| t == arm)
                    .fold((0.0, 0.0), |(s, sw), ((x, w), _)| (s + x * w, sw + w));
                s / sw
            };
            let arm = |g: bool| -> Vec<f64> {
                x.iter()
                    .zip(treated)
                    .filter(|(_, &t)| t == g)
                    .map(|(v, _)| *v)
                    .collect()
            };
            let s_t = group_sd(&arm(true), binary);
            let den = match denominator {
                SmdDenominator::TreatedSd => s_t,
                SmdDenominator::PooledSd => {
                    let s_c = group_sd(&arm(false), binary);
                    ((s_t * s_t + s_c * s_c) / 2.0).sqrt()
                }
            };
            let (mt, mc) = (wm(true), wm(false));
            let smd = (den > 0.0 && den.is_finite())
                .then(|| (mt - mc) / den)
                .filter(|v| v.is_finite());
            rows.push(WeightedBalanceRow {
                name,
                kind: if binary {
                    VariableKind::Binary
                } else {
                    VariableKind::Continuous
                },
                mean_treated: mt,
                mean_control: mc,
                smd,
            });
        }
    }
    Ok(WeightedBalanceTable { denominator, rows })
}

/// The name of the treatment term in [`weighted_effect`]'s regression.
pub const TREATMENT_TERM: &str = "treated";

/// The weighted outcome regression `outcome ~ treated + covariates` with
/// `weights` (R `lm(y ~ treat + x, weights = w)`), and the treatment row of
/// its coefficient table under `variance` (HC0, HC1 or cluster-robust, as
/// `sandwich::vcovHC` / `vcovCL`; t intervals with `n − k` df, as `coefci`).
///
/// # Errors
/// As [`fit_ols`] and [`OlsFit::table_for`](crate::stats::ols::OlsFit::table_for);
/// a covariate called `treated` is a repeated term.
pub fn weighted_effect(
    outcome: &[f64],
    treated: &[bool],
    covariates: &[Term<'_>],
    weights: &Weights,
    variance: &Variance,
    level: ConfidenceLevel,
) -> Result<Coefficient> {
    let t: Vec<f64> = treated.iter().map(|&b| f64::from(u8::from(b))).collect();
    let mut terms = vec![Term::new(TREATMENT_TERM, &t)];
    terms.extend(covariates.iter().copied());
    let fit = fit_ols(outcome, &terms, Intercept::Included, Some(weights))?;
    let table = fit.table_for(&[TREATMENT_TERM], variance, level)?;
    table
        .coefficients
        .into_iter()
        .next()
        .ok_or_else(|| Error::numerical("weighted effect", "no treatment coefficient"))
}

/// An augmented IPW (doubly robust) estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct AipwResult {
    /// The estimand.
    pub estimand: Estimand,
    /// The estimate with its influence-function standard error and normal
    /// interval.
    pub estimate: Estimate,
    /// The outcome-model prediction under control, `μ₀(xᵢ)`, for every unit.
    pub mu0: Vec<f64>,
    /// The prediction under treatment, `μ₁(xᵢ)` (ATE only; empty for the ATT).
    pub mu1: Vec<f64>,
}

/// Fit `y ~ covariates` by OLS on the units of one arm and predict every unit.
fn arm_predictions(
    outcome: &[f64],
    treated: &[bool],
    covariates: &[Term<'_>],
    arm: bool,
) -> Result<Vec<f64>> {
    let idx: Vec<usize> = (0..outcome.len()).filter(|&i| treated[i] == arm).collect();
    let y: Vec<f64> = idx.iter().map(|&i| outcome[i]).collect();
    let cols: Vec<Vec<f64>> = covariates
        .iter()
        .map(|t| idx.iter().map(|&i| t.values()[i]).collect())
        .collect();
    let terms: Vec<Term<'_>> = covariates
        .iter()
        .zip(&cols)
        .map(|(t, c)| Term::new(t.name(), c))
        .collect();
    let fit = fit_ols(&y, &terms, Intercept::Included, None)?;
    let b = fit.coefficients();
    Ok((0..outcome.len())
        .map(|i| {
            b[0] + covariates
                .iter()
                .zip(&b[1..])
                .map(|(t, bj)| bj * t.values()[i])
                .sum::<f64>()
        })
        .collect())
}

/// Augmented inverse-probability-weighted estimate of the ATE or the ATT,
/// with linear outcome models `outcome ~ covariates` fitted by OLS within each
/// arm (the control arm only for the ATT) and the propensity scores `score`.
///
/// ATE: `ψᵢ = μ₁ᵢ − μ₀ᵢ + Tᵢ(yᵢ − μ₁ᵢ)/eᵢ − (1 − Tᵢ)(yᵢ − μ₀ᵢ)/(1 − eᵢ)`, `τ = mean ψ`,
/// `se = sqrt(Σ(ψᵢ − τ)²)/n`.
/// ATT: `τ = Σ[Tᵢ(yᵢ − μ₀ᵢ) − (1 − Tᵢ) eᵢ/(1 − eᵢ) (yᵢ − μ₀ᵢ)] / n_t`, influence
/// `φᵢ = [Tᵢ(yᵢ − μ₀ᵢ − τ) − (1 − Tᵢ) eᵢ/(1 − eᵢ)(yᵢ − μ₀ᵢ)] n / n_t`,
/// `se = sqrt(Σφᵢ²)/n`. The nuisance models are treated as known (the usual
/// influence-function standard error). Intervals are normal.
///
/// # Errors
/// * lengths differ, an arm is empty, or a score is not strictly in (0, 1);
/// * a non-finite outcome, or an outcome model that [`fit_ols`] refuses.
pub fn aipw(
    outcome: &[f64],
    treated: &[bool],
    score: &[f64],
    covariates: &[Term<'_>],
    estimand: Estimand,
    level: ConfidenceLevel,
) -> Result<AipwResult> {
    const WHAT: &str = "augmented IPW";
    let n = outcome.len();
    check_same_len(WHAT, "treated", treated.len(), n)?;
    check_same_len(WHAT, "score", score.len(), n)?;
    for t in covariates {
        check_same_len(WHAT, t.name(), t.values().len(), n)?;
    }
    let (nt, _) = arm_counts(WHAT, treated)?;
    for (i, y) in outcome.iter().enumerate() {
        if !y.is_finite() {
            return Err(Error::invalid_value(
                Location::source("outcome").row(i as u64 + 1),
                y.to_string(),
                "outcomes must be finite",
            ));
        }
    }
    for (i, e) in score.iter().enumerate() {
        if !(e.is_finite() && *e > 0.0 && *e < 1.0) {
            return Err(Error::invalid_value(
                Location::source("propensity score").row(i as u64 + 1),
                e.to_string(),
                "a propensity score must be strictly between 0 and 1",
            ));
        }
    }
    let mu0 = arm_predictions(outcome, treated, covariates, false)?;
    let nf = n as f64;
    let (value, infl, mu1) = match estimand {
        Estimand::Ate => {
            let mu1 = arm_predictions(outcome, treated, covariates, true)?;
            let psi: Vec<f64> = (0..n)
                .map(|i| {
                    let (y, e) = (outcome[i], score[i]);
                    if treated[i] {
                        mu1[i] - mu0[i] + (y - mu1[i]) / e
                    } else {
                        mu1[i] - mu0[i] - (y - mu0[i]) / (1.0 - e)
                    }
                })
                .collect();
            let tau = psi.iter().sum::<f64>() / nf;
            let infl: Vec<f64> = psi.iter().map(|v| v - tau).collect();
            (tau, infl, mu1)
        }
        Estimand::Att => {
            let ntf = nt as f64;
            let r: Vec<f64> = (0..n).map(|i| outcome[i] - mu0[i]).collect();
            let tau = (0..n)
                .map(|i| {
                    let e = score[i];
                    if treated[i] {
                        r[i]
                    } else {
                        -e / (1.0 - e) * r[i]
                    }
                })
                .sum::<f64>()
                / ntf;
            let infl: Vec<f64> = (0..n)
                .map(|i| {
                    let e = score[i];
                    let v = if treated[i] {
                        r[i] - tau
                    } else {
                        -e / (1.0 - e) * r[i]
                    };
                    v * nf / ntf
                })
                .collect();
            (tau, infl, Vec::new())
        }
    };
    let se = infl.iter().map(|v| v * v).sum::<f64>().sqrt() / nf;
    if !(value.is_finite() && se.is_finite()) {
        return Err(Error::numerical(
            WHAT,
            "the estimate or its standard error is not finite",
        ));
    }
    Ok(AipwResult {
        estimand,
        estimate: z_estimate(value, se, level, n),
        mu0,
        mu1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use proptest::prelude::*;

    fn synthetic(n: usize, seed: u64) -> (Vec<Covariate>, Vec<bool>, Vec<f64>) {
        let mut rng = Rng::new(seed);
        let mut age = Vec::new();
        let mut flag = Vec::new();
        let mut area = Vec::new();
        let mut t = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let a = 20.0 + 40.0 * rng.uniform();
            let f = f64::from(u8::from(rng.uniform() < 0.4));
            let ar = ["n", "s", "w"][(rng.uniform() * 3.0) as usize % 3];
            let lin = -2.0 + 0.04 * a + 0.8 * f + if ar == "s" { 0.5 } else { 0.0 };
            let e = 1.0 / (1.0 + (-lin).exp());
            let tr = rng.uniform() < e;
            age.push(a);
            flag.push(f);
            area.push(ar.to_string());
            t.push(tr);
            y.push(1.0 + 0.1 * a + f + if tr { 2.0 } else { 0.0 } + rng.uniform());
        }
        (
            vec![
                Covariate::numeric("age", age),
                Covariate::numeric("flag", flag),
                Covariate::categorical("area", area),
            ],
            t,
            y,
        )
    }

    #[test]
    fn entropy_balance_matches_treated_means() {
        let (cov, t, _) = synthetic(400, 7);
        for m in [Moments::Means, Moments::MeansAndSquares] {
            let eb = entropy_balance(&cov, &t, m, EntropyControl::default()).unwrap();
            assert!(eb.max_std_imbalance < 1e-10);
            let tab = weighted_balance(&cov, &t, &eb.weights, SmdDenominator::TreatedSd).unwrap();
            for r in &tab.rows {
                assert!((r.mean_treated - r.mean_control).abs() < 1e-8, "{r:?}");
            }
            let nc = t.iter().filter(|v| !**v).count() as f64;
            let sc: f64 = eb
                .weights
                .iter()
                .zip(&t)
                .filter(|(_, &t)| !t)
                .map(|(w, _)| w)
                .sum();
            assert!((sc - nc).abs() < 1e-8);
        }
    }

    #[test]
    fn infeasible_entropy_balance_is_an_error() {
        let cov = [Covariate::numeric("x", vec![5.0, 6.0, 1.0, 2.0, 3.0])];
        let t = [true, true, false, false, false];
        let e = entropy_balance(&cov, &t, Moments::Means, EntropyControl::default()).unwrap_err();
        assert!(e.to_string().contains("infeasible"), "{e}");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let t = [true, false];
        assert!(propensity_weights(
            &[0.5, 1.0],
            &t,
            Estimand::Ate,
            Stabilisation::Unstabilised,
            Trimming::None
        )
        .is_err());
        assert!(propensity_weights(
            &[0.5],
            &t,
            Estimand::Ate,
            Stabilisation::Unstabilised,
            Trimming::None
        )
        .is_err());
        assert!(propensity_weights(
            &[0.5, 0.5],
            &[true, true],
            Estimand::Ate,
            Stabilisation::Unstabilised,
            Trimming::None
        )
        .is_err());
        assert!(propensity_weights(
            &[0.5, 0.5],
            &t,
            Estimand::Att,
            Stabilisation::Stabilised,
            Trimming::None
        )
        .is_err());
        assert!(TrimQuantile::new(0.5).is_err());
        assert!(effective_sample_size(&[1.0, f64::NAN], &t).is_err());
        assert!(effective_sample_size(&[1.0, 0.0], &t).is_err());
        assert!(EntropyControl::new(0.0, 10).is_err());
    }

    #[test]
    fn aipw_recovers_a_constant_effect() {
        let (cov, t, y) = synthetic(600, 11);
        let model =
            super::super::PropensityModel::fit(&cov, &t, super::super::Link::Logit).unwrap();
        let e = model.scores(super::super::ScoreScale::Probability);
        let age = match cov[0].values() {
            super::super::CovariateValues::Numeric(v) => v.clone(),
            _ => unreachable!(),
        };
        let flag = match cov[1].values() {
            super::super::CovariateValues::Numeric(v) => v.clone(),
            _ => unreachable!(),
        };
        let terms = [Term::new("age", &age), Term::new("flag", &flag)];
        for est in [Estimand::Ate, Estimand::Att] {
            let r = aipw(&y, &t, &e, &terms, est, ConfidenceLevel::default()).unwrap();
            assert!(
                (r.estimate.value - 2.0).abs() < 0.2,
                "{est:?} {:?}",
                r.estimate
            );
        }
    }

    proptest! {
        #[test]
        fn entropy_balanced_control_means_equal_treated_means(
            controls in prop::collection::vec((0.0f64..1.0, any::<bool>(), 0u8..3), 30..80),
            treated in prop::collection::vec((0.3f64..0.7, 0.3f64..0.7, 0u8..3), 5..30),
        ) {
            let mut age = Vec::new();
            let mut flag = Vec::new();
            let mut area = Vec::new();
            let mut t = Vec::new();
            for (a, f, r) in &controls {
                age.push(*a);
                flag.push(f64::from(u8::from(*f)));
                area.push(r.to_string());
                t.push(false);
            }
            for (i, (a, f, r)) in treated.iter().enumerate() {
                age.push(*a);
                // Alternate the flag around its target so its treated mean is interior.
                flag.push(f64::from(u8::from(*f < 0.5 || i % 2 == 0)));
                area.push(r.to_string());
                t.push(true);
            }
            let cov = [
                Covariate::numeric("age", age),
                Covariate::numeric("flag", flag),
                Covariate::categorical("area", area),
            ];
            prop_assume!(DesignMatrix::new(&cov).is_ok());
            match entropy_balance(&cov, &t, Moments::Means, EntropyControl::default()) {
                Ok(eb) => {
                    let tab = weighted_balance(&cov, &t, &eb.weights, SmdDenominator::TreatedSd).unwrap();
                    for r in &tab.rows {
                        prop_assert!((r.mean_treated - r.mean_control).abs() < 1e-8, "{:?}", r);
                    }
                    let nc = controls.len() as f64;
                    prop_assert!(eb.ess.control <= nc + 1e-9);
                    prop_assert!(eb.weights.iter().zip(&t).all(|(w, &ti)| !ti || *w == 1.0));
                }
                // Random controls need not surround the treated means (infeasible).
                Err(e) => {
                    let numerical = matches!(e.kind(), crate::error::ErrorKind::Numerical { .. });
                    prop_assert!(numerical, "{}", e);
                }
            }
        }

        #[test]
        fn weights_conventions_and_ess(
            raw in prop::collection::vec((0.02f64..0.98, any::<bool>()), 4..60),
            q in 0.01f64..0.4,
        ) {
            let score: Vec<f64> = raw.iter().map(|r| r.0).collect();
            let t: Vec<bool> = raw.iter().map(|r| r.1).collect();
            prop_assume!(t.iter().any(|v| *v) && t.iter().any(|v| !*v));
            let nt = t.iter().filter(|v| **v).count() as f64;
            let nc = t.len() as f64 - nt;
            for trim in [Trimming::None, Trimming::Score(TrimQuantile::new(q).unwrap()), Trimming::Weights(TrimQuantile::new(q).unwrap())] {
                let w = propensity_weights(&score, &t, Estimand::Att, Stabilisation::Unstabilised, trim).unwrap();
                for (wi, &ti) in w.weights.iter().zip(&t) {
                    if ti { prop_assert_eq!(*wi, 1.0); }
                }
                for (est, st) in [(Estimand::Att, Stabilisation::Unstabilised), (Estimand::Ate, Stabilisation::Unstabilised), (Estimand::Ate, Stabilisation::Stabilised)] {
                    let w = propensity_weights(&score, &t, est, st, trim).unwrap();
                    let norm = normalise_by_arm(&w.weights, &t).unwrap();
                    let s1: f64 = norm.iter().zip(&t).filter(|(_, &x)| x).map(|(w, _)| w).sum();
                    let s0: f64 = norm.iter().zip(&t).filter(|(_, &x)| !x).map(|(w, _)| w).sum();
                    prop_assert!((s1 - nt).abs() < 1e-9 && (s0 - nc).abs() < 1e-9);
                    prop_assert!(w.ess.treated <= nt + 1e-9 && w.ess.control <= nc + 1e-9);
                    prop_assert!(w.ess.treated > 0.0 && w.ess.control > 0.0);
                }
            }
        }
    }
}
