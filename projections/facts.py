"""The facts about the hall's people: the one fold every person-centred read model uses.

Read models of people (staff records, escalation, assessment, KPIs) do not keep running
counters. They keep each person's *inputs* — the violations with their current status,
the decisions taken about them, their postings, their appeals — and derive everything
else from those inputs (``projections/escalation.py``, ``projections/assessment.py``).
A back-dated violation or a revocation changes an input, and the derived state is simply
derived again: an appeal overturn can never leave a stale counter behind (DOMAIN-RESEARCH
§2, the S41 pitfall: every derived counter filters on the *current* status of what it
counts).

``evolve(facts, position, event)`` is the fold. Time travel (``projections/timetravel.py``)
runs the very same function over a person's events filtered by valid time and record
time; the read models run it over the log. It mutates and returns ``facts`` (an
accumulator, for speed): it reads no clock, does no I/O and depends on nothing but the
events it is given, in log order.

Representation (JSON-able, so a model can persist it in its own ``<model>_facts`` table
and reload it after a restart):

- times are integers, microseconds since the Unix epoch (``micros``), for fast
  comparisons; dates are ISO strings;
- a person is a ``core`` document (profile, status, postings, violations, decisions,
  appeals) and one document per month of the hall calendar (``"2026-10"``) with the inputs
  of that month's assessment other than violations (bonus events, KPI counts);
- ``positions`` lists name the ledger positions of the events behind every fact, so every
  derived value can be explained.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from domain.appeal import Appeal
from domain.attendance import LeaveRequest
from domain.calendar import OutsideCalendar, national_calendar
from domain.disclosure import DisclosureRequest
from domain.duty import DutyShift, substitute
from domain.envelope import CHINA_STANDARD_TIME
from domain.evaluation import BAD_LEVELS, Commendation, Complaint, Praise, Rating
from domain.hall_day import HallDay
from domain.inquiry import Inquiry
from domain.organisation import Department, Hall, Window
from domain.service_case import ServiceCase
from domain.staff import StaffMember
from domain.supervision import OVERDUE_ITEM, OVERDUE_RULES, CaseSupervision, overdue_candidate_id
from domain.violation import Violation
from projections.base import ReadModel, Table, Tx

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
DAY = 86_400_000_000

# facts of a violation's status (the domain's words)
PENDING, CONFIRMED, DISMISSED, REVOKED = "pending", "confirmed", "dismissed", "revoked"

Doc = dict[str, Any]


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    return (moment - _EPOCH) // _MICRO


def from_micros(t: int) -> datetime:
    return _EPOCH + timedelta(microseconds=t)


def iso(t: int | None) -> str | None:
    """RFC 3339 UTC with microseconds (the envelope's form)."""
    if t is None:
        return None
    return from_micros(t).isoformat(timespec="microseconds").replace("+00:00", "Z")


_TEXT: dict[int, str] = {}


def text(value: UUID) -> str:
    """``str(uuid)``, remembered for the ids that recur (people, windows, departments)."""
    found = _TEXT.get(value.int)
    if found is None:
        if len(_TEXT) > 50_000:
            _TEXT.clear()
        found = _TEXT[value.int] = str(value)
    return found


_MONTHS: dict[int, str] = {}


def hall_day(t: int) -> date:
    """The hall's calendar date (China Standard Time) of a moment."""
    return from_micros(t).astimezone(CHINA_STANDARD_TIME).date()


_MONTH_OF: dict[tuple[int, int], str] = {}


def month_of(moment: datetime) -> str:
    """The assessment month of an aware datetime (China Standard Time)."""
    local = moment.astimezone(CHINA_STANDARD_TIME)
    key = (local.year, local.month)
    found = _MONTH_OF.get(key)
    if found is None:
        found = _MONTH_OF[key] = f"{local.year:04d}-{local.month:02d}"
    return found


def hall_month(t: int) -> str:
    """The assessment month (``2026-10``, China Standard Time) of a moment."""
    hour = t // 3_600_000_000
    found = _MONTHS.get(hour)
    if found is None:
        found = from_micros(t).astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m")
        if len(_MONTHS) > 100_000:
            _MONTHS.clear()
        _MONTHS[hour] = found
    return found


def day_start(day: date) -> int:
    """The first microsecond of a hall day (00:00 China Standard Time)."""
    return micros(datetime.combine(day, datetime.min.time(), CHINA_STANDARD_TIME))


def day_end(day: date) -> int:
    """The first microsecond after a hall day ends (a date "due by" is met until then)."""
    return day_start(day + timedelta(days=1))


def month_bounds(month: str) -> tuple[int, int]:
    """[start, end) of an assessment month in microseconds."""
    year, mon = (int(p) for p in month.split("-"))
    start = date(year, mon, 1)
    end = date(year + (mon == 12), mon % 12 + 1, 1)
    return day_start(start), day_start(end)


def next_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year + (mon == 12):04d}-{mon % 12 + 1:02d}"


def previous_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - (mon == 1):04d}-{(mon - 2) % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    out = []
    month = first
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def new_core(staff_id: str) -> Doc:
    return {
        "staff_id": staff_id,
        "profile": None,
        "status": None,
        "status_t": None,
        "status_pos": None,
        "postings": [],
        "left": None,
        "violations": {},
        "admonishments": {},
        "sanctions": {},
        "appeals": {},
        "demands": [],
        "bad": {},
        "commendations": [],
        "positions": [],
    }


def new_month() -> Doc:
    """A person's assessment inputs of one month besides violations.

    ``bonus``: bonus events (praise, commendations) as ``{item, positions, source}``;
    ``vs`` / ``early``: positions of 非常满意 ratings and of committed cases finished early;
    ``ratings``: counting ratings by score (bad ones are kept one by one in ``bad``, with
    their current status); ``kpi``: ``{component: {"met": n, "of": n}}``.
    """
    return {"bonus": [], "vs": [], "early": [], "ratings": {}, "bad": {}, "kpi": {}}


def new_open() -> Doc:
    """Open items of the hall (KPIs): cases with a deadline, disclosure requests, duty shifts
    and approved leave (to tell a shift without cover)."""
    return {"cases": {}, "disclosures": {}, "shifts": {}, "leave": {}}


class HallFacts:
    """Everything the person-centred models derive from, for a whole hall.

    ``persons[staff_id]["core"]`` and ``persons[staff_id]["months"][month]`` hold the facts;
    ``owner`` maps the streams that concern one person without naming them on every event
    (violations, appeals) to that person; ``org`` holds departments, windows and violations
    by a unit rather than a person. ``dirty`` collects ``(staff_id, part)`` pairs changed
    since the caller last cleared it (``part`` is ``"core"`` or a month) so a writer only
    re-derives and persists what changed. ``clock`` is the newest record time folded.
    """

    ORG = "~org"
    META = "~meta"
    EXTRA = "~extra"

    def __init__(self, *, months: bool = True, open_items: bool = False) -> None:
        #: whether the fold keeps monthly assessment inputs / the hall's open items (a model
        #: that derives nothing from them need not carry them)
        self.track_months = months
        self.track_open = open_items
        self.persons: dict[str, Doc] = {}
        self.org: Doc = {"hall": None, "departments": {}, "windows": {}, "violations": {}}
        #: streams linked to a person and an assessment month until they close (an inquiry
        #: until it is closed, a bad rating or complaint for good): stream → [staff, month]
        self.links: dict[str, list[str]] = {}
        self.open: Doc = new_open()
        #: documents a model keeps beside the shared facts (published periods …), by name
        self.extra: dict[str, Any] = {}
        self.owner: dict[str, str] = {}
        self.dirty: set[tuple[str, str]] = set()
        #: assessment months whose inputs changed, with the people whose inputs they were
        #: (None: a unit's)
        self.touched: dict[str, set[str | None]] = {}
        #: a bulk replay keeps no account of what changed (everything is written at the end)
        self.quiet = False
        self._clock = 0
        self._first = 0
        #: newest / oldest record time folded since ``clock`` / ``first`` were last read
        #: (datetimes compare for free; microseconds are computed when asked for)
        self.latest: datetime | None = None
        self.earliest: datetime | None = None
        self.last_position = 0
        #: the event being folded (set by :func:`evolve`); ``t``, ``stream`` and ``mon`` are
        #: its valid time, stream id and assessment month, computed when a handler asks
        self.event: Any = None
        self._t: int | None = None
        self._stream: str | None = None

    @property
    def t(self) -> int:
        """Valid time (microseconds) of the event being folded."""
        if self._t is None:
            self._t = micros(self.event.occurred_at)
        return self._t

    @property
    def stream(self) -> str:
        """Stream id of the event being folded."""
        if self._stream is None:
            self._stream = str(self.event.originator_id)
        return self._stream

    @property
    def mon(self) -> str:
        """Assessment month of the event being folded (China Standard Time)."""
        return month_of(self.event.occurred_at)

    @property
    def clock(self) -> int:
        """The newest record time folded (microseconds): the facts' "now"."""
        if self.latest is not None:
            self._clock = max(self._clock, micros(self.latest))
            self.latest = None
        return self._clock

    @clock.setter
    def clock(self, value: int) -> None:
        self._clock, self.latest = value, None

    @property
    def first(self) -> int:
        """The oldest record time folded (microseconds; 0 before any event)."""
        if self.earliest is not None:
            t = micros(self.earliest)
            self._first = min(self._first, t) if self._first else t
            self.earliest = None
        return self._first

    @first.setter
    def first(self, value: int) -> None:
        self._first, self.earliest = value, None

    # ── access ───────────────────────────────────────────────────────────────

    def person(self, staff_id: str) -> Doc:
        found = self.persons.get(staff_id)
        if found is None:
            found = self.persons[staff_id] = {"core": new_core(staff_id), "months": {}}
        return found

    def core(self, staff_id: str) -> Doc:
        core: Doc = self.person(staff_id)["core"]
        return core

    def month(self, staff_id: str, month: str, position: int) -> Doc:
        """A person's inputs of one month, marked changed by the event at ``position``."""
        months: dict[str, Doc] = self.person(staff_id)["months"]
        found = months.get(month)
        if found is None:
            found = months[month] = new_month()
        if not self.quiet:
            self.dirty.add((staff_id, month))
            self.mark(month, position, staff_id)
        return found

    def touch(self, staff_id: str) -> Doc:
        if not self.quiet:
            self.dirty.add((staff_id, "core"))
        return self.core(staff_id)

    def mark(self, month: str, position: int, staff_id: str | None) -> None:
        """Note that an event changed the inputs of an assessment month (of a person, or of
        a unit when ``staff_id`` is None)."""
        if self.quiet:
            return
        found = self.touched.get(month)
        if found is None:
            found = self.touched[month] = set()
        found.add(staff_id)

    def mark_from(self, day: date, position: int, staff_id: str) -> None:
        """A posting change: every month from ``day`` to the clock's month may change."""
        first = hall_month(max(day_start(day), self.first or day_start(day)))
        last = hall_month(self.clock) if self.clock else first
        for month in months_between(first, max(first, last)):
            self.mark(month, position, staff_id)

    # ── persistence (documents per key and part) ─────────────────────────────

    def standard_parts(self) -> list[tuple[str, str]]:
        """The hall-wide documents every model's facts have from the start."""
        return [(self.ORG, "org"), (self.ORG, "links")] + ([(self.ORG, "open")] if self.track_open else [])

    def parts(self) -> list[tuple[str, str]]:
        """Every document the facts consist of (for a full write)."""
        out = self.standard_parts()
        out += [(self.EXTRA, name) for name in sorted(self.extra)]
        for staff_id in sorted(self.persons):
            out.append((staff_id, "core"))
            out += [(staff_id, month) for month in sorted(self.persons[staff_id]["months"])]
        return out

    def documents(self, keys: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
        """``(key, part, json)`` rows of the given parts (for a model's facts table)."""
        rows = []
        for key, part in keys:
            if key == self.ORG:
                doc: Any = {"org": self.org, "links": self.links, "open": self.open}[part]
            elif key == self.META:
                doc = {"clock": self.clock, "first": self.first, "last_position": self.last_position}
            elif key == self.EXTRA:
                doc = self.extra[part]
            elif part == "core":
                doc = self.persons[key]["core"]
            else:
                doc = self.persons[key]["months"][part]
            rows.append((key, part, json.dumps(doc, separators=(",", ":"), ensure_ascii=False)))
        return rows

    def load(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Restore from ``(key, part, json)`` rows written by :meth:`documents`."""
        for key, part, text in rows:
            doc = json.loads(text)
            if key == self.ORG:
                if part == "org":
                    self.org = doc
                elif part == "links":
                    self.links = doc
                else:
                    self.open = doc
            elif key == self.META:
                self.clock, self.first, self.last_position = doc["clock"], doc["first"], doc["last_position"]
            elif key == self.EXTRA:
                self.extra[part] = doc
            elif part == "core":
                self.person(key)["core"] = doc
                for violation_id in doc["violations"]:
                    self.owner[violation_id] = key
                for appeal_id in doc["appeals"]:
                    self.owner[appeal_id] = key
            else:
                self.person(key)["months"][part] = doc


# ── the fold ──────────────────────────────────────────────────────────────────

Handler = Callable[[HallFacts, int, Any], None]
HANDLERS: dict[type, Handler] = {}


def handles(*classes: type) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for cls in classes:
            HANDLERS[cls] = fn
        return fn

    return register


def evolve(facts: HallFacts, position: int, event: Any) -> HallFacts:
    """Fold one event (at its ledger position) into the facts; unknown events are ignored."""
    recorded = event.timestamp
    if facts.latest is None or recorded > facts.latest:
        facts.latest = recorded
    if facts.earliest is None or recorded < facts.earliest:
        facts.earliest = recorded
    facts.last_position = position
    handler = HANDLERS.get(type(event))
    if handler is not None:
        facts.event, facts._t, facts._stream = event, None, None
        handler(facts, position, event)
    return facts


def fold(events: Iterable[tuple[int, Any]], facts: HallFacts | None = None) -> HallFacts:
    facts = facts or HallFacts()
    for position, event in events:
        evolve(facts, position, event)
    return facts


def topics() -> tuple[type, ...]:
    """The event classes the fold understands (a model's ``topics``)."""
    return tuple(HANDLERS)


# ── organisation ──────────────────────────────────────────────────────────────


def _org_dirty(facts: HallFacts) -> None:
    if not facts.quiet:
        facts.dirty.add((HallFacts.ORG, "org"))


def _links_dirty(facts: HallFacts) -> None:
    if not facts.quiet:
        facts.dirty.add((HallFacts.ORG, "links"))


def _open_dirty(facts: HallFacts) -> None:
    if not facts.quiet:
        facts.dirty.add((HallFacts.ORG, "open"))


@handles(Hall.Established)
def _hall(facts: HallFacts, position: int, e: Hall.Established) -> None:
    facts.org["hall"] = {"id": facts.stream, "code": e.code, "name_zh": e.name_zh, "name_en": e.name_en}
    _org_dirty(facts)


@handles(Department.Registered)
def _department(facts: HallFacts, position: int, e: Department.Registered) -> None:
    facts.org["departments"][facts.stream] = {
        "code": e.code,
        "name_zh": e.name_zh,
        "name_en": e.name_en,
        "uniformed": e.uniformed,
        "leader": None,
        "pos": position,
    }
    _org_dirty(facts)


@handles(Department.LeaderInChargeDesignated)
def _leader(facts: HallFacts, position: int, e: Department.LeaderInChargeDesignated) -> None:
    found = facts.org["departments"].get(facts.stream)
    if found is not None:
        found["leader"] = e.leader_name
        _org_dirty(facts)


@handles(Window.Opened)
def _window(facts: HallFacts, position: int, e: Window.Opened) -> None:
    facts.org["windows"][facts.stream] = {
        "code": e.code,
        "name_zh": e.name_zh,
        "name_en": e.name_en,
        "department_id": text(e.department_id),
        "kind": e.kind,
        "closed": False,
        "pos": position,
    }
    _org_dirty(facts)


@handles(Window.Closed)
def _window_closed(facts: HallFacts, position: int, e: Window.Closed) -> None:
    found = facts.org["windows"].get(facts.stream)
    if found is not None:
        found["closed"] = True
        _org_dirty(facts)


# ── staff: profile, postings, decisions ───────────────────────────────────────


def _status(core: Doc, status: str, position: int, e: Any) -> None:
    core["status"] = status
    core["status_t"] = micros(e.occurred_at)
    core["status_pos"] = position


def _staff(facts: HallFacts, position: int, e: Any) -> Doc:
    core = facts.touch(facts.stream)
    core["positions"].append(position)
    return core


def _close_posting(core: Doc, end: date, position: int, reason: str) -> None:
    for posting in reversed(core["postings"]):
        if posting["end"] is None:
            posting["end"] = end.isoformat()
            posting["end_pos"] = position
            posting["end_reason"] = reason
            return


@handles(StaffMember.Onboarded)
def _onboarded(facts: HallFacts, position: int, e: StaffMember.Onboarded) -> None:
    core = _staff(facts, position, e)
    core["profile"] = {
        "staff_no": e.staff_no,
        "name": e.name,
        "department_id": text(e.department_id),
        "employment": e.employment,
        "onboarded_t": facts.t,
        "pos": position,
    }
    _status(core, "onboarded", position, e)


@handles(StaffMember.Posted)
def _posted(facts: HallFacts, position: int, e: StaffMember.Posted) -> None:
    core = _staff(facts, position, e)
    core["postings"].append(
        {
            "window_id": text(e.window_id),
            "start": e.start.isoformat(),
            "end": None,
            "temporary": e.temporary,
            "pos": position,
            "end_pos": None,
            "end_reason": None,
        }
    )
    _status(core, "on_post", position, e)
    facts.mark_from(e.start, position, facts.stream)


@handles(StaffMember.Moved)
def _moved(facts: HallFacts, position: int, e: StaffMember.Moved) -> None:
    core = _staff(facts, position, e)
    temporary = bool(core["postings"] and core["postings"][-1]["temporary"])
    _close_posting(core, e.start, position, "moved")
    core["postings"].append(
        {
            "window_id": str(e.to_window_id),
            "start": e.start.isoformat(),
            "end": None,
            "temporary": temporary,
            "pos": position,
            "end_pos": None,
            "end_reason": None,
        }
    )
    facts.mark_from(e.start, position, facts.stream)


@handles(StaffMember.PostingEnded)
def _posting_ended(facts: HallFacts, position: int, e: StaffMember.PostingEnded) -> None:
    core = _staff(facts, position, e)
    _close_posting(core, e.end, position, e.reason)
    _status(core, "off_post", position, e)
    facts.mark_from(e.end, position, facts.stream)


@handles(StaffMember.RecalledByDepartment)
def _recalled(facts: HallFacts, position: int, e: StaffMember.RecalledByDepartment) -> None:
    core = _staff(facts, position, e)
    _close_posting(core, e.end, position, "recalled")
    _status(core, "off_post", position, e)
    facts.mark_from(e.end, position, facts.stream)


@handles(StaffMember.Left)
def _left(facts: HallFacts, position: int, e: StaffMember.Left) -> None:
    core = _staff(facts, position, e)
    core["left"] = {"on": e.on.isoformat(), "reason": e.reason, "pos": position}
    _status(core, "left", position, e)


@handles(StaffMember.CommitteeConsentRecorded)
def _consent(facts: HallFacts, position: int, e: StaffMember.CommitteeConsentRecorded) -> None:
    _staff(facts, position, e)


@handles(StaffMember.ReplacementDemanded)
def _demand(facts: HallFacts, position: int, e: StaffMember.ReplacementDemanded) -> None:
    core = _staff(facts, position, e)
    core["demands"].append({"id": str(e.demand_id), "t": facts.t, "due": e.due.isoformat(), "pos": position})


@handles(StaffMember.AdmonishmentIssued)
def _admonished(facts: HallFacts, position: int, e: StaffMember.AdmonishmentIssued) -> None:
    core = _staff(facts, position, e)
    core["admonishments"][str(e.admonishment_id)] = {
        "t": facts.t,
        "basis": [str(b) for b in e.basis],
        "rule": e.rule,
        "remedy": e.remedy,
        "remedy_due": e.remedy_due.isoformat(),
        "completed_t": None,
        "rescinded_t": None,
        "pos": [position],
    }


@handles(StaffMember.RemedyCompleted)
def _remedied(facts: HallFacts, position: int, e: StaffMember.RemedyCompleted) -> None:
    core = _staff(facts, position, e)
    found = core["admonishments"].get(str(e.admonishment_id))
    if found is not None:
        found["completed_t"] = facts.t
        found["pos"].append(position)


@handles(StaffMember.AdmonishmentRescinded)
def _admonishment_rescinded(facts: HallFacts, position: int, e: StaffMember.AdmonishmentRescinded) -> None:
    core = _staff(facts, position, e)
    found = core["admonishments"].get(str(e.admonishment_id))
    if found is not None:
        found["rescinded_t"] = facts.t
        found["pos"].append(position)


@handles(StaffMember.SuspensionDecided)
def _suspended(facts: HallFacts, position: int, e: StaffMember.SuspensionDecided) -> None:
    core = _staff(facts, position, e)
    core["sanctions"][str(e.decision_id)] = {
        "kind": "suspension",
        "t": facts.t,
        "basis": [str(b) for b in e.basis],
        "rule": e.rule,
        "start": e.start.isoformat(),
        "until": e.until.isoformat() if e.until else None,
        "reinstated_t": None,
        "rescinded_t": None,
        "pos": [position],
    }
    _status(core, "suspended", position, e)


@handles(StaffMember.RemovalFromPostDecided)
def _removed(facts: HallFacts, position: int, e: StaffMember.RemovalFromPostDecided) -> None:
    core = _staff(facts, position, e)
    core["sanctions"][str(e.decision_id)] = {
        "kind": "removal",
        "t": facts.t,
        "basis": [str(b) for b in e.basis],
        "rule": e.rule,
        "start": e.effective.isoformat(),
        "until": None,
        "reinstated_t": None,
        "rescinded_t": None,
        "pos": [position],
    }
    _close_posting(core, e.effective, position, "removed")
    _status(core, "removed", position, e)
    facts.mark_from(e.effective, position, facts.stream)


@handles(StaffMember.Reinstated)
def _reinstated(facts: HallFacts, position: int, e: StaffMember.Reinstated) -> None:
    core = _staff(facts, position, e)
    found = core["sanctions"].get(str(e.decision_id))
    if found is not None:
        found["reinstated_t"] = facts.t
        found["pos"].append(position)
    _status(core, "on_post", position, e)


@handles(StaffMember.SanctionRescinded)
def _sanction_rescinded(facts: HallFacts, position: int, e: StaffMember.SanctionRescinded) -> None:
    core = _staff(facts, position, e)
    found = core["sanctions"].get(str(e.decision_id))
    if found is None:
        return
    active = found["reinstated_t"] is None and found["rescinded_t"] is None
    found["rescinded_t"] = facts.t
    found["pos"].append(position)
    if active and core["status"] in ("suspended", "removed"):
        # the aggregate's own rule: a rescinded suspension puts them back on post; a
        # rescinded removal leaves them off post (the posting has ended)
        _status(core, "on_post" if found["kind"] == "suspension" else "off_post", position, e)


@handles(StaffMember.ReferredToDisciplineInspection)
def _referred(facts: HallFacts, position: int, e: StaffMember.ReferredToDisciplineInspection) -> None:
    """移送纪检监察 (a serious violation referred; shown by the escalation model)."""
    core = _staff(facts, position, e)
    core.setdefault("referrals", []).append(
        {"id": str(e.referral_id), "violation": str(e.violation_id), "rule": e.rule, "body": e.body, "t": facts.t,
         "pos": [position]}
    )  # fmt: skip


# ── violations ────────────────────────────────────────────────────────────────


@handles(Violation.Recorded, Violation.Detected)
def _violation(facts: HallFacts, position: int, e: Violation.Recorded) -> None:
    fact: Doc = {
        "rule": e.rule,
        "item": e.item,
        "severity": e.severity,
        "t": facts.t,
        "recorded_t": micros(e.timestamp),
        "window_id": text(e.window_id) if e.window_id else None,
        "department_id": text(e.department_id) if e.department_id else None,
        "candidate": isinstance(e, Violation.Detected),
        "source": e.source,
        "status": PENDING,
        "status_t": facts.t,
        "deduction": None,
        "appeal": None,
        "pos": [position],
    }
    violation_id = facts.stream
    facts.mark(hall_month(fact["t"]), position, text(e.staff_id) if e.staff_id else None)
    if e.staff_id is None:
        facts.org["violations"][violation_id] = fact
        _org_dirty(facts)
        return
    staff_id = text(e.staff_id)
    facts.owner[violation_id] = staff_id
    facts.touch(staff_id)["violations"][violation_id] = fact
    if e.item == OVERDUE_ITEM and e.rule.partition("@")[0] in OVERDUE_RULES:
        for entry in facts.org.get("overdue", {}).values():
            if violation_id in entry["ids"]:
                fact["days_late"] = entry["days"]
                break


def _violation_fact(facts: HallFacts, e: Any) -> Doc | None:
    violation_id = facts.stream
    staff_id = facts.owner.get(violation_id)
    if staff_id is None:
        found: Doc | None = facts.org["violations"].get(violation_id)
        if found is not None:
            _org_dirty(facts)
        return found
    core = facts.touch(staff_id)
    return core["violations"].get(violation_id)  # type: ignore[no-any-return]


def _set_status(facts: HallFacts, position: int, e: Any, status: str) -> None:
    fact = _violation_fact(facts, e)
    if fact is not None:
        facts.mark(hall_month(fact["t"]), position, facts.owner.get(facts.stream))
        fact["status"] = status
        fact["status_t"] = facts.t
        fact["pos"].append(position)


@handles(Violation.Confirmed)
def _confirmed(facts: HallFacts, position: int, e: Violation.Confirmed) -> None:
    _set_status(facts, position, e, CONFIRMED)


@handles(Violation.Dismissed)
def _dismissed(facts: HallFacts, position: int, e: Violation.Dismissed) -> None:
    _set_status(facts, position, e, DISMISSED)


@handles(Violation.Revoked)
def _revoked(facts: HallFacts, position: int, e: Violation.Revoked) -> None:
    _set_status(facts, position, e, REVOKED)


@handles(Violation.Amended)
def _amended(facts: HallFacts, position: int, e: Violation.Amended) -> None:
    fact = _violation_fact(facts, e)
    if fact is not None:
        facts.mark(hall_month(fact["t"]), position, facts.owner.get(facts.stream))
        fact["rule"] = e.rule
        fact["item"] = e.item
        fact["severity"] = e.severity
        fact["deduction"] = str(e.deduction) if e.deduction is not None else None
        fact["pos"].append(position)


# ── appeals ───────────────────────────────────────────────────────────────────


@handles(Appeal.Filed)
def _appeal_filed(facts: HallFacts, position: int, e: Appeal.Filed) -> None:
    staff_id = text(e.staff_id)
    appeal_id = facts.stream
    facts.owner[appeal_id] = staff_id
    core = facts.touch(staff_id)
    violation_ids = [str(v) for v in e.violation_ids]
    core["appeals"][appeal_id] = {
        "target_kind": e.target_kind,
        "target_id": str(e.target_id),
        "violations": violation_ids,
        "t": facts.t,
        "decided_t": None,
        "outcome": None,
        "pos": [position],
    }
    if e.target_kind == "violation":
        for violation_id in violation_ids:
            fact = core["violations"].get(violation_id)
            if fact is not None:
                fact["appeal"] = appeal_id
                fact["pos"].append(position)
                facts.mark(hall_month(fact["t"]), position, staff_id)


@handles(Appeal.ReviewerAssigned)
def _appeal_reviewer(facts: HallFacts, position: int, e: Appeal.ReviewerAssigned) -> None:
    staff_id = facts.owner.get(facts.stream)
    if staff_id is not None:
        found = facts.touch(staff_id)["appeals"].get(facts.stream)
        if found is not None:
            found["pos"].append(position)


@handles(Appeal.Decided)
def _appeal_decided(facts: HallFacts, position: int, e: Appeal.Decided) -> None:
    appeal_id = facts.stream
    staff_id = facts.owner.get(appeal_id)
    if staff_id is None:
        return
    core = facts.touch(staff_id)
    found = core["appeals"].get(appeal_id)
    if found is None:
        return
    found["decided_t"] = facts.t
    found["outcome"] = e.outcome
    found["pos"].append(position)
    for violation_id in found["violations"]:
        fact = core["violations"].get(violation_id)
        if fact is not None and fact["appeal"] == appeal_id:
            fact["appeal"] = None
            fact["pos"].append(position)
            facts.mark(hall_month(fact["t"]), position, staff_id)


# ── client evaluation: ratings, complaints, praise, commendations ─────────────

RATING_COUNTING, RATING_CONTESTED, RATING_EXCLUDED = "counting", "contested", "excluded"
_SCORES = tuple(str(n) for n in range(6))


@handles(Rating.Rated)
def _rated(facts: HallFacts, position: int, e: Rating.Rated) -> None:
    staff_id, month = text(e.staff_id), facts.mon
    bad = e.level in BAD_LEVELS
    if bad:
        rating_id = facts.stream
        # a bad rating counts on the ladder (3 within 90 days) while it is not contested
        # or excluded; it is kept one by one so its *current* status decides (S41)
        facts.touch(staff_id)["bad"][rating_id] = {
            "kind": "rating",
            "t": facts.t,
            "status": RATING_COUNTING,
            "pos": [position],
        }
        facts.links[rating_id] = [staff_id, month]
        _links_dirty(facts)
    if not facts.track_months:
        return
    doc = facts.month(staff_id, month, position)
    if bad:
        doc["bad"][facts.stream] = {"score": e.score, "status": RATING_COUNTING, "pos": [position]}
    else:
        key = _SCORES[e.score]
        doc["ratings"][key] = doc["ratings"].get(key, 0) + 1
    if e.level == "very_satisfied":
        doc["vs"].append(position)


def _rating_status(facts: HallFacts, position: int, e: Any, status: str) -> None:
    rating_id = facts.stream
    link = facts.links.get(rating_id)
    if link is None:
        return
    staff_id, month = link
    found = facts.touch(staff_id)["bad"].get(rating_id)
    if found is not None:
        found["status"] = status
        found["pos"].append(position)
    if facts.track_months:
        bad = facts.month(staff_id, month, position)["bad"].get(rating_id)
        if bad is not None:
            bad["status"] = status
            bad["pos"].append(position)


@handles(Rating.Contested)
def _rating_contested(facts: HallFacts, position: int, e: Rating.Contested) -> None:
    _rating_status(facts, position, e, RATING_CONTESTED)


@handles(Rating.Excluded)
def _rating_excluded(facts: HallFacts, position: int, e: Rating.Excluded) -> None:
    _rating_status(facts, position, e, RATING_EXCLUDED)


@handles(Rating.Upheld)
def _rating_upheld(facts: HallFacts, position: int, e: Rating.Upheld) -> None:
    _rating_status(facts, position, e, RATING_COUNTING)


@handles(Complaint.Received)
def _complaint(facts: HallFacts, position: int, e: Complaint.Received) -> None:
    if e.staff_id is None:
        return
    staff_id, t = text(e.staff_id), facts.t
    facts.touch(staff_id)["bad"][facts.stream] = {
        "kind": "complaint",
        "t": t,
        "status": "received",
        "pos": [position],
    }
    facts.links[facts.stream] = [staff_id, hall_month(t)]
    _links_dirty(facts)


def _complaint_status(facts: HallFacts, position: int, e: Any, status: str) -> None:
    link = facts.links.get(facts.stream)
    if link is None:
        return
    found = facts.touch(link[0])["bad"].get(facts.stream)
    if found is not None:
        found["status"] = status
        found["pos"].append(position)


@handles(Complaint.Verified)
def _complaint_verified(facts: HallFacts, position: int, e: Complaint.Verified) -> None:
    _complaint_status(facts, position, e, "verified")


@handles(Complaint.FoundUnfounded)
def _complaint_unfounded(facts: HallFacts, position: int, e: Complaint.FoundUnfounded) -> None:
    _complaint_status(facts, position, e, "unfounded")


#: praise kinds → bonus items of the scoring policy (锦旗 counts more than a letter)
PRAISE_BONUS = {"silk_banner": "banner", "letter": "praise_letter", "online": "praise_letter", "media": "praise_letter"}
#: commendation kinds that earn a bonus; awards such as 服务之星 are results, not inputs
COMMENDATION_BONUS = {"circulated_praise": "commendation"}


def _commended(facts: HallFacts, position: int, e: Any, kind: str, item: str | None) -> None:
    t = facts.t
    for staff in e.staff_ids:
        staff_id = str(staff)
        facts.touch(staff_id)["commendations"].append({"kind": kind, "t": t, "pos": position, "source": facts.stream})
        if item is not None and facts.track_months:
            facts.month(staff_id, hall_month(t), position)["bonus"].append(
                {"item": item, "positions": [position], "source": facts.stream}
            )


@handles(Praise.Received)
def _praise(facts: HallFacts, position: int, e: Praise.Received) -> None:
    _commended(facts, position, e, f"praise:{e.kind}", PRAISE_BONUS.get(e.kind))


@handles(Commendation.Awarded)
def _commendation(facts: HallFacts, position: int, e: Commendation.Awarded) -> None:
    _commended(facts, position, e, f"commendation:{e.kind}", COMMENDATION_BONUS.get(e.kind))


# ── service work: inquiries, cases, disclosure requests ───────────────────────


def _kpi(facts: HallFacts, staff_id: str, month: str, position: int, component: str, met: int, of: int) -> None:
    kpi = facts.month(staff_id, month, position)["kpi"]
    counts = kpi.get(component)
    if counts is None:
        counts = kpi[component] = {"met": 0, "of": 0}
    counts["met"] += met
    counts["of"] += of


@handles(Inquiry.InquiryOpened)
def _inquiry_opened(facts: HallFacts, position: int, e: Inquiry.InquiryOpened) -> None:
    if not facts.track_months:
        return
    staff_id, month = text(e.first_responder_id), facts.mon
    # 首问负责制: the first responder answers for the inquiry until it is closed properly
    _kpi(facts, staff_id, month, position, "first_inquiry", 0, 1)
    facts.links[facts.stream] = [staff_id, month]
    _links_dirty(facts)


@handles(Inquiry.InquiryClosed)
def _inquiry_closed(facts: HallFacts, position: int, e: Inquiry.InquiryClosed) -> None:
    link = facts.links.pop(facts.stream, None)
    if link is None or not facts.track_months:
        return
    _links_dirty(facts)
    _kpi(facts, link[0], link[1], position, "first_inquiry", 1, 0)


_CALENDAR: list[Any] = []


def calendar() -> Any:
    """The national working-day calendar (loaded once; a pure function of its data files)."""
    if not _CALENDAR:
        _CALENDAR.append(national_calendar())
    return _CALENDAR[0]


_EARLY: dict[tuple[date, date], bool] = {}


def finished_early(completed_on: date, deadline: date) -> bool:
    """At least one working day before the committed deadline (第二条(三) bonus)."""
    if completed_on >= deadline:
        return False
    found = _EARLY.get((completed_on, deadline))
    if found is None:
        if len(_EARLY) > 50_000:
            _EARLY.clear()
        found = _EARLY[(completed_on, deadline)] = _finished_early(completed_on, deadline)
    return found


def _finished_early(completed_on: date, deadline: date) -> bool:
    try:
        return bool(calendar().working_days_between(completed_on, deadline) >= 1)
    except OutsideCalendar:  # a year without calendar data: count calendar days
        return (deadline - completed_on).days >= 1


@handles(ServiceCase.ApplicationSubmitted)
def _case_submitted(facts: HallFacts, position: int, e: ServiceCase.ApplicationSubmitted) -> None:
    if facts.track_open:
        facts.open["cases"][facts.stream] = {
            "window_id": text(e.window_id),
            "department_id": text(e.department_id),
            "staff_id": text(e.staff_id),
            "opened_t": facts.t,
            "deadline": None,
            "state": "submitted",
            "pos": [position],
        }
        _open_dirty(facts)


def _case(facts: HallFacts, position: int, e: Any) -> Doc | None:
    if not facts.track_open:
        return None
    found: Doc | None = facts.open["cases"].get(facts.stream)
    if found is not None:
        found["pos"].append(position)
        _open_dirty(facts)
    return found


@handles(ServiceCase.ApplicationAccepted)
def _case_accepted(facts: HallFacts, position: int, e: ServiceCase.ApplicationAccepted) -> None:
    found = _case(facts, position, e)
    if found is not None:
        found["state"] = "accepted"
        found["deadline"] = e.committed_deadline.isoformat() if e.committed_deadline else None


@handles(ServiceCase.ApplicationSuspended)
def _case_suspended(facts: HallFacts, position: int, e: ServiceCase.ApplicationSuspended) -> None:
    found = _case(facts, position, e)
    if found is not None:
        found["state"] = "suspended"


@handles(ServiceCase.ApplicationResumed)
def _case_resumed(facts: HallFacts, position: int, e: ServiceCase.ApplicationResumed) -> None:
    found = _case(facts, position, e)
    if found is not None:
        found["state"] = "accepted"
        found["deadline"] = e.committed_deadline.isoformat()


@handles(ServiceCase.DeadlineExtended)
def _case_extended(facts: HallFacts, position: int, e: ServiceCase.DeadlineExtended) -> None:
    found = _case(facts, position, e)
    if found is not None:
        found["deadline"] = e.committed_deadline.isoformat()


#: ``links[case]`` of a case with a one-time notice: [the first notice's issuer, "breached" once a
#: later notice asked for a material the first did not list, else ""]
NOTICE_BREACHED = "breached"


@handles(ServiceCase.OneTimeNoticeIssued)
def _notice(facts: HallFacts, position: int, e: ServiceCase.OneTimeNoticeIssued) -> None:
    """一次性告知 (ART2.2): every notice that asks for nothing new counts as met for its issuer;
    the first later notice that asks for a material the first notice did not list is *one*
    miss of the first notice's issuer (whose list was incomplete) in the month of that later
    notice — the person and the month of the ART2.2 candidate (projections/detection/notices.py)."""
    _case(facts, position, e)
    if not facts.track_months:
        return
    link = facts.links.get(facts.stream)
    if e.notice_no == 1 or link is None:
        link = facts.links[facts.stream] = [text(e.issued_by), ""]
        _links_dirty(facts)
    if not e.not_in_first_notice:
        _kpi(facts, text(e.issued_by), facts.mon, position, "one_time_notice", 1, 1)
    elif link[1] != NOTICE_BREACHED:
        link[1] = NOTICE_BREACHED
        _links_dirty(facts)
        _kpi(facts, link[0], facts.mon, position, "one_time_notice", 0, 1)


def _case_closed(facts: HallFacts) -> None:
    if facts.links.pop(facts.stream, None) is not None:
        _links_dirty(facts)


@handles(ServiceCase.ApplicationCompleted)
def _case_completed(facts: HallFacts, position: int, e: ServiceCase.ApplicationCompleted) -> None:
    if facts.track_open and facts.open["cases"].pop(facts.stream, None) is not None:
        _open_dirty(facts)
    if not facts.track_months:
        return
    _case_closed(facts)
    if e.committed_deadline is not None and e.completed_on > e.committed_deadline:
        _overdue_ends(facts, position, facts.stream, e.committed_deadline, e.completed_on)
    staff_id, month = text(e.completed_by), facts.mon
    deadline = e.committed_deadline
    on_time = deadline is None or e.completed_on <= deadline
    _kpi(facts, staff_id, month, position, "on_time_completion", int(on_time), 1)
    if deadline is not None and finished_early(e.completed_on, deadline):
        facts.month(staff_id, month, position)["early"].append(position)


@handles(ServiceCase.ApplicationRejected)
def _case_rejected(facts: HallFacts, position: int, e: ServiceCase.ApplicationRejected) -> None:
    if facts.track_open and facts.open["cases"].pop(facts.stream, None) is not None:
        _open_dirty(facts)
    if facts.track_months:
        _case_closed(facts)
        entry = facts.org.get("overdue", {}).get(facts.stream)
        if entry is not None and entry["open"]:
            _overdue_ends(facts, position, facts.stream, date.fromisoformat(entry["deadline"]), hall_day(facts.t))


# ── overdue cases: working days late and the e-supervision cards (ART2.3, ART7.2) ──
#
# ``org["overdue"][case]`` — a case past its committed deadline, as the log tells it:
# ``deadline``, ``window_id`` (the supervision's), ``days`` (working days late on the hall
# calendar: to the completion or rejection; while still open, to the newest hall day closed
# or the newest card's count), ``open``, ``ids`` (the ids of its ART7.2 / ART2.3 ``overdue``
# candidates, domain.supervision.overdue_candidate_id), ``yellow`` / ``red`` (the cards:
# ``{"t", "pos"}``) and ``pos``. A violation linked to it carries ``days_late``; the scoring
# policy turns the days into points (projections/assessment.py), the cards into window items.

#: an open case is counted no further than this many working days late (far beyond any cap)
OVERDUE_COUNT_LIMIT = 100


def _overdue_entry(facts: HallFacts, case_id: str, deadline: date, position: int) -> Doc:
    cases: Doc = facts.org.setdefault("overdue", {})
    entry: Doc | None = cases.get(case_id)
    if entry is None:
        entry = cases[case_id] = {"deadline": None, "window_id": None, "days": 0, "open": True, "ids": [],
                                  "yellow": None, "red": None, "pos": []}  # fmt: skip
    if entry["deadline"] != deadline.isoformat():
        entry["deadline"] = deadline.isoformat()
        entry["ids"] = [str(overdue_candidate_id(rule, case_id, deadline)) for rule in OVERDUE_RULES]
    entry["pos"].append(position)
    _org_dirty(facts)
    return entry


def _overdue_days(facts: HallFacts, position: int, entry: Doc, days: int) -> None:
    """Set a case's working days late and carry them to its overdue violations."""
    entry["days"] = days
    for violation_id in entry["ids"]:
        staff_id = facts.owner.get(violation_id)
        if staff_id is None:
            continue
        fact = facts.touch(staff_id)["violations"].get(violation_id)
        if fact is not None and fact.get("days_late") != days:
            fact["days_late"] = days
            fact["pos"].append(position)
            facts.mark(hall_month(fact["t"]), position, staff_id)


def _overdue_ends(facts: HallFacts, position: int, case_id: str, deadline: date, ended: date) -> None:
    entry = _overdue_entry(facts, case_id, deadline, position)
    entry["open"] = False
    _overdue_days(facts, position, entry, working_days_late(deadline, ended))


def working_days_late(deadline: date, day: date) -> int:
    """Working days in ``(deadline, day]`` on the hall calendar (calendar days in a year
    without calendar data)."""
    try:
        return int(calendar().working_days_between(deadline, day))
    except OutsideCalendar:
        return max(0, (day - deadline).days)


@handles(CaseSupervision.Started)
def _supervision_started(facts: HallFacts, position: int, e: CaseSupervision.Started) -> None:
    if facts.track_months:
        cases: Doc = facts.org.setdefault("overdue", {})
        entry = cases.get(text(e.case_id))
        if entry is not None:
            entry["window_id"] = text(e.window_id)
        else:
            cases[text(e.case_id)] = {"deadline": None, "window_id": text(e.window_id), "days": 0, "open": True,
                                      "ids": [], "yellow": None, "red": None, "pos": [position]}  # fmt: skip
        _org_dirty(facts)


@handles(CaseSupervision.YellowCard, CaseSupervision.RedCard)
def _card(facts: HallFacts, position: int, e: Any) -> None:
    case_id = text(e.case_id)
    if facts.track_open and isinstance(e, CaseSupervision.YellowCard):
        found = facts.open["cases"].get(case_id)
        if found is not None:
            found["yellow_card_day"] = e.day.isoformat()
            found["pos"].append(position)
            _open_dirty(facts)
    if not facts.track_months:
        return
    entry = _overdue_entry(facts, case_id, e.deadline, position)
    entry["yellow" if isinstance(e, CaseSupervision.YellowCard) else "red"] = {"t": facts.t, "pos": position}
    facts.mark(hall_month(facts.t), position, None)
    if entry["open"] and e.working_days_overdue > entry["days"]:
        _overdue_days(facts, position, entry, e.working_days_overdue)


@handles(HallDay.Closed)
def _hall_day_closed(facts: HallFacts, position: int, e: HallDay.Closed) -> None:
    """日终: a case still open past its deadline is one more working day late."""
    if not facts.track_months:
        return
    for entry in facts.org.get("overdue", {}).values():
        if not entry["open"] or entry["deadline"] is None or entry["days"] >= OVERDUE_COUNT_LIMIT:
            continue
        days = min(OVERDUE_COUNT_LIMIT, working_days_late(date.fromisoformat(entry["deadline"]), e.day))
        if days > entry["days"]:
            entry["pos"].append(position)
            _org_dirty(facts)
            _overdue_days(facts, position, entry, days)


@handles(DisclosureRequest.DisclosureRequested)
def _disclosure(facts: HallFacts, position: int, e: DisclosureRequest.DisclosureRequested) -> None:
    if facts.track_open:
        facts.open["disclosures"][facts.stream] = {
            "window_id": text(e.window_id) if e.window_id else None,
            "department_id": text(e.department_id),
            "staff_id": text(e.received_by) if e.received_by else None,
            "opened_t": facts.t,
            "deadline": e.deadline.isoformat(),
            "state": "open",
            "pos": [position],
        }
        _open_dirty(facts)


def _disclosure_update(facts: HallFacts, position: int, e: Any, state: str | None, deadline: date | None) -> None:
    if not facts.track_open:
        return
    found = facts.open["disclosures"].get(facts.stream)
    if found is None:
        return
    found["pos"].append(position)
    if state is not None:
        found["state"] = state
    if deadline is not None:
        found["deadline"] = deadline.isoformat()
    _open_dirty(facts)


@handles(DisclosureRequest.DisclosureCorrectionRequested)
def _disclosure_correction(facts: HallFacts, position: int, e: Any) -> None:
    _disclosure_update(facts, position, e, "awaiting_correction", None)


@handles(DisclosureRequest.DisclosureCorrectionReceived)
def _disclosure_corrected(facts: HallFacts, position: int, e: Any) -> None:
    _disclosure_update(facts, position, e, "open", e.deadline)


@handles(DisclosureRequest.DisclosureExtended)
def _disclosure_extended(facts: HallFacts, position: int, e: Any) -> None:
    _disclosure_update(facts, position, e, None, e.deadline)


@handles(DisclosureRequest.DisclosureAnswered, DisclosureRequest.DisclosureRequestAbandoned)
def _disclosure_closed(facts: HallFacts, position: int, e: Any) -> None:
    if facts.track_open and facts.open["disclosures"].pop(facts.stream, None) is not None:
        _open_dirty(facts)


# ── duty shifts and leave (a shift without cover) ─────────────────────────────


@handles(DutyShift.Assigned)
def _shift(facts: HallFacts, position: int, e: DutyShift.Assigned) -> None:
    if facts.track_open:
        facts.open["shifts"][facts.stream] = {
            "day": e.day.isoformat(),
            "slot": e.slot,
            "role": e.duty_role,
            "starts": micros(e.starts),
            "ends": micros(e.ends),
            "coverage": [{"start": micros(e.starts), "end": micros(e.ends), "staff_id": text(e.staff_id)}],
            "pos": [position],
        }
        _open_dirty(facts)


@handles(DutyShift.SubstituteArranged)
def _substituted(facts: HallFacts, position: int, e: DutyShift.SubstituteArranged) -> None:
    found = facts.open["shifts"].get(facts.stream) if facts.track_open else None
    if found is None:
        return
    found["coverage"] = substitute(
        found["coverage"], str(e.released_staff_id), str(e.substitute_id), micros(e.covers_from), micros(e.covers_until)
    )  # the roster's own rule (domain.duty)
    found["pos"].append(position)
    _open_dirty(facts)


@handles(LeaveRequest.Requested)
def _leave_requested(facts: HallFacts, position: int, e: LeaveRequest.Requested) -> None:
    if facts.track_open:
        facts.open["leave"][facts.stream] = {
            "staff_id": text(e.staff_id),
            "starts": micros(e.starts),
            "ends": micros(e.ends),
            "approved": False,
            "pos": [position],
        }
        _open_dirty(facts)


def _leave(facts: HallFacts, position: int, e: Any, approved: bool | None) -> None:
    if not facts.track_open:
        return
    leave_id = facts.stream
    found = facts.open["leave"].get(leave_id)
    if found is None:
        return
    if approved is None:
        del facts.open["leave"][leave_id]
    else:
        found["approved"] = approved
        found["pos"].append(position)
    _open_dirty(facts)


@handles(LeaveRequest.Approved)
def _leave_approved(facts: HallFacts, position: int, e: LeaveRequest.Approved) -> None:
    _leave(facts, position, e, True)


@handles(LeaveRequest.Refused, LeaveRequest.ReportedBack)
def _leave_over(facts: HallFacts, position: int, e: Any) -> None:
    _leave(facts, position, e, None)


# ── groups of events a model may follow ──────────────────────────────────────

ORGANISATION: tuple[type, ...] = (
    Hall.Established, Department.Registered, Department.LeaderInChargeDesignated, Window.Opened, Window.Closed,
)  # fmt: skip
#: the ladder's inputs: people, their violations, decisions, appeals, ratings and complaints
PEOPLE: tuple[type, ...] = tuple(
    cls
    for cls in HANDLERS
    if cls.__qualname__.partition(".")[0] in ("StaffMember", "Violation", "Appeal", "Rating", "Complaint")
)
CASES: tuple[type, ...] = (
    ServiceCase.ApplicationSubmitted, ServiceCase.ApplicationAccepted, ServiceCase.ApplicationSuspended,
    ServiceCase.ApplicationResumed, ServiceCase.DeadlineExtended, ServiceCase.ApplicationCompleted,
    ServiceCase.ApplicationRejected,
)  # fmt: skip
PRAISE: tuple[type, ...] = (Praise.Received, Commendation.Awarded)
#: what makes an overdue case's working days late and its cards (ART2.3, ART7.2)
OVERDUE: tuple[type, ...] = (
    ServiceCase.ApplicationCompleted, ServiceCase.ApplicationRejected, CaseSupervision.Started,
    CaseSupervision.YellowCard, CaseSupervision.RedCard, HallDay.Closed,
)  # fmt: skip
OPEN_ITEMS: tuple[type, ...] = CASES + tuple(
    cls for cls in HANDLERS if cls.__qualname__.partition(".")[0] in ("DisclosureRequest", "DutyShift", "LeaveRequest")
)


# ── derived views of the facts shared by several models ───────────────────────


def posting_on(core: Doc, day: date) -> Doc | None:
    """The posting a person held on a hall day (the latest one starting by then)."""
    text = day.isoformat()
    found = None
    for posting in core["postings"]:
        if posting["start"] <= text and (posting["end"] is None or posting["end"] >= text):
            found = posting
    return found


def posting_in_month(core: Doc, month: str) -> Doc | None:
    """The posting that places a person in a month's ranking: the one held at the month's
    end, else the last one held during the month."""
    start, end = month_bounds(month)
    first_day, last_day = hall_day(start).isoformat(), hall_day(end - 1).isoformat()
    found = None
    for posting in core["postings"]:
        if posting["start"] <= last_day and (posting["end"] is None or posting["end"] >= first_day):
            found = posting
    return found


def uuid_or_none(text: str | None) -> UUID | None:
    return UUID(text) if text else None


# ── a read model that keeps the facts ─────────────────────────────────────────


class FactsModel(ReadModel):
    """Base of the person-centred read models.

    The model folds the events it follows into :class:`HallFacts` (kept in memory between
    batches and persisted, part by part, in its own ``<name>_facts`` table in the same
    transaction as its rows, so a restarted or rebuilt model resumes exactly), then asks
    :meth:`write` to re-derive the rows of the people whose facts changed or whose derived
    state changes with time (``wake``: the earliest valid time at which a person's rows
    would change without a new event, reported by the derivation).

    ``as_of`` of the derived rows is the newest record time the model has folded (the log's
    own clock — a projection reads no wall clock); ``<name>_as_of`` holds it with the last
    position folded.
    """

    #: what the model's facts carry besides people's core facts (see :class:`HallFacts`)
    keeps_months: ClassVar[bool] = True
    keeps_open: ClassVar[bool] = False
    #: keep month documents this many months back from the clock's month (None: all)
    retain_months: ClassVar[int | None] = None
    #: the event classes the model folds (None: every class the fold handles)
    follows: ClassVar[tuple[type, ...] | None] = None

    @staticmethod
    def facts_table(name: str) -> Table:
        return Table(name, "key {text} NOT NULL, part {text} NOT NULL, doc {json} NOT NULL, PRIMARY KEY (key, part)")

    @staticmethod
    def as_of_table(name: str) -> Table:
        return Table(name, "id {int} PRIMARY KEY, as_of {text}, position {int} NOT NULL")

    def __init__(self) -> None:
        self._facts: HallFacts | None = None
        self.wake: dict[str, int | None] = {}
        self.topics = (topics() if self.follows is None else self.follows) + self.extra_topics()
        self._types = frozenset(self.topics)

    def wants(self, event: Any) -> bool:
        return type(event) in self._types  # exact classes: cheaper than isinstance over many

    def relevant(self, events: Sequence[tuple[int, Any]]) -> list[tuple[int, Any]]:
        types = self._types
        return [pe for pe in events if type(pe[1]) in types]

    def extra_topics(self) -> tuple[type, ...]:
        return ()

    def reset(self) -> None:
        self._facts = None
        self.wake = {}
        self.bulk = False

    def new_facts(self) -> HallFacts:
        return HallFacts(months=self.keeps_months, open_items=self.keeps_open)

    def load(self, tx: Tx) -> HallFacts:
        facts = self.new_facts()
        rows = tx.query(f"SELECT key, part, doc FROM {{t:{self.name}_facts}}")
        facts.load(rows)
        if not rows:  # a new model: its hall-wide documents are written with its first batch
            facts.dirty.update(facts.standard_parts())
        self._facts = facts
        self.restore(tx, facts)
        return facts

    def restore(self, tx: Tx, facts: HallFacts) -> None:
        """Read back what the model keeps besides the facts (``wake``) after a reset."""

    def observe(self, facts: HallFacts, position: int, event: Any) -> None:
        """Events the model follows beyond the shared fold (its ``extra_topics``)."""

    #: set by a rebuild (:meth:`begin_bulk`): fold only, derive and write once in :meth:`flush`
    bulk: bool = False

    def begin_bulk(self) -> None:
        """A rebuild replays the log into shadow tables nobody reads until it is switched in
        (and a failed rebuild starts over from 0), so the model folds every batch and writes
        its rows and facts once, at the end (:meth:`flush`) — same functions, same result."""
        self.bulk = True

    def flush(self, tx: Tx) -> None:
        """End a bulk replay: derive everyone and write everything, with the facts."""
        if not self.bulk:
            return
        self.bulk = False
        facts = self._facts if self._facts is not None else self.load(tx)
        facts.quiet = False
        facts.dirty.clear()
        facts.touched.clear()
        self.write(tx, facts, set(facts.persons), full=True)
        self._persist(tx, facts, facts.parts())

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        facts = self._facts if self._facts is not None else self.load(tx)
        facts.quiet = self.bulk
        for position, event in events:
            evolve(facts, position, event)
            self.observe(facts, position, event)
        if self.bulk:
            return
        if not events:
            return
        changed = {key for key, _ in facts.dirty if not key.startswith("~")}
        woken = {staff for staff, t in self.wake.items() if t is not None and t <= facts.clock}
        self.write(tx, facts, changed | woken, full=False)
        self._persist(tx, facts, sorted(facts.dirty))

    def _persist(self, tx: Tx, facts: HallFacts, parts: list[tuple[str, str]]) -> None:
        tx.executemany(
            f"INSERT INTO {{t:{self.name}_facts}} (key, part, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (key, part) DO UPDATE SET doc = excluded.doc",
            facts.documents([*parts, (HallFacts.META, "meta")]),
        )
        facts.dirty.clear()
        facts.touched.clear()
        if self.retain_months is not None and facts.clock:
            self._forget_months(tx, facts, self.retain_months)
        tx.execute(f"DELETE FROM {{t:{self.name}_as_of}}")
        tx.execute(
            f"INSERT INTO {{t:{self.name}_as_of}} (id, as_of, position) VALUES (1, ?, ?)",
            (iso(facts.clock or None), facts.last_position),
        )

    def write(self, tx: Tx, facts: HallFacts, persons: set[str], *, full: bool) -> None:
        """Re-derive and write the rows of ``persons`` (``full``: everything, after a bulk replay)."""
        raise NotImplementedError

    def _forget_months(self, tx: Tx, facts: HallFacts, keep: int) -> None:
        """Drop month documents older than ``keep`` months before the clock's month."""
        oldest = hall_month(facts.clock)
        for _ in range(keep):
            oldest = previous_month(oldest)
        stale = [
            (staff_id, month)
            for staff_id, person in facts.persons.items()
            for month in person["months"]
            if month < oldest
        ]
        for staff_id, month in stale:
            del facts.persons[staff_id]["months"][month]
        tx.executemany(f"DELETE FROM {{t:{self.name}_facts}} WHERE key = ? AND part = ?", stale)


def micros_of(text: str | None) -> int | None:
    """The inverse of :func:`iso`."""
    if text is None:
        return None
    return micros(datetime.fromisoformat(text.replace("Z", "+00:00")))
