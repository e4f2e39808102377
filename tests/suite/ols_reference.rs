//! OLS/WLS coefficients and variance estimators against R.
//!
//! Expected values come from `tests/data/make_reference.R` (run with R 4.2.2,
//! sandwich 3.0.2, lmtest 0.9.40, Debian bookworm packages) on the synthetic
//! data set it writes to `tests/data/ols_synthetic.csv` (60 rows, 12 clusters
//! of 5, seed 20261123). The R calls are:
//!
//! * `fit <- lm(y ~ x1 + x2 + x3, data = d)` and the same with `weights = w`;
//!   `lm(y ~ 0 + x1 + x2, data = d)`;
//! * `coeftest(fit, vcov. = V)` and `coefci(fit, vcov. = V, level = 0.95)` with
//!   `V = vcov(fit)`, `vcovHC(fit, type = "HC0")`, `vcovHC(fit, type = "HC1")`
//!   and `vcovCL(fit, cluster = ~g)` (defaults `type = "HC1"`, `cadjust = TRUE`);
//! * `summary(fit)$sigma`, `$r.squared`, `$adj.r.squared`;
//! * `lm(y ~ x1 + x2 + x3 + factor(g), data = d)` (with and without
//!   `weights = w`) for the absorbed fixed-effect fit, same variances;
//! * the Wald test of `x2 = x3 = 0` with the cluster vcov, by hand
//!   (`t(b) %*% solve(V) %*% b`) and by `lmtest::waldtest(fit, . ~ . - x2 - x3,
//!   vcov = V, test = "F")`.
//!
//! Tolerance: relative 1e-8 (R writes 15 significant digits).

use std::path::Path;

use outcomes::stats::ols::{
    fit_ols, fit_ols_absorbing, Clusters, Intercept, Term, Variance, Weights,
};
use outcomes::stats::ConfidenceLevel;

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

struct Synthetic {
    y: Vec<f64>,
    x1: Vec<f64>,
    x2: Vec<f64>,
    x3: Vec<f64>,
    g: Vec<i64>,
    w: Vec<f64>,
}

fn load() -> Synthetic {
    let mut rdr = csv::Reader::from_path(data_dir().join("ols_synthetic.csv")).unwrap();
    let mut s = Synthetic {
        y: vec![],
        x1: vec![],
        x2: vec![],
        x3: vec![],
        g: vec![],
        w: vec![],
    };
    for rec in rdr.records() {
        let r = rec.unwrap();
        let f = |i: usize| r[i].parse::<f64>().unwrap();
        s.y.push(f(0));
        s.x1.push(f(1));
        s.x2.push(f(2));
        s.x3.push(f(3));
        s.g.push(r[4].parse::<i64>().unwrap());
        s.w.push(f(5));
    }
    s
}

struct Expected {
    model: String,
    estimator: String,
    term: String,
    vals: Vec<f64>, // estimate, se, t, p, lo, hi, sigma, r2, adj r2, df
}

fn expected() -> Vec<Expected> {
    let mut rdr = csv::Reader::from_path(data_dir().join("ols_synthetic_expected.csv")).unwrap();
    rdr.records()
        .map(|rec| {
            let r = rec.unwrap();
            Expected {
                model: r[0].to_string(),
                estimator: r[1].to_string(),
                term: r[2].to_string(),
                vals: (3..13).map(|i| r[i].parse::<f64>().unwrap()).collect(),
            }
        })
        .collect()
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300) || (a - b).abs() < 1e-14
}

#[test]
fn ols_matches_r_lm_sandwich_coeftest() {
    let d = load();
    let exp = expected();
    let clusters = Clusters::new(&d.g);
    let w = Weights::new(d.w.clone()).unwrap();
    let full = [
        Term::new("x1", &d.x1),
        Term::new("x2", &d.x2),
        Term::new("x3", &d.x3),
    ];
    let no_int = [Term::new("x1", &d.x1), Term::new("x2", &d.x2)];
    let mut checked = 0;
    for model in ["unweighted", "weighted", "no_intercept"] {
        let fit = match model {
            "unweighted" => fit_ols(&d.y, &full, Intercept::Included, None),
            "weighted" => fit_ols(&d.y, &full, Intercept::Included, Some(&w)),
            _ => fit_ols(&d.y, &no_int, Intercept::Excluded, None),
        }
        .unwrap();
        for (label, variance) in [
            ("classical", Variance::Classical),
            ("HC0", Variance::Hc0),
            ("HC1", Variance::Hc1),
            ("CR1", Variance::Cluster(clusters.clone())),
        ] {
            let rows: Vec<&Expected> = exp
                .iter()
                .filter(|e| e.model == model && e.estimator == label)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let tab = fit.table(&variance, ConfidenceLevel::NINETY_FIVE).unwrap();
            assert_eq!(tab.coefficients.len(), rows.len());
            for e in rows {
                let c = tab.get(&e.term).unwrap();
                let ctx = format!("{model} {label} {}", e.term);
                assert!(
                    rel_close(c.estimate, e.vals[0], 1e-8),
                    "{ctx} est {} vs {}",
                    c.estimate,
                    e.vals[0]
                );
                assert!(
                    rel_close(c.std_error, e.vals[1], 1e-8),
                    "{ctx} se {} vs {}",
                    c.std_error,
                    e.vals[1]
                );
                assert!(rel_close(c.t_value.unwrap(), e.vals[2], 1e-8), "{ctx} t");
                assert!(
                    rel_close(c.p_value.unwrap(), e.vals[3], 1e-6),
                    "{ctx} p {} vs {}",
                    c.p_value.unwrap(),
                    e.vals[3]
                );
                assert!(rel_close(c.ci.lower, e.vals[4], 1e-8), "{ctx} lo");
                assert!(rel_close(c.ci.upper, e.vals[5], 1e-8), "{ctx} hi");
                assert!(
                    rel_close(fit.residual_std_error(), e.vals[6], 1e-8),
                    "{ctx} sigma"
                );
                assert!(
                    rel_close(fit.r_squared().unwrap(), e.vals[7], 1e-8),
                    "{ctx} r2"
                );
                assert!(
                    rel_close(fit.adj_r_squared().unwrap(), e.vals[8], 1e-8),
                    "{ctx} adj r2"
                );
                assert_eq!(tab.df, e.vals[9], "{ctx} df");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 4 * 2 + 2 * 2);
}

#[test]
fn cluster_wald_test_matches_r() {
    let d = load();
    let fit = fit_ols(
        &d.y,
        &[
            Term::new("x1", &d.x1),
            Term::new("x2", &d.x2),
            Term::new("x3", &d.x3),
        ],
        Intercept::Included,
        None,
    )
    .unwrap();
    let mut rdr = csv::Reader::from_path(data_dir().join("ols_synthetic_wald.csv")).unwrap();
    let r = rdr.records().next().unwrap().unwrap();
    let v: Vec<f64> = (0..5).map(|i| r[i].parse::<f64>().unwrap()).collect();
    let wt = fit
        .wald_test(&["x2", "x3"], &Variance::Cluster(Clusters::new(&d.g)))
        .unwrap();
    assert!(rel_close(wt.chi_square, v[0], 1e-8));
    assert!(rel_close(wt.chi_square_p_value, v[1], 1e-6));
    assert!(rel_close(wt.f_statistic, v[2], 1e-8));
    assert!(rel_close(wt.f_p_value, v[3], 1e-6));
    assert_eq!(wt.df_denominator, v[4]);
    assert_eq!(wt.df_numerator, 2);
}

/// Lalonde (validation.md §1a): OLS `re78 ~ treat` gives the pooled SE 657.1374
/// and HC1 SE 676.7480 for −635.0262 (COMPUTED with statsmodels 0.15.0).
#[test]
#[cfg_attr(not(reference_data), ignore = "needs ../shared/reference-data")]
fn lalonde_naive_ols_and_hc1() {
    let Some(p) = crate::common::reference_data("lalonde.csv") else {
        return;
    };
    let mut rdr = csv::Reader::from_path(&p).unwrap();
    let hdr = rdr.headers().unwrap().clone();
    let ti = hdr.iter().position(|h| h == "treat").unwrap();
    let yi = hdr.iter().position(|h| h == "re78").unwrap();
    let (mut t, mut y) = (vec![], vec![]);
    for rec in rdr.records() {
        let r = rec.unwrap();
        t.push(r[ti].parse::<f64>().unwrap());
        y.push(r[yi].parse::<f64>().unwrap());
    }
    let fit = fit_ols(&y, &[Term::new("treat", &t)], Intercept::Included, None).unwrap();
    let lvl = ConfidenceLevel::NINETY_FIVE;
    let c = fit.table(&Variance::Classical, lvl).unwrap();
    let h = fit.table(&Variance::Hc1, lvl).unwrap();
    let ct = c.get("treat").unwrap();
    assert!((ct.estimate - -635.0262).abs() < 5e-5);
    assert!((ct.std_error - 657.1374).abs() < 5e-5);
    assert!((ct.t_value.unwrap() - -0.9664).abs() < 5e-5);
    assert!((ct.p_value.unwrap() - 0.33425).abs() < 5e-6);
    assert!((h.get("treat").unwrap().std_error - 676.7480).abs() < 5e-5);
}

/// `fit_ols_absorbing` (group effects absorbed by demeaning) against R's
/// dummy-variable fit `lm(y ~ x1 + x2 + x3 + factor(g))`, unweighted and
/// weighted, with `vcov`, `vcovHC(type = "HC0" | "HC1")` and `vcovCL(cluster =
/// ~g)` (see the module doc). R² is not compared (ours is the within R²).
#[test]
fn absorbed_fixed_effects_match_r_dummy_fit() {
    let d = load();
    let exp = expected();
    let clusters = Clusters::new(&d.g);
    let w = Weights::new(d.w.clone()).unwrap();
    let terms = [
        Term::new("x1", &d.x1),
        Term::new("x2", &d.x2),
        Term::new("x3", &d.x3),
    ];
    let mut checked = 0;
    for model in ["fe_unweighted", "fe_weighted"] {
        let wt = if model == "fe_weighted" {
            Some(&w)
        } else {
            None
        };
        let fit = fit_ols_absorbing(&d.y, &terms, &clusters, wt).unwrap();
        assert_eq!(fit.absorbed_groups(), 12);
        for (label, variance) in [
            ("classical", Variance::Classical),
            ("HC0", Variance::Hc0),
            ("HC1", Variance::Hc1),
            ("CR1", Variance::Cluster(clusters.clone())),
        ] {
            let tab = fit.table(&variance, ConfidenceLevel::NINETY_FIVE).unwrap();
            for c in &tab.coefficients {
                let e = exp
                    .iter()
                    .find(|e| e.model == model && e.estimator == label && e.term == c.term)
                    .unwrap();
                let ctx = format!("{model} {label} {}", c.term);
                assert!(rel_close(c.estimate, e.vals[0], 1e-8), "{ctx} est");
                assert!(
                    rel_close(c.std_error, e.vals[1], 1e-8),
                    "{ctx} se {} vs {}",
                    c.std_error,
                    e.vals[1]
                );
                assert!(rel_close(c.p_value.unwrap(), e.vals[3], 1e-6), "{ctx} p");
                assert!(rel_close(c.ci.lower, e.vals[4], 1e-8), "{ctx} lo");
                assert!(
                    rel_close(fit.residual_std_error(), e.vals[6], 1e-8),
                    "{ctx} sigma"
                );
                assert_eq!(tab.df, e.vals[9], "{ctx} df");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * 4 * 3);
    // Clusters that do not nest the absorbed groups are refused.
    let fit = fit_ols_absorbing(&d.y, &terms, &clusters, None).unwrap();
    let other: Vec<usize> = (0..d.y.len()).map(|i| i % 7).collect();
    assert!(fit.vcov(&Variance::Cluster(Clusters::new(&other))).is_err());
}
