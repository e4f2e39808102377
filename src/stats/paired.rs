//! Descriptives and pre/post (paired) comparisons: the mean change with its
//! t interval, the paired t-test, the Wilcoxon signed-rank test, the sign
//! test and McNemar's test for paired binary outcomes.
//!
//! Every paired function takes `before` and `after` slices of equal length,
//! one entry per person, and works on the differences `after - before`, so
//! a positive estimate means the outcome went up.

use serde::Serialize;

use super::common::{
    binom_half_test, check_finite, check_len, chi2_sf, clamp_p, differences, ensure_finite, mean,
    normal_sf, rank, signrank_counts, t_estimate, t_p_value, variance,
};
use super::estimate::{Alternative, ConfidenceLevel, Estimate, TestResult};
use crate::error::{Error, Result};

/// Summary statistics of one sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Descriptives {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor `n - 1`); `None` when `n < 2`.
    pub sd: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// Median (mean of the two middle values when `n` is even).
    pub median: f64,
    /// Largest value.
    pub max: f64,
}

/// Summary statistics of a sample.
///
/// # Errors
/// If `x` is empty or holds a non-finite value.
pub fn describe(x: &[f64]) -> Result<Descriptives> {
    const WHAT: &str = "descriptives";
    check_len(WHAT, "x", x, 1)?;
    check_finite(WHAT, "x", x)?;
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let m = mean(&s);
    let sd = (n >= 2).then(|| variance(&s).sqrt());
    ensure_finite(WHAT, &[m, sd.unwrap_or(0.0)])?;
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    Ok(Descriptives {
        n,
        mean: m,
        sd,
        min: s[0],
        median,
        max: s[n - 1],
    })
}

/// The mean of a sample with its t confidence interval,
/// `mean ± t_{1-α/2, n-1} · s/√n` (R `t.test(x)$conf.int`).
///
/// # Errors
/// If `x` has fewer than 2 values or holds a non-finite value.
pub fn mean_ci(x: &[f64], level: ConfidenceLevel) -> Result<Estimate> {
    const WHAT: &str = "mean with t interval";
    check_len(WHAT, "x", x, 2)?;
    check_finite(WHAT, "x", x)?;
    let n = x.len();
    let se = (variance(x) / n as f64).sqrt();
    t_estimate(WHAT, mean(x), se, (n - 1) as f64, level, n)
}

/// The mean change `after − before` with its SE `s_d/√n` and two-sided t
/// interval `d̄ ± t_{1−α/2, n−1}·s_d/√n` (the estimate part of
/// [`paired_t`]; R `t.test(after, before, paired = TRUE)$conf.int`).
///
/// # Errors
/// If the slices differ in length, have fewer than 2 pairs or hold a
/// non-finite value. (Zero variance is allowed: the interval is then a
/// point.)
pub fn mean_change(before: &[f64], after: &[f64], level: ConfidenceLevel) -> Result<Estimate> {
    const WHAT: &str = "mean change";
    let d = differences(WHAT, before, after)?;
    check_len(WHAT, "before", before, 2)?;
    let n = d.len();
    let se = (variance(&d) / n as f64).sqrt();
    t_estimate(WHAT, mean(&d), se, (n - 1) as f64, level, n)
}

/// The result of a paired t-test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedTResult {
    /// Number of pairs.
    pub n: usize,
    /// Mean of `before`.
    pub mean_before: f64,
    /// Mean of `after`.
    pub mean_after: f64,
    /// Standard deviation of the differences `after - before`.
    pub sd_difference: f64,
    /// Mean change `after - before`, its SE `sd/√n` and two-sided t interval
    /// at the requested level (the interval is two-sided whatever the
    /// alternative of the test).
    pub estimate: Estimate,
    /// The t-test of mean change = 0, with `n - 1` df.
    pub test: TestResult,
}

/// Paired t-test of `after - before`, as scipy 1.17
/// `ttest_rel(after, before, alternative=...)` and R
/// `t.test(after, before, paired = TRUE)`.
///
/// # Errors
/// If the slices differ in length, have fewer than 2 pairs or hold a
/// non-finite value, or if every difference is the same (zero variance:
/// t is undefined).
pub fn paired_t(
    before: &[f64],
    after: &[f64],
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Result<PairedTResult> {
    const WHAT: &str = "paired t-test";
    let d = differences(WHAT, before, after)?;
    check_len(WHAT, "before", before, 2)?;
    let n = d.len();
    let sd = variance(&d).sqrt();
    ensure_finite(WHAT, &[sd])?;
    if sd.is_nan() || sd <= 0.0 {
        return Err(Error::insufficient_data(
            WHAT,
            "all differences are equal (zero variance), so t is undefined",
        ));
    }
    let se = sd / (n as f64).sqrt();
    let m = mean(&d);
    let df = (n - 1) as f64;
    let t = m / se;
    ensure_finite(WHAT, &[m, se, t, mean(before), mean(after)])?;
    let p = t_p_value(WHAT, t, df, alternative)?;
    Ok(PairedTResult {
        n,
        mean_before: mean(before),
        mean_after: mean(after),
        sd_difference: sd,
        estimate: t_estimate(WHAT, m, se, df, level, n)?,
        test: TestResult {
            test: "Paired t-test",
            statistic: t,
            df: Some(df),
            p_value: p,
            alternative,
            n,
        },
    })
}

/// How the p-value of a rank test is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub enum RankTestMethod {
    /// The reference implementation's default rule (documented on each test).
    #[default]
    Auto,
    /// The exact permutation distribution; falls back to the normal
    /// approximation when there are ties (or, for the signed-rank test,
    /// zero differences), as R does.
    Exact,
    /// The normal approximation with tie and continuity corrections.
    Asymptotic,
}

/// Which p-value a rank test actually used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RankTestMethodUsed {
    /// Exact null distribution.
    Exact,
    /// Normal approximation with tie and continuity corrections.
    Asymptotic,
}

/// Largest number of non-zero pairs for the exact signed-rank distribution
/// (its counts, up to 2^n, must fit in f64).
const MAX_EXACT_SIGNED_RANK: usize = 1000;

/// The result of a Wilcoxon signed-rank test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WilcoxonResult {
    /// Number of pairs given.
    pub n: usize,
    /// Pairs with `after == before`, dropped before ranking.
    pub n_zero: usize,
    /// Sum of the ranks of |d| over positive differences (R's `V`).
    pub rank_sum_positive: f64,
    /// Sum of the ranks of |d| over negative differences; scipy's two-sided
    /// statistic is `min(rank_sum_positive, rank_sum_negative)`.
    pub rank_sum_negative: f64,
    /// The standardised statistic (after continuity correction), when the
    /// normal approximation was used.
    pub z: Option<f64>,
    /// How the p-value was computed.
    pub method: RankTestMethodUsed,
    /// The test: `statistic` is `V`, `n` is the number of non-zero pairs.
    pub test: TestResult,
}

/// Wilcoxon signed-rank test on `after - before`, as R 4.x
/// `wilcox.test(after, before, paired = TRUE)` (defaults `exact = NULL`,
/// `correct = TRUE`).
///
/// Zero differences are dropped before ranking (Wilcoxon's method; scipy
/// `zero_method="wilcox"`). Absolute differences are mid-ranked.
/// `Auto` uses the exact distribution when, after dropping zeros, fewer than
/// 50 pairs remain and there were no ties and no zeros (R's rule);
/// otherwise the normal approximation
/// `z = (V − n(n+1)/4 − c) / sqrt(n(n+1)(2n+1)/24 − Σ(t³−t)/48)` with
/// continuity correction `c = ±0.5` towards the null. This equals scipy 1.17
/// `wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic")`
/// when the approximation is used and `method="exact"` otherwise (scipy's
/// own `auto` differs: it uses a permutation test for n ≤ 13 with ties).
///
/// # Errors
/// If the slices differ in length or hold a non-finite value, or if every
/// difference is zero.
pub fn wilcoxon_signed_rank(
    before: &[f64],
    after: &[f64],
    alternative: Alternative,
    method: RankTestMethod,
) -> Result<WilcoxonResult> {
    const WHAT: &str = "Wilcoxon signed-rank test";
    let d_all = differences(WHAT, before, after)?;
    let d: Vec<f64> = d_all.iter().copied().filter(|v| *v != 0.0).collect();
    let n_zero = d_all.len() - d.len();
    if d.is_empty() {
        return Err(Error::insufficient_data(
            WHAT,
            format!(
                "{} pair(s), all with zero difference; nothing to rank",
                d_all.len()
            ),
        ));
    }
    let n = d.len();
    let abs: Vec<f64> = d.iter().map(|v| v.abs()).collect();
    let r = rank(&abs);
    let v: f64 = d
        .iter()
        .zip(&r.ranks)
        .filter(|(x, _)| **x > 0.0)
        .map(|(_, r)| r)
        .sum();
    let nf = n as f64;
    let total = nf * (nf + 1.0) / 2.0;
    let exact_ok = !r.has_ties && n_zero == 0;
    let use_exact = match method {
        RankTestMethod::Asymptotic => false,
        RankTestMethod::Exact => exact_ok,
        _ => exact_ok && n < 50,
    };
    if use_exact && n > MAX_EXACT_SIGNED_RANK {
        return Err(Error::invalid_parameter(
            "method",
            "Exact",
            format!(
                "the exact signed-rank distribution is limited to {MAX_EXACT_SIGNED_RANK} non-zero pairs; use Asymptotic"
            ),
        ));
    }
    let (p, z, used) = if use_exact {
        let counts = signrank_counts(n);
        let all: f64 = counts.iter().sum();
        let k = v.round() as usize;
        let lower = |k: usize| counts.iter().take(k + 1).sum::<f64>() / all; // P(V <= k)
        let upper = |k: usize| counts.iter().skip(k).sum::<f64>() / all; // P(V >= k)
        let p = match alternative {
            Alternative::Greater => upper(k),
            Alternative::Less => lower(k),
            _ => {
                let p = if v > total / 2.0 { upper(k) } else { lower(k) };
                2.0 * p
            }
        };
        (clamp_p(p), None, RankTestMethodUsed::Exact)
    } else {
        let sigma = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - r.tie_term / 48.0).sqrt();
        let dev = v - nf * (nf + 1.0) / 4.0;
        let corr = match alternative {
            Alternative::Greater => 0.5,
            Alternative::Less => -0.5,
            _ => 0.5 * dev.signum() * f64::from(dev != 0.0),
        };
        let z = (dev - corr) / sigma;
        let p = match alternative {
            Alternative::Greater => normal_sf(z),
            Alternative::Less => normal_sf(-z),
            _ => 2.0 * normal_sf(z.abs()),
        };
        (clamp_p(p), Some(z), RankTestMethodUsed::Asymptotic)
    };
    Ok(WilcoxonResult {
        n: d_all.len(),
        n_zero,
        rank_sum_positive: v,
        rank_sum_negative: total - v,
        z,
        method: used,
        test: TestResult {
            test: "Wilcoxon signed-rank test",
            statistic: v,
            df: None,
            p_value: p,
            alternative,
            n,
        },
    })
}

/// The result of a sign test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignTestResult {
    /// Number of pairs given.
    pub n: usize,
    /// Pairs with `after > before`.
    pub n_positive: usize,
    /// Pairs with `after < before`.
    pub n_negative: usize,
    /// Pairs with `after == before` (dropped).
    pub n_zero: usize,
    /// Exact binomial test of `n_positive` out of `n_positive + n_negative`
    /// against 1/2; `statistic` is `n_positive`.
    pub test: TestResult,
}

/// Sign test on `after - before`: ties (zero differences) are dropped and
/// the number of increases is tested against Binomial(m, 1/2), as scipy 1.17
/// `binomtest(n_positive, n_positive + n_negative, 0.5, alternative=...)`.
/// `Greater` means increases are more likely than decreases.
///
/// # Errors
/// If the slices differ in length or hold a non-finite value, or if every
/// difference is zero.
pub fn sign_test(
    before: &[f64],
    after: &[f64],
    alternative: Alternative,
) -> Result<SignTestResult> {
    const WHAT: &str = "sign test";
    let d = differences(WHAT, before, after)?;
    let n_positive = d.iter().filter(|v| **v > 0.0).count();
    let n_negative = d.iter().filter(|v| **v < 0.0).count();
    let m = n_positive + n_negative;
    if m == 0 {
        return Err(Error::insufficient_data(
            WHAT,
            format!("{} pair(s), none with a non-zero difference", d.len()),
        ));
    }
    Ok(SignTestResult {
        n: d.len(),
        n_positive,
        n_negative,
        n_zero: d.len() - m,
        test: TestResult {
            test: "Sign test (exact binomial)",
            statistic: n_positive as f64,
            df: None,
            p_value: binom_half_test(n_positive as u64, m as u64, alternative),
            alternative,
            n: m,
        },
    })
}

/// The result of McNemar's test for paired binary outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McNemarResult {
    /// Number of pairs.
    pub n: usize,
    /// Pairs that were true before and false after.
    pub true_to_false: u64,
    /// Pairs that were false before and true after.
    pub false_to_true: u64,
    /// Exact (conditional binomial) test: `statistic` is
    /// `min(true_to_false, false_to_true)`, two-sided, as statsmodels 0.15
    /// `mcnemar(table, exact=True)`.
    pub exact: TestResult,
    /// Chi-square test with continuity correction,
    /// `(|b − c| − 1)² / (b + c)` on 1 df, as R `mcnemar.test(table)` and
    /// statsmodels `mcnemar(table, exact=False, correction=True)`.
    pub chi_square: TestResult,
}

/// McNemar's test of `before` vs `after` for paired binary outcomes.
///
/// # Errors
/// If the slices differ in length or no pair changed (b + c = 0).
pub fn mcnemar(before: &[bool], after: &[bool]) -> Result<McNemarResult> {
    if before.len() != after.len() {
        return Err(Error::invalid_parameter(
            "after",
            format!("{} values", after.len()),
            format!(
                "McNemar test: paired samples must have equal length (`before` has {})",
                before.len()
            ),
        ));
    }
    let b = before
        .iter()
        .zip(after)
        .filter(|(x, y)| **x && !**y)
        .count() as u64;
    let c = before
        .iter()
        .zip(after)
        .filter(|(x, y)| !**x && **y)
        .count() as u64;
    mcnemar_from_counts(b, c, before.len())
}

/// McNemar's test from the discordant counts of a paired 2×2 table:
/// `true_to_false` (b) and `false_to_true` (c); `n` is the total number of
/// pairs (reported only).
///
/// # Errors
/// If `b + c = 0`, or `b + c > n`.
pub fn mcnemar_from_counts(
    true_to_false: u64,
    false_to_true: u64,
    n: usize,
) -> Result<McNemarResult> {
    const WHAT: &str = "McNemar test";
    let (b, c) = (true_to_false, false_to_true);
    let m = b.checked_add(c).ok_or_else(|| {
        Error::invalid_parameter("false_to_true", c, "discordant counts overflow")
    })?;
    if m == 0 {
        return Err(Error::insufficient_data(
            WHAT,
            "no discordant pairs (no one changed), so the test is undefined",
        ));
    }
    if m > n as u64 {
        return Err(Error::invalid_parameter(
            "n",
            n,
            format!("must be at least the number of discordant pairs ({m})"),
        ));
    }
    let stat = ((b as f64 - c as f64).abs() - 1.0).powi(2) / m as f64;
    Ok(McNemarResult {
        n,
        true_to_false: b,
        false_to_true: c,
        exact: TestResult {
            test: "McNemar test (exact binomial)",
            statistic: b.min(c) as f64,
            df: None,
            p_value: binom_half_test(b.min(c), m, Alternative::TwoSided),
            alternative: Alternative::TwoSided,
            n: m as usize,
        },
        chi_square: TestResult {
            test: "McNemar chi-square test with continuity correction",
            statistic: stat,
            df: Some(1.0),
            p_value: clamp_p(chi2_sf(WHAT, stat, 1.0)?),
            alternative: Alternative::TwoSided,
            n: m as usize,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_basic() {
        let d = describe(&[3.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!(d.n, 4);
        assert_eq!(d.median, 2.5);
        assert_eq!(d.min, 1.0);
        assert_eq!(d.max, 10.0);
        assert_eq!(d.mean, 4.0);
        assert!(describe(&[1.0]).unwrap().sd.is_none());
        assert!(describe(&[]).is_err());
        assert!(describe(&[f64::NAN]).is_err());
    }

    #[test]
    fn paired_rejects_zero_variance_and_mismatch() {
        let lvl = ConfidenceLevel::NINETY_FIVE;
        assert!(paired_t(&[1.0, 2.0], &[2.0, 3.0], lvl, Alternative::TwoSided).is_err());
        assert!(paired_t(&[1.0, 2.0], &[2.0], lvl, Alternative::TwoSided).is_err());
    }

    #[test]
    fn wilcoxon_all_zero_is_error() {
        assert!(wilcoxon_signed_rank(
            &[1.0, 2.0],
            &[1.0, 2.0],
            Alternative::TwoSided,
            RankTestMethod::Auto
        )
        .is_err());
    }

    #[test]
    fn mcnemar_counts() {
        let before = [true, true, false, false, true];
        let after = [false, true, true, true, false];
        let r = mcnemar(&before, &after).unwrap();
        assert_eq!(r.true_to_false, 2);
        assert_eq!(r.false_to_true, 2);
        assert_eq!(r.exact.p_value, 1.0);
    }
}
