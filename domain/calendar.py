"""The working-day calendar (工作日): national public holidays and adjusted working weekends.

Statutory and committed time limits in the hall run in working days — the disclosure
answer period (政府信息公开条例 Art. 33: 20 working days), a case's committed limit
(ART2.3), the one-time notice backstop (行政许可法 §32). A working day is a Monday to
Friday that is not a public holiday, or a Saturday or Sunday the State Council declared a
working day (调休上班). Each year is a data file (``domain/calendars/cn-<year>.toml``) that
names its source; a hall can supply its own files (local holidays, a year's official
notice before a release of this package) and they replace the packaged year.

Counting follows Chinese law on periods (民法典 §201, 行政许可法 §82 practice): the day of
the triggering fact is not counted, so the deadline of "20 working days from receipt" is
the 20th working day *after* the day of receipt (:meth:`WorkingDayCalendar.add_working_days`).

Pure: no I/O except reading the package's own data files or files the caller names.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from domain.envelope import CHINA_STANDARD_TIME
from domain.errors import InvalidInput

PACKAGE_DIR = Path(__file__).parent / "calendars"

_ONE_DAY = timedelta(days=1)
#: a holiday block longer than this is a typing error in a file, not a holiday
_LONGEST_HOLIDAY = 15


class CalendarError(ValueError):
    """A calendar file is malformed; the message names the file and the field."""


class OutsideCalendar(InvalidInput):
    """A date lies in a year the calendar has no data for (refuse rather than guess)."""

    code = "outside-calendar"


def hall_date(moment: datetime) -> date:
    """The hall's calendar date of a valid time (China Standard Time)."""
    if moment.tzinfo is None:
        raise InvalidInput("a moment in the hall must carry a timezone", field="occurred_at")
    return moment.astimezone(CHINA_STANDARD_TIME).date()


@dataclass(frozen=True)
class Holiday:
    """One holiday block of a year's notice: the days off and the weekends worked for it."""

    name_zh: str
    name_en: str
    first: date
    last: date
    working: tuple[date, ...]

    def days_off(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += _ONE_DAY


@dataclass(frozen=True)
class CalendarYear:
    """One year's file: its holidays, adjusted working weekends and source."""

    name: str
    year: int
    source: str
    source_en: str
    publisher: str
    published: date
    provisional: bool
    holidays: tuple[Holiday, ...]
    #: SHA-256 of the file's bytes
    digest: str

    @property
    def off(self) -> frozenset[date]:
        return frozenset(d for h in self.holidays for d in h.days_off())

    @property
    def working(self) -> frozenset[date]:
        return frozenset(d for h in self.holidays for d in h.working)


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CalendarError(f"{where}: field {key!r} must be a non-empty string")
    return value.strip()


def _date(value: Any, where: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise CalendarError(f"{where}: {value!r} is not a TOML date (write 2026-10-01, unquoted)")
    return value


def _holiday(raw: Any, year: int, where: str) -> Holiday:
    if not isinstance(raw, dict):
        raise CalendarError(f"{where}: each [[holiday]] must be a table")
    name_zh = _text(raw, "name_zh", where)
    where = f"{where} holiday {name_zh}"
    off = raw.get("off")
    if not isinstance(off, list) or len(off) != 2:
        raise CalendarError(f"{where}: off must be [first day, last day]")
    first, last = _date(off[0], where), _date(off[1], where)
    if last < first:
        raise CalendarError(f"{where}: the holiday ends ({last}) before it starts ({first})")
    if (last - first).days >= _LONGEST_HOLIDAY:
        raise CalendarError(f"{where}: {first} … {last} is longer than {_LONGEST_HOLIDAY} days")
    if year not in (first.year, last.year):
        raise CalendarError(f"{where}: {first} … {last} does not lie in {year}")
    working_raw = raw.get("working", [])
    if not isinstance(working_raw, list):
        raise CalendarError(f"{where}: working must be a list of dates")
    working = tuple(_date(w, where) for w in working_raw)
    for day in working:
        if day.weekday() < 5:
            raise CalendarError(f"{where}: {day} is a weekday; only a Saturday or Sunday can be made a working day")
        if first <= day <= last:
            raise CalendarError(f"{where}: {day} is both a day off and a working day")
        if abs((day - first).days) > 31:
            raise CalendarError(f"{where}: working day {day} lies too far from the holiday it belongs to")
    unknown = sorted(set(raw) - {"name_zh", "name_en", "off", "working"})
    if unknown:
        raise CalendarError(f"{where}: unknown field(s) {', '.join(unknown)}")
    return Holiday(name_zh=name_zh, name_en=_text(raw, "name_en", where), first=first, last=last, working=working)


def parse_calendar_year(data: bytes, origin: str = "<calendar>") -> CalendarYear:
    """Parse and validate one year's file."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise CalendarError(f"{origin}: not valid UTF-8 TOML: {e}") from None
    year = raw.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise CalendarError(f"{origin}: year must be an integer such as 2026")
    provisional = raw.get("provisional")
    if not isinstance(provisional, bool):
        raise CalendarError(f"{origin}: provisional must be true or false (is this the official notice?)")
    holidays_raw = raw.get("holiday")
    if not isinstance(holidays_raw, list) or not holidays_raw:
        raise CalendarError(f"{origin}: no [[holiday]] entries")
    holidays = tuple(_holiday(h, year, origin) for h in holidays_raw)
    seen: dict[date, str] = {}
    for holiday in holidays:
        for day in (*holiday.days_off(), *holiday.working):
            if day in seen:
                raise CalendarError(f"{origin}: {day} appears under both {seen[day]} and {holiday.name_zh}")
            seen[day] = holiday.name_zh
    unknown = sorted(
        set(raw) - {"name", "year", "source", "source_en", "publisher", "published", "provisional", "holiday"}
    )
    if unknown:
        raise CalendarError(f"{origin}: unknown field(s) {', '.join(unknown)}")
    return CalendarYear(
        name=_text(raw, "name", origin),
        year=year,
        source=_text(raw, "source", origin),
        source_en=_text(raw, "source_en", origin),
        publisher=_text(raw, "publisher", origin),
        published=_date(raw.get("published"), f"{origin} published"),
        provisional=provisional,
        holidays=holidays,
        digest=hashlib.sha256(data).hexdigest(),
    )


class WorkingDayCalendar:
    """Working days over the years it has files for; a date outside them is refused."""

    def __init__(self, years: Iterable[CalendarYear]) -> None:
        by_year: dict[int, CalendarYear] = {}
        for year in years:
            by_year[year.year] = year  # a later file for the same year replaces the earlier
        if not by_year:
            raise CalendarError("a working-day calendar needs at least one year")
        self.years: Mapping[int, CalendarYear] = dict(sorted(by_year.items()))
        off: set[date] = set()
        working: set[date] = set()
        for year in self.years.values():
            off |= year.off
            working |= year.working
        clash = off & working
        if clash:
            raise CalendarError(f"days both off and working across files: {', '.join(map(str, sorted(clash)))}")
        self._off = frozenset(off)
        self._working = frozenset(working)
        names = "+".join(y.name for y in self.years.values())
        digest = hashlib.sha256("\n".join(f"{y.name}:{y.digest}" for y in self.years.values()).encode()).hexdigest()
        #: what events record as the calendar a deadline was computed on
        self.ref = f"{names}@{digest[:12]}"

    def __repr__(self) -> str:
        return f"WorkingDayCalendar({self.ref})"

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def provisional(self, day: date) -> bool:
        """True when ``day``'s year comes from a provisional file (no official notice yet)."""
        return self._year(day).provisional

    def provisional_years(self, a: date, b: date) -> tuple[int, ...]:
        """The years from ``a`` to ``b`` (either order) counted on a provisional file.

        A deadline counted from ``a`` to ``b`` rests on each of these years' provisional
        schedule (statutory holidays only, no 调休 yet): it may move when the official notice
        replaces the file. A year without a file is not listed (counting there is refused).
        """
        first, last = sorted((a.year, b.year))
        return tuple(y for y in range(first, last + 1) if y in self.years and self.years[y].provisional)

    def rests_on_provisional(self, a: date, b: date) -> bool:
        """True when a deadline counted from ``a`` to ``b`` uses a provisional year (see :meth:`provisional_years`)."""
        return bool(self.provisional_years(a, b))

    def _year(self, day: date) -> CalendarYear:
        found = self.years.get(day.year)
        if found is None:
            have = ", ".join(str(y) for y in self.years)
            raise OutsideCalendar(
                f"the working-day calendar has no data for {day.year} (have: {have}); "
                "add that year's file before counting working days in it",
                field="calendar",
            )
        return found

    def is_working_day(self, day: date) -> bool:
        self._year(day)
        if day in self._working:
            return True
        if day in self._off:
            return False
        return day.weekday() < 5

    def holiday_of(self, day: date) -> Holiday | None:
        """The holiday block ``day`` is off for, if any."""
        for holiday in self._year(day).holidays:
            if holiday.first <= day <= holiday.last:
                return holiday
        return None

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted).

        ``n = 0`` is ``start``; a negative ``n`` counts backwards (the ``|n|``-th working
        day before ``start``).
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        day = start
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]`` — so ``working_days_between(a, add_working_days(a, n)) == n``.

        Negative when ``b`` lies before ``a``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day


def provisional_note(years: Iterable[int]) -> tuple[str, str] | None:
    """What a deadline resting on provisional years says wherever it is shown (zh, en), or None."""
    found = sorted(set(years))
    if not found:
        return None
    named = "、".join(str(y) for y in found)
    return (
        f"期限按 {named} 年暂定工作日历计算(国务院办公厅当年放假安排尚未发布,可能调整)",
        f"deadline counted on the provisional {', '.join(str(y) for y in found)} working-day calendar "
        "(the official holiday notice is not yet published; it may move)",
    )


def deadline_flags(calendar: WorkingDayCalendar, counted_from: date, deadline: date | None) -> dict[str, Any]:
    """How a deadline is shown beside its date (API outcomes, reads): whether it rests on a
    provisional year, and which — the one place that decides the flag."""
    years = calendar.provisional_years(counted_from, deadline) if deadline is not None else ()
    return {"deadline_provisional": bool(years), "provisional_years": list(years)}


def _files(source: Path) -> list[Path]:
    if source.is_dir():
        return sorted(source.glob("*.toml"))
    if source.is_file():
        return [source]
    raise CalendarError(f"{source}: no such calendar file or directory")


def load_calendar(*sources: Path | str) -> WorkingDayCalendar:
    """A calendar from files and/or directories of ``*.toml`` files, in order.

    Without sources: the packaged national calendar. A later file for a year replaces an
    earlier one, so ``load_calendar(PACKAGE_DIR, hall_dir)`` is the national calendar with
    the hall's own years on top.
    """
    paths = [p for s in (sources or (PACKAGE_DIR,)) for p in _files(Path(s))]
    if not paths:
        raise CalendarError(f"no calendar files in {', '.join(str(s) for s in sources)}")
    return WorkingDayCalendar(parse_calendar_year(p.read_bytes(), p.name) for p in paths)


@cache
def national_calendar() -> WorkingDayCalendar:
    """The packaged national calendar (cached; its files are part of the release)."""
    return load_calendar(PACKAGE_DIR)
