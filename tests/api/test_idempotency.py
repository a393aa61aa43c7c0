"""Idempotency-Key: a retried command writes nothing new and returns the original response;
concurrent retries produce exactly one event; an abandoned claim expires; the key is written
in the events' own transaction (a crash after commit is recovered, a holder past its lease
records nothing); old keys are purged."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service.api.background import Background
from service.api.gate import idempotent_id
from service.api.idempotency import Claim, ClaimLost, IdempotencyStore, request_fingerprint
from service.api.routes.inquiries import OpenInquiry
from service.api.routes.violations import RecordViolation
from service.application import HallLedger
from service.settings import Settings
from tests.api.conftest import LiveServer, TestClient, Tokens, api_settings, problem
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
    headers = tokens.headers("committee", Idempotency_Key="suspend-wang")
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
        "POST", "/api/v1/violations", RecordViolation(**body).model_dump(mode="json"), None, "crashed-1"
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
        "POST", "/api/v1/violations", RecordViolation(**body).model_dump(mode="json"), None, "crashed-2"
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


# ── the key in the events' own transaction: a crash after commit, a holder past its lease ──

INQUIRY = {"channel": "hall", "client_ref": "client-0001", "topic": "个体工商户税务登记"}


def inquiry_claim(ledger: HallLedger, key: str) -> tuple[IdempotencyStore, Claim]:
    """A process claimed ``key`` for 王芳's inquiry a minute ago (its lease is over)."""
    fingerprint = request_fingerprint("POST", "/api/v1/inquiries", OpenInquiry(**INQUIRY).model_dump(mode="json"),
                                      None, key)  # fmt: skip
    long_ago = IdempotencyStore(ledger, claim_seconds=30, now=lambda: datetime.now(UTC) - timedelta(minutes=1))
    claim = long_ago.begin("wang-fang", key, fingerprint)
    assert isinstance(claim, Claim)
    return long_ago, claim


def run_as(store: IdempotencyStore, claim: Claim, command: Any) -> Any:
    """Execute a command the way the gate does: the key's marker rides in the events' transaction."""
    with store.ledger.in_events_transaction(store.marker(claim, status=201, location="/api/v1/inquiries/{id}")):
        return command()


def test_a_command_committed_before_a_crash_is_recovered_not_executed_again(
    app: FastAPI, tokens: Tokens, ledger: HallLedger
) -> None:
    """Inquiries get fresh ids (no id derived from the key): the key itself, written with the
    events, is what stops the retry."""
    staff = given_staff(ledger, given_hall(ledger))
    store, claim = inquiry_claim(ledger, "crashed-3")
    opened = run_as(store, claim, lambda: ledger.open_inquiry(
        ledger_actor("staff"), first_responder_id=staff, **INQUIRY))  # fmt: skip
    # … and the process died before it stored the response
    before = positions(ledger)
    with TestClient(app) as client:
        headers = tokens.headers("staff", Idempotency_Key="crashed-3")
        retried = client.post("/api/v1/inquiries", json=INQUIRY, headers=headers)
        again = client.post("/api/v1/inquiries", json=INQUIRY, headers=headers)
    assert retried.status_code == 201, retried.text
    assert retried.json() == {"id": str(opened.id), "version": 1, "positions": opened.positions, "extra": {}}
    assert retried.headers["idempotent-recovered"] == "true" and retried.headers["idempotent-replayed"] == "true"
    assert retried.headers["location"] == f"/api/v1/inquiries/{opened.id}" and retried.headers["etag"] == '"1"'
    assert again.json() == retried.json()
    assert positions(ledger) == before, "nothing executed twice"


def test_a_holder_that_lost_its_key_to_a_retry_records_nothing(
    client: TestClient, tokens: Tokens, ledger: HallLedger
) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    store, hung = inquiry_claim(ledger, "hung-1")
    # the lease ran out while the holder hung; a retry took the key over
    retry = IdempotencyStore(ledger).begin("wang-fang", "hung-1", store_fingerprint(store, "hung-1"))
    assert isinstance(retry, Claim) and retry.token != hung.token
    before = positions(ledger)
    with pytest.raises(ClaimLost):
        run_as(store, hung, lambda: ledger.open_inquiry(ledger_actor("staff"), first_responder_id=staff, **INQUIRY))
    assert positions(ledger) == before, "the hung holder's insert is refused in its own transaction"
    run_as(store, retry, lambda: ledger.open_inquiry(ledger_actor("staff"), first_responder_id=staff, **INQUIRY))
    assert positions(ledger) == before + 1


def store_fingerprint(store: IdempotencyStore, key: str) -> str:
    return request_fingerprint("POST", "/api/v1/inquiries", OpenInquiry(**INQUIRY).model_dump(mode="json"), None, key)


def test_concurrent_retries_of_a_command_without_derived_ids_write_one_event(
    app: FastAPI, tokens: Tokens, ledger: HallLedger
) -> None:
    given_staff(ledger, given_hall(ledger))
    before = positions(ledger)
    callers = 6
    barrier = threading.Barrier(callers)
    responses: list[httpx.Response] = []
    with LiveServer(app) as server:

        def retry() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as http:
                barrier.wait()
                responses.append(
                    http.post("/api/v1/inquiries", json=INQUIRY, headers=tokens.headers("staff", Idempotency_Key="q1"))
                )

        threads = [threading.Thread(target=retry) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [r.status_code for r in responses] == [201] * callers and len({r.text for r in responses}) == 1
    assert topics(ledger, before) == ["InquiryOpened"]


def test_old_keys_are_purged(app: FastAPI, tokens: Tokens, ledger: HallLedger, settings: Settings) -> None:
    given_staff(ledger, given_hall(ledger))
    store: IdempotencyStore = app.state.services.idempotency
    with TestClient(app) as client:
        first = [
            client.post("/api/v1/inquiries", json=INQUIRY, headers=tokens.headers("staff", Idempotency_Key=key))
            for key in ("old-1", "old-2")
        ]
    assert [r.status_code for r in first] == [201, 201]
    four_days_on = datetime.now(UTC) + timedelta(days=4)
    housekeeping = Background(
        ledger, api_settings(settings, api_idempotency_retention_hours=72), project=False, idempotency=store,
        now=lambda: four_days_on,
    )  # fmt: skip
    assert housekeeping.purge_once() == 2
    assert store.purge(before=datetime.now(UTC)) == 0
    with TestClient(app) as client:  # a retry after the retention is a new request
        late = client.post("/api/v1/inquiries", json=INQUIRY, headers=tokens.headers("staff", Idempotency_Key="old-1"))
    assert late.status_code == 201 and "idempotent-replayed" not in late.headers
    assert late.json()["id"] != first[0].json()["id"]
