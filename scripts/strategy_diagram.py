#!/usr/bin/python3
"""Graphviz diagram of a scenario's strategies (regimens and switching rules):

  scripts/strategy_diagram.py scenarios/scls_base.toml -o docs/strategies.dot
  scripts/strategy_diagram.py results/scls_base.h5 -o strategies.dot   # the file's effective scenario

Render with `dot -Tsvg strategies.dot -o strategies.svg` (Debian: graphviz).
A scenario that `extends` another is read from a results file, where the
effective (merged) scenario is stored.
"""
import argparse
import os
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sclsim_plots.diagram import strategy_dot  # noqa: E402


def load_scenario(path):
    if path.endswith((".h5", ".hdf5")):
        import h5py
        with h5py.File(path, "r") as f:
            text = f["scenario/effective_text"][()]
        return tomllib.loads(text.decode() if isinstance(text, bytes) else text)
    with open(path, "rb") as source:
        scenario = tomllib.load(source)
    if "extends" in scenario and "strategies" not in scenario:
        sys.exit(f"strategy_diagram.py: {path} extends {scenario['extends']} and states no strategies (they are in "
                 "the base file) — give the base scenario or a results file of this one")
    return scenario


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", help="scenario TOML or sclsim results file")
    parser.add_argument("-o", "--output", help="dot file to write (default: standard output)")
    args = parser.parse_args()
    text = strategy_dot(load_scenario(args.scenario))
    if args.output:
        with open(args.output, "w") as out:
            out.write(text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
