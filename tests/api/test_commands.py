"""A POST for every command of phase 1: status, Outcome body, ETag, Location, If-Match."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain import ids
from domain.envelope import Actor
from domain.staff import LEFT, OFF_POST, ON_POST, REMOVED, SUSPENDED
from domain.violation import CONFIRMED, DISMISSED, REVOKED
from service.application import HallLedger
from tests.api.conftest import TestClient, Tokens, problem
from tests.givens import (
    SECOND_INSPECTOR,
    at,
    given_confirmed_violation,
    given_hall,
    given_staff,
    positions,
    topics,
)


def post(client: TestClient, tokens: Tokens, who: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/api/v1{path}", json=body, headers=tokens.headers(who, **headers))


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"id", "version", "positions", "extra"}
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert body["positions"] and all(isinstance(p, int) for p in body["positions"])
    return body


# ── organisation ────────────────────────────────────────────────────────────


def test_organisation_through_http(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    hall = post(client, tokens, "hall_manager", "/hall", {"name_zh": "北海行政审批中心", "name_en": "Beihai"})
    assert ok(hall, 201)["id"] == str(ids.hall_id("beihai")) and hall.headers["location"] == "/api/v1/hall"
    dept = post(
        client, tokens, "committee", "/departments",
        {"code": "tax", "name_zh": "税务局", "name_en": "Taxation", "uniformed": True,
         "occurred_at": at(1, 5).isoformat()},
    )  # fmt: skip
    dept_id = ok(dept, 201)["id"]
    assert dept.headers["location"] == f"/api/v1/departments/{dept_id}"
    problem(
        post(client, tokens, "hall_manager", "/departments", {"code": "tax", "name_zh": "税务", "name_en": "Tax"}),
        409,
        "already-exists",
    )
    leader = ok(
        post(client, tokens, "hall_manager", f"/departments/{dept_id}/leader-in-charge", {"leader_name": "刘强"})
    )
    assert leader["version"] == 2
    window = ok(
        post(
            client, tokens, "hall_manager", "/windows",
            {"code": "W07", "name_zh": "税务窗口", "name_en": "Tax window", "department_id": dept_id},
        ),
        201,
    )  # fmt: skip
    closed = ok(post(client, tokens, "hall_manager", f"/windows/{window['id']}/closure", {"reason": "merged"}))
    assert closed["version"] == 2
    assert topics(ledger) == ["Established", "Registered", "LeaderInChargeDesignated", "Opened", "Closed"]


def test_if_match_guards_edits_of_what_was_read(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    path = f"/departments/{hall.tax}/leader-in-charge"
    before = positions(ledger)
    body = problem(
        post(client, tokens, "hall_manager", path, {"leader_name": "刘强"}, If_Match='"7"'), 409, "stale-version"
    )
    assert body["field"] == "department_id" and "version 1" in body["detail"]
    assert positions(ledger) == before
    first = ok(post(client, tokens, "hall_manager", path, {"leader_name": "刘强"}, If_Match='"1"'))
    # a second client that read version 1 too is refused: it would overwrite unseen
    problem(post(client, tokens, "hall_manager", path, {"leader_name": "陈静"}, If_Match='"1"'), 409, "stale-version")
    etag = f'W/"{first["version"]}"'
    ok(post(client, tokens, "hall_manager", path, {"leader_name": "陈静"}, If_Match=etag))
    ok(post(client, tokens, "hall_manager", path, {"leader_name": "赵敏"}, If_Match="*"))


# ── staff and postings ──────────────────────────────────────────────────────


def test_onboard_post_move_and_leave(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    onboarded = post(
        client, tokens, "hall_manager", "/staff",
        {"staff_no": "S009", "name": "陈静", "department_id": str(hall.tax), "employment": "hall",
         "occurred_at": "2025-03-01T08:00:00+08:00"},
    )  # fmt: skip
    staff = ok(onboarded, 201)["id"]
    assert onboarded.headers["location"] == f"/api/v1/staff/{staff}"
    posted = ok(
        post(client, tokens, "hall_manager", f"/staff/{staff}/posting",
             {"window_id": str(hall.tax_window), "start": "2025-03-01"}, If_Match='"1"'),
    )  # fmt: skip
    assert posted["version"] == 2 and ledger.staff(UUID(staff)).status == ON_POST
    problem(
        post(client, tokens, "hall_manager", f"/staff/{staff}/move",
             {"window_id": str(hall.tax_window_2), "start": "2025-06-01"}, If_Match='"1"'),
        409, "stale-version",
    )  # fmt: skip
    ok(
        post(client, tokens, "hall_manager", f"/staff/{staff}/move",
             {"window_id": str(hall.tax_window_2), "start": "2025-06-01"}, If_Match='"2"'),
    )  # fmt: skip
    ok(post(client, tokens, "hall_manager", f"/staff/{staff}/posting-end", {"end": "2026-06-30", "reason": "rotation"}))
    assert ledger.staff(UUID(staff)).status == OFF_POST
    ok(post(client, tokens, "hall_manager", f"/staff/{staff}/departure", {"on": "2026-07-01", "reason": "retired"}))
    assert ledger.staff(UUID(staff)).status == LEFT


def test_consent_demand_replacement_and_recall(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", posted=False)
    consent = ok(
        post(client, tokens, "committee", f"/staff/{wang}/committee-consents",
             {"kind": "replacement", "decision_ref": "管委会〔2026〕12号"}),
    )  # fmt: skip
    consent_id = consent["extra"]["consent_id"]
    UUID(consent_id)
    problem(
        post(client, tokens, "committee", f"/staff/{wang}/committee-consents", {"kind": "bribe", "decision_ref": "x"}),
        422,
        "validation-failed",
    )
    replaced = ok(
        post(client, tokens, "hall_manager", f"/staff/{wang}/replacement",
             {"successor_id": str(li), "start": "2026-10-08", "consent_id": consent_id}),
    )  # fmt: skip
    assert len(replaced["positions"]) == 2, "both postings change in one transaction"
    assert ledger.staff(li).status == ON_POST and ledger.staff(wang).status == OFF_POST
    demand = ok(
        post(client, tokens, "hall_manager", f"/staff/{li}/replacement-demands",
             {"grounds": "refuses the hall's management (ART8.3)", "due": "2026-11-01"}),
    )  # fmt: skip
    UUID(demand["extra"]["demand_id"])
    ok(post(client, tokens, "hall_manager", f"/staff/{li}/recall", {"end": "2026-10-08", "note": "recalled"}))
    assert ledger.staff(li).status == OFF_POST


# ── violations ──────────────────────────────────────────────────────────────


@pytest.mark.rules("ART6.5")
def test_record_confirm_dismiss_revoke_amend(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    recorded = post(
        client, tokens, "inspector", "/violations",
        {"rule": "ART6.5", "item": "late", "staff_id": str(staff), "evidence": "clocked in 08:47",
         "evidence_refs": ["punch-log-2026-10-08"], "occurred_at": at(10, 8, 8, 47).isoformat()},
    )  # fmt: skip
    first = ok(recorded, 201)["id"]
    assert recorded.headers["location"] == f"/api/v1/violations/{first}"
    event = client.get("/api/v1/events?type=Violation.Recorded", headers=tokens.headers("auditor")).json()["events"][0]
    assert event["actor"] == {"id": "insp-li", "role": "inspector"} and event["rule"] == "ART6.5@2026.1"
    assert event["data"]["window_id"] == str(hall.tax_window)
    confirmed = ok(
        post(client, tokens, "insp-wu", f"/violations/{first}/confirmation", {"note": "log checked"}, If_Match='"1"')
    )
    assert confirmed["version"] == 2 and ledger.violation(UUID(first)).status == CONFIRMED
    amended = ok(
        post(client, tokens, "committee", f"/violations/{first}/amendment",
             {"rule": "ART7.5", "deduction": "5E-1", "reason": "late, not absent"}),
    )  # fmt: skip
    assert ledger.violation(UUID(first)).rule == "ART7.5@2026.1" and amended["version"] == 3
    feed = client.get("/api/v1/events?type=Violation.Amended", headers=tokens.headers("auditor")).json()
    assert feed["events"][0]["data"]["deduction"] == "0.5", "decimals in plain notation"
    ok(post(client, tokens, "hall_manager", f"/violations/{first}/revocation", {"reason": "the clock was wrong"}))
    assert ledger.violation(UUID(first)).status == REVOKED
    problem(
        post(client, tokens, "hall_manager", f"/violations/{first}/revocation", {"reason": "again"}),
        409,
        "invariant-violated",
    )
    second = ok(
        post(client, tokens, "inspector", "/violations",
             {"rule": "ART3.1", "staff_id": str(staff), "evidence": "no badge"}),
        201,
    )["id"]  # fmt: skip
    ok(post(client, tokens, "insp-wu", f"/violations/{second}/dismissal", {"reason": "badge was in the pocket"}))
    assert ledger.violation(UUID(second)).status == DISMISSED


# ── escalation decisions (ART2.1.3) ─────────────────────────────────────────


@pytest.mark.rules("ART2.1.3", "ART2.1")
def test_the_ladder_through_http(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(9, 21))
    admonished = ok(
        post(client, tokens, "hall_manager", f"/staff/{staff}/admonishments",
             {"basis": [str(first)], "remedy": "call the client back", "remedy_due": "2026-09-30",
              "occurred_at": at(9, 22).isoformat()}),
        201,
    )  # fmt: skip
    admonishment = admonished["extra"]["admonishment_id"]
    ok(
        post(client, tokens, "window_lead", f"/staff/{staff}/admonishments/{admonishment}/remedy-completion",
             {"note": "called back and apologised", "occurred_at": at(9, 25).isoformat()}),
    )  # fmt: skip
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 8, 8))
    suspended = ok(
        post(client, tokens, "committee", f"/staff/{staff}/suspensions",
             {"basis": [str(first), str(repeat)], "start": "2026-10-08", "until": "2026-11-08"}),
        201,
    )  # fmt: skip
    decision = suspended["extra"]["decision_id"]
    assert ledger.staff(staff).status == SUSPENDED
    ok(
        post(client, tokens, "committee", f"/staff/{staff}/sanctions/{decision}/reinstatement",
             {"note": "retraining passed"}),
    )  # fmt: skip
    assert ledger.staff(staff).status == ON_POST
    ok(post(client, tokens, "committee", f"/staff/{staff}/sanctions/{decision}/rescission", {"reason": "review"}))
    ok(
        post(client, tokens, "hall_manager", f"/staff/{staff}/admonishments/{admonishment}/rescission",
             {"reason": "review"}),
    )  # fmt: skip
    assert ledger.staff(staff).admonishments[admonishment]["rescinded"]


@pytest.mark.rules("ART2.1.3", "ART6.2")
def test_removal_needs_the_committee_and_a_role_above_the_recorder(
    client: TestClient, tokens: Tokens, ledger: HallLedger
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    drinking = given_confirmed_violation(ledger, staff, rule="ART6.2", when=at(10, 3, 13, 30))
    # the hall manager's token may not decide a removal (access table), the committee may
    problem(
        post(client, tokens, "hall_manager", f"/staff/{staff}/removals",
             {"basis": [str(drinking)], "effective": "2026-10-08"}),
        403, "role-not-allowed",
    )  # fmt: skip
    # nor a suspension: 待岗 and 调离 are the committee's (DOMAIN.md roles)
    problem(
        post(client, tokens, "hall_manager", f"/staff/{staff}/suspensions",
             {"basis": [str(drinking)], "start": "2026-10-08"}),
        403, "role-not-allowed",
    )  # fmt: skip
    # a decision needs a role above the recorder: a violation another hall manager recorded
    # cannot ground this hall manager's admonishment
    recorded_by_manager = ledger.record_violation(
        Actor("mgr-qian", "hall_manager"), rule="ART6.2", staff_id=staff, evidence="smelled of alcohol",
        occurred_at=at(10, 4),
    ).id  # fmt: skip
    ledger.confirm_violation(SECOND_INSPECTOR, violation_id=recorded_by_manager, occurred_at=at(10, 4))
    body = problem(
        post(client, tokens, "hall_manager", f"/staff/{staff}/admonishments",
             {"basis": [str(recorded_by_manager)], "remedy": "书面检查"}),
        403, "not-permitted",
    )  # fmt: skip
    assert body["field"] == "actor" and body["rule"] == "ART2.1.3@2026.1" and "above hall_manager" in body["detail"]
    removed = ok(
        post(client, tokens, "committee", f"/staff/{staff}/removals",
             {"basis": [str(drinking)], "effective": "2026-10-08"}),
        201,
    )  # fmt: skip
    assert removed["extra"]["decision_id"] and ledger.staff(staff).status == REMOVED
    assert (
        date(2026, 10, 8).isoformat()
        in client.get("/api/v1/events?type=RemovalFromPostDecided", headers=tokens.headers("auditor")).text
    )
