"""The read models over HTTP: staff records (roster and performance views), time travel
(``as_of`` / ``known_at``), escalation, scores, history, explain, rankings, KPIs, alerts and
detected candidates — and read-your-writes with ``after_position``."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI

from projections.registry import all_models
from projections.runner import ProjectionRunner, ProjectionStore
from service.api import create_app
from service.application import HallLedger
from service.settings import Settings
from tests.api.conftest import TestClient, Tokens, api_settings, done, problem, send, staff_token
from tests.conftest import FakeClock
from tests.givens import (
    MANAGER,
    at,
    close_day,
    given_confirmed_violation,
    given_hall,
    given_staff,
    open_day,
    positions,
)


def project(ledger: HallLedger) -> int:
    """*When* the read models catch up with the log (what `hall-ledger serve` keeps doing)."""
    runner = ProjectionRunner(ledger, all_models())
    runner.prepare()
    return runner.catch_up()


def get(client: TestClient, tokens: Tokens, who: str, path: str, **params: Any) -> Any:
    return client.get(f"/api/v1{path}", params=params, headers=tokens.headers(who))


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def history(ledger: HallLedger, app: FastAPI, tokens: Tokens, clock: FakeClock) -> dict[str, Any]:
    """王芳: an ART2.1 breach confirmed 30 Sep, admonished the same day; 李娜 clean. Read models run."""
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    staff_token(app, tokens, "li-na", li)
    first = given_confirmed_violation(ledger, wang, rule="ART2.1", when=at(9, 30, 9))
    before_warning = positions(ledger)
    admonishment = ledger.issue_admonishment(
        MANAGER, staff_id=wang, basis=[first], remedy="call the client back", remedy_due=date(2026, 10, 16),
        occurred_at=at(9, 30, 15),
    ).extra["admonishment_id"]  # fmt: skip
    project(ledger)
    return {
        "hall": hall, "wang": wang, "li": li, "first": first, "admonishment": admonishment,
        "before_warning": before_warning,
    }  # fmt: skip


def test_staff_records_full_for_oversight_roster_for_operations(
    client: TestClient, tokens: Tokens, ledger: HallLedger, history: dict[str, Any]
) -> None:
    wang = str(history["wang"])
    listed = ok(get(client, tokens, "hall_manager", "/staff"))
    assert [r["staff_no"] for r in listed["items"]] == ["S001", "S002"] and listed["position"] == positions(ledger)
    mine = listed["items"][0]
    assert mine["escalation_state"] == "warned" and mine["violations"]["confirmed"] == 1
    assert mine["violations_by_article"]["2"]["confirmed"] == 1 and mine["month"] == "2026-10"
    for role in ("inspector", "window_lead"):
        roster = ok(get(client, tokens, role, "/staff", status="on_post"))["items"]
        assert {r["staff_no"] for r in roster} == {"S001", "S002"}
        assert all("escalation_state" not in r and "violations" not in r and "month_score" not in r for r in roster)
    problem(get(client, tokens, "dashboard", "/staff"), 403, "role-not-allowed")
    problem(get(client, tokens, "staff", "/staff"), 403, "role-not-allowed")
    assert ok(get(client, tokens, "committee", "/staff", window_id=str(history["hall"].tax_window_2)))["items"][0][
        "name"
    ] == "李娜"  # fmt: skip
    assert ok(get(client, tokens, "hall_manager", "/staff", limit=1))["next_offset"] == 1

    own = get(client, tokens, "staff", f"/staff/{wang}")
    body = ok(own)
    assert body["source"] == "read_model" and body["record"]["escalation_state"] == "warned"
    assert own.headers["etag"] == f'"{ledger.staff(history["wang"]).version}"', "If-Match for a decision on her"
    problem(get(client, tokens, "li-na", f"/staff/{wang}"), 403, "not-your-record")
    roster = ok(get(client, tokens, "inspector", f"/staff/{wang}"))
    assert "escalation_state" not in roster["record"] and roster["record"]["window_id"]
    problem(get(client, tokens, "hall_manager", f"/staff/{UUID(int=7)}"), 404, "not-found")


@pytest.mark.rules("ART2.1.3")
def test_time_travel_as_of_and_known_at(
    client: TestClient, tokens: Tokens, ledger: HallLedger, history: dict[str, Any]
) -> None:
    wang = str(history["wang"])
    before = ok(get(client, tokens, "appeal_reviewer", f"/staff/{wang}", known_at=str(history["before_warning"])))
    assert before["source"] == "time_travel" and before["record"]["escalation_state"] == "admonishment_due"
    assert before["escalation"]["state"] == "admonishment_due" and before["known_at"] == history["before_warning"]
    on_the_29th = ok(get(client, tokens, "staff", f"/staff/{wang}", as_of="2026-09-29T18:00:00+08:00"))
    assert on_the_29th["record"]["escalation_state"] == "clear"
    as_known = ok(
        get(client, tokens, "hall_manager", f"/staff/{wang}/escalation", as_of="2026-10-01T00:00:00+08:00",
            known_at="2026-10-08T09:00:00+08:00")
    )  # fmt: skip
    assert as_known["state"] == "warned" and as_known["source"] == "time_travel"
    roster = ok(get(client, tokens, "inspector", f"/staff/{wang}", known_at=str(history["before_warning"])))
    assert "escalation" not in roster and "escalation_state" not in roster["record"]
    body = problem(get(client, tokens, "hall_manager", f"/staff/{wang}", as_of="2026-10-01T00:00:00"), 422)
    assert body["field"] == "as_of"
    for bad in ("yesterday", "2026-10-01T00:00:00", "99999999999999999999"):
        assert problem(get(client, tokens, "hall_manager", f"/staff/{wang}", known_at=bad), 422)["field"] == "known_at"
    gone = problem(get(client, tokens, "hall_manager", f"/staff/{wang}", as_of="2024-01-01T00:00:00+08:00"), 404)
    assert gone["field"] == "staff_id"


def test_escalation_scores_history_and_explain(
    client: TestClient, tokens: Tokens, ledger: HallLedger, history: dict[str, Any]
) -> None:
    wang = str(history["wang"])
    ladder = ok(get(client, tokens, "staff", f"/staff/{wang}/escalation"))
    assert (ladder["source"], ladder["state"]) == ("read_model", "warned")
    assert ladder["families"]["SERVICE"]["warning"] == str(history["admonishment"])
    assert [t["to"] for t in ladder["transitions"]] == ["admonishment_due", "warned"]
    problem(get(client, tokens, "inspector", f"/staff/{wang}/escalation"), 403, "role-not-allowed")
    problem(get(client, tokens, "li-na", f"/staff/{wang}/escalation"), 403, "not-your-record")

    september = ok(get(client, tokens, "staff", f"/staff/{wang}/scores", period="2026-09"))
    month = september["months"][0]
    assert month["period"] == "2026-09" and month["total"] == "98.00" and month["grade"] == "good"
    assert [line["kind"] for line in month["lines"]] == ["base", "deduction"]
    everything = ok(get(client, tokens, "committee", f"/staff/{wang}/scores"))
    assert {m["period"] for m in everything["months"]} >= {"2026-09", "2026-10"} and everything["years"]
    problem(get(client, tokens, "staff", f"/staff/{wang}/scores", period="2026-13"), 422)

    timeline = ok(get(client, tokens, "appeal_reviewer", f"/staff/{wang}/history"))["entries"]
    assert [e["escalation_state"] for e in timeline][-2:] == ["admonishment_due", "warned"]
    explained = ok(get(client, tokens, "staff", f"/staff/{wang}/explain", value="escalation"))
    assert explained["value"]["state"] == "warned"
    assert {e["type"] for e in explained["events"]} >= {"Violation.Confirmed", "StaffMember.AdmonishmentIssued"}
    score = ok(get(client, tokens, "staff", f"/staff/{wang}/explain", value="score", period="2026-09"))
    assert score["value"] == {"month": "2026-09", "total": "98.00", "grade": "good"}
    assert score["lines"][1]["events"][0]["rule"] == "ART2.1@2026.1"
    counted = ok(get(client, tokens, "staff", f"/staff/{wang}/explain", value="violations", article=2))
    assert counted["value"]["confirmed"] == 1
    problem(get(client, tokens, "staff", f"/staff/{wang}/explain", value="score", article=2), 422)
    problem(get(client, tokens, "staff", f"/staff/{wang}/explain", value="rank"), 422)


def test_rankings_and_aggregates(
    client: TestClient, tokens: Tokens, ledger: HallLedger, history: dict[str, Any]
) -> None:
    ranking = ok(get(client, tokens, "committee", "/assessments/2026-09"))
    assert ranking["kind"] == "month" and ranking["publication"] is None
    assert [(r["staff_no"], r["rank_hall"]) for r in ranking["results"]] == [("S002", 1), ("S001", 2)]
    problem(get(client, tokens, "dashboard", "/assessments/2026-09"), 403, "role-not-allowed")
    windows = ok(get(client, tokens, "dashboard", "/assessments/2026-09/windows"))["results"]
    assert windows and all("staff_id" not in w for w in windows)
    departments = ok(get(client, tokens, "dashboard", "/assessments/2026-09/departments"))["results"]
    assert departments[0]["department_id"] == str(history["hall"].tax) and departments[0]["staff_count"] == 2
    problem(get(client, tokens, "dashboard", "/assessments/2026-Q3/windows"), 422)
    assert ok(get(client, tokens, "hall_manager", "/assessments/2026-Q3"))["kind"] == "quarter"
    assert ok(get(client, tokens, "hall_manager", "/assessments/2026"))["kind"] == "year"


@pytest.mark.rules("ART6.5")
def test_kpis_alerts_and_detected_candidates(
    client: TestClient, tokens: Tokens, ledger: HallLedger, clock: FakeClock, history: dict[str, Any]
) -> None:
    day = date(2026, 10, 13)
    clock.set(at(10, 13, 18))
    open_day(ledger, day)
    ledger.clock_in(MANAGER, staff_id=history["wang"], device="考勤机", occurred_at=at(10, 13, 8, 35))
    close_day(ledger, day, present=(history["wang"], history["li"]))
    given_confirmed_violation(ledger, history["li"], rule="ART2.1", when=at(10, 12, 10))  # an admonishment is due
    project(ledger)  # the detector finds her late; the KPIs count the candidate
    hall_row = ok(get(client, tokens, "dashboard", "/kpis"))
    assert hall_row["hall"]["candidates_pending"] >= 1
    assert all(w["escalations_due"] is None for w in hall_row["windows"]), "a window's ladder counts are staff data"
    managed = ok(get(client, tokens, "hall_manager", "/kpis"))
    assert any(w["escalations_due"] is not None for w in managed["windows"])

    candidates = ok(get(client, tokens, "inspector", "/candidates"))["items"]
    late = next(c for c in candidates if c["staff_id"] == str(history["wang"]))
    assert late["state"] == "detected" and late["rule"] == "ART6.5@2026.1"
    assert late["detection"]["item"] == "late" and late["detection"]["detector"] == "attendance"
    assert ledger.violation(UUID(late["violation_id"])).status == "pending"
    problem(get(client, tokens, "dashboard", "/candidates"), 403, "role-not-allowed")

    everyone = ok(get(client, tokens, "hall_manager", "/alerts"))["items"]
    due = [i for i in everyone if i["kind"] == "escalation_admonishment"]
    assert [i["staff_id"] for i in due] == [str(history["li"])]
    operations = ok(get(client, tokens, "inspector", "/alerts"))["items"]
    assert operations and not any(i["kind"].startswith("escalation_") for i in operations)
    assert all(i["kind"] == "candidate_violation" for i in ok(get(client, tokens, "window_lead", "/alerts",
                                                                  kind="candidate_violation"))["items"])  # fmt: skip
    problem(get(client, tokens, "window_lead", "/alerts", kind="nonsense"), 422)


def test_read_your_writes_with_after_position(
    client: TestClient, tokens: Tokens, ledger: HallLedger, history: dict[str, Any], settings: Settings
) -> None:
    wang = str(history["wang"])
    again = {"rule": "ART2.1", "item": "not_handled", "staff_id": wang, "evidence": "again"}
    recorded = done(send(client, tokens, "inspector", "/violations", again), 201)
    confirmed = done(send(client, tokens, "insp-wu", f"/violations/{recorded['id']}/confirmation", {}))
    stale = ok(get(client, tokens, "hall_manager", f"/staff/{wang}"))
    assert stale["record"]["violations"]["confirmed"] == 1, "nobody ran the models: the rows are as they were"
    fresh = ok(get(client, tokens, "hall_manager", f"/staff/{wang}", after_position=confirmed["positions"][-1]))
    assert fresh["record"]["violations"]["confirmed"] == 2 and fresh["position"] >= confirmed["positions"][-1]
    assert fresh["record"]["escalation_state"] == "suspension_or_removal_due", "a repeat after the warning"
    body = problem(get(client, tokens, "hall_manager", "/staff", after_position=positions(ledger) + 1), 422)
    assert body["field"] == "after_position"

    # a runner holds the model (another process): the query waits for it, then says it is behind
    impatient = create_app(api_settings(settings, api_read_wait_seconds=0), ledger)
    store = ProjectionStore(ledger)
    record = done(send(client, tokens, "inspector", "/violations",
                       {"rule": "ART4.1", "staff_id": wang, "evidence": "desk untidy"}), 201)  # fmt: skip
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.lock(["staff_records"]):
            held.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    try:
        with TestClient(impatient) as other:
            behind = other.get(
                f"/api/v1/staff/{wang}", params={"after_position": record["positions"][-1]},
                headers=tokens.headers("hall_manager"),
            )  # fmt: skip
        body = problem(behind, 503, "read-model-behind")
        assert body["field"] == "after_position" and behind.headers["retry-after"] == "1"
    finally:
        release.set()
        holder.join()
