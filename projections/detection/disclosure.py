"""ART2.4.2 依申请公开: a disclosure request unanswered past its working-day deadline.

The request carries its statutory deadline (20 working days after receipt, 政府信息公开条例
Art. 33; moved by a correction received or the one extension). At the close of a day after
the deadline, a request still waiting for its answer (not awaiting a correction) is a
candidate against the staff member who received it; an answer recorded after the deadline
that no day close caught is one too. Cause: the request and its deadline. A deadline that
rests on a provisional calendar year (``domain.calendar.provisional_note``) says so in the
evidence: it may move when the official holiday notice replaces the file.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from projections.detection.candidate import Candidate
from projections.detection.deadlines import first_overdue_moment
from projections.detection.working_time import hm

FAMILY = "disclosure"
RULE = "ART2.4.2"

Doc = dict[str, Any]


def unanswered(
    request: Doc, *, day: date, position: int, policy: str, note: tuple[str, str] | None = None
) -> Candidate | None:
    deadline = request.get("deadline")
    if deadline is None or request.get("awaiting") or request.get("flagged_for") == deadline:
        return None
    due = date.fromisoformat(deadline)
    if day <= due:
        return None
    return Candidate(
        rule=RULE,
        item=None,
        cause=(request["id"], deadline),
        occurred_at=first_overdue_moment(due),
        causation=(request["deadline_pos"], position),
        detector=FAMILY,
        policy=policy,
        staff_id=request["staff"],
        window_id=request["window"],
        evidence_zh=f"政府信息公开申请答复期限 {deadline};{day.isoformat()} 日终时仍未答复。{_zh(note)}",
        evidence_en=(
            f"Disclosure request: answer due by {deadline}; still unanswered at the close of {day.isoformat()}."
            f"{_en(note)}"
        ),
    )


def _zh(note: tuple[str, str] | None) -> str:
    return f"({note[0]})" if note else ""


def _en(note: tuple[str, str] | None) -> str:
    return f" ({note[1]})" if note else ""


def answered_late(
    request: Doc,
    *,
    answered_on: date,
    deadline: date,
    at: datetime,
    position: int,
    policy: str,
    note: tuple[str, str] | None = None,
) -> Candidate | None:
    if answered_on <= deadline or request.get("flagged_for") == deadline.isoformat():
        return None
    return Candidate(
        rule=RULE,
        item=None,
        cause=(request["id"], deadline.isoformat()),
        occurred_at=at,
        causation=(request["deadline_pos"], position),
        detector=FAMILY,
        policy=policy,
        staff_id=request["staff"],
        window_id=request["window"],
        evidence_zh=f"政府信息公开申请答复期限 {deadline.isoformat()},实际于 {hm(at)} 答复。{_zh(note)}",
        evidence_en=f"Disclosure request: answer due by {deadline.isoformat()}, answered {hm(at)}.{_en(note)}",
    )
