"""Bayesian calibration (`sclsim calibrate --method imis`): the data of a
posterior file (root attribute format = "sclsim-posterior"), its section of
the validation report and its figures (every target against the posterior
and predictive intervals; each fitted parameter's posterior draws within its
prior bounds)."""
import sys
import textwrap

import h5py
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .names import format_value, readable
from .style import caption, legend_in, wrap
from .validation import PROBABILITY_STATISTICS, fmt_stat, is_log, statistic_text, strings, target_interval, text

TARGET_NUMBERS = ("years", "quantile", "cohort_size", "target_value", "target_se", "target_ci_lower", "target_ci_upper",
                  "model_value", "model_se", "posterior_mean", "posterior_lower", "posterior_upper", "predictive_lower",
                  "predictive_upper", "inside_predictive")
PARAMETER_NUMBERS = ("lower", "upper", "initial", "posterior_mean", "posterior_sd", "posterior_lower", "posterior_median",
                     "posterior_upper", "mass_near_lower", "mass_near_upper")
POSTERIOR_COLOR, PREDICTIVE_COLOR, PUBLISHED_COLOR, MISS_COLOR = "#0072B2", "#009E73", "#000000", "#D55E00"


def load_posterior(path):
    """A posterior file as {"attrs", "targets" (keys as a results file's /validation), "parameters" (with "draws"
    [draw, parameter] and "prior_draws", the IMIS samples drawn from the prior), "source"}."""
    with h5py.File(path, "r") as f:
        if text(f.attrs.get("format", "")) != "sclsim-posterior":
            sys.exit(f"{path}: not an sclsim posterior file (root attribute format is "
                     f"\"{text(f.attrs.get('format', ''))}\") — write one with sclsim calibrate --method imis")
        attrs = {k: (text(x) if isinstance(x, (bytes, str)) else x) for k, x in f.attrs.items()}
        t, p = f["targets"], f["parameters"]
        targets = {name: strings(t[name]) for name in ("name", "statistic", "strategies", "source") if name in t}
        n = len(targets["name"])
        targets["scale"] = strings(t["scale"]) if "scale" in t else ["linear"] * n  # older files: linear
        for name in TARGET_NUMBERS:
            targets[name] = t[name][()].astype(float) if name in t else np.full(n, np.nan)
        parameters = {name: strings(p[name]) for name in ("name", "scale", "balance", "prior", "at_bound")}
        for name in PARAMETER_NUMBERS:
            parameters[name] = p[name][()]
        parameters["correlation"] = p["posterior_correlation"][()]
        columns = strings(f["posterior/column"])
        draws = f["posterior/draws"][()]
        parameters["draws"] = np.column_stack([draws[:, columns.index(name)] for name in parameters["name"]])
        step = f["samples/step"][()]
        parameters["prior_draws"] = f["samples/parameters"][()][step == 0]
    return {"attrs": attrs, "targets": targets, "parameters": parameters, "source": path}


def fmt_interval(statistic, low, high):
    return f"{fmt_stat(statistic, low)} to {fmt_stat(statistic, high)}"


def bound_flag(p, j):
    side = p["at_bound"][j]
    if not side:
        return ""
    mass = p["mass_near_lower"][j] if side == "lower" else p["mass_near_upper"][j]
    end = "lowest" if side == "lower" else "highest"
    return f"piles up at the {side} bound ({100 * mass:.0f}% of the posterior in the {end} 5% of the range)"


def summary_lines(post, results_target_set):
    a = post["attrs"]
    converged = int(a.get("converged", 0)) == 1
    draws = len(post["parameters"]["draws"])
    lines = [
        "## Bayesian calibration (posterior)",
        "",
        f"Posterior sample `{post['source']}` from `sclsim calibrate --method imis` "
        f"(sclsim {a.get('sclsim_version', '?')}, {a.get('created_utc', '?')}): `{a.get('scenario_source', '?')}` "
        f"fitted to the targets {a.get('target_set', '?')}, "
        f"{int(a.get('patients_per_evaluation', 0)):,} patients per evaluation, seed {a.get('seed', '?')}.",
        "",
        f"- Method: {a.get('method', '?')}; likelihood: {a.get('likelihood', '?')}",
        f"- Evaluations: {int(a.get('evaluations', 0)):,} ({float(a.get('seconds', np.nan)):.0f} s); mixture components: "
        f"{a.get('components', '?')}",
        f"- Effective sample size: {float(a.get('effective_sample_size', np.nan)):.0f}; expected distinct draws: "
        f"{float(a.get('expected_distinct_draws', np.nan)):.0f} of the {draws} posterior draws",
        f"- Converged: {'yes' if converged else '**no**'} ({a.get('stop_reason', '?')})",
        "",
    ]
    if not converged:
        lines += ["The sample did not converge: its intervals may be too narrow and miss part of the posterior. Rerun "
                  "with more `max_steps` or `draws_per_step` before using it.", ""]
    if results_target_set and results_target_set != a.get("target_set"):
        lines += [f"Note: the posterior was fitted to {a.get('target_set')}; the run above was validated against "
                  f"{results_target_set}.", ""]
    return lines


def parameter_lines(post, figure):
    p = post["parameters"]
    lines = ["### Fitted parameters", "",
             "| parameter | prior | bounds | scenario before | posterior mean (SD) | 95% interval | flag |",
             "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    for j, name in enumerate(p["name"]):
        value = lambda x: format_value(name, x)  # noqa: E731
        prior = p["prior"][j] + ("; log scale" if p["scale"][j] == "log" else "")
        balance = f" (balanced by `{p['balance'][j]}`)" if p["balance"][j] else ""
        lines.append(f"| `{name}`{balance} | {prior} | [{value(p['lower'][j])}, {value(p['upper'][j])}] | "
                     f"{value(p['initial'][j])} | {value(p['posterior_mean'][j])} ({value(p['posterior_sd'][j])}) | "
                     f"{value(p['posterior_lower'][j])} to {value(p['posterior_upper'][j])} | {bound_flag(p, j)} |")
    flagged = [name for j, name in enumerate(p["name"]) if p["at_bound"][j]]
    lines.append("")
    if flagged:
        lines.append(f"{len(flagged)} of {len(p['name'])} parameters pile up at a bound (more than 20% of the posterior "
                     "in the outer 5% of the range): the targets, or a prior that favours the bound, push them against "
                     "it. Each needs an explanation before the posterior is used (a bound set too tight, a target the "
                     "model reaches only with implausible values, or a structural misfit), and a refit with the bound "
                     "widened where it is not a hard limit.")
    else:
        lines.append("No parameter piles up at a bound (more than 20% of its posterior in the outer 5% of its range).")
    lines += ["", f"![posterior parameters]({figure})", ""]
    return lines + correlation_lines(p)


def correlation_lines(p):
    n = len(p["name"])
    if n < 2:
        return []
    r = p["correlation"]
    cell = lambda x: (f"**{x:+.2f}**" if abs(x) >= 0.5 else f"{x:+.2f}").replace("-", "−")  # noqa: E731
    lines = ["Posterior correlations of the fitted parameters (|r| ≥ 0.5 in bold: the targets inform these jointly, "
             "as a ridge, more than each alone):", "",
             "| parameter | " + " | ".join(str(k + 1) for k in range(n)) + " |",
             "| --- | " + " | ".join("---:" for _ in range(n)) + " |"]
    for j, name in enumerate(p["name"]):
        lines.append(f"| {j + 1} `{name}` | " + " | ".join("1" if k == j else cell(r[j, k]) for k in range(n)) + " |")
    return lines + [""]


def target_lines(post, figure):
    t = post["targets"]
    n = len(t["name"])
    lines = ["### Targets under the posterior", "",
             "| target | statistic | published (95% interval) | model at posterior mean | posterior 95% | "
             "predictive 95% | published inside predictive |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for i, name in enumerate(t["name"]):
        s = t["statistic"][i]
        value, low, high = target_interval(t, i)
        if s in PROBABILITY_STATISTICS:
            low, high = max(low, 0.0), min(high, 1.0)
        log = "; log scale" if is_log(t, i) else ""
        lines.append(f"| {name} | {statistic_text(t, i)} | {fmt_stat(s, value)} ({fmt_interval(s, low, high)}{log}) | "
                     f"{fmt_stat(s, t['model_value'][i])} | "
                     f"{fmt_interval(s, t['posterior_lower'][i], t['posterior_upper'][i])} | "
                     f"{fmt_interval(s, t['predictive_lower'][i], t['predictive_upper'][i])} | "
                     f"{'yes' if t['inside_predictive'][i] else '**no**'} |")
    inside = int(np.sum(t["inside_predictive"] == 1))
    below_zero = any(t["predictive_lower"][i] < 0 and not is_log(t, i) for i in range(n))
    lines += ["", f"{inside} of {n} targets inside their predictive 95% interval.", "",
              "Published interval: as published, else value ± 1.96 SE (× and ÷ exp(1.96 SE) for a log-scale target; "
              "probabilities cut at 0 and 100%). "
              f"Posterior 95%: the 2.5% and 97.5% quantiles of the statistic over the {len(post['parameters']['draws'])} "
              f"posterior draws (parameter uncertainty, plus the Monte Carlo noise of "
              f"{int(post['attrs'].get('patients_per_evaluation', 0)):,} patients). Predictive 95%: a replicated study, "
              "a posterior draw's statistic plus the target's sampling error (its SE); a published value outside it is "
              "one the calibrated model does not reproduce."
              + (" A linear-scale target's predictive interval adds normal error and can reach below zero." if below_zero
                 else ""),
              "", f"![posterior targets]({figure})", ""]
    return lines


def markdown_section(post, figures, results_target_set=None):
    """Markdown lines of the report's posterior section; figures: {"targets": png, "parameters": png}."""
    return (summary_lines(post, results_target_set) + parameter_lines(post, figures["parameters"])
            + target_lines(post, figures["targets"]))


def standardised(t, i, values):
    """Values of target i in published SEs from it: (v − published) / SE, or ln(v / published) / SE on a log scale."""
    values = np.asarray(values, dtype=float)
    if is_log(t, i):
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(values > 0, np.log(np.maximum(values, 1e-300) / t["target_value"][i]), -np.inf)
        return logs / t["target_se"][i]
    return (values - t["target_value"][i]) / t["target_se"][i]


def draw_interval(ax, y, low, high, limit, color, lw, caps):
    """A horizontal interval cut at ±limit; a cut end becomes an arrowhead."""
    a, b = np.clip([low, high], -limit, limit)
    ax.plot([a, b], [y, y], color=color, lw=lw, solid_capstyle="butt", zorder=3)
    for end, cut, marker in ((a, low < -limit, "<"), (b, high > limit, ">")):
        if cut:
            ax.plot(end, y, marker=marker, color=color, markersize=7, zorder=4)
        elif caps:
            ax.plot(end, y, marker="|", color=color, markersize=8, markeredgewidth=1.4, zorder=4)


def plot_posterior_targets(post):
    """Forest plot: per target, the published 95% interval, the posterior and predictive 95% intervals and the model
    at the posterior mean, each row standardised by the target's published value and SE."""
    t = post["targets"]
    n = len(t["name"])
    rows = []
    for i in range(n):
        value, low, high = target_interval(t, i)
        rows.append({"published": standardised(t, i, [low, high]),
                     "posterior": standardised(t, i, [t["posterior_lower"][i], t["posterior_upper"][i]]),
                     "predictive": standardised(t, i, [t["predictive_lower"][i], t["predictive_upper"][i]]),
                     "model": standardised(t, i, [t["model_value"][i]])[0]})
    ends = np.concatenate([np.r_[r["published"], r["posterior"], r["predictive"], r["model"]] for r in rows])
    limit = float(np.clip(1.08 * np.max(np.abs(ends[np.isfinite(ends)]), initial=3.0), 3.0, 10.0))
    legend_height = 0.25 + 0.2 * 3
    fig = plt.figure(figsize=(8.0, 0.62 * n + 1.3 + legend_height), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[0.62 * n + 1.3, legend_height])
    ax, legend_ax = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    legend_ax.axis("off")
    y = np.arange(n)[::-1].astype(float)
    for i, r in enumerate(rows):
        miss = not t["inside_predictive"][i]
        draw_interval(ax, y[i] + 0.22, *r["published"], limit, PUBLISHED_COLOR, 1.4, True)
        ax.plot(0, y[i] + 0.22, "o", color=PUBLISHED_COLOR, markerfacecolor="white", markersize=6, zorder=5)
        draw_interval(ax, y[i], *r["posterior"], limit, POSTERIOR_COLOR, 5.0, False)
        ax.plot(np.clip(r["model"], -limit, limit), y[i], "D", color="white", markeredgecolor=POSTERIOR_COLOR,
                markersize=5, zorder=5)
        draw_interval(ax, y[i] - 0.22, *r["predictive"], limit, MISS_COLOR if miss else PREDICTIVE_COLOR, 1.8, True)
    ax.axvline(0, color="0.3", lw=0.8, zorder=1)
    ax.set_xlim(-limit * 1.04, limit * 1.04)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_yticks(y, [f"{name}\n({statistic_text(t, i).replace('_', ' ')})" for i, name in enumerate(t["name"])],
                  fontsize=8)
    for label, i in zip(ax.get_yticklabels(), range(n)):
        label.set_color(MISS_COLOR if not t["inside_predictive"][i] else "black")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Standardised: (value − published) / published SE"
                  + ("; log-scale targets: ln(value / published) / SE" if any(is_log(t, i) for i in range(n)) else ""))
    inside = int(np.sum(t["inside_predictive"] == 1))
    ax.set_title(f"Targets of {post['attrs'].get('target_set', '?')} under the posterior: {inside} of {n} inside their "
                 "predictive 95% interval")
    legend_in(legend_ax, [Line2D([], [], color=PUBLISHED_COLOR, marker="o", markerfacecolor="white", lw=1.4),
                          Line2D([], [], color=POSTERIOR_COLOR, lw=5),
                          Line2D([], [], ls="none", marker="D", color="white", markeredgecolor=POSTERIOR_COLOR),
                          Line2D([], [], color=PREDICTIVE_COLOR, lw=1.8),
                          Line2D([], [], color=MISS_COLOR, lw=1.8)],
              ["Published value (at 0) and its 95% interval", "Posterior 95% interval of the statistic",
               "Model at the posterior mean", "Predictive 95% interval (a replicated study)",
               "Predictive interval that misses the published value (target in red)"], ncol=2)
    caption(fig, "Each row is standardised by its target's published value and SE, so that the published value sits at "
                 "0 and a symmetric published interval spans ±1.96. Posterior: the statistic over the posterior draws; "
                 "predictive: a draw's statistic plus the target's sampling error. Arrowheads: intervals cut at the axis. "
                 "Values in the report's table.")
    return fig


def parameter_bins(p, j):
    lower, upper = p["lower"][j], p["upper"][j]
    count = int(np.clip(1.5 * np.sqrt(len(p["draws"])), 10, 40))
    return np.geomspace(lower, upper, count + 1) if p["scale"][j] == "log" else np.linspace(lower, upper, count + 1)


def wrap_path(path, width):
    """A key path over lines, broken after dots only."""
    return "\n".join(textwrap.wrap(path.replace(".", ". "), width, break_long_words=False)).replace(". ", ".")


def log_axis(ax, lower, upper):
    """A log x axis with plain tick labels (1, 2, 5 per decade; a few round values within one decade)."""
    ax.set_xscale("log")
    if upper / lower < 10:
        ax.xaxis.set_major_locator(ticker.FixedLocator(ticker.MaxNLocator(5).tick_values(lower, upper)))
    else:
        ax.xaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())


def plot_parameter_panel(ax, p, j, regimen_labels=None):
    """One fitted parameter: histograms of its posterior and prior draws within the bounds, the bounds, the scenario's
    value before calibration, the posterior mean and 95% interval."""
    name, lower, upper = p["name"][j], p["lower"][j], p["upper"][j]
    bins = parameter_bins(p, j)
    ax.axvspan(p["posterior_lower"][j], p["posterior_upper"][j], color=POSTERIOR_COLOR, alpha=0.10, lw=0, zorder=0)
    ax.hist(np.clip(p["draws"][:, j], lower, upper), bins=bins, density=True, color=POSTERIOR_COLOR, alpha=0.65, zorder=2)
    if len(p["prior_draws"]):
        ax.hist(np.clip(p["prior_draws"][:, j], lower, upper), bins=bins, density=True, histtype="step", color="0.45",
                lw=1.3, zorder=3)
    for bound in (lower, upper):
        ax.axvline(bound, color="black", ls="--", lw=1.1, zorder=4)
    ax.axvline(p["initial"][j], color=MISS_COLOR, lw=2.0, zorder=5)
    ax.axvline(p["posterior_mean"][j], color=POSTERIOR_COLOR, ls="-.", lw=1.6, zorder=5)
    if p["scale"][j] == "log":
        log_axis(ax, lower, upper)
        pad = (upper / lower) ** 0.04
        ax.set_xlim(min(lower, p["initial"][j]) / pad, max(upper, p["initial"][j]) * pad)
    else:
        pad = 0.04 * (upper - lower)
        ax.set_xlim(min(lower, p["initial"][j]) - pad, max(upper, p["initial"][j]) + pad)
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    flag = p["at_bound"][j]
    ax.set_title(wrap(readable(name, regimen_labels), 38) + (f"\npiles up at the {flag} bound" if flag else ""),
                 fontsize=9, color=MISS_COLOR if flag else "black")
    value = lambda x: format_value(name, x)  # noqa: E731
    ax.set_xlabel(f"{wrap_path(name, 44)}\nmean {value(p['posterior_mean'][j])}, 95% {value(p['posterior_lower'][j])} "
                  f"to {value(p['posterior_upper'][j])} (before: {value(p['initial'][j])})", fontsize=7.5)
    ax.tick_params(axis="x", labelsize=8)


def plot_posterior_parameters(post, regimen_labels=None):
    """One panel per fitted parameter (plot_parameter_panel), three to a row, legend below. regimen_labels: {name:
    label} for readable titles."""
    p = post["parameters"]
    n = len(p["name"])
    ncols = min(3, n)
    nrows = -(-n // ncols)
    legend_height = 0.25 + 0.2 * 3
    fig = plt.figure(figsize=(max(3.2 * ncols, 7.0), 2.6 * nrows + legend_height), layout="constrained")
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[2.6] * nrows + [legend_height])
    for j in range(n):
        plot_parameter_panel(fig.add_subplot(grid[j // ncols, j % ncols]), p, j, regimen_labels)
    legend_ax = fig.add_subplot(grid[nrows, :])
    legend_ax.axis("off")
    legend_in(legend_ax, [Patch(color=POSTERIOR_COLOR, alpha=0.65), Line2D([], [], color="0.45", lw=1.3),
                          Line2D([], [], color=POSTERIOR_COLOR, ls="-.", lw=1.6), Patch(color=POSTERIOR_COLOR, alpha=0.10),
                          Line2D([], [], color=MISS_COLOR, lw=2.0), Line2D([], [], color="black", ls="--", lw=1.1)],
              [f"Posterior ({len(p['draws'])} draws)", f"Prior ({len(p['prior_draws'])} IMIS draws from it)",
               "Posterior mean (the calibrated scenario)", "Posterior 95% interval",
               "Scenario's value before calibration", "Prior bounds"], ncol=3 if ncols >= 3 else 2)
    fig.suptitle(f"Fitted parameters: posterior against prior ({post['attrs'].get('target_set', '?')})", fontsize=10.5)
    caption(fig, "Histograms as densities within each parameter's prior bounds (log-spaced on a log-scale parameter). "
                 "The prior outline is the first IMIS stage, drawn from the prior: flat for a uniform prior, up to "
                 "sampling noise.", width=int(40 * max(ncols, 2)))
    return fig
