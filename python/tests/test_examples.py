"""The walkthrough example runs from start to end, and the benchmark runs
(small, ``OUTCOMES_BENCH_QUICK=1``) with both sides giving the same answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def test_walkthrough_runs(tmp_path):
    r = subprocess.run(
        [sys.executable, str(HERE / "examples" / "walkthrough.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "files written to" in r.stdout


def test_benchmark_runs_quick(tmp_path):
    env = dict(os.environ, OUTCOMES_BENCH_QUICK="1", CARGO_TARGET_DIR=str(tmp_path))
    r = subprocess.run(
        [sys.executable, str(HERE / "benchmarks" / "bench.py")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    lines = (tmp_path / "bench-results" / "python_binding.csv").read_text().splitlines()
    assert len(lines) == 3 and lines[0].startswith("case,runs")
