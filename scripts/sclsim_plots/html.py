"""Pieces of a self-contained HTML page: inline CSS, tables, figures as
base64 PNG, inline SVG. Nothing here references anything outside the page."""
import base64
import html
import re

CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; max-width: 1100px;
       margin: 0 auto; padding: 24px 32px 64px; line-height: 1.45; font-size: 15px; }
h1 { font-size: 26px; margin-bottom: 4px; }
h2 { font-size: 21px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; margin-top: 40px; }
h3 { font-size: 17px; margin-top: 28px; }
h4 { font-size: 15px; margin-top: 22px; }
.subtitle { color: #555; margin-top: 0; }
.abstract { background: #F3F7FB; border-left: 4px solid #0072B2; padding: 12px 18px; }
.abstract p { margin: 6px 0; }
table { border-collapse: collapse; margin: 12px 0 8px; font-size: 13px; }
table.inputs { width: 100%; table-layout: fixed; }
table.inputs td:nth-child(1), table.inputs th:nth-child(1) { width: 38%; }
table.inputs td:nth-child(2), table.inputs th:nth-child(2) { width: 14%; }
table.inputs code { overflow-wrap: anywhere; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f0f0f0; border-bottom: 2px solid #bbb; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
table.psa-distributions td:nth-child(2) { width: 24%; }
table.psa-distributions td:nth-child(3) { width: 26%; }
tr.group td { background: #fafafa; font-weight: bold; padding-top: 10px; }
td.note { color: #666; font-size: 12px; }
code { font-size: 12.5px; background: #f5f5f5; padding: 0 3px; }
figure { margin: 18px 0; }
figure img, figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: #333; margin-top: 4px; }
body { counter-reset: figure; }
figure { counter-increment: figure; }
figcaption::before { content: "Figure " counter(figure) ". "; font-weight: bold; }
nav.toc { columns: 2; font-size: 14px; }
nav.toc a { color: #0072B2; text-decoration: none; }
.small { font-size: 12.5px; color: #555; }
.frontier { font-weight: bold; }
"""


def esc(text):
    return html.escape(str(text), quote=True)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def heading(level, text, anchor=None):
    anchor = anchor or slug(text)
    return f'<h{level} id="{esc(anchor)}">{esc(text)}</h{level}>'


def paragraph(text, css_class=None):
    """A paragraph of trusted HTML (callers escape their data with esc)."""
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<p{attribute}>{text}</p>"


def table(header, rows, numeric=(), css_class=None):
    """A table; `numeric` holds the column indices to right-align. Cells are
    escaped unless given as Raw."""
    def cell(tag, value, k):
        klass = ' class="num"' if k in numeric and (tag == "th" or looks_numeric(value)) else ""
        content = value.html if isinstance(value, Raw) else esc(value)
        return f"<{tag}{klass}>{content}</{tag}>"
    head = "".join(cell("th", h, k) for k, h in enumerate(header))
    body = []
    for row in rows:
        if isinstance(row, Group):
            body.append(f'<tr class="group"><td colspan="{len(header)}">{esc(row.title)}</td></tr>')
        else:
            body.append("<tr>" + "".join(cell("td", v, k) for k, v in enumerate(row)) + "</tr>")
    klass = f' class="{css_class}"' if css_class else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


NUMERIC = re.compile(r"^[−\-+]?[$£€¥]?[\d,.]+(e[−\-+]?\d+)?%?( ± .*)?( \(.*\))?$|^—$")


def looks_numeric(value):
    """Right-align numbers, money and intervals; text stays left-aligned and wraps."""
    if isinstance(value, Raw):
        return True
    if isinstance(value, (int, float)):
        return True
    return bool(NUMERIC.match(str(value).strip()))


class Raw:
    """Cell content that is already HTML."""

    def __init__(self, html_text):
        self.html = html_text


class Group:
    """A full-width row that starts a group of rows."""

    def __init__(self, title):
        self.title = title


def png_figure(png, caption, alt):
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{caption}</figcaption></figure>")


def svg_figure(svg_text, caption):
    """Inline SVG without its XML prolog, DOCTYPE and comments (a DOCTYPE would
    name an external DTD)."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg_text)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return f"<figure>{svg.strip()}<figcaption>{caption}</figcaption></figure>"


def page(title, body_parts):
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body_parts) + "\n</body></html>\n")
