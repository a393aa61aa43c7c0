"""The documented JSON envelope of a stored event.

One function turns a domain event and its position into plain JSON values; the event feed,
the CLI, the read models' ``explain`` answers and the ledger's canonical leaf encoding all
use it, so they can never disagree about what an event says.

Envelope::

    {"position": 42, "stream": "<uuid>", "version": 3, "type": "Violation.Recorded",
     "occurred_at": "2026-10-08T00:39:00.000000Z", "recorded_at": "…Z",
     "actor": {"id": "insp-li", "role": "inspector"}, "hall_id": "beihai",
     "rule": "ART6.5@2026.1" | null, "data": {…the event's own fields…}}

Values: datetimes as RFC 3339 UTC with microseconds and ``Z``; dates ``YYYY-MM-DD``; UUIDs
in hyphenated lower case; decimals as their exact string; personal fields (``Sealed``) as
``{"subject": …, "commitment": …}`` unless a reader allowed to see them supplies a
``reveal`` function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.envelope import Actor, Sealed

ENVELOPE_FIELDS = ("originator_id", "originator_version", "timestamp", "actor", "occurred_at", "hall_id")
#: library bookkeeping fields that are not part of what an event says
HIDDEN_FIELDS = ("originator_topic",)

Reveal = Callable[[Sealed], Any]


def event_type(topic_or_event: str | object) -> str:
    """``domain.violation:Violation.Recorded`` → ``Violation.Recorded``."""
    if isinstance(topic_or_event, str):
        return topic_or_event.partition(":")[2] or topic_or_event
    return type(topic_or_event).__qualname__


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def to_json_value(value: Any, reveal: Reveal | None = None) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} in an event")
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Actor):
        if value.person is None:
            return {"id": value.id, "role": value.role}
        return {"id": value.id, "role": value.role, "person": str(value.person)}
    if isinstance(value, Sealed):
        if reveal is not None:
            return reveal(value)
        return {"subject": value.subject, "commitment": value.commitment}
    if isinstance(value, list | tuple):
        return [to_json_value(v, reveal) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v, reveal) for k, v in value.items()}
    if isinstance(value, float):
        raise TypeError("floats are not allowed in events (use Decimal)")
    raise TypeError(f"cannot represent {type(value).__name__} in an event envelope")


def envelope(event: Any, position: int, *, reveal: Reveal | None = None) -> dict[str, Any]:
    fields = dict(vars(event))
    data = {
        name: to_json_value(value, reveal)
        for name, value in fields.items()
        if name not in ENVELOPE_FIELDS and name not in HIDDEN_FIELDS and name != "rule"
    }
    return {
        "position": position,
        "stream": str(event.originator_id),
        "version": event.originator_version,
        "type": event_type(event),
        "occurred_at": iso_utc(event.occurred_at),
        "recorded_at": iso_utc(event.timestamp),
        "actor": to_json_value(event.actor),
        "hall_id": event.hall_id,
        "rule": fields.get("rule"),
        "data": data,
    }
