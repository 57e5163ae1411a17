"""Reading an sclsim results file, and the decision maths the figures share:
net monetary benefit, the efficiency frontier (dominance and extended
dominance, as `sclsim report`), the optimal strategy and the next best one.
"""
import tomllib

import h5py
import numpy as np

from .style import Money


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def strings(dataset):
    return [text(v) for v in np.atleast_1d(dataset[()])]


class Results:
    """What the figures need from one file, read once (the file is closed after)."""

    def __init__(self, path):
        self.path = path
        with h5py.File(path, "r") as f:
            self.attrs = {k: (text(v) if isinstance(v, (bytes, str)) else v) for k, v in f.attrs.items()}
            self.names = strings(f["axes/strategy"])
            self.labels = strings(f["axes/strategy_label"]) if "axes/strategy_label" in f else list(self.names)
            self.comparator = self.names.index(self.attrs["comparator"])
            self.regimen_labels = dict(zip(strings(f["axes/regimen"]), strings(f["axes/regimen_label"]))) \
                if "axes/regimen_label" in f else {}
            self.money = Money(self.attrs.get("currency", ""), self.attrs.get("price_year", 0))
            self.kind = text(f["parameter_sets"].attrs["kind"])
            self.set_labels = strings(f["parameter_sets/label"])
            self.cost = f["results/total_cost_mean"][()]
            self.qalys = f["results/qalys_mean"][()]
            self.time = f["axes/time_years"][()]
            self.survival = f["results/survival"][0]
            self.survival_se = f["results/survival_se"][0]
            self.attack_free = f["results/attack_free"][0]
            self.wtp_axis = f["cea/wtp"][()]
            self.report_wtp = f["cea/report_wtp"][()]
            self.effective_text = text(f["scenario/effective_text"][()])
            self.effective = tomllib.loads(self.effective_text)
            self.overrides = strings(f["scenario/overrides"]) if f["scenario/overrides"].shape != (0,) else []
            self.source_text = text(f["scenario/source_text"][()])
            self.base_table = _read_group(f, "cea/base")
            self.psa = _read_psa(f) if "cea/psa" in f else None
            self.sweep = _read_group(f, "sweep") if "sweep" in f else None
            self.parameter_values = f["parameter_sets/values"][()]
            self.parameters = strings(f["parameter_sets/parameter"])
            self.has_validation = "validation" in f
            self.scenario_values = dict(zip(strings(f["scenario/parameter_names"]),
                                            f["scenario/parameter_values"][()].tolist()))

    def wtp(self, requested=None):
        return float(requested) if requested is not None else float(self.report_wtp[0])

    def nmb(self, wtp, set_index=None):
        """NMB [set, strategy] (or [strategy] for one set) at a WTP."""
        values = wtp * self.qalys - self.cost
        return values if set_index is None else values[set_index]

    def effective_value(self, path):
        """A numeric parameter's base-case value (None when the scenario has no such key)."""
        return self.scenario_values.get(path)

    def cea_setting(self, key, default=None):
        return self.effective.get("cea", {}).get(key, default)


def _read_group(f, name):
    group = f[name]
    data = {k: (strings(d) if d.dtype.kind in "OSU" else d[()]) for k, d in group.items() if isinstance(d, h5py.Dataset)}
    data["attrs"] = {k: (text(v) if isinstance(v, (bytes, str)) else v) for k, v in group.attrs.items()}
    return data


def _read_psa(f):
    psa = _read_group(f, "cea/psa")
    psa["evppi"] = _read_group(f, "cea/psa/evppi") if "cea/psa/evppi" in f else None
    return psa


def incremental_analysis(cost, qalys):
    """Efficiency frontier of one set: rows in cost order with status and ICER.

    Rules of the README (and of sclsim report): cost order, ties with more QALYs
    first; dominated when an earlier row gains at least as much; extendedly
    dominated when its ICER exceeds the next frontier strategy's (equal kept).
    Returns a list of dicts: strategy, cost, qalys, status, versus, icer.
    """
    order = sorted(range(len(cost)), key=lambda s: (cost[s], -qalys[s], s))
    rows = {s: {"strategy": s, "cost": cost[s], "qalys": qalys[s], "status": "frontier", "versus": -1,
                "icer": np.nan} for s in order}
    best = None
    for s in order:
        if best is not None and qalys[best] >= qalys[s]:
            rows[s].update(status="dominated", versus=best)
        else:
            best = s
    frontier = [s for s in order if rows[s]["status"] == "frontier"]
    changed = True
    while changed:
        changed = False
        icers = [(cost[b] - cost[a]) / (qalys[b] - qalys[a]) for a, b in zip(frontier, frontier[1:])]
        for k in range(len(icers) - 1):
            if icers[k] > icers[k + 1]:
                removed = frontier.pop(k + 1)
                rows[removed].update(status="extendedly dominated", versus=frontier[k])
                changed = True
                break
    for a, b in zip(frontier, frontier[1:]):
        rows[b].update(versus=a, icer=(cost[b] - cost[a]) / (qalys[b] - qalys[a]))
    return [rows[s] for s in order]


def frontier_strategies(cost, qalys):
    return [r["strategy"] for r in incremental_analysis(cost, qalys) if r["status"] == "frontier"]


def optimal_and_next_best(cost, qalys, wtp):
    """The strategy with the highest NMB and the best other frontier strategy.

    NMB along a frontier is unimodal in position, so the best other frontier
    strategy is a neighbour of the optimal one: the decision that is actually
    at stake. Falls back to the best other strategy when the frontier has one.
    """
    nmb = wtp * np.asarray(qalys) - np.asarray(cost)
    optimal = int(np.argmax(nmb))  # exact ties: the strategy listed first
    others = [s for s in frontier_strategies(cost, qalys) if s != optimal]
    if not others:
        others = [s for s in range(len(nmb)) if s != optimal]
    if not others:
        return optimal, None
    return optimal, max(others, key=lambda s: (nmb[s], -s))


def crossings(x, difference):
    """Where a curve sampled at x crosses zero, by linear interpolation."""
    points = []
    for k in range(len(x) - 1):
        a, b = difference[k], difference[k + 1]
        if a == 0:
            points.append(float(x[k]))
        elif a * b < 0:
            points.append(float(x[k] + (x[k + 1] - x[k]) * (-a) / (b - a)))
    if len(x) and difference[-1] == 0:
        points.append(float(x[-1]))
    return points
