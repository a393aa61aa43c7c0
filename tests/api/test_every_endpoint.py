"""Every command endpoint, one by one: an unknown field is a 422 naming it (a body can never
name the actor), and an unknown id is a 404 naming the input that holds it — nothing written.
(A few commands name no id that could be unknown: their refusal on an empty ledger is given.)"""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import pytest

from service.api.access import ACCESS
from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens, problem
from tests.givens import positions

ID = "00000000-0000-4000-8000-000000000000"  # a well-formed id that names nothing

#: a minimal valid body per command endpoint, and the input whose unknown id answers 404
MINIMAL: dict[str, tuple[dict[str, Any], str]] = {
    "POST /api/v1/departments": ({"code": "tax", "name_zh": "税务局", "name_en": "Tax"}, "hall_id"),
    "POST /api/v1/departments/{department_id}/leader-in-charge": ({"leader_name": "刘强"}, "department_id"),
    "POST /api/v1/windows": (
        {"code": "W07", "name_zh": "税务窗口", "name_en": "Tax", "department_id": ID},
        "department_id",
    ),
    "POST /api/v1/windows/{window_id}/closure": ({"reason": "merged"}, "window_id"),
    "POST /api/v1/staff": ({"staff_no": "S001", "name": "王芳", "department_id": ID}, "department_id"),
    "POST /api/v1/staff/{staff_id}/posting": ({"window_id": ID, "start": "2026-10-08"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/move": ({"window_id": ID, "start": "2026-10-08"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/committee-consents": ({"kind": "replacement", "decision_ref": "x"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/replacement-demands": ({"grounds": "x", "due": "2026-11-01"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/posting-end": ({"end": "2026-10-08", "reason": "rotation"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/replacement": ({"successor_id": ID, "start": "2026-10-08"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/recall": ({"end": "2026-10-08", "note": "x"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/departure": ({"on": "2026-10-08", "reason": "x"}, "staff_id"),
    "POST /api/v1/violations": ({"rule": "ART6.5", "evidence": "x", "staff_id": ID}, "staff_id"),
    "POST /api/v1/violations/{violation_id}/confirmation": ({}, "violation_id"),
    "POST /api/v1/violations/{violation_id}/dismissal": ({"reason": "x"}, "violation_id"),
    "POST /api/v1/violations/{violation_id}/revocation": ({"reason": "x"}, "violation_id"),
    "POST /api/v1/violations/{violation_id}/amendment": ({"rule": "ART7.5", "reason": "x"}, "violation_id"),
    "POST /api/v1/staff/{staff_id}/admonishments": (
        {"basis": [ID], "remedy": "x", "remedy_due": "2026-10-15"},
        "staff_id",
    ),
    "POST /api/v1/staff/{staff_id}/admonishments/{admonishment_id}/remedy-completion": ({"note": "x"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/admonishments/{admonishment_id}/rescission": ({"reason": "x"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/suspensions": ({"basis": [ID], "start": "2026-10-08"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/removals": ({"basis": [ID], "effective": "2026-10-08"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/sanctions/{decision_id}/reinstatement": ({"note": "x"}, "staff_id"),
    "POST /api/v1/staff/{staff_id}/sanctions/{decision_id}/rescission": ({"reason": "x"}, "staff_id"),
    "POST /api/v1/appeals": ({"target": {"kind": "violation", "id": ID}, "grounds": "x"}, "target.id"),
    "POST /api/v1/appeals/{appeal_id}/reviewer": ({"reviewer": "rev-sun"}, "appeal_id"),
    "POST /api/v1/appeals/{appeal_id}/decision": ({"outcome": "upheld", "reasons": "x"}, "appeal_id"),
    # ── first inquiries ──
    "POST /api/v1/inquiries": (
        {"channel": "hall", "first_responder_id": ID, "client_ref": "client-0001", "topic": "x"},
        "first_responder_id",
    ),
    "POST /api/v1/inquiries/{inquiry_id}/handling": ({"outcome": "x"}, "inquiry_id"),
    "POST /api/v1/inquiries/{inquiry_id}/hand-over": ({"contact_method": "phone", "contacted": "x"}, "inquiry_id"),
    "POST /api/v1/inquiries/{inquiry_id}/escalation": ({"leader": "x", "reason": "x"}, "inquiry_id"),
    "POST /api/v1/inquiries/{inquiry_id}/result": ({"result": "x"}, "inquiry_id"),
    "POST /api/v1/inquiries/{inquiry_id}/closure": ({}, "inquiry_id"),
    # ── applications ──
    "POST /api/v1/applications": (
        {"matter_code": "TAX-0101", "matter_name": "x", "window_id": ID, "staff_id": ID, "applicant_ref": "app-01"},
        "window_id",
    ),
    "POST /api/v1/applications/{case_id}/one-time-notices": (
        {
            "missing_materials": [{"name": "x"}],
            "procedure": "x",
            "time_limit_working_days": 5,
            "fees": "x",
            "legal_basis": "x",
            "materials_list_id": "x",
        },
        "case_id",
    ),
    "POST /api/v1/applications/{case_id}/resubmission": ({"materials": ["x"]}, "case_id"),
    "POST /api/v1/applications/{case_id}/acceptance": ({"committed_working_days": 5}, "case_id"),
    "POST /api/v1/applications/{case_id}/on-the-spot-completion": ({"result": "x"}, "case_id"),
    "POST /api/v1/applications/{case_id}/suspension": ({"reason": "x"}, "case_id"),
    "POST /api/v1/applications/{case_id}/resumption": ({}, "case_id"),
    "POST /api/v1/applications/{case_id}/extension": (
        {"extra_working_days": 5, "reason": "x"},
        "case_id",
    ),
    "POST /api/v1/applications/{case_id}/completion": ({"result": "x"}, "case_id"),
    "POST /api/v1/applications/{case_id}/rejection": ({"reason": "x", "legal_basis": "x"}, "case_id"),
    # ── disclosure ──
    "POST /api/v1/publications": (
        {"staff_id": ID, "category": "business", "title": "x", "reference": "x"},
        "staff_id",
    ),
    "POST /api/v1/publications/{publication_id}/withdrawal": ({"reason": "x"}, "publication_id"),
    "POST /api/v1/disclosure-requests": (
        {"received_by": ID, "requester_ref": "requester-01", "description": "x"},
        "received_by",
    ),
    "POST /api/v1/disclosure-requests/{request_id}/correction-request": (
        {"items": ["x"], "correction_due": "2026-10-20"},
        "request_id",
    ),
    "POST /api/v1/disclosure-requests/{request_id}/correction": ({}, "request_id"),
    "POST /api/v1/disclosure-requests/{request_id}/extension": (
        {"extra_working_days": 5, "reason": "x"},
        "request_id",
    ),
    "POST /api/v1/disclosure-requests/{request_id}/answer": ({"outcome": "disclosed", "summary": "x"}, "request_id"),
    "POST /api/v1/disclosure-requests/{request_id}/abandonment": ({}, "request_id"),
    # ── consultations and personal data ──
    "POST /api/v1/consultations": (
        {"staff_id": ID, "client_name": "x", "client_contact": "x", "matter": "x"},
        "staff_id",
    ),
    "POST /api/v1/consultations/{consultation_id}/answer": ({"answer": "x"}, "consultation_id"),
    "POST /api/v1/consultations/{consultation_id}/referral": ({"where": "x", "how": "x"}, "consultation_id"),
    "POST /api/v1/consultations/{consultation_id}/out-of-scope": (
        {"kind": "not_hall_business", "reason": "x"},
        "consultation_id",
    ),
    "POST /api/v1/consultations/{consultation_id}/handling-limits": (
        {"kind": "cannot_be_handled", "reason": "x", "guidance": "x"},
        "consultation_id",
    ),
    "POST /api/v1/personal-data/erasures": ({"subject": "client-0001", "reason": "x"}, "subject"),
    # ── attendance and leave ──
    "POST /api/v1/attendance/clock-ins": ({"staff_id": ID, "device": "x"}, "staff_id"),
    "POST /api/v1/attendance/clock-outs": ({"staff_id": ID, "device": "x"}, "staff_id"),
    "POST /api/v1/attendance/absences": (
        {"staff_id": ID, "left_at": "2026-10-08T08:00:00+08:00", "notice_displayed": True},
        "staff_id",
    ),
    "POST /api/v1/attendance/absences/{absence_id}/return": ({"staff_id": ID}, "staff_id"),
    "POST /api/v1/leave-requests": (
        {
            "staff_id": ID,
            "leave_type": "annual",
            "starts": "2026-10-09T08:30:00+08:00",
            "ends": "2026-10-09T17:00:00+08:00",
        },
        "staff_id",
    ),
    "POST /api/v1/leave-requests/{leave_id}/approval": ({}, "leave_id"),
    "POST /api/v1/leave-requests/{leave_id}/refusal": ({"reason": "x"}, "leave_id"),
    "POST /api/v1/leave-requests/{leave_id}/report-back": ({}, "leave_id"),
    # ── duty and security ──
    "POST /api/v1/duty/shifts": ({"day": "2026-10-09", "slot": "lunch", "staff_id": ID}, "staff_id"),
    "POST /api/v1/duty/shifts/{shift_id}/release": (
        {"staff_id": ID, "substitute_id": None, "reason": "x"},
        "shift_id",
    ),
    "POST /api/v1/duty/shifts/{shift_id}/hand-over": ({"notes": "x"}, "shift_id"),
    "POST /api/v1/duty/incidents": (
        {"kind": "fire", "description": "x", "location": "x", "shift_id": ID},
        "shift_id",
    ),
    "POST /api/v1/security/credential-incidents": (
        {"system": "x", "account_holder_id": ID, "disclosed_to": "x", "how": "x"},
        "account_holder_id",
    ),
    "POST /api/v1/security/credential-incidents/{incident_id}/reset": ({"note": "x"}, "incident_id"),
    "POST /api/v1/security/end-of-day-checks": ({"window_id": ID, "checks": {"power_off": True}}, "window_id"),
    "POST /api/v1/security/hazards": (
        {"kind": "fire_risk", "location": "x", "description": "x", "window_id": ID},
        "window_id",
    ),
    "POST /api/v1/security/hazards/{hazard_id}/resolution": ({"action": "x"}, "hazard_id"),
    # ── assets ──
    "POST /api/v1/assets": (
        {
            "asset_no": "PC-1",
            "category": "computer",
            "description": "x",
            "value": "4800.00",
            "department_id": ID,
            "custodian_id": ID,
        },
        "department_id",
    ),
    "POST /api/v1/assets/{asset_id}/custodian": ({"custodian_id": ID}, "asset_id"),
    "POST /api/v1/assets/{asset_id}/move-filings": ({"filing_ref": "x", "reason": "x"}, "asset_id"),
    "POST /api/v1/assets/{asset_id}/moves": ({"filing_ref": "x"}, "asset_id"),
    "POST /api/v1/assets/{asset_id}/unfiled-moves": ({"evidence": "x"}, "asset_id"),
    "POST /api/v1/assets/{asset_id}/virus-checks": ({"result": "clean", "tool": "x"}, "asset_id"),
    "POST /api/v1/inventory-counts": ({"reference": "x", "asset_ids": [ID]}, "asset_ids"),
    "POST /api/v1/inventory-counts/{count_id}/results": ({"found": [{"asset_id": ID}]}, "count_id"),
    "POST /api/v1/inventory-counts/{count_id}/discrepancies/{discrepancy_id}/resolution": (
        {"resolution": "located", "note": "x"},
        "count_id",
    ),
    "POST /api/v1/inventory-counts/{count_id}/write-off": ({"discrepancy_ids": [ID], "approval_ref": "x"}, "count_id"),
    "POST /api/v1/inventory-counts/{count_id}/closure": ({}, "count_id"),
    # ── inspection rounds and cleaning ──
    "POST /api/v1/inspection-rounds": ({"windows": [ID], "started_at": "2026-10-08T08:00:00+08:00"}, "windows[0]"),
    "POST /api/v1/cleaning-requests": ({"description": "x", "contractor": "x", "window_id": ID}, "window_id"),
    "POST /api/v1/cleaning-requests/{request_id}/resolution": ({"note": "x"}, "request_id"),
    # ── ratings, complaints, praise, commendations ──
    "POST /api/v1/ratings": (
        {"ref": "R-1", "level": "dissatisfied", "channel": "on_site", "window_id": ID, "staff_id": ID},
        "window_id",
    ),
    "POST /api/v1/ratings/{rating_id}/contest": ({"grounds": "mistaken", "statement": "x"}, "rating_id"),
    "POST /api/v1/ratings/{rating_id}/exclusion": ({"reason": "x"}, "rating_id"),
    "POST /api/v1/ratings/{rating_id}/upholding": ({"reason": "x"}, "rating_id"),
    "POST /api/v1/complaints": ({"channel": "hotline", "window_id": ID, "summary": "x"}, "window_id"),
    "POST /api/v1/complaints/{complaint_id}/verification": ({"finding": "x"}, "complaint_id"),
    "POST /api/v1/complaints/{complaint_id}/unfounded": ({"reason": "x"}, "complaint_id"),
    "POST /api/v1/praise": ({"kind": "letter", "staff_ids": [ID]}, "staff_ids"),
    "POST /api/v1/commendations": (
        {"kind": "service_star", "title": "x", "reason": "x", "decision_ref": "x", "staff_ids": [ID]},
        "staff_ids",
    ),
    # ── hall days and assessments ──
    "POST /api/v1/hall-days": ({"day": "2026-10-08"}, "hall_id"),
    "POST /api/v1/assessments/{period}/reviews": ({"staff_id": ID, "score": "90"}, "staff_id"),
}
#: commands that name no id an empty ledger could lack: the refusal they meet there instead
REFUSED: dict[str, tuple[dict[str, Any], int, str]] = {
    "POST /api/v1/hall-days/{day}/closure": ({}, 409, "day"),
    "POST /api/v1/assessments/{period}/publication": ({}, 409, "period"),
    "POST /api/v1/assessments/{period}/amendment": ({"reason": "x"}, 409, "period"),
}
#: path parameters that are not ids
PATH_VALUES = {"{day}": "2026-10-08"}
COMMANDS = sorted(k for k in ACCESS if k.startswith("POST ") and k != "POST /api/v1/hall")


def test_every_command_endpoint_is_listed_here() -> None:
    assert sorted([*MINIMAL, *REFUSED]) == COMMANDS
    assert not set(MINIMAL) & set(REFUSED)


def call(client: TestClient, tokens: Tokens, key: str, body: dict[str, Any]) -> Any:
    method, path = key.split(" ", 1)
    role = sorted(ACCESS[key])[0]
    # the first role allowed is the committee: it publishes, amends and reviews a year's results
    path = path.replace("{period}", "2026")
    url = re.sub(r"\{[a-z_]+\}", lambda m: PATH_VALUES.get(m.group(), str(uuid4())), path)
    return client.request(method, url, json=body, headers=tokens.headers(role))


@pytest.mark.parametrize("key", COMMANDS)
def test_unknown_fields_422_and_unknown_ids_404(
    client: TestClient, tokens: Tokens, ledger: HallLedger, key: str
) -> None:
    if key in MINIMAL:
        body, field = MINIMAL[key]
        status = 404
    else:
        body, status, field = REFUSED[key]
    refused = problem(call(client, tokens, key, body | {"actor": {"id": "mgr-zhang"}}), 422, "validation-failed")
    assert refused["field"] == "actor" and refused["errors"][0]["type"] == "extra_forbidden"
    missing = problem(call(client, tokens, key, body), status, "not-found" if status == 404 else None)
    assert missing["field"] == field, missing
    assert positions(ledger) == 0
