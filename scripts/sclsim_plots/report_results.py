"""Results of the HTML report in CHEERS 2022 order: base case, incremental
analysis, uncertainty (PSA), value of information, deterministic sweeps,
validation, and the limitations a reader should weigh."""
import numpy as np

from . import ce, outcomes, sweeps, voi
from .html import Raw, esc, heading, paragraph, png_figure, table
from .names import format_value, readable
from .style import png_bytes

REPORT_DPI = 110


def figure(fig, caption, alt):
    return png_figure(png_bytes(fig, REPORT_DPI), esc(caption), alt)


def money(res, value, decimals=0):
    return res.money.format(value, decimals) if np.isfinite(value) else "—"


def interval(values, fmt):
    low, high = np.percentile(values, [2.5, 97.5])
    return f"{fmt(np.mean(values))} ({fmt(low)} to {fmt(high)})"


def base_case(ctx):
    res = ctx.main
    years = res.time
    month = {y: int(np.argmin(np.abs(years - y))) for y in (5, 10)}
    import h5py
    with h5py.File(res.path, "r") as f:
        r = f["results"]
        cost_se, qalys_se = r["total_cost_se"][0], r["qalys_se"][0]
        life_years, rate = r["life_years_mean"][0], r["attacks_per_patient_year_mean"][0]
        deaths, patients = r["deaths"][0], r["patients"][0]
        causes = [c.decode() if isinstance(c, bytes) else str(c) for c in f["axes/death_cause"][()]]
    attack_death = causes.index("attack") if "attack" in causes else None
    rows = []
    for s, label in enumerate(res.labels):
        died = f"{100 * deaths[s, attack_death] / patients[s]:.1f}%" if attack_death is not None else "—"
        rows.append((label, f"{money(res, res.cost[0, s])} ± {money(res, cost_se[s])}",
                     f"{res.qalys[0, s]:.3f} ± {qalys_se[s]:.3f}", f"{life_years[s]:.2f}", f"{rate[s]:.3f}", died,
                     f"{100 * res.survival[s, month[5]]:.1f}%", f"{100 * res.survival[s, month[10]]:.1f}%"))
    return [heading(2, "Results", "results"), heading(3, "Base case", "base-case"),
            paragraph(f"Per person, discounted costs ({esc(res.money.unit)}) and QALYs with their Monte Carlo "
                      f"standard errors; {int(res.attrs.get('patients_per_set', 0)):,} simulated patients per "
                      "strategy. Life-years undiscounted, to death or the horizon."),
            table(["Strategy", "Cost ± SE", "QALYs ± SE", "Life-years", "Attacks per patient-year",
                   "Died in an attack", "Survival 5 y", "Survival 10 y"], rows, numeric=range(1, 8)),
            figure(outcomes.plot_survival(res), "Survival and attack-free curves per strategy.",
                   "survival curves")]


def incremental(ctx):
    res = ctx.main
    table_rows = []
    for row, s in enumerate(res.base_table["strategy"]):
        status = res.base_table["status"][row]
        versus = int(res.base_table["versus"][row])
        against = "" if versus < 0 else (" vs " if status == "frontier" else " by ") + res.labels[versus]
        table_rows.append((Raw(f'<span class="frontier">{esc(res.labels[s])}</span>' if status == "frontier"
                               else esc(res.labels[s])), money(res, res.base_table["cost"][row]),
                           f"{res.base_table['qalys'][row]:.3f}", money(res, res.base_table["incremental_cost"][row]),
                           f"{res.base_table['incremental_qalys'][row]:.3f}"
                           if np.isfinite(res.base_table["incremental_qalys"][row]) else "—",
                           money(res, res.base_table["icer"][row]), status + against))
    nmb_rows = []
    for w in res.report_wtp:
        values = res.nmb(w, 0)
        best = int(np.argmax(values))
        nmb_rows.append([res.money.per_qaly(w)] + [Raw(f"<b>{esc(money(res, v))}</b>") if s == best
                                                   else money(res, v) for s, v in enumerate(values)])
    fig, _, _ = ce.plot_frontier(res, ctx.wtp)
    return [heading(3, "Incremental analysis", "incremental"),
            paragraph("Strategies in order of cost; frontier strategies in bold with their ICER against the "
                      "previous frontier strategy; dominated strategies with the strategy that dominates them."),
            table(["Strategy", "Cost", "QALYs", "Incremental cost", "Incremental QALYs", "ICER per QALY", "Status"],
                  table_rows, numeric=range(1, 6)),
            figure(fig, "Efficiency frontier of the base case.", "efficiency frontier"),
            paragraph("Net monetary benefit per person at the reported thresholds (highest in bold):"),
            table(["WTP"] + res.labels, nmb_rows, numeric=range(1, len(res.labels) + 1))]


def uncertainty(ctx):
    res = ctx.psa
    if res is None:
        return []
    psa = res.psa
    c = res.comparator
    draws = len(psa["cost"])
    rows = []
    for s, label in enumerate(res.labels):
        dq = psa["qalys"][:, s] - psa["qalys"][:, c]
        dc = psa["cost"][:, s] - psa["cost"][:, c]
        rows.append((label, interval(psa["cost"][:, s], lambda v: money(res, v)),
                     interval(psa["qalys"][:, s], lambda v: f"{v:.2f}"),
                     "—" if s == c else interval(dc, lambda v: money(res, v)),
                     "—" if s == c else interval(dq, lambda v: f"{v:.2f}")))
    ceac_rows = []
    for w in res.report_wtp:
        k = voi.wtp_column(res, w)
        best = int(psa["ceaf_strategy"][k])
        ceac_rows.append([res.money.per_qaly(res.wtp_axis[k])] + [
            Raw(f"<b>{100 * p:.1f}%</b>") if s == best else f"{100 * p:.1f}%" for s, p in enumerate(psa["ceac"][k])])
    frontier_fig, _, _ = ce.plot_frontier(res, ctx.wtp)
    return [heading(3, "Uncertainty: probabilistic sensitivity analysis", "psa"),
            paragraph(f"{draws:,} draws of every uncertain input (distributions above), "
                      f"{int(res.attrs.get('patients_per_set', 0)):,} patients per draw and strategy, the same "
                      "patients in every draw. Mean and 95% interval over the draws; increments against "
                      f"{esc(res.labels[c])}."),
            table(["Strategy", "Cost", "QALYs", "Incremental cost", "Incremental QALYs"], rows, numeric=range(1, 5)),
            figure(ce.plot_ce_plane(res, ctx.wtp), "Cost-effectiveness plane of the PSA.", "CE plane"),
            figure(frontier_fig, "Efficiency frontier of the expected (mean) costs and QALYs.",
                   "frontier of PSA means"),
            figure(voi.plot_ceac(res, ctx.wtp), "Cost-effectiveness acceptability curves and frontier.",
                   "CEAC"),
            paragraph("Probability of being cost-effective at the reported thresholds (the strategy of highest "
                      "expected net benefit in bold):"),
            table(["WTP"] + res.labels, ceac_rows, numeric=range(1, len(res.labels) + 1))]


def value_of_information(ctx):
    res = ctx.psa
    if res is None:
        return []
    psa = res.psa
    multiplier, note = voi.population_note(res)
    rows = []
    for w in res.report_wtp:
        k = voi.wtp_column(res, w)
        rows.append((res.money.per_qaly(res.wtp_axis[k]), money(res, psa["evpi"][k]),
                     money(res, psa["evpi"][k] * multiplier) if multiplier else "—"))
    parts = [heading(3, "Value of information", "voi"),
             table(["WTP", "EVPI per person", "Population EVPI"], rows, numeric=(1, 2)),
             paragraph(esc(note or "")),
             figure(voi.plot_evpi(res, ctx.wtp), "Expected value of perfect information.", "EVPI")]
    if psa.get("evppi") is not None:
        kept, floors = voi.evppi_ranking(res, ctx.wtp)
        evppi_rows = [(readable(psa["evppi"]["group"][i], res.regimen_labels), psa["evppi"]["parameters"][i],
                       money(res, value)) for i, value in kept]
        parts += [figure(voi.plot_evppi(res, ctx.wtp), "Expected value of partial perfect information.",
                         "EVPPI"),
                  paragraph(f"EVPPI per person at {esc(res.money.per_qaly(ctx.wtp))}, parameters and groups above "
                            "the regression noise floor:"),
                  table(["Parameter or group", "Inputs", "EVPPI per person"], evppi_rows, numeric=(2,))]
    return parts


def one_way(ctx):
    res = ctx.sweep
    if res is None:
        return []
    optimal, rival, base, rows = sweeps.tornado_data(res, ctx.wtp)
    table_rows = [(readable(r["path"], res.regimen_labels), format_value(r["path"], r["low_value"], res.money),
                   format_value(r["path"], r["high_value"], res.money), money(res, r["low"]), money(res, r["high"]),
                   money(res, r["range"])) for r in rows if r["range"] > 0][:15]
    return [heading(3, "One-way sensitivity analysis", "one-way"),
            paragraph(f"Incremental net monetary benefit of {esc(res.labels[optimal])} (optimal in the base case) "
                      f"against {esc(res.labels[rival])} (next best on the efficiency frontier) at "
                      f"{esc(res.money.per_qaly(ctx.wtp))}; base {esc(money(res, base))}. Below zero the decision "
                      "changes."),
            figure(sweeps.plot_tornado(res, ctx.wtp), "Tornado diagram.", "tornado"),
            table(["Parameter", "Low", "High", "INMB at low", "INMB at high", "Range"], table_rows,
                  numeric=range(1, 6))]


def grids(ctx):
    if not ctx.grids:
        return []
    parts = [heading(3, "Grid sweeps and threshold analysis", "grid")]
    for res in ctx.grids:
        parameters, axes = sweeps.grid_layout(res)
        names = " × ".join(readable(p, res.regimen_labels) for p in parameters)
        parts += [heading(4, f"{names} ({' × '.join(str(len(a)) for a in axes)} points)", slug_of(parameters)),
                  figure(sweeps.plot_grid(res, ctx.wtp), "Optimal strategy over the grid." if len(axes) == 2
                         else "Net monetary benefit of each strategy along the sweep.", "grid"),
                  figure(sweeps.plot_threshold(res, ctx.wtp), "Threshold analysis.", "threshold"),
                  paragraph(esc(sweeps.threshold_title(res, ctx.wtp).capitalize()) + " (where the optimal "
                            "strategy changes, by linear interpolation between grid points):"),
                  "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in sweeps.threshold_lines(res, ctx.wtp))
                  + "</ul>"]
    return parts


def slug_of(parameters):
    return "grid-" + "-".join(p.replace(".", "-").replace("_", "-") for p in parameters)


def validation(ctx):
    d = ctx.validation
    if d is None:
        return []
    from .validation import Z95, fmt_stat, fmt_target, plot_curves, plot_targets, target_z
    rows = []
    zs = target_z(d)
    for i, name in enumerate(d["name"]):
        statistic = d["statistic"][i]
        z = zs[i]
        when = f" at {d['years'][i]:g} y" if np.isfinite(d["years"][i]) else ""
        rows.append((name, f"{statistic.replace('_', ' ')}{when}", d["strategies"][i],
                     fmt_target(d, i),
                     f"{fmt_stat(statistic, d['model_value'][i])} ({fmt_stat(statistic, d['model_se'][i])})",
                     Raw(f"<b>{z:+.2f}</b>" if abs(z) > Z95 else f"{z:+.2f}"), d["source"][i]))
    met = int(np.sum(np.abs(zs) <= Z95))
    return [heading(3, "Validation", "validation"),
            paragraph(f"The model against the published targets of {esc(d['target_set'])} "
                      f"(<code>{esc(d['targets_source'])}</code>): {met} of {len(rows)} within the published 95% "
                      "interval. Registry groups are mixes of the simulated strategies. Calibrated parameters "
                      "were fitted to these targets, so this is a check of fit, not an independent validation."),
            table(["Target", "Statistic", "Group (strategy shares)", "Published (SE)", "Model (MC SE)", "z",
                   "Source"], rows, numeric=(3, 4, 5)),
            figure(plot_targets(d), "Every target against the model.", "targets"),
            figure(plot_curves(d, "survival", "survival", "Overall survival"),
                   "Survival: model against the published points.", "validation survival"),
            figure(plot_curves(d, "attack_free", "attack_free", "Free of attacks (death censored)"),
                   "Attack-free: model against the published points.", "validation attack-free")]


def limitations(ctx):
    items = ["All efficacy inputs come from small retrospective cohorts; there is no randomised trial of any "
             "prophylaxis in ISCLS.",
             "Many inputs are modelling choices (\"suggestion\" in the inputs table): utilities, most costs, "
             "complication probabilities, switching rules. The probabilistic analysis gives them wide "
             "distributions.",
             "Five unobserved parameters were calibrated to registry survival and IVIG attack rates; survival "
             "without IVIG stays above the registry's in the model.",
             "Monte Carlo error: means carry standard errors (shown); increments between strategies are paired on "
             "the same patients and are much more precise than the arms."]
    if ctx.sweep is not None:
        items.append("One-way ranges come from the PSA distributions' 2.5% and 97.5% quantiles unless the scenario "
                     "gives [[sweep.parameters]]; parameters sampled as groups (shares of a Dirichlet, one price "
                     "for several keys) are not swept one at a time.")
    return [heading(2, "Limitations", "limitations"),
            "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"]
