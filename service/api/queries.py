"""The read models' rows in the API's JSON shapes (docs/read-models.md for every column).

Shapes follow the time-travel answers of :mod:`projections.timetravel`, so a client reads a
person's record or ladder the same way whether it comes from the tables (now) or from a
replay (``as_of`` / ``known_at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from domain.calendar import deadline_flags, hall_date, national_calendar
from projections.base import Tx
from service.api.access import PERFORMANCE_ALERT_PREFIX, ROSTER_FIELDS
from service.api.reads import flag, parsed, score, select_rows

RECORD_COLUMNS = (
    "staff_id", "staff_no", "name", "department_id", "employment", "window_id", "posting_start", "posting_end",
    "temporary", "status", "status_since", "onboarded_at", "left_on", "violations_confirmed", "violations_pending",
    "violations_dismissed", "violations_revoked", "violations_under_appeal", "commendations", "escalation_state",
    "escalation_policy", "month", "month_score", "month_grade", "scoring_policy", "last_position",
)  # fmt: skip
COUNT_COLUMNS = ("staff_id", "article", "confirmed", "pending", "dismissed", "revoked", "under_appeal")
VIOLATION_STATES = ("confirmed", "pending", "dismissed", "revoked", "under_appeal")


# ── staff records ─────────────────────────────────────────────────────────────


def record_of(row: Mapping[str, Any], counts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A ``staff_records`` row (and its per-article counts) as a record."""
    out = {k: v for k, v in row.items() if not k.startswith("violations_")}
    out["temporary"] = bool(row["temporary"])
    out["month_score"] = score(row["month_score"])
    out["violations"] = {state: int(row[f"violations_{state}"]) for state in VIOLATION_STATES}
    out["violations_by_article"] = {str(c["article"]): {s: int(c[s]) for s in VIOLATION_STATES} for c in counts}
    return out


def roster_only(record: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a record every roster reader sees (no scores, violations or ladder)."""
    return {k: v for k, v in record.items() if k in ROSTER_FIELDS}


def staff_records(
    tx: Tx,
    *,
    staff_id: str | None = None,
    department_id: str | None = None,
    window_id: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    where, params = [], []
    for column, value in (
        ("staff_id", staff_id), ("department_id", department_id), ("window_id", window_id), ("status", status)
    ):  # fmt: skip
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    rows = select_rows(
        tx, "staff_records", RECORD_COLUMNS, " AND ".join(where), params, order="staff_no, staff_id",
        limit=limit, offset=offset,
    )  # fmt: skip
    if not rows:
        return []
    marks = ", ".join("?" * len(rows))
    counts: dict[str, list[dict[str, Any]]] = {}
    for c in select_rows(
        tx, "staff_violation_counts", COUNT_COLUMNS, f"staff_id IN ({marks})", [r["staff_id"] for r in rows],
        order="staff_id, article",
    ):  # fmt: skip
        counts.setdefault(c["staff_id"], []).append(c)
    return [record_of(r, counts.get(r["staff_id"], [])) for r in rows]


# ── escalation ────────────────────────────────────────────────────────────────

STATE_COLUMNS = (
    "staff_id", "state", "families", "sanction_decision", "sanction_kind", "sanction_supported", "remedy_due",
    "blocked", "next_change_at", "policy", "referrals",
)  # fmt: skip
TRANSITION_COLUMNS = (
    "seq",
    "at",
    "family",
    "from_level",
    "to_level",
    "state_before",
    "state",
    "reason",
    "rule",
    "cause_positions",
)
DUE_COLUMNS = ("kind", "family", "decision", "since", "due_by", "overdue", "recommended", "cause_positions")


def escalation_of(tx: Tx, staff_id: str) -> dict[str, Any] | None:
    """A person's ladder from ``escalation_states`` / ``_transitions`` / ``_dues``."""
    rows = select_rows(tx, "escalation_states", STATE_COLUMNS, "staff_id = ?", [staff_id])
    if not rows:
        return None
    row = rows[0]
    transitions = [
        {
            "seq": int(t["seq"]), "at": t["at"], "family": t["family"], "from": t["from_level"], "to": t["to_level"],
            "state_before": t["state_before"], "state": t["state"], "reason": t["reason"], "rule": t["rule"],
            "causes": parsed(t["cause_positions"]),
        }
        for t in select_rows(tx, "escalation_transitions", TRANSITION_COLUMNS, "staff_id = ?", [staff_id], order="seq")
    ]  # fmt: skip
    dues = [
        {
            "kind": d["kind"], "family": d["family"] or None, "decision": d["decision"] or None, "since": d["since"],
            "due_by": d["due_by"], "overdue": bool(d["overdue"]), "recommended": d["recommended"],
            "causes": parsed(d["cause_positions"]),
        }
        for d in select_rows(tx, "escalation_dues", DUE_COLUMNS, "staff_id = ?", [staff_id], order="due_by, kind")
    ]  # fmt: skip
    sanction = None
    if row["sanction_decision"]:
        sanction = {
            "decision": row["sanction_decision"],
            "kind": row["sanction_kind"],
            "supported": flag(row["sanction_supported"]),
        }
    return {
        "state": row["state"],
        "families": parsed(row["families"]),
        "sanction": sanction,
        "remedy_due": row["remedy_due"],
        "dues": dues,
        "alerts": [d for d in dues if d["overdue"]],
        "transitions": transitions,
        "blocked": parsed(row["blocked"]),
        "referrals": parsed(row["referrals"]),
        "policy": row["policy"],
        "next_change_at": row["next_change_at"],
    }


# ── assessment ────────────────────────────────────────────────────────────────

MONTHLY_COLUMNS = (
    "staff_id", "period", "staff_no", "window_id", "department_id", "base", "deductions", "bonus", "total", "grade",
    "violations", "provisional", "rank_window", "rank_department", "rank_hall", "kpi_on_time_completion",
    "kpi_one_time_notice", "kpi_first_inquiry", "kpi_client_rating", "policy",
)  # fmt: skip
MONTHLY_SCORES = (
    "base", "deductions", "bonus", "total", "kpi_on_time_completion", "kpi_one_time_notice", "kpi_first_inquiry",
    "kpi_client_rating",
)  # fmt: skip
LINE_COLUMNS = ("seq", "kind", "points", "rule", "item", "source", "positions", "provisional")
#: why a quarter's or year's grade is lower than its total alone gives, and the position that decided the quota
GRADE_COLUMNS = ("deductions", "grade_reason", "grade_rules", "place")
QUARTER_COLUMNS = ("staff_id", "period", "months", "mean", "grade", "ranked", "rank_hall", "policy", *GRADE_COLUMNS)
YEAR_COLUMNS = (
    "staff_id", "period", "months", "monthly_mean", "review", "total", "grade", "rank_hall", "policy", *GRADE_COLUMNS,
)  # fmt: skip
WINDOW_COLUMNS = (
    "window_id", "period", "department_id", "staff_count", "staff_mean", "satisfaction", "on_time", "items", "total",
    "rank_hall", "missing", "policy",
)  # fmt: skip
DEPARTMENT_COLUMNS = ("department_id", "period", "staff_count", "mean", "rank_hall", "policy")
PERIOD_COLUMNS = (
    "period", "kind", "status", "policy", "published_position", "published_digest", "published_at", "published_by",
    "amendments", "current_digest", "differences",
)  # fmt: skip


def _scored(row: Mapping[str, Any], scores: Iterable[str]) -> dict[str, Any]:
    out = dict(row)
    for name in scores:
        out[name] = score(row[name])
    return out


def monthly(tx: Tx, where: str, params: list[Any], *, lines: bool = False) -> list[dict[str, Any]]:
    rows = select_rows(tx, "assessment_monthly", MONTHLY_COLUMNS, where, params, order="period, rank_hall, staff_no")
    out = []
    for row in rows:
        item = _scored(row, MONTHLY_SCORES)
        item["provisional"] = bool(row["provisional"])
        if lines:
            item["lines"] = [
                {**line, "points": score(line["points"]), "positions": parsed(line["positions"]),
                 "provisional": bool(line["provisional"])}
                for line in select_rows(
                    tx, "assessment_lines", LINE_COLUMNS, "staff_id = ? AND period = ?",
                    [row["staff_id"], row["period"]], order="seq",
                )
            ]  # fmt: skip
        out.append(item)
    return out


def quarterly(tx: Tx, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = select_rows(tx, "assessment_quarterly", QUARTER_COLUMNS, where, params, order="period, rank_hall, staff_id")
    return [
        {**_scored(r, ("mean", "deductions")), "ranked": bool(r["ranked"]), "grade_rules": parsed(r["grade_rules"])}
        for r in rows
    ]


def annual(tx: Tx, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = select_rows(tx, "assessment_annual", YEAR_COLUMNS, where, params, order="period, rank_hall, staff_id")
    return [
        {**_scored(r, ("monthly_mean", "review", "total", "deductions")), "grade_rules": parsed(r["grade_rules"])}
        for r in rows
    ]


def windows(tx: Tx, period: str) -> list[dict[str, Any]]:
    rows = select_rows(tx, "assessment_windows", WINDOW_COLUMNS, "period = ?", [period], order="rank_hall, window_id")
    return [
        {**_scored(r, ("staff_mean", "satisfaction", "on_time", "items", "total")), "missing": parsed(r["missing"])}
        for r in rows
    ]


def departments(tx: Tx, period: str) -> list[dict[str, Any]]:
    rows = select_rows(
        tx, "assessment_departments", DEPARTMENT_COLUMNS, "period = ?", [period], order="rank_hall, department_id"
    )
    return [_scored(r, ("mean",)) for r in rows]


def publication(tx: Tx, period: str) -> dict[str, Any] | None:
    rows = select_rows(tx, "assessment_periods", PERIOD_COLUMNS, "period = ?", [period])
    return rows[0] if rows else None


# ── KPIs, open items, candidates ──────────────────────────────────────────────

KPI_COLUMNS = (
    "window_id", "open_green", "open_yellow", "open_yellow_card", "open_red", "open_suspended", "disclosures_open",
    "disclosures_overdue",
    "shifts_uncovered", "candidates_pending", "escalations_due", "escalations_overdue", "missing",
)  # fmt: skip
ITEM_COLUMNS = (
    "item_id",
    "kind",
    "window_id",
    "department_id",
    "staff_id",
    "opened_at",
    "due_at",
    "state",
    "rule",
    "positions",
)
CANDIDATE_COLUMNS = ("id", "item", "detector", "policy", "evidence", "cause", "causation")
#: KPI counts that are staff performance data (decisions owed to named people)
PERFORMANCE_COUNTS = ("escalations_due", "escalations_overdue")
#: the hall's own row of ``kpi_windows``
HALL = "*"


def kpi_rows(tx: Tx, window_id: str | None = None, *, performance: bool = False) -> list[dict[str, Any]]:
    """Counts per window and for the hall (``*``). Without ``performance`` a window's counts of
    escalation decisions owed are left out: a window has one or two people, so its count would
    say where a named person stands on the ladder; the hall's total stays."""
    where, params = ("window_id = ?", [window_id]) if window_id else ("", [])
    rows = select_rows(tx, "kpi_windows", KPI_COLUMNS, where, params, order="window_id")
    out = []
    for r in rows:
        row = {**r, "missing": parsed(r["missing"])}
        if not performance and r["window_id"] != HALL:
            for name in PERFORMANCE_COUNTS:
                row[name] = None
        out.append(row)
    return out


def open_items(
    tx: Tx,
    *,
    kinds: Iterable[str] = (),
    window_id: str | None = None,
    staff_id: str | None = None,
    state: str | None = None,
    performance: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Open items (alerts); escalation items only when ``performance`` (they are staff data)."""
    where, params = [], []
    kinds = list(kinds)
    if kinds:
        where.append(f"kind IN ({', '.join('?' * len(kinds))})")
        params.extend(kinds)
    if not performance:
        where.append("kind NOT LIKE ? ESCAPE '!'")
        params.append(PERFORMANCE_ALERT_PREFIX.replace("_", "!_") + "%")
    for column, value in (("window_id", window_id), ("staff_id", staff_id), ("state", state)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    rows = select_rows(
        tx, "kpi_open_items", ITEM_COLUMNS, " AND ".join(where), params, order="due_at, opened_at, item_id",
        limit=limit, offset=offset,
    )  # fmt: skip
    return [{**r, "positions": parsed(r["positions"]), **_deadline_shown(r)} for r in rows]


def _hall_day(value: object) -> date | None:
    if not value:
        return None
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    return hall_date(moment) if moment.tzinfo is not None else moment.date()


def _deadline_shown(item: Mapping[str, Any]) -> dict[str, Any]:
    """An open item's due date is shown with the calendar flag (``domain.calendar.deadline_flags``):
    a due date counted on a provisional year says so wherever it is shown."""
    opened, due = _hall_day(item.get("opened_at")), _hall_day(item.get("due_at"))
    if due is None:
        return {"deadline_provisional": False, "provisional_years": []}
    return deadline_flags(national_calendar(), opened or due, due)


def candidate_details(tx: Tx, ids: list[str], available: bool) -> dict[str, dict[str, Any]]:
    """What the detector recorded about candidates (``detection_candidates``), by violation id."""
    if not ids or not available:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = select_rows(tx, "detection_candidates", CANDIDATE_COLUMNS, f"id IN ({marks})", ids)
    return {r["id"]: {**r, "cause": parsed(r["cause"]), "causation": parsed(r["causation"])} for r in rows}
