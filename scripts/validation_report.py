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

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

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


def plot_curves(d, curve_key, statistic, ylabel, path, horizon_years=15.0):
    fig, ax = plt.subplots(figsize=(8, 5))
    t = d["time"]
    keep = t <= horizon_years
    for s, name in enumerate(d["strategy"]):
        ax.plot(t[keep], d[curve_key][s][keep], lw=1, alpha=0.6, label=f"{name} (model)")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (mix, g) in enumerate(group_curves(d, curve_key, statistic).items()):
        color = colors[(k + len(d["strategy"])) % len(colors)]
        if "," in mix:
            ax.plot(t[keep], g["curve"][keep], lw=2, ls="--", color=color, label=f"mix: {mix} (model)")
        for i in g["targets"]:
            ax.errorbar(d["years"][i], d["target_value"][i], yerr=Z95 * d["target_se"][i], fmt="o", color=color, capsize=4,
                        label=f"{d['name'][i]} (published, 95%)")
    ax.set_xlabel("years since diagnosis")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_targets(d, path):
    n = len(d["name"])
    fig, ax = plt.subplots(figsize=(8, 0.45 * n + 1.5))
    z = (d["model_value"] - d["target_value"]) / d["target_se"]
    y = np.arange(n)[::-1]
    ax.axvspan(-1.96, 1.96, color="0.9", label="within the published 95% interval")
    ax.scatter(z, y, color="C3", zorder=3)
    ax.axvline(0, color="0.4", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(d["name"], fontsize=8)
    ax.set_xlabel("(model - published) / published SE")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def report(d, source_file, out_dir, stem):
    os.makedirs(out_dir, exist_ok=True)
    figures = {
        "survival": f"{stem}_survival.png",
        "attack_free": f"{stem}_attack_free.png",
        "targets": f"{stem}_targets.png",
    }
    plot_curves(d, "survival", "survival", "overall survival", os.path.join(out_dir, figures["survival"]))
    plot_curves(d, "attack_free", "attack_free", "attack-free (death censored)", os.path.join(out_dir, figures["attack_free"]))
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
    for s, name in enumerate(d["strategy"]):
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
    for s, name in enumerate(d["strategy"]):
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
