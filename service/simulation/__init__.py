"""The hall simulator: a seeded hall stepped working day by working day through ``HallLedger``.

``HallSimulator(app, profile, seed=…).run(days)`` records everything through the real
commands on a simulated clock (``SimClock``); ``demo_profile()`` and
``standard_profile(scale)`` are the halls it knows (see ``docs/simulation.md``).
"""

from service.simulation.base import SimulationRefusal
from service.simulation.clock import SimClock
from service.simulation.engine import HallSimulator, Story
from service.simulation.profile import HallProfile, demo_profile, profile_named, standard_profile
from service.simulation.report import SimulationReport

__all__ = [
    "HallProfile",
    "HallSimulator",
    "SimClock",
    "SimulationRefusal",
    "SimulationReport",
    "Story",
    "demo_profile",
    "profile_named",
    "standard_profile",
]
