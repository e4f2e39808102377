"""Cross-check of tests/data/cs_aggte_se_expected.csv (scripts/reference/cs_aggte_se.py,
numpy from did's source) against csdid 0.4.3, the Python port of R's `did`:
ATTgt(yname="lemp", tname="year", idname="countyreal", gname="first.treat", data=mpdta,
      control_group=cg).fit(est_method="reg", base_period=bp, bstrap=False)
then .aggte(typec=..., bstrap=False, cband=False). Prints the largest absolute difference.
Run with `pip install csdid==0.4.3` (numpy 2.4.6, pandas 3.1.1).
"""
import os, warnings
import numpy as np
import pandas as pd
from csdid.att_gt import ATTgt

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
exp = pd.read_csv(os.path.join(HERE, "..", "..", "tests", "data", "cs_aggte_se_expected.csv"), dtype={"key": str})
mp = pd.read_csv("/work/shared/reference-data/mpdta.csv")
for c in ["countyreal", "first.treat", "year"]:
    mp[c] = mp[c].astype(int)
worst = 0.0
for cg in ["nevertreated", "notyettreated"]:
    for bp in ["varying", "universal"]:
        a = ATTgt(yname="lemp", tname="year", idname="countyreal", gname="first.treat", data=mp,
                  control_group=cg).fit(est_method="reg", base_period=bp, bstrap=False)
        for typ in ["group", "dynamic", "simple"]:
            a.aggte(typec=typ, bstrap=False, cband=False)
            at = a.atte
            got = [("overall", float(at["overall_att"]), float(np.ravel(at["overall_se"])[0]))]
            if typ != "simple":
                for k, v, s in zip(at["egt"], at["att_egt"], np.ravel(at["se_egt"])):
                    got.append((str(int(k)), float(v), float(s)))
            for key, v, s in got:
                row = exp[(exp.control_group == cg) & (exp.base_period == bp) & (exp.kind == typ) & (exp.key == key)]
                assert len(row) == 1, (cg, bp, typ, key)
                ev, es = float(row.att.iloc[0]), float(row.se.iloc[0])
                d_att = abs(ev - v)
                d_se = 0.0 if (np.isnan(es) and (np.isnan(s) or s <= np.sqrt(np.finfo(float).eps) * 10)) else abs(es - s)
                print(cg, bp, typ, key, f"att {v:.10f} se {s:.10f}  numpy se {es:.10f}  diff {d_se:.2e}")
                worst = max(worst, d_att, d_se)
print("largest |difference|", worst)
