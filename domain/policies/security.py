"""The security policy (``security-<version>.toml``): duty slots, virus-check interval, end-of-day checks.

Article 9 says *that* the roster is kept (ART9.4), computers are checked for viruses
regularly (ART9.1) and the hall is powered off and locked after work (ART9.7, ART9.8);
this policy says *when* and *what*: the slots of the roster, how regular "regular" is,
and which items an end-of-day check records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache

from domain.policies import loading
from domain.policies.loading import PolicyError
from domain.rules import REGULATION_RULE_IDS

FAMILY = "security"


@dataclass(frozen=True)
class DutySlot:
    """A slot of the duty roster (午间值班 11:30–13:00); ``ends <= starts`` means the next day."""

    code: str
    title_zh: str
    title_en: str
    starts: time
    ends: time

    @property
    def overnight(self) -> bool:
        return self.ends <= self.starts

    def interval(self, day: date, tz: tzinfo) -> tuple[datetime, datetime]:
        """The aware interval this slot covers when rostered on ``day``."""
        end_day = day + timedelta(days=1) if self.overnight else day
        return datetime.combine(day, self.starts, tz), datetime.combine(end_day, self.ends, tz)


@dataclass(frozen=True)
class EndOfDayItem:
    code: str
    title_zh: str
    title_en: str
    #: the rule of the regulation a failed item evidences (ART9.7, ART9.8)
    rule: str


@dataclass(frozen=True)
class SecurityPolicy:
    version: str
    published: str
    in_force_from: date
    source: str
    timezone: tzinfo
    duty_slots: Mapping[str, DutySlot]
    #: ART9.1: a device is checked at least every this many working days (the calendar's)
    virus_check_interval_working_days: int
    end_of_day_checks: Mapping[str, EndOfDayItem]
    digest: str

    @property
    def ref(self) -> str:
        return f"{FAMILY}@{self.version}"

    def hall_day(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    def slot(self, code: str) -> DutySlot | None:
        return self.duty_slots.get(code)


def _slot(raw: Mapping[str, object], where: str) -> DutySlot:
    loading.only_keys(raw, ("code", "title_zh", "title_en", "starts", "ends"), where)
    starts = loading.clock_time(raw, "starts", where)
    ends = loading.clock_time(raw, "ends", where)
    if starts == ends:
        raise PolicyError(f"{where}: a slot cannot start and end at {starts:%H:%M}")
    return DutySlot(
        code=loading.code(raw, "code", where),
        title_zh=loading.text(raw, "title_zh", where),
        title_en=loading.text(raw, "title_en", where),
        starts=starts,
        ends=ends,
    )


def _check(raw: Mapping[str, object], where: str) -> EndOfDayItem:
    loading.only_keys(raw, ("code", "title_zh", "title_en", "rule"), where)
    rule = loading.text(raw, "rule", where)
    if rule not in REGULATION_RULE_IDS:
        raise PolicyError(f"{where}: {rule!r} is not a rule of the regulation")
    return EndOfDayItem(
        code=loading.code(raw, "code", where),
        title_zh=loading.text(raw, "title_zh", where),
        title_en=loading.text(raw, "title_en", where),
        rule=rule,
    )


def parse_security_policy(data: bytes, name: str = "<security policy>") -> SecurityPolicy:
    raw = loading.parse_toml(data, name)
    loading.only_keys(
        raw,
        ("family", "version", "published", "in_force_from", "source", "timezone", "duty_slot", "virus_check",
         "end_of_day_check"),
        name,
    )  # fmt: skip
    version, in_force_from, source = loading.header(raw, FAMILY, name)
    slots: dict[str, DutySlot] = {}
    for raw_slot in loading.tables(raw, "duty_slot", name):
        slot = _slot(raw_slot, f"{name} duty_slot")
        if slot.code in slots:
            raise PolicyError(f"{name}: duty slot {slot.code} is listed twice")
        slots[slot.code] = slot
    checks: dict[str, EndOfDayItem] = {}
    for raw_check in loading.tables(raw, "end_of_day_check", name):
        check = _check(raw_check, f"{name} end_of_day_check")
        if check.code in checks:
            raise PolicyError(f"{name}: end-of-day check {check.code} is listed twice")
        checks[check.code] = check
    virus = loading.table(raw.get("virus_check"), f"{name} [virus_check]")
    loading.only_keys(virus, ("interval_working_days",), f"{name} [virus_check]")
    return SecurityPolicy(
        version=version,
        published=loading.text(raw, "published", name),
        in_force_from=in_force_from,
        source=source,
        timezone=loading.utc_offset(raw, "timezone", name),
        duty_slots=slots,
        virus_check_interval_working_days=loading.integer(
            virus, "interval_working_days", f"{name} [virus_check]", low=1, high=250
        ),
        end_of_day_checks=checks,
        digest=loading.digest(data),
    )


@cache
def load_security_policy(version: str | None = None) -> SecurityPolicy:
    """The security policy of ``version`` (the newest when None)."""
    return loading.load_version(FAMILY, version, parse_security_policy)


def security_policy_in_force(on: date) -> SecurityPolicy:
    """The version that judges a fact of valid date ``on``."""
    return loading.in_force(FAMILY, on, load_security_policy)
