#!/usr/bin/env bash
# The Python package's CI, called by .ci/run (and runnable alone from any
# directory): a fresh virtual environment with maturin, pytest and polars
# from PyPI; the package built as a wheel over the crate and installed into
# it; then the pytest suite, which compares the package's results with the
# command-line tool's (the crate's own front end) to the last digit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

# One target directory for the crate and the package (dependencies built for
# both are shared); absolute, since maturin runs cargo from python/.
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
export CARGO_TARGET_DIR="$target"

python="${PYTHON:-python3}"
venv="$target/python-ci-venv"
rm -rf "$venv"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install --upgrade pip
"${pip[@]}" install -r "$here/requirements-ci.txt"

# The binding's own Rust is held to the crate's rules: formatted, and clippy
# clean with warnings as errors.
cargo fmt --manifest-path "$here/Cargo.toml" -- --check
cargo clippy --quiet --manifest-path "$here/Cargo.toml" --all-targets -- -D warnings

# The command-line tool the tests compare with (already built by `cargo
# test` when .ci/run calls this; built here otherwise).
cargo build --quiet --bin outcomes
export OUTCOMES_CLI="$target/debug/outcomes"

# The wheel: abi3 (one wheel for every CPython from 3.9), debug profile
# (the tests are small; `maturin build --release` makes the one users get).
rm -rf "$target/wheels"
"$venv/bin/maturin" build --quiet --profile dev --manifest-path "$here/Cargo.toml" \
  --interpreter "$venv/bin/python" --out "$target/wheels"
"${pip[@]}" install --force-reinstall --no-deps "$target"/wheels/outcomes-*.whl

# pytest from outside the source folder, so the installed package is tested.
cd "$target"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/tests"
