"""The cost-effectiveness plane of a PSA and the efficiency frontier."""
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Patch

from .results import incremental_analysis
from .style import (caption, figure_with_legend, legend_in, money_axis, plain_axis, strategy_style, wrap)

CHI2_2DF_95 = 5.991464547107979


def ellipse_95(x, y, **kwargs):
    """The ellipse holding 95% of a bivariate normal with the draws' mean and covariance."""
    covariance = np.cov(x, y)
    values, vectors = np.linalg.eigh(covariance)
    values = np.clip(values, 0.0, None)
    angle = np.degrees(np.arctan2(vectors[1, -1], vectors[0, -1]))
    width, height = 2 * np.sqrt(CHI2_2DF_95 * values[::-1])
    return Ellipse((np.mean(x), np.mean(y)), width, height, angle=angle, fill=False, **kwargs)


def draw_wtp_line(ax, wtp, shade=True):
    """The line cost = WTP x QALYs through the origin (limits unchanged)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    xs = np.linspace(x0, x1, 400)
    ys = wtp * xs
    ax.plot(xs, ys, color="black", lw=1.1, ls=(0, (6, 3)), zorder=4)
    if shade:
        ax.fill_between(xs, np.full_like(xs, min(y0, ys.min())), ys, color="0.5", alpha=0.07, lw=0, zorder=0)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def label_wtp_line(ax, wtp, money, avoid=None):
    """Writes the WTP value beside its line, at the right-most visible point
    whose label box stays inside the axes and off the `avoid` box (axes fraction)."""
    text = f"WTP {money.per_qaly(wtp)}"
    width, height = 0.045 + 0.0095 * len(text), 0.08
    xs = np.linspace(0.0, 1.0, 201)
    to_axes = ax.transLimits
    data_x = ax.get_xlim()[0] + xs * (ax.get_xlim()[1] - ax.get_xlim()[0])
    points = to_axes.transform(np.column_stack([data_x, wtp * data_x]))
    for px, py in points[::-1]:
        box = (px - width - 0.01, py + 0.01, px - 0.01, py + 0.01 + height)
        if box[0] < 0.02 or box[3] > 0.98 or box[1] < 0.02 or px > 0.92:
            continue
        if avoid is not None and not (box[2] < avoid[0] or box[0] > avoid[2] or box[3] < avoid[1]
                                      or box[1] > avoid[3]):
            continue
        ax.annotate(text, (px, py), xycoords="axes fraction", xytext=(-6, 6), textcoords="offset points",
                    ha="right", va="bottom", fontsize=8.5, zorder=6,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.6", "alpha": 0.9})
        return True
    return False


def plot_ce_plane(res, wtp):
    psa = res.psa
    c = res.comparator
    others = [s for s in range(len(res.names)) if s != c]
    flat = flat_clouds(psa, c, others)
    fig, axes, legend_ax = figure_with_legend(11.0 if flat else 7.5, 5.2, len(others) + 3,
                                              ncols=2 if flat else 1, width_ratios=[2, 1] if flat else None)
    comparator = res.labels[c]
    panels = [(axes[0], others, f"{len(psa['cost']):,} PSA draws against {comparator}")]
    if flat:
        panels.append((axes[1], flat, "Zoom near the origin"))
    for ax, strategies, title in panels:
        draw_clouds(ax, psa, c, strategies)
        ax.margins(0.08)
        draw_wtp_line(ax, wtp)
        label_wtp_line(ax, wtp, res.money)
        money_axis(ax.yaxis, res.money)
        plain_axis(ax.xaxis, nbins=5)
        ax.set_xlabel(f"Incremental QALYs vs {comparator}")
        ax.set_title(title)
    axes[0].set_ylabel(f"Incremental cost vs {comparator} ({res.money.unit})")
    fig.suptitle("Cost-effectiveness plane (per person, discounted)", fontsize=10.5)
    handles = [Line2D([], [], color=strategy_style(s)["color"], ls=strategy_style(s)["linestyle"],
                      marker=strategy_style(s)["marker"], markeredgecolor="black", markersize=8) for s in others]
    labels = [wrap(res.labels[s], 90) for s in others]
    handles += [Line2D([], [], ls="none", marker="o", markerfacecolor="white", markeredgecolor="black"),
                Line2D([], [], color="black", ls=(0, (6, 3))), Patch(facecolor="0.5", alpha=0.15)]
    labels += [f"{comparator} (comparator, origin)", f"Willingness-to-pay threshold: {res.money.per_qaly(wtp)}",
               "Cost-effective against the comparator at this WTP"]
    legend_in(legend_ax, handles, labels)
    caption(fig, "Small symbols: one PSA draw each (paired with the comparator in the same draw). Large symbols "
                 "with black edge: mean of the draws (centroid). Ellipses: 95% region of a bivariate normal with the "
                 "draws' mean and covariance." + (" Right: the strategies whose clouds are too flat to read on the "
                                                  "left, at their own scale." if flat else ""), width=150)
    return fig


def flat_clouds(psa, c, others):
    """Strategies whose cloud is too flat to read beside the others (under 6% of
    the overall span in cost or QALYs): they get a zoomed panel."""
    dq = {s: psa["qalys"][:, s] - psa["qalys"][:, c] for s in others}
    dc = {s: psa["cost"][:, s] - psa["cost"][:, c] for s in others}
    span_q = np.ptp(np.concatenate(list(dq.values()) + [[0.0]]))
    span_c = np.ptp(np.concatenate(list(dc.values()) + [[0.0]]))
    return [s for s in others if np.ptp(dq[s]) < 0.06 * span_q or np.ptp(dc[s]) < 0.06 * span_c]


def draw_clouds(ax, psa, c, strategies, point_size=7):
    for s in strategies:
        style = strategy_style(s)
        dq = psa["qalys"][:, s] - psa["qalys"][:, c]
        dc = psa["cost"][:, s] - psa["cost"][:, c]
        ax.scatter(dq, dc, s=point_size, marker=style["marker"], color=style["color"], alpha=0.22, lw=0, zorder=2)
        ax.add_patch(ellipse_95(dq, dc, edgecolor=style["color"], lw=1.6, ls=style["linestyle"], zorder=3))
        ax.scatter([dq.mean()], [dc.mean()], s=80, marker=style["marker"], color=style["color"], edgecolor="black",
                   lw=1.2, zorder=5)
    ax.scatter([0], [0], s=70, marker="o", facecolor="white", edgecolor="black", lw=1.4, zorder=6)
    ax.axhline(0, color="0.4", lw=0.7, zorder=1)
    ax.axvline(0, color="0.4", lw=0.7, zorder=1)


def frontier_source(res):
    """Costs and QALYs the frontier is drawn from: PSA means when the file has
    draws (the expected values a decision rests on), else the base case."""
    if res.psa is not None:
        draws = len(res.psa["cost"])
        return res.psa["cost"].mean(axis=0), res.psa["qalys"].mean(axis=0), f"means of {draws:,} PSA draws"
    return res.cost[0], res.qalys[0], "base case"


def plot_frontier(res, wtp):
    cost, qalys, source = frontier_source(res)
    rows = incremental_analysis(cost, qalys)
    fig, (ax,), legend_ax = figure_with_legend(7.5, 5.0, len(rows) + 2)
    handles, labels = [], []
    for row in rows:
        s = row["strategy"]
        style = strategy_style(s)
        frontier = row["status"] == "frontier"
        ax.scatter([qalys[s]], [cost[s]], s=85, marker=style["marker"], lw=1.6, zorder=5,
                   facecolor=style["color"] if frontier else "white", edgecolor=style["color"] if not frontier
                   else "black")
        handles.append(Line2D([], [], ls="none", marker=style["marker"], markersize=9,
                              markerfacecolor=style["color"] if frontier else "white",
                              markeredgecolor="black" if frontier else style["color"], markeredgewidth=1.6))
        status = row["status"] if frontier else f"{row['status']} by {res.labels[row['versus']]}"
        labels.append(wrap(f"{res.labels[s]} — {status}", 95))
    front = [r for r in rows if r["status"] == "frontier"]
    ax.plot([qalys[r["strategy"]] for r in front], [cost[r["strategy"]] for r in front], color="black", lw=1.3,
            zorder=3)
    for row in front[1:]:
        a, b = row["versus"], row["strategy"]
        ax.annotate(f"ICER {res.money.per_qaly(row['icer'])}", ((qalys[a] + qalys[b]) / 2, (cost[a] + cost[b]) / 2),
                    xytext=(-8, 6), textcoords="offset points", ha="right", va="bottom", fontsize=8.5,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.7", "alpha": 0.9}, zorder=6)
    ax.margins(0.1)
    optimal = int(np.argmax(wtp * qalys - cost))
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    xs = np.array([x0, x1])
    ax.plot(xs, cost[optimal] + wtp * (xs - qalys[optimal]), color="0.45", lw=1.0, ls=(0, (2, 2)), zorder=2)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)  # the line must not stretch the axes
    handles += [Line2D([], [], color="black", lw=1.3), Line2D([], [], color="0.45", lw=1.0, ls=(0, (2, 2)))]
    labels += ["Efficiency frontier (filled: on it; hollow: dominated)",
               f"Equal net benefit at {res.money.per_qaly(wtp)}, through the optimal strategy "
               f"({res.labels[optimal]})"]
    labels[-1] = wrap(labels[-1], 95)
    legend_in(legend_ax, handles, labels)
    ax.set_xlabel("QALYs (discounted, per person)")
    ax.set_ylabel(f"Cost ({res.money.unit}, discounted, per person)")
    money_axis(ax.yaxis, res.money)
    plain_axis(ax.xaxis)
    ax.set_title(f"Efficiency frontier ({source})")
    caption(fig, "ICERs of each frontier strategy against the previous one. Dominated: another strategy costs no "
                 "more and gains at least as many QALYs; extendedly dominated: a mix of two frontier strategies "
                 "would do better. Grey dotted line: equal net monetary benefit at this WTP through the optimal strategy; "
                 "every other strategy lies above it.")
    return fig, rows, source
