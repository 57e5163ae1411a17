#!/usr/bin/python3
"""One self-contained HTML report of an sclsim analysis, in CHEERS 2022 order:

  scripts/report_html.py RESULTS.h5 [--psa PSA.h5] [--sweep ONEWAY.h5] [--grid GRID.h5 ...]
                         [--validation VALIDATED.h5] [--wtp W] -o report.html

RESULTS.h5 is a base-case run (sclsim run); each optional file adds its
section: PSA (CE plane, CEAC, intervals, EVPI, EVPPI), one-way sweep (tornado),
grid sweep (optimal strategy, thresholds), validation (targets and figures).
Figures are embedded as PNG, diagrams as inline SVG, the CSS inline: the file
makes no request outside itself and can be mailed or archived as it is.
Needs h5py, numpy, matplotlib; Graphviz (dot) draws the strategy diagram of
the run's own scenario, else the base case's from docs/ is used.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sclsim_plots import report_methods as methods  # noqa: E402
from sclsim_plots import report_results as results  # noqa: E402
from sclsim_plots.html import page  # noqa: E402
from sclsim_plots.results import Results  # noqa: E402
from sclsim_plots.style import apply_style  # noqa: E402
from sclsim_plots.validation import load as load_validation  # noqa: E402


class Context:
    """The files of one analysis, read once."""

    def __init__(self, args):
        self.main = open_results(args.results, "RESULTS", None)
        self.psa = open_results(args.psa, "--psa", "psa")
        self.sweep = open_results(args.sweep, "--sweep", "one_way")
        self.grids = [open_results(path, "--grid", "grid") for path in args.grid or []]
        self.validation_results = open_results(args.validation, "--validation", None)
        self.validation = load_validation(args.validation) if args.validation else None
        self.wtp = self.main.wtp(args.wtp)


def open_results(path, option, kind):
    if path is None:
        return None
    if not os.path.isfile(path):
        sys.exit(f"report_html.py: {option} {path} does not exist (no such file) — give an sclsim results file")
    res = Results(path)
    if kind is not None and res.kind != kind:
        sys.exit(f"report_html.py: {option} {path} holds a '{res.kind}' run, not '{kind}' (each option takes its "
                 f"own kind of file) — give the file of `sclsim {'psa' if kind == 'psa' else 'sweep'}`")
    return res


SECTIONS = [("summary", "Summary"), ("introduction", "Introduction"), ("methods", "Methods"),
            ("model-structure", "Model structure"), ("inputs", "Inputs and their sources"),
            ("psa-distributions", "Distributions of the probabilistic analysis"),
            ("analytics", "Analytic methods"), ("results", "Results"), ("incremental", "Incremental analysis"),
            ("psa", "Probabilistic sensitivity analysis"), ("voi", "Value of information"),
            ("one-way", "One-way sensitivity analysis"), ("grid", "Grid sweep and thresholds"),
            ("validation", "Validation"), ("limitations", "Limitations")]


def build(ctx):
    parts = {"summary": methods.abstract(ctx), "introduction": methods.introduction(ctx),
             "methods": methods.methods(ctx), "model-structure": methods.model_structure(ctx),
             "inputs": methods.inputs_table(ctx), "psa-distributions": methods.psa_distributions(ctx),
             "analytics": methods.analytics(ctx), "results": results.base_case(ctx),
             "incremental": results.incremental(ctx), "psa": results.uncertainty(ctx),
             "voi": results.value_of_information(ctx), "one-way": results.one_way(ctx), "grid": results.grids(ctx),
             "validation": results.validation(ctx), "limitations": results.limitations(ctx)}
    present = [(anchor, title) for anchor, title in SECTIONS if parts[anchor]]
    body = methods.title_block(ctx) + [methods.contents(present)]
    for anchor, _ in SECTIONS:
        body += parts[anchor]
    return page(ctx.main.attrs.get("title", "sclsim report"), body)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="HDF5 file of the base case (sclsim run)")
    parser.add_argument("--psa", help="HDF5 file of sclsim psa")
    parser.add_argument("--sweep", help="HDF5 file of sclsim sweep --one-way")
    parser.add_argument("--grid", action="append", help="HDF5 file of sclsim sweep --grid (repeatable: e.g. a 2-D "
                                                        "grid and a 1-D threshold sweep)")
    parser.add_argument("--validation", help="HDF5 file of sclsim run --targets")
    parser.add_argument("--wtp", type=float, help="WTP per QALY of the figures (default: the first report_wtp)")
    parser.add_argument("-o", "--output", required=True, help="HTML file to write")
    args = parser.parse_args()
    if args.wtp is not None and args.wtp < 0:
        parser.error(f"--wtp {args.wtp:g} is negative (a WTP is money per QALY gained) — give a value >= 0")
    apply_style()
    text = build(Context(args))
    temporary = args.output + ".partial"
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, args.output)  # a reader never sees half a report
    print(f"wrote {args.output} ({len(text.encode('utf-8')) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
