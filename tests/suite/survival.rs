//! Time-to-event estimators (`outcomes::stats::survival`) against R's
//! survival package.
//!
//! Expected values come from `scripts/reference/survival.R` (run with R 4.2.2
//! Patched, survival 3.5.3, Debian bookworm packages), which writes
//! `tests/data/survival/expected.csv` and exports the data sets it used:
//! `tests/data/survival/lung.csv` (`survival::lung`, event `status == 2`),
//! `tests/data/survival/veteran.csv` (`survival::veteran`) and
//! `tests/data/survival/synthetic.csv` (240 people, seed 20261204, whole-month
//! times with many ties, 120 matched pairs). The script's header lists every
//! R call; each test below names the ones it checks.
//!
//! Tolerance: `1e-9 · max(1, |expected|)` (R writes 17 significant digits).
//! The largest difference seen per estimator is printed (`--nocapture`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use outcomes::stats::ols::{Clusters, Term};
use outcomes::stats::survival::{
    cox_zph, fit_cox, fit_cox_stratified, kaplan_meier, log_rank, rmst_difference,
    ConfidenceTransform, CoxVariance, EventStatus, SurvivalData, Ties, ZphTransform,
};
use outcomes::stats::ConfidenceLevel;

const TOL: f64 = 1e-9;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/survival")
}

/// `expected.csv` as (case, quantity) → values (`None` for NA, NaN, Inf).
fn expected() -> HashMap<(String, String), Vec<Option<f64>>> {
    let mut rdr = csv::Reader::from_path(dir().join("expected.csv")).unwrap();
    let mut out: HashMap<(String, String), Vec<Option<f64>>> = HashMap::new();
    for rec in rdr.records() {
        let r = rec.unwrap();
        let v = r[3].parse::<f64>().ok().filter(|v| v.is_finite());
        out.entry((r[0].to_string(), r[1].to_string()))
            .or_default()
            .push(v);
    }
    out
}

/// One data set: named columns as text.
struct Table {
    names: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(file: &str) -> Table {
        let mut rdr = csv::Reader::from_path(dir().join(file)).unwrap();
        let names = rdr.headers().unwrap().iter().map(str::to_string).collect();
        let rows = rdr
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        Table { names, rows }
    }

    fn col(&self, name: &str) -> Vec<String> {
        let j = self.names.iter().position(|n| n == name).unwrap();
        self.rows.iter().map(|r| r[j].clone()).collect()
    }

    fn num(&self, name: &str) -> Vec<f64> {
        self.col(name).iter().map(|v| v.parse().unwrap()).collect()
    }
}

struct Set {
    name: &'static str,
    table: Table,
    data: SurvivalData,
    horizons: [f64; 3],
    tau: f64,
    group: &'static str,
    strata: Option<&'static str>,
    covariates: &'static [&'static str],
}

fn sets() -> Vec<Set> {
    let mk = |name: &'static str, file: &str, event_code: f64| {
        let table = Table::read(file);
        let time = table.num("time");
        let status: Vec<EventStatus> = table
            .num("status")
            .iter()
            .map(|s| EventStatus::from_event(*s == event_code))
            .collect();
        let data = SurvivalData::new(&time, &status).unwrap();
        (name, table, data)
    };
    let days = [182.625, 365.25, 730.5];
    let (n, t, d) = mk("lung", "lung.csv", 2.0);
    let lung = Set {
        name: n,
        table: t,
        data: d,
        horizons: days,
        tau: 365.25,
        group: "sex",
        strata: None,
        covariates: &["age", "sex"],
    };
    let (n, t, d) = mk("veteran", "veteran.csv", 1.0);
    let veteran = Set {
        name: n,
        table: t,
        data: d,
        horizons: days,
        tau: 365.25,
        group: "trt",
        strata: Some("celltype"),
        covariates: &["trt", "karno", "age"],
    };
    let (n, t, d) = mk("synthetic", "synthetic.csv", 1.0);
    let synthetic = Set {
        name: n,
        table: t,
        data: d,
        horizons: [6.0, 12.0, 24.0],
        tau: 24.0,
        group: "group",
        strata: Some("stratum"),
        covariates: &["x1", "x2"],
    };
    vec![lung, veteran, synthetic]
}

/// Running maximum of absolute differences, with the check.
#[derive(Default)]
struct Diff(f64);

impl Diff {
    fn check(&mut self, what: &str, got: Option<f64>, want: Option<f64>) {
        match (got, want) {
            (Some(g), Some(w)) => {
                let d = (g - w).abs();
                self.0 = self.0.max(d);
                assert!(d <= TOL * w.abs().max(1.0), "{what}: got {g}, R {w}");
            }
            (None, None) => {}
            _ => panic!("{what}: got {got:?}, R {want:?}"),
        }
    }

    fn all(&mut self, what: &str, got: &[Option<f64>], want: &[Option<f64>]) {
        assert_eq!(got.len(), want.len(), "{what}: lengths");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            self.check(&format!("{what}[{i}]"), *g, *w);
        }
    }
}

fn get<'a>(
    exp: &'a HashMap<(String, String), Vec<Option<f64>>>,
    case: &str,
    q: &str,
) -> &'a [Option<f64>] {
    exp.get(&(case.to_string(), q.to_string()))
        .unwrap_or_else(|| panic!("no {case} {q} in expected.csv"))
}

fn some(v: impl IntoIterator<Item = f64>) -> Vec<Option<f64>> {
    v.into_iter().map(Some).collect()
}

/// `survfit(Surv(time, status) ~ 1, conf.type = "log" | "log-log" |
/// "plain")`: every step (time, n.risk, n.event, n.censor, surv, std.err,
/// lower, upper), `summary(fit)$table` median and its limits, `summary(fit,
/// times = h)` and `summary(fit, rmean = tau)` (R 4.2.2, survival 3.5.3).
#[test]
fn kaplan_meier_matches_survfit() {
    let exp = expected();
    let level = ConfidenceLevel::NINETY_FIVE;
    let mut diff = Diff::default();
    let mut median = Diff::default();
    let mut rmst = Diff::default();
    for set in sets() {
        for (ct, tr) in [
            ("log", ConfidenceTransform::Log),
            ("log-log", ConfidenceTransform::LogLog),
            ("plain", ConfidenceTransform::Plain),
        ] {
            let case = format!("{}/km/{ct}", set.name);
            let km = kaplan_meier(&set.data, level, tr).unwrap();
            let st = &km.steps;
            diff.all(
                &case,
                &some(st.iter().map(|s| s.time)),
                get(&exp, &case, "time"),
            );
            let counts = |f: fn(&outcomes::stats::survival::SurvivalStep) -> usize| {
                some(st.iter().map(|s| f(s) as f64))
            };
            diff.all(&case, &counts(|s| s.n_risk), get(&exp, &case, "n.risk"));
            diff.all(&case, &counts(|s| s.n_event), get(&exp, &case, "n.event"));
            diff.all(&case, &counts(|s| s.n_censor), get(&exp, &case, "n.censor"));
            diff.all(
                &case,
                &some(st.iter().map(|s| s.survival)),
                get(&exp, &case, "surv"),
            );
            let se: Vec<_> = st.iter().map(|s| s.log_std_error).collect();
            diff.all(&case, &se, get(&exp, &case, "std.err"));
            let lo: Vec<_> = st.iter().map(|s| s.ci.map(|c| c.lower)).collect();
            let hi: Vec<_> = st.iter().map(|s| s.ci.map(|c| c.upper)).collect();
            diff.all(&case, &lo, get(&exp, &case, "lower"));
            diff.all(&case, &hi, get(&exp, &case, "upper"));

            let m = km.median();
            median.all(
                &case,
                &[m.median, m.lower, m.upper],
                get(&exp, &case, "median"),
            );

            let at: Vec<_> = km.survival_at_each(&set.horizons);
            let at: Vec<_> = at.into_iter().map(|a| a.unwrap()).collect();
            let want_t = get(&exp, &case, "horizon.time");
            assert_eq!(want_t.len(), 3, "{case}: every horizon within follow-up");
            diff.all(
                &case,
                &some(at.iter().map(|a| a.n_risk as f64)),
                get(&exp, &case, "horizon.n.risk"),
            );
            diff.all(
                &case,
                &some(at.iter().map(|a| a.survival)),
                get(&exp, &case, "horizon.surv"),
            );
            let se: Vec<_> = at.iter().map(|a| a.std_error).collect();
            diff.all(&case, &se, get(&exp, &case, "horizon.std.err"));
            let lo: Vec<_> = at.iter().map(|a| a.ci.map(|c| c.lower)).collect();
            let hi: Vec<_> = at.iter().map(|a| a.ci.map(|c| c.upper)).collect();
            diff.all(&case, &lo, get(&exp, &case, "horizon.lower"));
            diff.all(&case, &hi, get(&exp, &case, "horizon.upper"));

            let r = km.rmst(set.tau, level).unwrap();
            rmst.all(
                &case,
                &[Some(r.estimate.value), r.estimate.std_error],
                get(&exp, &case, "rmean"),
            );
        }
    }
    eprintln!(
        "survfit: max abs diff curve {:.3e}, median {:.3e}, rmean {:.3e}",
        diff.0, median.0, rmst.0
    );
}

/// `summary(survfit(Surv(time, status) ~ g), rmean = tau)`: rmean and
/// se(rmean) per group (R 4.2.2, survival 3.5.3); the difference is checked
/// against its stated formula.
#[test]
fn rmst_per_group_matches_survfit() {
    let exp = expected();
    let level = ConfidenceLevel::NINETY_FIVE;
    let mut diff = Diff::default();
    for set in sets() {
        let case = format!("{}/rmst", set.name);
        let g = set.table.col(set.group);
        let r = rmst_difference(&set.data, &g, set.tau, level).unwrap();
        let rm = [
            Some(r.groups[0].estimate.value),
            Some(r.groups[1].estimate.value),
        ];
        let se = [
            r.groups[0].estimate.std_error,
            r.groups[1].estimate.std_error,
        ];
        diff.all(&case, &rm, get(&exp, &case, "rmean"));
        diff.all(&case, &se, get(&exp, &case, "se"));
        let d = r.difference;
        assert!((d.value - (rm[1].unwrap() - rm[0].unwrap())).abs() < 1e-12);
        let s = (se[0].unwrap().powi(2) + se[1].unwrap().powi(2)).sqrt();
        assert!((d.std_error.unwrap() - s).abs() < 1e-12);
    }
    eprintln!("RMST by group: max abs diff {:.3e}", diff.0);
}

/// `survdiff(Surv(time, status) ~ g)` and `survdiff(... ~ g + strata(s))`:
/// obs, exp, var, chisq (R 4.2.2, survival 3.5.3).
#[test]
fn log_rank_matches_survdiff() {
    let exp = expected();
    let mut diff = Diff::default();
    for set in sets() {
        let g = set.table.col(set.group);
        let mut cases = vec![(format!("{}/logrank", set.name), None)];
        if let Some(s) = set.strata {
            cases.push((
                format!("{}/logrank_strata", set.name),
                Some(set.table.col(s)),
            ));
        }
        for (case, strata) in cases {
            let lr = log_rank(&set.data, &g, strata.as_deref()).unwrap();
            diff.all(
                &case,
                &some(lr.groups.iter().map(|r| r.observed)),
                get(&exp, &case, "obs"),
            );
            diff.all(
                &case,
                &some(lr.groups.iter().map(|r| r.expected)),
                get(&exp, &case, "exp"),
            );
            diff.all(
                &case,
                &some(lr.variance.iter().copied()),
                get(&exp, &case, "var"),
            );
            diff.check(&case, Some(lr.test.statistic), get(&exp, &case, "chisq")[0]);
            assert_eq!(lr.test.df, Some(1.0));
        }
    }
    eprintln!("survdiff: max abs diff {:.3e}", diff.0);
}

fn terms(set: &Set) -> Vec<(String, Vec<f64>)> {
    set.covariates
        .iter()
        .map(|c| (c.to_string(), set.table.num(c)))
        .collect()
}

/// `coxph(Surv(time, status) ~ covariates, ties = "efron" | "breslow")`:
/// coef, sqrt(diag(vcov)), loglik, score, wald.test, iter; and `cox.zph(fit)`
/// (transform "km"), per term and GLOBAL; for the synthetic data also
/// transform = "identity", "rank", "log" (R 4.2.2, survival 3.5.3).
#[test]
fn cox_and_zph_match_coxph() {
    let exp = expected();
    let mut coef = Diff::default();
    let mut se = Diff::default();
    let mut tests = Diff::default();
    let mut zph = Diff::default();
    for set in sets() {
        let cols = terms(&set);
        let ts: Vec<Term> = cols.iter().map(|(n, v)| Term::new(n, v)).collect();
        for (name, ties) in [("efron", Ties::Efron), ("breslow", Ties::Breslow)] {
            let case = format!("{}/cox/{name}", set.name);
            let fit = fit_cox(&set.data, &ts, ties).unwrap();
            assert!(fit.converged());
            coef.all(
                &case,
                &some(fit.coefficients().iter().copied()),
                get(&exp, &case, "coef"),
            );
            se.all(
                &case,
                &some(fit.model_covariance().std_errors()),
                get(&exp, &case, "se"),
            );
            tests.all(&case, &some(fit.loglik()), get(&exp, &case, "loglik"));
            tests.check(
                &case,
                Some(fit.score_test().unwrap().statistic),
                get(&exp, &case, "score")[0],
            );
            let wald = fit.wald_test(&CoxVariance::Model).unwrap();
            tests.check(&case, Some(wald.statistic), get(&exp, &case, "wald")[0]);
            assert_eq!(
                Some(fit.iterations() as f64),
                get(&exp, &case, "iter")[0],
                "{case} iter"
            );

            let mut trs = vec![("km", ZphTransform::Km)];
            if set.name == "synthetic" {
                trs.extend([
                    ("identity", ZphTransform::Identity),
                    ("rank", ZphTransform::Rank),
                    ("log", ZphTransform::Log),
                ]);
            }
            for (tn, tr) in trs {
                let zcase = format!("{}/zph/{name}/{tn}", set.name);
                let z = cox_zph(&fit, tr).unwrap();
                let mut got = some(z.terms.iter().map(|t| t.chi_square));
                got.push(Some(z.global.chi_square));
                zph.all(&zcase, &got, get(&exp, &zcase, "chisq"));
                if tn == "km" {
                    let mut p = some(z.terms.iter().map(|t| t.p_value));
                    p.push(Some(z.global.p_value));
                    zph.all(&zcase, &p, get(&exp, &zcase, "p"));
                }
            }
        }
    }
    eprintln!(
        "coxph: max abs diff coef {:.3e}, se {:.3e}, loglik/score/wald {:.3e}; cox.zph {:.3e}",
        coef.0, se.0, tests.0, zph.0
    );
}

/// `coxph(..., cluster = pair)` and `coxph(..., robust = TRUE)` on the
/// synthetic data: coef, sqrt(diag(vcov)) (robust), sqrt(diag(naive.var)),
/// wald.test (robust) (R 4.2.2, survival 3.5.3).
#[test]
fn robust_cox_matches_coxph_cluster() {
    let exp = expected();
    let mut diff = Diff::default();
    let set = sets().pop().unwrap();
    let cols = terms(&set);
    let ts: Vec<Term> = cols.iter().map(|(n, v)| Term::new(n, v)).collect();
    let pairs = Clusters::new(&set.table.col("pair"));
    let people: Vec<usize> = (0..set.data.len()).collect();
    let each = Clusters::new(&people);
    for (name, ties) in [("efron", Ties::Efron), ("breslow", Ties::Breslow)] {
        let case = format!("synthetic/cox_cluster/{name}");
        let fit = fit_cox(&set.data, &ts, ties).unwrap();
        let robust = CoxVariance::Robust(pairs.clone());
        diff.all(
            &case,
            &some(fit.coefficients().iter().copied()),
            get(&exp, &case, "coef"),
        );
        let v = fit.covariance(&robust).unwrap();
        diff.all(&case, &some(v.std_errors()), get(&exp, &case, "robust.se"));
        diff.all(
            &case,
            &some(fit.model_covariance().std_errors()),
            get(&exp, &case, "naive.se"),
        );
        let w = fit.wald_test(&robust).unwrap();
        diff.check(&case, Some(w.statistic), get(&exp, &case, "wald")[0]);
        let table = fit
            .coefficient_table(&robust, ConfidenceLevel::NINETY_FIVE)
            .unwrap();
        assert_eq!(table[0].std_error, v.std_errors()[0]);
        let case = format!("synthetic/cox_robust/{name}");
        let v = fit.covariance(&CoxVariance::Robust(each.clone())).unwrap();
        diff.all(&case, &some(v.std_errors()), get(&exp, &case, "robust.se"));
    }
    eprintln!("coxph cluster(): max abs diff {:.3e}", diff.0);
}

/// `coxph(Surv(time, status) ~ x1 + x2 + strata(stratum), cluster = pair)`
/// (coef, robust and naive se, loglik, score, iter, `cox.zph` chisq) and
/// `coxph(... ~ x1 + x2 + strata(pair))` (one stratum per matched pair: coef,
/// se, loglik, iter), Efron and Breslow, on the synthetic data (R 4.2.2,
/// survival 3.5.3).
#[test]
fn stratified_cox_matches_coxph_strata() {
    let exp = expected();
    let mut diff = Diff::default();
    let set = sets().pop().unwrap();
    let cols = terms(&set);
    let ts: Vec<Term> = cols.iter().map(|(n, v)| Term::new(n, v)).collect();
    let pair = set.table.col("pair");
    let stratum = set.table.col("stratum");
    let robust = CoxVariance::Robust(Clusters::new(&pair));
    for (name, ties) in [("efron", Ties::Efron), ("breslow", Ties::Breslow)] {
        let case = format!("synthetic/cox_strata/{name}");
        let fit = fit_cox_stratified(&set.data, &ts, &stratum, ties).unwrap();
        diff.all(
            &case,
            &some(fit.coefficients().iter().copied()),
            get(&exp, &case, "coef"),
        );
        let v = fit.covariance(&robust).unwrap();
        diff.all(&case, &some(v.std_errors()), get(&exp, &case, "robust.se"));
        let se = fit.model_covariance().std_errors();
        diff.all(&case, &some(se), get(&exp, &case, "naive.se"));
        diff.all(&case, &some(fit.loglik()), get(&exp, &case, "loglik"));
        let score = fit.score_test().unwrap().statistic;
        diff.check(&case, Some(score), get(&exp, &case, "score")[0]);
        assert_eq!(Some(fit.iterations() as f64), get(&exp, &case, "iter")[0]);
        let z = cox_zph(&fit, ZphTransform::Km).unwrap();
        let mut got = some(z.terms.iter().map(|t| t.chi_square));
        got.push(Some(z.global.chi_square));
        diff.all(&case, &got, get(&exp, &case, "zph"));

        let case = format!("synthetic/cox_pairs/{name}");
        let fit = fit_cox_stratified(&set.data, &ts, &pair, ties).unwrap();
        diff.all(
            &case,
            &some(fit.coefficients().iter().copied()),
            get(&exp, &case, "coef"),
        );
        let se = fit.model_covariance().std_errors();
        diff.all(&case, &some(se), get(&exp, &case, "se"));
        diff.all(&case, &some(fit.loglik()), get(&exp, &case, "loglik"));
        assert_eq!(Some(fit.iterations() as f64), get(&exp, &case, "iter")[0]);
    }
    eprintln!("coxph strata(): max abs diff {:.3e}", diff.0);
}
