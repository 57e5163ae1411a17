"""Figures and reports of sclsim results files (h5py, numpy and matplotlib only).

Modules: results (reading a file, incremental analysis, NMB), style (palette,
money axes, legends), names (readable parameter names), and one module per
family of figures: outcomes (survival), ce (CE plane, frontier), voi (CEAC,
EVPI, EVPPI), sweeps (tornado, grid, threshold). figures.make_all draws every
figure a file supports; scripts/cea_plots.py is its command line.
"""
