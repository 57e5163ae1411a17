#!/usr/bin/python3
"""Validation report of an sclsim run against calibration targets.

Reads a results file written by `sclsim run SCENARIO --targets TARGETS.toml`
(its /validation group holds every target, the model's value and Monte Carlo
SE) and writes a Markdown report with PNG figures:

  scripts/validation_report.py results/scls_base.h5 --out-dir results/validation

Figures: survival per strategy and per target group with the published points
(95% intervals), attack-free curves, and every target against the model.
Needs h5py, numpy and matplotlib (Debian: python3-h5py python3-matplotlib).
"""
import argparse
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from sclsim_plots.outcomes import display_horizon  # noqa: E402
from sclsim_plots.style import (apply_style, caption, figure_with_legend, legend_in, percent_axis, save,  # noqa: E402
                                strategy_style, wrap)

Z95 = 1.959963984540054
PROBABILITY_STATISTICS = {"survival", "attack_free", "death_share", "death_per_attack"}


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
            "time": f["axes/time_years"][()],
            "survival": r["survival"][0],
            "survival_se": r["survival_se"][0],
            "attack_free": r["attack_free"][0],
            "rate": r["attacks_per_patient_year_mean"][0],
            "rate_se": r["attacks_per_patient_year_se"][0],
            "attacks_on_regimen": r["attacks_on_regimen"][0],
            "regimen_years": r["regimen_years"][0],
            "patients": r["patients"][0],
        }
    return data


def group_curves(d, curve_key, statistic):
    """Each distinct strategy mix used by targets of a statistic, as a curve."""
    groups = {}
    for i, s in enumerate(d["statistic"]):
        if s != statistic:
            continue
        key = d["strategies"][i]
        groups.setdefault(key, {"shares": d["shares"][i], "targets": []})["targets"].append(i)
    for g in groups.values():
        g["curve"] = g["shares"] @ d[curve_key]
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


def plot_curves(d, curve_key, statistic, ylabel, path):
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
        labels.append(wrap(f"Model, registry group as simulated: {mix_label(d, g['shares'])}", 100))
        dodge = (k - (len(groups) - 1) / 2) * DODGE_YEARS
        for i in g["targets"]:
            value, half = d["target_value"][i], Z95 * d["target_se"][i]
            interval = [[value - max(0.0, value - half)], [min(1.0, value + half) - value]]  # probabilities
            ax.errorbar(d["years"][i] + dodge, value, yerr=interval, fmt=marker, color=color,
                        markerfacecolor="white", markeredgewidth=1.6, markersize=7, capsize=4, lw=1.4, zorder=5)
        handles.append(Line2D([], [], ls="none", marker=marker, color=color, markerfacecolor="white",
                              markeredgewidth=1.6, markersize=7))
        labels.append(wrap("Published, 95% interval: " + ", ".join(d["name"][i] for i in g["targets"]), 100))
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.0)
    percent_axis(ax.yaxis)
    ax.set_xlabel("Years since diagnosis")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{ylabel}: model against the published targets ({d['target_set']})")
    legend_in(legend_ax, handles, labels)
    caption(fig, f"Model curves: Kaplan–Meier estimates from {int(d['patients'][0]):,} simulated patients per "
                 "strategy; a registry group is the share-weighted mix of the strategies its patients followed. "
                 f"Published points with 95% intervals (target ± 1.96 SE, cut at 0 and 100%). Shown to {horizon:g} "
                 "years.")
    save(fig, path)


def plot_targets(d, path):
    n = len(d["name"])
    z = (d["model_value"] - d["target_value"]) / d["target_se"]
    fig, (ax,), legend_ax = figure_with_legend(8.0, 0.42 * n + 1.2, 2)
    y = np.arange(n)[::-1]
    ax.axvspan(-Z95, Z95, color="0.88", zorder=0)
    inside = np.abs(z) <= Z95
    ax.scatter(z[inside], y[inside], color="#0072B2", marker="o", s=45, zorder=3)
    ax.scatter(z[~inside], y[~inside], facecolor="white", edgecolor="#D55E00", marker="D", s=45, lw=1.5, zorder=3)
    for zi, yi in zip(z, y):
        ax.annotate(f"{zi:+.2f}".replace("-", "−"), (zi, yi), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8)
    ax.axvline(0, color="0.3", lw=0.8)
    limit = max(3.0, np.nanmax(np.abs(z)) * 1.25)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks(y, [f"{name} ({stat.replace('_', ' ')})" for name, stat in zip(d["name"], d["statistic"])],
                  fontsize=8)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("z = (model − published) / published SE")
    ax.set_title(f"Every target of {d['target_set']} against the model")
    legend_in(legend_ax, [Patch(color="0.88"), Line2D([], [], ls="none", marker="o", color="#0072B2"),
                          Line2D([], [], ls="none", marker="D", markerfacecolor="white", color="#D55E00")],
              ["Within the published 95% interval (|z| ≤ 1.96)", "Target met", "Target missed"], ncol=3)
    save(fig, path)


def report(d, source_file, out_dir, stem):
    apply_style()
    os.makedirs(out_dir, exist_ok=True)
    figures = {
        "survival": f"{stem}_survival.png",
        "attack_free": f"{stem}_attack_free.png",
        "targets": f"{stem}_targets.png",
    }
    plot_curves(d, "survival", "survival", "Overall survival", os.path.join(out_dir, figures["survival"]))
    plot_curves(d, "attack_free", "attack_free", "Free of attacks (death censored)",
                os.path.join(out_dir, figures["attack_free"]))
    plot_targets(d, os.path.join(out_dir, figures["targets"]))

    a = d["attrs"]
    lines = [
        f"# Validation: {a.get('title', '')} against {d['target_set']}",
        "",
        f"Generated by `scripts/validation_report.py {source_file}` from a run of `{a.get('scenario_source', '?')}` "
        f"(sclsim {a.get('sclsim_version', '?')}, git {a.get('git_commit', '?')}, {a.get('created_utc', '?')}; "
        f"{int(d['patients'][0])} patients per strategy, seed {a.get('seed', '?')}, backend {a.get('backend', '?')}). "
        f"Targets: `{d['targets_source']}`.",
        "",
        "## Every target against the model",
        "",
        "| target | statistic | group | published (SE) | model (MC SE) | difference | z | source |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    survival_misses = []
    for i, name in enumerate(d["name"]):
        s = d["statistic"][i]
        diff = d["model_value"][i] - d["target_value"][i]
        z = diff / d["target_se"][i]
        diff_text = f"{100 * diff:+.1f} pp" if s in PROBABILITY_STATISTICS else f"{diff:+.3f}"
        group = d["strategies"][i]
        if d["regimen"][i]:
            group += f" (on {d['regimen'][i]})"
        if d["reference"][i]:
            group += f" / {d['reference'][i]}"
        when = f" at {d['years'][i]:g} y" if np.isfinite(d["years"][i]) else ""
        lines.append(
            f"| {name} | {s}{when} | {group} | {fmt_stat(s, d['target_value'][i])} ({fmt_stat(s, d['target_se'][i])}) | "
            f"{fmt_stat(s, d['model_value'][i])} ({fmt_stat(s, d['model_se'][i])}) | {diff_text} | {z:+.2f} | {d['source'][i]} |")
        if s == "survival" and abs(diff) > 0.02:
            survival_misses.append(f"{name} ({100 * diff:+.1f} pp)")
    lines += [
        "",
        "pp: percentage points. z = (model - published) / published SE. MC SE of a mix is the share-weighted sum of the "
        "strategies' SEs (an upper bound); on-regimen attack rates use a Poisson SE.",
        "",
        f"Survival targets within 2 percentage points: {sum(1 for s in d['statistic'] if s == 'survival') - len(survival_misses)} of "
        f"{sum(1 for s in d['statistic'] if s == 'survival')}"
        + (f"; missed: {', '.join(survival_misses)}." if survival_misses else "."),
        "",
        f"![targets]({figures['targets']})",
        "",
        "## Survival",
        "",
        f"![survival]({figures['survival']})",
        "",
        "| strategy | 1 y | 5 y | 10 y |",
        "| --- | ---: | ---: | ---: |",
    ]
    for s, name in enumerate(d["strategy_label"]):
        cells = []
        for years in (1, 5, 10):
            m = int(round(years * 12))
            cells.append(f"{100 * d['survival'][s][m]:.1f}% ± {100 * d['survival_se'][s][m]:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Attacks",
        "",
        f"![attack-free]({figures['attack_free']})",
        "",
        "| strategy | attacks per patient-year (all follow-up) | " + " | ".join(
            f"on {r}" for r in d["regimen_names"]) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in d["regimen_names"]) + " |",
    ]
    for s, name in enumerate(d["strategy_label"]):
        cells = []
        for r in range(len(d["regimen_names"])):
            years = d["regimen_years"][s][r]
            cells.append(f"{d['attacks_on_regimen'][s][r] / years:.3f}" if years > 0 else "—")
        lines.append(f"| {name} | {d['rate'][s]:.3f} ± {d['rate_se'][s]:.3f} | " + " | ".join(cells) + " |")
    lines.append("")
    path = os.path.join(out_dir, f"{stem}.md")
    with open(path, "w") as out:
        out.write("\n".join(lines))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="HDF5 file from sclsim run ... --targets TARGETS.toml")
    parser.add_argument("--out-dir", default="results/validation", help="where the report and figures go")
    parser.add_argument("--name", help="report file stem (default: the results file's stem)")
    args = parser.parse_args()
    stem = args.name or os.path.splitext(os.path.basename(args.results))[0]
    path = report(load(args.results), args.results, args.out_dir, stem)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
