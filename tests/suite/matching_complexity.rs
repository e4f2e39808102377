//! Nearest-neighbour matching grows as `n log n`, not as treated × controls:
//! deterministic evidence from the matcher's own operation counts
//! ([`outcomes::compare::MatchWork`]), independent of the machine and of
//! timing noise (timings are in `benches/matching.rs`).
//!
//! Data as the benchmark: seeded logit-normal propensity scores (linear
//! predictor `N(-2.2, 1)` for controls, `N(-1.7, 1)` for treated), 10 %
//! treated, at 10⁴, 10⁵ and 10⁶ rows, plus 100,000 treated among 1,000,000
//! controls; 1:1 without replacement, caliper 0.2 SD, largest score first
//! (MatchIt's defaults with `caliper = 0.2`). 10⁶ rows take a few seconds in
//! a debug build, so all sizes run.

use outcomes::compare::{Caliper, MatchWork, NearestNeighbour};
use outcomes::synthetic::matching_scores;

fn work(n_treated: usize, n_control: usize) -> (MatchWork, usize) {
    let (score, treated) = matching_scores(n_treated, n_control, 20_261_123);
    let m = NearestNeighbour {
        caliper: Some(Caliper::StandardDeviations(0.2)),
        ..NearestNeighbour::default()
    }
    .run(&score, &treated, &[])
    .expect("synthetic data match");
    assert!(m.counts.treated.matched * 100 >= n_treated * 95);
    (m.work, m.counts.treated.matched)
}

fn n_log_n(n: usize) -> f64 {
    n as f64 * (n as f64).log2()
}

/// The matching phase's operations per `n log₂ n` do not grow with `n`
/// (they fall: the union–find steps are amortised near-constant per visit),
/// and at 10⁶ rows they are a tiny fraction of `n₁ n₀`, the comparisons a
/// treated-by-control scan makes.
#[test]
fn matching_operations_grow_as_n_log_n() {
    let cases = [
        (1_000, 9_000),
        (10_000, 90_000),
        (100_000, 900_000),
        (100_000, 1_000_000),
    ];
    let mut per = Vec::new();
    for (n1, n0) in cases {
        let n = n1 + n0;
        let (w, matched) = work(n1, n0);
        assert_eq!(w.sorted, n as u64, "every unit is sorted once");
        assert_eq!(w.visits, n1 as u64, "each treated unit is visited once");
        // Each visit compares its nearest usable neighbour on each side (2),
        // then, for the default data-order tie rule, re-examines the side(s)
        // at the minimum distance (at most 2 more without tied scores, and
        // these continuous scores have none): at most 4 per visit.
        assert!(w.candidates <= 4 * w.visits, "{w:?}");
        let ops = w.matching_operations() as f64;
        let ratio = ops / n_log_n(n);
        let naive = n1 as f64 * n0 as f64;
        eprintln!(
            "n = {n:>8} (treated {n1}, controls {n0}): matched {matched}, \
             operations {ops:.0}, per n·log2 n {ratio:.4}, per n1·n0 {:.2e}",
            ops / naive
        );
        per.push((n, ops, ratio, naive));
    }
    let (_, _, first, _) = per[0];
    for &(n, ops, ratio, naive) in &per[1..] {
        assert!(
            ratio <= first,
            "operations per n log n grew from {first} to {ratio} at n = {n}"
        );
        if n >= 1_000_000 {
            assert!(
                ops * 1e4 < naive,
                "{ops} operations is not far below n1·n0 = {naive}"
            );
        }
    }
    // Growth from 10⁴ to 10⁶ rows: at most n log n's factor (150×).
    let growth = per[2].1 / per[0].1;
    let nlogn_growth = n_log_n(per[2].0) / n_log_n(per[0].0);
    eprintln!("growth 10^4 → 10^6: operations {growth:.1}×, n·log2 n {nlogn_growth:.1}×");
    assert!(growth <= nlogn_growth, "{growth} > {nlogn_growth}");
}
