//! Binary-response generalised linear models (logistic and probit regression)
//! fitted by unpenalised maximum likelihood, as R's `glm(family = binomial)`.
//!
//! The fit is iteratively reweighted least squares exactly as `glm.fit` runs it
//! (same starting values, same clamping of the inverse link, same working
//! weights), but iterated to a relative deviance change of 1e-10 rather than
//! R's 1e-8, so the coefficients are the MLE to about 1e-10. Each weighted
//! least-squares step is solved by Householder QR of `[sqrt(W) X, sqrt(W) z]`,
//! streamed a block of rows at a time (`stats::qr`); standard errors come
//! from the inverse Fisher information `(X'WX)^-1 = R^-1 R^-T` at the final
//! estimate, as `summary.glm` computes it.
//!
//! Perfect or quasi-complete separation, where the MLE does not exist, is
//! detected and reported as an error naming the covariates involved, never as
//! huge coefficients or NaN.

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use super::design::{column_sd, DesignColumn, DesignMatrix};
use crate::error::{Error, Result};
use crate::stats::qr::{first_dependent, r_factor};

/// Link function of a binomial GLM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// Logistic regression (`binomial(link = "logit")`), MatchIt's default.
    #[default]
    Logit,
    /// Probit regression (`binomial(link = "probit")`).
    Probit,
}

/// Convergence settings of the IRLS fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlmControl {
    tolerance: f64,
    max_iterations: usize,
}

impl Default for GlmControl {
    /// Relative deviance change 1e-10 (and linear predictor settled to 1e-9),
    /// at most 100 iterations.
    fn default() -> Self {
        GlmControl {
            tolerance: 1e-10,
            max_iterations: 100,
        }
    }
}

impl GlmControl {
    /// Custom convergence settings: stop when
    /// `|dev - dev_old| / (|dev| + 0.1) < tolerance` (R's criterion) and no
    /// linear-predictor value moved by more than 1e-9 in the last iteration.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] unless `0 < tolerance < 1` and `max_iterations >= 1`.
    pub fn new(tolerance: f64, max_iterations: usize) -> Result<Self> {
        if tolerance.is_nan() || tolerance <= 0.0 || tolerance >= 1.0 {
            return Err(Error::invalid_parameter(
                "tolerance",
                tolerance,
                "must be in (0, 1)",
            ));
        }
        if max_iterations == 0 {
            return Err(Error::invalid_parameter(
                "max_iterations",
                max_iterations,
                "must be at least 1",
            ));
        }
        Ok(GlmControl {
            tolerance,
            max_iterations,
        })
    }

    /// The relative deviance tolerance.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }

    /// The iteration limit.
    pub fn max_iterations(&self) -> usize {
        self.max_iterations
    }
}

/// One estimated coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct GlmCoefficient {
    /// The design-matrix column.
    pub term: DesignColumn,
    /// The maximum-likelihood estimate.
    pub estimate: f64,
    /// Standard error from the inverse Fisher information.
    pub std_error: f64,
    /// Wald statistic `estimate / std_error`.
    pub z: f64,
    /// Two-sided normal p-value of `z`.
    pub p_value: f64,
}

/// A fitted binomial GLM.
#[derive(Debug, Clone, PartialEq)]
pub struct BinomialFit {
    /// The link used.
    pub link: Link,
    /// Coefficients, in design-matrix column order (intercept first).
    pub coefficients: Vec<GlmCoefficient>,
    /// Residual deviance.
    pub deviance: f64,
    /// Deviance of the intercept-only model.
    pub null_deviance: f64,
    /// Akaike information criterion, `deviance + 2 p` for 0/1 responses.
    pub aic: f64,
    /// Maximised log-likelihood, `-deviance / 2` for 0/1 responses.
    pub log_likelihood: f64,
    /// Fitted probabilities (R `fitted()` / `predict(type = "response")`).
    pub fitted: Vec<f64>,
    /// Linear predictor (R `predict(type = "link")`).
    pub linear_predictor: Vec<f64>,
    /// IRLS iterations used.
    pub iterations: usize,
    /// The variance–covariance matrix of the coefficients, row-major p × p.
    pub covariance: Vec<f64>,
}

impl BinomialFit {
    /// The coefficient of a term by its design-matrix name (e.g. `"racehispan"`).
    pub fn coefficient(&self, name: &str) -> Option<&GlmCoefficient> {
        self.coefficients.iter().find(|c| c.term.name == name)
    }
}

const EPS: f64 = f64::EPSILON;
/// R's `-qnorm(.Machine$double.eps)`, the probit linear-predictor clamp.
const PROBIT_THRESH: f64 = 8.125890664701906;
/// Largest change of any linear-predictor value allowed at convergence.
const ETA_TOLERANCE: f64 = 1e-9;
/// Fitted probabilities closer than this to 0 or 1 trigger the separation check.
const EXTREME: f64 = 1e-8;

fn std_normal() -> Normal {
    // Normal::new(0, 1) cannot fail; fall back to the standard constructor.
    Normal::standard()
}

impl Link {
    fn linkinv(self, eta: f64) -> f64 {
        match self {
            Link::Logit => {
                if eta < -30.0 {
                    EPS
                } else if eta > 30.0 {
                    1.0 - EPS
                } else {
                    1.0 / (1.0 + (-eta).exp())
                }
            }
            Link::Probit => {
                let e = eta.clamp(-PROBIT_THRESH, PROBIT_THRESH);
                crate::stats::normal_cdf(e)
            }
        }
    }

    fn mu_eta(self, eta: f64) -> f64 {
        match self {
            Link::Logit => {
                if eta.abs() > 30.0 {
                    EPS
                } else {
                    let e = eta.exp();
                    e / ((1.0 + e) * (1.0 + e))
                }
            }
            Link::Probit => std_normal().pdf(eta).max(EPS),
        }
    }

    fn linkfun(self, mu: f64) -> f64 {
        match self {
            Link::Logit => (mu / (1.0 - mu)).ln(),
            Link::Probit => std_normal().inverse_cdf(mu),
        }
    }
}

/// One row's term of the binomial deviance.
fn deviance_term(yi: bool, m: f64) -> f64 {
    if yi {
        -2.0 * m.ln()
    } else {
        -2.0 * (-m).ln_1p()
    }
}

fn deviance(y: &[bool], mu: &[f64]) -> f64 {
    y.iter().zip(mu).map(|(&yi, &m)| deviance_term(yi, m)).sum()
}

/// [`deviance`], its terms computed in parallel into `terms` and summed in
/// row order (the same sum).
fn deviance_with(y: &[bool], mu: &[f64], terms: &mut [f64]) -> f64 {
    terms
        .par_iter_mut()
        .zip((y, mu))
        .with_min_len(PAR_ROWS)
        .for_each(|(t, (&yi, &m))| *t = deviance_term(yi, m));
    terms.iter().sum()
}

/// Fits `y ~ X` by binomial maximum likelihood with the given link.
///
/// # Errors
/// * [`Error::invalid_parameter`] if `y` and the design differ in length;
/// * [`Error::insufficient_data`] if `y` is all `true` or all `false`, or there
///   are no more rows than coefficients;
/// * [`Error::numerical`] on perfect or quasi-complete separation (naming the
///   covariates whose coefficients diverge), or if IRLS fails to converge.
pub fn fit_binomial(
    design: &DesignMatrix,
    y: &[bool],
    link: Link,
    control: GlmControl,
) -> Result<BinomialFit> {
    let n = design.nrows();
    let p = design.ncols();
    if y.len() != n {
        return Err(Error::invalid_parameter(
            "response",
            format!("{} rows", y.len()),
            format!("must have as many rows as the design ({n})"),
        ));
    }
    let n1 = y.iter().filter(|&&v| v).count();
    if n1 == 0 || n1 == n {
        return Err(Error::insufficient_data(
            "binomial regression",
            "the response takes only one value, so there is nothing to model",
        ));
    }
    if n <= p {
        return Err(Error::insufficient_data(
            "binomial regression",
            format!("{n} rows are too few for {p} coefficients"),
        ));
    }
    // The design's own columns are the X of every step: no n x p copy is
    // made (the streamed QR weights a block of rows at a time).
    let cols: Vec<&[f64]> = (0..p).filter_map(|j| design.column(j)).collect();

    // glm.fit start: mustart = (y + 0.5) / 2 for unit weights.
    let mut eta: Vec<f64> = y
        .iter()
        .map(|&v| link.linkfun((if v { 1.0 } else { 0.0 } + 0.5) / 2.0))
        .collect();
    let mut mu: Vec<f64> = eta.iter().map(|&e| link.linkinv(e)).collect();
    let mut dev_old = deviance(y, &mu);
    let mut beta = DVector::<f64>::zeros(p);
    let mut last_step: Option<DVector<f64>> = None;
    let mut converged = false;
    let mut iterations = 0;

    // Each step's working weights and response, and the candidate's linear
    // predictor and mean, reused across steps.
    let mut w = vec![0.0; n];
    let mut z = vec![0.0; n];
    let mut eta_c = vec![0.0; n];
    let mut mu_c = vec![0.0; n];
    for iter in 1..=control.max_iterations {
        iterations = iter;
        (w.as_mut_slice(), z.as_mut_slice())
            .into_par_iter()
            .zip((&eta[..], &mu[..], y))
            .with_min_len(PAR_ROWS)
            .for_each(|((wi, zi), (&e, &m, &yb))| {
                let me = link.mu_eta(e);
                let var = m * (1.0 - m);
                let yi = if yb { 1.0 } else { 0.0 };
                *zi = e + (yi - m) / me;
                *wi = (me * me / var).sqrt();
            });
        let new_beta = match wls_solve(&cols, &w, &z) {
            Some(b) => b,
            None => {
                return Err(separation_or(design, y, last_step.as_ref(), || {
                    Error::numerical(
                        "binomial regression",
                        "the weighted design became singular during fitting",
                    )
                }))
            }
        };
        // Step halving if the deviance is not finite (glm.fit's rule).
        let mut cand = new_beta;
        let mut dev;
        let mut halvings = 0;
        loop {
            times_into(design, &cand, &mut eta_c);
            mu_c.par_iter_mut()
                .zip(&eta_c[..])
                .with_min_len(PAR_ROWS)
                .for_each(|(m, &e)| *m = link.linkinv(e));
            // z is free until the next step: it holds the deviance's terms.
            dev = deviance_with(y, &mu_c, &mut z);
            if dev.is_finite() {
                std::mem::swap(&mut eta, &mut eta_c);
                std::mem::swap(&mut mu, &mut mu_c);
                break;
            }
            halvings += 1;
            if halvings > 30 || iter == 1 {
                return Err(Error::numerical(
                    "binomial regression",
                    "the deviance is not finite and step halving failed",
                ));
            }
            cand = (&cand + &beta) / 2.0;
        }
        let step = &cand - &beta;
        times_into(design, &step, &mut eta_c);
        let eta_change = eta_c.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        last_step = Some(step);
        beta = cand;
        // R's deviance criterion, plus a settled linear predictor: Fisher
        // scoring converges only linearly for the probit link, and a tiny
        // deviance change can hide linear-predictor changes of 1e-7.
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < control.tolerance
            && eta_change < ETA_TOLERANCE
        {
            converged = true;
            dev_old = dev;
            break;
        }
        dev_old = dev;
    }

    let extreme = mu.iter().any(|&m| !(EXTREME..=1.0 - EXTREME).contains(&m));
    if !converged || extreme {
        if let Some(err) = separation_error(design, y, last_step.as_ref()) {
            return Err(err);
        }
        if !converged {
            return Err(Error::numerical(
                "binomial regression",
                format!(
                    "IRLS did not converge in {} iterations",
                    control.max_iterations
                ),
            ));
        }
    }

    // Inverse Fisher information at the final estimate, (X'WX)^-1 = R^-1 R^-T
    // from the R factor of sqrt(W) X (as summary.glm reads it from the QR).
    w.par_iter_mut()
        .zip((&eta[..], &mu[..]))
        .with_min_len(PAR_ROWS)
        .for_each(|(wi, (&e, &m))| {
            let me = link.mu_eta(e);
            *wi = (me * me / (m * (1.0 - m))).sqrt();
        });
    let r = r_factor(&cols, Some(&w));
    drop((w, z, eta_c, mu_c));
    let cov = upper_inverse(&r, p)
        .map(|ri| &ri * ri.transpose())
        .ok_or_else(|| {
            Error::numerical(
                "binomial regression",
                "the Fisher information is not positive definite at the estimate",
            )
        })?;
    let coefficients: Vec<GlmCoefficient> = design
        .terms()
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let se = cov[(j, j)].sqrt();
            let z = beta[j] / se;
            GlmCoefficient {
                term: t.clone(),
                estimate: beta[j],
                std_error: se,
                z,
                p_value: 2.0 * crate::stats::normal_sf(z.abs()),
            }
        })
        .collect();
    if coefficients
        .iter()
        .any(|c| !c.estimate.is_finite() || !c.std_error.is_finite())
    {
        return Err(Error::numerical(
            "binomial regression",
            "a coefficient or standard error is not finite",
        ));
    }
    let pbar = n1 as f64 / n as f64;
    let null_deviance = deviance(y, &vec![pbar; n]);
    let mut covariance = Vec::with_capacity(p * p);
    for a in 0..p {
        for b in 0..p {
            covariance.push(cov[(a, b)]);
        }
    }
    Ok(BinomialFit {
        link,
        coefficients,
        deviance: dev_old,
        null_deviance,
        aic: dev_old + 2.0 * p as f64,
        log_likelihood: -dev_old / 2.0,
        fitted: mu,
        linear_predictor: eta,
        iterations,
        covariance,
    })
}

/// Solves the weighted least-squares step `min ||sqrt(w) (z - X b)||` by
/// Householder QR of `[sqrt(W) X, sqrt(W) z]`, streamed (`stats::qr`): the
/// last column of `R` is `Q' sqrt(W) z`. `None` if the triangular factor is
/// (numerically) singular.
fn wls_solve(cols: &[&[f64]], w: &[f64], z: &[f64]) -> Option<DVector<f64>> {
    let p = cols.len();
    let q = p + 1;
    let mut all: Vec<&[f64]> = cols.to_vec();
    all.push(z);
    let r = r_factor(&all, Some(w));
    if first_dependent(&r, q, p, 1e-11).is_some() {
        return None;
    }
    let rx = DMatrix::from_fn(p, p, |i, j| r[j * q + i]);
    let qtz = DVector::from_fn(p, |i, _| r[p * q + i]);
    rx.solve_upper_triangular(&qtz)
        .filter(|b| b.iter().all(|v| v.is_finite()))
}

/// The inverse of the upper-triangular `p x p` column-major `r`; `None` if a
/// diagonal entry is zero or the inverse is not finite.
fn upper_inverse(r: &[f64], p: usize) -> Option<DMatrix<f64>> {
    let rm = DMatrix::from_fn(p, p, |i, j| if i <= j { r[j * p + i] } else { 0.0 });
    if (0..p).any(|j| rm[(j, j)] == 0.0 || !rm[(j, j)].is_finite()) {
        return None;
    }
    let inv = rm.solve_upper_triangular(&DMatrix::identity(p, p))?;
    inv.iter().all(|v| v.is_finite()).then_some(inv)
}

fn separation_or(
    design: &DesignMatrix,
    y: &[bool],
    step: Option<&DVector<f64>>,
    otherwise: impl FnOnce() -> Error,
) -> Error {
    separation_error(design, y, step).unwrap_or_else(otherwise)
}

/// `X v` from the design's columns, column by column (as nalgebra's
/// matrix-vector product runs over a column-major matrix).
fn times(design: &DesignMatrix, v: &DVector<f64>) -> DVector<f64> {
    let mut out = vec![0.0; design.nrows()];
    times_into(design, v, &mut out);
    DVector::from_vec(out)
}

/// `X v` into `out` (one entry per row), in [`times`]' order of operations.
/// Rows are split into chunks of this many for the row-wise loops run in
/// parallel (each row's arithmetic is its own: results do not depend on threads).
const PAR_ROWS: usize = 1 << 15;

/// `X v` into `out` (one entry per row), in [`times`]' order of operations,
/// chunks of rows in parallel.
fn times_into(design: &DesignMatrix, v: &DVector<f64>, out: &mut [f64]) {
    let cols: Vec<&[f64]> = (0..design.ncols())
        .filter_map(|j| design.column(j))
        .collect();
    out.par_chunks_mut(PAR_ROWS)
        .enumerate()
        .for_each(|(c, chunk)| {
            let start = c * PAR_ROWS;
            chunk.fill(0.0);
            for (col, &vj) in cols.iter().zip(v.iter()) {
                let col = &col[start..start + chunk.len()];
                for (o, &x) in chunk.iter_mut().zip(col) {
                    *o += x * vj;
                }
            }
        });
}

/// Checks whether the last IRLS step `d` is a separating direction: `x_i'd >= 0`
/// for every `y = 1` and `<= 0` for every `y = 0` (up to a relative tolerance),
/// with some strict. Such a direction is a certificate that the MLE does not
/// exist. Returns the error naming the covariates with weight in `d`.
fn separation_error(
    design: &DesignMatrix,
    y: &[bool],
    step: Option<&DVector<f64>>,
) -> Option<Error> {
    let d = step?;
    let s = times(design, d);
    let max = s.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if max.is_nan() || max <= 0.0 || !max.is_finite() {
        return None;
    }
    let tol = 1e-3 * max;
    let consistent = y
        .iter()
        .zip(s.iter())
        .all(|(&yi, &si)| if yi { si >= -tol } else { si <= tol });
    if !consistent {
        return None;
    }
    // Weight of each non-intercept column in the direction, on the scale of the column.
    let weights: Vec<(usize, f64)> = (1..design.ncols())
        .map(|j| {
            let sd = design.column(j).map(column_sd).unwrap_or(0.0);
            (j, (d[j] * sd).abs())
        })
        .collect();
    let wmax = weights.iter().fold(0.0_f64, |m, (_, w)| m.max(*w));
    let mut names: Vec<String> = Vec::new();
    for (j, w) in weights {
        if w > 1e-2 * wmax {
            let t = &design.terms()[j];
            let name = t.describe();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let n_sep = s.iter().filter(|v| v.abs() > tol).count();
    let kind = if n_sep == y.len() {
        "complete"
    } else {
        "quasi-complete"
    };
    let who = if names.is_empty() {
        "the intercept".to_string()
    } else {
        names.join(", ")
    };
    Some(Error::numerical(
        "binomial regression",
        format!(
            "{kind} separation: {who} perfectly predict{} the response for {n_sep} rows, so the maximum-likelihood estimate does not exist (fitted probabilities go to 0 or 1)",
            if names.len() == 1 { "s" } else { "" }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::design::Covariate;
    use crate::error::ErrorKind;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fit_never_panics_or_returns_nan(
            rows in prop::collection::vec((-50.0f64..50.0, 0u8..4, any::<bool>()), 0..40),
            probit in any::<bool>(),
        ) {
            let x: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let g: Vec<String> = rows.iter().map(|r| format!("g{}", r.1)).collect();
            let y: Vec<bool> = rows.iter().map(|r| r.2).collect();
            let cov = [Covariate::numeric("x", x), Covariate::categorical("g", g)];
            if let Ok(d) = DesignMatrix::new(&cov) {
                let link = if probit { Link::Probit } else { Link::Logit };
                if let Ok(f) = fit_binomial(&d, &y, link, GlmControl::default()) {
                    prop_assert!(f.coefficients.iter().all(|c| c.estimate.is_finite() && c.std_error.is_finite()));
                    prop_assert!(f.fitted.iter().all(|p| (0.0..=1.0).contains(p)));
                    prop_assert!(f.deviance.is_finite() && f.deviance <= f.null_deviance + 1e-9);
                }
            }
        }
    }

    /// R 4.2.2: `glm(y ~ x, family = binomial, control = glm.control(epsilon =
    /// 1e-14, maxit = 100))` with `x = 1:10`, `y = c(0,0,1,0,1,0,1,1,1,1)`.
    #[test]
    fn simple_logistic_matches_r() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let y = [
            false, false, true, false, true, false, true, true, true, true,
        ];
        let d = DesignMatrix::new(&[Covariate::numeric("x", x)]).unwrap();
        let f = fit_binomial(&d, &y, Link::Logit, GlmControl::default()).unwrap();
        let expect = [
            (
                -2.926510962792,
                2.060091094439,
                -1.42057357109,
                0.1554407662925,
            ),
            (
                0.662208268673,
                0.400094220751,
                1.65513080251,
                0.0978979678971,
            ),
        ];
        for (c, (b, se, z, p)) in f.coefficients.iter().zip(expect) {
            assert!((c.estimate - b).abs() < 1e-9 * b.abs());
            assert!((c.std_error - se).abs() < 1e-9 * se);
            assert!((c.z - z).abs() < 1e-9 * z.abs());
            assert!((c.p_value - p).abs() < 1e-9);
        }
        assert!((f.deviance - 8.62024389604).abs() < 1e-9);
        assert!((f.aic - 12.62024389604).abs() < 1e-9);
    }

    #[test]
    fn complete_separation_is_named() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let z = vec![0.3, 0.1, 0.4, 0.1, 0.5, 0.9, 0.2, 0.6, 0.5, 0.3];
        let y: Vec<bool> = (1..=10).map(|v| v > 5).collect();
        let d =
            DesignMatrix::new(&[Covariate::numeric("z", z), Covariate::numeric("x", x)]).unwrap();
        for link in [Link::Logit, Link::Probit] {
            let e = fit_binomial(&d, &y, link, GlmControl::default()).unwrap_err();
            assert!(matches!(e.kind(), ErrorKind::Numerical { .. }));
            let m = e.to_string();
            assert!(m.contains("separation") && m.contains("`x`"), "{m}");
        }
    }

    #[test]
    fn quasi_separation_by_dummy_is_named() {
        // Every unit with d = 1 has y = 1; the others overlap.
        let dvar = vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let age = vec![30., 41., 25., 33., 52., 28., 45., 31., 29., 50., 47., 44.];
        let y = [
            true, true, true, true, false, true, false, false, true, false, true, false,
        ];
        let d = DesignMatrix::new(&[
            Covariate::numeric("age", age),
            Covariate::numeric("d", dvar),
        ])
        .unwrap();
        let e = fit_binomial(&d, &y, Link::Logit, GlmControl::default()).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("quasi-complete separation") && m.contains("`d`"),
            "{m}"
        );
        assert!(!m.contains("`age`"), "{m}");
    }

    #[test]
    fn constant_response_is_error() {
        let d = DesignMatrix::new(&[Covariate::numeric("x", vec![1.0, 2.0, 3.0])]).unwrap();
        assert!(fit_binomial(&d, &[true; 3], Link::Logit, GlmControl::default()).is_err());
        assert!(fit_binomial(&d, &[true; 2], Link::Logit, GlmControl::default()).is_err());
        assert!(GlmControl::new(0.0, 10).is_err());
        assert!(GlmControl::new(1e-8, 0).is_err());
    }
}
