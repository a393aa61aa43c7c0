"""ART6.5 准时到岗,不得无故空岗、脱岗 and ART7.5 按时上下班、请销假: every session of the hall day.

Judged at the close of a working day (calendar) for every person posted that day, against
the opening sessions, punctuality grace and absence threshold of the attendance policy the
day was opened under (else the one in force) and the thresholds of the detection policy.
Approved leave (approved before the close; 销假 ends it early) excuses the time it covers:
a session's expected start and end are its first and last moments not covered by leave.

The day's punches, in time order, make the person's presence: a clock-in opens it, the
next clock-out closes it (a second clock-in while present, or a second clock-out after one,
is a repeated punch). Then, per session (上午 08:30–11:30, 下午 13:00–17:00 by default):

- no presence at all in the session's uncovered time → ``absent`` (旷工, per half day).
  Cause: person, day, session.
- present, but arriving more than ``absent_over_minutes`` (attendance policy) after the
  expected start, or leaving more than that before the expected end → ``absent`` too: a
  lateness that misses most of a session never costs less than staying away. Same cause.
- otherwise arriving after the expected start plus the grace → ``late`` (``late_long`` over
  ``late_long_over_minutes``), cause person, day, session; leaving before the expected end
  minus the grace → the same items (迟到早退), cause person, day, session, ``early``.
- a clock-out with no clock-in before it → ``missed_punch`` (漏签), cause person, day, ``in``:
  present from the day's opening to that clock-out. A clock-in never followed by a clock-out
  → ``missed_punch``, cause person, day, ``out``: present from the clock-in to the day's end
  (the missed punch is the breach, not an absence the ledger cannot know).
- an absence from the post without a displayed "暂停受理" notice, away for
  ``left_post_minutes`` or more within the opening sessions and net of approved leave
  (still away at the close: until the last session's end) → ``left_post``. Cause: the
  absence. An absence recorded after its day was closed is judged when recorded.
- ART7.5 销假: approved leave not reported back by the close of the first working day whose
  opening hours end after the leave does, or a punch of the person inside the leave (back at
  work, the leave still open) → a candidate under ART7.5 (未履行请销假). Cause: the leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.attendance import APPROVED
from domain.policies.detection import DetectionPolicy
from projections.detection.candidate import Candidate
from projections.detection.working_time import Interval, Session, clock, hm, intersect, minutes, subtract, total

FAMILY = "attendance"
RULE = "ART6.5"
LEAVE_RULE = "ART7.5"

Doc = dict[str, Any]
#: an approved leave of the person: (start, end, position of the approval)
Leave = tuple[datetime, datetime, int]


@dataclass(frozen=True)
class Stint:
    """One stretch of presence: from a clock-in (None: missed) to a clock-out (None: missed)."""

    start: datetime
    end: datetime
    came: Doc | None
    went: Doc | None


def _common(staff: Doc) -> dict[str, Any]:
    posting = staff.get("posting") or {}
    return {"detector": FAMILY, "staff_id": staff["id"], "window_id": posting.get("window")}


def _uncovered(sessions: Sequence[Session], leaves: Sequence[Leave]) -> list[tuple[str, datetime, datetime]]:
    if not leaves:
        return list(sessions)  # (what subtracting nothing leaves)
    cuts = [(start, end) for start, end, _ in leaves]
    return [(code, a, b) for code, s, e in sessions for a, b in subtract([(s, e)], cuts)]


def _at(punch: Doc) -> datetime:
    return datetime.fromisoformat(punch["at"])


def presence(punches: Sequence[Doc], opens: datetime, closes: datetime) -> tuple[list[Stint], Doc | None, Doc | None]:
    """The stints of presence of a day's punches, the clock-out missing its clock-in and the
    clock-in missing its clock-out (``opens``/``closes``: the day's first and last opening moments)."""
    stints: list[Stint] = []
    missed_in: Doc | None = None
    came: Doc | None = None
    for punch in sorted(punches, key=_at):
        at = _at(punch)
        if punch["kind"] == "in":
            if came is None:
                came = punch
            continue
        if came is not None:
            stints.append(Stint(_at(came), at, came, punch))
            came = None
        elif not stints:
            missed_in = punch
            stints.append(Stint(min(opens, at), at, None, punch))
        else:
            last = stints[-1]
            stints[-1] = Stint(last.start, at, last.came, punch)  # a repeated clock-out
    if came is None:
        return stints, missed_in, None
    stints.append(Stint(_at(came), max(_at(came), closes), came, None))
    return stints, missed_in, came


def judge_day(
    staff: Doc,
    *,
    day: date,
    sessions: Sequence[Session],
    grace_minutes: int,
    absent_over_minutes: int,
    leaves: Sequence[Leave],
    record: Doc | None,
    policy: DetectionPolicy,
    position: int,
) -> list[Candidate]:
    """The day's punches of one posted person against each of the day's sessions (at the close, ``position``)."""
    pieces = _uncovered(sessions, leaves)
    if not pieces:
        return []
    punches = record["punches"] if record else []
    stints, missed_in, missed_out = presence(punches, sessions[0][1], sessions[-1][2])
    day_text = day.isoformat()
    common = _common(staff) | {"policy": policy.ref}
    who = staff["no"]
    candidates: list[Candidate] = []
    if missed_in is not None:
        out = clock(_at(missed_in))
        candidates.append(
            Candidate(
                rule=RULE, item="missed_punch", cause=(staff["id"], day_text, "in"),
                occurred_at=pieces[0][1], causation=(missed_in["pos"], position),
                evidence_zh=f"{who} {day_text} 无上班打卡,仅有 {out} 下班打卡。",
                evidence_en=f"{who} on {day_text}: no clock-in, only a clock-out at {out}.",
                **common,
            )
        )  # fmt: skip
    if missed_out is not None:
        clocked_in = clock(_at(missed_out))
        candidates.append(
            Candidate(
                rule=RULE, item="missed_punch", cause=(staff["id"], day_text, "out"),
                occurred_at=max(_at(missed_out), pieces[-1][2]), causation=(missed_out["pos"], position),
                evidence_zh=f"{who} {day_text} {clocked_in} 上班打卡后无下班打卡(至日终)。",
                evidence_en=f"{who} on {day_text}: clocked in at {clocked_in}, no clock-out by the close.",
                **common,
            )
        )  # fmt: skip
    grace = timedelta(minutes=grace_minutes)
    threshold = timedelta(minutes=absent_over_minutes)
    first_in = next((s.start for s in stints if s.came is not None), None)
    for code in dict.fromkeys(code for code, _, _ in pieces):
        own: list[Interval] = [(a, b) for c, a, b in pieces if c == code]
        start, end = own[0][0], own[-1][1]
        here = [s for s in stints if intersect(own, [(s.start, s.end)])]
        if not here:
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
            continue
        arrival, departure = max(here[0].start, start), min(here[-1].end, end)
        late, early = arrival - start, end - departure
        came, went = here[0].came, here[-1].went
        if late > threshold or early > threshold:
            what = (
                (f"迟到 {minutes(late)} 分钟", f"{minutes(late)} minute(s) late", came)
                if late > threshold
                else (f"早退 {minutes(early)} 分钟", f"left {minutes(early)} minute(s) early", went)
            )
            punch = what[2]
            causation = (punch["pos"], position) if punch else (staff["posting"]["pos"], position)
            candidates.append(
                Candidate(
                    rule=RULE, item="absent", cause=(staff["id"], day_text, code),
                    occurred_at=start, causation=causation,
                    evidence_zh=(
                        f"{who} {day_text} {clock(start)}–{clock(end)} 时段仅在岗 {clock(arrival)}–{clock(departure)},"
                        f"{what[0]},超过 {absent_over_minutes} 分钟,按旷工半天计。"
                    ),
                    evidence_en=(
                        f"{who} on {day_text}: of {clock(start)}–{clock(end)} at work only {clock(arrival)}–"
                        f"{clock(departure)}, {what[1]}, over {absent_over_minutes} minutes: a half-day absence."
                    ),
                    **common,
                )
            )  # fmt: skip
            continue
        if late > grace and came is not None:
            late_minutes = minutes(late)
            candidates.append(
                Candidate(
                    rule=RULE, item=_item(late_minutes, policy), cause=(staff["id"], day_text, code),
                    occurred_at=arrival, causation=(came["pos"], position),
                    evidence_zh=(
                        f"{who} {day_text} 应于 {clock(start)} 到岗,{clock(arrival)} 上班打卡,"
                        f"迟到 {late_minutes} 分钟(宽限 {grace_minutes} 分钟)。"
                    ),
                    evidence_en=(
                        f"{who} on {day_text}: expected at {clock(start)}, clocked in at {clock(arrival)}, "
                        f"{late_minutes} minute(s) late (grace {grace_minutes})."
                    ),
                    **common,
                )
            )  # fmt: skip
        if early > grace and went is not None:
            early_minutes = minutes(early)
            candidates.append(
                Candidate(
                    rule=RULE, item=_item(early_minutes, policy), cause=(staff["id"], day_text, code, "early"),
                    occurred_at=departure, causation=(went["pos"], position),
                    evidence_zh=(
                        f"{who} {day_text} 应于 {clock(end)} 下班,{clock(departure)} 下班打卡,"
                        f"早退 {early_minutes} 分钟(宽限 {grace_minutes} 分钟)。"
                    ),
                    evidence_en=(
                        f"{who} on {day_text}: due until {clock(end)}, clocked out at {clock(departure)}, "
                        f"left {early_minutes} minute(s) early (grace {grace_minutes})."
                    ),
                    **common,
                )
            )  # fmt: skip
    return candidates


def _item(late_minutes: int, policy: DetectionPolicy) -> str:
    return "late_long" if late_minutes > policy.late_long_over_minutes else "late"


def leave_not_reported_back(
    staff: Doc,
    leave: Doc,
    *,
    day: date,
    sessions: Sequence[Session],
    punches: Sequence[Doc],
    policy: DetectionPolicy,
    position: int,
) -> Candidate | None:
    """ART7.5 销假 at the close of working ``day``: approved ``leave`` still open although the person
    was due back during the day (the leave ended before the day's last session did), or was back
    at work (a punch of the day inside the leave)."""
    if leave["status"] != APPROVED or leave.get("flagged") or not sessions:
        return None
    starts, ends = datetime.fromisoformat(leave["starts"]), datetime.fromisoformat(leave["ends"])
    closes = sessions[-1][2]
    if starts >= closes:
        return None
    inside = sorted((p for p in punches if starts <= _at(p) < ends), key=lambda p: (_at(p), p["pos"]))
    if ends >= closes and not inside:
        return None
    causation: tuple[int, ...]
    if inside:
        at, causation = _at(inside[0]), (leave["approved_pos"], inside[0]["pos"], position)
        why_zh, why_en = (
            f"{clock(at)} 已打卡上班,假期未销",
            f"back at work (punch at {clock(at)}), the leave not closed",
        )
    else:
        at, causation = max(ends, sessions[0][1]), (leave["approved_pos"], position)
        why_zh = f"假期已于 {hm(ends)} 结束,至 {day.isoformat()} 日终未销假"
        why_en = f"the leave ended {hm(ends)}, not reported back by the close of {day.isoformat()}"
    return Candidate(
        rule=LEAVE_RULE,
        item=None,
        cause=(leave["id"],),
        occurred_at=at,
        causation=causation,
        policy=policy.ref,
        evidence_zh=f"{staff['no']} 请假 {hm(starts)}–{hm(ends)}(已批准):{why_zh}。",
        evidence_en=f"{staff['no']}: approved leave {hm(starts)}–{hm(ends)}: {why_en}.",
        **_common(staff),
    )


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
