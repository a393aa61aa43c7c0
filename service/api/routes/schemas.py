"""Published JSON Schemas (draft 2020-12) of every event type's envelope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from domain.errors import NotFound
from service.schemas import SCHEMA_DIALECT, schemas_by_type

router = APIRouter(prefix="/schemas", tags=["event feed"])


class SchemaLink(BaseModel):
    type: str
    href: str
    personal_fields: list[str]


class SchemaIndex(BaseModel):
    dialect: str
    envelope: str
    types: list[SchemaLink]


@router.get("", response_model=SchemaIndex, summary="Index of the event types' JSON Schemas")
def schema_index() -> dict[str, Any]:
    return {
        "dialect": SCHEMA_DIALECT,
        "envelope": "docs/event-feed.md",
        "types": [
            {"type": name, "href": f"/api/v1/schemas/{name}", "personal_fields": schema["x-personal-fields"]}
            for name, schema in sorted(schemas_by_type().items())
        ],
    }


@router.get(
    "/{event_type}",
    summary="The JSON Schema of one event type (e.g. Violation.Recorded)",
    responses={200: {"content": {"application/schema+json": {"schema": {"type": "object"}}}}},
)
def event_schema(event_type: str) -> JSONResponse:
    schema = schemas_by_type().get(event_type)
    if schema is None:
        raise NotFound(f"no event type {event_type!r}; see /api/v1/schemas", field="event_type")
    return JSONResponse(schema, media_type="application/schema+json")
