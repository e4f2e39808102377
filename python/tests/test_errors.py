"""Errors are Python exceptions carrying the file, row, column and key,
never a Rust panic."""

from __future__ import annotations

import math
import shutil

import polars as pl
import pytest

import outcomes as oc
from outcomes import errors


def copy_sample(sample, tmp_path):
    for f in ("cohort.csv", "service_use.csv", "ndt.csv"):
        shutil.copy(sample / f, tmp_path / f)
    return tmp_path


def test_a_ragged_row_names_file_and_row(sample, key, window, tmp_path):
    d = copy_sample(sample, tmp_path)
    lines = (d / "cohort.csv").read_text().splitlines()
    lines[4] = lines[4] + ",an extra field"
    (d / "cohort.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(errors.MalformedFileError) as e:
        oc.load_cohort(d / "cohort.csv", window, key)
    assert e.value.file == "cohort.csv"
    assert e.value.row == 4
    assert "row 4" in str(e.value)
    assert isinstance(e.value, ValueError) and isinstance(e.value, errors.OutcomesError)


def test_bad_bytes_name_row_and_column(sample, key, window, tmp_path, cohort):
    d = copy_sample(sample, tmp_path)
    raw = (d / "service_use.csv").read_bytes().split(b"\n")
    header = raw[0].split(b",")
    fields = raw[7].split(b",")
    col = header.index(b"category")
    fields[col] = b"ae_\xff"
    raw[7] = b",".join(fields)
    (d / "service_use.csv").write_bytes(b"\n".join(raw))
    with pytest.raises(errors.MalformedFileError) as e:
        oc.load_service_use(d / "service_use.csv", cohort, key)
    assert (e.value.file, e.value.row, e.value.column) == ("service_use.csv", 7, "category")
    assert "row 7" in str(e.value) and "`category`" in str(e.value)


def test_a_bad_value_in_a_frame_names_row_and_column():
    df = pl.DataFrame(
        {
            "treated": [1, 0, 1, 0, 1, 0, 1, 0],
            "age": [30, 41, 35, 50, 28, 44, 39, 47],
            "y": ["1.5", "2", "x7", "3", "1", "2", "2.5", "4"],
        }
    )
    with pytest.raises(errors.InvalidValueError) as e:
        oc.matched_comparison(df, treatment="treated", covariates=["age"], outcome="y", source="my frame")
    assert (e.value.file, e.value.row, e.value.column, e.value.value) == ("my frame", 3, "y", "x7")


def test_a_missing_or_misspelt_column(sample, key, window, tmp_path):
    d = copy_sample(sample, tmp_path)
    text = (d / "cohort.csv").read_text().replace("index_date", "index_dat", 1)
    (d / "cohort.csv").write_text(text)
    with pytest.raises(errors.OutcomesError) as e:
        oc.load_cohort(d / "cohort.csv", window, key)
    assert e.value.file == "cohort.csv"
    assert e.value.column in ("index_date", "index_dat")
    assert isinstance(e.value, (errors.UnknownColumnError, errors.MissingColumnError))
    if isinstance(e.value, errors.UnknownColumnError):
        assert e.value.nearest == "index_date"


def test_parameters_name_their_key(cohort, events):
    with pytest.raises(errors.InvalidParameterError) as e:
        oc.paired_statistics([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], confidence=1.5)
    assert e.value.key is not None
    counts = oc.window_counts(cohort, events, categories=["ae_attendance"])
    with pytest.raises(errors.InvalidParameterError) as e:
        counts.per_quarter("ae_attendance", min_fraction=0.0)
    assert e.value.key == "min_fraction"
    with pytest.raises(errors.InvalidParameterError) as e:
        oc.nearest_neighbour([0.1, 0.2], [True, False], order="sideways")
    assert e.value.key == "order"
    with pytest.raises(errors.FileError) as f:
        oc.evaluate("/nonexistent/evaluation.toml")
    assert f.value.file == "/nonexistent/evaluation.toml"
    # a file that is not there is a FileError (an OSError) naming it
    with pytest.raises(errors.FileError) as f:
        oc.load_cohort("/nonexistent/cohort.csv", cohort.data.data_window, oc.Key.demonstration())
    assert isinstance(f.value, OSError) and f.value.file == "/nonexistent/cohort.csv"


def test_hostile_inputs_raise_not_panic():
    """Empty, NaN, infinite, mismatched and absurd inputs: each an
    OutcomesError (or a TypeError for the wrong type), never a panic."""
    cases = [
        lambda: oc.paired_statistics([], []),
        lambda: oc.paired_statistics([1.0], [2.0, 3.0]),
        lambda: oc.paired_statistics([1.0, math.nan], [2.0, 3.0]),
        lambda: oc.paired_statistics([1.0, None], [2.0, 3.0]),
        lambda: oc.paired_statistics([1.0, math.inf, 2.0], [2.0, 3.0, 1.0]),
        lambda: oc.nearest_neighbour([0.1, math.nan], [True, False]),
        lambda: oc.nearest_neighbour([0.1, 0.2, 0.3], [True, False]),
        lambda: oc.nearest_neighbour([0.1, 0.2], [True, True]),
        lambda: oc.nearest_neighbour([0.1, 0.2], [2, 0]),
        lambda: oc.nearest_neighbour([0.1, 0.2], [True, False], ratio=0),
        lambda: oc.nearest_neighbour([0.1, 0.2], [True, False], caliper_sd=-1.0),
        lambda: oc.binary_change([], []),
        lambda: oc.describe([]),
        lambda: oc.bootstrap_mean([1.0, 2.0], resamples=5),
        lambda: oc.propensity_score(
            pl.DataFrame({"t": [1, 1, 0, 0], "x": [1.0, 2.0, 3.0, 4.0]}), treatment="t", covariates=["x"]
        ),
        lambda: oc.propensity_score(pl.DataFrame({"t": [1, 0]}), treatment="t", covariates=["nope"]),
        lambda: oc.did(pl.DataFrame({"u": [1]}), unit="u", time="t", treated="g", post="p", outcome="y"),
        lambda: oc.DataWindow("2025-01-01", "2021-01-01"),
        lambda: oc.DataWindow("not a date", "2021-01-01"),
        lambda: oc.Key(b"short"),
        lambda: oc.cost_benefit([{"label": "x"}], costs_by_year=[1.0], price_year="2024/25"),
        lambda: oc.cost_benefit([], costs_by_year=[-1.0], price_year="2024/25"),
        lambda: oc.cost_benefit([], costs_by_year=[1.0], price_year="1066"),
        lambda: oc.Table("t", pl.DataFrame({"n": [-1]})),
    ]
    for i, case in enumerate(cases):
        with pytest.raises(errors.OutcomesError):
            case()
