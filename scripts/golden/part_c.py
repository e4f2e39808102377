#!/usr/bin/env python3
"""Golden values, part C: school attendance and anti-social behaviour.

An independent re-implementation (Python csv + scipy + statsmodels, never the
crate) of the tables `school_did`, `attendance`, `asb_rates`,
`asb_rate_ratios`, `asb_by_quarter` and `asb_by_month` of an evaluation
report, from the raw files its spec's [data.school] section names
(register, police.uk and population files; the enrolment counts only as a
cross-check) and the design that section describes. Default: the bundled
sample's spec, data/sample/evaluation.toml.

Rules, as METHODS.md ("Methods: school attendance and anti-social behaviour",
§1, §2, §4.3 and "Disclosure control") states them:

* Design: the spec's [data.school]: pilot and comparison schools and LSOAs,
  the register dates, ASB months and population year of each phase, the
  persistent-absence threshold, the rule of the monthly population year;
  the spec's [statistics] confidence level and [disclosure] policy.
* Register: the code set in force on the date (2024 set from 2024-08-19);
  a code outside it, or a repeat of an earlier accepted mark's pupil, school,
  date and session, is rejected. The unit is the enrolment (pupil x school),
  its arm that of its school. Sessions are summed over the group and divided
  once; persistent / severe = enrolments with overall*10000 >= bp / 5000 x
  possible, over the enrolments with possible > 0 (the "Enrolments" column).
* Difference in differences (school_did): one row per enrolment and phase
  with possible > 0; y ~ treat * post; the session rates (overall,
  authorised, unauthorised; y = 100 x sessions / possible) by WLS with
  weights = possible sessions, persistent and severe absence (y = 100 x the
  absentee indicator) by OLS; the interaction's standard error cluster-robust
  by pupil with statsmodels' default correction G/(G-1) x (n-1)/(n-k) (=
  sandwich::vcovCL's CR1), t with n - 4 df. ASB: (pa - pb) - (ca - cb) of
  the rates per 1,000 per year with SE 1000 x sqrt(sum k/T^2) and a normal
  interval; the ratio of rate ratios with its log-normal Wald interval and
  Wald p-value.
* ASB: rows of crime type "Anti-social behaviour" with an LSOA code; rate =
  k / (population x months / 12) x 1000; Garwood interval
  [qgamma(a/2, k), qgamma(1-a/2, k+1)] / T x 1000; rate ratios with the exact
  conditional (Clopper-Pearson) interval and R's binom.test p-value; the ratio
  of rate ratios with its log-normal Wald interval.
* Monthly and quarterly tables: the before months then the after months;
  incidents / residents x 1000 (not annualised), residents = the areas'
  population of the month's calendar year (period_population_year =
  "calendar_year") or of its phase's population year ("phase"), which the
  population file must hold (never a neighbouring year); a quarter's
  residents and population year are those of its first month.
* Disclosure (the spec's [disclosure]: minimum cell size, and the policy's
  default symbol `c` when none is given): counts 1..K suppressed;
  statistics resting on 1..K withheld; a rate whose numerator count is
  suppressed is withheld; a rate ratio is withheld when either of its counts
  is 1..K (the ratio of rate ratios when any of the four is); a DiD row when
  any of its four arm x phase cells has 1..K enrolments (or, for persistent
  and severe absence, absentees; for ASB, incidents). No margins are
  declared in these tables, so no secondary suppression. Published
  statistics are rounded to their column's decimals, halves away from zero
  (a non-zero value that rounds to 0 keeps its value).

Usage (from the repository root):
    /work/venv/bin/python scripts/golden/part_c.py
writes tests/data/golden/{school_did,attendance,asb_rates,asb_rate_ratios,
asb_by_quarter,asb_by_month}.csv;
    /work/venv/bin/python scripts/golden/part_c.py \
        --spec data/pilot_towns/evaluation.toml --out tests/data/golden_pilot_towns
does the same for another spec (add --did-rows FILE to write the DiD's
enrolment x phase rows for scripts/golden/part_c_check.R).
"""

import csv
import datetime as dt
import math
import os
import sys
import tomllib
from collections import defaultdict

from scipy import stats

import argparse

import numpy as np
import pandas as pd
import statsmodels.api as sm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
_ARGS.add_argument("--spec", default=os.path.join("data", "sample", "evaluation.toml"))
_ARGS.add_argument("--out", default=os.path.join("tests", "data", "golden"))
_ARGS.add_argument(
    "--did-rows",
    default=None,
    help="also write the enrolment x phase rows of the DiD here (for part_c_check.R)",
)
ARGS = _ARGS.parse_args()
SPEC_PATH = os.path.join(ROOT, ARGS.spec)
SPEC_DIR = os.path.dirname(SPEC_PATH)
OUT = os.path.join(ROOT, ARGS.out)
COMMAND = "/work/venv/bin/python scripts/golden/part_c.py" + (
    "" if ARGS.spec == os.path.join("data", "sample", "evaluation.toml")
    else f" --spec {ARGS.spec} --out {ARGS.out}"
)

# The spec's parameters: the design, the disclosure policy and confidence level.
with open(SPEC_PATH, "rb") as _f:
    SPEC = tomllib.load(_f)
_DISCLOSURE = SPEC.get("disclosure", {})
assert _DISCLOSURE.get("policy", "minimum_cell_size") == "minimum_cell_size"
K = _DISCLOSURE.get("min_cell_size", 10) - 1  # counts 1..K suppressed
SYMBOL = _DISCLOSURE.get("symbol", "c")  # the policy's default symbol is GSS `c`
LEVEL = SPEC.get("statistics", {}).get("confidence_level", 0.95)

SCHOOL = SPEC["data"]["school"]


def _path(key):
    return os.path.join(SPEC_DIR, SCHOOL[key]) if key in SCHOOL else None


REGISTER, COUNTS = _path("register"), _path("enrolment_counts")
POLICE_UK, POPULATION = _path("police_uk"), _path("population")
_P, _C = SCHOOL["pilot"], SCHOOL["comparison"]
PILOT = (f"Pilot ({_P['name']})", set(_P.get("schools", [])), _P.get("lsoas", []))
COMPARISON = (f"Comparison ({_C['name']})", set(_C.get("schools", [])), _C.get("lsoas", []))
PERSISTENT_BP = SCHOOL.get("persistent_absence_percent", 10) * 100
PERIOD_YEAR = SCHOOL.get("period_population_year", "calendar_year")
_B, _A = SCHOOL["before"], SCHOOL["after"]


def _date(s):
    return dt.datetime.strptime(s, "%Y-%m-%d").date()


def _month(s):
    return (int(s[:4]), int(s[5:7]))


REGISTER_PHASES = (
    ("Before", (_date(_B["first_day"]), _date(_B["last_day"]))),
    ("After", (_date(_A["first_day"]), _date(_A["last_day"]))),
) if REGISTER else ()
COUNT_YEARS = {
    _B.get("academic_year", "").replace("/", "")[:4]: "Before",
    _A.get("academic_year", "").replace("/", "")[:4]: "After",
}
if POLICE_UK:
    BEFORE_MONTHS = (_month(_B["first_month"]), _month(_B["last_month"]))
    AFTER_MONTHS = (_month(_A["first_month"]), _month(_A["last_month"]))
    POP_YEAR_BEFORE, POP_YEAR_AFTER = _B["population_year"], _A["population_year"]

# ---------------------------------------------------------------------------
# Register codes (METHODS.md §1.1)
# ---------------------------------------------------------------------------
PRES, AEA, AUTH, UNAUTH, NOTPOSS = "present", "aea", "auth", "unauth", "notposs"
PRE_2024 = {
    **{c: PRES for c in ["/", "\\", "L"]},
    **{c: AEA for c in ["B", "J", "P", "V", "W"]},
    **{c: AUTH for c in ["C", "E", "F", "H", "I", "M", "R", "S", "T"]},
    **{c: UNAUTH for c in ["G", "N", "O", "U"]},
    **{c: NOTPOSS for c in ["D", "X", "Y", "Z", "#"]},
}
FROM_2024 = {
    **{c: PRES for c in ["/", "\\", "L"]},
    **{c: AEA for c in ["K", "V", "P", "W", "B"]},
    **{c: AUTH for c in ["C", "C1", "C2", "M", "J1", "S", "T", "R", "I", "E"]},
    **{c: UNAUTH for c in ["G", "N", "O", "U"]},
    **{
        c: NOTPOSS
        for c in ["D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"]
    },
}
assert len(PRE_2024) == 26 and len(FROM_2024) == 34
FROM_2024_START = dt.date(2024, 8, 19)


def rust_round(x):
    """f64::round: halves away from zero."""
    if x < 0:
        return -rust_round(-x)
    f = math.floor(x)
    return f + 1.0 if x - f >= 0.5 else f


def published(value, decimals):
    """The policy's step (5): round to the column's decimals."""
    scale = 10.0 ** decimals
    y = abs(value * scale)
    # Not within a hair of a rounding boundary, so that a last-bit difference
    # between two correct computations cannot change the published value.
    assert abs(y - math.floor(y) - 0.5) > 1e-6, value
    r = rust_round(value * scale) / scale
    return value if (r == 0.0 and value != 0.0) else r


def small(n):
    return 1 <= n <= K


def count_cell(n):
    return SYMBOL if small(n) else n


def fmt(v):
    if isinstance(v, float):
        return repr(float(v))
    return str(v)


def write(stem, header, rows):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{stem}.csv")
    with open(path, "w", newline="") as f:
        f.write(f"# scripts/golden/part_c.py (independent re-implementation): {COMMAND}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            assert len(r) == len(header), (stem, r)
            w.writerow([fmt(v) for v in r])
    print(f"{path}: {len(rows)} rows x {len(header)} columns")


# ---------------------------------------------------------------------------
# Attendance
# ---------------------------------------------------------------------------
def read_register():
    """Accepted marks as (pupil, school, date, session, category)."""
    accepted, rejected = [], []
    seen = set()
    with open(REGISTER, newline="", encoding="utf-8") as f:
        rdr = csv.reader(f)
        header = [h.strip() for h in next(rdr)]
        ip, isch, idate, isess, icode = (
            header.index(c) for c in ["pupil_id", "school_urn", "date", "session", "code"]
        )
        for row_no, rec in enumerate(rdr, start=1):
            if len(rec) != len(header):
                rejected.append((row_no, "(record)"))
                continue
            pupil, school = rec[ip].strip(), rec[isch].strip()
            if not pupil or not school:
                rejected.append((row_no, "pupil/school"))
                continue
            try:
                date = dt.datetime.strptime(rec[idate].strip(), "%Y-%m-%d").date()
            except ValueError:
                rejected.append((row_no, "date"))
                continue
            session = rec[isess].strip().upper()
            if session not in ("AM", "PM"):
                rejected.append((row_no, "session"))
                continue
            codes = FROM_2024 if date >= FROM_2024_START else PRE_2024
            code = rec[icode].strip()
            if code not in codes:
                rejected.append((row_no, "code"))
                continue
            key = (pupil, school, date, session)
            if key in seen:
                rejected.append((row_no, "session"))
                continue
            seen.add(key)
            accepted.append((pupil, school, date, session, codes[code]))
    return accepted, rejected


def attendance_rows(marks):
    """The attendance table, and the enrolment x phase rows of the DiD:
    (pupil, treated, post, possible, authorised, unauthorised)."""
    rows, did_rows, cells = [], [], {}
    for label, schools, _ in (PILOT, COMPARISON):
        for phase, (start, end) in REGISTER_PHASES:
            tally = defaultdict(lambda: defaultdict(int))
            for pupil, school, date, _s, cat in marks:
                if school in schools and start <= date <= end:
                    tally[(pupil, school)][cat] += 1
            possible = auth = unauth = 0
            with_possible = pa = severe = 0
            for (pupil, _school), t in tally.items():
                p = t[PRES] + t[AEA] + t[AUTH] + t[UNAUTH]
                o = t[AUTH] + t[UNAUTH]
                possible += p
                auth += t[AUTH]
                unauth += t[UNAUTH]
                if p > 0:
                    with_possible += 1
                    pa += o * 10_000 >= PERSISTENT_BP * p
                    severe += o * 10_000 >= 5000 * p
                    did_rows.append(
                        (pupil, label == PILOT[0], phase == "After", p, t[AUTH], t[UNAUTH])
                    )
            n = with_possible
            cells[(label, phase)] = {
                "n": n,
                "possible": possible,
                "auth": auth,
                "unauth": unauth,
                "pa": pa,
                "severe": severe,
            }

            def stat(num, den, decimals):
                # A statistic over the "Enrolments" basis.
                if den == 0 or n == 0:
                    return "x"
                if small(n):
                    return SYMBOL
                return published(num / den * 100.0, decimals)

            def rate(num, den, decimals):
                # A rate also withheld when its numerator count is.
                v = stat(num, den, decimals)
                return SYMBOL if (v not in ("x",) and small(num)) else v

            rows.append(
                [
                    label,
                    phase,
                    f"{start} to {end}",
                    count_cell(n),
                    count_cell(possible),
                    stat(auth + unauth, possible, 2),
                    stat(auth, possible, 2),
                    stat(unauth, possible, 2),
                    count_cell(pa),
                    rate(pa, with_possible, 1),
                    count_cell(severe),
                    rate(severe, with_possible, 1),
                ]
            )
    return rows, did_rows, cells


def cross_check_counts(cells):
    """The same sums from the enrolment counts file (the phases' academic
    years; METHODS.md §4.3: equal when the register phases and the academic
    years hold the same school days, as in the bundled specs): enrolments,
    possible sessions and persistent absentees of each arm and phase."""
    sums = defaultdict(lambda: [0, 0, 0])
    with open(COUNTS, newline="") as f:
        for r in csv.DictReader(f):
            arm = next(
                (lab for lab, schools, _ in (PILOT, COMPARISON) if r["school_urn"] in schools),
                None,
            )
            phase = COUNT_YEARS.get(r["time_period"].replace("/", "").replace("-", "")[:4])
            if arm is None or phase is None:
                continue
            s = sums[(arm, phase)]
            p = int(r["sess_possible"])
            o = int(r["sess_authorised"]) + int(r["sess_unauthorised"])
            s[0] += p > 0
            s[1] += p
            s[2] += o * 10_000 >= PERSISTENT_BP * p and p > 0
    for key, c in cells.items():
        assert sums[key] == [c["n"], c["possible"], c["pa"]], (key, sums[key], c)


ATTENDANCE_HEADER = [
    "Arm",
    "Phase",
    "Period",
    "Enrolments",
    "Possible sessions",
    "Overall absence %",
    "Authorised absence %",
    "Unauthorised absence %",
    "Persistent absentees",
    "Persistent absence %",
    "Severe absentees",
    "Severe absence %",
]


# ---------------------------------------------------------------------------
# ASB
# ---------------------------------------------------------------------------
def read_asb():
    """Incidents per (area, (year, month))."""
    counts = defaultdict(int)
    with open(POLICE_UK, newline="", encoding="utf-8") as f:
        rdr = csv.reader(f)
        header = [h.strip() for h in next(rdr)]
        im, il, it = (header.index(c) for c in ["Month", "LSOA code", "Crime type"])
        for rec in rdr:
            if len(rec) != len(header):
                continue
            if rec[it].strip() != "Anti-social behaviour":
                continue
            m = rec[im].strip()
            if not (len(m) == 7 and m[4] == "-" and (m[:4] + m[5:]).isdigit()):
                continue
            y, mo = int(m[:4]), int(m[5:])
            if not (1900 <= y <= 9999 and 1 <= mo <= 12):
                continue
            area = rec[il].strip()
            if not area:
                continue
            counts[(area, (y, mo))] += 1
    return counts


def read_population():
    pop = {}
    with open(POPULATION, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            key = (r["area"].strip(), int(r["year"]))
            assert key not in pop and int(r["population"]) > 0
            pop[key] = int(r["population"])
    return pop


def plus(month, n):
    i = month[0] * 12 + month[1] - 1 + n
    return (i // 12, i % 12 + 1)


def months(first, last):
    out, m = [], first
    while m <= last:
        out.append(m)
        m = plus(m, 1)
    return out


if POLICE_UK:
    BEFORE = months(*BEFORE_MONTHS)
    AFTER = months(*AFTER_MONTHS)
A = (1 - LEVEL) / 2


def group_phase(counts, pop, areas, window, year):
    k = sum(counts[(a, m)] for a in areas for m in window)
    residents = sum(pop[(a, year)] for a in areas)
    t = residents * len(window) / 12.0
    lower = 0.0 if k == 0 else stats.gamma.ppf(A, k)
    upper = stats.gamma.ppf(1 - A, k + 1)
    return {
        "k": k,
        "residents": residents,
        "t": t,
        "rate": k / t * 1000.0,
        "lower": lower / t * 1000.0,
        "upper": upper / t * 1000.0,
    }


def rate_ratio(x, y):
    k1, t1, k2, t2 = x["k"], x["t"], y["k"], y["t"]
    n = k1 + k2
    ratio = None if k2 == 0 else (k1 / t1) / (k2 / t2)
    ci = p = None
    if n > 0:
        pl = 0.0 if k1 == 0 else stats.beta.ppf(A, k1, n - k1 + 1)
        pu = 1.0 if k1 == n else stats.beta.ppf(1 - A, k1 + 1, n - k1)
        if pu < 1.0:
            ci = (pl / (1 - pl) * t2 / t1, pu / (1 - pu) * t2 / t1)
        p = stats.binomtest(k1, n, t1 / (t1 + t2)).pvalue
    return {"k1": k1, "k2": k2, "n": n, "ratio": ratio, "ci": ci, "p": p}


def asb_tables(counts, pop):
    g = {}
    for label, _, areas in (PILOT, COMPARISON):
        g[(label, "Before")] = group_phase(counts, pop, areas, BEFORE, POP_YEAR_BEFORE)
        g[(label, "After")] = group_phase(counts, pop, areas, AFTER, POP_YEAR_AFTER)

    rates = []
    for (label, phase), r in g.items():
        def rate_cell(v):
            # Per-cell n = residents; numerator "Incidents".
            if small(r["residents"]) or small(r["k"]):
                return SYMBOL
            return published(v, 2)

        rates.append(
            [
                label,
                phase,
                count_cell(r["k"]),
                count_cell(r["residents"]),
                str(POP_YEAR_BEFORE if phase == "Before" else POP_YEAR_AFTER),
                rate_cell(r["rate"]),
                rate_cell(r["lower"]),
                rate_cell(r["upper"]),
            ]
        )

    pb, pa = g[(PILOT[0], "Before")], g[(PILOT[0], "After")]
    cb, ca = g[(COMPARISON[0], "Before")], g[(COMPARISON[0], "After")]
    ratios = []
    for label, (x, y) in [
        ("Pilot: after / before", (pa, pb)),
        ("Comparison: after / before", (ca, cb)),
        ("Pilot / comparison, before", (pb, cb)),
        ("Pilot / comparison, after", (pa, ca)),
    ]:
        rr = rate_ratio(x, y)
        conf = small(rr["k1"]) or small(rr["k2"])

        def cell(v, decimals, rr=rr, conf=conf):
            if v is None or not math.isfinite(v) or rr["n"] == 0:
                return "x"
            if conf or small(rr["n"]):
                return SYMBOL
            return published(v, decimals)

        ci = rr["ci"]
        ratios.append(
            [
                label,
                count_cell(rr["n"]),
                cell(rr["ratio"], 3),
                cell(ci[0] if ci else None, 3),
                cell(ci[1] if ci else None, 3),
                cell(rr["p"], 4),
            ]
        )
    ks = [pb["k"], pa["k"], cb["k"], ca["k"]]
    total = sum(ks)
    rrr = wl = wu = None
    rp, rc = rate_ratio(pa, pb)["ratio"], rate_ratio(ca, cb)["ratio"]
    if rp is not None and rc is not None and rc > 0:
        rrr = rp / rc
        if all(k > 0 for k in ks):
            z = stats.norm.ppf(1 - A)
            se = math.sqrt(sum(1.0 / k for k in [pa["k"], pb["k"], ca["k"], cb["k"]]))
            wl, wu = math.exp(math.log(rrr) - z * se), math.exp(math.log(rrr) + z * se)
    conf = any(small(k) for k in ks)

    def rcell(v):
        if v is None or not math.isfinite(v) or total == 0:
            return "x"
        if conf or small(total):
            return SYMBOL
        return published(v, 3)

    ratios.append(
        [
            "Ratio of rate ratios (pilot / comparison change)",
            count_cell(total),
            rcell(rrr),
            rcell(wl),
            rcell(wu),
            "z",
        ]
    )
    return rates, ratios, g


def by_period(counts, pop):
    def year_of(m, phase_year):
        return m[0] if PERIOD_YEAR == "calendar_year" else phase_year

    per_month = []
    for window, phase_year in ((BEFORE, POP_YEAR_BEFORE), (AFTER, POP_YEAR_AFTER)):
        for m in window:
            year = year_of(m, phase_year)
            arms = []
            for _, _, areas in (PILOT, COMPARISON):
                inc = sum(counts[(a, m)] for a in areas)
                # The named year, never a neighbour: a missing row is an error.
                res = sum(pop[(a, year)] for a in areas)
                arms.append((inc, res))
            per_month.append((m, year, arms))

    def cells(arms):
        out = []
        for inc, res in arms:
            out.append(count_cell(inc))
            if res == 0:
                out.append("x")
            elif small(res) or small(inc):
                out.append(SYMBOL)
            else:
                out.append(published(inc / res * 1000.0, 3))
        return out

    monthly = [[f"{m[0]:04}-{m[1]:02}", str(y)] + cells(arms) for m, y, arms in per_month]
    quarterly = []
    quarters = []
    for m, y, arms in per_month:
        q = (m[0], (m[1] - 1) // 3)
        if not quarters or quarters[-1][0] != q:
            # Residents and year: those of the quarter's first month in the window.
            quarters.append([q, y, [[0, res] for _, res in arms]])
        for acc, (inc, _) in zip(quarters[-1][2], arms):
            acc[0] += inc
    for q, y, arms in quarters:
        quarterly.append([f"{q[0]}-Q{q[1] + 1}", str(y)] + cells([tuple(a) for a in arms]))
    return monthly, quarterly


def t_inference(b, se, df):
    """Estimate, interval and p-value with t on df degrees of freedom."""
    q = stats.t.ppf(1 - A, df)
    p = 2 * stats.t.sf(abs(b / se), df)
    return b, b - q * se, b + q * se, p


def did_table(did_rows, cells, g):
    """The school_did table: each attendance measure's weighted or unweighted
    `y ~ treat * post` with CR1-by-pupil standard errors (statsmodels), then
    the ASB rate difference and the ratio of rate ratios."""
    rows = []
    if did_rows:
        d = pd.DataFrame(
            did_rows, columns=["pupil", "treat", "post", "possible", "auth", "unauth"]
        )
        d["treat"] = d["treat"].astype(float)
        d["post"] = d["post"].astype(float)
        X = sm.add_constant(
            pd.DataFrame(
                {"treat": d["treat"], "post": d["post"], "treat:post": d["treat"] * d["post"]}
            )
        )
        groups = pd.factorize(d["pupil"])[0]
        n, n_pupils = len(d), len(set(d["pupil"]))
        overall = d["auth"] + d["unauth"]
        measures = [
            ("Overall absence %", 100.0 * overall / d["possible"], True, None),
            ("Authorised absence %", 100.0 * d["auth"] / d["possible"], True, None),
            ("Unauthorised absence %", 100.0 * d["unauth"] / d["possible"], True, None),
            (
                "Persistent absence %",
                100.0 * (overall * 10_000 >= PERSISTENT_BP * d["possible"]).astype(float),
                False,
                "pa",
            ),
            (
                "Severe absence %",
                100.0 * (overall * 10_000 >= 5000 * d["possible"]).astype(float),
                False,
                "severe",
            ),
        ]
        for label, y, weighted, numerator in measures:
            if weighted:
                model = sm.WLS(y, X, weights=d["possible"])
                how = "enrolments weighted by possible sessions"
            else:
                model = sm.OLS(y, X)
                how = "enrolments with possible sessions"
            fit = model.fit(
                cov_type="cluster", cov_kwds={"groups": groups, "use_correction": True}
            )
            b, se = fit.params["treat:post"], fit.bse["treat:post"]
            est, lo, hi, p = t_inference(b, se, n - 4)
            # Each arm's change: the published rates' difference, from the cells.
            def rate(c):
                if label.startswith("Overall"):
                    return (c["auth"] + c["unauth"]) / c["possible"]
                if label.startswith("Authorised"):
                    return c["auth"] / c["possible"]
                if label.startswith("Unauthorised"):
                    return c["unauth"] / c["possible"]
                return c[numerator] / c["n"]

            def change(arm):
                return (rate(cells[(arm, "After")]) - rate(cells[(arm, "Before")])) * 100.0

            conf = any(
                small(c["n"]) or (numerator is not None and small(c[numerator]))
                for c in cells.values()
            )

            def cell(v, decimals):
                if v is None or not math.isfinite(v):
                    return "x"
                if conf or small(n):
                    return SYMBOL
                return published(v, decimals)

            rows.append(
                [
                    label,
                    "percentage points",
                    cell(change(PILOT[0]), 2),
                    cell(change(COMPARISON[0]), 2),
                    cell(est, 3),
                    cell(lo, 3),
                    cell(hi, 3),
                    cell(p, 4),
                    f"CR1 by pupil, t with n - 4 df ({how})",
                    count_cell(n_pupils),
                ]
            )
    if g is not None:
        pb, pa = g[(PILOT[0], "Before")], g[(PILOT[0], "After")]
        cb, ca = g[(COMPARISON[0], "Before")], g[(COMPARISON[0], "After")]
        ks = [pb["k"], pa["k"], cb["k"], ca["k"]]
        n = sum(ks)
        conf = any(small(k) for k in ks)

        def cell(v, decimals):
            if v is None or not math.isfinite(v) or n == 0:
                return "x"
            if conf or small(n):
                return SYMBOL
            return published(v, decimals)

        z = stats.norm.ppf(1 - A)
        years = f"residents of {POP_YEAR_BEFORE} before, {POP_YEAR_AFTER} after"
        r = lambda x: x["k"] / x["t"] * 1000.0
        pch, cch = r(pa) - r(pb), r(ca) - r(cb)
        est = pch - cch
        se = 1000.0 * math.sqrt(sum(x["k"] / x["t"] ** 2 for x in (pa, pb, ca, cb)))
        p = 2 * stats.norm.sf(abs(est) / se)
        rows.append(
            [
                "Anti-social behaviour rate",
                f"per 1,000 residents per year ({years})",
                cell(pch, 2),
                cell(cch, 2),
                cell(est, 3),
                cell(est - z * se, 3),
                cell(est + z * se, 3),
                cell(p, 4),
                "Poisson (Wald), normal",
                "z",
            ]
        )
        rp = (pa["k"] / pa["t"]) / (pb["k"] / pb["t"])
        rc = (ca["k"] / ca["t"]) / (cb["k"] / cb["t"])
        rrr = rp / rc
        se = math.sqrt(sum(1.0 / k for k in ks))
        p = 2 * stats.norm.sf(abs(math.log(rrr)) / se)
        rows.append(
            [
                "Anti-social behaviour rate ratio",
                f"ratio of rate ratios ({years})",
                cell(rp, 2),
                cell(rc, 2),
                cell(rrr, 3),
                cell(math.exp(math.log(rrr) - z * se), 3),
                cell(math.exp(math.log(rrr) + z * se), 3),
                cell(p, 4),
                "Poisson (Wald, log scale), normal",
                "z",
            ]
        )
    return rows


DID_HEADER = [
    "Measure",
    "Scale",
    "Pilot change",
    "Comparison change",
    "Difference in differences",
    "CI lower",
    "CI upper",
    "p",
    "Standard error",
    "Pupils (clusters)",
]


def period_header(first):
    return [
        first,
        "Population year",
        "Pilot incidents",
        "Pilot per 1,000",
        "Comparison incidents",
        "Comparison per 1,000",
    ]


def main():
    did_rows, cells, g = [], {}, None
    if REGISTER:
        marks, rejected = read_register()
        print(f"register: {len(marks)} accepted, rejected rows {rejected}", file=sys.stderr)
        att, did_rows, cells = attendance_rows(marks)
        if COUNTS:
            cross_check_counts(cells)
        write("attendance", ATTENDANCE_HEADER, att)

    if POLICE_UK:
        counts, pop = read_asb(), read_population()
        rates, ratios, g = asb_tables(counts, pop)
        write(
            "asb_rates",
            [
                "Arm",
                "Phase",
                "Incidents",
                "Residents",
                "Population year",
                "Rate per 1,000 per year",
                "Rate CI lower",
                "Rate CI upper",
            ],
            rates,
        )
        write(
            "asb_rate_ratios",
            ["Comparison", "Incidents", "Rate ratio", "CI lower", "CI upper", "p (exact)"],
            ratios,
        )
        monthly, quarterly = by_period(counts, pop)
        write("asb_by_quarter", period_header("Quarter"), quarterly)
        write("asb_by_month", period_header("Month"), monthly)
    write("school_did", DID_HEADER, did_table(did_rows, cells, g))
    if ARGS.did_rows:
        with open(ARGS.did_rows, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["pupil", "treat", "post", "possible", "auth", "unauth"])
            for r in did_rows:
                w.writerow([r[0], int(r[1]), int(r[2]), r[3], r[4], r[5]])


if __name__ == "__main__":
    main()
