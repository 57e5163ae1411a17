#!/usr/bin/python3
"""Figures of an sclsim results file (run, psa or sweep):

  scripts/cea_plots.py results/scls_psa.psa.h5 [--out-dir DIR] [--wtp 100000]

Writes, as the file has them (PNG, <stem>_<figure>.png):
  survival    overall survival and attack-free curves per strategy (base case)
  frontier    efficiency frontier: cost vs QALYs, dominance, ICERs (PSA means
              in a PSA file, else the base case)
  ce_plane    PSA draws against the comparator with centroids, 95% ellipses and
              the WTP line
  ceac        CEAC of every strategy, the CEAF as markers on the optimal curve
  evpi        EVPI per person, population EVPI on the right axis
  evppi       EVPPI of the parameters above the regression noise floor, and
              EVPPI over WTP of the top few
  tornado     one-way sweep: incremental NMB of the optimal strategy against
              the next best on the efficiency frontier
  grid        grid sweep: optimal strategy over two axes (heatmap), or NMB per
              strategy over one axis
  threshold   grid sweep: where the optimal strategy changes (also printed)
Strategy labels come from /axes/strategy_label, money from the file's currency
and price year. Needs h5py, numpy, matplotlib (python3-h5py python3-matplotlib).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sclsim_plots import figures, sweeps  # noqa: E402
from sclsim_plots.style import save  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="HDF5 file written by sclsim run, psa or sweep")
    parser.add_argument("--out-dir", help="where the PNGs go (default: beside the file)")
    parser.add_argument("--wtp", type=float, help="WTP per QALY for the CE plane, frontier, EVPPI, tornado and "
                                                  "grid figures (default: the file's first report_wtp)")
    parser.add_argument("--only", nargs="+", metavar="FIGURE", help="draw only these figures")
    args = parser.parse_args()
    if args.wtp is not None and args.wtp < 0:
        parser.error(f"--wtp {args.wtp:g} is negative (a WTP is money per QALY gained) — give a value >= 0")
    if not os.path.isfile(args.results):
        sys.exit(f"cea_plots.py: {args.results} does not exist (no such file) — give an sclsim results file")

    out_dir = args.out_dir or os.path.dirname(os.path.abspath(args.results))
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.join(out_dir, os.path.splitext(os.path.basename(args.results))[0])
    res = figures.load(args.results)
    wtp = res.wtp(args.wtp)
    for name, fig in figures.draw(res, wtp, args.only):
        print(f"wrote {save(fig, f'{stem}_{name}.png')}")
    if res.kind == "grid" and res.sweep is not None:
        print(sweeps.threshold_title(res, wtp) + ":")
        for line in sweeps.threshold_lines(res, wtp):
            print(f"  {line}")


if __name__ == "__main__":
    main()
