"""The simulation: region grid, agent tables, initial state, the quarter's schedule, Mesa model.

- :mod:`model.sim.region` — the county grid (built-in regions in ``model/sim/regions/``);
- :mod:`model.sim.sectors` — the industry sectors;
- :mod:`model.sim.state` — populations as structs of arrays, each column declared once;
- :mod:`model.sim.initialise` — the initial state of a run;
- :mod:`model.sim.engine` — :class:`~model.sim.engine.Simulation`, the order of the phases;
- :mod:`model.sim.mesa_model` — :class:`~model.sim.mesa_model.InnovationModel`, the Mesa face;
- :mod:`model.sim.indicators` — the report's indicators (KPIs), declared once;
- :mod:`model.sim.ledger` — money and talent accounting.
"""
