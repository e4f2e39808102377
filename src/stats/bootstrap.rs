//! Seeded nonparametric bootstrap confidence intervals: percentile and BCa
//! (bias-corrected and accelerated), following scipy 1.17
//! `scipy.stats.bootstrap(method="percentile" | "BCa")` step by step.
//!
//! Resampling uses [`crate::rng::Rng`], so results are reproducible from the
//! seed on every platform, but they differ from scipy's (numpy's generator
//! draws different indices): compare distributional properties, not digits.

use rayon::prelude::*;
use serde::Serialize;

use super::common::{check_finite, normal_cdf, normal_quantile};
use super::estimate::{ConfidenceLevel, Estimate, Interval};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Validated bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BootstrapConfig {
    resamples: usize,
    seed: u64,
    level: ConfidenceLevel,
}

impl BootstrapConfig {
    /// `resamples` bootstrap replicates (scipy's default is 9999) drawn from
    /// a generator seeded with `seed`, intervals at `level`.
    ///
    /// # Errors
    /// If `resamples < 100` (too few for the tails of a 95% interval) or
    /// above 10,000,000.
    pub fn new(resamples: usize, seed: u64, level: ConfidenceLevel) -> Result<Self> {
        if !(100..=10_000_000).contains(&resamples) {
            return Err(Error::invalid_parameter(
                "resamples",
                resamples,
                "must be between 100 and 10,000,000",
            ));
        }
        Ok(BootstrapConfig {
            resamples,
            seed,
            level,
        })
    }

    /// Number of resamples.
    pub fn resamples(&self) -> usize {
        self.resamples
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The confidence level.
    pub fn level(&self) -> ConfidenceLevel {
        self.level
    }
}

/// Bootstrap intervals for one statistic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapResult {
    /// The statistic on the original data, with the bootstrap SE (SD of the
    /// replicates, divisor B − 1) and the percentile interval.
    pub percentile: Estimate,
    /// The same statistic with the BCa interval; `None` when BCa is
    /// undefined (every replicate on one side of the estimate, or a
    /// degenerate jackknife), as scipy then returns NaN.
    pub bca: Option<Estimate>,
    /// The bias-correction constant `z0 = Φ⁻¹(p)`, `p` the share of
    /// replicates below the estimate (ties counting half).
    pub bias_correction: f64,
    /// The jackknife acceleration `a`, when defined.
    pub acceleration: Option<f64>,
    /// The settings used.
    pub config: BootstrapConfig,
}

/// Bootstrap a statistic of one sample.
///
/// # Errors
/// If `x` has fewer than 2 values or holds a non-finite value, or if the
/// statistic is not finite on the data or on some resample.
pub fn bootstrap_one_sample<F>(
    x: &[f64],
    statistic: F,
    config: BootstrapConfig,
) -> Result<BootstrapResult>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    bootstrap_samples(&[x], |s: &[&[f64]]| statistic(s[0]), config)
}

/// Bootstrap a statistic of two independent samples, resampling within
/// each group (group sizes fixed), e.g. a difference in means.
///
/// # Errors
/// As [`bootstrap_one_sample`], for either sample.
pub fn bootstrap_two_sample<F>(
    x: &[f64],
    y: &[f64],
    statistic: F,
    config: BootstrapConfig,
) -> Result<BootstrapResult>
where
    F: Fn(&[f64], &[f64]) -> f64 + Sync,
{
    bootstrap_samples(&[x, y], |s: &[&[f64]]| statistic(s[0], s[1]), config)
}

/// Bootstrap the difference in means `x̄ − ȳ` of two independent samples.
///
/// # Errors
/// As [`bootstrap_two_sample`].
pub fn bootstrap_mean_difference(
    x: &[f64],
    y: &[f64],
    config: BootstrapConfig,
) -> Result<BootstrapResult> {
    bootstrap_two_sample(
        x,
        y,
        |a, b| a.iter().sum::<f64>() / a.len() as f64 - b.iter().sum::<f64>() / b.len() as f64,
        config,
    )
}

/// Linear-interpolation quantile of sorted data (numpy/scipy `linear`,
/// Hyndman–Fan type 7).
fn quantile_sorted(s: &[f64], q: f64) -> f64 {
    let h = (s.len() - 1) as f64 * q;
    let lo = h.floor();
    let i = lo as usize;
    match s.get(i + 1) {
        Some(next) => s[i] + (h - lo) * (next - s[i]),
        None => s[s.len() - 1],
    }
}

/// Bootstrap the mean of one sample: the same resamples and intervals as
/// [`bootstrap_one_sample`] with the mean as the statistic, but the BCa
/// acceleration comes from the closed form of the mean's jackknife,
/// `U_i = x_i − x̄`, so it costs O(n) instead of O(n²) and works on samples
/// of millions.
///
/// # Errors
/// As [`bootstrap_one_sample`].
pub fn bootstrap_mean(x: &[f64], config: BootstrapConfig) -> Result<BootstrapResult> {
    let n = x.len() as f64;
    let acceleration = if x.len() >= 2 && x.iter().all(|v| v.is_finite()) {
        let m = x.iter().sum::<f64>() / n;
        let (mut num, mut den) = (0.0, 0.0);
        for v in x {
            let u = v - m;
            num += u.powi(3) / n.powi(3);
            den += u.powi(2) / n.powi(2);
        }
        let a = num / (6.0 * den.powf(1.5));
        a.is_finite().then_some(a)
    } else {
        None
    };
    bootstrap_core(
        &[x],
        |s: &[&[f64]]| s[0].iter().sum::<f64>() / s[0].len() as f64,
        config,
        Acceleration::Given(acceleration),
        Replicates::Mean,
    )
}

/// Bootstrap a statistic of cluster totals, resampling the clusters with
/// replacement: `totals[j]` holds cluster `j`'s `K` sums (a matched set's
/// programme and comparison sums and weights, say), and the statistic is
/// `combine` of a resample's column sums. The draws, the estimate, the
/// jackknife and the intervals are [`bootstrap_one_sample`]'s over the
/// cluster positions with the statistic `combine(Σ totals[drawn])`; each
/// resample's sums are formed from how many times it drew each cluster
/// (`Σ_j c_j totals[j]`, clusters in order), which reads the totals in
/// order rather than at random. The sums are the same up to the order of
/// addition.
///
/// # Errors
/// As [`bootstrap_one_sample`].
pub(crate) fn bootstrap_cluster_totals<const K: usize, F>(
    totals: &[[f64; K]],
    combine: F,
    config: BootstrapConfig,
) -> Result<BootstrapResult>
where
    F: Fn(&[f64; K]) -> f64 + Sync,
{
    let positions: Vec<f64> = (0..totals.len()).map(|j| j as f64).collect();
    let drawn = |idx: &[&[f64]]| {
        let mut t = [0.0; K];
        for &j in idx[0] {
            for (tk, v) in t.iter_mut().zip(&totals[j as usize]) {
                *tk += v;
            }
        }
        combine(&t)
    };
    let by_counts = |counts: &[u32]| {
        let mut t = [0.0; K];
        for (&c, row) in counts.iter().zip(totals) {
            if c > 0 {
                let c = f64::from(c);
                for (tk, v) in t.iter_mut().zip(row) {
                    *tk += c * v;
                }
            }
        }
        combine(&t)
    };
    bootstrap_core(
        &[&positions],
        drawn,
        config,
        Acceleration::Jackknife,
        Replicates::Counts(&by_counts),
    )
}

/// Above this many values in all, the generic jackknife (n evaluations of
/// the statistic on n − 1 values) is not run and BCa is not given; use
/// [`bootstrap_mean`] for means of large samples.
pub const JACKKNIFE_MAX_N: usize = 50_000;

/// How the replicates are computed: the statistic on each resample, or,
/// for the mean of one sample, the resampled values summed as they are
/// gathered (the same sums).
#[derive(Clone, Copy)]
enum Replicates<'a> {
    Statistic,
    Mean,
    /// One sample of cluster positions `0..n`: each resample's statistic
    /// from how many times it drew each cluster.
    Counts(&'a (dyn Fn(&[u32]) -> f64 + Sync)),
}

enum Acceleration {
    Jackknife,
    Given(Option<f64>),
}

fn bootstrap_samples<F>(
    data: &[&[f64]],
    statistic: F,
    config: BootstrapConfig,
) -> Result<BootstrapResult>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    bootstrap_core(
        data,
        statistic,
        config,
        Acceleration::Jackknife,
        Replicates::Statistic,
    )
}

fn bootstrap_core<F>(
    data: &[&[f64]],
    statistic: F,
    config: BootstrapConfig,
    accel: Acceleration,
    how: Replicates<'_>,
) -> Result<BootstrapResult>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    const WHAT: &str = "bootstrap";
    for (j, s) in data.iter().enumerate() {
        let name = if j == 0 { "x" } else { "y" };
        check_finite(WHAT, name, s)?;
        if s.len() < 2 {
            return Err(Error::insufficient_data(
                WHAT,
                format!(
                    "sample `{name}` has {} value(s); at least 2 needed",
                    s.len()
                ),
            ));
        }
    }
    let theta = statistic(data);
    if !theta.is_finite() {
        return Err(Error::numerical(
            WHAT,
            "the statistic is not finite on the data",
        ));
    }
    let reps = match how {
        Replicates::Statistic => replicates(data, &statistic, config)?,
        Replicates::Mean => mean_replicates(data[0], config)?,
        Replicates::Counts(of_counts) => count_replicates(data[0].len(), of_counts, config)?,
    };
    let b = config.resamples;
    let bf = b as f64;
    let mean_rep = reps.iter().sum::<f64>() / bf;
    let se = (reps.iter().map(|t| (t - mean_rep).powi(2)).sum::<f64>() / (bf - 1.0)).sqrt();
    let mut sorted = reps.clone();
    sorted.sort_by(f64::total_cmp);
    let alpha = config.level.alpha() / 2.0;
    let n_total: usize = data.iter().map(|s| s.len()).sum();
    let make = |lower: f64, upper: f64| Estimate {
        value: theta,
        std_error: Some(se),
        ci: Interval::new(lower, upper),
        level: config.level.get(),
        n: n_total,
    };
    let percentile = make(
        quantile_sorted(&sorted, alpha),
        quantile_sorted(&sorted, 1.0 - alpha),
    );

    // BCa (Efron & Tibshirani 1993, 14.3; scipy `_bca_interval`)
    let below = reps.iter().filter(|t| **t < theta).count() as f64;
    let at_or_below = reps.iter().filter(|t| **t <= theta).count() as f64;
    let z0 = normal_quantile((below + at_or_below) / (2.0 * bf));
    let acceleration = match accel {
        Acceleration::Given(a) => a,
        Acceleration::Jackknife if n_total <= JACKKNIFE_MAX_N => {
            jackknife_acceleration(data, &statistic)
        }
        Acceleration::Jackknife => None,
    };
    let bca = match acceleration {
        Some(a) if z0.is_finite() => {
            let za = normal_quantile(alpha);
            let adj = |z: f64| {
                let num = z0 + z;
                normal_cdf(z0 + num / (1.0 - a * num))
            };
            let (a1, a2) = (adj(za), adj(-za));
            if (0.0..=1.0).contains(&a1) && (0.0..=1.0).contains(&a2) {
                Some(make(
                    quantile_sorted(&sorted, a1),
                    quantile_sorted(&sorted, a2),
                ))
            } else {
                None
            }
        }
        _ => None,
    };
    Ok(BootstrapResult {
        percentile,
        bca,
        bias_correction: z0,
        acceleration,
        config,
    })
}

/// Above this many values in all, each resample is drawn on one thread while
/// the statistic of the one before is computed on another.
const PIPELINE_MIN_N: usize = 10_000;

/// Draws one resample of every sample into `bufs`: each value in turn, an
/// index below the sample's size from the one seeded stream.
fn draw(rng: &mut Rng, data: &[&[f64]], bufs: &mut [Vec<f64>]) {
    for (buf, s) in bufs.iter_mut().zip(data) {
        for v in buf.iter_mut() {
            let i = rng.below(s.len() as u64) as usize;
            *v = s.get(i).copied().unwrap_or(s[0]);
        }
    }
}

/// The resampling loop every bootstrap shares: `resamples` times, `fill`
/// draws a resample into a buffer from the one seeded stream (made by
/// `fresh`), and `statistic` computes its replicate. When `pipelined`,
/// resample `r + 1` is drawn on one core while the statistic of resample
/// `r` is computed on the other; the draws are the same stream in the same
/// order either way, so the replicates are identical.
fn run_resamples<B: Send + Sync>(
    resamples: usize,
    pipelined: bool,
    fresh: impl Fn() -> B,
    mut fill: impl FnMut(&mut B) + Send,
    statistic: impl Fn(&B) -> f64 + Sync,
) -> Result<Vec<f64>> {
    let mut cur = fresh();
    let mut spare = pipelined.then(&fresh);
    let mut reps = Vec::with_capacity(resamples);
    if resamples > 0 {
        fill(&mut cur);
    }
    for r in 0..resamples {
        let more = r + 1 < resamples;
        let t = match spare.as_mut() {
            Some(spare) => {
                let (t, ()) = rayon::join(
                    || statistic(&cur),
                    || {
                        if more {
                            fill(spare);
                        }
                    },
                );
                std::mem::swap(&mut cur, spare);
                t
            }
            None => {
                let t = statistic(&cur);
                if more {
                    fill(&mut cur);
                }
                t
            }
        };
        if !t.is_finite() {
            return Err(Error::numerical(
                "bootstrap",
                "the statistic is not finite on a resample",
            ));
        }
        reps.push(t);
    }
    Ok(reps)
}

/// The statistic on `config.resamples` resamples of every sample, in order
/// ([`run_resamples`], pipelined above [`PIPELINE_MIN_N`] values in all).
fn replicates<F>(data: &[&[f64]], statistic: &F, config: BootstrapConfig) -> Result<Vec<f64>>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    let mut rng = Rng::new(config.seed);
    let n_total: usize = data.iter().map(|s| s.len()).sum();
    run_resamples(
        config.resamples,
        n_total >= PIPELINE_MIN_N,
        || -> Vec<Vec<f64>> { data.iter().map(|s| vec![0.0; s.len()]).collect() },
        |bufs| draw(&mut rng, data, bufs),
        |bufs| {
            let v: Vec<&[f64]> = bufs.iter().map(Vec::as_slice).collect();
            statistic(&v)
        },
    )
}

/// [`replicates`] for the mean of `x`: the same draws and, for each
/// resample, the same sum in the same order (`Iterator::sum` over the
/// resampled values), then divided by `n`. The values are summed as they
/// are gathered by index, so for large samples one core draws the next
/// resample's indices while the other gathers and sums the last.
fn mean_replicates(x: &[f64], config: BootstrapConfig) -> Result<Vec<f64>> {
    let n = x.len();
    let mut rng = Rng::new(config.seed);
    run_resamples(
        config.resamples,
        n >= PIPELINE_MIN_N,
        || vec![0usize; n],
        |idx| {
            for v in idx.iter_mut() {
                *v = rng.below(n as u64) as usize;
            }
        },
        |idx| {
            let mut sum = -0.0;
            for &i in idx {
                sum += x.get(i).copied().unwrap_or(x[0]);
            }
            sum / n as f64
        },
    )
}

/// The replicates of a statistic of how many times each of `n` positions
/// was drawn: the draws of [`replicates`] for one sample of `n` values,
/// counted; for large `n` one core counts the next resample's draws while
/// the other computes the last one's statistic.
fn count_replicates(
    n: usize,
    of_counts: &(dyn Fn(&[u32]) -> f64 + Sync),
    config: BootstrapConfig,
) -> Result<Vec<f64>> {
    let mut rng = Rng::new(config.seed);
    run_resamples(
        config.resamples,
        n >= PIPELINE_MIN_N,
        || vec![0u32; n],
        |counts| {
            counts.fill(0);
            for _ in 0..n {
                counts[rng.below(n as u64) as usize] += 1;
            }
        },
        |counts| of_counts(counts),
    )
}

/// scipy's multi-sample jackknife acceleration:
/// `a = Σ_j Σ_i U_ji³/n_j³ / (6 (Σ_j Σ_i U_ji²/n_j²)^{3/2})`,
/// `U_ji = (n_j − 1)(θ̄_(j·) − θ_(ji))`, leaving out one value of sample j.
/// The `n` leave-one-out evaluations are independent and run in parallel,
/// collected in order.
fn jackknife_acceleration<F>(data: &[&[f64]], statistic: &F) -> Option<f64>
where
    F: Fn(&[&[f64]]) -> f64 + Sync,
{
    let mut num = 0.0;
    let mut den = 0.0;
    for (j, s) in data.iter().enumerate() {
        let n = s.len();
        let vals: Vec<f64> = (0..n)
            .into_par_iter()
            .with_min_len(64)
            .map_init(
                || Vec::with_capacity(n - 1),
                |loo: &mut Vec<f64>, i| {
                    loo.clear();
                    loo.extend_from_slice(&s[..i]);
                    loo.extend_from_slice(&s[i + 1..]);
                    let mut views: Vec<&[f64]> = data.to_vec();
                    views[j] = loo;
                    let t = statistic(&views);
                    t.is_finite().then_some(t)
                },
            )
            .collect::<Option<Vec<f64>>>()?;
        let nf = n as f64;
        let dot = vals.iter().sum::<f64>() / nf;
        for t in &vals {
            let u = (nf - 1.0) * (dot - t);
            num += u.powi(3) / nf.powi(3);
            den += u.powi(2) / nf.powi(2);
        }
    }
    let a = num / (6.0 * den.powf(1.5));
    a.is_finite().then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mean's replicates, summed as gathered, are the generic path's
    /// replicates of the mean, to the bit, below and above the pipelining size.
    #[test]
    fn mean_replicates_are_the_statistic_path() {
        for n in [37, PIPELINE_MIN_N + 5] {
            let x: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 1013) as f64 / 7.0 - 50.0)
                .collect();
            let cfg = BootstrapConfig::new(150, 5, ConfidenceLevel::NINETY_FIVE).unwrap();
            let mean = |s: &[&[f64]]| s[0].iter().sum::<f64>() / s[0].len() as f64;
            let want = replicates(&[&x], &mean, cfg).unwrap();
            let got = mean_replicates(&x, cfg).unwrap();
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.to_bits(), w.to_bits(), "n = {n}");
            }
        }
    }

    /// Cluster totals resampled by counts give the intervals of resampling
    /// the positions and adding up the drawn clusters' totals (to rounding),
    /// below and above the pipelining size.
    #[test]
    fn cluster_totals_by_counts_match_summing_the_draws() {
        for n in [40usize, PIPELINE_MIN_N + 3] {
            let totals: Vec<[f64; 4]> = (0..n)
                .map(|j| {
                    let a = ((j * 7919) % 1013) as f64;
                    [
                        a * 1.37,
                        1.0 + (j % 3) as f64,
                        a * 0.5 - 3.0,
                        0.5 + (j % 5) as f64,
                    ]
                })
                .collect();
            let combine = |t: &[f64; 4]| t[0] / t[1] - t[2] / t[3];
            let cfg = BootstrapConfig::new(300, 9, ConfidenceLevel::NINETY_FIVE).unwrap();
            let got = bootstrap_cluster_totals(&totals, combine, cfg).unwrap();
            let positions: Vec<f64> = (0..n).map(|j| j as f64).collect();
            let want = bootstrap_one_sample(
                &positions,
                |idx| {
                    let mut t = [0.0; 4];
                    for &j in idx {
                        for k in 0..4 {
                            t[k] += totals[j as usize][k];
                        }
                    }
                    combine(&t)
                },
                cfg,
            )
            .unwrap();
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
            let (g, w) = (&got.percentile, &want.percentile);
            assert_eq!(g.value.to_bits(), w.value.to_bits(), "n = {n}");
            assert!(
                close(g.ci.lower, w.ci.lower) && close(g.ci.upper, w.ci.upper),
                "n = {n}"
            );
            assert!(close(g.std_error.unwrap(), w.std_error.unwrap()), "n = {n}");
            assert_eq!(got.acceleration.is_some(), want.acceleration.is_some());
            match (&got.bca, &want.bca) {
                (Some(g), Some(w)) => {
                    assert!(close(g.ci.lower, w.ci.lower) && close(g.ci.upper, w.ci.upper))
                }
                (None, None) => {}
                _ => panic!("n = {n}: BCa defined on one side only"),
            }
        }
    }

    /// Drawing the next resample while the statistic of the last is
    /// computed gives the replicates of drawing and computing in turn.
    #[test]
    fn pipelined_replicates_are_the_sequential_ones() {
        let x: Vec<f64> = (0..PIPELINE_MIN_N + 7)
            .map(|i| ((i * 7919) % 1013) as f64)
            .collect();
        let y: Vec<f64> = (0..500).map(|i| (i % 17) as f64).collect();
        let data: [&[f64]; 2] = [&x, &y];
        let cfg = BootstrapConfig::new(200, 11, ConfidenceLevel::NINETY_FIVE).unwrap();
        let stat = |s: &[&[f64]]| s[0].iter().sum::<f64>() / 3.0 - s[1].iter().sum::<f64>();
        let got = replicates(&data, &stat, cfg).unwrap();
        let mut rng = Rng::new(11);
        let mut bufs: Vec<Vec<f64>> = data.iter().map(|s| vec![0.0; s.len()]).collect();
        let want: Vec<f64> = (0..200)
            .map(|_| {
                draw(&mut rng, &data, &mut bufs);
                stat(&[&bufs[0], &bufs[1]])
            })
            .collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.to_bits(), w.to_bits());
        }
    }

    #[test]
    fn closed_form_mean_matches_the_generic_jackknife() {
        let x: Vec<f64> = (0..200)
            .map(|i| ((i * 37) % 101) as f64 * 1.5 + (i as f64).sqrt())
            .collect();
        let cfg = BootstrapConfig::new(500, 7, ConfidenceLevel::NINETY_FIVE).unwrap();
        let fast = bootstrap_mean(&x, cfg).unwrap();
        let slow =
            bootstrap_one_sample(&x, |s| s.iter().sum::<f64>() / s.len() as f64, cfg).unwrap();
        assert_eq!(fast.percentile, slow.percentile);
        let (a, b) = (fast.acceleration.unwrap(), slow.acceleration.unwrap());
        // The generic jackknife sums n - 1 values for each θ_(i) (rounding
        // ~n·ε·|x̄| ≈ 2e-12 here) and multiplies differences by n - 1, so its
        // U_i carry a relative error near 1e-11; the closed form has none of
        // that. 1e-9 relative bounds the generic path's rounding.
        assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} vs {b}");
        let (fb, sb) = (fast.bca.unwrap(), slow.bca.unwrap());
        assert!(
            (fb.ci.lower - sb.ci.lower).abs() < 1e-9 && (fb.ci.upper - sb.ci.upper).abs() < 1e-9
        );
    }

    #[test]
    fn quantile_is_type_7() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.5), 2.5);
        assert_eq!(quantile_sorted(&s, 0.0), 1.0);
        assert_eq!(quantile_sorted(&s, 1.0), 4.0);
        assert!((quantile_sorted(&s, 0.1) - 1.3).abs() < 1e-12);
    }

    #[test]
    fn config_validates() {
        assert!(BootstrapConfig::new(10, 1, ConfidenceLevel::NINETY_FIVE).is_err());
        assert!(BootstrapConfig::new(1000, 1, ConfidenceLevel::NINETY_FIVE).is_ok());
    }

    #[test]
    fn acceleration_of_mean_matches_closed_form() {
        // For the mean, a = Σ(x − x̄)³ / (6 (Σ(x − x̄)²)^{3/2}).
        let x = [1.0, 2.0, 4.0, 8.0, 16.0];
        let m = x.iter().sum::<f64>() / 5.0;
        let s3: f64 = x.iter().map(|v| (v - m).powi(3)).sum();
        let s2: f64 = x.iter().map(|v| (v - m).powi(2)).sum();
        let expected = s3 / (6.0 * s2.powf(1.5));
        let a = jackknife_acceleration(&[&x], &|s: &[&[f64]]| {
            s[0].iter().sum::<f64>() / s[0].len() as f64
        })
        .unwrap();
        assert!((a - expected).abs() < 1e-12, "{a} {expected}");
    }
}
