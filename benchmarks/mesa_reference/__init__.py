"""An idiomatic-Mesa reference implementation of the simulator's baseline rules.

``ReferenceModel`` re-states the rules of the numba kernels (``model/kernels``) as
``mesa.Agent`` subclasses driven by AgentSet operations and a ``DataCollector``. It is slow on
purpose of being plain, not by neglect: it serves as the docking reference
(``tests/test_docking.py``) and as the Mesa baseline of the performance comparison.
"""

from benchmarks.mesa_reference.agents import (
    CountyGovernment,
    FirmAgent,
    FundAgent,
    PlatformAgent,
    TalentAgent,
    TechBankAgent,
)
from benchmarks.mesa_reference.model import POLICY_PARAMETERS, ReferenceModel

__all__ = [
    "POLICY_PARAMETERS",
    "CountyGovernment",
    "FirmAgent",
    "FundAgent",
    "PlatformAgent",
    "ReferenceModel",
    "TalentAgent",
    "TechBankAgent",
]
