//! Reference tests of the school section's differences in differences
//! against R (`tests/data/make_school_did_reference.R`, R 4.2.2 Patched
//! (2022-11-10 r83330), sandwich 3.0.2, lmtest 0.9.40):
//!
//! * `compare::did::did_regression_weighted` (a session rate, weights =
//!   possible sessions) against `lm(y ~ treat * post, weights = possible)`
//!   with `coeftest`/`coefci` under `vcov()`, `vcovHC(type = "HC1")` and
//!   `vcovCL(cluster = ~pupil)`, on 155 synthetic enrolment × phase rows of
//!   80 pupils (`school_did_weighted.csv`);
//! * `did_regression` on the persistent-absence indicator of the same rows,
//!   `vcovCL(cluster = ~pupil)`;
//! * `measures::asb::compare_areas`' rate difference against `summary(glm(k/T
//!   ~ treat*post, family = poisson(link = "identity"), weights = T))` × 1,000
//!   and its ratio of rate ratios (with the Wald p-value) against
//!   `summary(glm(k ~ treat*post + offset(log(T)), family = poisson))` (both
//!   with `glm.control(epsilon = 1e-15)`, so that the saturated fits are exact), on
//!   the bundled sample's four counts and person-years.

use std::collections::HashMap;
use std::path::Path;

use outcomes::compare::did::{did_regression, did_regression_weighted};
use outcomes::measures::asb::{
    compare_areas, AreaCode, AreaMonthCounts, AsbIncident, ComparisonDesign, IncidentTime, Month,
    MonthRange, PopulationRow, PopulationTable,
};
use outcomes::stats::ols::{Clusters, Weights};
use outcomes::stats::ConfidenceLevel;

use crate::common::say_checked;

fn data(file: &str) -> csv::Reader<std::fs::File> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    csv::Reader::from_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// R wrote 15 significant digits.
fn rel(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1e-3),
        "{what}: got {got:.17e}, R {want:.17e}"
    );
}

/// `(model, estimator)` → (estimate, SE, p, CI lower, CI upper, df).
fn expected(file: &str) -> HashMap<(String, String), [f64; 6]> {
    let mut rdr = data(file);
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let f = |i: usize| r[i].parse::<f64>().unwrap();
            (
                (r[0].to_string(), r[1].to_string()),
                [f(2), f(3), f(4), f(5), f(6), f(7)],
            )
        })
        .collect()
}

#[test]
fn weighted_did_with_cr1_by_pupil_matches_r() {
    let mut rdr = data("school_did_weighted.csv");
    let (mut pupil, mut treat, mut post, mut possible, mut absent) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in rdr.records() {
        let r = r.unwrap();
        pupil.push(r[0].to_string());
        treat.push(&r[1] == "1");
        post.push(&r[2] == "1");
        possible.push(r[3].parse::<f64>().unwrap());
        absent.push(r[4].parse::<f64>().unwrap());
    }
    assert_eq!(pupil.len(), 155);
    let y: Vec<f64> = absent
        .iter()
        .zip(&possible)
        .map(|(a, p)| 100.0 * a / p)
        .collect();
    let w = Weights::new(possible.clone()).unwrap();
    let clusters = Clusters::new(&pupil);
    let level = ConfidenceLevel::NINETY_FIVE;
    let fit = did_regression_weighted(&y, &treat, &post, Some(&w), Some(&clusters), level).unwrap();
    let want = expected("school_did_weighted_expected.csv");
    for (est, got) in [
        ("classical", &fit.classical),
        ("HC1", &fit.hc1),
        ("CR1", fit.cluster.as_ref().unwrap()),
    ] {
        let w = want[&("weighted".to_string(), est.to_string())];
        rel(got.estimate, w[0], &format!("{est} estimate"));
        rel(got.std_error, w[1], &format!("{est} SE"));
        rel(got.p_value.unwrap(), w[2], &format!("{est} p"));
        rel(got.ci.lower, w[3], &format!("{est} CI lower"));
        rel(got.ci.upper, w[4], &format!("{est} CI upper"));
        assert_eq!(got.df, w[5], "{est} df");
    }
    // The interaction is the DiD of the four cells' ratios of totals
    // (R: aggregate(cbind(absent, possible) ~ treat + post)): 9.23344947735192,
    // 8.53576248313090, 8.27140549273021, 6.00373390979660.
    let did = (6.00373390979660 - 8.53576248313090) - (8.27140549273021 - 9.23344947735192);
    rel(
        fit.cluster.as_ref().unwrap().estimate,
        did,
        "ratio of totals",
    );

    // The persistent-absence indicator (10%), unweighted.
    let pa: Vec<f64> = absent
        .iter()
        .zip(&possible)
        .map(|(a, p)| {
            if a * 10_000.0 >= 1000.0 * p {
                100.0
            } else {
                0.0
            }
        })
        .collect();
    let fit = did_regression(&pa, &treat, &post, Some(&clusters), level).unwrap();
    let got = fit.cluster.unwrap();
    let w = want[&("indicator".to_string(), "CR1".to_string())];
    for (g, w, what) in [
        (got.estimate, w[0], "estimate"),
        (got.std_error, w[1], "SE"),
        (got.p_value.unwrap(), w[2], "p"),
        (got.ci.lower, w[3], "CI lower"),
        (got.ci.upper, w[4], "CI upper"),
    ] {
        rel(g, w, &format!("indicator {what}"));
    }
    say_checked(
        "school DiD: weighted and indicator fits, classical/HC1/CR1, against R lm + sandwich",
    );
}

#[test]
fn asb_rate_difference_and_ratio_of_rate_ratios_match_r_glm() {
    // One area per arm, incidents of each phase in one month; the
    // populations make person-years T = 5024, 5049, 5304, 5331.
    let (p, c) = (AreaCode::new("P").unwrap(), AreaCode::new("C").unwrap());
    let m = |s: &str| Month::parse(s).unwrap();
    let mut incidents = Vec::new();
    for (area, month, k) in [
        (&p, "2023-06", 142),
        (&p, "2024-06", 115),
        (&c, "2023-06", 185),
        (&c, "2024-06", 168),
    ] {
        for _ in 0..k {
            incidents.push(AsbIncident::<String> {
                id: None,
                when: IncidentTime::Month(m(month)),
                area: area.clone(),
                category: "Anti-social behaviour".into(),
                subject: None,
            });
        }
    }
    let pop = |area: &AreaCode, year, population| PopulationRow {
        area: area.clone(),
        year,
        population,
        source: "test".into(),
    };
    let table = PopulationTable::new(vec![
        pop(&p, 2023, 5024),
        pop(&p, 2024, 5049),
        pop(&c, 2023, 5304),
        pop(&c, 2024, 5331),
    ])
    .unwrap();
    let design = ComparisonDesign::with_windows(
        vec![p.clone()],
        vec![c.clone()],
        MonthRange::new(m("2023-04"), m("2024-03")).unwrap(),
        MonthRange::new(m("2024-04"), m("2025-03")).unwrap(),
        2023,
        2024,
    )
    .unwrap();
    let counts = AreaMonthCounts::from_incidents(&incidents).unwrap();
    let r = compare_areas(&counts, &table, &design, ConfidenceLevel::NINETY_FIVE).unwrap();
    let mut rdr = data("school_asb_did_expected.csv");
    let want: HashMap<String, [f64; 5]> = rdr
        .records()
        .map(|x| {
            let x = x.unwrap();
            let f = |i: usize| x[i].parse::<f64>().unwrap();
            (x[0].to_string(), [f(1), f(2), f(3), f(4), f(5)])
        })
        .collect();
    let d = &r.rate_difference;
    let w = want["rate_difference"];
    rel(d.estimate, w[0], "rate difference");
    rel(d.std_error, w[1], "rate difference SE");
    rel(d.ci.unwrap().lower, w[2], "rate difference CI lower");
    rel(d.ci.unwrap().upper, w[3], "rate difference CI upper");
    rel(d.p_value.unwrap(), w[4], "rate difference p");
    let rrr = &r.ratio_of_rate_ratios;
    let w = want["ratio_of_rate_ratios"];
    rel(rrr.ratio.unwrap(), w[0], "RRR");
    rel(rrr.wald_log.unwrap().lower, w[2], "RRR CI lower");
    rel(rrr.wald_log.unwrap().upper, w[3], "RRR CI upper");
    rel(rrr.wald_p.unwrap(), w[4], "RRR p");
    // A window pair out of order is refused.
    assert!(ComparisonDesign::with_windows(
        vec![p],
        vec![c],
        MonthRange::new(m("2024-04"), m("2025-03")).unwrap(),
        MonthRange::new(m("2024-03"), m("2025-03")).unwrap(),
        2023,
        2024,
    )
    .is_err());
    say_checked("school DiD: ASB rate difference and ratio of rate ratios against R glm");
}
