#!/usr/bin/python3
"""Reading an sclsim results file with h5py: an example to copy from.

  scripts/read_results_example.py results/scls_base.h5
  scripts/read_results_example.py results/scls_psa.psa.h5 --csv-dir psa_csv

Prints the base case per strategy (labels, means and Monte Carlo SEs, 5-year
survival) and, for a PSA file, writes the three tables dampack and BCEA take:
cost.csv and effectiveness.csv (one column per strategy, one row per draw) and
parameters.csv (one column per varied parameter).
Conventions: arrays are [parameter_set, strategy, ...]; set 0 is the base
case, PSA draw k is set k + 1; strategy references are 0-based indices into
/axes/strategy; strings may come back as bytes.
"""
import argparse
import csv
import os

import h5py
import numpy as np


def strings(dataset):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.atleast_1d(dataset[()])]


def print_base_case(f):
    names = strings(f["axes/strategy"])
    labels = strings(f["axes/strategy_label"])
    money = f"{f.attrs['currency']} {f.attrs['price_year']}"
    years = f["axes/time_years"][()]
    month_5y = int(np.argmin(np.abs(years - 5.0)))
    r = f["results"]
    print(f"base case, {int(r['patients'][0, 0]):,} patients per strategy; costs in {money}, discounted")
    for s, (name, label) in enumerate(zip(names, labels)):
        print(f"  {label} [{name}]")
        print(f"    cost {r['total_cost_mean'][0, s]:,.0f} ± {r['total_cost_se'][0, s]:,.0f}   "
              f"QALYs {r['qalys_mean'][0, s]:.3f} ± {r['qalys_se'][0, s]:.3f}   "
              f"5-year survival {100 * r['survival'][0, s, month_5y]:.1f}%")
    table = f["cea/base"]
    print("incremental table (cost order):")
    statuses = strings(table["status"])
    for row, s in enumerate(table["strategy"][()]):
        versus = table["versus"][row]
        word = "vs" if statuses[row] == "frontier" else "by"
        against = f" {word} {names[versus]}" if versus >= 0 else ""
        icer = table["icer"][row]
        print(f"  {names[s]:<18} {statuses[row]}{against}"
              + (f", ICER {icer:,.0f} per QALY" if np.isfinite(icer) else ""))


def write_psa_tables(f, out_dir):
    """dampack::make_psa_obj(cost, effectiveness, parameters, strategies) and
    BCEA::bcea(e, c) read these three files as they are."""
    os.makedirs(out_dir, exist_ok=True)
    names = strings(f["axes/strategy"])
    draw_of_set = f["parameter_sets/psa_draw"][()]
    sets = np.nonzero(draw_of_set >= 0)[0]
    sets = sets[np.argsort(draw_of_set[sets])]
    tables = {"cost.csv": (names, f["cea/psa/cost"][()]),
              "effectiveness.csv": (names, f["cea/psa/qalys"][()]),
              "parameters.csv": (strings(f["parameter_sets/parameter"]), f["parameter_sets/values"][()][sets])}
    for file_name, (header, values) in tables.items():
        with open(os.path.join(out_dir, file_name), "w", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(values.tolist())
        print(f"wrote {os.path.join(out_dir, file_name)} ({values.shape[0]} draws x {values.shape[1]} columns)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="HDF5 file written by sclsim run, psa or sweep")
    parser.add_argument("--csv-dir", help="for a PSA file: where cost.csv, effectiveness.csv, parameters.csv go")
    args = parser.parse_args()
    with h5py.File(args.results, "r") as f:
        print_base_case(f)
        if args.csv_dir:
            if "cea/psa" not in f:
                raise SystemExit(f"{args.results} has no /cea/psa (it is not a PSA file) — give a file from sclsim psa")
            write_psa_tables(f, args.csv_dir)


if __name__ == "__main__":
    main()
