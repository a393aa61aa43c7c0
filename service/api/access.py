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

# ── who records what (the domain's ``Actor.require`` lists, less the ledger's own ``system``) ──
#: window service work: inquiries, applications, disclosure, consultations (DOMAIN.md: staff record their own)
SERVICE_RECORDERS = frozenset({STAFF, WINDOW_LEAD, HALL_MANAGER})
#: the window's day: punches, leave requests, releases from a shift, moving equipment
WINDOW_PEOPLE = frozenset({STAFF, WINDOW_LEAD, HALL_MANAGER})
#: who reports what they see: absences, incidents, credential incidents, hazards, end-of-day checks
REPORTERS = frozenset({STAFF, WINDOW_LEAD, HALL_MANAGER, INSPECTOR})
#: approving leave, designating custodians, recording cleaning done (DOMAIN.md: window leads approve leave)
LEADS = frozenset({WINDOW_LEAD, HALL_MANAGER})
INSPECTION = frozenset({INSPECTOR, HALL_MANAGER})

# ── who reads what: staff-level data is personal data too (DOMAIN-RESEARCH §5) ──
#: a person's scores, violations and ladder state: the person themselves (a staff token, for its
#: own staff member only — the routes check), the hall manager, the committee, appeal reviewers
STAFF_DATA_READERS = frozenset({STAFF, HALL_MANAGER, COMMITTEE, APPEAL_REVIEWER})
#: of those, who reads everyone's (lists, rankings of named people, escalation alerts)
PERFORMANCE_READERS = frozenset({HALL_MANAGER, COMMITTEE, APPEAL_REVIEWER})
#: the roster — who is posted where, in which status — for the people who work with it; roles
#: outside PERFORMANCE_READERS see only ROSTER_FIELDS of a staff record
ROSTER_READERS = PERFORMANCE_READERS | {INSPECTOR, WINDOW_LEAD}
#: aggregates per window, department and hall: no row names a person
AGGREGATE_READERS = frozenset({HALL_MANAGER, COMMITTEE, DASHBOARD, WINDOW_LEAD, INSPECTOR})
#: work queues (open items per window and person); escalation items only for PERFORMANCE_READERS
OPERATIONS = frozenset({HALL_MANAGER, COMMITTEE, WINDOW_LEAD, INSPECTOR})

#: the fields of a staff record everyone in ROSTER_READERS sees (the rest is performance data)
ROSTER_FIELDS: frozenset[str] = frozenset(
    {
        "staff_id", "staff_no", "name", "department_id", "employment", "window_id", "posting_start",
        "posting_end", "temporary", "status", "status_since", "onboarded_at", "left_on",
    }
)  # fmt: skip
#: open items (alerts) that are staff performance data: shown to PERFORMANCE_READERS only
PERFORMANCE_ALERT_PREFIX = "escalation_"

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
    # 待岗 and 调离 are the management committee's decisions (DOMAIN.md roles; domain/staff.py)
    "POST /api/v1/staff/{staff_id}/suspensions": frozenset({COMMITTEE}),
    "POST /api/v1/staff/{staff_id}/removals": frozenset({COMMITTEE}),
    "POST /api/v1/staff/{staff_id}/sanctions/{decision_id}/reinstatement": MANAGEMENT,
    "POST /api/v1/staff/{staff_id}/sanctions/{decision_id}/rescission": MANAGEMENT,
    # ── appeals (申诉/复核) ───────────────────────────────────────────────────
    "POST /api/v1/appeals": frozenset({STAFF}),
    "POST /api/v1/appeals/{appeal_id}/reviewer": MANAGEMENT,
    "POST /api/v1/appeals/{appeal_id}/decision": frozenset({APPEAL_REVIEWER}),
    # the appellant (their own appeal only), reviewers and management see the evidence chain
    "GET /api/v1/appeals/{appeal_id}": frozenset({STAFF, APPEAL_REVIEWER, HALL_MANAGER, COMMITTEE}),
    # ── first inquiries (ART2.1) ─────────────────────────────────────────────
    "POST /api/v1/inquiries": SERVICE_RECORDERS,
    "POST /api/v1/inquiries/{inquiry_id}/handling": SERVICE_RECORDERS,
    "POST /api/v1/inquiries/{inquiry_id}/hand-over": SERVICE_RECORDERS,
    "POST /api/v1/inquiries/{inquiry_id}/escalation": SERVICE_RECORDERS,
    "POST /api/v1/inquiries/{inquiry_id}/result": SERVICE_RECORDERS,
    "POST /api/v1/inquiries/{inquiry_id}/closure": SERVICE_RECORDERS,
    # ── applications (ART2.2, ART2.3, ART7.2, ART7.6) ────────────────────────
    "POST /api/v1/applications": SERVICE_RECORDERS,
    "POST /api/v1/applications/{case_id}/one-time-notices": SERVICE_RECORDERS,
    "POST /api/v1/applications/{case_id}/resubmission": SERVICE_RECORDERS,
    "POST /api/v1/applications/{case_id}/acceptance": SERVICE_RECORDERS,
    "POST /api/v1/applications/{case_id}/on-the-spot-completion": SERVICE_RECORDERS,
    # stopping the clock and extending it are approved by an authenticated leader (domain.ownership)
    "POST /api/v1/applications/{case_id}/suspension": LEADS,
    "POST /api/v1/applications/{case_id}/resumption": SERVICE_RECORDERS,
    "POST /api/v1/applications/{case_id}/extension": LEADS,
    "POST /api/v1/applications/{case_id}/completion": SERVICE_RECORDERS,
    "POST /api/v1/applications/{case_id}/rejection": SERVICE_RECORDERS,
    # ── disclosure (ART2.4) ──────────────────────────────────────────────────
    "POST /api/v1/publications": SERVICE_RECORDERS,
    "POST /api/v1/publications/{publication_id}/withdrawal": SERVICE_RECORDERS,
    "POST /api/v1/disclosure-requests": SERVICE_RECORDERS,
    "POST /api/v1/disclosure-requests/{request_id}/correction-request": SERVICE_RECORDERS,
    "POST /api/v1/disclosure-requests/{request_id}/correction": SERVICE_RECORDERS,
    "POST /api/v1/disclosure-requests/{request_id}/extension": LEADS,  # approved by a leader (domain.ownership)
    "POST /api/v1/disclosure-requests/{request_id}/answer": SERVICE_RECORDERS,
    "POST /api/v1/disclosure-requests/{request_id}/abandonment": SERVICE_RECORDERS,
    # ── consultations (ART2.5) and personal data ─────────────────────────────
    "POST /api/v1/consultations": SERVICE_RECORDERS,
    "POST /api/v1/consultations/{consultation_id}/answer": SERVICE_RECORDERS,
    "POST /api/v1/consultations/{consultation_id}/referral": SERVICE_RECORDERS,
    "POST /api/v1/consultations/{consultation_id}/out-of-scope": SERVICE_RECORDERS,
    "POST /api/v1/consultations/{consultation_id}/handling-limits": SERVICE_RECORDERS,
    "POST /api/v1/personal-data/erasures": frozenset({HALL_MANAGER}),
    # ── attendance and leave (ART6.5, ART7.5) ────────────────────────────────
    "POST /api/v1/attendance/clock-ins": WINDOW_PEOPLE,
    "POST /api/v1/attendance/clock-outs": WINDOW_PEOPLE,
    "POST /api/v1/attendance/absences": REPORTERS,
    "POST /api/v1/attendance/absences/{absence_id}/return": REPORTERS,
    "POST /api/v1/leave-requests": WINDOW_PEOPLE,
    "POST /api/v1/leave-requests/{leave_id}/approval": LEADS,
    "POST /api/v1/leave-requests/{leave_id}/refusal": LEADS,
    "POST /api/v1/leave-requests/{leave_id}/report-back": WINDOW_PEOPLE,
    # ── duty and security (ART9) ─────────────────────────────────────────────
    "POST /api/v1/duty/shifts": frozenset({HALL_MANAGER}),
    "POST /api/v1/duty/shifts/{shift_id}/release": WINDOW_PEOPLE,
    "POST /api/v1/duty/shifts/{shift_id}/hand-over": WINDOW_PEOPLE,
    "POST /api/v1/duty/incidents": REPORTERS,
    "POST /api/v1/security/credential-incidents": REPORTERS,
    "POST /api/v1/security/credential-incidents/{incident_id}/reset": frozenset({HALL_MANAGER}),
    "POST /api/v1/security/end-of-day-checks": REPORTERS,
    "POST /api/v1/security/hazards": REPORTERS,
    "POST /api/v1/security/hazards/{hazard_id}/resolution": WINDOW_PEOPLE,
    # ── assets (ART10.1, ART5.2, ART9.1) ─────────────────────────────────────
    "POST /api/v1/assets": frozenset({HALL_MANAGER}),
    "POST /api/v1/assets/{asset_id}/custodian": LEADS,
    "POST /api/v1/assets/{asset_id}/move-filings": frozenset({HALL_MANAGER}),
    "POST /api/v1/assets/{asset_id}/moves": WINDOW_PEOPLE,
    "POST /api/v1/assets/{asset_id}/unfiled-moves": INSPECTION,
    "POST /api/v1/assets/{asset_id}/virus-checks": WINDOW_PEOPLE,
    "POST /api/v1/inventory-counts": frozenset({HALL_MANAGER}),
    "POST /api/v1/inventory-counts/{count_id}/results": frozenset({HALL_MANAGER}),
    "POST /api/v1/inventory-counts/{count_id}/discrepancies/{discrepancy_id}/resolution": frozenset({HALL_MANAGER}),
    "POST /api/v1/inventory-counts/{count_id}/write-off": MANAGEMENT,
    "POST /api/v1/inventory-counts/{count_id}/closure": frozenset({HALL_MANAGER}),
    # ── inspection rounds and cleaning (ART1, ART3–ART7, ART4.2) ─────────────
    "POST /api/v1/inspection-rounds": INSPECTION,
    "POST /api/v1/cleaning-requests": frozenset({HALL_MANAGER}),
    "POST /api/v1/cleaning-requests/{request_id}/resolution": LEADS,
    # ── ratings, complaints, praise, commendations (ART11) ───────────────────
    "POST /api/v1/ratings": frozenset({HALL_MANAGER}),
    "POST /api/v1/ratings/{rating_id}/contest": WINDOW_PEOPLE,
    "POST /api/v1/ratings/{rating_id}/exclusion": frozenset({HALL_MANAGER, APPEAL_REVIEWER}),
    "POST /api/v1/ratings/{rating_id}/upholding": frozenset({HALL_MANAGER, APPEAL_REVIEWER}),
    "POST /api/v1/complaints": REPORTERS,
    "POST /api/v1/complaints/{complaint_id}/verification": INSPECTION,
    "POST /api/v1/complaints/{complaint_id}/unfounded": INSPECTION,
    "POST /api/v1/praise": frozenset({HALL_MANAGER}),
    "POST /api/v1/commendations": MANAGEMENT,
    # ── hall days and assessments (ART11) ────────────────────────────────────
    "POST /api/v1/hall-days": frozenset({HALL_MANAGER}),
    "POST /api/v1/hall-days/{day}/closure": frozenset({HALL_MANAGER}),
    # monthly and quarterly by the hall manager, annual by the committee (the domain decides which)
    "POST /api/v1/assessments/{period}/publication": MANAGEMENT,
    "POST /api/v1/assessments/{period}/amendment": MANAGEMENT,
    "POST /api/v1/assessments/{period}/reviews": frozenset({COMMITTEE}),
    # ── read models (docs/read-models.md): staff data for the person and oversight ──
    "GET /api/v1/staff": ROSTER_READERS,
    "GET /api/v1/staff/{staff_id}": ROSTER_READERS | {STAFF},
    "GET /api/v1/staff/{staff_id}/escalation": STAFF_DATA_READERS,
    "GET /api/v1/staff/{staff_id}/scores": STAFF_DATA_READERS,
    "GET /api/v1/staff/{staff_id}/history": STAFF_DATA_READERS,
    "GET /api/v1/staff/{staff_id}/explain": STAFF_DATA_READERS,
    "GET /api/v1/assessments/{period}": PERFORMANCE_READERS,
    # ── read models: aggregates (no person named) and work queues ────────────
    "GET /api/v1/assessments/{period}/windows": AGGREGATE_READERS,
    "GET /api/v1/assessments/{period}/departments": AGGREGATE_READERS,
    "GET /api/v1/kpis": AGGREGATE_READERS,
    "GET /api/v1/alerts": OPERATIONS,
    "GET /api/v1/candidates": INSPECTION | {COMMITTEE},
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
