"""Subject index (人员事件索引): which streams of the log concern which person.

Question it answers: *which events concern this person?* — for time travel and explain
answers (``projections/timetravel.py``), which read those streams back from the events table
and fold them through the same code as the read models.

Many events concern a person without naming them: ``Violation.Confirmed`` or ``Revoked``
live in the violation's stream, an appeal's decision in the appeal's stream. The index
therefore maps *streams* to people: a stream concerns a person once any of its events names
them — a field holding their staff id (``staff_id``, ``completed_by``, ``substitute`` …), or
a field naming a stream that already concerns them (``Appeal.Filed.target_id`` naming a
violation) — and from then on every event of the stream does, including the earlier ones
(time travel reads the whole stream). A person's own ``StaffMember`` stream concerns them
from its first event. The rule is generic, so the processes other modules add (inquiries,
service cases, duty shifts …) are indexed without a change here.

Table ``subject_streams`` (one row per person and stream): ``staff_id``, ``stream_id``,
``kind`` (the aggregate, e.g. ``Violation``), ``first_position`` (the event that linked
them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from domain.staff import StaffMember
from projections.base import ReadModel, Table, Tx

_NONE: frozenset[str] = frozenset()
CACHE_LIMIT = 200_000


def referenced_ids(event: Any) -> Iterator[str]:
    """The UUIDs an event names in its own fields (not its stream id)."""
    for name, value in vars(event).items():
        if name == "originator_id":
            continue
        if isinstance(value, UUID):
            yield str(value)
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, UUID):
                    yield str(item)


def aggregate_of(event: Any) -> str:
    return type(event).__qualname__.partition(".")[0]


class SubjectIndex:
    """The pure core: stream → people, grown event by event (also used for a log's tail)."""

    def __init__(self) -> None:
        self.staff: set[str] = set()
        self.streams: dict[str, frozenset[str]] = {}

    def people_of(self, event: Any) -> frozenset[str]:
        """The people an event concerns, learning new stream links as it goes; the links
        this event created are left in :attr:`last_new`.

        A person's own stream concerns only them (a successor or a replaced colleague named
        in a posting event has a stream of their own)."""
        stream = str(event.originator_id)
        people: set[str] = set()
        if isinstance(event, StaffMember.Event):
            self.staff.add(stream)
            people.add(stream)
        else:
            for ref in referenced_ids(event):
                if ref in self.staff:
                    people.add(ref)
                else:
                    linked = self.streams.get(ref)
                    if linked:
                        people.update(linked)
        known = self.streams.get(stream, _NONE)
        new = frozenset(people - known)
        if new:
            self.streams[stream] = known | new
        self.last_new = new
        return known | new

    last_new: frozenset[str] = _NONE


class SubjectIndexModel(ReadModel):
    """``subject_index``: follows every event; writes a row when a stream first concerns someone."""

    name = "subject_index"
    version = 1
    topics = ()  # every event: any process may name a person
    tables = (
        Table(
            "subject_streams",
            "staff_id {text} NOT NULL, stream_id {text} NOT NULL, kind {text} NOT NULL, "
            "first_position {int} NOT NULL, PRIMARY KEY (staff_id, stream_id)",
            indexes=("stream_id",),
        ),
    )

    def __init__(self) -> None:
        self.index: SubjectIndex | None = None

    def reset(self) -> None:
        self.index = None

    def _load(self, tx: Tx) -> SubjectIndex:
        index = SubjectIndex()
        index.staff = {
            row[0] for row in tx.query("SELECT staff_id FROM {t:subject_streams} WHERE kind = 'StaffMember'")
        }
        self.index = index
        return index

    def _prefetch(self, tx: Tx, index: SubjectIndex, events: Sequence[tuple[int, Any]]) -> None:
        """Load the links of the streams this batch touches or names (one query per chunk)."""
        touched: set[str] = set()
        for _, event in events:
            touched.add(str(event.originator_id))
            if not isinstance(event, StaffMember.Event):
                touched.update(r for r in referenced_ids(event) if r not in index.staff)
        if len(index.streams) + len(touched) > CACHE_LIMIT:  # bounded memory: keep this batch's links
            index.streams = {k: v for k, v in index.streams.items() if k in touched}
        wanted = sorted(s for s in touched if s not in index.streams)
        found: dict[str, set[str]] = {s: set() for s in wanted}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = tx.query(
                "SELECT stream_id, staff_id FROM {t:subject_streams} WHERE stream_id IN ("
                + ", ".join("?" * len(chunk))
                + ")",
                chunk,
            )
            for stream_id, staff_id in rows:
                found[stream_id].add(staff_id)
        for stream_id, people in found.items():
            index.streams[stream_id] = frozenset(people)

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        index = self.index if self.index is not None else self._load(tx)
        self._prefetch(tx, index, events)
        rows = []
        for position, event in events:
            index.people_of(event)
            for staff_id in sorted(index.last_new):
                rows.append((staff_id, str(event.originator_id), aggregate_of(event), position))
        tx.executemany(
            "INSERT INTO {t:subject_streams} (staff_id, stream_id, kind, first_position) VALUES (?, ?, ?, ?)", rows
        )


def streams_of(tx: Tx, staff_id: str) -> list[tuple[str, str, int]]:
    """``(stream_id, kind, first_position)`` of the streams that concern a person."""
    rows = tx.query(
        "SELECT stream_id, kind, first_position FROM {t:subject_streams} WHERE staff_id = ? ORDER BY first_position",
        (staff_id,),
    )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
