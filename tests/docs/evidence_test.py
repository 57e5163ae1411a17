"""docs/evidence.md lists every parameter of scenarios/scls_base.toml with its
current value, and nothing in scenarios/, docs/, scripts/ or README.md points
into ../shared (the project documents its own evidence)."""
import os
import re
import sys

root = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(root, "scripts"))
from sclsim_plots.inputs import scenario_inputs  # noqa: E402


def number_or_text(cell):
    cell = cell.strip()
    try:
        return float(cell.replace(",", "").replace("−", "-"))
    except ValueError:
        return cell


def main():
    with open(os.path.join(root, "scenarios/scls_base.toml")) as f:
        text = f.read()
    with open(os.path.join(root, "docs/evidence.md")) as f:
        rows = {}
        for line in f:
            match = re.match(r"^\|\s*`([^`]+)`\s*\|\s*([^|]*)\|", line)
            if match:
                rows[match.group(1)] = number_or_text(match.group(2))
    problems = []
    for path, value, _, _ in scenario_inputs(text, [text]):
        if path not in rows:
            problems.append(f"{path}: missing from docs/evidence.md (every scenario parameter needs a row) — add it")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if not isinstance(rows[path], float) or abs(rows[path] - value) > 1e-12 * max(1.0, abs(value)):
                problems.append(f"{path}: docs/evidence.md says {rows[path]!r}, the scenario {value!r} — update the row")
        elif isinstance(value, bool):
            if str(rows[path]) != ("true" if value else "false"):  # as TOML writes it
                problems.append(f"{path}: docs/evidence.md says {rows[path]!r}, the scenario {str(value).lower()} — update the row")
        elif str(value) != str(rows[path]):
            problems.append(f"{path}: docs/evidence.md says {rows[path]!r}, the scenario {value!r} — update the row")
    for folder in ("scenarios", "docs", "scripts"):
        for directory, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                if name.endswith((".toml", ".md", ".py", ".R", ".sh", ".dot")):
                    check_no_shared(os.path.join(directory, name), problems)
    check_no_shared(os.path.join(root, "README.md"), problems)
    for problem in problems:
        print(f"FAIL: {problem}")
    if problems:
        sys.exit(1)
    print(f"docs/evidence.md: {len(rows)} parameters, all current; no pointer to ../shared")


def check_no_shared(path, problems):
    with open(path, errors="replace") as f:
        for number, line in enumerate(f, start=1):
            if "../shared" in line or "shared/EVIDENCE" in line:
                problems.append(f"{os.path.relpath(path, root)}:{number}: points to ../shared (outside the project) "
                                "— point to docs/evidence.md")


if __name__ == "__main__":
    main()
