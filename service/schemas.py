"""Every event class of the domain, and the JSON Schema (draft 2020-12) of each one's envelope.

The schemas are derived from the event classes' dataclass fields, so they cannot drift
from the code: one schema per event type (``Violation.Recorded``), describing the
documented envelope (``projections.envelope``) with ``type`` fixed and ``data`` listing
the event's own fields. Published at ``/api/v1/schemas`` (docs/event-feed.md).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

from domain.event_classes import event_classes

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE = "https://hall-ledger.example/schemas/events/"

#: envelope members that are event fields of the library or of LedgerAggregate.Event
ENVELOPE_EVENT_FIELDS = ("originator_id", "originator_version", "timestamp", "actor", "occurred_at", "hall_id", "rule")


def all_event_classes() -> list[type]:
    """Every event class of the domain (:func:`domain.event_classes.event_classes`)."""
    return list(event_classes())


def type_name(cls: type) -> str:
    """The event type as the envelope names it (``Violation.Recorded``)."""
    return cls.__qualname__


# ── JSON Schema of field types ──────────────────────────────────────────────

DATETIME = {"type": "string", "format": "date-time", "description": "RFC 3339, UTC, microseconds, Z"}
DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "description": "exact decimal"}
ACTOR = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "role": {"type": "string"},
        "person": {"type": "string", "format": "uuid", "description": "the staff member the token is bound to"},
    },
    "required": ["id", "role"],
    "additionalProperties": False,
}
SEALED = {
    "description": "personal data (PIPL): sealed as {subject, commitment}; in clear only for roles "
    "allowed to see personal data",
    "x-personal-data": True,
    "anyOf": [
        {
            "type": "object",
            "properties": {
                "subject": {"type": "string"},
                "commitment": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "erased": {"type": "boolean"},
            },
            "required": ["subject", "commitment"],
            "additionalProperties": False,
        },
        {"type": ["string", "object", "array", "number", "boolean", "null"]},
    ],
}


def field_schema(annotation: Any) -> dict[str, Any]:
    """JSON Schema of one event field's type (the envelope's value encoding)."""
    from domain.envelope import Actor, Sealed

    if annotation is Any:
        return {"description": "any JSON value"}
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [field_schema(a) for a in args if a is not type(None)]
        nullable = type(None) in args
        if len(options) == 1 and nullable:
            return {"anyOf": [options[0], {"type": "null"}]}
        return {"anyOf": options + ([{"type": "null"}] if nullable else [])}
    if origin in (list, tuple, typing.Sequence) or annotation in (list, tuple):
        item = field_schema(args[0]) if args else {}
        return {"type": "array", "items": item}
    if origin is dict or annotation is dict:
        value = field_schema(args[1]) if len(args) == 2 else {}
        return {"type": "object", "additionalProperties": value}
    simple: dict[Any, dict[str, Any]] = {
        str: {"type": "string"},
        bool: {"type": "boolean"},
        int: {"type": "integer"},
        datetime: DATETIME,
        date: {"type": "string", "format": "date"},
        UUID: {"type": "string", "format": "uuid"},
        Decimal: DECIMAL,
        Actor: ACTOR,
        Sealed: SEALED,
        type(None): {"type": "null"},
    }
    if annotation in simple:
        return dict(simple[annotation])
    raise TypeError(f"no JSON Schema for event field type {annotation!r}")


def event_fields(cls: type) -> dict[str, Any]:
    """The event's own fields (``data`` of the envelope) and their types."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name not in ENVELOPE_EVENT_FIELDS and f.name != "originator_topic"
    }


def event_json_schema(cls: type) -> dict[str, Any]:
    name = type_name(cls)
    fields = event_fields(cls)
    has_rule = "rule" in {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    personal = [n for n in getattr(cls, "personal_fields", ())]
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_BASE + name,
        "title": name,
        "description": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else name,
        "type": "object",
        "properties": {
            "position": {"type": "integer", "minimum": 1, "description": "place in the global log (cursor)"},
            "stream": {"type": "string", "format": "uuid", "description": "the aggregate's id"},
            "version": {"type": "integer", "minimum": 1, "description": "the event's version in its stream"},
            "type": {"const": name},
            "occurred_at": DATETIME | {"description": "valid time: when it happened in the hall"},
            "recorded_at": DATETIME | {"description": "record time: when the ledger recorded it"},
            "actor": ACTOR,
            "hall_id": {"type": "string"},
            "rule": (
                {"type": "string", "pattern": r"^ART[0-9]+(\.[0-9]+){1,2}@[0-9]{4}\.[0-9]+$"}
                if has_rule
                else {"type": "null"}
            ),
            "data": {
                "type": "object",
                "properties": {n: field_schema(t) for n, t in fields.items()},
                "required": sorted(fields),
                "additionalProperties": False,
            },
        },
        "required": ["position", "stream", "version", "type", "occurred_at", "recorded_at", "actor", "hall_id",
                     "rule", "data"],
        "additionalProperties": False,
        "x-personal-fields": personal,
    }  # fmt: skip


@cache
def schemas_by_type() -> dict[str, dict[str, Any]]:
    return {type_name(cls): event_json_schema(cls) for cls in all_event_classes()}
