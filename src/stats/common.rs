//! Internal helpers shared by the statistics in this module: input
//! validation, moments, ranks and the reference distributions (wrapping
//! `statrs`, with the exact discrete distributions computed here).

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};
use statrs::function::factorial::ln_binomial;

use super::estimate::{Alternative, ConfidenceLevel, Estimate, Interval};
use crate::error::{Error, Location, Result};

/// Check that every value is finite; the error names the statistic, the
/// argument and the 1-based position of the first offending value.
pub(crate) fn check_finite(what: &str, name: &str, x: &[f64]) -> Result<()> {
    for (i, v) in x.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::invalid_value(
                Location::source(format!("{what}: {name}")).row(i as u64 + 1),
                v.to_string(),
                "must be a finite number",
            ));
        }
    }
    Ok(())
}

/// Check that a sample has at least `min` values.
pub(crate) fn check_len(what: &str, name: &str, x: &[f64], min: usize) -> Result<()> {
    if x.len() < min {
        return Err(Error::insufficient_data(
            what,
            format!("`{name}` has {} value(s); at least {min} needed", x.len()),
        ));
    }
    Ok(())
}

/// Check two paired samples: equal length, finite.
pub(crate) fn check_pairs(what: &str, before: &[f64], after: &[f64]) -> Result<()> {
    if before.len() != after.len() {
        return Err(Error::invalid_parameter(
            "after",
            format!("{} values", after.len()),
            format!(
                "{what}: paired samples must have equal length (`before` has {})",
                before.len()
            ),
        ));
    }
    check_finite(what, "before", before)?;
    check_finite(what, "after", after)
}

/// Paired differences `after - before`, checked finite.
pub(crate) fn differences(what: &str, before: &[f64], after: &[f64]) -> Result<Vec<f64>> {
    check_pairs(what, before, after)?;
    let d: Vec<f64> = before.iter().zip(after).map(|(b, a)| a - b).collect();
    check_finite(what, "after - before", &d)?;
    Ok(d)
}

/// Error unless every intermediate result is finite (guards against
/// overflow with values near the limits of f64).
pub(crate) fn ensure_finite(what: &str, values: &[f64]) -> Result<()> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Error::numerical(
            what,
            "an intermediate result overflowed (values too large in magnitude)",
        ))
    }
}

/// Arithmetic mean (caller guarantees non-empty).
pub(crate) fn mean(x: &[f64]) -> f64 {
    // Two-pass: the mean, then a correction term (as numpy's pairwise sum is
    // not reproducible here, this keeps the error at O(eps)).
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let corr = x.iter().map(|v| v - m).sum::<f64>() / n;
    m + corr
}

/// Sample variance with divisor `n - 1` (caller guarantees `n >= 2`).
pub(crate) fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    let n = x.len() as f64;
    let (ss, s) = x.iter().fold((0.0, 0.0), |(ss, s), v| {
        let d = v - m;
        (ss + d * d, s + d)
    });
    (ss - s * s / n) / (n - 1.0)
}

/// Mid-ranks (1-based, ties averaged) and the sizes of the tie groups.
pub(crate) struct Ranks {
    /// Rank of each input value, in input order.
    pub ranks: Vec<f64>,
    /// Sum over tie groups of `t^3 - t`.
    pub tie_term: f64,
    /// True if any two values are equal.
    pub has_ties: bool,
}

/// Rank finite values, averaging ties (scipy `rankdata(method='average')`).
pub(crate) fn rank(x: &[f64]) -> Ranks {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut tie_term = 0.0;
    let mut has_ties = false;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && x[idx[j]] == x[idx[i]] {
            j += 1;
        }
        // positions i..j (0-based) share ranks i+1..=j
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = r;
        }
        let t = (j - i) as f64;
        if j - i > 1 {
            has_ties = true;
            tie_term += t * t * t - t;
        }
        i = j;
    }
    Ranks {
        ranks,
        tie_term,
        has_ties,
    }
}

/// Standard normal upper tail `P(Z > z) = erfc(z/√2)/2`, with libm's `erfc` (the
/// musl/FreeBSD implementation, within an ulp or two), as scipy's `ndtr` and R's `pnorm`
/// are accurate.
///
/// Not statrs 0.19.1's `Normal::sf`: its `erf_impl` writes Boost's single-precision
/// offsets (`0.3440242112F`, ...) as f64 decimal literals, so the tail is off by 2e-11 to
/// 9e-11 relative for |z| ≥ 1 (e.g. 4.4e-11 at z = 2.04, where a Wilcoxon p-value
/// disagreed with R 4.2.2 `wilcox.test` at 4.4e-11; tests/suite/reference_values.rs).
pub(crate) fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// Standard normal CDF, `erfc(−z/√2)/2` (see [`normal_sf`]).
pub(crate) fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile; `p` is clamped into `[0, 1]` (0 and 1 give
/// infinities).
pub(crate) fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    Normal::standard().inverse_cdf(p)
}

/// Two-sided critical value `z_{1 - alpha/2}`.
pub(crate) fn z_crit(level: ConfidenceLevel) -> f64 {
    normal_quantile(1.0 - level.alpha() / 2.0)
}

fn students_t(what: &str, df: f64) -> Result<StudentsT> {
    StudentsT::new(0.0, 1.0, df)
        .map_err(|e| Error::numerical(what, format!("Student t with {df} df: {e}")))
}

/// p-value of a t statistic with `df` degrees of freedom under `alt`.
pub(crate) fn t_p_value(what: &str, t: f64, df: f64, alt: Alternative) -> Result<f64> {
    let dist = students_t(what, df)?;
    Ok(p_symmetric(t, alt, |x| dist.sf(x)))
}

/// Student t two-sided critical value `t_{1 - alpha/2, df}`, refined by
/// Newton steps on the CDF so it agrees with scipy's `t.ppf` to ~1e-12.
pub(crate) fn t_crit(what: &str, level: ConfidenceLevel, df: f64) -> Result<f64> {
    use statrs::distribution::Continuous;
    let dist = students_t(what, df)?;
    let tail = level.alpha() / 2.0;
    // quantile q with sf(q) = tail
    let mut q = dist.inverse_cdf(1.0 - tail);
    if !q.is_finite() {
        q = normal_quantile(1.0 - tail);
    }
    for _ in 0..4 {
        let f = dist.sf(q) - tail;
        let d = dist.pdf(q);
        if d.is_nan() || d <= 0.0 || !f.is_finite() {
            break;
        }
        let step = f / d;
        q += step;
        if step.abs() <= 1e-15 * q.abs() {
            break;
        }
    }
    if !q.is_finite() {
        return Err(Error::numerical(what, "Student t quantile is not finite"));
    }
    Ok(q)
}

/// Chi-square upper tail.
pub(crate) fn chi2_sf(what: &str, x: f64, df: f64) -> Result<f64> {
    let d = ChiSquared::new(df)
        .map_err(|e| Error::numerical(what, format!("chi-square with {df} df: {e}")))?;
    Ok(d.sf(x))
}

/// p-value of a statistic whose null distribution is symmetric about zero,
/// given its upper-tail function.
pub(crate) fn p_symmetric(stat: f64, alt: Alternative, sf: impl Fn(f64) -> f64) -> f64 {
    let p = match alt {
        Alternative::Greater => sf(stat),
        Alternative::Less => sf(-stat),
        _ => 2.0 * sf(stat.abs()),
    };
    clamp_p(p)
}

/// Clamp a probability into `[0, 1]` (NaN becomes 1, the conservative value).
pub(crate) fn clamp_p(p: f64) -> f64 {
    if p.is_nan() {
        1.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

/// `P(X <= k)` for `X ~ Binomial(n, 1/2)`, summing exact log-pmf terms.
pub(crate) fn binom_half_cdf(k: u64, n: u64) -> f64 {
    if k >= n {
        return 1.0;
    }
    let ln_half_n = n as f64 * std::f64::consts::LN_2;
    (0..=k)
        .map(|j| (ln_binomial(n, j) - ln_half_n).exp())
        .sum::<f64>()
        .min(1.0)
}

/// Exact binomial test of `k` successes in `n` trials against `p = 1/2`,
/// as scipy `binomtest(k, n, 0.5, alternative)`.
pub(crate) fn binom_half_test(k: u64, n: u64, alt: Alternative) -> f64 {
    let p = match alt {
        Alternative::Less => binom_half_cdf(k, n),
        Alternative::Greater => {
            if k == 0 {
                1.0
            } else {
                // P(X >= k) = P(X <= n - k) by symmetry
                binom_half_cdf(n - k, n)
            }
        }
        _ => {
            // symmetric null: both tails beyond min(k, n - k)
            let m = k.min(n - k);
            if 2 * m == n {
                1.0
            } else {
                2.0 * binom_half_cdf(m, n)
            }
        }
    };
    clamp_p(p)
}

/// Counts of the Wilcoxon signed-rank statistic `V` (sum of ranks 1..=n
/// given a `+` sign) for `v = 0..=n(n+1)/2`, in f64 (exact for n < 50).
pub(crate) fn signrank_counts(n: usize) -> Vec<f64> {
    let max = n * (n + 1) / 2;
    let mut c = vec![0.0; max + 1];
    c[0] = 1.0;
    let mut top = 0;
    for r in 1..=n {
        top += r;
        for v in (r..=top).rev() {
            c[v] += c[v - r];
        }
    }
    c
}

/// Counts of the Mann–Whitney `U` statistic for sizes `m`, `n`: the
/// coefficients of the Gaussian binomial `[m+n choose m]_q`, exact in i128.
/// `None` if the counts would overflow.
pub(crate) fn mwu_counts(m: usize, n: usize) -> Option<Vec<i128>> {
    let (m, n) = if m <= n { (m, n) } else { (n, m) };
    let len = m.checked_mul(n)?.checked_add(1)?;
    if len > 5_000_000 {
        return None;
    }
    let mut c = vec![0i128; len];
    c[0] = 1;
    let mut deg = 0usize;
    // [n+i choose i]_q = [n+i-1 choose i-1]_q * (1 - q^{n+i}) / (1 - q^i)
    for i in 1..=m {
        let k = n + i;
        // multiply by (1 - q^k): degree grows by k, but the division below
        // brings it back to deg + n; keep a temporary buffer of deg + k + 1.
        let mut tmp = vec![0i128; deg + k + 1];
        for (j, v) in c.iter().take(deg + 1).enumerate() {
            tmp[j] = tmp[j].checked_add(*v)?;
            tmp[j + k] = tmp[j + k].checked_sub(*v)?;
        }
        // divide by (1 - q^i): out[j] = tmp[j] + out[j - i]
        let new_deg = deg + n;
        for j in 0..=new_deg {
            let prev = if j >= i { c[j - i] } else { 0 };
            c[j] = tmp[j].checked_add(prev)?;
        }
        deg = new_deg;
    }
    Some(c)
}

/// A t-based estimate `value ± t_{1-alpha/2, df} * se`.
pub(crate) fn t_estimate(
    what: &str,
    value: f64,
    se: f64,
    df: f64,
    level: ConfidenceLevel,
    n: usize,
) -> Result<Estimate> {
    let q = t_crit(what, level, df)?;
    ensure_finite(what, &[value, se, value - q * se, value + q * se])?;
    Ok(Estimate {
        value,
        std_error: Some(se),
        ci: Interval::new(value - q * se, value + q * se),
        level: level.get(),
        n,
    })
}

/// A normal-based estimate `value ± z_{1-alpha/2} * se`.
pub(crate) fn z_estimate(value: f64, se: f64, level: ConfidenceLevel, n: usize) -> Estimate {
    let q = z_crit(level);
    Estimate {
        value,
        std_error: Some(se),
        ci: Interval::new(value - q * se, value + q * se),
        level: level.get(),
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        let r = rank(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(r.ranks, vec![3.5, 1.0, 3.5, 2.0]);
        assert!(r.has_ties);
        assert_eq!(r.tie_term, 6.0);
    }

    #[test]
    fn signrank_counts_sum_to_two_to_the_n() {
        let c = signrank_counts(10);
        assert_eq!(c.iter().sum::<f64>(), 1024.0);
        assert_eq!(c[0], 1.0);
        assert_eq!(c[55], 1.0);
    }

    #[test]
    fn mwu_counts_sum_to_binomial() {
        let c = mwu_counts(3, 5).unwrap();
        assert_eq!(c.iter().sum::<i128>(), 56);
        assert!(c.iter().all(|&v| v >= 0));
        assert_eq!(c.len(), 16);
        let c = mwu_counts(8, 200).unwrap();
        // C(208, 8)
        let mut b: i128 = 1;
        for i in 0..8 {
            b = b * (208 - i) / (i + 1);
        }
        assert_eq!(c.iter().sum::<i128>(), b);
    }

    #[test]
    fn binomial_two_sided_matches_doubling() {
        // scipy 1.17.1: binomtest(2, 10, 0.5).pvalue = 0.109375
        assert!((binom_half_test(2, 10, Alternative::TwoSided) - 0.109375).abs() < 1e-15);
        assert_eq!(binom_half_test(5, 10, Alternative::TwoSided), 1.0);
        // binomtest(8, 10, 0.5, alternative='greater').pvalue = 0.0546875
        assert!((binom_half_test(8, 10, Alternative::Greater) - 0.0546875).abs() < 1e-15);
    }

    #[test]
    fn t_quantile_matches_scipy() {
        // scipy 1.17.1: t.ppf(0.975, 3), t.ppf(0.995, 612)
        let q = t_crit("t", ConfidenceLevel::NINETY_FIVE, 3.0).unwrap();
        assert!((q - 3.182_446_305_283_708).abs() < 1e-12, "{q}");
        let q = t_crit("t", ConfidenceLevel::new(0.99).unwrap(), 612.0).unwrap();
        assert!((q - 2.583_886_519_171_818).abs() < 1e-11, "{q}");
    }

    /// The normal tails to 1e-14 relative against mpmath 1.4.1 at 50 digits,
    /// `mpmath.erfc(z/mpmath.sqrt(2))/2` (scipy 1.17.1 `ndtr(-z)` agrees to 2e-15); statrs
    /// 0.19.1's `Normal::sf` misses these by 4e-11 to 9e-11.
    #[test]
    fn normal_tails_are_accurate() {
        let rel = |a: f64, b: f64| (a - b).abs() / b;
        for (z, sf) in [
            (1.0, 0.15865525393145705),
            (2.0, 0.02275013194817921),
            (3.0, 0.0013498980316300946),
            (4.0, 3.1671241833119924e-05),
            (6.0, 9.86587645037698e-10),
            (-1.5, 0.9331927987311419),
        ] {
            assert!(rel(normal_sf(z), sf) < 1e-14, "sf({z}) = {}", normal_sf(z));
            assert!(
                rel(normal_cdf(-z), sf) < 1e-14,
                "cdf({}) = {}",
                -z,
                normal_cdf(-z)
            );
        }
        assert!(rel(normal_cdf(0.5), 0.6914624612740131) < 1e-14);
    }

    /// statrs 0.19 tails against scipy 1.17.1: `t.sf(12, 20)`,
    /// `t.sf(40, 5)`, `t.sf(3, 1000)`, `norm.sf(9)`, `chi2.sf(80, 1)`.
    #[test]
    fn statrs_tails_match_scipy() {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        let rel = |a: f64, b: f64| (a - b).abs() / b;
        let t = |x: f64, df: f64| StudentsT::new(0.0, 1.0, df).unwrap().sf(x);
        assert!(rel(t(12.0, 20.0), 6.79777851294033e-11) < 1e-9);
        assert!(rel(t(40.0, 5.0), 9.205981085886477e-08) < 1e-9);
        assert!(rel(t(3.0, 1000.0), 0.0013833545221190963) < 1e-9);
        assert!(rel(normal_sf(9.0), 1.1285884059538324e-19) < 1e-9);
        assert!(rel(chi2_sf("x", 80.0, 1.0).unwrap(), 3.744097384202887e-19) < 1e-9);
    }
}
