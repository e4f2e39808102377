# Reference values for tests/suite/stats_reference.rs.
# Python 3, scipy 1.17.1, statsmodels 0.15.0, numpy 2.4.6.
import numpy as np, pandas as pd, scipy, statsmodels
from scipy import stats as st
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
print("scipy", scipy.__version__, "statsmodels", statsmodels.__version__)
D = "/work/shared/reference-data/"
L = pd.read_csv(D + "lalonde.csv")
t = L.re78[L.treat == 1].values; c = L.re78[L.treat == 0].values
w = st.ttest_ind(t, c, equal_var=False); ci = w.confidence_interval(0.95)
print("lalonde welch t", repr(w.statistic), "df", repr(w.df), "p", repr(w.pvalue), "ci", repr(ci.low), repr(ci.high))
print("welch se", repr(np.sqrt(t.var(ddof=1)/len(t) + c.var(ddof=1)/len(c))))
s = st.ttest_ind(t, c, equal_var=True); ci = s.confidence_interval(0.95)
print("lalonde student t", repr(s.statistic), "p", repr(s.pvalue), "ci", repr(ci.low), repr(ci.high))
n1, n2 = len(t), len(c)
sp = np.sqrt(((n1-1)*t.var(ddof=1) + (n2-1)*c.var(ddof=1))/(n1+n2-2))
print("pooled se", repr(sp*np.sqrt(1/n1+1/n2)), "sp", repr(sp))
d = (t.mean()-c.mean())/sp; J = 1 - 3/(4*(n1+n2-2)-1)
print("d", repr(d), "g", repr(J*d))
m = st.mannwhitneyu(t, c)
print("mwu", repr(m.statistic), repr(m.pvalue))
for alt in ["less", "greater"]:
    print("mwu", alt, repr(st.mannwhitneyu(t, c, alternative=alt).pvalue))
    print("welch", alt, repr(st.ttest_ind(t, c, equal_var=False, alternative=alt).pvalue))
N = pd.read_csv(D + "nsw74demo.csv")
t2 = N.re78[N.trt == 1].values; c2 = N.re78[N.trt == 0].values
s = st.ttest_ind(t2, c2); ci = s.confidence_interval()
n1, n2 = len(t2), len(c2)
sp = np.sqrt(((n1-1)*t2.var(ddof=1) + (n2-1)*c2.var(ddof=1))/(n1+n2-2))
print("nsw diff", repr(t2.mean()-c2.mean()), "student t", repr(s.statistic), "p", repr(s.pvalue), "se", repr(sp*np.sqrt(1/n1+1/n2)), "ci", repr(ci.low), repr(ci.high))
print("nsw d", repr((t2.mean()-c2.mean())/sp))
w = st.ttest_ind(t2, c2, equal_var=False)
print("nsw welch t", repr(w.statistic), "df", repr(w.df), "p", repr(w.pvalue))
J_ = pd.read_csv(D + "jacobson_1989.csv")
W = J_.pivot(index="subject", columns="time", values=["das", "gds"])
for meas in ["das", "gds"]:
    pre, post = W[(meas, "pre")], W[(meas, "post")]
    ok = pre.notna() & post.notna()
    r = st.ttest_rel(post[ok], pre[ok]); ci = r.confidence_interval()
    dd = (post - pre)[ok]
    print(meas, "n", ok.sum(), "t", repr(r.statistic), "p", repr(r.pvalue), "ci", repr(ci.low), repr(ci.high), "mean", repr(dd.mean()), "dz", repr(dd.mean()/dd.std(ddof=1)))
    print(meas, "pre sd", repr(pre.std(ddof=1)), "pre sd (ok)", repr(pre[ok].std(ddof=1)))
    wr = st.wilcoxon(post[ok], pre[ok], zero_method="wilcox", correction=True, method="asymptotic")
    print(meas, "wilcoxon approx", repr(wr.statistic), repr(wr.pvalue), "zeros", int((dd == 0).sum()))
# own cases
x = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
for alt in ["two-sided", "greater", "less"]:
    r = st.wilcoxon(x, y, alternative=alt, method="exact")
    print("wilcoxon exact", alt, repr(r.statistic), repr(r.pvalue))
# with ties and zeros
a = np.array([10, 12, 9, 15, 11, 10, 14, 8, 13, 12, 10, 9, 11, 16, 7], float)
b = np.array([12, 12, 11, 14, 14, 13, 14, 11, 13, 15, 12, 12, 10, 18, 9], float)
for alt in ["two-sided", "greater", "less"]:
    r = st.wilcoxon(b, a, alternative=alt, zero_method="wilcox", correction=True, method="asymptotic")
    print("wilcoxon approx ties", alt, repr(r.statistic), repr(r.pvalue), repr(getattr(r, "zstatistic", None)))
diff = b - a
print("sign", int((diff > 0).sum()), int((diff < 0).sum()), repr(st.binomtest(int((diff > 0).sum()), int((diff != 0).sum())).pvalue),
      repr(st.binomtest(int((diff > 0).sum()), int((diff != 0).sum()), alternative="greater").pvalue))
tab = np.array([[30, 12], [4, 20]])  # rows before yes/no, cols after yes/no -> b = 12 (yes->no), c = 4
r1 = mcnemar(tab, exact=True); r2 = mcnemar(tab, exact=False, correction=True)
print("mcnemar exact", r1.statistic, repr(r1.pvalue), "chi2", repr(r2.statistic), repr(r2.pvalue))
for corr in [False, True]:
    r = st.chi2_contingency(np.array([[18, 32], [9, 41]]), correction=corr)
    print("chi2", corr, repr(r.statistic), repr(r.pvalue))
lo, hi = confint_proportions_2indep(18, 50, 9, 50, method="wald", compare="diff")
print("wald diff", repr(lo), repr(hi))
lo, hi = confint_proportions_2indep(18, 50, 9, 50, method="newcomb", compare="diff")
print("newcombe diff", repr(lo), repr(hi))
p = np.array([0.01, 0.04, 0.03, 0.005, 0.20, 0.04, 0.5, 0.0001])
print("holm", [repr(v) for v in multipletests(p, method="holm")[1]])
print("bh", [repr(v) for v in multipletests(p, method="fdr_bh")[1]])
# MWU exact small, and asymptotic with ties
u1 = np.array([3.1, 4.5, 2.2, 5.9, 4.0]); u2 = np.array([6.3, 5.1, 7.7, 4.8, 6.9, 8.2, 5.5])
for alt in ["two-sided", "greater", "less"]:
    r = st.mannwhitneyu(u1, u2, alternative=alt)
    print("mwu exact", alt, repr(r.statistic), repr(r.pvalue))
g1 = np.array([1, 2, 2, 3, 3, 3, 4, 5, 5, 6], float); g2 = np.array([2, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8], float)
for alt in ["two-sided", "greater", "less"]:
    r = st.mannwhitneyu(g1, g2, alternative=alt)
    print("mwu ties", alt, repr(r.statistic), repr(r.pvalue))
r = st.ttest_rel(y, x, alternative="less"); print("ttest_rel less", repr(r.statistic), repr(r.pvalue))
print("wilson", [repr(v) for v in proportion_confint(19, 30, 0.05, method="wilson")])
