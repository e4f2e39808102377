"""The binding's overhead: the same library calls from Python and from Rust,
on the same data, in the same process and the same run.

* Matching: 1:1 nearest neighbour without replacement, caliper 0.2 SD, on
  the seeded logit-normal scores of ``benches/matching.rs`` (100,000
  treated among 1,000,000 controls).
* Pre/post: on 1,000,000 people and about 20 million service-use events
  (``benches/pre_post.rs``'s cohort: ``SyntheticSpec::large(n, 20, 11)``),
  every category counted 12 months before and after each start, A&E per
  quarter (whole windows only), and the paired statistics.

The Python side is what a user writes (``oc.nearest_neighbour(score,
treated, caliper_sd=0.2)``; ``oc.window_counts`` → ``per_quarter`` →
``oc.paired_statistics``), timed with ``time.perf_counter`` around the call,
so it includes converting the polars Series in and the result out. The Rust
side is the same crate calls timed inside Rust with no Python in the loop
(``outcomes._outcomes.rust_*_seconds``). Runs alternate between the sides;
the medians are compared.

    python python/benchmarks/bench.py            # full size (build with --release)
    OUTCOMES_BENCH_QUICK=1 python python/benchmarks/bench.py   # small, seconds

Writes ``bench-results/python_binding.csv`` under the target directory
(``$CARGO_TARGET_DIR`` or ``target/``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import outcomes as oc
from outcomes import _outcomes

QUICK = os.environ.get("OUTCOMES_BENCH_QUICK") == "1"
ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def median(xs):
    return statistics.median(xs)


def matching(runs: int):
    n1, n0 = (1_000, 10_000) if QUICK else (100_000, 1_000_000)
    score, treated = _outcomes.synthetic_scores(n1, n0, 20_261_123)
    py, rs = [], []
    m = oc.nearest_neighbour(score, treated, caliper_sd=0.2)  # warm-up, and the answer
    assert m.counts["treated"]["matched"] * 100 >= n1 * 95
    for _ in range(runs):
        t = time.perf_counter()
        r = oc.nearest_neighbour(score, treated, caliper_sd=0.2)
        _ = r.counts
        py.append(time.perf_counter() - t)
        rs.extend(_outcomes.rust_matching_seconds(score, treated, 0.2, 1))
    return f"matching {n1:,} treated among {n0:,} controls", py, rs


def pre_post(runs: int):
    people = 10_000 if QUICK else 1_000_000
    data = TARGET / "bench-data" / f"python-prepost-{people}"
    if not (data / "done").exists():
        print(f"generating {people:,} people ...", file=sys.stderr)
        oc.generate(data, people, events_per_person=20.0, seed=11)
        (data / "done").write_text("")
    info_window = oc.DataWindow("2021-04-01", "2025-03-31")
    key = oc.Key.demonstration()
    t = time.perf_counter()
    cohort = oc.load_cohort(data / "cohort.csv", info_window, key)
    events = oc.load_service_use(data / "service_use.csv", cohort, key)
    print(
        f"loaded {cohort.summary.accepted:,} people and {events.summary.accepted:,} events "
        f"in {time.perf_counter() - t:.1f} s (not timed below)",
        file=sys.stderr,
    )
    assert events.summary.rejected == 0

    def python_side():
        counts = oc.window_counts(cohort, events)
        ae = counts.per_quarter("ae_attendance", coverage="exclude")
        return oc.paired_statistics(ae.before, ae.after)

    s = python_side()  # warm-up, and the answer
    _, change = _outcomes.rust_pre_post_seconds(cohort.data, events.data, 1)
    assert s.mean_change.value == change, (s.mean_change.value, change)
    py, rs = [], []
    for _ in range(runs):
        t = time.perf_counter()
        python_side()
        py.append(time.perf_counter() - t)
        rs.extend(_outcomes.rust_pre_post_seconds(cohort.data, events.data, 1)[0])
    label = f"pre/post on {people:,} people, {events.summary.accepted:,} events"
    return label, py, rs


def main() -> None:
    runs = 3 if QUICK else 10
    rows = []
    for case in (matching, pre_post):
        label, py, rs = case(runs)
        mp, mr = median(py), median(rs)
        rows.append((label, runs, mr, mp, mp / mr - 1.0))
    print(f"\n{'case':<55} {'runs':>4} {'Rust s':>9} {'Python s':>9} {'overhead':>9}")
    for label, runs, mr, mp, over in rows:
        print(f"{label:<55} {runs:>4} {mr:>9.4f} {mp:>9.4f} {over:>+8.1%}")
    out = TARGET / "bench-results"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "python_binding.csv", "w") as f:
        f.write("case,runs,rust_median_s,python_median_s,overhead\n")
        for label, runs, mr, mp, over in rows:
            f.write(f"\"{label}\",{runs},{mr:.6f},{mp:.6f},{over:.4f}\n")


if __name__ == "__main__":
    main()
