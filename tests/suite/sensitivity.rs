//! E-values and Rosenbaum bounds against values derived in R.
//!
//! Expected values come from `scripts/reference/weighting.R` (R 4.2.2 Patched,
//! Debian bookworm), which writes `tests/data/weighting/`. EValue and rbounds
//! are not packaged for Debian, so the script restates their definitions in
//! base R (METHODS.md, "Sensitivity to unmeasured confounding"):
//!
//! * EValue 4.1.3 `evalues.RR(est, lo, hi)`, `evalues.OR(est, lo, hi, rare)`,
//!   `evalues.HR(est, lo, hi, rare)` and `evalues.MD(est = d, se)`;
//! * rbounds 2.2 `psens(treated, control, Gamma = 3, GammaInc = 0.25)` without
//!   its rounding to 4 decimals, on the 80 synthetic pairs
//!   `tests/data/weighting/pairs_synthetic.csv` (seed 20261204, four zero
//!   differences), and the Γ where the upper bound is 0.05 by
//!   `uniroot(..., tol = 1e-14)` on log Γ.
//!
//! Tolerance: 1e-12 relative (R writes 15 significant digits).

use std::path::{Path, PathBuf};

use outcomes::stats::{
    e_value_ratio, e_value_smd, rosenbaum_wilcoxon, ContinuityCorrection, Gamma, Interval,
    OneSidedAlpha, OutcomePrevalence, RatioMeasure,
};

use crate::common::say_checked;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/weighting")
        .join(name)
}

fn rows(name: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(data(name)).expect("reference csv");
    r.records()
        .map(|rec| rec.expect("row").iter().map(str::to_string).collect())
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().expect("number")
}

fn close(a: f64, b: f64, what: &str) -> f64 {
    let d = (a - b).abs();
    assert!(d <= 1e-12 * b.abs().max(1.0), "{what}: {a} vs {b}");
    d
}

/// EValue 4.1.3 `evalues.RR` / `evalues.OR(rare)` / `evalues.HR(rare)`, restated in
/// base R by `scripts/reference/weighting.R`.
#[test]
fn e_values_of_ratios_match_evalue() {
    let mut max = 0.0f64;
    for r in rows("evalues_ratio_expected.csv") {
        let m = match r[0].as_str() {
            "rr" => RatioMeasure::RiskRatio,
            "or_rare" => RatioMeasure::OddsRatio(OutcomePrevalence::Rare),
            "or_common" => RatioMeasure::OddsRatio(OutcomePrevalence::Common),
            "hr_rare" => RatioMeasure::HazardRatio(OutcomePrevalence::Rare),
            "hr_common" => RatioMeasure::HazardRatio(OutcomePrevalence::Common),
            other => panic!("measure {other}"),
        };
        let e = e_value_ratio(m, num(&r[1]), Some(Interval::new(num(&r[2]), num(&r[3])))).unwrap();
        max = max.max(close(e.risk_ratio, num(&r[4]), "rr"));
        let ci = e.risk_ratio_ci.unwrap();
        max = max.max(close(ci.lower, num(&r[5]), "rr lo"));
        max = max.max(close(ci.upper, num(&r[6]), "rr hi"));
        max = max.max(close(e.point, num(&r[7]), "point"));
        max = max.max(close(e.confidence_limit.unwrap(), num(&r[8]), "ci"));
    }
    say_checked(&format!("E-values of ratios vs R: max abs diff {max:.2e}"));
}

/// EValue 4.1.3 `evalues.MD(est = d, se)`, restated in base R.
#[test]
fn e_values_of_smds_match_evalue() {
    let mut max = 0.0f64;
    for r in rows("evalues_smd_expected.csv") {
        let e = e_value_smd(num(&r[0]), Some(num(&r[1]))).unwrap();
        max = max.max(close(e.risk_ratio, num(&r[2]), "rr"));
        let ci = e.risk_ratio_ci.unwrap();
        max = max.max(close(ci.lower, num(&r[3]), "rr lo"));
        max = max.max(close(ci.upper, num(&r[4]), "rr hi"));
        max = max.max(close(e.point, num(&r[5]), "point"));
        max = max.max(close(e.confidence_limit.unwrap(), num(&r[6]), "ci"));
    }
    say_checked(&format!("E-values of SMDs vs R: max abs diff {max:.2e}"));
}

/// rbounds 2.2 `psens(treated, control, Gamma = 3, GammaInc = 0.25)` (unrounded,
/// restated in base R) and `uniroot` for the critical Γ.
#[test]
fn rosenbaum_bounds_match_psens() {
    let pairs = rows("pairs_synthetic.csv");
    let t: Vec<f64> = pairs.iter().map(|r| num(&r[0])).collect();
    let c: Vec<f64> = pairs.iter().map(|r| num(&r[1])).collect();
    let grid = Gamma::grid(3.0, 0.25).unwrap();
    let res = rosenbaum_wilcoxon(
        &t,
        &c,
        &grid,
        OneSidedAlpha::FIVE_PERCENT,
        ContinuityCorrection::None,
    )
    .unwrap();
    let expected = rows("rosenbaum_expected.csv");
    assert_eq!(res.bounds.len(), expected.len());
    assert_eq!(res.n_zero, 4);
    let mut max = 0.0f64;
    for (b, r) in res.bounds.iter().zip(&expected) {
        close(b.gamma, num(&r[0]), "gamma");
        max = max.max(close(b.p_lower, num(&r[1]), "p_lower"));
        max = max.max(close(b.p_upper, num(&r[2]), "p_upper"));
        close(res.statistic, num(&r[3]), "T");
    }
    let gc = res.gamma_critical.unwrap();
    let dg = (gc - num(&expected[0][4])).abs();
    assert!(dg < 1e-9, "critical gamma {gc} vs {}", expected[0][4]);
    say_checked(&format!(
        "Rosenbaum bounds vs R: max abs diff {max:.2e} (p), {dg:.2e} (critical gamma)"
    ));
}
