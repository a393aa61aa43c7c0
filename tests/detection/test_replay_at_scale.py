"""Detection is a pure function of the log, however the log is read: the simulated hall.

A few weeks of the simulated hall (the demo hall, with breaches made frequent enough that
every family of detection fires) give a log of thousands of events. The detector then reads
it three ways —

- followed day by day as the simulator runs (the live runner, batches of 2,000),
- replayed from position 0 in bulk (``rebuild``: state in memory, rows written once),
- started over from position 0 and followed in small batches, restarted from its own tables
  every few batches —

and every way decides the same candidates and e-supervision signals, with the same ids,
causation, evidence and order, and leaves the same state tables. A log nobody detected on
yet gets its candidates from a bulk replay exactly as from the small restarted batches.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from projections.base import ReadModel
from projections.detection import Detector
from projections.envelope import envelope
from projections.runner import ProjectionRunner
from service.application import HallLedger, open_ledger
from service.eventlog import iter_events
from service.settings import Settings
from service.simulation import HallProfile, HallSimulator, demo_profile
from tests.givens import detector_rows, positions, rebuild_detector
from tests.simulation.conftest import sim_clock

START = date(2026, 9, 21)
DAYS = 25
TABLES = [t.name for t in Detector.tables]
DETECTOR_EVENTS = ("Violation.Detected", "CaseSupervision.")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def breach_prone() -> HallProfile:
    """The demo hall, where people are late, absent and slow often enough to see every detection."""
    profile = demo_profile()
    rates = replace(
        profile.rates, late=0.1, early_leave=0.05, missed_punch=0.05, unexcused_absence=0.03, overdue=0.1,
        late_entry=0.1, disclosure_requests=1.0, disclosure_late=0.3, second_notice=0.3, second_notice_new=0.8,
        virus_check_skipped=0.2, left_post_per_month=10.0, handling_limits=0.2, leave=0.1, swaps_per_month=8.0,
    )  # fmt: skip
    return replace(profile, rates=rates)


class StartedOver(Detector):
    """The detector with its tables emptied and its position back at 0 (a new version starts over)."""

    version = Detector.version + 1


def follow_from_zero(ledger: HallLedger, *, batch_size: int, restart_every: int) -> None:
    """*When* the detector starts over and follows the log ``batch_size`` events at a time, a fresh
    instance (state from its tables) every ``restart_every`` batches, until it reaches the head."""
    steps = 0
    while True:
        runner = ProjectionRunner(ledger, [StartedOver()], batch_size=batch_size)
        runner.prepare()
        for _ in range(restart_every):
            if not runner.step():
                return
            steps += 1
        assert steps < 100_000


def detector_events(ledger: HallLedger) -> list[dict[str, Any]]:
    """Every candidate and e-supervision signal in the log, as its envelope (position included)."""
    return [
        envelope(event, position)
        for position, event in iter_events(ledger)
        if type(event).__qualname__.startswith(DETECTOR_EVENTS)
    ]


def tables(ledger: HallLedger) -> dict[str, list[tuple[Any, ...]]]:
    return {table: detector_rows(ledger, table) for table in TABLES}


@pytest.mark.rules("ART2.2", "ART2.3", "ART2.4.2", "ART6.5", "ART7.2", "ART9.1", "ART9.4")
def test_weeks_of_the_simulated_hall_replayed_in_bulk_or_in_small_restarted_batches_decide_the_same(
    settings: Settings,
) -> None:
    ledger = open_ledger(settings, clock=sim_clock())
    try:
        report = HallSimulator(ledger, breach_prone(), seed=3, start=START).run(DAYS)
        assert report.refusals == []
        head, followed, events = positions(ledger), tables(ledger), detector_events(ledger)
        rules = Counter(row[1].partition("@")[0] for row in followed["detection_candidates"])
        assert len(rules) >= 6 and len(followed["detection_signals"]) > 10, rules
        assert len(events) == len(followed["detection_candidates"]) + len(followed["detection_signals"]) + len(
            {row[0] for row in followed["detection_signals"]}
        )  # a candidate each, a signal each, and each case's supervision stream started once

        assert rebuild_detector(ledger) == [], "a bulk replay finds every candidate already recorded"
        assert tables(ledger) == followed

        follow_from_zero(ledger, batch_size=53, restart_every=3)
        assert positions(ledger) == head, "small restarted batches find every candidate already recorded"
        assert detector_events(ledger) == events
        assert tables(ledger) == followed
    finally:
        ledger.close()


# ── a log nobody detected on yet ──────────────────────────────────────────────


def canonical(log: list[dict[str, Any]], rows: dict[str, list[tuple[Any, ...]]]) -> tuple[Any, ...]:
    """The log and the tables with random ids numbered by first appearance (two simulations with
    the same seed differ in nothing else)."""
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<id{len(names)}>")

    def clean(value: Any, rename: Any = name) -> Any:
        if isinstance(value, dict):
            if set(value) == {"subject", "commitment"}:  # sealed personal data: random nonces
                return {"subject": clean(value["subject"], rename)}
            return {k: clean(v, rename) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v, rename) for v in value]
        if isinstance(value, str):
            return UUID_TEXT.sub(rename, value)
        return value

    cleaned_log = clean(log)
    logged = dict(names)  # the tables' rows come in the order of their (random) keys: number nothing new

    def known(match: re.Match[str]) -> str:
        return logged.get(match.group(0), "<not in the log>")

    return cleaned_log, {table: sorted(repr(clean(row, known)) for row in r) for table, r in rows.items()}


def undetected_log(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> HallLedger:
    """*Given* weeks of the simulated hall recorded while no detector followed the log."""
    from projections import registry
    from service.simulation import engine

    def without_detector() -> list[ReadModel]:
        return [m for m in registry.all_models() if m.name != Detector.name]

    with monkeypatch.context() as patched:
        patched.setattr(engine, "all_models", without_detector)
        ledger = open_ledger(settings, clock=sim_clock())
        report = HallSimulator(ledger, breach_prone(), seed=5, start=START).run(DAYS)
    assert report.refusals == []
    assert not detector_events(ledger)
    return ledger


def test_a_bulk_replay_records_the_missing_candidates_exactly_as_small_restarted_batches_do(
    settings_for: Callable[[str], Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledgers = [undetected_log(settings_for(run), monkeypatch) for run in ("bulk", "batches")]
    bulk, batches = ledgers
    try:
        head = positions(bulk)
        assert positions(batches) == head
        appended = rebuild_detector(bulk)
        follow_from_zero(batches, batch_size=41, restart_every=4)
        kinds = Counter(type(e).__qualname__ for _, e in appended)
        assert kinds["Violation.Detected"] > 20 and kinds["CaseSupervision.Started"] > 5, kinds
        assert positions(batches) == positions(bulk) == head + len(appended)
        bulk_log = [envelope(e, p) for p, e in iter_events(bulk)]
        batches_log = [envelope(e, p) for p, e in iter_events(batches)]
        assert canonical(bulk_log, tables(bulk)) == canonical(batches_log, tables(batches))
        assert rebuild_detector(bulk) == [] and rebuild_detector(batches) == []
    finally:
        bulk.close()
        batches.close()
