"""The package's surface: the bundled sample loads, results are typed and
convert to dicts and frames, frames go in and out as polars, and the type
stubs describe the native module."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import polars as pl
import pytest

import outcomes as oc
from outcomes import _outcomes


def test_the_bundled_sample_loads(sample, key, window, cohort, events, ndt):
    for loaded in (cohort, events, ndt):
        s = loaded.summary
        assert s.rows_read == s.accepted + s.rejected
        assert loaded.accepted.height == s.accepted
        assert loaded.rejections.columns == ["file", "row", "column", "value", "rule"]
        assert loaded.rejections.height == s.rejected
        assert sum(s.by_reason.values()) == s.rejected
    assert cohort.accepted.columns[:5] == ["person_id", "index_date", "group", "end_date", "end_reason"]
    assert cohort.accepted.schema["index_date"] == pl.Date
    assert events.accepted.columns == ["person_id", "date", "category", "count"]
    assert len(events.data) == events.summary.accepted
    # Identifiers are pseudonyms: none of the file's identifiers is shown.
    raw_ids = set(pl.read_csv(sample / "cohort.csv")["person_id"])
    assert not raw_ids & set(cohort.accepted["person_id"])
    assert not raw_ids & set(events.accepted["person_id"])
    assert set(events.accepted["person_id"]) <= set(cohort.accepted["person_id"])
    assert key.pseudonym("SYN-000001") in set(cohort.accepted["person_id"])
    wide = oc.load_ndt(sample / "ndt_wide.csv", cohort, key, layout="wide")
    assert wide.summary.rows_read == wide.summary.accepted + wide.summary.rejected
    for loader, f in (
        (oc.load_register, "register.csv"),
        (oc.load_enrolment_counts, "enrolment_counts.csv"),
        (oc.load_police_uk, "police_uk_street.csv"),
        (oc.load_population, "population.csv"),
    ):
        t = loader(sample / f, key)
        assert t.summary.rows_read == t.summary.accepted + t.summary.rejected
        assert t.accepted.height == t.summary.accepted
    reg = oc.load_register(sample / "register.csv", key)
    raw_pupils = set(pl.read_csv(sample / "register.csv", infer_schema=False)["pupil_id"])
    assert not raw_pupils & set(reg.accepted["pupil_id"])


def test_results_are_dataclasses_with_dicts_and_frames(cohort, events):
    counts = oc.window_counts(cohort, events, categories=["ae_attendance", "arrest"])
    assert counts.windows == ["before", "after"]
    frame = counts.to_polars()
    assert frame.height == len(cohort.data)
    assert counts.total("after", "arrest") == frame["after_arrest"].sum()
    pairs = counts.per_quarter("ae_attendance")
    assert pairs.coverage["included"] == len(pairs)
    s = oc.paired_statistics(pairs.before, pairs.after, bootstrap=500)
    assert dataclasses.is_dataclass(s) and isinstance(s, oc.PairedStatistics)
    assert s.n == len(pairs)
    assert s.paired_t is not None and 0.0 <= s.paired_t.test.p_value <= 1.0
    d = s.to_dict()
    assert d["mean_change"]["ci"]["lower"] == s.mean_change.ci.lower
    assert type(s).from_dict(d) == s
    t = s.to_polars()
    assert t["statistic"][0] == "mean change"
    # numpy arrays and lists go in as well as Series
    assert oc.paired_statistics(list(pairs.before), pairs.after.to_numpy()).n == s.n
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.n = 0  # type: ignore[misc]


def test_matching_objects(cohort, events):
    counts = oc.window_counts(cohort, events, categories=["ae_attendance"])
    people = counts.per_quarter("ae_attendance").to_polars()
    df = people.join(cohort.accepted.select("person_id", "age", "sex"), on="person_id").with_columns(
        (pl.col("group") == "programme").alias("treated")
    )
    ps = oc.propensity_score(df, treatment="treated", covariates=["age", "sex", "before"])
    assert ps.score.len() == df.height
    assert ps.to_polars()["term"][0] == "(Intercept)"
    m = oc.nearest_neighbour(ps.score, df["treated"], caliper_sd=0.2)
    assert m.caliper_width is not None
    pairs = m.pairs()
    assert pairs.height == m.counts["treated"]["matched"]
    assert m.to_polars()["weight"].sum() > 0
    bal = oc.balance(df, treatment="treated", covariates=["age", "sex"], score=ps.score, matching=m)
    assert set(bal.to_polars()["sample"]) == {"all", "matched"}
    mc = oc.matched_comparison(df, treatment="treated", covariates=["age", "sex"], outcome="after")
    assert mc.matched_sets.height == df["treated"].sum()
    assert mc.to_polars().height == 2
    assert mc.balance_frame().height > 0


def test_native_module_matches_its_stubs():
    stub = Path(oc.__file__).with_name("_outcomes.pyi")
    tree = ast.parse(stub.read_text())
    stubbed = {
        n.name
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.ClassDef))
    } | {
        t.id
        for n in tree.body
        if isinstance(n, ast.AnnAssign)
        for t in [n.target]
        if isinstance(t, ast.Name)
    }
    native = {n for n in dir(_outcomes) if not n.startswith("_")} | {"__version__"}
    native.discard("__version__")
    assert native == stubbed - {"__version__"}
    # every stubbed class lists the methods the native class has
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(_outcomes, node.name)
            methods = {
                n.name for n in node.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")
            }
            have = {n for n in dir(cls) if not n.startswith("_")}
            assert have == methods, node.name
    # and every public function has a docstring
    for name in dir(oc):
        obj = getattr(oc, name)
        if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", "").startswith("outcomes"):
            assert obj.__doc__, name


def test_evaluate_writes_the_report(tmp_path):
    rep = oc.evaluate(out=tmp_path / "r")
    assert (tmp_path / "r" / "report.html").exists()
    assert (tmp_path / "r" / "run.json").exists()
    assert rep.name == "sample"
    assert rep.to_polars().height == len(rep.accounts)
    for a in rep.accounts:
        assert a.rows_read == a.accepted + a.rejected
    assert rep.policy.name


def test_generate_and_write_sample(tmp_path, window, key):
    info = oc.generate(tmp_path / "g", 500, events_per_person=5, seed=7)
    assert info["cohort"] == 500
    c = oc.load_cohort(tmp_path / "g" / "cohort.csv", oc.DataWindow(info["data_start"], info["extract_date"]), key)
    assert c.summary.rejected == 0 and c.summary.accepted == 500
    n = oc.write_sample(tmp_path / "s")
    assert n["cohort"] == 300
    assert (tmp_path / "s" / "cohort.csv").read_bytes() == (oc.sample_dir() / "cohort.csv").read_bytes()
