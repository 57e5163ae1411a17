"""Validation of an sclsim run against calibration targets: the data of a
file's /validation group and its figures (model curves with the published
points, every target's z-score)."""
import sys

import h5py
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter
from matplotlib.patches import Patch

from .outcomes import display_horizon
from .style import caption, figure_with_legend, legend_in, percent_axis, strategy_style, wrap

Z95 = 1.959963984540054
PROBABILITY_STATISTICS = {"survival", "attack_free", "death_share", "death_per_attack", "death_before_diagnosis",
                          "ever_treated_share"}
# Where a survival target's follow-up starts, and the /results curve that answers it.
FOLLOW_UP_CURVES = {"diagnosis": ("survival_since_diagnosis", None),
                    "diagnosis, ever treated": ("survival_since_diagnosis_as_treated", 0),
                    "diagnosis, never treated": ("survival_since_diagnosis_as_treated", 1)}


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def strings(dataset):
    return [text(v) for v in dataset[()]]


def fmt_stat(statistic, value):
    if not np.isfinite(value):
        return "n/a"
    return f"{100 * value:.1f}%" if statistic in PROBABILITY_STATISTICS else f"{value:.3f}"


def load(path):
    with h5py.File(path, "r") as f:
        if "validation" not in f:
            sys.exit(f"{path}: no /validation group (run sclsim run SCENARIO --targets TARGETS.toml) — nothing to report")
        v = f["validation"]
        r = f["results"]
        data = {
            "attrs": {k: (text(x) if isinstance(x, (bytes, str)) else x) for k, x in f.attrs.items()},
            "target_set": text(v.attrs["target_set"]),
            "targets_source": text(v.attrs["source"]),
            "name": strings(v["name"]),
            "statistic": strings(v["statistic"]),
            "strategies": strings(v["strategies"]),
            "reference": strings(v["reference"]),
            "regimen": strings(v["regimen"]),
            "source": strings(v["source"]),
            "years": v["years"][()],
            "target_value": v["target_value"][()],
            "target_se": v["target_se"][()],
            "model_value": v["model_value"][()],
            "model_se": v["model_se"][()],
            "shares": v["strategy_shares"][()],
            "strategy": strings(f["axes/strategy"]),
            "strategy_label": strings(f["axes/strategy_label"]),
            "regimen_names": strings(f["axes/regimen"]),
            "regimen_labels": strings(f["axes/regimen_label" if "axes/regimen_label" in f else "axes/regimen"]),
            "time": f["axes/time_years"][()],
            "survival": r["survival"][0],
            "survival_se": r["survival_se"][0],
            "attack_free": r["attack_free"][0],
            "rate": r["attacks_per_patient_year_mean"][0],
            "rate_se": r["attacks_per_patient_year_se"][0],
            "attacks_on_regimen": r["attacks_on_regimen"][0],
            "regimen_years": r["regimen_years"][0],
            "patients": r["patients"][0],
            "observed_rates": r["observed_rate_histogram"][0] if "observed_rate_histogram" in r else None,
            "observed_rate_lower": f["axes/observed_rate_lower"][()] if "axes/observed_rate_lower" in f else None,
        }
        data["follow_up"] = strings(v["follow_up"]) if "follow_up" in v else ["entry"] * len(data["name"])
        data["scale"] = strings(v["scale"]) if "scale" in v else ["linear"] * len(data["name"])  # older files: linear
        for name in ("quantile", "cohort_size", "target_ci_lower", "target_ci_upper"):
            data[name] = v[name][()] if name in v else np.full(len(data["name"]), np.nan)
        for name in ("survival_since_diagnosis", "survival_since_diagnosis_as_treated", "alive_at_diagnosis",
                     "ever_treated"):
            if name in r:
                data[name] = r[name][0]
    return data


def statistic_text(d, i):
    """'survival at 5 y', 'observed_rate_max of 28 patients', 'observed_rate, quantile 0.5' of target i."""
    when = f" at {d['years'][i]:g} y" if np.isfinite(d["years"][i]) else ""
    if np.isfinite(d["cohort_size"][i]):
        when = f" of {int(d['cohort_size'][i])} patients"
    elif np.isfinite(d["quantile"][i]):
        when = f", quantile {d['quantile'][i]:g}"
    return d["statistic"][i] + when


def target_curve(d, i, curve_key):
    """The model's curve per strategy that answers target i ([strategy, month])."""
    follow_up = d["follow_up"][i]
    if curve_key != "survival" or follow_up not in FOLLOW_UP_CURVES:
        return d[curve_key]
    name, group = FOLLOW_UP_CURVES[follow_up]
    return d[name] if group is None else d[name][:, group, :]


def group_weights(d, i):
    """Each strategy's weight in target i's group: its share, times the size of its as-treated group when the
    target names one, so that the group pools patients as a registry does (exact for uncensored follow-up)."""
    weights = np.asarray(d["shares"][i], dtype=float)
    follow_up = d["follow_up"][i]
    if follow_up in FOLLOW_UP_CURVES and FOLLOW_UP_CURVES[follow_up][1] is not None and "ever_treated" in d:
        ever = np.asarray(d["ever_treated"], dtype=float)
        size = ever if FOLLOW_UP_CURVES[follow_up][1] == 0 else np.asarray(d["alive_at_diagnosis"], dtype=float) - ever
        weights = weights * size
    return weights / weights.sum() if weights.sum() > 0 else weights


def group_curves(d, curve_key, statistic):
    """Each distinct strategy mix used by targets of a statistic, as a curve."""
    groups = {}
    for i, s in enumerate(d["statistic"]):
        if s != statistic:
            continue
        key = (d["strategies"][i], d["follow_up"][i])
        group = groups.setdefault(key, {"shares": d["shares"][i], "follow_up": d["follow_up"][i], "targets": []})
        group["targets"].append(i)
        weights = group_weights(d, i) if curve_key == "survival" else d["shares"][i]
        used = weights > 0  # a strategy outside the mix, or without such patients, has no curve (NaN)
        group["curve"] = weights[used] @ target_curve(d, i, curve_key)[used]
    return groups


def mix_label(d, shares):
    """'74% IVIG ..., 13% No prophylaxis, ...' from a row of strategy shares."""
    parts = [(share, d["strategy_label"][s]) for s, share in enumerate(shares) if share > 0]
    if len(parts) == 1:
        return parts[0][1]
    return ", ".join(f"{100 * share:.0f}% {label}" for share, label in parts)


# Okabe-Ito colours the strategies do not use (they take the first five), then greys.
GROUP_COLORS = ["#000000", "#56B4E9", "#7F7F7F", "#B8860B", "#404040"]
DODGE_YEARS = 0.18  # published points of different groups at the same time, side by side
GROUP_MARKERS = ["o", "s", "D", "^", "v"]


def plot_curves(d, curve_key, statistic, ylabel):
    groups = group_curves(d, curve_key, statistic)
    t = d["time"]
    latest = max([d["years"][i] for g in groups.values() for i in g["targets"]] + [5.0])
    horizon = min(display_horizon(t, d[curve_key]), max(10.0, 5.0 * np.ceil(1.5 * latest / 5.0)))
    keep = t <= horizon + 1e-9
    fig, (ax,), legend_ax = figure_with_legend(8.0, 4.6, len(d["strategy"]) + 2 * len(groups) + 1)
    handles, labels = [], []
    for s, label in enumerate(d["strategy_label"]):
        style = strategy_style(s)
        line, = ax.plot(t[keep], d[curve_key][s][keep], color=style["color"], ls=style["linestyle"], lw=1.0,
                        alpha=0.55)
        handles.append(line)
        labels.append(wrap(f"Model: {label}", 100))
    for k, (mix, g) in enumerate(groups.items()):
        color, marker = GROUP_COLORS[k % len(GROUP_COLORS)], GROUP_MARKERS[k % len(GROUP_MARKERS)]
        line, = ax.plot(t[keep], g["curve"][keep], lw=2.2, color=color, ls=["-", "--", "-.", ":"][k % 4])
        handles.append(line)
        since = "" if g["follow_up"] == "entry" else f" (from {g['follow_up']})"
        labels.append(wrap(f"Model, registry group as simulated: {mix_label(d, g['shares'])}{since}", 100))
        dodge = (k - (len(groups) - 1) / 2) * DODGE_YEARS
        for i in g["targets"]:
            value, low, high = target_interval(d, i)
            interval = [[value - max(0.0, low)], [min(1.0, high) - value]]  # probabilities
            ax.errorbar(d["years"][i] + dodge, value, yerr=interval, fmt=marker, color=color,
                        markerfacecolor="white", markeredgewidth=1.6, markersize=7, capsize=4, lw=1.4, zorder=5)
        handles.append(Line2D([], [], ls="none", marker=marker, color=color, markerfacecolor="white",
                              markeredgewidth=1.6, markersize=7))
        labels.append(wrap("Published, 95% interval: " + ", ".join(d["name"][i] for i in g["targets"]), 100))
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.0)
    percent_axis(ax.yaxis)
    from_onset = d["attrs"].get("cohort_entry", "diagnosis") == "onset"
    since_diagnosis = [g["follow_up"] != "entry" for g in groups.values()]
    ax.set_xlabel("Years since diagnosis" if not from_onset or (since_diagnosis and all(since_diagnosis)) else
                  "Years since onset (groups marked 'from diagnosis': since diagnosis)")
    ax.set_ylabel(ylabel)
    legend_in(legend_ax, handles, labels)
    model_text = f"Model curves: Kaplan–Meier estimates from {int(d['patients'][0]):,} simulated patients per strategy"
    if groups:
        ax.set_title(f"{ylabel}: model against the published targets ({d['target_set']})")
        caption(fig, f"{model_text}; a registry group is the mix of the strategies its patients followed, an as-treated group pooling their patients "
                     f"(shares times group sizes). "
                     f"Published points with 95% intervals (as published, else target ± 1.96 SE, or × and ÷ exp(1.96 SE) "
                     f"on a log scale; cut at 0 and 100%). Shown to {horizon:g} years.")
    else:  # the target set has no target of this kind: the model's curves alone
        ax.set_title(f"{ylabel}: the model ({d['target_set']} has no {statistic.replace('_', '-')} target)")
        caption(fig, f"{model_text}. Shown to {horizon:g} years.")
    return fig


def is_log(d, i):
    return d.get("scale", ["linear"] * len(d["name"]))[i] == "log"


def target_z(d, values=None):
    """How far values (default: the model's) are from each target in published SEs, on the target's scale:
    (value − published) / SE, or ln(value / published) / SE where the target's scale is "log"."""
    values = np.asarray(d["model_value"] if values is None else values, dtype=float)
    z = np.empty(len(d["name"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(len(z)):
            value, target, se = values[i], d["target_value"][i], d["target_se"][i]
            z[i] = (np.log(value / target) if value > 0 else -np.inf) / se if is_log(d, i) else (value - target) / se
    return z


def fmt_target(d, i):
    """'published (SE)' of target i; a log-scale target's SE is that of its logarithm."""
    s = d["statistic"][i]
    if is_log(d, i):
        return f"{fmt_stat(s, d['target_value'][i])} (SE of log {d['target_se'][i]:.3f})"
    return f"{fmt_stat(s, d['target_value'][i])} ({fmt_stat(s, d['target_se'][i])})"


def plot_targets(d):
    n = len(d["name"])
    z = target_z(d)
    fig, (ax,), legend_ax = figure_with_legend(8.0, 0.42 * n + 1.2, 2)
    y = np.arange(n)[::-1]
    ax.axvspan(-Z95, Z95, color="0.88", zorder=0)
    limit = max(3.0, np.nanmax(np.abs(z[np.isfinite(z)]), initial=0.0) * 1.25)
    shown = np.clip(z, -limit, limit)  # a model value of 0 against a log-scale target: at the edge
    inside = np.abs(z) <= Z95
    ax.scatter(shown[inside], y[inside], color="#0072B2", marker="o", s=45, zorder=3)
    ax.scatter(shown[~inside], y[~inside], facecolor="white", edgecolor="#D55E00", marker="D", s=45, lw=1.5, zorder=3)
    for zi, xi, yi in zip(z, shown, y):
        ax.annotate(f"{zi:+.2f}".replace("-", "−"), (xi, yi), xytext=(7, 0), textcoords="offset points", va="center",
                    fontsize=8)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlim(-1.05 * limit, 1.05 * limit)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks(y, [f"{name} ({stat.replace('_', ' ')})" for name, stat in zip(d["name"], d["statistic"])],
                  fontsize=8)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("z = (model − published) / published SE" + (
        "; log-scale targets: ln(model / published) / SE" if any(is_log(d, i) for i in range(n)) else ""))
    ax.set_title(f"Every target of {d['target_set']} against the model")
    legend_in(legend_ax, [Patch(color="0.88"), Line2D([], [], ls="none", marker="o", color="#0072B2"),
                          Line2D([], [], ls="none", marker="D", markerfacecolor="white", color="#D55E00")],
              ["Within the published 95% interval (|z| ≤ 1.96)", "Target met", "Target missed"], ncol=3)
    return fig


OBSERVED_RATE_STATISTICS = {"observed_rate", "observed_rate_min", "observed_rate_max"}


def observed_rate_cdf(histogram, lower):
    """Points (rate, share at or below) of a log-binned histogram, joined linearly on the log scale as the quantiles
    are interpolated: the share with no attack at the first edge, then the share at each bin's upper edge (the last,
    open bin ends one bin width past its lower edge)."""
    total = histogram.sum()
    if total <= 0:
        return None, None
    ratio = lower[2] / lower[1]  # one bin's width on the log scale
    edges = np.append(lower[2:], lower[-1] * ratio)
    share = np.cumsum(histogram) / total
    return np.append(lower[1], edges), share


def target_interval(d, i):
    """A target's value and 95% interval: the one published, else value ± 1.96 SE (value × and ÷ exp(1.96 SE) on a
    log scale, where the SE is that of log(value))."""
    value = d["target_value"][i]
    low, high = d["target_ci_lower"][i], d["target_ci_upper"][i]
    if np.isfinite(low) and np.isfinite(high):
        return value, low, high
    if is_log(d, i):
        factor = np.exp(Z95 * d["target_se"][i])
        return value, value / factor, value * factor
    half = Z95 * d["target_se"][i]
    return value, value - half, value + half


def plot_observed_rates(d):
    """The model's distribution of observed untreated attack rates (per target group) with the published quantiles."""
    targets = [i for i, s in enumerate(d["statistic"]) if s in OBSERVED_RATE_STATISTICS]
    if not targets or d["observed_rates"] is None:
        return None
    groups = {}
    for i in targets:
        groups.setdefault(d["strategies"][i], {"shares": d["shares"][i], "targets": []})["targets"].append(i)
    fig, (ax,), legend_ax = figure_with_legend(8.0, 4.6, 2 * len(groups) + 1)
    handles, labels = [], []
    for k, (mix, g) in enumerate(groups.items()):
        color, marker = GROUP_COLORS[k % len(GROUP_COLORS)], GROUP_MARKERS[k % len(GROUP_MARKERS)]
        used = g["shares"] > 0
        histogram = g["shares"][used] @ d["observed_rates"][used]
        rates, cdf = observed_rate_cdf(histogram, d["observed_rate_lower"])
        if rates is None:
            continue
        line, = ax.plot(rates, cdf, color=color, lw=2.0, ls=["-", "--", "-.", ":"][k % 4])
        handles.append(line)
        labels.append(wrap(f"Model: {mix_label(d, g['shares'])} (share of patients at or below each rate)", 100))
        for i in g["targets"]:
            value, low, high = target_interval(d, i)
            low = max(low, d["observed_rate_lower"][1] / 2)
            ax.errorbar(value, d["quantile"][i], xerr=[[value - low], [high - value]], fmt=marker, color=color,
                        markerfacecolor="white", markeredgewidth=1.6, markersize=7, capsize=4, lw=1.4, zorder=5)
        handles.append(Line2D([], [], ls="none", marker=marker, color=color, markerfacecolor="white",
                              markeredgewidth=1.6, markersize=7))
        labels.append(wrap("Published, with its 95% interval, at the quantile it describes: "
                           + ", ".join(d["name"][i] for i in g["targets"]), 100))
    ax.set_xscale("log")
    ax.set_xlim(d["observed_rate_lower"][1] / 2, d["observed_rate_lower"][-1] * 2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.set_ylim(0, 1.0)
    percent_axis(ax.yaxis)
    ax.set_xlabel("Observed attack rate before any prophylaxis (attacks per year, log scale)")
    ax.set_ylabel("Patients at or below the rate")
    ax.set_title(f"Observed untreated attack rates: model against {d['target_set']}")
    legend_in(legend_ax, handles, labels)
    caption(fig, "Model: patients followed at least [cohort] observed_rate_min_years before any prophylaxis, by attacks "
                 "over that follow-up (the curve starts at the share with none). A cohort's lowest and highest rate "
                 "of n patients are drawn at the quantiles whose medians they are, 1 − 0.5^(1/n) and 0.5^(1/n).")
    return fig
