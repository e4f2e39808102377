//! Cox proportional hazards regression by Newton–Raphson on the partial
//! likelihood with Efron's (default) or Breslow's handling of tied event
//! times, the model-based and the robust (cluster) sandwich variance: R's
//! `coxph(Surv(time, status) ~ x1 + ..., ties = ..., cluster = id)`
//! (METHODS.md, "Time to event").
//!
//! The data are sorted by time once; each iteration is one pass from the
//! latest time to the earliest accumulating the risk-set sums `S0 = Σ rᵢ`,
//! `S1 = Σ rᵢ xᵢ`, `S2 = Σ rᵢ xᵢxᵢ'` (`rᵢ = exp(xᵢ'β)`), so an iteration
//! costs `O(n p²)` after the `O(n log n)` sort.

use nalgebra::{linalg::Cholesky, DMatrix, DVector, Dyn};
use serde::Serialize;

use super::{order_by_time, SurvivalData};
use crate::error::{Error, Result};
use crate::stats::common::{chi2_sf, normal_sf, z_crit};
use crate::stats::ols::{Clusters, Covariance, Term};
use crate::stats::{ConfidenceLevel, Interval};

const WHAT: &str = "Cox regression";
/// R's `coxph.control()` defaults: `eps = 1e-9`, `iter.max = 20`.
const EPS: f64 = 1e-9;
const MAX_ITER: usize = 20;

/// How tied event times enter the partial likelihood (R's `ties`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Ties {
    /// Efron's approximation (`ties = "efron"`, R's default).
    #[default]
    Efron,
    /// Breslow's approximation (`ties = "breslow"`).
    Breslow,
}

/// Which variance a coefficient table uses.
#[derive(Debug, Clone, PartialEq)]
pub enum CoxVariance {
    /// The inverse of the information matrix (`coxph`'s `naive.var`, or
    /// `var` without `cluster()`).
    Model,
    /// The robust sandwich `D'D`, `D` the score residuals times the model
    /// variance summed within each cluster (`coxph(..., cluster = id)`'s
    /// `var`). One cluster per person gives `robust = TRUE`.
    Robust(Clusters),
}

/// One row of a Cox coefficient table (R's `summary(coxph(...))`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxCoefficient {
    /// Term name.
    pub term: String,
    /// The log hazard ratio `β`.
    pub estimate: f64,
    /// `exp(β)`.
    pub hazard_ratio: f64,
    /// Standard error under the table's variance.
    pub std_error: f64,
    /// `β / std_error` (`None` when the standard error is 0).
    pub z_value: Option<f64>,
    /// Two-sided normal p-value of `z_value`.
    pub p_value: Option<f64>,
    /// `β ± z_{1−α/2} · std_error`.
    pub ci: Interval,
    /// The interval of `exp(β)`: the exponentiated `ci`.
    pub hazard_ratio_ci: Interval,
}

/// A fitted Cox model. Holds the sorted data, for residuals, the robust
/// variance and [`super::cox_zph`].
#[derive(Debug, Clone)]
pub struct CoxFit {
    names: Vec<String>,
    beta: Vec<f64>,
    /// Inverse information at `beta`, row-major `p × p`.
    var: Vec<f64>,
    loglik_null: f64,
    loglik: f64,
    score_test: f64,
    iterations: usize,
    converged: bool,
    ties: Ties,
    /// Person index (input order) at each sorted position.
    pub(crate) order: Vec<usize>,
    /// Times in sorted order.
    pub(crate) time: Vec<f64>,
    /// Events in sorted order.
    pub(crate) event: Vec<bool>,
    /// Stratum code in sorted order (all 0 without strata); the sort is by
    /// stratum, then time.
    pub(crate) stratum: Vec<usize>,
    /// Centred covariates, sorted order, row-major `n × p`.
    pub(crate) x: Vec<f64>,
}

/// The sums at one distinct event time, in the order of the pass.
pub(crate) struct TimeTerm {
    /// The first sorted position with this time.
    pub start: usize,
    /// `Σ_deaths xᵢ − Σ_k mean_k` (the time's score contribution).
    pub score: Vec<f64>,
    /// The time's information contribution, `p × p`.
    pub info: Vec<f64>,
    /// `Σ_k 1/denom_k` and `Σ_k mean_k/denom_k`: the hazard increment seen
    /// by a person at risk who does not have the event then.
    pub c0: f64,
    pub c1: Vec<f64>,
    /// The same with Efron's weights `1 − k/d`, for those who do.
    pub c0d: f64,
    pub c1d: Vec<f64>,
    /// `(1/d) Σ_k mean_k`: the weighted mean the events are compared with.
    pub dbar: Vec<f64>,
}

struct Pass {
    loglik: f64,
    u: Vec<f64>,
    imat: Vec<f64>,
    terms: Vec<TimeTerm>,
}

/// Fit `Surv(time, status) ~ terms` by maximum partial likelihood.
///
/// The iteration is R's `coxfit6`: start at `β = 0`, Newton steps, step
/// halving when the log partial likelihood falls, stop when it changes by
/// at most `1e-9` relative, at most 20 iterations (see
/// [`CoxFit::converged`]).
///
/// # Errors
/// * no terms, empty or repeated names, or a term without one finite value
///   per person;
/// * no events;
/// * the information matrix is singular (a constant or collinear term) or
///   an intermediate result overflows.
pub fn fit_cox(data: &SurvivalData, terms: &[Term<'_>], ties: Ties) -> Result<CoxFit> {
    fit_core(data, terms, ties, None)
}

/// Fit `Surv(time, status) ~ terms + strata(s)`: a baseline hazard of its own
/// for each stratum (e.g. each matched set), risk sets formed within strata
/// (R `coxph(..., ties = ..., strata(s))`). Otherwise as [`fit_cox`].
///
/// # Errors
/// As [`fit_cox`]; also if `strata` does not have one label per person.
pub fn fit_cox_stratified<S: Ord + Clone>(
    data: &SurvivalData,
    terms: &[Term<'_>],
    strata: &[S],
    ties: Ties,
) -> Result<CoxFit> {
    if strata.len() != data.len() {
        return Err(Error::invalid_parameter(
            "strata",
            format!("{} labels", strata.len()),
            format!("need one stratum label per person ({})", data.len()),
        ));
    }
    fit_core(data, terms, ties, Some(super::levels(strata).0))
}

fn fit_core(
    data: &SurvivalData,
    terms: &[Term<'_>],
    ties: Ties,
    strata: Option<Vec<usize>>,
) -> Result<CoxFit> {
    let n = data.len();
    let p = terms.len();
    if p == 0 {
        return Err(Error::invalid_parameter(
            "terms",
            "none",
            "the model needs at least one term",
        ));
    }
    let mut names: Vec<String> = Vec::with_capacity(p);
    for t in terms {
        if t.name().is_empty() || names.iter().any(|m| m == t.name()) {
            return Err(Error::invalid_parameter(
                "terms",
                format!("{:?}", t.name()),
                "term names must be non-empty and unique",
            ));
        }
        if t.values().len() != n {
            return Err(Error::invalid_parameter(
                "terms",
                t.name(),
                format!(
                    "term has {} values but there are {n} people",
                    t.values().len()
                ),
            ));
        }
        crate::stats::common::check_finite(WHAT, t.name(), t.values())?;
        names.push(t.name().to_string());
    }
    if data.events() == 0 {
        return Err(Error::insufficient_data(WHAT, "there are no events"));
    }
    let mut order = order_by_time(data);
    let stratum: Vec<usize> = match strata {
        Some(codes) => {
            // stable: time order kept within each stratum
            order.sort_by_key(|&i| codes[i]);
            order.iter().map(|&i| codes[i]).collect()
        }
        None => vec![0; n],
    };
    let means: Vec<f64> = terms
        .iter()
        .map(|t| crate::stats::common::mean(t.values()))
        .collect();
    let mut x = Vec::with_capacity(n * p);
    for &i in &order {
        for (j, t) in terms.iter().enumerate() {
            x.push(t.values()[i] - means[j]);
        }
    }
    let time: Vec<f64> = order.iter().map(|&i| data.time()[i]).collect();
    let event: Vec<bool> = order.iter().map(|&i| data.status()[i].is_event()).collect();
    let mut fit = CoxFit {
        names,
        beta: vec![0.0; p],
        var: vec![0.0; p * p],
        loglik_null: 0.0,
        loglik: 0.0,
        score_test: 0.0,
        iterations: 0,
        converged: false,
        ties,
        order,
        time,
        event,
        stratum,
        x,
    };

    let mut beta = vec![0.0; p];
    let first = fit.pass(&beta, false)?;
    fit.loglik_null = first.loglik;
    let step = solve(&first.imat, &first.u, p)?;
    fit.score_test = dot(&step, &first.u);
    let mut newbeta: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
    let mut loglik = first.loglik;
    let mut halving = false;
    let mut iter = 1;
    let fin;
    loop {
        let cur = match fit.pass(&newbeta, false) {
            Ok(c) => c,
            Err(_) if iter < MAX_ITER => {
                // overflow at a wild step: halve it, as for a fall
                halving = true;
                newbeta = newbeta
                    .iter()
                    .zip(&beta)
                    .map(|(a, b)| (a + b) / 2.0)
                    .collect();
                iter += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        fit.iterations = iter;
        if (1.0 - loglik / cur.loglik).abs() <= EPS && !halving {
            fit.converged = true;
            fin = cur;
            break;
        }
        if iter >= MAX_ITER {
            fin = cur;
            break;
        }
        if cur.loglik < loglik {
            halving = true;
            newbeta = newbeta
                .iter()
                .zip(&beta)
                .map(|(a, b)| (a + b) / 2.0)
                .collect();
        } else {
            halving = false;
            loglik = cur.loglik;
            let step = solve(&cur.imat, &cur.u, p)?;
            beta.clone_from(&newbeta);
            newbeta = newbeta.iter().zip(&step).map(|(b, s)| b + s).collect();
        }
        iter += 1;
    }
    // R reports the last point evaluated (newbeta), its loglik and information.
    fit.loglik = fin.loglik;
    fit.var = invert(&fin.imat, p)?;
    fit.beta = newbeta;
    Ok(fit)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn cholesky(m: &[f64], p: usize) -> Result<Cholesky<f64, Dyn>> {
    let mat = DMatrix::from_row_slice(p, p, m);
    Cholesky::new(mat).ok_or_else(|| {
        Error::numerical(
            WHAT,
            "the information matrix is singular (a term is constant among those at risk, \
             or collinear with others)",
        )
    })
}

fn solve(m: &[f64], u: &[f64], p: usize) -> Result<Vec<f64>> {
    let c = cholesky(m, p)?;
    Ok(c.solve(&DVector::from_column_slice(u))
        .iter()
        .copied()
        .collect())
}

fn invert(m: &[f64], p: usize) -> Result<Vec<f64>> {
    let c = cholesky(m, p)?;
    let inv = c.inverse();
    let mut out = Vec::with_capacity(p * p);
    for i in 0..p {
        for j in 0..p {
            out.push(inv[(i, j)]);
        }
    }
    Ok(out)
}

impl CoxFit {
    /// One pass over the risk sets at `beta`: log partial likelihood, score
    /// and information (and, with `detail`, the sums at each event time).
    fn pass(&self, beta: &[f64], detail: bool) -> Result<Pass> {
        let p = beta.len();
        let n = self.time.len();
        let mut loglik = 0.0;
        let mut u = vec![0.0; p];
        let mut imat = vec![0.0; p * p];
        let mut s0 = 0.0;
        let mut s1 = vec![0.0; p];
        let mut s2 = vec![0.0; p * p];
        let mut e1 = vec![0.0; p];
        let mut e2 = vec![0.0; p * p];
        let mut a = vec![0.0; p];
        let mut mean = vec![0.0; p];
        let mut terms = Vec::new();
        let mut end = n;
        while end > 0 {
            let t = self.time[end - 1];
            let st = self.stratum[end - 1];
            if end == n || self.stratum[end] != st {
                // a new stratum: its risk sets start empty
                s0 = 0.0;
                s1.iter_mut().for_each(|v| *v = 0.0);
                s2.iter_mut().for_each(|v| *v = 0.0);
            }
            let mut start = end - 1;
            while start > 0 && self.time[start - 1] == t && self.stratum[start - 1] == st {
                start -= 1;
            }
            let mut e0 = 0.0;
            let mut deaths = 0usize;
            e1.iter_mut().for_each(|v| *v = 0.0);
            e2.iter_mut().for_each(|v| *v = 0.0);
            for i in start..end {
                let xi = &self.x[i * p..(i + 1) * p];
                let eta = dot(xi, beta);
                let r = eta.exp();
                s0 += r;
                for j in 0..p {
                    s1[j] += r * xi[j];
                    for k in 0..=j {
                        s2[j * p + k] += r * xi[j] * xi[k];
                    }
                }
                if self.event[i] {
                    deaths += 1;
                    loglik += eta;
                    e0 += r;
                    for j in 0..p {
                        u[j] += xi[j];
                        e1[j] += r * xi[j];
                        for k in 0..=j {
                            e2[j * p + k] += r * xi[j] * xi[k];
                        }
                    }
                }
            }
            if deaths > 0 {
                let d = deaths as f64;
                let mut term = detail.then(|| TimeTerm {
                    start,
                    score: vec![0.0; p],
                    info: vec![0.0; p * p],
                    c0: 0.0,
                    c1: vec![0.0; p],
                    c0d: 0.0,
                    c1d: vec![0.0; p],
                    dbar: vec![0.0; p],
                });
                let (steps, f_of): (usize, fn(usize, f64) -> f64) = match self.ties {
                    Ties::Efron => (deaths, |k, d| k as f64 / d),
                    Ties::Breslow => (1, |_, _| 0.0),
                };
                // Breslow: one term with multiplicity d; Efron: d terms.
                let mult = if self.ties == Ties::Breslow { d } else { 1.0 };
                for k in 0..steps {
                    let f = f_of(k, d);
                    let denom = s0 - f * e0;
                    loglik -= mult * denom.ln();
                    for j in 0..p {
                        a[j] = s1[j] - f * e1[j];
                        mean[j] = a[j] / denom;
                        u[j] -= mult * mean[j];
                    }
                    for j in 0..p {
                        for l in 0..=j {
                            let v = mult
                                * ((s2[j * p + l] - f * e2[j * p + l]) / denom - mean[j] * mean[l]);
                            imat[j * p + l] += v;
                            if let Some(tt) = term.as_mut() {
                                tt.info[j * p + l] += v;
                            }
                        }
                    }
                    if let Some(tt) = term.as_mut() {
                        let wd = if self.ties == Ties::Breslow {
                            d
                        } else {
                            1.0 - f
                        };
                        tt.c0 += mult / denom;
                        tt.c0d += wd / denom;
                        for (j, &m) in mean.iter().enumerate() {
                            tt.c1[j] += mult * m / denom;
                            tt.c1d[j] += wd * m / denom;
                            tt.dbar[j] += mult * m / d;
                            tt.score[j] -= mult * m;
                        }
                    }
                }
                if let Some(mut tt) = term {
                    for i in start..end {
                        if self.event[i] {
                            for j in 0..p {
                                tt.score[j] += self.x[i * p + j];
                            }
                        }
                    }
                    for j in 0..p {
                        for l in 0..j {
                            tt.info[l * p + j] = tt.info[j * p + l];
                        }
                    }
                    terms.push(tt);
                }
            }
            end = start;
        }
        for j in 0..p {
            for l in 0..j {
                imat[l * p + j] = imat[j * p + l];
            }
        }
        if !loglik.is_finite() || u.iter().chain(&imat).any(|v| !v.is_finite()) {
            return Err(Error::numerical(
                WHAT,
                "the partial likelihood overflowed (coefficients too large: separation?)",
            ));
        }
        Ok(Pass {
            loglik,
            u,
            imat,
            terms,
        })
    }

    /// The sums at each distinct event time at the fitted `β`, latest time
    /// first.
    pub(crate) fn time_terms(&self) -> Result<Vec<TimeTerm>> {
        Ok(self.pass(&self.beta, true)?.terms)
    }

    /// Term names, in model order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The coefficients `β` (log hazard ratios), in model order.
    pub fn coefficients(&self) -> &[f64] {
        &self.beta
    }

    /// The model-based variance: the inverse information at `β` (R
    /// `vcov(fit)` without `cluster()`, `fit$naive.var` with it).
    pub fn model_covariance(&self) -> Covariance {
        Covariance {
            names: self.names.clone(),
            matrix: self.var.clone(),
            estimator: "model",
            clusters: None,
        }
    }

    /// The log partial likelihood at 0 and at `β` (R `fit$loglik`).
    pub fn loglik(&self) -> [f64; 2] {
        [self.loglik_null, self.loglik]
    }

    /// Newton iterations taken (R `fit$iter`).
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// False when 20 iterations passed without the log partial likelihood
    /// settling (R warns "Ran out of iterations"); the estimates are then
    /// those of the last iteration.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The tie handling used.
    pub fn ties(&self) -> Ties {
        self.ties
    }

    /// Number of people.
    pub fn n(&self) -> usize {
        self.time.len()
    }

    /// Number of events.
    pub fn events(&self) -> usize {
        self.event.iter().filter(|e| **e).count()
    }

    /// The likelihood-ratio test of `β = 0`: `2 (ℓ(β) − ℓ(0))` on `p` df.
    ///
    /// # Errors
    /// Only if the chi-square distribution cannot be formed.
    pub fn likelihood_ratio_test(&self) -> Result<crate::stats::TestResult> {
        let stat = 2.0 * (self.loglik - self.loglik_null);
        self.chi2_test("likelihood ratio test", stat)
    }

    /// The score (log-rank) test of `β = 0`: `U(0)' I(0)⁻¹ U(0)` on `p` df
    /// (R `fit$score`).
    ///
    /// # Errors
    /// Only if the chi-square distribution cannot be formed.
    pub fn score_test(&self) -> Result<crate::stats::TestResult> {
        self.chi2_test("score (log-rank) test", self.score_test)
    }

    /// The Wald test of `β = 0`, `β' V⁻¹ β` on `p` df, with the variance
    /// chosen (R `fit$wald.test`, robust with `cluster()`).
    ///
    /// # Errors
    /// If the robust variance cannot be formed or is singular.
    pub fn wald_test(&self, variance: &CoxVariance) -> Result<crate::stats::TestResult> {
        let v = self.covariance(variance)?;
        let p = self.beta.len();
        let x = solve(&v.matrix, &self.beta, p)?;
        self.chi2_test("Wald test", dot(&x, &self.beta))
    }

    fn chi2_test(&self, test: &'static str, stat: f64) -> Result<crate::stats::TestResult> {
        let df = self.beta.len() as f64;
        Ok(crate::stats::TestResult {
            test,
            statistic: stat,
            df: Some(df),
            p_value: chi2_sf(WHAT, stat.max(0.0), df)?,
            alternative: crate::stats::Alternative::TwoSided,
            n: self.n(),
        })
    }

    /// Score residuals, one row of `p` per person in input order (R
    /// `residuals(fit, type = "score")`), row-major.
    ///
    /// # Errors
    /// If the pass at `β` overflows.
    pub fn score_residuals(&self) -> Result<Vec<f64>> {
        let p = self.beta.len();
        let n = self.time.len();
        let terms = self.time_terms()?;
        let mut out = vec![0.0; n * p];
        // cumulative hazard sums over event times strictly before the current
        let mut h0 = 0.0;
        let mut h1 = vec![0.0; p];
        // terms are latest first; walk earliest first
        let mut ti = terms.len();
        let mut pos = 0;
        while pos < n {
            let t = self.time[pos];
            let st = self.stratum[pos];
            if pos > 0 && self.stratum[pos - 1] != st {
                h0 = 0.0;
                h1.iter_mut().for_each(|v| *v = 0.0);
            }
            let mut end = pos;
            while end < n && self.time[end] == t && self.stratum[end] == st {
                end += 1;
            }
            let here = if ti > 0 && terms[ti - 1].start == pos {
                ti -= 1;
                Some(&terms[ti])
            } else {
                None
            };
            for i in pos..end {
                let xi = &self.x[i * p..(i + 1) * p];
                let r = dot(xi, &self.beta).exp();
                let (mut g0, mut g1) = (h0, h1.clone());
                if let Some(tt) = here {
                    if self.event[i] {
                        g0 += tt.c0d;
                        g1.iter_mut().zip(&tt.c1d).for_each(|(a, b)| *a += b);
                    } else {
                        g0 += tt.c0;
                        g1.iter_mut().zip(&tt.c1).for_each(|(a, b)| *a += b);
                    }
                }
                let row = &mut out[self.order[i] * p..(self.order[i] + 1) * p];
                for j in 0..p {
                    let mut v = -r * (xi[j] * g0 - g1[j]);
                    if self.event[i] {
                        if let Some(tt) = here {
                            v += xi[j] - tt.dbar[j];
                        }
                    }
                    row[j] = v;
                }
            }
            if let Some(tt) = here {
                h0 += tt.c0;
                h1.iter_mut().zip(&tt.c1).for_each(|(a, b)| *a += b);
            }
            pos = end;
        }
        Ok(out)
    }

    /// The covariance of `β` under `variance`.
    ///
    /// # Errors
    /// For [`CoxVariance::Robust`], if the clusters do not have one label
    /// per person.
    pub fn covariance(&self, variance: &CoxVariance) -> Result<Covariance> {
        match variance {
            CoxVariance::Model => Ok(self.model_covariance()),
            CoxVariance::Robust(clusters) => self.robust_covariance(clusters),
        }
    }

    fn robust_covariance(&self, clusters: &Clusters) -> Result<Covariance> {
        let n = self.time.len();
        let p = self.beta.len();
        if clusters.len() != n {
            return Err(Error::invalid_parameter(
                "clusters",
                clusters.len(),
                format!("need one cluster label per person ({n})"),
            ));
        }
        let resid = self.score_residuals()?;
        let g = clusters.count();
        let mut sums = vec![0.0; g * p];
        for (i, &c) in clusters.codes().iter().enumerate() {
            for j in 0..p {
                sums[c * p + j] += resid[i * p + j];
            }
        }
        // D_g = U_g V; robust = Σ_g D_g' D_g
        let mut m = vec![0.0; p * p];
        let mut dg = vec![0.0; p];
        for c in 0..g {
            for (j, d) in dg.iter_mut().enumerate() {
                *d = (0..p).map(|k| sums[c * p + k] * self.var[k * p + j]).sum();
            }
            for j in 0..p {
                for k in 0..p {
                    m[j * p + k] += dg[j] * dg[k];
                }
            }
        }
        Ok(Covariance {
            names: self.names.clone(),
            matrix: m,
            estimator: "robust",
            clusters: Some(g),
        })
    }

    /// The coefficient table under `variance` at `level` (R
    /// `summary(fit, conf.int = level)`: `coef`, `exp(coef)`, `se(coef)` or
    /// `robust se`, `z`, `Pr(>|z|)`, `lower .95`, `upper .95`).
    ///
    /// # Errors
    /// As [`CoxFit::covariance`].
    pub fn coefficient_table(
        &self,
        variance: &CoxVariance,
        level: ConfidenceLevel,
    ) -> Result<Vec<CoxCoefficient>> {
        let v = self.covariance(variance)?;
        let se = v.std_errors();
        let q = z_crit(level);
        Ok(self
            .names
            .iter()
            .zip(&self.beta)
            .zip(se)
            .map(|((name, &b), s)| {
                let z = (s > 0.0).then(|| b / s);
                let ci = Interval::new(b - q * s, b + q * s);
                CoxCoefficient {
                    term: name.clone(),
                    estimate: b,
                    hazard_ratio: b.exp(),
                    std_error: s,
                    z_value: z,
                    p_value: z.map(|z| (2.0 * normal_sf(z.abs())).min(1.0)),
                    ci,
                    hazard_ratio_ci: Interval::new(ci.lower.exp(), ci.upper.exp()),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{log_rank, EventStatus};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn score_test_is_the_log_rank_test_without_ties() {
        let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let s = [1, 1, 0, 1, 1, 1, 0, 1].map(|e| EventStatus::from_event(e == 1));
        let x = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
        let d = SurvivalData::new(&t, &s).unwrap();
        let fit = fit_cox(&d, &[Term::new("x", &x)], Ties::Breslow).unwrap();
        let lr = log_rank(&d, &x.map(|v| v as u8), None::<&[u8]>).unwrap();
        assert!((fit.score_test().unwrap().statistic - lr.test.statistic).abs() < 1e-12);
        assert!(fit.converged());
        // score residuals sum to the score, 0 at the maximum
        let r = fit.score_residuals().unwrap();
        assert!(r.iter().sum::<f64>().abs() < 1e-8);
    }

    #[test]
    fn one_stratum_is_no_stratum_and_strata_separate_risk_sets() {
        let t = [1.0, 2.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let s = [1, 1, 1, 1, 0, 1, 1, 1].map(|e| EventStatus::from_event(e == 1));
        let x = [0.3, 1.0, 0.0, 1.0, 1.2, 0.0, 1.0, -0.4];
        let d = SurvivalData::new(&t, &s).unwrap();
        let a = fit_cox(&d, &[Term::new("x", &x)], Ties::Efron).unwrap();
        let b = fit_cox_stratified(&d, &[Term::new("x", &x)], &[7u8; 8], Ties::Efron).unwrap();
        assert_eq!(a.coefficients(), b.coefficients());
        assert_eq!(a.loglik(), b.loglik());
        let g = [0u8, 1, 0, 1, 0, 1, 0, 1];
        let c = fit_cox_stratified(&d, &[Term::new("x", &x)], &g, Ties::Efron).unwrap();
        assert!(c.loglik()[0] > a.loglik()[0]);
        assert!(fit_cox_stratified(&d, &[Term::new("x", &x)], &g[..3], Ties::Efron).is_err());
    }

    #[test]
    fn refuses_bad_models() {
        let d = SurvivalData::new(&[1.0, 2.0], &[EventStatus::Event; 2]).unwrap();
        assert!(fit_cox(&d, &[], Ties::Efron).is_err());
        assert!(fit_cox(&d, &[Term::new("x", &[1.0])], Ties::Efron).is_err());
        assert!(fit_cox(&d, &[Term::new("x", &[1.0, f64::NAN])], Ties::Efron).is_err());
        // constant covariate: singular information
        assert!(fit_cox(&d, &[Term::new("x", &[1.0, 1.0])], Ties::Efron).is_err());
        let c = SurvivalData::new(&[1.0, 2.0], &[EventStatus::Censored; 2]).unwrap();
        assert!(fit_cox(&c, &[Term::new("x", &[0.0, 1.0])], Ties::Efron).is_err());
        let x = [0.0, 1.0];
        let a = [1.0, 2.0];
        assert!(fit_cox(&d, &[Term::new("x", &x), Term::new("x", &a)], Ties::Efron).is_err());
    }

    proptest! {
        #[test]
        fn negating_a_covariate_flips_its_coefficient(
            people in proptest::collection::vec((0u8..12, any::<bool>(), -3.0f64..3.0, any::<bool>()), 4..40),
            efron in any::<bool>(),
        ) {
            let t: Vec<f64> = people.iter().map(|p| p.0 as f64).collect();
            let s: Vec<_> = people.iter().map(|p| EventStatus::from_event(p.1)).collect();
            let x: Vec<f64> = people.iter().map(|p| p.2).collect();
            let neg: Vec<f64> = x.iter().map(|v| -v).collect();
            let d = SurvivalData::new(&t, &s).unwrap();
            let ties = if efron { Ties::Efron } else { Ties::Breslow };
            if let (Ok(a), Ok(b)) = (
                fit_cox(&d, &[Term::new("x", &x)], ties),
                fit_cox(&d, &[Term::new("x", &neg)], ties),
            ) {
                let (ba, bb) = (a.coefficients()[0], b.coefficients()[0]);
                prop_assert!((ba + bb).abs() <= 1e-6 * ba.abs().max(1.0), "{ba} {bb}");
                let sa = a.model_covariance().std_errors()[0];
                let sb = b.model_covariance().std_errors()[0];
                prop_assert!((sa - sb).abs() <= 1e-6 * sa.abs().max(1.0));
            }
        }

        #[test]
        fn never_panics(
            people in proptest::collection::vec((0.0f64..1e6, any::<bool>(), -1e300f64..1e300, 0u8..4), 0..25),
        ) {
            let t: Vec<f64> = people.iter().map(|p| p.0).collect();
            let s: Vec<_> = people.iter().map(|p| EventStatus::from_event(p.1)).collect();
            let x: Vec<f64> = people.iter().map(|p| p.2).collect();
            let cl: Vec<u8> = people.iter().map(|p| p.3).collect();
            if let Ok(d) = SurvivalData::new(&t, &s) {
                for ties in [Ties::Efron, Ties::Breslow] {
                    let _ = fit_cox_stratified(&d, &[Term::new("x", &x)], &cl, ties);
                    if let Ok(fit) = fit_cox(&d, &[Term::new("x", &x)], ties) {
                        let v = CoxVariance::Robust(Clusters::new(&cl));
                        let _ = fit.coefficient_table(&v, ConfidenceLevel::NINETY_FIVE);
                        let _ = fit.wald_test(&v);
                        let _ = fit.likelihood_ratio_test();
                        for tr in [super::super::ZphTransform::Km, super::super::ZphTransform::Log] {
                            let _ = super::super::cox_zph(&fit, tr);
                        }
                    }
                }
            }
        }
    }
}
