"""Numba kernels, one file per phase of a quarter.

Kernels are pure functions of arrays and scalars (and namedtuples of them). They never see a
Model, a dict or a dataclass; ``model/sim/engine.py`` validates, allocates and calls them.
"""
