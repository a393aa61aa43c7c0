"""ART6.5 准时到岗,不得无故空岗、脱岗: late arrival, unexcused absence, leaving the post.

Judged at the close of a working day (calendar) for every person posted that day, against
the opening sessions and punctuality grace of the attendance policy the day was opened
under (else the one in force) and the thresholds of the detection policy. Approved leave
(approved before the close; 销假 ends it early) excuses the time it covers.

- no punch at all, and a session not covered by approved leave → ``absent`` (旷工), one
  candidate per uncovered session (the catalogue deducts per half day); a session the
  first clock-in comes after is absent too. Cause: person, day, session.
- a clock-out but no clock-in → ``missed_punch`` (漏签). Cause: person, day.
- first clock-in after the expected start (the earliest uncovered moment of the session)
  plus the grace → ``late``, or ``late_long`` when more than ``late_long_over_minutes``
  late. Cause: person, day.
- an absence from the post without a displayed "暂停受理" notice, away for
  ``left_post_minutes`` or more within the opening sessions and net of approved leave
  (still away at the close: until the last session's end) → ``left_post``. Cause: the
  absence. An absence recorded after its day was closed is judged when recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from domain.policies.detection import DetectionPolicy
from projections.detection.candidate import Candidate
from projections.detection.working_time import Interval, Session, clock, intersect, minutes, subtract, total

FAMILY = "attendance"
RULE = "ART6.5"

Doc = dict[str, Any]
#: an approved leave of the person: (start, end, position of the approval)
Leave = tuple[datetime, datetime, int]


def _common(staff: Doc) -> dict[str, Any]:
    posting = staff.get("posting") or {}
    return {"detector": FAMILY, "staff_id": staff["id"], "window_id": posting.get("window")}


def _uncovered(sessions: Sequence[Session], leaves: Sequence[Leave]) -> list[tuple[str, datetime, datetime]]:
    if not leaves:
        return list(sessions)  # (what subtracting nothing leaves)
    cuts = [(start, end) for start, end, _ in leaves]
    return [(code, a, b) for code, s, e in sessions for a, b in subtract([(s, e)], cuts)]


def judge_day(
    staff: Doc,
    *,
    day: date,
    sessions: Sequence[Session],
    grace_minutes: int,
    leaves: Sequence[Leave],
    record: Doc | None,
    policy: DetectionPolicy,
    position: int,
) -> list[Candidate]:
    """The day's punches of one posted person against the day's sessions (at the close, ``position``)."""
    pieces = _uncovered(sessions, leaves)
    if not pieces:
        return []
    punches = sorted(record["punches"], key=lambda p: datetime.fromisoformat(p["at"])) if record else []
    ins = [p for p in punches if p["kind"] == "in"]
    outs = [p for p in punches if p["kind"] == "out"]
    day_text = day.isoformat()
    common = _common(staff) | {"policy": policy.ref}
    who = staff["no"]
    if not ins and outs:
        out = outs[0]
        return [
            Candidate(
                rule=RULE, item="missed_punch", cause=(staff["id"], day_text, "in"),
                occurred_at=pieces[0][1], causation=(out["pos"], position),
                evidence_zh=f"{who} {day_text} 无上班打卡,仅有 {clock(datetime.fromisoformat(out['at']))} 下班打卡。",
                evidence_en=(
                    f"{who} on {day_text}: no clock-in, only a clock-out at "
                    f"{clock(datetime.fromisoformat(out['at']))}."
                ),
                **common,
            )
        ]  # fmt: skip
    first_in = datetime.fromisoformat(ins[0]["at"]) if ins else None
    candidates: list[Candidate] = []
    codes = list(dict.fromkeys(code for code, _, _ in pieces))
    for code in codes:
        own = [(a, b) for c, a, b in pieces if c == code]
        if first_in is not None and any(b > first_in for _, b in own):
            continue
        start, end = own[0][0], own[-1][1]
        seen = f"首次上班打卡 {clock(first_in)}" if first_in else "全天无打卡记录"
        seen_en = f"first clock-in {clock(first_in)}" if first_in else "no punch all day"
        candidates.append(
            Candidate(
                rule=RULE, item="absent", cause=(staff["id"], day_text, code),
                occurred_at=start, causation=(staff["posting"]["pos"], position),
                evidence_zh=f"{who} {day_text} {clock(start)}–{clock(end)} 时段未到岗,无批准的请假;{seen}。",
                evidence_en=(
                    f"{who} on {day_text}: not at work {clock(start)}–{clock(end)}, no approved leave; {seen_en}."
                ),
                **common,
            )
        )  # fmt: skip
    session_of = next((code for code, _, b in pieces if b > first_in), None) if first_in else None
    if first_in is None or session_of is None:
        return candidates
    expected = next(a for code, a, _ in pieces if code == session_of)
    late = first_in - expected
    if late > timedelta(minutes=grace_minutes):
        late_minutes = minutes(late)
        item = "late_long" if late_minutes > policy.late_long_over_minutes else "late"
        candidates.append(
            Candidate(
                rule=RULE, item=item, cause=(staff["id"], day_text),
                occurred_at=first_in, causation=(ins[0]["pos"], position),
                evidence_zh=(
                    f"{who} {day_text} 应于 {clock(expected)} 到岗,首次上班打卡 {clock(first_in)},"
                    f"迟到 {late_minutes} 分钟(宽限 {grace_minutes} 分钟)。"
                ),
                evidence_en=(
                    f"{who} on {day_text}: expected at {clock(expected)}, first clock-in {clock(first_in)}, "
                    f"{late_minutes} minute(s) late (grace {grace_minutes})."
                ),
                **common,
            )
        )  # fmt: skip
    return candidates


def judge_absence(
    staff: Doc,
    absence: Doc,
    *,
    day: date,
    sessions: Sequence[Session],
    leaves: Sequence[Leave],
    policy: DetectionPolicy,
    position: int,
) -> Candidate | None:
    """One absence from the post (``absence``: left, returned, notice, positions) of ``day``."""
    if absence["notice"] or not sessions:
        return None
    left = datetime.fromisoformat(absence["left"])
    back = datetime.fromisoformat(absence["returned"]) if absence.get("returned") else sessions[-1][2]
    open_hours: list[Interval] = [(s, e) for _, s, e in sessions]
    away = subtract(intersect([(left, back)], open_hours), [(s, e) for s, e, _ in leaves])
    away_minutes = int(total(away).total_seconds()) // 60
    if away_minutes < policy.left_post_minutes:
        return None
    returned = f"{clock(back)} 返岗" if absence.get("returned") else "至下班未返岗"
    returned_en = f"back at {clock(back)}" if absence.get("returned") else "not back by the end of business"
    causation = tuple(p for p in (absence["pos"], absence.get("return_pos"), position) if p is not None)
    return Candidate(
        rule=RULE,
        item="left_post",
        cause=(absence["id"],),
        occurred_at=left,
        causation=causation,
        policy=policy.ref,
        evidence_zh=(
            f"{staff['no']} {day.isoformat()} {clock(left)} 离岗,{returned},未设置暂停受理提示;"
            f"工作时间内离岗 {away_minutes} 分钟(阈值 {policy.left_post_minutes} 分钟)。"
        ),
        evidence_en=(
            f"{staff['no']} on {day.isoformat()}: left the post at {clock(left)}, {returned_en}, no service-paused "
            f"notice; away {away_minutes} minute(s) of opening time (threshold {policy.left_post_minutes})."
        ),
        **_common(staff),
    )
