//! Two independent groups: Welch and Student t-tests with the interval of
//! the difference in means, the Mann–Whitney U test, the difference in
//! proportions and the 2×2 chi-square test.
//!
//! Differences are always `x − y` (first group minus second), e.g.
//! treated − comparison.

use serde::Serialize;

use super::common::{
    check_finite, check_len, chi2_sf, clamp_p, ensure_finite, mean, mwu_counts, normal_sf, rank,
    t_estimate, t_p_value, variance, z_estimate,
};
use super::estimate::{Alternative, ConfidenceLevel, Estimate, Interval, TestResult};
use super::paired::{RankTestMethod, RankTestMethodUsed};
use super::proportion::{wilson_interval, BinomialCount};
use crate::error::{Error, Result};

/// Whether the two groups are assumed to share a variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum VarianceAssumption {
    /// Welch's test: separate variances, Welch–Satterthwaite df.
    #[default]
    Unequal,
    /// Student's test: pooled variance, `n1 + n2 − 2` df.
    Equal,
}

/// The result of a two-sample t-test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwoSampleTResult {
    /// Size of `x`.
    pub n1: usize,
    /// Size of `y`.
    pub n2: usize,
    /// Mean of `x`.
    pub mean1: f64,
    /// Mean of `y`.
    pub mean2: f64,
    /// Standard deviation of `x` (divisor `n − 1`; 0 when `n1 = 1`).
    pub sd1: f64,
    /// Standard deviation of `y`.
    pub sd2: f64,
    /// The variance assumption used.
    pub variance: VarianceAssumption,
    /// Difference in means `x̄ − ȳ`, its SE and two-sided t interval.
    pub estimate: Estimate,
    /// The t-test of equal means.
    pub test: TestResult,
}

/// Two-sample t-test of `x` against `y`, as scipy 1.17
/// `ttest_ind(x, y, equal_var=...)` (and R `t.test(x, y, var.equal=...)`).
///
/// Welch: `SE = sqrt(s1²/n1 + s2²/n2)`,
/// `df = SE⁴ / ((s1²/n1)²/(n1−1) + (s2²/n2)²/(n2−1))`.
/// Student: `SE = s_p·sqrt(1/n1 + 1/n2)`,
/// `s_p² = ((n1−1)s1² + (n2−1)s2²)/(n1+n2−2)`, `df = n1+n2−2`.
/// The interval is `x̄ − ȳ ± t_{1−α/2, df}·SE`, two-sided whatever
/// `alternative`.
///
/// # Errors
/// If either sample holds a non-finite value; if either has fewer than 2
/// values (Welch) or is empty or `n1 + n2 < 3` (Student); or if the
/// standard error is zero (every value equal within both groups).
pub fn two_sample_t(
    x: &[f64],
    y: &[f64],
    variance_assumption: VarianceAssumption,
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Result<TwoSampleTResult> {
    let what = match variance_assumption {
        VarianceAssumption::Unequal => "Welch two-sample t-test",
        VarianceAssumption::Equal => "Student two-sample t-test",
    };
    check_finite(what, "x", x)?;
    check_finite(what, "y", y)?;
    let min = match variance_assumption {
        VarianceAssumption::Unequal => 2,
        VarianceAssumption::Equal => 1,
    };
    check_len(what, "x", x, min)?;
    check_len(what, "y", y, min)?;
    let (n1, n2) = (x.len(), y.len());
    if n1 + n2 < 3 {
        return Err(Error::insufficient_data(
            what,
            "at least 3 values in all are needed for a pooled variance",
        ));
    }
    let (f1, f2) = (n1 as f64, n2 as f64);
    let v1 = if n1 > 1 { variance(x) } else { 0.0 };
    let v2 = if n2 > 1 { variance(y) } else { 0.0 };
    let (se, df) = match variance_assumption {
        VarianceAssumption::Unequal => {
            let (a, b) = (v1 / f1, v2 / f2);
            let se2 = a + b;
            let df = se2 * se2 / (a * a / (f1 - 1.0) + b * b / (f2 - 1.0));
            (se2.sqrt(), df)
        }
        VarianceAssumption::Equal => {
            let df = f1 + f2 - 2.0;
            let sp2 = ((f1 - 1.0) * v1 + (f2 - 1.0) * v2) / df;
            ((sp2 * (1.0 / f1 + 1.0 / f2)).sqrt(), df)
        }
    };
    ensure_finite(what, &[v1, v2, se])?;
    if se.is_nan() || se <= 0.0 || !df.is_finite() {
        return Err(Error::insufficient_data(
            what,
            "the standard error is zero (no variation within either group), so t is undefined",
        ));
    }
    let (m1, m2) = (mean(x), mean(y));
    let diff = m1 - m2;
    let t = diff / se;
    ensure_finite(what, &[m1, m2, diff, t])?;
    let p = t_p_value(what, t, df, alternative)?;
    Ok(TwoSampleTResult {
        n1,
        n2,
        mean1: m1,
        mean2: m2,
        sd1: v1.sqrt(),
        sd2: v2.sqrt(),
        variance: variance_assumption,
        estimate: t_estimate(what, diff, se, df, level, n1 + n2)?,
        test: TestResult {
            test: what,
            statistic: t,
            df: Some(df),
            p_value: p,
            alternative,
            n: n1 + n2,
        },
    })
}

/// Welch's two-sample t-test (scipy `ttest_ind(x, y, equal_var=False)`);
/// see [`two_sample_t`].
///
/// # Errors
/// As [`two_sample_t`].
pub fn welch_t(
    x: &[f64],
    y: &[f64],
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Result<TwoSampleTResult> {
    two_sample_t(x, y, VarianceAssumption::Unequal, level, alternative)
}

/// Student's pooled-variance two-sample t-test (scipy
/// `ttest_ind(x, y, equal_var=True)`, equal to OLS `y ~ group`); see
/// [`two_sample_t`].
///
/// # Errors
/// As [`two_sample_t`].
pub fn student_t(
    x: &[f64],
    y: &[f64],
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Result<TwoSampleTResult> {
    two_sample_t(x, y, VarianceAssumption::Equal, level, alternative)
}

/// The result of a Mann–Whitney U test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MannWhitneyResult {
    /// Size of `x`.
    pub n1: usize,
    /// Size of `y`.
    pub n2: usize,
    /// `U1 = R1 − n1(n1+1)/2`, the number of (x, y) pairs with x > y (ties
    /// counting 1/2): scipy's statistic and R's `W`.
    pub u1: f64,
    /// `U2 = n1·n2 − U1`.
    pub u2: f64,
    /// Standardised statistic after continuity correction, when the normal
    /// approximation was used (computed on `max(U1, U2)` for two-sided,
    /// `U1` for `Greater`, `U2` for `Less`, as scipy).
    pub z: Option<f64>,
    /// How the p-value was computed.
    pub method: RankTestMethodUsed,
    /// The test; `statistic` is `U1`.
    pub test: TestResult,
}

/// Mann–Whitney U test of `x` against `y`, as scipy 1.17
/// `mannwhitneyu(x, y, use_continuity=True, alternative=..., method="auto")`.
///
/// `Auto` (scipy's rule) uses the exact distribution of U when there are no
/// ties and at least one sample has 8 or fewer values; otherwise the normal
/// approximation `z = (U − n1n2/2 − 0.5)/σ`,
/// `σ² = n1n2/12·((n+1) − Σ(t³−t)/(n(n−1)))`. `Exact` uses the exact
/// distribution whenever there are no ties. `Greater` means `x` tends to be
/// larger.
///
/// # Errors
/// If either sample is empty or holds a non-finite value, if every value
/// is the same (σ = 0), or if the exact distribution is requested for
/// samples so large its counts overflow 128 bits.
pub fn mann_whitney_u(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    method: RankTestMethod,
) -> Result<MannWhitneyResult> {
    const WHAT: &str = "Mann-Whitney U test";
    check_finite(WHAT, "x", x)?;
    check_finite(WHAT, "y", y)?;
    check_len(WHAT, "x", x, 1)?;
    check_len(WHAT, "y", y, 1)?;
    let (n1, n2) = (x.len(), y.len());
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let r = rank(&all);
    let r1: f64 = r.ranks.iter().take(n1).sum();
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let (u, factor) = match alternative {
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
        _ => (u1.max(u2), 2.0),
    };
    let use_exact = match method {
        RankTestMethod::Asymptotic => false,
        RankTestMethod::Exact => !r.has_ties,
        _ => !r.has_ties && (n1 <= 8 || n2 <= 8),
    };
    let (p, z, used) = if use_exact {
        let counts = mwu_counts(n1, n2).ok_or_else(|| {
            Error::numerical(
                WHAT,
                format!(
                    "exact distribution for sizes {n1} and {n2} is too large; use the asymptotic method"
                ),
            )
        })?;
        let total: i128 = counts.iter().sum();
        let k = u.round().max(0.0) as usize;
        let upper: i128 = counts.iter().skip(k).sum();
        let p = upper as f64 / total as f64;
        (clamp_p(factor * p), None, RankTestMethodUsed::Exact)
    } else {
        let n = f1 + f2;
        let s = (f1 * f2 / 12.0 * ((n + 1.0) - r.tie_term / (n * (n - 1.0)))).sqrt();
        if s.is_nan() || s <= 0.0 {
            return Err(Error::insufficient_data(
                WHAT,
                "every value is the same, so the ranks carry no information",
            ));
        }
        let z = (u - f1 * f2 / 2.0 - 0.5) / s;
        (
            clamp_p(factor * normal_sf(z)),
            Some(z),
            RankTestMethodUsed::Asymptotic,
        )
    };
    Ok(MannWhitneyResult {
        n1,
        n2,
        u1,
        u2,
        z,
        method: used,
        test: TestResult {
            test: "Mann-Whitney U test",
            statistic: u1,
            df: None,
            p_value: p,
            alternative,
            n: n1 + n2,
        },
    })
}

/// Whether to apply Yates' continuity correction to a 2×2 chi-square test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum ContinuityCorrection {
    /// Yates' correction: each |O − E| is reduced by min(0.5, |O − E|)
    /// (scipy `chi2_contingency(correction=True)`, R `chisq.test` default).
    #[default]
    Yates,
    /// No correction (Pearson's X²).
    None,
}

/// A 2×2 table of counts: rows are groups, columns are outcome yes / no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Table2x2 {
    /// `[[a, b], [c, d]]`: row 1 = group 1 (yes, no), row 2 = group 2.
    pub counts: [[u64; 2]; 2],
}

/// The result of a chi-square test on a 2×2 table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChiSquareResult {
    /// Expected counts under independence, `row total × column total / n`.
    pub expected: [[f64; 2]; 2],
    /// The correction applied.
    pub correction: ContinuityCorrection,
    /// The test: X² on 1 df.
    pub test: TestResult,
}

/// Pearson chi-square test of independence on a 2×2 table, as scipy 1.17
/// `chi2_contingency(table, correction=...)`.
///
/// # Errors
/// If any expected count is zero (a row or column total is zero), as scipy.
pub fn chi_square_2x2(
    table: Table2x2,
    correction: ContinuityCorrection,
) -> Result<ChiSquareResult> {
    const WHAT: &str = "chi-square test";
    let o = table.counts.map(|r| r.map(|v| v as f64));
    let rows = [o[0][0] + o[0][1], o[1][0] + o[1][1]];
    let cols = [o[0][0] + o[1][0], o[0][1] + o[1][1]];
    let n = rows[0] + rows[1];
    let mut e = [[0.0; 2]; 2];
    let mut stat = 0.0;
    for i in 0..2 {
        for j in 0..2 {
            e[i][j] = rows[i] * cols[j] / n;
            if e[i][j].is_nan() || e[i][j] <= 0.0 {
                return Err(Error::insufficient_data(
                    WHAT,
                    "a row or column total is zero, so an expected count is zero",
                ));
            }
            let mut diff = (o[i][j] - e[i][j]).abs();
            if correction == ContinuityCorrection::Yates {
                diff -= diff.min(0.5);
            }
            stat += diff * diff / e[i][j];
        }
    }
    Ok(ChiSquareResult {
        expected: e,
        correction,
        test: TestResult {
            test: match correction {
                ContinuityCorrection::Yates => {
                    "Pearson chi-square test with Yates' continuity correction"
                }
                ContinuityCorrection::None => "Pearson chi-square test",
            },
            statistic: stat,
            df: Some(1.0),
            p_value: clamp_p(chi2_sf(WHAT, stat, 1.0)?),
            alternative: Alternative::TwoSided,
            n: n as usize,
        },
    })
}

/// The difference between two independent proportions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProportionDifferenceResult {
    /// Proportion in group 1.
    pub p1: f64,
    /// Proportion in group 2.
    pub p2: f64,
    /// `p1 − p2` with the Wald SE `sqrt(p1(1−p1)/n1 + p2(1−p2)/n2)` and the
    /// Wald interval `± z·SE`.
    pub wald: Estimate,
    /// Newcombe's hybrid score interval (method 10, from two Wilson
    /// intervals without continuity correction).
    pub newcombe: Interval,
    /// Pearson chi-square test without correction; `None` if a margin is
    /// zero (the test is undefined).
    pub chi_square: Option<TestResult>,
    /// Chi-square test with Yates' correction; `None` if a margin is zero.
    pub chi_square_yates: Option<TestResult>,
}

/// Difference in proportions `group1 − group2` with Wald and Newcombe
/// intervals and 2×2 chi-square tests.
///
/// Wald matches statsmodels 0.15
/// `confint_proportions_2indep(x1, n1, x2, n2, method="wald", compare="diff")`;
/// Newcombe matches `method="newcomb"`; the tests match scipy
/// `chi2_contingency`.
///
/// # Errors
/// Only from the chi-square distribution (not expected).
pub fn proportion_difference(
    group1: BinomialCount,
    group2: BinomialCount,
    level: ConfidenceLevel,
) -> Result<ProportionDifferenceResult> {
    let (p1, p2) = (group1.proportion(), group2.proportion());
    let (n1, n2) = (group1.trials() as f64, group2.trials() as f64);
    let se = (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
    let d = p1 - p2;
    let w1 = wilson_interval(group1, level);
    let w2 = wilson_interval(group2, level);
    let lower = d - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt();
    let upper = d + ((w1.upper - p1).powi(2) + (p2 - w2.lower).powi(2)).sqrt();
    let table = Table2x2 {
        counts: [
            [group1.successes(), group1.trials() - group1.successes()],
            [group2.successes(), group2.trials() - group2.successes()],
        ],
    };
    let chi = |c| match chi_square_2x2(table, c) {
        Ok(r) => Ok(Some(r.test)),
        Err(e) if e.is_data() => Ok(None),
        Err(e) => Err(e),
    };
    Ok(ProportionDifferenceResult {
        p1,
        p2,
        wald: z_estimate(
            d,
            se,
            level,
            group1.trials().saturating_add(group2.trials()) as usize,
        ),
        newcombe: Interval::new(lower, upper),
        chi_square: chi(ContinuityCorrection::None)?,
        chi_square_yates: chi(ContinuityCorrection::Yates)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_needs_two_per_group() {
        let lvl = ConfidenceLevel::NINETY_FIVE;
        assert!(welch_t(&[1.0], &[1.0, 2.0], lvl, Alternative::TwoSided).is_err());
        assert!(student_t(&[1.0], &[1.0, 2.0], lvl, Alternative::TwoSided).is_ok());
        assert!(student_t(&[1.0, 1.0], &[2.0, 2.0], lvl, Alternative::TwoSided).is_err());
    }

    #[test]
    fn mwu_all_tied_is_error() {
        let r = mann_whitney_u(
            &[1.0; 10],
            &[1.0; 10],
            Alternative::TwoSided,
            RankTestMethod::Auto,
        );
        assert!(r.is_err());
    }

    #[test]
    fn zero_margin_chi_square_is_none() {
        let lvl = ConfidenceLevel::NINETY_FIVE;
        let r = proportion_difference(
            BinomialCount::new(0, 5).unwrap(),
            BinomialCount::new(0, 7).unwrap(),
            lvl,
        )
        .unwrap();
        assert!(r.chi_square.is_none());
        assert_eq!(r.wald.value, 0.0);
    }
}
