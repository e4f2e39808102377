//! Kaplan–Meier and Cox proportional hazards (Efron ties) on 1,000,000
//! people (`outcomes::stats::survival`).
//!
//! ```text
//! cargo bench --bench survival
//! ```
//!
//! The data are seeded synthetic: `x1 ~ N(0, 1)`, `x2 ~ Bernoulli(0.5)`,
//! event times exponential with hazard `0.1 · exp(0.5 x1 − 0.7 x2)`,
//! independent censoring uniform on (0, 20), times rounded to 0.01 (so there
//! are tied times). Before timing, each estimator's answer is checked: the
//! Cox coefficients lie within 6 standard errors of the simulated log hazard
//! ratios (0.5, −0.7), and the Kaplan–Meier curve at t = 5 within 6
//! standard errors of the true marginal survival `mean_i exp(−λᵢ · 5)`
//! (given the simulated covariates, times rounded as the data are).
//!
//! Set `OUTCOMES_BENCH_QUICK=1` for a 5,000-person run (CI uses it to keep
//! the benchmark from rotting).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use outcomes::rng::Rng;
use outcomes::stats::ols::Term;
use outcomes::stats::survival::{
    fit_cox, kaplan_meier, ConfidenceTransform, EventStatus, SurvivalData, Ties,
};
use outcomes::stats::ConfidenceLevel;

fn quick() -> bool {
    std::env::var_os("OUTCOMES_BENCH_QUICK").is_some()
}

struct Data {
    data: SurvivalData,
    x1: Vec<f64>,
    x2: Vec<f64>,
    /// True marginal S(5).
    s5: f64,
}

fn data(n: usize) -> Data {
    let mut rng = Rng::new(20_261_204);
    let mut time = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    let mut x1 = Vec::with_capacity(n);
    let mut x2 = Vec::with_capacity(n);
    let mut s5 = 0.0;
    for _ in 0..n {
        let a = rng.normal();
        let b = if rng.bernoulli(0.5) { 1.0 } else { 0.0 };
        let rate = 0.1 * (0.5 * a - 0.7 * b).exp();
        let u = 1.0 - rng.uniform();
        let t = (-u.ln() / rate * 100.0).round() / 100.0;
        let c = (rng.uniform() * 20.0 * 100.0).round() / 100.0;
        // rounded event time <= 5 iff the exact one is < 5.005
        s5 += (-rate * 5.005).exp();
        time.push(t.min(c));
        status.push(EventStatus::from_event(t <= c));
        x1.push(a);
        x2.push(b);
    }
    Data {
        data: SurvivalData::new(&time, &status).expect("valid data"),
        x1,
        x2,
        s5: s5 / n as f64,
    }
}

fn check(d: &Data) {
    let clock = Instant::now();
    let km = kaplan_meier(
        &d.data,
        ConfidenceLevel::NINETY_FIVE,
        ConfidenceTransform::Log,
    )
    .expect("km");
    let km_time = clock.elapsed();
    let at = km.survival_at(5.0).expect("S(5)");
    let se = at.std_error.expect("se");
    assert!(
        (at.survival - d.s5).abs() < 6.0 * se,
        "KM S(5) = {} (se {se}), truth {}",
        at.survival,
        d.s5
    );
    let terms = [Term::new("x1", &d.x1), Term::new("x2", &d.x2)];
    let clock = Instant::now();
    let fit = fit_cox(&d.data, &terms, Ties::Efron).expect("cox");
    let cox_time = clock.elapsed();
    assert!(fit.converged());
    let se = fit.model_covariance().std_errors();
    for (j, truth) in [0.5, -0.7].into_iter().enumerate() {
        let b = fit.coefficients()[j];
        assert!(
            (b - truth).abs() < 6.0 * se[j],
            "beta[{j}] = {b} (se {}), truth {truth}",
            se[j]
        );
    }
    eprintln!(
        "n = {}: KM S(5) = {:.5} (truth {:.5}) in {:.3?}; Cox beta = ({:.5}, {:.5}), truth (0.5, -0.7), \
         {} iterations in {:.3?} (this build's profile)",
        d.data.len(),
        at.survival,
        d.s5,
        km_time,
        fit.coefficients()[0],
        fit.coefficients()[1],
        fit.iterations(),
        cox_time
    );
}

fn bench(c: &mut Criterion) {
    let n = if quick() { 5_000 } else { 1_000_000 };
    let d = data(n);
    check(&d);
    let mut g = c.benchmark_group("survival");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(if quick() { 1 } else { 30 }));
    g.bench_with_input(BenchmarkId::new("kaplan_meier", n), &d, |b, d| {
        b.iter(|| {
            kaplan_meier(
                &d.data,
                ConfidenceLevel::NINETY_FIVE,
                ConfidenceTransform::Log,
            )
            .expect("km")
        })
    });
    g.bench_with_input(BenchmarkId::new("cox_efron", n), &d, |b, d| {
        b.iter(|| {
            let terms = [Term::new("x1", &d.x1), Term::new("x2", &d.x2)];
            fit_cox(&d.data, &terms, Ties::Efron).expect("cox")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
