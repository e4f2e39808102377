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
import os

import numpy as np

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

    outcomes = [(A.LABEL[B.OUTCOME], "per person per quarter", per_quarter(B.OUTCOME)),
                ("Total cost", f"£ per person over the window, {B.PRICE_YEAR} prices",
                 cost_change())]
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
    with open(os.path.join(A.OUT, "headline_effects.csv"), "w", newline="",
              encoding="utf-8") as f:
        f.write(f"# written by scripts/golden/part_h.py: {COMMAND}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(tab.names)
        w.writerows(cells)
    n = sum(len(r) for r in cells)
    print(f"headline_effects: {len(cells)} rows, {n} cells")


if __name__ == "__main__":
    main()
