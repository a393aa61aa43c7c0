"""KPIs and open alerts per window and for the hall: given events, then rows — both stores.

"Now" for the model is the newest record time it has folded (the log's own clock), so each
test moves the log on by recording something and projecting again.
"""

from __future__ import annotations

from datetime import date

import pytest

from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    INSPECTOR,
    MANAGER,
    WINDOW_LEAD,
    at,
    given_accepted_case,
    given_admonishment,
    given_confirmed_violation,
    given_disclosure_request,
    given_hall,
    given_staff,
    given_suspension,
)
from tests.projections.support import one, project, rows


def window(ledger: HallLedger, window_id: object) -> dict[str, object]:
    return one(ledger, "kpi_windows", "WHERE window_id = ?", (str(window_id),))


def items(ledger: HallLedger, kind: str) -> list[dict[str, object]]:
    return rows(ledger, "kpi_open_items", "WHERE kind = ?", (kind,))


def tick(ledger: HallLedger, clock: FakeClock, hall: object, when: object, n: int) -> None:
    """The log moves on: something is recorded at ``when``."""
    clock.set(when)  # type: ignore[arg-type]
    given_staff(ledger, hall, staff_no=f"T{n:03d}", name=f"临时{n}", posted=False)  # type: ignore[arg-type]


@pytest.mark.rules("ART2.3", "ART7.2")
def test_open_applications_go_green_yellow_light_yellow_card_red_card_as_their_deadline_nears_and_passes(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 12, 9))
    case = given_accepted_case(ledger, hall, staff, committed_working_days=5, when=at(10, 12, 9))  # due Mon 19 Oct
    suspended = given_accepted_case(ledger, hall, staff, committed_working_days=5, when=at(10, 12, 9))
    ledger.suspend_case(WINDOW_LEAD, case_id=suspended, reason="等待专家评审")
    project(ledger, "kpis")
    assert window(ledger, hall.tax_window)["open_green"] == 1
    assert window(ledger, hall.tax_window)["open_suspended"] == 1
    [item] = [i for i in items(ledger, "application") if i["item_id"] == f"application:{case}"]
    assert (item["state"], item["due_at"], item["staff_id"]) == ("green", "2026-10-19T16:00:00.000000Z", str(staff))

    tick(ledger, clock, hall, at(10, 16, 10), 1)  # two working days before the deadline: the yellow light
    project(ledger, "kpis")
    assert (window(ledger, hall.tax_window)["open_green"], window(ledger, hall.tax_window)["open_yellow"]) == (0, 1)

    tick(ledger, clock, hall, at(10, 20, 10), 2)  # overdue: the yellow card (黄牌)
    project(ledger, "kpis")
    assert (window(ledger, hall.tax_window)["open_yellow_card"], window(ledger, hall.tax_window)["open_red"]) == (1, 0)
    assert window(ledger, "*")["open_yellow_card"] == 1, "the hall row sums the windows"

    tick(ledger, clock, hall, at(10, 23, 10), 3)  # still open 3 working days after the yellow card: the red card
    project(ledger, "kpis")
    assert (window(ledger, hall.tax_window)["open_yellow_card"], window(ledger, hall.tax_window)["open_red"]) == (0, 1)
    assert window(ledger, "*")["open_red"] == 1

    clock.set(at(10, 23, 11))
    ledger.complete_case(CLERK, case_id=case, result="准予登记")
    project(ledger, "kpis")
    assert [i["item_id"] for i in items(ledger, "application")] == [f"application:{suspended}"]
    assert window(ledger, "*")["open_red"] == 0


@pytest.mark.rules("ART2.4.2")
def test_a_disclosure_request_past_its_deadline_is_overdue(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 12, 9))
    given_disclosure_request(ledger, staff, when=at(10, 12, 9))
    project(ledger, "kpis")
    assert window(ledger, "*")["disclosures_open"] == 1
    tick(ledger, clock, hall, at(12, 1, 10), 1)  # 20 working days have passed
    project(ledger, "kpis")
    assert (window(ledger, "*")["disclosures_open"], window(ledger, "*")["disclosures_overdue"]) == (0, 1)
    [item] = items(ledger, "disclosure")
    assert item["state"] == "overdue"


@pytest.mark.rules("ART9.4")
def test_a_shift_whose_person_is_on_leave_or_suspended_is_without_cover(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    on_leave = given_staff(ledger, hall)
    sanctioned = given_staff(ledger, hall, staff_no="S002", name="李娜")
    clock.set(at(10, 12, 9))
    ledger.assign_shift(MANAGER, day=date(2026, 10, 20), slot="lunch", staff_id=on_leave)
    ledger.assign_shift(MANAGER, day=date(2026, 10, 21), slot="lunch", staff_id=sanctioned)
    project(ledger, "kpis")
    assert items(ledger, "shift") == [], "both rostered people are on post"

    leave = ledger.request_leave(CLERK, staff_id=on_leave, leave_type="personal", starts=at(10, 20, 8),
                                 ends=at(10, 20, 18), reason="家中有事").id  # fmt: skip
    ledger.approve_leave(MANAGER, leave_id=leave)
    clock.set(at(10, 14, 10))
    first = given_confirmed_violation(ledger, sanctioned, when=at(10, 9))
    given_admonishment(ledger, sanctioned, [first], when=at(10, 12), remedy_due=date(2026, 10, 30))
    repeat = given_confirmed_violation(ledger, sanctioned, when=at(10, 13))
    given_suspension(ledger, sanctioned, [repeat], when=at(10, 14))
    project(ledger, "kpis")
    assert window(ledger, "*")["shifts_uncovered"] == 2
    states = sorted((i["staff_id"], i["state"]) for i in items(ledger, "shift"))
    assert states == sorted([(str(on_leave), "uncovered:on_leave"), (str(sanctioned), "uncovered:suspended")])


def test_candidates_awaiting_confirmation_and_escalations_due(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 10))
    ledger.record_violation(INSPECTOR, rule="ART3.1", item="no_badge", staff_id=staff, evidence="未佩戴胸牌")
    given_confirmed_violation(ledger, staff, when=at(10, 9, 9))
    project(ledger, "kpis")
    row = window(ledger, hall.tax_window)
    assert (row["candidates_pending"], row["escalations_due"], row["escalations_overdue"]) == (1, 1, 0)
    [due] = items(ledger, "escalation_admonishment")
    assert (due["state"], due["due_at"]) == ("due", "2026-10-23T01:00:00.000000Z")

    tick(ledger, clock, hall, at(10, 24, 10), 1)
    project(ledger, "kpis")
    row = window(ledger, hall.tax_window)
    assert (row["escalations_due"], row["escalations_overdue"]) == (1, 1), "no decision within 14 days: an alert"
