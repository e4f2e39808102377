# Reference values for tests/suite/reference_values.rs (issue 19), parts 2 and 4.
# Run: /work/venv/bin/python scripts/reference/issue19.py   (Python 3, numpy 2.4.6, scipy 1.17.1)
#
# Part 4: the crate's generator (src/rng.rs: SplitMix64-seeded xoshiro256++, Lemire's `below`)
# and resampling loop (src/stats/bootstrap.rs) re-implemented here, so the very same resamples
# are drawn; the percentile and BCa intervals are then computed as METHODS.md §6 states, and
# the BCa alphas are cross-checked against scipy's own `_bca_interval` on the same replicates.
# Part 2: the hand-worked CBA, in exact rational arithmetic (fractions.Fraction).
import sys
from fractions import Fraction as F

import numpy as np
import scipy
from scipy.special import ndtr, ndtri
from scipy.stats._resampling import _bca_interval
from scipy._lib._array_api import array_namespace

print("Python", sys.version.split()[0], "numpy", np.__version__, "scipy", scipy.__version__)
M64 = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Rng:
    def __init__(self, seed):
        st = seed & M64
        s = []
        for _ in range(4):
            st = (st + 0x9E3779B97F4A7C15) & M64
            z = st
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            s.append(z ^ (z >> 31))
        self.s = s

    def next_u64(self):
        s = self.s
        result = (rotl((s[0] + s[3]) & M64, 23) + s[0]) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        thresh = ((-n) & M64) % n
        while True:
            m = self.next_u64() * n
            if (m & M64) >= thresh:
                return m >> 64


def fsum_seq(v):
    """Left-to-right f64 sum, as Rust's `iter().sum::<f64>()` (not Python's compensated sum)."""
    acc = 0.0
    for x in v:
        acc = acc + x
    return acc


def mean(v):
    return fsum_seq(v) / len(v)


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 == 1 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def sd(v):
    m = mean(v)
    return (fsum_seq([(x - m) * (x - m) for x in v]) / (len(v) - 1)) ** 0.5


def q7(s, q):
    h = (len(s) - 1) * q
    lo = np.floor(h)
    i = int(lo)
    return s[i] + (h - lo) * (s[i + 1] - s[i]) if i + 1 < len(s) else s[-1]


def bootstrap(data, stat, B, seed, level=0.95):
    """Resample exactly as bootstrap_core: for each replicate, each sample in turn, each slot."""
    rng = Rng(seed)
    theta = stat(data)
    reps = []
    for _ in range(B):
        res = [[s[rng.below(len(s))] for _ in range(len(s))] for s in data]
        reps.append(stat(res))
    m = fsum_seq(reps) / B
    se = (fsum_seq([(t - m) * (t - m) for t in reps]) / (B - 1)) ** 0.5
    srt = sorted(reps)
    alpha = (1 - level) / 2
    pct = (q7(srt, alpha), q7(srt, 1 - alpha))
    # BCa, METHODS.md §6 / Efron & Tibshirani (1993) 14.3
    below = sum(t < theta for t in reps)
    at = sum(t <= theta for t in reps)
    z0 = float(ndtri((below + at) / (2 * B)))
    num = den = 0.0
    for j, s in enumerate(data):
        n = len(s)
        loo = []
        for i in range(n):
            d2 = list(data)
            d2[j] = s[:i] + s[i + 1:]
            loo.append(stat(d2))
        dot = sum(loo) / n
        for t in loo:
            u = (n - 1) * (dot - t)
            num += u ** 3 / n ** 3
            den += u ** 2 / n ** 2
    a = num / (6 * den ** 1.5)
    za = float(ndtri(alpha))
    adj = lambda z: float(ndtr(z0 + (z0 + z) / (1 - a * (z0 + z))))
    a1, a2 = adj(za), adj(-za)
    bca = (q7(srt, a1), q7(srt, a2))
    return dict(theta=theta, se=se, pct=pct, z0=z0, a=a, a1=a1, a2=a2, bca=bca, reps=reps)


def scipy_check(data, vstat, r, level=0.95):
    """scipy 1.17.1's own BCa alphas (z0, jackknife a) on the same replicates."""
    xp = array_namespace(np.asarray(data[0]))
    arrs = [np.asarray(s, dtype=float) for s in data]
    a1, a2, a_hat = _bca_interval(arrs, vstat, axis=-1, alpha=(1 - level) / 2,
                                  theta_hat_b=np.asarray(r["reps"]),
                                  batch=None, xp=xp)
    srt = np.sort(r["reps"])
    lo, hi = np.percentile(srt, float(a1) * 100), np.percentile(srt, float(a2) * 100)
    print("  scipy _bca_interval: a1 %.17g a2 %.17g a_hat %.17g -> [%.17g, %.17g]" % (a1, a2, a_hat, lo, hi))
    print("  differences from ours: a %.3g, lower %.3g, upper %.3g"
          % (abs(a_hat - r["a"]), abs(lo - r["bca"][0]), abs(hi - r["bca"][1])))


def show(name, r):
    print("==", name)
    for k in ("theta", "se", "z0", "a", "a1", "a2"):
        print("  %-6s %.17g" % (k, r[k]))
    print("  percentile [%.17g, %.17g]" % r["pct"])
    print("  bca        [%.17g, %.17g]" % r["bca"])
    print("  |bca - percentile|: lower %.6g, upper %.6g" % (abs(r["bca"][0] - r["pct"][0]), abs(r["bca"][1] - r["pct"][1])))


r0 = Rng(20261202)
print("Rng::new(20261202) first draws:", [r0.next_u64() for _ in range(3)], "below(10) x5:",
      [r0.below(10) for _ in range(5)])

# A right-skewed sample (n = 25; like costs or service use), fixed here and in the test.
X = [0.42, 0.55, 0.61, 0.73, 0.8, 0.95, 1.02, 1.1, 1.18, 1.3, 1.41, 1.52, 1.66, 1.8, 2.05,
     2.3, 2.6, 2.95, 3.4, 4.1, 5.2, 6.8, 9.5, 14.2, 23.7]
Y = [0.3, 0.52, 0.64, 0.7, 0.88, 1.05, 1.2, 1.45, 1.9, 2.4, 3.1, 4.6]

r = bootstrap([X], lambda d: mean(d[0]), 2000, 20261202)
show("mean of X, B = 2000, seed 20261202 (bootstrap_mean / bootstrap_one_sample)", r)
scipy_check([X], lambda x, axis: np.mean(x, axis=axis), r)

r = bootstrap([X], lambda d: median(d[0]), 2000, 77)
show("median of X, B = 2000, seed 77 (bootstrap_one_sample)", r)
print("  replicates equal to the estimate:", sum(t == r["theta"] for t in r["reps"]))
scipy_check([X], lambda x, axis: np.median(x, axis=axis), r)

r = bootstrap([X], lambda d: sd(d[0]), 2000, 3)
show("SD of X, B = 2000, seed 3 (bootstrap_one_sample)", r)
scipy_check([X], lambda x, axis: np.std(x, axis=axis, ddof=1), r)

r = bootstrap([X, Y], lambda d: mean(d[0]) - mean(d[1]), 3000, 5)
show("mean(X) - mean(Y), B = 3000, seed 5 (bootstrap_mean_difference)", r)
scipy_check([X, Y], lambda x, y, axis: np.mean(x, axis=axis) - np.mean(y, axis=axis), r)

# paired_statistics' bootstrap of the mean change on pre/post dataset A (R script, part 1)
a_before = [12.1, 8.4, 15.0, 10.2, 9.7, 14.3, 11.8, 7.5, 13.6, 10.9]
a_after = [10.4, 8.9, 12.1, 9.0, 6.2, 13.7, 12.6, 5.3, 9.5, 11.2]
D = [a - b for a, b in zip(a_after, a_before)]
r = bootstrap([D], lambda d: mean(d[0]), 1000, 11)
show("mean change of pre/post A, B = 1000, seed 11 (paired_statistics)", r)
scipy_check([D], lambda x, axis: np.mean(x, axis=axis), r)

# ---- Part 2: the hand-worked CBA in exact arithmetic ----
print("\n== CBA (exact rationals, then float)")
add = (1 - F("0.25")) * (1 - F("0.10")) * (1 - F("0.05")) * F("1.2")
s1 = F(10000) * (1 - F("0.2")) * (1 - F("0.1")) * add * (1 - F("0.05"))   # grade 2: 5%
s2 = (F(6000) - F(1500)) * (1 - F("0.3")) * add * (1 - F("0.15"))          # grade 4: 15%
s3 = F(2000) * (1 - F("0.5")) * (1 - F(0)) * add * (1 - F(0))                # grade 1: 0%
keep = 1 - F("0.2")
df = [F(1) / F("1.035") ** t for t in range(4)]
costs = [F(20000) * F("1.1"), F(5000) * F("1.1"), F(0), F(0)]
ben = [F(0)] + [(s1 + s2 + s3) * keep ** (t - 1) for t in (1, 2, 3)]
pv1 = sum(df[t] * s1 * keep ** (t - 1) for t in (1, 2, 3))
pv2 = sum(df[t] * s2 * keep ** (t - 1) for t in (1, 2, 3))
pv3 = sum(df[t] * s3 * keep ** (t - 1) for t in (1, 2, 3))
pvb = pv1 + pv2 + pv3
pvc = sum(df[t] * costs[t] for t in range(4))
cum = F(0)
for t in range(4):
    cum += df[t] * (ben[t] - costs[t])
    print("  year %d DF %.17g B %.17g C %.17g PVB %.17g PVC %.17g cum %.17g"
          % (t, df[t], ben[t], costs[t], df[t] * ben[t], df[t] * costs[t], cum))
for k, v in [("additionality", add), ("N1 stream 1", s1), ("N1 stream 2", s2), ("N1 stream 3", s3),
             ("PV stream 1", pv1), ("PV stream 2", pv2), ("PV stream 3", pv3), ("PV benefits", pvb), ("PV costs", pvc), ("NPV", pvb - pvc),
             ("BCR", pvb / pvc), ("fiscal ROI", pv1 / pvc),
             ("economic ROI", (pv1 + pv3) / pvc)]:
    print("  %-14s %.17g   (%s)" % (k, v, v))

# ---- Part 1 cross-check: scipy's Wilcoxon normal approximation on the pre/post datasets ----
from scipy.stats import wilcoxon
b_before = [30, 25, 28, 35, 22, 31, 27, 33, 29, 24, 26, 32, 30, 28]
b_after = [26, 25, 24, 30, 22, 29, 27, 28, 31, 20, 23, 32, 25, 30]
for name, bef, aft in [("A", a_before, a_after), ("B", b_before, b_after)]:
    d = np.asarray(aft, float) - np.asarray(bef, float)
    w = wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic")
    print("scipy wilcoxon %s asymptotic: p %.17g z %.17g" % (name, w.pvalue, getattr(w, "zstatistic", np.nan)))
