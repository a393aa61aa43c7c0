"""Exactly once and rebuildable: the read models built while events arrive (with restarts)
equal a rebuild from position 0, row for row; a runner killed with SIGKILL mid-stream and
restarted ends where a clean rebuild does — both stores."""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from uuid import UUID

import pytest

from domain.calendar import national_calendar
from projections.runner import ProjectionRunner, ProjectionStore, rebuild
from service.application import HallLedger
from service.settings import Settings
from tests.conftest import FakeClock
from tests.givens import MANAGER, at
from tests.projections.support import MODELS, differences, models, snapshot

ROOT = Path(__file__).parents[2]


def bench() -> ModuleType:
    """The benchmark's hall simulation (scripts/bench_rebuild.py), to make realistic logs."""
    spec = importlib.util.spec_from_file_location("bench_rebuild", ROOT / "scripts" / "bench_rebuild.py")
    assert spec and spec.loader
    module = sys.modules.get("bench_rebuild")
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_rebuild"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return module


def working_days(start: date, n: int) -> list[date]:
    calendar, days, day = national_calendar(), [], start
    while len(days) < n:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def test_models_built_while_events_arrive_equal_a_rebuild_from_zero(ledger: HallLedger, clock: FakeClock) -> None:
    sim = bench()
    rng = random.Random(11)
    hall = sim.build_hall(ledger, clock, 1, rng)
    runner = ProjectionRunner(ledger, models(), batch_size=97)
    runner.prepare()
    for n, day in enumerate(working_days(date(2026, 9, 21), 6)):
        sim.simulate_day(ledger, clock, hall, day, 1, rng)
        runner.step()
        if n == 3:  # a restart: the models reload their facts from their own tables
            runner = ProjectionRunner(ledger, models(), batch_size=97)
            runner.prepare()
        runner.step()
    clock.set(at(10, 9, 10))
    runner.catch_up()
    ledger.publish_assessment(MANAGER, period="2026-09")
    runner.step()
    violation = _a_confirmed_september_violation(ledger)
    clock.set(at(10, 10, 10))
    ledger.revoke_violation(MANAGER, violation_id=violation, reason="复查不属实")
    runner.catch_up()
    incremental = snapshot(ledger)
    assert sum(len(rows) for rows in incremental.values()) > 1000

    report = rebuild(ledger, models(), batch_size=500)
    assert report.position == ledger.recorder.max_notification_id()
    assert differences(incremental, snapshot(ledger)) == {}


def _a_confirmed_september_violation(ledger: HallLedger) -> UUID:
    for n in ledger.recorder.select_notifications(1, 1_000_000):
        if n.topic.endswith("Violation.Confirmed") and ledger.violation(n.originator_id).status == "confirmed":
            return n.originator_id
    raise AssertionError("the simulation left no confirmed violation")


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HALL_LEDGER_KEY_DIR=str(settings.key_dir))
    if settings.uses_postgres:
        assert settings.database_url
        env.update(HALL_LEDGER_DATABASE_URL=settings.database_url, HALL_LEDGER_POSTGRES_SCHEMA=settings.postgres_schema)
    else:
        env.pop("HALL_LEDGER_DATABASE_URL", None)
        env["HALL_LEDGER_SQLITE_PATH"] = str(settings.sqlite_path)
    return env


@pytest.mark.slow
def test_a_runner_killed_mid_stream_resumes_without_skipping_or_repeating_anything(
    ledger: HallLedger, clock: FakeClock, settings: Settings
) -> None:
    sim = bench()
    rng = random.Random(5)
    hall = sim.build_hall(ledger, clock, 1, rng)
    for day in working_days(date(2026, 9, 14), 8):
        sim.simulate_day(ledger, clock, hall, day, 1, rng)
    head = ledger.recorder.max_notification_id()
    store = ProjectionStore(ledger)
    command = [sys.executable, "-m", "tests.projections.crash_runner", "40"]
    process = subprocess.Popen(command, env=_env(settings), cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while store.tracked("assessment") < head // 3:
            assert process.poll() is None, "the runner died on its own"
            assert time.monotonic() < deadline, "the runner made no progress"
            time.sleep(0.02)
    finally:
        os.kill(process.pid, signal.SIGKILL)  # kill -9: no clean-up, mid-transaction if it is in one
        process.wait()
    reached = {name: store.tracked(name) for name in MODELS}
    assert min(reached.values()) < head, f"killed mid-stream: {reached} of {head}"

    subprocess.run([*command, "--once"], env=_env(settings), cwd=ROOT, check=True, timeout=300)
    assert {name: store.tracked(name) for name in MODELS} == dict.fromkeys(MODELS, head)
    resumed = snapshot(ledger)

    rebuild(ledger, models())
    assert differences(resumed, snapshot(ledger)) == {}, "nothing skipped, nothing applied twice"
