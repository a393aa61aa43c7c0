"""The escalation ladder (ART2.1.3 generalised), derived — the one place of the rule.

``derive(core, policy, as_of)`` walks a person's facts in valid-time order and re-derives the
whole ladder from the *current* status of every violation, rating and decision; the escalation
read model (``projections/escalation.py``), time travel and the staff record call it.
``judge_sanction(core, policy, t=…, kind=…, basis=…)`` walks the same facts up to the moment of
a proposed suspension or removal and asks :func:`sanction_verdict` — the very function the walk
uses to mark a decided sanction *supported* — whether the policy supports it; the write side
(``service/commands/discipline.py`` → ``StaffMember.decide_suspension``/``decide_removal``)
refuses what it does not support. The two can never disagree.

``core`` is a person's facts document as folded by ``projections.facts.evolve`` (JSON-able:
times are microseconds since the epoch, dates ISO strings). Pure: no I/O, no clock.

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
(same family), or 3 verified bad ratings within 90 days; a serious one makes a sanction due
at once. A step counts for ``look_back_days``.

A sanction is *supported* (:func:`sanction_verdict`) when, at its valid time,

- its basis names a confirmed serious (immediate-severity) violation within the look-back
  (an interim suspension is allowed even while that violation is under appeal), or
- a family stands at ``suspension_or_removal_due`` (a counting step in the family after the
  warning, the warning's remedy missed, or a step after a reinstatement) and the basis names a
  confirmed violation of that family, or
- it is a removal following a supported suspension (the sanction grows graver).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.calendar import WorkingDayCalendar, hall_date, national_calendar
from domain.envelope import CHINA_STANDARD_TIME
from domain.policies.escalation import EscalationPolicy
from domain.rules import Rule, resolve

Doc = dict[str, Any]
CONFIRMED = "confirmed"
DAY = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (the facts' time unit)."""
    return (moment - _EPOCH) // _MICRO


def iso(t: int | None) -> str | None:
    """RFC 3339 UTC with microseconds (the envelope's form)."""
    if t is None:
        return None
    return (_EPOCH + timedelta(microseconds=t)).isoformat(timespec="microseconds").replace("+00:00", "Z")


def day_end(day: date) -> int:
    """The first microsecond after a hall day ends (00:00 China Standard Time of the next day)."""
    return micros(datetime.combine(day + timedelta(days=1), datetime.min.time(), CHINA_STANDARD_TIME))


def remedy_due_by(policy: EscalationPolicy, recorded_at: datetime, calendar: WorkingDayCalendar | None = None) -> date:
    """The earliest remedy due date the policy allows an admonishment recorded at ``recorded_at``:
    ``remedy_due_working_days`` working days (hall calendar) after the day it was recorded — the
    day it became visible to the person — taken in Asia/Shanghai, never the UTC date."""
    calendar = calendar or national_calendar()
    return calendar.add_working_days(hall_date(recorded_at), policy.remedy_due_working_days)


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
    #: why the family stands at suspension_or_removal_due (the transition's reason)
    due_reason: str = ""


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
                if to == SANCTION_DUE:
                    fam.due_reason = reason
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
    return int(max([decided_t, *(t for t in times if t >= decided_t)]))


def _items(core: Doc, steps: list[Step]) -> list[tuple[int, int, str, Any]]:
    """Everything the walk visits, in valid-time order (ledger position breaking ties)."""
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
    return items


def _walk(walk: Walk, core: Doc, items: list[tuple[int, int, str, Any]], unsupported: list[dict[str, Any]]) -> None:
    policy = walk.policy
    for t, _, kind, item in items:
        walk.advance(t - 1)
        if kind == "step":
            _step(walk, item)
        elif kind == "admonishment":
            admonishment_id, a = item
            _admonishment(walk, core, policy, t, admonishment_id, a, unsupported)
        elif kind == "remedy":
            admonishment_id, a = item
            for name, fam in walk.families.items():
                if fam.warning == admonishment_id and fam.level == WARNED:
                    fam.remedy_done = True
                    walk.move(t, name, PROBATION, "remedy completed", a["pos"], a["rule"])
                elif fam.warning == admonishment_id:
                    fam.remedy_done = True
        elif kind == "sanction":
            decision_id, s = item
            _sanction(walk, core, t, decision_id, s, unsupported)
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


def derive(core: Doc, policy: EscalationPolicy, as_of: int) -> dict[str, Any]:
    """The escalation state of one person as of valid time ``as_of`` (microseconds).

    ``core`` holds the facts known (as folded by ``projections.facts.evolve``); the
    result is JSON-able and names, for every transition and every due decision, the ledger
    positions of the events behind it.
    """
    steps, blocked = counting_steps(core, policy)
    walk = Walk(policy)
    unsupported: list[dict[str, Any]] = []
    _walk(walk, core, _items(core, steps), unsupported)
    walk.advance(as_of)
    return _result(walk, core, policy, as_of, steps, blocked, unsupported)


def judge_sanction(core: Doc, policy: EscalationPolicy, *, t: int, kind: str, basis: Sequence[str]) -> SanctionVerdict:
    """Would a ``kind`` (``suspension`` | ``removal``) decided at valid time ``t`` (microseconds)
    on ``basis`` (violation ids) be supported? The ladder is walked through every fact up to
    ``t`` — exactly as :func:`derive` walks it, the new decision coming after every item of the
    same moment (it is recorded last) — and judged by :func:`sanction_verdict`, the function
    :func:`derive` marks decided sanctions supported or not with."""
    steps, _ = counting_steps(core, policy)
    walk = Walk(policy)
    _walk(walk, core, [i for i in _items(core, steps) if i[0] <= t], [])
    walk.advance(t - 1)
    return sanction_verdict(walk, core, t, kind, basis)


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


@dataclass(frozen=True)
class SanctionVerdict:
    """Whether the escalation policy supports a suspension or removal, and why (not)."""

    supported: bool
    #: serious | repeat (a step after the warning or the reinstatement) | remedy_missed | graver
    ground: str | None
    family: str | None
    #: supported: what it rests on; refused: what the policy requires (the refusal's message)
    reason: str
    #: the confirmed violations of the due family a basis may name (refused: what to name)
    violations: tuple[str, ...] = ()


def _family_of(policy: EscalationPolicy, v: Doc) -> str:
    rule = rule_of(v["rule"])
    return policy.family_of(rule.id, v["item"]) or rule.family


def _steps_text(policy: EscalationPolicy) -> str:
    return (
        f"one {'/'.join(policy.step_severities)} violation, {policy.minor_per_step} "
        f"{'/'.join(policy.grouped_severities)} ones within {policy.minor_window_days} days, or "
        f"{policy.bad_ratings_per_step} verified bad ratings within {policy.bad_ratings_window_days} days"
    )


def _day(t: int) -> str:
    return (_EPOCH + timedelta(microseconds=t)).astimezone(CHINA_STANDARD_TIME).date().isoformat()


def sanction_verdict(walk: Walk, core: Doc, t: int, kind: str, basis: Sequence[str]) -> SanctionVerdict:
    """The one rule (ART2.1.3 经告诫仍不改正, as the escalation policy states it) deciding whether a
    suspension or removal decided at ``t`` on ``basis`` is supported by the ladder walked up to
    ``t``. :func:`derive` marks decided sanctions with it; :func:`judge_sanction` lets the write
    side refuse what it would mark unsupported."""
    policy = walk.policy
    look_back = policy.look_back_days * DAY
    confirmed = {b: core["violations"][b] for b in basis if b in core["violations"]}
    confirmed = {b: v for b, v in confirmed.items() if v["status"] == CONFIRMED}
    serious = [
        b for b, v in confirmed.items() if v["severity"] in policy.immediate_severities and t - look_back < v["t"] <= t
    ]
    if serious:
        family = _family_of(policy, confirmed[serious[0]])
        return SanctionVerdict(
            True, "serious", family, f"serious violation {serious[0]} (interim {kind} allowed)", tuple(serious)
        )
    # a removal may follow a suspension the ladder called for (the sanction grows graver)
    if kind == "removal" and walk.sanction is not None and walk.sanction["supported"]:
        return SanctionVerdict(True, "graver", None, f"removal after suspension {walk.sanction['id']}")
    due = sorted(name for name, fam in walk.families.items() if fam.level == SANCTION_DUE)
    for name in due:
        fam = walk.families[name]
        named = sorted(b for b, v in confirmed.items() if v["t"] <= t and _family_of(policy, v) == name)
        ground = "remedy_missed" if fam.due_reason.startswith("remedy") else "repeat"
        if named:
            return SanctionVerdict(True, ground, name, f"{fam.due_reason} ({name})", tuple(named))
    ref = policy.ref
    if due:
        name = due[0]
        fam = walk.families[name]
        causes = set(fam.causes)
        names = tuple(
            sorted(
                violation_id
                for violation_id, v in core["violations"].items()
                if v["status"] == CONFIRMED and set(v["pos"]) & causes and _family_of(policy, v) == name
            )
        )
        return SanctionVerdict(
            False,
            None,
            name,
            f"a suspension or removal is due in the {name} family ({fam.due_reason}), but the basis names no "
            f"confirmed violation of that family; name the violations behind the due"
            + (f" ({', '.join(names)})" if names else ""),
            names,
        )
    warned = sorted(
        (name, fam) for name, fam in walk.families.items() if fam.level in (WARNED, PROBATION) and fam.warning
    )
    rule = (
        f"the escalation policy {ref} supports a suspension or removal only when a warning went unheeded — "
        f"another counting step in the same family after the admonishment, within the {policy.look_back_days}-day "
        f"look-back ({_steps_text(policy)}), or the ordered remedy missed — or for a serious violation"
    )
    if not warned and walk.reinstated_t is None:
        return SanctionVerdict(
            False,
            None,
            None,
            "there is no prior admonishment on the ladder within the look-back; the first counting step calls "
            f"for an admonishment and an ordered remedy, not a sanction ({rule})",
        )
    if not warned:
        return SanctionVerdict(
            False,
            None,
            None,
            f"since the reinstatement there has been no counting step in the look-back; {rule}",
        )
    stands = "; ".join(
        f"{name}: {'warned, remedy due ' + str(fam.remedy_due) if fam.level == WARNED else 'remedy done (probation)'}"
        f" since {_day(fam.since)}"
        for name, fam in warned
    )
    return SanctionVerdict(
        False,
        None,
        warned[0][0],
        f"the ladder shows no counting step in the same family after the warning and no missed remedy "
        f"({stands}); {rule}",
    )


def _sanction(walk: Walk, core: Doc, t: int, decision_id: str, s: Doc, unsupported: list[Any]) -> None:
    verdict = sanction_verdict(walk, core, t, s["kind"], s["basis"])
    supported = verdict.supported
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
        # 移送纪检监察: serious violations referred to the discipline-inspection body
        "referrals": [
            {
                "id": r["id"],
                "violation": r["violation"],
                "rule": r["rule"],
                "body": r["body"],
                "at": iso(r["t"]),
                "positions": list(r["pos"]),
            }
            for r in core.get("referrals", [])
            if r["t"] <= as_of
        ],
        "policy": policy.ref,
        "next_change_t": min(wake) if wake else None,
    }
