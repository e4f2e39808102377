//! Sensitivity of an estimated effect to unmeasured confounding.
//!
//! * E-values (VanderWeele & Ding 2017), as R's EValue package
//!   (`evalues.RR`, `evalues.OR`, `evalues.HR`, `evalues.MD`): the minimum
//!   strength of association, on the risk-ratio scale, that an unmeasured
//!   confounder would need with both treatment and outcome to explain away the
//!   estimate (or its confidence limit nearer the null).
//! * Rosenbaum bounds for matched pairs with the Wilcoxon signed-rank
//!   statistic, as rbounds' `psens`: the upper and lower bounds of the
//!   one-sided p-value when, within a pair, the odds of treatment may differ by
//!   a factor of at most Γ, and the Γ at which the upper bound reaches alpha.
//!
//! See METHODS.md, "Sensitivity to unmeasured confounding", for the formulas.

use serde::Serialize;

use super::common::{check_pairs, clamp_p, normal_sf, rank};
use super::estimate::Interval;
use super::two_group::ContinuityCorrection;
use crate::error::{Error, Result};

/// How common the outcome is, which decides how an odds or hazard ratio is
/// turned into an approximate risk ratio (EValue's `rare` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OutcomePrevalence {
    /// Rare outcome (under about 15% by the end of follow-up, `rare = TRUE`):
    /// the ratio is used as a risk ratio.
    Rare,
    /// Common outcome (`rare = FALSE`): OR → `sqrt(OR)`;
    /// HR → `(1 − 0.5^sqrt(HR)) / (1 − 0.5^sqrt(1/HR))`.
    Common,
}

/// The scale of a ratio estimate given to [`e_value_ratio`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RatioMeasure {
    /// A risk ratio (`evalues.RR`).
    RiskRatio,
    /// An odds ratio (`evalues.OR`).
    OddsRatio(OutcomePrevalence),
    /// A hazard ratio (`evalues.HR`).
    HazardRatio(OutcomePrevalence),
}

/// The E-values of an estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EValue {
    /// The estimate on the (approximate) risk-ratio scale, before any inversion
    /// of a ratio below 1.
    pub risk_ratio: f64,
    /// Its confidence interval on the risk-ratio scale, when one was given.
    pub risk_ratio_ci: Option<Interval>,
    /// E-value of the point estimate (1 at the null).
    pub point: f64,
    /// E-value of the confidence limit nearer the null: 1 when the interval
    /// includes the null; `None` when no interval was given.
    pub confidence_limit: Option<f64>,
}

/// `RR + sqrt(RR (RR − 1))` after inverting a ratio below 1.
fn e_of_rr(rr: f64) -> f64 {
    let r = if rr < 1.0 { 1.0 / rr } else { rr };
    // sqrt(r) sqrt(r − 1) rather than sqrt(r (r − 1)), which overflows first.
    r + r.sqrt() * (r - 1.0).sqrt()
}

fn check_ratio(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            name,
            v,
            "a ratio must be finite and positive",
        ))
    }
}

/// The approximate risk ratio of a ratio estimate (EValue's `toRR`).
fn to_rr(measure: RatioMeasure, v: f64) -> f64 {
    match measure {
        RatioMeasure::RiskRatio
        | RatioMeasure::OddsRatio(OutcomePrevalence::Rare)
        | RatioMeasure::HazardRatio(OutcomePrevalence::Rare) => v,
        RatioMeasure::OddsRatio(OutcomePrevalence::Common) => v.sqrt(),
        RatioMeasure::HazardRatio(OutcomePrevalence::Common) => {
            (1.0 - 0.5f64.powf(v.sqrt())) / (1.0 - 0.5f64.powf((1.0 / v).sqrt()))
        }
    }
}

/// E-values from a risk ratio and its interval already on the RR scale
/// (`evalues.RR(est, lo, hi)` with `true = 1`).
fn e_values_rr(rr: f64, ci: Option<Interval>) -> EValue {
    let point = if rr == 1.0 { 1.0 } else { e_of_rr(rr) };
    let confidence_limit = ci.map(|ci| {
        if ci.lower <= 1.0 && 1.0 <= ci.upper {
            1.0
        } else if rr >= 1.0 {
            e_of_rr(ci.lower)
        } else {
            e_of_rr(ci.upper)
        }
    });
    EValue {
        risk_ratio: rr,
        risk_ratio_ci: ci,
        point,
        confidence_limit,
    }
}

/// E-values of a ratio estimate (risk, odds or hazard ratio) and, optionally,
/// its confidence interval, against the null of 1, as EValue 4.1
/// `evalues.RR(est, lo, hi)`, `evalues.OR(est, lo, hi, rare)` and
/// `evalues.HR(est, lo, hi, rare)`.
///
/// An estimate below 1 is inverted before the E-value is taken; the limit
/// nearer the null is then the upper one.
///
/// # Errors
/// [`Error::invalid_parameter`] if the estimate or a limit is not finite and
/// positive, or if the interval does not contain the estimate.
pub fn e_value_ratio(measure: RatioMeasure, estimate: f64, ci: Option<Interval>) -> Result<EValue> {
    check_ratio("estimate", estimate)?;
    if let Some(ci) = ci {
        check_ratio("ci.lower", ci.lower)?;
        check_ratio("ci.upper", ci.upper)?;
        if !(ci.lower <= estimate && estimate <= ci.upper) {
            return Err(Error::invalid_parameter(
                "ci",
                format!("[{}, {}]", ci.lower, ci.upper),
                format!("the interval must contain the estimate {estimate}"),
            ));
        }
    }
    let rr = to_rr(measure, estimate);
    let rr_ci = ci.map(|ci| Interval::new(to_rr(measure, ci.lower), to_rr(measure, ci.upper)));
    Ok(e_values_rr(rr, rr_ci))
}

/// E-values of a standardised mean difference `d` (a mean difference divided
/// by the outcome's SD) with optional standard error `se`, as EValue 4.1
/// `evalues.MD(est = d, se = se)`: the approximate risk ratio is
/// `exp(0.91 d)` with interval `exp(0.91 d ± 1.78 se)`.
///
/// # Errors
/// [`Error::invalid_parameter`] if `d` is not finite or `se` is not finite and
/// positive.
pub fn e_value_smd(d: f64, se: Option<f64>) -> Result<EValue> {
    if !d.is_finite() {
        return Err(Error::invalid_parameter(
            "d",
            d,
            "the standardised mean difference must be finite",
        ));
    }
    if let Some(se) = se {
        if !(se.is_finite() && se > 0.0) {
            return Err(Error::invalid_parameter(
                "se",
                se,
                "the standard error must be finite and positive",
            ));
        }
    }
    let rr = (0.91 * d).exp();
    let ci = se.map(|se| Interval::new((0.91 * d - 1.78 * se).exp(), (0.91 * d + 1.78 * se).exp()));
    for v in [Some(rr), ci.map(|c| c.lower), ci.map(|c| c.upper)]
        .into_iter()
        .flatten()
    {
        check_ratio("exp(0.91 d)", v)?;
    }
    Ok(e_values_rr(rr, ci))
}

/// Γ, the bound on the odds ratio of treatment within a matched pair that an
/// unmeasured confounder may produce: at least 1 (1 = no hidden bias).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Gamma(f64);

impl Gamma {
    /// No hidden bias.
    pub const ONE: Gamma = Gamma(1.0);

    /// A Γ.
    ///
    /// # Errors
    /// If `gamma` is not finite or is below 1.
    pub fn new(gamma: f64) -> Result<Self> {
        if gamma.is_finite() && gamma >= 1.0 {
            Ok(Gamma(gamma))
        } else {
            Err(Error::invalid_parameter(
                "gamma",
                gamma,
                "must be finite and at least 1",
            ))
        }
    }

    /// The grid `1, 1 + step, ...` up to `max` (rbounds'
    /// `seq(1, Gamma, by = GammaInc)`).
    ///
    /// # Errors
    /// If `max` is not a valid Γ, `step` is not finite and positive, or the
    /// grid would have more than a million points.
    pub fn grid(max: f64, step: f64) -> Result<Vec<Gamma>> {
        let max = Gamma::new(max)?;
        if !(step.is_finite() && step > 0.0) {
            return Err(Error::invalid_parameter(
                "step",
                step,
                "must be finite and positive",
            ));
        }
        let n = ((max.0 - 1.0) / step + 1e-10).floor();
        if n > 1e6 {
            return Err(Error::invalid_parameter(
                "step",
                step,
                "the grid would have more than a million points",
            ));
        }
        Ok((0..=n as usize)
            .map(|i| Gamma(1.0 + i as f64 * step))
            .collect())
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// A one-sided significance level strictly between 0 and 0.5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OneSidedAlpha(f64);

impl OneSidedAlpha {
    /// The conventional 0.05.
    pub const FIVE_PERCENT: OneSidedAlpha = OneSidedAlpha(0.05);

    /// A significance level.
    ///
    /// # Errors
    /// If `alpha` is not strictly between 0 and 0.5.
    pub fn new(alpha: f64) -> Result<Self> {
        if alpha > 0.0 && alpha < 0.5 {
            Ok(OneSidedAlpha(alpha))
        } else {
            Err(Error::invalid_parameter(
                "alpha",
                alpha,
                "must be strictly between 0 and 0.5",
            ))
        }
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// The bounds on the one-sided p-value at one Γ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosenbaumBound {
    /// Γ.
    pub gamma: f64,
    /// Lower bound of the p-value (`p− = 1/(1 + Γ)`; rbounds' "Lower bound").
    pub p_lower: f64,
    /// Upper bound of the p-value (`p+ = Γ/(1 + Γ)`; rbounds' "Upper bound").
    pub p_upper: f64,
}

/// Rosenbaum bounds for the Wilcoxon signed-rank test on matched pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosenbaumResult {
    /// Pairs given.
    pub n_pairs: usize,
    /// Pairs with a zero difference, dropped before ranking.
    pub n_zero: usize,
    /// The signed-rank statistic: the sum of the ranks of |d| over d > 0.
    pub statistic: f64,
    /// The continuity correction applied to the statistic.
    pub continuity: ContinuityCorrection,
    /// The bounds at each Γ of the grid, in the grid's order.
    pub bounds: Vec<RosenbaumBound>,
    /// The significance level of [`gamma_critical`](Self::gamma_critical).
    pub alpha: f64,
    /// The Γ at which the upper-bound p-value equals alpha (to 1e-12 relative),
    /// found by bisection on log Γ; `None` if the upper bound already reaches
    /// alpha at Γ = 1 (no evidence of an effect to explain away) or never
    /// does (below Γ = 1e12).
    pub gamma_critical: Option<f64>,
}

/// The sums a Rosenbaum bound needs: T, Σr, Σr².
struct SignedRanks {
    t: f64,
    sum_r: f64,
    sum_r2: f64,
}

impl SignedRanks {
    /// Upper (`p = Γ/(1+Γ)`) or lower (`p = 1/(1+Γ)`) bound p-value.
    fn p(&self, p_plus: f64, continuity: ContinuityCorrection) -> f64 {
        let e = p_plus * self.sum_r;
        let v = p_plus * (1.0 - p_plus) * self.sum_r2;
        let dev = self.t - e;
        let c = match continuity {
            ContinuityCorrection::Yates => 0.5,
            ContinuityCorrection::None => 0.0,
        };
        let num = dev - c;
        if v > 0.0 && v.is_finite() {
            clamp_p(normal_sf(num / v.sqrt()))
        } else if num > 0.0 {
            // Γ so large that p⁺ rounds to 1 (V = 0): the limits of the tail.
            0.0
        } else if num < 0.0 {
            1.0
        } else {
            0.5
        }
    }

    fn upper(&self, g: f64, c: ContinuityCorrection) -> f64 {
        self.p(g / (1.0 + g), c)
    }
}

/// Rosenbaum bounds on the one-sided (greater) p-value of the Wilcoxon
/// signed-rank test of `treated − control` over matched pairs, as rbounds 2.2
/// `psens(treated, control, Gamma, GammaInc)` with
/// [`ContinuityCorrection::None`] (rbounds rounds its p-values to 4 decimals;
/// these are not rounded).
///
/// Zero differences are dropped; the absolute differences are mid-ranked; with
/// `p = Γ/(1+Γ)` (upper bound) or `1/(1+Γ)` (lower bound),
/// `E = p Σr`, `V = p(1−p) Σr²`, and the bound is `P(Z > (T − E − c)/√V)`,
/// `c = 0.5` with [`ContinuityCorrection::Yates`] (which at Γ = 1 is R's
/// `wilcox.test(..., alternative = "greater", exact = FALSE)`), else 0.
///
/// # Errors
/// If the slices differ in length or hold a non-finite value, if every
/// difference is zero, or if `gammas` is empty.
pub fn rosenbaum_wilcoxon(
    treated: &[f64],
    control: &[f64],
    gammas: &[Gamma],
    alpha: OneSidedAlpha,
    continuity: ContinuityCorrection,
) -> Result<RosenbaumResult> {
    const WHAT: &str = "Rosenbaum bounds (Wilcoxon signed rank)";
    check_pairs(WHAT, control, treated)?;
    if gammas.is_empty() {
        return Err(Error::invalid_parameter(
            "gammas",
            "[]",
            "give at least one Γ",
        ));
    }
    let d: Vec<f64> = treated
        .iter()
        .zip(control)
        .map(|(t, c)| t - c)
        .filter(|v| *v != 0.0)
        .collect();
    if d.is_empty() {
        return Err(Error::insufficient_data(
            WHAT,
            format!(
                "{} pair(s), all with zero difference; nothing to rank",
                treated.len()
            ),
        ));
    }
    let abs: Vec<f64> = d.iter().map(|v| v.abs()).collect();
    let r = rank(&abs).ranks;
    let s = SignedRanks {
        t: d.iter()
            .zip(&r)
            .filter(|(x, _)| **x > 0.0)
            .map(|(_, r)| r)
            .sum(),
        sum_r: r.iter().sum(),
        sum_r2: r.iter().map(|v| v * v).sum(),
    };
    let bounds = gammas
        .iter()
        .map(|g| {
            let g = g.get();
            RosenbaumBound {
                gamma: g,
                p_lower: s.p(1.0 / (1.0 + g), continuity),
                p_upper: s.upper(g, continuity),
            }
        })
        .collect();
    let a = alpha.get();
    let gamma_critical = if s.upper(1.0, continuity) >= a {
        None
    } else {
        let hi_max = 1e12f64;
        if s.upper(hi_max, continuity) < a {
            None
        } else {
            // Bisection on ln Γ: the upper bound is non-decreasing in Γ.
            let (mut lo, mut hi) = (0.0f64, hi_max.ln());
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if s.upper(mid.exp(), continuity) < a {
                    lo = mid;
                } else {
                    hi = mid;
                }
                if hi - lo < 1e-12 {
                    break;
                }
            }
            Some((0.5 * (lo + hi)).exp())
        }
    };
    Ok(RosenbaumResult {
        n_pairs: treated.len(),
        n_zero: treated.len() - d.len(),
        statistic: s.t,
        continuity,
        bounds,
        alpha: a,
        gamma_critical,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{wilcoxon_signed_rank, Alternative, RankTestMethod};
    use proptest::prelude::*;

    #[test]
    fn e_value_of_rr_matches_the_closed_form() {
        // evalues.RR(3.9, 1.8, 8.7): 7.263 and 3.0 (VanderWeele & Ding 2017).
        let e = e_value_ratio(RatioMeasure::RiskRatio, 3.9, Some(Interval::new(1.8, 8.7))).unwrap();
        assert!((e.point - (3.9 + (3.9f64 * 2.9).sqrt())).abs() < 1e-12);
        assert!((e.confidence_limit.unwrap() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn protective_estimate_is_inverted_and_uses_the_upper_limit() {
        let e = e_value_ratio(RatioMeasure::RiskRatio, 0.5, Some(Interval::new(0.3, 0.8))).unwrap();
        assert!((e.point - e_of_rr(2.0)).abs() < 1e-12);
        assert!((e.confidence_limit.unwrap() - e_of_rr(1.25)).abs() < 1e-12);
    }

    #[test]
    fn interval_crossing_the_null_gives_one() {
        let e = e_value_ratio(
            RatioMeasure::OddsRatio(OutcomePrevalence::Common),
            1.4,
            Some(Interval::new(0.9, 2.0)),
        )
        .unwrap();
        assert_eq!(e.confidence_limit, Some(1.0));
        assert!((e.risk_ratio - 1.4f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        assert!(e_value_ratio(RatioMeasure::RiskRatio, 0.0, None).is_err());
        assert!(e_value_ratio(RatioMeasure::RiskRatio, f64::NAN, None).is_err());
        assert!(
            e_value_ratio(RatioMeasure::RiskRatio, 2.0, Some(Interval::new(2.5, 3.0))).is_err()
        );
        assert!(e_value_smd(f64::INFINITY, None).is_err());
        assert!(e_value_smd(0.3, Some(-1.0)).is_err());
        assert!(e_value_smd(1e300, None).is_err());
        assert!(e_value_ratio(RatioMeasure::RiskRatio, 1e300, None)
            .unwrap()
            .point
            .is_finite());
        let huge = rosenbaum_wilcoxon(
            &[1.0, 2.0, 3.0],
            &[0.0, 0.0, 0.0],
            &[Gamma::new(1e300).unwrap()],
            OneSidedAlpha::FIVE_PERCENT,
            ContinuityCorrection::None,
        )
        .unwrap();
        assert!((0.0..=1.0).contains(&huge.bounds[0].p_upper));
        assert!(Gamma::new(0.99).is_err());
        assert!(OneSidedAlpha::new(0.5).is_err());
        assert!(rosenbaum_wilcoxon(
            &[1.0],
            &[1.0],
            &[Gamma::ONE],
            OneSidedAlpha::FIVE_PERCENT,
            ContinuityCorrection::None
        )
        .is_err());
        assert!(rosenbaum_wilcoxon(
            &[1.0],
            &[0.0],
            &[],
            OneSidedAlpha::FIVE_PERCENT,
            ContinuityCorrection::None
        )
        .is_err());
        assert!(rosenbaum_wilcoxon(
            &[1.0, 2.0],
            &[0.0],
            &[Gamma::ONE],
            OneSidedAlpha::FIVE_PERCENT,
            ContinuityCorrection::None
        )
        .is_err());
    }

    #[test]
    fn grid_is_rbounds_seq() {
        let g = Gamma::grid(2.0, 0.25).unwrap();
        let v: Vec<f64> = g.iter().map(|g| g.get()).collect();
        assert_eq!(v, vec![1.0, 1.25, 1.5, 1.75, 2.0]);
        assert_eq!(Gamma::grid(1.0, 1.0).unwrap().len(), 1);
        assert!(Gamma::grid(2.0, 0.0).is_err());
    }

    #[test]
    fn hr_common_transform_is_symmetric() {
        let f = |h| to_rr(RatioMeasure::HazardRatio(OutcomePrevalence::Common), h);
        assert!((f(0.4) * f(2.5) - 1.0).abs() < 1e-12);
        assert!((f(1.0) - 1.0).abs() < 1e-15);
    }

    fn pairs() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        (2usize..40).prop_flat_map(|n| {
            (
                prop::collection::vec(-20i32..20, n),
                prop::collection::vec(-20i32..25, n),
            )
                .prop_map(|(a, b)| {
                    (
                        a.into_iter().map(f64::from).collect(),
                        b.into_iter().map(f64::from).collect(),
                    )
                })
        })
    }

    proptest! {
        #[test]
        fn e_value_is_one_at_the_null_and_grows_away_from_it(a in 0.0f64..3.0, b in 0.0f64..3.0) {
            let (near, far) = if a < b { (a, b) } else { (b, a) };
            for m in [
                RatioMeasure::RiskRatio,
                RatioMeasure::OddsRatio(OutcomePrevalence::Rare),
                RatioMeasure::OddsRatio(OutcomePrevalence::Common),
                RatioMeasure::HazardRatio(OutcomePrevalence::Rare),
                RatioMeasure::HazardRatio(OutcomePrevalence::Common),
            ] {
                prop_assert!((e_value_ratio(m, 1.0, None).unwrap().point - 1.0).abs() < 1e-12);
                for sign in [1.0, -1.0] {
                    let en = e_value_ratio(m, (sign * near).exp(), None).unwrap().point;
                    let ef = e_value_ratio(m, (sign * far).exp(), None).unwrap().point;
                    prop_assert!(en >= 1.0);
                    prop_assert!(ef >= en - 1e-12, "{m:?}: {en} {ef}");
                }
            }
            prop_assert!((e_value_smd(0.0, None).unwrap().point - 1.0).abs() < 1e-12);
            let en = e_value_smd(near, Some(0.1)).unwrap();
            let ef = e_value_smd(far, Some(0.1)).unwrap();
            prop_assert!(ef.point >= en.point - 1e-12);
            prop_assert!(ef.confidence_limit.unwrap() >= en.confidence_limit.unwrap() - 1e-12);
            prop_assert!(ef.confidence_limit.unwrap() <= ef.point + 1e-12);
        }

        #[test]
        fn upper_bound_is_non_decreasing_in_gamma_and_is_wilcoxon_at_one((c, t) in pairs()) {
            prop_assume!(t.iter().zip(&c).any(|(a, b)| a != b));
            let grid = Gamma::grid(6.0, 0.1).unwrap();
            for cc in [ContinuityCorrection::None, ContinuityCorrection::Yates] {
                let r = rosenbaum_wilcoxon(&t, &c, &grid, OneSidedAlpha::FIVE_PERCENT, cc).unwrap();
                for w in r.bounds.windows(2) {
                    prop_assert!(w[1].p_upper >= w[0].p_upper - 1e-12);
                    // The lower bound falls with Γ too, but with the continuity
                    // correction only when T > 0.5 (T − 0.5 < 0 turns it round).
                    if cc == ContinuityCorrection::None || r.statistic > 0.5 {
                        prop_assert!(w[1].p_lower <= w[0].p_lower + 1e-12);
                    }
                }
                prop_assert!((r.bounds[0].p_upper - r.bounds[0].p_lower).abs() < 1e-15);
                if let Some(g) = r.gamma_critical {
                    let at = rosenbaum_wilcoxon(&t, &c, &[Gamma::new(g).unwrap()], OneSidedAlpha::FIVE_PERCENT, cc).unwrap();
                    prop_assert!((at.bounds[0].p_upper - 0.05).abs() < 1e-8);
                }
            }
            // At Γ = 1 with the continuity correction: the crate's Wilcoxon
            // signed-rank normal approximation, alternative "greater".
            let r = rosenbaum_wilcoxon(&t, &c, &[Gamma::ONE], OneSidedAlpha::FIVE_PERCENT, ContinuityCorrection::Yates).unwrap();
            let w = wilcoxon_signed_rank(&c, &t, Alternative::Greater, RankTestMethod::Asymptotic).unwrap();
            prop_assert!((r.bounds[0].p_upper - w.test.p_value).abs() < 1e-12,
                "{} vs {}", r.bounds[0].p_upper, w.test.p_value);
            prop_assert_eq!(r.statistic, w.rank_sum_positive);
            // Without it: the same z shifted by the correction.
            let r0 = rosenbaum_wilcoxon(&t, &c, &[Gamma::ONE], OneSidedAlpha::FIVE_PERCENT, ContinuityCorrection::None).unwrap();
            prop_assert!(r0.bounds[0].p_upper <= r.bounds[0].p_upper + 1e-15);
        }
    }
}
