"""Inputs of a run: the typed parameter table and the scenario files that override it.

- :mod:`model.params.table` — every parameter once (default, unit, range, source), the
  validated :class:`~model.params.table.Parameters` mapping and its kernel namedtuple;
- :mod:`model.params.scenarios` — scenario files (TOML): one per recommendation of the report.
"""
