#!/usr/bin/env python3
"""Golden values, part A: validation, NDT, service use and the binary outcome.

An independent re-implementation of the sample report's part-A tables from the
raw files in data/sample/ and the parameters of data/sample/evaluation.toml,
following the rules METHODS.md states (and src/ applies). It never reads the
crate's output. Run from the repository root:

    /work/venv/bin/python scripts/golden/part_a.py

and it writes tests/data/golden/<stem>.csv for each part-A table.

Tools: Python 3.11, numpy, scipy (t, normal and chi-square distributions,
exact binomial test), statsmodels (Wilson interval). The bootstrap resamples
re-implement the crate's documented generator (xoshiro256++ seeded by
splitmix64, Lemire's bounded draw) so that the BCa cells are derived too.
"""

import copy
import csv
import datetime as dt
import math
import os
import sys
import tomllib
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(ROOT, "data", "sample")
OUT = os.path.join(ROOT, "tests", "data", "golden")
COMMAND = "/work/venv/bin/python scripts/golden/part_a.py"

with open(os.path.join(SAMPLE, "evaluation.toml"), "rb") as f:
    SPEC = tomllib.load(f)

SEED = SPEC["seed"]
WIN_START = dt.date.fromisoformat(SPEC["data_window"]["start"])
EXTRACT = dt.date.fromisoformat(SPEC["data_window"]["extract_date"])
MONTHS_BEFORE = SPEC["windows"]["months_before"]
MONTHS_AFTER = SPEC["windows"]["months_after"]
MIN_FRACTION = SPEC["windows"]["min_fraction"]
assert SPEC["windows"]["coverage"] == "rate_per_observed_time"
BINARY = SPEC["outcomes"]["binary_category"]
NDT_FOLLOW_UP = SPEC["outcomes"]["ndt_follow_up_months"]
# The NDT selection windows (days), the spec's or the crate's defaults.
BASE_BEFORE = SPEC["outcomes"].get("ndt_baseline_days_before", 90)
BASE_AFTER = SPEC["outcomes"].get("ndt_baseline_days_after", 90)
FU_TOL = SPEC["outcomes"].get("ndt_follow_up_tolerance_days", 90)
NDT_RELIABILITY = SPEC["outcomes"]["ndt_reliability"]
K = SPEC["disclosure"]["min_cell_size"] - 1  # counts 1..K are suppressed
assert SPEC["disclosure"]["policy"] == "minimum_cell_size"
SYMBOL = SPEC["disclosure"].get("symbol", "c")  # the GSS symbol (METHODS.md, Disclosure control)
LEVEL = SPEC["statistics"]["confidence_level"]
RESAMPLES = SPEC["statistics"]["bootstrap_resamples"]
ALPHA = 1.0 - LEVEL
DAYS_PER_QUARTER = 365.2425 / 4.0

GROUPS = [("programme", "Programme"), ("comparison", "Comparison")]

# The 13 built-in service-use categories, in the crate's order, with labels.
CATEGORIES = [
    ("ae_attendance", "A&E attendances"),
    ("ambulance_callout", "Ambulance call-outs"),
    ("non_elective_admission", "Non-elective admissions"),
    ("hospital_inpatient_day", "Hospital inpatient days"),
    ("mh_inpatient_day", "Mental-health inpatient days"),
    ("mh_community_contact", "Mental-health community contacts"),
    ("arrest", "Arrests"),
    ("police_custody_night", "Nights in police custody"),
    ("court_appearance", "Court appearances"),
    ("prison_night", "Prison nights"),
    ("drug_alcohol_contact", "Drug/alcohol treatment contacts"),
    ("eviction", "Evictions"),
    ("rough_sleeping_night", "Nights sleeping rough"),
]
CODES = [c for c, _ in CATEGORIES]
LABEL = dict(CATEGORIES)

# NDT items: (column, label, double-weighted?)
NDT_ITEMS = [
    ("engagement", "Engagement with frontline services", False),
    ("intentional_self_harm", "Intentional self-harm", False),
    ("unintentional_self_harm", "Unintentional self-harm", False),
    ("risk_to_others", "Risk to others", True),
    ("risk_from_others", "Risk from others", True),
    ("stress_and_anxiety", "Stress and anxiety", False),
    ("social_effectiveness", "Social effectiveness", False),
    ("alcohol_drug_misuse", "Alcohol/drug misuse", False),
    ("impulse_control", "Impulse control", False),
    ("housing", "Housing", False),
]


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def fsum_seq(xs):
    """Left-to-right float sum (as a plain loop adds)."""
    s = 0.0
    for x in xs:
        s += x
    return s


def parse_date(s):
    """YYYY-MM-DD, digits only, a real calendar date; else None."""
    if len(s) != 10 or s[4] != "-" or s[7] != "-":
        return None
    if not all(c.isdigit() for i, c in enumerate(s) if i not in (4, 7)):
        return None
    try:
        return dt.date(int(s[:4]), int(s[5:7]), int(s[8:]))
    except ValueError:
        return None


def parse_int(s):
    d = s[1:] if s.startswith("-") else s
    if not d or len(d) > 18 or not d.isdigit():
        return None
    return int(s)


def add_months(d, m):
    """Calendar months, clamping to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    y, mo = divmod(d.month - 1 + m, 12)
    y += d.year
    mo += 1
    last = (dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, mo, min(d.day, last))


def months_between(frm, to):
    """The largest m with add_months(frm, m) <= to (by search, from the definition)."""
    m = (to.year - frm.year) * 12 + to.month - frm.month + 1
    while add_months(frm, m) > to:
        m -= 1
    return m


def rust_round(value, decimals):
    """The published value: value rounded half away from zero to `decimals`,
    except a non-zero value that would round to 0 is published unrounded."""
    scale = 10.0 ** decimals
    prod = value * scale
    r = float(Decimal(prod).to_integral_value(rounding=ROUND_HALF_UP)) / scale
    if math.isfinite(r) and not (r == 0.0 and value != 0.0):
        return r
    return value


def mean(x):
    return fsum_seq(x) / len(x)


def var(x):
    m = mean(x)
    return fsum_seq((v - m) ** 2 for v in x) / (len(x) - 1)


def t_interval(m, se, df):
    q = stats.t.ppf(1.0 - ALPHA / 2.0, df)
    return m - q * se, m + q * se


# ---------------------------------------------------------------------------
# Statistics (R's conventions)
# ---------------------------------------------------------------------------

def wilcoxon_p(d_all):
    """R's wilcox.test(d, mu = 0, exact = NULL, correct = TRUE)$p.value:
    zeros dropped; exact when n < 50 and no ties or zeros, else the normal
    approximation with tie correction and continuity correction."""
    d = [v for v in d_all if v != 0.0]
    if not d:
        return None
    n = len(d)
    r = stats.rankdata([abs(v) for v in d])
    v = float(sum(rk for rk, x in zip(r, d) if x > 0))
    _, counts = np.unique(np.abs(d), return_counts=True)
    ties = bool((counts > 1).any())
    zeros = len(d_all) - n
    if n < 50 and not ties and zeros == 0:
        # Exact null distribution of V by dynamic programming.
        top = n * (n + 1) // 2
        c = np.zeros(top + 1)
        c[0] = 1.0
        for k in range(1, n + 1):
            c[k:] = c[k:] + c[:-k].copy() if k <= top else c[k:]
        c = c / c.sum()
        k = int(round(v))
        if v > n * (n + 1) / 4.0:
            p = c[k:].sum()
        else:
            p = c[: k + 1].sum()
        return min(1.0, 2.0 * p)
    tie_term = float(((counts.astype(float) ** 3) - counts).sum())
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24.0 - tie_term / 48.0)
    dev = v - n * (n + 1) / 4.0
    corr = 0.5 * np.sign(dev)
    z = (dev - corr) / sigma
    return min(1.0, 2.0 * stats.norm.sf(abs(z)))


def sign_test_p(d):
    pos = sum(1 for v in d if v > 0)
    neg = sum(1 for v in d if v < 0)
    if pos + neg == 0:
        return None
    return stats.binomtest(pos, pos + neg, 0.5).pvalue


def paired_stats(b, a, boot_seed=None):
    """Everything the paired rows publish; None entries are 'not available'."""
    n = len(b)
    if n < 2:
        return None
    d = [y - x for x, y in zip(b, a)]
    md = mean(d)
    sd = math.sqrt(var(d))
    se = sd / math.sqrt(n)
    lo, hi = t_interval(md, se, n - 1)
    out = {
        "n": n,
        "mean_before": mean(b),
        "mean_after": mean(a),
        "mean_change": md,
        "ci": (lo, hi),
        "t": None,
        "p_t": None,
        "p_w": wilcoxon_p(d),
        "p_sign": sign_test_p(d),
        "dz": None,
        "boot": None,
    }
    if sd > 0:
        t = md / se
        out["t"] = t
        out["p_t"] = 2.0 * stats.t.sf(abs(t), n - 1)
        out["dz"] = md / sd
    if boot_seed is not None:
        out["boot"] = bootstrap_bca(d, boot_seed)
    return out


# ---------------------------------------------------------------------------
# The crate's seeded generator, re-implemented (src/rng.rs documents it)
# ---------------------------------------------------------------------------

M64 = (1 << 64) - 1


from crate_rng import Xoshiro256pp as Xoshiro, check_generator  # noqa: E402


def bootstrap_bca(x, seed):
    """Bootstrap of the mean of x: resamples drawn with the crate's generator,
    BCa interval (Efron 1987) with the bias correction from the share of
    replicates below (ties counted half) and the jackknife acceleration."""
    n = len(x)
    theta = mean(x)
    rng = Xoshiro(seed)
    reps = np.empty(RESAMPLES)
    for b in range(RESAMPLES):
        s = 0.0
        for _ in range(n):
            s += x[rng.below(n)]
        reps[b] = s / n
    srt = np.sort(reps)
    below = float((reps < theta).sum())
    at_or_below = float((reps <= theta).sum())
    z0 = stats.norm.ppf((below + at_or_below) / (2.0 * RESAMPLES))
    # Jackknife acceleration of the mean, computed from leave-one-out means.
    loo = np.array([(fsum_seq(x) - x[i]) / (n - 1) for i in range(n)])
    u = loo.mean() - loo
    den = (u ** 2).sum()
    a = (u ** 3).sum() / (6.0 * den ** 1.5) if den > 0 else None
    za = stats.norm.ppf(ALPHA / 2.0)

    def q(p):
        return float(np.quantile(srt, p))  # linear interpolation, (B-1)p

    if a is not None and math.isfinite(z0):
        def adj(z):
            return stats.norm.cdf(z0 + (z0 + z) / (1.0 - a * (z0 + z)))
        a1, a2 = adj(za), adj(-za)
        if 0.0 <= a1 <= 1.0 and 0.0 <= a2 <= 1.0:
            return q(a1), q(a2)
    return q(ALPHA / 2.0), q(1.0 - ALPHA / 2.0)


# ---------------------------------------------------------------------------
# Loading and validation (the rules of src/io/loaders.rs, METHODS.md)
# ---------------------------------------------------------------------------

def read_rows(name):
    with open(os.path.join(SAMPLE, name), newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        return header, [dict(zip(header, row)) for row in r]


def validate(rows, fields, unique=None):
    """fields: list of (name, kind, required, rules); rules are (test, reason)
    applied to the parsed non-blank value. The first failing check is the
    row's reason; then, among rows with no failure, rows sharing a `unique`
    key with another such row are all rejected as duplicates."""
    ok, reasons = [], []
    parsed_rows = []
    for row in rows:
        parsed, why = {}, None
        for name, kind, required, rules in fields:
            raw = row.get(name, "")
            if raw == "":
                val = None
                if required and why is None:
                    why = "a value is required"
            elif kind == "date":
                val = parse_date(raw)
                if val is None and why is None:
                    why = "not a valid date (expected YYYY-MM-DD)"
            elif kind == "int":
                val = parse_int(raw)
                if val is None and why is None:
                    why = "not a whole number"
            else:
                val = raw
            if val is not None:
                for test, reason in rules:
                    if not test(val) and why is None:
                        why = reason
            parsed[name] = val
        parsed_rows.append((parsed, why))
    if unique:
        keys = {}
        for parsed, why in parsed_rows:
            if why is None:
                k = tuple(parsed[u] for u in unique[0])
                keys[k] = keys.get(k, 0) + 1
    for parsed, why in parsed_rows:
        if why is None and unique and keys[tuple(parsed[u] for u in unique[0])] > 1:
            why = unique[1]
        if why is None:
            ok.append(parsed)
        else:
            reasons.append(why)
    return ok, reasons


def account(name, rows, reasons):
    by = {}
    for r in reasons:
        by[r] = by.get(r, 0) + 1
    return {"file": name, "read": len(rows), "rejected": len(reasons), "by_reason": by}


def load_cohort():
    _, rows = read_rows("cohort.csv")
    fields = [
        ("person_id", "text", True, []),
        ("index_date", "date", True, [
            (lambda d: d >= WIN_START, f"index date before the data window (starts {WIN_START})"),
            (lambda d: d <= EXTRACT, f"index date after the extract date ({EXTRACT})"),
        ]),
        ("group", "text", True, [
            (lambda g: g in ("programme", "comparison", "unknown"),
             "group must be programme, comparison or unknown"),
        ]),
        ("end_date", "date", False, [
            (lambda d: d <= EXTRACT, f"end date after the extract date ({EXTRACT})"),
        ]),
        ("end_reason", "text", False, [
            (lambda r: r in ("exit", "death", "moved"), "end reason must be exit, death or moved"),
        ]),
    ]
    ok, reasons = validate(rows, fields, (["person_id"], "duplicate person id"))
    return ok, account("cohort.csv", rows, reasons)


def load_service_use(ids):
    _, rows = read_rows("service_use.csv")
    fields = [
        ("person_id", "text", True, [(lambda p: p in ids, "unknown person id (not in the cohort)")]),
        ("date", "date", True, [
            (lambda d: d >= WIN_START, f"date before the cohort's data window (starts {WIN_START})"),
            (lambda d: d <= EXTRACT, f"date after the extract date ({EXTRACT})"),
        ]),
        ("category", "text", True, [(lambda c: c in CODES, "unknown service-use category")]),
        ("count", "int", False, [(lambda n: 0 <= n <= 2**32 - 1, "counts must not be negative")]),
    ]
    ok, reasons = validate(rows, fields)
    for e in ok:
        if e["count"] is None:
            e["count"] = 1
    return ok, account("service_use.csv", rows, reasons)


def load_ndt(ids):
    _, rows = read_rows("ndt.csv")
    fields = [
        ("person_id", "text", True, [(lambda p: p in ids, "unknown person id (not in the cohort)")]),
        ("date", "date", True, [
            (lambda d: d >= WIN_START, f"date before the cohort's data window (starts {WIN_START})"),
            (lambda d: d <= EXTRACT, f"date after the extract date ({EXTRACT})"),
        ]),
    ]
    for col, _, double in NDT_ITEMS:
        if double:
            allowed = {0, 2, 4, 6, 8, 997, 999}
            rule = "risk items are double-weighted: 0, 2, 4, 6 or 8 (odd values are invalid)"
        else:
            allowed = {0, 1, 2, 3, 4, 997, 999}
            rule = "NDT items are scored 0, 1, 2, 3 or 4"
        fields.append((col, "int", False, [
            (lambda v, allowed=allowed: v in allowed,
             f"{rule} (997/999 are the CDF's not-done/not-due codes)"),
        ]))
    ok, reasons = validate(rows, fields,
                           (["person_id", "date"], "duplicate assessment (same person and date)"))
    for a in ok:
        items = [a[c] if a[c] not in (997, 999) else None for c, _, _ in NDT_ITEMS]
        a["items"] = items
        a["total"] = float(sum(items)) if all(v is not None for v in items) else None
    return ok, account("ndt.csv", rows, reasons)


# ---------------------------------------------------------------------------
# Disclosure control: minimum cell size, secondary suppression over declared
# totals, linked population counts (METHODS.md "Disclosure control")
# ---------------------------------------------------------------------------

LINKS = {}  # population key -> (count, suppressed) from tables cleared earlier


class Tab:
    """A table before clearing. columns: (name, kind, basis, numerator, decimals)
    with kind in label/count/stat/rate. Cells: str (label), int (count),
    float (statistic), None (not available)."""

    def __init__(self, stem, columns):
        self.stem = stem
        self.columns = columns
        self.names = [c[0] for c in columns]
        self.rows = []
        self.totals = []  # (total column, [part columns]) per row
        self.links = []  # (row, column name, key)
        self.confidential = []  # (row, column index)
        self.row_totals = []  # (total row, [part rows]), for every count column
        # Relations a reader knows: ([(coef, ("cell", (row, column name)) or
        # ("pop", key))], "eq" | "le"), meaning sum(coef * term) = / <= 0.
        self.relations = []

    def col(self, name):
        return self.names.index(name)

    def clear(self):
        nc = len(self.columns)
        sup = {}
        for r, row in enumerate(self.rows):
            for c, v in enumerate(row):
                if self.columns[c][1] == "count" and 1 <= v <= K:
                    sup[(r, c)] = True
        for rc in self.confidential:
            sup[rc] = True
        lines = []
        for total, parts in self.row_totals:
            for c in range(nc):
                if self.columns[c][1] == "count":
                    lines.append(((total, c), [(p, c) for p in parts]))
        for total, parts in self.totals:
            for r in range(len(self.rows)):
                lines.append(((r, self.col(total)), [(r, self.col(p)) for p in parts]))
        self.lines = lines
        by_key = {}
        for r, name, key in self.links:
            by_key.setdefault(key, []).append((r, self.col(name)))
            if key in LINKS and LINKS[key][1]:
                sup[(r, self.col(name))] = True
        locked = {rc for key, cells in by_key.items() if key in LINKS and not LINKS[key][1]
                  for rc in cells}

        def val(rc):
            return self.rows[rc[0]][rc[1]]

        while True:
            # A line with exactly one suppressed cell gives it away: suppress
            # its smallest non-zero free part (then the total) as well.
            changed = True
            while changed:
                changed = False
                for total, parts in lines:
                    cells = [total] + parts
                    if sum(1 for x in cells if sup.get(x)) != 1:
                        continue
                    free = [p for p in parts if not sup.get(p) and p not in locked and val(p) > 0]
                    if free:
                        pick = min(free, key=lambda p: (val(p), p[0] * nc + p[1]))
                    elif not sup.get(total) and total not in locked and val(total) > 0:
                        pick = total
                    elif [p for p in parts if not sup.get(p) and p not in locked]:
                        # only zeros (or counts published elsewhere) are left:
                        # the first zero part leaves the line two unknowns
                        pick = [p for p in parts if not sup.get(p) and p not in locked][0]
                    else:
                        raise RuntimeError(f"{self.stem}: cannot protect a line")
                    sup[pick] = True
                    changed = True
            # No suppressed cell may be determined by the lines together.
            unknown = sorted({x for t, p in lines for x in [t] + p if sup.get(x)})
            if unknown:
                m = []
                for t, p in lines:
                    row = [0.0] * len(unknown)
                    for x in [t] + p:
                        if x in unknown:
                            row[unknown.index(x)] += 1.0 if x == t else -1.0
                    if any(row):
                        m.append(row)
                m = np.array(m)
                rank = np.linalg.matrix_rank(m)
                for j, x in enumerate(unknown):
                    e = np.zeros(len(unknown))
                    e[j] = 1.0
                    if val(x) > 0 and np.linalg.matrix_rank(np.vstack([m, e])) == rank:
                        raise RuntimeError(f"{self.stem}: cell {x} is determined by the totals")
            grew = False
            for key, cells in by_key.items():
                if any(sup.get(x) for x in cells):
                    for x in cells:
                        if not sup.get(x):
                            sup[x] = True
                            grew = True
            if not grew:
                break
        for key, cells in by_key.items():
            LINKS[key] = (val(cells[0]), any(sup.get(x) for x in cells))
        self.sup = {rc for rc, s in sup.items() if s}
        self.locked = locked

        out = []
        for r, row in enumerate(self.rows):
            cells = []
            for c, v in enumerate(row):
                name, kind, basis, numerator, dec = self.columns[c]
                if kind == "label":
                    cells.append(v)
                elif kind == "count":
                    cells.append(SYMBOL if sup.get((r, c)) else str(v))
                elif v is None:
                    cells.append("x")
                elif sup.get((r, c)):
                    cells.append(SYMBOL)  # marked confidential
                else:
                    bc = self.col(basis)
                    n = row[bc]
                    if 1 <= n <= K:
                        cells.append(SYMBOL)
                    elif kind == "rate" and (sup.get((r, bc)) or sup.get((r, self.col(numerator)))):
                        cells.append(SYMBOL)
                    else:
                        cells.append(repr(rust_round(float(v), dec)))
            out.append(cells)
        return out


# ---------------------------------------------------------------------------
# The release audit (METHODS.md "Disclosure control", section 5): the tables
# cleared so far, read together as an attacker would. Unknowns: one per
# suppressed count (one per linked population); constraints: every declared
# total and relation of every table, published counts as constants, every
# unknown >= 0. A suppressed non-zero count is exposed when its least and
# greatest values (linear programmes, scipy's HiGHS) hold one whole number.
# While one is exposed, the table being cleared suppresses one more of its
# own published counts, and is cleared again.
# ---------------------------------------------------------------------------

from scipy.optimize import linprog  # noqa: E402

RELEASE = []  # tables cleared so far, in publication order
EPS = 1e-6


def attacker(tabs):
    """(variables, rows): variables as dicts {truth, cells}; rows as
    (coefficients {var: coef}, rhs, "eq" | "le", cells [(table, (r, c))])."""
    key_at, first_of_key = {}, {}
    for t, tab in enumerate(tabs):
        for r, name, key in tab.links:
            key_at[(t, (r, tab.col(name)))] = key
            first_of_key.setdefault(key, (t, (r, tab.col(name))))
    ident_var, variables, rows = {}, [], []

    def var(ident, truth):
        if ident not in ident_var:
            ident_var[ident] = len(variables)
            variables.append({"truth": truth, "cells": []})
        return ident_var[ident]

    def add(row, t, rc, coef):
        coefs, rhs, kind, cells = row
        cells.append((t, rc))
        tab = tabs[t]
        value = tab.rows[rc[0]][rc[1]]
        if rc not in tab.sup:
            return (coefs, rhs - coef * value, kind, cells)
        key = key_at.get((t, rc))
        v = var(("key", key) if key is not None else ("cell", t, rc), value)
        if (t, rc) not in variables[v]["cells"]:
            variables[v]["cells"].append((t, rc))
        coefs[v] = coefs.get(v, 0.0) + coef
        return (coefs, rhs, kind, cells)

    for t, tab in enumerate(tabs):
        for total, parts in tab.lines:
            row = add(({}, 0.0, "eq", []), t, total, -1.0)
            for p in parts:
                row = add(row, t, p, 1.0)
            rows.append(row)
        for terms, kind in tab.relations:
            row = ({}, 0.0, kind, [])
            for coef, (what, ref) in terms:
                if what == "cell":
                    row = add(row, t, (ref[0], tab.col(ref[1])), float(coef))
                elif ref in first_of_key:
                    row = add(row, *first_of_key[ref], float(coef))
                else:  # a population no table shows: unknown, any size
                    v = var(("key", ref), None)
                    row[0][v] = row[0].get(v, 0.0) + float(coef)
            rows.append(row)
    return variables, [r for r in rows if r[0]]


def bounds(variables, rows, x):
    n = len(variables)
    a_eq = [[r[0].get(v, 0.0) for v in range(n)] for r in rows if r[2] == "eq"]
    b_eq = [r[1] for r in rows if r[2] == "eq"]
    a_ub = [[r[0].get(v, 0.0) for v in range(n)] for r in rows if r[2] == "le"]
    b_ub = [r[1] for r in rows if r[2] == "le"]
    out = []
    for sign in (1.0, -1.0):
        c = [0.0] * n
        c[x] = sign
        res = linprog(c, A_ub=a_ub or None, b_ub=b_ub or None, A_eq=a_eq or None,
                      b_eq=b_eq or None, bounds=[(0, None)] * n, method="highs")
        if res.status == 3:
            out.append(math.inf)
        else:
            assert res.status == 0, f"the published release has no solution: {res.message}"
            out.append(sign * res.fun)
    return out  # least, greatest


def exposed(tabs):
    """Exposed variables, ordered by their first cell in release order."""
    variables, rows = attacker(tabs)
    out = []
    for x, v in enumerate(variables):
        if v["truth"] is None or v["truth"] <= 0:
            continue
        lo, hi = bounds(variables, rows, x)
        if math.floor(hi + EPS) - math.ceil(lo - EPS) < 1:
            out.append(x)
    first = lambda x: min((t, r * len(tabs[t].columns) + c)
                          for t, (r, c) in variables[x]["cells"])
    return sorted(out, key=first), variables, rows, first


def components(variables, rows):
    parent = list(range(len(variables)))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for coefs, _, _, _ in rows:
        vs = list(coefs)
        for v in vs[1:]:
            parent[find(vs[0])] = find(v)
    return find


def release_clear(tab):
    """Clear `tab` as the next table of the release (the crate's Release::clear)."""
    saved = dict(LINKS)
    checked = False
    while True:
        LINKS.clear()
        LINKS.update(saved)
        cells = tab.clear()
        if not checked:
            check_relations(tab, saved)
            checked = True
        tabs = RELEASE + [tab]
        ex, variables, rows, first = exposed(tabs)
        if not ex:
            RELEASE.append(tab)
            return cells
        pick = breaker(tab, saved, tabs, ex[0], variables, rows, first)
        tab.confidential.append(pick)


def check_relations(tab, links_before):
    """The declared relations hold for the true counts."""
    def truth(key):
        for r, name, k in tab.links:
            if k == key:
                return tab.rows[r][tab.col(name)]
        return links_before[key][0] if key in links_before else None
    for terms, kind in tab.relations:
        vals = [(coef, tab.rows[ref[0]][tab.col(ref[1])] if what == "cell" else truth(ref))
                for coef, (what, ref) in terms]
        if all(v is not None for _, v in vals):
            s = sum(coef * v for coef, v in vals)
            assert (s == 0) if kind == "eq" else (s <= 0), f"{tab.stem}: relation fails"


def breaker(tab, links_before, tabs, target, variables, rows, first):
    """A published count of `tab` whose suppression protects `target`: of the
    cells sharing a constraint with it, the first (zeros last, then cells
    linked to other tables, then by value, then table order) that removes
    the exposure; else the first of those; else the first such cell of any
    constraint connected to it."""
    new = len(tabs) - 1
    nc = len(tab.columns)
    keyed = {(r, tab.col(name)): key for r, name, key in tab.links}

    def eligible(rc):
        r, c = rc
        if tab.columns[c][1] != "count" or rc in tab.sup:
            return None
        key = keyed.get(rc)
        if key is not None and key in links_before and not links_before[key][1]:
            return None  # published earlier: suppressing it here protects nothing
        v = tab.rows[r][c]
        return (v == 0, key is not None, v, r * nc + c)

    find = components(variables, rows)
    near, far = set(), set()
    for coefs, _, _, cells in rows:
        if not any(find(v) == find(target) for v in coefs):
            continue
        for t, rc in cells:
            k = eligible(rc) if t == new else None
            if k is not None:
                (near if target in coefs else far).add(k)
    near, far = sorted(near), sorted(far)
    at = lambda k: (k[3] // nc, k[3] % nc)
    want = first(target)
    for k in near:
        trial = copy.deepcopy(tab)
        trial.confidential.append(at(k))
        LINKS.clear()
        LINKS.update(links_before)
        trial.clear()
        ex2, _, _, first2 = exposed(RELEASE + [trial])
        if all(first2(x) != want for x in ex2):
            return at(k)
    assert near or far, f"{tab.stem}: an exposed count cannot be protected"
    return at((near or far)[0])


def write(stem, tab, cleared):
    path = os.path.join(OUT, f"{stem}.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(f"# written by scripts/golden/part_a.py: {COMMAND}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(tab.names)
        w.writerows(cleared)
    return sum(len(r) for r in cleared)


def L(name):
    return (name, "label", None, None, 0)


def C(name):
    return (name, "count", None, None, 0)


def S(name, dec, basis="People"):
    return (name, "stat", basis, None, dec)


def R(name, numerator, dec, basis="People"):
    return (name, "rate", basis, numerator, dec)


def nz(x, n):
    """A statistic cell: not available when missing, not finite or n = 0."""
    return x if (x is not None and math.isfinite(x) and n > 0) else None


# ---------------------------------------------------------------------------
# NDT (METHODS.md "NDT"): baseline nearest the start within 90 days before or
# after; follow-up nearest start + 12 months within 90 days, after the baseline
# ---------------------------------------------------------------------------

def nearest(dates, target, lo, hi, after=None):
    best = None
    for i, d in enumerate(dates):
        off = (d - target).days
        if lo <= off <= hi and (after is None or d > after):
            key = (abs(off), d)
            if best is None or key < best[0]:
                best = (key, i)
    return None if best is None else best[1]


def ndt_pairs(cohort, ndt, code):
    """The group's baseline and follow-up totals where both are defined."""
    by_person = {}
    for a in ndt:
        by_person.setdefault(a["person_id"], []).append(a)
    tb, ta = [], []
    for m in cohort:
        if m["group"] != code:
            continue
        lst = by_person.get(m["person_id"], [])
        dates = [a["date"] for a in lst]
        b = nearest(dates, m["index_date"], -BASE_BEFORE, BASE_AFTER)
        if b is None:
            continue
        f = nearest(dates, add_months(m["index_date"], NDT_FOLLOW_UP), -FU_TOL, FU_TOL, after=dates[b])
        if f is not None and lst[b]["total"] is not None and lst[f]["total"] is not None:
            tb.append(lst[b]["total"])
            ta.append(lst[f]["total"])
    return tb, ta


def paired_row(label, group, s, n):
    if s is None:
        return [label, group, n] + [None] * 12
    n = s["n"]
    boot = s["boot"] or (None, None)
    return [label, group, n, nz(s["mean_before"], n), nz(s["mean_after"], n),
            nz(s["mean_change"], n), nz(s["ci"][0], n), nz(s["ci"][1], n),
            nz(s["t"], n), nz(s["p_t"], n), nz(s["p_w"], n), nz(s["p_sign"], n),
            nz(s["dz"], n), nz(boot[0], n), nz(boot[1], n)]


PAIRED_COLUMNS = [L("Outcome"), L("Group"), C("People"), S("Mean before", 2), S("Mean after", 2),
                  S("Mean change", 2), S("Change CI lower", 2), S("Change CI upper", 2),
                  S("Paired t", 3), S("p (paired t)", 4), S("p (Wilcoxon)", 4),
                  S("p (sign test)", 4), S("Cohen's d_z", 3), S("Bootstrap BCa lower", 2),
                  S("Bootstrap BCa upper", 2)]


def ndt_tables(cohort, ndt):
    by_person = {}
    for a in ndt:
        by_person.setdefault(a["person_id"], []).append(a)
    sel = Tab("ndt_selection", [L("Group"), C("People"), C("Baseline and follow-up"),
                                C("No baseline"), C("No follow-up")])
    sel.totals.append(("People", ["Baseline and follow-up", "No baseline", "No follow-up"]))
    items = Tab("ndt_items", [L("Group"), L("Item"), C("People"), S("Baseline mean", 2),
                              S("Follow-up mean", 2), S("Mean change", 2),
                              S("p (Wilcoxon)", 4), S(f"p (Wilcoxon, {P_ADJUST_LABEL})", 4)])
    tot = Tab("ndt_total_change", PAIRED_COLUMNS)
    rci = Tab("ndt_reliable_change", [L("Group"), C("People"), C("Reliably improved"),
                                      C("No reliable change"), C("Reliably deteriorated")])
    rci.totals.append(("People", ["Reliably improved", "No reliable change",
                                  "Reliably deteriorated"]))
    over = Tab("ndt_over_time", [L("Group"), L("Quarter"), C("People"), S("Mean total", 2),
                                 S("CI lower", 2), S("CI upper", 2)])
    last_q = max(NDT_FOLLOW_UP // 3, 4)
    for gi, (code, label) in enumerate(GROUPS):
        members = [m for m in cohort if m["group"] == code]
        pairs = []
        nb = nf = 0
        for m in members:
            lst = by_person.get(m["person_id"], [])
            dates = [a["date"] for a in lst]
            idx = m["index_date"]
            b = nearest(dates, idx, -BASE_BEFORE, BASE_AFTER)
            if b is None:
                nb += 1
                continue
            f = nearest(dates, add_months(idx, NDT_FOLLOW_UP), -FU_TOL, FU_TOL, after=dates[b])
            if f is None:
                nf += 1
                continue
            pairs.append((lst[b], lst[f]))
        r = len(sel.rows)
        sel.rows.append([label, len(members), len(pairs), nb, nf])
        sel.links.append((r, "People", f"cohort:{code}"))
        family = []  # the items of one group are one family of tests
        for i, (_, ilabel, _) in enumerate(NDT_ITEMS):
            pp = [(float(b["items"][i]), float(f["items"][i])) for b, f in pairs
                  if b["items"][i] is not None and f["items"][i] is not None]
            n = len(pp)
            mb = fsum_seq(p[0] for p in pp) / n if n else None
            ma = fsum_seq(p[1] for p in pp) / n if n else None
            s = paired_stats([p[0] for p in pp], [p[1] for p in pp])
            pw = None if s is None else s["p_w"]
            row = [label, ilabel, n, nz(mb, n), nz(ma, n), nz(ma - mb, n) if n else None,
                   nz(pw, n), None]
            family.append((row, pw))
            items.rows.append(row)
        for f, a in zip(family, adjust_family([f[1] for f in family])):
            f[0][7] = None if a is None else nz(a, f[0][2])
        tb = [b["total"] for b, f in pairs if b["total"] is not None and f["total"] is not None]
        ta = [f["total"] for b, f in pairs if b["total"] is not None and f["total"] is not None]
        s = paired_stats(tb, ta, boot_seed=SEED + 100 + gi)
        r = len(tot.rows)
        tot.rows.append(paired_row("NDT total (0-48)", label, s, len(tb)))
        tot.links.append((r, "People", f"ndtpairs:{code}"))
        # Reliable change (Jacobson & Truax): S_diff = sqrt(2) * SD_baseline * sqrt(1 - r);
        # lower is better, so improved when (after - before) / S_diff < -1.96.
        if len(tb) >= 2 and var(tb) > 0:
            sdiff = math.sqrt(2.0) * math.sqrt(var(tb)) * math.sqrt(1.0 - NDT_RELIABILITY)
            rc = [(y - x) / sdiff for x, y in zip(tb, ta)]
            imp = sum(1 for v in rc if -v > 1.96)
            det = sum(1 for v in rc if -v < -1.96)
            r = len(rci.rows)
            rci.rows.append([label, len(rc), imp, len(rc) - imp - det, det])
            rci.links.append((r, "People", f"ndtpairs:{code}"))
        else:
            rci.rows.append([label, 0, 0, 0, 0])
        # Mean total by quarter since the start: each person's first assessment
        # with a defined total in each quarter, quarters -1 .. last_q.
        per_q = {}
        for m in members:
            seen = set()
            for a in sorted(by_person.get(m["person_id"], []), key=lambda a: a["date"]):
                q = months_between(m["index_date"], a["date"]) // 3
                if not (-1 <= q <= last_q) or q in seen:
                    continue
                if a["total"] is not None:
                    seen.add(q)
                    per_q.setdefault(q, []).append(a["total"])
        for q in range(-1, last_q + 1):
            v = per_q.get(q, [])
            n = len(v)
            if n >= 2:
                mm = mean(v)
                lo, hi = t_interval(mm, math.sqrt(var(v) / n), n - 1)
                over.rows.append([label, f"Q{q}", n, nz(mm, n), nz(lo, n), nz(hi, n)])
            else:
                over.rows.append([label, f"Q{q}", n, None, None, None])
    return [sel, tot, rci, items, over]


# ---------------------------------------------------------------------------
# Service use (METHODS.md "Service use"): windows of 12 months before and
# after the start; rate per quarter = count x 91.310625 / days observed; people
# observed for less than min_fraction of either window are left out
# ---------------------------------------------------------------------------

def observed_days(m, start_month, end_month):
    ws = add_months(m["index_date"], start_month)
    we = add_months(m["index_date"], end_month) - dt.timedelta(days=1)
    wdays = (we - ws).days + 1
    oend = EXTRACT if m["end_date"] is None else min(m["end_date"], EXTRACT)
    s, e = max(ws, WIN_START), min(we, oend)
    return ((e - s).days + 1 if s <= e else 0), wdays


def service_rates(cohort, events):
    """The kept people (member, observed days before, after, partly observed) and
    rates(category, group) -> (before, after) per-quarter rates in cohort order."""
    windows = {"before": (-MONTHS_BEFORE, 0), "after": (0, MONTHS_AFTER)}
    counts = {}
    pos = {m["person_id"]: m for m in cohort}
    for e in events:
        m = pos[e["person_id"]]
        k = months_between(m["index_date"], e["date"])
        for w, (lo, hi) in windows.items():
            if lo <= k < hi:
                key = (e["person_id"], w, e["category"])
                counts[key] = counts.get(key, 0) + e["count"]
    kept = []  # (member, obs_before, obs_after, partly)
    for m in cohort:
        ob, wb = observed_days(m, *windows["before"])
        oa, wa = observed_days(m, *windows["after"])
        fb = ob / wb if wb > 0 else 0.0
        fa = oa / wa if wa > 0 else 0.0
        if fb >= MIN_FRACTION and fa >= MIN_FRACTION and ob > 0 and oa > 0:
            kept.append((m, ob, oa, ob < wb or oa < wa))

    def rates(code, g):
        b, a = [], []
        for m, ob, oa, _ in kept:
            if m["group"] != g:
                continue
            b.append(counts.get((m["person_id"], "before", code), 0) * DAYS_PER_QUARTER / ob)
            a.append(counts.get((m["person_id"], "after", code), 0) * DAYS_PER_QUARTER / oa)
        return b, a

    return kept, rates


P_ADJUST = SPEC["statistics"].get("p_adjust", "holm")
P_ADJUST_LABEL = {"holm": "Holm", "bh": "BH"}[P_ADJUST]


def adjust_family(p):
    """The defined p-values of one family adjusted together (statsmodels
    multipletests, method "holm" or "fdr_bh"); None stays None."""
    from statsmodels.stats.multitest import multipletests
    p = [v if (v is not None and math.isfinite(v)) else None for v in p]
    defined = [v for v in p if v is not None]
    if not defined:
        return p
    adj = iter(multipletests(defined, method={"holm": "holm", "bh": "fdr_bh"}[P_ADJUST])[1])
    return [None if v is None else float(next(adj)) for v in p]


def service_use_tables(cohort, events):
    kept, rates = service_rates(cohort, events)
    cov = Tab("service_use_coverage", [L("Group"), C("People"), C("Kept"), C("Left out"),
                                       C("Kept, whole windows observed"),
                                       C("Kept, part of a window observed")])
    cov.totals.append(("People", ["Kept", "Left out"]))
    cov.totals.append(("Kept", ["Kept, whole windows observed",
                                "Kept, part of a window observed"]))
    for r, (code, label) in enumerate(GROUPS):
        people = sum(1 for m in cohort if m["group"] == code)
        k = [x for x in kept if x[0]["group"] == code]
        partly = sum(1 for x in k if x[3])
        cov.rows.append([label, people, len(k), people - len(k), len(k) - partly, partly])
        cov.links += [(r, "People", f"cohort:{code}"), (r, "Kept", f"kept:{code}"),
                      (r, "Kept, whole windows observed", f"whole:{code}")]

    su = Tab("service_use", [L("Group"), L("Category"), C("People"),
                             S("Before", 3), S("Before CI lower", 3), S("Before CI upper", 3),
                             S("After", 3), S("After CI lower", 3), S("After CI upper", 3),
                             S("Mean change", 3), S("Change CI lower", 3),
                             S("Change CI upper", 3), S("p (paired t)", 4),
                             S(f"p (paired t, {P_ADJUST_LABEL})", 4), S("p (Wilcoxon)", 4),
                             S(f"p (Wilcoxon, {P_ADJUST_LABEL})", 4)])
    for code, label in GROUPS:
        family = []  # (row, p_t, p_w): the categories of one group are one family
        for cat in CODES:
            b, a = rates(cat, code)
            n = len(b)
            row = [label, LABEL[cat], n]
            for x in (b, a):
                if n >= 2:
                    mm = mean(x)
                    lo, hi = t_interval(mm, math.sqrt(var(x) / n), n - 1)
                    row += [nz(mm, n), nz(lo, n), nz(hi, n)]
                else:
                    row += [None] * 3
            s = paired_stats(b, a)
            if s is None:
                row += [None] * 7
                family.append((row, None, None))
            else:
                row += [nz(s["mean_change"], n), nz(s["ci"][0], n), nz(s["ci"][1], n),
                        nz(s["p_t"], n), None, nz(s["p_w"], n), None]
                family.append((row, s["p_t"], s["p_w"]))
            r = len(su.rows)
            su.rows.append(row)
            su.links.append((r, "People", f"kept:{code}"))
        for j, col in ((1, 13), (2, 15)):
            adj = adjust_family([f[j] for f in family])
            for f, a in zip(family, adj):
                f[0][col] = None if a is None else nz(a, f[0][2])

    # Programme against comparison after the start (scipy's ttest_ind(equal_var=False)
    # with its confidence_interval, mannwhitneyu(method="auto", use_continuity=True);
    # Cohen's d over the pooled SD, Hedges' g = J d with J = 1 - 3/(4 df - 1), the
    # normal interval from V_g = J^2 ((n1+n2)/(n1 n2) + d^2/(2(n1+n2)))).
    fu = Tab("service_use_follow_up", [
        L("Category"), C("Programme"), C("Comparison"),
        S("Programme mean", 3, "Programme"), S("Comparison mean", 3, "Comparison"),
        S("Difference", 3, "Programme"), S("Welch CI lower", 3, "Programme"),
        S("Welch CI upper", 3, "Programme"), S("p (Welch t)", 4, "Programme"),
        S(f"p (Welch t, {P_ADJUST_LABEL})", 4, "Programme"),
        S("p (Mann-Whitney)", 4, "Programme"),
        S(f"p (Mann-Whitney, {P_ADJUST_LABEL})", 4, "Programme"),
        S("Cohen's d", 3, "Programme"), S("Hedges' g", 3, "Programme"),
        S("g CI lower", 3, "Programme"), S("g CI upper", 3, "Programme")])
    pw_all, pm_all = [], []
    for cat in CODES:
        _, ap = rates(cat, "programme")
        _, ac = rates(cat, "comparison")
        n1, n2 = len(ap), len(ac)
        row = [LABEL[cat], n1, n2, nz(mean(ap), n1) if n1 else None,
               nz(mean(ac), n2) if n2 else None]
        m = min(n1, n2)
        pw = pm = None
        if n1 >= 2 and n2 >= 2:
            w = stats.ttest_ind(ap, ac, equal_var=False)
            ci = w.confidence_interval(confidence_level=LEVEL)
            pw = float(w.pvalue)
            try:
                pm = float(stats.mannwhitneyu(ap, ac, use_continuity=True,
                                              alternative="two-sided", method="auto").pvalue)
            except ValueError:
                pm = None
            diff = mean(ap) - mean(ac)
            sp = math.sqrt(((n1 - 1) * var(ap) + (n2 - 1) * var(ac)) / (n1 + n2 - 2))
            if sp > 0:
                d = diff / sp
                j = 1.0 - 3.0 / (4.0 * (n1 + n2 - 2) - 1.0)
                vg = j * j * ((n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2)))
                z = stats.norm.ppf(1 - (1 - LEVEL) / 2)
                g = j * d
                dg = [d, g, g - z * math.sqrt(vg), g + z * math.sqrt(vg)]
            else:
                dg = [None] * 4
            row += [nz(mean(ap) - mean(ac), m),
                    nz(float(ci.low), m), nz(float(ci.high), m), nz(pw, m), None,
                    nz(pm, m), None] + [nz(v, m) for v in dg]
        else:
            row += [None] * 11
        pw_all.append(pw)
        pm_all.append(pm)
        r = len(fu.rows)
        fu.rows.append(row)
        fu.links += [(r, "Programme", "kept:programme"), (r, "Comparison", "kept:comparison")]
    for col, ps in ((9, pw_all), (11, pm_all)):
        for row, a in zip(fu.rows, adjust_family(ps)):
            row[col] = None if a is None else nz(a, min(row[1], row[2]))
    for r, row in enumerate(fu.rows):
        if 1 <= row[2] <= K:
            fu.confidential += [(r, c) for c in range(5, 16)]

    bt = Tab("binary_outcome", [L("Group"), C("People"), C("Any before"),
                                R("% before", "Any before", 1),
                                R("% before CI lower", "Any before", 1),
                                R("% before CI upper", "Any before", 1), C("Any after"),
                                R("% after", "Any after", 1),
                                R("% after CI lower", "Any after", 1),
                                R("% after CI upper", "Any after", 1), C("Stopped"),
                                C("Started"), S("p (McNemar exact)", 4),
                                S("p (McNemar chi-square)", 4)])
    for r, (code, label) in enumerate(GROUPS):
        b, a = rates(BINARY, code)
        b = [v > 0 for v in b]
        a = [v > 0 for v in a]
        n = len(b)
        nb, na = sum(b), sum(a)
        stopped = sum(1 for x, y in zip(b, a) if x and not y)
        started = sum(1 for x, y in zip(b, a) if not x and y)
        row = [label, n, nb]
        if n > 0:
            for k, at in ((nb, 3), (na, None)):
                lo, hi = proportion_confint(k, n, alpha=ALPHA, method="wilson")
                part = [100.0 * k / n, 100.0 * lo, 100.0 * hi]
                if at is None:
                    row += [na] + part
                else:
                    row += part
        else:
            row += [None] * 3 + [na] + [None] * 3
        row += [stopped, started]
        m = stopped + started
        if n > 0 and m > 0:
            p_exact = stats.binomtest(min(stopped, started), m, 0.5).pvalue
            chi = (abs(stopped - started) - 1.0) ** 2 / m
            p_chi = stats.chi2.sf(chi, 1)
            row += [nz(p_exact, n), nz(p_chi, n)]
            # The McNemar p-values are functions of the discordant counts:
            # withheld when either count is.
            if 1 <= stopped <= K or 1 <= started <= K:
                bt.confidential += [(r, 12), (r, 13)]
        else:
            row += [None, None]
        bt.rows.append(row)
        bt.links.append((r, "People", f"kept:{code}"))
    return [cov, su, fu, bt]


# ---------------------------------------------------------------------------
# The school files' validation accounts (METHODS.md "School attendance",
# "Anti-social behaviour"; register codes as in /work/shared/reference/domain.md
# section 4.2: the DfE 2006 set before 19 August 2024, the 2024 set from it)
# ---------------------------------------------------------------------------

PRE_2024 = set("/ \\ B C D E F G H I J L M N O P R S T U V W X Y Z #".split())
FROM_2024 = set("/ \\ L K V P W B C C1 C2 M J1 R S T I E G N O U X Y1 Y2 Y3 Y4 Y5 Y6 Y7 "
                "Q D Z #".split())
SET_LABEL = {"pre": "pre-2024 (2006 regulations)", "new": "2024 regulations (from 19 Aug 2024)"}
CODES_SWITCH = dt.date(2024, 8, 19)


def school_account(name, rows_read, reasons):
    """reasons: (disposition, column, reason) per excluded row."""
    by = {}
    for d, c, r in reasons:
        k = f"{d}: column `{c}`: {r}"
        by[k] = by.get(k, 0) + 1
    return {"file": name, "read": rows_read, "rejected": len(reasons), "by_reason": by}


def register_account():
    header, rows = read_rows("register.csv")
    reasons, seen = [], set()
    for row in rows:
        d = dt.date.fromisoformat(row["date"].strip())
        assert row["session"].strip().upper() in ("AM", "PM") and row["pupil_id"].strip()
        code = row["code"].strip()
        now, other = ("new", "pre") if d >= CODES_SWITCH else ("pre", "new")
        sets = {"pre": PRE_2024, "new": FROM_2024}
        if code not in sets[now]:
            if code in sets[other]:
                why = (f"not a code of the {SET_LABEL[now]} set in force on {d} "
                       f"(it belongs to the {SET_LABEL[other]} set)")
            else:
                why = f"not a register code of the {SET_LABEL[now]} set in force on {d}"
            reasons.append(("invalid", "code", why))
            continue
        key = (row["pupil_id"].strip(), row["school_urn"].strip(), d, row["session"].strip().upper())
        if key in seen:
            reasons.append(("invalid", "session", "duplicate mark: an earlier row already "
                            "records this pupil's session at this school"))
            continue
        seen.add(key)
    return school_account("register.csv", len(rows), reasons)


def enrolment_account():
    _, rows = read_rows("enrolment_counts.csv")
    reasons, seen = [], set()
    for row in rows:
        yr = row["time_period"].strip()
        assert len(yr) == 6 and yr.isdigit() and int(yr[4:]) == (int(yr[:4]) + 1) % 100
        p, a, u, o = (int(row[c]) for c in ("sess_possible", "sess_authorised",
                                             "sess_unauthorised", "sess_overall"))
        if a + u != o:
            reasons.append(("invalid", "sess_overall",
                            "sess_overall must equal sess_authorised + sess_unauthorised"))
        elif min(p, a, u) < 0:
            col = ["sess_possible", "sess_authorised", "sess_unauthorised"][
                [p < 0, a < 0, u < 0].index(True)]
            reasons.append(("invalid", col, "session counts must not be negative"))
        elif a + u > p:
            reasons.append(("invalid", "sess_authorised",
                            "sess_authorised + sess_unauthorised must not exceed sess_possible"))
        elif (yr, row["school_urn"].strip(), row["pupil_id"].strip()) in seen:
            reasons.append(("invalid", "pupil_id", "duplicate enrolment: an earlier row already "
                            "gives this pupil's counts at this school in this year"))
        else:
            seen.add((yr, row["school_urn"].strip(), row["pupil_id"].strip()))
    return school_account("enrolment_counts.csv", len(rows), reasons)


def police_account():
    _, rows = read_rows("police_uk_street.csv")
    reasons = []
    for row in rows:
        t = row["Crime type"].strip()
        if t == "":
            reasons.append(("invalid", "Crime type", "crime type is empty"))
        elif t != "Anti-social behaviour":
            reasons.append(("filtered by rule", "Crime type",
                            'crime type is not "Anti-social behaviour"'))
        elif not (len(row["Month"].strip()) == 7 and row["Month"][4] == "-"
                  and 1 <= int(row["Month"][5:7]) <= 12):
            reasons.append(("invalid", "Month", "month must be YYYY-MM (1900-01 to 9999-12)"))
        elif row["LSOA code"].strip() == "":
            reasons.append(("invalid", "LSOA code", "no LSOA code: the record has no location "
                            "and cannot be assigned to an area"))
    return school_account("police_uk_street.csv", len(rows), reasons)


def population_account():
    _, rows = read_rows("population.csv")
    reasons, seen = [], set()
    for row in rows:
        key = (row["area"].strip(), int(row["year"]))
        assert key[0] and int(row["population"]) > 0 and row["source"].strip()
        if key in seen:
            reasons.append(("invalid", "area", "duplicate population row for this area and year"))
        seen.add(key)
    return school_account("population.csv", len(rows), reasons)


def validation_tables(accounts):
    t = Tab("validation", [L("File"), C("Rows read"), C("Accepted"), C("Rejected")])
    t.totals.append(("Rows read", ["Accepted", "Rejected"]))
    r = Tab("validation_reasons", [L("File"), L("Reason"), C("Rows")])
    for a in accounts:
        key = f"rejected rows: {a['file']}"
        t.links.append((len(t.rows), "Rejected", key))
        t.rows.append([a["file"], a["read"], a["read"] - a["rejected"], a["rejected"]])
        rows = []
        for reason in sorted(a["by_reason"]):  # by reason, in byte order
            rows.append(len(r.rows))
            r.rows.append([a["file"], reason, a["by_reason"][reason]])
        # a file's reasons add up to its rejected rows in the table above
        if rows:
            r.relations.append(([(1, ("cell", (i, "Rows"))) for i in rows]
                                + [(-1, ("pop", key))], "eq"))
    return [t, r]


def dump(folder, cohort, ndt, events):
    """For scripts/golden/part_a_check.R: the paired values behind the NDT total
    and service-use rows, and this script's unrounded statistics for them."""
    os.makedirs(folder, exist_ok=True)
    _, rates = service_rates(cohort, events)
    with open(os.path.join(folder, "pairs.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["table", "group", "category", "before", "after"])
        for code, label in GROUPS:
            tb, ta = ndt_pairs(cohort, ndt, code)
            w.writerows(["ndt_total_change", label, "NDT total (0-48)", repr(b), repr(a)]
                        for b, a in zip(tb, ta))
            for cat in CODES:
                b, a = rates(cat, code)
                w.writerows(["service_use", label, LABEL[cat], repr(x), repr(y)]
                            for x, y in zip(b, a))
    with open(os.path.join(folder, "python.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["table", "group", "category", "p_t", "p_w", "p_sign"])
        for code, label in GROUPS:
            for cat, (b, a) in [("NDT total (0-48)", ndt_pairs(cohort, ndt, code))] + [
                    (LABEL[c], rates(c, code)) for c in CODES]:
                s = paired_stats(b, a)
                w.writerow(["ndt_total_change" if cat.startswith("NDT") else "service_use",
                            label, cat] + [repr(float(s[k])) for k in ("p_t", "p_w", "p_sign")])


def main():
    check_generator()
    os.makedirs(OUT, exist_ok=True)
    cohort, acc_c = load_cohort()
    ids = {m["person_id"] for m in cohort}
    events, acc_s = load_service_use(ids)
    ndt, acc_n = load_ndt(ids)
    tables = ndt_tables(cohort, ndt) + service_use_tables(cohort, events)
    # Part B's tables (costs, matching) and part C's (school) are cleared here
    # in the report; none of their links reaches back into part A's tables.
    accounts = [acc_c, acc_s, acc_n, register_account(), enrolment_account(),
                police_account(), population_account()]
    tables += validation_tables(accounts)
    if "--dump" in sys.argv:
        dump(sys.argv[sys.argv.index("--dump") + 1], cohort, ndt, events)
    total = 0
    for t in tables:
        cells = release_clear(t)
        n = write(t.stem, t, cells)
        total += n
        print(f"{t.stem}: {len(cells)} rows, {n} cells", file=sys.stderr)
    print(f"total {total} cells", file=sys.stderr)


if __name__ == "__main__":
    main()
