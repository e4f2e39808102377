//! Ordinary and weighted least squares with named terms, and the variance
//! estimators evaluation work needs: classical (iid), heteroskedasticity-
//! consistent HC0/HC1, and cluster-robust CR1.
//!
//! The fit reproduces R's `lm()` (coefficients, residual standard error,
//! R², adjusted R²) and the variances reproduce `sandwich::vcovHC(fit,
//! type = "HC0" | "HC1")` and `sandwich::vcovCL(fit, cluster = ~g)` (whose
//! default is `type = "HC1"`, `cadjust = TRUE`). Coefficient tables follow
//! `lmtest::coeftest(fit, vcov = V)`: t statistics referred to a t
//! distribution with the residual degrees of freedom `n − k`, for every
//! variance estimator, including the cluster-robust one. See METHODS.md for
//! the formulas.
//!
//! The design is factored by Householder QR of `√w·X` in the order the terms
//! are given. A term whose column, after removing its projection on the
//! earlier terms, keeps less than `1e-7` of its norm is *aliased* (R's `lm`
//! would report `NA` for it, using the same tolerance in `dqrdc2`); here that
//! is an [`Error`] naming the term.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, StudentsT};

use crate::error::{Error, Location, Result};
use crate::stats::{ConfidenceLevel, Interval};

/// The name R gives the intercept, used for the intercept term here too.
pub const INTERCEPT: &str = "(Intercept)";

/// Relative tolerance for declaring a term aliased (R's `lm` `tol = 1e-7`).
const ALIAS_TOLERANCE: f64 = 1e-7;

/// One named numeric regressor: a column of the design matrix.
#[derive(Debug, Clone, Copy)]
pub struct Term<'a> {
    name: &'a str,
    values: &'a [f64],
}

impl<'a> Term<'a> {
    /// A regressor called `name` with one value per observation.
    pub fn new(name: &'a str, values: &'a [f64]) -> Self {
        Term { name, values }
    }

    /// The term's name.
    pub fn name(&self) -> &str {
        self.name
    }

    /// The term's values.
    pub fn values(&self) -> &[f64] {
        self.values
    }
}

/// Whether the model has an intercept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Intercept {
    /// Include a constant term, named [`INTERCEPT`], first (R's default).
    #[default]
    Included,
    /// No constant term (R's `y ~ 0 + ...`).
    Excluded,
}

/// Validated observation weights for weighted least squares.
///
/// Weights are case weights in the sense of R's `lm(weights = w)`: the fit
/// minimises `Σ wᵢ eᵢ²`. Observations with weight 0 are dropped from the fit,
/// so results equal `lm(..., subset = w > 0)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights(Vec<f64>);

impl Weights {
    /// Weights, one per observation.
    ///
    /// # Errors
    /// If any weight is negative, NaN or infinite, or if no weight is positive.
    pub fn new(values: Vec<f64>) -> Result<Self> {
        for (i, w) in values.iter().enumerate() {
            if !w.is_finite() || *w < 0.0 {
                return Err(Error::invalid_value(
                    Location::source("weights").row(i as u64 + 1),
                    w.to_string(),
                    "weights must be finite and non-negative",
                ));
            }
        }
        if !values.iter().any(|w| *w > 0.0) {
            return Err(Error::insufficient_data(
                "weights",
                "no observation has a positive weight",
            ));
        }
        Ok(Weights(values))
    }

    /// The weights.
    pub fn values(&self) -> &[f64] {
        &self.0
    }
}

/// Cluster membership: one cluster label per observation, stored as dense
/// codes. Labels can be any hashable type (pair ids, store ids, names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clusters {
    codes: Vec<usize>,
    count: usize,
}

impl Clusters {
    /// Cluster membership from one label per observation.
    pub fn new<T: Hash + Eq>(labels: &[T]) -> Self {
        let mut map: HashMap<&T, usize> = HashMap::new();
        let mut codes = Vec::with_capacity(labels.len());
        for l in labels {
            let next = map.len();
            codes.push(*map.entry(l).or_insert(next));
        }
        let count = map.len();
        Clusters { codes, count }
    }

    /// The dense cluster code (0-based, in order of first appearance) of each
    /// observation.
    pub fn codes(&self) -> &[usize] {
        &self.codes
    }

    /// Number of distinct clusters.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when there are no observations.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// Which variance estimator to use for the coefficients.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Variance {
    /// Classical: `σ̂² (X'WX)⁻¹` with `σ̂² = Σ wᵢeᵢ² / (n − k)` (R `vcov(lm)`).
    Classical,
    /// White's HC0: `B (Σ wᵢ² eᵢ² xᵢxᵢ') B`, `B = (X'WX)⁻¹`
    /// (`sandwich::vcovHC(type = "HC0")`).
    Hc0,
    /// HC1: HC0 × `n / (n − k)` (`sandwich::vcovHC(type = "HC1")`, Stata's
    /// `robust`).
    Hc1,
    /// Cluster-robust CR1: `B (Σ_g u_g u_g') B × G/(G−1) × (n−1)/(n−k)`,
    /// `u_g = Σ_{i∈g} wᵢ eᵢ xᵢ` (`sandwich::vcovCL(cluster = ~g)` defaults:
    /// `type = "HC1"`, `cadjust = TRUE`).
    Cluster(Clusters),
}

impl Variance {
    /// A short label for reports ("classical", "HC0", "HC1", "CR1").
    pub fn label(&self) -> &'static str {
        match self {
            Variance::Classical => "classical",
            Variance::Hc0 => "HC0",
            Variance::Hc1 => "HC1",
            Variance::Cluster(_) => "CR1",
        }
    }
}

/// A covariance matrix of named coefficients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Covariance {
    /// Term names, in model order.
    pub names: Vec<String>,
    /// The `k × k` matrix, row-major.
    pub matrix: Vec<f64>,
    /// The estimator used.
    pub estimator: &'static str,
    /// Number of clusters, for cluster-robust estimators.
    pub clusters: Option<usize>,
}

impl Covariance {
    /// Number of terms.
    pub fn dim(&self) -> usize {
        self.names.len()
    }

    /// Element `(i, j)`, if in range.
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        let k = self.dim();
        if i < k && j < k {
            self.matrix.get(i * k + j).copied()
        } else {
            None
        }
    }

    /// Standard errors: square roots of the diagonal.
    pub fn std_errors(&self) -> Vec<f64> {
        let k = self.dim();
        (0..k)
            .map(|i| {
                self.matrix
                    .get(i * k + i)
                    .copied()
                    .unwrap_or(f64::NAN)
                    .max(0.0)
                    .sqrt()
            })
            .collect()
    }
}

/// One row of a coefficient table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// Term name (`"(Intercept)"` for the intercept).
    pub term: String,
    /// Point estimate.
    pub estimate: f64,
    /// Standard error under the table's variance estimator.
    pub std_error: f64,
    /// `estimate / std_error`; `None` when the standard error is 0.
    pub t_value: Option<f64>,
    /// Two-sided p-value from the t distribution with the table's `df`;
    /// `None` when the t statistic is undefined.
    pub p_value: Option<f64>,
    /// `estimate ± t_{1−α/2, df} · std_error` (R `coefci`).
    pub ci: Interval,
}

/// A coefficient table, as printed by `lmtest::coeftest(fit, vcov = V)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoefficientTable {
    /// Variance estimator label ("classical", "HC0", "HC1", "CR1").
    pub estimator: &'static str,
    /// Degrees of freedom of the t reference distribution: `n − k`.
    pub df: f64,
    /// Confidence level of the intervals.
    pub level: f64,
    /// Number of clusters, for cluster-robust estimators.
    pub clusters: Option<usize>,
    /// One row per term, in model order.
    pub coefficients: Vec<Coefficient>,
}

impl CoefficientTable {
    /// The row for `term`, if present.
    pub fn get(&self, term: &str) -> Option<&Coefficient> {
        self.coefficients.iter().find(|c| c.term == term)
    }
}

/// A Wald test that several coefficients are jointly zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaldTest {
    /// The terms tested.
    pub terms: Vec<String>,
    /// Variance estimator label used for the test.
    pub estimator: &'static str,
    /// `W = b' V⁻¹ b`, referred to χ² with `q` degrees of freedom.
    pub chi_square: f64,
    /// p-value of `chi_square` on `q` df.
    pub chi_square_p_value: f64,
    /// `F = W / q`, referred to F(q, n − k) (R `car::linearHypothesis(...,
    /// vcov. = V, test = "F")`).
    pub f_statistic: f64,
    /// Numerator df `q` (number of restrictions).
    pub df_numerator: usize,
    /// Denominator df `n − k`.
    pub df_denominator: f64,
    /// p-value of `f_statistic`.
    pub f_p_value: f64,
}

/// A fitted least-squares model.
#[derive(Debug, Clone)]
pub struct OlsFit {
    names: Vec<String>,
    coefficients: Vec<f64>,
    /// Design columns (unweighted) of the rows used, column-major `k × n`.
    columns: Vec<Vec<f64>>,
    /// Response of rows used.
    response: Vec<f64>,
    /// Weights of rows used (all 1 when unweighted).
    weights: Vec<f64>,
    /// Index (into the caller's rows) of each row used.
    used: Vec<usize>,
    residuals: Vec<f64>,
    fitted: Vec<f64>,
    /// `(X'WX)⁻¹`, row-major.
    bread: Vec<f64>,
    intercept: Intercept,
    weighted: bool,
    /// Number of observations given to the fit (including zero weights).
    n_input: usize,
    /// Absorbed fixed effect: group code of each row used, and the number
    /// of groups (parameters partialled out).
    absorbed: Option<(Vec<usize>, usize)>,
    /// `Σ wᵢ ỹᵢ²` of the demeaned response, for absorbed fits.
    within_tss: Option<f64>,
    /// The fit is exact to rounding (R's "essentially perfect fit"): no t, p
    /// or interval is defined.
    exact: bool,
}

/// Fit `y ~ terms` by (weighted) least squares.
///
/// `intercept` adds a leading constant named `"(Intercept)"`. With
/// `weights`, the fit minimises `Σ wᵢ(yᵢ − xᵢ'β)²` like `lm(weights = w)`;
/// observations with weight 0 are dropped.
///
/// # Errors
/// * a term, the response or the weights have a length different from the
///   response's;
/// * a value is NaN or infinite (the error names the term and 1-based row);
/// * term names are empty or repeated, or a term is called `"(Intercept)"`
///   while the intercept is included;
/// * fewer observations (with positive weight) than terms;
/// * the design is singular: the error names the first aliased term (the
///   first, in model order, that is a linear combination of earlier ones).
pub fn fit_ols(
    response: &[f64],
    terms: &[Term<'_>],
    intercept: Intercept,
    weights: Option<&Weights>,
) -> Result<OlsFit> {
    fit_core(response, terms, intercept, weights, None)
}

/// Fit `y ~ terms + factor(group)` by (weighted) least squares, absorbing the
/// group fixed effects by within-group (weighted) demeaning instead of
/// estimating a dummy per group (Frisch–Waugh–Lovell).
///
/// The coefficients, residuals, and the classical, HC0 and HC1 variances of
/// `terms` are exactly those of R's `lm(y ~ terms + factor(group))` (and
/// `sandwich::vcovHC`), because the degrees of freedom count every absorbed
/// group: `n − k − G`. The CR1 variance equals `vcovCL` on the dummy-variable
/// fit when every group lies within one cluster (e.g. unit fixed effects,
/// clusters = units); other clusterings are refused. R² is the *within* R²,
/// `1 − RSS / Σ wᵢ ỹᵢ²` (ỹ demeaned); [`OlsFit::adj_r_squared`] is `None`.
/// There is no intercept (it is absorbed).
///
/// # Errors
/// As [`fit_ols`]; also if `group` does not have one label per observation,
/// and a term constant within every group is reported as aliased.
pub fn fit_ols_absorbing(
    response: &[f64],
    terms: &[Term<'_>],
    group: &Clusters,
    weights: Option<&Weights>,
) -> Result<OlsFit> {
    if group.len() != response.len() {
        return Err(Error::invalid_parameter(
            "group",
            group.len(),
            format!("need one group label per observation ({})", response.len()),
        ));
    }
    fit_core(response, terms, Intercept::Excluded, weights, Some(group))
}

fn fit_core(
    response: &[f64],
    terms: &[Term<'_>],
    intercept: Intercept,
    weights: Option<&Weights>,
    absorb: Option<&Clusters>,
) -> Result<OlsFit> {
    let n_all = response.len();
    let mut names: Vec<String> = Vec::with_capacity(terms.len() + 1);
    if intercept == Intercept::Included {
        names.push(INTERCEPT.to_string());
    }
    for t in terms {
        if t.name.is_empty() {
            return Err(Error::invalid_parameter(
                "terms",
                "\"\"",
                "every term needs a non-empty name",
            ));
        }
        if names.iter().any(|n| n == t.name) {
            return Err(Error::invalid_parameter(
                "terms",
                t.name,
                "term names must be unique (and not \"(Intercept)\" when the intercept is included)",
            ));
        }
        if t.values.len() != n_all {
            return Err(Error::invalid_parameter(
                "terms",
                t.name,
                format!(
                    "term has {} values but the response has {}",
                    t.values.len(),
                    n_all
                ),
            ));
        }
        names.push(t.name.to_string());
    }
    if names.is_empty() {
        return Err(Error::invalid_parameter(
            "terms",
            "none",
            "the model needs at least one term or an intercept",
        ));
    }
    for (i, y) in response.iter().enumerate() {
        if !y.is_finite() {
            return Err(Error::invalid_value(
                Location::source("ols").row(i as u64 + 1).column("response"),
                y.to_string(),
                "the response must be finite (drop missing values first)",
            ));
        }
    }
    for t in terms {
        for (i, x) in t.values.iter().enumerate() {
            if !x.is_finite() {
                return Err(Error::invalid_value(
                    Location::source("ols").row(i as u64 + 1).column(t.name),
                    x.to_string(),
                    "regressors must be finite (drop missing values first)",
                ));
            }
        }
    }
    let w_all: Vec<f64> = match weights {
        Some(w) => {
            if w.0.len() != n_all {
                return Err(Error::invalid_parameter(
                    "weights",
                    w.0.len(),
                    format!("must have one weight per observation ({n_all})"),
                ));
            }
            w.0.clone()
        }
        None => vec![1.0; n_all],
    };
    let used: Vec<usize> = (0..n_all).filter(|&i| w_all[i] > 0.0).collect();
    let n = used.len();
    let k = names.len();
    // Absorbed groups among the rows used, recoded densely.
    let absorbed: Option<(Vec<usize>, usize)> = absorb.map(|g| {
        let codes: Vec<usize> = used
            .iter()
            .map(|&i| g.codes.get(i).copied().unwrap_or(0))
            .collect();
        let dense = Clusters::new(&codes);
        let count = dense.count();
        (dense.codes, count)
    });
    let k_absorbed = absorbed.as_ref().map_or(0, |(_, g)| *g);
    if n <= k + k_absorbed {
        return Err(Error::insufficient_data(
            "least-squares fit",
            format!(
                "{n} observations with positive weight for {} parameters; need more observations than parameters",
                k + k_absorbed
            ),
        ));
    }
    let weights_used: Vec<f64> = used.iter().map(|&i| w_all[i]).collect();
    let y: Vec<f64> = used.iter().map(|&i| response[i]).collect();
    let mut columns: Vec<Vec<f64>> = Vec::with_capacity(k);
    if intercept == Intercept::Included {
        columns.push(vec![1.0; n]);
    }
    for t in terms {
        columns.push(used.iter().map(|&i| t.values[i]).collect());
    }
    let sw: Vec<f64> = weights_used.iter().map(|w| w.sqrt()).collect();
    // Norms before demeaning, the reference for the alias tolerance.
    let raw_norms: Vec<f64> = columns
        .iter()
        .map(|c| norm(&c.iter().zip(&sw).map(|(x, s)| x * s).collect::<Vec<f64>>()))
        .collect();
    let y_original = y.clone();
    let mut y = y;
    if let Some((codes, g)) = &absorbed {
        let mut wsum = vec![0.0; *g];
        for (c, w) in codes.iter().zip(&weights_used) {
            wsum[*c] += w;
        }
        let demean = |v: &mut Vec<f64>| {
            let mut m = vec![0.0; wsum.len()];
            for ((c, x), w) in codes.iter().zip(v.iter()).zip(&weights_used) {
                m[*c] += w * x;
            }
            for (c, x) in codes.iter().zip(v.iter_mut()) {
                *x -= m[*c] / wsum[*c];
            }
        };
        demean(&mut y);
        for c in columns.iter_mut() {
            demean(c);
        }
    }

    // Householder QR of √w·X, in term order, with R's alias rule.
    let mut reflectors: Vec<(Vec<f64>, f64)> = Vec::with_capacity(k);
    let mut r = vec![0.0; k * k];
    for j in 0..k {
        let mut col: Vec<f64> = columns[j].iter().zip(&sw).map(|(x, s)| x * s).collect();
        let orig = raw_norms[j];
        for (p, (v, beta)) in reflectors.iter().enumerate() {
            apply_reflector(&mut col[p..], v, *beta);
        }
        let tail = norm(&col[j..]);
        if orig == 0.0 || tail <= ALIAS_TOLERANCE * orig {
            let earlier = names[..j].join(", ");
            let detail = if j == 0 && absorbed.is_none() {
                format!("term `{}` is identically zero", names[j])
            } else if orig == 0.0 {
                format!("term `{}` is identically zero (among rows used)", names[j])
            } else if j == 0 && absorbed.is_some() {
                format!(
                    "design matrix is singular: term `{}` is constant within every absorbed group",
                    names[j]
                )
            } else {
                format!(
                    "design matrix is singular: term `{}` is a linear combination of earlier terms ({earlier}); R's lm would report NA for it",
                    names[j]
                )
            };
            return Err(Error::numerical("least-squares fit", detail));
        }
        for p in 0..j {
            r[p * k + j] = col[p];
        }
        let (v, beta, alpha) = householder(&col[j..]);
        r[j * k + j] = alpha;
        reflectors.push((v, beta));
    }
    // Q'(√w y)
    let mut qty: Vec<f64> = y.iter().zip(&sw).map(|(a, s)| a * s).collect();
    for (p, (v, beta)) in reflectors.iter().enumerate() {
        apply_reflector(&mut qty[p..], v, *beta);
    }
    // Back-substitution R β = (Q'y)[..k]
    let mut beta = vec![0.0; k];
    for i in (0..k).rev() {
        let mut s = qty[i];
        for j in (i + 1)..k {
            s -= r[i * k + j] * beta[j];
        }
        beta[i] = s / r[i * k + i];
    }
    // R⁻¹ (upper triangular), then (X'WX)⁻¹ = R⁻¹ R⁻ᵀ.
    let mut rinv = vec![0.0; k * k];
    for j in 0..k {
        rinv[j * k + j] = 1.0 / r[j * k + j];
        for i in (0..j).rev() {
            let mut s = 0.0;
            for m in (i + 1)..=j {
                s += r[i * k + m] * rinv[m * k + j];
            }
            rinv[i * k + j] = -s / r[i * k + i];
        }
    }
    let mut bread = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            let mut s = 0.0;
            for m in i.max(j)..k {
                s += rinv[i * k + m] * rinv[j * k + m];
            }
            bread[i * k + j] = s;
        }
    }
    let fitted: Vec<f64> = (0..n)
        .map(|i| (0..k).map(|j| columns[j][i] * beta[j]).sum())
        .collect();
    let residuals: Vec<f64> = y.iter().zip(&fitted).map(|(a, f)| a - f).collect();
    // Within sum of squares (absorbed fits) for the within R²; fitted values
    // on the original scale include the absorbed effects.
    let within_tss: Option<f64> = absorbed
        .as_ref()
        .map(|_| y.iter().zip(&weights_used).map(|(v, w)| w * v * v).sum());
    let fitted: Vec<f64> = y_original
        .iter()
        .zip(&residuals)
        .map(|(a, e)| a - e)
        .collect();
    if beta.iter().any(|b| !b.is_finite()) {
        return Err(Error::numerical(
            "least-squares fit",
            "coefficients are not finite (values too large for double precision)",
        ));
    }
    let rss: f64 = residuals
        .iter()
        .zip(&weights_used)
        .map(|(e, w)| w * e * e)
        .sum();
    if !rss.is_finite() || bread.iter().any(|b| !b.is_finite()) {
        return Err(Error::numerical(
            "least-squares fit",
            "the residuals or the covariance are not finite (values too large for double \
             precision: rescale the outcome or the regressors)",
        ));
    }
    let exact = essentially_perfect(rss, n, k + k_absorbed, &fitted);
    Ok(OlsFit {
        names,
        coefficients: beta,
        columns,
        response: y_original,
        weights: weights_used,
        used,
        residuals,
        fitted,
        bread,
        intercept,
        weighted: weights.is_some(),
        n_input: n_all,
        absorbed,
        within_tss,
        exact,
    })
}

/// R's `summary.lm` test for an "essentially perfect fit": the residual
/// variance below `1e-30 · (mean(f)² + var(f))` of the fitted values `f`. The
/// residuals are then rounding error, and so would be any t or p computed from
/// them (a constant outcome gives an "effect" of 1e-17 with p = 1e-50).
fn essentially_perfect(rss: f64, n: usize, params: usize, fitted: &[f64]) -> bool {
    if n <= params || fitted.is_empty() {
        return false;
    }
    let resvar = rss / (n - params) as f64;
    let m = fitted.iter().sum::<f64>() / fitted.len() as f64;
    let var = if fitted.len() > 1 {
        fitted.iter().map(|f| (f - m) * (f - m)).sum::<f64>() / (fitted.len() - 1) as f64
    } else {
        0.0
    };
    resvar < (m * m + var) * 1e-30 || (rss == 0.0)
}

fn norm(x: &[f64]) -> f64 {
    // Scaled to avoid overflow.
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 {
        return 0.0;
    }
    scale
        * x.iter()
            .map(|v| (v / scale) * (v / scale))
            .sum::<f64>()
            .sqrt()
}

/// Householder vector for `x`: returns `(v, beta, alpha)` with
/// `(I − beta v v') x = alpha e₁`.
fn householder(x: &[f64]) -> (Vec<f64>, f64, f64) {
    let nx = norm(x);
    let x0 = x.first().copied().unwrap_or(0.0);
    let alpha = if x0 >= 0.0 { -nx } else { nx };
    let mut v = x.to_vec();
    if let Some(v0) = v.first_mut() {
        *v0 -= alpha;
    }
    let vv: f64 = v.iter().map(|a| a * a).sum();
    let beta = if vv > 0.0 { 2.0 / vv } else { 0.0 };
    (v, beta, alpha)
}

fn apply_reflector(x: &mut [f64], v: &[f64], beta: f64) {
    let d: f64 = x.iter().zip(v).map(|(a, b)| a * b).sum();
    let s = beta * d;
    for (a, b) in x.iter_mut().zip(v) {
        *a -= s * b;
    }
}

impl OlsFit {
    /// Term names in model order (the intercept first when included).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Coefficients in model order.
    pub fn coefficients(&self) -> &[f64] {
        &self.coefficients
    }

    /// The coefficient of `term`, if the model has it.
    pub fn coefficient(&self, term: &str) -> Option<f64> {
        let j = self.names.iter().position(|n| n == term)?;
        self.coefficients.get(j).copied()
    }

    /// Residuals `yᵢ − ŷᵢ` (unweighted, like R's `residuals(lm)`) of the rows
    /// used.
    pub fn residuals(&self) -> &[f64] {
        &self.residuals
    }

    /// Fitted values `yᵢ − eᵢ` of the rows used (including absorbed fixed
    /// effects, for [`fit_ols_absorbing`] fits).
    pub fn fitted(&self) -> &[f64] {
        &self.fitted
    }

    /// Indices (0-based, into the caller's rows) of the rows used: all rows,
    /// less those with weight 0.
    pub fn rows_used(&self) -> &[usize] {
        &self.used
    }

    /// Number of observations used (positive weight).
    pub fn n(&self) -> usize {
        self.used.len()
    }

    /// Number of coefficients, including the intercept.
    pub fn k(&self) -> usize {
        self.names.len()
    }

    /// Whether the fit is exact to rounding (R `summary.lm`'s "essentially
    /// perfect fit": residual variance below 1e-30 of the fitted values'
    /// mean square), as with a constant outcome. Then every coefficient's t
    /// and p are `None`: the residuals are rounding error, not evidence.
    pub fn is_exact_fit(&self) -> bool {
        self.exact
    }

    /// Residual degrees of freedom `n − k` (`n − k − G` with `G` absorbed
    /// fixed-effect groups).
    pub fn df_residual(&self) -> usize {
        self.n() - self.k() - self.absorbed_groups()
    }

    /// Number of absorbed fixed-effect groups (0 for [`fit_ols`]).
    pub fn absorbed_groups(&self) -> usize {
        self.absorbed.as_ref().map_or(0, |(_, g)| *g)
    }

    /// Weighted residual sum of squares `Σ wᵢ eᵢ²`.
    pub fn rss(&self) -> f64 {
        self.residuals
            .iter()
            .zip(&self.weights)
            .map(|(e, w)| w * e * e)
            .sum()
    }

    /// Residual standard error `√(Σ wᵢeᵢ² / (n − k))` (R's "Residual
    /// standard error", Card & Krueger's "SER").
    pub fn residual_std_error(&self) -> f64 {
        (self.rss() / self.df_residual() as f64).sqrt()
    }

    /// R² as in `summary.lm`: `MSS / (MSS + RSS)`, with the MSS centred on the
    /// weighted mean of the fitted values when there is an intercept and
    /// uncentred otherwise. For [`fit_ols_absorbing`] fits, the within R²
    /// `1 − RSS / Σ wᵢ ỹᵢ²`. `None` when the denominator is 0.
    pub fn r_squared(&self) -> Option<f64> {
        if let Some(tss) = self.within_tss {
            return if tss > 0.0 {
                Some(1.0 - self.rss() / tss)
            } else {
                None
            };
        }
        let sw: f64 = self.weights.iter().sum();
        let m = match self.intercept {
            Intercept::Included => {
                self.fitted
                    .iter()
                    .zip(&self.weights)
                    .map(|(f, w)| w * f)
                    .sum::<f64>()
                    / sw
            }
            Intercept::Excluded => 0.0,
        };
        let mss: f64 = self
            .fitted
            .iter()
            .zip(&self.weights)
            .map(|(f, w)| w * (f - m) * (f - m))
            .sum();
        let rss = self.rss();
        let tot = mss + rss;
        if tot > 0.0 {
            Some(mss / tot)
        } else {
            None
        }
    }

    /// Adjusted R²: `1 − (1 − R²)(n − i)/(n − k)`, `i` = 1 with an intercept,
    /// else 0.
    pub fn adj_r_squared(&self) -> Option<f64> {
        if self.absorbed.is_some() {
            return None;
        }
        let r2 = self.r_squared()?;
        let i = match self.intercept {
            Intercept::Included => 1.0,
            Intercept::Excluded => 0.0,
        };
        Some(1.0 - (1.0 - r2) * (self.n() as f64 - i) / self.df_residual() as f64)
    }

    /// True if the fit used weights.
    pub fn is_weighted(&self) -> bool {
        self.weighted
    }

    /// The covariance matrix of the coefficients under `variance`.
    ///
    /// # Errors
    /// For [`Variance::Cluster`]: if the cluster vector's length differs
    /// from the number of observations given to [`fit_ols`], or fewer than 2
    /// clusters contain observations used in the fit.
    pub fn vcov(&self, variance: &Variance) -> Result<Covariance> {
        let idx: Vec<usize> = (0..self.k()).collect();
        let (matrix, clusters) = self.vcov_block(variance, &idx)?;
        Ok(Covariance {
            names: self.names.clone(),
            matrix,
            estimator: variance.label(),
            clusters,
        })
    }

    /// The `q × q` block (row-major) of the covariance matrix for the terms
    /// at `idx`, computed as `adj · (S B[:, idx])' (S B[:, idx])`, where `S`
    /// holds one score row per observation (HC) or per cluster (CR1). Cost is
    /// linear in `q`, so a few coefficients of a model with many fixed-effect
    /// dummies are cheap.
    fn vcov_block(&self, variance: &Variance, idx: &[usize]) -> Result<(Vec<f64>, Option<usize>)> {
        let k = self.k();
        let q = idx.len();
        let n = self.n() as f64;
        let dfr = self.df_residual() as f64;
        let b = &self.bread;
        let project = |score: &[f64], out: &mut [f64]| {
            for (a, &j) in idx.iter().enumerate() {
                out[a] = (0..k).map(|m| score[m] * b[m * k + j]).sum();
            }
        };
        let crossprod = |rows: &[Vec<f64>], adj: f64| -> Vec<f64> {
            let mut v = vec![0.0; q * q];
            for c in rows {
                for a in 0..q {
                    for bb in a..q {
                        v[a * q + bb] += c[a] * c[bb];
                    }
                }
            }
            for a in 0..q {
                for bb in 0..a {
                    v[a * q + bb] = v[bb * q + a];
                }
            }
            v.iter_mut().for_each(|x| *x *= adj);
            v
        };
        match variance {
            Variance::Classical => {
                let s2 = self.rss() / dfr;
                let mut v = vec![0.0; q * q];
                for (a, &i) in idx.iter().enumerate() {
                    for (c, &j) in idx.iter().enumerate() {
                        v[a * q + c] = b[i * k + j] * s2;
                    }
                }
                Ok((v, None))
            }
            Variance::Hc0 | Variance::Hc1 => {
                let mut score = vec![0.0; k];
                let rows: Vec<Vec<f64>> = (0..self.n())
                    .map(|i| {
                        self.score_into(i, &mut score);
                        let mut c = vec![0.0; q];
                        project(&score, &mut c);
                        c
                    })
                    .collect();
                let adj = if matches!(variance, Variance::Hc1) {
                    n / dfr
                } else {
                    1.0
                };
                Ok((crossprod(&rows, adj), None))
            }
            Variance::Cluster(cl) => {
                if cl.len() != self.n_input {
                    return Err(Error::invalid_parameter(
                        "clusters",
                        cl.len(),
                        format!(
                            "need one cluster label per observation given to the fit ({})",
                            self.n_input
                        ),
                    ));
                }
                if let Some((codes, g)) = &self.absorbed {
                    let mut owner: Vec<Option<usize>> = vec![None; *g];
                    for (i, &row) in self.used.iter().enumerate() {
                        let c = cl.codes.get(row).copied().unwrap_or(usize::MAX);
                        if let Some(slot) = codes.get(i).and_then(|f| owner.get_mut(*f)) {
                            match slot {
                                None => *slot = Some(c),
                                Some(prev) if *prev != c => {
                                    return Err(Error::invalid_parameter(
                                        "clusters",
                                        "not nested",
                                        "with absorbed fixed effects, each fixed-effect group must lie within one cluster",
                                    ))
                                }
                                Some(_) => {}
                            }
                        }
                    }
                }
                let mut sums: Vec<Option<Vec<f64>>> = vec![None; cl.count()];
                let mut score = vec![0.0; k];
                for (i, &row) in self.used.iter().enumerate() {
                    let g = cl.codes.get(row).copied().unwrap_or(usize::MAX);
                    self.score_into(i, &mut score);
                    if let Some(slot) = sums.get_mut(g) {
                        let acc = slot.get_or_insert_with(|| vec![0.0; k]);
                        for (a, s) in acc.iter_mut().zip(&score) {
                            *a += s;
                        }
                    }
                }
                let rows: Vec<Vec<f64>> = sums
                    .into_iter()
                    .flatten()
                    .map(|u| {
                        let mut c = vec![0.0; q];
                        project(&u, &mut c);
                        c
                    })
                    .collect();
                let g = rows.len();
                if g < 2 {
                    return Err(Error::insufficient_data(
                        "cluster-robust variance",
                        format!("{g} cluster(s) among the observations used; need at least 2"),
                    ));
                }
                let gf = g as f64;
                let adj = gf / (gf - 1.0) * (n - 1.0) / dfr;
                Ok((crossprod(&rows, adj), Some(g)))
            }
        }
    }

    /// Estimating-function row `wᵢ eᵢ xᵢ` (sandwich's `estfun.lm`).
    fn score_into(&self, i: usize, out: &mut [f64]) {
        let we = self.weights[i] * self.residuals[i];
        for (o, c) in out.iter_mut().zip(&self.columns) {
            *o = c[i] * we;
        }
    }

    fn indices(&self, terms: &[&str]) -> Result<Vec<usize>> {
        let mut idx = Vec::with_capacity(terms.len());
        for t in terms {
            let j = self.names.iter().position(|n| n == t).ok_or_else(|| {
                Error::invalid_parameter("terms", t, "not a term of the fitted model")
            })?;
            if idx.contains(&j) {
                return Err(Error::invalid_parameter("terms", t, "term listed twice"));
            }
            idx.push(j);
        }
        Ok(idx)
    }

    /// The coefficient table under `variance`, as `lmtest::coeftest(fit,
    /// vcov = V)` and `lmtest::coefci(fit, vcov = V, level)` print it: t with
    /// `n − k` df for every estimator.
    ///
    /// # Errors
    /// As [`OlsFit::vcov`].
    pub fn table(&self, variance: &Variance, level: ConfidenceLevel) -> Result<CoefficientTable> {
        let idx: Vec<usize> = (0..self.k()).collect();
        self.table_at(&idx, variance, level)
    }

    /// The rows of [`OlsFit::table`] for `terms` only (in the order given).
    /// Cheaper than the full table when the model has many terms (e.g.
    /// fixed-effect dummies) and only a few are wanted.
    ///
    /// # Errors
    /// If a term is not in the model or is repeated, and as [`OlsFit::vcov`].
    pub fn table_for(
        &self,
        terms: &[&str],
        variance: &Variance,
        level: ConfidenceLevel,
    ) -> Result<CoefficientTable> {
        let idx = self.indices(terms)?;
        self.table_at(&idx, variance, level)
    }

    fn table_at(
        &self,
        idx: &[usize],
        variance: &Variance,
        level: ConfidenceLevel,
    ) -> Result<CoefficientTable> {
        let (v, clusters) = self.vcov_block(variance, idx)?;
        let q = idx.len();
        let df = self.df_residual() as f64;
        let dist = StudentsT::new(0.0, 1.0, df)
            .map_err(|e| Error::numerical("t distribution", e.to_string()))?;
        let crit = dist.inverse_cdf(1.0 - level.alpha() / 2.0);
        let coefficients = idx
            .iter()
            .enumerate()
            .map(|(a, &j)| {
                let b = self.coefficients[j];
                let s = v[a * q + a].max(0.0).sqrt();
                let t = if s > 0.0 && !self.exact {
                    Some(b / s)
                } else {
                    None
                };
                let p = t.map(|t| (2.0 * dist.sf(t.abs())).min(1.0));
                Coefficient {
                    term: self.names[j].clone(),
                    estimate: b,
                    std_error: s,
                    t_value: t,
                    p_value: p,
                    ci: Interval::new(b - crit * s, b + crit * s),
                }
            })
            .collect();
        Ok(CoefficientTable {
            estimator: variance.label(),
            df,
            level: level.get(),
            clusters,
            coefficients,
        })
    }

    /// Wald test that the coefficients of `terms` are all zero, using the
    /// covariance from `variance`: `W = b' V⁻¹ b` on χ²(q), and `F = W/q` on
    /// F(q, n − k).
    ///
    /// # Errors
    /// If `terms` is empty, names a term not in the model or repeats one; if
    /// the covariance sub-matrix is singular; and as [`OlsFit::vcov`].
    pub fn wald_test(&self, terms: &[&str], variance: &Variance) -> Result<WaldTest> {
        if terms.is_empty() {
            return Err(Error::invalid_parameter(
                "terms",
                "none",
                "the Wald test needs at least one term",
            ));
        }
        let idx = self.indices(terms)?;
        let (v, _) = self.vcov_block(variance, &idx)?;
        let q = idx.len();
        let sub = nalgebra::DMatrix::from_fn(q, q, |a, b| v[a * q + b]);
        let b = nalgebra::DVector::from_fn(q, |a, _| self.coefficients[idx[a]]);
        let chol = nalgebra::linalg::Cholesky::new(sub).ok_or_else(|| {
            Error::numerical(
                "Wald test",
                format!(
                    "covariance matrix of ({}) is not positive definite",
                    terms.join(", ")
                ),
            )
        })?;
        let sol = chol.solve(&b);
        let w = b.dot(&sol);
        let dfd = self.df_residual() as f64;
        let chi = ChiSquared::new(q as f64)
            .map_err(|e| Error::numerical("chi-square distribution", e.to_string()))?;
        let fd = FisherSnedecor::new(q as f64, dfd)
            .map_err(|e| Error::numerical("F distribution", e.to_string()))?;
        let f = w / q as f64;
        Ok(WaldTest {
            terms: terms.iter().map(|t| t.to_string()).collect(),
            estimator: variance.label(),
            chi_square: w,
            chi_square_p_value: chi.sf(w),
            f_statistic: f,
            df_numerator: q,
            df_denominator: dfd,
            f_p_value: fd.sf(f),
        })
    }

    /// The response values of the rows used.
    pub fn response(&self) -> &[f64] {
        &self.response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A constant outcome (issue 13: "an effect of −5.6e-17 with p = 5.6e-50")
    /// is an essentially perfect fit by R `summary.lm`'s rule: no t and no p,
    /// under every variance; a fit with real residuals keeps them.
    #[test]
    fn a_constant_outcome_has_no_t_or_p() {
        let x: Vec<f64> = (0..40).map(|i| f64::from(i % 7)).collect();
        let treat: Vec<f64> = (0..40).map(|i| f64::from(i % 2)).collect();
        let y = vec![3.25; 40];
        let terms = [Term::new("treat", &treat), Term::new("x", &x)];
        let fit = fit_ols(&y, &terms, Intercept::Included, None).unwrap();
        assert!(fit.is_exact_fit());
        for v in [Variance::Classical, Variance::Hc0, Variance::Hc1] {
            let t = fit.table(&v, ConfidenceLevel::NINETY_FIVE).unwrap();
            for c in &t.coefficients {
                assert_eq!((c.t_value, c.p_value), (None, None), "{v:?} {}", c.term);
            }
        }
        let noisy: Vec<f64> = (0..40)
            .map(|i| 3.25 + f64::from((i * 37) % 11) * 0.1)
            .collect();
        let fit = fit_ols(&noisy, &terms, Intercept::Included, None).unwrap();
        assert!(!fit.is_exact_fit());
        let t = fit
            .table(&Variance::Classical, ConfidenceLevel::NINETY_FIVE)
            .unwrap();
        assert!(t.coefficients.iter().all(|c| c.p_value.is_some()));
    }

    /// One outcome of 1e308 (issue 13: "an estimate with an infinite interval
    /// and exit 0") is refused as an overflow, not reported.
    #[test]
    fn an_overflowing_outcome_is_refused() {
        let treat: Vec<f64> = (0..20).map(|i| f64::from(i % 2)).collect();
        let mut y: Vec<f64> = (0..20).map(f64::from).collect();
        y[3] = 1e308;
        let terms = [Term::new("treat", &treat)];
        let e = fit_ols(&y, &terms, Intercept::Included, None).unwrap_err();
        assert!(
            matches!(e.kind(), crate::error::ErrorKind::Numerical { .. }),
            "{e}"
        );
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn simple_regression_matches_closed_form() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.1, 5.9, 8.2, 9.8];
        let fit = fit_ols(&y, &[Term::new("x", &x)], Intercept::Included, None).unwrap();
        // slope = Sxy/Sxx
        let mx = 3.0;
        let my = y.iter().sum::<f64>() / 5.0;
        let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
        assert!(close(fit.coefficient("x").unwrap(), sxy / sxx, 1e-12));
        assert!(close(
            fit.coefficient(INTERCEPT).unwrap(),
            my - sxy / sxx * mx,
            1e-12
        ));
        let tab = fit
            .table(&Variance::Classical, ConfidenceLevel::NINETY_FIVE)
            .unwrap();
        let s2 = fit.rss() / 3.0;
        assert!(close(
            tab.get("x").unwrap().std_error,
            (s2 / sxx).sqrt(),
            1e-10
        ));
    }

    #[test]
    fn aliased_term_is_named() {
        let a = [1.0, 0.0, 1.0, 0.0, 1.0];
        let b = [0.0, 1.0, 0.0, 1.0, 0.0];
        let y = [1.0, 2.0, 3.0, 4.0, 5.0];
        let err = fit_ols(
            &y,
            &[Term::new("a", &a), Term::new("b", &b)],
            Intercept::Included,
            None,
        )
        .unwrap_err();
        let s = err.to_string();
        assert!(s.contains("`b`"), "{s}");
        assert!(s.contains("singular"), "{s}");
    }

    #[test]
    fn rejects_nan_and_bad_lengths() {
        let y = [1.0, f64::NAN, 3.0, 4.0];
        let x = [1.0, 2.0, 3.0, 5.0];
        assert!(fit_ols(&y, &[Term::new("x", &x)], Intercept::Included, None).is_err());
        let y = [1.0, 2.0, 3.0, 4.0];
        let x = [1.0, 2.0, 3.0];
        assert!(fit_ols(&y, &[Term::new("x", &x)], Intercept::Included, None).is_err());
        assert!(Weights::new(vec![1.0, -1.0]).is_err());
        assert!(Weights::new(vec![0.0, 0.0]).is_err());
    }

    #[test]
    fn zero_weights_equal_subset() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [1.0, 3.0, 2.0, 5.0, 4.0, 7.0];
        let w = Weights::new(vec![1.0, 2.0, 0.0, 1.0, 3.0, 1.0]).unwrap();
        let fit = fit_ols(&y, &[Term::new("x", &x)], Intercept::Included, Some(&w)).unwrap();
        let xs = [1.0, 2.0, 4.0, 5.0, 6.0];
        let ys = [1.0, 3.0, 5.0, 4.0, 7.0];
        let ws = Weights::new(vec![1.0, 2.0, 1.0, 3.0, 1.0]).unwrap();
        let sub = fit_ols(&ys, &[Term::new("x", &xs)], Intercept::Included, Some(&ws)).unwrap();
        assert_eq!(fit.n(), 5);
        for v in [Variance::Classical, Variance::Hc1] {
            let a = fit.table(&v, ConfidenceLevel::NINETY_FIVE).unwrap();
            let b = sub.table(&v, ConfidenceLevel::NINETY_FIVE).unwrap();
            for (p, q) in a.coefficients.iter().zip(&b.coefficients) {
                assert!(close(p.estimate, q.estimate, 1e-12));
                assert!(close(p.std_error, q.std_error, 1e-12));
            }
        }
    }

    #[test]
    fn integer_weights_equal_replication_for_coefficients() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 3.0, 2.0, 5.0];
        let w = Weights::new(vec![2.0, 1.0, 1.0, 3.0]).unwrap();
        let fit = fit_ols(&y, &[Term::new("x", &x)], Intercept::Included, Some(&w)).unwrap();
        let xr = [1.0, 1.0, 2.0, 3.0, 4.0, 4.0, 4.0];
        let yr = [1.0, 1.0, 3.0, 2.0, 5.0, 5.0, 5.0];
        let rep = fit_ols(&yr, &[Term::new("x", &xr)], Intercept::Included, None).unwrap();
        for (a, b) in fit.coefficients().iter().zip(rep.coefficients()) {
            assert!(close(*a, *b, 1e-12));
        }
    }

    #[test]
    fn cluster_needs_two_clusters() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 3.0, 2.0, 5.0];
        let fit = fit_ols(&y, &[Term::new("x", &x)], Intercept::Included, None).unwrap();
        let cl = Clusters::new(&[1, 1, 1, 1]);
        assert!(fit.vcov(&Variance::Cluster(cl)).is_err());
        let short = Clusters::new(&[1, 2]);
        assert!(fit.vcov(&Variance::Cluster(short)).is_err());
    }

    #[test]
    fn singleton_clusters_equal_hc1_times_ratio() {
        // With one observation per cluster, CR1 = HC0 × G/(G−1) × (n−1)/(n−k) = HC0 × n/(n−k) = HC1.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 7.0];
        let y = [1.0, 3.0, 2.0, 5.0, 4.0, 9.0];
        let fit = fit_ols(&y, &[Term::new("x", &x)], Intercept::Included, None).unwrap();
        let hc1 = fit.vcov(&Variance::Hc1).unwrap();
        let cl = fit
            .vcov(&Variance::Cluster(Clusters::new(&[0, 1, 2, 3, 4, 5])))
            .unwrap();
        for (a, b) in hc1.matrix.iter().zip(&cl.matrix) {
            assert!(close(*a, *b, 1e-12));
        }
    }

    #[test]
    fn absorbed_term_constant_within_groups_is_aliased() {
        let g = Clusters::new(&[1, 1, 2, 2, 3, 3]);
        let x = [1.0, 2.0, 3.0, 5.0, 4.0, 7.0];
        let z = [5.0, 5.0, 1.0, 1.0, 2.0, 2.0];
        let y = [1.0, 3.0, 2.0, 5.0, 4.0, 9.0];
        let err =
            fit_ols_absorbing(&y, &[Term::new("x", &x), Term::new("z", &z)], &g, None).unwrap_err();
        assert!(err.to_string().contains("`z`"), "{err}");
        let fit = fit_ols_absorbing(&y, &[Term::new("x", &x)], &g, None).unwrap();
        assert_eq!(fit.df_residual(), 6 - 1 - 3);
        assert!(fit.adj_r_squared().is_none());
        let r2 = fit.r_squared().unwrap();
        assert!((0.0..=1.0).contains(&r2));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics(y in proptest::collection::vec(-1e6f64..1e6, 0..12),
                            x in proptest::collection::vec(-1e3f64..1e3, 0..12),
                            cl in proptest::collection::vec(0u8..4, 0..12)) {
                let fit = fit_ols(&y, &[Term::new("x", &x)], Intercept::Included, None);
                if let Ok(fit) = fit {
                    let _ = fit.table(&Variance::Hc1, ConfidenceLevel::NINETY_FIVE);
                    let _ = fit.table(&Variance::Cluster(Clusters::new(&cl)), ConfidenceLevel::NINETY_FIVE);
                    let _ = fit.wald_test(&["x"], &Variance::Classical);
                    let _ = fit.table_for(&["x", "x"], &Variance::Hc0, ConfidenceLevel::NINETY_FIVE);
                    prop_assert!(fit.r_squared().is_none_or(|r| (-1e-9..=1.0 + 1e-9).contains(&r)));
                }
                let g = Clusters::new(&cl);
                if let Ok(fit) = fit_ols_absorbing(&y, &[Term::new("x", &x)], &g, None) {
                    let _ = fit.table(&Variance::Cluster(g.clone()), ConfidenceLevel::NINETY_FIVE);
                    prop_assert!(fit.r_squared().is_none_or(|r| (-1e-9..=1.0 + 1e-9).contains(&r)));
                }
            }
        }
    }
}
