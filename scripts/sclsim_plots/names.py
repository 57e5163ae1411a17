"""Readable names and units of scenario key paths, for axis and bar labels:
"regimens.ivig_2g.price_per_gram" -> "IVIG 2 g/kg monthly: price per gram".
Names a PSA gives its parameters ("severity mix") are already readable.
"""
import re

SECTIONS = {
    "attacks.severity.mild": "Mild attack",
    "attacks.severity.ward": "Ward attack",
    "attacks.severity.icu": "ICU attack",
    "attacks": "Attacks",
    "complications.compartment_syndrome": "Compartment syndrome",
    "complications.renal_replacement": "Renal replacement",
    "complications.thrombosis_stroke": "Thrombosis or stroke",
    "costs": "Hospital costs",
    "population": "Population",
    "myeloma": "Myeloma",
    "mortality.gompertz_makeham": "Background mortality",
    "utility": "Utility",
    "simulation": "Simulation",
    "cea": "CEA",
}

LEAVES = {
    "rate_per_year": "rate per year",
    "heterogeneity_sigma": "spread of personal rates (lognormal σ)",
    "heterogeneity_shape": "spread of personal rates (gamma shape)",
    "share": "share",
    "death_probability": "death probability",
    "compartment_syndrome_probability": "compartment syndrome probability",
    "renal_replacement_probability": "renal replacement probability",
    "thrombosis_stroke_probability": "thrombosis or stroke probability",
    "qaly_loss": "QALY loss",
    "utility_decrement": "utility decrement",
    "icu_day": "ICU day",
    "ward_day": "ward day",
    "mgus_share": "share with monoclonal gammopathy",
    "progression_rate_per_year": "MGUS to myeloma, rate per year",
    "excess_death_rate_per_year": "excess death rate per year",
    "price_per_gram": "price per gram",
    "administration_cost_per_infusion": "administration cost per infusion",
    "drug_cost_per_year": "drug cost per year",
    "monitoring_cost_per_year": "monitoring cost per year",
    "discontinuation_rate_per_year": "discontinuation rate per year",
    "attack_rate_ratio": "attack rate ratio",
    "probability_per_infusion": "probability per infusion",
    "cost_per_admission": "cost per admission",
    "age_mean_years": "mean age at diagnosis",
}

MONEY_LEAVES = ("cost", "price", "_day")


def regimen_short_label(label):
    """'IVIG 1 g/kg monthly (maintenance ...)' -> 'IVIG 1 g/kg monthly'."""
    return label.split(" (")[0]


def readable(path, regimen_labels=None):
    """A key path as words; anything that is not a dotted key path is kept."""
    if "." not in path or " " in path:
        return path[:1].upper() + path[1:]
    regimen_labels = regimen_labels or {}
    match = re.match(r"regimens\.([^.]+)\.(.*)$", path)
    if match:
        regimen, rest = match.groups()
        head = regimen_short_label(regimen_labels.get(regimen, regimen))
        events = re.match(r"adverse_events\.([^.]+)\.(.*)$", rest)
        if events:
            return f"{head}: {events.group(1).replace('_', ' ')}, {_leaf(events.group(2))}"
        response = re.match(r"response\.(\d+)\.(.*)$", rest)
        if response:
            return f"{head}: response class {int(response.group(1)) + 1}, {_leaf(response.group(2))}"
        return f"{head}: {_leaf(rest)}"
    for prefix in sorted(SECTIONS, key=len, reverse=True):
        if path.startswith(prefix + "."):
            return f"{SECTIONS[prefix]}: {_leaf(path[len(prefix) + 1:])}"
    return path.replace("_", " ")


def _leaf(key):
    return LEAVES.get(key, key.replace("_", " ").replace(".", " "))


def is_money(path):
    leaf = path.rsplit(".", 1)[-1]
    return any(part in leaf for part in MONEY_LEAVES) and "probability" not in leaf


def format_value(path, value, money=None):
    """A parameter value for a label: money with separators, others to 3 digits."""
    if money is not None and is_money(path):
        return money.format(value)
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def axis_label(path, regimen_labels=None, money=None):
    label = readable(path, regimen_labels)
    if money is not None and is_money(path):
        return f"{label} ({money.unit})"
    return label
