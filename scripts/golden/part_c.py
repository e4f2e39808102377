#!/usr/bin/env python3
"""Golden values, part C: school attendance and anti-social behaviour.

An independent re-implementation (Python csv + scipy, never the crate) of the
tables `attendance`, `asb_rates`, `asb_rate_ratios`, `asb_by_quarter` and
`asb_by_month` of the sample report, from the raw files in data/sample/:
register.csv, police_uk_street.csv and population.csv.

Rules, as METHODS.md ("Methods: school attendance and anti-social behaviour",
§1, §2, §4.3 and "Disclosure control") states them:

* Design (METHODS.md §4.3): pilot = Northtown, schools 900001/900002, areas
  E01990001-3; comparison = Southtown, schools 900003/900004, areas
  E01990004-6. Attendance programme start 2024-09-02; ASB start month
  2024-04, 12 months before (population year 2023) and 12 from it
  (population year 2024); 95% intervals; persistent absence at 10%.
* Register: the code set in force on the date (2024 set from 2024-08-19);
  a code outside it, or a repeat of an earlier accepted mark's pupil, school,
  date and session, is rejected. The unit is the enrolment (pupil x school),
  its arm that of its school. Sessions are summed over the group and divided
  once; persistent / severe = enrolments with overall*10000 >= 1000 / 5000 x
  possible, over the enrolments with possible > 0 (the "Enrolments" column).
* ASB: rows of crime type "Anti-social behaviour" with an LSOA code; rate =
  k / (population x months / 12) x 1000; Garwood interval
  [qgamma(a/2, k), qgamma(1-a/2, k+1)] / T x 1000; rate ratios with the exact
  conditional (Clopper-Pearson) interval and R's binom.test p-value; the ratio
  of rate ratios with its log-normal Wald interval.
* Monthly and quarterly tables: incidents / residents x 1000 (not
  annualised), residents = the area's population of the nearest year (ties:
  the earlier); a quarter's residents are those of its first month.
* Disclosure (the spec's [disclosure]: minimum cell size 10, and no symbol
  given, so the policy's default `c`): counts 1..9 suppressed;
  statistics resting on 1..9 withheld; a rate whose numerator count is
  suppressed is withheld; a rate ratio is withheld when either of its counts
  is 1..9 (the ratio of rate ratios when any of the four is). No margins are
  declared in these tables, so no secondary suppression. Published
  statistics are rounded to their column's decimals, halves away from zero
  (a non-zero value that rounds to 0 keeps its value).

Usage (from the repository root):
    /work/venv/bin/python scripts/golden/part_c.py
writes tests/data/golden/{attendance,asb_rates,asb_rate_ratios,
asb_by_quarter,asb_by_month}.csv.
"""

import csv
import datetime as dt
import math
import os
import sys
import tomllib
from collections import defaultdict

from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "data", "sample")
OUT = os.path.join(ROOT, "tests", "data", "golden")
COMMAND = "/work/venv/bin/python scripts/golden/part_c.py"

# The spec's parameters: disclosure policy and confidence level.
with open(os.path.join(SAMPLE, "evaluation.toml"), "rb") as _f:
    SPEC = tomllib.load(_f)
_DISCLOSURE = SPEC.get("disclosure", {})
assert _DISCLOSURE.get("policy", "minimum_cell_size") == "minimum_cell_size"
K = _DISCLOSURE.get("min_cell_size", 10) - 1  # counts 1..K suppressed
SYMBOL = _DISCLOSURE.get("symbol", "c")  # the policy's default symbol is GSS `c`
LEVEL = SPEC.get("statistics", {}).get("confidence_level", 0.95)

PILOT = ("Pilot (Northtown)", {"900001", "900002"}, ["E01990001", "E01990002", "E01990003"])
COMPARISON = (
    "Comparison (Southtown)",
    {"900003", "900004"},
    ["E01990004", "E01990005", "E01990006"],
)
PROGRAMME_START = dt.date(2024, 9, 2)
ASB_START = (2024, 4)
MONTHS_BEFORE = MONTHS_AFTER = 12
POP_YEAR_BEFORE, POP_YEAR_AFTER = 2023, 2024

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
        return repr(v)
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
    with open(os.path.join(SAMPLE, "register.csv"), newline="", encoding="utf-8") as f:
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
    before = (dt.date(2023, 9, 1), PROGRAMME_START - dt.timedelta(days=1))
    after = (PROGRAMME_START, dt.date(2025, 8, 31))
    rows = []
    for label, schools, _ in (PILOT, COMPARISON):
        for phase, (start, end) in (("Before", before), ("After", after)):
            tally = defaultdict(lambda: defaultdict(int))
            for pupil, school, date, _s, cat in marks:
                if school in schools and start <= date <= end:
                    tally[(pupil, school)][cat] += 1
            possible = auth = unauth = 0
            with_possible = pa = severe = 0
            for t in tally.values():
                p = t[PRES] + t[AEA] + t[AUTH] + t[UNAUTH]
                o = t[AUTH] + t[UNAUTH]
                possible += p
                auth += t[AUTH]
                unauth += t[UNAUTH]
                if p > 0:
                    with_possible += 1
                    pa += o * 10_000 >= 1000 * p
                    severe += o * 10_000 >= 5000 * p
            n = with_possible

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
    return rows


def cross_check_counts(att):
    """The same sums from enrolment_counts.csv (whole academic years 2023/24
    and 2024/25; METHODS.md §4.3: equal for the sample, since no school day
    falls on 1-2 Sep 2024): enrolments, possible sessions and persistent
    absentees of each arm and phase."""
    sums = defaultdict(lambda: [0, 0, 0])
    with open(os.path.join(SAMPLE, "enrolment_counts.csv"), newline="") as f:
        for r in csv.DictReader(f):
            arm = next(lab for lab, schools, _ in (PILOT, COMPARISON) if r["school_urn"] in schools)
            phase = {"202324": "Before", "202425": "After"}[r["time_period"]]
            s = sums[(arm, phase)]
            p = int(r["sess_possible"])
            o = int(r["sess_authorised"]) + int(r["sess_unauthorised"])
            s[0] += p > 0
            s[1] += p
            s[2] += o * 10_000 >= 1000 * p and p > 0
    for row in att:
        assert sums[(row[0], row[1])] == [row[3], row[4], row[8]], (row, sums)


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
    with open(os.path.join(SAMPLE, "police_uk_street.csv"), newline="", encoding="utf-8") as f:
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
    with open(os.path.join(SAMPLE, "population.csv"), newline="", encoding="utf-8") as f:
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


BEFORE = months(plus(ASB_START, -MONTHS_BEFORE), plus(ASB_START, -1))
AFTER = months(ASB_START, plus(ASB_START, MONTHS_AFTER - 1))
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
    years = sorted({y for (_, y) in pop})

    def pop_of(area, year):
        cands = [y for y in years if (area, y) in pop]
        best = min(cands, key=lambda y: (abs(y - year), y))
        return pop[(area, best)]

    window = BEFORE + AFTER
    per_month = []
    for m in window:
        arms = []
        for _, _, areas in (PILOT, COMPARISON):
            inc = sum(counts[(a, m)] for a in areas)
            res = sum(pop_of(a, m[0]) for a in areas)
            arms.append((inc, res))
        per_month.append((m, arms))

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

    monthly = [[f"{m[0]:04}-{m[1]:02}"] + cells(arms) for m, arms in per_month]
    quarterly = []
    quarters = []
    for m, arms in per_month:
        q = (m[0], (m[1] - 1) // 3)
        if not quarters or quarters[-1][0] != q:
            # Residents: those of the quarter's first month in the window.
            quarters.append([q, [[0, res] for _, res in arms]])
        for acc, (inc, _) in zip(quarters[-1][1], arms):
            acc[0] += inc
    for q, arms in quarters:
        quarterly.append([f"{q[0]}-Q{q[1] + 1}"] + cells([tuple(a) for a in arms]))
    return monthly, quarterly


def period_header(first):
    return [
        first,
        "Pilot incidents",
        "Pilot per 1,000",
        "Comparison incidents",
        "Comparison per 1,000",
    ]


def main():
    marks, rejected = read_register()
    # The sample's three planted faults (METHODS.md §4.1) and nothing else.
    assert len(rejected) == 3, rejected
    print(f"register: {len(marks)} accepted, rejected rows {rejected}", file=sys.stderr)
    att = attendance_rows(marks)
    cross_check_counts(att)
    write("attendance", ATTENDANCE_HEADER, att)

    counts, pop = read_asb(), read_population()
    rates, ratios, _ = asb_tables(counts, pop)
    write(
        "asb_rates",
        [
            "Arm",
            "Phase",
            "Incidents",
            "Residents",
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


if __name__ == "__main__":
    main()
