#!/usr/bin/python3
"""Figures of an sclsim results file (run, psa or sweep):

  scripts/cea_plots.py results/scls_psa.psa.h5 [--out-dir DIR] [--wtp 100000]

Writes, as the file has them:
  <stem>_survival.png   survival per strategy (base case, parameter set 0)
  <stem>_ce_plane.png   incremental cost vs QALYs of each PSA draw against the
                        comparator, with the WTP line
  <stem>_ceac.png       CEAC of every strategy and the CEAF (highest expected NMB)
  <stem>_evpi.png       EVPI per person (and per population) over WTP
  <stem>_evppi.png      EVPPI of each parameter and group at the WTP
  <stem>_tornado.png    one-way sweep: incremental NMB of the focus strategy
Needs h5py, numpy and matplotlib (Debian: python3-h5py python3-matplotlib).
"""
import argparse
import os

import h5py
import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def strings(dataset):
    return [text(v) for v in dataset[()]]


def save(fig, path, written):
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    written.append(path)


def focus_strategy(cost, qalys, comparator, wtp):
    """The best strategy other than the comparator by base-case NMB (as sclsim report)."""
    nmb = wtp * qalys[0] - cost[0]
    order = [s for s in np.argsort(-nmb, kind="stable") if s != comparator]
    return int(order[0]) if order else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="HDF5 file written by sclsim run, psa or sweep")
    parser.add_argument("--out-dir", help="where the PNGs go (default: beside the file)")
    parser.add_argument("--wtp", type=float, help="WTP per QALY for the CE plane line, EVPPI bars and tornado "
                                                  "(default: the file's first report_wtp)")
    args = parser.parse_args()

    out_dir = args.out_dir or os.path.dirname(os.path.abspath(args.results))
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.join(out_dir, os.path.splitext(os.path.basename(args.results))[0])
    written = []
    with h5py.File(args.results, "r") as f:
        names = strings(f["axes/strategy"])
        comparator = names.index(text(f.attrs["comparator"]))
        money = f"{text(f.attrs['currency'])} {int(f.attrs['price_year'])}"
        cost = f["results/total_cost_mean"][()]
        qalys = f["results/qalys_mean"][()]
        wtp_axis = f["cea/wtp"][()]
        wtp = args.wtp if args.wtp is not None else float(f["cea/report_wtp"][0])
        kind = text(f["parameter_sets"].attrs["kind"])

        fig, ax = plt.subplots(figsize=(7, 4.5))
        years = f["axes/time_years"][()]
        survival = f["results/survival"][()]
        for s, name in enumerate(names):
            ax.plot(years, survival[0, s], label=name)
        ax.set_xlabel("years since diagnosis")
        ax.set_ylabel("survival")
        ax.set_ylim(0, 1)
        ax.set_title("Overall survival by strategy (base case)")
        ax.grid(alpha=0.3)
        ax.legend()
        save(fig, stem + "_survival.png", written)

        if kind == "psa" and "cea/psa" in f:
            draws_cost = f["cea/psa/cost"][()]
            draws_qalys = f["cea/psa/qalys"][()]
            fig, ax = plt.subplots(figsize=(7, 5))
            for s, name in enumerate(names):
                if s == comparator:
                    continue
                dq = draws_qalys[:, s] - draws_qalys[:, comparator]
                dc = draws_cost[:, s] - draws_cost[:, comparator]
                ax.scatter(dq, dc, s=6, alpha=0.4, label=name)
            x_low, x_high = ax.get_xlim()
            xs = np.linspace(min(x_low, 0.0), max(x_high, 0.0), 2)
            ax.plot(xs, wtp * xs, "k--", lw=1, label=f"WTP {wtp:,.0f}/QALY")
            ax.axhline(0, color="grey", lw=0.5)
            ax.axvline(0, color="grey", lw=0.5)
            ax.set_xlabel(f"incremental QALYs vs {names[comparator]}")
            ax.set_ylabel(f"incremental cost ({money})")
            ax.set_title("Cost-effectiveness plane (one point per PSA draw)")
            ax.legend(markerscale=3)
            save(fig, stem + "_ce_plane.png", written)

            ceac = f["cea/psa/ceac"][()]
            ceaf = f["cea/psa/ceaf_probability"][()]
            fig, ax = plt.subplots(figsize=(7, 4.5))
            for s, name in enumerate(names):
                ax.plot(wtp_axis, ceac[:, s], label=name)
            ax.plot(wtp_axis, ceaf, "k", lw=3, alpha=0.35, label="CEAF (highest expected NMB)")
            ax.set_xlabel(f"willingness to pay ({money} per QALY)")
            ax.set_ylabel("probability cost-effective")
            ax.set_ylim(-0.02, 1.02)
            ax.set_title("CEAC and CEAF")
            ax.grid(alpha=0.3)
            ax.legend()
            save(fig, stem + "_ceac.png", written)

            fig, ax = plt.subplots(figsize=(7, 4.5))
            ax.plot(wtp_axis, f["cea/psa/evpi"][()], label="per person")
            ax.set_xlabel(f"willingness to pay ({money} per QALY)")
            ax.set_ylabel(f"EVPI per person ({money})")
            if "cea/psa/evpi_population" in f:
                twin = ax.twinx()
                twin.plot(wtp_axis, f["cea/psa/evpi_population"][()], "C1--", label="population")
                twin.set_ylabel(f"population EVPI ({money})")
            ax.set_title("Expected value of perfect information")
            ax.grid(alpha=0.3)
            save(fig, stem + "_evpi.png", written)

            if "cea/psa/evppi" in f:
                groups = strings(f["cea/psa/evppi/group"])
                evppi = f["cea/psa/evppi/evppi"][()]
                column = int(np.argmin(np.abs(wtp_axis - wtp)))
                values = evppi[:, column]
                order = np.argsort(values)
                fig, ax = plt.subplots(figsize=(8, max(3.0, 0.28 * len(groups) + 1)))
                ax.barh([groups[i] for i in order], values[order], color="C0")
                ax.axvline(f["cea/psa/evpi"][column], color="k", ls="--", lw=1, label="EVPI")
                ax.set_xlabel(f"EVPPI per person ({money}) at {wtp_axis[column]:,.0f} per QALY")
                ax.set_title("Expected value of partial perfect information")
                ax.legend()
                ax.tick_params(axis="y", labelsize=7)
                save(fig, stem + "_evppi.png", written)

        if kind == "one_way" and "sweep/parameter" in f:
            focus = focus_strategy(cost, qalys, comparator, wtp)

            def inmb(set_index):
                return wtp * (qalys[set_index, focus] - qalys[set_index, comparator]) - (
                    cost[set_index, focus] - cost[set_index, comparator])

            parameters = strings(f["sweep/parameter"])
            low_set = f["sweep/low_set"][()]
            high_set = f["sweep/high_set"][()]
            base = inmb(0)
            lows = np.array([inmb(i) for i in low_set])
            highs = np.array([inmb(i) for i in high_set])
            order = np.argsort(np.abs(highs - lows))
            fig, ax = plt.subplots(figsize=(8, max(3.0, 0.3 * len(parameters) + 1)))
            for row, i in enumerate(order):
                ax.barh(row, lows[i] - base, left=base, color="C0", label="low value" if row == 0 else None)
                ax.barh(row, highs[i] - base, left=base, color="C3", label="high value" if row == 0 else None)
            ax.set_yticks(range(len(order)), [parameters[i] for i in order], fontsize=7)
            ax.axvline(base, color="k", lw=1)
            ax.set_xlabel(f"incremental NMB of {names[focus]} vs {names[comparator]} at {wtp:,.0f}/QALY ({money})")
            ax.set_title("One-way sensitivity (tornado)")
            ax.legend()
            save(fig, stem + "_tornado.png", written)

    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
