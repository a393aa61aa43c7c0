"""Working days, opening sessions and intervals: the time arithmetic of detection.

Working days come from the hall's working-day calendar (``domain.calendar``). A year the
calendar has no file for is never guessed silently: the detector keeps going (a follower
that raised would stall every read model of its runner on the same batch for ever) but
counts Monday to Friday there *as a recorded assumption* — :meth:`WorkingTime.calendar_gap`
names it, the detector logs it at WARNING once per year, writes it on the closed day's row
(``detection_days.doc.calendar_gap``) and into the evidence of every attendance or device
candidate judged on it, so a reviewer sees the candidate rests on a guess and the hall
installs the year's file (``domain/calendars/cn-<year>.toml`` or its own). Opening sessions
come from the attendance policy in force that day (or the one an attendance day was opened
under).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from domain.calendar import OutsideCalendar, WorkingDayCalendar
from domain.envelope import CHINA_STANDARD_TIME
from domain.policies.attendance import AttendancePolicy, attendance_policy_in_force, load_attendance_policy

log = logging.getLogger("hall_ledger.detection")

Interval = tuple[datetime, datetime]
#: a session of one day: its code (``morning``), start and end
Session = tuple[str, datetime, datetime]

_ONE_DAY = timedelta(days=1)
#: how far ahead a working-hours deadline is searched (a typing error, not a real limit)
_HORIZON_DAYS = 800


def is_working_day(calendar: WorkingDayCalendar, day: date) -> bool:
    """The calendar's answer; Monday to Friday for a year it has no file for (see :func:`calendar_gap`)."""
    try:
        return calendar.is_working_day(day)
    except OutsideCalendar:
        return day.weekday() < 5


def calendar_gap(calendar: WorkingDayCalendar, day: date) -> tuple[str, str] | None:
    """The warning (zh, en) when ``day`` lies in a year the calendar has no file for, else None."""
    if calendar.covers(day):
        return None
    year = day.year
    return (
        f"工作日历缺 {year} 年数据,按周一至周五推定工作日(请安装 cn-{year}.toml)",
        f"no working-day calendar for {year}: working days assumed Monday to Friday (install cn-{year}.toml)",
    )


def working_days_between(calendar: WorkingDayCalendar, a: date, b: date) -> int:
    """Working days in ``(a, b]`` (negative when ``b`` lies before ``a``), as the calendar counts them."""
    if b < a:
        return -working_days_between(calendar, b, a)
    count = 0
    day = a
    while day < b:
        day += _ONE_DAY
        if is_working_day(calendar, day):
            count += 1
    return count


def attendance_policy(ref: str | None, day: date) -> AttendancePolicy:
    """The attendance policy ``ref`` (``attendance@2026.1``) names, else the one in force on ``day``."""
    if ref:
        return load_attendance_policy(ref.partition("@")[2])
    return attendance_policy_in_force(day)


def sessions(policy: AttendancePolicy, day: date) -> list[Session]:
    return [(s.code, *interval) for s, interval in zip(policy.sessions, policy.opening_hours(day), strict=True)]


def hall_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def add_working_hours(calendar: WorkingDayCalendar, start: datetime, hours: int) -> datetime:
    """The moment ``hours`` of opening time after ``start`` (only sessions of working days count)."""
    return WorkingTime(calendar).add_working_hours(start, hours)


class WorkingTime:
    """The same time arithmetic, derived once per day and remembered.

    A detector asks the same questions of the same few days again and again (every inquiry
    of a day needs that day's opening sessions; every close counts working days to the same
    deadlines): the answers are pure functions of the calendar and the policy files, so one
    instance per detector keeps them. Every method returns exactly what the module function
    of the same name returns.
    """

    #: remembered (a, b) pairs before the memo starts over (a follower may run for years)
    MEMO_LIMIT = 100_000

    def __init__(self, calendar: WorkingDayCalendar) -> None:
        self.calendar = calendar
        self._working: dict[date, bool] = {}
        self._between: dict[tuple[date, date], int] = {}
        self._in_force: dict[date, AttendancePolicy] = {}
        self._named: dict[str, AttendancePolicy] = {}
        self._sessions: dict[tuple[str, date], list[Session]] = {}
        self._opening: dict[date, list[Session]] = {}
        #: years without a calendar file already warned about
        self._gaps: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        found = self._working.get(day)
        if found is None:
            self.calendar_gap(day)
            found = self._working[day] = is_working_day(self.calendar, day)
        return found

    def calendar_gap(self, day: date) -> tuple[str, str] | None:
        """:func:`calendar_gap`, logged at WARNING the first time a year is met (never silent)."""
        gap = calendar_gap(self.calendar, day)
        if gap is not None and day.year not in self._gaps:
            self._gaps.add(day.year)
            log.warning("detection: %s", gap[1])
        return gap

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` as :meth:`is_working_day` counts (n ≥ 0)."""
        day = start
        while n > 0:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        found = self._between.get((a, b))
        if found is None:
            if len(self._between) > self.MEMO_LIMIT:
                self._between.clear()
            found = self._between[(a, b)] = working_days_between(self.calendar, a, b)
        return found

    def attendance_policy(self, ref: str | None, day: date) -> AttendancePolicy:
        if ref:
            named = self._named.get(ref)
            if named is None:
                named = self._named[ref] = attendance_policy(ref, day)
            return named
        found = self._in_force.get(day)
        if found is None:
            found = self._in_force[day] = attendance_policy_in_force(day)
        return found

    def sessions(self, policy: AttendancePolicy, day: date) -> list[Session]:
        """``sessions(policy, day)`` — the same list each time (callers never change it)."""
        key = (policy.version, day)
        found = self._sessions.get(key)
        if found is None:
            found = self._sessions[key] = sessions(policy, day)
        return found

    def opening(self, day: date) -> list[Session]:
        """The sessions of the policy in force on ``day`` if it is a working day, else none."""
        found = self._opening.get(day)
        if found is None:
            found = self._opening[day] = (
                self.sessions(self.attendance_policy(None, day), day) if self.is_working_day(day) else []
            )
        return found

    def add_working_hours(self, start: datetime, hours: int) -> datetime:
        """The moment ``hours`` of opening time after ``start``, the days' sessions remembered."""
        remaining = timedelta(hours=hours)
        day = hall_day(start)
        end = start
        for _ in range(_HORIZON_DAYS):
            for _code, opens, closes in self.opening(day):
                begin = max(opens, start)
                if closes <= begin:
                    continue
                if closes - begin >= remaining:
                    return begin + remaining
                remaining -= closes - begin
                end = closes
            day += _ONE_DAY
        return end


# ── intervals ────────────────────────────────────────────────────────────────


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            start, end = max(s1, s2), min(e1, e2)
            if start < end:
                out.append((start, end))
    return sorted(out)


def subtract(a: Sequence[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    pieces = list(a)
    for cut_start, cut_end in cuts:
        next_pieces = []
        for start, end in pieces:
            if cut_end <= start or cut_start >= end:
                next_pieces.append((start, end))
                continue
            if start < cut_start:
                next_pieces.append((start, cut_start))
            if cut_end < end:
                next_pieces.append((cut_end, end))
        pieces = next_pieces
    return sorted(pieces)


def total(intervals: Iterable[Interval]) -> timedelta:
    return sum((end - start for start, end in intervals), timedelta())


def minutes(delta: timedelta) -> int:
    """Whole minutes, rounded up (one second late is a minute late)."""
    return -(-int(delta.total_seconds()) // 60)


def hm(moment: datetime) -> str:
    """A moment as the hall reads it: ``2026-10-08 08:30``."""
    return moment.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M")


def clock(moment: datetime) -> str:
    return moment.astimezone(CHINA_STANDARD_TIME).strftime("%H:%M")
