"""Largest gap between exact and asymptotic rank-test p-values, over every
attainable statistic, for the tolerances of
tests/suite/stats_proptest.rs::exact_and_asymptotic_rank_tests_agree.

Signed rank: n in 20..=40, d = ±(1..n) (no ties, no zeros) with each
attainable V, scipy `wilcoxon(d, zero_method="wilcox", correction=True,
method="exact" | "asymptotic")`.
Mann-Whitney: n1, n2 in 10..=20, distinct values with each attainable U1,
scipy `mannwhitneyu(x, y, use_continuity=True, method="exact" | "asymptotic")`.

Run: /work/venv/bin/python scripts/reference/rank_exact_vs_asymptotic.py
(scipy 1.17.1, numpy; about 3 minutes). Output with scipy 1.17.1:
  signrank n 20..40 two-sided 0.008294232452257688
  signrank n 20..40 greater 0.004147116226128844
  signrank n 20..40 less 0.004147116226128844
  mwu n1,n2 10..20 two-sided 0.008575353683632603
  mwu n1,n2 10..20 greater 0.004287676841816301
  mwu n1,n2 10..20 less 0.004287676841816301
"""
import numpy as np, scipy
from scipy.stats import wilcoxon, mannwhitneyu
print("scipy", scipy.__version__)
def subset_with_sum(n, v):
    s=[]; 
    for r in range(n,0,-1):
        if r<=v: s.append(r); v-=r
    assert v==0
    return set(s)

for alt in ["two-sided","greater","less"]:
    m=0
    for n in range(20,41):
        for v in range(0, n*(n+1)//2+1):
            pos=subset_with_sum(n,v)
            d=np.array([r if r in pos else -r for r in range(1,n+1)],float)
            pe=wilcoxon(d, zero_method="wilcox", correction=True, method="exact", alternative=alt).pvalue
            pa=wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic", alternative=alt).pvalue
            m=max(m,abs(pe-pa))
    print("signrank n 20..40", alt, m, flush=True)
for alt in ["two-sided","greater","less"]:
    m=0
    for n1 in range(10,21):
        for n2 in range(10,21):
            y=np.arange(n2,dtype=float)
            for u in range(0,n1*n2+1):
                k=[];rem=u
                for i in range(n1):
                    t=min(n2,rem); k.append(t); rem-=t
                x=np.array([k[i]-0.5+ (i+1)*1e-4 for i in range(n1)])
                pe=mannwhitneyu(x,y,method="exact",use_continuity=True,alternative=alt).pvalue
                pa=mannwhitneyu(x,y,method="asymptotic",use_continuity=True,alternative=alt).pvalue
                m=max(m,abs(pe-pa))
    print("mwu n1,n2 10..20", alt, m, flush=True)
