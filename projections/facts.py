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
from domain.envelope import CHINA_STANDARD_TIME
from domain.organisation import Department, Hall, Window
from domain.staff import StaffMember
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


_MONTHS: dict[int, str] = {}


def hall_day(t: int) -> date:
    """The hall's calendar date (China Standard Time) of a moment."""
    return from_micros(t).astimezone(CHINA_STANDARD_TIME).date()


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
        "positions": [],
    }


def new_month() -> Doc:
    return {"bonus": [], "kpi": {}}


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

    def __init__(self) -> None:
        self.persons: dict[str, Doc] = {}
        self.org: Doc = {"hall": None, "departments": {}, "windows": {}, "violations": {}}
        #: documents a model keeps beside the shared facts (published periods …), by name
        self.extra: dict[str, Any] = {}
        self.owner: dict[str, str] = {}
        self.dirty: set[tuple[str, str]] = set()
        #: assessment months whose inputs changed, with the positions that changed them
        self.touched: dict[str, set[int]] = {}
        self.clock = 0
        self.first = 0
        self.last_position = 0

    # ── access ───────────────────────────────────────────────────────────────

    def person(self, staff_id: str) -> Doc:
        found = self.persons.get(staff_id)
        if found is None:
            found = self.persons[staff_id] = {"core": new_core(staff_id), "months": {}}
        return found

    def core(self, staff_id: str) -> Doc:
        return self.person(staff_id)["core"]

    def month(self, staff_id: str, month: str) -> Doc:
        months = self.person(staff_id)["months"]
        found = months.get(month)
        if found is None:
            found = months[month] = new_month()
        self.dirty.add((staff_id, month))
        return found

    def touch(self, staff_id: str) -> Doc:
        self.dirty.add((staff_id, "core"))
        return self.core(staff_id)

    def mark(self, month: str, position: int) -> None:
        """Note that an event changed the inputs of an assessment month."""
        found = self.touched.get(month)
        if found is None:
            found = self.touched[month] = set()
        found.add(position)

    def mark_from(self, day: date, position: int) -> None:
        """A posting change: every month from ``day`` to the clock's month may change."""
        first = hall_month(max(day_start(day), self.first or day_start(day)))
        last = hall_month(self.clock) if self.clock else first
        for month in months_between(first, max(first, last)):
            self.mark(month, position)

    # ── persistence (documents per key and part) ─────────────────────────────

    def documents(self, keys: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
        """``(key, part, json)`` rows of the given parts (for a model's facts table)."""
        rows = []
        for key, part in keys:
            if key == self.ORG:
                doc: Any = self.org
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
                self.org = doc
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
    handler = HANDLERS.get(type(event))
    recorded = micros(event.timestamp)
    if recorded > facts.clock:
        facts.clock = recorded
    if not facts.first or recorded < facts.first:
        facts.first = recorded
    facts.last_position = position
    if handler is not None:
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
    facts.dirty.add((HallFacts.ORG, "org"))


@handles(Hall.Established)
def _hall(facts: HallFacts, position: int, e: Hall.Established) -> None:
    facts.org["hall"] = {"id": str(e.originator_id), "code": e.code, "name_zh": e.name_zh, "name_en": e.name_en}
    _org_dirty(facts)


@handles(Department.Registered)
def _department(facts: HallFacts, position: int, e: Department.Registered) -> None:
    facts.org["departments"][str(e.originator_id)] = {
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
    found = facts.org["departments"].get(str(e.originator_id))
    if found is not None:
        found["leader"] = e.leader_name
        _org_dirty(facts)


@handles(Window.Opened)
def _window(facts: HallFacts, position: int, e: Window.Opened) -> None:
    facts.org["windows"][str(e.originator_id)] = {
        "code": e.code,
        "name_zh": e.name_zh,
        "name_en": e.name_en,
        "department_id": str(e.department_id),
        "kind": e.kind,
        "closed": False,
        "pos": position,
    }
    _org_dirty(facts)


@handles(Window.Closed)
def _window_closed(facts: HallFacts, position: int, e: Window.Closed) -> None:
    found = facts.org["windows"].get(str(e.originator_id))
    if found is not None:
        found["closed"] = True
        _org_dirty(facts)


# ── staff: profile, postings, decisions ───────────────────────────────────────


def _status(core: Doc, status: str, position: int, e: Any) -> None:
    core["status"] = status
    core["status_t"] = micros(e.occurred_at)
    core["status_pos"] = position


def _staff(facts: HallFacts, position: int, e: Any) -> Doc:
    core = facts.touch(str(e.originator_id))
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
        "department_id": str(e.department_id),
        "employment": e.employment,
        "onboarded_t": micros(e.occurred_at),
        "pos": position,
    }
    _status(core, "onboarded", position, e)


@handles(StaffMember.Posted)
def _posted(facts: HallFacts, position: int, e: StaffMember.Posted) -> None:
    core = _staff(facts, position, e)
    core["postings"].append(
        {
            "window_id": str(e.window_id),
            "start": e.start.isoformat(),
            "end": None,
            "temporary": e.temporary,
            "pos": position,
            "end_pos": None,
            "end_reason": None,
        }
    )
    _status(core, "on_post", position, e)
    facts.mark_from(e.start, position)


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
    facts.mark_from(e.start, position)


@handles(StaffMember.PostingEnded)
def _posting_ended(facts: HallFacts, position: int, e: StaffMember.PostingEnded) -> None:
    core = _staff(facts, position, e)
    _close_posting(core, e.end, position, e.reason)
    _status(core, "off_post", position, e)
    facts.mark_from(e.end, position)


@handles(StaffMember.RecalledByDepartment)
def _recalled(facts: HallFacts, position: int, e: StaffMember.RecalledByDepartment) -> None:
    core = _staff(facts, position, e)
    _close_posting(core, e.end, position, "recalled")
    _status(core, "off_post", position, e)
    facts.mark_from(e.end, position)


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
    core["demands"].append(
        {"id": str(e.demand_id), "t": micros(e.occurred_at), "due": e.due.isoformat(), "pos": position}
    )


@handles(StaffMember.AdmonishmentIssued)
def _admonished(facts: HallFacts, position: int, e: StaffMember.AdmonishmentIssued) -> None:
    core = _staff(facts, position, e)
    core["admonishments"][str(e.admonishment_id)] = {
        "t": micros(e.occurred_at),
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
        found["completed_t"] = micros(e.occurred_at)
        found["pos"].append(position)


@handles(StaffMember.AdmonishmentRescinded)
def _admonishment_rescinded(facts: HallFacts, position: int, e: StaffMember.AdmonishmentRescinded) -> None:
    core = _staff(facts, position, e)
    found = core["admonishments"].get(str(e.admonishment_id))
    if found is not None:
        found["rescinded_t"] = micros(e.occurred_at)
        found["pos"].append(position)


@handles(StaffMember.SuspensionDecided)
def _suspended(facts: HallFacts, position: int, e: StaffMember.SuspensionDecided) -> None:
    core = _staff(facts, position, e)
    core["sanctions"][str(e.decision_id)] = {
        "kind": "suspension",
        "t": micros(e.occurred_at),
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
        "t": micros(e.occurred_at),
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
    facts.mark_from(e.effective, position)


@handles(StaffMember.Reinstated)
def _reinstated(facts: HallFacts, position: int, e: StaffMember.Reinstated) -> None:
    core = _staff(facts, position, e)
    found = core["sanctions"].get(str(e.decision_id))
    if found is not None:
        found["reinstated_t"] = micros(e.occurred_at)
        found["pos"].append(position)
    _status(core, "on_post", position, e)


@handles(StaffMember.SanctionRescinded)
def _sanction_rescinded(facts: HallFacts, position: int, e: StaffMember.SanctionRescinded) -> None:
    core = _staff(facts, position, e)
    found = core["sanctions"].get(str(e.decision_id))
    if found is None:
        return
    active = found["reinstated_t"] is None and found["rescinded_t"] is None
    found["rescinded_t"] = micros(e.occurred_at)
    found["pos"].append(position)
    if active and core["status"] in ("suspended", "removed"):
        # the aggregate's own rule: a rescinded suspension puts them back on post; a
        # rescinded removal leaves them off post (the posting has ended)
        _status(core, "on_post" if found["kind"] == "suspension" else "off_post", position, e)


# ── violations ────────────────────────────────────────────────────────────────


@handles(Violation.Recorded, Violation.Detected)
def _violation(facts: HallFacts, position: int, e: Violation.Recorded) -> None:
    fact = {
        "rule": e.rule,
        "item": e.item,
        "severity": e.severity,
        "t": micros(e.occurred_at),
        "recorded_t": micros(e.timestamp),
        "window_id": str(e.window_id) if e.window_id else None,
        "department_id": str(e.department_id) if e.department_id else None,
        "candidate": isinstance(e, Violation.Detected),
        "source": e.source,
        "status": PENDING,
        "status_t": micros(e.occurred_at),
        "deduction": None,
        "appeal": None,
        "pos": [position],
    }
    violation_id = str(e.originator_id)
    facts.mark(hall_month(fact["t"]), position)
    if e.staff_id is None:
        facts.org["violations"][violation_id] = fact
        _org_dirty(facts)
        return
    staff_id = str(e.staff_id)
    facts.owner[violation_id] = staff_id
    facts.touch(staff_id)["violations"][violation_id] = fact


def _violation_fact(facts: HallFacts, e: Any) -> Doc | None:
    violation_id = str(e.originator_id)
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
        facts.mark(hall_month(fact["t"]), position)
        fact["status"] = status
        fact["status_t"] = micros(e.occurred_at)
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
        facts.mark(hall_month(fact["t"]), position)
        fact["rule"] = e.rule
        fact["item"] = e.item
        fact["severity"] = e.severity
        fact["deduction"] = str(e.deduction) if e.deduction is not None else None
        fact["pos"].append(position)


# ── appeals ───────────────────────────────────────────────────────────────────


@handles(Appeal.Filed)
def _appeal_filed(facts: HallFacts, position: int, e: Appeal.Filed) -> None:
    staff_id = str(e.staff_id)
    appeal_id = str(e.originator_id)
    facts.owner[appeal_id] = staff_id
    core = facts.touch(staff_id)
    violation_ids = [str(v) for v in e.violation_ids]
    core["appeals"][appeal_id] = {
        "target_kind": e.target_kind,
        "target_id": str(e.target_id),
        "violations": violation_ids,
        "t": micros(e.occurred_at),
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
                facts.mark(hall_month(fact["t"]), position)


@handles(Appeal.ReviewerAssigned)
def _appeal_reviewer(facts: HallFacts, position: int, e: Appeal.ReviewerAssigned) -> None:
    staff_id = facts.owner.get(str(e.originator_id))
    if staff_id is not None:
        found = facts.touch(staff_id)["appeals"].get(str(e.originator_id))
        if found is not None:
            found["pos"].append(position)


@handles(Appeal.Decided)
def _appeal_decided(facts: HallFacts, position: int, e: Appeal.Decided) -> None:
    appeal_id = str(e.originator_id)
    staff_id = facts.owner.get(appeal_id)
    if staff_id is None:
        return
    core = facts.touch(staff_id)
    found = core["appeals"].get(appeal_id)
    if found is None:
        return
    found["decided_t"] = micros(e.occurred_at)
    found["outcome"] = e.outcome
    found["pos"].append(position)
    for violation_id in found["violations"]:
        fact = core["violations"].get(violation_id)
        if fact is not None and fact["appeal"] == appeal_id:
            fact["appeal"] = None
            fact["pos"].append(position)
            facts.mark(hall_month(fact["t"]), position)


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

    facts_name: ClassVar[str] = ""

    @staticmethod
    def facts_table(name: str) -> Table:
        return Table(name, "key {text} NOT NULL, part {text} NOT NULL, doc {json} NOT NULL, PRIMARY KEY (key, part)")

    @staticmethod
    def as_of_table(name: str) -> Table:
        return Table(name, "id {int} PRIMARY KEY, as_of {text}, position {int} NOT NULL")

    def __init__(self) -> None:
        self._facts: HallFacts | None = None
        self.wake: dict[str, int | None] = {}
        self.topics = topics() + self.extra_topics()

    def extra_topics(self) -> tuple[type, ...]:
        return ()

    def reset(self) -> None:
        self._facts = None
        self.wake = {}

    def load(self, tx: Tx) -> HallFacts:
        facts = HallFacts()
        facts.load(tx.query(f"SELECT key, part, doc FROM {{t:{self.name}_facts}}"))
        self._facts = facts
        self.restore(tx, facts)
        return facts

    def restore(self, tx: Tx, facts: HallFacts) -> None:
        """Read back what the model keeps besides the facts (``wake``) after a reset."""

    def observe(self, facts: HallFacts, position: int, event: Any) -> None:
        """Events the model follows beyond the shared fold (its ``extra_topics``)."""

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        facts = self._facts if self._facts is not None else self.load(tx)
        for position, event in events:
            evolve(facts, position, event)
            self.observe(facts, position, event)
        if not events:
            return
        changed = {key for key, _ in facts.dirty if not key.startswith("~")}
        woken = {staff for staff, t in self.wake.items() if t is not None and t <= facts.clock}
        self.write(tx, facts, changed | woken)
        facts.dirty.add((HallFacts.META, "meta"))
        tx.executemany(
            f"INSERT INTO {{t:{self.name}_facts}} (key, part, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (key, part) DO UPDATE SET doc = excluded.doc",
            facts.documents(sorted(facts.dirty)),
        )
        facts.dirty.clear()
        tx.execute(f"DELETE FROM {{t:{self.name}_as_of}}")
        tx.execute(
            f"INSERT INTO {{t:{self.name}_as_of}} (id, as_of, position) VALUES (1, ?, ?)",
            (iso(facts.clock or None), facts.last_position),
        )

    def write(self, tx: Tx, facts: HallFacts, persons: set[str]) -> None:
        raise NotImplementedError


def micros_of(text: str | None) -> int | None:
    """The inverse of :func:`iso`."""
    if text is None:
        return None
    return micros(datetime.fromisoformat(text.replace("Z", "+00:00")))
