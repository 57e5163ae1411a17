#!/usr/bin/env python3
"""Prints the constant tables of the host's own ln x and 1 - e^-x
(kernels/core/logarithm.hpp, kernels/core/exponential.hpp) and the edges of
the observed attack-rate bins (kernels/model/tally.hpp), worked out in
80-digit arithmetic with mpmath (python3-mpmath) and each rounded to the
nearest double; a low part is the rounded remainder of the high one.

    python3 scripts/math_tables.py
"""
import mpmath

mpmath.mp.dps = 80


def nearest(value):
    return float(mpmath.mpf(value))


def split(value):
    high = nearest(value)
    return high, nearest(value - mpmath.mpf(high))


def print_array(name, values, per_line):
    print(f"inline constexpr double {name}[{len(values)}] = {{")
    for start in range(0, len(values), per_line):
        print("    " + " ".join(f"{v!r}," for v in values[start:start + per_line]))
    print("};")


def logarithm_tables():
    # x = 2^k z, z in [0.6875, 1.375): 80 intervals of width 1/256 below 1
    # and 48 of width 1/128 above; the two that touch 1 use c = 1 so that
    # ln x near 1 is a polynomial in z - 1 with no cancellation.
    centres = []
    for i in range(128):
        if i in (79, 80):
            centres.append(mpmath.mpf(1))
        elif i < 80:
            centres.append(mpmath.mpf(176 + i) / 256 + mpmath.mpf(1) / 512)
        else:
            centres.append(1 + mpmath.mpf(i - 80) / 128 + mpmath.mpf(1) / 256)
    # ln c's high part is a multiple of 2^-42, as is k times ln2's (below),
    # so their sum is exact; the low part is the rest, rounded.
    print("inline constexpr LogInterval kLogIntervals[128] = {")
    for c in centres:
        log_high = mpmath.nint(mpmath.log(c) * 2**42) / 2**42
        values = [nearest(c), nearest(1 / c), nearest(log_high), nearest(mpmath.log(c) - log_high)]
        print("    {" + ", ".join(repr(v) for v in values) + "},")
    print("};")
    ln2 = mpmath.log(2)
    # ln2's high part keeps 42 bits, so k times it is exact for |k| < 2^11.
    high = mpmath.floor(ln2 * 2**42) / 2**42
    print(f"ln2 high {nearest(high)!r} low {nearest(ln2 - high)!r}")


def exponential_low_parts():
    values = [mpmath.power(2, mpmath.mpf(j) / 64) for j in range(64)]
    print_array("kExp2SixtyfourthsLow", [split(v)[1] for v in values], 4)


def observed_rate_edges():
    # 10^(j/10), j = 1..40: the bins' edges in units of the lowest rate.
    print_array("kObservedRateEdges", [nearest(mpmath.power(10, mpmath.mpf(j) / 10)) for j in range(1, 41)], 4)


if __name__ == "__main__":
    logarithm_tables()
    exponential_low_parts()
    observed_rate_edges()
