"""Reference ATT(g,t) and aggregations on did::mpdta from csdid (Python port of R's `did`).

Run:  python3 make_csdid_reference.py   (with `pip install csdid==0.4.3`; numpy 2.4.6, pandas 3.1.1)
Writes csdid_mpdta_expected.csv: one row per (control_group, base_period, kind, key).
kind = attgt (key = "g:t"), attgt_se (analytic influence-function SE, bstrap=False), group (key = g, or "overall"), dynamic (key = e, or "overall"), simple ("overall").
Call: ATTgt(yname="lemp", tname="year", idname="countyreal", gname="first.treat", data=mpdta,
            control_group=cg).fit(est_method="reg", base_period=bp, bstrap=False), then .aggte(typec=...).
"""
import warnings
import numpy as np
import pandas as pd
import csdid
from csdid.att_gt import ATTgt

warnings.filterwarnings("ignore")
mp = pd.read_csv("../../../shared/reference-data/mpdta.csv")
mp["countyreal"] = mp["countyreal"].astype(int)
mp["first.treat"] = mp["first.treat"].astype(int)
mp["year"] = mp["year"].astype(int)
rows = []
print("csdid", csdid.__version__ if hasattr(csdid, "__version__") else "0.4.3")
for cg in ["nevertreated", "notyettreated"]:
    for bp in ["varying", "universal"]:
        a = ATTgt(yname="lemp", tname="year", idname="countyreal", gname="first.treat", data=mp,
                  control_group=cg).fit(est_method="reg", base_period=bp, bstrap=False)
        r = a.results
        for g, t, v, se in zip(r["group"], r["year"], r["att"], r["se"]):
            rows.append((cg, bp, "attgt", f"{int(g)}:{int(t)}", float(v)))
            rows.append((cg, bp, "attgt_se", f"{int(g)}:{int(t)}", float(se)))
        for typ in ["group", "dynamic", "simple"]:
            a.aggte(typec=typ, bstrap=False)
            at = a.atte
            rows.append((cg, bp, typ, "overall", float(at["overall_att"])))
            if typ != "simple":
                for k, v in zip(at["egt"], at["att_egt"]):
                    rows.append((cg, bp, typ, str(int(k)), float(v)))
out = pd.DataFrame(rows, columns=["control_group", "base_period", "kind", "key", "value"])
out.to_csv("csdid_mpdta_expected.csv", index=False, float_format="%.15g")
print(out.to_string())
