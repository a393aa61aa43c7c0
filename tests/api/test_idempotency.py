"""Idempotency-Key: a retried command writes nothing new and returns the original response;
concurrent retries produce exactly one event; an abandoned claim expires."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from service.api.commands import idempotent_id
from service.api.idempotency import Claim, IdempotencyStore, request_fingerprint
from service.api.routes.violations import RecordViolation
from service.application import HallLedger
from tests.api.conftest import LiveServer, TestClient, Tokens, problem
from tests.givens import at, given_confirmed_violation, given_hall, given_staff, positions, topics


def violation_body(staff: Any, evidence: str = "empty post 10:20-10:45") -> dict[str, Any]:
    return {"rule": "ART6.5", "item": "left_post", "staff_id": str(staff), "evidence": evidence}


def test_a_retry_replays_the_original_response(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    headers = tokens.headers("inspector", Idempotency_Key="7d1c0c8e-insp-li-0001")
    first = client.post("/api/v1/violations", json=violation_body(staff), headers=headers)
    assert first.status_code == 201, first.text
    after_first = positions(ledger)
    again = client.post("/api/v1/violations", json=violation_body(staff), headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["location"] == first.headers["location"] and again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert positions(ledger) == after_first
    # the key may be quoted as a structured-field string (draft-ietf-httpapi-idempotency-key-header)
    quoted = client.post(
        "/api/v1/violations",
        json=violation_body(staff),
        headers=tokens.headers("inspector", Idempotency_Key='"7d1c0c8e-insp-li-0001"'),
    )
    assert quoted.json() == first.json() and positions(ledger) == after_first


def test_the_same_key_with_another_body_is_422(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    headers = tokens.headers("inspector", Idempotency_Key="key-1")
    recorded = client.post("/api/v1/violations", json=violation_body(staff), headers=headers)
    assert recorded.status_code == 201
    before = positions(ledger)
    body = problem(
        client.post("/api/v1/violations", json=violation_body(staff, "another breach"), headers=headers),
        422,
        "idempotency-key-reused",
    )
    assert body["field"] == "Idempotency-Key"
    # another endpoint under the same key is another request too
    problem(
        client.post(f"{recorded.headers['location']}/dismissal", json={"reason": "x"}, headers=headers),
        422,
        "idempotency-key-reused",
    )
    assert positions(ledger) == before


def test_keys_belong_to_their_actor(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    for who in ("inspector", "insp-wu"):
        response = client.post(
            "/api/v1/violations", json=violation_body(staff), headers=tokens.headers(who, Idempotency_Key="shared")
        )
        assert response.status_code == 201
    assert topics(ledger).count("Recorded") == 2


def test_a_refused_command_is_not_stored_and_may_be_retried(
    client: TestClient, tokens: Tokens, ledger: HallLedger
) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 21))
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 28))
    suspension = {"basis": [str(first), str(repeat)], "start": "2026-10-08"}
    headers = tokens.headers("hall_manager", Idempotency_Key="suspend-wang")
    problem(client.post(f"/api/v1/staff/{staff}/suspensions", json=suspension, headers=headers), 409)
    ledger.issue_admonishment(
        ledger_actor("hall_manager"), staff_id=staff, basis=[first], remedy="retraining",
        remedy_due=at(9, 30).date(), occurred_at=at(9, 22),
    )  # fmt: skip
    retried = client.post(f"/api/v1/staff/{staff}/suspensions", json=suspension, headers=headers)
    assert retried.status_code == 201, retried.text
    assert client.post(f"/api/v1/staff/{staff}/suspensions", json=suspension, headers=headers).json() == retried.json()


def ledger_actor(role: str) -> Any:
    from domain.envelope import Actor
    from tests.api.conftest import IDENTITIES

    return Actor(IDENTITIES[role], role)


def test_concurrent_retries_write_one_event(app: FastAPI, tokens: Tokens, ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    before = positions(ledger)
    callers = 8
    barrier = threading.Barrier(callers)
    responses: list[httpx.Response] = []
    lock = threading.Lock()
    with LiveServer(app) as server:

        def retry() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as http:
                barrier.wait()
                response = http.post(
                    "/api/v1/violations",
                    json=violation_body(staff),
                    headers=tokens.headers("inspector", Idempotency_Key="the-same-key"),
                )
            with lock:
                responses.append(response)

        threads = [threading.Thread(target=retry) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [r.status_code for r in responses] == [201] * callers, [r.text for r in responses]
    assert len({r.text for r in responses}) == 1, "every caller gets the same response"
    assert sum(1 for r in responses if r.headers.get("idempotent-replayed")) == callers - 1
    assert positions(ledger) == before + 1
    assert topics(ledger, before) == ["Recorded"]


def test_an_abandoned_claim_expires_and_is_taken_over(app: FastAPI, tokens: Tokens, ledger: HallLedger) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    body = violation_body(staff)
    fingerprint = request_fingerprint(
        "POST", "/api/v1/violations", RecordViolation(**body).model_dump(mode="json"), None
    )
    # a process claimed the key a minute ago and died before executing (its lease is over)
    long_ago = IdempotencyStore(ledger, claim_seconds=30, now=lambda: datetime.now(UTC) - timedelta(minutes=1))
    assert isinstance(long_ago.begin("insp-li", "crashed-1", fingerprint), Claim)
    before = positions(ledger)
    with TestClient(app) as client:
        response = client.post(
            "/api/v1/violations", json=body, headers=tokens.headers("inspector", Idempotency_Key="crashed-1")
        )
    assert response.status_code == 201, response.text
    assert positions(ledger) == before + 1


def test_a_command_committed_before_a_crash_is_not_recorded_twice(
    app: FastAPI, tokens: Tokens, ledger: HallLedger
) -> None:
    """The crash window (events committed, response not stored): the retry re-executes, and
    the id derived from the key makes the store refuse the duplicate."""
    staff = given_staff(ledger, given_hall(ledger))
    body = violation_body(staff)
    fingerprint = request_fingerprint(
        "POST", "/api/v1/violations", RecordViolation(**body).model_dump(mode="json"), None
    )
    long_ago = IdempotencyStore(ledger, claim_seconds=30, now=lambda: datetime.now(UTC) - timedelta(minutes=1))
    assert isinstance(long_ago.begin("insp-li", "crashed-2", fingerprint), Claim)
    ledger.record_violation(
        ledger_actor("inspector"), rule="ART6.5", item="left_post", staff_id=staff, evidence=body["evidence"],
        violation_id=idempotent_id("beihai", "insp-li", "crashed-2", "violation"),
    )  # fmt: skip
    before = positions(ledger)
    with TestClient(app) as client:
        response = client.post(
            "/api/v1/violations", json=body, headers=tokens.headers("inspector", Idempotency_Key="crashed-2")
        )
    problem(response, 409, "already-exists")
    assert positions(ledger) == before
