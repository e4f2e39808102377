"""1,000,000 treated and 10,000,000 controls for `outcomes match` (issue 15), seeded.

    python scripts/bench/make_match.py 1000000 10000000 match_1m_10m.csv   (numpy, polars)
"""
import sys, numpy as np, polars as pl
n1, n0 = int(sys.argv[1]), int(sys.argv[2]); out = sys.argv[3]
rng = np.random.default_rng(20261204)
n = n1 + n0
treat = np.zeros(n, dtype=np.int8); treat[:n1] = 1
rng.shuffle(treat)
age = np.clip(np.round(rng.normal(36 - 2 * treat, 10)), 18, 80).astype(np.int32)
female = (rng.random(n) < 0.3 + 0.05 * treat).astype(np.int8)
prior = rng.poisson(1.0 + 0.8 * treat).astype(np.int32)
need = np.round(rng.normal(0.3 * treat, 1.0), 4)
area = np.array([f"area{i:02d}" for i in range(12)])[rng.integers(0, 12, n)]
y = np.round(2.0 + 0.5 * prior - 0.02 * age + 0.4 * need - 0.3 * treat + rng.normal(0, 1, n), 4)
pl.DataFrame({"id": [f"P{i:09d}" for i in range(n)], "treat": treat, "age": age, "female": female,
              "prior_arrests": prior, "need": need, "area": area, "y": y}).write_csv(out)
