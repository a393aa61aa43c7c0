"""A rebuild shared out over several processes is the same rebuild: every registered model's rows
equal those its live follower built, the log gains nothing, and a share that fails leaves its
models as they were while the others are switched in — both stores."""

from __future__ import annotations

import random
from datetime import date

import pytest

from projections.base import ReadModel
from projections.detection import Detector
from projections.registry import all_models
from projections.runner import ProjectionRunner, ProjectionStore
from service.application import HallLedger
from service.rebuild import RebuildFailed, rebuild_models, shares
from tests.conftest import FakeClock
from tests.projections.support import differences, snapshot
from tests.projections.test_rebuild import bench, working_days

EVERY_MODEL = [m.name for m in all_models()]


class Weighing(ReadModel):
    def __init__(self, name: str, cost: float) -> None:
        self.name, self.replay_cost = name, cost  # type: ignore[misc]


def names(parts: list[list[ReadModel]]) -> list[list[str]]:
    return [[m.name for m in part] for part in parts]


def test_the_heaviest_model_goes_first_onto_the_lightest_share() -> None:
    models = [Weighing("a", 1.0), Weighing("b", 4.0), Weighing("c", 3.0), Weighing("d", 2.0), Weighing("e", 0.5)]
    assert names(shares(models, 2)) == [["a", "b", "e"], ["c", "d"]]  # 4+1+0.5 and 3+2
    assert names(shares(models, 1)) == [["a", "b", "c", "d", "e"]]
    assert names(shares(models[:2], 5)) == [["b"], ["a"]], "never an empty share"
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        shares(models, 0)


def test_every_registered_model_has_its_measured_cost() -> None:
    assert all(m.replay_cost != ReadModel.replay_cost for m in all_models())


def simulated(ledger: HallLedger, clock: FakeClock, days: int = 5) -> ProjectionRunner:
    """*Given* a week of the benchmark's hall, every registered model following it as in service."""
    sim = bench()
    rng = random.Random(23)
    hall = sim.build_hall(ledger, clock, 1, rng)
    runner = ProjectionRunner(ledger, all_models(), batch_size=500)
    runner.prepare()
    for day in working_days(date(2026, 9, 14), days):
        sim.simulate_day(ledger, clock, hall, day, 1, rng)
        runner.catch_up()
    return runner


def test_two_processes_rebuild_every_model_as_the_live_follower_built_it(ledger: HallLedger, clock: FakeClock) -> None:
    simulated(ledger, clock)
    head = ledger.recorder.max_notification_id()
    followed = snapshot(ledger, EVERY_MODEL)
    assert followed["detection_candidates"], "the week breaks a rule the detector sees"

    report = rebuild_models(ledger, all_models(), jobs=2, batch_size=700)

    assert report.names == EVERY_MODEL and report.position == head
    assert ledger.recorder.max_notification_id() == head, "the detector found every candidate already recorded"
    assert differences(followed, snapshot(ledger, EVERY_MODEL)) == {}
    store = ProjectionStore(ledger)
    assert {n: store.tracked(n) for n in EVERY_MODEL} == dict.fromkeys(EVERY_MODEL, head)


def test_a_failed_share_keeps_its_models_and_the_other_share_is_switched_in(
    ledger: HallLedger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = simulated(ledger, clock, days=2)
    parts = names(shares(all_models(), 2))
    assert "detection" in parts[0], "the heaviest model is replayed in this process"
    before = snapshot(ledger, EVERY_MODEL)

    def broken(self: Detector, tx: object, events: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Detector, "apply", broken)  # in this process only: the other share is a fresh one
    with pytest.raises(RebuildFailed, match=r"rebuild failed for .*detection.*RuntimeError\('disk full'\)"):
        rebuild_models(ledger, all_models(), jobs=2, batch_size=700)
    monkeypatch.undo()

    store = ProjectionStore(ledger)
    assert {n: store.rebuild_status(n) for n in parts[1]} == dict.fromkeys(parts[1], "done")
    assert {n: store.rebuild_status(n) for n in parts[0]} == dict.fromkeys(parts[0], "building"), "never switched"
    assert differences(before, snapshot(ledger, EVERY_MODEL)) == {}, "the same rows, wherever they came from"
    runner.catch_up()  # the live follower goes on with the tables it had
