//! Propensity weights, entropy balancing, weighted balance, the weighted
//! outcome regression and AIPW against values computed in R.
//!
//! Expected values come from `scripts/reference/weighting.R` (R 4.2.2 Patched,
//! sandwich 3.0.2, Debian bookworm), which writes `tests/data/weighting/`:
//! the synthetic data set `weighting_synthetic.csv` (500 people, 50 clusters,
//! seed 20261205) and the expected `weights_*`, `balance_*` and `summary_*`
//! files for it and for LaLonde (`../shared/reference-data/lalonde.csv`, read
//! through `common::reference_data`). WeightIt is not packaged for Debian, so
//! the script restates its definitions in base R (METHODS.md, "Weighting and
//! doubly robust estimation"):
//!
//! * scores: `fitted(glm(treat ~ ..., family = binomial()))`;
//! * weights: ATT `ifelse(t == 1, 1, e/(1-e))`, ATE `1/e`, `1/(1-e)`, the ATE
//!   stabilised by `mean(t)` / `1 - mean(t)`; trimming `trim(w, at = 0.95)` of
//!   the controls (ATT) or everyone (ATE), and score trimming to the 5% / 95%
//!   `quantile(type = 7)`;
//! * entropy balancing by Newton on the dual, to max |gradient| < 1e-13, of
//!   the `model.matrix(~ ...)[, -1]` columns (and squares of non-binary ones);
//! * ESS `sum(w)^2 / sum(w^2)` per arm; balance: `weighted.mean` per arm and
//!   the SMD over the unweighted treated SD (ATT) or pooled SD (ATE);
//! * `lm(y ~ treated + x, weights = w)` with `sandwich::vcovHC(type = "HC0")`,
//!   `vcovHC(type = "HC1")` and `vcovCL(cluster = g)`;
//! * AIPW ATE and ATT from `lm` fits in each arm and the glm scores, with the
//!   influence-function standard errors.
//!
//! Tolerances: relative 1e-6 for what depends on the glm scores (R's IRLS stops
//! at a relative deviance change of 1e-8), 1e-8 for entropy balancing.

use std::path::{Path, PathBuf};

use outcomes::compare::{
    aipw, effective_sample_size, entropy_balance, propensity_weights, weighted_balance,
    weighted_effect, Covariate, EntropyControl, Estimand, Link, Moments, PropensityModel,
    ScoreScale, SmdDenominator, Stabilisation, TrimQuantile, Trimming,
};
use outcomes::stats::ols::{Clusters, Term, Variance, Weights};
use outcomes::stats::ConfidenceLevel;

use crate::common::{reference_data, say_checked};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/weighting")
        .join(name)
}

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(path: &Path) -> Table {
        let mut r = csv::Reader::from_path(path).expect("csv");
        let header = r
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        let rows = r
            .records()
            .map(|rec| rec.expect("row").iter().map(str::to_string).collect())
            .collect();
        Table { header, rows }
    }
    fn col(&self, name: &str) -> Vec<String> {
        let j = self
            .header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name}"));
        self.rows.iter().map(|r| r[j].clone()).collect()
    }
    fn num(&self, name: &str) -> Vec<f64> {
        self.col(name)
            .iter()
            .map(|s| s.parse().expect("number"))
            .collect()
    }
}

/// Relative difference, and the running maximum of absolute differences.
fn check(a: f64, b: f64, rel: f64, what: &str, max: &mut f64) {
    let d = (a - b).abs();
    assert!(d <= rel * b.abs().max(1.0), "{what}: {a} vs {b}");
    *max = max.max(d);
}

struct Case {
    label: &'static str,
    covariates: Vec<Covariate>,
    treated: Vec<bool>,
    y: Vec<f64>,
    outcome_terms: Vec<(String, Vec<f64>)>,
    clusters: Option<Vec<i64>>,
}

fn run(case: &Case) {
    let label = case.label;
    let t = &case.treated;
    let weights = Table::read(&data(&format!("weights_{label}_expected.csv")));
    let summary = Table::read(&data(&format!("summary_{label}_expected.csv")));
    let balance_t = Table::read(&data(&format!("balance_{label}_expected.csv")));
    let expect = |w: &str, q: &str| -> f64 {
        let ws = summary.col("weights");
        let qs = summary.col("quantity");
        let vs = summary.num("value");
        (0..ws.len())
            .find(|&i| ws[i] == w && qs[i] == q)
            .map(|i| vs[i])
            .unwrap_or_else(|| panic!("{w} {q}"))
    };
    let model = PropensityModel::fit(&case.covariates, t, Link::Logit).unwrap();
    let e = model.scores(ScoreScale::Probability);
    let (mut d_score, mut d_w, mut d_eb, mut d_ess, mut d_bal, mut d_lm, mut d_aipw) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (a, b) in e.iter().zip(weights.num("score")) {
        check(*a, b, 1e-6, "score", &mut d_score);
    }
    let q = TrimQuantile::new(0.05).unwrap();
    let unst = Stabilisation::Unstabilised;
    let sets = [
        ("att", Estimand::Att, unst, Trimming::None),
        ("ate", Estimand::Ate, unst, Trimming::None),
        (
            "ate_stab",
            Estimand::Ate,
            Stabilisation::Stabilised,
            Trimming::None,
        ),
        (
            "att_trim_weights",
            Estimand::Att,
            unst,
            Trimming::Weights(q),
        ),
        (
            "ate_trim_weights",
            Estimand::Ate,
            unst,
            Trimming::Weights(q),
        ),
        ("ate_trim_score", Estimand::Ate, unst, Trimming::Score(q)),
    ];
    let mut by_name = Vec::new();
    for (name, est, st, trim) in sets {
        let w = propensity_weights(&e, t, est, st, trim).unwrap();
        for (a, b) in w.weights.iter().zip(weights.num(name)) {
            check(*a, b, 1e-6, name, &mut d_w);
        }
        check(
            w.ess.treated,
            expect(name, "ess_treated"),
            1e-6,
            name,
            &mut d_ess,
        );
        check(
            w.ess.control,
            expect(name, "ess_control"),
            1e-6,
            name,
            &mut d_ess,
        );
        by_name.push((name, w.weights));
    }
    let ctl = EntropyControl::default();
    for (name, m) in [
        ("ebal_means", Moments::Means),
        ("ebal_squares", Moments::MeansAndSquares),
    ] {
        let eb = entropy_balance(&case.covariates, t, m, ctl).unwrap();
        assert!(eb.converged && eb.max_std_imbalance < 1e-10);
        for (a, b) in eb.weights.iter().zip(weights.num(name)) {
            check(*a, b, 1e-8, name, &mut d_eb);
        }
        let ess = effective_sample_size(&eb.weights, t).unwrap();
        check(
            ess.control,
            expect(name, "ess_control"),
            1e-8,
            name,
            &mut d_ess,
        );
        by_name.push((name, eb.weights));
    }
    let get = |n: &str| {
        by_name
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, w)| w.clone())
            .unwrap()
    };
    let bw = balance_t.col("weights");
    let bn = balance_t.col("name");
    let (bmt, bmc, bsmd) = (
        balance_t.num("mean_treated"),
        balance_t.num("mean_control"),
        balance_t.num("smd"),
    );
    for (name, den) in [
        ("att", SmdDenominator::TreatedSd),
        ("ate", SmdDenominator::PooledSd),
        ("ebal_means", SmdDenominator::TreatedSd),
    ] {
        let tab = weighted_balance(&case.covariates, t, &get(name), den).unwrap();
        let tol = if name == "ebal_means" { 1e-8 } else { 1e-6 };
        let mut seen = 0;
        for i in (0..bw.len()).filter(|&i| bw[i] == name) {
            let r = tab.row(&bn[i]).unwrap_or_else(|| panic!("row {}", bn[i]));
            check(r.mean_treated, bmt[i], tol, "mean_treated", &mut d_bal);
            check(r.mean_control, bmc[i], tol, "mean_control", &mut d_bal);
            check(r.smd.unwrap(), bsmd[i], tol, "smd", &mut d_bal);
            seen += 1;
        }
        assert_eq!(seen, tab.rows.len());
    }
    let terms: Vec<Term<'_>> = case
        .outcome_terms
        .iter()
        .map(|(n, v)| Term::new(n, v))
        .collect();
    let level = ConfidenceLevel::default();
    for name in ["att", "ate"] {
        let w = Weights::new(get(name)).unwrap();
        let mut vs = vec![("HC0", Variance::Hc0), ("HC1", Variance::Hc1)];
        if let Some(g) = &case.clusters {
            vs.push(("CL", Variance::Cluster(Clusters::new(g))));
        }
        for (vn, v) in vs {
            let c = weighted_effect(&case.y, t, &terms, &w, &v, level).unwrap();
            check(
                c.estimate,
                expect(name, &format!("lm_estimate_{vn}")),
                1e-6,
                "lm",
                &mut d_lm,
            );
            check(
                c.std_error,
                expect(name, &format!("lm_se_{vn}")),
                1e-6,
                "lm se",
                &mut d_lm,
            );
        }
    }
    for (est, k) in [(Estimand::Ate, "ate"), (Estimand::Att, "att")] {
        let r = aipw(&case.y, t, &e, &terms, est, level).unwrap();
        check(
            r.estimate.value,
            expect("none", &format!("aipw_{k}_estimate")),
            1e-6,
            "aipw",
            &mut d_aipw,
        );
        check(
            r.estimate.std_error.unwrap(),
            expect("none", &format!("aipw_{k}_se")),
            1e-6,
            "aipw se",
            &mut d_aipw,
        );
    }
    say_checked(&format!(
        "weighting vs R ({label}): max abs diff score {d_score:.1e}, weights {d_w:.1e}, \
         entropy weights {d_eb:.1e}, ESS {d_ess:.1e}, balance {d_bal:.1e}, weighted lm {d_lm:.1e}, \
         AIPW {d_aipw:.1e}"
    ));
}

/// The synthetic data set (R 4.2.2, sandwich 3.0.2; `scripts/reference/weighting.R`):
/// `glm(treat ~ age + educ + married + region, binomial)`, the weights, ESS and
/// balance of the module documentation, `lm(y ~ treated + age + educ + married,
/// weights = w)` with `vcovHC(type = "HC0")`, `vcovHC(type = "HC1")` and
/// `vcovCL(cluster = g)`, and AIPW with the same outcome covariates.
#[test]
fn weighting_matches_r_on_synthetic_data() {
    let d = Table::read(&data("weighting_synthetic.csv"));
    let num = |c: &str| d.num(c);
    let case = Case {
        label: "synthetic",
        covariates: vec![
            Covariate::numeric("age", num("age")),
            Covariate::numeric("educ", num("educ")),
            Covariate::numeric("married", num("married")),
            Covariate::categorical("region", d.col("region")),
        ],
        treated: num("treat").iter().map(|v| *v == 1.0).collect(),
        y: num("y"),
        outcome_terms: ["age", "educ", "married"]
            .iter()
            .map(|n| (n.to_string(), num(n)))
            .collect(),
        clusters: Some(num("g").iter().map(|v| *v as i64).collect()),
    };
    run(&case);
}

/// LaLonde (MatchIt's `lalonde`; R 4.2.2, sandwich 3.0.2;
/// `scripts/reference/weighting.R`): `glm(treat ~ age + educ + race + married +
/// nodegree + re74 + re75, binomial)`, the weights, ESS and balance of the
/// module documentation, `lm(re78 ~ treated + age + educ + married + nodegree +
/// re74 + re75, weights = w)` with `vcovHC(type = "HC0")` and
/// `vcovHC(type = "HC1")`, and AIPW with the same outcome covariates.
#[test]
fn weighting_matches_r_on_lalonde() {
    let Some(path) = reference_data("lalonde.csv") else {
        return;
    };
    let d = Table::read(&path);
    let num = |c: &str| d.num(c);
    let case = Case {
        label: "lalonde",
        covariates: vec![
            Covariate::numeric("age", num("age")),
            Covariate::numeric("educ", num("educ")),
            Covariate::categorical("race", d.col("race")),
            Covariate::numeric("married", num("married")),
            Covariate::numeric("nodegree", num("nodegree")),
            Covariate::numeric("re74", num("re74")),
            Covariate::numeric("re75", num("re75")),
        ],
        treated: num("treat").iter().map(|v| *v == 1.0).collect(),
        y: num("re78"),
        outcome_terms: ["age", "educ", "married", "nodegree", "re74", "re75"]
            .iter()
            .map(|n| (n.to_string(), num(n)))
            .collect(),
        clusters: None,
    };
    run(&case);
}
