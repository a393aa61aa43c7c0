"""The command gate: what every POST route does around its command (``CommandGate.run``).

1. ``Idempotency-Key`` (optional, recommended): claim the key or replay the stored response
   (:mod:`service.api.idempotency`); the same key with another request is 422.
2. ``If-Match`` (routes that edit what a client read): the expected stream version; the
   command refuses a stale one (``StaleVersion``, 409).
3. Run the command as the authenticated actor; a domain refusal propagates to the problem
   handler and releases the key.
4. Answer ``201 Created`` (with ``Location``) or ``200 OK`` with the :class:`Outcome` —
   id, version, positions, extra — and ``ETag: "<version>"``; store it under the key.

While a claimed command runs, the key's marker is written in the events' own transaction:
``with ledger.in_events_transaction(idempotency.marker(claim, ...))`` around the command.

The gate gets only what it uses (the ledger, the idempotency store, the events counter and
the hall id), wired once at start-up by :func:`service.api.bootstrap.bootstrap`;
:mod:`service.api.deps` makes one per request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid5

from fastapi import Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from pydantic import BaseModel

from domain.envelope import Actor
from domain.errors import InvalidInput
from domain.ids import NAMESPACE
from domain.roles import Role
from projections.envelope import to_json_value
from service.api.idempotency import Claim, IdempotencyStore, StoredResponse, request_fingerprint
from service.api.problems import ApiProblem
from service.api.tokens import Principal
from service.app_base import LedgerApplicationBase, Outcome

_ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,12})"?$')


def parse_if_match(value: str | None) -> int | None:
    """``"3"``, ``W/"3"`` or ``3`` → 3; ``*`` or absent → no expectation."""
    if value is None or value.strip() == "*":
        return None
    found = _ETAG.match(value.strip())
    if not found:
        raise InvalidInput('If-Match must be the ETag of the version read, such as "3"', field="If-Match")
    return int(found.group(1))


def idempotent_id(hall_id: str, actor: str, key: str, kind: str) -> UUID:
    """The id of a record created by the command sent under ``key`` (see CommandGate.derived_id)."""
    return uuid5(NAMESPACE, f"idempotent/{hall_id}/{actor}/{key}/{kind}")


def etag(version: int) -> str:
    return f'"{version}"'


def outcome_body(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": str(outcome.id),
        "version": outcome.version,
        "positions": list(outcome.positions),
        "extra": {str(k): to_json_value(v) for k, v in outcome.extra.items()},
    }


class NotYourself(ApiProblem):
    """A staff token named someone else as the staff member acting (separation of identity)."""

    def __init__(self, field: str) -> None:
        super().__init__(
            403,
            "not-yourself",
            f"a staff token acts only for its own staff member; {field} names someone else",
            field=field,
        )


class CommandGate:
    """One request's command: its actor, its Idempotency-Key and (``EditCommand``) If-Match."""

    def __init__(
        self,
        request: Request,
        principal: Principal,
        key: str | None,
        *,
        ledger: LedgerApplicationBase,
        idempotency: IdempotencyStore,
        events_appended: Counter,
        hall_id: str,
    ) -> None:
        self.request = request
        self.principal = principal
        self.key = key.strip('"') if key else None
        self.expected_version: int | None = None
        self.ledger = ledger
        self.idempotency = idempotency
        self.events_appended = events_appended
        self.hall_id = hall_id

    @property
    def actor(self) -> Actor:
        return self.principal.actor

    def acting_staff(self, staff_id: UUID | None, field: str = "staff_id", *, required: bool = True) -> UUID | None:
        """The staff member a command names as the one acting (clocking in, handling a case …).

        A ``staff`` token acts only for itself: the field defaults to the token's own staff
        member and naming anyone else is refused (403 ``not-yourself``). Other roles name
        the person; ``required`` refuses them an empty field.
        """
        if self.principal.role == Role.STAFF:
            own = self.principal.staff_id
            if staff_id is not None and staff_id != own:
                raise NotYourself(field)
            return own
        if staff_id is None and required:
            raise InvalidInput(f"name the staff member ({field})", field=field)
        return staff_id

    def derived_id(self, kind: str) -> UUID | None:
        """An id for a created record derived from the idempotency key (None without a key).

        A command re-executed after an abandoned claim then collides on its id instead of
        recording the same fact twice.
        """
        if self.key is None:
            return None
        return idempotent_id(self.hall_id, self.principal.name, self.key, kind)

    def run(
        self,
        body: BaseModel | None,
        execute: Callable[[], Outcome],
        *,
        created: bool = False,
        location: str | Callable[[Outcome], str] | None = None,
    ) -> JSONResponse:
        """Run ``execute`` through the gate; ``location`` is the created record's URL, a
        template with ``{id}`` (or a function of the outcome)."""
        claim: Claim | None = None
        if self.key is not None:
            fingerprint = request_fingerprint(
                self.request.method,
                self.request.url.path,
                body.model_dump(mode="json") if body is not None else None,
                self.expected_version,
                self.key,
            )
            found = self.idempotency.begin(self.principal.name, self.key, fingerprint)
            if isinstance(found, StoredResponse):
                return JSONResponse(
                    json.loads(found.body),
                    status_code=found.status,
                    headers={**found.headers, "Idempotent-Replayed": "true"},
                )
            claim = found
        status = 201 if created else 200
        try:
            if claim is None:
                outcome = execute()
            else:  # the key is written in the events' own transaction (service/api/idempotency.py)
                template = location if isinstance(location, str) else None
                marker = self.idempotency.marker(claim, status=status, location=template)
                with self.ledger.in_events_transaction(marker):
                    outcome = execute()
        except BaseException:
            if claim is not None:
                self.idempotency.release(claim)
            raise
        self.events_appended.inc(len(outcome.positions))
        headers = {"ETag": etag(outcome.version)}
        if location is not None:
            headers["Location"] = location.format(id=outcome.id) if isinstance(location, str) else location(outcome)
        payload = outcome_body(outcome)
        if claim is not None:
            self.idempotency.complete(claim, StoredResponse(status, json.dumps(payload, ensure_ascii=False), headers))
        return JSONResponse(payload, status_code=status, headers=headers)
