"""innovsim: an agent-based simulator of county science-and-technology innovation systems.

Public API
----------
InnovationModel
    The Mesa model (keyword parameters, ``seed``, ``step()``, ``datacollector``).
Parameters, ParameterError, PARAMETER_NAMES
    The typed, range-checked parameter table.
load_region, list_regions
    Built-in and user regions (county grids).
load_scenario, list_scenarios, ScenarioError
    Scenario files (the report's recommendations).
simulate
    One run as a plain function: parameters, seed, steps in; tidy indicators out.
"""

from model.params.scenarios import ScenarioError, list_scenarios, load_scenario
from model.params.table import PARAMETER_NAMES, ParameterError, Parameters
from model.runs.run import simulate
from model.sim.mesa_model import InnovationModel
from model.sim.region import list_regions, load_region

__all__ = [
    "PARAMETER_NAMES",
    "InnovationModel",
    "ParameterError",
    "Parameters",
    "ScenarioError",
    "list_regions",
    "list_scenarios",
    "load_region",
    "load_scenario",
    "simulate",
]
