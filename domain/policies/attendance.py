"""The attendance policy (``attendance-<version>.toml``): opening hours, punctuality, leave types.

ART6.5 (准时到岗,不得无故空岗、脱岗) and ART7.5 (考勤和请销假制度) say *that* staff keep the
hall's hours; this policy says *which* hours. Commands use it to tell the hall day of a
punch and the known leave types; the lateness/absence detector reads the sessions and
thresholds of the version a day was opened under.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from functools import cache
from itertools import pairwise

from domain.policies import loading
from domain.policies.loading import PolicyError

FAMILY = "attendance"


@dataclass(frozen=True)
class Session:
    """One opening session of a working day (上午 08:30–11:30)."""

    code: str
    title_zh: str
    title_en: str
    opens: time
    closes: time


@dataclass(frozen=True)
class LeaveType:
    code: str
    title_zh: str
    title_en: str


@dataclass(frozen=True)
class AttendancePolicy:
    version: str
    published: str
    in_force_from: date
    source: str
    timezone: tzinfo
    grace_minutes: int
    #: ART6.5: late (or leaving early) by more than this in a session is a half-day absence there
    absent_over_minutes: int
    sessions: tuple[Session, ...]
    leave_types: Mapping[str, LeaveType]
    digest: str

    @property
    def ref(self) -> str:
        """``attendance@2026.1`` — what facts judged under this policy cite."""
        return f"{FAMILY}@{self.version}"

    def hall_day(self, moment: datetime) -> date:
        """The hall's calendar day of an aware moment (a 00:30 UTC punch is 08:30 in the hall)."""
        return moment.astimezone(self.timezone).date()

    def opening_hours(self, day: date) -> list[tuple[datetime, datetime]]:
        """The sessions of ``day`` as aware intervals (whether ``day`` is a working day is the calendar's)."""
        return [
            (datetime.combine(day, s.opens, self.timezone), datetime.combine(day, s.closes, self.timezone))
            for s in self.sessions
        ]


def _session(raw: Mapping[str, object], where: str) -> Session:
    loading.only_keys(raw, ("code", "title_zh", "title_en", "opens", "closes"), where)
    opens = loading.clock_time(raw, "opens", where)
    closes = loading.clock_time(raw, "closes", where)
    if closes <= opens:
        raise PolicyError(f"{where}: closes {closes:%H:%M} is not after opens {opens:%H:%M}")
    return Session(
        code=loading.code(raw, "code", where),
        title_zh=loading.text(raw, "title_zh", where),
        title_en=loading.text(raw, "title_en", where),
        opens=opens,
        closes=closes,
    )


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def parse_attendance_policy(data: bytes, name: str = "<attendance policy>") -> AttendancePolicy:
    raw = loading.parse_toml(data, name)
    loading.only_keys(
        raw,
        ("family", "version", "published", "in_force_from", "source", "timezone", "punctuality", "session",
         "leave_type"),
        name,
    )  # fmt: skip
    version, in_force_from, source = loading.header(raw, FAMILY, name)
    punctuality = loading.table(raw.get("punctuality"), f"{name} [punctuality]")
    where = f"{name} [punctuality]"
    loading.only_keys(punctuality, ("grace_minutes", "absent_over_minutes"), where)
    grace_minutes = loading.integer(punctuality, "grace_minutes", where, low=0, high=60)
    absent_over = loading.integer(punctuality, "absent_over_minutes", where, low=1, high=240)
    if absent_over <= grace_minutes:
        raise PolicyError(f"{where}: absent_over_minutes {absent_over} must exceed grace_minutes {grace_minutes}")
    sessions = tuple(_session(s, f"{name} session") for s in loading.tables(raw, "session", name))
    for session in sessions:
        length = _minutes(session.closes) - _minutes(session.opens)
        if 2 * absent_over > length:
            raise PolicyError(
                f"{where}: absent_over_minutes {absent_over} is more than half the {length}-minute session "
                f"{session.code}: a lateness that misses most of a session would cost less than the absence"
            )
    for earlier, later in pairwise(sessions):
        if later.opens < earlier.closes:
            raise PolicyError(f"{name}: session {later.code} opens before {earlier.code} closes")
    if len({s.code for s in sessions}) != len(sessions):
        raise PolicyError(f"{name}: a session code is listed twice")
    leave_types: dict[str, LeaveType] = {}
    for raw_type in loading.tables(raw, "leave_type", name):
        where = f"{name} leave_type"
        loading.only_keys(raw_type, ("code", "title_zh", "title_en"), where)
        leave = LeaveType(
            code=loading.code(raw_type, "code", where),
            title_zh=loading.text(raw_type, "title_zh", where),
            title_en=loading.text(raw_type, "title_en", where),
        )
        if leave.code in leave_types:
            raise PolicyError(f"{where}: {leave.code} is listed twice")
        leave_types[leave.code] = leave
    return AttendancePolicy(
        version=version,
        published=loading.text(raw, "published", name),
        in_force_from=in_force_from,
        source=source,
        timezone=loading.utc_offset(raw, "timezone", name),
        grace_minutes=grace_minutes,
        absent_over_minutes=absent_over,
        sessions=sessions,
        leave_types=leave_types,
        digest=loading.digest(data),
    )


@cache
def load_attendance_policy(version: str | None = None) -> AttendancePolicy:
    """The attendance policy of ``version`` (the newest when None)."""
    return loading.load_version(FAMILY, version, parse_attendance_policy)


def attendance_policy_in_force(on: date) -> AttendancePolicy:
    """The version that judges a fact of valid date ``on`` (no retroactive tightening)."""
    return loading.in_force(FAMILY, on, load_attendance_policy)
