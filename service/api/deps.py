"""Dependencies of the routes, as ``Annotated`` aliases (FastAPI full-stack template style).

- ``Ledger``: the process's one :class:`~service.application.HallLedger`.
- ``CurrentPrincipal``: the authenticated token's identity, after the role guard — 401
  without, with a bad, revoked or expired token, 403 when the access table does not list the
  role for the matched route. The actor of every event is this principal (with the staff
  member the token is bound to as ``actor.person``); no body can name it. Whether a staff
  token may act on a given record is the commands' rule (:mod:`domain.ownership`).
- ``Command`` / ``EditCommand``: the request's command gate (:mod:`service.api.gate`, made by
  the factory :func:`service.api.bootstrap.bootstrap` wired; EditCommand also reads
  ``If-Match`` as the expected stream version).

The services themselves are built once at start-up (:mod:`service.api.bootstrap`); this
module only hands them to the routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.access import endpoint_key, roles_for
from service.api.bootstrap import Services
from service.api.gate import CommandGate, parse_if_match
from service.api.problems import RoleNotAllowed, Unauthenticated
from service.api.tokens import Principal
from service.application import HallLedger


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_ledger(services: ServicesDep) -> HallLedger:
    return services.ledger


Ledger = Annotated[HallLedger, Depends(get_ledger)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API token made with `hall-ledger token create --role … --name …`.",
)


def authorise(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The role guard: authenticate the bearer token, then consult the access table."""
    if credentials is None:
        raise Unauthenticated("this endpoint needs a bearer token: Authorization: Bearer <token>")
    principal = services.tokens.authenticate(credentials.credentials)
    if principal is None:
        if services.tokens.expired(credentials.credentials):
            raise Unauthenticated("the bearer token has expired; ask for a new one", invalid=True)
        raise Unauthenticated("the bearer token is unknown or revoked", invalid=True)
    path = services.template(request.scope) or request.url.path
    if principal.role not in roles_for(request.method, path):
        raise RoleNotAllowed(principal.role, endpoint_key(request.method, path))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authorise)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,255}$",
        description="a unique key per command (e.g. a UUID): a retry with the same key and body "
        "writes nothing new and returns the original response",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=40,
        description='the stream version the client read (the ETag, e.g. "3"); a stale version is refused with 409',
    ),
]


def command_gate(
    request: Request, services: ServicesDep, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> CommandGate:
    return services.gate(request, principal, idempotency_key)


def edit_gate(gate: Annotated[CommandGate, Depends(command_gate)], if_match: IfMatch = None) -> CommandGate:
    gate.expected_version = parse_if_match(if_match)
    return gate


Command = Annotated[CommandGate, Depends(command_gate)]
EditCommand = Annotated[CommandGate, Depends(edit_gate)]
