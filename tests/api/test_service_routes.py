"""The window's service work through HTTP (ART2.1 – ART2.5, ART7.2, ART7.6): first inquiries,
applications, disclosure and consultations — and a staff token acting only for itself."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi import FastAPI

from domain.consultation import ANSWERED, REFERRED
from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens, done, problem, send, staff_token
from tests.conftest import FakeClock
from tests.givens import at, given_hall, given_staff, positions, topics


@pytest.fixture
def hall(ledger: HallLedger, app: FastAPI, tokens: Tokens) -> dict[str, UUID]:
    """王芳 (S001, the ``staff`` token) and 李娜 (S002, token ``li-na``) at the tax windows."""
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    staff_token(app, tokens, "li-na", li)
    return {"wang": wang, "li": li, "tax_window": hall.tax_window, "market_window": hall.market_window}


@pytest.mark.rules("ART2.1", "ART2.1.1", "ART2.1.2")
def test_first_inquiries(client: TestClient, tokens: Tokens, ledger: HallLedger, hall: dict[str, UUID]) -> None:
    opened = send(client, tokens, "staff", "/inquiries",
                  {"channel": "hall", "client_ref": "client-0001", "topic": "个体工商户税务登记"})  # fmt: skip
    inquiry = done(opened, 201)["id"]
    assert opened.headers["location"] == f"/api/v1/inquiries/{inquiry}"
    assert ledger.inquiry(UUID(inquiry)).first_responder_id == hall["wang"], "the staff token is the first responder"
    before = positions(ledger)
    body = problem(
        send(client, tokens, "staff", "/inquiries",
             {"channel": "hall", "client_ref": "client-0002", "topic": "x", "first_responder_id": str(hall["li"])}),
        403, "not-yourself",
    )  # fmt: skip
    assert body["field"] == "first_responder_id" and positions(ledger) == before
    problem(send(client, tokens, "window_lead", "/inquiries", {"channel": "hall", "client_ref": "c-03", "topic": "x"}),
            422, "invalid-input")  # fmt: skip
    done(send(client, tokens, "staff", f"/inquiries/{inquiry}/handling", {"outcome": "当场讲解"}, If_Match='"1"'))
    done(send(client, tokens, "staff", f"/inquiries/{inquiry}/closure", {}, If_Match='"2"'))
    assert topics(ledger)[-3:] == ["InquiryOpened", "InquiryHandled", "InquiryClosed"]

    # handed over to the market window after contacting it, the result told, closed
    other = done(send(client, tokens, "window_lead", "/inquiries",
                      {"channel": "phone", "client_ref": "client-0003", "topic": "企业名称变更",
                       "first_responder_id": str(hall["li"])}), 201)["id"]  # fmt: skip
    done(
        send(
            client,
            tokens,
            "window_lead",
            f"/inquiries/{other}/hand-over",
            {"contact_method": "phone", "contacted": "企业登记窗口 刘洋", "to_window_id": str(hall["market_window"])},
        )
    )
    problem(send(client, tokens, "staff", f"/inquiries/{other}/result",
                 {"result": "x", "communicated_by": str(hall["li"])}), 403, "not-yourself")  # fmt: skip
    done(send(client, tokens, "li-na", f"/inquiries/{other}/result", {"result": "已告知办理地点", "channel": "phone"}))
    done(send(client, tokens, "li-na", f"/inquiries/{other}/closure", {}))
    third = done(send(client, tokens, "staff", "/inquiries",
                      {"channel": "hall", "client_ref": "client-0004", "topic": "职责不明"}), 201)["id"]  # fmt: skip
    done(
        send(client, tokens, "staff", f"/inquiries/{third}/escalation", {"leader": "副主任 陈静", "reason": "职责不明"})
    )
    problem(send(client, tokens, "staff", f"/inquiries/{third}/closure", {}, If_Match='"1"'), 409, "stale-version")


@pytest.mark.rules("ART2.2", "ART2.3", "ART7.2", "ART7.6")
def test_applications(client: TestClient, tokens: Tokens, ledger: HallLedger, hall: dict[str, UUID]) -> None:
    submitted = send(client, tokens, "staff", "/applications",
                     {"matter_code": "TAX-0101", "matter_name": "税务登记", "window_id": str(hall["tax_window"]),
                      "applicant_ref": "applicant-0001", "materials": ["营业执照副本"]})  # fmt: skip
    case = done(submitted, 201)["id"]
    assert ledger.service_case(UUID(case)).staff_id == hall["wang"]
    notice = done(send(client, tokens, "staff", f"/applications/{case}/one-time-notices",
                       {"missing_materials": [{"name": "法定代表人身份证复印件", "quantity": 1}],
                        "procedure": "补齐后到W07提交", "time_limit_working_days": 5, "fees": "免费",
                        "legal_basis": "《税务登记管理办法》第十条", "materials_list_id": "TAX-0101-v3"}))  # fmt: skip
    assert notice["extra"]["notice_no"] == 1
    done(send(client, tokens, "staff", f"/applications/{case}/resubmission", {"materials": ["法定代表人身份证复印件"]}))
    accepted = done(send(client, tokens, "staff", f"/applications/{case}/acceptance", {"committed_working_days": 5}))
    assert accepted["extra"]["committed_deadline"] == "2026-10-14", "Sat 10 Oct is a working day (调休)"
    done(send(client, tokens, "window_lead", f"/applications/{case}/suspension",
              {"reason": "等待现场核查"}))  # fmt: skip
    done(send(client, tokens, "window_lead", f"/applications/{case}/resumption", {"note": "核查完毕"}))
    done(send(client, tokens, "window_lead", f"/applications/{case}/extension",
              {"extra_working_days": 3, "reason": "需补充审查"}))  # fmt: skip
    problem(send(client, tokens, "li-na", f"/applications/{case}/completion",
                 {"result": "x", "completed_by": str(hall["wang"])}), 403, "not-yourself")  # fmt: skip
    done(send(client, tokens, "staff", f"/applications/{case}/completion", {"result": "准予登记"}))

    on_the_spot = done(send(client, tokens, "staff", "/applications",
                            {"matter_code": "TAX-0102", "matter_name": "发票领用", "window_id": str(hall["tax_window"]),
                             "applicant_ref": "applicant-0002", "case_no": "BH2026100800001"}), 201)["id"]  # fmt: skip
    done(send(client, tokens, "staff", f"/applications/{on_the_spot}/on-the-spot-completion", {"result": "当场发放"}))
    rejected = done(send(client, tokens, "staff", "/applications",
                         {"matter_code": "TAX-0103", "matter_name": "减免税", "window_id": str(hall["tax_window"]),
                          "applicant_ref": "applicant-0003"}), 201)["id"]  # fmt: skip
    done(
        send(
            client,
            tokens,
            "staff",
            f"/applications/{rejected}/rejection",
            {"reason": "不符合减免条件", "legal_basis": "《税收征收管理法》第三十三条", "remedies": "可申请行政复议"},
        )
    )
    assert topics(ledger).count("ApplicationSubmitted") == 3


@pytest.mark.rules("ART2.4.1", "ART2.4.2")
def test_disclosure(
    client: TestClient, tokens: Tokens, ledger: HallLedger, clock: FakeClock, hall: dict[str, UUID]
) -> None:
    published = done(send(client, tokens, "staff", "/publications",
                          {"category": "business", "title": "2026年第四季度办税指南", "reference": "gov.cn/12345"}),
                     201)  # fmt: skip
    done(send(client, tokens, "window_lead", f"/publications/{published['id']}/withdrawal", {"reason": "已更新"},
              If_Match='"1"'))  # fmt: skip
    received = done(send(client, tokens, "staff", "/disclosure-requests",
                         {"requester_ref": "requester-0001", "description": "2025年度收费目录"}), 201)  # fmt: skip
    request = received["id"]
    assert received["extra"]["deadline"] == "2026-11-04"
    done(send(client, tokens, "staff", f"/disclosure-requests/{request}/correction-request",
              {"items": ["所需信息的名称"], "correction_due": "2026-10-20"}))  # fmt: skip
    done(send(client, tokens, "staff", f"/disclosure-requests/{request}/correction", {}))
    # the extension is approved by a leader's own token (issue 10), not by the clerk
    done(send(client, tokens, "window_lead", f"/disclosure-requests/{request}/extension",
              {"extra_working_days": 10, "reason": "需征求第三方意见"}))  # fmt: skip
    done(send(client, tokens, "staff", f"/disclosure-requests/{request}/answer",
              {"outcome": "disclosed", "summary": "提供电子版"}))  # fmt: skip
    answered = list(ledger.events.get(UUID(request)))[-1]
    assert answered.answered_by == hall["wang"]  # type: ignore[attr-defined]

    abandoned = done(send(client, tokens, "window_lead", "/disclosure-requests",
                          {"received_by": str(hall["li"]), "requester_ref": "requester-0002", "description": "x"}),
                     201)["id"]  # fmt: skip
    done(send(client, tokens, "window_lead", f"/disclosure-requests/{abandoned}/correction-request",
              {"items": ["时间范围"], "correction_due": "2026-10-12"}))  # fmt: skip
    clock.set(at(10, 13, 9))
    done(send(client, tokens, "window_lead", f"/disclosure-requests/{abandoned}/abandonment", {}))


@pytest.mark.rules("ART2.5.1", "ART2.5.2", "ART2.5.3")
def test_consultations_and_erasure(
    client: TestClient, tokens: Tokens, ledger: HallLedger, hall: dict[str, UUID]
) -> None:
    personal = {"client_name": "李明", "client_contact": "13800138000", "client_organisation": "北海精密机械有限公司"}
    recorded = send(client, tokens, "staff", "/consultations", {**personal, "matter": "企业开办需要哪些材料"})
    first = done(recorded, 201)
    assert not any(value in recorded.text for value in personal.values()), "the answer never echoes personal data"
    subject = first["extra"]["client_ref"]
    done(send(client, tokens, "staff", f"/consultations/{first['id']}/answer", {"answer": "材料清单见服务告知单"}))
    assert ledger.consultation(UUID(first["id"])).status == ANSWERED
    again = {**personal, "matter": "变更登记", "client_ref": subject}
    referred = done(send(client, tokens, "staff", "/consultations", again), 201)["id"]
    done(send(client, tokens, "staff", f"/consultations/{referred}/referral", {"where": "市场监管窗口", "how": "现场"}))
    assert ledger.consultation(UUID(referred)).status == REFERRED
    scoped = done(send(client, tokens, "staff", "/consultations", {**again, "matter": "社保"}), 201)["id"]
    done(send(client, tokens, "staff", f"/consultations/{scoped}/out-of-scope",
              {"kind": "not_hall_business", "reason": "请到社保中心办理"}))  # fmt: skip
    limited = done(send(client, tokens, "staff", "/consultations", {**again, "matter": "加急"}), 201)["id"]
    done(send(client, tokens, "staff", f"/consultations/{limited}/handling-limits",
              {"kind": "cannot_be_handled_in_time", "reason": "需部门会签", "guidance": "预计三个工作日"}))  # fmt: skip

    # only the hall manager erases (PIPL §47); afterwards nobody sees the values, the log stays whole
    problem(send(client, tokens, "staff", "/personal-data/erasures", {"subject": subject, "reason": "x"}), 403)
    before = positions(ledger)
    erasure = {"subject": subject, "reason": "本人申请删除"}
    erased = done(send(client, tokens, "hall_manager", "/personal-data/erasures", erasure, Idempotency_Key="erase-1"),
                  201)  # fmt: skip
    retried = send(client, tokens, "hall_manager", "/personal-data/erasures", erasure, Idempotency_Key="erase-1")
    assert retried.json() == erased and retried.headers["idempotent-replayed"] == "true"
    page = client.get("/api/v1/events?type=ConsultationRecorded", headers=tokens.headers("hall_manager")).json()
    assert all(e["data"]["client_name"].get("erased") for e in page["events"])
    assert not any(value in str(page) for value in personal.values())
    assert positions(ledger) == before + 1
    problem(send(client, tokens, "hall_manager", "/personal-data/erasures", {"subject": subject, "reason": "x"}), 409)
