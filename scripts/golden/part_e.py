#!/usr/bin/env python3
"""Golden values, part E: the difference-in-differences tables of the sample
report ([did] in data/sample/evaluation.toml), re-derived from the raw files
without the crate.

    /work/venv/bin/python scripts/golden/part_e.py

Reads data/sample/cohort.csv, service_use.csv and ndt.csv (part_b's and
part_a's loaders), matches as part_b.py does (MatchIt 4.5.4's rule), and
writes tests/data/golden/<stem>.csv for did_effect, event_study,
event_study_pretrend, staggered_att and staggered_aggregation, with numpy and
scipy. Each estimator is written out here from its published definition:

* 2x2: lm(y ~ programme * after) on two rows per person, CR1 by person
  (sandwich::vcovCL), t on n - k df (lmtest::coeftest);
* event study: lm(y ~ factor(person) + factor(period) + D_e...) with every
  fixed effect as a dummy, CR1 by person with k counting every parameter,
  and the Wald test of the pre-start D_e (chi-square and F = W / q);
* Callaway & Sant'Anna (2021): ATT(g, t) as the difference of mean changes
  (did::att_gt, no covariates, est_method = "reg", varying base period,
  never-treated comparisons), analytic SEs from the influence functions, and
  did::aggte's simple, group and dynamic aggregations with the influence of
  the estimated weights (did's wif), bstrap = FALSE, pointwise intervals.

part_e.R cross-checks the 2x2 and event-study tables with R's lm, sandwich and
lmtest on the analysis rows this script dumps (python3 part_e.py --dump DIR;
Rscript part_e.R DIR). R's did is not installed here: part_e_csdid.py checks the staggered tables with
csdid 0.4.3 (the Python port of did; pip install csdid==0.4.3) on the dumped
panel, and tests/suite/did_reference.rs checks the crate's estimator on mpdta.
Nothing here reads the crate's output.
"""

import csv
import math
import os
import sys
from datetime import date, timedelta

import numpy as np
from scipy import stats

import part_a as A
import part_b as B

ROOT = B.ROOT
OUT = B.OUT
COMMAND = "/work/venv/bin/python scripts/golden/part_e.py"
SPEC = B.SPEC
DID = SPEC["did"]
assert DID.get("sample", "matched") == "matched"
OUTCOMES = DID["outcomes"]
ES = DID["event_study"]
ST = DID["staggered"]
assert ST.get("comparison_group", "never_treated") == "never_treated"
assert ST.get("base_period", "varying") == "varying"
LEVEL = B.LEVEL
Z = stats.norm.ppf(1 - (1 - LEVEL) / 2)
stat_cell = B.stat_cell
SYMBOL = B.SYMBOL
MIN_CELL = B.MIN_CELL


def write(stem, header, rows):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f"{stem}.csv"), "w", newline="") as f:
        f.write(f"# written by scripts/golden/part_e.py: {COMMAND}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([B.fmt(v) for v in r])
    print(f"wrote {stem}.csv ({len(rows)} rows)", file=sys.stderr)


def count(n):
    assert n == 0 or n >= MIN_CELL, n  # no count of these tables is suppressed
    return n


# ---- the matched sample (as part_b.py's matched_tables) -----------------------
def matched_sample(cohort, events):
    counts = B.window_counts(cohort, events, [B.OUTCOME])
    units = [p for p in cohort
             if p["ob"] / p["wb"] >= B.MIN_FRACTION and p["oa"] / p["wa"] >= B.MIN_FRACTION
             and p["ob"] > 0 and p["oa"] > 0 and p["group"] in ("programme", "comparison")]
    treated = np.array([p["group"] == "programme" for p in units])
    sexes = sorted({p["sex"] for p in units})
    areas = sorted({p["area"] for p in units})
    profile = lambda p: tuple([1.0, p["age"]] + [float(p["sex"] == s) for s in sexes[1:]]
                              + [float(p["area"] == a) for a in areas[1:]]
                              + [p["prior_arrests"]])
    X = np.array([profile(p) for p in units])
    beta, _ = B.logistic(X, treated.astype(float))
    score_of = {}
    for p in units:
        pr = profile(p)
        if pr not in score_of:
            score_of[pr] = 1 / (1 + math.exp(-float(np.dot(np.array(pr), beta))))
    score = [score_of[profile(p)] for p in units]
    pair = B.match_nearest(score, treated)
    sets = {}
    for k, (t, c) in enumerate(pair.items()):
        sets[units[t]["id"]] = k
        sets[units[c]["id"]] = k
    del counts
    return sets


# ---- OLS with CR1 ---------------------------------------------------------------
def ols_cr1(y, X, cl):
    n, k = X.shape
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ (X.T @ y)
    e = y - X @ beta
    meat = np.zeros((k, k))
    cl = np.asarray(cl)
    groups = np.unique(cl)
    for g in groups:
        m = cl == g
        u = (X[m] * e[m][:, None]).sum(axis=0)
        meat += np.outer(u, u)
    G = len(groups)
    V = XtX_inv @ meat @ XtX_inv * G / (G - 1) * (n - 1) / (n - k)
    return beta, V, n - k


def t_row(est, se, df):
    crit = stats.t.ppf(1 - (1 - LEVEL) / 2, df)
    p = min(2 * stats.t.sf(abs(est / se), df), 1.0)
    return est, se, est - crit * se, est + crit * se, p


# ---- the 2x2 design --------------------------------------------------------------
def outcome_pairs(name, cohort, events, ndt_a, cohort_a):
    """(label, {person id: (before, after)})."""
    if name in A.CODES:
        counts = B.window_counts(cohort, events, [name])
        out = {}
        for p in cohort:
            if p["group"] not in ("programme", "comparison"):
                continue
            if not (p["ob"] > 0 and p["oa"] > 0 and p["ob"] / p["wb"] >= B.MIN_FRACTION
                    and p["oa"] / p["wa"] >= B.MIN_FRACTION):
                continue
            c = counts[p["id"]]
            out[p["id"]] = (c["before"][name] * B.DAYS_PER_QUARTER / p["ob"],
                            c["after"][name] * B.DAYS_PER_QUARTER / p["oa"])
        return f"{A.LABEL[name]} per quarter", out
    if name == "total_cost":
        rates = B.unit_costs()
        costed = [c for c in B.BUILT_IN if c in rates]
        counts = B.window_counts(cohort, events, costed)
        out = {}
        for p in cohort:
            if p["group"] not in ("programme", "comparison"):
                continue
            if not (p["ob"] >= p["wb"] and p["oa"] >= p["wa"]):
                continue
            c = counts[p["id"]]
            out[p["id"]] = (sum(rates[k][0] * c["before"][k] for k in costed),
                            sum(rates[k][0] * c["after"][k] for k in costed))
        return f"Cost of service use per window (£, {B.PRICE_YEAR} prices)", out
    assert name == "ndt_total"
    by_person = {}
    for a in ndt_a:
        by_person.setdefault(a["person_id"], []).append(a)
    out = {}
    for m in cohort_a:
        lst = by_person.get(m["person_id"], [])
        dates = [a["date"] for a in lst]
        b = A.nearest(dates, m["index_date"], -90, 90)
        if b is None:
            continue
        f = A.nearest(dates, A.add_months(m["index_date"], A.NDT_FOLLOW_UP), -90, 90,
                      after=dates[b])
        if f is not None and lst[b]["total"] is not None and lst[f]["total"] is not None:
            out[m["person_id"]] = (lst[b]["total"], lst[f]["total"])
    return "NDT total (baseline, follow-up)", out


DUMP = sys.argv[sys.argv.index("--dump") + 1] if "--dump" in sys.argv else None


def dump(name, header, rows):
    """For part_e.R: the analysis rows, persons numbered (no identifier)."""
    if DUMP is None:
        return
    os.makedirs(DUMP, exist_ok=True)
    with open(os.path.join(DUMP, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def did_effect(cohort, events, sets, ndt_a, cohort_a):
    group = {p["id"]: p["group"] for p in cohort}
    rows = []
    for name in OUTCOMES:
        label, pairs = outcome_pairs(name, cohort, events, ndt_a, cohort_a)
        ids = [i for i in sorted(pairs) if i in sets]
        ys, Xs, cl = [], [], []
        for i in ids:
            t = 1.0 if group[i] == "programme" else 0.0
            for v, post in zip(pairs[i], (0.0, 1.0)):
                ys.append(v)
                Xs.append([1.0, t, post, t * post])
                cl.append(i)  # clustered by person
        beta, V, df = ols_cr1(np.array(ys), np.array(Xs), cl)
        est, se, lo, hi, p = t_row(beta[3], math.sqrt(V[3, 3]), df)
        num = {i: k for k, i in enumerate(ids)}
        dump(f"did_{name}.csv", ["person", "programme", "after", "y"],
             [[num[c], int(x[1]), int(x[2]), repr(v)] for v, x, c in zip(ys, Xs, cl)])
        prog = [pairs[i] for i in ids if group[i] == "programme"]
        comp = [pairs[i] for i in ids if group[i] == "comparison"]
        n_p, n_c, n = len(prog), len(comp), len(ids)
        m = lambda v, j: sum(x[j] for x in v) / len(v)
        rows.append([label, count(n_p), count(n_c),
                     stat_cell(m(prog, 0), n_p, 3), stat_cell(m(prog, 1), n_p, 3),
                     stat_cell(m(comp, 0), n_c, 3), stat_cell(m(comp, 1), n_c, 3),
                     stat_cell(est, n, 3), stat_cell(se, n, 3), stat_cell(lo, n, 3),
                     stat_cell(hi, n, 3), stat_cell(p, n, 4)])
    write("did_effect", ["Outcome", "People, programme", "People, comparison",
                         "Programme before", "Programme after", "Comparison before",
                         "Comparison after", "Difference in differences", "Standard error",
                         "CI lower", "CI upper", "p"], rows)


# ---- event study -----------------------------------------------------------------
def event_study(cohort, events, sets):
    pm = ES["period_months"]
    outcome = ES["outcome"]
    ks = list(range(-B.MONTHS_BEFORE // pm, B.MONTHS_AFTER // pm))
    by_id = {p["id"]: p for p in cohort}
    cnt = {}
    for pid, d, cat, n in events:
        if cat != outcome or pid not in sets:
            continue
        m = B.months_between(by_id[pid]["index"], d)
        k = math.floor(m / pm)
        cnt[(pid, k)] = cnt.get((pid, k), 0) + n
    rows = []  # (person, period, y, treated)
    for pid in sorted(sets):
        p = by_id[pid]
        obs_end = B.EXTRACT if p["end"] is None else min(p["end"], B.EXTRACT)
        for k in ks:
            o, w = B.window_days(p["index"], k * pm, (k + 1) * pm, obs_end)
            if o != w:
                continue  # whole periods only
            rows.append((pid, k, float(cnt.get((pid, k), 0)), p["group"] == "programme"))
    people = sorted({r[0] for r in rows})
    periods = sorted({r[1] for r in rows})
    effects = [k for k in ks if k != -1 and any(r[3] and r[1] == k for r in rows)]
    pidx = {p: j for j, p in enumerate(people)}
    ncol = len(people) + (len(periods) - 1) + len(effects)
    X = np.zeros((len(rows), ncol))
    y = np.array([r[2] for r in rows])
    for i, (pid, k, _, t) in enumerate(rows):
        X[i, pidx[pid]] = 1.0  # person dummies (no intercept)
        if k != periods[0]:
            X[i, len(people) + periods.index(k) - 1] = 1.0
        if t and k in effects:
            X[i, len(people) + len(periods) - 1 + effects.index(k)] = 1.0
    beta, V, df = ols_cr1(y, X, [r[0] for r in rows])
    dump("event_study.csv", ["person", "period", "programme", "y"],
         [[pidx[r[0]], r[1], int(r[3]), repr(r[2])] for r in rows])
    off = len(people) + len(periods) - 1
    n_units = len(people)
    out = []
    for k in ks:
        months = f"{k * pm} to {(k + 1) * pm - 1}"
        if k == -1:
            out.append(["-1 (reference)", months, stat_cell(0.0, n_units, 3), "z", "z", "z", "z"])
            continue
        j = off + effects.index(k)
        est, se, lo, hi, p = t_row(beta[j], math.sqrt(V[j, j]), df)
        out.append([str(k), months] + [stat_cell(v, n_units, 3) for v in (est, se, lo, hi)]
                   + [stat_cell(p, n_units, 4)])
    write("event_study", ["Period", "Months since the start", "Effect", "Standard error",
                          "CI lower", "CI upper", "p"], out)
    pre = [off + effects.index(k) for k in effects if k < 0]
    b = beta[pre]
    W = float(b @ np.linalg.solve(V[np.ix_(pre, pre)], b))
    q = len(pre)
    F = W / q
    write("event_study_pretrend", ["Test", "Restrictions", "Denominator df", "Statistic", "p"], [
        ["Wald chi-square (CR1)", stat_cell(float(q), n_units, 0), "z", stat_cell(W, n_units, 3),
         stat_cell(stats.chi2.sf(W, q), n_units, 4)],
        ["F (CR1)", stat_cell(float(q), n_units, 0), stat_cell(float(df), n_units, 0),
         stat_cell(F, n_units, 3), stat_cell(stats.f.sf(F, q, df), n_units, 4)],
    ])


# ---- Callaway & Sant'Anna ----------------------------------------------------------
def staggered(cohort, events, sets):
    pm = ST["period_months"]
    outcome = ST["outcome"]
    bounds = [B.DATA_START]
    while True:
        nxt = B.add_months(B.DATA_START, pm * len(bounds))
        if nxt > B.EXTRACT + timedelta(days=1):
            break
        bounds.append(nxt)
    P = len(bounds) - 1
    last_day = bounds[P] - timedelta(days=1)
    by_id = {p["id"]: p for p in cohort}

    def period(d):
        return max(k for k in range(P + 1) if bounds[k] <= d)

    ids = [i for i in sorted(sets) if by_id[i]["end"] is None or by_id[i]["end"] >= last_day]
    Y = {i: [0.0] * P for i in ids}
    for pid, d, cat, n in events:
        if cat == outcome and pid in Y and bounds[0] <= d < bounds[P]:
            Y[pid][period(d)] += n
    G = {i: (period(by_id[i]["index"]) if by_id[i]["group"] == "programme" else None)
         for i in ids}
    num = {i: k for k, i in enumerate(ids)}
    # Periods numbered from 1 and never-treated as 0, did's conventions.
    dump("staggered.csv", ["person", "period", "first_treated", "y"],
         [[num[i], t + 1, 0 if G[i] is None else G[i] + 1, repr(Y[i][t])]
          for i in ids for t in range(P)])
    kept = [i for i in ids if G[i] is None or G[i] > 0]  # cohorts in the first period dropped
    n = len(kept)
    cohorts = sorted({G[i] for i in kept if G[i] is not None})
    size = {g: sum(1 for i in kept if G[i] == g) for g in cohorts}
    pg = {g: size[g] / n for g in cohorts}
    cells = []  # (g, t, att, se, n_t, n_c, psi)
    for g in cohorts:
        for t in range(1, P):
            post = t >= g
            b = g - 1 if post else t - 1
            d = {i: Y[i][t] - Y[i][b] for i in kept}
            tr = [i for i in kept if G[i] == g]
            co = [i for i in kept if G[i] is None]
            mt = sum(d[i] for i in tr) / len(tr)
            mc = sum(d[i] for i in co) / len(co)
            var = lambda v, m: sum((d[i] - m) ** 2 for i in v) / len(v) ** 2
            se = math.sqrt(var(tr, mt) + var(co, mc))
            psi = np.array([n * (d[i] - mt) / len(tr) if G[i] == g
                            else (-n * (d[i] - mc) / len(co) if G[i] is None else 0.0)
                            for i in kept])
            cells.append((g, t, mt - mc, se, len(tr), len(co), psi))
    dump("staggered_att_values.csv", ["group", "period", "att", "se"],
         [[g + 1, t + 1, repr(att), repr(se)] for g, t, att, se, *_ in cells])
    rows = []
    for g, t, att, se, nt, nc, _ in cells:
        nn = nt + nc
        rows.append([str(bounds[g]), str(bounds[t]), count(nt), count(nc),
                     stat_cell(att, nn, 3), stat_cell(se, nn, 3),
                     stat_cell(att - Z * se, nn, 3), stat_cell(att + Z * se, nn, 3)])
    write("staggered_att", ["Cohort (first period)", "Period", "People in cohort",
                            "Comparison people", "ATT", "Standard error", "CI lower",
                            "CI upper"], rows)

    Gk = [G[i] for i in kept]

    def combine(sel, weighted):
        """sel: [(g, att, psi)]; did's weights pg / sum pg and, if weighted,
        the influence of the estimated weights."""
        tot = sum(pg[g] for g, _, _ in sel)
        att = sum(pg[g] * a for g, a, _ in sel) / tot
        psi = sum((pg[g] / tot) * p for g, _, p in sel)
        if weighted:
            wif = np.zeros(n)
            for i in range(n):
                r = sum((1.0 if Gk[i] == g else 0.0) - pg[g] for g, _, _ in sel)
                for g, a, _ in sel:
                    ind = 1.0 if Gk[i] == g else 0.0
                    wif[i] += a * ((ind - pg[g]) / tot - r * pg[g] / tot ** 2)
            psi = psi + wif
        return att, psi

    def se_of(psi):
        s = math.sqrt(float((psi ** 2).sum())) / n
        return s if s > 10 * math.sqrt(np.finfo(float).eps) else None

    n_all = sum(size.values())
    out = []

    raw = []

    def row(kind, of, att, se):
        raw.append([kind, of, repr(att), repr(se)])
        vals = [att, se, None if se is None else att - Z * se, None if se is None else att + Z * se]
        out.append([kind, of] + [stat_cell(v, n_all, 3) for v in vals])

    for kind in ST.get("aggregations", ["simple", "group", "dynamic"]):
        if kind == "simple":
            att, psi = combine([(g, a, p) for g, t, a, _, _, _, p in cells if t >= g], True)
            row("simple", "overall", att, se_of(psi))
        elif kind == "group":
            thetas = []
            for g in cohorts:
                sel = [(a, p) for gg, t, a, _, _, _, p in cells if gg == g and t >= g]
                th = sum(a for a, _ in sel) / len(sel)
                ps = sum(p for _, p in sel) / len(sel)
                row("group", f"cohort {bounds[g]}", th, se_of(ps))
                thetas.append((g, th, ps))
            att, psi = combine(thetas, True)
            row("group", "overall", att, se_of(psi))
        else:
            post = []
            for e in sorted({t - g for g, t, *_ in cells}):
                att, psi = combine([(g, a, p) for g, t, a, _, _, _, p in cells if t - g == e],
                                   True)
                row("dynamic", f"{e} period(s) since the start", att, se_of(psi))
                if e >= 0:
                    post.append((att, psi))
            att = sum(a for a, _ in post) / len(post)
            psi = sum(p for _, p in post) / len(post)
            row("dynamic", "overall", att, se_of(psi))
    write("staggered_aggregation", ["Aggregation", "Of", "ATT", "Standard error", "CI lower",
                                    "CI upper"], out)
    dump("staggered_aggregation_values.csv", ["kind", "of", "att", "se"], raw)


def main():
    cohort, events = B.load()
    cohort_a, _ = A.load_cohort()
    ids = {m["person_id"] for m in cohort_a}
    ndt_a, _ = A.load_ndt(ids)
    sets = matched_sample(cohort, events)
    did_effect(cohort, events, sets, ndt_a, cohort_a)
    event_study(cohort, events, sets)
    staggered(cohort, events, sets)


if __name__ == "__main__":
    main()
