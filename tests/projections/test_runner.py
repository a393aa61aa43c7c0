"""The runner: exactly once, one writer at a time, rebuild into fresh tables and switch."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest

from domain.staff import StaffMember
from domain.violation import Violation
from projections.base import ReadModel, Table, Tx
from projections.envelope import event_type
from projections.runner import ProjectionRunner, ProjectionStore, rebuild
from service.application import HallLedger
from tests.givens import INSPECTOR, given_confirmed_violation, given_hall, given_staff


class EventCounts(ReadModel):
    """Counts events per type: simple enough that any double or missed apply shows."""

    name = "test_event_counts"
    tables = (Table("test_event_counts", "type {text} PRIMARY KEY, n {int} NOT NULL, last {int} NOT NULL"),)

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        counts = Counter(event_type(e) for _, e in events)
        last = {event_type(e): p for p, e in events}
        for kind, n in counts.items():
            tx.execute(
                "INSERT INTO {t:test_event_counts} (type, n, last) VALUES (?, ?, ?) "
                "ON CONFLICT (type) DO UPDATE SET n = {t:test_event_counts}.n + excluded.n, last = excluded.last",
                (kind, n, last[kind]),
            )


class ViolationsOnly(EventCounts):
    name = "test_violation_counts"
    topics = (Violation.Recorded, Violation.Confirmed)
    tables = (Table("test_violation_counts", "type {text} PRIMARY KEY, n {int} NOT NULL, last {int} NOT NULL"),)

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        for p, e in events:
            tx.execute(
                "INSERT INTO {t:test_violation_counts} (type, n, last) VALUES (?, 1, ?) "
                "ON CONFLICT (type) DO UPDATE SET n = {t:test_violation_counts}.n + 1, last = excluded.last",
                (event_type(e), p),
            )


def rows(store: ProjectionStore, table: str) -> list[tuple[Any, ...]]:
    with store.transaction() as tx:
        return sorted(tx.query(f"SELECT * FROM {{t:{table}}}"))


def log_counts(ledger: HallLedger) -> list[tuple[str, int]]:
    counts = Counter(n.topic.partition(":")[2] for n in ledger.recorder.select_notifications(1, 100_000))
    return sorted(counts.items())


def test_every_event_is_applied_exactly_once_while_events_arrive(ledger: HallLedger) -> None:
    runner = ProjectionRunner(ledger, [EventCounts(), ViolationsOnly()], batch_size=7)
    runner.prepare()
    hall = given_hall(ledger)
    runner.step()  # part of the log
    staff = given_staff(ledger, hall)
    runner.catch_up()
    runner.catch_up()  # nothing new: nothing applied twice
    given_confirmed_violation(ledger, staff)
    ledger.record_violation(INSPECTOR, rule="ART6.1", staff_id=staff, evidence="snacks at the counter")
    head = runner.catch_up()
    assert head == ledger.recorder.max_notification_id()
    assert [(t, n) for t, n, _ in rows(runner.store, "test_event_counts")] == log_counts(ledger)
    assert [(t, n) for t, n, _ in rows(runner.store, "test_violation_counts")] == [
        ("Violation.Confirmed", 1),
        ("Violation.Recorded", 2),
    ]
    # a model following few topics still reaches the head: no phantom lag
    assert runner.store.tracked("test_violation_counts") == head


def test_a_failed_batch_leaves_no_trace_and_is_retried(ledger: HallLedger) -> None:
    class Flaky(EventCounts):
        fail = True

        def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
            super().apply(tx, events)
            if self.fail and any(isinstance(e, StaffMember.Posted) for _, e in events):
                raise RuntimeError("the disk is full")

    model = Flaky()
    runner = ProjectionRunner(ledger, [model])
    runner.prepare()
    hall = given_hall(ledger)
    runner.catch_up()
    before = runner.store.tracked(model.name)
    given_staff(ledger, hall)
    with pytest.raises(RuntimeError):
        runner.step()
    assert runner.store.tracked(model.name) == before, "rows and position roll back together"
    assert "StaffMember.Onboarded" not in [t for t, _, _ in rows(runner.store, "test_event_counts")]
    model.fail = False
    runner.catch_up()
    assert [(t, n) for t, n, _ in rows(runner.store, "test_event_counts")] == log_counts(ledger)


def test_a_second_runner_waits_for_the_first(ledger: HallLedger) -> None:
    store = ProjectionStore(ledger)
    with store.lock(["test_event_counts"]) as first:
        assert first
        with store.lock(["test_event_counts"], wait=False) as second:
            assert not second, "the second runner must not write while the first holds the lock"
    with store.lock(["test_event_counts"], wait=False) as after_first_died:
        assert after_first_died


def test_rebuild_equals_the_incremental_model_row_for_row(ledger: HallLedger) -> None:
    runner = ProjectionRunner(ledger, [EventCounts()], batch_size=3)
    runner.prepare()
    hall = given_hall(ledger)
    runner.step()
    staff = given_staff(ledger, hall)
    given_confirmed_violation(ledger, staff)
    runner.catch_up()
    incremental = rows(runner.store, "test_event_counts")
    report = rebuild(ledger, [EventCounts()], batch_size=4)
    assert report.switched_by == "rebuild" and report.position == ledger.recorder.max_notification_id()
    assert rows(runner.store, "test_event_counts") == incremental


def test_a_live_runner_switches_in_a_rebuild_and_keeps_following(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    live = ProjectionRunner(ledger, [EventCounts()], poll_interval=0.05)
    stop = threading.Event()
    ready = threading.Event()
    thread = threading.Thread(target=live.run, args=(stop,), kwargs={"on_ready": ready.set})
    thread.start()
    try:
        assert ready.wait(10)
        report = rebuild(ledger, [EventCounts()], switch_timeout=30)
        assert report.switched_by == "runner", "the live runner holds the lock, so it does the switch"
        given_confirmed_violation(ledger, staff)
        head = ledger.recorder.max_notification_id()
        for _ in range(200):
            if live.positions()["test_event_counts"] >= head:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert [(t, n) for t, n, _ in rows(live.store, "test_event_counts")] == log_counts(ledger)


def test_a_new_version_of_a_model_starts_over(ledger: HallLedger) -> None:
    runner = ProjectionRunner(ledger, [EventCounts()])
    runner.prepare()
    given_hall(ledger)
    runner.catch_up()

    class EventCountsV2(EventCounts):
        version = 2

    upgraded = ProjectionRunner(ledger, [EventCountsV2()])
    upgraded.prepare()
    assert upgraded.positions() == {"test_event_counts": 0}
    upgraded.catch_up()
    assert [(t, n) for t, n, _ in rows(upgraded.store, "test_event_counts")] == log_counts(ledger)


class SecondNoticeOfEveryViolation(ReadModel):
    """A follower that decides: it records a detected candidate for each recorded violation."""

    name = "test_echo_detector"
    topics = (Violation.Recorded,)
    tables = (Table("test_echo_detector", "violation {text} PRIMARY KEY"),)

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        from uuid import uuid5

        from domain.envelope import SYSTEM_DETECTOR, CommandContext
        from domain.rules import resolve

        new = []
        for position, recorded in events:
            rule, ref = resolve(recorded.rule)
            ctx = CommandContext.make(
                actor=SYSTEM_DETECTOR,
                occurred_at=recorded.occurred_at,
                recorded_at=recorded.timestamp,
                hall_id=recorded.hall_id,
            )
            candidate = Violation.detect(
                ctx,
                id=uuid5(recorded.originator_id, "echo"),
                rule=rule,
                ref=ref,
                item=None,
                staff_id=recorded.staff_id,
                department_id=None,
                window_id=recorded.window_id,
                evidence="echo of a recorded violation",
                causation=[position],
                detector="test",
                detection_policy="test@1",
            )
            new.extend(candidate.collect_events())
            tx.execute("INSERT INTO {t:test_echo_detector} (violation) VALUES (?)", (str(recorded.originator_id),))
        tx.emit(new)


def test_a_deciding_follower_appends_events_exactly_once_even_when_rebuilt(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.record_violation(INSPECTOR, rule="ART6.1", staff_id=staff, evidence="dozing")
    runner = ProjectionRunner(ledger, [SecondNoticeOfEveryViolation()])
    runner.prepare()
    runner.catch_up()
    ledger.record_violation(INSPECTOR, rule="ART4.1", staff_id=staff, evidence="desk")
    runner.catch_up()
    detected = [n for n in ledger.recorder.select_notifications(1, 1000) if n.topic.endswith("Violation.Detected")]
    assert len(detected) == 2
    rebuild(ledger, [SecondNoticeOfEveryViolation()])
    again = [n for n in ledger.recorder.select_notifications(1, 1000) if n.topic.endswith("Violation.Detected")]
    assert [n.id for n in again] == [n.id for n in detected], "a rebuild finds the same candidates, records none twice"
