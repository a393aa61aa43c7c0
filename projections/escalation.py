"""Escalation state per person — the ART2.1.3 ladder generalised as a versioned policy.

Question it answers: *where does this person stand on the ladder, why, and what does the
hall owe them a decision on?*

The pure core lives in ``domain/ladder.py`` — :func:`derive` (``derive(core, policy, as_of)
-> state``) walks a person's facts (``projections/facts.py``) in valid-time order and
re-derives the whole ladder every time, from the *current* status of every violation
(confirmed; not pending, under appeal, dismissed or revoked), so a revocation re-derives the
ladder without the item and nothing is ever patched. Time travel (``projections/timetravel.py``)
calls the same function over facts folded from a person's events up to a valid and a record
time, and the write side asks :func:`domain.ladder.judge_sanction` — the same walk and the same
:func:`domain.ladder.sanction_verdict` that marks a decided sanction supported here — before it
records a suspension or removal (ART2.1.3), so the command and this model never disagree.
This module re-exports the ladder's names and persists its result.

Decisions are facts the ladder checks, not the ladder itself: an admonishment whose basis
is no longer confirmed, or a suspension the re-derived ladder does not call for (its
warning was overturned), stays on record as decided but is *unsupported* — the state is the
re-derived ladder, and a ``rescission`` is due. Every step the hall has not decided on
within ``decision_due_days`` is an alert. Every transition keeps the ledger positions of
the events that caused it.

Tables (``docs/read-models.md``): ``escalation_states`` (one row per person),
``escalation_transitions`` (the walk, one row per change), ``escalation_dues`` (decisions
owed: admonishment, suspension or removal, rescission — overdue ones are the alerts),
``escalation_facts`` (the inputs, to resume after a restart).
"""

from __future__ import annotations

import json
from typing import Any

from domain.ladder import (
    ADMONISHMENT_DUE,
    CLEAR,
    GRAVITY,
    PROBATION,
    REINSTATED,
    REMOVED,
    SANCTION_DUE,
    SUSPENDED,
    WARNED,
    Family,
    SanctionVerdict,
    Step,
    Walk,
    counting_steps,
    derive,
    judge_sanction,
    rule_of,
    sanction_verdict,
)
from domain.policies.escalation import EscalationPolicy, load_escalation_policy
from projections.base import Table, Tx
from projections.facts import ORGANISATION, PEOPLE, FactsModel, HallFacts, iso, micros_of

__all__ = [
    "ADMONISHMENT_DUE", "CLEAR", "GRAVITY", "PROBATION", "REINSTATED", "REMOVED", "SANCTION_DUE", "SUSPENDED",
    "WARNED", "EscalationModel", "Family", "SanctionVerdict", "Step", "Walk", "counting_steps", "derive",
    "judge_sanction", "rule_of", "sanction_verdict", "state_row",
]  # fmt: skip

# ── the read model ────────────────────────────────────────────────────────────


class EscalationModel(FactsModel):
    """``escalation``: the ladder state of every person, its transitions and the dues."""

    name = "escalation"
    replay_cost = 0.5
    version = 3
    keeps_months = False
    follows = ORGANISATION + PEOPLE
    tables = (
        Table(
            "escalation_states",
            "staff_id {text} PRIMARY KEY, state {text} NOT NULL, families {json} NOT NULL, "
            "sanction_decision {text}, sanction_kind {text}, sanction_supported {bool}, remedy_due {text}, "
            "dues {int} NOT NULL, alerts {int} NOT NULL, blocked {json} NOT NULL, last_change_at {text}, "
            "last_change_positions {json} NOT NULL, next_change_at {text}, policy {text} NOT NULL, "
            "referrals {json} NOT NULL",
        ),
        Table(
            "escalation_transitions",
            "staff_id {text} NOT NULL, seq {int} NOT NULL, at {text} NOT NULL, family {text}, from_level {text}, "
            "to_level {text}, state_before {text} NOT NULL, state {text} NOT NULL, reason {text} NOT NULL, "
            "rule {text}, cause_positions {json} NOT NULL, policy {text} NOT NULL, PRIMARY KEY (staff_id, seq)",
        ),
        Table(
            "escalation_dues",
            "staff_id {text} NOT NULL, kind {text} NOT NULL, family {text} NOT NULL, decision {text} NOT NULL, "
            "since {text} NOT NULL, due_by {text} NOT NULL, overdue {bool} NOT NULL, recommended {text}, "
            "cause_positions {json} NOT NULL, policy {text} NOT NULL, PRIMARY KEY (staff_id, kind, family, decision)",
            indexes=("due_by",),
        ),
        FactsModel.facts_table("escalation_facts"),
        FactsModel.as_of_table("escalation_as_of"),
    )

    def __init__(self, policy: EscalationPolicy | None = None) -> None:
        super().__init__()
        self.policy = policy or load_escalation_policy()

    def fresh(self) -> EscalationModel:
        return type(self)(self.policy)

    def restore(self, tx: Tx, facts: HallFacts) -> None:
        for staff_id, next_change in tx.query("SELECT staff_id, next_change_at FROM {t:escalation_states}"):
            self.wake[staff_id] = micros_of(next_change)

    def write(self, tx: Tx, facts: HallFacts, persons: set[str], *, full: bool) -> None:
        rows, transitions, dues = [], [], []
        for staff_id in sorted(persons):
            core = facts.core(staff_id)
            if core["profile"] is None:
                continue
            state = derive(core, self.policy, facts.clock)
            self.wake[staff_id] = state["next_change_t"]
            rows.append(state_row(staff_id, state, tx))
            for tr in state["transitions"]:
                transitions.append(
                    (
                        staff_id, tr["seq"], iso(tr["t"]), tr["family"], tr["from"], tr["to"], tr["state_before"],
                        tr["state"], tr["reason"], tr["rule"], json.dumps(tr["causes"]), self.policy.ref,
                    )
                )  # fmt: skip
            for d in state["dues"]:
                dues.append(
                    (
                        staff_id, d["kind"], d["family"] or "", d["decision"] or "", iso(d["since"]), iso(d["due_by"]),
                        tx.bool(d["overdue"]), d["recommended"], json.dumps(d["causes"]), self.policy.ref,
                    )
                )  # fmt: skip
        if not rows:
            return
        ids = [(r[0],) for r in rows]
        tx.executemany("DELETE FROM {t:escalation_states} WHERE staff_id = ?", ids)
        tx.executemany("DELETE FROM {t:escalation_transitions} WHERE staff_id = ?", ids)
        tx.executemany("DELETE FROM {t:escalation_dues} WHERE staff_id = ?", ids)
        tx.executemany(
            "INSERT INTO {t:escalation_states} (staff_id, state, families, sanction_decision, sanction_kind, "
            "sanction_supported, remedy_due, dues, alerts, blocked, last_change_at, last_change_positions, "
            "next_change_at, policy, referrals) VALUES (" + ", ".join("?" * 15) + ")",
            rows,
        )
        tx.executemany(
            "INSERT INTO {t:escalation_transitions} (staff_id, seq, at, family, from_level, to_level, state_before, "
            "state, reason, rule, cause_positions, policy) VALUES (" + ", ".join("?" * 12) + ")",
            transitions,
        )
        tx.executemany(
            "INSERT INTO {t:escalation_dues} (staff_id, kind, family, decision, since, due_by, overdue, recommended, "
            "cause_positions, policy) VALUES (" + ", ".join("?" * 10) + ")",
            dues,
        )


def state_row(staff_id: str, state: dict[str, Any], tx: Tx) -> tuple[Any, ...]:
    sanction = state["sanction"] or {}
    last = state["transitions"][-1] if state["transitions"] else None
    return (
        staff_id,
        state["state"],
        json.dumps(state["families"], ensure_ascii=False, sort_keys=True),
        sanction.get("decision"),
        sanction.get("kind"),
        tx.bool(sanction["supported"]) if sanction else None,
        state["remedy_due"],
        len(state["dues"]),
        len(state["alerts"]),
        json.dumps(state["blocked"], sort_keys=True),
        iso(last["t"]) if last else None,
        json.dumps(last["causes"] if last else []),
        iso(state["next_change_t"]),
        state["policy"],
        json.dumps(state["referrals"], ensure_ascii=False, sort_keys=True),
    )
