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
//! At 10⁴ rows the matched sets are also compared, pair by pair, with a
//! brute-force `O(n₁ n₀)` matcher (every treated unit, largest score first,
//! scans every control).
//!
//! Before the criterion groups, a growth table is printed (stderr) and
//! written to `target/bench-results/matching_growth.csv`: per size, the
//! median of 5 timed runs, time / (n log₂ n), and the matcher's operation
//! counts ([`MatchWork`]), so that growth can be read against `n log n`
//! (10⁴ → 10⁶ rows is 150× for `n log₂ n`, 10⁴× for `n₁ n₀`).
//!
//! `OUTCOMES_BENCH_QUICK=1` keeps only the 10⁴ size (CI runs
//! `OUTCOMES_BENCH_QUICK=1 cargo test --benches`, which runs each benchmark
//! once).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::{Duration, Instant};

use outcomes::compare::{Caliper, MatchWork, Matching, NearestNeighbour};
use outcomes::synthetic::matching_scores;

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

/// Brute-force MatchIt nearest neighbour (1:1, without replacement, caliper,
/// largest score first with ties in data order; nearest control, ties to the
/// first control in data order): the `O(n₁ n₀)` definition.
fn brute_force(score: &[f64], treated: &[bool], width: f64) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..score.len()).filter(|&i| treated[i]).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let controls: Vec<usize> = (0..score.len()).filter(|&i| !treated[i]).collect();
    let mut used = vec![false; score.len()];
    let mut out = vec![None; score.len()];
    for t in order {
        let mut best: Option<(f64, usize)> = None;
        for &c in &controls {
            let d = (score[t] - score[c]).abs();
            if used[c] || d > width {
                continue;
            }
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, c));
            }
        }
        if let Some((_, c)) = best {
            used[c] = true;
            out[t] = Some(c);
        }
    }
    out
}

/// Median wall time of `runs` runs of the matcher, and its operation counts.
fn timed(score: &[f64], treated: &[bool], runs: usize) -> (Duration, MatchWork) {
    let mut times = Vec::with_capacity(runs);
    let mut work = MatchWork::default();
    for _ in 0..runs {
        let start = Instant::now();
        let m = matcher()
            .run(score, treated, &[])
            .expect("synthetic data match");
        times.push(start.elapsed());
        work = m.work;
    }
    times.sort();
    (times[runs / 2], work)
}

/// The growth table (see the module documentation).
fn growth_table(cases: &[(String, usize, usize)]) {
    let mut lines = vec![
        "case,n,treated,controls,median_ms,ns_per_nlog2n,sorted,visits,find_steps,candidates,\
         operations_per_nlog2n"
            .to_string(),
    ];
    eprintln!(
        "\n{:<28} {:>9} {:>11} {:>15} {:>12} {:>15}",
        "case", "n", "median ms", "ns / n·log2 n", "operations", "ops / n·log2 n"
    );
    let mut base: Option<(f64, f64, f64)> = None;
    for (label, n1, n0) in cases {
        let n = n1 + n0;
        let (score, treated) = matching_scores(*n1, *n0, 20_261_123);
        let (t, w) = timed(&score, &treated, 5);
        let nlogn = n as f64 * (n as f64).log2();
        let ms = t.as_secs_f64() * 1e3;
        let ops = w.matching_operations() as f64;
        eprintln!(
            "{label:<28} {n:>9} {ms:>11.3} {:>15.3} {ops:>12.0} {:>15.4}",
            t.as_secs_f64() * 1e9 / nlogn,
            ops / nlogn
        );
        if let Some((t0, o0, l0)) = base {
            eprintln!(
                "{:<28} growth vs first: time {:.1}×, operations {:.1}×, n·log2 n {:.1}×",
                "",
                ms / t0,
                ops / o0,
                nlogn / l0
            );
        } else {
            base = Some((ms, ops, nlogn));
        }
        lines.push(format!(
            "{label},{n},{n1},{n0},{ms:.4},{:.5},{},{},{},{},{:.5}",
            t.as_secs_f64() * 1e9 / nlogn,
            w.sorted,
            w.visits,
            w.find_steps,
            w.candidates,
            ops / nlogn
        ));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-results");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("matching_growth.csv"), lines.join("\n") + "\n");
    }
}

fn bench(c: &mut Criterion) {
    let quick = std::env::var("OUTCOMES_BENCH_QUICK").is_ok_and(|v| v == "1");
    let mut cases: Vec<(String, usize, usize)> = vec![("10^4 rows".into(), 1_000, 9_000)];
    if !quick {
        cases.push(("10^5 rows".into(), 10_000, 90_000));
        cases.push(("10^6 rows".into(), 100_000, 900_000));
        cases.push(("100k treated, 1M controls".into(), 100_000, 1_000_000));
    }
    {
        // The answer at the smallest size, pair by pair, against brute force.
        let (n1, n0) = (cases[0].1, cases[0].2);
        let (score, treated) = matching_scores(n1, n0, 20_261_123);
        let m = matcher()
            .run(&score, &treated, &[])
            .expect("synthetic data match");
        let want = brute_force(&score, &treated, m.caliper_width.expect("caliper"));
        let mut pairs = 0;
        for s in &m.sets {
            assert_eq!(
                s.controls.first().copied(),
                want[s.treated],
                "treated row {} differs from brute force",
                s.treated
            );
            pairs += s.controls.len();
        }
        assert_eq!(pairs, m.counts.treated.matched);
    }
    growth_table(&cases);
    let mut group = c.benchmark_group("nearest_neighbour_1to1_caliper0.2");
    group.sample_size(10);
    for (label, n1, n0) in cases {
        let (score, treated) = matching_scores(n1, n0, 20_261_123);
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
