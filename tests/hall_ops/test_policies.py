"""The attendance and security policies are strict, versioned data: opening hours, leave types,
duty slots, the virus-check interval and the after-work items live in TOML, not in code."""

from __future__ import annotations

from datetime import date, time

import pytest

from domain.envelope import CHINA_STANDARD_TIME
from domain.policies.attendance import attendance_policy_in_force, load_attendance_policy, parse_attendance_policy
from domain.policies.loading import HERE, PolicyError
from domain.policies.security import load_security_policy, parse_security_policy, security_policy_in_force
from tests.givens import at

ATTENDANCE = (HERE / "attendance-2026.1.toml").read_text(encoding="utf-8")
SECURITY = (HERE / "security-2026.1.toml").read_text(encoding="utf-8")


@pytest.mark.rules("ART6.5", "ART7.5")
def test_the_hall_opens_0830_1130_and_1300_1700_china_time() -> None:
    policy = load_attendance_policy("2026.1")
    assert policy.ref == "attendance@2026.1"
    assert policy.timezone is CHINA_STANDARD_TIME
    assert [(s.opens, s.closes) for s in policy.sessions] == [(time(8, 30), time(11, 30)), (time(13, 0), time(17, 0))]
    assert policy.opening_hours(date(2026, 9, 29))[1] == (at(9, 29, 13), at(9, 29, 17))
    assert {"annual", "sick", "personal"} <= set(policy.leave_types)
    assert attendance_policy_in_force(date(2026, 9, 29)) is policy


@pytest.mark.rules("ART9.1", "ART9.4", "ART9.7", "ART9.8")
def test_duty_slots_virus_checks_and_after_work_items_are_security_policy() -> None:
    policy = load_security_policy("2026.1")
    night = policy.duty_slots["night"]
    assert night.overnight and night.interval(date(2026, 10, 3), policy.timezone) == (at(10, 3, 17), at(10, 4, 8, 30))
    assert policy.virus_check_interval_working_days == 5
    assert {c: i.rule for c, i in policy.end_of_day_checks.items()} == {
        "power_off": "ART9.7",
        "locked": "ART9.8",
        "classified_secured": "ART9.8",
    }
    assert security_policy_in_force(date(2026, 9, 29)) is policy


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('opens = "08:30"', 'opens = "8:30"', "HH:MM"),
        ('closes = "11:30"', 'closes = "08:00"', "not after opens"),
        ('opens = "13:00"', 'opens = "11:00"', "opens before morning closes"),
        ("grace_minutes = 0", "grace_minutes = 0\nlate_minutes = 10", "unknown key(s) late_minutes"),
        ("grace_minutes = 0", 'grace_minutes = "0"', "integer"),
        ('timezone = "+08:00"', 'timezone = "Asia/Shanghai"', "UTC offset"),
        ('family = "attendance"', 'family = "security"', "family"),
        ('code = "sick"', 'code = "annual"', "annual is listed twice"),
    ],
)
def test_a_malformed_attendance_policy_is_refused_naming_what_is_wrong(old: str, new: str, message: str) -> None:
    assert old in ATTENDANCE
    with pytest.raises(PolicyError) as refused:
        parse_attendance_policy(ATTENDANCE.replace(old, new, 1).encode(), "attendance-test.toml")
    assert message in str(refused.value)
    assert "attendance-test.toml" in str(refused.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('rule = "ART9.7"', 'rule = "ART9.9"', "not a rule of the regulation"),
        ("interval_working_days = 5", "interval_working_days = 0", "between 1 and 250"),
        ('ends = "13:00"', 'ends = "11:30"', "cannot start and end"),
        ('code = "day"', 'code = "lunch"', "lunch is listed twice"),
    ],
)
def test_a_malformed_security_policy_is_refused_naming_what_is_wrong(old: str, new: str, message: str) -> None:
    assert old in SECURITY
    with pytest.raises(PolicyError) as refused:
        parse_security_policy(SECURITY.replace(old, new, 1).encode(), "security-test.toml")
    assert message in str(refused.value)
