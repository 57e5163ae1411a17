"""The Python efficiency frontier (scripts/sclsim_plots/results.py, used for
PSA means and the tornado's next-best strategy) agrees with the table sclsim
wrote in /cea/base: same order, status, comparison and ICER for every set-0
file given."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from sclsim_plots.results import Results, incremental_analysis  # noqa: E402

failures = 0
for path in sys.argv[1:]:
    res = Results(path)
    rows = incremental_analysis(res.cost[0], res.qalys[0])
    table = res.base_table
    for k, row in enumerate(rows):
        theirs = (int(table["strategy"][k]), table["status"][k], int(table["versus"][k]))
        ours = (row["strategy"], row["status"], row["versus"])
        icer_ok = (math.isnan(row["icer"]) and math.isnan(table["icer"][k])) or \
            abs(row["icer"] - table["icer"][k]) <= 1e-9 * abs(table["icer"][k])
        if ours != theirs or not icer_ok:
            failures += 1
            print(f"FAIL: {path} row {k}: python {ours} icer {row['icer']}, sclsim {theirs} icer {table['icer'][k]}")
if failures:
    sys.exit(1)
print(f"frontier: python and sclsim agree on {len(sys.argv) - 1} files")
