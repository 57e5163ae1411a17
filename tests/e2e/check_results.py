"""Reads a sclsim results file with h5py and checks its self-description."""
import sys

import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    for key in ("sclsim_version", "git_commit", "seed", "backend", "device", "currency", "wall_seconds"):
        assert key in f.attrs, f"missing root attribute {key}"
    strategies = [s.decode() if isinstance(s, bytes) else s for s in f["axes/strategy"][()]]
    assert strategies[0] == "no_prophylaxis", strategies
    assert "scls_base" in f.attrs["scenario_source"]
    text = f["scenario/source_text"][()]
    text = text.decode() if isinstance(text, bytes) else text
    assert "[simulation]" in text
    survival = f["results/survival"]
    assert survival.dims[0].label == "parameter_set" and survival.dims[1].label == "strategy", survival.attrs["dimensions"]
    assert survival.shape[:2] == (1, len(strategies))
    s = survival[0]
    assert np.all(np.diff(s, axis=1) <= 1e-12), "survival must not increase"
    assert np.allclose(s[:, 0], 1.0)
    for name in ("qalys_mean", "total_cost_mean", "incremental_qalys_mean", "cost_mean", "deaths", "attacks_per_patient_histogram"):
        d = f["results"][name]
        assert "units" in d.attrs and "description" in d.attrs, name
    patients = f["results/patients"][0]
    assert np.all(patients == patients[0])
    histogram = f["results/attacks_per_patient_histogram"][0]
    assert np.all(histogram.sum(axis=1) == patients)
    deaths = f["results/deaths"][0].sum(axis=1) + f["results/alive_at_horizon"][0]
    assert np.all(deaths == patients)
    assert f["results/incremental_qalys_mean"][0, 0] == 0.0
print(f"h5py: {path} is complete and self-describing")
