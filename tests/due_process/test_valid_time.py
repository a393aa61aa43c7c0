"""Impossible valid times are refused, naming the field (issue 10, point 6).

*Given* 王芳 onboarded in March 2024 and posted to the tax window from June 2024, *when* an
inspector records a breach of hers dated 2001, or before she came to the hall, or at a window
while she had no posting, *then* the ledger refuses it and names ``occurred_at``; nothing is
written. A fact is judged by the catalogue version in force at its valid time, and no version
judged anything before the first one's start — the lookup refuses rather than silently
applying a later version.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from uuid import UUID

import pytest

from domain.envelope import CHINA_STANDARD_TIME
from domain.errors import InvalidInput
from domain.rules import BeforeCatalogue, catalogue_judging, catalogue_start
from service.api import create_app
from service.application import HallLedger
from service.settings import Settings
from tests.api.conftest import TestClient, api_settings, make_tokens, problem
from tests.givens import INSPECTOR, MANAGER, GivenHall, at, given_hall, given_staff, positions

ONBOARDED = date(2024, 3, 1)
POSTED = date(2024, 6, 3)


def given_wang(ledger: HallLedger) -> tuple[GivenHall, UUID]:
    """王芳, onboarded 1 March 2024 (no post yet), posted to the tax window on 3 June 2024."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted_on=ONBOARDED, posted=False)
    ledger.post_staff(
        MANAGER, staff_id=staff, window_id=hall.tax_window, start=POSTED,
        occurred_at=datetime.combine(POSTED, datetime.min.time(), CHINA_STANDARD_TIME),
    )  # fmt: skip
    return hall, staff


def refused(ledger: HallLedger, code: str, **command: object) -> InvalidInput:
    before = positions(ledger)
    with pytest.raises(InvalidInput) as error:
        ledger.record_violation(INSPECTOR, evidence="seen on the CCTV", **command)  # type: ignore[arg-type]
    assert error.value.code == code, error.value
    assert positions(ledger) == before, "nothing is written"
    return error.value


def test_the_rule_lookup_refuses_a_date_before_the_first_catalogue() -> None:
    start = catalogue_start()
    assert catalogue_judging(start).version == "2026.1"
    with pytest.raises(BeforeCatalogue) as error:
        catalogue_judging(date(2001, 1, 1))
    assert error.value.field == "occurred_at" and start.isoformat() in str(error.value)


@pytest.mark.rules("ART2.1")
def test_a_violation_dated_2001_is_refused_before_the_catalogue_start(ledger: HallLedger) -> None:
    _, staff = given_wang(ledger)
    in_2001 = datetime(2001, 1, 1, 9, 0, tzinfo=CHINA_STANDARD_TIME)
    error = refused(ledger, "before-catalogue", rule="ART2.1", staff_id=staff, occurred_at=in_2001)
    assert error.field == "occurred_at" and "2010-01-01" in str(error)


@pytest.mark.rules("ART3.1")
def test_a_violation_before_the_person_was_onboarded_is_refused(ledger: HallLedger) -> None:
    _, staff = given_wang(ledger)
    error = refused(ledger, "impossible-valid-time", rule="ART3.1", staff_id=staff, occurred_at=at(12, 1, year=2023))
    assert error.field == "occurred_at" and "2024-03-01" in str(error)
    # the day she was onboarded, before her posting, a breach of appearance (no window) is possible
    recorded = ledger.record_violation(
        INSPECTOR, rule="ART3.1", staff_id=staff, evidence="no badge", occurred_at=at(3, 4, year=2024)
    )
    assert ledger.violation(recorded.id).window_id is None


@pytest.mark.rules("ART7.1", "ART3.1")
def test_a_window_named_while_the_person_had_no_posting_is_refused(ledger: HallLedger) -> None:
    hall, staff = given_wang(ledger)
    before_posting = at(5, 10, year=2024)
    error = refused(
        ledger, "impossible-valid-time", rule="ART3.1", staff_id=staff, window_id=hall.tax_window,
        occurred_at=before_posting,
    )  # fmt: skip
    assert error.field == "occurred_at" and "no posting" in str(error)
    # a window duty (Article 7) places the person at a window even when none is named
    refused(ledger, "impossible-valid-time", rule="ART7.1", staff_id=staff, occurred_at=before_posting)
    # once posted, the same breach is recorded at the window she held then
    recorded = ledger.record_violation(
        INSPECTOR,
        rule="ART7.1",
        staff_id=staff,
        evidence="left the window unattended",
        occurred_at=at(6, 10, year=2024),
    )
    assert ledger.violation(recorded.id).window_id == hall.tax_window


@pytest.mark.rules("ART3.1")
def test_the_implied_window_is_the_one_held_at_the_valid_time(ledger: HallLedger) -> None:
    hall, staff = given_wang(ledger)
    ledger.move_staff(
        MANAGER, staff_id=staff, window_id=hall.tax_window_2, start=date(2026, 9, 1),
        occurred_at=at(9, 1, 8),
    )  # fmt: skip
    august = ledger.record_violation(
        INSPECTOR, rule="ART3.1", staff_id=staff, evidence="no badge", occurred_at=at(8, 20, 10)
    )
    october = ledger.record_violation(
        INSPECTOR, rule="ART3.1", staff_id=staff, evidence="no badge", occurred_at=at(10, 8, 8)
    )
    assert ledger.violation(august.id).window_id == hall.tax_window, "not today's window"
    assert ledger.violation(october.id).window_id == hall.tax_window_2


@pytest.mark.rules("ART3.1", "ART7.1")
def test_nothing_of_a_person_happens_at_a_window_after_the_posting_ended_or_after_they_left(
    ledger: HallLedger,
) -> None:
    hall = given_hall(ledger)
    zhao = given_staff(ledger, hall, staff_no="S020", name="赵强", employment="hall", posted_on=POSTED)
    ledger.end_posting(MANAGER, staff_id=zhao, end=date(2026, 6, 30), reason="early_end", occurred_at=at(6, 30, 17))
    ledger.record_staff_left(MANAGER, staff_id=zhao, on=date(2026, 7, 3), reason="retired", occurred_at=at(7, 3, 9))
    # on post until 30 June: placed at the window he held
    june = ledger.record_violation(
        INSPECTOR, rule="ART3.1", staff_id=zhao, evidence="no badge", occurred_at=at(6, 15, 10)
    )
    assert ledger.violation(june.id).window_id == hall.tax_window
    # between the end of the posting and leaving: in the hall, but at no window
    refused(ledger, "impossible-valid-time", rule="ART7.1", staff_id=zhao, occurred_at=at(7, 2, 10))
    # after he left the hall: nothing of his can happen there
    error = refused(ledger, "impossible-valid-time", rule="ART3.1", staff_id=zhao, occurred_at=at(8, 20, 10))
    assert error.field == "occurred_at" and "2026-07-03" in str(error)


@pytest.fixture
def client(settings: Settings, ledger: HallLedger) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings), ledger)) as test_client:
        yield test_client


@pytest.mark.rules("ART2.1")
def test_over_http_an_impossible_valid_time_is_a_problem_naming_the_field(
    client: TestClient, ledger: HallLedger
) -> None:
    _, staff = given_wang(ledger)
    tokens = make_tokens(client.app)  # type: ignore[arg-type]
    for when, code in ((datetime(2001, 1, 1, 9, tzinfo=CHINA_STANDARD_TIME), "before-catalogue"),
                       (at(12, 1, year=2023), "impossible-valid-time")):  # fmt: skip
        response = client.post(
            "/api/v1/violations",
            json={"rule": "ART2.1", "staff_id": str(staff), "evidence": "seen", "occurred_at": when.isoformat()},
            headers=tokens.headers("inspector"),
        )
        body = problem(response, 422, code)
        assert body["field"] == "occurred_at"
