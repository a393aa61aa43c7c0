"""``with ledger.in_events_transaction(write)``: how the command gate writes a claimed
Idempotency-Key in the events' own transaction (service/api/gate.py, service/api/idempotency.py).
Inside the block, ``write(cursor, stored_events)`` runs just before this ledger inserts events,
and raising there refuses them; outside the block, and in other threads, it never runs."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import pytest

from service.app_base import Outcome
from service.application import HallLedger
from tests.givens import MANAGER, at, given_hall, positions


def register(ledger: HallLedger, code: str) -> Outcome:
    return ledger.register_department(
        MANAGER, code=code, name_zh="生态环境局", name_en="Ecology", uniformed=False, occurred_at=at(1, 6, year=2025)
    )


class Refused(Exception):
    pass


def test_the_hook_sees_the_events_being_recorded_and_only_inside_the_block(ledger: HallLedger) -> None:
    given_hall(ledger)
    seen: list[list[tuple[UUID, int]]] = []

    def write(cursor: Any, stored_events: Any) -> None:
        seen.append([(e.originator_id, e.originator_version) for e in stored_events])

    with ledger.in_events_transaction(write):
        inside = register(ledger, "eco")
    outside = register(ledger, "env")

    assert seen == [[(inside.id, inside.version)]]
    assert outside.positions and outside.id != inside.id


def test_raising_in_the_hook_refuses_the_events(ledger: HallLedger) -> None:
    given_hall(ledger)
    before = positions(ledger)

    def refuse(cursor: Any, stored_events: Any) -> None:
        raise Refused()

    with pytest.raises(Refused), ledger.in_events_transaction(refuse):
        register(ledger, "eco")

    assert positions(ledger) == before
    assert register(ledger, "eco").positions == [before + 1]  # nothing of the refused command stayed


def test_another_thread_records_without_the_hook(ledger: HallLedger) -> None:
    given_hall(ledger)
    seen: list[int] = []
    recorded: list[Outcome] = []

    with ledger.in_events_transaction(lambda cursor, stored_events: seen.append(len(stored_events))):
        other = threading.Thread(target=lambda: recorded.append(register(ledger, "eco")))
        other.start()
        other.join()

    assert recorded and recorded[0].positions
    assert seen == []
