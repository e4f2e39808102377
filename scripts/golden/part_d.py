#!/usr/bin/env python3
"""Golden values, part D: the time-to-event tables of the sample report,
re-derived from the raw files without the crate.

    /work/venv/bin/python scripts/golden/part_d.py

Reads data/sample/cohort.csv and data/sample/service_use.csv with part A's
loaders (the loading rules of METHODS.md), derives each person's time to their
first event of the spec's `[time_to_event]` categories (METHODS.md, "Time to
event from the crate's own data"), and hands the analysis file (group, time,
status; no identifier) to scripts/golden/part_d.R, which fits every number with
R's survival package. This script then rounds the numbers as the report
publishes them, clears the tables with part A's disclosure rules (after part
A's tables, as in the report), and writes tests/data/golden/<stem>.csv for
time_to_event_followup, time_to_event_survival, time_to_event_curve,
time_to_event_median, time_to_event_comparison and time_to_event_sensitivity,
and the matched section's matched_sensitivity, matched_estimators and
weighted_balance (from
part B's matching; the weighting estimators with scripts/golden/part_d_weighting.R).
Nothing here reads the crate's output.

Tools: Python 3.11 with numpy and scipy (rankdata, the normal tail), R 4.2.2 with
survival 3.5.3.
"""

import csv
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy import stats

import part_a as A  # loaders, Tab, the release audit
import part_b as B  # part_a_release, stat_cell

COMMAND = "/work/venv/bin/python scripts/golden/part_d.py"
TTE = A.SPEC["time_to_event"]
CATS = TTE["categories"]
HORIZON = TTE.get("horizon_months", 24)
MONTHS = TTE.get("at_months", [6, 12, 24])
DAYS_PER_MONTH = 365.25 / 12.0
MATCHED = {}  # person id -> matched pair (from part B's matching)
GROUPS = A.GROUPS


def analysis():
    """(group, months, status) per cohort member with follow-up, and the
    number per group with none."""
    cohort, _ = A.load_cohort()
    ids = {m["person_id"] for m in cohort}
    events, _ = A.load_service_use(ids)
    first = {}
    index = {m["person_id"]: m["index_date"] for m in cohort}
    for e in events:
        p = e["person_id"]
        if e["category"] in CATS and e["count"] > 0 and e["date"] >= index[p]:
            if p not in first or e["date"] < first[p]:
                first[p] = e["date"]
    rows, none = [], {code: 0 for code, _ in GROUPS}
    cap = HORIZON * DAYS_PER_MONTH
    for m in cohort:
        end = m["end_date"] if m["end_date"] is not None else A.EXTRACT
        end = min(end, A.EXTRACT)
        follow = float((end - m["index_date"]).days)
        if follow < 0:
            if m["group"] in none:
                none[m["group"]] += 1
            continue
        follow = min(follow, cap)
        f = first.get(m["person_id"])
        t = float((f - m["index_date"]).days) if f is not None else None
        if t is not None and t <= follow:
            rows.append((m["group"], t / DAYS_PER_MONTH, 1, m["person_id"]))
        else:
            rows.append((m["group"], follow / DAYS_PER_MONTH, 0, m["person_id"]))
    return rows, none


def fit_in_r(rows):
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "analysis.csv"), os.path.join(d, "fit.csv")
        with open(src, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["group", "time", "status", "pair"])
            for g, t, s, pid in rows:
                if g in ("programme", "comparison"):
                    w.writerow([g, repr(t), s, MATCHED.get(pid, "NA")])
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "part_d.R")
        run = subprocess.run(
            ["Rscript", script, src, dst, ",".join(str(m) for m in MONTHS), str(HORIZON)],
            check=True, capture_output=True, text=True)
        print(run.stdout.strip(), file=sys.stderr)
        with open(dst, newline="") as f:
            return {r["name"]: (None if r["value"] == "NA" else float(r["value"]))
                    for r in csv.DictReader(f)}


def main():
    B.part_a_release()
    matched_sensitivity()
    rows, none = analysis()
    v = fit_in_r(rows)
    cohort, _ = A.load_cohort()
    people = {code: sum(1 for m in cohort if m["group"] == code) for code, _ in GROUPS}
    what = " or ".join(c.replace("_", " ") for c in CATS)

    ft = A.Tab("time_to_event_followup",
               [A.L("Group"), A.C("People"), A.C("Followed"), A.C("No follow-up"),
                A.C("With the event"), A.C("Censored")])
    ft.totals.append(("People", ["Followed", "No follow-up"]))
    ft.totals.append(("Followed", ["With the event", "Censored"]))
    for code, label in GROUPS:
        n = sum(1 for g, *_ in rows if g == code)
        e = sum(s for g, _, s, _ in rows if g == code)
        assert n == int(v[f"{code}.n"]) and e == int(v[f"{code}.events"])
        r = len(ft.rows)
        ft.rows.append([label, people[code], n, none[code], e, n - e])
        ft.links += [(r, "People", f"cohort:{code}"), (r, "Followed", f"tte:{code}")]

    st = A.Tab("time_to_event_survival",
               [A.L("Group"), A.L("Months"), A.C("At risk"),
                A.S("Survival %", 1, "At risk"), A.S("CI lower", 1, "At risk"),
                A.S("CI upper", 1, "At risk")])
    for code, label in GROUPS:
        for m in MONTHS:
            n = int(v[f"{code}.n_risk.{m}"])
            pct = [None if v[f"{code}.{k}.{m}"] is None else v[f"{code}.{k}.{m}"] * 100.0
                   for k in ("surv", "lower", "upper")]
            st.rows.append([label, str(m), n] + [A.nz(x, n) for x in pct])

    kt = A.Tab("time_to_event_curve",
               [A.L("Group"), A.L("Months"), A.C("At risk"),
                A.S("Survival %", 1, "At risk"), A.S("CI lower", 1, "At risk"),
                A.S("CI upper", 1, "At risk")])
    for code, label in GROUPS:
        for m in range(HORIZON + 1):
            n = int(v[f"{code}.curve.n_risk.{m}"])
            pct = [None if v[f"{code}.curve.{k}.{m}"] is None
                   else v[f"{code}.curve.{k}.{m}"] * 100.0 for k in ("surv", "lower", "upper")]
            kt.rows.append([label, str(m), n] + [A.nz(x, n) for x in pct])

    mt = A.Tab("time_to_event_median",
               [A.L("Group"), A.C("Followed"), A.S("Median", 1, "Followed"),
                A.S("Median CI lower", 1, "Followed"), A.S("Median CI upper", 1, "Followed"),
                A.S("Restricted mean", 2, "Followed"),
                A.S("Restricted mean CI lower", 2, "Followed"),
                A.S("Restricted mean CI upper", 2, "Followed")])
    for code, label in GROUPS:
        n = int(v[f"{code}.n"])
        r = len(mt.rows)
        mt.rows.append([label, n] + [A.nz(v[f"{code}.{k}"], n) for k in (
            "median", "median_lower", "median_upper", "rmean", "rmean_lower", "rmean_upper")])
        mt.links.append((r, "Followed", f"tte:{code}"))

    total = 0
    for t in (ft, st, kt, mt):
        cells = A.release_clear(t)
        total += write(t.stem, t.names, cells)

    n = sum(1 for g, *_ in rows if g in ("programme", "comparison"))
    cmp_rows = [
        ("Log-rank test (chi-square, 1 df)", [None, None, None, v["logrank.chisq"],
                                              v["logrank.p"]]),
        ("Hazard ratio, programme / comparison (Cox, Efron ties; z)",
         [v["cox.hr"], v["cox.lower"], v["cox.upper"], v["cox.z"], v["cox.p"]]),
        ("Proportional hazards (Schoenfeld residuals, Kaplan–Meier time; chi-square)",
         [None, None, None, v["zph.chisq"], v["zph.p"]]),
        (f"Restricted mean difference to {HORIZON} months, programme − comparison (z)",
         [v["rmst.diff"], v["rmst.lower"], v["rmst.upper"], v["rmst.z"], v["rmst.p"]]),
    ]
    dec = [3, 3, 3, 3, 4]
    out = [[name] + [B.stat_cell(x, n, d) for x, d in zip(xs, dec)] for name, xs in cmp_rows]
    nm = int(v["matched.n"])
    out.append(["Hazard ratio in the matched sample, programme / comparison (Cox, Efron ties; "
                "robust variance by matched set; z)"]
               + [B.stat_cell(v[f"matched.{k}"], nm, d)
                  for k, d in zip(("hr", "lower", "upper", "z", "p"), dec)])
    total += write("time_to_event_comparison",
                   ["Statistic", "Estimate", "CI lower", "CI upper", "Test statistic", "p"], out)
    total += one_year(what)
    common = int(v["evalue.common"]) == 1
    out = [[f"E-value of the hazard ratio ({'common' if common else 'rare'} outcome)",
            B.stat_cell(v["evalue.point"], n, 3)],
           ["E-value of the confidence limit nearer 1", B.stat_cell(v["evalue.limit"], n, 3)]]
    total += write("time_to_event_sensitivity", ["Measure", "Value"], out)
    print(f"time to first {what}: {total} cells", file=sys.stderr)


def one_year(what):
    """The Justice Data Lab's one-year measures for the people observed for
    the whole year after their start (part A's observed_days over months
    0..12 equals the window's days): the rate with one or more events in
    months 0..12 (Wilson interval, statsmodels), events per person and days
    to the first event among those with one (t intervals); then the rate
    difference (Newcombe's hybrid score interval, Pearson chi-square without
    correction) and Welch's t-tests (scipy)."""
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
    cohort, _ = A.load_cohort()
    ids = {m["person_id"] for m in cohort}
    events, _ = A.load_service_use(ids)
    count, first = {}, {}
    index = {m["person_id"]: m["index_date"] for m in cohort}
    for e in events:
        p = e["person_id"]
        if e["category"] not in CATS:
            continue
        if 0 <= A.months_between(index[p], e["date"]) < 12:
            count[p] = count.get(p, 0) + e["count"]
        if e["count"] > 0 and e["date"] >= index[p] and (p not in first or e["date"] < first[p]):
            first[p] = e["date"]
    def arms_of(keep):
        out = []
        for code, _ in GROUPS:
            counts, days = [], []
            for m in cohort:
                if m["group"] != code or not keep(m["person_id"]):
                    continue
                obs, wdays = A.observed_days(m, 0, 12)
                if obs != wdays:
                    continue
                k = count.get(m["person_id"], 0)
                counts.append(float(k))
                if k > 0:
                    days.append(float((first[m["person_id"]] - m["index_date"]).days))
            out.append((counts, days))
        return out

    arms = []
    for code, _ in GROUPS:
        counts, days = [], []
        for m in cohort:
            if m["group"] != code:
                continue
            obs, wdays = A.observed_days(m, 0, 12)
            if obs != wdays:
                continue
            k = count.get(m["person_id"], 0)
            counts.append(float(k))
            if k > 0:
                days.append(float((first[m["person_id"]] - m["index_date"]).days))
        arms.append((counts, days))
    t = A.Tab("time_to_event_one_year",
              [A.L("Group"), A.C("People"), A.C("With one or more"),
               A.R("Rate %", "With one or more", 1), A.R("Rate CI lower", "With one or more", 1),
               A.R("Rate CI upper", "With one or more", 1), A.S("Per person", 3),
               A.S("Per person CI lower", 3), A.S("Per person CI upper", 3),
               A.S("Days to first", 1, "With one or more"),
               A.S("Days to first CI lower", 1, "With one or more"),
               A.S("Days to first CI upper", 1, "With one or more")])

    def mean_ci(x):
        n = len(x)
        if n < 2:
            return [None] * 3
        m = A.mean(x)
        lo, hi = A.t_interval(m, math.sqrt(A.var(x) / n), n - 1)
        return [m, lo, hi]

    for (code, label), (counts, days) in zip(GROUPS, arms):
        n, k = len(counts), len(days)
        lo, hi = proportion_confint(k, n, alpha=A.ALPHA, method="wilson")
        r = len(t.rows)
        t.rows.append([label, n, k] + [A.nz(x * 100.0, n) for x in (k / n, lo, hi)]
                      + [A.nz(x, n) for x in mean_ci(counts)]
                      + [A.nz(x, k) if x is not None else None for x in mean_ci(days)])
        t.relations.append(([(1, ("cell", (r, "With one or more"))),
                             (-1, ("cell", (r, "People")))], "le"))
    total = write(t.stem, t.names, A.release_clear(t))
    rows = []
    # The whole groups, then the matched sample (part B's pairs).
    for prefix, sample in (("", arms), ("Matched sample: ", arms_of(lambda p: p in MATCHED))):
        (pc, pd), (cc, cd) = sample
        n1, k1, n2, k2 = len(pc), len(pd), len(cc), len(cd)
        lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff",
                                            alpha=A.ALPHA)
        chi = stats.chi2_contingency([[k1, n1 - k1], [k2, n2 - k2]], correction=False)
        rows.append([f"{prefix}Rate, percentage points (Newcombe interval; chi-square test)"]
                    + [B.stat_cell(x, n1 + n2, d) for x, d in
                       ((100.0 * (k1 / n1 - k2 / n2), 3), (100.0 * lo, 3), (100.0 * hi, 3),
                        (float(chi[1]), 4))])
        for label, x, y in (("Per person (Welch t-test)", pc, cc),
                            ("Days to first (Welch t-test)", pd, cd)):
            res = stats.ttest_ind(x, y, equal_var=False)
            ci = res.confidence_interval(confidence_level=A.LEVEL)
            est = A.mean(x) - A.mean(y)
            rows.append([f"{prefix}{label}"] + [B.stat_cell(z, len(x) + len(y), d) for z, d in
                                                ((est, 3), (float(ci.low), 3),
                                                 (float(ci.high), 3), (float(res.pvalue), 4))])
    return total + write("time_to_event_one_year_difference",
                         ["Measure", "Difference", "CI lower", "CI upper", "p"], rows)


def matched_sensitivity():
    """The matched section's sensitivity table from part B's matching: the
    E-value of the difference in means as a standardised mean difference
    (EValue's evalues.MD, written out: RR = exp(0.91 d), interval
    exp(0.91 d ± 1.78 se)) and Rosenbaum bounds on the signed-rank test of
    the pairs' differences in the direction of the effect (rbounds' psens,
    written out: p+ = Γ/(1+Γ), E = p+ Σr, V = p+(1 − p+) Σr², upper p =
    1 − Φ((T − E)/√V)); the critical Γ by bisection on log Γ."""
    cohort, events = B.load()
    B.cost_tables(cohort, events)
    units, score, pair = B.matched_tables(cohort, events)
    est, se, elo, ehi, ep = B.EFFECT["Difference in means"]
    for k, (i, j) in enumerate(sorted(pair.items())):
        if units[i]["group"] == "programme":
            MATCHED[units[i]["id"]] = k + 1
            MATCHED[units[j]["id"]] = k + 1
    treated = [i for i in pair if units[i]["group"] == "programme"]
    yt = [units[i]["y"] for i in treated]
    yc = [units[pair[i]]["y"] for i in treated]
    matched = yt + yc
    n = len(matched)
    sd = float(np.std(matched, ddof=1))
    d, sd_se = est / sd, se / sd

    def e_of(rr):
        rr = 1 / rr if rr < 1 else rr
        return rr + math.sqrt(rr * (rr - 1))

    rr = math.exp(0.91 * d)
    lo, hi = math.exp(0.91 * d - 1.78 * sd_se), math.exp(0.91 * d + 1.78 * sd_se)
    limit = 1.0 if lo <= 1 <= hi else (e_of(lo) if rr > 1 else e_of(hi))
    rows = [["Standardised effect d (difference in means / SD of the outcome among the matched)",
             B.stat_cell(d, n, 3)],
            ["E-value of the effect (risk ratio exp(0.91 d))", B.stat_cell(e_of(rr), n, 3)],
            ["E-value of the confidence limit nearer no effect", B.stat_cell(limit, n, 3)]]
    a, b = (yt, yc) if est >= 0 else (yc, yt)
    diffs = [x - y for x, y in zip(a, b) if x - y != 0]
    ranks = stats.rankdata([abs(x) for x in diffs])
    t = sum(r for r, x in zip(ranks, diffs) if x > 0)
    s1, s2 = float(sum(ranks)), float(sum(r * r for r in ranks))

    def upper(g):
        p = g / (1 + g)
        return float(stats.norm.sf((t - p * s1) / math.sqrt(p * (1 - p) * s2)))

    pairs = len(yt)
    for g in (1.0, 1.5, 2.0, 2.5, 3.0):
        rows.append([f"Rosenbaum bound: largest one-sided p (signed rank) at Γ = {g:g}",
                     B.stat_cell(upper(g), pairs, 3)])
    crit = None
    if upper(1.0) < 0.05:
        lo_g, hi_g = 0.0, math.log(1e12)
        for _ in range(200):
            mid = (lo_g + hi_g) / 2
            lo_g, hi_g = (mid, hi_g) if upper(math.exp(mid)) < 0.05 else (lo_g, mid)
        crit = math.exp((lo_g + hi_g) / 2)
    rows.append(["Γ at which the largest one-sided p reaches 0.05", B.stat_cell(crit, pairs, 3)])
    cells = write("matched_sensitivity", ["Measure", "Value"], rows)
    return cells + matched_estimators(units, score, pair, (est, se, elo, ehi, ep), len(yt))


def matched_estimators(units, score, pair, matching, pairs):
    """The table of estimators: the matching's effect (part B) and IPW,
    entropy balancing and augmented IPW fitted by
    scripts/golden/part_d_weighting.R on part B's analysis file."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "units.csv"), os.path.join(d, "fit.csv")
        B.dump(units, score, pair, src)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "part_d_weighting.R")
        run = subprocess.run(["Rscript", script, src, dst], check=True, capture_output=True,
                             text=True)
        print(run.stdout.strip(), file=sys.stderr)
        with open(dst, newline="") as f:
            v = {r["name"]: float(r["value"]) for r in csv.DictReader(f)}
    n = len(units)
    dec = [3, 3, 3, 3, 4, 1, 1]
    rows = [("Nearest-neighbour matching (difference in means; CR1 by matched set)",
             list(matching) + [float(pairs), float(pairs)])]
    for key, label in (
            ("ipw", "Inverse probability weighting (ATT weights e / (1 − e); HC1)"),
            ("eb", "Entropy balancing (covariate means; HC1)")):
        rows.append((label, [v[f"{key}.{k}"] for k in
                             ("effect", "se", "lower", "upper", "p", "ess_t", "ess_c")]))
    rows.append(("Doubly robust (augmented IPW, ATT; influence-function SE)",
                 [v[f"dr.{k}"] for k in ("effect", "se", "lower", "upper", "p")]
                 + [v["ipw.ess_t"], v["ipw.ess_c"]]))
    out = [[label] + [B.stat_cell(x, n, dd) for x, dd in zip(xs, dec)] for label, xs in rows]
    cells = write("matched_estimators",
                  ["Estimator", "Effect", "Standard error", "CI lower", "CI upper", "p",
                   "Effective sample, programme", "Effective sample, comparison"], out)
    names = sorted({k.split(".", 2)[2] for k in v if k.startswith("balance.unweighted.")},
                   key=lambda x: [k for k in v if k.startswith("balance.unweighted.")].index(
                       f"balance.unweighted.{x}"))
    bal = [[nm] + [B.stat_cell(v[f"balance.{w}.{nm}"], n, 3) for w in ("unweighted", "ipw", "eb")]
           for nm in names]
    return cells + write("weighted_balance",
                         ["Variable", "SMD unweighted", "SMD, inverse probability weights",
                          "SMD, entropy balancing"], bal)


def write(stem, header, rows):
    path = os.path.join(A.OUT, f"{stem}.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(f"# written by scripts/golden/part_d.py: {COMMAND}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return sum(len(r) for r in rows)


if __name__ == "__main__":
    main()
