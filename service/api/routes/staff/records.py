"""Staff records and what is on them (人员档案): the roster, a person's record — now, or as of a
valid time as known at a record time (bitemporal time travel) — their place on the ART2.1.3
ladder, their scores, their timeline and the events behind any value.

Staff-level data is personal data (DOMAIN-RESEARCH §5): scores, violations and ladder state
are shown to the person (a staff token, for its own staff member only), the hall manager,
the committee and appeal reviewers; inspectors and window leads see the roster fields of a
record (service/api/access.py ``ROSTER_FIELDS``); dashboards see none of it.

Reads from the tables accept ``after_position`` (read your writes); ``as_of`` / ``known_at``
replay the person's events through the read models' own functions
(:mod:`projections.timetravel`). ``ETag`` is the person's stream version: send it as
``If-Match`` with a decision on them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from domain.errors import InvalidInput, NotFound
from domain.roles import Role
from projections import timetravel
from projections.facts import from_micros, month_bounds
from service.api import queries
from service.api.access import PERFORMANCE_READERS
from service.api.deps import CurrentPrincipal, Ledger, ServicesDep
from service.api.gate import etag
from service.api.models import Month, Period
from service.api.problems import ApiProblem
from service.api.reads import AfterPosition, AsOf, KnownAt, Limit, Offset, parse_known_at
from service.api.tables import transaction
from service.api.tokens import Principal

router = APIRouter(prefix="/staff", tags=["staff records"])

Status = Literal["onboarded", "on_post", "suspended", "removed", "off_post", "left"]


class NotYourRecord(ApiProblem):
    def __init__(self) -> None:
        super().__init__(
            403, "not-your-record", "a staff token reads only its own staff member's records", field="staff_id"
        )


def full_view(principal: Principal, staff_id: UUID) -> bool:
    """Whether the reader sees a person's performance data (else the roster fields only)."""
    if principal.role == Role.STAFF:
        if principal.staff_id != staff_id:
            raise NotYourRecord()
        return True
    return principal.role in PERFORMANCE_READERS


# ── response shapes (documented; extra members allowed as the read models grow) ──


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class StaffRecord(Open):
    """A person's record; the members after ``left_on`` are performance data."""

    staff_id: str
    staff_no: str | None = None
    name: str | None = None
    department_id: str | None = None
    employment: str | None = None
    window_id: str | None = None
    posting_start: str | None = None
    posting_end: str | None = None
    temporary: bool | None = None
    status: str | None = None
    status_since: str | None = None
    onboarded_at: str | None = None
    left_on: str | None = None
    violations: dict[str, int] | None = None
    violations_by_article: dict[str, dict[str, int]] | None = None
    commendations: int | None = None
    escalation_state: str | None = None
    escalation_policy: str | None = None
    month: str | None = None
    month_score: str | None = None
    month_grade: str | None = None
    scoring_policy: str | None = None
    last_position: int | None = None


class StaffList(BaseModel):
    position: int = Field(description="how far the staff_records model has read the log")
    as_of: str | None = Field(description="the record time the rows are derived as of")
    items: list[StaffRecord]
    next_offset: int | None


class StaffView(BaseModel):
    staff_id: str
    source: Literal["read_model", "time_travel"]
    position: int | None = Field(description="the model's position, or the last event replayed")
    as_of: str | None
    known_at: str | int | None
    events: int | None = Field(default=None, description="events replayed (time travel)")
    record: StaffRecord
    escalation: dict[str, Any] | None = None
    score: dict[str, Any] | None = None


class EscalationView(Open):
    staff_id: str
    source: Literal["read_model", "time_travel"]
    position: int | None
    as_of: str | None
    state: str
    families: dict[str, Any]
    sanction: dict[str, Any] | None
    remedy_due: str | None
    dues: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    transitions: list[dict[str, Any]]
    blocked: list[dict[str, Any]]
    #: 移送纪检监察: serious violations referred to the discipline-inspection body
    referrals: list[dict[str, Any]] = []
    policy: str
    next_change_at: str | None


class ScoresView(BaseModel):
    staff_id: str
    position: int
    as_of: str | None
    months: list[dict[str, Any]]
    quarters: list[dict[str, Any]]
    years: list[dict[str, Any]]


class HistoryView(BaseModel):
    staff_id: str
    entries: list[dict[str, Any]]


class ExplainView(Open):
    staff_id: str
    what: str
    as_of: str | None
    value: dict[str, Any]
    events: list[dict[str, Any]]


# ── helpers ───────────────────────────────────────────────────────────────────


def _unknown_then(error: LookupError) -> NotFound:
    return NotFound(f"{error.args[0] if error.args else 'no such staff member'}", field="staff_id")


# ── routes ────────────────────────────────────────────────────────────────────


@router.get("", response_model=StaffList, summary="人员名册 · The staff records (roster fields for operations roles)")
def list_staff(
    principal: CurrentPrincipal,
    services: ServicesDep,
    department_id: UUID | None = None,
    window_id: UUID | None = None,
    status: Status | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after_position: AfterPosition = None,
) -> JSONResponse:
    reads = services.reads
    position = reads.ready(["staff_records"], after_position)
    with transaction(services.ledger, commit=False) as tx:
        rows = queries.staff_records(
            tx, department_id=str(department_id) if department_id else None,
            window_id=str(window_id) if window_id else None, status=status, limit=limit, offset=offset,
        )  # fmt: skip
        as_of = reads.as_of(tx, "staff_records")
    if principal.role not in PERFORMANCE_READERS:
        rows = [queries.roster_only(r) for r in rows]
    following = offset + limit if len(rows) == limit else None
    return JSONResponse({"position": position, "as_of": as_of, "items": rows, "next_offset": following})


@router.get(
    "/{staff_id}",
    response_model=StaffView,
    summary="人员档案 · A person's record — now, or as of a valid time as known at a record time",
)
def view_staff(
    staff_id: UUID,
    principal: CurrentPrincipal,
    services: ServicesDep,
    ledger: Ledger,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    after_position: AfterPosition = None,
) -> JSONResponse:
    full = full_view(principal, staff_id)
    version = ledger.staff(staff_id).version
    reads = services.reads
    if as_of is None and known_at is None:
        position = reads.ready(["staff_records"], after_position)
        with transaction(ledger, commit=False) as tx:
            rows = queries.staff_records(tx, staff_id=str(staff_id))
            model_as_of = reads.as_of(tx, "staff_records")
        if not rows:
            raise NotFound(
                f"staff member {staff_id} is not in the staff records yet (read up to position {position}); "
                "retry with after_position",
                field="staff_id",
            )
        body: dict[str, Any] = {
            "staff_id": str(staff_id), "source": "read_model", "position": position, "as_of": model_as_of,
            "known_at": None, "record": rows[0],
        }  # fmt: skip
    else:
        try:
            answer = timetravel.person_as_of(
                ledger, staff_id, as_of=as_of, known_at=parse_known_at(known_at), store=reads.store
            )
        except LookupError as e:
            raise _unknown_then(e) from None
        body = {
            "staff_id": str(staff_id), "source": "time_travel", "position": answer["last_position"],
            "as_of": answer["as_of"], "known_at": answer["known_at"], "events": answer["events"],
            "record": answer["record"], "escalation": answer["escalation"], "score": answer["score"],
        }  # fmt: skip
    if not full:
        body["record"] = queries.roster_only(body["record"])
        body.pop("escalation", None)
        body.pop("score", None)
    return JSONResponse(body, headers={"ETag": etag(version)})


@router.get(
    "/{staff_id}/escalation",
    response_model=EscalationView,
    summary="升级状态 · A person's place on the ART2.1.3 ladder, its transitions and the decisions owed",
)
def view_escalation(
    staff_id: UUID,
    principal: CurrentPrincipal,
    services: ServicesDep,
    ledger: Ledger,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    after_position: AfterPosition = None,
) -> JSONResponse:
    full_view(principal, staff_id)
    reads = services.reads
    if as_of is None and known_at is None:
        position = reads.ready(["escalation"], after_position)
        with transaction(ledger, commit=False) as tx:
            ladder = queries.escalation_of(tx, str(staff_id))
            model_as_of = reads.as_of(tx, "escalation")
        if ladder is None:
            ledger.staff(staff_id)  # an unknown person is 404 naming staff_id
            raise NotFound(
                f"staff member {staff_id} is not in the escalation model yet (read up to position {position}); "
                "retry with after_position",
                field="staff_id",
            )
        head: dict[str, Any] = {"source": "read_model", "position": position, "as_of": model_as_of}
    else:
        try:
            answer = timetravel.person_as_of(
                ledger, staff_id, as_of=as_of, known_at=parse_known_at(known_at), store=reads.store
            )
        except LookupError as e:
            raise _unknown_then(e) from None
        ladder = answer["escalation"]
        head = {
            "source": "time_travel", "position": answer["last_position"], "as_of": answer["as_of"],
            "known_at": answer["known_at"],
        }  # fmt: skip
    return JSONResponse({"staff_id": str(staff_id), **head, **ladder})


@router.get(
    "/{staff_id}/scores",
    response_model=ScoresView,
    summary="考核得分 · A person's monthly (line by line), quarterly and annual scores and ranks",
)
def view_scores(
    staff_id: UUID,
    principal: CurrentPrincipal,
    services: ServicesDep,
    ledger: Ledger,
    period: Annotated[
        Period | None, Query(description="2026-10 (with its lines), 2026-Q4 or 2026; every period when absent")
    ] = None,
    after_position: AfterPosition = None,
) -> JSONResponse:
    full_view(principal, staff_id)
    ledger.staff(staff_id)
    reads = services.reads
    position = reads.ready(["assessment"], after_position)
    person = str(staff_id)
    months: list[dict[str, Any]] = []
    quarters: list[dict[str, Any]] = []
    years: list[dict[str, Any]] = []
    with transaction(ledger, commit=False) as tx:
        if period is None:
            months = queries.monthly(tx, "staff_id = ?", [person])
            quarters = queries.quarterly(tx, "staff_id = ?", [person])
            years = queries.annual(tx, "staff_id = ?", [person])
        elif "-Q" in period:
            quarters = queries.quarterly(tx, "staff_id = ? AND period = ?", [person, period])
        elif "-" in period:
            months = queries.monthly(tx, "staff_id = ? AND period = ?", [person, period], lines=True)
        else:
            years = queries.annual(tx, "staff_id = ? AND period = ?", [person, period])
        model_as_of = reads.as_of(tx, "assessment")
    return JSONResponse(
        {"staff_id": person, "position": position, "as_of": model_as_of, "months": months, "quarters": quarters,
         "years": years}
    )  # fmt: skip


@router.get(
    "/{staff_id}/history",
    response_model=HistoryView,
    summary="履历 · A person's timeline: after each event that changed something, status, ladder state and score",
)
def view_history(
    staff_id: UUID,
    principal: CurrentPrincipal,
    services: ServicesDep,
    ledger: Ledger,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    full_view(principal, staff_id)
    ledger.staff(staff_id)
    answer = timetravel.history(
        ledger, staff_id, as_of=as_of, known_at=parse_known_at(known_at), store=services.reads.store
    )
    return JSONResponse(answer)


@router.get(
    "/{staff_id}/explain",
    response_model=ExplainView,
    summary="溯源 · The events behind a value: escalation state, score, status or violations",
)
def explain_value(
    staff_id: UUID,
    principal: CurrentPrincipal,
    services: ServicesDep,
    ledger: Ledger,
    value: Annotated[
        Literal["escalation", "score", "status", "violations"], Query(description="which value to explain")
    ],
    period: Annotated[
        Month | None, Query(description="explain it as it stood at the end of this month (the score's month)")
    ] = None,
    article: Annotated[int | None, Query(ge=1, le=12, description="violations: of this article only")] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    full_view(principal, staff_id)
    ledger.staff(staff_id)
    if article is not None and value != "violations":
        raise InvalidInput("article narrows value=violations only", field="article")
    if period is not None:
        if as_of is not None:
            raise InvalidInput("give either period or as_of", field="period")
        end = from_micros(month_bounds(period)[1] - 1)
        as_of = min(end, ledger.clock())
    what = f"violations:ART{article}" if article is not None else value
    try:
        answer = timetravel.explain(
            ledger, staff_id, what, as_of=as_of, known_at=parse_known_at(known_at), store=services.reads.store
        )
    except LookupError as e:
        raise _unknown_then(e) from None
    return JSONResponse(answer)
