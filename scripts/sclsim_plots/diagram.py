"""Graphviz source of a scenario's strategies: the regimens each policy can
reach and the rules that move a patient between them (escalation after
breakthrough attacks, de-escalation after attack-free time, the regimen that
follows a discontinuation)."""
import shutil
import subprocess

from .style import PALETTE

ESCALATE_COLOR, DEESCALATE_COLOR, STOP_COLOR = "#D55E00", "#009E73", "#666666"


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _regimen_labels(scenario):
    labels = {"none": "No prophylaxis"}
    for regimen in scenario.get("regimens", []):
        labels[regimen["name"]] = regimen.get("label", regimen["name"]).split(" (")[0]
    return labels


def _transitions(strategy):
    """(from, to, kind, text) of every rule of one strategy."""
    edges = []
    for rule in strategy.get("escalate", []):
        attacks = int(rule.get("after_attacks", 1))
        edges.append((rule["from"], rule["to"], "escalate",
                      f"{attacks} attack{'s' if attacks > 1 else ''} within {rule.get('within_months', 0):g} months"))
    for rule in strategy.get("deescalate", []):
        edges.append((rule["from"], rule["to"], "deescalate",
                      f"{rule.get('after_attack_free_months', 0):g} attack-free months"))
    stops = strategy.get("on_discontinuation", "none")
    return edges, stops


def strategy_dot(scenario):
    """The dot text of every strategy of a parsed scenario (tomllib dict)."""
    labels = _regimen_labels(scenario)
    lines = ["digraph strategies {",
             '  graph [rankdir=LR, fontname="DejaVu Sans", fontsize=11, nodesep=0.2, ranksep=0.5];',
             '  node [fontname="DejaVu Sans", fontsize=10, shape=box, style="rounded,filled", color="#444444"];',
             '  edge [fontname="DejaVu Sans", fontsize=9];']
    strategies = list(enumerate(scenario.get("strategies", [])))
    for k, strategy in reversed(strategies):  # dot stacks LR clusters bottom-up: the first strategy ends on top
        name = strategy["name"]
        lines.append(f"  subgraph cluster_{k} {{")
        lines.append(f'    label={_quote(strategy.get("label", name))}; style="rounded"; '
                     f'color="{PALETTE[k % len(PALETTE)]}"; fontcolor="#222222";')
        start = strategy.get("start_regimen", "none")
        entry = f"{name}__start"
        lines.append(f'    {_quote(entry)} [label="diagnosis", shape=circle, style=filled, fillcolor="#EEEEEE", '
                     f'fontsize=8, width=0.6, fixedsize=true];')
        reached = {start}
        edges, stops = _transitions(strategy)
        after = int(strategy.get("start_after_attacks", 0))
        if after > 0:
            reached.add("none")
            lines.append(f'    {_quote(entry)} -> {_quote(name + "__none")};')
            lines.append(f'    {_quote(name + "__none")} -> {_quote(name + "__" + start)} '
                         f'[label="attack {after}", color="{ESCALATE_COLOR}"];')
        else:
            lines.append(f'    {_quote(entry)} -> {_quote(name + "__" + start)};')
        frontier = list(reached)
        while frontier:  # follow every rule and discontinuation from what is reachable
            current = frontier.pop()
            targets = [to for src, to, _, _ in edges if src == current]
            if current != "none":
                targets.append(stops.get(current, "none") if isinstance(stops, dict) else stops)
            for target in targets:
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
        for regimen in sorted(reached):
            fill = "#F2F2F2" if regimen == "none" else "#DDEBF7"
            lines.append(f'    {_quote(name + "__" + regimen)} [label={_quote(labels.get(regimen, regimen))}, '
                         f'fillcolor="{fill}"];')
        for src, to, kind, text in edges:
            if src in reached:
                color = ESCALATE_COLOR if kind == "escalate" else DEESCALATE_COLOR
                lines.append(f'    {_quote(name + "__" + src)} -> {_quote(name + "__" + to)} '
                             f'[label={_quote(text)}, color="{color}", fontcolor="{color}"];')
        for regimen in sorted(reached - {"none"}):
            target = stops.get(regimen, "none") if isinstance(stops, dict) else stops
            lines.append(f'    {_quote(name + "__" + regimen)} -> {_quote(name + "__" + target)} '
                         f'[label="stopped", style=dashed, color="{STOP_COLOR}", fontcolor="{STOP_COLOR}"];')
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_text):
    """SVG text of a dot graph, or None when Graphviz is not installed."""
    if shutil.which("dot") is None:
        return None
    result = subprocess.run(["dot", "-Tsvg"], input=dot_text, capture_output=True, text=True, check=False)
    return result.stdout if result.returncode == 0 else None
