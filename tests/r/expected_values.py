"""Writes what h5py reads from sclsim results files as key,value,text CSV rows,
for tests/r/sclsim_test.R to compare with what scripts/sclsim.R returns."""
import csv
import sys

import h5py
import numpy as np


def strings(dataset):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.atleast_1d(dataset[()])]


def main(run_path, psa_path, one_way_path, out_path):
    rows = []

    def number(key, value):
        rows.append((key, repr(float(value)), ""))

    def text(key, value):
        rows.append((key, "", value))

    for tag, path in (("run", run_path), ("psa", psa_path)):
        with h5py.File(path, "r") as f:
            names = strings(f["axes/strategy"])
            for s, name in enumerate(names):
                text(f"{tag}.strategy.{s}", name)
                text(f"{tag}.label.{s}", strings(f["axes/strategy_label"])[s])
            qalys, cost = f["results/qalys_mean"][()], f["results/total_cost_mean"][()]
            number(f"{tag}.sets", qalys.shape[0])
            for k in range(qalys.shape[0]):
                for s, name in enumerate(names):
                    number(f"{tag}.qalys.{k}.{name}", qalys[k, s])
                    number(f"{tag}.cost.{k}.{name}", cost[k, s])
                    number(f"{tag}.cost_se.{k}.{name}", f["results/total_cost_se"][k, s])
            survival = f["results/survival"][0]
            number(f"{tag}.months", survival.shape[1])
            for s, name in enumerate(names):
                number(f"{tag}.survival60.{name}", survival[s, 60])
            table = f["cea/base"]
            for row, s in enumerate(table["strategy"][()]):
                text(f"{tag}.incremental.strategy.{row}", names[s])
                versus = table["versus"][row]
                text(f"{tag}.incremental.versus.{row}", names[versus] if versus >= 0 else "NA")
                number(f"{tag}.incremental.icer.{row}", table["icer"][row])
    with h5py.File(psa_path, "r") as f:
        names = strings(f["axes/strategy"])
        draws_cost, draws_qalys = f["cea/psa/cost"][()], f["cea/psa/qalys"][()]
        number("psa.draws", draws_cost.shape[0])
        for d in (0, draws_cost.shape[0] - 1):
            for s, name in enumerate(names):
                number(f"psa.draw_cost.{d}.{name}", draws_cost[d, s])
                number(f"psa.draw_qalys.{d}.{name}", draws_qalys[d, s])
        parameters = strings(f["parameter_sets/parameter"])
        number("psa.parameters", len(parameters))
        draw_of_set = f["parameter_sets/psa_draw"][()]
        last = int(np.nonzero(draw_of_set == draws_cost.shape[0] - 1)[0][0])
        for p, path in enumerate(parameters):
            text(f"psa.parameter.{p}", path)
            number(f"psa.parameter_last_draw.{path}", f["parameter_sets/values"][last, p])
        wtp = f["cea/wtp"][()]
        number("psa.wtp_points", len(wtp))
        column = len(wtp) // 2
        number("psa.wtp_middle", wtp[column])
        for s, name in enumerate(names):
            number(f"psa.ceac_middle.{name}", f["cea/psa/ceac"][column, s])
        text("psa.ceaf_middle", names[f["cea/psa/ceaf_strategy"][column]])
        number("psa.evpi_middle", f["cea/psa/evpi"][column])
        groups = strings(f["cea/psa/evppi/group"])
        number("psa.evppi_groups", len(groups))
        for g, group in enumerate(groups):
            number(f"psa.evppi_middle.{group}", f["cea/psa/evppi/evppi"][g, column])
    with h5py.File(one_way_path, "r") as f:
        parameters = strings(f["sweep/parameter"])
        number("one_way.parameters", len(parameters))
        number("one_way.low_value.0", f["sweep/low_value"][0])
        number("one_way.high_set.0", f["sweep/high_set"][0])
        text("one_way.parameter.0", parameters[0])
    with open(out_path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["key", "value", "text"])
        writer.writerows(rows)


if __name__ == "__main__":
    main(*sys.argv[1:5])
