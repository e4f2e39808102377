# Extra reference values: scipy 1.17.1 / statsmodels 0.15.0
import numpy as np
from scipy import stats as st
from statsmodels.stats.contingency_tables import mcnemar
rng = np.random.default_rng(5)
a = np.round(rng.normal(0, 1, 30), 3); b = np.round(a + rng.normal(0.3, 1, 30), 3)
print("a =", [float(v) for v in a]); print("b =", [float(v) for v in b])
d = b - a; print("ties?", len(np.unique(np.abs(d))) < 30, "zeros?", (d == 0).sum())
r = st.wilcoxon(b, a, method="exact"); print("wilcoxon n30 exact", repr(r.statistic), repr(r.pvalue))
x = np.round(rng.normal(0, 1, 8), 3); y = np.round(rng.normal(0.8, 1, 40), 3)
y[y == -0.397] = -0.398
print("x =", [float(v) for v in x]); print("y =", [float(v) for v in y])
print("ties?", len(np.unique(np.r_[x, y])) < 48)
for alt in ["two-sided", "less", "greater"]:
    r = st.mannwhitneyu(x, y, alternative=alt); print("mwu 8v40", alt, repr(r.statistic), repr(r.pvalue))
r = st.chi2_contingency(np.array([[5, 5], [5, 5]]), correction=True); print("chi2 equal", repr(r.statistic), repr(r.pvalue))
r = st.chi2_contingency(np.array([[6, 5], [5, 6]]), correction=True); print("chi2 near", repr(r.statistic), repr(r.pvalue))
r = mcnemar(np.array([[3, 5], [5, 3]]), exact=False, correction=True); print("mcnemar b=c", repr(r.statistic), repr(r.pvalue))
