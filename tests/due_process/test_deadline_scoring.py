"""Deadlines score per working day (ART2.3, ART7.2; DOMAIN.md "Assessment, default scheme").

*Given* applications due Wednesday 30 September 2026, the eve of the National Day holiday
(1–7 October off, Saturday 10 October an adjusted working day), *when* they are finished
1, 3 and 7 working days late and the lateness is confirmed, *then* they cost −2, −6 and −10
(the cap) — working days on the hall calendar, not calendar days and not Monday–Friday.

*Given* a case still open past its deadline while the hall closes each day, *then* the
e-supervision cards (yellow when overdue, red three working days later) are items of the
window's score, and the KPI colour of the open application is the detector's signal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.supervision import CaseSupervision
from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    SECOND_INSPECTOR,
    WINDOW_LEAD,
    at,
    given_case,
    given_hall,
    given_staff,
    given_working_day,
    run_detector,
)
from tests.projections.support import one, project, rows


def _candidates(appended: list[tuple[int, Any]]) -> list[Violation.Detected]:
    return [e for _, e in appended if isinstance(e, Violation.Detected)]


def _deductions(ledger: HallLedger, staff: object, period: str = "2026-10") -> list[tuple[str, float]]:
    lines = rows(ledger, "assessment_lines", "WHERE staff_id = ? AND period = ?", (str(staff), period))
    return [(line["item"], line["points"]) for line in lines if line["kind"] == "deduction"]


@pytest.mark.rules("ART2.3", "ART11.1")
def test_a_lateness_costs_two_points_per_working_day_late_on_the_hall_calendar_capped_at_ten(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(9, 28, 9))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    cases = []
    for n in range(3):
        case = given_case(ledger, hall, wang, applicant_ref=f"applicant-{n}", when=at(9, 28, 9, n))
        ledger.accept_application(WINDOW_LEAD, case_id=case, committed_deadline=date(2026, 9, 30))
        cases.append(case)
    # 8 Oct: 1 working day late (1–7 Oct are the holiday) · 10 Oct (Sat, 调休): 3 · 15 Oct: 7
    for case, finished in zip(cases, (at(10, 8, 10), at(10, 10, 10), at(10, 15, 10)), strict=True):
        clock.set(finished)
        ledger.complete_case(WINDOW_LEAD, case_id=case, result="准予登记", occurred_at=finished)
    clock.set(at(10, 16, 9))
    found = _candidates(run_detector(ledger))
    assert [(c.rule, c.item) for c in found] == [("ART2.3@2026.1", "overdue")] * 3
    for candidate in found:
        ledger.confirm_violation(SECOND_INSPECTOR, violation_id=candidate.originator_id, note="超期属实")
    project(ledger, "assessment", "staff_records")

    assert sorted(_deductions(ledger, wang)) == [("overdue", -10.0), ("overdue", -6.0), ("overdue", -2.0)], (
        "2 points per working day late (1, 3, 7 working days), at most 10 per case"
    )
    row = one(ledger, "assessment_monthly", "WHERE staff_id = ? AND period = ?", (str(wang), "2026-10"))
    assert row["total"] == 100 - 2 - 6 - 10
    record = one(ledger, "staff_records", "WHERE staff_id = ?", (str(wang),))
    assert (record["month"], record["month_score"]) == ("2026-10", 82), "the staff record scores the same way"


def _open_case_history(ledger: HallLedger, clock: FakeClock) -> tuple[Any, Any, list[tuple[int, str, str]]]:
    """A case accepted Mon 12 Oct with three working days (due Thu 15 Oct), still open while the
    hall closes 12–21 Oct; after each close the detector runs and the KPIs are projected.
    Returns the hall, the person and per day (day, the detector's newest signal, the KPI state)."""
    clock.set(at(10, 12, 9))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case = given_case(ledger, hall, wang, when=at(10, 12, 9))
    ledger.accept_application(WINDOW_LEAD, case_id=case, committed_working_days=3, occurred_at=at(10, 12, 9))
    newest = "none"
    seen: list[tuple[int, str, str]] = []
    for day in (12, 13, 14, 15, 16, 19, 20, 21):
        clock.set(at(10, day, 17, 45))
        given_working_day(ledger, date(2026, 10, day), present=(wang,))
        for _, event in run_detector(ledger):
            if isinstance(event, CaseSupervision.YellowLight | CaseSupervision.YellowCard | CaseSupervision.RedCard):
                newest = type(event).__name__
        project(ledger, "kpis")
        [item] = rows(ledger, "kpi_open_items", "WHERE item_id = ?", (f"application:{case}",))
        seen.append((day, newest, item["state"]))
    return hall, wang, seen


@pytest.mark.rules("ART2.3", "ART7.2")
def test_the_kpi_colour_of_an_open_application_is_the_detectors_signal(ledger: HallLedger, clock: FakeClock) -> None:
    _, _, seen = _open_case_history(ledger, clock)
    colour = {"none": "green", "YellowLight": "yellow", "YellowCard": "yellow_card", "RedCard": "red"}
    assert [(day, colour[signal]) for day, signal, _ in seen] == [(day, state) for day, _, state in seen]
    assert [state for _, _, state in seen] == [
        "green", "yellow", "yellow", "yellow", "yellow_card", "yellow_card", "yellow_card", "red",
    ]  # fmt: skip


@pytest.mark.rules("ART7.2", "ART11.1")
def test_an_open_overdue_case_counts_to_the_newest_close_and_its_cards_are_window_items(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall, wang, _ = _open_case_history(ledger, clock)
    [candidate] = [e for _, e in ledger_events(ledger) if isinstance(e, Violation.Detected)]
    cards = [
        (p, type(e).__name__)
        for p, e in ledger_events(ledger)
        if isinstance(e, CaseSupervision.YellowCard | CaseSupervision.RedCard)
    ]
    assert [kind for _, kind in cards] == ["YellowCard", "RedCard"]
    clock.set(at(10, 22, 9))
    ledger.confirm_violation(SECOND_INSPECTOR, violation_id=candidate.originator_id, note="超期属实")
    project(ledger, "assessment")

    # still open at the close of Wed 21 Oct: 4 working days late (16, 19, 20, 21 Oct)
    assert _deductions(ledger, wang) == [("overdue", -8.0)]
    window = one(ledger, "assessment_windows", "WHERE window_id = ? AND period = ?", (str(hall.tax_window), "2026-10"))
    # window items: 100 − ART7.2 (1, catalogue) − yellow card (1) − red card (2), scoring policy [overdue]
    assert window["items"] == 96
    assert {p for p, _ in cards} <= set(window["item_positions"])

    clock.set(at(10, 23, 10))
    ledger.complete_case(WINDOW_LEAD, case_id=candidate_case(ledger), result="准予登记", occurred_at=at(10, 23, 10))
    project(ledger, "assessment")
    assert _deductions(ledger, wang) == [("overdue", -10.0)], "finished 6 working days late: the cap"


def ledger_events(ledger: HallLedger) -> list[tuple[int, Any]]:
    return [(n.id, ledger.mapper.to_domain_event(n)) for n in ledger.recorder.select_notifications(1, 100_000)]


def candidate_case(ledger: HallLedger) -> Any:
    [started] = [e for _, e in ledger_events(ledger) if isinstance(e, CaseSupervision.Started)]
    return started.case_id


@pytest.mark.rules("ART7.2", "ART11.1")
def test_cards_of_a_case_whose_lateness_is_dismissed_no_longer_cost_the_window(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """A data-entry error (S23): the inspector dismisses the candidate; the cards stay in the
    ledger but the window's items no longer count them."""
    hall, _, _ = _open_case_history(ledger, clock)
    [candidate] = [e for _, e in ledger_events(ledger) if isinstance(e, Violation.Detected)]
    project(ledger, "assessment")
    window = one(ledger, "assessment_windows", "WHERE window_id = ? AND period = ?", (str(hall.tax_window), "2026-10"))
    assert window["items"] == 97, "pending candidate: the cards count (1 + 2), the violation not yet"
    clock.set(at(10, 22, 9))
    ledger.dismiss_violation(SECOND_INSPECTOR, violation_id=candidate.originator_id, reason="录入延迟,实际已按期办结")
    project(ledger, "assessment")
    window = one(ledger, "assessment_windows", "WHERE window_id = ? AND period = ?", (str(hall.tax_window), "2026-10"))
    assert window["items"] == 100
