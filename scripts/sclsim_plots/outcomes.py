"""Survival and attack-free curves per strategy (base case, parameter set 0)."""
import numpy as np
from matplotlib.lines import Line2D

from .style import figure_with_legend, legend_in, percent_axis, strategy_style, wrap, caption

MAX_YEARS = 40.0
FLOOR = 0.02


def display_horizon(time, curves, floor=FLOOR, max_years=MAX_YEARS):
    """Years to show: until every curve is below the floor, at most max_years,
    rounded up to 5 years (the tail beyond holds no information for a reader)."""
    above = np.any(curves >= floor, axis=0)
    last = time[np.nonzero(above)[0][-1]] if above.any() else time[-1]
    return float(min(max_years, max(5.0, 5.0 * np.ceil(last / 5.0)), time[-1]))


def plot_survival(res):
    horizon = display_horizon(res.time, res.survival)
    keep = res.time <= horizon + 1e-9
    fig, (ax_s, ax_a), legend_ax = figure_with_legend(9.0, 3.8, len(res.names) + 1, ncols=2)
    handles = []
    for s, label in enumerate(res.labels):
        style = strategy_style(s)
        markevery = max(1, int(keep.sum() // 8))
        for ax, curve, se in ((ax_s, res.survival[s], res.survival_se[s]), (ax_a, res.attack_free[s], None)):
            line, = ax.plot(res.time[keep], curve[keep], color=style["color"], linestyle=style["linestyle"],
                            marker=style["marker"], markevery=(s * markevery // len(res.names), markevery),
                            markersize=4.5, lw=1.6)
            if se is not None:
                ax.fill_between(res.time[keep], (curve - 1.96 * se)[keep], (curve + 1.96 * se)[keep],
                                color=style["color"], alpha=0.15, lw=0)
        handles.append(line)
    for ax, title in ((ax_s, "Overall survival"), (ax_a, "Free of attacks (death censored)")):
        ax.set_xlim(0, horizon)
        ax.set_ylim(0, 1.0)
        percent_axis(ax.yaxis)
        ax.set_xlabel("Years since diagnosis")
        ax.set_title(title)
    ax_s.set_ylabel("Probability (Kaplan–Meier)")
    labels = [wrap(label, 90) for label in res.labels]
    legend_in(legend_ax, handles + [Line2D([], [], color="0.6", lw=6, alpha=0.4)],
              labels + ["95% Monte Carlo interval (survival)"])
    patients = int(res.attrs.get("patients_per_set", 0))
    caption(fig, f"Base case, {patients:,} simulated patients per strategy; curves shown until every strategy is "
                 f"below {FLOOR:.0%} or {MAX_YEARS:.0f} years (the model runs to age "
                 f"{res.effective.get('simulation', {}).get('horizon_age_years', 100):.0f}).")
    return fig
