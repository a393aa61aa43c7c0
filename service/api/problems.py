"""RFC 9457 problem details (``application/problem+json``) for every error the API returns.

Members: ``type`` (a URI naming the problem, ``https://hall-ledger.example/problems/<code>``),
``title``, ``status``, ``detail``, ``instance`` (the request path), and the extensions
``code`` (stable, machine-readable), ``field`` (the input at fault: a body field such as
``basis`` or ``target.id``, a header such as ``Idempotency-Key``, a query parameter),
``rule`` (the rule of the regulation that refused a command, ``ART2.1.3@2026.1``) and, for
request validation, ``errors`` — one entry per invalid input with its location and JSON
pointer (RFC 6901).

One place maps exceptions to problems: domain errors keep their own status (404, 409, 422,
403), request validation is 422, routing errors 404/405, oversize bodies 413. A last-resort
handler turns anything unexpected into a 500 problem without leaking internals — the test
suite treats reaching it as a bug.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from eventsourcing.persistence import IntegrityError, OperationalError, PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError

log = logging.getLogger("hall_ledger.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://hall-ledger.example/problems/"


class FieldError(BaseModel):
    """One invalid input of a request."""

    model_config = ConfigDict(populate_by_name=True)

    in_: str = Field(alias="in", description="body, path, query or header")
    field: str = Field(description="dotted name of the input (target.id, Idempotency-Key, limit)")
    pointer: str | None = Field(default=None, description="JSON pointer into the body (RFC 6901), for body errors")
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, with the ledger's extensions."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str
    field: str | None = None
    rule: str | None = None
    errors: list[FieldError] | None = None


class ApiProblem(Exception):
    """An error of the HTTP layer itself (authentication, access, idempotency, limits)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.headers = headers or {}
        self.title = title


class Unauthenticated(ApiProblem):
    def __init__(self, detail: str, *, invalid: bool = False) -> None:
        challenge = 'Bearer realm="hall-ledger"' + (', error="invalid_token"' if invalid else "")
        super().__init__(401, "unauthenticated", detail, field="Authorization", headers={"WWW-Authenticate": challenge})


class RoleNotAllowed(ApiProblem):
    def __init__(self, role: str, endpoint: str) -> None:
        super().__init__(403, "role-not-allowed", f"the role {role} may not use {endpoint}", field="Authorization")


class ContentTooLarge(StarletteHTTPException):
    """Raised while a request body streams in past the limit (FastAPI re-raises HTTPExceptions)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"the request body exceeds {limit} bytes")
        self.limit = limit


def title_of(status: int, code: str) -> str:
    if code and code not in ("http-error",):
        return code.replace("-", " ").capitalize()
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(
    *,
    status: int,
    code: str,
    detail: str | None,
    instance: str | None,
    field: str | None = None,
    rule: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title or title_of(status, code),
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if field is not None:
        body["field"] = field
    if rule is not None:
        body["rule"] = rule
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    request: Request | None,
    *,
    status: int,
    code: str,
    detail: str | None,
    field: str | None = None,
    rule: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    title: str | None = None,
    instance: str | None = None,
) -> JSONResponse:
    if instance is None and request is not None:
        instance = request.url.path
    return JSONResponse(
        problem_body(
            status=status, code=code, detail=detail, instance=instance, field=field, rule=rule, errors=errors,
            title=title,
        ),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )  # fmt: skip


def _pointer(parts: list[str]) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts) if parts else "#"


def validation_errors(errors: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for error in errors:
        loc = list(error.get("loc", ()))
        where = str(loc[0]) if loc else "body"
        parts = [str(p) for p in loc[1:]]
        if error.get("type") == "json_invalid":
            parts = []
        entry: dict[str, Any] = {
            "in": where,
            "field": ".".join(parts) or where,
            "message": str(error.get("msg", "invalid")),
            "type": str(error.get("type", "invalid")),
        }
        if where == "body":
            entry["pointer"] = _pointer(parts)
        out.append(entry)
    return out


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(
        request, status=exc.status, code=exc.code, detail=exc.message, field=exc.field, rule=exc.rule
    )


async def _api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        request, status=exc.status, code=exc.code, detail=exc.detail, field=exc.field, headers=exc.headers,
        title=exc.title,
    )  # fmt: skip


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc.errors())
    first = errors[0] if errors else {"field": None, "message": "invalid request"}
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]) or "invalid request"
    return problem_response(
        request, status=422, code="validation-failed", detail=detail, field=first["field"], errors=errors
    )


HTTP_CODES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "content-too-large",
    415: "unsupported-media-type",
}


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status, "http-error")
    detail = exc.detail if isinstance(exc.detail, str) else None
    if status == 404 and detail == "Not Found":
        detail = f"there is no resource at {request.url.path}"
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem_response(request, status=status, code=code, detail=detail, headers=dict(exc.headers or {}) or None)


async def _persistence_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable: %s", type(exc).__name__)
    return problem_response(
        request,
        status=503,
        code="store-unavailable",
        detail="the ledger's database is busy or unreachable; retry shortly",
        headers={"Retry-After": "1"},
    )


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        request,
        status=409,
        code="concurrent-change",
        detail="another request changed the same record at the same moment; retry",
    )


async def _last_resort(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, status=500, code="internal-error", detail="an unexpected error occurred; it has been logged"
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _persistence_error)
    app.add_exception_handler(PersistenceError, _persistence_error)
    app.add_exception_handler(Exception, _last_resort)


#: documented on every operation: any 4xx is a problem document
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": Problem, "description": "Problem details (RFC 9457)"},
}


def problem_media_types(openapi: dict[str, Any]) -> dict[str, Any]:
    """Document error responses as ``application/problem+json``.

    FastAPI files the Problem model of ``4XX`` under the route's own media type
    (``application/json``, or ``text/plain`` for a plain-text route); errors are always problems.
    """
    problem_ref = "#/components/schemas/Problem"
    for path_item in openapi.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                if not (status[0] in "45" or status == "default"):
                    continue
                content = response.get("content", {})
                schemas = [c.get("schema", {}) for c in content.values()]
                if any(schema.get("$ref") == problem_ref for schema in schemas):
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": problem_ref}}}
    return openapi
