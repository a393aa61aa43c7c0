"""Information disclosure (ART2.4.1 proactive, ART2.4.2 on request), on both stores.

On request, national law (政府信息公开条例 2019, Art. 30, 33) sets the clock: answer within
20 working days of receipt (the day of receipt not counted), one extension of at most 20
working days, approved; one correction notice (补正), after which the period runs from the
receipt of the correction. Dates are real 2026 dates; see tests/processes/test_calendar.py
for the holidays.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from domain.calendar import PACKAGE_DIR, load_calendar
from domain.disclosure import ABANDONED, ANSWERED
from domain.errors import InvalidInput, InvariantViolated, NotFound, NotPermitted
from service.application import HallLedger
from tests.givens import (
    CLERK,
    WINDOW_LEAD,
    at,
    events_of,
    given_disclosure_request,
    given_hall,
    given_staff,
    positions,
    topics,
)


@pytest.mark.rules("ART2.4.2")
def test_a_request_received_before_the_spring_festival_is_due_on_its_20th_working_day(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    # received Tue 10 Feb 2026 (not counted): Feb 11, 12, 13 (1–3), Sat 14 worked (4),
    # Feb 15–23 off (春节), Feb 24–27 (5–8), Sat 28 worked (9), Mar 2–6 (10–14),
    # Mar 9–13 (15–19), Mon 16 Mar (20)
    request_id = given_disclosure_request(ledger, wang, when=at(2, 10, 15, 30))
    requested = events_of(ledger, request_id)[0]
    assert requested.received_on == date(2026, 2, 10)  # type: ignore[attr-defined]
    assert requested.statutory_working_days == 20  # type: ignore[attr-defined]
    assert requested.deadline == date(2026, 3, 16)  # type: ignore[attr-defined]
    assert requested.rule == "ART2.4.2@2026.1"  # type: ignore[attr-defined]
    assert requested.calendar == ledger.calendar.ref  # type: ignore[attr-defined]

    ledger.answer_disclosure_request(
        CLERK, request_id=request_id, outcome="disclosed", summary="提供收费目录电子版", occurred_at=at(3, 12, 10)
    )
    answered = events_of(ledger, request_id)[-1]
    assert (answered.answered_on, answered.deadline) == (date(2026, 3, 12), date(2026, 3, 16))  # type: ignore[attr-defined]
    assert ledger.disclosure_request(request_id).status == ANSWERED


@pytest.mark.rules("ART2.4.2")
def test_requests_around_mid_autumn_and_national_day(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    # received Fri 25 Sep 2026, itself a holiday (中秋 Sep 25–27): Mon 28 – Wed 30 (1–3),
    # Oct 1–7 off (国庆), Thu 8, Fri 9 (4, 5), Sat 10 worked (6), Oct 12–16 (7–11),
    # Oct 19–23 (12–16), Oct 26–29 (17–20) → Thu 29 Oct
    on_the_holiday = given_disclosure_request(ledger, wang, when=at(9, 25, 11), requester_ref="requester-0925")
    assert ledger.disclosure_request(on_the_holiday).deadline == date(2026, 10, 29)
    # received Fri 18 Sep: Sun 20 worked (1), Sep 21–24 (2–5), Sep 25–27 off, Sep 28–30 (6–8),
    # Oct 8, 9 (9, 10), Sat 10 worked (11), Oct 12–16 (12–16), Oct 19–22 (17–20) → Thu 22 Oct
    before_sunday_worked = given_disclosure_request(ledger, wang, when=at(9, 18, 16), requester_ref="requester-0918")
    assert ledger.disclosure_request(before_sunday_worked).deadline == date(2026, 10, 22)


@pytest.mark.rules("ART2.4.2")
def test_the_answer_period_is_extended_once_by_at_most_20_working_days_with_approval(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request_id = given_disclosure_request(ledger, wang, when=at(2, 10, 15, 30))
    before = positions(ledger)
    with pytest.raises(InvalidInput) as too_long:
        ledger.extend_disclosure(
            WINDOW_LEAD,
            request_id=request_id,
            extra_working_days=21,
            reason="需征求第三方意见",
        )
    assert too_long.value.field == "extra_working_days"
    # approved by the authenticated leader recording it, never by the clerk or a typed-in name (issue 10)
    with pytest.raises(NotPermitted) as unapproved:
        ledger.extend_disclosure(CLERK, request_id=request_id, extra_working_days=20, reason="需征求第三方意见")
    assert unapproved.value.field == "actor"
    with pytest.raises(NotPermitted) as named:
        ledger.extend_disclosure(WINDOW_LEAD, request_id=request_id, extra_working_days=20, reason="需征求第三方意见",
                                 approved_by="办公室主任 孙丽")  # fmt: skip
    assert named.value.field == "approved_by"
    assert positions(ledger) == before

    # Mon 16 Mar + 20 working days: Mar 17–20 (1–4), Mar 23–27 (5–9), Mar 30 – Apr 3 (10–14),
    # Apr 4–6 off (清明), Apr 7–10 (15–18), Mon 13 (19), Tue 14 Apr (20)
    outcome = ledger.extend_disclosure(
        WINDOW_LEAD, request_id=request_id, extra_working_days=20, reason="需征求第三方意见",
        occurred_at=at(3, 13, 9),
    )  # fmt: skip
    assert outcome.extra["deadline"] == date(2026, 4, 14)
    extended = events_of(ledger, request_id)[-1]
    assert (extended.previous_deadline, extended.deadline) == (date(2026, 3, 16), date(2026, 4, 14))  # type: ignore[attr-defined]

    before = positions(ledger)
    with pytest.raises(InvariantViolated) as twice:
        ledger.extend_disclosure(WINDOW_LEAD, request_id=request_id, extra_working_days=5, reason="r",
                                 occurred_at=at(3, 20, 9))  # fmt: skip
    assert twice.value.rule == "ART2.4.2@2026.1"
    assert positions(ledger) == before


@pytest.mark.rules("ART2.4.2")
def test_an_extension_is_decided_before_the_period_runs_out(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request_id = given_disclosure_request(ledger, wang, when=at(2, 10, 15, 30))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as late:
        ledger.extend_disclosure(WINDOW_LEAD, request_id=request_id, extra_working_days=10, reason="r",
                                 occurred_at=at(3, 17, 9))  # fmt: skip
    assert "2026-03-16" in str(late.value)
    assert positions(ledger) == before
    # a late answer is still a fact; it carries the deadline it missed
    ledger.answer_disclosure_request(CLERK, request_id=request_id, outcome="not_held", summary="经检索没有该信息",
                                     occurred_at=at(3, 18, 9))  # fmt: skip
    answered = events_of(ledger, request_id)[-1]
    assert answered.answered_on > answered.deadline  # type: ignore[attr-defined]


@pytest.mark.rules("ART2.4.2")
def test_one_correction_notice_stops_the_clock_and_the_period_restarts_on_the_correction(
    ledger: HallLedger,
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request_id = given_disclosure_request(ledger, wang, when=at(9, 14, 10))
    ledger.request_disclosure_correction(
        CLERK, request_id=request_id, items=["所需信息的名称或文号", "所需信息的时间范围"],
        correction_due=date(2026, 9, 30), occurred_at=at(9, 15, 10),
    )  # fmt: skip
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.request_disclosure_correction(
            CLERK, request_id=request_id, items=["x"], correction_due=date(2026, 10, 9)
        )
    with pytest.raises(InvariantViolated) as waiting:
        ledger.answer_disclosure_request(CLERK, request_id=request_id, outcome="disclosed", summary="s")
    assert "补正" in str(waiting.value)
    with pytest.raises(InvariantViolated):
        ledger.extend_disclosure(WINDOW_LEAD, request_id=request_id, extra_working_days=5, reason="r")
    assert positions(ledger) == before

    # the corrected request arrives Tue 22 Sep: Wed 23, Thu 24 (1, 2), Sep 25–27 off, Sep 28–30 (3–5),
    # Oct 1–7 off, Oct 8, 9 (6, 7), Sat 10 worked (8), Oct 12–16 (9–13), Oct 19–23 (14–18),
    # Mon 26, Tue 27 Oct (19, 20)
    outcome = ledger.receive_disclosure_correction(CLERK, request_id=request_id, occurred_at=at(9, 22, 14))
    assert outcome.extra["deadline"] == date(2026, 10, 27)
    assert topics(ledger)[-2:] == ["DisclosureCorrectionRequested", "DisclosureCorrectionReceived"]


@pytest.mark.rules("ART2.4.2")
def test_a_request_whose_correction_never_came_is_abandoned_only_after_its_due_date(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request_id = given_disclosure_request(ledger, wang, when=at(9, 14, 10))
    ledger.request_disclosure_correction(
        CLERK, request_id=request_id, items=["所需信息的名称"], correction_due=date(2026, 9, 30), occurred_at=at(9, 15)
    )
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.abandon_disclosure_request(CLERK, request_id=request_id, occurred_at=at(9, 30, 16))
    assert positions(ledger) == before
    ledger.abandon_disclosure_request(CLERK, request_id=request_id, occurred_at=at(10, 8, 8))
    assert ledger.disclosure_request(request_id).status == ABANDONED


@pytest.mark.rules("ART2.4.2")
@pytest.mark.parametrize(
    ("outcome", "legal_basis", "field"),
    [
        ("withheld", None, "legal_basis"),  # refusing information states its legal basis
        ("partially_disclosed", " ", "legal_basis"),
        ("ignored", None, "outcome"),
    ],
)
def test_an_answer_has_a_known_outcome_and_refusals_state_their_basis(
    ledger: HallLedger, outcome: str, legal_basis: str | None, field: str
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request_id = given_disclosure_request(ledger, wang, when=at(10, 8, 8))
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.answer_disclosure_request(
            CLERK, request_id=request_id, outcome=outcome, summary="答复", legal_basis=legal_basis
        )
    assert refused.value.field == field
    assert positions(ledger) == before


@pytest.mark.rules("ART2.4.2")
def test_an_answered_request_takes_nothing_more(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request_id = given_disclosure_request(ledger, wang, when=at(10, 8, 8))
    ledger.answer_disclosure_request(
        CLERK,
        request_id=request_id,
        outcome="withheld",
        summary="涉及商业秘密",
        legal_basis="《政府信息公开条例》第十五条",
    )
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.answer_disclosure_request(CLERK, request_id=request_id, outcome="disclosed", summary="s")
    with pytest.raises(InvariantViolated):
        ledger.extend_disclosure(WINDOW_LEAD, request_id=request_id, extra_working_days=5, reason="r")
    assert positions(ledger) == before


@pytest.mark.rules("ART2.4.2")
def test_receiving_checks_the_staff_member_channel_and_pseudonym(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(NotFound) as staff:
        ledger.receive_disclosure_request(CLERK, received_by=uuid4(), requester_ref="requester-1", description="d")
    assert staff.value.field == "received_by"
    with pytest.raises(InvalidInput) as channel:
        ledger.receive_disclosure_request(
            CLERK, received_by=wang, requester_ref="requester-1", description="d", channel="pigeon"
        )
    assert channel.value.field == "channel"
    with pytest.raises(InvalidInput) as requester:
        ledger.receive_disclosure_request(CLERK, received_by=wang, requester_ref="13912345678", description="d")
    assert requester.value.field == "requester_ref"
    assert positions(ledger) == before


@pytest.mark.rules("ART2.4.1")
def test_window_staff_publish_their_departments_information(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    outcome = ledger.publish_information(
        CLERK, staff_id=wang, category="policy_explanation", title="小规模纳税人增值税减免政策解读",
        reference="https://zwfw.example/beihai/notice/2026-118",
    )  # fmt: skip
    published = events_of(ledger, outcome.id)[0]
    assert published.department_id == hall.tax and published.window_id == hall.tax_window  # type: ignore[attr-defined]
    assert published.platform == "unified_platform", "ART7.6: the committee's unified platform"  # type: ignore[attr-defined]
    assert published.rule == "ART2.4.1@2026.1"  # type: ignore[attr-defined]
    ledger.withdraw_publication(CLERK, publication_id=outcome.id, reason="政策已更新")
    assert ledger.publication(outcome.id).withdrawn


@pytest.mark.rules("ART2.4.1")
def test_publishing_for_another_department_or_in_an_unknown_category_is_refused(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as other:
        ledger.publish_information(
            CLERK, staff_id=wang, department_id=hall.market, category="business", title="t", reference="r"
        )
    assert (other.value.field, other.value.rule) == ("department_id", "ART2.4.1@2026.1")
    with pytest.raises(InvalidInput) as category:
        ledger.publish_information(CLERK, staff_id=wang, category="gossip", title="t", reference="r")
    assert category.value.field == "category"
    with pytest.raises(InvalidInput) as reference:
        ledger.publish_information(CLERK, staff_id=wang, category="progress", title="办件进度公示", reference="")
    assert reference.value.field == "reference"
    assert positions(ledger) == before


@pytest.mark.rules("ART2.4.2")
def test_a_hall_calendar_moves_the_deadline_and_the_request_records_which_calendar(
    ledger: HallLedger, tmp_path: Path
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    national = given_disclosure_request(ledger, wang, when=at(9, 25, 11), requester_ref="requester-national")
    closing_day = (
        '\n[[holiday]]\nname_zh = "系统升级闭厅"\nname_en = "Hall closed for an upgrade"\n'
        "off = [2026-10-12, 2026-10-12]\n"
    )
    national_2026 = (PACKAGE_DIR / "cn-2026.toml").read_text(encoding="utf-8")
    (tmp_path / "beihai-2026.toml").write_text(
        national_2026.replace('name = "cn-2026"', 'name = "beihai-2026"') + closing_day, encoding="utf-8"
    )
    ledger.use_calendar(load_calendar(PACKAGE_DIR, tmp_path))
    local = given_disclosure_request(ledger, wang, when=at(9, 25, 11), requester_ref="requester-local")
    # the hall closed Mon 12 Oct, so the 20th working day moves from Thu 29 to Fri 30 Oct
    assert ledger.disclosure_request(national).deadline == date(2026, 10, 29)
    assert ledger.disclosure_request(local).deadline == date(2026, 10, 30)
    recorded = events_of(ledger, local)[0].calendar  # type: ignore[attr-defined]
    assert recorded.startswith("cn-2025+beihai-2026+cn-2027@") and recorded != events_of(ledger, national)[0].calendar  # type: ignore[attr-defined]


@pytest.mark.rules("ART2.4.2")
def test_a_correction_names_its_items_and_a_due_date_and_comes_before_any_extension(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request_id = given_disclosure_request(ledger, wang, when=at(9, 14, 10))
    before = positions(ledger)
    with pytest.raises(InvalidInput) as items:
        ledger.request_disclosure_correction(CLERK, request_id=request_id, items=[], correction_due=date(2026, 10, 20))
    assert items.value.field == "items"
    with pytest.raises(InvalidInput) as due:
        ledger.request_disclosure_correction(
            CLERK, request_id=request_id, items=["所需信息的名称"], correction_due=date(2026, 10, 8)
        )
    assert due.value.field == "correction_due"
    with pytest.raises(InvariantViolated):
        ledger.receive_disclosure_correction(CLERK, request_id=request_id)  # none was requested
    assert positions(ledger) == before
    ledger.extend_disclosure(WINDOW_LEAD, request_id=request_id, extra_working_days=10, reason="需征求第三方意见")
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.request_disclosure_correction(
            CLERK, request_id=request_id, items=["所需信息的名称"], correction_due=date(2026, 10, 20)
        )
    assert positions(ledger) == before
