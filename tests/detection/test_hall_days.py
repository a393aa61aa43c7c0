"""The hall's business day (营业日): the log's own clock for automatic detection.

*Given* a hall, *when* its system opens 8 October in the morning and closes it at the end of
business (日终), *then* the ledger holds both facts on the day's own stream — once each.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.envelope import Actor
from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.hall_day import HallDay
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import CLERK, MANAGER, at, events_of, given_hall, positions

HALL_SYSTEM = Actor("hall-scheduler", "system")


def test_a_day_is_opened_and_closed_once_by_the_halls_system_or_a_manager(ledger: HallLedger, clock: FakeClock) -> None:
    given_hall(ledger)
    clock.set(at(10, 8, 17, 40))
    opened = ledger.open_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 8, 8, 0))
    closed = ledger.close_hall_day(MANAGER, day=date(2026, 10, 8), occurred_at=at(10, 8, 17, 30))
    assert opened.id == closed.id == ledger.hall_day_id(date(2026, 10, 8))
    events = events_of(ledger, opened.id)
    assert [type(e) for e in events] == [HallDay.Opened, HallDay.Closed]
    assert [e.day for e in events] == [date(2026, 10, 8)] * 2  # type: ignore[attr-defined]
    assert events[1].occurred_at == at(10, 8, 17, 30)  # type: ignore[attr-defined]
    before = positions(ledger)
    with pytest.raises(AlreadyExists):
        ledger.open_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 8, 8, 0))
    with pytest.raises(InvariantViolated, match="already closed"):
        ledger.close_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 8, 17, 35))
    assert positions(ledger) == before


def test_refusals_name_what_is_wrong(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(at(10, 9, 18, 0))
    with pytest.raises(NotFound, match="hall"):
        ledger.open_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 8, 8, 0))
    given_hall(ledger)
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.open_hall_day(CLERK, day=date(2026, 10, 8), occurred_at=at(10, 8, 8, 0))
    with pytest.raises(InvalidInput, match="opened on that day"):
        ledger.open_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 9, 8, 0))
    with pytest.raises(InvariantViolated, match="not opened"):
        ledger.close_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 8, 17, 30))
    ledger.open_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 8, 8, 0))
    with pytest.raises(InvalidInput, match="cannot close before"):
        ledger.close_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 8, 7, 0))
    assert positions(ledger) == before + 1
    # a day may be closed late (the scheduler was down): the close is still that day's
    ledger.close_hall_day(HALL_SYSTEM, day=date(2026, 10, 8), occurred_at=at(10, 9, 7, 55))
    assert ledger.hall_day(date(2026, 10, 8)).closed
