"""Subject index (人员事件索引): which streams of the log concern which person.

Question it answers: *which events concern this person?* — for time travel and explain
answers (``projections/timetravel.py``), which read those streams back from the events table
and fold them through the same code as the read models.

Many events concern a person without naming them: ``Violation.Confirmed`` or ``Revoked``
live in the violation's stream, an appeal's decision in the appeal's stream. The index
therefore maps *streams* to people: a stream concerns a person once any of its events names
them in a field holding their staff id (``staff_id``, ``completed_by``, ``substitute_id`` …)
and from then on every event of the stream does, including the earlier ones (time travel
reads the whole stream). A person's own ``StaffMember`` stream concerns them
from its first event. The rule is generic, so the processes other modules add (inquiries,
service cases, duty shifts …) are indexed without a change here.

Table ``subject_streams`` (one row per person and stream): ``staff_id``, ``stream_id``,
``kind`` (the aggregate, e.g. ``Violation``), ``first_position`` (the event that linked
them).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any
from uuid import UUID

from domain.event_classes import event_classes
from domain.staff import StaffMember
from projections.base import ReadModel, Table, Tx
from projections.bulk import insert_rows

_NONE: frozenset[str] = frozenset()
CACHE_LIMIT = 200_000
_ENVELOPE = ("originator_id", "originator_version", "timestamp", "actor", "occurred_at", "hall_id")
_FIELDS: dict[type, tuple[str, ...]] = {}
#: per event class: (is it a person's own stream, its fields that may hold staff ids)
_SPEC: dict[type, tuple[bool, tuple[str, ...]]] = {}


def uuid_fields(cls: type) -> tuple[str, ...]:
    """The fields of an event class that may hold staff ids (UUIDs or lists of them)."""
    found = _FIELDS.get(cls)
    if found is None:
        names: dict[str, None] = {}
        for klass in reversed(cls.__mro__):
            for name, annotation in getattr(klass, "__annotations__", {}).items():
                text = str(annotation)
                if name not in _ENVELOPE and "UUID" in text and "ClassVar" not in text:
                    names[name] = None
        found = _FIELDS[cls] = tuple(names)
    return found


def referenced_ids(event: Any) -> Iterator[str]:
    """The UUIDs an event names in its own fields (not its stream id)."""
    for name in uuid_fields(type(event)):
        value = getattr(event, name, None)
        if isinstance(value, UUID):
            yield str(value)
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, UUID):
                    yield str(item)


def aggregate_of(event: Any) -> str:
    return type(event).__qualname__.partition(".")[0]


class SubjectIndex:
    """The pure core: stream → people, grown event by event (also used for a log's tail).

    A stream concerns a person from the first event that names them in a field holding a
    staff id; a person's own stream concerns only them. Ids are kept as integers
    (``UUID.int``) for speed; :meth:`people_of` speaks strings."""

    def __init__(self) -> None:
        self.staff: set[int] = set()
        #: stream → people linked to it (an int for one person, a frozenset for several)
        self.streams: dict[int, int | frozenset[int]] = {}

    def links(self, event: Any) -> list[int]:
        """The people this event links to its stream for the first time (as far as the
        cache knows: a bounded cache may forget, so writers must tolerate a repeat)."""
        cls = type(event)
        spec = _SPEC.get(cls)
        if spec is None:
            spec = _SPEC[cls] = (issubclass(cls, StaffMember.Event), uuid_fields(cls))
        own, fields = spec
        stream = event.originator_id.int
        if own:
            self.staff.add(stream)
            named = [stream]
        else:
            named = []
            staff = self.staff
            for name in fields:
                value = getattr(event, name, None)
                if value is None:
                    continue
                if value.__class__ is UUID:
                    if value.int in staff:
                        named.append(value.int)
                elif isinstance(value, list | tuple):
                    named.extend(v.int for v in value if isinstance(v, UUID) and v.int in staff)
            if not named:
                return named
        known = self.streams.get(stream)
        if known is None:
            new = named if len(named) == 1 else sorted(set(named))
        elif known.__class__ is int:
            new = sorted({n for n in named if n != known})
        else:
            new = sorted({n for n in named if n not in known})  # type: ignore[operator]
        if new:
            people = set(new) | ({known} if isinstance(known, int) else set(known or ()))
            self.streams[stream] = next(iter(people)) if len(people) == 1 else frozenset(people)
        return new

    def people_of(self, event: Any) -> frozenset[str]:
        """The people an event concerns (the links its stream has after it)."""
        self.links(event)
        known = self.streams.get(event.originator_id.int)
        if known is None:
            return frozenset()
        ids = [known] if isinstance(known, int) else list(known)
        return frozenset(str(UUID(int=i)) for i in ids)

    def link(self, stream: str, person: str) -> None:
        """Seed a known link (time travel starts from the index's rows)."""
        s, p = UUID(stream).int, UUID(person).int
        known = self.streams.get(s)
        people = {p} | ({known} if isinstance(known, int) else set(known or ()))
        self.streams[s] = p if len(people) == 1 else frozenset(people)


@cache
def naming_events() -> tuple[type, ...]:
    """Every event class of the domain that can link a stream to a person: a person's own
    events, and those with a field that may hold a staff id. (The others — a clock-in, a
    confirmation note — never name anyone, so a replay need not even decode them.)"""
    return tuple(cls for cls in event_classes() if issubclass(cls, StaffMember.Event) or uuid_fields(cls))


class SubjectIndexModel(ReadModel):
    """``subject_index``: follows every event that may name a person; a row when a stream first concerns someone."""

    name = "subject_index"
    replay_cost = 3.7
    version = 4
    #: (staff_id, stream_id) is unique — by an index the model creates itself (:meth:`_keyed`):
    #: a rebuild loads the rows into the bare table and indexes them after, several times
    #: faster than keeping a key up to date row by row
    tables = (
        Table(
            "subject_streams",
            "staff_id {text} NOT NULL, stream_id {text} NOT NULL, kind {text} NOT NULL, first_position {int} NOT NULL",
        ),
    )
    COLUMNS = ("staff_id", "stream_id", "kind", "first_position")

    def __init__(self) -> None:
        self.index: SubjectIndex | None = None
        self.bulk = False
        self.pending: list[tuple[int, int, str, int]] = []
        #: every event that may name a person (the domain's classes, found at start-up)
        self.topics = naming_events()
        self._types = frozenset(self.topics)

    def wants(self, event: Any) -> bool:
        return type(event) in self._types

    def relevant(self, events: Sequence[tuple[int, Any]]) -> list[tuple[int, Any]]:
        types = self._types
        return [pe for pe in events if type(pe[1]) in types]

    def reset(self) -> None:
        self.index = None
        self.bulk = False
        self.pending = []

    def begin_bulk(self) -> None:
        """Replaying from 0 the cache sees every link: rows wait for :meth:`flush`."""
        self.bulk = True

    def flush(self, tx: Tx) -> None:
        if not self.bulk:
            return
        insert_rows(tx, "subject_streams", self.COLUMNS, _as_text(self.pending))  # unindexed: any order
        self._keyed(tx)
        self.reset()  # a live runner reloads (and bounds) its cache

    @staticmethod
    def _keyed(tx: Tx) -> None:
        """Make (staff_id, stream_id) unique, once per table (the index outlives renames)."""
        table = tx.table("subject_streams").split(".")[-1].strip('"')
        if tx.dialect == "postgres":
            found = tx.query(
                "SELECT 1 FROM pg_indexes WHERE schemaname = ? AND tablename = ? AND indexname LIKE ?",
                (tx.schema, table, "ux_subject_%"),
            )
        else:
            found = tx.query(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE ?",
                (table, "ux_subject_%"),
            )
        if not found:
            name = f"ux_subject_{secrets.token_hex(4)}"
            tx.execute(f'CREATE UNIQUE INDEX "{name}" ON {{t:subject_streams}} (staff_id, stream_id)')

    def _load(self, tx: Tx) -> SubjectIndex:
        if not self.bulk:
            self._keyed(tx)
        index = SubjectIndex()
        rows = tx.query("SELECT staff_id FROM {t:subject_streams} WHERE kind = 'StaffMember'")
        index.staff = {UUID(row[0]).int for row in rows}
        self.index = index
        return index

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        index = self.index if self.index is not None else self._load(tx)
        if not self.bulk and len(index.streams) > CACHE_LIMIT:
            index.streams = {}  # bounded memory; a repeated link is ignored by the store
        rows: list[tuple[int, int, str, int]] = []
        for position, event in events:
            new = index.links(event)
            if new:
                stream, kind = event.originator_id.int, aggregate_of(event)
                rows.extend((person, stream, kind, position) for person in new)
        if self.bulk:
            self.pending.extend(rows)
            return
        if rows:
            tx.executemany(
                "INSERT INTO {t:subject_streams} (staff_id, stream_id, kind, first_position) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (staff_id, stream_id) DO NOTHING",
                list(_as_text(sorted(rows))),
            )


def uuid_text(value: int) -> str:
    """``str(UUID(int=value))``, without building the UUID (bulk writes do this a lot)."""
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _as_text(rows: Iterable[tuple[int, int, str, int]]) -> Iterator[tuple[str, str, str, int]]:
    people: dict[int, str] = {}
    for person, stream, kind, position in rows:
        text = people.get(person)
        if text is None:
            text = people[person] = uuid_text(person)
        yield text, uuid_text(stream), kind, position


def streams_of(tx: Tx, staff_id: str) -> list[tuple[str, str, int]]:
    """``(stream_id, kind, first_position)`` of the streams that concern a person."""
    rows = tx.query(
        "SELECT stream_id, kind, first_position FROM {t:subject_streams} WHERE staff_id = ? ORDER BY first_position",
        (staff_id,),
    )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
