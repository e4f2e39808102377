#!/usr/bin/env python3
"""Golden values, part H: the headline table of the sample report (the
programme's effect against the matched comparison), re-derived from the raw
files without the crate.

    /work/venv/bin/python scripts/golden/part_h.py

Clears part A's tables and part B's cost and matched-comparison tables into
the release first (as the report does, in its order), takes part B's matched
sample (its 1:1 nearest-neighbour pairs on the glm score), and for each
outcome of the headline (the matching's outcome, total cost, then every other
service-use category, as METHODS.md "The headline") computes each matched
person's change from the before to the after window, the weighted mean change
of each group, and the difference in differences lm(change ~ treat, weights)
with the CR1 standard error by matched set (part B's cluster_ols: the
sandwich::vcovCL defaults and lmtest::coeftest's t reference). The outcomes'
p-values are one family, adjusted with statsmodels' multipletests. Writes
tests/data/golden/headline_effects.csv. Nothing here reads the crate's output.

Tools: Python 3.11 with numpy, scipy and statsmodels.
"""

import csv
import math
import os

import numpy as np
from scipy import stats

from crate_rng import Xoshiro256pp

import part_a as A
import part_b as B

COMMAND = "/work/venv/bin/python scripts/golden/part_h.py"


def main():
    B.part_a_release()
    cohort, events = B.load()
    B.cost_tables(cohort, events)
    units, _score, pair = B.matched_tables(cohort, events)
    # The matched sample: every paired unit, weight 1 (1:1 without
    # replacement), clustered by its pair.
    matched = {}
    for k, (t, c) in enumerate(pair.items()):
        matched[units[t]["id"]] = (True, k)
        matched[units[c]["id"]] = (False, k)
    by_id = {p["id"]: p for p in cohort}

    # Each person's change, per outcome.
    counts = B.window_counts(cohort, events, B.BUILT_IN)
    rates = B.unit_costs()
    costed = [c for c in B.BUILT_IN if c in rates]

    def per_quarter(cat):
        out = {}
        for p in cohort:
            if p["ob"] > 0 and p["oa"] > 0 and p["ob"] / p["wb"] >= B.MIN_FRACTION \
                    and p["oa"] / p["wa"] >= B.MIN_FRACTION:
                c = counts[p["id"]]
                before = c["before"][cat] * B.DAYS_PER_QUARTER / p["ob"]
                after = c["after"][cat] * B.DAYS_PER_QUARTER / p["oa"]
                out[p["id"]] = after - before
        return out

    def cost_change():
        out = {}
        for p in cohort:
            if p["ob"] >= p["wb"] and p["oa"] >= p["wa"]:
                c = counts[p["id"]]
                pre = sum(rates[k][0] * c["before"][k] for k in costed if c["before"][k] > 0)
                post = sum(rates[k][0] * c["after"][k] for k in costed if c["after"][k] > 0)
                out[p["id"]] = post - pre
        return out

    cost = cost_change()
    outcomes = [(A.LABEL[B.OUTCOME], "per person per quarter", per_quarter(B.OUTCOME)),
                ("Total cost", f"£ per person over the window, {B.PRICE_YEAR} prices", cost)]
    outcomes += [(A.LABEL[c], "per person per quarter", per_quarter(c))
                 for c in A.CODES if c != B.OUTCOME]

    tab = A.Tab("headline_effects", [
        A.L("Outcome"), A.L("Unit"), A.C("Programme, matched"), A.C("Comparison, matched"),
        A.S("Programme change", 3, "Programme, matched"),
        A.S("Comparison change", 3, "Comparison, matched"),
        A.S("Effect", 3, "Programme, matched"), A.S("Standard error", 3, "Programme, matched"),
        A.S("CI lower", 3, "Programme, matched"), A.S("CI upper", 3, "Programme, matched"),
        A.S("p", 4, "Programme, matched"),
        A.S(f"p ({A.P_ADJUST_LABEL})", 4, "Programme, matched")])
    all_t = sum(1 for v in matched.values() if v[0])
    all_c = sum(1 for v in matched.values() if not v[0])
    ps = []
    # Units in the order of the matching's units (cohort order).
    order = [u["id"] for u in units if u["id"] in matched]
    for label, unit, change in outcomes:
        ids = [i for i in order if i in change]
        y = np.array([change[i] for i in ids])
        treat = np.array([1.0 if matched[i][0] else 0.0 for i in ids])
        cl = [matched[i][1] for i in ids]
        n_t, n_c = int(treat.sum()), int(len(ids) - treat.sum())
        mt = float(np.mean(y[treat == 1])) if n_t else None
        mc = float(np.mean(y[treat == 0])) if n_c else None
        X = np.column_stack([np.ones(len(ids)), treat])
        est, se, lo, hi, p = B.cluster_ols(y, X, np.ones(len(ids)), cl)
        r = len(tab.rows)
        tab.rows.append([label, unit, n_t, n_c, A.nz(mt, n_t), A.nz(mc, n_c), A.nz(est, n_t),
                         A.nz(se, n_t), A.nz(lo, n_t), A.nz(hi, n_t), A.nz(p, n_t), None])
        ps.append(p)
        if n_t == all_t:
            tab.links.append((r, "Programme, matched", "matched:programme"))
        if n_c == all_c:
            tab.links.append((r, "Comparison, matched", "matched:comparison"))
        assert n_c > A.K, "a comparison count withheld: the effect would be too"
    for row, a in zip(tab.rows, A.adjust_family(ps)):
        row[11] = A.nz(a, row[2])
    cells = A.release_clear(tab)
    write("headline_effects", tab.names, cells)
    if B.CBA.get("counterfactual", "matched_comparison") == "matched_comparison":
        matched_cba(cohort, counts, rates, costed, order, matched, cost)


def write(stem, names, cells):
    with open(os.path.join(A.OUT, f"{stem}.csv"), "w", newline="", encoding="utf-8") as f:
        f.write(f"# written by scripts/golden/part_h.py: {COMMAND}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        w.writerows(cells)
    print(f"{stem}: {len(cells)} rows, {sum(len(r) for r in cells)} cells")


def matched_cba(cohort, counts, rates, costed, order, matched, cost):
    """The cost-benefit analysis against the matched comparison (METHODS.md
    "Cost-benefit analysis against the matched comparison"): per agency, the
    matched programme members' fall in cost less n_P times their matched
    comparison's mean fall (weights 1: 1:1 without replacement); the NPV's
    range from the cluster bootstrap (matched sets) of the matched effect on
    total cost, drawn with the crate's generator (seed + 300)."""
    ids = [i for i in order if i in cost]
    n_p = sum(1 for i in ids if matched[i][0])
    n_c = len(ids) - n_p
    agencies = sorted({rates[k][1] for k in costed}, key=B.AGENCY_ORDER.index)

    def agency_change(pid, agency):
        c = counts[pid]
        pre = sum(rates[k][0] * c["before"][k] for k in costed
                  if rates[k][1] == agency and c["before"][k] > 0)
        post = sum(rates[k][0] * c["after"][k] for k in costed
                   if rates[k][1] == agency and c["after"][k] > 0)
        return post - pre

    streams = []
    for a in agencies:
        prog = sum(agency_change(i, a) for i in ids if matched[i][0])
        comp = sum(agency_change(i, a) for i in ids if not matched[i][0])
        streams.append((a, -prog, -comp / n_c * n_p))
    cost0 = B.PROGRAMME_COST * n_p
    r = B.appraise(streams, cost0)

    # Sets in the order their first member comes in the cohort.
    sets, index = [], {}
    for i in ids:
        k = matched[i][1]
        if k not in index:
            index[k] = len(sets)
            sets.append([0.0, 0.0, 0.0, 0.0])
        s = sets[index[k]]
        if matched[i][0]:
            s[0] += cost[i]
            s[1] += 1.0
        else:
            s[2] += cost[i]
            s[3] += 1.0
    S = len(sets)

    def effect(idx):
        t = [0.0, 0.0, 0.0, 0.0]
        for j in idx:
            for k in range(4):
                t[k] += sets[j][k]
        return t[0] / t[1] - t[2] / t[3]

    theta = effect(range(S))
    rng = Xoshiro256pp(B.SEED + 300)
    reps = np.array([effect([rng.below(S) for _ in range(S)]) for _ in range(B.RESAMPLES)])
    srt = np.sort(reps)

    def q(p):
        h = (B.RESAMPLES - 1) * p
        lo = math.floor(h)
        return srt[lo] + (h - lo) * (srt[lo + 1] - srt[lo]) if lo + 1 < B.RESAMPLES else srt[-1]

    alpha = (1 - B.LEVEL) / 2
    z0 = stats.norm.ppf(((reps < theta).sum() + (reps <= theta).sum()) / (2.0 * B.RESAMPLES))
    loo = np.array([effect([j for j in range(S) if j != i]) for i in range(S)])
    u = loo.mean() - loo
    acc = (u ** 3).sum() / (6.0 * ((u ** 2).sum()) ** 1.5)
    lo, hi = q(alpha), q(1 - alpha)
    if math.isfinite(z0) and math.isfinite(acc):
        za = stats.norm.ppf(alpha)
        adj = lambda z: stats.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
        a1, a2 = adj(za), adj(-za)
        if 0 <= a1 <= 1 and 0 <= a2 <= 1:
            lo, hi = q(a1), q(a2)
    # The cost offset per person against the matched comparison.
    tot = [sum(x[k] for x in sets) for k in range(4)]
    pc = B.PROGRAMME_COST
    off = A.Tab("cost_offset_matched", [
        A.L("Measure"), A.C("Programme, matched"), A.C("Comparison, matched"),
        A.S("Value", 0, "Programme, matched"), A.S("Bootstrap lower", 0, "Programme, matched"),
        A.S("Bootstrap upper", 0, "Programme, matched")])
    for label, v, ci in (("Change in cost, programme (matched)", tot[0] / tot[1], None),
                         ("Change in cost, matched comparison", tot[2] / tot[3], None),
                         ("Difference in differences", theta, (lo, hi)),
                         ("Programme cost per person", pc, None),
                         ("Net saving per person after the programme's cost", -theta - pc,
                          (-hi - pc, -lo - pc))):
        off.rows.append([label, n_p, n_c, v, None if ci is None else ci[0],
                         None if ci is None else ci[1]])
    assert n_c > A.K
    write("cost_offset_matched", off.names, A.release_clear(off))

    low, high = (B.appraise([("all", -e * n_p, 0.0)], cost0) for e in (hi, lo))
    assert abs(B.appraise([("all", -theta * n_p, 0.0)], cost0)["npv"] - r["npv"]) < 1e-6

    money = f"£, {B.PRICE_YEAR} prices"
    pct = f"{B.LEVEL * 100:.0f}%"
    rows = [["Present value of benefits", r["pv_b"], money],
            ["Present value of costs", r["pv_c"], money],
            ["Net present value", r["npv"], money],
            [f"Net present value, low ({pct} range)", low["npv"], money],
            [f"Net present value, high ({pct} range)", high["npv"], money],
            [f"Benefit-cost ratio, low ({pct} range)", low["bcr"], "ratio"],
            [f"Benefit-cost ratio, high ({pct} range)", high["bcr"], "ratio"],
            # every benefit is fiscal: fiscal = economic = public value ROI = BCR
            ["Benefit-cost ratio", r["bcr"], "ratio"],
            ["Fiscal return on investment", r["bcr"], "ratio"],
            ["Economic return on investment", r["bcr"], "ratio"],
            ["Public value return on investment", r["bcr"], "ratio"],
            ["Payback year", None if r["payback"] is None else float(r["payback"]), "year"]]
    for agency in sorted(r["by_agency"], key=B.AGENCY_ORDER.index):
        rows.append([f"Present value of benefits to {agency}", r["by_agency"][agency], money])
    write("cba_summary", ["Measure", "Value", "Unit"],
          [[m, B.fmt(B.stat_cell(v, n_p, 2)) if v is not None else "x", u] for m, v, u in rows])

    def scaled(k):
        return [(a, g * k, cf * k) for a, g, cf in streams]

    # No deadweight row: with a comparison, a deadweight moves nothing.
    sens = [("Dropoff", 0.0, 0.5, lambda v: B.appraise(streams, cost0, dropoff=v)),
            ("Attribution", 0.0, 0.5, lambda v: B.appraise(streams, cost0, attribution=v)),
            ("DiscountRate", 0.015, 0.07, lambda v: B.appraise(streams, cost0, rate=v)),
            ("HorizonYears", 1.0, 10.0, lambda v: B.appraise(streams, cost0, horizon=int(v))),
            ("OptimismBiasScale", 0.0, 2.0, lambda v: B.appraise(streams, cost0, ob_scale=v)),
            ("CostScale", 0.8, 1.2, lambda v: B.appraise(streams, cost0 * v)),
            ("BenefitScale", 0.8, 1.2, lambda v: B.appraise(scaled(v), cost0))]
    out = []
    for name, lo_v, hi_v, f in sens:
        a, b = f(lo_v), f(hi_v)
        out.append([name] + [B.fmt(B.stat_cell(v, n_p, d)) if v is not None else "x"
                             for v, d in ((lo_v, 3), (hi_v, 3), (a["npv"], 0), (b["npv"], 0),
                                          (a["bcr"], 2), (b["bcr"], 2))])
    write("cba_sensitivity", ["Assumption", "Low", "High", "NPV at low", "NPV at high",
                              "BCR at low", "BCR at high"], out)


if __name__ == "__main__":
    main()
