"""The event feed: a stable cursor over the global log, and the same as Server-Sent Events.

``GET /api/v1/events?after=&limit=&type=`` pages through the log in position order. The
answer's ``next`` is the cursor for the following page. Positions are gap-free and commit
in order (the store's insert lock), so ``next`` may safely move past events a type filter
skipped: when a page is not full, ``next`` is the log head as read *before* the page.

``GET /api/v1/events/stream`` sends the same envelopes as SSE, ``id:`` = position, and
follows new events; it resumes after ``Last-Event-ID`` (or ``?after=``), sends a comment
line as heartbeat when idle, and reads the store in a worker thread so that the event loop
never blocks. Envelopes: docs/event-feed.md; personal fields are sealed except for roles
allowed to see personal data.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, StringConstraints

from domain.errors import InvalidInput
from projections.envelope import envelope, event_type
from service.api.deps import CurrentPrincipal, ServicesDep
from service.api.personal import revealer_for
from service.application import HallLedger
from service.eventlog import known_topics, resolve_types

router = APIRouter(prefix="/events", tags=["event feed"])

#: the largest position a cursor may name (both stores hold 64-bit positions)
MAX_POSITION = 2**62
STREAM_PAGE = 500

TypeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.]{0,99}$")]
TypeFilter = Annotated[
    list[TypeName] | None,
    Query(
        alias="type",
        max_length=50,
        description="event types to include, repeatable: Violation.Recorded (or just Recorded)",
    ),
]
After = Annotated[int, Query(ge=0, le=MAX_POSITION, description="the cursor: events after this position")]


#: one event of the stream (OpenAPI 3.1: the schema of an event-stream describes each event)
SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$", "description": "the event's position (resume after it)"},
        "event": {"type": "string", "const": "message"},
        "data": {"type": "string", "contentMediaType": "application/json", "description": "the envelope, as JSON"},
    },
    "required": ["id", "data"],
}


class ActorOut(BaseModel):
    id: str
    role: str


class Envelope(BaseModel):
    position: int
    stream: str
    version: int
    type: str
    occurred_at: str
    recorded_at: str
    actor: ActorOut
    hall_id: str
    rule: str | None
    data: dict[str, Any]


class EventPage(BaseModel):
    events: list[Envelope]
    next: int
    head: int


def topics_for(ledger: HallLedger, types: Sequence[str] | None) -> list[str]:
    """Topics of the named types; an unknown name is refused (a typo must not look like silence)."""
    if not types:
        return []
    names = [event_type(t) for t in known_topics(ledger)]
    for wanted in types:
        if not any(n == wanted or n.endswith("." + wanted) for n in names):
            raise InvalidInput(f"unknown event type {wanted!r}; see /api/v1/schemas", field="type")
    return resolve_types(ledger, types)


def read_page(
    ledger: HallLedger, after: int, limit: int, topics: list[str], reveal: Callable[[Any], Any] | None
) -> tuple[list[dict[str, Any]], int, int]:
    """Envelopes after ``after`` (at most ``limit``), the next cursor and the head."""
    head = ledger.recorder.max_notification_id() or 0
    if after >= head:
        return [], after, head
    notifications = ledger.recorder.select_notifications(
        start=after, limit=limit, stop=head, topics=topics, inclusive_of_start=False
    )
    events = [envelope(ledger.mapper.to_domain_event(n), n.id, reveal=reveal) for n in notifications]
    following = notifications[-1].id if len(notifications) == limit else head
    return events, following, head


@router.get("", response_model=EventPage, summary="The event feed: a page of the log after a cursor")
def feed(
    principal: CurrentPrincipal,
    services: ServicesDep,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many events")] = 100,
    types: TypeFilter = None,
) -> JSONResponse:
    ledger = services.ledger
    topics = topics_for(ledger, types)
    events, following, head = read_page(ledger, after, limit, topics, revealer_for(principal.role, services.vault))
    query = f"after={following}&limit={limit}" + "".join(f"&type={t}" for t in types or ())
    return JSONResponse(
        {"events": events, "next": following, "head": head},
        headers={"Link": f'</api/v1/events?{query}>; rel="next"'},
    )


def parse_last_event_id(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_POSITION:
        raise InvalidInput(
            "Last-Event-ID must be a position of the log (an id this stream sent)", field="Last-Event-ID"
        )
    return int(text)


def sse_event(position: int, body: dict[str, Any]) -> str:
    return f"id: {position}\ndata: {json.dumps(body, ensure_ascii=False, separators=(',', ':'))}\n\n"


@router.get(
    "/stream",
    response_class=StreamingResponse,
    summary="The event feed as Server-Sent Events (resumable with Last-Event-ID)",
    responses={200: {"content": {"text/event-stream": {"schema": SSE_EVENT}}}},
)
async def stream(
    principal: CurrentPrincipal,
    services: ServicesDep,
    after: After = 0,
    types: TypeFilter = None,
    follow: Annotated[bool, Query(description="keep the stream open for new events (false: stop at the head)")] = True,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=40, description="resume after this position")
    ] = None,
) -> StreamingResponse:
    ledger = services.ledger
    resume = parse_last_event_id(last_event_id)
    start = resume if resume is not None else after
    topics = topics_for(ledger, types)
    reveal = revealer_for(principal.role, services.vault)
    heartbeat = services.settings.api_sse_heartbeat_seconds
    poll = services.settings.api_sse_poll_seconds

    async def events() -> AsyncIterator[str]:
        position = start
        yield f"retry: {int(max(poll, 1.0) * 1000)}\n: hall-ledger event stream after position {position}\n\n"
        idle_since = time.monotonic()
        while True:
            page, following, _ = await anyio.to_thread.run_sync(
                read_page, ledger, position, STREAM_PAGE, topics, reveal
            )
            for entry in page:
                yield sse_event(entry["position"], entry)
            position = following
            if page:
                idle_since = time.monotonic()
                if len(page) == STREAM_PAGE:
                    continue
            if not follow:
                return
            if time.monotonic() - idle_since >= heartbeat:
                yield ": heartbeat\n\n"
                idle_since = time.monotonic()
            await anyio.sleep(min(poll, heartbeat))

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
