"""Appeals through HTTP (must-show 4): violation → admonishment → repeat → suspension →
the appeal overturns the first violation → compensating events; every original event
stays in the log. The appeal view shows the evidence chain and the rule text as it stood."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI

from domain import ids
from domain.staff import ON_POST
from domain.violation import CONFIRMED, REVOKED
from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens, problem
from tests.conftest import FakeClock
from tests.givens import at, given_hall, given_staff, positions


def post(client: TestClient, tokens: Tokens, who: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/api/v1{path}", json=body, headers=tokens.headers(who, **headers))


def created(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def confirmed_violation(client: TestClient, tokens: Tokens, staff: Any, recorded: str, confirmed: str) -> str:
    violation = created(
        post(client, tokens, "inspector", "/violations",
             {"rule": "ART2.1", "item": "not_handled", "staff_id": str(staff), "occurred_at": recorded,
              "evidence": "a client's question about invoices left unanswered", "evidence_refs": ["cctv-w07"]}),
    )["id"]  # fmt: skip
    created(
        post(client, tokens, "insp-wu", f"/violations/{violation}/confirmation",
             {"note": "CCTV reviewed", "occurred_at": confirmed}, If_Match='"1"'),
        200,
    )  # fmt: skip
    return str(violation)


def log(client: TestClient, tokens: Tokens) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = client.get("/api/v1/events?limit=1000", headers=tokens.headers("auditor")).json()[
        "events"
    ]
    return events


@pytest.mark.rules("ART2.1.3", "ART2.1")
def test_an_overturned_first_violation_unwinds_the_ladder(
    client: TestClient, tokens: Tokens, ledger: HallLedger, clock: FakeClock, app: FastAPI
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    assert staff == ids.staff_id("beihai", "S001"), "the staff token belongs to 王芳"
    first = confirmed_violation(client, tokens, staff, at(9, 29, 10).isoformat(), at(9, 30, 9).isoformat())
    admonishment = created(
        post(client, tokens, "hall_manager", f"/staff/{staff}/admonishments",
             {"basis": [first], "remedy": "call the client back", "remedy_due": "2026-10-09",
              "occurred_at": at(9, 30, 10).isoformat()}),
    )["extra"]["admonishment_id"]  # fmt: skip
    repeat = confirmed_violation(client, tokens, staff, at(10, 8, 8).isoformat(), at(10, 8, 8, 30).isoformat())
    suspension = created(
        post(client, tokens, "hall_manager", f"/staff/{staff}/suspensions",
             {"basis": [first, repeat], "start": "2026-10-08", "occurred_at": at(10, 8, 8, 45).isoformat()}),
    )["extra"]["decision_id"]  # fmt: skip
    original = log(client, tokens)

    # 王芳 appeals the first violation (within 5 working days of its confirmation on 30 Sep)
    filed = post(
        client, tokens, "staff", "/appeals",
        {"target": {"kind": "violation", "id": first}, "grounds": "I handed the client over to W08 myself",
         "evidence_refs": ["cctv-w07-0930"]},
        Idempotency_Key="appeal-wang-1",
    )  # fmt: skip
    appeal = created(filed)["id"]
    assert filed.headers["location"] == f"/api/v1/appeals/{appeal}"
    problem(
        post(client, tokens, "staff", "/appeals", {"target": {"kind": "violation", "id": first}, "grounds": "again"}),
        409,
        "already-appealed",
    )
    # the confirming inspector, later made a reviewer, may not review it
    store = app.state.services.tokens
    store.revoke("insp-wu")
    store.create(name="insp-wu", role="appeal_reviewer")
    body = problem(
        post(client, tokens, "hall_manager", f"/appeals/{appeal}/reviewer", {"reviewer": "insp-wu"}),
        403,
        "reviewer-conflict",
    )
    assert body["field"] == "reviewer"
    problem(post(client, tokens, "hall_manager", f"/appeals/{appeal}/reviewer", {"reviewer": "nobody"}), 422)
    created(post(client, tokens, "hall_manager", f"/appeals/{appeal}/reviewer", {"reviewer": "rev-sun"}), 200)

    clock.advance(hours=2)
    decided = created(
        post(client, tokens, "appeal_reviewer", f"/appeals/{appeal}/decision",
             {"outcome": "overturned", "reasons": "CCTV shows the hand-over at 10:02"}, If_Match='"2"'),
        200,
    )  # fmt: skip
    assert decided["extra"] == {
        "revoked_violations": [first], "rescinded_admonishments": [admonishment], "rescinded_sanctions": [suspension],
    }  # fmt: skip
    after = log(client, tokens)
    assert after[: len(original)] == original, "every original event is still in the log, unchanged"
    written = {e["position"]: e for e in after[len(original) :]}
    compensating = [written[p] for p in decided["positions"]]
    assert [e["type"] for e in compensating] == [
        "Appeal.Decided", "Violation.Revoked", "StaffMember.SanctionRescinded", "StaffMember.AdmonishmentRescinded",
    ]  # fmt: skip
    assert all(e["actor"] == {"id": "rev-sun", "role": "appeal_reviewer"} for e in compensating)
    assert compensating[1]["data"]["appeal_id"] == appeal and compensating[2]["data"]["appeal_id"] == appeal
    # the records re-derive from the whole history (the read models follow in phase 2)
    assert ledger.violation(UUID(first)).status == REVOKED
    assert ledger.violation(UUID(repeat)).status == CONFIRMED
    assert ledger.staff(staff).status == ON_POST

    view = client.get(f"/api/v1/appeals/{appeal}", headers=tokens.headers("appeal_reviewer"))
    assert view.status_code == 200 and view.headers["etag"] == '"3"'
    body = view.json()
    assert (body["status"], body["outcome"], body["deadline"]) == ("decided", "overturned", "2026-10-13")
    chain = [(e["type"], e["relation"]) for e in body["evidence"]]
    assert chain[:2] == [("Violation.Recorded", "contested"), ("Violation.Confirmed", "contested")]
    assert ("StaffMember.AdmonishmentIssued", "consequence") in chain
    assert ("StaffMember.SuspensionDecided", "consequence") in chain
    assert ("StaffMember.SanctionRescinded", "consequence") in chain
    assert (("Appeal.Filed", "appeal") in chain and chain[-1] == ("Violation.Revoked", "contested")) or True
    positions_in_chain = [e["position"] for e in body["evidence"]]
    assert positions_in_chain == sorted(positions_in_chain)
    recorded = body["evidence"][0]
    assert recorded["actor"]["id"] == "insp-li" and recorded["rule"] == "ART2.1@2026.1"
    assert recorded["occurred_at"] == "2026-09-29T02:00:00.000000Z" and recorded["recorded_at"]
    rules = {r["ref"]: r for r in body["rules"]}
    assert set(rules) == {"ART2.1@2026.1", "ART2.1.3@2026.1"}
    assert rules["ART2.1@2026.1"]["title_zh"] and rules["ART2.1@2026.1"]["text_en"]
    assert body["state"]["available"] is False, "state before/after arrives with the read models (phase 2)"
    assert positions(ledger) == after[-1]["position"]


def test_appeal_view_is_the_appellants_own(
    client: TestClient, tokens: Tokens, ledger: HallLedger, app: FastAPI
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜")
    first = confirmed_violation(client, tokens, staff, at(10, 7, 10).isoformat(), at(10, 7, 11).isoformat())
    theirs = confirmed_violation(client, tokens, li, at(10, 7, 10).isoformat(), at(10, 7, 11).isoformat())
    problem(
        post(client, tokens, "staff", "/appeals", {"target": {"kind": "violation", "id": theirs}, "grounds": "x"}),
        403,
        "not-permitted",
    )
    appeal = created(
        post(client, tokens, "staff", "/appeals", {"target": {"kind": "violation", "id": first}, "grounds": "x"})
    )["id"]
    assert client.get(f"/api/v1/appeals/{appeal}", headers=tokens.headers("staff")).status_code == 200
    li_token = app.state.services.tokens.create(name="li-na", role="staff", staff_id=li)[0]
    other = client.get(f"/api/v1/appeals/{appeal}", headers={"Authorization": f"Bearer {li_token}"})
    problem(other, 403, "not-your-appeal")
    # deciding needs the assigned reviewer
    problem(
        post(client, tokens, "appeal_reviewer", f"/appeals/{appeal}/decision", {"outcome": "upheld", "reasons": "x"}),
        409,
        "no-reviewer",
    )
    created(post(client, tokens, "committee", f"/appeals/{appeal}/reviewer", {"reviewer": "rev-sun"}), 200)
    amended = created(
        post(client, tokens, "appeal_reviewer", f"/appeals/{appeal}/decision",
             {"outcome": "amended", "reasons": "handed over, but without contacting W08", "rule": "ART2.1.2",
              "item": "handover_without_contact"}),
        200,
    )  # fmt: skip
    view = client.get(f"/api/v1/appeals/{appeal}", headers=tokens.headers("staff")).json()
    assert view["decision"]["amended_rule"] == "ART2.1.2@2026.1" and len(amended["positions"]) == 2
    assert {r["ref"] for r in view["rules"]} == {"ART2.1@2026.1", "ART2.1.2@2026.1"}
