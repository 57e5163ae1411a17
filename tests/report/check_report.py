"""Checks an HTML report from scripts/report_html.py without a browser: the
file is self-contained (every src is a data: URI, every href an anchor on the
page, no CSS import or url() outside the page) and has its sections.
  check_report.py REPORT.html SECTION_ID...
With --dom DOM.html: the same section ids must be in the DOM Chromium built."""
import re
import sys


def attributes(text, name):
    return re.findall(rf"""\s{name}\s*=\s*["']([^"']*)["']""", text, flags=re.I)


def main():
    args = sys.argv[1:]
    dom = None
    if args[0] == "--dom":
        dom, args = args[1], args[2:]
    path, sections = args[0], args[1:]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    problems = []
    for source in attributes(text, "src"):
        if not source.startswith("data:"):
            problems.append(f"src={source[:60]!r} is not embedded (a reader offline would miss it) — embed it as a data: URI")
    for target in attributes(text, "href"):
        if not target.startswith("#"):
            problems.append(f"href={target[:60]!r} leaves the page — link to an anchor on the page instead")
    if re.search(r"@import|url\(\s*['\"]?(https?:|//)", text, flags=re.I):
        problems.append("the CSS loads something from outside the page — inline it")
    if re.search(r"<!DOCTYPE\s+svg", text, flags=re.I):
        problems.append("an inline SVG keeps its DOCTYPE (it names an external DTD) — strip it")
    ids = set(re.findall(r'\sid="([^"]+)"', open(dom, encoding="utf-8").read() if dom else text))
    for section in sections:
        if section not in ids:
            problems.append(f"section #{section} is missing{' from the DOM Chromium built' if dom else ''}")
    for problem in problems:
        print(f"FAIL: {path}: {problem}")
    if problems:
        sys.exit(1)
    print(f"{path}: self-contained, {len(sections)} sections present{' in the DOM' if dom else ''}")


if __name__ == "__main__":
    main()
