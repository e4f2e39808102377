#!/usr/bin/env python3
"""Cross-check of part E's staggered tables with csdid 0.4.3 (the Python port
of R's did; pip install csdid==0.4.3, numpy 2.4.6, pandas 3.1.1).

    /work/venv/bin/python scripts/golden/part_e.py --dump /tmp/part_e
    /work/venv/bin/python scripts/golden/part_e_csdid.py /tmp/part_e

Runs ATTgt(yname="y", tname="period", idname="person", gname="first_treated",
control_group="nevertreated").fit(est_method="reg", base_period="varying",
bstrap=False) and aggte(typec="simple" / "group" / "dynamic") on the panel
part_e.py dumps (persons numbered, no identifier; periods from 1, never
treated 0), and prints the largest difference from part_e.py's unrounded values (the
staggered_*_values.csv files of the dump), whose rounding is the golden
staggered_att.csv and staggered_aggregation.csv.
"""
import csv
import os
import sys
import warnings

import numpy as np
import pandas as pd
from csdid.att_gt import ATTgt

warnings.filterwarnings("ignore")
panel = pd.read_csv(os.path.join(sys.argv[1], "staggered.csv"))
a = ATTgt(yname="y", tname="period", idname="person", gname="first_treated", data=panel,
          control_group="nevertreated").fit(est_method="reg", base_period="varying",
                                            bstrap=False)
r = a.results
mine = list(csv.reader(open(os.path.join(sys.argv[1], "staggered_att_values.csv"))))[1:]
assert len(mine) == len(r["att"]), (len(mine), len(r["att"]))
worst = 0.0
for row, g, t, att, se in zip(mine, r["group"], r["year"], r["att"], r["se"]):
    assert (int(row[0]), int(row[1])) == (int(g), int(t)), (row, g, t)
    worst = max(worst, abs(float(row[2]) - att), abs(float(row[3]) - se))
print(f"ATT(g,t) and SEs: {len(mine)} cells, largest difference from part_e.py {worst:.2e}")
agg = {}
for typ in ["simple", "group", "dynamic"]:
    a.aggte(typec=typ, bstrap=False, cband=False)
    res = a.atte
    agg[typ] = (res["overall_att"], res["overall_se"], res.get("att_egt"), res.get("se_egt"))
gold = list(csv.reader(open(os.path.join(sys.argv[1], "staggered_aggregation_values.csv"))))[1:]
worst = 0.0
for typ, (att, se, by_att, by_se) in agg.items():
    rows = [g for g in gold if g[0] == typ]
    overall = [g for g in rows if g[1] == "overall"][0]
    worst = max(worst, abs(float(overall[2]) - float(np.ravel(att)[0])),
                abs(float(overall[3]) - float(np.ravel(se)[0])))
    if by_att is not None and typ != "simple":
        per = [g for g in rows if g[1] != "overall"]
        assert len(per) == len(np.ravel(by_att)), (typ, len(per), len(np.ravel(by_att)))
        for g, x, s in zip(per, np.ravel(by_att), np.ravel(by_se)):
            worst = max(worst, abs(float(g[2]) - x), abs(float(g[3]) - s))
    print(f"{typ}: overall ATT {float(np.ravel(att)[0]):.6f} SE {float(np.ravel(se)[0]):.6f}")
print(f"aggregations: largest difference from part_e.py {worst:.2e}")
