#!/usr/bin/env python3
"""Golden values, part B: the costs, cost-benefit and matched-comparison tables
of the sample report, re-derived from the raw files without the crate.

    /work/venv/bin/python scripts/golden/part_b.py

Reads data/sample/cohort.csv, data/sample/service_use.csv, data/unit_costs.csv
and data/gdp_deflators.csv (the spec data/sample/evaluation.toml uses the
shipped tables), applies the rules of METHODS.md and src/ as restated in the
comments below, and writes tests/data/golden/<stem>.csv for cost_by_agency,
cost_offset, cba_summary, cba_sensitivity, matched_counts, balance,
propensity_overlap, matched_effect and propensity_model, with numpy and scipy
(Python 3.11). R's glm, MatchIt, sandwich and lmtest cross-check the matched
comparison in part_b.R (run with --dump, below); nothing here reads the
crate's output.
"""

import csv
import math
import os
import sys
import tomllib
from datetime import date, timedelta

import numpy as np
from scipy import stats

import part_a as A  # Tab, the release audit and the tables before these

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "data", "sample")
OUT = os.path.join(ROOT, "tests", "data", "golden")
COMMAND = "/work/venv/bin/python scripts/golden/part_b.py"

# ---- the spec's parameters (data/sample/evaluation.toml) -------------------
with open(os.path.join(SAMPLE, "evaluation.toml"), "rb") as _f:
    SPEC = tomllib.load(_f)
SEED = SPEC["seed"]
DATA_START = date.fromisoformat(SPEC["data_window"]["start"])
EXTRACT = date.fromisoformat(SPEC["data_window"]["extract_date"])
MONTHS_BEFORE = SPEC["windows"]["months_before"]
MONTHS_AFTER = SPEC["windows"]["months_after"]
assert SPEC["windows"]["coverage"] == "rate_per_observed_time"
MIN_FRACTION = SPEC["windows"]["min_fraction"]
CMP = SPEC["comparison"]
assert CMP["covariates"] == ["age", "sex", "area", "prior_arrests"] and CMP["ratio"] == 1
assert not CMP["replace"] and "caliper_sd" not in CMP and not CMP.get("exact")
assert CMP.get("order", "largest") == "largest"
assert CMP.get("tie_rule", "sorted_neighbour") == "sorted_neighbour"
OUTCOME = CMP["outcome"]
assert "categories" not in SPEC["outcomes"]  # every built-in category
BINS = CMP["overlap_bins"]
COSTS = SPEC["costs"]
assert "unit_costs" not in COSTS and "deflators" not in COSTS  # the shipped tables
PRICE_YEAR = COSTS["price_year"]
PROGRAMME_COST = COSTS["programme_cost_per_person"]
CBA = SPEC["cba"]
HORIZON, DROPOFF = CBA["horizon_years"], CBA["dropoff"]
ATTRIBUTION, GRADE = CBA["attribution"], CBA["confidence_grade"]
# The spec's other CBA keys at the values these scripts implement.
assert CBA.get("discounting", "standard") == "standard" and "discount_rate" not in CBA
assert CBA.get("cost_optimism_bias", 0.0) == 0.0 and "optimism_bias" not in CBA
assert "sensitivity" not in CBA and "deadweight" not in CBA
assert SPEC["disclosure"]["policy"] == "minimum_cell_size" and "symbol" not in SPEC["disclosure"]
MIN_CELL = SPEC["disclosure"]["min_cell_size"]  # counts 1..MIN_CELL-1 suppressed
SYMBOL = "c"  # the policy's default symbol (the spec sets none)
RESAMPLES = SPEC["statistics"]["bootstrap_resamples"]
LEVEL = SPEC["statistics"]["confidence_level"]
OPTIMISM = [0.0, 0.05, 0.10, 0.15, 0.25, 0.40]  # by grade 1..6 (crate default)
GREEN_BOOK = 0.035  # years 1..30 of the Green Book STPR (horizons here <= 10)
DAYS_PER_QUARTER = 91.310625  # 365.25 / 4

BUILT_IN = [
    "ae_attendance", "ambulance_callout", "non_elective_admission",
    "hospital_inpatient_day", "mh_inpatient_day", "mh_community_contact",
    "arrest", "police_custody_night", "court_appearance", "prison_night",
    "drug_alcohol_contact", "eviction", "rough_sleeping_night",
]
# Agency display names and their order (the crate's Agency enum order).
AGENCY_ORDER = ["NHS", "Police", "Prison", "Courts/CJS", "Local authority",
                "Housing", "DWP", "Education"]
AGENCY_OF = {"nhs": "NHS", "health": "NHS", "police": "Police", "prison": "Prison",
             "la": "Local authority", "local authority": "Local authority",
             "housing": "Housing", "courts": "Courts/CJS"}


# ---- dates ------------------------------------------------------------------
def parse_date(s):
    try:
        y, m, d = (int(x) for x in s.strip().split("-"))
        return date(y, m, d)
    except ValueError:
        return None


def last_day(d):
    return (d + timedelta(days=1)).day == 1


def months_between(a, b):
    """Largest m with a + m months <= b (month-end rule: a date on the last
    day of its month counts a full month)."""
    m = (b.year - a.year) * 12 + b.month - a.month
    if b.day < a.day and not last_day(b):
        m -= 1
    return m


def add_months(d, m):
    """Calendar months, the day clamped to the month's end."""
    y, mo = divmod(d.year * 12 + d.month - 1 + m, 12)
    mo += 1
    nxt = date(y + (mo == 12), mo % 12 + 1, 1)
    return date(y, mo, min(d.day, (nxt - timedelta(days=1)).day))


def window_days(index, start_m, end_m, obs_end):
    """(observed days, calendar days) of the window [index+start, index+end-1]
    within [DATA_START, obs_end]."""
    ws = add_months(index, start_m)
    we = add_months(index, end_m) - timedelta(days=1)
    total = (we - ws).days + 1
    s, e = max(ws, DATA_START), min(we, obs_end)
    return ((e - s).days + 1 if s <= e else 0), total


# ---- loading ----------------------------------------------------------------
def load():
    cohort = []
    with open(os.path.join(SAMPLE, "cohort.csv"), newline="") as f:
        for r in csv.DictReader(f):
            idx = parse_date(r["index_date"])
            end = parse_date(r["end_date"]) if r["end_date"].strip() else None
            ok = (idx is not None and DATA_START <= idx <= EXTRACT
                  and r["group"] in ("programme", "comparison", "unknown")
                  and (end is None or end <= EXTRACT))
            assert ok, r  # the sample cohort has no rejected rows
            cohort.append(dict(id=r["person_id"], index=idx, group=r["group"], end=end,
                               age=float(r["age"]), sex=r["sex"], area=r["area"],
                               prior_arrests=float(r["prior_arrests"])))
    ids = {p["id"] for p in cohort}
    events = []
    with open(os.path.join(SAMPLE, "service_use.csv"), newline="") as f:
        for r in csv.DictReader(f):
            d = parse_date(r["date"])
            c = r["count"].strip()
            n = 1 if c == "" else int(c)
            # Rejected: unknown person, bad date or outside the data window,
            # unknown category, negative count.
            if (r["person_id"] in ids and d is not None and DATA_START <= d <= EXTRACT
                    and r["category"] in BUILT_IN and n >= 0):
                events.append((r["person_id"], d, r["category"], n))
    return cohort, events


def window_counts(cohort, events, categories):
    """counts[id][window][category]; an event is in 'before' when its whole
    months since the index date are in [-12, 0), 'after' when in [0, 12)."""
    by_id = {p["id"]: p for p in cohort}
    counts = {p["id"]: {"before": {c: 0 for c in categories},
                        "after": {c: 0 for c in categories}} for p in cohort}
    for pid, d, cat, n in events:
        if cat not in categories:
            continue
        m = months_between(by_id[pid]["index"], d)
        if -MONTHS_BEFORE <= m < 0:
            counts[pid]["before"][cat] += n
        elif 0 <= m < MONTHS_AFTER:
            counts[pid]["after"][cat] += n
    for p in cohort:
        obs_end = EXTRACT if p["end"] is None else min(p["end"], EXTRACT)
        p["ob"], p["wb"] = window_days(p["index"], -MONTHS_BEFORE, 0, obs_end)
        p["oa"], p["wa"] = window_days(p["index"], 0, MONTHS_AFTER, obs_end)
    return counts


# ---- rounding and disclosure ------------------------------------------------
def published(value, decimals):
    """The policy's rounding of a statistic: half away from zero at the
    column's decimals; a non-zero value that rounds to 0 keeps its value."""
    scale = 10.0 ** decimals
    y = value * scale
    r = math.floor(abs(y))
    if abs(y) - r >= 0.5:
        r += 1
    r = math.copysign(r, y) / scale
    return value if (r == 0.0 and value != 0.0) else r


def stat_cell(value, n, decimals):
    if value is None or not math.isfinite(value) or n <= 0:
        return "x"
    if 1 <= n < MIN_CELL:
        return SYMBOL
    return float(published(value, decimals))


# ---- the crate's generator (crate_rng.py) and the bootstrap ------------------
from crate_rng import M64, Xoshiro256pp, check_generator  # noqa: E402


def bootstrap_mean_ci(x, seed):
    """Percentile and BCa intervals of the mean (scipy.stats.bootstrap's
    rules): B resamples of n indices drawn in order from the seeded
    generator; z0 from the share below the estimate (ties half); the
    acceleration from the mean's jackknife, U_i = x_i - mean. Returns the BCa
    interval, or the percentile interval when BCa is undefined."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    rng = Xoshiro256pp(seed)
    idx = np.array([[rng.below(n) for _ in range(n)] for _ in range(RESAMPLES)])
    reps = np.cumsum(x[idx], axis=1)[:, -1] / n  # left-to-right sums, as the crate
    theta = np.cumsum(x)[-1] / n
    srt = np.sort(reps)

    def q(p):
        h = (RESAMPLES - 1) * p
        lo = math.floor(h)
        return srt[lo] + (h - lo) * (srt[lo + 1] - srt[lo]) if lo + 1 < RESAMPLES else srt[-1]

    alpha = (1 - LEVEL) / 2
    z0 = stats.norm.ppf(((reps < theta).sum() + (reps <= theta).sum()) / (2.0 * RESAMPLES))
    u = x - x.mean()
    a = (u ** 3 / n ** 3).sum() / (6.0 * ((u ** 2 / n ** 2).sum()) ** 1.5)
    if math.isfinite(z0) and math.isfinite(a):
        za = stats.norm.ppf(alpha)
        adj = lambda z: stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
        a1, a2 = adj(za), adj(-za)
        if 0 <= a1 <= 1 and 0 <= a2 <= 1:
            return q(a1), q(a2)
    return q(alpha), q(1 - alpha)


# ---- costs ------------------------------------------------------------------
def unit_costs():
    """The chosen unit cost of each category: the only entry, or the one
    marked selected. Per-day rate = value / days(unit) (year 365.25 days,
    month 365.25/12, week 7, event 1), re-based by the deflator ratio."""
    rows = []
    with open(os.path.join(ROOT, "data", "unit_costs.csv"), newline="") as f:
        lines = [ln for ln in f if not ln.startswith("#")]
    for r in csv.DictReader(lines):
        rows.append(r)
    defl = {}
    with open(os.path.join(ROOT, "data", "gdp_deflators.csv"), newline="") as f:
        for r in csv.DictReader(ln for ln in f if not ln.startswith("#")):
            defl[r["financial_year"]] = float(r["gdp_deflator"])
    chosen = {}
    for cat in BUILT_IN:
        cands = [r for r in rows if r["category"] == cat]
        sel = [r for r in cands if r["selected"].strip().lower() == "yes"]
        if len(cands) == 1:
            chosen[cat] = cands[0]
        elif len(sel) == 1:
            chosen[cat] = sel[0]
    rates = {}
    for cat, r in chosen.items():
        unit = r["unit"].lower()
        words = unit.replace("-", " ").split()
        if "year" in words:
            per = 365.25
        elif "month" in words:
            per = 365.25 / 12
        elif "week" in words:
            per = 7.0
        else:  # per day / bed day / night, or per event
            per = 1.0
        factor = defl[PRICE_YEAR] / defl[r["price_year"]]
        agency = AGENCY_OF[r["agency"].strip().lower()]
        rates[cat] = (float(r["value"]) * (1.0 / per) * factor, agency, r["value_type"])
    return rates


def cost_tables(cohort, events):
    rates = unit_costs()
    costed = [c for c in BUILT_IN if c in rates]
    counts = window_counts(cohort, events, costed)
    res = {}
    for g in ("programme", "comparison"):
        # Costed: observed for the whole of both windows.
        people = [p for p in cohort if p["group"] == g
                  and p["ob"] >= p["wb"] and p["oa"] >= p["wa"]]
        n = len(people)
        pre, post = [], []
        ag = {}
        for p in people:
            c = counts[p["id"]]
            b = a = 0.0
            for cat in costed:
                rate, agency, _ = rates[cat]
                cb, ca = c["before"][cat], c["after"][cat]
                e = ag.setdefault(agency, [0.0, 0.0, False])
                if cb > 0:
                    b += rate * cb
                    e[0] += rate * cb
                    e[2] = True
                if ca > 0:
                    a += rate * ca
                    e[1] += rate * ca
                    e[2] = True
            pre.append(b)
            post.append(a)
        ag = {k: v for k, v in ag.items() if v[2]}  # agencies with any cost
        pc = PROGRAMME_COST if g == "programme" else 0.0
        tp, ta = sum(pre), sum(post)
        change = [a - b for a, b in zip(post, pre)]
        res[g] = dict(n=n, pre=pre, post=post, change=change, agency=ag, pc=pc,
                      mean_pre=tp * (1.0 / n), mean_post=ta * (1.0 / n),
                      mean_change=(ta - tp) * (1.0 / n),
                      net=((tp - ta) - pc * n) * (1.0 / n))
    agency_rows, offset_rows = [], []
    for gi, (g, label) in enumerate((("programme", "Programme"), ("comparison", "Comparison"))):
        r = res[g]
        n = r["n"]
        assert n >= MIN_CELL  # linked population counts published, nothing suppressed
        for agency in sorted(r["agency"], key=AGENCY_ORDER.index):
            b, a, _ = r["agency"][agency]
            agency_rows.append([label, agency, n, stat_cell(b / n, n, 0),
                                stat_cell(a / n, n, 0), stat_cell((a - b) / n, n, 0)])
        agency_rows.append([label, "All agencies", n, stat_cell(r["mean_pre"], n, 0),
                            stat_cell(r["mean_post"], n, 0), stat_cell(r["mean_change"], n, 0)])
        lo, hi = bootstrap_mean_ci(r["change"], SEED + 200 + gi)
        offset_rows.append([label, n, stat_cell(r["mean_pre"], n, 0),
                            stat_cell(r["mean_post"], n, 0), stat_cell(r["mean_change"], n, 0),
                            stat_cell(lo, n, 0), stat_cell(hi, n, 0),
                            stat_cell(r["pc"], n, 0), stat_cell(r["net"], n, 0)])
    write("cost_by_agency", ["Group", "Agency", "People", "Before", "After", "Change"],
          agency_rows)
    write("cost_offset", ["Group", "People", "Mean before", "Mean after", "Mean change",
                          "Change BCa lower", "Change BCa upper",
                          "Programme cost per person", "Mean net saving"], offset_rows)
    # With the matched comparison as the counterfactual (the default), the
    # cost-benefit tables come after the matching: scripts/golden/part_h.py.
    if CBA.get("counterfactual", "matched_comparison") == "comparison_group":
        cba_tables(res, rates)
    return res


# ---- cost-benefit analysis --------------------------------------------------
def appraise(streams, cost0, horizon=HORIZON, dropoff=DROPOFF, rate=GREEN_BOOK,
             attribution=ATTRIBUTION, ob_scale=1.0):
    """Green Book appraisal. Year-1 net benefit of a stream = (gross -
    comparison counterfactual) x (1 - attribution) x (1 - optimism bias);
    benefit in year t = N1 (1 - drop-off)^(t-1), t = 1..horizon; the
    programme cost in year 0; DF_t = 1 / (1 + r)^t."""
    ob = min(max(OPTIMISM[GRADE - 1] * ob_scale, 0.0), 1.0)
    year1 = [(gross - cf) * (1 - attribution) * (1 - ob) for _, gross, cf in streams]
    pv_b, cum, payback = 0.0, -cost0, (0 if cost0 <= 0 else None)
    by_agency = {}
    for t in range(1, horizon + 1):
        df = math.exp(-t * math.log(1 + rate))
        b_t = 0.0
        for (agency, _, _), y1 in zip(streams, year1):
            v = y1 * (1 - dropoff) ** (t - 1)
            b_t += v
            by_agency[agency] = by_agency.get(agency, 0.0) + df * v
        pv_b += df * b_t
        cum += df * b_t
        if payback is None and cum >= 0:
            payback = t
    bcr = pv_b / cost0 if cost0 > 0 else None
    return dict(pv_b=pv_b, pv_c=cost0, npv=pv_b - cost0, bcr=bcr, payback=payback,
                by_agency=by_agency)


def cba_tables(res, rates):
    prog, comp = res["programme"], res["comparison"]
    n_p, n_c = prog["n"], comp["n"]
    # Streams: per agency of the programme group, gross = its fall in cost,
    # counterfactual = the comparison group's fall per person x n_prog.
    streams = []
    for agency in sorted(prog["agency"], key=AGENCY_ORDER.index):
        b, a, _ = prog["agency"][agency]
        gross = -(a - b)
        cb = comp["agency"].get(agency)
        comp_pp = -(cb[1] - cb[0]) / n_c if cb else 0.0
        streams.append((agency, gross, comp_pp * n_p))
    assert all(rates[c][2] == "fiscal" for c in rates), "all costed values are fiscal"
    cost0 = PROGRAMME_COST * n_p
    r = appraise(streams, cost0)
    money = f"£, {PRICE_YEAR} prices"
    rows = [["Present value of benefits", r["pv_b"], money],
            ["Present value of costs", r["pv_c"], money],
            ["Net present value", r["npv"], money],
            # every benefit is fiscal: fiscal = economic = public value ROI = BCR
            ["Benefit-cost ratio", r["bcr"], "ratio"],
            ["Fiscal return on investment", r["bcr"], "ratio"],
            ["Economic return on investment", r["bcr"], "ratio"],
            ["Public value return on investment", r["bcr"], "ratio"],
            ["Payback year", None if r["payback"] is None else float(r["payback"]), "year"]]
    for agency in sorted(r["by_agency"], key=AGENCY_ORDER.index):
        rows.append([f"Present value of benefits to {agency}", r["by_agency"][agency], money])
    write("cba_summary", ["Measure", "Value", "Unit"],
          [[m, stat_cell(v, n_p, 2), u] for m, v, u in rows])

    def scaled(k):
        return [(a, g * k, cf * k) for a, g, cf in streams]

    sens = [("Dropoff", 0.0, 0.5, lambda v: appraise(streams, cost0, dropoff=v)),
            # no stream uses a deadweight counterfactual: unchanged
            ("Deadweight", 0.0, 0.5, lambda v: appraise(streams, cost0)),
            ("Attribution", 0.0, 0.5, lambda v: appraise(streams, cost0, attribution=v)),
            ("DiscountRate", 0.015, 0.07, lambda v: appraise(streams, cost0, rate=v)),
            ("HorizonYears", 1.0, 10.0, lambda v: appraise(streams, cost0, horizon=int(v))),
            ("OptimismBiasScale", 0.0, 2.0, lambda v: appraise(streams, cost0, ob_scale=v)),
            ("CostScale", 0.8, 1.2, lambda v: appraise(streams, cost0 * v)),
            ("BenefitScale", 0.8, 1.2, lambda v: appraise(scaled(v), cost0))]
    out = []
    for name, lo, hi, f in sens:
        a, b = f(lo), f(hi)
        out.append([name, stat_cell(lo, n_p, 3), stat_cell(hi, n_p, 3),
                    stat_cell(a["npv"], n_p, 0), stat_cell(b["npv"], n_p, 0),
                    stat_cell(a["bcr"], n_p, 2), stat_cell(b["bcr"], n_p, 2)])
    write("cba_sensitivity", ["Assumption", "Low", "High", "NPV at low", "NPV at high",
                              "BCR at low", "BCR at high"], out)


# ---- matched comparison -----------------------------------------------------
def logistic(X, y):
    """Maximum likelihood by Newton-Raphson to convergence; SEs from the
    inverse Fisher information at the estimate."""
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(X @ beta)))
        H = X.T @ (X * (p * (1 - p))[:, None])
        step = np.linalg.solve(H, X.T @ (y - p))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-13:
            break
    p = 1 / (1 + np.exp(-(X @ beta)))
    cov = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
    return beta, np.sqrt(np.diag(cov))


def cluster_ols(y, X, w, cl, term=1):
    """WLS with the CR1 cluster-robust covariance (sandwich::vcovCL defaults:
    G/(G-1) x (n-1)/(n-k)) and a t reference with n-k df (lmtest::coeftest)."""
    n, k = X.shape
    B = np.linalg.inv(X.T @ (X * w[:, None]))
    beta = B @ (X.T @ (w * y))
    e = y - X @ beta
    meat = np.zeros((k, k))
    groups = sorted(set(cl))
    for g in groups:
        m = np.array([c == g for c in cl])
        u = (X[m] * (w[m] * e[m])[:, None]).sum(axis=0)
        meat += np.outer(u, u)
    G = len(groups)
    V = B @ meat @ B * G / (G - 1) * (n - 1) / (n - k)
    se = math.sqrt(V[term, term])
    est = beta[term]
    df = n - k
    crit = stats.t.ppf(1 - (1 - LEVEL) / 2, df)
    p = min(2 * stats.t.sf(abs(est / se), df), 1.0)
    return est, se, est - crit * se, est + crit * se, p


def match_nearest(score, treated):
    """1:1 nearest neighbour without replacement, no caliper, as MatchIt 4.5.4's
    nn_matchC_vec: every unit sorted by score (R's order(), ties in data
    order); treated units visited largest score first (ties in data order);
    each takes the nearer of the nearest unused control to its left and to
    its right in that sorted order, the left (lower-score) one when both are
    equally near (the spec's default tie_rule, sorted_neighbour)."""
    n = len(score)
    pos_order = sorted(range(n), key=lambda i: (score[i], i))
    order = sorted([i for i in range(n) if treated[i]], key=lambda i: (-score[i], i))
    used = [False] * n
    pair = {}
    for t in order:
        p = pos_order.index(t)
        left = next((c for c in reversed(pos_order[:p]) if not treated[c] and not used[c]), None)
        right = next((c for c in pos_order[p + 1:] if not treated[c] and not used[c]), None)
        if left is None and right is None:
            continue
        if right is None or (left is not None
                             and abs(score[left] - score[t]) <= abs(score[right] - score[t])):
            c = left
        else:
            c = right
        used[c] = True
        pair[t] = c
    return pair


def balance_row(x, treated, w):
    x = np.asarray(x, float)
    t = np.asarray(treated)
    binary = bool(np.all((x == 0) | (x == 1)))
    x1, x0 = x[t], x[~t]
    w1, w0 = w[t], w[~t]
    m1, m0 = (x1 * w1).sum() / w1.sum(), (x0 * w0).sum() / w0.sum()
    d = m1 - m0
    # denominator: SD of the treated group in the full sample
    s_t = math.sqrt(x1.mean() * (1 - x1.mean())) if binary else x1.std(ddof=1)
    smd = d / s_t if abs(d) > math.sqrt(np.finfo(float).eps) else d

    def wvar(v, ww):
        ww = ww / ww.sum()
        mu = (v * ww).sum()
        return (ww * (v - mu) ** 2).sum() / (1 - (ww ** 2).sum())

    if binary:
        return smd, None, abs(d)
    vr = wvar(x1, w1) / wvar(x0, w0)
    # eCDF max: max over distinct values of |F_t - F_c|, weighted
    ecdf = max(abs((w1 * (x1 <= v)).sum() / w1.sum() - (w0 * (x0 <= v)).sum() / w0.sum())
               for v in np.unique(x))
    return smd, vr, ecdf


EFFECT = {}  # label -> (estimate, SE, CI lower, CI upper, p) of the matched effect


def matched_tables(cohort, events):
    counts = window_counts(cohort, events, [OUTCOME])
    units = []
    for p in cohort:
        fb, fa = p["ob"] / p["wb"], p["oa"] / p["wa"]
        if fb >= MIN_FRACTION and fa >= MIN_FRACTION and p["ob"] > 0 and p["oa"] > 0 \
                and p["group"] in ("programme", "comparison"):
            p = dict(p)
            # outcome: A&E attendances per quarter of observed time, after
            p["y"] = counts[p["id"]]["after"][OUTCOME] * DAYS_PER_QUARTER / p["oa"]
            units.append(p)
    treated = np.array([p["group"] == "programme" for p in units])
    n = len(units)
    sexes = sorted({p["sex"] for p in units})
    areas = sorted({p["area"] for p in units})
    names = (["(Intercept)", "age"] + [f"sex{s}" for s in sexes[1:]]
             + [f"area{a}" for a in areas[1:]] + ["prior_arrests"])
    profile = lambda p: tuple([1.0, p["age"]] + [float(p["sex"] == s) for s in sexes[1:]]
                              + [float(p["area"] == a) for a in areas[1:]]
                              + [p["prior_arrests"]])
    X = np.array([profile(p) for p in units])
    beta, se = logistic(X, treated.astype(float))
    # One score per covariate profile, so identical people tie exactly.
    score_of = {}
    for p in units:
        pr = profile(p)
        if pr not in score_of:
            eta = float(np.dot(np.array(pr), beta))
            score_of[pr] = 1 / (1 + math.exp(-eta))
    score = [score_of[profile(p)] for p in units]
    zs = beta / se
    pv = 2 * stats.norm.sf(np.abs(zs))
    write("propensity_model", ["Term", "Estimate", "Standard error", "z", "p"],
          [[names[j], stat_cell(beta[j], n, 4), stat_cell(se[j], n, 4),
            stat_cell(zs[j], n, 3), stat_cell(pv[j], n, 4)] for j in range(len(names))])

    pair = match_nearest(score, treated)
    w = np.zeros(n)
    sub = [None] * n
    for k, (t, c) in enumerate(pair.items()):
        w[t] = w[c] = 1.0
        sub[t] = sub[c] = k
    n1, n0 = int(treated.sum()), int((~treated).sum())
    m1 = sum(1 for i in range(n) if treated[i] and w[i] > 0)
    m0 = sum(1 for i in range(n) if not treated[i] and w[i] > 0)
    # Cleared as tables of the release (part_a.release_clear): each group's
    # People is the population kept for service use, whose count part A's
    # service_use_coverage already shows (every unit has every covariate);
    # each matched programme member has one control (1:1, no replacement).
    mc_t = A.Tab("matched_counts", [A.L("Group"), A.C("People"), A.C("Matched"),
                                    A.C("Unmatched"), A.C("Discarded")])
    mc_t.totals.append(("People", ["Matched", "Unmatched", "Discarded"]))
    for r, (code, lab, nn, mm) in enumerate((("programme", "Programme", n1, m1),
                                             ("comparison", "Comparison", n0, m0))):
        assert A.LINKS[f"kept:{code}"][0] == nn
        mc_t.rows.append([lab, nn, mm, nn - mm, 0])
        mc_t.links += [(r, "People", f"kept:{code}"), (r, "Matched", f"matched:{code}")]
    mc_t.relations += [([(1, ("pop", "matched:comparison")), (-1, ("pop", "matched:programme"))], "le"),
                       ([(1, ("pop", "matched:programme")), (-1, ("pop", "matched:comparison"))], "le")]
    write("matched_counts", mc_t.names, A.release_clear(mc_t))

    variables = [("distance", score), ("age", [p["age"] for p in units])]
    variables += [(f"sex{s}", [float(p["sex"] == s) for p in units]) for s in sexes]
    variables += [(f"area{a}", [float(p["area"] == a) for p in units]) for a in areas]
    variables += [("prior_arrests", [p["prior_arrests"] for p in units])]
    n_matched = m1 + m0
    rows = []
    for name, x in variables:
        b = balance_row(x, treated, np.ones(n))
        a = balance_row(x, treated, w)
        rows.append([name, stat_cell(b[0], n, 3), stat_cell(a[0], n_matched, 3),
                     stat_cell(b[1], n, 3), stat_cell(a[1], n_matched, 3),
                     stat_cell(b[2], n, 3), stat_cell(a[2], n_matched, 3)])
    write("balance", ["Variable", "SMD before", "SMD after", "Variance ratio before",
                      "Variance ratio after", "eCDF max before", "eCDF max after"], rows)

    # Overlap: units by score bin floor(10 s), before and after matching.
    ov = {}
    for b in range(BINS + 1):
        for c in range(1, 5):
            ov[(b, c)] = 0
    for i, s in enumerate(score):
        b = min(int(math.floor(s * BINS)), BINS - 1)
        col = 1 if treated[i] else 2
        for bb in (b, BINS):
            ov[(bb, col)] += 1
            if w[i] > 0:
                ov[(bb, col + 2)] += 1
    labels = [f"{b / BINS:.2f}-{(b + 1) / BINS:.2f}" for b in range(BINS)] + ["Total"]
    names = ["Score bin", "Programme, all", "Comparison, all", "Programme, matched",
             "Comparison, matched"]
    ov_t = A.Tab("propensity_overlap", [A.L(names[0])] + [A.C(x) for x in names[1:]])
    ov_t.row_totals.append((BINS, list(range(BINS))))
    for b in range(BINS + 1):
        ov_t.rows.append([labels[b]] + [ov[(b, c)] for c in range(1, 5)])
    # The totals are the matching table's populations; in every bin the
    # matched are some of all.
    for code, g in (("programme", "Programme"), ("comparison", "Comparison")):
        ov_t.links += [(BINS, f"{g}, all", f"kept:{code}"),
                       (BINS, f"{g}, matched", f"matched:{code}")]
        for b in range(BINS + 1):
            ov_t.relations.append(([(1, ("cell", (b, f"{g}, matched"))),
                                    (-1, ("cell", (b, f"{g}, all")))], "le"))
    write("propensity_overlap", names, A.release_clear(ov_t))

    mi = [i for i in range(n) if w[i] > 0]
    y = np.array([units[i]["y"] for i in mi])
    tt = treated[mi].astype(float)
    wm = w[mi]
    cl = [sub[i] for i in mi]
    X1 = np.column_stack([np.ones(len(mi)), tt])
    X2 = np.column_stack([np.ones(len(mi)), tt, X[mi][:, 1:]])
    eff = []
    # People: the matched of both groups (a relation the audit reads).
    ppl = A.Tab("matched_effect", [A.L("Estimate"), A.C("People")])
    for label, Xd in (("Difference in means", X1), ("Regression-adjusted", X2)):
        est, s, lo, hi, p = cluster_ols(y, Xd, wm, cl)
        EFFECT[label] = (est, s, lo, hi, p)  # read by part_d.py
        nn = len(mi)
        assert nn == m1 + m0
        ppl.relations.append(([(1, ("cell", (len(ppl.rows), "People"))),
                               (-1, ("pop", "matched:programme")),
                               (-1, ("pop", "matched:comparison"))], "eq"))
        ppl.rows.append([label, nn])
        eff.append([label, nn, stat_cell(est, nn, 3), stat_cell(s, nn, 3),
                    stat_cell(lo, nn, 3), stat_cell(hi, nn, 3), stat_cell(p, nn, 4)])
    for row, cleared in zip(eff, A.release_clear(ppl)):
        row[1] = cleared[1]
        assert row[1] != SYMBOL  # the statistics would be withheld with it
    write("matched_effect", ["Estimate", "People", "Effect", "Standard error", "CI lower",
                             "CI upper", "p"], eff)
    return units, score, pair


# ---- output -----------------------------------------------------------------
def fmt(v):
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write(stem, header, rows):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f"{stem}.csv"), "w", newline="") as f:
        f.write(f"# written by scripts/golden/part_b.py: {COMMAND}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([fmt(v) for v in r])
    print(f"wrote {stem}.csv ({len(rows)} rows)", file=sys.stderr)


def dump(units, score, pair, path):
    """The analysis file (no identifier) and the Python matching, for the R
    cross-check scripts/golden/part_b.R (written only with --dump PATH)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["treat", "age", "sex", "area", "prior_arrests", "y", "score", "match"])
        for i, p in enumerate(units):
            w.writerow([int(p["group"] == "programme"), p["age"], p["sex"], p["area"],
                        p["prior_arrests"], repr(p["y"]), repr(score[i]),
                        pair.get(i, -1) + 1])


def part_a_release():
    """The tables published before the matched comparison, cleared into the
    release (part_a.RELEASE) by part A's code: NDT and service use. The cost
    tables come between them in the report; their people are those observed
    for whole windows, a count service_use_coverage publishes, so nothing
    they suppress is connected to the matched tables' counts."""
    cohort, _ = A.load_cohort()
    ids = {m["person_id"] for m in cohort}
    events, _ = A.load_service_use(ids)
    ndt, _ = A.load_ndt(ids)
    for t in A.ndt_tables(cohort, ndt) + A.service_use_tables(cohort, events):
        A.release_clear(t)
    for code in ("programme", "comparison"):
        assert not A.LINKS[f"whole:{code}"][1]


def main():
    check_generator()
    part_a_release()
    cohort, events = load()
    cost_tables(cohort, events)
    units, score, pair = matched_tables(cohort, events)
    if "--dump" in sys.argv:
        dump(units, score, pair, sys.argv[sys.argv.index("--dump") + 1])


if __name__ == "__main__":
    main()
