"""Hall operations through HTTP: attendance and leave (ART6.5, ART7.5), duty and security (ART9),
assets (ART5.2, ART10.1), inspection rounds and cleaning (ART4.2), ratings, complaints, praise
and commendations, hall days and assessments (ART11) — and a staff token acting only for itself."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi import FastAPI

from domain.attendance import APPROVED, REFUSED, REPORTED_BACK
from domain.violation import CONFIRMED
from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens, done, problem, send, staff_token
from tests.conftest import FakeClock
from tests.givens import at, given_confirmed_violation, given_hall, given_staff, positions, topics


@pytest.fixture
def hall(ledger: HallLedger, app: FastAPI, tokens: Tokens) -> dict[str, UUID]:
    """王芳 (S001, the ``staff`` token) and 李娜 (S002, token ``li-na``) at the tax windows."""
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    staff_token(app, tokens, "li-na", li)
    return {
        "wang": wang, "li": li, "tax": hall.tax, "tax_window": hall.tax_window, "tax_window_2": hall.tax_window_2,
        "market_window": hall.market_window,
    }  # fmt: skip


@pytest.mark.rules("ART6.5", "ART7.5")
def test_attendance_and_leave(
    client: TestClient, tokens: Tokens, ledger: HallLedger, clock: FakeClock, hall: dict[str, UUID]
) -> None:
    wang, li = str(hall["wang"]), str(hall["li"])
    punched = done(send(client, tokens, "staff", "/attendance/clock-ins",
                        {"device": "人脸识别考勤机-1F", "occurred_at": at(10, 8, 8, 20).isoformat()}))  # fmt: skip
    assert ledger.attendance_day(hall["wang"], at(10, 8).date()).id == UUID(punched["id"])
    before = positions(ledger)
    body = problem(send(client, tokens, "staff", "/attendance/clock-ins", {"staff_id": li, "device": "x"}),
                   403, "not-yourself")  # fmt: skip
    assert body["field"] == "staff_id" and positions(ledger) == before
    problem(send(client, tokens, "window_lead", "/attendance/clock-ins", {"device": "x"}), 422)
    done(send(client, tokens, "window_lead", "/attendance/clock-ins", {"staff_id": li, "device": "补卡"}))
    absence = done(send(client, tokens, "inspector", "/attendance/absences",
                        {"staff_id": wang, "left_at": at(10, 8, 8, 40).isoformat(), "notice_displayed": True,
                         "reason": "去洗手间"}), 201)["extra"]["absence_id"]  # fmt: skip
    problem(send(client, tokens, "li-na", f"/attendance/absences/{absence}/return", {"staff_id": wang}), 403)
    done(send(client, tokens, "staff", f"/attendance/absences/{absence}/return",
              {"returned_at": at(10, 8, 8, 50).isoformat()}))  # fmt: skip
    clock.set(at(10, 8, 17, 10))
    done(send(client, tokens, "staff", "/attendance/clock-outs", {"device": "人脸识别考勤机-1F"}))

    leave = done(send(client, tokens, "staff", "/leave-requests",
                      {"leave_type": "annual", "starts": at(10, 8, 13).isoformat(), "ends": at(10, 8, 17).isoformat(),
                       "reason": "家事", "occurred_at": at(10, 8, 9).isoformat()}), 201)["id"]  # fmt: skip
    problem(send(client, tokens, "staff", f"/leave-requests/{leave}/approval", {}), 403, "role-not-allowed")
    done(send(client, tokens, "window_lead", f"/leave-requests/{leave}/approval", {"note": "同意"}, If_Match='"1"'))
    problem(send(client, tokens, "li-na", f"/leave-requests/{leave}/report-back", {}), 403, "not-your-record")
    done(send(client, tokens, "staff", f"/leave-requests/{leave}/report-back", {}, If_Match='"2"'))
    refused = done(send(client, tokens, "li-na", "/leave-requests",
                        {"leave_type": "annual", "starts": at(10, 9, 8, 30).isoformat(),
                         "ends": at(10, 9, 17).isoformat()}), 201)["id"]  # fmt: skip
    done(send(client, tokens, "hall_manager", f"/leave-requests/{refused}/refusal", {"reason": "窗口人手不足"}))
    assert ledger.leave_request(UUID(leave)).status == REPORTED_BACK
    assert ledger.leave_request(UUID(refused)).status == REFUSED
    assert APPROVED != REFUSED


@pytest.mark.rules("ART9.1", "ART9.3", "ART9.4", "ART9.7", "ART9.8")
def test_duty_and_security(
    client: TestClient, tokens: Tokens, ledger: HallLedger, clock: FakeClock, hall: dict[str, UUID]
) -> None:
    wang, li = str(hall["wang"]), str(hall["li"])
    shift = done(send(client, tokens, "hall_manager", "/duty/shifts",
                      {"day": "2026-10-09", "slot": "lunch", "staff_id": wang}), 201)["id"]  # fmt: skip
    problem(send(client, tokens, "li-na", f"/duty/shifts/{shift}/release",
                 {"staff_id": wang, "substitute_id": li, "reason": "x"}), 403, "not-yourself")  # fmt: skip
    problem(send(client, tokens, "staff", f"/duty/shifts/{shift}/release",
                 {"substitute_id": None, "reason": "孩子发烧"}), 409)  # fmt: skip
    done(send(client, tokens, "staff", f"/duty/shifts/{shift}/release",
              {"substitute_id": li, "reason": "孩子发烧"}, If_Match='"1"'))  # fmt: skip
    clock.set(at(10, 9, 12, 20))
    incident = done(send(client, tokens, "inspector", "/duty/incidents",
                         {"kind": "theft", "description": "咨询台平板电脑丢失", "location": "咨询台"}))  # fmt: skip
    assert incident["extra"]["on_duty_staff_id"] == li, "the substitute was on duty"
    clock.set(at(10, 9, 13, 2))
    done(send(client, tokens, "li-na", f"/duty/shifts/{shift}/hand-over",
              {"notes": "无异常", "to_staff_id": wang}))  # fmt: skip

    credential = done(send(client, tokens, "staff", "/security/credential-incidents",
                           {"system": "金税三期", "account_holder_id": wang, "disclosed_to": "代办人员",
                            "how": "口令写在便签上"}), 201)["id"]  # fmt: skip
    done(send(client, tokens, "hall_manager", f"/security/credential-incidents/{credential}/reset",
              {"note": "已重置并培训"}))  # fmt: skip
    clock.set(at(10, 9, 17, 40))
    done(send(client, tokens, "staff", "/security/end-of-day-checks",
              {"window_id": str(hall["tax_window"]),
               "checks": {"power_off": True, "locked": True, "classified_secured": True}}), 201)  # fmt: skip
    hazard = done(send(client, tokens, "inspector", "/security/hazards",
                       {"kind": "power_strip_loose", "location": "W07 桌下", "description": "插线板悬空",
                        "window_id": str(hall["tax_window"])}), 201)["id"]  # fmt: skip
    done(send(client, tokens, "window_lead", f"/security/hazards/{hazard}/resolution", {"action": "已固定"}))
    assert topics(ledger)[-1] == "Resolved"


@pytest.mark.rules("ART5.2", "ART9.1", "ART10.1")
def test_assets_and_inventory(client: TestClient, tokens: Tokens, ledger: HallLedger, hall: dict[str, UUID]) -> None:
    wang, li = str(hall["wang"]), str(hall["li"])

    def register(asset_no: str, category: str) -> str:
        registered = send(client, tokens, "hall_manager", "/assets",
                          {"asset_no": asset_no, "category": category, "description": f"{category} {asset_no}",
                           "value": "4800.00", "department_id": str(hall["tax"]), "custodian_id": wang,
                           "window_id": str(hall["tax_window"]), "acquired_on": "2025-03-02"})  # fmt: skip
        return str(done(registered, 201)["id"])

    pc, printer = register("BH-PC-0001", "computer"), register("BH-PR-0001", "printer")
    done(send(client, tokens, "window_lead", f"/assets/{pc}/custodian", {"custodian_id": li}, If_Match='"1"'))
    done(send(client, tokens, "staff", f"/assets/{pc}/virus-checks", {"result": "clean", "tool": "360杀毒"}))
    problem(send(client, tokens, "staff", f"/assets/{printer}/moves", {"filing_ref": None}), 409)
    done(send(client, tokens, "hall_manager", f"/assets/{printer}/move-filings",
              {"filing_ref": "备案-2026-031", "reason": "发票窗口打印量大",
               "to_window_id": str(hall["tax_window_2"])}))  # fmt: skip
    done(send(client, tokens, "staff", f"/assets/{printer}/moves", {"filing_ref": "备案-2026-031"}))
    done(send(client, tokens, "inspector", f"/assets/{pc}/unfiled-moves",
              {"evidence": "巡查发现电脑在W08", "found_window_id": str(hall["tax_window_2"])}))  # fmt: skip

    count = done(send(client, tokens, "hall_manager", "/inventory-counts",
                      {"reference": "2026年第四季度抽查", "asset_ids": [pc, printer]}), 201)["id"]  # fmt: skip
    results = done(send(client, tokens, "hall_manager", f"/inventory-counts/{count}/results",
                        {"found": [{"asset_id": pc, "window_id": str(hall["tax_window_2"])}],
                         "missing": [{"asset_id": printer, "note": "未找到"}],
                         "surplus": [{"description": "一台未登记的扫描仪"}]}))  # fmt: skip
    missing, surplus = results["extra"]["discrepancy_ids"]
    done(send(client, tokens, "hall_manager", f"/inventory-counts/{count}/discrepancies/{surplus}/resolution",
              {"resolution": "not_hall_property", "note": "税务局自有设备"}))  # fmt: skip
    problem(send(client, tokens, "hall_manager", f"/inventory-counts/{count}/closure", {}), 409)
    done(send(client, tokens, "committee", f"/inventory-counts/{count}/write-off",
              {"discrepancy_ids": [missing], "approval_ref": "管委会〔2026〕21号"}))  # fmt: skip
    done(send(client, tokens, "hall_manager", f"/inventory-counts/{count}/closure", {}))


@pytest.mark.rules("ART4.2", "ART6.1", "ART11.1", "ART11.2")
def test_inspections_and_evaluations(
    client: TestClient, tokens: Tokens, ledger: HallLedger, hall: dict[str, UUID]
) -> None:
    wang, li = str(hall["wang"]), str(hall["li"])
    tax_window, tax_window_2 = str(hall["tax_window"]), str(hall["tax_window_2"])
    round_ = send(client, tokens, "inspector", "/inspection-rounds",
                  {"windows": [tax_window, tax_window_2], "started_at": at(10, 8, 8, 30).isoformat(),
                   "findings": [{"window_id": tax_window, "rule": "ART6.1", "staff_id": wang,
                                 "evidence": "工作时间玩手机", "observed_at": at(10, 8, 8, 40).isoformat()}],
                   "clean_passes": [{"window_id": tax_window_2, "observed_at": at(10, 8, 8, 45).isoformat()}]},
                  Idempotency_Key="round-2026-10-08-am")  # fmt: skip
    violations = done(round_, 201)["extra"]["violation_ids"]
    assert len(violations) == 1 and ledger.violation(UUID(violations[0])).staff_id == hall["wang"]
    cleaning = done(send(client, tokens, "hall_manager", "/cleaning-requests",
                         {"description": "W07 地面有水渍", "contractor": "物业 绿城服务", "window_id": tax_window}),
                    201)["id"]  # fmt: skip
    done(send(client, tokens, "window_lead", f"/cleaning-requests/{cleaning}/resolution", {"note": "已清洁"}))

    bad = done(send(client, tokens, "hall_manager", "/ratings",
                    {"ref": "HCP-20261008-0001", "level": "dissatisfied", "channel": "on_site",
                     "window_id": tax_window, "staff_id": wang}), 201)["id"]  # fmt: skip
    problem(send(client, tokens, "li-na", f"/ratings/{bad}/contest", {"grounds": "mistaken", "statement": "x"}),
            403, "not-your-record")  # fmt: skip
    done(send(client, tokens, "staff", f"/ratings/{bad}/contest",
              {"grounds": "malicious", "statement": "该办事人此前被拒绝违规代办"}, If_Match='"1"'))  # fmt: skip
    done(send(client, tokens, "appeal_reviewer", f"/ratings/{bad}/exclusion", {"reason": "恶意差评属实"}))
    other = done(send(client, tokens, "hall_manager", "/ratings",
                      {"ref": "HCP-20261008-0002", "level": "very_dissatisfied", "channel": "online",
                       "window_id": tax_window_2, "staff_id": li}), 201)["id"]  # fmt: skip
    done(send(client, tokens, "li-na", f"/ratings/{other}/contest", {"grounds": "mistaken", "statement": "评错了"}))
    done(send(client, tokens, "hall_manager", f"/ratings/{other}/upholding", {"reason": "录像显示态度生硬"}))

    complaint = done(send(client, tokens, "staff", "/complaints",
                          {"channel": "hotline", "window_id": tax_window_2, "summary": "等候时间过长",
                           "staff_id": li}), 201)["id"]  # fmt: skip
    done(send(client, tokens, "inspector", f"/complaints/{complaint}/verification", {"finding": "属实"}))
    unfounded = done(send(client, tokens, "staff", "/complaints",
                          {"channel": "online", "window_id": tax_window, "summary": "收费问题"}),
                     201)["id"]  # fmt: skip
    done(send(client, tokens, "inspector", f"/complaints/{unfounded}/unfounded", {"reason": "依法收费"}))
    praise = done(send(client, tokens, "hall_manager", "/praise",
                       {"kind": "silk_banner", "staff_ids": [wang], "from_organisation": "北海精密机械有限公司"}),
                  201)["id"]  # fmt: skip
    done(send(client, tokens, "committee", "/commendations",
              {"kind": "service_star", "title": "十月服务之星", "reason": "群众赠送锦旗",
               "decision_ref": "管委会〔2026〕30号", "staff_ids": [wang], "basis": [praise]}), 201)  # fmt: skip
    assert topics(ledger)[-1] == "Awarded"


@pytest.mark.rules("ART11.1", "ART11.2")
def test_hall_days_and_assessments(
    client: TestClient, tokens: Tokens, ledger: HallLedger, clock: FakeClock, hall: dict[str, UUID]
) -> None:
    opened = send(client, tokens, "hall_manager", "/hall-days", {"day": "2026-10-08"})
    assert done(opened, 201) and opened.headers["location"] == "/api/v1/hall-days/2026-10-08"
    problem(send(client, tokens, "hall_manager", "/hall-days", {"day": "2026-10-08"}), 409)
    clock.set(at(10, 8, 17, 30))
    done(send(client, tokens, "hall_manager", "/hall-days/2026-10-08/closure", {}))
    problem(send(client, tokens, "hall_manager", "/hall-days/2026-10-32/closure", {}), 422)

    given_confirmed_violation(ledger, hall["wang"], rule="ART6.1", when=at(9, 15))
    problem(send(client, tokens, "committee", "/assessments/2026-09/publication", {}), 403, "not-permitted")
    published = done(send(client, tokens, "hall_manager", "/assessments/2026-09/publication", {}))
    assert published["extra"]["people"] == 2
    problem(send(client, tokens, "hall_manager", "/assessments/2026-09/publication", {}), 409)
    late = given_confirmed_violation(ledger, hall["li"], rule="ART6.1", when=at(9, 20))
    assert ledger.violation(late).status == CONFIRMED
    amended = done(send(client, tokens, "hall_manager", "/assessments/2026-09/amendment",
                        {"reason": "九月违规补录"}))  # fmt: skip
    assert amended["extra"]["digest"] != published["extra"]["digest"]
    done(
        send(client, tokens, "committee", "/assessments/2026/reviews", {"staff_id": str(hall["wang"]), "score": "92.5"})
    )
    problem(send(client, tokens, "committee", "/assessments/2026-Q5/reviews", {"staff_id": str(hall["wang"]),
                                                                              "score": "90"}), 422)  # fmt: skip
