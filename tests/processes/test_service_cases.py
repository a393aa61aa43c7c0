"""Service cases: one-time notification (ART2.2), committed time limits (ART2.3), on the spot
or within the limit (ART7.2), handling modes (ART7.6) — on both stores.

*Given* an application for 税务登记 at the tax window, *when* materials are missing, *then*
ONE notice lists all of them with procedure, time limit, fees, legal basis and the
materials list; *when* it is complete, *then* it is accepted in one go with a committed
deadline on the working-day calendar, or finished on the spot.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.envelope import Actor
from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.service_case import ACCEPTED, AWAITING_MATERIALS, COMPLETED, REJECTED, SUSPENDED, MissingMaterial
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    MANAGER,
    WINDOW_LEAD,
    at,
    events_of,
    given_accepted_case,
    given_case,
    given_hall,
    given_staff,
    positions,
    topics,
)

NOTICE: dict[str, Any] = {
    "missing_materials": [
        MissingMaterial("法定代表人身份证", format="原件及复印件", quantity=1, issuer="公安机关"),
        MissingMaterial("经营场所使用证明", format="复印件加盖公章", quantity=2),
    ],
    "procedure": "补齐材料后到7号窗口递交,当场审核",
    "time_limit_working_days": 3,
    "fees": "不收费",
    "legal_basis": "《税务登记管理办法》第十条",
    "materials_list_id": "TAX-0101-一览表-2026版",
}


@pytest.mark.rules("ART2.2", "ART2.3", "ART7.6")
def test_incomplete_materials_get_one_notice_then_the_case_is_accepted_in_one_go(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang, when=at(10, 8, 8, 30))
    assert events_of(ledger, case_id)[0].rule == "ART7.6@2026.1"  # type: ignore[attr-defined]

    ledger.issue_one_time_notice(CLERK, case_id=case_id, occurred_at=at(10, 8, 8, 35), **NOTICE)
    case = ledger.service_case(case_id)
    assert case.status == AWAITING_MATERIALS
    notice = events_of(ledger, case_id)[-1]
    assert notice.notice_no == 1 and notice.not_in_first_notice == []  # type: ignore[attr-defined]
    assert notice.rule == "ART2.2@2026.1"  # type: ignore[attr-defined]
    assert notice.missing_materials[0] == {  # type: ignore[attr-defined]
        "name": "法定代表人身份证", "format": "原件及复印件", "quantity": 1, "issuer": "公安机关",
    }  # fmt: skip

    ledger.resubmit_materials(CLERK, case_id=case_id, materials=["法定代表人身份证", "经营场所使用证明"])
    outcome = ledger.accept_application(CLERK, case_id=case_id, committed_working_days=5)
    # accepted Thu 8 Oct 2026: Fri 9 (1), Sat 10 worked (2), Mon 12 (3), Tue 13 (4), Wed 14 (5)
    assert outcome.extra["committed_deadline"] == date(2026, 10, 14)
    accepted = events_of(ledger, case_id)[-1]
    assert accepted.committed_working_days == 5 and accepted.calendar == ledger.calendar.ref  # type: ignore[attr-defined]
    assert topics(ledger)[-4:] == [
        "ApplicationSubmitted",
        "OneTimeNoticeIssued",
        "MaterialsResubmitted",
        "ApplicationAccepted",
    ]


@pytest.mark.rules("ART2.2")
def test_a_later_notice_is_recorded_as_such_with_what_the_first_did_not_list(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang)
    ledger.issue_one_time_notice(CLERK, case_id=case_id, **NOTICE)
    ledger.resubmit_materials(CLERK, case_id=case_id, materials=["法定代表人身份证"])
    second = dict(NOTICE, missing_materials=[{"name": "经营场所使用证明"}, {"name": "股东会决议", "quantity": 1}])
    outcome = ledger.issue_one_time_notice(CLERK, case_id=case_id, **second)
    assert outcome.extra["notice_no"] == 2
    notice = events_of(ledger, case_id)[-1]
    assert notice.notice_no == 2  # type: ignore[attr-defined]
    assert notice.not_in_first_notice == ["股东会决议"], "the detector's evidence"  # type: ignore[attr-defined]


@pytest.mark.rules("ART2.2")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"missing_materials": []}, "missing_materials"),
        ({"missing_materials": [MissingMaterial(" ")]}, "missing_materials[0].name"),
        ({"missing_materials": [MissingMaterial("身份证"), MissingMaterial(" 身份证 ")]}, "missing_materials[1].name"),
        ({"missing_materials": [MissingMaterial("身份证", quantity=0)]}, "missing_materials[0].quantity"),
        ({"missing_materials": [{"name": "身份证", "colour": "red"}]}, "missing_materials[0]"),
        ({"procedure": ""}, "procedure"),
        ({"fees": " "}, "fees"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"materials_list_id": ""}, "materials_list_id"),
        ({"time_limit_working_days": -1}, "time_limit_working_days"),
    ],
)
def test_a_one_time_notice_lists_materials_and_every_mandatory_field(
    ledger: HallLedger, change: dict[str, Any], field: str
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.issue_one_time_notice(CLERK, case_id=case_id, **dict(NOTICE, **change))
    assert refused.value.field == field
    assert positions(ledger) == before


@pytest.mark.rules("ART2.2")
def test_acceptance_waits_for_the_materials_a_notice_asked_for(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang)
    ledger.issue_one_time_notice(CLERK, case_id=case_id, **NOTICE)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.accept_application(CLERK, case_id=case_id, committed_working_days=5)
    assert refused.value.rule == "ART2.2@2026.1"
    with pytest.raises(InvariantViolated):
        ledger.complete_on_the_spot(CLERK, case_id=case_id, result="发放税务登记证")
    assert positions(ledger) == before


@pytest.mark.rules("ART2.2")
def test_no_notice_after_acceptance_and_no_resubmission_without_a_notice(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang)
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.resubmit_materials(CLERK, case_id=case_id, materials=["身份证"])
    assert positions(ledger) == before
    ledger.accept_application(CLERK, case_id=case_id, committed_working_days=5)
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.issue_one_time_notice(CLERK, case_id=case_id, **NOTICE)
    assert positions(ledger) == before


@pytest.mark.rules("ART2.3", "ART7.2")
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "committed_deadline"),  # neither days nor a date
        ({"committed_working_days": 5, "committed_deadline": date(2026, 10, 14)}, "committed_deadline"),
        ({"committed_working_days": 0}, "committed_working_days"),
        ({"committed_deadline": date(2026, 10, 7)}, "committed_deadline"),  # before the acceptance
        ({"committed_deadline": date(2026, 10, 11)}, "committed_deadline"),  # a Sunday
    ],
)
def test_acceptance_needs_a_committed_deadline_unless_finished_on_the_spot(
    ledger: HallLedger, kwargs: dict[str, Any], field: str
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.accept_application(CLERK, case_id=case_id, **kwargs)
    assert refused.value.field == field
    assert refused.value.rule == "ART2.3@2026.1"
    assert positions(ledger) == before


@pytest.mark.rules("ART7.2", "ART2.2")
def test_what_can_be_finished_on_the_spot_is_accepted_and_finished_at_once(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang)
    before = positions(ledger)
    outcome = ledger.complete_on_the_spot(
        CLERK, case_id=case_id, result="当场发放发票领用簿", result_ref="FP-2026-0042"
    )
    assert len(outcome.positions) == 2 and positions(ledger) == before + 2, "both facts in one transaction"
    accepted, completed = events_of(ledger, case_id)[-2:]
    assert accepted.on_the_spot and accepted.committed_deadline is None  # type: ignore[attr-defined]
    assert completed.on_the_spot and completed.rule == "ART7.2@2026.1"  # type: ignore[attr-defined]
    assert completed.completed_on == date(2026, 10, 8)  # type: ignore[attr-defined]
    assert ledger.service_case(case_id).status == COMPLETED


@pytest.mark.rules("ART2.3", "ART7.2")
def test_a_deadline_across_national_day_and_completion_facts_before_on_and_after_it(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    # accepted Tue 29 Sep 2026 for 5 working days: Wed 30 Sep (1), Oct 1–7 off, Thu 8 (2),
    # Fri 9 (3), Sat 10 worked (4), Mon 12 (5)
    on_time = given_accepted_case(ledger, hall, wang, committed_working_days=5, when=at(9, 29, 10))
    late = given_accepted_case(ledger, hall, wang, committed_working_days=5, when=at(9, 29, 11))
    early = given_accepted_case(ledger, hall, wang, committed_working_days=5, when=at(9, 29, 14))
    assert ledger.service_case(on_time).committed_deadline == date(2026, 10, 12)

    ledger.complete_case(CLERK, case_id=early, result="准予登记", occurred_at=at(10, 8, 8, 50))
    clock.set(at(10, 13, 16, 0))
    ledger.complete_case(CLERK, case_id=on_time, result="准予登记", occurred_at=at(10, 12, 16, 0))
    ledger.complete_case(CLERK, case_id=late, result="准予登记", occurred_at=at(10, 13, 15, 0))
    facts = {
        name: (e.completed_on, e.committed_deadline)  # type: ignore[attr-defined]
        for name, e in (("early", events_of(ledger, early)[-1]), ("on_time", events_of(ledger, on_time)[-1]),
                        ("late", events_of(ledger, late)[-1]))
    }  # fmt: skip
    assert facts == {
        "early": (date(2026, 10, 8), date(2026, 10, 12)),
        "on_time": (date(2026, 10, 12), date(2026, 10, 12)),
        "late": (date(2026, 10, 13), date(2026, 10, 12)),
    }, "the ledger records the facts; read models classify early / on time / late"


@pytest.mark.rules("ART2.3")
def test_an_extension_needs_a_reason_and_an_approver_and_comes_before_the_deadline(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_accepted_case(ledger, hall, wang, committed_working_days=5, when=at(9, 29, 10))
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.extend_case_deadline(WINDOW_LEAD, case_id=case_id, extra_working_days=3, reason=" ")
    assert refused.value.rule == "ART2.3@2026.1"
    # the approver is the authenticated leader: not the clerk, not a name typed in (issue 10)
    with pytest.raises(NotPermitted) as clerk:
        ledger.extend_case_deadline(CLERK, case_id=case_id, extra_working_days=3, reason="需现场核查")
    assert clerk.value.field == "actor"
    with pytest.raises(NotPermitted) as named:
        ledger.extend_case_deadline(
            WINDOW_LEAD, case_id=case_id, extra_working_days=3, reason="需现场核查", approved_by="科长 陈静"
        )
    assert named.value.field == "approved_by"
    assert positions(ledger) == before

    outcome = ledger.extend_case_deadline(
        WINDOW_LEAD, case_id=case_id, extra_working_days=3, reason="需现场核查经营场所",
        occurred_at=at(10, 8, 8, 0),
    )  # fmt: skip
    # Mon 12 Oct + 3 working days: Tue 13, Wed 14, Thu 15
    assert outcome.extra["committed_deadline"] == date(2026, 10, 15)
    extended = events_of(ledger, case_id)[-1]
    assert (extended.previous_deadline, extended.approved_by) == (date(2026, 10, 12), WINDOW_LEAD.id)  # type: ignore[attr-defined]

    clock.set(at(10, 16, 9, 0))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as expired:
        ledger.extend_case_deadline(WINDOW_LEAD, case_id=case_id, extra_working_days=2, reason="r")
    assert "has passed" in str(expired.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART2.3")
def test_a_suspension_stops_the_clock_and_resuming_moves_the_deadline(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    # accepted Thu 8 Oct for 5 working days → Wed 14 Oct
    case_id = given_accepted_case(ledger, hall, wang, committed_working_days=5, when=at(10, 8, 8, 0))
    before = positions(ledger)
    with pytest.raises(InvalidInput):
        ledger.suspend_case(WINDOW_LEAD, case_id=case_id, reason="")
    assert positions(ledger) == before
    # suspended on Fri 9 Oct with 4 working days left: Sat 10 (worked), Mon 12, Tue 13, Wed 14
    clock.set(at(10, 9, 10, 0))
    ledger.suspend_case(WINDOW_LEAD, case_id=case_id, reason="委托检验检测")
    assert ledger.service_case(case_id).status == SUSPENDED
    assert events_of(ledger, case_id)[-1].remaining_working_days == 4  # type: ignore[attr-defined]
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.complete_case(CLERK, case_id=case_id, result="准予登记")
    assert positions(ledger) == before
    # resumed Mon 19 Oct: 4 working days → Tue 20, Wed 21, Thu 22, Fri 23
    clock.set(at(10, 19, 9, 0))
    outcome = ledger.resume_case(CLERK, case_id=case_id, note="检测报告已收到")
    assert outcome.extra["committed_deadline"] == date(2026, 10, 23)
    assert ledger.service_case(case_id).status == ACCEPTED


@pytest.mark.rules("ART2.2")
def test_a_rejection_states_reason_and_legal_basis(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.reject_application(CLERK, case_id=case_id, reason="不属于本机关职权范围", legal_basis=" ")
    assert refused.value.field == "legal_basis"
    assert positions(ledger) == before
    ledger.reject_application(
        CLERK, case_id=case_id, reason="不属于本机关职权范围", legal_basis="《行政许可法》第三十二条第一款第(二)项",
        remedies="可于六十日内申请行政复议",
    )  # fmt: skip
    rejected = events_of(ledger, case_id)[-1]
    assert rejected.stage == "not_accepted"  # type: ignore[attr-defined]
    assert ledger.service_case(case_id).status == REJECTED
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.accept_application(CLERK, case_id=case_id, committed_working_days=5)
    assert positions(ledger) == before


@pytest.mark.rules("ART2.3")
def test_a_rejection_after_acceptance_is_a_refusal_of_the_permit(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_accepted_case(ledger, hall, wang)
    ledger.reject_application(CLERK, case_id=case_id, reason="现场核查不符合条件", legal_basis="《税务登记管理办法》")
    assert events_of(ledger, case_id)[-1].stage == "refused"  # type: ignore[attr-defined]


@pytest.mark.rules("ART7.6")
def test_handling_modes_joint_and_upward_name_their_partners(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    before = positions(ledger)
    common = {
        "matter_code": "JOINT-01",
        "matter_name": "企业开办一件事",
        "window_id": hall.tax_window,
        "staff_id": wang,
        "applicant_ref": "applicant-0002",
    }
    with pytest.raises(InvalidInput) as joint:
        ledger.submit_application(CLERK, mode="joint", **common)
    assert joint.value.field == "partner_department_ids" and joint.value.rule == "ART7.6@2026.1"
    with pytest.raises(InvalidInput) as upward:
        ledger.submit_application(CLERK, mode="upward", **common)
    assert upward.value.field == "reported_to"
    with pytest.raises(InvalidInput) as mode:
        ledger.submit_application(CLERK, mode="express", **common)
    assert mode.value.field == "mode"
    with pytest.raises(NotFound) as partner:
        ledger.submit_application(CLERK, mode="joint", partner_department_ids=[uuid4()], **common)
    assert partner.value.field == "partner_department_ids"
    assert positions(ledger) == before

    joint_case = ledger.submit_application(CLERK, mode="joint", partner_department_ids=[hall.market], **common).id
    upward_case = ledger.submit_application(CLERK, mode="upward", reported_to="营口市税务局", **common).id
    urgent_case = ledger.submit_application(CLERK, mode="urgent", **common).id
    assert ledger.service_case(joint_case).mode == "joint"
    assert events_of(ledger, joint_case)[0].partner_department_ids == [hall.market]  # type: ignore[attr-defined]
    assert events_of(ledger, upward_case)[0].reported_to == "营口市税务局"  # type: ignore[attr-defined]
    assert ledger.service_case(urgent_case).mode == "urgent"


@pytest.mark.rules("ART7.6")
def test_submission_checks_window_staff_case_number_and_role(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    common = {"matter_code": "TAX-0101", "matter_name": "税务登记", "mode": "general", "applicant_ref": "applicant-1"}
    ledger.submit_application(CLERK, window_id=hall.tax_window, staff_id=wang, case_no="BH2026100800001", **common)
    ledger.close_window(MANAGER, window_id=hall.tax_window_2, reason="并入综合窗口")
    before = positions(ledger)
    with pytest.raises(AlreadyExists):
        ledger.submit_application(CLERK, window_id=hall.tax_window, staff_id=wang, case_no="BH2026100800001", **common)
    with pytest.raises(NotFound) as staff:
        ledger.submit_application(CLERK, window_id=hall.tax_window, staff_id=uuid4(), **common)
    assert staff.value.field == "staff_id"
    with pytest.raises(NotFound) as window:
        ledger.submit_application(CLERK, window_id=uuid4(), staff_id=wang, **common)
    assert window.value.field == "window_id"
    with pytest.raises(InvariantViolated):
        ledger.submit_application(CLERK, window_id=hall.tax_window_2, staff_id=wang, **common)
    with pytest.raises(InvalidInput) as applicant:
        ledger.submit_application(CLERK, window_id=hall.tax_window, staff_id=wang, **dict(common, applicant_ref="张三"))
    assert applicant.value.field == "applicant_ref"
    with pytest.raises(NotPermitted):
        ledger.submit_application(Actor("insp-li", "inspector"), window_id=hall.tax_window, staff_id=wang, **common)
    assert positions(ledger) == before


@pytest.mark.rules("ART2.3")
def test_a_window_lead_or_the_center_may_record_service_work_too(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case_id = given_case(ledger, hall, wang)
    ledger.accept_application(Actor("lead-qian", "window_lead"), case_id=case_id, committed_deadline=date(2026, 10, 20))
    case = ledger.service_case(case_id)
    assert case.committed_deadline == date(2026, 10, 20)
    # Thu 8 Oct → Tue 20 Oct: 9, 10 (Sat worked), 12–16, 19, 20 = 9 working days
    assert events_of(ledger, case_id)[-1].committed_working_days == 9  # type: ignore[attr-defined]
    ledger.complete_case(MANAGER, case_id=case_id, result="准予登记")
    assert ledger.service_case(case_id).status == COMPLETED


@pytest.mark.rules("ART2.3")
def test_the_clock_is_suspended_or_resumed_only_when_it_can_be(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    running = given_accepted_case(ledger, hall, wang, committed_working_days=1, when=at(10, 8, 8, 0))  # due Fri 9 Oct
    not_accepted = given_case(ledger, hall, wang)
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.resume_case(CLERK, case_id=running)  # not suspended
    with pytest.raises(InvariantViolated):
        ledger.suspend_case(WINDOW_LEAD, case_id=not_accepted, reason="r")
    with pytest.raises(InvariantViolated):
        ledger.extend_case_deadline(WINDOW_LEAD, case_id=not_accepted, extra_working_days=1, reason="r")
    clock.set(at(10, 12, 9, 0))
    with pytest.raises(InvariantViolated) as expired:
        ledger.suspend_case(WINDOW_LEAD, case_id=running, reason="委托检测")
    assert expired.value.rule == "ART2.3@2026.1" and "2026-10-09" in str(expired.value)
    with pytest.raises(NotFound) as unknown:
        ledger.complete_case(CLERK, case_id=uuid4(), result="x")
    assert unknown.value.field == "case_id"
    assert positions(ledger) == before
