"""Escalation state per person — the ART2.1.3 ladder generalised as a versioned policy.

Question it answers: *where does this person stand on the ladder, why, and what does the
hall owe them a decision on?*

The pure core is :func:`derive` — ``derive(core, policy, as_of) -> state``: it walks a
person's facts (``projections/facts.py``) in valid-time order and re-derives the whole
ladder every time, from the *current* status of every violation (confirmed; not pending,
under appeal, dismissed or revoked), so a revocation re-derives the ladder without the item
and nothing is ever patched. Time travel (``projections/timetravel.py``) calls the same
function over facts folded from a person's events up to a valid and a record time.

Ladder (per family of the policy; a person's state is the gravest family's)::

    clear ─step─► admonishment_due ─AdmonishmentIssued─► warned (remedy due by a date)
    warned ─RemedyCompleted─► probation ─clean_days without a step─► clear
    warned | probation ─step in the family─┐
    warned ─remedy due date passed─────────┼─► suspension_or_removal_due
    any ─serious violation─────────────────┘        │
                 SuspensionDecided / RemovalFromPostDecided ─► suspended | removed
    suspended ─Reinstated─► reinstated ─reinstated_clean_days─► clear
    reinstated ─step─► suspension_or_removal_due

A *step* is one confirmed major violation, every 3rd confirmed minor one within 90 days
(same family), or (once ratings land) 3 verified bad ratings within 90 days; a serious one
makes a sanction due at once. A step counts for ``look_back_days``.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.policies.escalation import EscalationPolicy, load_escalation_policy
from domain.rules import Rule, resolve
from projections.base import Table, Tx
from projections.facts import (
    CONFIRMED,
    DAY,
    ORGANISATION,
    PEOPLE,
    Doc,
    FactsModel,
    HallFacts,
    day_end,
    iso,
    micros_of,
)

CLEAR = "clear"
ADMONISHMENT_DUE = "admonishment_due"
WARNED = "warned"
PROBATION = "probation"
SANCTION_DUE = "suspension_or_removal_due"
SUSPENDED = "suspended"
REMOVED = "removed"
REINSTATED = "reinstated"

#: gravity of a family level when several families disagree (the gravest is the person's)
GRAVITY = {CLEAR: 0, PROBATION: 1, WARNED: 2, ADMONISHMENT_DUE: 3, SANCTION_DUE: 4}

_RULES: dict[str, Rule] = {}


def rule_of(ref: str) -> Rule:
    """The rule a reference (``ART6.5@2026.1``) names, as its catalogue version states it."""
    found = _RULES.get(ref)
    if found is None:
        found = _RULES[ref] = resolve(ref)[0]
    return found


@dataclass
class Step:
    """One counting step on the ladder."""

    t: int
    family: str
    kind: str  # violation | minor_group | serious | bad_ratings
    violations: list[str]
    positions: list[int]
    rule: str


@dataclass
class Family:
    level: str = CLEAR
    since: int = 0
    last_t: int = 0
    causes: list[int] = field(default_factory=list)
    warning: str | None = None  # admonishment id
    remedy_due: str | None = None
    remedy_done: bool = False
    serious: bool = False


@dataclass
class Walk:
    """The state of the walk through a person's ladder facts (internal to :func:`derive`)."""

    policy: EscalationPolicy
    families: dict[str, Family] = field(default_factory=dict)
    sanction: dict[str, Any] | None = None
    reinstated_t: int | None = None
    reinstated_last: int = 0
    served: list[int] = field(default_factory=list)  # times of supported sanctions
    transitions: list[dict[str, Any]] = field(default_factory=list)
    state: str = CLEAR

    def family(self, name: str) -> Family:
        found = self.families.get(name)
        if found is None:
            found = self.families[name] = Family()
        return found

    def person_state(self) -> str:
        if self.sanction is not None and self.sanction["supported"]:
            return SUSPENDED if self.sanction["kind"] == "suspension" else REMOVED
        gravest = max((f.level for f in self.families.values()), key=GRAVITY.__getitem__, default=CLEAR)
        if gravest == CLEAR and self.reinstated_t is not None:
            return REINSTATED
        return gravest

    def move(
        self,
        t: int,
        family: str | None,
        to: str | None,
        reason: str,
        causes: list[int],
        rule: str | None,
        *,
        force: bool = False,
    ) -> None:
        """Record a change of a family's level (``to``) or of the person's state (``force``:
        record the step even when nothing changes — a decision the ladder does not support)."""
        before = after = None
        if family is not None:
            fam = self.family(family)
            before = fam.level
            if to is not None and to != fam.level:
                fam.level, fam.since = to, t
            after = fam.level
        state = self.person_state()
        if state != self.state or before != after or force:
            self.transitions.append(
                {
                    "seq": len(self.transitions) + 1,
                    "t": t,
                    "family": family,
                    "from": before,
                    "to": after,
                    "state_before": self.state,
                    "state": state,
                    "reason": reason,
                    "causes": sorted(set(causes)),
                    "rule": rule,
                }
            )
            self.state = state

    # ── time-driven changes ──────────────────────────────────────────────────

    def expiry(self, fam: Family) -> int | None:
        policy = self.policy
        if fam.level in (WARNED, PROBATION):
            return fam.last_t + policy.clean_days * DAY
        if fam.level in (ADMONISHMENT_DUE, SANCTION_DUE):
            return fam.last_t + policy.look_back_days * DAY
        return None

    def next_trigger(self) -> tuple[int, str, str | None] | None:
        found: tuple[int, str, str | None] | None = None
        for name, fam in self.families.items():
            candidates: list[tuple[int, str]] = []
            if fam.level == WARNED and not fam.remedy_done and fam.remedy_due:
                candidates.append((day_end(date.fromisoformat(fam.remedy_due)), "remedy_missed"))
            expires = self.expiry(fam)
            if expires is not None:
                candidates.append((expires, "expired"))
            for when, why in candidates:
                if found is None or when < found[0]:
                    found = (when, why, name)
        if self.reinstated_t is not None:
            when = max(self.reinstated_t, self.reinstated_last) + self.policy.reinstated_clean_days * DAY
            if found is None or when < found[0]:
                found = (when, "probation_served", None)
        return found

    def advance(self, until: int) -> None:
        """Apply every time-driven change up to (and including) ``until``."""
        while True:
            trigger = self.next_trigger()
            if trigger is None or trigger[0] > until:
                return
            when, why, name = trigger
            if name is None:
                self.reinstated_t = None
                self.move(when, None, None, "probation after reinstatement served", [], None)
                continue
            fam = self.families[name]
            if why == "remedy_missed":
                fam.serious = False
                self.move(when, name, SANCTION_DUE, "remedy not completed by its due date", fam.causes, None)
            else:
                fam.warning, fam.remedy_due, fam.causes, fam.serious = None, None, [], False
                reason = "clean period served" if fam.level in (WARNED, PROBATION) else "step older than the look-back"
                self.move(when, name, CLEAR, reason, [], None)


def counting_steps(core: Doc, policy: EscalationPolicy) -> tuple[list[Step], list[dict[str, Any]]]:
    """The steps a person's confirmed violations make, and the ones blocked by an appeal."""
    steps: list[Step] = []
    blocked: list[dict[str, Any]] = []
    grouped: dict[str, list[tuple[int, str, Doc]]] = {}
    for violation_id, v in core["violations"].items():
        if v["status"] != CONFIRMED:
            continue  # only the current status counts (S41)
        rule = rule_of(v["rule"])
        if policy.rules == "catalogue" and not rule.ladder:
            continue
        if policy.is_excluded(rule.id, v["item"]):
            continue
        family = policy.family_of(rule.id, v["item"])
        if family is None:
            continue
        if v["appeal"] is not None:
            blocked.append({"violation": violation_id, "appeal": v["appeal"], "positions": list(v["pos"])})
            continue
        severity = v["severity"]
        if severity in policy.immediate_severities:
            steps.append(Step(v["t"], family, "serious", [violation_id], list(v["pos"]), v["rule"]))
        elif severity in policy.step_severities:
            steps.append(Step(v["t"], family, "violation", [violation_id], list(v["pos"]), v["rule"]))
        elif severity in policy.grouped_severities:
            grouped.setdefault(family, []).append((v["t"], violation_id, v))
    # "反复被差评": verified bad ratings (not contested or excluded) and verified complaints
    bad: list[tuple[int, str, Doc]] = []
    for bad_id, b in core.get("bad", {}).items():
        if b["kind"] == "rating" and b["status"] == "contested":
            blocked.append({"rating": bad_id, "positions": list(b["pos"])})
        elif (b["kind"] == "rating" and b["status"] == "counting") or (
            b["kind"] == "complaint" and b["status"] == "verified"
        ):
            bad.append((b["t"], bad_id, b))
    bad.sort(key=lambda b: (b[0], b[2]["pos"][0]))
    pending_bad: list[tuple[int, str, Doc]] = []
    for item in bad:
        pending_bad = [p for p in pending_bad if p[0] > item[0] - policy.bad_ratings_window_days * DAY]
        pending_bad.append(item)
        if len(pending_bad) == policy.bad_ratings_per_step:
            positions = sorted(p for _, _, b in pending_bad for p in b["pos"])
            steps.append(
                Step(
                    item[0], policy.bad_rating_family, "bad_ratings", [b[1] for b in pending_bad], positions, policy.ref
                )
            )
            pending_bad = []
    window = policy.minor_window_days * DAY
    for family, minors in grouped.items():
        minors.sort(key=lambda m: (m[0], m[2]["pos"][0]))
        pending: list[tuple[int, str, Doc]] = []
        for minor in minors:
            pending = [p for p in pending if p[0] > minor[0] - window]
            pending.append(minor)
            if len(pending) == policy.minor_per_step:
                positions = sorted(p for _, _, v in pending for p in v["pos"])
                steps.append(
                    Step(minor[0], family, "minor_group", [m[1] for m in pending], positions, minor[2]["rule"])
                )
                pending = []
    return steps, blocked


def _basis_confirmed(core: Doc, basis: Sequence[str]) -> list[Doc]:
    return [
        core["violations"][b] for b in basis if b in core["violations"] and core["violations"][b]["status"] == CONFIRMED
    ]


def _basis_fell_at(core: Doc, basis: Sequence[str], decided_t: int) -> int:
    """When a decision lost its support: the latest revocation of one of its basis
    violations, or — when its basis stands but the warning it rested on was overturned — the
    latest revocation of any of the person's violations or rescission of an admonishment
    after the decision."""
    times = [core["violations"][b]["status_t"] for b in basis if b in core["violations"]]
    times += [v["status_t"] for v in core["violations"].values() if v["status"] == "revoked"]
    times += [a["rescinded_t"] for a in core["admonishments"].values() if a["rescinded_t"] is not None]
    return max([decided_t, *(t for t in times if t >= decided_t)])


def derive(core: Doc, policy: EscalationPolicy, as_of: int) -> dict[str, Any]:
    """The escalation state of one person as of valid time ``as_of`` (microseconds).

    ``core`` holds the facts known (as folded by :func:`projections.facts.evolve`); the
    result is JSON-able and names, for every transition and every due decision, the ledger
    positions of the events behind it.
    """
    steps, blocked = counting_steps(core, policy)
    items: list[tuple[int, int, str, Any]] = [(s.t, s.positions[0], "step", s) for s in steps]
    for admonishment_id, a in core["admonishments"].items():
        if a["rescinded_t"] is None:
            items.append((a["t"], a["pos"][0], "admonishment", (admonishment_id, a)))
            if a["completed_t"] is not None:
                items.append((a["completed_t"], a["pos"][1], "remedy", (admonishment_id, a)))
    for decision_id, s in core["sanctions"].items():
        if s["rescinded_t"] is None:
            items.append((s["t"], s["pos"][0], "sanction", (decision_id, s)))
            if s["reinstated_t"] is not None:
                items.append((s["reinstated_t"], s["pos"][1], "reinstated", (decision_id, s)))
    for posting in core["postings"]:
        items.append((_posting_t(posting), posting["pos"], "posted", posting))
    items.sort(key=lambda i: (i[0], i[1]))

    walk = Walk(policy)
    unsupported: list[dict[str, Any]] = []
    for t, _, kind, item in items:
        walk.advance(t - 1)
        if kind == "step":
            _step(walk, item)
        elif kind == "admonishment":
            _admonishment(walk, core, policy, t, *item, unsupported)
        elif kind == "remedy":
            admonishment_id, a = item
            for name, fam in walk.families.items():
                if fam.warning == admonishment_id and fam.level == WARNED:
                    fam.remedy_done = True
                    walk.move(t, name, PROBATION, "remedy completed", a["pos"], a["rule"])
                elif fam.warning == admonishment_id:
                    fam.remedy_done = True
        elif kind == "sanction":
            _sanction(walk, core, t, *item, unsupported)
        elif kind == "reinstated":
            decision_id, s = item
            if walk.sanction is not None and walk.sanction["id"] == decision_id:
                supported = walk.sanction["supported"]
                walk.sanction = None
                if supported:
                    walk.reinstated_t = t
                    walk.move(t, None, None, "reinstated", s["pos"], s["rule"])
        elif kind == "posted" and walk.sanction is not None and walk.sanction["kind"] == "removal":
            if walk.sanction["supported"]:
                walk.reinstated_t = t
            walk.sanction = None
            walk.move(t, None, None, "posted again after a removal", [item["pos"]], None)
    walk.advance(as_of)
    return _result(walk, core, policy, as_of, steps, blocked, unsupported)


def _posting_t(posting: Doc) -> int:
    return day_end(date.fromisoformat(posting["start"])) - DAY


def _step(walk: Walk, step: Step) -> None:
    fam = walk.family(step.family)
    fam.causes = sorted(set(fam.causes) | set(step.positions))
    fam.last_t = max(fam.last_t, step.t)
    walk.reinstated_last = max(walk.reinstated_last, step.t)
    sanctioned = walk.sanction is not None and walk.sanction["supported"]
    if step.kind == "serious":
        fam.serious = True
        walk.move(step.t, step.family, SANCTION_DUE, "serious violation", step.positions, step.rule)
    elif sanctioned:
        walk.move(step.t, step.family, fam.level, "counting violation while sanctioned", step.positions, step.rule)
    elif fam.level in (WARNED, PROBATION) or walk.reinstated_t is not None:
        reason = "repeat after warning" if fam.level in (WARNED, PROBATION) else "repeat after reinstatement"
        walk.move(step.t, step.family, SANCTION_DUE, reason, fam.causes, step.rule)
    elif fam.level == CLEAR:
        walk.move(step.t, step.family, ADMONISHMENT_DUE, _step_reason(step), step.positions, step.rule)
    else:
        walk.move(step.t, step.family, fam.level, _step_reason(step), step.positions, step.rule)


def _step_reason(step: Step) -> str:
    return {
        "violation": "confirmed violation",
        "minor_group": f"{len(step.violations)} minor violations within the window",
        "bad_ratings": "repeated verified bad ratings",
        "serious": "serious violation",
    }[step.kind]


def _admonishment(
    walk: Walk, core: Doc, policy: EscalationPolicy, t: int, admonishment_id: str, a: Doc, unsupported: list[Any]
) -> None:
    basis = _basis_confirmed(core, a["basis"])
    if not basis:
        unsupported.append(
            {
                "kind": "admonishment",
                "id": admonishment_id,
                "t": t,
                "basis_fell_at": _basis_fell_at(core, a["basis"], t),
                "positions": list(a["pos"]),
                "rule": a["rule"],
            }
        )
        walk.move(
            t, None, None, "admonishment without a confirmed basis (unsupported)", a["pos"], a["rule"], force=True
        )
        return
    rule = rule_of(basis[0]["rule"])
    family = policy.family_of(rule.id, basis[0]["item"]) or rule.family
    fam = walk.family(family)
    if fam.level == SANCTION_DUE:
        # a warning does not undo a step that already calls for a sanction
        walk.move(t, family, SANCTION_DUE, "admonishment while a sanction is due", a["pos"], a["rule"])
        return
    fam.warning, fam.remedy_due, fam.remedy_done = admonishment_id, a["remedy_due"], False
    fam.last_t = max(fam.last_t, t)
    fam.causes = sorted(set(fam.causes) | set(a["pos"]))
    walk.move(t, family, WARNED, "admonishment issued, remedy ordered", a["pos"], a["rule"])


def _sanction(walk: Walk, core: Doc, t: int, decision_id: str, s: Doc, unsupported: list[Any]) -> None:
    due = [name for name, fam in walk.families.items() if fam.level == SANCTION_DUE]
    serious = any(v["severity"] in walk.policy.immediate_severities for v in _basis_confirmed(core, s["basis"]))
    # a removal may follow a suspension the ladder called for (the sanction grows graver)
    graver = walk.sanction is not None and walk.sanction["supported"] and s["kind"] == "removal"
    supported = bool(due) or serious or graver
    walk.sanction = {"id": decision_id, "kind": s["kind"], "t": t, "supported": supported, "pos": s["pos"]}
    if not supported:
        unsupported.append(
            {
                "kind": s["kind"],
                "id": decision_id,
                "t": t,
                "basis_fell_at": _basis_fell_at(core, s["basis"], t),
                "positions": list(s["pos"]),
                "rule": s["rule"],
            }
        )
        reason = f"{s['kind']} the re-derived ladder does not call for (unsupported)"
        walk.move(t, None, None, reason, s["pos"], s["rule"], force=True)
        return
    walk.served.append(t)
    walk.reinstated_t = None
    for name in list(walk.families):
        fam = walk.families[name]
        fam.warning, fam.remedy_due, fam.causes, fam.serious = None, None, [], False
        if fam.level != CLEAR:
            fam.level, fam.since = CLEAR, t
    walk.move(t, None, None, f"{s['kind']} decided", s["pos"], s["rule"])


def _result(
    walk: Walk,
    core: Doc,
    policy: EscalationPolicy,
    as_of: int,
    steps: list[Step],
    blocked: list[dict[str, Any]],
    unsupported: list[dict[str, Any]],
) -> dict[str, Any]:
    due_days = policy.decision_due_days * DAY
    dues: list[dict[str, Any]] = []
    families: dict[str, Any] = {}
    for name in sorted(walk.families):
        fam = walk.families[name]
        if fam.level == CLEAR:
            continue
        families[name] = {
            "level": fam.level,
            "since": iso(fam.since),
            "warning": fam.warning,
            "remedy_due": fam.remedy_due,
            "causes": fam.causes,
        }
        if fam.level in (ADMONISHMENT_DUE, SANCTION_DUE):
            recent = [t for t in walk.served if t >= fam.since - policy.removal_if_sanctioned_within_days * DAY]
            dues.append(
                {
                    "kind": "admonishment" if fam.level == ADMONISHMENT_DUE else "suspension_or_removal",
                    "family": name,
                    "decision": None,
                    "since": fam.since,
                    "due_by": fam.since + due_days,
                    "recommended": None
                    if fam.level == ADMONISHMENT_DUE
                    else ("removal" if fam.serious or recent else "suspension"),
                    "causes": fam.causes,
                }
            )
    sanction = walk.sanction
    for decision in unsupported:
        in_force = decision["kind"] == "admonishment" or (sanction is not None and sanction["id"] == decision["id"])
        if not in_force:
            continue
        dues.append(
            {
                "kind": "rescission",
                "family": None,
                "decision": decision["id"],
                "decision_kind": decision["kind"],
                "since": decision["basis_fell_at"],
                "due_by": decision["basis_fell_at"] + due_days,
                "recommended": None,
                "causes": decision["positions"],
            }
        )
    for due in dues:
        due["overdue"] = as_of >= due["due_by"]
    trigger = walk.next_trigger()
    wake = [t for t in [trigger[0] if trigger else None, *(d["due_by"] for d in dues)] if t is not None and t > as_of]
    remedy = [f["remedy_due"] for f in families.values() if f["level"] == WARNED and f["remedy_due"]]
    return {
        "state": walk.state,
        "families": families,
        "sanction": None
        if sanction is None
        else {
            "decision": sanction["id"],
            "kind": sanction["kind"],
            "since": iso(sanction["t"]),
            "supported": sanction["supported"],
            "positions": sanction["pos"],
        },
        "remedy_due": min(remedy) if remedy else None,
        "dues": dues,
        "alerts": [d for d in dues if d["overdue"]],
        "transitions": walk.transitions,
        "steps": [
            {"t": s.t, "family": s.family, "kind": s.kind, "violations": s.violations, "positions": s.positions}
            for s in steps
        ],
        "blocked": blocked,
        "policy": policy.ref,
        "next_change_t": min(wake) if wake else None,
    }


# ── the read model ────────────────────────────────────────────────────────────


class EscalationModel(FactsModel):
    """``escalation``: the ladder state of every person, its transitions and the dues."""

    name = "escalation"
    replay_cost = 0.5
    version = 2
    keeps_months = False
    follows = ORGANISATION + PEOPLE
    tables = (
        Table(
            "escalation_states",
            "staff_id {text} PRIMARY KEY, state {text} NOT NULL, families {json} NOT NULL, "
            "sanction_decision {text}, sanction_kind {text}, sanction_supported {bool}, remedy_due {text}, "
            "dues {int} NOT NULL, alerts {int} NOT NULL, blocked {json} NOT NULL, last_change_at {text}, "
            "last_change_positions {json} NOT NULL, next_change_at {text}, policy {text} NOT NULL",
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
            "next_change_at, policy) VALUES (" + ", ".join("?" * 14) + ")",
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
    )
