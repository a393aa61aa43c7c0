"""ART2.3 办事时限承诺制 and ART7.2: committed deadlines, with the e-supervision signals of real halls.

*Given* a case accepted on Monday 12 October with three working days (due Thursday 15th),
*when* the hall closes each day with the case still open, *then* a yellow light at two
working days left, a yellow card and an ART7.2 candidate the first day after the deadline,
a red card three working days after the yellow card — and one lateness stays one candidate.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.supervision import CaseSupervision, supervision_id
from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    WINDOW_LEAD,
    at,
    detected,
    detector_rows,
    given_accepted_case,
    given_case,
    given_hall,
    given_staff,
    given_working_day,
    positions,
    rebuild_detector,
    run_detector,
)


def _days(*days: int) -> list[date]:
    return [date(2026, 10, d) for d in days]


def _signals(appended: list[tuple[int, Any]]) -> list[tuple[str, Any, Any]]:
    return [
        (type(e).__name__, getattr(e, "deadline", None), getattr(e, "day", None))
        for _, e in appended
        if isinstance(e, CaseSupervision.Event)
    ]


@pytest.mark.rules("ART2.3", "ART7.2")
def test_a_case_open_past_its_deadline_gets_a_light_a_yellow_card_a_candidate_and_a_red_card(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case = given_accepted_case(ledger, hall, wang, committed_working_days=3, when=at(10, 12, 9, 0))
    accepted = positions(ledger)
    closes = {day.day: given_working_day(ledger, day, present=(wang,)) for day in _days(12, 13, 14, 15, 16, 19, 20, 21)}
    ledger.complete_case(CLERK, case_id=case, result="准予登记", occurred_at=at(10, 22, 10, 0))
    given_working_day(ledger, date(2026, 10, 22), present=(wang,))
    appended = run_detector(ledger)
    assert [type(e).__name__ for _, e in appended] == ["Started", "YellowLight", "Detected", "YellowCard", "RedCard"]
    deadline = date(2026, 10, 15)
    assert _signals(appended) == [
        ("Started", None, None),
        ("YellowLight", deadline, date(2026, 10, 13)),
        ("YellowCard", deadline, date(2026, 10, 16)),
        ("RedCard", deadline, date(2026, 10, 21)),
    ]
    started, light, candidate, yellow, red = (e for _, e in appended)
    stream = supervision_id(case)
    assert {e.originator_id for e in (started, light, yellow, red)} == {stream}
    assert [e.originator_version for e in (started, light, yellow, red)] == [1, 2, 3, 4]
    assert (started.case_id, started.staff_id, started.window_id) == (case, wang, hall.tax_window)
    assert (light.working_days_left, light.rule, light.policy) == (2, "ART2.3@2026.1", "detection@2026.1")
    assert light.causation == [accepted, closes[13]]
    assert (yellow.working_days_overdue, yellow.rule, yellow.causation) == (1, "ART7.2@2026.1", [accepted, closes[16]])
    assert (red.yellow_card_day, red.working_days_since_yellow_card, red.working_days_overdue) == (
        date(2026, 10, 16), 3, 4,
    )  # fmt: skip
    assert isinstance(candidate, Violation.Detected)
    assert (candidate.rule, candidate.item, candidate.staff_id, candidate.window_id) == (
        "ART7.2@2026.1", "overdue", wang, hall.tax_window,
    )  # fmt: skip
    assert candidate.causation == [accepted, closes[16]]
    assert candidate.occurred_at == at(10, 16, 0, 0), "overdue from the first moment after the deadline day"
    supervision = ledger.repository.get(stream)
    assert supervision.red_card == {"deadline": deadline, "day": date(2026, 10, 21)}
    rows = detector_rows(ledger), detector_rows(ledger, "detection_signals")
    assert rebuild_detector(ledger) == []
    assert (detector_rows(ledger), detector_rows(ledger, "detection_signals")) == rows


@pytest.mark.rules("ART2.3")
def test_a_completion_after_the_deadline_is_a_candidate_when_recorded(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case = given_accepted_case(ledger, hall, wang, committed_working_days=1, when=at(10, 12, 9, 0))
    accepted = positions(ledger)
    completed = ledger.complete_case(CLERK, case_id=case, result="准予登记", occurred_at=at(10, 14, 10, 0))
    appended = run_detector(ledger)
    assert [type(e) for _, e in appended] == [Violation.Detected], "no day was closed: no signal"
    _, candidate = appended[0]
    assert (candidate.rule, candidate.item, candidate.staff_id) == ("ART2.3@2026.1", "overdue", wang)  # type: ignore[attr-defined]
    assert candidate.causation == [accepted, completed.positions[0]]  # type: ignore[attr-defined]
    assert candidate.occurred_at == at(10, 14, 10, 0)  # type: ignore[attr-defined]
    assert "2026-10-13" in candidate.evidence  # type: ignore[attr-defined]
    assert rebuild_detector(ledger) == []
    assert len(detected(ledger)) == 1


@pytest.mark.rules("ART2.3", "ART7.2")
def test_cases_finished_in_time_extended_or_suspended_are_not_candidates(ledger: HallLedger, clock: FakeClock) -> None:
    """An extension decided before the deadline moves it (and earns a new light); a suspended
    clock stands still; a matter finished on the spot has no deadline at all."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    extended = given_accepted_case(ledger, hall, wang, committed_working_days=2, when=at(10, 12, 9, 0))
    suspended = given_accepted_case(ledger, hall, wang, committed_working_days=1, when=at(10, 12, 9, 30))
    ledger.suspend_case(WINDOW_LEAD, case_id=suspended, reason="需现场核查", occurred_at=at(10, 12, 15, 0))
    spot = given_case(ledger, hall, wang, when=at(10, 12, 10, 0), applicant_ref="applicant-0002")
    ledger.complete_on_the_spot(CLERK, case_id=spot, result="当场办结", occurred_at=at(10, 12, 10, 5))
    given_working_day(ledger, date(2026, 10, 12), present=(wang,))
    ledger.extend_case_deadline(
        WINDOW_LEAD, case_id=extended, extra_working_days=3, reason="需征求部门意见",
        occurred_at=at(10, 13, 9, 0),
    )  # fmt: skip
    for day in _days(13, 14, 15, 16):
        given_working_day(ledger, day, present=(wang,))
    ledger.complete_case(CLERK, case_id=extended, result="准予登记", occurred_at=at(10, 19, 9, 30))
    given_working_day(ledger, date(2026, 10, 19), present=(wang,))
    appended = run_detector(ledger)
    assert not [e for _, e in appended if isinstance(e, Violation.Detected)]
    assert _signals(appended) == [
        ("Started", None, None),
        ("YellowLight", date(2026, 10, 14), date(2026, 10, 12)),
        ("YellowLight", date(2026, 10, 19), date(2026, 10, 15)),
    ]
    assert {e.case_id for _, e in appended} == {extended}  # type: ignore[attr-defined]
    assert rebuild_detector(ledger) == []


def test_only_the_system_writes_supervision_signals_at_the_versions_it_keeps() -> None:
    """Pure domain: the detector builds each signal at the stream's next version."""
    from uuid import uuid4

    from domain.envelope import SYSTEM_DETECTOR, CommandContext
    from domain.errors import InvalidInput, InvariantViolated, NotPermitted
    from tests.givens import INSPECTOR

    case_id = uuid4()
    fields: dict[str, Any] = {
        "case_id": case_id, "deadline": date(2026, 10, 15), "day": date(2026, 10, 13), "working_days_left": 2,
        "causation": [1, 2], "rule": "ART2.3@2026.1", "policy": "detection@2026.1",
    }  # fmt: skip
    ctx = CommandContext.make(actor=SYSTEM_DETECTOR, occurred_at=None, recorded_at=at(10, 13, 17, 30), hall_id="bh")
    light = CaseSupervision.signal(CaseSupervision.YellowLight, ctx, id=supervision_id(case_id), version=2, **fields)
    assert (light.originator_id, light.originator_version) == (supervision_id(case_id), 2)
    with pytest.raises(InvariantViolated):
        CaseSupervision.signal(CaseSupervision.YellowLight, ctx, id=supervision_id(case_id), version=1, **fields)
    with pytest.raises(InvalidInput):
        CaseSupervision.signal(CaseSupervision.YellowLight, ctx, id=uuid4(), version=2, **fields)
    as_inspector = CommandContext.make(actor=INSPECTOR, occurred_at=None, recorded_at=at(10, 13), hall_id="bh")
    with pytest.raises(NotPermitted):
        CaseSupervision.signal(
            CaseSupervision.YellowLight, as_inspector, id=supervision_id(case_id), version=2, **fields
        )


def test_the_assessment_finds_an_overdue_candidate_by_the_id_the_detector_records_it_under() -> None:
    """One place: ``domain.supervision.overdue_candidate_id`` is the id a deadline candidate gets."""
    from datetime import datetime

    from domain.envelope import CHINA_STANDARD_TIME
    from domain.supervision import overdue_candidate_id
    from projections.detection import deadlines

    case_id = "5f0c3a52-0000-4000-8000-000000000001"
    case = {"id": case_id, "handler": "h", "window": "w", "label": "X", "deadline_pos": 1}
    deadline, day = date(2026, 10, 15), date(2026, 10, 16)
    finished = datetime(2026, 10, 16, 10, tzinfo=CHINA_STANDARD_TIME)
    late = deadlines.completed_late(
        case, completed_on=day, deadline=deadline, at=finished, position=2, between=lambda a, b: (b - a).days,
        policy="detection@2026.1",
    )  # fmt: skip
    assert late is not None
    assert late.id == overdue_candidate_id("ART2.3", case_id, deadline)
    still_open = deadlines.open_past_deadline(case, deadline, day, (1, 2), "detection@2026.1", 1)
    assert still_open.id == overdue_candidate_id("ART7.2", case_id, deadline)
