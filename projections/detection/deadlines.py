"""ART2.3 办事时限承诺制 / ART7.2: committed deadlines, and the e-supervision signals about them.

At the close of each hall day (日终) every accepted case whose clock runs (not suspended)
is looked at against its committed deadline (as last set by acceptance, extension or
resumption):

The thresholds are one rule, :func:`domain.supervision.deadline_state`, which the KPI
colours (``projections/kpis.py``) call too:

- ``yellow_light_working_days`` or fewer working days left, and no light yet for this
  deadline → ``CaseSupervision.YellowLight`` (黄灯预警);
- the day is after the deadline → ``YellowCard`` (黄牌) once, and a candidate ART7.2
  ``overdue`` ("not finished within the committed limit") against the staff member who
  accepted the case;
- still open ``red_card_working_days`` working days after the yellow card → ``RedCard`` (红牌).

A completion recorded after the deadline that no day close saw open past it yields the
candidate ART2.3 ``overdue`` ("finished after the committed deadline") instead. Either way
one lateness is one candidate. Cause: the case and its deadline (a deadline can no longer
move once it has passed: extensions and suspensions are refused after it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.envelope import CHINA_STANDARD_TIME
from domain.policies.detection import DetectionPolicy
from domain.supervision import OVERDUE_ITEM, deadline_state
from domain.supervision import RED_CARD as RED_CARD_STATE
from domain.supervision import YELLOW_CARD as YELLOW_CARD_STATE
from domain.supervision import YELLOW_LIGHT as YELLOW_LIGHT_STATE
from projections.detection.candidate import Candidate
from projections.detection.working_time import hm

#: working days in ``(a, b]`` as the calendar counts them (``working_time.working_days_between``)
Between = Callable[[date, date], int]

FAMILY = "deadline"
OPEN_RULE, COMPLETED_RULE, ITEM = "ART7.2", "ART2.3", OVERDUE_ITEM
#: the rule a yellow light warns about (finish within the commitment) and the one cards mark
LIGHT_RULE, CARD_RULE = "ART2.3", "ART7.2"

YELLOW_LIGHT, YELLOW_CARD, RED_CARD = "YellowLight", "YellowCard", "RedCard"

Doc = dict[str, Any]


@dataclass(frozen=True)
class Signal:
    """One e-supervision signal about a case (a ``CaseSupervision`` event to record)."""

    kind: str
    case_id: str
    deadline: date
    day: date
    occurred_at: datetime
    causation: tuple[int, ...]
    rule: str
    policy: str
    fields: dict[str, Any] = field(default_factory=dict)


def first_overdue_moment(deadline: date) -> datetime:
    """The first moment a case with ``deadline`` is overdue: the start of the next day in the hall."""
    return datetime.combine(deadline + timedelta(days=1), time(0, 0), CHINA_STANDARD_TIME)


def at_close(
    case: Doc,
    *,
    day: date,
    between: Between,
    policy: DetectionPolicy,
    position: int,
    at: datetime,
) -> tuple[list[Candidate], list[Signal]]:
    """What the close of ``day`` (at ``position``, valid time ``at``) reveals about an open case."""
    if case.get("deadline") is None or case.get("suspended"):
        return [], []
    deadline = date.fromisoformat(case["deadline"])
    causation = (case["deadline_pos"], position)
    signals: list[Signal] = []
    candidates: list[Candidate] = []
    carded = date.fromisoformat(case["yellow_card_day"]) if case.get("yellow_card_day") else None
    # the one rule of e-supervision, shared with the KPI colours (domain.supervision)
    state = deadline_state(day, deadline, policy, between, yellow_card_day=carded)
    if state in (YELLOW_CARD_STATE, RED_CARD_STATE):
        overdue_days = between(deadline, day)
        if not case.get("overdue_flagged"):
            candidates.append(open_past_deadline(case, deadline, day, causation, policy.ref, overdue_days))
        if carded is None:
            signals.append(
                Signal(
                    YELLOW_CARD, case["id"], deadline, day, at, causation, CARD_RULE, policy.ref,
                    {"working_days_overdue": overdue_days},
                )
            )  # fmt: skip
        elif state == RED_CARD_STATE and not case.get("red_card"):
            signals.append(
                Signal(
                    RED_CARD, case["id"], deadline, day, at, causation, CARD_RULE, policy.ref,
                    {"working_days_overdue": overdue_days, "yellow_card_day": carded,
                     "working_days_since_yellow_card": between(carded, day)},
                )
            )  # fmt: skip
        return candidates, signals
    if state == YELLOW_LIGHT_STATE and case.get("light_for") != case["deadline"]:
        signals.append(
            Signal(
                YELLOW_LIGHT, case["id"], deadline, day, at, causation, LIGHT_RULE, policy.ref,
                {"working_days_left": between(day, deadline)},
            )
        )  # fmt: skip
    return candidates, signals


def open_past_deadline(
    case: Doc, deadline: date, day: date, causation: tuple[int, ...], policy: str, overdue_days: int
) -> Candidate:
    return Candidate(
        rule=OPEN_RULE,
        item=ITEM,
        cause=(case["id"], deadline.isoformat()),
        occurred_at=first_overdue_moment(deadline),
        causation=causation,
        detector=FAMILY,
        policy=policy,
        staff_id=case["handler"],
        window_id=case["window"],
        evidence_zh=(
            f"办件 {case['label']} 承诺办结期限 {deadline.isoformat()};{day.isoformat()} 日终时仍未办结"
            f"(已超期 {overdue_days} 个工作日)。"
        ),
        evidence_en=(
            f"Case {case['label']}: committed deadline {deadline.isoformat()}; still open at the close of "
            f"{day.isoformat()} ({overdue_days} working day(s) overdue)."
        ),
    )


def completed_late(
    case: Doc,
    *,
    completed_on: date,
    deadline: date,
    at: datetime,
    position: int,
    between: Between,
    policy: str,
) -> Candidate | None:
    if completed_on <= deadline or case.get("overdue_flagged"):
        return None
    late = between(deadline, completed_on)
    return Candidate(
        rule=COMPLETED_RULE,
        item=ITEM,
        cause=(case["id"], deadline.isoformat()),
        occurred_at=at,
        causation=(case["deadline_pos"], position),
        detector=FAMILY,
        policy=policy,
        staff_id=case["handler"],
        window_id=case["window"],
        evidence_zh=(
            f"办件 {case['label']} 承诺办结期限 {deadline.isoformat()},实际于 {hm(at)} 办结(超期 {late} 个工作日)。"
        ),
        evidence_en=(
            f"Case {case['label']}: committed deadline {deadline.isoformat()}, completed {hm(at)} "
            f"({late} working day(s) late)."
        ),
    )
