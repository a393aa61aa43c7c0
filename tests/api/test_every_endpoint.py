"""Every command endpoint, one by one: an unknown field is a 422 naming it (a body can never
name the actor), and an unknown id is a 404 naming the input that holds it — nothing written."""

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
}
COMMANDS = sorted(k for k in ACCESS if k.startswith("POST ") and k != "POST /api/v1/hall")


def test_every_command_endpoint_is_listed_here() -> None:
    assert sorted(MINIMAL) == COMMANDS


def call(client: TestClient, tokens: Tokens, key: str, body: dict[str, Any]) -> Any:
    method, path = key.split(" ", 1)
    role = sorted(ACCESS[key])[0]
    url = re.sub(r"\{[a-z_]+\}", lambda _: str(uuid4()), path)
    return client.request(method, url, json=body, headers=tokens.headers(role))


@pytest.mark.parametrize("key", COMMANDS)
def test_unknown_fields_422_and_unknown_ids_404(
    client: TestClient, tokens: Tokens, ledger: HallLedger, key: str
) -> None:
    body, field = MINIMAL[key]
    refused = problem(call(client, tokens, key, body | {"actor": {"id": "mgr-zhang"}}), 422, "validation-failed")
    assert refused["field"] == "actor" and refused["errors"][0]["type"] == "extra_forbidden"
    missing = problem(call(client, tokens, key, body), 404, "not-found")
    assert missing["field"] == field, missing
    assert positions(ledger) == 0
