//! Benchmark of 1:1 nearest-neighbour matching without replacement with a
//! caliper of 0.2 SD of the score (MatchIt `matchit(method = "nearest",
//! caliper = 0.2)`), on seeded synthetic propensity scores.
//!
//! Scores are logit-normal: the linear predictor is `N(-2.2, 1)` for controls
//! and `N(-1.7, 1)` for treated units (shifted by 0.5), and the score is its
//! inverse logit. Sizes: 10⁴, 10⁵ and 10⁶ rows with 10 % treated, and the
//! headline 100,000 treated among 1,000,000 controls. Every size first runs the
//! matcher once and checks the answer: every pair lies within the caliper, no
//! control is used twice, every matched treated unit has exactly one control,
//! and at least 95 % of treated units are matched.
//!
//! `OUTCOMES_BENCH_QUICK=1` keeps only the 10⁴ size (CI runs
//! `OUTCOMES_BENCH_QUICK=1 cargo test --benches`, which runs each benchmark
//! once).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use outcomes::compare::{Caliper, Matching, NearestNeighbour};
use outcomes::rng::Rng;

/// Seeded synthetic scores: `n_treated` treated units then `n_control`
/// controls, shuffled together so that data order carries no information.
fn synthetic(n_treated: usize, n_control: usize, seed: u64) -> (Vec<f64>, Vec<bool>) {
    let mut rng = Rng::new(seed);
    let mut units: Vec<(f64, bool)> = (0..n_treated + n_control)
        .map(|i| {
            let treated = i < n_treated;
            let eta = if treated { -1.7 } else { -2.2 } + rng.normal();
            (1.0 / (1.0 + (-eta).exp()), treated)
        })
        .collect();
    rng.shuffle(&mut units);
    units.into_iter().unzip()
}

fn matcher() -> NearestNeighbour {
    NearestNeighbour {
        caliper: Some(Caliper::StandardDeviations(0.2)),
        ..NearestNeighbour::default()
    }
}

/// Checks the answer; panics (failing the benchmark) if it is wrong.
fn check(m: &Matching, score: &[f64], treated: &[bool]) {
    let width = m.caliper_width.expect("a caliper was set");
    let n_treated = treated.iter().filter(|&&t| t).count();
    let mut used = vec![false; score.len()];
    let mut matched = 0usize;
    for s in &m.sets {
        assert!(treated[s.treated], "a matched set starts at a control");
        assert!(
            s.controls.len() <= 1,
            "1:1 matching gave more than one control"
        );
        for &c in &s.controls {
            assert!(!treated[c], "a treated unit was used as a control");
            assert!(!used[c], "control used twice without replacement");
            used[c] = true;
            let d = (score[s.treated] - score[c]).abs();
            assert!(d <= width, "pair outside the caliper: {d} > {width}");
        }
        matched += usize::from(!s.controls.is_empty());
    }
    assert_eq!(matched, m.counts.treated.matched);
    assert_eq!(
        used.iter().filter(|&&u| u).count(),
        m.counts.control.matched
    );
    assert!(
        matched * 100 >= n_treated * 95,
        "only {matched} of {n_treated} treated units matched"
    );
}

fn bench(c: &mut Criterion) {
    let quick = std::env::var("OUTCOMES_BENCH_QUICK").is_ok_and(|v| v == "1");
    let mut cases: Vec<(String, usize, usize)> = vec![("10^4 rows".into(), 1_000, 9_000)];
    if !quick {
        cases.push(("10^5 rows".into(), 10_000, 90_000));
        cases.push(("10^6 rows".into(), 100_000, 900_000));
        cases.push(("100k treated, 1M controls".into(), 100_000, 1_000_000));
    }
    let mut group = c.benchmark_group("nearest_neighbour_1to1_caliper0.2");
    group.sample_size(10);
    for (label, n1, n0) in cases {
        let (score, treated) = synthetic(n1, n0, 20_261_123);
        let m = matcher()
            .run(&score, &treated, &[])
            .expect("synthetic data match");
        check(&m, &score, &treated);
        group.throughput(Throughput::Elements((n1 + n0) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &(), |b, _| {
            b.iter(|| {
                let m = matcher()
                    .run(&score, &treated, &[])
                    .expect("synthetic data match");
                assert!(m.counts.treated.matched * 100 >= n1 * 95);
                m
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
