"""Issue 10 point 5 — every record acted on only by whom it concerns, over HTTP.

DOMAIN.md "People and roles": staff record *their own* service work; the window lead and the
center act on anyone's. A ``staff`` token is bound to its staff member; every command on a
record owned by a person checks that the person behind a staff token owns it (the handler of
an application, the first responder of an inquiry, the person on duty, the handler of a
consultation or disclosure request — ``domain.ownership.require_own_record``). Stopping a
deadline's clock or extending it (ART2.3; 政府信息公开条例 Art. 33) is approved by an
authenticated leader: ``approved_by`` is the leader's token, never a name typed in.

王芳 (S001) holds the ``staff`` token, 李娜 (S002) the ``li-na`` token; each record below is 李娜's.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi import FastAPI

from domain.envelope import Actor
from domain.errors import NotPermitted
from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens, done, problem, send, staff_token
from tests.conftest import FakeClock
from tests.givens import (
    at,
    events_of,
    given_accepted_case,
    given_consultation,
    given_disclosure_request,
    given_duty_shift,
    given_hall,
    given_inquiry,
    given_staff,
    positions,
)


@pytest.fixture
def people(ledger: HallLedger, app: FastAPI, tokens: Tokens) -> dict[str, object]:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    staff_token(app, tokens, "li-na", li)
    return {"hall": hall, "wang": wang, "li": li}


def refused_as_not_hers(response: object, ledger: HallLedger, before: int, field: str) -> None:
    body = problem(response, 403, "not-your-record")
    assert body["field"] == field
    assert positions(ledger) == before, "nothing is written"


@pytest.mark.rules("ART2.3")
def test_a_staff_token_cannot_extend_or_stop_the_clock_of_a_colleagues_application(
    client: TestClient, tokens: Tokens, ledger: HallLedger, people: dict[str, object]
) -> None:
    """The reported hole: 王芳 extended 李娜's case by 30 working days, "approved by" free text."""
    li = people["li"]
    assert isinstance(li, UUID)
    case = given_accepted_case(ledger, people["hall"], li, committed_working_days=5)  # type: ignore[arg-type]
    before = positions(ledger)
    problem(send(client, tokens, "staff", f"/applications/{case}/extension",
                 {"extra_working_days": 30, "reason": "需补充审查", "approved_by": "科长 周明"}), 403)  # fmt: skip
    problem(send(client, tokens, "staff", f"/applications/{case}/suspension",
                 {"reason": "等待现场核查", "approved_by": "科长 周明"}), 403)  # fmt: skip
    # not even the handler approves her own extension: a leader does
    problem(send(client, tokens, "li-na", f"/applications/{case}/extension",
                 {"extra_working_days": 3, "reason": "需补充审查"}), 403)  # fmt: skip
    # a leader's token approves; a name typed in that is not the leader's is refused
    named = problem(send(client, tokens, "window_lead", f"/applications/{case}/extension",
                         {"extra_working_days": 3, "reason": "需补充审查", "approved_by": "科长 周明"}),
                    403, "approver-not-actor")  # fmt: skip
    assert named["field"] == "approved_by"
    assert positions(ledger) == before

    done(send(client, tokens, "window_lead", f"/applications/{case}/extension",
              {"extra_working_days": 3, "reason": "需补充审查"}))  # fmt: skip
    extended = events_of(ledger, case)[-1]
    assert extended.approved_by == "lead-qian", "the approver is the authenticated leader"  # type: ignore[attr-defined]
    done(send(client, tokens, "hall_manager", f"/applications/{case}/suspension",
              {"reason": "组织专家评审", "approved_by": "mgr-zhang"}))  # fmt: skip
    assert events_of(ledger, case)[-1].approved_by == "mgr-zhang"  # type: ignore[attr-defined]

    # resuming and completing 李娜's case is 李娜's (or her lead's) work, not 王芳's
    before = positions(ledger)
    refused_as_not_hers(
        send(client, tokens, "staff", f"/applications/{case}/resumption", {}), ledger, before, "case_id"
    )
    done(send(client, tokens, "li-na", f"/applications/{case}/resumption", {"note": "评审完毕"}))
    before = positions(ledger)
    refused_as_not_hers(
        send(client, tokens, "staff", f"/applications/{case}/completion", {"result": "准予登记"}), ledger, before,
        "case_id",
    )  # fmt: skip
    done(send(client, tokens, "li-na", f"/applications/{case}/completion", {"result": "准予登记"}))


@pytest.mark.rules("ART2.2", "ART2.3")
def test_a_staff_token_acts_only_on_applications_it_handles(
    client: TestClient, tokens: Tokens, ledger: HallLedger, people: dict[str, object]
) -> None:
    hall = people["hall"]
    li = people["li"]
    submitted = done(send(client, tokens, "li-na", "/applications",
                          {"matter_code": "TAX-0101", "matter_name": "税务登记",
                           "window_id": str(hall.tax_window_2), "applicant_ref": "applicant-0001"}),  # type: ignore[attr-defined]
                     201)["id"]  # fmt: skip
    assert ledger.service_case(UUID(submitted)).staff_id == li
    before = positions(ledger)
    notice = {"missing_materials": [{"name": "身份证复印件"}], "procedure": "补齐后提交", "time_limit_working_days": 5,
              "fees": "免费", "legal_basis": "《税务登记管理办法》", "materials_list_id": "TAX-0101-v3"}  # fmt: skip
    refused_as_not_hers(
        send(client, tokens, "staff", f"/applications/{submitted}/one-time-notices", notice), ledger, before, "case_id"
    )
    refused_as_not_hers(
        send(client, tokens, "staff", f"/applications/{submitted}/acceptance", {"committed_working_days": 5}),
        ledger, before, "case_id",
    )  # fmt: skip
    refused_as_not_hers(
        send(client, tokens, "staff", f"/applications/{submitted}/rejection",
             {"reason": "不符合条件", "legal_basis": "《行政许可法》第三十八条"}), ledger, before, "case_id",
    )  # fmt: skip
    # her window lead may act on it
    done(send(client, tokens, "window_lead", f"/applications/{submitted}/acceptance", {"committed_working_days": 5}))


@pytest.mark.rules("ART9.4")
def test_a_staff_token_cannot_hand_over_a_colleagues_duty_shift(
    client: TestClient, tokens: Tokens, ledger: HallLedger, clock: FakeClock, people: dict[str, object]
) -> None:
    wang, li = people["wang"], people["li"]
    shift = done(send(client, tokens, "hall_manager", "/duty/shifts",
                      {"day": "2026-10-09", "slot": "lunch", "staff_id": str(li)}), 201)["id"]  # fmt: skip
    clock.set(at(10, 9, 13, 2))
    before = positions(ledger)
    refused_as_not_hers(
        send(client, tokens, "staff", f"/duty/shifts/{shift}/hand-over", {"notes": "无异常", "to_staff_id": str(wang)}),
        ledger, before, "shift_id",
    )  # fmt: skip
    done(
        send(client, tokens, "li-na", f"/duty/shifts/{shift}/hand-over", {"notes": "无异常", "to_staff_id": str(wang)})
    )


@pytest.mark.rules("ART9.4")
def test_a_shift_given_before_is_handed_over_only_by_who_is_on_duty(
    client: TestClient, tokens: Tokens, ledger: HallLedger, clock: FakeClock, people: dict[str, object]
) -> None:
    """A shift rostered with the givens (not over HTTP) is 李娜's all the same."""
    li = people["li"]
    assert isinstance(li, UUID)
    shift = given_duty_shift(ledger, li, day=at(9, 29).date())
    clock.set(at(9, 29, 13, 5))
    before = positions(ledger)
    refused_as_not_hers(
        send(client, tokens, "staff", f"/duty/shifts/{shift}/hand-over",
             {"notes": "无异常", "to_staff_id": str(people["wang"])}), ledger, before, "shift_id",
    )  # fmt: skip


@pytest.mark.rules("ART2.1", "ART2.1.2")
def test_a_staff_token_cannot_hand_over_or_close_a_colleagues_inquiry(
    client: TestClient, tokens: Tokens, ledger: HallLedger, people: dict[str, object]
) -> None:
    li = people["li"]
    assert isinstance(li, UUID)
    inquiry = given_inquiry(ledger, li)
    before = positions(ledger)
    refused_as_not_hers(
        send(client, tokens, "staff", f"/inquiries/{inquiry}/hand-over",
             {"contact_method": "phone", "contacted": "企业登记窗口 刘洋",
              "to_window_id": str(people["hall"].market_window)}),  # type: ignore[attr-defined]
        ledger, before, "inquiry_id",
    )  # fmt: skip
    refused_as_not_hers(
        send(client, tokens, "staff", f"/inquiries/{inquiry}/escalation", {"leader": "副主任 陈静", "reason": "x"}),
        ledger, before, "inquiry_id",
    )  # fmt: skip
    # handed over to 王芳 by 李娜, it becomes hers to act on too (ART2.1.2)
    done(send(client, tokens, "li-na", f"/inquiries/{inquiry}/hand-over",
              {"contact_method": "in_person", "contacted": "王芳", "to_staff_id": str(people["wang"])}))  # fmt: skip
    done(send(client, tokens, "staff", f"/inquiries/{inquiry}/handling", {"outcome": "已办理"}))


@pytest.mark.rules("ART2.5.2", "ART2.4.2")
def test_a_staff_token_cannot_answer_a_colleagues_consultation_or_disclosure_request(
    client: TestClient, tokens: Tokens, ledger: HallLedger, people: dict[str, object]
) -> None:
    li = people["li"]
    assert isinstance(li, UUID)
    consultation, _ = given_consultation(ledger, li)
    request = given_disclosure_request(ledger, li, when=at(10, 8, 8, 45))
    before = positions(ledger)
    refused_as_not_hers(
        send(client, tokens, "staff", f"/consultations/{consultation}/answer", {"answer": "材料清单见告知单"}),
        ledger, before, "consultation_id",
    )  # fmt: skip
    refused_as_not_hers(
        send(client, tokens, "staff", f"/disclosure-requests/{request}/answer",
             {"outcome": "disclosed", "summary": "提供电子版"}), ledger, before, "request_id",
    )  # fmt: skip
    problem(send(client, tokens, "li-na", f"/disclosure-requests/{request}/extension",
                 {"extra_working_days": 10, "reason": "需征求第三方意见"}), 403)  # fmt: skip
    done(send(client, tokens, "li-na", f"/consultations/{consultation}/answer", {"answer": "材料清单见告知单"}))
    done(send(client, tokens, "window_lead", f"/disclosure-requests/{request}/extension",
              {"extra_working_days": 10, "reason": "需征求第三方意见"}))  # fmt: skip
    assert events_of(ledger, request)[-1].approved_by == "lead-qian"  # type: ignore[attr-defined]


@pytest.mark.rules("ART7.5")
def test_nobody_approves_or_refuses_their_own_leave(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    lead = given_staff(ledger, hall, staff_no="S009", name="赵强")
    clock.set(at(10, 12, 8))
    as_lead = Actor("lead-zhao", "window_lead", person=lead)
    leave = ledger.request_leave(
        as_lead, staff_id=lead, leave_type="personal", starts=at(10, 14, 8, 30), ends=at(10, 14, 17), reason="家中有事"
    ).id
    before = positions(ledger)
    for decide in (
        lambda: ledger.approve_leave(as_lead, leave_id=leave),
        lambda: ledger.refuse_leave(as_lead, leave_id=leave, reason="不批"),
    ):
        with pytest.raises(NotPermitted, match="their own leave"):
            decide()
    assert positions(ledger) == before, "nothing is written"
    ledger.approve_leave(Actor("mgr-zhang", "hall_manager"), leave_id=leave)
    assert [type(e).__name__ for e in events_of(ledger, leave)] == ["Requested", "Approved"]
