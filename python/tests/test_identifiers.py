"""A planted identifier never appears in any output of the package: not in
an accepted or rejected frame, a result, a repr, an exception, nor any file
of the report folder or the rejected-rows file."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

import outcomes as oc

PLANTED = "ZQX-PLANTED-4242"


@pytest.fixture(scope="module")
def planted(tmp_path_factory, sample) -> Path:
    """The bundled sample with a person whose identifier is PLANTED, and
    that identifier also pasted where it does not belong (a category, an
    NDT item, a group), so that rows are rejected showing it."""
    d = tmp_path_factory.mktemp("planted")
    for f in sample.iterdir():
        shutil.copy(f, d / f.name)
    with open(d / "cohort.csv", "a") as f:
        f.write(f"{PLANTED},2023-01-10,programme,,,37,F,Area B,2\n")
        f.write(f"SYN-999999,2023-01-10,{PLANTED},,,37,F,Area B,2\n")
    with open(d / "service_use.csv", "a") as f:
        f.write(f"{PLANTED},2022-06-01,ae_attendance,1\n")
        f.write(f"{PLANTED},2023-06-01,arrest,2\n")
        f.write(f"{PLANTED},2023-07-01,{PLANTED},1\n")
        f.write(f"SYN-000002,{PLANTED},arrest,1\n")
    with open(d / "ndt.csv", "a") as f:
        f.write(f"{PLANTED},2023-01-12,2,2,2,4,4,3,3,3,2,2\n")
        f.write(f"{PLANTED},2024-01-12,2,2,2,{PLANTED},4,3,3,3,2,2\n")
    return d


def text_of(x) -> str:
    if isinstance(x, pl.DataFrame):
        return x.write_csv() + repr(x)
    if isinstance(x, oc.Loaded):
        return text_of(x.accepted) + text_of(x.rejections) + repr(x) + repr(x.to_dict())
    if isinstance(x, oc.Result):
        return repr(x) + repr(x.to_dict()) + text_of(x.to_polars())
    return repr(x)


def test_planted_identifier_in_no_output(planted, window, tmp_path):
    key = oc.Key(b"a key of at least sixteen bytes")
    seen = []
    cohort = oc.load_cohort(planted / "cohort.csv", window, key)
    events = oc.load_service_use(planted / "service_use.csv", cohort, key)
    ndt = oc.load_ndt(planted / "ndt.csv", cohort, key)
    wide = oc.load_ndt(planted / "ndt_wide.csv", cohort, key, layout="wide")
    # The rows meant to be rejected were, showing a redacted value.
    for loaded, n in ((cohort, 1), (events, 2), (ndt, 1)):
        assert loaded.summary.rejected >= n
        assert "<redacted>" in loaded.rejections["value"].to_list()
    # The planted person is in the analysis, under their pseudonym.
    assert key.pseudonym(PLANTED) in cohort.accepted["person_id"].to_list()
    seen += [cohort, events, ndt, wide, cohort.data, events.data, ndt.data]
    counts = oc.window_counts(cohort, events)
    pairs = counts.per_quarter("ae_attendance")
    seen += [counts, counts.to_polars(), pairs, pairs.to_polars()]
    b, a = pairs.group("programme")
    seen.append(oc.paired_statistics(b, a, bootstrap=200))
    sel = oc.ndt_baseline_follow_up(cohort, ndt)
    seen.append(sel)
    uc, defl = oc.UnitCosts.illustrative(), oc.Deflators.illustrative()
    cost_counts = oc.window_counts(cohort, events, categories=uc.costed(counts.categories))
    seen.append(oc.cost_pre_post(cost_counts, uc, defl, price_year="2024/25"))
    seen.append(oc.cost_pre_post(cost_counts, uc, defl, price_year="2024/25").people)
    for x in seen:
        assert PLANTED not in text_of(x), repr(x)[:200]


def test_planted_identifier_in_no_report_file(planted, tmp_path):
    out = tmp_path / "report"
    rep = oc.evaluate(planted / "evaluation.toml", out)
    assert rep.files
    written = [p for p in out.rglob("*") if p.is_file()]
    if rep.rejected_rows:
        written.append(Path(rep.rejected_rows))
    assert len(written) >= len(rep.files)
    for p in written:
        assert PLANTED.encode() not in p.read_bytes(), p
    assert PLANTED not in repr(rep.to_dict())
    assert PLANTED not in text_of(rep.to_polars())


def test_planted_identifier_in_no_error(planted, window, tmp_path):
    key = oc.Key.demonstration()
    # A file whose first row is data, not a header: the error does not echo it.
    no_header = tmp_path / "cohort.csv"
    no_header.write_text(f"{PLANTED},2023-01-10,programme,,,37,F,Area B,2\n")
    with pytest.raises(oc.errors.OutcomesError) as e:
        oc.load_cohort(no_header, window, key)
    assert PLANTED not in str(e.value) and PLANTED not in repr(e.value.to_dict())
    # An identifier column analysed as a covariate is refused without its values.
    df = pl.DataFrame(
        {
            "id": [f"{PLANTED}-{i}" for i in range(8)],
            "t": [1, 0, 1, 0, 1, 0, 1, 0],
            "x": [f"{PLANTED}-{i}" for i in range(8)],
            "y": [1.0, 2.0, 1.5, 2.5, 1.0, 3.0, 2.0, 2.0],
        }
    )
    with pytest.raises(oc.errors.OutcomesError) as e:
        oc.matched_comparison(df, treatment="t", covariates=["x"], outcome="y", id_columns=["id"])
    assert PLANTED not in str(e.value)
    bad = df.drop("x").with_columns(
        pl.Series("age", [30.0, 41.0, 35.0, 50.0, 28.0, 44.0, 39.0, 47.0]),
        pl.Series("y", ["1", "2", f"{PLANTED}-3", "2", "1", "3", "2", "2"]),
    )
    with pytest.raises(oc.errors.InvalidValueError) as e:
        oc.matched_comparison(bad, treatment="t", covariates=["age"], outcome="y", id_columns=["id"])
    assert e.value.row == 3 and e.value.column == "y"
    assert PLANTED not in str(e.value) and PLANTED not in repr(e.value.to_dict())
