"""ART9.4 按值班表值班,不能值班须有人顶替: a duty shift with nobody on duty.

The roster refuses to release anyone without a substitute, so an empty post shows in
other facts: the person on duty (after substitutions) was, during their part of the shift,

- on approved leave (they could not serve and arranged no substitute),
- gone from the hall (``StaffMember.Left`` on or before that day), or
- not in the hall at all that working day (no punch) for a shift inside the hall's business
  hours (the lunch shift between the sessions).

Judged once the shift has ended (at the first day close after its end). A candidate per
shift and person on duty. Cause: the shift and the person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from projections.detection.attendance import Leave
from projections.detection.candidate import Candidate
from projections.detection.working_time import clock, intersect

FAMILY = "duty"
RULE = "ART9.4"

Doc = dict[str, Any]


def uncovered(
    shift: Doc,
    *,
    staff: Callable[[str], Doc | None],
    leaves: Callable[[str], Sequence[Leave]],
    present: Callable[[str, date], bool],
    business_hours: tuple[datetime, datetime] | None,
    position: int,
    policy: str,
) -> list[Candidate]:
    """``business_hours``: the opening span of the shift's day when it is a working day, else None."""
    day = date.fromisoformat(shift["day"])
    gaps: dict[str, list[tuple[datetime, datetime, str, str, int | None]]] = {}
    for seg in shift["coverage"]:
        who = seg["staff"]
        start, end = datetime.fromisoformat(seg["start"]), datetime.fromisoformat(seg["end"])
        person = staff(who) or {}
        found = gaps.setdefault(who, [])
        for a, b, pos in leaves(who):
            for s, e in intersect([(start, end)], [(a, b)]):
                found.append((s, e, "批准请假", "on approved leave", pos))
        left = person.get("left")
        if left is not None and date.fromisoformat(left) <= day:
            found.append((start, end, f"已于 {left} 离开中心", f"left the hall on {left}", person.get("left_pos")))
        inside = business_hours is not None and business_hours[0] <= start and end <= business_hours[1]
        if inside and not present(who, day):
            found.append((start, end, "当日未到岗(无打卡)", "not at work that day (no punch)", None))
    candidates = []
    for who, found in gaps.items():
        if not found:
            continue
        found.sort(key=lambda g: g[0])
        person = staff(who) or {}
        label = person.get("no", who)
        span = f"{clock(found[0][0])}–{clock(max(g[1] for g in found))}"
        causation = [*shift["positions"], *(g[4] for g in found if g[4] is not None), position]
        reasons = "、".join(dict.fromkeys(g[2] for g in found))
        reasons_en = ", ".join(dict.fromkeys(g[3] for g in found))
        candidates.append(
            Candidate(
                rule=RULE,
                item=None,
                cause=(shift["id"], who),
                occurred_at=found[0][0],
                causation=tuple(dict.fromkeys(causation)),
                detector=FAMILY,
                policy=policy,
                staff_id=who,
                window_id=None,
                evidence_zh=(
                    f"{shift['day']} {shift['slot']} {shift['role']} 值班由 {label} 负责,{span} 期间其{reasons},"
                    "未安排顶替,值班岗位无人。"
                ),
                evidence_en=(
                    f"{shift['slot']} {shift['role']} shift of {shift['day']}: {label} on duty but {reasons_en} "
                    f"over {span}, with no substitute — nobody on duty."
                ),
            )
        )
    return candidates
