"""Deterministic sensitivity analysis: tornado (one-way), the optimal strategy
over a grid (two-way heatmap or one-way lines) and threshold values."""
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .names import axis_label, format_value, is_money, readable
from .results import crossings, optimal_and_next_best
from .style import (PALETTE, caption, figure_with_legend, legend_in, money_axis, plain_axis, strategy_style, wrap)

MAX_TORNADO_BARS = 15
LOW_COLOR, HIGH_COLOR = "#56B4E9", "#D55E00"


def tornado_data(res, wtp):
    """Incremental NMB of the base-case optimal strategy against the next best
    on the frontier, at each parameter's low and high value."""
    optimal, rival = optimal_and_next_best(res.cost[0], res.qalys[0], wtp)
    nmb = res.nmb(wtp)
    inmb = nmb[:, optimal] - nmb[:, rival]
    sweep = res.sweep
    rows = []
    for k, path in enumerate(sweep["parameter"]):
        low, high = inmb[sweep["low_set"][k]], inmb[sweep["high_set"][k]]
        rows.append({"path": path, "low": low, "high": high, "range": abs(high - low),
                     "low_value": sweep["low_value"][k], "high_value": sweep["high_value"][k],
                     "base_value": sweep["base_value"][k]})
    rows.sort(key=lambda r: -r["range"])
    return optimal, rival, inmb[0], rows


ZERO_LINE = {"color": "black", "lw": 1.0, "ls": (0, (1, 1.5))}


def tornado_bars(ax, res, shown, base):
    y = np.arange(len(shown))[::-1]
    for row, r in zip(y, shown):
        for end, color in (("low", LOW_COLOR), ("high", HIGH_COLOR)):
            ax.barh(row, r[end] - base, left=base, color=color, edgecolor="black", lw=0.5, height=0.62,
                    hatch="//" if end == "high" else None, zorder=2)
        for end in ("low", "high"):
            right = r[end] > base or (r[end] == base and end == "high")
            ax.annotate(format_value(r["path"], r[f"{end}_value"], res.money), (r[end], row),
                        xytext=(4 if right else -4, 0), textcoords="offset points", va="center",
                        ha="left" if right else "right", fontsize=7.5, color="0.1", zorder=6,
                        bbox={"boxstyle": "square,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.axvline(base, color="black", lw=1.0, zorder=3)
    if shown:
        lo = min(min(r["low"], r["high"]) for r in shown)
        hi = max(max(r["low"], r["high"]) for r in shown)
        pad = 0.22 * max(hi - lo, abs(base) * 0.05, 1.0)
        ax.set_xlim(min(lo, base) - pad, max(hi, base) + pad)
        if ax.get_xlim()[0] < 0 < ax.get_xlim()[1]:
            ax.axvline(0, zorder=1, **ZERO_LINE)
    labels = [wrap(f"{readable(r['path'], res.regimen_labels)} "
                   f"(base\u00a0{format_value(r['path'], r['base_value'], res.money)})", 58) for r in shown]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.7, len(shown) - 0.3)
    ax.grid(axis="y", visible=False)
    money_axis(ax.xaxis, res.money, nbins=6)


def plot_tornado(res, wtp):
    optimal, rival, base, rows = tornado_data(res, wtp)
    moving = [r for r in rows if r["range"] > 1e-9 * max(1.0, abs(base))]
    shown = moving[:MAX_TORNADO_BARS]
    fig, (ax,), legend_ax = figure_with_legend(9.0, 0.42 * max(len(shown), 1) + 1.3, 2)
    tornado_bars(ax, res, shown, base)
    ax.set_xlabel(wrap(f"Incremental net monetary benefit per person at {res.money.per_qaly(wtp)} "
                       f"({res.money.unit})", 90))
    fig.suptitle(wrap(f"One-way sensitivity: {res.labels[optimal]} vs {res.labels[rival]}", 100), fontsize=10.5)
    legend_in(legend_ax, [Patch(facecolor=LOW_COLOR, edgecolor="black"),
                          Patch(facecolor=HIGH_COLOR, edgecolor="black", hatch="//"),
                          Line2D([], [], color="black"), Line2D([], [], **ZERO_LINE)],
              ["Parameter at its low value", "Parameter at its high value",
               f"Base case: {res.money.format(base)}", "Zero: the decision changes beyond this line"], ncol=2)
    ranges = str(res.sweep.get("range_origin", [""])[0])
    caption(fig, f"{res.labels[optimal]} has the highest net benefit in the base case; {res.labels[rival]} is the "
                 f"next best strategy on the efficiency frontier, so their difference is the decision at stake. "
                 f"Numbers at the bar ends: the parameter's low and high values ({ranges or 'sweep ranges'}). "
                 f"{len(rows) - len(shown)} parameters with a smaller or no effect are not shown.", width=140)
    return fig


def grid_layout(res):
    sweep = res.sweep
    axes = [sweep[k] for k in ("axis_0", "axis_1") if k in sweep]
    return sweep["axis_parameter"], axes


def optimal_over_grid(res, wtp):
    nmb = res.nmb(wtp)[1:]          # set 0 is the base case; the grid follows
    return nmb, np.argmax(nmb, axis=1)


def thresholds_1d(x, nmb):
    """Where the optimal strategy changes along one axis: the value at which
    the NMB difference of the two strategies crosses zero (linear interpolation)."""
    optimal = np.argmax(nmb, axis=1)
    found = []
    for k in range(len(x) - 1):
        a, b = int(optimal[k]), int(optimal[k + 1])
        if a == b:
            continue
        difference = nmb[k:k + 2, b] - nmb[k:k + 2, a]
        points = crossings(x[k:k + 2], difference)
        found.append({"value": points[0] if points else float(x[k + 1]), "before": a, "after": b})
    return found


def threshold_lines(res, wtp):
    """Printed thresholds of the first grid axis, for every value of the second if there is one."""
    parameters, axes = grid_layout(res)
    nmb, _ = optimal_over_grid(res, wtp)
    lines = []
    columns = len(axes[1]) if len(axes) > 1 else 1
    for j in range(columns):
        rows = nmb.reshape(len(axes[0]), columns, -1)[:, j, :]
        where = f"{readable(parameters[1], res.regimen_labels)} = " \
                f"{format_value(parameters[1], axes[1][j], res.money)}: " if len(axes) > 1 else ""
        found = thresholds_1d(axes[0], rows)
        if not found:
            lines.append(f"{where}no threshold: {res.labels[int(np.argmax(rows[0]))]} is optimal from "
                         f"{format_value(parameters[0], axes[0][0], res.money)} to "
                         f"{format_value(parameters[0], axes[0][-1], res.money)}")
        for t in found:
            lines.append(f"{where}threshold {format_value(parameters[0], t['value'], res.money)}: above it "
                         f"{res.labels[t['after']]} replaces {res.labels[t['before']]}")
    return lines


def threshold_title(res, wtp):
    parameters, _ = grid_layout(res)
    return f"thresholds of {readable(parameters[0], res.regimen_labels)} at {res.money.per_qaly(wtp)}"


def cell_edges(values):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    middles = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - middles[0]], middles, [2 * values[-1] - middles[-1]]])


def plot_grid(res, wtp):
    parameters, axes = grid_layout(res)
    if len(axes) == 1:
        return plot_grid_lines(res, wtp)
    nmb, optimal = optimal_over_grid(res, wtp)
    grid = optimal.reshape(len(axes[0]), len(axes[1]))
    present = sorted(set(grid.ravel().tolist()))
    fig, (ax,), legend_ax = figure_with_legend(7.5, 5.0, len(present) + 1)
    colors = ListedColormap([PALETTE[s % len(PALETTE)] for s in range(len(res.names))])
    ax.pcolormesh(cell_edges(axes[0]), cell_edges(axes[1]), grid.T, cmap=colors, vmin=-0.5,
                  vmax=len(res.names) - 0.5, edgecolors="white", linewidth=0.6)
    for s in present:
        i, j = np.nonzero(grid == s)
        ax.scatter(np.asarray(axes[0])[i], np.asarray(axes[1])[j], marker=strategy_style(s)["marker"], s=22,
                   color="white", edgecolor="black", lw=0.5, zorder=3)
    base = [res.effective_value(p) for p in parameters]
    handles = [Line2D([], [], ls="none", marker=strategy_style(s)["marker"], markersize=9,
                      markerfacecolor=PALETTE[s % len(PALETTE)], markeredgecolor="black") for s in present]
    labels = [wrap(res.labels[s], 90) for s in present]
    if all(v is not None for v in base):
        ax.scatter([base[0]], [base[1]], marker="*", s=220, color="#F0E442", edgecolor="black", lw=1.0, zorder=4)
        handles.append(Line2D([], [], ls="none", marker="*", markersize=13, markerfacecolor="#F0E442",
                              markeredgecolor="black"))
        labels.append("Base case")
    legend_in(legend_ax, handles, labels)
    for axis, path in ((ax.xaxis, parameters[0]), (ax.yaxis, parameters[1])):
        money_axis(axis, res.money) if is_money(path) else plain_axis(axis)
    ax.set_xlabel(axis_label(parameters[0], res.regimen_labels, res.money))
    ax.set_ylabel(axis_label(parameters[1], res.regimen_labels, res.money))
    ax.grid(False)
    ax.set_title(f"Optimal strategy (highest net benefit) at {res.money.per_qaly(wtp)}")
    caption(fig, f"Each cell: one parameter set of the grid ({len(axes[0])} × {len(axes[1])} points, "
                 f"{int(res.attrs.get('patients_per_set', 0)):,} patients each, the same patients in every set); "
                 "colour and symbol name the strategy with the highest net monetary benefit. Other parameters at "
                 "their base-case values.")
    return fig


def shade_optimal(ax, x, nmb):
    """Background bands in the colour of the optimal strategy, changing at the
    interpolated thresholds; dashed lines at the thresholds."""
    found = thresholds_1d(x, nmb)
    edges = cell_edges(x)
    bounds = [edges[0]] + [t["value"] for t in found] + [edges[-1]]
    strategies = [int(np.argmax(nmb[0]))] + [t["after"] for t in found]
    for (left, right), s in zip(zip(bounds, bounds[1:]), strategies):
        ax.axvspan(left, right, color=PALETTE[s % len(PALETTE)], alpha=0.10, lw=0, zorder=0)
    for t in found:
        ax.axvline(t["value"], color="0.3", lw=0.9, ls=(0, (4, 2)), zorder=1)
    return found


def label_thresholds(ax, found, path, money):
    """Threshold values written just above the plot (never over data)."""
    for t in found:
        ax.annotate(format_value(path, t["value"], money), (t["value"], 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=8)


def plot_grid_lines(res, wtp):
    parameters, axes = grid_layout(res)
    x = np.asarray(axes[0], dtype=float)
    nmb, _ = optimal_over_grid(res, wtp)
    fig, (ax,), legend_ax = figure_with_legend(7.5, 4.6, len(res.names) + 2)
    handles = []
    for s in range(len(res.names)):
        style = strategy_style(s)
        line, = ax.plot(x, nmb[:, s], color=style["color"], ls=style["linestyle"], marker=style["marker"],
                        markersize=4.5, lw=1.6)
        handles.append(line)
    found = shade_optimal(ax, x, nmb)
    label_thresholds(ax, found, parameters[0], res.money)
    ax.set_xlim(cell_edges(x)[0], cell_edges(x)[-1])
    money_axis(ax.yaxis, res.money)
    money_axis(ax.xaxis, res.money) if is_money(parameters[0]) else plain_axis(ax.xaxis)
    ax.set_xlabel(axis_label(parameters[0], res.regimen_labels, res.money))
    ax.set_ylabel(f"Net monetary benefit per person ({res.money.unit})")
    ax.set_title(f"Net monetary benefit at {res.money.per_qaly(wtp)}", pad=16)
    legend_in(legend_ax, handles + [Patch(color="0.5", alpha=0.25), Line2D([], [], color="0.3", ls=(0, (4, 2)))],
              [wrap(label, 90) for label in res.labels] + ["Background: colour of the optimal strategy",
                                                           "Threshold: the optimal strategy changes"])
    caption(fig, "NMB = WTP × QALYs − cost, per person, discounted; other parameters at their base-case values. "
                 "Thresholds by linear interpolation of the NMB difference between grid points.")
    return fig


def plot_threshold(res, wtp):
    """Incremental NMB of each pair of strategies that swap places along a 1-D
    grid; the threshold is where it crosses zero."""
    parameters, axes = grid_layout(res)
    if len(axes) == 2:
        return plot_threshold_2d(res, wtp)
    x = np.asarray(axes[0], dtype=float)
    nmb, _ = optimal_over_grid(res, wtp)
    found = thresholds_1d(x, nmb)
    pairs = [(t["after"], t["before"]) for t in found] or [optimal_and_next_best(res.cost[1], res.qalys[1], wtp)]
    fig, (ax,), legend_ax = figure_with_legend(7.5, 4.4, 2 * len(pairs) + len(found) + 1)
    handles, labels = [], []
    for rank, (a, b) in enumerate(pairs):
        style = strategy_style(rank)  # colour of the strategy that gains; style tells pairs apart
        line, = ax.plot(x, nmb[:, a] - nmb[:, b], color=strategy_style(a)["color"], ls=style["linestyle"],
                        marker=style["marker"], markersize=4.5, lw=1.6)
        handles.append(line)
        labels.append(wrap(f"{res.labels[a]} minus {res.labels[b]}", 95))
    ax.axhline(0, color="black", lw=1.0)
    for t in found:
        ax.axvline(t["value"], color="0.3", lw=0.9, ls=(0, (4, 2)))
        ax.scatter([t["value"]], [0], s=50, color="black", zorder=7)
    label_thresholds(ax, found, parameters[0], res.money)
    money_axis(ax.yaxis, res.money)
    money_axis(ax.xaxis, res.money) if is_money(parameters[0]) else plain_axis(ax.xaxis)
    ax.set_xlabel(axis_label(parameters[0], res.regimen_labels, res.money))
    ax.set_ylabel(f"Incremental NMB per person ({res.money.unit})")
    ax.set_title(wrap(f"Threshold analysis at {res.money.per_qaly(wtp)}", 80), pad=16)
    for t in found:
        handles.append(Line2D([], [], ls=(0, (4, 2)), color="0.3", marker="o", markerfacecolor="black"))
        labels.append(wrap(f"{format_value(parameters[0], t['value'], res.money)}: {res.labels[t['after']]} "
                           f"replaces {res.labels[t['before']]} above this value", 95))
    legend_in(legend_ax, handles, labels)
    none = "" if found else (f" The optimal strategy does not change between "
                             f"{format_value(parameters[0], x[0], res.money)} and "
                             f"{format_value(parameters[0], x[-1], res.money)}.")
    caption(fig, "Above zero, the first strategy of a pair has the higher net monetary benefit. Thresholds by "
                 "linear interpolation of the NMB difference between grid points; other parameters at their "
                 "base-case values." + none, width=130)
    return fig


def plot_threshold_2d(res, wtp):
    """Threshold of the first grid axis as a function of the second: one line
    per pair of strategies that swap places."""
    parameters, axes = grid_layout(res)
    x0, x1 = (np.asarray(a, dtype=float) for a in axes)
    nmb, _ = optimal_over_grid(res, wtp)
    cube = nmb.reshape(len(x0), len(x1), -1)
    lines = {}
    for j, value in enumerate(x1):
        for t in thresholds_1d(x0, cube[:, j, :]):
            lines.setdefault((t["before"], t["after"]), []).append((value, t["value"]))
    fig, (ax,), legend_ax = figure_with_legend(7.5, 4.6, max(len(lines), 1))
    handles, labels = [], []
    for rank, ((before, after), points) in enumerate(lines.items()):
        style = strategy_style(rank)
        xs, ys = zip(*points)
        line, = ax.plot(xs, ys, color=style["color"], ls=style["linestyle"], marker=style["marker"], lw=1.6)
        handles.append(line)
        labels.append(wrap(f"{res.labels[before]} below the line, {res.labels[after]} above", 95))
    base = [res.effective_value(p) for p in parameters]
    if all(v is not None for v in base):
        ax.scatter([base[1]], [base[0]], marker="*", s=220, color="#F0E442", edgecolor="black", lw=1.0, zorder=5)
        handles.append(Line2D([], [], ls="none", marker="*", markersize=13, markerfacecolor="#F0E442",
                              markeredgecolor="black"))
        labels.append("Base case")
    if not lines:
        ax.text(0.5, 0.5, "The optimal strategy does not change along "
                f"{readable(parameters[0], res.regimen_labels)}", transform=ax.transAxes, ha="center")
    ax.set_ylim(cell_edges(x0)[0], cell_edges(x0)[-1])
    ax.set_xlim(cell_edges(x1)[0], cell_edges(x1)[-1])
    for axis, path in ((ax.xaxis, parameters[1]), (ax.yaxis, parameters[0])):
        money_axis(axis, res.money) if is_money(path) else plain_axis(axis)
    ax.set_xlabel(axis_label(parameters[1], res.regimen_labels, res.money))
    ax.set_ylabel(wrap(f"Threshold: {axis_label(parameters[0], res.regimen_labels, res.money)}", 50))
    ax.set_title(f"Threshold values at {res.money.per_qaly(wtp)}")
    legend_in(legend_ax, handles, labels)
    caption(fig, f"At each value of {readable(parameters[1], res.regimen_labels)}, the value of "
                 f"{readable(parameters[0], res.regimen_labels)} at which the optimal strategy changes (linear "
                 "interpolation of the NMB difference between grid points).", width=130)
    return fig
