#!/usr/bin/python3
"""The exported CSV tables, read with pandas, against the HDF5 files they came
from (read with h5py), and the HDF5 files' coordinates read with xarray."""
import sys

import h5py
import numpy as np
import pandas as pd
import xarray as xr

work = sys.argv[1]


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAIL: {what}")


def strings(dataset):
    return [v.decode() if isinstance(v, bytes) else v for v in dataset[()]]


with h5py.File(f"{work}/run.h5") as f:
    check(f.attrs["format_version"] == 2, "the layout this test reads is format 2")
    strategies = strings(f["axes/strategy"])
    summary = pd.read_csv(f"{work}/run/summary.csv", float_precision="round_trip")
    check(list(summary.columns) == ["parameter_set", "set_label", "strategy", "strategy_label", "measure", "mean", "se"], "summary columns")
    qalys = summary[summary.measure == "qalys"].set_index("strategy")
    check(list(qalys.index) == strategies, "strategies by name, in file order")
    check(np.array_equal(qalys["mean"].to_numpy(), f["results/qalys_mean"][0]), "QALYs to the last bit")
    survival = pd.read_csv(f"{work}/run/survival.csv", float_precision="round_trip")
    ivig = survival[survival.strategy == "ivig"]
    check(np.array_equal(ivig.survival.to_numpy(), f["results/survival"][0, 1]), "survival curve")
    validation = pd.read_csv(f"{work}/run/validation.csv", float_precision="round_trip")
    check(list(validation.target) == strings(f["validation/name"]), "validation targets")
    incremental = pd.read_csv(f"{work}/run/incremental.csv", float_precision="round_trip")
    check(set(incremental.strategy) == set(strategies) and incremental.status.isin(["frontier", "dominated", "extendedly dominated"]).all(),
          "incremental table by name")

with h5py.File(f"{work}/psa.h5") as f:
    cost = pd.read_csv(f"{work}/psa/psa_cost.csv", index_col="draw", float_precision="round_trip")
    effect = pd.read_csv(f"{work}/psa/psa_effect.csv", index_col="draw", float_precision="round_trip")
    check(list(cost.columns) == strings(f["axes/strategy"]), "PSA matrix columns are strategy names")
    check(np.array_equal(cost.to_numpy(), f["cea/psa/cost"][()]) and np.array_equal(effect.to_numpy(), f["cea/psa/qalys"][()]),
          "PSA cost and effect matrices")
    parameters = pd.read_csv(f"{work}/psa/parameter_sets.csv", float_precision="round_trip")
    check(np.array_equal(parameters.iloc[:, 3:].to_numpy(), f["parameter_sets/values"][()]), "parameter draws")
    ceac = pd.read_csv(f"{work}/psa/ceac.csv", float_precision="round_trip")
    check(np.allclose(ceac.groupby("wtp").probability_cost_effective.sum(), 1.0), "CEAC sums to 1 at every WTP")
    check((ceac.groupby("wtp").on_frontier.sum() == 1).all(), "one CEAF strategy per WTP")
    evppi = pd.read_csv(f"{work}/psa/evppi.csv", float_precision="round_trip")
    check(len(evppi) == f["cea/psa/evppi/evppi"].size, "EVPPI rows")

one_way = pd.read_csv(f"{work}/one_way/one_way.csv", float_precision="round_trip")
check("IVIG price per gram" in set(one_way.parameter), "the shared IVIG price has its one-way range")
check((one_way.low_value < one_way.high_value).all(), "ranges run low to high")
grid = pd.read_csv(f"{work}/grid/grid_axes.csv", float_precision="round_trip")
check(grid.parameters.iloc[0] == "regimens.ivig_2g.price_per_gram,regimens.ivig_1g.price_per_gram", "a grid axis moving two keys")

for group, coordinates in [("results", {"parameter_set", "strategy", "month"}), ("cea/psa", {"wtp", "strategy", "draw"})]:
    dataset = xr.open_dataset(f"{work}/psa.h5", group=group, engine="netcdf4")
    check(coordinates <= set(dataset.coords), f"xarray finds the coordinates of /{group}: {sorted(dataset.coords)}")
survival = xr.open_dataset(f"{work}/psa.h5", group="results", engine="netcdf4")["survival"]
check(list(survival.strategy.values) == strings(h5py.File(f"{work}/psa.h5")["axes/strategy"]), "strategy coordinate labels")


def groups_with_datasets(handle, prefix=""):
    """Every group holding at least one dataset, as a path below the root."""
    found = []
    if any(isinstance(item, h5py.Dataset) for item in handle.values()):
        found.append(prefix or "/")
    for name, item in handle.items():
        if isinstance(item, h5py.Group):
            found += groups_with_datasets(item, f"{prefix}/{name}")
    return found


for kind in ["run", "psa", "one_way", "grid"]:
    with h5py.File(f"{work}/{kind}.h5") as f:
        groups = groups_with_datasets(f)
    for group in groups:
        try:
            xr.open_dataset(f"{work}/{kind}.h5", group=group, engine="netcdf4").close()
        except Exception as error:  # noqa: BLE001 - the message is the finding
            raise SystemExit(f"FAIL: xarray cannot open {group} of {kind}.h5: {error}")
print("export: pandas and xarray read every table, axis and group")
