"""Periods that protect a person run from record time (issue 10, point 1).

*Given* a violation that happened in August but was recorded and confirmed only on Thursday
8 October, *when* 王芳 appeals, *then* she has the full five working days from the day the
record became visible to her — 9, 10 (adjusted working Saturday), 12, 13 and 14 October — not a
period that ended in August. The same holds for a back-dated admonishment. Nor can she escape
the period by back-dating her own filing: an appeal counts as filed when the ledger records it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.envelope import Actor
from domain.errors import InvariantViolated
from domain.periods import appeal_deadline, appeal_decision_due, protective_period_start
from service.api import create_app
from service.application import HallLedger
from service.settings import Settings
from tests.api.conftest import TestClient, Tokens, api_settings, make_tokens, problem
from tests.conftest import FakeClock
from tests.givens import MANAGER, at, given_confirmed_violation, given_hall, given_staff, positions

WANG = Actor("wang-fang", "staff")
#: the recording clock of every test starts here (tests.conftest): Thursday 8 October 2026, 09:00
RECORDED = at(10, 8, 9)
#: the fifth working day after 8 October (9, 10 调休, 12, 13, 14)
LAST_DAY = date(2026, 10, 14)


@pytest.fixture
def http(settings: Settings, ledger: HallLedger) -> Iterator[tuple[TestClient, Callable[[], Tokens]]]:
    """The HTTP API on the test's ledger; tokens are made once the people they name exist."""
    app = create_app(api_settings(settings), ledger)
    with TestClient(app) as client:
        yield client, lambda: make_tokens(app)


def back_dated_violation(ledger: HallLedger) -> tuple[UUID, UUID]:
    """王芳's ART2.1 breach of 20 August, recorded and confirmed (四眼) on 8 October."""
    staff = given_staff(ledger, given_hall(ledger))
    violation = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(8, 20, 10))
    return staff, violation


def test_the_period_counts_from_the_recording_as_a_hall_date() -> None:
    # 8 Oct 17:30 in UTC is already 9 Oct in the hall (Asia/Shanghai): the period counts from the 9th
    late_evening_utc = datetime(2026, 10, 8, 17, 30, tzinfo=UTC)
    assert protective_period_start(late_evening_utc) == date(2026, 10, 9)
    assert appeal_deadline(RECORDED) == LAST_DAY
    assert appeal_decision_due(at(10, 14, 9)) == date(2026, 10, 28)


@pytest.mark.rules("ART2.1.3", "ART2.1")
def test_a_back_dated_confirmed_violation_is_appealable_for_the_full_period(
    ledger: HallLedger, clock: FakeClock
) -> None:
    staff, violation = back_dated_violation(ledger)
    # the last hour of the fifth working day after the confirmation was recorded
    clock.set(at(10, 14, 17))
    filed = ledger.file_appeal(
        WANG, appellant_id=staff, target_kind="violation", target_id=violation, grounds="the client was served"
    )
    appeal = ledger.appeal(filed.id)
    assert appeal.deadline == LAST_DAY
    assert appeal.decision_due == date(2026, 10, 28)  # ten working days after the filing was recorded


@pytest.mark.rules("ART2.1.3")
def test_a_back_dated_admonishment_is_appealable_for_the_full_period(ledger: HallLedger, clock: FakeClock) -> None:
    staff, violation = back_dated_violation(ledger)
    admonishment = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[violation], remedy="call the client back",
        remedy_due=date(2026, 10, 20), occurred_at=at(8, 21, 10),
    ).extra["admonishment_id"]  # fmt: skip
    clock.set(at(10, 13, 16))
    filed = ledger.file_appeal(
        WANG, appellant_id=staff, target_kind="admonishment", target_id=admonishment, grounds="disproportionate"
    )
    assert ledger.appeal(filed.id).deadline == LAST_DAY


@pytest.mark.rules("ART2.1.3")
def test_the_appeal_is_still_refused_after_the_period_from_record_time(ledger: HallLedger, clock: FakeClock) -> None:
    staff, violation = back_dated_violation(ledger)
    clock.set(at(10, 15, 9))  # the sixth working day after the recording
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as late:
        ledger.file_appeal(WANG, appellant_id=staff, target_kind="violation", target_id=violation, grounds="x")
    assert late.value.code == "appeal-period-ended" and late.value.field == "target.id"
    assert "2026-10-14" in str(late.value) and "2026-10-08" in str(late.value)
    # back-dating the filing into the period does not help: it counts when the ledger records it
    with pytest.raises(InvariantViolated) as back_dated:
        ledger.file_appeal(
            WANG, appellant_id=staff, target_kind="violation", target_id=violation, grounds="x",
            occurred_at=at(10, 12, 9),
        )  # fmt: skip
    assert back_dated.value.code == "appeal-period-ended"
    assert positions(ledger) == before


def _post(client: TestClient, tokens: Tokens, who: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", json=body, headers=tokens.headers(who))


@pytest.mark.rules("ART2.1.3", "ART2.1")
def test_over_http_a_back_dated_violation_is_appealable_and_a_late_appeal_is_a_problem(
    http: tuple[TestClient, Callable[[], Tokens]], ledger: HallLedger, clock: FakeClock
) -> None:
    client, make = http
    staff, violation = back_dated_violation(ledger)
    tokens = make()
    other = given_confirmed_violation(ledger, staff, rule="ART3.1", when=at(8, 25, 10))
    clock.set(at(10, 12, 10))
    filed = _post(client, tokens, "staff", "/appeals",
                  {"target": {"kind": "violation", "id": str(violation)}, "grounds": "served"})  # fmt: skip
    assert filed.status_code == 201, filed.text
    view = client.get(f"/api/v1/appeals/{filed.json()['id']}", headers=tokens.headers("staff")).json()
    assert view["deadline"] == LAST_DAY.isoformat()
    clock.set(at(10, 15, 9))
    late = _post(client, tokens, "staff", "/appeals",
                 {"target": {"kind": "violation", "id": str(other)}, "grounds": "x"})  # fmt: skip
    body = problem(late, 409, "appeal-period-ended")
    assert body["field"] == "target.id"
