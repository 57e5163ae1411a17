#!/usr/bin/env python3
"""Exits 0 when two sclsim results files hold bit-identical numbers.

Every dataset and attribute must match byte for byte, except the root
attributes that describe how and when a run was made (timings, command line,
processes, hosts, device, resumption). Prints each difference otherwise.

    same_numbers.py A.h5 B.h5
"""
import sys

import h5py
import numpy as np

# Root attributes about the making of a file, not its numbers.
HOW_IT_RAN = {
    "created_utc", "command_line", "wall_seconds", "simulate_seconds", "patient_strategy_lifetimes_per_second",
    "peak_resident_mib", "processes", "hosts", "device", "backend", "resumed_from_checkpoint",
}


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fiub":
        return a.tobytes() == b.tobytes()  # bits, so NaN == NaN and -0.0 != 0.0
    return a.tolist() == b.tolist()


def compare(path_a, path_b):
    problems = []
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        for name in sorted(set(names_a) ^ set(names_b)):
            problems.append(f"{name}: only in {'A' if name in names_a else 'B'}")
        for name in ["/"] + sorted(set(names_a) & set(names_b)):
            oa, ob = fa[name], fb[name]
            if isinstance(oa, h5py.Dataset) != isinstance(ob, h5py.Dataset):
                problems.append(f"{name}: dataset in one file, group in the other")
                continue
            if isinstance(oa, h5py.Dataset) and not same_value(oa[()], ob[()]):
                problems.append(f"{name}: values differ")
            keys = (set(oa.attrs) | set(ob.attrs)) - (HOW_IT_RAN if name == "/" else set())
            for key in sorted(keys):
                if key not in oa.attrs or key not in ob.attrs:
                    problems.append(f"{name}@{key}: only in {'A' if key in oa.attrs else 'B'}")
                elif key not in ("DIMENSION_LIST", "REFERENCE_LIST") and not same_value(oa.attrs[key], ob.attrs[key]):
                    problems.append(f"{name}@{key}: {oa.attrs[key]!r} != {ob.attrs[key]!r}")
        datasets = sum(isinstance(fa[n], h5py.Dataset) for n in names_a)
    return problems, datasets


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    problems, datasets = compare(sys.argv[1], sys.argv[2])
    for p in problems:
        print(f"differs: {p}")
    if problems:
        print(f"{sys.argv[1]} and {sys.argv[2]}: {len(problems)} differences")
        sys.exit(1)
    print(f"{sys.argv[1]} and {sys.argv[2]}: {datasets} datasets, identical numbers")


if __name__ == "__main__":
    main()
