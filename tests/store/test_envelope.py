"""Every event says who recorded it, when it happened, when it was recorded, in which hall,
and — where a rule applies — which rule at which catalogue version."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.envelope import CHINA_STANDARD_TIME, Actor
from domain.errors import InvalidInput, NotPermitted
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import INSPECTOR, MANAGER, at, given_hall, given_staff, positions


def test_every_event_carries_the_envelope(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    ledger.record_violation(
        INSPECTOR, rule="ART6.1", staff_id=staff, evidence="phone at the window", occurred_at=at(10, 7, 15)
    )
    for notification in ledger.recorder.select_notifications(1, 100):
        event = ledger.mapper.to_domain_event(notification)
        assert isinstance(event.actor, Actor) and event.actor.id and event.actor.role
        assert event.occurred_at.tzinfo is not None
        assert event.timestamp == clock.now, "recorded time comes from the application's clock"
        assert event.hall_id == "beihai"
    last = ledger.mapper.to_domain_event(ledger.recorder.select_notifications(positions(ledger), 1)[0])
    assert last.rule == "ART6.1@2026.1"
    assert last.occurred_at == at(10, 7, 15), "valid time may lie before record time"


def test_occurred_at_must_carry_a_timezone(ledger: HallLedger) -> None:
    with pytest.raises(InvalidInput) as refused:
        ledger.establish_hall(MANAGER, name_zh="中心", name_en="Center", occurred_at=datetime(2026, 10, 8, 9, 0))
    assert refused.value.field == "occurred_at"
    assert positions(ledger) == 0


def test_occurred_at_may_not_lie_in_the_future_beyond_the_clock_skew(ledger: HallLedger, clock: FakeClock) -> None:
    ledger.establish_hall(MANAGER, name_zh="中心", name_en="Center", occurred_at=clock.now + timedelta(seconds=90))
    with pytest.raises(InvalidInput) as refused:
        ledger.register_department(
            MANAGER, code="tax", name_zh="税务局", name_en="Tax", occurred_at=clock.now + timedelta(minutes=10)
        )
    assert refused.value.field == "occurred_at"
    assert "lies in the future" in str(refused.value)
    assert positions(ledger) == 1


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        Actor("x", "janitor")
    assert refused.value.field == "role"


def test_a_role_that_may_not_act_is_refused_and_nothing_is_written(ledger: HallLedger) -> None:
    with pytest.raises(NotPermitted):
        ledger.establish_hall(Actor("wang", "staff"), name_zh="中心", name_en="Center")
    assert positions(ledger) == 0


def test_occurred_at_defaults_to_the_recording_clock(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(datetime(2026, 10, 9, 8, 30, tzinfo=CHINA_STANDARD_TIME))
    ledger.establish_hall(MANAGER, name_zh="中心", name_en="Center")
    event = ledger.mapper.to_domain_event(ledger.recorder.select_notifications(1, 1)[0])
    assert event.occurred_at == event.timestamp == clock.now
