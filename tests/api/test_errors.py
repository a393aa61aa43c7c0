"""Every error is an RFC 9457 problem naming the field at fault; no input produces a 500."""

from __future__ import annotations

import json
from uuid import uuid4

from fastapi import FastAPI

from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens, problem
from tests.givens import at, given_confirmed_violation, given_hall, given_staff, positions


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    body = problem(client.post("/api/v1/violations", json={}), 401, "unauthenticated")
    assert body["field"] == "Authorization" and body["instance"] == "/api/v1/violations"
    response = client.get("/api/v1/events")
    problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_bad_or_revoked_token_is_401(client: TestClient, tokens: Tokens, app: FastAPI) -> None:
    for header in ("Bearer hlt_not-a-token", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "):
        problem(client.get("/api/v1/events", headers={"Authorization": header}), 401)
    assert client.get("/api/v1/events", headers=tokens.headers("dashboard")).status_code == 200
    app.state.services.tokens.revoke("dash-board")
    response = client.get("/api/v1/events", headers=tokens.headers("dashboard"))
    problem(response, 401)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_a_role_that_may_not_act_is_403(client: TestClient, tokens: Tokens) -> None:
    body = problem(
        client.post("/api/v1/violations", json={}, headers=tokens.headers("dashboard")), 403, "role-not-allowed"
    )
    assert "dashboard" in body["detail"] and "POST /api/v1/violations" in body["detail"]


def test_unknown_route_404_and_wrong_method_405(client: TestClient) -> None:
    problem(client.get("/api/v1/nowhere"), 404, "not-found")
    response = client.delete("/api/v1/violations")
    problem(response, 405, "method-not-allowed")
    assert "POST" in response.headers["allow"]


def test_unknown_id_is_404_naming_the_field(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    before = positions(ledger)
    body = problem(
        client.post(f"/api/v1/violations/{uuid4()}/confirmation", json={}, headers=tokens.headers("inspector")),
        404,
        "not-found",
    )
    assert body["field"] == "violation_id"
    body = problem(client.get(f"/api/v1/appeals/{uuid4()}", headers=tokens.headers("hall_manager")), 404)
    assert body["field"] == "appeal_id"
    assert positions(ledger) == before


def test_validation_names_each_field_with_a_json_pointer(client: TestClient, tokens: Tokens) -> None:
    body = problem(
        client.post(
            "/api/v1/violations",
            json={"rule": "six point five", "evidence_refs": ["ok", 7], "actor": "someone-else"},
            headers=tokens.headers("inspector"),
        ),
        422,
        "validation-failed",
    )
    by_field = {e["field"]: e for e in body["errors"]}
    assert {"rule", "evidence", "evidence_refs.1", "actor"} <= set(by_field)
    assert by_field["evidence_refs.1"]["pointer"] == "#/evidence_refs/1"
    assert by_field["actor"]["type"] == "extra_forbidden", "a body can never name the actor"
    assert body["field"] in by_field


def test_malformed_json_and_hostile_text_are_422(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    headers = tokens.headers("inspector") | {"Content-Type": "application/json"}
    body = problem(client.post("/api/v1/violations", content=b'{"rule": "ART6.5",', headers=headers), 422)
    assert body["errors"][0]["type"] == "json_invalid"
    for evidence in ("nul\u0000byte", "bell\u0007", "\ud800 lone surrogate"):
        body = problem(
            client.post(
                "/api/v1/violations",
                content=json.dumps({"rule": "ART6.5", "evidence": evidence}).encode(),
                headers=headers,
            ),
            422,
        )
        assert body["field"] == "evidence"
    # dates and times out of range would overflow date arithmetic: refused up front
    for when in ("0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00", "2026-10-08T09:00:00"):
        body = problem(
            client.post(
                "/api/v1/violations",
                json={"rule": "ART6.5", "evidence": "x", "occurred_at": when},
                headers=tokens.headers("inspector"),
            ),
            422,
        )
        assert body["field"] == "occurred_at"
    assert positions(ledger) == 0


def test_query_and_header_errors_name_them(client: TestClient, tokens: Tokens) -> None:
    body = problem(client.get("/api/v1/events?limit=0", headers=tokens.headers("auditor")), 422)
    assert body["field"] == "limit" and body["errors"][0]["in"] == "query"
    body = problem(client.get("/api/v1/events?after=99999999999999999999", headers=tokens.headers("auditor")), 422)
    assert body["field"] == "after"
    body = problem(
        client.post("/api/v1/hall", json={}, headers=tokens.headers("hall_manager", Idempotency_Key="has space")),
        422,
    )
    assert "Idempotency-Key" in {e["field"] for e in body["errors"]}
    body = problem(
        client.post(
            f"/api/v1/violations/{uuid4()}/confirmation",
            json={},
            headers=tokens.headers("inspector", If_Match="version three"),
        ),
        422,
    )
    assert body["field"] == "If-Match"


def test_domain_refusals_carry_status_code_rule_and_field(
    client: TestClient, tokens: Tokens, ledger: HallLedger
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 1))
    before = positions(ledger)
    # no admonishment yet: the ladder refuses a suspension (409, ART2.1.3)
    body = problem(
        client.post(
            f"/api/v1/staff/{staff}/suspensions",
            json={"basis": [str(first)], "start": "2026-10-08"},
            headers=tokens.headers("committee"),
        ),
        409,
        "invariant-violated",
    )
    assert body["rule"] == "ART2.1.3@2026.1" and body["field"] == "basis"
    # an unknown item of a rule (422, naming the rule)
    body = problem(
        client.post(
            "/api/v1/violations",
            json={"rule": "ART6.5", "item": "no_such_item", "evidence": "x", "staff_id": str(staff)},
            headers=tokens.headers("inspector"),
        ),
        422,
        "invalid-input",
    )
    assert body["rule"] == "ART6.5" and body["field"] == "item"
    # four eyes: the recorder cannot confirm (403 from the domain, not the access table)
    recorded = client.post(
        "/api/v1/violations",
        json={"rule": "ART6.5", "evidence": "empty post at 10:20", "staff_id": str(staff)},
        headers=tokens.headers("inspector"),
    ).json()["id"]
    body = problem(
        client.post(f"/api/v1/violations/{recorded}/confirmation", json={}, headers=tokens.headers("inspector")),
        403,
        "not-permitted",
    )
    assert body["rule"] == "ART6.5" and body["field"] == "actor"
    assert positions(ledger) == before + 1


def test_oversize_bodies_are_413_declared_or_streamed(app: FastAPI, tokens: Tokens, ledger: HallLedger) -> None:
    limit = app.state.services.settings.api_max_body_bytes
    big = b'{"rule": "ART6.5", "evidence": "' + b"x" * limit + b'"}'
    with TestClient(app) as client:
        headers = tokens.headers("inspector") | {"Content-Type": "application/json"}
        body = problem(client.post("/api/v1/violations", content=big, headers=headers), 413, "content-too-large")
        assert str(limit) in body["detail"]

        def chunks():  # no Content-Length: the body streams in (chunked)
            for start in range(0, len(big), 65536):
                yield big[start : start + 65536]

        problem(client.post("/api/v1/violations", content=chunks(), headers=headers), 413, "content-too-large")
        # even an unauthenticated request or an unknown route
        problem(client.post("/api/v1/nowhere", content=big), 413)
    assert positions(ledger) == 0
