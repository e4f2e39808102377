"""Analytic standard errors of Callaway & Sant'Anna aggregations on did::mpdta.

An independent numpy implementation written from R `did`'s source
(bcallaway11/did: R/compute.att_gt.R for the ATT(g,t) influence functions,
R/compute.aggte.R for `wif`, `get_agg_inf_func`, `getSE`), with
`bstrap = FALSE`, `xformla = ~1`, `est_method = "reg"`, balanced panel:

* ATT(g,t) influence function over all n units (n = units kept, i.e. not
  treated in or before the first period), DRDID `reg_did_panel` without
  covariates rescaled by n / n1 as compute.att_gt does:
      IF_i = n (ΔY_i − mean_g ΔY) / n_g       for units of cohort g,
      IF_i = −n (ΔY_i − mean_c ΔY) / n_c      for comparison units, 0 otherwise;
  a universal-base normalised cell ATT(g, g−1) = 0 has IF = 0.
* pg = n_g / n per cell (dta's first period, weights 1); keepers = post cells.
* wif(keepers, pg, G, group)[:, k] = (1{G=group_k} − pg_k)/S
      − (Σ_j (1{G=group_j} − pg_j)) pg_k / S²,  S = Σ_{keepers} pg.
* aggregate IF = IF[:, keepers] @ w + wif @ att[keepers]; se = sqrt(mean(IF²)/n).
* group: θ(g) = mean of post cells, IF without wif; overall weights pgg/Σpgg
  with wif over the distinct cohorts (`group = glist`, as did's current
  compute.aggte and csdid 0.4.3 pass it; older did passed the per-cell vector).
* dynamic: θ(e) with pg weights and wif per e; overall = mean over e ≥ 0 of
  the θ(e) IFs, no wif.
* simple: post cells, pg weights, wif.
* did sets an SE ≤ sqrt(.Machine$double.eps) * 10 to NA.

Run: python3 scripts/reference/cs_aggte_se.py  (numpy 2.4.6, pandas 3.1.1)
Writes tests/data/cs_aggte_se_expected.csv: control_group, base_period,
kind (group | dynamic | simple), key (cohort / event time / "overall"),
att, se ("nan" = NA).
"""
import os
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
mp = pd.read_csv("/work/shared/reference-data/mpdta.csv")
periods = sorted(mp.year.unique())
first = periods[0]
last = periods[-1]
wide = mp.pivot(index="countyreal", columns="year", values="lemp")[periods]
gvec = mp.groupby("countyreal")["first.treat"].first().reindex(wide.index).values
Y = wide.values
# did: drop units treated in or before the first period; treated after the last = never.
keep = ~((gvec > 0) & (gvec <= first))
Y = Y[keep]
G = np.where(gvec[keep] > last, 0, gvec[keep])
n = len(G)
glist = sorted(g for g in np.unique(G) if g > 0)
TINY = np.sqrt(np.finfo(float).eps) * 10


def attgt(cg, bp):
    cells = []  # (g, t, att, IF)
    for g in glist:
        gb = max(i for i, t in enumerate(periods) if t < g)
        start = 1 if bp == "varying" else 0
        for ti in range(start, len(periods)):
            t = periods[ti]
            post = t >= g
            bi = ti - 1 if (bp == "varying" and not post) else gb
            if bp == "universal" and bi == ti:
                cells.append((g, t, 0.0, np.zeros(n)))
                continue
            horizon = max(t, periods[bi])
            d = Y[:, ti] - Y[:, bi]
            treat = G == g
            if cg == "nevertreated":
                ctrl = G == 0
            else:
                ctrl = (G == 0) | ((G > horizon) & (G != g))
            mt, mc = d[treat].mean(), d[ctrl].mean()
            inf = np.zeros(n)
            inf[treat] = n * (d[treat] - mt) / treat.sum()
            inf[ctrl] = -n * (d[ctrl] - mc) / ctrl.sum()
            cells.append((g, t, mt - mc, inf))
    return cells


def wif(keepers, pg, group):
    S = pg[keepers].sum()
    ind = np.column_stack([(G == group[k]).astype(float) - pg[k] for k in keepers])
    if1 = ind / S
    if2 = np.outer(ind.sum(axis=1), pg[keepers] / S**2)
    return if1 - if2


def agg_if(att, inf, which, w, wf):
    out = inf[:, which] @ w
    if wf is not None:
        out = out + wf @ att[which]
    return out


def se(f):
    s = np.sqrt(np.mean(f**2) / n)
    return np.nan if s <= TINY else s


rows = []
for cg in ["nevertreated", "notyettreated"]:
    for bp in ["varying", "universal"]:
        cells = attgt(cg, bp)
        group = np.array([c[0] for c in cells])
        tt = np.array([c[1] for c in cells])
        att = np.array([c[2] for c in cells])
        inf = np.column_stack([c[3] for c in cells])
        pgg = np.array([np.mean(G == g) for g in glist])
        pg = np.array([np.mean(G == g) for g in group])
        keepers = np.where(group <= tt)[0]
        # simple
        wf = wif(keepers, pg, group)
        f = agg_if(att, inf, keepers, pg[keepers] / pg[keepers].sum(), wf)
        rows.append((cg, bp, "simple", "overall", np.sum(att[keepers] * pg[keepers]) / pg[keepers].sum(), se(f)))
        # group
        thg, ifg = [], []
        for g in glist:
            which = np.where((group == g) & (tt >= g))[0]
            thg.append(att[which].mean())
            f = agg_if(att, inf, which, pg[which] / pg[which].sum(), None)
            ifg.append(f)
            rows.append((cg, bp, "group", str(int(g)), thg[-1], se(f)))
        thg = np.array(thg)
        ifg = np.column_stack(ifg)
        allk = np.arange(len(glist))
        wf = wif(allk, pgg, np.array(glist))
        f = agg_if(thg, ifg, allk, pgg / pgg.sum(), wf)
        rows.append((cg, bp, "group", "overall", np.sum(thg * pgg) / pgg.sum(), se(f)))
        # dynamic
        ev = tt - group
        eseq = np.unique(ev)
        the, ife = [], []
        for e in eseq:
            which = np.where(ev == e)[0]
            w = pg[which] / pg[which].sum()
            the.append(np.sum(att[which] * w))
            f = agg_if(att, inf, which, w, wif(which, pg, group))
            ife.append(f)
            rows.append((cg, bp, "dynamic", str(int(e)), the[-1], se(f)))
        the = np.array(the)
        ife = np.column_stack(ife)
        epos = np.where(eseq >= 0)[0]
        f = agg_if(the, ife, epos, np.full(len(epos), 1 / len(epos)), None)
        rows.append((cg, bp, "dynamic", "overall", the[epos].mean(), se(f)))

out = pd.DataFrame(rows, columns=["control_group", "base_period", "kind", "key", "att", "se"])
path = os.path.join(ROOT, "tests", "data", "cs_aggte_se_expected.csv")
out.to_csv(path, index=False, float_format="%.15g", na_rep="nan")
print(out.to_string())
