"""The package's results equal the Rust library's to the last digit.

The reference is the command-line tool (``outcomes``, the crate's own front
end, a separate Rust program built from the same source), which prints its
results as JSON with every float in its shortest exact form: parsed back,
each is the very ``f64`` the library computed. The Python side makes the
same library calls through the binding, from frames it builds itself with
polars, and every number must be equal (``==`` on floats, no tolerance).
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest

import outcomes as oc

SEED = 20240101
RESAMPLES = 9999


def same(ours: Any, theirs: Any, path: str = "") -> None:
    """Exact equality, recursively; NaN (which JSON writes as null) = None."""
    if isinstance(ours, float) and math.isnan(ours):
        ours = None
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), f"{path}: {ours!r} is not a dict"
        assert set(ours) == set(theirs), f"{path}: keys {sorted(ours)} != {sorted(theirs)}"
        for k in theirs:
            same(ours[k], theirs[k], f"{path}.{k}")
    elif isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)), f"{path}: {ours!r} is not a list"
        assert len(ours) == len(theirs), f"{path}: {len(ours)} != {len(theirs)} items"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, f"{path}[{i}]")
    else:
        assert ours == theirs, f"{path}: {ours!r} != {theirs!r}"
        if isinstance(theirs, float):
            assert float(ours).hex() == theirs.hex(), f"{path}: {ours!r} != {theirs!r} in the last bit"


@pytest.fixture(scope="module")
def pre_post_cli(cli):
    return cli("pre-post")


def test_paired_ndt_total_and_reliable_change(cohort, ndt, pre_post_cli):
    sel = oc.ndt_baseline_follow_up(cohort, ndt, group="programme", follow_up_months=12)
    before, after = sel.totals()
    s = oc.paired_statistics(before, after, bootstrap=RESAMPLES, seed=SEED)
    same(s.to_dict(), pre_post_cli["ndt_total"], "ndt_total")
    sd = oc.describe(before).sd
    rc = oc.reliable_change(before, after, sd_baseline=sd, reliability=0.8)
    same(rc.to_dict(), pre_post_cli["ndt_reliable_change"], "ndt_reliable_change")


def test_paired_service_use_per_quarter_and_any_use(cohort, events, pre_post_cli):
    assert pre_post_cli["category"] == "ae_attendance"
    binary = pre_post_cli["binary_category"]
    counts = oc.window_counts(cohort, events, categories=["ae_attendance", binary])
    before, after = counts.per_quarter("ae_attendance").group("programme")
    s = oc.paired_statistics(before, after, bootstrap=RESAMPLES, seed=SEED)
    same(s.to_dict(), pre_post_cli["per_quarter"], "per_quarter")
    b, a = counts.per_quarter(binary).group("programme")
    any_use = oc.binary_change(b > 0, a > 0)
    same(any_use.to_dict(), pre_post_cli["any_use"], "any_use")


def person_table(cohort, events) -> pl.DataFrame:
    """One row per person kept by the coverage policy, in cohort order:
    treated, the cohort's covariates, A&E per quarter before and after (as
    the command-line tool's sample table, but built here with polars)."""
    counts = oc.window_counts(cohort, events, categories=["ae_attendance"])
    pairs = counts.per_quarter("ae_attendance").to_polars()
    people = cohort.accepted.select("person_id", "age", "sex", "area", "prior_arrests")
    return (
        pairs.join(people, on="person_id", how="left")
        .sort("row")
        .select(
            (pl.col("group") == "programme").cast(pl.Int64).alias("treated"),
            "age",
            "sex",
            "area",
            "prior_arrests",
            pl.col("before").alias("ae_before"),
            pl.col("after").alias("ae_after"),
        )
    )


def test_matched_comparison(cohort, events, cli):
    theirs = cli("match")
    table = person_table(cohort, events)
    assert table.height == theirs["rows"]["read"]
    m = oc.matched_comparison(
        table,
        treatment="treated",
        covariates=["age", "sex", "area", "prior_arrests", "ae_before"],
        outcome="ae_after",
        source="sample cohort (person-level, no identifiers)",
    )
    ours = m.to_dict()
    sets = ours.pop("matched_sets")
    theirs_sets = theirs.pop("matched_sets")
    same(ours, theirs, "match")
    same(sets, theirs_sets, "match.matched_sets")
    # The same numbers through the typed accessors.
    e = m.difference_in_means
    assert e.estimate == theirs["effect"]["difference_in_means"]["estimate"]
    assert e.ci.lower == theirs["effect"]["difference_in_means"]["ci"]["lower"]


def test_matching_and_balance_building_blocks(cohort, events, cli):
    """Score, matching and balance called one by one give the report's numbers."""
    theirs = cli("match")
    table = person_table(cohort, events)
    covs = ["age", "sex", "area", "prior_arrests", "ae_before"]
    ps = oc.propensity_score(table, treatment="treated", covariates=covs)
    same(
        [c.to_dict() for c in ps.coefficients],
        theirs["score_model"]["coefficients"],
        "coefficients",
    )
    assert ps.deviance == theirs["score_model"]["deviance"]
    m = oc.nearest_neighbour(ps.score, table["treated"])
    for g in ("treated", "control"):
        same(m.counts[g], theirs["counts"][g], f"counts.{g}")
    bal = oc.balance(table, treatment="treated", covariates=covs, score=ps.score, matching=m)
    after = bal.after
    assert after is not None
    for row, want in zip(after.iter_rows(named=True), theirs["balance"]["after"]):
        assert row["mean_treated"] == want["mean_treated"]
        assert row["mean_control"] == want["mean_control"]
        assert row["smd_treated_sd"] == want["smd_treated_sd"]


def test_difference_in_differences(cohort, events, cli):
    theirs = cli("did")
    people = person_table(cohort, events).with_row_index("unit", offset=1)
    long = pl.concat(
        [
            people.select(
                "unit",
                pl.lit(p).alias("period"),
                "treated",
                pl.lit(p).alias("post"),
                pl.col(col).alias("ae_per_quarter"),
            ).with_row_index("i")
            for p, col in ((0, "ae_before"), (1, "ae_after"))
        ]
    ).sort(["i", "period"]).drop("i")
    d = oc.did(
        long,
        unit="unit",
        time="period",
        treated="treated",
        post="post",
        outcome="ae_per_quarter",
        source="sample cohort (long, no identifiers)",
    )
    same(d.to_dict(), theirs, "did")
    assert d.did == theirs["cells"]["did"]


PRICE_YEAR = "2024/25"
PROGRAMME_COST = 3500.0


@pytest.fixture(scope="module")
def costed(cohort, events):
    """As `outcomes costs`: people observed for the whole of both windows,
    priced per group with the shipped ILLUSTRATIVE unit costs."""
    uc, defl = oc.UnitCosts.illustrative(), oc.Deflators.illustrative()
    every = oc.window_counts(cohort, events).categories
    cats = uc.costed(every)
    counts = oc.window_counts(cohort, events, categories=cats)
    frame = counts.to_polars()
    whole = frame.filter(
        (pl.col("before_observed_days") >= pl.col("before_days"))
        & (pl.col("after_observed_days") >= pl.col("after_days"))
    )
    groups = {}
    for g in ("programme", "comparison"):
        rows = whole.filter(pl.col("group") == g)["row"]
        groups[g] = oc.cost_pre_post(
            counts,
            uc,
            defl,
            price_year=PRICE_YEAR,
            programme_cost_per_person=PROGRAMME_COST if g == "programme" else 0.0,
            rows=rows,
        )
    return {
        "not_costed": [c for c in every if c not in cats],
        "left_out": frame.height - whole.height,
        "groups": groups,
    }


def test_costs_and_matched_offset(cohort, costed, cli):
    theirs = cli("costs")
    assert theirs["price_year"] == PRICE_YEAR
    assert costed["not_costed"] == theirs["not_costed"]
    assert costed["left_out"] == theirs["left_out"]
    for g, want in zip(("programme", "comparison"), theirs["groups"]):
        c = costed["groups"][g]
        assert want["group"] == g
        b = oc.bootstrap_mean(c.people["change"], resamples=RESAMPLES, seed=SEED)
        ci = (b.bca or b.percentile).ci
        ours = {
            "group": g,
            "n": c.n,
            "mean_before": c.mean_pre,
            "mean_after": c.mean_post,
            "mean_change": c.mean_change,
            "mean_change_ci": [ci.lower, ci.upper],
            "mean_net_saving": c.mean_net_saving,
            "by_agency": {
                a: [x.pre / c.n, x.post / c.n, x.change / c.n] for a, x in c.by_agency.items()
            },
        }
        same(ours, want, f"costs.groups.{g}")

    # The offset against a 1:1 matched comparison group (score of age,
    # prior arrests and cost before).
    people = pl.concat(
        [
            costed["groups"][g].people.with_columns(pl.lit(g).alias("group"))
            for g in ("programme", "comparison")
        ]
    )
    covs = cohort.accepted.select("person_id", "age", "prior_arrests")
    table = people.join(covs, on="person_id", how="left").with_columns(
        (pl.col("group") == "programme").alias("treated"), pl.col("pre").alias("cost_before")
    )
    assert table["person_id"].to_list() == people["person_id"].to_list()
    ps = oc.propensity_score(table, treatment="treated", covariates=["age", "prior_arrests", "cost_before"])
    m = oc.nearest_neighbour(ps.score, table["treated"])
    o = oc.matched_cost_offset(
        m,
        groups=table["group"],
        pre=table["pre"],
        post=table["post"],
        price_year=PRICE_YEAR,
        programme_cost_per_person=PROGRAMME_COST,
        resamples=RESAMPLES,
        seed=SEED,
    )
    p = o.did_bootstrap.percentile.ci
    net = o.net_offset_bca or o.net_offset_percentile
    ours = {
        "sets": o.sets,
        "did": o.did,
        "did_percentile": [p.lower, p.upper],
        "did_cr1_std_error": o.did_cluster_robust.std_error,
        "net_offset_per_person": o.net_offset_per_person,
        "net_offset_ci": [net.lower, net.upper],
    }
    same(ours, theirs["matched"], "costs.matched")


def test_cost_benefit(costed, cli):
    theirs = cli("cba")
    prog, comp = costed["groups"]["programme"], costed["groups"]["comparison"]
    streams = []
    for agency, a in prog.by_agency.items():
        x = comp.by_agency.get(agency)
        comp_per_person = -x.change / comp.n if x is not None else 0.0
        streams.append(
            {
                "label": f"reduced demand: {agency}",
                "agency": agency,
                "value_type": "fiscal",
                "annual_gross": -a.change,
                "comparison_change": comp_per_person * prog.n,
                "attribution": 0.1,
                "confidence_grade": 3,
            }
        )
    r = oc.cost_benefit(
        streams,
        costs_by_year=[PROGRAMME_COST * prog.n],
        price_year=PRICE_YEAR,
        horizon_years=5,
        dropoff=0.2,
    )
    ours = {
        "price_year": r.price_year,
        "discounting": r.discounting,
        "pv_benefits": r.pv_benefits,
        "pv_costs": r.pv_costs,
        "npv": r.npv,
        "benefit_cost_ratio": r.benefit_cost_ratio,
        "fiscal_roi": r.fiscal_roi,
        "payback_year": r.payback_year,
        "pv_by_agency": r.pv_by_agency,
        "sensitivity": [
            [s.parameter, s.low, s.high, s.npv_at_low, s.npv_at_high] for s in r.sensitivity
        ],
    }
    same(ours, theirs, "cba")


def test_validation_accounts_match_the_tool(sample, key, window, cli):
    """Each dataset loaded here gives the account `outcomes validate` gives."""
    cohort = oc.load_cohort(sample / "cohort.csv", window, key, numeric=["age", "prior_arrests"])
    loads = {
        "cohort": ("cohort.csv", cohort),
        "service-use": ("service_use.csv", oc.load_service_use(sample / "service_use.csv", cohort, key)),
        "ndt": ("ndt.csv", oc.load_ndt(sample / "ndt.csv", cohort, key)),
        "ndt-wide": ("ndt_wide.csv", oc.load_ndt(sample / "ndt_wide.csv", cohort, key, layout="wide")),
        "register": ("register.csv", oc.load_register(sample / "register.csv", key)),
        "enrolment-counts": (
            "enrolment_counts.csv",
            oc.load_enrolment_counts(sample / "enrolment_counts.csv", key),
        ),
        "police-uk": ("police_uk_street.csv", oc.load_police_uk(sample / "police_uk_street.csv", key)),
        "population": ("population.csv", oc.load_population(sample / "population.csv", key)),
    }
    for kind, (file, loaded) in loads.items():
        theirs = cli("validate", "--dataset", kind, str(sample / file), "--show", "1000000")
        s = loaded.summary
        assert (s.rows_read, s.accepted, s.rejected) == (
            theirs["rows_read"],
            theirs["accepted"],
            theirs["rejected"],
        ), kind
        assert s.by_reason == theirs["by_reason"], kind
        assert loaded.accepted.height == s.accepted, kind
        assert loaded.rejections.height == s.rejected, kind
        ours_rows = loaded.rejections.select("row", "column", "value", "rule").rows()
        theirs_rows = [(r["row"], r["column"], r["value"], r["rule"]) for r in theirs["first_rejected"]]
        assert ours_rows == theirs_rows, kind
