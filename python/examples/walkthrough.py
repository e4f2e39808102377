"""From install to report: an evaluation of the bundled sample in Python.

A notebook in script form: each ``# %%`` cell runs in Jupyter, VS Code or
Spyder as it stands, and ``python python/examples/walkthrough.py`` runs it
all. Install first (from the repository root):

    python -m venv .venv && . .venv/bin/activate
    pip install maturin polars
    pip install ./python            # builds the wheel over the crate (a few minutes)

Everything here is the Rust library's own computation; the package converts
polars DataFrames in and out.
"""

# %% [markdown]
# ## 1. Load and validate
# Every loader takes a key: identifiers are replaced by their HMAC pseudonym
# as the file is read, so no raw identifier reaches Python. The bundled
# sample is synthetic, so its spec uses the built-in demonstration key; for
# real data use `oc.Key.from_env("OUTCOMES_KEY")` or `oc.Key.from_file(...)`.

# %%
import tempfile
from pathlib import Path

import polars as pl

import outcomes as oc

sample = oc.sample_dir()  # the repository's data/sample/
key = oc.Key.demonstration()
window = oc.DataWindow("2021-04-01", "2025-03-31")

cohort = oc.load_cohort(sample / "cohort.csv", window, key, numeric=["age", "prior_arrests"])
events = oc.load_service_use(sample / "service_use.csv", cohort, key)
ndt = oc.load_ndt(sample / "ndt.csv", cohort, key)

for name, loaded in [("cohort", cohort), ("service use", events), ("NDT", ndt)]:
    s = loaded.summary
    assert s.rows_read == s.accepted + s.rejected  # every row is accounted for
    print(f"{name:12} read {s.rows_read:5}  accepted {s.accepted:5}  rejected {s.rejected:3}")

print(cohort.accepted.head())           # a polars DataFrame; person_id is the pseudonym
print(events.rejections.head())         # file, row, column, value (<redacted> for ids), rule

# %% [markdown]
# ## 2. Before and after
# Service use per person in the 12 months before and after each person's
# start, with the days each was observed; A&E per quarter of observed time.

# %%
counts = oc.window_counts(cohort, events)
ae = counts.per_quarter("ae_attendance")          # people observed < half a window left out
before, after = ae.group("programme")
stats = oc.paired_statistics(before, after, bootstrap=9999, seed=20240101)
print(stats.to_polars())                          # mean change, paired t, Wilcoxon, sign, d_z, bootstrap
print(f"A&E per quarter: {stats.mean_before:.3f} -> {stats.mean_after:.3f}, "
      f"p = {stats.paired_t.test.p_value:.4f}")

sel = oc.ndt_baseline_follow_up(cohort, ndt, group="programme")
b, a = sel.totals()
print("NDT total:", oc.paired_statistics(b, a).mean_change)

# %% [markdown]
# ## 3. A matched comparison
# One row per person: the cohort's covariates joined to the pairs with polars.

# %%
people = (
    ae.to_polars()
    .join(cohort.accepted.select("person_id", "age", "sex", "area", "prior_arrests"), on="person_id")
    .with_columns((pl.col("group") == "programme").cast(pl.Int64).alias("treated"))
)
covariates = ["age", "sex", "area", "prior_arrests", "before"]
ps = oc.propensity_score(people, treatment="treated", covariates=covariates)
matching = oc.nearest_neighbour(ps.score, people["treated"], caliper_sd=0.2)
print(matching, matching.counts)
print(oc.balance(people, treatment="treated", covariates=covariates,
                 score=ps.score, matching=matching).to_polars())

effect = oc.matched_comparison(people, treatment="treated", covariates=covariates,
                               outcome="after", caliper_sd=0.2)
print(effect.to_polars())                         # difference in means and regression-adjusted

# %% [markdown]
# ## 4. Difference in differences, on a long frame

# %%
long = pl.concat([
    people.select(pl.col("row").alias("unit"), pl.lit(p).alias("period"), "treated",
                  pl.lit(p).alias("post"), pl.col(c).alias("ae_per_quarter"))
    for p, c in [(0, "before"), (1, "after")]
])
d = oc.did(long, unit="unit", time="period", treated="treated", post="post",
           outcome="ae_per_quarter")
print(d.to_polars())

# %% [markdown]
# ## 5. Costs and the cost-benefit analysis
# The shipped unit costs and deflators are ILLUSTRATIVE: load current ones
# (`oc.UnitCosts.from_csv`, `oc.Deflators.from_csv`) for a real evaluation.

# %%
uc, defl = oc.UnitCosts.illustrative(), oc.Deflators.illustrative()
cost_counts = oc.window_counts(cohort, events, categories=uc.costed(counts.categories))
frame = cost_counts.to_polars()
whole = frame.filter((pl.col("before_observed_days") >= pl.col("before_days"))
                     & (pl.col("after_observed_days") >= pl.col("after_days")))
groups = {
    g: oc.cost_pre_post(cost_counts, uc, defl, price_year="2024/25",
                        programme_cost_per_person=3500.0 if g == "programme" else 0.0,
                        rows=whole.filter(pl.col("group") == g)["row"])
    for g in ("programme", "comparison")
}
prog, comp = groups["programme"], groups["comparison"]
print(prog.to_polars())                           # by agency
print(f"mean change per person {prog.mean_change:+.0f} (comparison {comp.mean_change:+.0f})")

streams = [
    {"label": f"reduced demand: {agency}", "agency": agency, "annual_gross": -x.change,
     "comparison_change": (-comp.by_agency[agency].change / comp.n if agency in comp.by_agency else 0.0) * prog.n,
     "attribution": 0.1, "confidence_grade": 3}
    for agency, x in prog.by_agency.items()
]
cba = oc.cost_benefit(streams, costs_by_year=[3500.0 * prog.n], price_year="2024/25",
                      horizon_years=5, dropoff=0.2)
print(f"NPV {cba.npv:,.0f}, benefit-cost ratio {cba.benefit_cost_ratio}")
print(cba.sensitivity_frame())

# %% [markdown]
# ## 6. Publishing a table: disclosure control
# A table leaves the library only as a `ClearedTable`, which only a policy
# makes. Small counts (and the cells that would give them away) are withheld.

# %%
by_area = (people.group_by("area").agg(
    pl.col("treated").sum().alias("Programme"),
    (1 - pl.col("treated")).sum().alias("Comparison"),
).sort("area").rename({"area": "Area"}))
table = oc.Table("People by area and group", by_area)
cleared = oc.Policy.minimum_cell_size(10).apply(table)
print(cleared.to_polars(formatted=True))
print(cleared.to_markdown())

# %% [markdown]
# ## 7. The whole evaluation, from a spec, to the report folder

# %%
out = Path(tempfile.mkdtemp()) / "report"
report = oc.evaluate(sample / "evaluation.toml", out)
print(f"{len(report.files)} files written to {out}; open {out / 'report.html'}")
print(report.to_polars())                         # validation accounts
print(report.tables["matched_effect"].to_polars(formatted=True))
