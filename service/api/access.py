"""Who may call which endpoint: THE table (DOMAIN.md "People and roles", DOMAIN-RESEARCH §5).

Every authenticated route of the API is a key here (``"METHOD /path/{template}"``) and
nothing else decides access at the HTTP layer: the guard in :mod:`service.api.deps` reads
this table, the role × endpoint matrix test reads this table, and a route missing from it
is refused to everyone. The domain keeps its own checks (``Actor.require``, separation of
duties, four eyes) underneath; this table may be narrower than the domain, never wider.

Narrower on purpose: direct revocation and amendment of a violation are for the hall
manager and the committee; an appeal reviewer undoes a violation only by deciding the
appeal assigned to them (which writes the compensating events).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from domain.roles import Role
from service.personal_data import REVEALING_ROLES

STAFF = Role.STAFF
WINDOW_LEAD = Role.WINDOW_LEAD
HALL_MANAGER = Role.HALL_MANAGER
INSPECTOR = Role.INSPECTOR
APPEAL_REVIEWER = Role.APPEAL_REVIEWER
COMMITTEE = Role.COMMITTEE
DASHBOARD = Role.DASHBOARD
AUDITOR = Role.AUDITOR

#: every role a token can hold
ROLES: frozenset[Role] = frozenset(r for r in Role if r is not Role.SYSTEM)

MANAGEMENT = frozenset({HALL_MANAGER, COMMITTEE})
#: read the whole event log: operations and oversight; dashboard and auditor without personal data
FEED_READERS = frozenset({HALL_MANAGER, COMMITTEE, DASHBOARD, AUDITOR})

#: open to anyone, no token (process health, readiness, metrics, published JSON schemas, docs)
PUBLIC: frozenset[str] = frozenset(
    {
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /api/v1/schemas",
        "GET /api/v1/schemas/{event_type}",
        "GET /openapi.json",
        "GET /docs",
        "GET /docs/oauth2-redirect",
        "GET /redoc",
        # the verifiable ledger: what an outside verifier needs, nothing personal (routes/ledger.py)
        "GET /ledger/checkpoint",
        "GET /ledger/key",
        "GET /ledger/proof/inclusion",
        "GET /ledger/proof/consistency",
    }
)

ACCESS: dict[str, frozenset[Role]] = {
    # ── organisation ─────────────────────────────────────────────────────────
    "POST /api/v1/hall": MANAGEMENT,
    "POST /api/v1/departments": MANAGEMENT,
    "POST /api/v1/departments/{department_id}/leader-in-charge": MANAGEMENT,
    "POST /api/v1/windows": frozenset({HALL_MANAGER}),
    "POST /api/v1/windows/{window_id}/closure": frozenset({HALL_MANAGER}),
    # ── staff and postings (ART8) ────────────────────────────────────────────
    "POST /api/v1/staff": frozenset({HALL_MANAGER}),
    "POST /api/v1/staff/{staff_id}/posting": frozenset({HALL_MANAGER}),
    "POST /api/v1/staff/{staff_id}/move": frozenset({HALL_MANAGER}),
    "POST /api/v1/staff/{staff_id}/committee-consents": frozenset({COMMITTEE}),
    "POST /api/v1/staff/{staff_id}/replacement-demands": MANAGEMENT,
    "POST /api/v1/staff/{staff_id}/posting-end": frozenset({HALL_MANAGER}),
    "POST /api/v1/staff/{staff_id}/replacement": frozenset({HALL_MANAGER}),
    "POST /api/v1/staff/{staff_id}/recall": frozenset({HALL_MANAGER}),
    "POST /api/v1/staff/{staff_id}/departure": frozenset({HALL_MANAGER}),
    # ── violations ───────────────────────────────────────────────────────────
    "POST /api/v1/violations": frozenset({INSPECTOR, HALL_MANAGER}),
    "POST /api/v1/violations/{violation_id}/confirmation": frozenset({INSPECTOR, HALL_MANAGER}),
    "POST /api/v1/violations/{violation_id}/dismissal": frozenset({INSPECTOR, HALL_MANAGER}),
    "POST /api/v1/violations/{violation_id}/revocation": MANAGEMENT,
    "POST /api/v1/violations/{violation_id}/amendment": MANAGEMENT,
    # ── escalation decisions (ART2.1.3) ──────────────────────────────────────
    "POST /api/v1/staff/{staff_id}/admonishments": MANAGEMENT,
    "POST /api/v1/staff/{staff_id}/admonishments/{admonishment_id}/remedy-completion": frozenset(
        {HALL_MANAGER, WINDOW_LEAD}
    ),
    "POST /api/v1/staff/{staff_id}/admonishments/{admonishment_id}/rescission": MANAGEMENT,
    "POST /api/v1/staff/{staff_id}/suspensions": MANAGEMENT,
    "POST /api/v1/staff/{staff_id}/removals": frozenset({COMMITTEE}),
    "POST /api/v1/staff/{staff_id}/sanctions/{decision_id}/reinstatement": MANAGEMENT,
    "POST /api/v1/staff/{staff_id}/sanctions/{decision_id}/rescission": MANAGEMENT,
    # ── appeals (申诉/复核) ───────────────────────────────────────────────────
    "POST /api/v1/appeals": frozenset({STAFF}),
    "POST /api/v1/appeals/{appeal_id}/reviewer": MANAGEMENT,
    "POST /api/v1/appeals/{appeal_id}/decision": frozenset({APPEAL_REVIEWER}),
    # the appellant (their own appeal only), reviewers and management see the evidence chain
    "GET /api/v1/appeals/{appeal_id}": frozenset({STAFF, APPEAL_REVIEWER, HALL_MANAGER, COMMITTEE}),
    # ── the event log ────────────────────────────────────────────────────────
    "GET /api/v1/events": FEED_READERS,
    "GET /api/v1/events/stream": FEED_READERS,
    # ── the verifiable ledger (routes/ledger.py) ─────────────────────────────
    "GET /ledger/entries": FEED_READERS,
    # receipts: the appellant (own records only), reviewers, management, the external auditor
    "GET /api/v1/violations/{violation_id}/receipt": frozenset(
        {STAFF, APPEAL_REVIEWER, HALL_MANAGER, COMMITTEE, AUDITOR}
    ),
    "GET /api/v1/staff/{staff_id}/sanctions/{decision_id}/receipt": frozenset(
        {STAFF, APPEAL_REVIEWER, HALL_MANAGER, COMMITTEE, AUDITOR}
    ),
}

#: roles shown personal fields (``Sealed``) in clear, through the vault — the vault's own rule
#: (``service.personal_data.REVEALING_ROLES``: hall_manager, staff). Dashboard and auditor never are.
PERSONAL_DATA_ROLES: frozenset[Role] = frozenset(REVEALING_ROLES)


def routes_of(app: Any) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(method, full path template, endpoint) of every route of the app (FastAPI ≥ 0.165 keeps
    included routers as such: their routes' own ``path`` lacks the prefixes)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is flat
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    for route in contexts:
        path = getattr(route, "path", None)
        endpoint = getattr(route, "endpoint", None)
        if path is None or endpoint is None:
            continue
        for method in sorted(getattr(route, "methods", None) or ()):
            yield method, path, endpoint


def endpoint_key(method: str, path: str) -> str:
    return f"{'GET' if method == 'HEAD' else method} {path}"


def roles_for(method: str, path: str) -> frozenset[Role]:
    """The roles allowed on an endpoint (empty: nobody — a route missing from the table)."""
    return ACCESS.get(endpoint_key(method, path), frozenset())


def is_public(method: str, path: str) -> bool:
    return endpoint_key(method, path) in PUBLIC


assert not (PERSONAL_DATA_ROLES & {DASHBOARD, AUDITOR}), "dashboard and auditor never see personal data"
