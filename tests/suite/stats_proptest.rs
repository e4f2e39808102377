//! Property tests for `outcomes::stats` that would catch a wrong formula.
//!
//! * Invariances: shifting all data by `c` leaves a mean difference, t, p,
//!   the rank statistics and the standardised effect sizes unchanged, and a
//!   location moves by `c`; scaling by `k > 0` scales estimates, SEs and
//!   intervals by `k` and leaves t, df, p unchanged; swapping the groups (or
//!   `before` and `after`) flips the sign of the statistic and estimate and
//!   keeps p (with `Less` and `Greater` exchanged).
//! * Differential checks against code in this file: Welch's, Student's and
//!   the paired t from their definitions, with p from a Student t tail
//!   written here (regularised incomplete beta, Lentz continued fraction,
//!   Lanczos log-gamma; not `statrs`, which the crate uses); exact rank-test
//!   p-values against brute-force enumeration; Holm and BH against their
//!   sorted-order definitions.
//! * Exact against asymptotic rank-test p-values at moderate n, with
//!   tolerances derived from scipy (see [`exact_and_asymptotic_rank_tests_agree`]).
//! * On arbitrary input (NaN, ±inf, huge values, empty slices, mismatched
//!   lengths): no panic, and a stated share of cases must return `Ok`, so an
//!   always-erroring function fails.
//!
//! The invariance and differential properties draw only valid inputs and
//! require `Ok` in every case.

use std::cell::RefCell;
use std::collections::BTreeMap;

use outcomes::stats::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::say_checked;

const L95: ConfidenceLevel = ConfidenceLevel::NINETY_FIVE;
const ALTS: [Alternative; 3] = [
    Alternative::TwoSided,
    Alternative::Less,
    Alternative::Greater,
];

fn flip(a: Alternative) -> Alternative {
    match a {
        Alternative::Less => Alternative::Greater,
        Alternative::Greater => Alternative::Less,
        other => other,
    }
}

/// `|a − b| <= tol·(1 + |a| + |b|)`: relative for large values, absolute
/// near zero.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs() + b.abs())
}

macro_rules! assert_close {
    ($a:expr, $b:expr, $tol:expr, $($what:tt)+) => {{
        let (a, b): (f64, f64) = ($a, $b);
        prop_assert!(close(a, b, $tol), "{}: {} vs {} (tol {})", format!($($what)+), a, b, $tol);
    }};
}

fn se(e: &Estimate) -> f64 {
    e.std_error.expect("a t estimate has an SE")
}

// ---------------------------------------------------------------------
// An independent Student t tail.

/// ln Γ(x) for x > 0, Lanczos (g = 7, 9 terms; Numerical Recipes 3rd ed. §6.1).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Continued fraction of the incomplete beta (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Regularised incomplete beta `I_x(a, b)`.
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

/// `P(T > t)` for Student's t with `df` degrees of freedom:
/// `½·I_{df/(df+t²)}(df/2, ½)` for `t ≥ 0`.
fn t_sf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * inc_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

fn t_p(t: f64, df: f64, alt: Alternative) -> f64 {
    match alt {
        Alternative::Greater => t_sf(t, df),
        Alternative::Less => t_sf(-t, df),
        _ => (2.0 * t_sf(t.abs(), df)).min(1.0),
    }
}

/// p-values agree: absolutely to 1e-10 and relatively to 1e-7 (tiny tails).
fn p_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-10 + 1e-7 * a.abs().max(b.abs())
}

/// The independent tail against values from scipy 1.17.1
/// `scipy.stats.t.sf(t, df)`: (2.0, 5) 0.050969739414929174,
/// (0.5, 1) 0.35241638234956674, (12, 20) 6.79777851294033e-11,
/// (1.3, 57.3) 0.09940310351362519; to relative 1e-12.
#[test]
fn independent_t_tail_matches_scipy() {
    let cases = [
        (2.0, 5.0, 0.050_969_739_414_929_174),
        (0.5, 1.0, 0.352_416_382_349_566_74),
        (12.0, 20.0, 6.797_778_512_940_33e-11),
        (1.3, 57.3, 0.099_403_103_513_625_19),
    ];
    for (t, df, want) in cases {
        let got = t_sf(t, df);
        assert!(
            (got - want).abs() <= 1e-12 * want,
            "t_sf({t}, {df}) = {got}, scipy {want}"
        );
    }
}

// ---------------------------------------------------------------------
// Valid inputs.

/// A continuous sample: with probability 1 its variance is positive.
fn real_sample(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-100.0..100.0f64, len)
}

fn alternative() -> impl Strategy<Value = Alternative> {
    prop::sample::select(ALTS.to_vec())
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn var(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

fn shifted(x: &[f64], c: f64) -> Vec<f64> {
    x.iter().map(|v| v + c).collect()
}

fn scaled(x: &[f64], k: f64) -> Vec<f64> {
    x.iter().map(|v| v * k).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Two-sample t (both variance assumptions), Cohen's d and Hedges' g
    /// under shift, scale and swap.
    #[test]
    fn two_sample_t_invariances(
        x in real_sample(2..30),
        y in real_sample(2..30),
        c in -1e3..1e3f64,
        k in 0.01..100.0f64,
        alt in alternative(),
    ) {
        for v in [VarianceAssumption::Unequal, VarianceAssumption::Equal] {
            let r = two_sample_t(&x, &y, v, L95, alt).unwrap();
            let tol = 1e-9;
            // shift both groups: nothing changes
            let s = two_sample_t(&shifted(&x, c), &shifted(&y, c), v, L95, alt).unwrap();
            assert_close!(s.estimate.value, r.estimate.value, tol * (1.0 + c.abs()), "{v:?} shift: difference");
            assert_close!(se(&s.estimate), se(&r.estimate), tol, "{v:?} shift: SE");
            assert_close!(s.test.statistic, r.test.statistic, tol * (1.0 + c.abs()), "{v:?} shift: t");
            assert_close!(s.test.p_value, r.test.p_value, tol * (1.0 + c.abs()), "{v:?} shift: p");
            assert_close!(s.mean1, r.mean1 + c, tol, "{v:?} shift: mean of x");
            // shift x only: the difference moves by c, the SE stays
            let s = two_sample_t(&shifted(&x, c), &y, v, L95, alt).unwrap();
            assert_close!(s.estimate.value, r.estimate.value + c, tol, "{v:?} shift x: difference");
            assert_close!(se(&s.estimate), se(&r.estimate), tol, "{v:?} shift x: SE");
            assert_close!(s.estimate.ci.lower, r.estimate.ci.lower + c, tol, "{v:?} shift x: lower");
            // scale: estimate, SE and interval scale, t, df and p stay
            let s = two_sample_t(&scaled(&x, k), &scaled(&y, k), v, L95, alt).unwrap();
            assert_close!(s.estimate.value, k * r.estimate.value, tol, "{v:?} scale: difference");
            assert_close!(se(&s.estimate), k * se(&r.estimate), tol, "{v:?} scale: SE");
            assert_close!(s.estimate.ci.upper, k * r.estimate.ci.upper, tol, "{v:?} scale: upper");
            assert_close!(s.sd1, k * r.sd1, tol, "{v:?} scale: sd1");
            assert_close!(s.test.statistic, r.test.statistic, tol, "{v:?} scale: t");
            assert_close!(s.test.df.unwrap(), r.test.df.unwrap(), tol, "{v:?} scale: df");
            assert_close!(s.test.p_value, r.test.p_value, tol, "{v:?} scale: p");
            // swap: sign flips, p keeps (with the alternative mirrored)
            let s = two_sample_t(&y, &x, v, L95, flip(alt)).unwrap();
            assert_close!(s.estimate.value, -r.estimate.value, tol, "{v:?} swap: difference");
            assert_close!(s.estimate.ci.lower, -r.estimate.ci.upper, tol, "{v:?} swap: interval");
            assert_close!(s.test.statistic, -r.test.statistic, tol, "{v:?} swap: t");
            assert_close!(s.test.p_value, r.test.p_value, tol, "{v:?} swap: p");
            // the one-sided p-values of one test add to 1
            let other = two_sample_t(&x, &y, v, L95, flip(alt)).unwrap();
            if alt != Alternative::TwoSided {
                assert_close!(other.test.p_value + r.test.p_value, 1.0, tol, "{v:?} one-sided p sum");
            }
        }
        let d = cohens_d(&x, &y, L95).unwrap().unwrap();
        let g = hedges_g(&x, &y, L95).unwrap().unwrap();
        let ds = cohens_d(&shifted(&scaled(&x, k), c), &shifted(&scaled(&y, k), c), L95).unwrap().unwrap();
        let gs = hedges_g(&shifted(&scaled(&x, k), c), &shifted(&scaled(&y, k), c), L95).unwrap().unwrap();
        let dw = cohens_d(&y, &x, L95).unwrap().unwrap();
        assert_close!(ds.value, d.value, 1e-8 * (1.0 + c.abs() / k), "d under affine map");
        assert_close!(gs.value, g.value, 1e-8 * (1.0 + c.abs() / k), "g under affine map");
        assert_close!(dw.value, -d.value, 1e-12, "d swapped");
        assert_close!(se(&dw), se(&d), 1e-12, "SE of d swapped");
        prop_assert!(g.value.abs() < d.value.abs() || d.value == 0.0, "|g| < |d|: {} vs {}", g.value, d.value);
    }

    /// Welch's, Student's and the paired t from their definitions, with p
    /// from the Student t tail in this file; the interval's half-width `h`
    /// satisfies `2·P(T > h/SE) = α`.
    #[test]
    fn t_tests_match_their_definitions(
        x in real_sample(2..40),
        y in real_sample(2..40),
        alt in alternative(),
    ) {
        let (n1, n2) = (x.len() as f64, y.len() as f64);
        let (a, b) = (var(&x) / n1, var(&y) / n2);
        let diff = mean(&x) - mean(&y);
        let cases = [
            (VarianceAssumption::Unequal, (a + b).sqrt(), (a + b).powi(2) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0))),
            (VarianceAssumption::Equal, {
                let sp2 = ((n1 - 1.0) * var(&x) + (n2 - 1.0) * var(&y)) / (n1 + n2 - 2.0);
                (sp2 * (1.0 / n1 + 1.0 / n2)).sqrt()
            }, n1 + n2 - 2.0),
        ];
        for (v, want_se, want_df) in cases {
            let r = two_sample_t(&x, &y, v, L95, alt).unwrap();
            let want_t = diff / want_se;
            assert_close!(r.estimate.value, diff, 1e-12, "{v:?}: difference");
            assert_close!(se(&r.estimate), want_se, 1e-12, "{v:?}: SE");
            assert_close!(r.test.df.unwrap(), want_df, 1e-12, "{v:?}: df");
            assert_close!(r.test.statistic, want_t, 1e-10, "{v:?}: t");
            let want_p = t_p(want_t, want_df, alt);
            prop_assert!(p_close(r.test.p_value, want_p), "{:?} p: {} vs {}", v, r.test.p_value, want_p);
            let h = (r.estimate.ci.upper - r.estimate.ci.lower) / 2.0;
            assert_close!(r.estimate.ci.lower + h, diff, 1e-12, "{v:?}: interval centre");
            let alpha = 2.0 * t_sf(h / want_se, want_df);
            prop_assert!((alpha - 0.05).abs() < 1e-9, "{:?}: interval level {}", v, 1.0 - alpha);
        }
        // paired t on the first min(n1, n2) pairs
        let n = x.len().min(y.len());
        let (before, after) = (&x[..n], &y[..n]);
        let d: Vec<f64> = before.iter().zip(after).map(|(b, a)| a - b).collect();
        let want_se = (var(&d) / n as f64).sqrt();
        let want_t = mean(&d) / want_se;
        let df = n as f64 - 1.0;
        let r = paired_t(before, after, L95, alt).unwrap();
        assert_close!(r.estimate.value, mean(&d), 1e-12, "paired: mean change");
        assert_close!(se(&r.estimate), want_se, 1e-12, "paired: SE");
        assert_close!(r.test.statistic, want_t, 1e-10, "paired: t");
        prop_assert_eq!(r.test.df, Some(df));
        let want_p = t_p(want_t, df, alt);
        prop_assert!(p_close(r.test.p_value, want_p), "paired p: {} vs {}", r.test.p_value, want_p);
        // the estimate part of the paired t (SE computed as sqrt(var/n) there,
        // sd/sqrt(n) here: equal to rounding)
        let m = mean_change(before, after, L95).unwrap();
        assert_close!(m.value, r.estimate.value, 1e-15, "mean_change = paired t estimate");
        assert_close!(m.ci.lower, r.estimate.ci.lower, 1e-13, "mean_change interval");
        assert_close!(m.ci.upper, r.estimate.ci.upper, 1e-13, "mean_change interval");
        let mc = mean_ci(&x, L95).unwrap();
        assert_close!(mc.value, mean(&x), 1e-12, "mean_ci: mean");
        assert_close!(se(&mc), (var(&x) / n1).sqrt(), 1e-12, "mean_ci: SE");
    }

    /// Paired t, mean change, Cohen's dz under shift, scale and swap.
    #[test]
    fn paired_t_invariances(
        pairs in prop::collection::vec((-100.0..100.0f64, -100.0..100.0f64), 2..30),
        c in -1e3..1e3f64,
        k in 0.01..100.0f64,
        alt in alternative(),
    ) {
        let (before, after): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let r = paired_t(&before, &after, L95, alt).unwrap();
        let tol = 1e-9;
        let ctol = tol * (1.0 + c.abs());
        let s = paired_t(&shifted(&before, c), &shifted(&after, c), L95, alt).unwrap();
        assert_close!(s.estimate.value, r.estimate.value, ctol, "shift: mean change");
        assert_close!(se(&s.estimate), se(&r.estimate), ctol, "shift: SE");
        assert_close!(s.test.statistic, r.test.statistic, ctol, "shift: t");
        assert_close!(s.test.p_value, r.test.p_value, ctol, "shift: p");
        assert_close!(s.mean_before, r.mean_before + c, tol, "shift: mean before");
        let s = paired_t(&before, &shifted(&after, c), L95, alt).unwrap();
        assert_close!(s.estimate.value, r.estimate.value + c, ctol, "shift after: mean change");
        assert_close!(s.sd_difference, r.sd_difference, ctol, "shift after: sd");
        let s = paired_t(&scaled(&before, k), &scaled(&after, k), L95, alt).unwrap();
        assert_close!(s.estimate.value, k * r.estimate.value, tol, "scale: mean change");
        assert_close!(se(&s.estimate), k * se(&r.estimate), tol, "scale: SE");
        assert_close!(s.estimate.ci.lower, k * r.estimate.ci.lower, tol, "scale: lower");
        assert_close!(s.test.statistic, r.test.statistic, tol, "scale: t");
        assert_close!(s.test.p_value, r.test.p_value, tol, "scale: p");
        let s = paired_t(&after, &before, L95, flip(alt)).unwrap();
        assert_close!(s.estimate.value, -r.estimate.value, tol, "swap: mean change");
        assert_close!(s.estimate.ci.upper, -r.estimate.ci.lower, tol, "swap: interval");
        assert_close!(s.test.statistic, -r.test.statistic, tol, "swap: t");
        assert_close!(s.test.p_value, r.test.p_value, tol, "swap: p");
        let dz = cohens_dz(&before, &after, L95).unwrap().unwrap();
        let dzs = cohens_dz(&shifted(&scaled(&before, k), c), &shifted(&scaled(&after, k), c), L95)
            .unwrap()
            .unwrap();
        let dzw = cohens_dz(&after, &before, L95).unwrap().unwrap();
        assert_close!(dzs.value, dz.value, 1e-8 * (1.0 + c.abs() / k), "dz under affine map");
        assert_close!(dzw.value, -dz.value, 1e-12, "dz swapped");
        // dz = t/√n
        assert_close!(dz.value, r.test.statistic / (before.len() as f64).sqrt(), 1e-10, "dz = t/sqrt(n)");
    }

    /// Wilcoxon signed-rank and sign tests under an integer shift, an exact
    /// scale and a swap, on integer data with ties and zero differences (so
    /// both the exact and the tie-corrected normal paths run). Integer data
    /// keep every difference exact, so the results must be identical.
    #[test]
    fn signed_rank_and_sign_invariances(
        pairs in prop::collection::vec((-20i32..20, -20i32..20), 1..40),
        c in -1000i32..1000,
        k in prop::sample::select(vec![0.25, 0.5, 2.0, 3.0, 10.0]),
        alt in alternative(),
        method in prop::sample::select(vec![RankTestMethod::Auto, RankTestMethod::Exact, RankTestMethod::Asymptotic]),
    ) {
        let before: Vec<f64> = pairs.iter().map(|p| f64::from(p.0)).collect();
        let mut after: Vec<f64> = pairs.iter().map(|p| f64::from(p.1)).collect();
        if after == before {
            after[0] += 1.0; // at least one non-zero difference
        }
        let c = f64::from(c);
        let r = wilcoxon_signed_rank(&before, &after, alt, method).unwrap();
        let m = r.test.n as f64;
        let total = m * (m + 1.0) / 2.0;
        prop_assert_eq!(r.rank_sum_positive + r.rank_sum_negative, total);
        prop_assert_eq!(r.test.n + r.n_zero, r.n);
        for (b, a) in [
            (shifted(&before, c), shifted(&after, c)),
            (scaled(&before, k), scaled(&after, k)),
        ] {
            let s = wilcoxon_signed_rank(&b, &a, alt, method).unwrap();
            prop_assert_eq!(s.rank_sum_positive, r.rank_sum_positive);
            prop_assert_eq!(s.test.p_value, r.test.p_value);
            prop_assert_eq!(s.method, r.method);
        }
        let s = wilcoxon_signed_rank(&after, &before, flip(alt), method).unwrap();
        prop_assert_eq!(s.rank_sum_positive, r.rank_sum_negative);
        // z = (dev − corr)/σ: both dev and the correction change sign
        prop_assert_eq!(s.z.map(|z| -z), r.z);
        assert_close!(s.test.p_value, r.test.p_value, 1e-12, "signed rank swap: p");
        let t = sign_test(&before, &after, alt).unwrap();
        let ts = sign_test(&shifted(&scaled(&before, k), c), &shifted(&scaled(&after, k), c), alt).unwrap();
        let tw = sign_test(&after, &before, flip(alt)).unwrap();
        prop_assert_eq!(ts.test.p_value, t.test.p_value);
        prop_assert_eq!(tw.n_positive, t.n_negative);
        assert_close!(tw.test.p_value, t.test.p_value, 1e-12, "sign test swap: p");
    }

    /// Mann–Whitney U under an integer shift, an exact scale and a swap, on
    /// integer data with ties.
    #[test]
    fn mann_whitney_invariances(
        x in prop::collection::vec(-20i32..20, 1..30),
        y in prop::collection::vec(-20i32..20, 1..30),
        c in -1000i32..1000,
        k in prop::sample::select(vec![0.25, 0.5, 2.0, 3.0, 10.0]),
        alt in alternative(),
        method in prop::sample::select(vec![RankTestMethod::Auto, RankTestMethod::Exact, RankTestMethod::Asymptotic]),
    ) {
        let x: Vec<f64> = x.into_iter().map(f64::from).collect();
        let mut y: Vec<f64> = y.into_iter().map(f64::from).collect();
        y[0] = x[0] + 1.0; // not every value the same
        let c = f64::from(c);
        let r = mann_whitney_u(&x, &y, alt, method).unwrap();
        prop_assert_eq!(r.u1 + r.u2, (x.len() * y.len()) as f64);
        // U1 counts the pairs with x > y, ties 1/2
        let u1: f64 = x.iter().map(|a| y.iter().map(|b| if a > b { 1.0 } else if a == b { 0.5 } else { 0.0 }).sum::<f64>()).sum();
        prop_assert_eq!(r.u1, u1);
        for (a, b) in [(shifted(&x, c), shifted(&y, c)), (scaled(&x, k), scaled(&y, k))] {
            let s = mann_whitney_u(&a, &b, alt, method).unwrap();
            prop_assert_eq!(s.u1, r.u1);
            prop_assert_eq!(s.test.p_value, r.test.p_value);
        }
        let s = mann_whitney_u(&y, &x, flip(alt), method).unwrap();
        prop_assert_eq!(s.u1, r.u2);
        prop_assert_eq!(s.u1 - s.u2, -(r.u1 - r.u2));
        assert_close!(s.test.p_value, r.test.p_value, 1e-12, "swap: p");
    }

    /// Holm and BH against their definitions on sorted p
    /// (`p_(1) ≤ … ≤ p_(m)`): Holm `min(1, max_{k≤i} (m−k+1)·p_(k))`, BH
    /// `min(1, min_{k≥i} m/k·p_(k))`, computed here in O(m²); and
    /// raw ≤ BH ≤ Holm ≤ min(1, m·raw), monotone in raw p.
    #[test]
    fn p_adjust_matches_definitions_and_orders(
        p in prop::collection::vec(prop_oneof![
            3 => 0.0..=1.0f64,
            1 => (0u32..=20).prop_map(|k| f64::from(k) / 20.0),
            1 => 0.0..1e-4f64,
        ], 0..30),
    ) {
        let holm = p_adjust(&p, PAdjustMethod::Holm).unwrap();
        let bh = p_adjust(&p, PAdjustMethod::BenjaminiHochberg).unwrap();
        prop_assert_eq!(holm.len(), p.len());
        prop_assert_eq!(bh.len(), p.len());
        let m = p.len();
        let mut s = p.clone();
        s.sort_by(f64::total_cmp);
        for i in 0..m {
            // the position of p[i] in sorted order (any of its ties)
            let pos = s.iter().position(|v| *v == p[i]).unwrap();
            let want_holm = (0..=pos).map(|k| (m - k) as f64 * s[k]).fold(0.0, f64::max).min(1.0);
            let want_bh = (pos..m).map(|k| m as f64 / (k + 1) as f64 * s[k]).fold(f64::INFINITY, f64::min).min(1.0);
            assert_close!(holm[i], want_holm, 1e-15, "Holm at {i}");
            assert_close!(bh[i], want_bh, 1e-15, "BH at {i}");
            prop_assert!(p[i] <= bh[i] && bh[i] <= holm[i] && holm[i] <= 1.0, "raw {} BH {} Holm {}", p[i], bh[i], holm[i]);
            prop_assert!(holm[i] <= (m as f64 * p[i]).min(1.0) + 1e-15, "Holm above Bonferroni");
            for j in 0..m {
                if p[i] <= p[j] {
                    prop_assert!(holm[i] <= holm[j] && bh[i] <= bh[j], "not monotone at {i}, {j}");
                }
            }
        }
        if m > 0 {
            // the largest p is unchanged by BH; the smallest becomes m·p under Holm
            assert_close!(bh.iter().copied().fold(0.0, f64::max), s[m - 1], 1e-15, "BH of max p");
            assert_close!(holm.iter().copied().fold(1.0, f64::min), (m as f64 * s[0]).min(1.0), 1e-15, "Holm of min p");
        }
    }
}

// ---------------------------------------------------------------------
// Exact p-values: against brute force, and against the normal approximation.

/// Distinct magnitudes `1..=60` in random order, with random signs: `n`
/// non-zero paired differences with no ties in `|d|`.
fn distinct_differences(
    n: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    n.prop_flat_map(|n| {
        (
            Just((1..=60).collect::<Vec<i32>>()).prop_shuffle(),
            prop::collection::vec(any::<bool>(), n),
            prop::collection::vec(-50i32..50, n),
        )
    })
    .prop_map(|(mags, signs, before)| {
        let after = before
            .iter()
            .zip(&signs)
            .zip(&mags)
            .map(|((b, s), m)| f64::from(*b + if *s { *m } else { -*m }))
            .collect();
        (before.into_iter().map(f64::from).collect(), after)
    })
}

/// Two samples of distinct values (sizes drawn from `n1`, `n2`).
fn distinct_groups(
    n1: std::ops::RangeInclusive<usize>,
    n2: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (n1, n2, Just((1..=60).collect::<Vec<i32>>()).prop_shuffle()).prop_map(|(n1, n2, v)| {
        let v: Vec<f64> = v.into_iter().map(f64::from).collect();
        (v[..n1].to_vec(), v[n1..n1 + n2].to_vec())
    })
}

/// `(P(S ≥ s), P(S ≤ s))` over an enumerated null distribution.
fn tails(all: &[f64], s: f64) -> (f64, f64) {
    let n = all.len() as f64;
    (
        all.iter().filter(|v| **v >= s).count() as f64 / n,
        all.iter().filter(|v| **v <= s).count() as f64 / n,
    )
}

fn brute_p(all: &[f64], s: f64, alt: Alternative) -> f64 {
    let (upper, lower) = tails(all, s);
    match alt {
        Alternative::Greater => upper,
        Alternative::Less => lower,
        _ => (2.0 * upper.min(lower)).min(1.0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Exact signed-rank and Mann–Whitney p-values against enumeration of
    /// every sign assignment (2^n for n ≤ 12) and every split of the ranks
    /// (C(n1+n2, n1) for n1 + n2 ≤ 14).
    #[test]
    fn exact_rank_p_values_match_enumeration(
        (before, after) in distinct_differences(1..=12),
        (x, y) in distinct_groups(1..=7, 1..=7),
        alt in alternative(),
    ) {
        let r = wilcoxon_signed_rank(&before, &after, alt, RankTestMethod::Exact).unwrap();
        prop_assert_eq!(r.method, RankTestMethodUsed::Exact);
        let n = before.len();
        let null: Vec<f64> = (0u32..1 << n)
            .map(|mask| (0..n).filter(|i| mask >> i & 1 == 1).map(|i| (i + 1) as f64).sum())
            .collect();
        let want = brute_p(&null, r.rank_sum_positive, alt);
        prop_assert!((r.test.p_value - want).abs() < 1e-12, "signed rank n = {}: {} vs {}", n, r.test.p_value, want);

        let u = mann_whitney_u(&x, &y, alt, RankTestMethod::Exact).unwrap();
        prop_assert_eq!(u.method, RankTestMethodUsed::Exact);
        let (n1, n) = (x.len(), x.len() + y.len());
        let null: Vec<f64> = (0u32..1 << n)
            .filter(|mask| mask.count_ones() as usize == n1)
            .map(|mask| {
                let r1: usize = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| i + 1).sum();
                (r1 - n1 * (n1 + 1) / 2) as f64
            })
            .collect();
        let want = brute_p(&null, u.u1, alt);
        prop_assert!((u.test.p_value - want).abs() < 1e-12, "Mann-Whitney {}x{}: {} vs {}", n1, y.len(), u.test.p_value, want);
    }

    /// At moderate n without ties the exact and the continuity-corrected
    /// normal p-values agree. The tolerances are the largest differences over
    /// every attainable statistic, from scipy 1.17.1 (script
    /// `scripts/reference/rank_exact_vs_asymptotic.py`): signed rank, n in
    /// 20..=40, `wilcoxon(d, zero_method="wilcox", correction=True,
    /// method="exact")` against `method="asymptotic"`: 0.008294 two-sided,
    /// 0.004147 one-sided; Mann–Whitney, n1, n2 in 10..=20,
    /// `mannwhitneyu(x, y, use_continuity=True, method="exact")` against
    /// `"asymptotic"`: 0.008575 two-sided, 0.004288 one-sided.
    #[test]
    fn exact_and_asymptotic_rank_tests_agree(
        (before, after) in distinct_differences(20..=40),
        (x, y) in distinct_groups(10..=20, 10..=20),
        alt in alternative(),
    ) {
        let one_sided = alt != Alternative::TwoSided;
        let e = wilcoxon_signed_rank(&before, &after, alt, RankTestMethod::Exact).unwrap();
        let a = wilcoxon_signed_rank(&before, &after, alt, RankTestMethod::Asymptotic).unwrap();
        prop_assert_eq!((e.method, a.method), (RankTestMethodUsed::Exact, RankTestMethodUsed::Asymptotic));
        let tol = if one_sided { 0.0042 } else { 0.0084 };
        prop_assert!((e.test.p_value - a.test.p_value).abs() <= tol,
            "signed rank n = {}: exact {} asymptotic {}", before.len(), e.test.p_value, a.test.p_value);
        let e = mann_whitney_u(&x, &y, alt, RankTestMethod::Exact).unwrap();
        let a = mann_whitney_u(&x, &y, alt, RankTestMethod::Asymptotic).unwrap();
        prop_assert_eq!((e.method, a.method), (RankTestMethodUsed::Exact, RankTestMethodUsed::Asymptotic));
        let tol = if one_sided { 0.0043 } else { 0.0086 };
        prop_assert!((e.test.p_value - a.test.p_value).abs() <= tol,
            "Mann-Whitney {}x{}: exact {} asymptotic {}", x.len(), y.len(), e.test.p_value, a.test.p_value);
    }
}

// ---------------------------------------------------------------------
// Arbitrary input: no panic, and a stated share of `Ok`.

/// How many calls of each function returned `Ok`, across one run.
#[derive(Default)]
struct Tally(RefCell<BTreeMap<&'static str, (u32, u32)>>);

impl Tally {
    fn see<T>(&self, name: &'static str, r: outcomes::Result<T>) -> Option<T> {
        let mut m = self.0.borrow_mut();
        let e = m.entry(name).or_default();
        e.1 += 1;
        e.0 += u32::from(r.is_ok());
        r.ok()
    }

    /// Every function tallied returned `Ok` in at least `floor` of its calls.
    fn require(&self, floor: f64) {
        let m = self.0.borrow();
        assert!(!m.is_empty());
        let mut shares = Vec::new();
        for (name, (ok, all)) in m.iter() {
            assert!(
                f64::from(*ok) >= floor * f64::from(*all),
                "{name}: {ok} of {all} calls returned Ok, below the floor {floor}"
            );
            shares.push(format!("{name} {ok}/{all}"));
        }
        say_checked(&format!("Ok shares (floor {floor}): {}", shares.join(", ")));
    }
}

/// Mostly ordinary values (with deliberate ties), sometimes special ones.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        40 => (-20i32..20).prop_map(f64::from),
        40 => -1e4..1e4f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => any::<f64>(),
        1 => Just(f64::MAX),
        1 => Just(-f64::MAX),
    ]
}

/// Half the time a valid sample (finite, 5 to 24 values), otherwise
/// anything: empty, NaN, ±inf, values near `f64::MAX`.
fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        prop::collection::vec(-1e4..1e4f64, 5..25),
        prop::collection::vec(value(), 0..25),
    ]
}

/// Half the time valid pairs, otherwise two arbitrary samples (often of
/// different lengths).
fn paired_sample() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop_oneof![
        prop::collection::vec((-1e4..1e4f64, -1e4..1e4f64), 5..25)
            .prop_map(|p| p.into_iter().unzip()),
        (
            prop::collection::vec(value(), 0..25),
            prop::collection::vec(value(), 0..25)
        ),
    ]
}

fn methods() -> impl Strategy<Value = RankTestMethod> {
    prop::sample::select(vec![
        RankTestMethod::Auto,
        RankTestMethod::Exact,
        RankTestMethod::Asymptotic,
    ])
}

fn check_test(t: &TestResult) -> Result<(), TestCaseError> {
    prop_assert!((0.0..=1.0).contains(&t.p_value), "p = {}", t.p_value);
    Ok(())
}

fn check_estimate(e: &Estimate) -> Result<(), TestCaseError> {
    prop_assert!(e.value.is_finite(), "{:?}", e);
    prop_assert!(e.ci.contains(e.value), "{:?}", e);
    Ok(())
}

/// The share of calls that must return `Ok`: half the inputs are valid
/// (so about 50%, measured 48 to 52% of 400; 0.35 is five standard
/// deviations below), and a valid one fails only on an improbable zero
/// variance.
const OK_FLOOR: f64 = 0.35;

#[test]
fn paired_tests_never_panic() {
    let tally = Tally::default();
    let strategy = (paired_sample(), alternative(), methods());
    TestRunner::new(Config::with_cases(400))
        .run(&strategy, |((before, after), alt, method)| {
            if let Some(d) = tally.see("describe", describe(&before)) {
                prop_assert!(d.min <= d.median && d.median <= d.max);
                prop_assert!(d.min <= d.mean && d.mean <= d.max);
            }
            if let Some(e) = tally.see("mean_ci", mean_ci(&before, L95)) {
                check_estimate(&e)?;
            }
            if let Some(e) = tally.see("mean_change", mean_change(&before, &after, L95)) {
                check_estimate(&e)?;
            }
            if let Some(r) = tally.see("paired_t", paired_t(&before, &after, L95, alt)) {
                check_estimate(&r.estimate)?;
                check_test(&r.test)?;
            }
            let w = wilcoxon_signed_rank(&before, &after, alt, method);
            if let Some(r) = tally.see("wilcoxon_signed_rank", w) {
                check_test(&r.test)?;
                prop_assert_eq!(r.test.n + r.n_zero, r.n);
                let m = r.test.n as f64;
                prop_assert!(
                    (r.rank_sum_positive + r.rank_sum_negative - m * (m + 1.0) / 2.0).abs() < 1e-9
                );
            }
            if let Some(r) = tally.see("sign_test", sign_test(&before, &after, alt)) {
                check_test(&r.test)?;
                prop_assert_eq!(r.n_positive + r.n_negative + r.n_zero, r.n);
            }
            if let Some(Some(e)) = tally.see("cohens_dz", cohens_dz(&before, &after, L95)) {
                check_estimate(&e)?;
            }
            let p = ReliableChangeParams::new(5.0, 0.8, Direction::LowerIsBetter).unwrap();
            if let Some(r) = tally.see("reliable_change", reliable_change(&before, &after, p, L95))
            {
                prop_assert_eq!(r.improved + r.no_reliable_change + r.deteriorated, r.n);
                check_estimate(&r.proportion_improved)?;
            }
            let pi = proportion_improving(&before, &after, Direction::HigherIsBetter, L95);
            if let Some(r) = tally.see("proportion_improving", pi) {
                prop_assert!(r.count <= r.n);
                check_estimate(&r.estimate)?;
            }
            let pt = proportion_reaching_threshold(&before, 0.0, Direction::HigherIsBetter, L95);
            if let Some(r) = tally.see("proportion_reaching_threshold", pt) {
                check_estimate(&r.estimate)?;
            }
            Ok(())
        })
        .unwrap();
    tally.require(OK_FLOOR);
}

#[test]
fn two_group_tests_never_panic() {
    let tally = Tally::default();
    let strategy = (sample(), sample(), alternative(), methods());
    TestRunner::new(Config::with_cases(400))
        .run(&strategy, |(x, y, alt, method)| {
            for (name, v) in [
                ("welch", VarianceAssumption::Unequal),
                ("student", VarianceAssumption::Equal),
            ] {
                if let Some(r) = tally.see(name, two_sample_t(&x, &y, v, L95, alt)) {
                    check_estimate(&r.estimate)?;
                    check_test(&r.test)?;
                }
            }
            if let Some(r) = tally.see("mann_whitney_u", mann_whitney_u(&x, &y, alt, method)) {
                check_test(&r.test)?;
                prop_assert!((r.u1 + r.u2 - (r.n1 * r.n2) as f64).abs() < 1e-9);
            }
            if let Some(Some(e)) = tally.see("cohens_d", cohens_d(&x, &y, L95)) {
                check_estimate(&e)?;
            }
            if let Some(Some(e)) = tally.see("hedges_g", hedges_g(&x, &y, L95)) {
                check_estimate(&e)?;
            }
            Ok(())
        })
        .unwrap();
    // Both samples must be valid: each is clean half the time, and a wild
    // sample is valid about a third of the time, so about 45% of cases
    // (measured: about 52% of 400).
    tally.require(0.35);
}

#[test]
fn bootstrap_never_panics() {
    let tally = Tally::default();
    let strategy = (sample(), sample(), any::<u64>());
    TestRunner::new(Config::with_cases(100))
        .run(&strategy, |(x, y, seed)| {
            let cfg = BootstrapConfig::new(200, seed, L95).unwrap();
            let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
            if let Some(r) = tally.see("bootstrap_one_sample", bootstrap_one_sample(&x, mean, cfg))
            {
                prop_assert!(r.percentile.ci.lower <= r.percentile.ci.upper);
                if let Some(b) = r.bca {
                    prop_assert!(b.ci.lower <= b.ci.upper);
                }
            }
            tally.see(
                "bootstrap_mean_difference",
                bootstrap_mean_difference(&x, &y, cfg),
            );
            Ok(())
        })
        .unwrap();
    // As for two groups (measured: 45 and 63 of 100).
    tally.require(0.25);
}

#[test]
fn counts_never_panic() {
    let tally = Tally::default();
    let strategy = (
        (0u64..60, 0u64..60, 0u64..60, 0u64..60),
        (0u64..200, 1u64..200, 0u64..200, 1u64..200),
    );
    TestRunner::new(Config::with_cases(400))
        .run(&strategy, |((a, b, c, d), (x1, n1, x2, n2))| {
            if let Some(r) = tally.see(
                "mcnemar_from_counts",
                mcnemar_from_counts(a, b, (a + b + c) as usize),
            ) {
                check_test(&r.exact)?;
                check_test(&r.chi_square)?;
            }
            for corr in [ContinuityCorrection::Yates, ContinuityCorrection::None] {
                if let Some(r) = tally.see(
                    "chi_square_2x2",
                    chi_square_2x2(
                        Table2x2 {
                            counts: [[a, b], [c, d]],
                        },
                        corr,
                    ),
                ) {
                    check_test(&r.test)?;
                }
            }
            let (x1, x2) = (x1.min(n1), x2.min(n2));
            let (g1, g2) = (
                BinomialCount::new(x1, n1).unwrap(),
                BinomialCount::new(x2, n2).unwrap(),
            );
            let r = tally
                .see("proportion_difference", proportion_difference(g1, g2, L95))
                .unwrap();
            check_estimate(&r.wald)?;
            prop_assert!(r.newcombe.contains(r.wald.value));
            prop_assert!(r.newcombe.lower >= -1.0 && r.newcombe.upper <= 1.0);
            for t in [r.chi_square, r.chi_square_yates].iter().flatten() {
                check_test(t)?;
            }
            let e = proportion_ci(g1, L95);
            check_estimate(&e)?;
            prop_assert!(e.ci.lower >= 0.0 && e.ci.upper <= 1.0);
            Ok(())
        })
        .unwrap();
    // Counts from 0..60: a zero margin or no discordant pair is rare.
    tally.require(0.9);
}
