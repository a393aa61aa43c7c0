"""Time travel and explanations (bitemporal): a person as of a valid time, as known at a
record time, and the events behind every value.

- ``as_of`` — valid time: only events that *happened* by then (``occurred_at ≤ as_of``)
  count, and the state is derived as of that moment (deadlines passed, look-backs expired);
- ``known_at`` — record time: only events the ledger had *recorded* by then
  (``recorded_at ≤ known_at``, or a ledger position) count.

"Escalation state of X on 1 Oct as known on 5 Oct" is ``person_as_of(app, x, as_of=1 Oct,
known_at=5 Oct)``. No second implementation: the events concerning the person (the
``subject_index`` model, plus the log's tail it has not indexed yet) are read back from the
events table, filtered, and folded through :func:`projections.facts.evolve`; the record,
the ladder and the score come from :func:`projections.staff_records.record` — exactly the
functions the read models run. Answers are plain JSON-able dicts (the HTTP layer exposes
them as ``GET`` endpoints with ``as_of`` / ``known_at``).

- :func:`person_as_of` — record, escalation state and month score;
- :func:`explain` — for one value (``status``, ``escalation``, ``score``, ``violations``),
  the events that produced it: position, type, rule@version, actor, occurred_at, recorded_at;
- :func:`history` — the timeline: after each event, the status, ladder state and score.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from domain.policies.escalation import EscalationPolicy, load_escalation_policy
from domain.policies.scoring import ScoringPolicy, load_scoring_policy
from projections.envelope import envelope
from projections.facts import HallFacts, evolve, iso, micros
from projections.runner import ProjectionStore
from projections.staff_records import record
from projections.subject_index import SubjectIndex, streams_of

When = datetime | int | None
Events = list[tuple[int, Any]]


# ── reading a person's events back from the log ───────────────────────────────


def read_streams(store: ProjectionStore, stream_ids: Iterable[str], *, upto: int | None = None) -> Events:
    """Every event of the given streams, with its ledger position, in log order."""
    ids = sorted(set(stream_ids))
    if not ids:
        return []
    recorder = store.recorder
    table = recorder.events_table_name
    mapper = store.app.mapper
    out: Events = []
    with store.transaction() as tx:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            if store.dialect == "postgres":
                rows = tx.query(
                    f"SELECT notification_id, originator_id, originator_version, topic, state "
                    f"FROM {tx.plain(table)} WHERE originator_id IN ({marks})",
                    [UUID(i) for i in chunk],
                )
            else:
                rows = tx.query(
                    f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
                    f"WHERE originator_id IN ({marks})",
                    [UUID(i).hex for i in chunk],
                )
            for position, originator, version, topic, state in rows:
                if upto is not None and position > upto:
                    continue
                n = Notification(
                    id=int(position),
                    originator_id=originator if isinstance(originator, UUID) else UUID(originator),
                    originator_version=int(version),
                    topic=topic,
                    state=bytes(state),
                )
                out.append((n.id, mapper.to_domain_event(n)))
    out.sort(key=lambda pe: pe[0])
    return out


def events_concerning(app: Application[Any], staff_id: UUID | str, *, store: ProjectionStore | None = None) -> Events:
    """All events concerning a person: the streams the ``subject_index`` model links to
    them, plus any the log's unindexed tail links to them (same rule, in memory)."""
    store = store or ProjectionStore(app)
    person = str(staff_id)
    head = store.head()
    indexed = store.tracked("subject_index")
    with store.transaction() as tx:
        streams = {s for s, _, _ in streams_of(tx, person)} if store.table_exists(tx, "subject_streams") else set()
    if not indexed:
        streams = set()
    index = SubjectIndex()
    index.staff.add(UUID(person).int)
    for stream in streams:
        index.link(stream, person)
    position = indexed
    while position < head:
        page = app.recorder.select_notifications(start=position, limit=2000, stop=head, inclusive_of_start=False)
        if not page:
            break
        for n in page:
            event = app.mapper.to_domain_event(n)
            if person in index.people_of(event):
                streams.add(str(n.originator_id))
        position = page[-1].id
    streams.add(person)
    return read_streams(store, streams, upto=head)


# ── folding them ──────────────────────────────────────────────────────────────


def _micros(when: When, events: Events) -> int | None:
    """A moment as microseconds; an int is a ledger position (its event's record time)."""
    if when is None:
        return None
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("as_of / known_at must carry a timezone")
        return micros(when)
    raise TypeError("a position is only accepted as known_at")


def select(events: Events, as_of: datetime | None, known_at: When) -> Events:
    """The events that had happened by ``as_of`` and were recorded by ``known_at``."""
    valid = micros(as_of) if as_of is not None else None
    chosen = []
    for position, event in events:
        if valid is not None and micros(event.occurred_at) > valid:
            continue
        if isinstance(known_at, int) and not isinstance(known_at, bool):
            if position > known_at:
                continue
        elif known_at is not None and event.timestamp > known_at:
            continue
        chosen.append((position, event))
    return chosen


def _as_of_micros(as_of: datetime | None, known_at: When, events: Events) -> int:
    if as_of is not None:
        return micros(as_of)
    if isinstance(known_at, datetime):
        return micros(known_at)
    recorded = [micros(e.timestamp) for p, e in events if not isinstance(known_at, int) or p <= known_at]
    return max(recorded, default=0)


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def jsonable_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """:func:`jsonable` of an answer (always a JSON object)."""
    return {str(k): jsonable(v) for k, v in doc.items()}


def _fold(events: Events) -> HallFacts:
    facts = HallFacts()
    for position, event in events:
        evolve(facts, position, event)
    return facts


def _state(
    facts: HallFacts, person: str, as_of: int, escalation: EscalationPolicy, scoring: ScoringPolicy
) -> dict[str, Any]:
    found = facts.persons.get(person)
    if found is None or found["core"]["profile"] is None:
        raise LookupError(f"no staff member {person} is known at that time")
    return record(found["core"], found["months"], as_of, escalation, scoring)


def person_as_of(
    app: Application[Any],
    staff_id: UUID | str,
    as_of: datetime | None = None,
    known_at: When = None,
    *,
    escalation: EscalationPolicy | None = None,
    scoring: ScoringPolicy | None = None,
    store: ProjectionStore | None = None,
) -> dict[str, Any]:
    """A person's record, escalation state and month score as of ``as_of`` (valid time;
    default: ``known_at``, else the newest record time of their events) as known at
    ``known_at`` (record time or ledger position; default: everything recorded)."""
    escalation = escalation or load_escalation_policy()
    scoring = scoring or load_scoring_policy()
    person = str(staff_id)
    everything = events_concerning(app, person, store=store)
    chosen = select(everything, as_of, known_at)
    when = _as_of_micros(as_of, known_at, everything)
    r = _state(_fold(chosen), person, when, escalation, scoring)
    return jsonable_doc(
        {
            "staff_id": person,
            "as_of": iso(when),
            "known_at": known_at if isinstance(known_at, int) else (iso(micros(known_at)) if known_at else None),
            "events": len(chosen),
            "last_position": max((p for p, _ in chosen), default=None),
            "record": {k: v for k, v in r.items() if k not in ("escalation", "score", "next_change_t")},
            "escalation": _escalation_view(r["escalation"]),
            "score": _score_view(r["score"]),
        }
    )


def _escalation_view(ladder: dict[str, Any]) -> dict[str, Any]:
    out = dict(ladder)
    out["transitions"] = [dict(t, at=iso(t["t"])) for t in ladder["transitions"]]
    for t in out["transitions"]:
        del t["t"]
    out["dues"] = [dict(d, since=iso(d["since"]), due_by=iso(d["due_by"])) for d in ladder["dues"]]
    out["alerts"] = [dict(d, since=iso(d["since"]), due_by=iso(d["due_by"])) for d in ladder["alerts"]]
    out["steps"] = [dict(s, at=iso(s["t"])) for s in ladder["steps"]]
    for s in out["steps"]:
        del s["t"]
    out["next_change_at"] = iso(ladder["next_change_t"])
    del out["next_change_t"]
    return out


def _score_view(score: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in score.items() if k != "staff_no"}


# ── explanations ──────────────────────────────────────────────────────────────

WHAT = ("status", "escalation", "score", "violations")


def describe(position: int, event: Any) -> dict[str, Any]:
    """An event as an explanation names it (a subset of the documented envelope)."""
    env = envelope(event, position)
    return {
        "position": position,
        "type": env["type"],
        "stream": env["stream"],
        "rule": env["rule"],
        "actor": env["actor"],
        "occurred_at": env["occurred_at"],
        "recorded_at": env["recorded_at"],
    }


def explain(
    app: Application[Any],
    staff_id: UUID | str,
    what: str,
    *,
    as_of: datetime | None = None,
    known_at: When = None,
    escalation: EscalationPolicy | None = None,
    scoring: ScoringPolicy | None = None,
    store: ProjectionStore | None = None,
) -> dict[str, Any]:
    """The events that produced one value of a person's state.

    ``what``: ``status`` (the status and the posting), ``escalation`` (every transition of
    the ladder and every due decision), ``score`` (every line of the month's score) or
    ``violations`` / ``violations:ART6`` (the violations counted, optionally of one article).
    """
    kind, _, article = what.partition(":")
    if kind not in WHAT:
        raise ValueError(f"explain what? one of {', '.join(WHAT)} (got {what!r})")
    escalation = escalation or load_escalation_policy()
    scoring = scoring or load_scoring_policy()
    person = str(staff_id)
    everything = events_concerning(app, person, store=store)
    chosen = select(everything, as_of, known_at)
    when = _as_of_micros(as_of, known_at, everything)
    facts = _fold(chosen)
    r = _state(facts, person, when, escalation, scoring)
    core = facts.persons[person]["core"]
    by_position = dict(chosen)
    answer: dict[str, Any] = {"staff_id": person, "what": what, "as_of": iso(when)}
    positions: set[int] = set()
    if kind == "status":
        answer["value"] = {"status": r["status"], "window_id": r["window_id"], "posting_start": r["posting_start"]}
        positions.update(p for p in (core["status_pos"], core["profile"]["pos"]) if p is not None)
        positions.update(p["pos"] for p in core["postings"])
    elif kind == "escalation":
        ladder = r["escalation"]
        answer["value"] = {"state": ladder["state"], "policy": ladder["policy"], "dues": len(ladder["dues"])}
        answer["transitions"] = [
            {
                "at": iso(t["t"]),
                "family": t["family"],
                "from": t["from"],
                "to": t["to"],
                "state": t["state"],
                "reason": t["reason"],
                "rule": t["rule"],
                "events": [describe(p, by_position[p]) for p in t["causes"] if p in by_position],
            }
            for t in ladder["transitions"]
        ]
        for t in ladder["transitions"]:
            positions.update(t["causes"])
        for d in ladder["dues"]:
            positions.update(d["causes"])
    elif kind == "score":
        score = r["score"]
        answer["value"] = {"month": score["month"], "total": score["total"], "grade": score["grade"]}
        answer["policy"] = score["policy"]
        answer["lines"] = [
            {
                "kind": line["kind"],
                "points": line["points"],
                "rule": line["rule"],
                "item": line["item"],
                "provisional": line.get("provisional", False),
                "events": [describe(p, by_position[p]) for p in line["positions"] if p in by_position],
            }
            for line in score["lines"]
        ]
        for line in score["lines"]:
            positions.update(line["positions"])
    else:
        from projections.escalation import rule_of

        chosen_violations = {
            vid: v
            for vid, v in core["violations"].items()
            if not article or f"ART{rule_of(v['rule']).article}" == article
        }
        answer["value"] = {
            status: sum(1 for v in chosen_violations.values() if v["status"] == status)
            for status in ("confirmed", "pending", "dismissed", "revoked")
        }
        for v in chosen_violations.values():
            positions.update(v["pos"])
    answer["events"] = [describe(p, by_position[p]) for p in sorted(positions) if p in by_position]
    return jsonable_doc(answer)


def history(
    app: Application[Any],
    staff_id: UUID | str,
    *,
    as_of: datetime | None = None,
    known_at: When = None,
    escalation: EscalationPolicy | None = None,
    scoring: ScoringPolicy | None = None,
    store: ProjectionStore | None = None,
) -> dict[str, Any]:
    """The person's timeline in log order: after each event (as of its record time), the
    status, the ladder state and the month's score — an entry wherever one of them changed."""
    escalation = escalation or load_escalation_policy()
    scoring = scoring or load_scoring_policy()
    person = str(staff_id)
    chosen = select(events_concerning(app, person, store=store), as_of, known_at)
    facts = HallFacts()
    entries: list[dict[str, Any]] = []
    previous: tuple[Any, ...] | None = None
    for position, event in chosen:
        evolve(facts, position, event)
        found = facts.persons.get(person)
        if found is None or found["core"]["profile"] is None:
            continue
        when = micros(event.timestamp)
        if as_of is not None:
            when = min(when, micros(as_of))
        r = record(found["core"], found["months"], when, escalation, scoring)
        now = (r["status"], r["escalation_state"], r["month"], r["month_score"], r["month_grade"])
        if now != previous:
            entries.append(
                {
                    "event": describe(position, event),
                    "status": r["status"],
                    "escalation_state": r["escalation_state"],
                    "month": r["month"],
                    "month_score": r["month_score"],
                    "month_grade": r["month_grade"],
                }
            )
            previous = now
    return jsonable_doc({"staff_id": person, "entries": entries})
