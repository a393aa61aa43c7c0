"""Server-Sent Events against a real uvicorn server: disconnect mid-stream, resume with
Last-Event-ID, every event exactly once, heartbeats while idle."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from projections.envelope import envelope
from service.application import HallLedger
from service.eventlog import iter_events
from tests.api.conftest import LiveServer, TestClient, Tokens, problem
from tests.givens import INSPECTOR, at, given_confirmed_violation, given_hall, given_staff, positions


def sse(response: httpx.Response) -> Iterator[tuple[str, Any]]:
    """("event", (id, data)) and ("comment", text) items of an event stream, as they arrive."""
    fields: dict[str, list[str]] = {}
    for line in response.iter_lines():
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line == "":
            if "data" in fields:
                yield "event", (int(fields["id"][0]), json.loads("\n".join(fields["data"])))
            fields = {}
        else:
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value[1:] if value.startswith(" ") else value)


def record(ledger: HallLedger, staff: Any, n: int, day: int) -> None:
    for i in range(n):
        ledger.record_violation(
            INSPECTOR, rule="ART4.1", staff_id=staff, evidence=f"desk untidy #{day}-{i}", occurred_at=at(10, day)
        )


def test_resume_after_a_disconnect_loses_and_repeats_nothing(
    live: LiveServer, tokens: Tokens, ledger: HallLedger
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    given_confirmed_violation(ledger, staff, when=at(10, 1))
    received: list[tuple[int, Any]] = []
    heartbeats = 0
    timeout = httpx.Timeout(30.0)  # a safety net against a hang, not a measurement
    with httpx.Client(base_url=live.url, timeout=timeout) as http:
        with http.stream("GET", "/api/v1/events/stream", headers=tokens.headers("dashboard")) as first:
            assert first.status_code == 200
            assert first.headers["content-type"].startswith("text/event-stream")
            for kind, item in sse(first):
                if kind == "event":
                    received.append(item)
                    if len(received) == 5:
                        break  # disconnect mid-stream
        # written while nobody listens
        record(ledger, staff, 3, day=2)
        resume = {"Last-Event-ID": str(received[-1][0])}
        with http.stream(
            "GET", "/api/v1/events/stream?after=0", headers=tokens.headers("dashboard") | resume
        ) as second:
            wrote_live = False
            for kind, item in sse(second):
                if kind == "event":
                    received.append(item)
                elif item == "heartbeat":
                    heartbeats += 1
                    if not wrote_live:  # idle at the head: the stream must follow new events
                        record(ledger, staff, 4, day=3)
                        wrote_live = True
                if wrote_live and received[-1][0] == positions(ledger) and heartbeats >= 2:
                    break
    ids = [position for position, _ in received]
    assert ids == list(range(1, positions(ledger) + 1)), "every event exactly once, in order"
    assert [data for _, data in received] == [envelope(e, p) for p, e in iter_events(ledger)]
    assert heartbeats >= 2


def test_a_stream_that_does_not_follow_ends_at_the_head(client: TestClient, tokens: Tokens, ledger: HallLedger) -> None:
    given_staff(ledger, given_hall(ledger))
    head = positions(ledger)
    response = client.get(
        "/api/v1/events/stream?follow=false&type=Opened", headers=tokens.headers("auditor", Last_Event_ID="3")
    )
    assert response.status_code == 200
    ids = [item[0] for kind, item in sse(response) if kind == "event"]
    assert ids == [4, 5, 6, 7] and head == 9
    assert response.text.startswith("retry: ")


def test_a_bad_last_event_id_is_422(client: TestClient, tokens: Tokens) -> None:
    for value in ("abc", "-1", "99999999999999999999999"):
        body = problem(
            client.get("/api/v1/events/stream?follow=false", headers=tokens.headers("auditor", Last_Event_ID=value)),
            422,
        )
        assert body["field"] == "Last-Event-ID"
