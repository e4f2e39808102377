//! Benchmark of propensity-score weighting (a logistic propensity model and
//! ATT weights, WeightIt `method = "glm"`) and entropy balancing of the
//! controls to the treated (WeightIt `method = "ebal"`, first moments) on
//! seeded synthetic people: 100,000 treated and 1,000,000 comparison people.
//!
//! Covariates: age (uniform 18–65, treated shifted up by 3 years), a 0/1 flag
//! (probability 0.35 for comparison people, 0.45 for treated) and an area
//! with three levels. Before timing, each size runs once and checks the
//! answer: the treated have ATT weight 1, every effective sample size is at
//! most its arm's size, entropy balancing converged and its weighted control
//! means equal the treated means to 1e-8 in every balance column.
//!
//! `OUTCOMES_BENCH_QUICK=1` runs 1,000 treated and 10,000 comparison people
//! instead (CI runs `OUTCOMES_BENCH_QUICK=1 cargo test --benches`, which runs
//! each benchmark once).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use outcomes::compare::{
    entropy_balance, propensity_weights, weighted_balance, Covariate, EntropyControl, Estimand,
    Link, Moments, PropensityModel, ScoreScale, SmdDenominator, Stabilisation, Trimming,
};
use outcomes::rng::Rng;

fn quick() -> bool {
    std::env::var_os("OUTCOMES_BENCH_QUICK").is_some()
}

/// Seeded synthetic covariates and treatment: `n_treated` then `n_control`.
fn synthetic(n_treated: usize, n_control: usize, seed: u64) -> (Vec<Covariate>, Vec<bool>) {
    let mut rng = Rng::new(seed);
    let n = n_treated + n_control;
    let (mut age, mut flag, mut area, mut treated) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        let t = i < n_treated;
        age.push(18.0 + 47.0 * rng.uniform() + if t { 3.0 } else { 0.0 });
        flag.push(f64::from(u8::from(rng.bernoulli(if t {
            0.45
        } else {
            0.35
        }))));
        area.push(["north", "south", "west"][rng.below(3) as usize].to_string());
        treated.push(t);
    }
    (
        vec![
            Covariate::numeric("age", age),
            Covariate::numeric("flag", flag),
            Covariate::categorical("area", area),
        ],
        treated,
    )
}

fn ipw(cov: &[Covariate], treated: &[bool]) -> Vec<f64> {
    let model = PropensityModel::fit(cov, treated, Link::Logit).expect("propensity model");
    let score = model.scores(ScoreScale::Probability);
    let w = propensity_weights(
        &score,
        treated,
        Estimand::Att,
        Stabilisation::Unstabilised,
        Trimming::None,
    )
    .expect("weights");
    let nt = treated.iter().filter(|t| **t).count() as f64;
    let nc = treated.len() as f64 - nt;
    assert!(w.weights.iter().zip(treated).all(|(w, t)| !*t || *w == 1.0));
    assert!(w.ess.treated <= nt + 1e-6 && w.ess.control <= nc + 1e-6);
    w.weights
}

fn ebal(cov: &[Covariate], treated: &[bool]) -> Vec<f64> {
    let eb = entropy_balance(cov, treated, Moments::Means, EntropyControl::default())
        .expect("entropy balancing");
    assert!(eb.converged && eb.max_std_imbalance < 1e-10);
    eb.weights
}

/// Checks the answer; panics (failing the benchmark) if it is wrong.
fn check(cov: &[Covariate], treated: &[bool]) {
    let start = Instant::now();
    ipw(cov, treated);
    let t_ipw = start.elapsed();
    let start = Instant::now();
    let w = ebal(cov, treated);
    let t_ebal = start.elapsed();
    eprintln!(
        "weighting check run ({} people): ipw_att {:.1} ms, entropy_balance {:.1} ms",
        treated.len(),
        t_ipw.as_secs_f64() * 1e3,
        t_ebal.as_secs_f64() * 1e3
    );
    let tab = weighted_balance(cov, treated, &w, SmdDenominator::TreatedSd).expect("balance");
    for r in &tab.rows {
        let d = (r.mean_treated - r.mean_control).abs();
        assert!(d < 1e-8, "{}: balanced means differ by {d}", r.name);
    }
}

fn bench(c: &mut Criterion) {
    let (n1, n0, label) = if quick() {
        (1_000, 10_000, "1k_treated_10k_comparison")
    } else {
        (100_000, 1_000_000, "100k_treated_1m_comparison")
    };
    let (cov, treated) = synthetic(n1, n0, 20_261_204);
    check(&cov, &treated);
    let mut g = c.benchmark_group("weighting");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(if quick() { 1 } else { 60 }));
    g.bench_with_input(BenchmarkId::new("ipw_att", label), &(), |b, _| {
        b.iter(|| ipw(&cov, &treated))
    });
    g.bench_with_input(BenchmarkId::new("entropy_balance", label), &(), |b, _| {
        b.iter(|| ebal(&cov, &treated))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
