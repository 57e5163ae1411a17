"""Every figure a results file supports, by name, drawn at one WTP."""
from . import ce, outcomes, sweeps, voi
from .results import Results
from .style import apply_style


def available(res):
    """(name, draw function) for each figure the file's contents allow, in reading order."""
    figures = [("survival", lambda r, w: outcomes.plot_survival(r)),
               ("frontier", lambda r, w: ce.plot_frontier(r, w)[0])]
    if res.psa is not None:
        figures += [("ce_plane", ce.plot_ce_plane), ("ceac", voi.plot_ceac), ("evpi", voi.plot_evpi)]
        if res.psa.get("evppi") is not None:
            figures.append(("evppi", voi.plot_evppi))
    if res.kind == "one_way" and res.sweep is not None:
        figures.append(("tornado", sweeps.plot_tornado))
    if res.kind == "grid" and res.sweep is not None:
        figures.append(("grid", sweeps.plot_grid))
        figures.append(("threshold", sweeps.plot_threshold))
    return figures


def draw(res, wtp, names=None):
    """Yields (name, figure) for the file's figures (or only those named)."""
    apply_style()
    for name, plot in available(res):
        if names is None or name in names:
            yield name, plot(res, wtp)


def load(path):
    return Results(path)
