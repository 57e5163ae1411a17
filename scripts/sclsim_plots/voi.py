"""Decision uncertainty of a PSA: CEAC with the CEAF, EVPI and EVPPI."""
import numpy as np
from matplotlib.lines import Line2D

from .names import readable
from .style import (caption, figure_with_legend, legend_in, money_axis, percent_axis, strategy_style, wrap)

CEAF_MARKERS = 30        # CEAF symbols along the WTP axis: readable, not a solid band
MAX_EVPPI_BARS = 12
MAX_EVPPI_CURVES = 5
NOISE_REPLICATES = 20


def wtp_column(res, wtp):
    return int(np.argmin(np.abs(res.wtp_axis - wtp)))


WTP_LINE = {"color": "0.35", "lw": 0.9, "ls": (0, (1, 2))}


def mark_wtp(ax, wtp, money):
    """A vertical line at the WTP; its label goes in the legend (a text label would cover curves)."""
    ax.axvline(wtp, zorder=1, **WTP_LINE)
    return Line2D([], [], **WTP_LINE), f"WTP {money.per_qaly(wtp)}"


def plot_ceac(res, wtp):
    psa = res.psa
    wtp_axis = res.wtp_axis
    fig, (ax,), legend_ax = figure_with_legend(7.5, 4.6, len(res.names) + 2)
    handles = []
    every = max(1, len(wtp_axis) // 10)
    for s in range(len(res.names)):
        style = strategy_style(s)
        line, = ax.plot(wtp_axis, psa["ceac"][:, s], color=style["color"], ls=style["linestyle"], lw=1.7,
                        marker=style["marker"], markersize=4, markevery=(s * every // len(res.names), every))
        handles.append(line)
    ceaf_strategy = psa["ceaf_strategy"]
    step = max(1, len(wtp_axis) // CEAF_MARKERS)
    points = np.arange(0, len(wtp_axis), step)
    ax.scatter(wtp_axis[points], psa["ceac"][points, ceaf_strategy[points]], s=46, facecolor="none",
               edgecolor="black", lw=1.2, zorder=5)
    handles.append(Line2D([], [], ls="none", marker="o", markersize=7, markerfacecolor="none",
                          markeredgecolor="black"))
    labels = [wrap(label, 90) for label in res.labels] + [
        "CEAF: the strategy with the highest expected net benefit at each WTP"]
    wtp_handle, wtp_label = mark_wtp(ax, wtp, res.money)
    legend_in(legend_ax, handles + [wtp_handle], labels + [wtp_label])
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(wtp_axis[0], wtp_axis[-1])
    percent_axis(ax.yaxis)
    money_axis(ax.xaxis, res.money)
    ax.set_xlabel(f"Willingness to pay ({res.money.unit} per QALY)")
    ax.set_ylabel("Probability cost-effective")
    ax.set_title(f"Cost-effectiveness acceptability curves and frontier ({len(psa['cost']):,} PSA draws)")
    switches = [k for k in range(1, len(ceaf_strategy)) if ceaf_strategy[k] != ceaf_strategy[k - 1]]
    note = "; ".join(f"{res.labels[ceaf_strategy[k]]} from {res.money.format(wtp_axis[k])}" for k in switches)
    caption(fig, "CEAC: share of draws in which a strategy has the highest net monetary benefit (the curves sum to "
                 "100% at every WTP). Circles (CEAF) mark the strategy a decision maker should adopt: the highest "
                 f"expected net benefit. CEAF starts with {res.labels[ceaf_strategy[0]]}"
                 + (f"; {note}." if note else "."))
    return fig


def population_note(res):
    psa = res.psa
    multiplier = psa["attrs"].get("population_multiplier")
    if multiplier is None or "evpi_population" not in psa:
        return None, None
    per_year = res.cea_setting("population_per_year")
    horizon = res.cea_setting("decision_horizon_years")
    rate = res.attrs.get("discount_rate_costs_annual")
    parts = [f"{per_year:,.0f} new patients a year" if per_year else None,
             f"for {horizon:g} years," if horizon else None,
             f"discounted at {100 * rate:g}% a year" if rate is not None else None]
    described = " ".join(p for p in parts if p) or psa["attrs"].get("population", "")
    return float(multiplier), f"Population EVPI = EVPI per person × {multiplier:,.1f} discounted patients ({described})."


def plot_evpi(res, wtp):
    psa = res.psa
    fig, (ax,), legend_ax = figure_with_legend(7.5, 4.4, 3)
    line, = ax.plot(res.wtp_axis, psa["evpi"], color="black", lw=1.8)
    column = wtp_column(res, wtp)
    value = psa["evpi"][column]
    ax.scatter([res.wtp_axis[column]], [value], s=40, color="black", zorder=5)
    multiplier, note = population_note(res)
    text = f"{res.money.format(value)} per person"
    if multiplier:
        text += f"\n{res.money.format(value * multiplier)} population"
    ax.annotate(text, (res.wtp_axis[column], value), xytext=(8, 8), textcoords="offset points", fontsize=8.5,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.7", "alpha": 0.9})
    ax.set_xlim(res.wtp_axis[0], res.wtp_axis[-1])
    ax.set_ylim(0, max(1.0, psa["evpi"].max()) * 1.12)
    money_axis(ax.xaxis, res.money)
    money_axis(ax.yaxis, res.money)
    wtp_handle, wtp_label = mark_wtp(ax, wtp, res.money)
    ax.set_xlabel(f"Willingness to pay ({res.money.unit} per QALY)")
    ax.set_ylabel(f"EVPI per person ({res.money.unit})")
    if multiplier:
        secondary = ax.secondary_yaxis("right", functions=(lambda x: x * multiplier, lambda x: x / multiplier))
        money_axis(secondary.yaxis, res.money)
        secondary.set_ylabel(f"Population EVPI ({res.money.unit})")
        ax.spines["right"].set_visible(True)
    legend_in(legend_ax, [line, wtp_handle], ["Expected value of perfect information (right axis: the same curve "
                                              "for the population)" if multiplier else
                                              "Expected value of perfect information", wtp_label])
    ax.set_title("Expected value of perfect information")
    caption(fig, "EVPI = E[max NMB] − max E[NMB] over the PSA draws: what removing all parameter uncertainty "
                 "would be worth per person. " + (note or "No population given ([cea] population_per_year)."))
    return fig


def noise_floor(psa, wtp, basis_size, seed=12345):
    """EVPPI that an input unrelated to the outcome gets from a regression with
    the same number of basis functions: the overfit the method cannot tell
    from information. Mean over replicates of random regressors."""
    nmb = wtp * psa["qalys"] - psa["cost"]
    incremental = nmb - nmb[:, :1]
    rng = np.random.default_rng(seed)
    draws = len(nmb)
    values = []
    for _ in range(NOISE_REPLICATES):
        design = np.column_stack([np.ones(draws), rng.standard_normal((draws, max(1, basis_size - 1)))])
        coefficients, *_ = np.linalg.lstsq(design, incremental, rcond=None)
        fitted = design @ coefficients
        values.append(fitted.max(axis=1).mean() - fitted.mean(axis=0).max())
    return float(np.mean(values))


def evppi_ranking(res, wtp):
    """Groups above their noise floor at a WTP, largest first; the floors by basis size."""
    evppi = res.psa["evppi"]
    column = wtp_column(res, wtp)
    floors = {}
    kept = []
    for i, value in enumerate(evppi["evppi"][:, column]):
        size = basis_size(evppi, i)
        if size not in floors:
            floors[size] = noise_floor(res.psa, res.wtp_axis[column], size)
        if np.isfinite(value) and value > max(floors[size], 0.0):
            kept.append((i, float(value)))
    kept.sort(key=lambda item: -item[1])
    return kept, floors


def basis_size(evppi, i):
    return int(evppi["basis_functions"][i]) if "basis_functions" in evppi else 8


def top_curves(res, count=MAX_EVPPI_CURVES):
    """The groups with the largest EVPPI anywhere on the WTP grid, each checked
    against the noise floor at its own peak."""
    evppi = res.psa["evppi"]
    values = np.nan_to_num(evppi["evppi"])
    peaks = values.argmax(axis=1)
    candidates = sorted(range(len(values)), key=lambda i: -values[i, peaks[i]])[:3 * count]
    kept = [i for i in candidates if values[i, peaks[i]] > max(
        0.0, noise_floor(res.psa, res.wtp_axis[peaks[i]], basis_size(evppi, i)))]
    return kept[:count]


def evppi_bars(ax, res, shown, column):
    evpi = res.psa["evpi"][column]
    names = [wrap(readable(res.psa["evppi"]["group"][i], res.regimen_labels), 44) for i, _ in shown]
    y = np.arange(len(shown))[::-1]
    ax.barh(y, [v for _, v in shown], color="#56B4E9", edgecolor="black", lw=0.6, height=0.6)
    right = max(evpi, max((v for _, v in shown), default=1.0)) * 1.3
    for row, (_, value) in zip(y, shown):
        ax.annotate(res.money.format(value), (value, row), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8, bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
                    zorder=5)
    ax.axvline(evpi, color="black", lw=1.1, ls=(0, (6, 3)), zorder=2)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_ylim(-0.7, max(len(shown), 4) - 0.3)
    ax.set_xlim(0, right)
    money_axis(ax.xaxis, res.money, nbins=5)
    ax.grid(axis="y", visible=False)


def plot_evppi(res, wtp):
    evppi = res.psa["evppi"]
    column = wtp_column(res, wtp)
    at = res.wtp_axis[column]
    kept, floors = evppi_ranking(res, wtp)
    shown = kept[:MAX_EVPPI_BARS]
    curves = top_curves(res)
    fig, (ax_bar, ax_curve), legend_ax = figure_with_legend(11.0, max(3.8, 0.4 * len(shown) + 1.4),
                                                            (len(curves) + 3) // 2 + 1, ncols=2)
    evpi = res.psa["evpi"]
    evppi_bars(ax_bar, res, shown, column)
    if not shown:
        ax_bar.text(0.5, 0.5, wrap("No parameter has an EVPPI above the regression noise floor at this WTP: the "
                                   "decision is clear here, or the PSA has too few draws.", 45),
                    transform=ax_bar.transAxes, ha="center", va="center", fontsize=9, color="0.3")
        ax_bar.set_xticks([])
    ax_bar.set_xlabel(f"EVPPI per person ({res.money.unit})")
    ax_bar.set_title(f"EVPPI at {res.money.per_qaly(at)}, largest first" if shown else
                     f"No parameter above the noise floor at {res.money.per_qaly(at)}")
    handles = [Line2D([], [], color="black", lw=1.8, ls=(0, (6, 3)))]
    labels = ["EVPI (all parameters together)"]
    ax_curve.plot(res.wtp_axis, evpi, color="black", lw=1.8, ls=(0, (6, 3)))
    for rank, i in enumerate(curves):
        style = strategy_style(rank)
        line, = ax_curve.plot(res.wtp_axis, evppi["evppi"][i], color=style["color"], ls=style["linestyle"],
                              lw=1.5, marker=style["marker"], markersize=4,
                              markevery=max(1, len(res.wtp_axis) // 10))
        handles.append(line)
        labels.append(readable(evppi["group"][i], res.regimen_labels))
    ax_curve.set_xlim(res.wtp_axis[0], res.wtp_axis[-1])
    ax_curve.set_ylim(0, None)
    money_axis(ax_curve.xaxis, res.money, nbins=4)
    money_axis(ax_curve.yaxis, res.money)
    wtp_handle, wtp_label = mark_wtp(ax_curve, at, res.money)
    ax_curve.set_xlabel(f"Willingness to pay ({res.money.unit} per QALY)")
    ax_curve.set_ylabel(f"EVPPI per person ({res.money.unit})")
    ax_curve.set_title(f"EVPPI over WTP: the {len(curves)} largest")
    legend_in(legend_ax, handles + [wtp_handle], labels + [wtp_label], ncol=2)
    low, high = min(floors.values()), max(floors.values())
    floor_text = res.money.format(low) if round(low) == round(high) else \
        f"{res.money.format(low)} to {res.money.format(high)} by basis size"
    caption(fig, f"EVPPI by nonparametric regression on {len(res.psa['cost']):,} PSA draws (Strong, Oakley & "
                 f"Brennan 2014), per person. Bars: parameters and groups above the regression noise floor at this "
                 f"WTP (the EVPPI an unrelated input gets from a basis of the same size: {floor_text}); "
                 f"{len(evppi['group']) - len(kept)} of {len(evppi['group'])} at or below it are left out"
                 f"{'' if len(kept) <= MAX_EVPPI_BARS else f', and {len(kept) - MAX_EVPPI_BARS} smaller ones'}. "
                 "Curves: the groups with the largest EVPPI anywhere on the WTP grid.", width=160)
    return fig
