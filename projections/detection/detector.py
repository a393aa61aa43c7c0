"""Automatic detection (自动发现违规线索): a follower of the log that records candidate violations.

The detector is a read model (``projections.base``) that *decides*: it folds the log into
its own state tables — open inquiries, open cases with their deadlines, open disclosure
requests, attendance per person-day, leave, postings, devices' last virus check, duty
shifts — and, when a fact reveals a breach, appends a ``Violation.Detected`` candidate (or
an e-supervision signal, ``CaseSupervision``) to the ledger with ``tx.emit`` in the same
transaction as its rows and its tracking position. A person then confirms or dismisses
each candidate with the ordinary commands.

Time comes from the log, never from a clock, so detection is a pure function of the log:

- ``now`` is the newest valid time (``occurred_at``) of any event folded so far; each event's
  valid time judges the inquiries whose handling time ran out by then (ART2.1) — also when a
  history is back-filled behind a later record;
- ``HallDay.Closed`` (日终) judges everything measured in days: deadlines passed (ART2.3,
  ART7.2, ART2.4.2), the day's attendance (ART6.5), devices' virus-check intervals (ART9.1),
  duty shifts that have ended (ART9.4);
- facts that are breaches in themselves are judged when recorded: a later one-time notice
  asking for new materials (ART2.2), a late completion or answer, a department's early recall
  (ART8.1).

Every candidate's id is derived from its rule, item and cause (``candidate.py``), and its
state flags say what was already found, so detection never fires twice for the same cause.
Replaying the detector from position 0 into fresh tables (``runner.rebuild``) takes the same
decisions at the same points; ``Tx.emit`` then skips every event already in the log.
``docs/detection.md`` lists each detection, its rule, threshold, moment and cause.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, ClassVar
from uuid import UUID

from domain.assets import DEVICE_CATEGORIES, Asset
from domain.attendance import APPROVED, REFUSED, REPORTED_BACK, REQUESTED, AttendanceDay, LeaveRequest
from domain.calendar import WorkingDayCalendar, national_calendar, provisional_note
from domain.disclosure import DisclosureRequest
from domain.duty import DutyShift, substitute
from domain.hall_day import HallDay
from domain.inquiry import Inquiry
from domain.policies.detection import DetectionPolicy, detection_policy_in_force
from domain.policies.security import SecurityPolicy, security_policy_in_force
from domain.rules import RuleCatalogue, catalogue_in_force
from domain.service_case import ServiceCase
from domain.staff import StaffMember
from domain.supervision import CaseSupervision, supervision_id
from projections.base import ReadModel, Table, Tx
from projections.bulk import insert_rows
from projections.detection import attendance, deadlines, devices, disclosure, duty, inquiries, notices, postings
from projections.detection.candidate import Candidate, detector_context, rule_ref, utc_text, violation_events
from projections.detection.deadlines import Signal
from projections.detection.working_time import Session, WorkingTime, hall_day

Doc = dict[str, Any]

#: attendance days, leave and closed days older than this are dropped from the state: a
#: fact about a day recorded later than this is not judged any more
RETENTION_DAYS = 62

STATE_TABLES = (
    "detection_days",
    "detection_inquiries",
    "detection_cases",
    "detection_disclosures",
    "detection_attendance",
    "detection_leaves",
    "detection_staff",
    "detection_devices",
    "detection_shifts",
)

CANDIDATE_COLUMNS = (
    "id", "rule", "item", "staff_id", "department_id", "window_id", "occurred_at", "detector", "policy", "cause",
    "causation", "evidence",
)  # fmt: skip
SIGNAL_COLUMNS = ("case_id", "version", "kind", "day", "deadline", "staff_id", "window_id", "causation", "policy")


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def _json(doc: Doc) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    """An aware moment as microseconds since the epoch: the same order, compared without time zones."""
    return (moment - _EPOCH) // _MICROSECOND


class DocTable:
    """One state table (``key → JSON doc``), held in memory between batches.

    A doc may be put *lazily* (:meth:`put_lazy`: a function and its arguments): it is built
    the first time it is read or saved. Most inquiries and cases are finished within the
    hour, so a replay never builds their docs at all. During a bulk replay (``tracking``
    off) nothing keeps account of what changed: every doc is written once at the end.
    """

    def __init__(self, name: str, tracking: bool = True) -> None:
        self.name = name
        self.tracking = tracking
        self.docs: dict[str, Doc] = {}
        self.lazy: dict[str, tuple[Callable[..., Doc], tuple[Any, ...]]] = {}
        self.dirty: set[str] = set()
        self.gone: set[str] = set()

    def load(self, tx: Tx) -> None:
        self.docs = {key: json.loads(doc) for key, doc in tx.query(f"SELECT key, doc FROM {{t:{self.name}}}")}
        self.lazy = {}

    def get(self, key: str) -> Doc | None:
        doc = self.docs.get(key)
        if doc is None and self.lazy:
            made = self.lazy.pop(key, None)
            if made is not None:
                doc = self.docs[key] = made[0](*made[1])
        return doc

    def put(self, key: str, doc: Doc) -> Doc:
        self.lazy.pop(key, None)
        self.docs[key] = doc
        if self.tracking:
            self.dirty.add(key)
            self.gone.discard(key)
        return doc

    def put_lazy(self, key: str, build: Callable[..., Doc], *args: Any) -> None:
        """``put(key, build(*args))``, built when first needed (``build`` must only read its arguments)."""
        self.docs.pop(key, None)
        self.lazy[key] = (build, args)
        if self.tracking:
            self.dirty.add(key)
            self.gone.discard(key)

    def touch(self, key: str) -> Doc | None:
        doc = self.get(key)
        if doc is not None and self.tracking:
            self.dirty.add(key)
        return doc

    def drop(self, key: str) -> None:
        had = self.docs.pop(key, None) is not None or self.lazy.pop(key, None) is not None
        if self.tracking:
            if had:
                self.gone.add(key)
            self.dirty.discard(key)

    def built(self) -> dict[str, Doc]:
        """Every doc, the lazy ones built."""
        if self.lazy:
            for key, (build, args) in self.lazy.items():
                self.docs[key] = build(*args)
            self.lazy = {}
        return self.docs

    def in_order(self) -> list[str]:
        """The keys, sorted: the order decisions are taken in does not depend on how the state was loaded."""
        return sorted(self.built())

    def rows(self) -> Iterator[tuple[str, str]]:
        for key, doc in self.built().items():
            yield key, _json(doc)

    def save(self, tx: Tx) -> None:
        tx.executemany(f"DELETE FROM {{t:{self.name}}} WHERE key = ?", [(k,) for k in sorted(self.gone)])
        docs = self.built()
        tx.executemany(
            f"INSERT INTO {{t:{self.name}}} (key, doc) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET doc = excluded.doc",
            [(k, _json(docs[k])) for k in sorted(self.dirty)],
        )
        self.dirty.clear()
        self.gone.clear()


class State:
    """Everything the detector knows, reloadable from its tables."""

    def __init__(self, tracking: bool = True) -> None:
        self.tables = {name: DocTable(name, tracking) for name in STATE_TABLES}
        self.days = self.tables["detection_days"]
        self.inquiries = self.tables["detection_inquiries"]
        self.cases = self.tables["detection_cases"]
        self.disclosures = self.tables["detection_disclosures"]
        self.attendance = self.tables["detection_attendance"]
        self.leaves = self.tables["detection_leaves"]
        self.staff = self.tables["detection_staff"]
        self.devices = self.tables["detection_devices"]
        self.shifts = self.tables["detection_shifts"]
        self.now: datetime | None = None
        self.position = 0
        #: (due in microseconds, inquiry id, due): the next inquiry whose handling time runs out
        self.dues: list[tuple[int, str, datetime]] = []
        #: (staff id, day) → attendance day stream id
        self.person_days: dict[tuple[str, str], str] = {}
        #: staff id → leave request ids
        self.person_leaves: dict[str, set[str]] = {}
        #: day → its attendance day stream ids (what the retention drops, without a scan)
        self.days_attendance: dict[str, set[str]] = {}
        #: attendance days with an absence from the post not judged yet (what a close looks at)
        self.absences_pending: set[str] = set()

    def load(self, tx: Tx) -> None:
        for table in self.tables.values():
            table.load(tx)
        for now, position in tx.query("SELECT now, position FROM {t:detection_clock} WHERE id = 1"):
            self.now = datetime.fromisoformat(now) if now else None
            self.position = int(position)
        self.dues = [(_micros(due), key, due) for key, due in self._dues()]
        heapq.heapify(self.dues)
        for key, d in self.attendance.docs.items():
            self.person_days[(d["staff"], d["day"])] = key
            self.days_attendance.setdefault(d["day"], set()).add(key)
            if any(not a["judged"] for a in d["absences"].values()):
                self.absences_pending.add(key)
        for key, leave in self.leaves.docs.items():
            self.person_leaves.setdefault(leave["staff"], set()).add(key)

    def _dues(self) -> Iterator[tuple[str, datetime]]:
        for key, doc in self.inquiries.docs.items():
            yield key, datetime.fromisoformat(doc["due"])

    def save(self, tx: Tx) -> None:
        for table in self.tables.values():
            table.save(tx)
        tx.execute("DELETE FROM {t:detection_clock}")
        tx.execute(
            "INSERT INTO {t:detection_clock} (id, now, position) VALUES (1, ?, ?)", (_iso(self.now), self.position)
        )

    def write(self, tx: Tx) -> None:
        """Write everything once into empty tables (the end of a bulk replay)."""
        for table in self.tables.values():
            insert_rows(tx, table.name, ("key", "doc"), table.rows())
        insert_rows(tx, "detection_clock", ("id", "now", "position"), [(1, _iso(self.now), self.position)])

    # ── derived facts ────────────────────────────────────────────────────────

    def approved_leaves(self, staff_id: str) -> list[attendance.Leave]:
        keys = self.person_leaves.get(staff_id)
        if not keys:
            return []
        found = []
        for key in sorted(keys):
            leave = self.leaves.docs[key]
            if leave["status"] not in (APPROVED, REPORTED_BACK):
                continue
            start, end = datetime.fromisoformat(leave["starts"]), datetime.fromisoformat(leave["ends"])
            if leave.get("back_at"):
                end = min(end, datetime.fromisoformat(leave["back_at"]))
            if start < end:
                found.append((start, end, leave["approved_pos"]))
        return found

    def record(self, staff_id: str, day: date) -> Doc | None:
        key = self.person_days.get((staff_id, day.isoformat()))
        return self.attendance.docs.get(key) if key else None


def expected_at_work(staff: Doc, day: date) -> bool:
    """Posted on ``day``, not yet gone, not suspended from the post (待岗)."""
    posting = staff.get("posting")
    if posting is None or date.fromisoformat(posting["start"]) > day:
        return False
    if posting.get("end") is not None and day >= date.fromisoformat(posting["end"]):
        return False
    if staff.get("left") is not None and date.fromisoformat(staff["left"]) <= day:
        return False
    suspended = staff.get("suspended_from")
    return not (suspended is not None and date.fromisoformat(suspended) <= day)


#: an event to append unless the log holds its stream at that version already:
#: (stream id, version, a function building the events)
Pending = tuple[UUID, int, Callable[[], list[Any]]]


@dataclass
class Findings:
    """What one batch decided: the events to append and the rows that record them.

    Events are built only if the log does not hold them yet (:meth:`emit`): a replay finds
    every candidate already recorded and builds none of them."""

    detector: Detector
    pending: list[Pending] = field(default_factory=list)
    candidates: list[tuple[Any, ...]] = field(default_factory=list)
    signals: list[tuple[Any, ...]] = field(default_factory=list)
    seen: set[UUID] = field(default_factory=set)

    def candidate(self, candidate: Candidate, trigger: Any) -> None:
        if candidate.id in self.seen:
            return
        self.seen.add(candidate.id)
        catalogues = self.detector.catalogue_on
        self.pending.append((candidate.id, 1, partial(violation_events, candidate, trigger, catalogues)))
        self.candidates.append(
            (
                str(candidate.id), rule_ref(candidate, catalogues), candidate.item, candidate.staff_id,
                candidate.department_id, candidate.window_id, utc_text(candidate.occurred_at), candidate.detector,
                candidate.policy, json.dumps(list(candidate.cause)), json.dumps(list(candidate.causation)),
                candidate.evidence,
            )
        )  # fmt: skip

    def emit(self, tx: Tx) -> None:
        """Append what the log does not hold yet, in the order found (one look-up for the batch)."""
        if not self.pending:
            return
        held = tx.recorded([(stream, version) for stream, version, _ in self.pending])
        events = [e for stream, version, build in self.pending if (stream, version) not in held for e in build()]
        tx.emit(events)


Handler = Callable[["Detector", State, int, Any, Findings], None]


class Detector(ReadModel):
    """Follows the whole log (any event's valid time moves "now") and records candidates."""

    name = "detection"
    replay_cost = 4.6
    version = 2  # 2: attendance judged per session, 销假, virus checks in working days, deadline states
    topics = ()
    tables = (
        Table("detection_clock", "id {int} PRIMARY KEY, now {text}, position {int} NOT NULL"),
        *(Table(name, "key {text} PRIMARY KEY, doc {json} NOT NULL") for name in STATE_TABLES),
        Table(
            "detection_candidates",
            "id {text} PRIMARY KEY, rule {text} NOT NULL, item {text}, staff_id {text}, department_id {text}, "
            "window_id {text}, occurred_at {text} NOT NULL, detector {text} NOT NULL, policy {text} NOT NULL, "
            "cause {json} NOT NULL, causation {json} NOT NULL, evidence {text} NOT NULL",
            indexes=("staff_id", "occurred_at"),
        ),
        Table(
            "detection_signals",
            "case_id {text} NOT NULL, version {int} NOT NULL, kind {text} NOT NULL, day {text} NOT NULL, "
            "deadline {text} NOT NULL, staff_id {text}, window_id {text}, causation {json} NOT NULL, "
            "policy {text} NOT NULL, PRIMARY KEY (case_id, version)",
            indexes=("day",),
        ),
    )

    HANDLERS: ClassVar[dict[type, Handler]] = {}

    def __init__(self, policy: DetectionPolicy | None = None, calendar: WorkingDayCalendar | None = None) -> None:
        #: None: the detection policy in force on each fact's day; a policy: that one for everything
        self.policy = policy
        self.calendar = calendar or national_calendar()
        #: working days, sessions and policies, derived once per day (pure: they survive a reset)
        self.time = WorkingTime(self.calendar)
        self._policies: dict[date, DetectionPolicy] = {}
        self._security: dict[date, SecurityPolicy] = {}
        self._catalogues: dict[date, RuleCatalogue] = {}
        #: ids as text, by their int: people, windows, departments recur in every other event, and
        #: a stream's id in each of its events (a bounded memo: it starts over when full)
        self._text: dict[int, str] = {}
        self._state: State | None = None
        #: set by a rebuild (:meth:`begin_bulk`): state in memory only, rows written once in :meth:`flush`
        self.bulk = False
        self._candidate_rows: dict[str, tuple[Any, ...]] = {}
        self._signal_rows: dict[tuple[str, int], tuple[Any, ...]] = {}

    def fresh(self) -> Detector:
        return type(self)(self.policy, self.calendar)

    def reset(self) -> None:
        self._state = None
        self.bulk = False
        self._candidate_rows = {}
        self._signal_rows = {}

    def begin_bulk(self) -> None:
        """A rebuild replays the log from 0 into empty shadow tables: the state stays in memory
        (nothing keeps account of what changed) and every row is written once by :meth:`flush`."""
        self.reset()
        self.bulk = True

    def flush(self, tx: Tx) -> None:
        if not self.bulk:
            return
        if self._state is not None:
            self._state.write(tx)
        insert_rows(tx, "detection_candidates", CANDIDATE_COLUMNS, self._candidate_rows.values())
        insert_rows(tx, "detection_signals", SIGNAL_COLUMNS, self._signal_rows.values())
        self.reset()  # the switch catches up with a fresh instance, which loads the tables

    def relevant(self, events: Sequence[tuple[int, Any]]) -> Sequence[tuple[int, Any]]:
        return events  # every event moves "now"

    # ── pure look-ups, remembered per day ────────────────────────────────────

    def policy_on(self, day: date) -> DetectionPolicy:
        if self.policy is not None:
            return self.policy
        found = self._policies.get(day)
        if found is None:
            found = self._policies[day] = detection_policy_in_force(day)
        return found

    def security_on(self, day: date) -> SecurityPolicy:
        found = self._security.get(day)
        if found is None:
            found = self._security[day] = security_policy_in_force(day)
        return found

    def catalogue_on(self, day: date) -> RuleCatalogue:
        found = self._catalogues.get(day)
        if found is None:
            found = self._catalogues[day] = catalogue_in_force(day)
        return found

    TEXT_MEMO = 50_000

    def text(self, value: UUID) -> str:
        """``str(value)``, remembered (a UUID hashes and compares in Python; its int does not)."""
        found = self._text.get(value.int)
        if found is None:
            if len(self._text) >= self.TEXT_MEMO:
                self._text = {}
            found = self._text[value.int] = str(value)
        return found

    def text_or_none(self, value: UUID | None) -> str | None:
        return None if value is None else self.text(value)

    # ── the fold ─────────────────────────────────────────────────────────────

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        if not events:
            return
        state = self._state
        if state is None:
            state = self._state = State(tracking=not self.bulk)
            state.load(tx)
        found = Findings(self)
        handlers = self.HANDLERS
        dues = state.dues
        now = state.now
        for position, event in events:
            # "now" moves to the newest valid time; inquiries whose time ran out by this event's valid
            # time are judged (ART2.1) — by the event's own time, not only when "now" advances, so a
            # history back-filled after a later record (the hall established today, then last month's
            # inquiries) is judged as it was lived
            moment = getattr(event, "occurred_at", None)
            if moment is not None and isinstance(moment, datetime):
                if now is None or moment > now:
                    now = state.now = moment
                if dues and dues[0][0] <= _micros(moment):
                    _time_ran_out(state, position, event, moment, found)
            handler = handlers.get(type(event))
            if handler is not None:
                handler(self, state, position, event, found)
        state.position = events[-1][0]
        found.emit(tx)
        if self.bulk:
            for row in found.candidates:
                self._candidate_rows.setdefault(row[0], row)
            for row in found.signals:
                self._signal_rows.setdefault((row[0], row[1]), row)
            return
        tx.executemany(
            "INSERT INTO {t:detection_candidates} (" + ", ".join(CANDIDATE_COLUMNS) + ") VALUES ("
            + ", ".join("?" * len(CANDIDATE_COLUMNS)) + ") ON CONFLICT (id) DO NOTHING",
            found.candidates,
        )  # fmt: skip
        tx.executemany(
            "INSERT INTO {t:detection_signals} (" + ", ".join(SIGNAL_COLUMNS) + ") VALUES ("
            + ", ".join("?" * len(SIGNAL_COLUMNS)) + ") ON CONFLICT (case_id, version) DO NOTHING",
            found.signals,
        )  # fmt: skip
        state.save(tx)


def _time_ran_out(state: State, position: int, event: Any, moment: datetime, found: Findings) -> None:
    """ "Now" reached ``moment``: every inquiry due by then is a candidate (ART2.1)."""
    dues, reached = state.dues, _micros(moment)
    while dues and dues[0][0] <= reached:
        _, key, due = heapq.heappop(dues)
        inquiry = state.inquiries.get(key)
        if inquiry is None or datetime.fromisoformat(inquiry["due"]) != due:
            continue
        found.candidate(inquiries.not_handled(inquiry, moment, position), event)
        state.inquiries.drop(key)


def handles(*classes: type) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for cls in classes:
            Detector.HANDLERS[cls] = fn
        return fn

    return register


# ── ART2.1 first inquiries ────────────────────────────────────────────────────


def _inquiry_doc(key: str, e: Inquiry.InquiryOpened, due: datetime, policy: DetectionPolicy, position: int) -> Doc:
    return {
        "id": key, "staff": str(e.first_responder_id), "window": _str(e.window_id), "channel": e.channel,
        "opened_at": e.occurred_at.isoformat(), "due": due.isoformat(),
        "hours": policy.inquiry_handling_working_hours, "policy": policy.ref, "pos": position,
    }  # fmt: skip


@handles(Inquiry.InquiryOpened)
def _inquiry_opened(d: Detector, state: State, position: int, e: Inquiry.InquiryOpened, found: Findings) -> None:
    policy = d.policy_on(hall_day(e.occurred_at))
    due = inquiries.due(d.time, e.occurred_at, policy.inquiry_handling_working_hours)
    key = d.text(e.originator_id)
    state.inquiries.put_lazy(key, _inquiry_doc, key, e, due, policy, position)
    heapq.heappush(state.dues, (_micros(due), key, due))


@handles(Inquiry.InquiryHandled, Inquiry.InquiryHandedOver, Inquiry.InquiryEscalatedToLeader, Inquiry.InquiryClosed)
def _inquiry_acted_on(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    state.inquiries.drop(d.text(e.originator_id))


# ── ART2.2, ART2.3, ART7.2 service cases ──────────────────────────────────────


def _case_doc(key: str, e: ServiceCase.ApplicationSubmitted, staff: str, window: str, department: str) -> Doc:
    return {
        "id": key, "label": f"{e.case_no or e.matter_code} {e.matter_name}", "staff": staff,
        "handler": staff, "window": window, "department": department,
        "first_notice": None, "second_flagged": False, "deadline": None, "deadline_pos": None,
        "suspended": False, "overdue_flagged": False, "light_for": None, "yellow_card_day": None,
        "red_card": False, "supervision_version": 0,
    }  # fmt: skip


@handles(ServiceCase.ApplicationSubmitted)
def _case_submitted(d: Detector, state: State, position: int, e: ServiceCase.ApplicationSubmitted, f: Findings) -> None:
    key = d.text(e.originator_id)
    state.cases.put_lazy(key, _case_doc, key, e, d.text(e.staff_id), d.text(e.window_id), d.text(e.department_id))


@handles(ServiceCase.OneTimeNoticeIssued)
def _notice(d: Detector, state: State, position: int, e: ServiceCase.OneTimeNoticeIssued, found: Findings) -> None:
    case = state.cases.touch(d.text(e.originator_id))
    if case is None:
        return
    if e.notice_no == 1:
        case["first_notice"] = {
            "by": str(e.issued_by),
            "pos": position,
            "at": e.occurred_at.isoformat(),
            "materials": [m["name"] for m in e.missing_materials],
        }
        return
    policy = d.policy_on(hall_day(e.occurred_at))
    candidate = notices.second_notice(
        case,
        notice_no=e.notice_no,
        new_materials=list(e.not_in_first_notice),
        at=e.occurred_at,
        position=position,
        policy=policy.ref,
    )
    if candidate is not None:
        case["second_flagged"] = True
        found.candidate(candidate, e)


@handles(ServiceCase.ApplicationAccepted)
def _accepted(d: Detector, state: State, position: int, e: ServiceCase.ApplicationAccepted, found: Findings) -> None:
    if e.on_the_spot:  # finished at once: no deadline to watch (the completion drops the case)
        return
    case = state.cases.touch(d.text(e.originator_id))
    if case is None:
        return
    case["handler"] = d.text(e.accepted_by)
    case["deadline"] = _iso(e.committed_deadline)
    case["deadline_pos"] = position


@handles(ServiceCase.DeadlineExtended, ServiceCase.ApplicationResumed)
def _deadline_moved(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    case = state.cases.touch(d.text(e.originator_id))
    if case is None:
        return
    case["deadline"] = e.committed_deadline.isoformat()
    case["deadline_pos"] = position
    case["suspended"] = False


@handles(ServiceCase.ApplicationSuspended)
def _suspended(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    case = state.cases.touch(d.text(e.originator_id))
    if case is not None:
        case["suspended"] = True


@handles(ServiceCase.ApplicationCompleted)
def _completed(d: Detector, state: State, position: int, e: ServiceCase.ApplicationCompleted, found: Findings) -> None:
    key = d.text(e.originator_id)
    if not e.on_the_spot and e.committed_deadline is not None:
        case = state.cases.get(key)
        if case is not None and case["deadline_pos"]:
            candidate = deadlines.completed_late(
                case,
                completed_on=e.completed_on,
                deadline=e.committed_deadline,
                at=e.occurred_at,
                position=position,
                between=d.time.working_days_between,
                policy=d.policy_on(e.completed_on).ref,
            )
            if candidate is not None:
                found.candidate(candidate, e)
    state.cases.drop(key)


@handles(ServiceCase.ApplicationRejected)
def _rejected(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    state.cases.drop(d.text(e.originator_id))


def _supervision_started(
    trigger: Any, signal: Signal, stream: UUID, case_id: UUID, staff_id: UUID, window_id: UUID, department_id: UUID
) -> list[Any]:
    ctx = detector_context(signal.occurred_at, trigger)
    return [
        CaseSupervision.signal(
            CaseSupervision.Started, ctx, id=stream, version=1, case_id=case_id, staff_id=staff_id,
            window_id=window_id, department_id=department_id, policy=signal.policy,
        )
    ]  # fmt: skip


def _supervision_signal(
    trigger: Any, signal: Signal, stream: UUID, version: int, case_id: UUID, catalogue: RuleCatalogue
) -> list[Any]:
    ctx = detector_context(signal.occurred_at, trigger)
    return [
        CaseSupervision.signal(
            getattr(CaseSupervision, signal.kind), ctx, id=stream, version=version, case_id=case_id,
            deadline=signal.deadline, day=signal.day, causation=list(signal.causation),
            rule=str(catalogue.ref(signal.rule)), policy=signal.policy, **signal.fields,
        )
    ]  # fmt: skip


def _signal(d: Detector, case: Doc, signal: Signal, trigger: Any, found: Findings) -> None:
    """Record an e-supervision signal at the case stream's next version (the detector keeps it)."""
    case_id = UUID(case["id"])
    stream = supervision_id(case_id)
    if case["supervision_version"] == 0:
        found.pending.append(
            (
                stream, 1,
                partial(
                    _supervision_started, trigger, signal, stream, case_id, UUID(case["handler"]),
                    UUID(case["window"]), UUID(case["department"]),
                ),
            )
        )  # fmt: skip
        case["supervision_version"] = 1
    case["supervision_version"] += 1
    version = case["supervision_version"]
    catalogue = d.catalogue_on(signal.day)
    found.pending.append(
        (stream, version, partial(_supervision_signal, trigger, signal, stream, version, case_id, catalogue))
    )
    found.signals.append(
        (
            case["id"], version, signal.kind, signal.day.isoformat(), signal.deadline.isoformat(),
            case["handler"], case["window"], json.dumps(list(signal.causation)), signal.policy,
        )
    )  # fmt: skip
    if signal.kind == deadlines.YELLOW_LIGHT:
        case["light_for"] = signal.deadline.isoformat()
    elif signal.kind == deadlines.YELLOW_CARD:
        case["yellow_card_day"] = signal.day.isoformat()
    else:
        case["red_card"] = True


# ── ART2.4.2 disclosure on request ────────────────────────────────────────────


@handles(DisclosureRequest.DisclosureRequested)
def _requested(d: Detector, state: State, position: int, e: DisclosureRequest.DisclosureRequested, f: Findings) -> None:
    key = d.text(e.originator_id)
    state.disclosures.put(
        key,
        {
            "id": key, "staff": str(e.received_by), "window": _str(e.window_id), "deadline": e.deadline.isoformat(),
            "deadline_pos": position, "awaiting": False, "flagged_for": None,
        },
    )  # fmt: skip


@handles(DisclosureRequest.DisclosureCorrectionRequested)
def _correction_requested(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    request = state.disclosures.touch(d.text(e.originator_id))
    if request is not None:
        request["awaiting"] = True
        request["deadline"] = None


@handles(DisclosureRequest.DisclosureCorrectionReceived, DisclosureRequest.DisclosureExtended)
def _disclosure_deadline(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    request = state.disclosures.touch(d.text(e.originator_id))
    if request is not None:
        request["awaiting"] = False
        request["deadline"] = e.deadline.isoformat()
        request["deadline_pos"] = position


@handles(DisclosureRequest.DisclosureAnswered)
def _answered(d: Detector, state: State, position: int, e: DisclosureRequest.DisclosureAnswered, f: Findings) -> None:
    key = d.text(e.originator_id)
    request = state.disclosures.get(key)
    if request is not None:
        candidate = disclosure.answered_late(
            request,
            answered_on=e.answered_on,
            deadline=e.deadline,
            at=e.occurred_at,
            position=position,
            policy=d.policy_on(e.answered_on).ref,
            note=_provisional(d, e.deadline),
        )
        if candidate is not None:
            f.candidate(candidate, e)
    state.disclosures.drop(key)


def _provisional(d: Detector, deadline: date | str | None) -> tuple[str, str] | None:
    """The note a deadline in a provisional calendar year carries (``domain.calendar.provisional_note``)."""
    if deadline is None:
        return None
    due = date.fromisoformat(deadline) if isinstance(deadline, str) else deadline
    return provisional_note(d.calendar.provisional_years(due, due))


@handles(DisclosureRequest.DisclosureRequestAbandoned)
def _abandoned(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    state.disclosures.drop(d.text(e.originator_id))


# ── ART6.5 attendance and leave ───────────────────────────────────────────────


@handles(AttendanceDay.Opened)
def _day_opened(d: Detector, state: State, position: int, e: AttendanceDay.Opened, found: Findings) -> None:
    key, staff, day = d.text(e.originator_id), d.text(e.staff_id), e.day.isoformat()
    state.attendance.put(
        key,
        {
            "id": key, "staff": staff, "day": day, "window": d.text_or_none(e.window_id),
            "policy": e.policy, "punches": [], "absences": {}, "judged": False,
        },
    )  # fmt: skip
    state.person_days[(staff, day)] = key
    state.days_attendance.setdefault(day, set()).add(key)
    state.absences_pending.discard(key)


@handles(AttendanceDay.ClockedIn, AttendanceDay.ClockedOut)
def _punch(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    record = state.attendance.touch(d.text(e.originator_id))
    if record is not None:
        kind = "in" if isinstance(e, AttendanceDay.ClockedIn) else "out"
        record["punches"].append({"kind": kind, "at": e.occurred_at.isoformat(), "pos": position})


@handles(AttendanceDay.AbsenceFromPostRecorded)
def _absence(d: Detector, state: State, position: int, e: AttendanceDay.AbsenceFromPostRecorded, f: Findings) -> None:
    key = d.text(e.originator_id)
    record = state.attendance.touch(key)
    if record is not None:
        record["absences"][str(e.absence_id)] = {
            "id": str(e.absence_id), "left": e.occurred_at.isoformat(), "returned": _iso(e.returned_at),
            "notice": e.notice_displayed, "pos": position, "return_pos": None, "judged": False,
        }  # fmt: skip
        state.absences_pending.add(key)


@handles(AttendanceDay.ReturnedToPost)
def _returned(d: Detector, state: State, position: int, e: AttendanceDay.ReturnedToPost, found: Findings) -> None:
    record = state.attendance.touch(d.text(e.originator_id))
    absence = record["absences"].get(str(e.absence_id)) if record else None
    if absence is not None and not absence["judged"]:
        absence["returned"] = e.occurred_at.isoformat()
        absence["return_pos"] = position


@handles(LeaveRequest.Requested)
def _leave_requested(d: Detector, state: State, position: int, e: LeaveRequest.Requested, found: Findings) -> None:
    key = d.text(e.originator_id)
    state.leaves.put(
        key,
        {
            "id": key, "staff": str(e.staff_id), "starts": e.starts.isoformat(), "ends": e.ends.isoformat(),
            "status": REQUESTED, "pos": position, "approved_pos": None, "back_at": None,
        },
    )  # fmt: skip
    state.person_leaves.setdefault(str(e.staff_id), set()).add(key)


@handles(LeaveRequest.Approved, LeaveRequest.Refused, LeaveRequest.ReportedBack)
def _leave_decided(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    leave = state.leaves.touch(d.text(e.originator_id))
    if leave is None:
        return
    if isinstance(e, LeaveRequest.Approved):
        leave["status"], leave["approved_pos"] = APPROVED, position
    elif isinstance(e, LeaveRequest.Refused):
        leave["status"] = REFUSED
    else:
        leave["status"], leave["back_at"] = REPORTED_BACK, e.occurred_at.isoformat()


# ── ART8.1 postings (and who is expected at work) ─────────────────────────────


@handles(StaffMember.Onboarded)
def _onboarded(d: Detector, state: State, position: int, e: StaffMember.Onboarded, found: Findings) -> None:
    key = d.text(e.originator_id)
    state.staff.put(
        key,
        {
            "id": key, "no": e.staff_no, "department": str(e.department_id), "seconded": e.employment == "seconded",
            "posting": None, "left": None, "left_pos": None, "suspended_from": None, "suspension": None,
            "consents": {}, "demands": {},
        },
    )  # fmt: skip


@handles(StaffMember.Posted)
def _posted(d: Detector, state: State, position: int, e: StaffMember.Posted, found: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is not None:
        staff["posting"] = {
            "window": str(e.window_id), "start": e.start.isoformat(), "temporary": e.temporary, "end": None,
            "pos": position,
        }  # fmt: skip
        if e.consent_id is not None and str(e.consent_id) in staff["consents"]:
            staff["consents"][str(e.consent_id)]["used"] = True


@handles(StaffMember.Moved)
def _moved(d: Detector, state: State, position: int, e: StaffMember.Moved, found: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is not None and staff["posting"] is not None:
        staff["posting"]["window"] = str(e.to_window_id)


@handles(StaffMember.CommitteeConsentRecorded)
def _consent(d: Detector, state: State, position: int, e: StaffMember.CommitteeConsentRecorded, f: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is not None:
        staff["consents"][str(e.consent_id)] = {"kind": e.kind, "used": False, "pos": position}


@handles(StaffMember.ReplacementDemanded)
def _demand(d: Detector, state: State, position: int, e: StaffMember.ReplacementDemanded, found: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is not None:
        staff["demands"][str(e.demand_id)] = {"used": False, "pos": position}


@handles(StaffMember.PostingEnded)
def _posting_ended(d: Detector, state: State, position: int, e: StaffMember.PostingEnded, found: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is None:
        return
    if staff["posting"] is not None:
        staff["posting"]["end"] = e.end.isoformat()
    for used, bucket in ((e.consent_id, "consents"), (e.demand_id, "demands")):
        if used is not None and str(used) in staff[bucket]:
            staff[bucket][str(used)]["used"] = True


@handles(StaffMember.RecalledByDepartment)
def _recalled(d: Detector, state: State, position: int, e: StaffMember.RecalledByDepartment, found: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is None:
        return
    candidate = postings.recalled_early(
        staff, end=e.end, at=e.occurred_at, position=position, policy=d.policy_on(e.end).ref
    )
    if candidate is not None:
        found.candidate(candidate, e)
    if staff["posting"] is not None:
        staff["posting"]["end"] = e.end.isoformat()


@handles(StaffMember.RemovalFromPostDecided)
def _removed(d: Detector, state: State, position: int, e: StaffMember.RemovalFromPostDecided, f: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is not None and staff["posting"] is not None:
        staff["posting"]["end"] = e.effective.isoformat()


@handles(StaffMember.Left)
def _left(d: Detector, state: State, position: int, e: StaffMember.Left, found: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is not None:
        staff["left"], staff["left_pos"] = e.on.isoformat(), position


@handles(StaffMember.SuspensionDecided)
def _suspension(d: Detector, state: State, position: int, e: StaffMember.SuspensionDecided, f: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is not None:
        staff["suspended_from"], staff["suspension"] = e.start.isoformat(), str(e.decision_id)


@handles(StaffMember.Reinstated, StaffMember.SanctionRescinded)
def _reinstated(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    staff = state.staff.touch(d.text(e.originator_id))
    if staff is not None and staff["suspension"] == str(e.decision_id):
        staff["suspended_from"], staff["suspension"] = None, None


# ── ART9.1 devices, ART9.4 duty shifts ────────────────────────────────────────


@handles(Asset.Registered)
def _asset(d: Detector, state: State, position: int, e: Asset.Registered, found: Findings) -> None:
    if e.category not in DEVICE_CATEGORIES:
        return
    key = d.text(e.originator_id)
    state.devices.put(
        key,
        {
            "id": key, "no": e.asset_no, "custodian": str(e.custodian_id), "window": _str(e.window_id),
            "since": hall_day(e.occurred_at).isoformat(), "since_pos": position, "checked": False,
            "flagged_for": None,
        },
    )  # fmt: skip


@handles(Asset.CustodianDesignated)
def _custodian(d: Detector, state: State, position: int, e: Asset.CustodianDesignated, found: Findings) -> None:
    device = state.devices.touch(d.text(e.originator_id))
    if device is not None:
        device["custodian"] = str(e.custodian_id)


@handles(Asset.Moved, Asset.MovedWithoutFiling)
def _asset_moved(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    device = state.devices.touch(d.text(e.originator_id))
    if device is not None:
        device["window"] = _str(e.to_window_id)


@handles(Asset.VirusChecked)
def _virus_checked(d: Detector, state: State, position: int, e: Asset.VirusChecked, found: Findings) -> None:
    device = state.devices.touch(d.text(e.originator_id))
    checked_on = hall_day(e.occurred_at)
    if device is not None and checked_on >= date.fromisoformat(device["since"]):
        device["since"], device["since_pos"], device["checked"] = checked_on.isoformat(), position, True


@handles(Asset.WrittenOff)
def _written_off(d: Detector, state: State, position: int, e: Any, found: Findings) -> None:
    state.devices.drop(d.text(e.originator_id))


@handles(DutyShift.Assigned)
def _shift(d: Detector, state: State, position: int, e: DutyShift.Assigned, found: Findings) -> None:
    key = d.text(e.originator_id)
    state.shifts.put(
        key,
        {
            "id": key, "day": e.day.isoformat(), "slot": e.slot, "role": e.duty_role, "starts": e.starts.isoformat(),
            "ends": e.ends.isoformat(), "positions": [position],
            "coverage": [{"start": e.starts.isoformat(), "end": e.ends.isoformat(), "staff": str(e.staff_id)}],
        },
    )  # fmt: skip


@handles(DutyShift.SubstituteArranged)
def _substituted(d: Detector, state: State, position: int, e: DutyShift.SubstituteArranged, found: Findings) -> None:
    shift = state.shifts.touch(d.text(e.originator_id))
    if shift is None:
        return
    coverage: list[Doc] = [
        {
            "start": datetime.fromisoformat(s["start"]),
            "end": datetime.fromisoformat(s["end"]),
            "staff_id": UUID(s["staff"]),
        }
        for s in shift["coverage"]
    ]
    coverage = substitute(coverage, e.released_staff_id, e.substitute_id, e.covers_from, e.covers_until)
    shift["coverage"] = [
        {"start": s["start"].isoformat(), "end": s["end"].isoformat(), "staff": str(s["staff_id"])} for s in coverage
    ]
    shift["positions"].append(position)


# ── the close of a hall day (日终) ─────────────────────────────────────────────


@handles(HallDay.Opened)
def _hall_day_opened(d: Detector, state: State, position: int, e: HallDay.Opened, found: Findings) -> None:
    state.days.put(e.day.isoformat(), {"opened_pos": position, "closed_pos": None})


@handles(HallDay.Closed)
def _hall_day_closed(d: Detector, state: State, position: int, e: HallDay.Closed, found: Findings) -> None:
    day, at = e.day, e.occurred_at
    policy = d.policy_on(day)
    record = state.days.get(day.isoformat()) or {"opened_pos": None}
    gap = d.time.calendar_gap(day)  # a year without a calendar file: judged Monday–Friday, and said so
    state.days.put(day.isoformat(), dict(record, closed_pos=position, **({"calendar_gap": gap[1]} if gap else {})))
    # ART2.3 / ART7.2: committed deadlines and the e-supervision signals
    between = d.time.working_days_between
    cases = state.cases.built()
    for key in sorted(cases):
        case = cases[key]
        if case.get("deadline") is None or case.get("suspended"):
            continue  # (what at_close answers first: nothing to judge)
        candidates, signals = deadlines.at_close(
            case, day=day, between=between, policy=policy, position=position, at=at
        )
        for candidate in candidates:
            case["overdue_flagged"] = True
            found.candidate(candidate, e)
        for signal in signals:
            _signal(d, case, signal, e, found)
        if candidates or signals:
            state.cases.touch(key)
    # ART2.4.2: disclosure requests past their deadline
    for key in state.disclosures.in_order():
        request = state.disclosures.docs[key]
        found_late = disclosure.unanswered(
            request, day=day, position=position, policy=policy.ref, note=_provisional(d, request.get("deadline"))
        )
        if found_late is not None:
            request["flagged_for"] = request["deadline"]
            state.disclosures.touch(key)
            found.candidate(found_late, e)
    _judge_attendance(d, state, day, position, e, policy, found)
    # ART9.1: devices past their virus-check interval (in working days)
    security, gap = d.security_on(day), d.time.calendar_gap(day)
    for key in state.devices.in_order():
        device = state.devices.docs[key]
        overdue = devices.virus_check_overdue(
            device, day=day, interval_working_days=security.virus_check_interval_working_days,
            add_working_days=d.time.add_working_days, security_policy=security.ref, position=position,
            policy=policy.ref, note=gap or d.time.calendar_gap(date.fromisoformat(device["since"])),
        )  # fmt: skip
        if overdue is not None:
            device["flagged_for"] = device["since_pos"]
            state.devices.touch(key)
            found.candidate(overdue, e)
    # ART9.4: shifts that have ended, with nobody on duty
    for key in state.shifts.in_order():
        shift = state.shifts.docs[key]
        if datetime.fromisoformat(shift["ends"]) > at:
            continue
        shift_day = date.fromisoformat(shift["day"])
        hours = None
        if d.time.is_working_day(shift_day):
            opening = d.time.sessions(d.time.attendance_policy(None, shift_day), shift_day)
            hours = (opening[0][1], opening[-1][2]) if opening else None
        for candidate in duty.uncovered(
            shift,
            staff=state.staff.get,
            leaves=state.approved_leaves,
            present=lambda who, on: bool((state.record(who, on) or {}).get("punches")),
            business_hours=hours,
            position=position,
            policy=d.policy_on(shift_day).ref,
        ):
            found.candidate(candidate, e)
        state.shifts.drop(key)
    _prune(state, day)


def _judge_attendance(
    d: Detector, state: State, day: date, position: int, e: Any, policy: DetectionPolicy, found: Findings
) -> None:
    """ART6.5 at the close of ``day``: the day's punches of everyone posted, and pending absences."""
    time = d.time
    gap = time.calendar_gap(day)
    if time.is_working_day(day):
        day_text = day.isoformat()
        records = state.attendance.docs
        for key in state.staff.in_order():
            staff = state.staff.docs[key]
            if not expected_at_work(staff, day):
                continue
            record_key = state.person_days.get((key, day_text))
            record = records.get(record_key) if record_key else None
            day_policy = time.attendance_policy(record["policy"] if record else None, day)
            for candidate in attendance.judge_day(
                staff,
                day=day,
                sessions=time.sessions(day_policy, day),
                grace_minutes=day_policy.grace_minutes,
                absent_over_minutes=day_policy.absent_over_minutes,
                leaves=state.approved_leaves(key),
                record=record,
                policy=policy,
                position=position,
            ):
                found.candidate(_noted(candidate, gap), e)
            if record is not None:
                record["judged"] = True
                state.attendance.touch(record["id"])
            _judge_reporting_back(state, staff, day, time.sessions(day_policy, day), record, policy, position, e, found)
    # absences from the post not judged yet (the days that have some, in key order)
    for key in sorted(state.absences_pending):
        doc = state.attendance.docs[key]
        doc_day = date.fromisoformat(doc["day"])
        pending = [a for a in doc["absences"].values() if not a["judged"]]
        if not pending or doc_day > day:
            continue
        closed = doc_day == day or (state.days.get(doc["day"]) or {}).get("closed_pos") is not None
        if not closed:
            continue
        person = state.staff.get(doc["staff"])
        working = time.is_working_day(doc_day)
        doc_policy = time.attendance_policy(doc["policy"], doc_day)
        for absence in sorted(pending, key=lambda a: a["left"]):
            absence["judged"] = True
            if person is None or not working:
                continue
            left_post = attendance.judge_absence(
                person,
                absence,
                day=doc_day,
                sessions=time.sessions(doc_policy, doc_day),
                leaves=state.approved_leaves(doc["staff"]),
                policy=d.policy_on(doc_day),
                position=position,
            )
            if left_post is not None:
                found.candidate(left_post, e)
        state.attendance.touch(key)
        state.absences_pending.discard(key)


def _noted(candidate: Candidate, gap: tuple[str, str] | None) -> Candidate:
    """The candidate, its evidence saying what it rests on when the calendar had no file for the day."""
    if gap is None:
        return candidate
    return replace(
        candidate, evidence_zh=f"{candidate.evidence_zh}({gap[0]})", evidence_en=f"{candidate.evidence_en} ({gap[1]})"
    )


def _judge_reporting_back(
    state: State,
    staff: Doc,
    day: date,
    sessions: Sequence[Session],
    record: Doc | None,
    policy: DetectionPolicy,
    position: int,
    e: Any,
    found: Findings,
) -> None:
    """ART7.5 销假: the person's approved leave still open on a working day they were due back."""
    for key in sorted(state.person_leaves.get(staff["id"], ())):
        leave = state.leaves.docs[key]
        candidate = attendance.leave_not_reported_back(
            staff,
            leave,
            day=day,
            sessions=sessions,
            punches=record["punches"] if record else [],
            policy=policy,
            position=position,
        )
        if candidate is not None:
            leave["flagged"] = True
            state.leaves.touch(key)
            found.candidate(candidate, e)


def _prune(state: State, day: date) -> None:
    """Forget day-bound facts older than the retention (the state stays bounded)."""
    horizon = day - timedelta(days=RETENTION_DAYS)
    before = horizon.isoformat()  # ISO dates sort as the days do
    for old in sorted(d for d in state.days_attendance if d < before):
        for key in sorted(state.days_attendance.pop(old)):
            record = state.attendance.docs.get(key)
            if record is None or record["day"] >= before:
                continue
            state.person_days.pop((record["staff"], record["day"]), None)
            state.attendance.drop(key)
            state.absences_pending.discard(key)
    for key in state.leaves.in_order():
        leave = state.leaves.docs[key]
        if datetime.fromisoformat(leave["ends"]).date() < horizon:
            state.person_leaves.get(leave["staff"], set()).discard(key)
            state.leaves.drop(key)
    for key in state.days.in_order():
        if date.fromisoformat(key) < horizon:
            state.days.drop(key)
