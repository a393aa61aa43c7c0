"""The appeal view: the appeal and its evidence chain.

For a reviewer (and the appellant) the view shows

- the appeal itself (target, grounds, deadline, reviewer, decision),
- the evidence chain: every event behind the contested record and what it led to — the
  violation's own stream (recorded with evidence, confirmed, later revoked or amended), the
  decisions on the person that rest on it (admonishment, suspension, removal, their
  rescissions) and the appeal's own events — each with its position, type, rule@version,
  actor, valid time and record time,
- the text of every rule cited, in Chinese and English, at the catalogue version the
  reference names (the rule as it stood, not as it reads today),
- the person's state before and after (:func:`person_states`): replayed through the read
  models' own functions (:func:`projections.timetravel.person_as_of`) as the ledger knew it
  just before the contested record entered it, and right after the decision (or now, while
  the appeal is pending).

Streams are read by id (the store's primary-key index), never by scanning the whole log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.appeal import Appeal
from domain.errors import DomainError
from domain.rules import resolve
from projections.envelope import Reveal, envelope
from projections.runner import ProjectionStore
from projections.timetravel import person_as_of
from service.api.tables import dialect_of
from service.application import HallLedger

#: staff-stream events that concern one decision (by admonishment_id / decision_id)
_DECISION_KEYS = ("admonishment_id", "decision_id")


def stream_events(ledger: HallLedger, stream_id: UUID) -> list[tuple[int, Any]]:
    """(position, event) of one stream, in version order."""
    recorder: Any = ledger.recorder
    dialect, schema = dialect_of(ledger)
    table = recorder.events_table_name
    if dialect == "postgres":
        sql = (
            f'SELECT notification_id, originator_id, originator_version, topic, state FROM "{schema}"."{table}" '
            "WHERE originator_id = %s ORDER BY originator_version"
        )
        key: Any = stream_id
    else:
        sql = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
            "WHERE originator_id = ? ORDER BY originator_version"
        )
        key = stream_id.hex
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(sql, (key,))
        rows = cursor.fetchall()
    out = []
    for row in rows:
        values = list(row.values()) if isinstance(row, dict) else list(row)
        position, _, version, topic, state = values
        notification = Notification(
            id=int(position), originator_id=stream_id, originator_version=int(version), topic=topic, state=bytes(state)
        )
        out.append((int(position), ledger.mapper.to_domain_event(notification)))
    return out


def _related_to(event: Any, decision_ids: set[UUID], violation_ids: set[UUID]) -> str | None:
    """How a staff-stream event relates to the contested record (None: unrelated)."""
    for key in _DECISION_KEYS:
        value = getattr(event, key, None)
        if value is not None and value in decision_ids:
            return "decision"
    basis = getattr(event, "basis", None)
    if basis and violation_ids & set(basis):
        return "decision"
    return None


def rule_texts(refs: list[str]) -> list[dict[str, Any]]:
    out = []
    for ref in refs:
        try:
            rule, parsed = resolve(ref)
        except DomainError:  # a reference no catalogue holds: show it, without text
            out.append({"ref": ref, "found": False})
            continue
        out.append(
            {
                "ref": str(parsed),
                "found": True,
                "id": rule.id,
                "version": parsed.version,
                "severity": rule.severity,
                "deduction": str(rule.deduction),
                "title_zh": rule.title_zh,
                "title_en": rule.title_en,
                "text_zh": rule.text_zh,
                "text_en": rule.text_en,
                "items": [
                    {
                        "code": item.code,
                        "title_zh": item.title_zh,
                        "title_en": item.title_en,
                        "severity": item.severity,
                        "deduction": str(item.deduction),
                    }
                    for item in rule.items.values()
                ],
            }
        )
    return out


def _state_summary(answer: dict[str, Any]) -> dict[str, Any]:
    record, ladder, score = answer["record"], answer["escalation"], answer["score"]
    return {
        "known_at": answer["known_at"],
        "as_of": answer["as_of"],
        "last_position": answer["last_position"],
        "status": record["status"],
        "escalation_state": ladder["state"],
        "families": ladder["families"],
        "sanction": ladder["sanction"],
        "dues": ladder["dues"],
        "violations": record["violations"],
        "month": score.get("month"),
        "month_score": score.get("total"),
        "month_grade": score.get("grade"),
    }


def person_states(
    ledger: HallLedger, appeal: Appeal, chain: dict[int, dict[str, Any]], *, store: ProjectionStore | None = None
) -> dict[str, Any]:
    """The appellant's state before the contested record and after the decision.

    *Before*: as the ledger knew the person just before the contested record's first event
    (the violation's recording, or the decision appealed) — a ledger position. *After*: as of
    the decision's record time, which includes the compensating events written with it; while
    the appeal is pending, as known now. Both are replays of the person's events through the
    read models' functions, so they equal what the models showed at those moments.
    """
    contested = [p for p, e in chain.items() if e["relation"] == "contested"]
    decided = next((e for e in chain.values() if e["type"] == "Appeal.Decided"), None)
    before_known: int | None = min(contested) - 1 if contested else None
    after_known = datetime.fromisoformat(decided["recorded_at"].replace("Z", "+00:00")) if decided is not None else None
    out: dict[str, Any] = {"available": True, "policy": None}
    for name, known_at in (("before", before_known), ("after", after_known)):
        try:
            answer = person_as_of(ledger, appeal.staff_id, known_at=known_at, store=store)
        except LookupError:  # not on the ledger's books at that time
            out[name] = None
            continue
        out[name] = _state_summary(answer)
        out["policy"] = answer["escalation"]["policy"]
    out["after_is"] = "decision" if decided is not None else "now"
    return out


def appeal_view(
    ledger: HallLedger, appeal: Appeal, *, reveal: Reveal | None = None, store: ProjectionStore | None = None
) -> dict[str, Any]:
    chain: dict[int, dict[str, Any]] = {}

    def add(position: int, event: Any, relation: str) -> None:
        entry = envelope(event, position, reveal=reveal)
        entry["relation"] = relation
        chain[position] = entry

    violation_ids = set(appeal.violation_ids)
    for violation_id in sorted(violation_ids, key=str):
        relation = "contested" if appeal.target_kind == "violation" else "basis"
        for position, event in stream_events(ledger, violation_id):
            add(position, event, relation)
    decision_ids = {appeal.target_id} if appeal.target_kind != "violation" else set()
    for position, event in stream_events(ledger, appeal.staff_id):
        if _related_to(event, decision_ids, violation_ids) is not None:
            contested = getattr(event, "admonishment_id", None) == appeal.target_id or (
                getattr(event, "decision_id", None) == appeal.target_id
            )
            add(position, event, "contested" if contested else "consequence")
    # decisions found through their basis: follow their later events (rescissions, reinstatement)
    followed = {
        UUID(str(e["data"][k]))
        for e in chain.values()
        for k in _DECISION_KEYS
        if e["stream"] == str(appeal.staff_id) and e["data"].get(k)
    }
    for position, event in stream_events(ledger, appeal.staff_id):
        if position not in chain and _related_to(event, followed, set()) is not None:
            add(position, event, "consequence")
    for position, event in stream_events(ledger, appeal.id):
        add(position, event, "appeal")

    refs: list[str] = []
    for entry in sorted(chain.values(), key=lambda e: e["position"]):
        for ref in (entry.get("rule"), entry["data"].get("amended_rule")):
            if isinstance(ref, str) and ref not in refs:
                refs.append(ref)
    decision = next((e for e in chain.values() if e["type"] == "Appeal.Decided"), None)
    return {
        "id": str(appeal.id),
        "version": appeal.version,
        "status": appeal.status,
        "staff_id": str(appeal.staff_id),
        "target": {"kind": appeal.target_kind, "id": str(appeal.target_id)},
        "violation_ids": [str(v) for v in appeal.violation_ids],
        "rule": appeal.rule,
        "filed_by": {"id": appeal.filed_by.id, "role": appeal.filed_by.role},
        "filed_at": next(e["occurred_at"] for e in chain.values() if e["type"] == "Appeal.Filed"),
        "deadline": appeal.deadline.isoformat(),
        "decision_due": appeal.decision_due.isoformat(),
        "reviewer": {"id": appeal.reviewer.id, "role": appeal.reviewer.role} if appeal.reviewer else None,
        "outcome": appeal.outcome,
        "decision": decision["data"] if decision else None,
        "evidence": [chain[p] for p in sorted(chain)],
        "rules": rule_texts(refs),
        "state": person_states(ledger, appeal, chain, store=store),
    }
