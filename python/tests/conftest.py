"""Shared fixtures: the bundled sample, its key and window, and the
command-line tool (the crate's own front end) whose JSON output the package's
results are compared with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, List

import pytest

import outcomes as oc

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"


def _cli() -> List[str]:
    exe = os.environ.get("OUTCOMES_CLI")
    if exe and Path(exe).exists():
        return [exe]
    for t in (os.environ.get("CARGO_TARGET_DIR"), str(REPO / "target")):
        if t and (Path(t) / "debug" / "outcomes").exists():
            return [str(Path(t) / "debug" / "outcomes")]
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("neither OUTCOMES_CLI nor cargo is available")
    return [cargo, "run", "--quiet", "--manifest-path", str(REPO / "Cargo.toml"), "--bin", "outcomes", "--"]


@pytest.fixture(scope="session")
def cli():
    """Run the command-line tool; returns its parsed JSON (``--json``)."""
    base = _cli()

    def run(*args: str) -> Any:
        out = subprocess.run(
            [*base, *args, "--json", "--quiet"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)

    return run


@pytest.fixture(scope="session")
def sample() -> Path:
    assert oc.sample_dir() == SAMPLE.resolve()
    return SAMPLE


@pytest.fixture(scope="session")
def key() -> oc.Key:
    # The bundled sample's spec sets no key: the DEMONSTRATION key.
    return oc.Key.demonstration()


@pytest.fixture(scope="session")
def window() -> oc.DataWindow:
    return oc.DataWindow("2021-04-01", "2025-03-31")


@pytest.fixture(scope="session")
def cohort(sample, key, window) -> oc.Loaded:
    return oc.load_cohort(sample / "cohort.csv", window, key)


@pytest.fixture(scope="session")
def events(sample, key, cohort) -> oc.Loaded:
    return oc.load_service_use(sample / "service_use.csv", cohort, key)


@pytest.fixture(scope="session")
def ndt(sample, key, cohort) -> oc.Loaded:
    return oc.load_ndt(sample / "ndt.csv", cohort, key)
