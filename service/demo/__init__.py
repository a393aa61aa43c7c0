"""``hall-ledger demo``: the small demo hall simulated for four weeks that end today, with a
storyline (:mod:`service.demo.story`), and a bilingual summary read from the read models
(:mod:`service.demo.summary`).

Everything is recorded through ``HallLedger`` commands, so the demo ledger is an ordinary
ledger. Its facts happened in the weeks before today (valid time); they are recorded now, on
the real clock, after the store's newest record (record time: :class:`LiveClock`), so a real
command sent after the demo lands after it. A second run on the same store writes nothing and
prints the summary of what is there.
"""

from __future__ import annotations

from domain import ids
from service.application import HallLedger
from service.demo.story import INSPECTOR, INSPECTOR_2, SCRIPTED, DemoStory
from service.demo.summary import Summary, describe_period, print_summary, process_lines, summarise
from service.simulation import HallSimulator, demo_profile
from service.simulation.clock import LiveClock, wall_clock

DEMO_DAYS = 20  # four weeks of working days
DEMO_SEED = 7

__all__ = [
    "DEMO_DAYS",
    "DEMO_SEED",
    "INSPECTOR",
    "INSPECTOR_2",
    "SCRIPTED",
    "DemoStory",
    "Summary",
    "demo_clock",
    "describe_period",
    "print_summary",
    "process_lines",
    "run_demo",
    "summarise",
]


def run_demo(app: HallLedger, *, seed: int = DEMO_SEED, days: int = DEMO_DAYS) -> bool:
    """Simulate the demo hall's ``days`` working days that end today, unless the store already
    holds it. Returns True when built."""
    if app.exists(ids.department_id(app.settings.hall_id, "market")):
        return False
    clock = app.clock
    if not isinstance(clock, LiveClock):
        raise TypeError("the demo records on the real clock: open the ledger with demo_clock()")
    HallSimulator(app, demo_profile(), seed=seed, story=DemoStory(), ending=clock.present()).run(days)
    clock.settle(app.settings.clock_skew)
    return True


def demo_clock() -> LiveClock:
    """The demo's recording clock: the real one, strictly increasing (:class:`LiveClock`)."""
    return LiveClock(wall_clock())
