//! Poisson rate intervals and rate ratios against R.
//!
//! Reference: R 4.2.2 (Debian `r-base-core`, "R version 4.2.2 Patched
//! (2022-11-10 r83330)"), `stats::poisson.test`:
//!
//! * one sample: `poisson.test(k, t, conf.level = cl)$conf.int` (Garwood exact);
//! * two samples: `poisson.test(c(k1, k2), c(t1, t2), conf.level = cl)` →
//!   `$estimate`, `$conf.int` (Clopper–Pearson on k1/(k1+k2), mapped), `$p.value`;
//! * log-normal Wald: `exp(log(rr) + c(-1, 1) * qnorm(1 - (1 - cl)/2) * sqrt(1/k1 + 1/k2))`;
//! * ratio of rate ratios: `rrr <- (20/40)/(45/50)`,
//!   `exp(log(rrr) + c(-1, 1) * qnorm(.975) * sqrt(1/20 + 1/40 + 1/45 + 1/50))`.
//!
//! Values were printed with `sprintf("%.17g")`; the script is in
//! METHODS.md, "Anti-social behaviour", §2.4 (Poisson intervals).

// Values are pasted exactly as R printed them (%.17g).
#![allow(clippy::excessive_precision)]

use outcomes::measures::asb::{poisson_exact_ci, rate_ratio};
use outcomes::stats::ConfidenceLevel;

fn close(a: f64, b: f64, rel: f64) -> bool {
    if a == b {
        return true;
    }
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

#[track_caller]
fn check(what: &str, got: f64, want: f64) {
    assert!(
        close(got, want, 1e-10),
        "{what}: got {got:.17e}, R {want:.17e}"
    );
}

/// R: `poisson.test(k, t, conf.level = cl)$conf.int`.
#[test]
fn garwood_exact_interval_matches_r_poisson_test() {
    let cases: [(u64, f64, f64, f64, f64); 6] = [
        (0, 1.0, 0.95, 0.0, 3.6888794541139354),
        (1, 1.0, 0.95, 0.025317807984289897, 5.5716433909388989),
        (5, 2.5, 0.95, 0.6493945560473684, 4.667332831729067),
        (40, 2000.0, 0.95, 0.014288293220894484, 0.027234323481992034),
        (137, 1234.5, 0.90, 0.095854618477890619, 0.1278851775373589),
        (10000, 500.0, 0.95, 19.609904934520369, 20.395903249322945),
    ];
    for (k, t, cl, lo, hi) in cases {
        let ci = poisson_exact_ci(k, t, ConfidenceLevel::new(cl).unwrap()).unwrap();
        check(&format!("lower k={k}"), ci.lower, lo);
        check(&format!("upper k={k}"), ci.upper, hi);
    }
}

/// R: `poisson.test(c(k1, k2), c(t1, t2), conf.level = cl)`.
#[test]
fn conditional_exact_rate_ratio_matches_r_poisson_test() {
    #[allow(clippy::type_complexity)]
    let cases: [(u64, u64, f64, f64, f64, f64, f64, f64, f64); 7] = [
        (
            20,
            40,
            2000.0,
            2000.0,
            0.95,
            0.5,
            0.27692629813246472,
            0.87572452700228975,
            0.013489293731191905,
        ),
        (
            45,
            50,
            4000.0,
            4000.0,
            0.95,
            0.9,
            0.58801622958818189,
            1.3740002646428697,
            0.68174250591818575,
        ),
        (
            3,
            17,
            1.5,
            2.0,
            0.95,
            0.23529411764705882,
            0.044178082075847058,
            0.81348831397231114,
            0.011978497859430925,
        ),
        (0, 5, 1.0, 1.0, 0.95, 0.0, 0.0, 1.0912791051825459, 0.0625),
        (
            7,
            7,
            10.0,
            30.0,
            0.95,
            3.0,
            0.89792904543179797,
            10.023063677233051,
            0.056088704615831361,
        ),
        (
            250,
            310,
            10500.0,
            11000.0,
            0.90,
            0.84485407066052221,
            0.73178448368239546,
            0.97491207194608898,
            0.051752455652623472,
        ),
        (
            1,
            1,
            1.0,
            1.0,
            0.95,
            1.0,
            0.012739367083666625,
            78.496835316262846,
            1.0,
        ),
    ];
    for (k1, k2, t1, t2, cl, est, lo, hi, p) in cases {
        let r = rate_ratio(k1, t1, k2, t2, ConfidenceLevel::new(cl).unwrap()).unwrap();
        let tag = format!("({k1},{k2})");
        assert!(close(r.ratio.unwrap(), est, 1e-14), "{tag} estimate");
        let ci = r.exact_conditional.unwrap();
        check(&format!("{tag} lower"), ci.lower, lo);
        check(&format!("{tag} upper"), ci.upper, hi);
        check(&format!("{tag} p"), r.exact_test.unwrap().p_value, p);
    }
    // k2 = 0: R gives estimate Inf, conf.int (0.9163558573154601, Inf), p 0.0625.
    let r = rate_ratio(5, 1.0, 0, 1.0, ConfidenceLevel::NINETY_FIVE).unwrap();
    assert_eq!(r.ratio, None);
    let ci = r.exact_conditional.unwrap();
    check("(5,0) lower", ci.lower, 0.9163558573154601);
    assert_eq!(ci.upper, f64::INFINITY);
    check("(5,0) p", r.exact_test.unwrap().p_value, 0.0625);
}

/// R: log-normal Wald interval (formula in the module doc).
#[test]
fn log_wald_rate_ratio_matches_r_formula() {
    let cases: [(u64, u64, f64, f64, f64, f64, f64); 3] = [
        (
            20,
            40,
            2000.0,
            2000.0,
            0.95,
            0.29232022294592741,
            0.8552264960684719,
        ),
        (
            3,
            17,
            1.5,
            2.0,
            0.95,
            0.068955353143489481,
            0.80288649503545007,
        ),
        (
            250,
            310,
            10500.0,
            11000.0,
            0.90,
            0.73461279730657902,
            0.97163894139700169,
        ),
    ];
    for (k1, k2, t1, t2, cl, lo, hi) in cases {
        let r = rate_ratio(k1, t1, k2, t2, ConfidenceLevel::new(cl).unwrap()).unwrap();
        let w = r.wald_log.unwrap();
        check("wald lower", w.lower, lo);
        check("wald upper", w.upper, hi);
    }
}
