"""The role × endpoint matrix: every role gets exactly the access of service/api/access.py,
and dashboard (and auditor) never see a personal field."""

from __future__ import annotations

import json
import re
from uuid import uuid4

import pytest
from fastapi import FastAPI

from domain.envelope import Actor
from service.api.access import ACCESS, DASHBOARD, PERSONAL_DATA_ROLES, PUBLIC, ROLES, endpoint_key, routes_of
from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens, problem
from tests.givens import given_hall, given_staff


def endpoints(app: FastAPI) -> list[tuple[str, str]]:
    return sorted({(m, p) for m, p, _ in routes_of(app) if m != "HEAD"})


#: path parameters that are not ids
SAMPLES = {"{event_type}": "Violation.Recorded", "{period}": "2026-10", "{day}": "2026-10-08"}


def concrete(path: str) -> str:
    url = re.sub(r"\{[a-z_]+\}", lambda m: SAMPLES.get(m.group(), str(uuid4())), path)
    return url + ("?follow=false" if url.endswith("/events/stream") else "")


def test_the_table_covers_every_route_and_nothing_else(app: FastAPI) -> None:
    keys = {endpoint_key(m, p) for m, p in endpoints(app)}
    assert set(ACCESS) <= keys, f"stale entries: {set(ACCESS) - keys}"
    unlisted = keys - set(ACCESS) - PUBLIC
    assert not unlisted, f"routes nobody may call (add them to access.py): {unlisted}"
    assert not set(ACCESS) & PUBLIC
    for roles in ACCESS.values():
        assert roles and roles <= ROLES


def test_every_role_gets_exactly_its_access(app: FastAPI, client: TestClient, tokens: Tokens) -> None:
    checked = 0
    for method, path in endpoints(app):
        key = endpoint_key(method, path)
        url = concrete(path)
        send = {"json": {}} if method == "POST" else {}
        if key in PUBLIC:
            response = client.request(method, url, **send)
            assert response.status_code not in (401, 403), (key, response.text)
            continue
        problem(client.request(method, url, **send), 401, "unauthenticated")
        for role in sorted(ROLES):
            response = client.request(method, url, headers=tokens.headers(role), **send)
            if role in ACCESS[key]:
                denied = response.status_code == 403 and response.json().get("code") == "role-not-allowed"
                assert not denied and response.status_code != 401, (key, role, response.text)
                assert response.status_code < 500, (key, role, response.text)
            else:
                problem(response, 403, "role-not-allowed")
            checked += 1
    assert checked == len(ACCESS) * len(ROLES)


@pytest.fixture
def consultation(ledger: HallLedger) -> dict[str, str]:
    """A reception record (ART2.5.2) whose client's name and contact are sealed personal data."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clear = {"client_name": "李明", "client_contact": "13800138000", "client_organisation": "北海精密机械有限公司"}
    ledger.record_consultation(Actor("wang-fang", "staff"), staff_id=staff, matter="企业开办咨询", **clear)
    return clear


def test_dashboard_and_auditor_never_see_a_personal_field(
    client: TestClient, tokens: Tokens, consultation: dict[str, str]
) -> None:
    for role in ("dashboard", "auditor", "committee"):  # the feed readers without personal data
        assert role not in PERSONAL_DATA_ROLES
        page = client.get("/api/v1/events?type=ConsultationRecorded", headers=tokens.headers(role))
        assert page.status_code == 200, page.text
        stream = client.get("/api/v1/events/stream?follow=false", headers=tokens.headers(role))
        for text in (page.text, stream.text):
            for value in consultation.values():
                assert value not in text
            assert "ciphertext" not in text
        event = page.json()["events"][0]
        assert set(event["data"]["client_name"]) == {"subject", "commitment"}


def test_roles_allowed_personal_data_see_it_through_the_vault(
    client: TestClient, tokens: Tokens, consultation: dict[str, str]
) -> None:
    assert "hall_manager" in PERSONAL_DATA_ROLES
    page = client.get("/api/v1/events?type=Consultation.ConsultationRecorded", headers=tokens.headers("hall_manager"))
    event = page.json()["events"][0]
    assert event["data"]["client_name"] == consultation["client_name"]
    assert event["data"]["client_contact"] == consultation["client_contact"]
    assert json.dumps(event, ensure_ascii=False).count("ciphertext") == 0


def test_dashboard_reads_aggregates_only(ledger: HallLedger, app: FastAPI, client: TestClient, tokens: Tokens) -> None:
    """Every read model answer a dashboard may have names no person: no staff id, name or staff
    number, no citizen's data — only windows, departments and the hall (DOMAIN-RESEARCH §5)."""
    from projections.registry import all_models
    from projections.runner import ProjectionRunner
    from tests.givens import at, given_confirmed_violation

    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    given_confirmed_violation(ledger, wang, rule="ART2.1", when=at(10, 8, 8))
    clear = {"client_name": "李明", "client_contact": "13800138000"}
    ledger.record_consultation(Actor("wang-fang", "staff"), staff_id=wang, matter="企业开办咨询", **clear)
    runner = ProjectionRunner(ledger, all_models())
    runner.prepare()
    runner.catch_up()
    personal = [str(wang), str(li), "王芳", "李娜", "S001", "S002", *clear.values()]
    reads = [
        key for key, roles in ACCESS.items()
        if DASHBOARD in roles and key.startswith("GET ") and "/events" not in key and "/ledger/" not in key
    ]  # fmt: skip
    assert {"GET /api/v1/kpis", "GET /api/v1/assessments/{period}/windows"} <= set(reads)
    for key in reads:
        url = key.split(" ", 1)[1].replace("{period}", "2026-10")
        response = client.get(url, headers=tokens.headers("dashboard"))
        assert response.status_code == 200, (key, response.text)
        for value in personal:
            assert value not in response.text, (key, value)
        assert '"staff_id"' not in response.text, key
