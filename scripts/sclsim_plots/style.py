"""One look for every figure: Okabe-Ito colours plus a line style and a marker
per strategy (so figures read in greyscale and for colour-blind readers),
money axes with currency and thousands separators (never an offset or
scientific notation), and legends in their own panel so they never cover data.
"""
import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

# Okabe & Ito (2008), ordered so that neighbours differ in lightness too;
# yellow last: it vanishes on white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 1)), (0, (3, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "CAD": "C$", "AUD": "A$", "CHF": "CHF "}
DPI = 150


def apply_style():
    plt.rcParams.update({
        "font.size": 9.5,
        "axes.titlesize": 10.5,
        "axes.labelsize": 9.5,
        "legend.fontsize": 8.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.25,
        "axes.formatter.useoffset": False,
        "axes.formatter.limits": (-9, 12),
        # Money labels carry "$": never let two of them start mathtext.
        "text.parse_math": False,
        "savefig.dpi": DPI,
    })


def strategy_style(index):
    return {"color": PALETTE[index % len(PALETTE)], "linestyle": LINESTYLES[index % len(LINESTYLES)],
            "marker": MARKERS[index % len(MARKERS)]}


def wrap(label, width=60):
    return "\n".join(textwrap.wrap(label, width)) or label


class Money:
    """Currency and price year of a file: axis labels and value formatting."""

    def __init__(self, currency, price_year):
        self.currency = currency
        self.price_year = int(price_year)
        self.symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")

    @property
    def unit(self):
        return f"{self.currency} {self.price_year}"

    def format(self, value, decimals=0):
        sign = "−" if value < 0 and round(abs(value), decimals) != 0 else ""
        return f"{sign}{self.symbol}{abs(value):,.{decimals}f}"

    def per_qaly(self, value):
        return f"{self.format(value)} per QALY"

    def formatter(self):
        return MoneyFormatter(self)


class MoneyFormatter(ticker.Formatter):
    """Tick labels like $1,250,000; decimals only when the tick step needs them."""

    def __init__(self, money):
        self.money = money
        self.decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        steps = [abs(b - a) for a, b in zip(locs, locs[1:]) if b != a]
        step = min(steps) if steps else 1.0
        self.decimals = 0 if step >= 1 else min(3, len(f"{step:.10f}".rstrip("0").split(".")[1]))

    def __call__(self, x, pos=None):
        return self.money.format(x, self.decimals)


class PlainFormatter(ticker.Formatter):
    """Numbers with thousands separators and no offset, e.g. QALYs or WTP."""

    def __init__(self, suffix=""):
        self.decimals = 0
        self.suffix = suffix

    def set_locs(self, locs):
        super().set_locs(locs)
        steps = [abs(b - a) for a, b in zip(locs, locs[1:]) if b != a]
        step = min(steps) if steps else 1.0
        self.decimals = 0 if step >= 1 else min(4, len(f"{step:.10f}".rstrip("0").split(".")[1]))

    def __call__(self, x, pos=None):
        text = f"{x:,.{self.decimals}f}".replace("-", "−")
        return text + self.suffix


def money_axis(axis, money, nbins=6):
    axis.set_major_formatter(money.formatter())
    axis.set_major_locator(ticker.MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]))


def plain_axis(axis, nbins=6, suffix=""):
    axis.set_major_formatter(PlainFormatter(suffix))
    axis.set_major_locator(ticker.MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]))


def percent_axis(axis):
    axis.set_major_formatter(ticker.PercentFormatter(xmax=1.0, decimals=0))


def figure_with_legend(width, height, legend_rows, ncols=1, sharey=False, width_ratios=None):
    """A figure whose legend gets its own strip below the plots (never over data).

    Returns (fig, axes list, legend axes). legend_rows: lines the legend needs.
    """
    legend_height = 0.25 + 0.2 * legend_rows
    fig = plt.figure(figsize=(width, height + legend_height), layout="constrained")
    grid = fig.add_gridspec(2, ncols, height_ratios=[height, legend_height], width_ratios=width_ratios)
    axes = []
    for column in range(ncols):
        share = axes[0] if (sharey and axes) else None
        axes.append(fig.add_subplot(grid[0, column], sharey=share))
    legend_ax = fig.add_subplot(grid[1, :])
    legend_ax.axis("off")
    return fig, axes, legend_ax


def legend_in(legend_ax, handles, labels, ncol=1, title=None):
    legend_ax.legend(handles, labels, loc="upper center", ncol=ncol, frameon=False, title=title,
                     handlelength=3.2, borderaxespad=0.0)


def caption(fig, text, width=120):
    """A footnote under the figure: assumptions a reader needs beside the plot."""
    fig.text(0.01, 0.0, wrap(text, width), ha="left", va="top", fontsize=7.5, color="0.25",
             transform=fig.transFigure)


def save(fig, path):
    fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.12)
    plt.close(fig)
    return path


def png_bytes(fig, dpi=DPI):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12)
    plt.close(fig)
    return buffer.getvalue()
