"""The working-day calendar on real dates: holidays are skipped, adjusted working weekends
(调休) count, the day of the triggering fact is not counted.

2026 (国务院办公厅, 2025-11-04): 春节 Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked;
中秋 Sep 25–27 off; 国庆 Oct 1–7 off, Sun Sep 20 and Sat Oct 10 worked.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.calendar import (
    PACKAGE_DIR,
    CalendarError,
    OutsideCalendar,
    hall_date,
    load_calendar,
    national_calendar,
)
from tests.givens import at

CAL = national_calendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before the Spring Festival
        (date(2026, 2, 14), True),  # Saturday worked (调休)
        (date(2026, 2, 16), False),  # Monday in the Spring Festival
        (date(2026, 2, 23), False),  # last day off
        (date(2026, 2, 24), True),  # Tuesday, back at work
        (date(2026, 2, 28), True),  # Saturday worked (调休)
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 9, 20), True),  # Sunday worked for National Day
        (date(2026, 9, 25), False),  # Mid-Autumn Festival (Friday)
        (date(2026, 10, 5), False),  # National Day week (Monday)
        (date(2026, 10, 8), True),  # Thursday after National Day
        (date(2026, 10, 10), True),  # Saturday worked (调休)
        (date(2026, 1, 4), True),  # Sunday worked for New Year
        (date(2025, 1, 26), True),  # Sunday worked for the 2025 Spring Festival
        (date(2025, 2, 4), False),  # 2025 Spring Festival, last day off
        (date(2025, 10, 8), False),  # 2025 National Day and Mid-Autumn, last day off
        (date(2025, 10, 11), True),  # Saturday worked (2025)
    ],
)
def test_working_days_follow_the_state_council_notices(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_twenty_working_days_across_the_2026_spring_festival() -> None:
    # received Tue 10 Feb (not counted): Feb 11, 12, 13 (1–3), Sat 14 worked (4), Feb 15–23 off,
    # Feb 24–27 (5–8), Sat 28 worked (9), Mar 2–6 (10–14), Mar 9–13 (15–19), Mon Mar 16 (20)
    assert CAL.add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 16)
    assert CAL.working_days_between(date(2026, 2, 10), date(2026, 3, 16)) == 20


def test_twenty_working_days_across_mid_autumn_and_national_day_2026() -> None:
    # received Fri 25 Sep (a holiday, not counted): Sep 26–27 off, Sep 28–30 (1–3), Oct 1–7 off,
    # Oct 8, 9 (4, 5), Sat 10 worked (6), Oct 12–16 (7–11), Oct 19–23 (12–16), Oct 26–29 (17–20)
    assert CAL.add_working_days(date(2026, 9, 25), 20) == date(2026, 10, 29)
    # received Fri 18 Sep: Sun 20 worked (1), Sep 21–24 (2–5), Sep 25–27 off, Sep 28–30 (6–8),
    # Oct 8, 9 (9, 10), Sat 10 (11), Oct 12–16 (12–16), Oct 19–22 (17–20)
    assert CAL.add_working_days(date(2026, 9, 18), 20) == date(2026, 10, 22)


def test_counting_is_consistent_both_ways_over_a_whole_year() -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        for n in (0, 1, 5, 20):
            target = CAL.add_working_days(day, n)
            assert CAL.working_days_between(day, target) == n
            if n:
                assert CAL.is_working_day(target)
                assert CAL.add_working_days(target, -n) <= day
        day += timedelta(days=7)


def test_counting_backwards_for_the_yellow_light() -> None:
    # two working days before Mon 12 Oct 2026: Sat 10 (worked) and Fri 9
    assert CAL.add_working_days(date(2026, 10, 12), -2) == date(2026, 10, 9)
    assert CAL.working_days_between(date(2026, 10, 12), date(2026, 10, 9)) == -2


def test_a_year_without_a_file_is_refused_rather_than_guessed() -> None:
    with pytest.raises(OutsideCalendar) as refused:
        CAL.add_working_days(date(2027, 12, 20), 20)
    assert "2028" in str(refused.value)


def test_2027_is_provisional_until_the_official_notice() -> None:
    assert CAL.provisional(date(2027, 3, 1)) and not CAL.provisional(date(2026, 3, 1))
    assert not CAL.is_working_day(date(2027, 2, 8))  # lunar new year's third day (Monday)
    assert not CAL.is_working_day(date(2027, 10, 1))
    assert CAL.is_working_day(date(2027, 10, 4)), "no adjusted days are known yet"
    year = CAL.years[2027]
    assert "2027" in year.source or "statutory" in year.source_en


def test_every_packaged_year_names_its_source() -> None:
    for year in CAL.years.values():
        assert year.source and year.publisher and year.published
    assert CAL.years[2026].published == date(2025, 11, 4)
    assert CAL.years[2025].published == date(2024, 11, 12)


def test_the_hall_date_of_a_moment_is_its_date_in_china() -> None:
    from datetime import UTC, datetime

    assert hall_date(datetime(2026, 9, 30, 17, 0, tzinfo=UTC)) == date(2026, 10, 1)
    assert hall_date(at(10, 8, 9, 0)) == date(2026, 10, 8)


HALL_2026 = """
name = "beihai-2026"
year = 2026
source = "国务院办公厅关于2026年部分节假日安排的通知 + 北海开发区管委会通知(示例)"
source_en = "national schedule plus a local closing day"
publisher = "北海经济开发区管委会"
published = 2025-12-01
provisional = false

[[holiday]]
name_zh = "国庆节"
name_en = "National Day"
off = [2026-10-01, 2026-10-07]
working = [2026-09-20, 2026-10-10]

[[holiday]]
name_zh = "大厅系统升级闭厅"
name_en = "Hall closed for a system upgrade"
off = [2026-10-12, 2026-10-12]
"""


def test_a_hall_supplies_its_own_year_and_it_replaces_the_national_one(tmp_path: Path) -> None:
    hall_dir = tmp_path / "calendars"
    hall_dir.mkdir()
    (hall_dir / "beihai-2026.toml").write_text(HALL_2026, encoding="utf-8")
    calendar = load_calendar(PACKAGE_DIR, hall_dir)
    assert calendar.years[2026].name == "beihai-2026"
    assert calendar.years[2025].name == "cn-2025", "other years stay national"
    assert not calendar.is_working_day(date(2026, 10, 12))
    assert calendar.ref != CAL.ref, "deadlines record which calendar they were counted on"
    only_hall = load_calendar(hall_dir / "beihai-2026.toml")
    assert list(only_hall.years) == [2026]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("working = [2026-09-20, 2026-10-10]", "working = [2026-09-21]"), "weekday"),
        (("off = [2026-10-01, 2026-10-07]", "off = [2026-10-07, 2026-10-01]"), "before it starts"),
        (("provisional = false", 'provisional = "no"'), "provisional"),
        (("off = [2026-10-12, 2026-10-12]", "off = [2026-10-05, 2026-10-05]"), "appears under both"),
        (("published = 2025-12-01", 'published = "2025-12-01"'), "TOML date"),
    ],
)
def test_a_malformed_calendar_file_is_refused(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(HALL_2026.replace(*change), encoding="utf-8")
    with pytest.raises(CalendarError) as refused:
        load_calendar(path)
    assert message in str(refused.value)
