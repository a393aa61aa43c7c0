"""The event feed: a stable cursor over the global log, type filters, the documented
envelope, and a JSON Schema (draft 2020-12) for every event type."""

from __future__ import annotations

from typing import Any

import jsonschema_rs  # the JSON Schema validator schemathesis brings (dev dependency)
import pytest

from projections.envelope import envelope
from service.application import HallLedger
from service.eventlog import iter_events
from service.schemas import all_event_classes, schemas_by_type, type_name
from tests.api.conftest import TestClient, Tokens, problem
from tests.givens import at, given_confirmed_violation, given_hall, given_staff, positions


@pytest.fixture
def history(ledger: HallLedger) -> int:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 1))
    given_confirmed_violation(ledger, staff, rule="ART6.5", item="late", when=at(10, 2))
    return positions(ledger)


def feed(client: TestClient, tokens: Tokens, query: str, who: str = "dashboard") -> dict[str, Any]:
    response = client.get(f"/api/v1/events?{query}", headers=tokens.headers(who))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_paging_with_the_cursor_visits_every_event_once(client: TestClient, tokens: Tokens, history: int) -> None:
    seen: list[int] = []
    cursor = 0
    while True:
        page = feed(client, tokens, f"after={cursor}&limit=3")
        assert page["head"] == history
        seen += [e["position"] for e in page["events"]]
        if not page["events"]:
            break
        assert page["next"] >= page["events"][-1]["position"]
        cursor = page["next"]
    assert seen == list(range(1, history + 1))


def test_the_envelope_is_the_documented_one(
    client: TestClient, tokens: Tokens, ledger: HallLedger, history: int
) -> None:
    page = feed(client, tokens, "after=0&limit=1000", who="auditor")
    expected = [envelope(event, position) for position, event in iter_events(ledger)]
    assert page["events"] == expected
    recorded = next(e for e in page["events"] if e["type"] == "Violation.Recorded")
    assert set(recorded) == {
        "position", "stream", "version", "type", "occurred_at", "recorded_at", "actor", "hall_id", "rule", "data",
    }  # fmt: skip
    assert recorded["occurred_at"] == "2026-10-01T01:00:00.000000Z" and recorded["rule"] == "ART2.1@2026.1"


def test_type_filters_are_repeatable_and_move_the_cursor_past_what_they_skip(
    client: TestClient, tokens: Tokens, history: int
) -> None:
    page = feed(client, tokens, "type=Violation.Recorded&type=Confirmed")
    assert [e["type"] for e in page["events"]] == ["Violation.Recorded", "Violation.Confirmed"] * 2
    assert page["next"] == history, "nothing else can appear below the head"
    assert feed(client, tokens, f"after={history}&type=Recorded")["events"] == []
    response = client.get("/api/v1/events?limit=2", headers=tokens.headers("dashboard"))
    assert response.headers["link"] == '</api/v1/events?after=2&limit=2>; rel="next"'
    body = problem(client.get("/api/v1/events?type=Violation.Recorde", headers=tokens.headers("dashboard")), 422)
    assert body["field"] == "type"


def test_every_event_type_has_a_json_schema_that_its_envelopes_satisfy(
    client: TestClient, tokens: Tokens, ledger: HallLedger, history: int
) -> None:
    index = client.get("/api/v1/schemas").json()
    names = {t["type"] for t in index["types"]}
    assert names == {type_name(c) for c in all_event_classes()} and "Appeal.Decided" in names
    for name in names:
        schema = client.get(f"/api/v1/schemas/{name}")
        assert schema.status_code == 200 and schema.headers["content-type"] == "application/schema+json"
        jsonschema_rs.meta.validate(schema.json())
    for event in feed(client, tokens, "limit=1000")["events"]:
        validator = jsonschema_rs.Draft202012Validator(schemas_by_type()[event["type"]], validate_formats=True)
        validator.validate(event)
    consultation = schemas_by_type()["Consultation.ConsultationRecorded"]
    assert "client_name" in consultation["x-personal-fields"]
    assert consultation["properties"]["data"]["properties"]["client_name"]["x-personal-data"] is True
    problem(client.get("/api/v1/schemas/No.Such"), 404, "not-found")
