"""The write-side ladder guard and the escalation read model never disagree (ART2.1.3), as a property.

For random histories of violations (families, severities, dates, confirmations, dismissals,
revocations, appeals), bad ratings, admonishments and remedies:

1. *pure, many examples* — over a person's facts built in memory, the guard
   (``domain.ladder.judge_sanction``, what ``decide_suspension`` asks) supports a suspension at
   ``t`` on a basis exactly when the read model's derivation (``domain.ladder.derive``, what
   ``projections/escalation.py`` writes), re-derived with that suspension on record, marks it
   supported; and whenever the read model says a suspension or removal is due in a family the
   basis names, or the basis names a confirmed serious violation of the look-back, it does;
2. *through the ledger, a few examples on each store* — the command ``decide_suspension``
   accepts exactly when the escalation read model, projected just before, owes a suspension or
   removal in the family of a violation the basis names; once accepted, the projected read model
   shows the suspension supported.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.envelope import CHINA_STANDARD_TIME
from domain.errors import InvariantViolated
from domain.ladder import DAY, derive, judge_sanction, micros, rule_of
from domain.policies.escalation import load_escalation_policy
from projections.facts import new_core
from service.application import HallLedger, open_ledger
from tests.conftest import (
    FakeClock,
    drop_schema,
    make_postgres_settings,
    make_sqlite_settings,
    require_postgres,
)
from tests.givens import (
    COMMITTEE,
    INSPECTOR,
    MANAGER,
    REVIEWER,
    SECOND_INSPECTOR,
    WINDOW_LEAD,
    given_hall,
    given_staff,
)
from tests.projections.support import project, rows

pytestmark = pytest.mark.rules("ART2.1.3")

POLICY = load_escalation_policy("2026.1")
#: (rule, item): major SERVICE (two rules) · minor SERVICE · minor DISCIPLINE (three rules) · serious
#: INTEGRITY — as the catalogue 2026.1 grades them and the escalation policy 2026.1 groups them
BREACHES = [
    ("ART2.1", None),
    ("ART2.1.1", None),
    ("ART1.2", None),
    ("ART3.3", None),
    ("ART3.1", "no_badge"),
    ("ART6.5", "late"),
    ("ART6.2", None),
]
START = datetime(2026, 1, 5, 10, 0, tzinfo=CHINA_STANDARD_TIME)


def family(rule: str, item: str | None) -> str:
    found = rule_of(f"{rule}@2026.1")
    return POLICY.family_of(found.id, item) or found.family


# ── 1. pure: the guard and the derivation over facts built in memory ─────────────────────────

violation_st = st.fixed_dictionaries(
    {
        "kind": st.just("violation"),
        "breach": st.sampled_from(BREACHES),
        "status": st.sampled_from(["confirmed"] * 6 + ["pending", "dismissed", "revoked"]),
        "appealed": st.booleans(),
    }
)
admonishment_st = st.fixed_dictionaries(
    {
        "kind": st.just("admonishment"),
        "remedy_days": st.integers(5, 12),
        "completed_after": st.none() | st.integers(1, 20),
        "rescinded": st.booleans(),
    }
)
rating_st = st.fixed_dictionaries({"kind": st.just("rating"), "contested": st.booleans()})
history_st = st.lists(
    st.tuples(st.integers(0, 400), st.one_of(violation_st, violation_st, admonishment_st, rating_st)),
    min_size=1,
    max_size=14,
)


def build_core(history: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """A person's facts document (``projections.facts`` shape) from a history of day offsets."""
    core = new_core("p")
    core["profile"] = {"staff_no": "S1", "name": "王芳", "department_id": "d", "employment": "seconded"}
    position = 10
    for offset, item in sorted(history, key=lambda h: h[0]):
        t = micros(START + timedelta(days=offset))
        position += 3
        if item["kind"] == "violation":
            rule, it = item["breach"]
            found = rule_of(f"{rule}@2026.1")
            core["violations"][f"v{position}"] = {
                "rule": f"{rule}@2026.1", "item": it, "severity": found.severity_of(it), "t": t, "recorded_t": t,
                "window_id": None, "department_id": None, "candidate": False, "source": "inspection",
                "status": item["status"], "status_t": t, "deduction": None,
                "appeal": f"a{position}" if item["appealed"] and item["status"] == "confirmed" else None,
                "pos": [position, position + 1],
            }  # fmt: skip
        elif item["kind"] == "rating":
            core["bad"][f"r{position}"] = {
                "kind": "rating", "t": t, "status": "contested" if item["contested"] else "counting", "pos": [position]
            }  # fmt: skip
        else:
            used = {b for a in core["admonishments"].values() for b in a["basis"]}
            basis = [
                v_id
                for v_id, v in core["violations"].items()
                if v["status"] == "confirmed" and v["appeal"] is None and v["t"] <= t and v_id not in used
            ]
            if not basis:
                continue
            done = item["completed_after"]
            core["admonishments"][f"m{position}"] = {
                "t": t, "basis": basis[-1:], "rule": "ART2.1.3@2026.1", "remedy": "x",
                "remedy_due": (START + timedelta(days=offset + item["remedy_days"])).date().isoformat(),
                "completed_t": t + done * DAY if done is not None else None,
                "rescinded_t": t + DAY if item["rescinded"] else None,
                "pos": [position, position + 1, position + 2],
            }  # fmt: skip
    return core


def with_suspension(core: dict[str, Any], t: int, basis: list[str]) -> dict[str, Any]:
    out = dict(core, sanctions=dict(core["sanctions"]))
    out["sanctions"]["decision"] = {
        "kind": "suspension", "t": t, "basis": basis, "rule": "ART2.1.3@2026.1", "start": "2026-01-01", "until": None,
        "reinstated_t": None, "rescinded_t": None, "pos": [10**9],
    }  # fmt: skip
    return out


def latest(core: dict[str, Any]) -> int:
    """The newest valid time among the facts (a remedy completed or a warning rescinded included)."""
    times = [v["t"] for v in core["violations"].values()] + [b["t"] for b in core["bad"].values()]
    for a in core["admonishments"].values():
        times += [a["t"], a["completed_t"] or 0, a["rescinded_t"] or 0]
    return max(times, default=micros(START))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    history=history_st,
    back=st.integers(0, 400),
    after=st.integers(0, 120),
    pick=st.lists(st.integers(0, 50), min_size=1, max_size=3),
)
def test_the_guard_supports_a_suspension_exactly_when_the_derived_ladder_does(
    history: list[tuple[int, dict[str, Any]]], back: int, after: int, pick: list[int]
) -> None:
    core = build_core(history)
    ids = sorted(core["violations"])
    if not ids:
        return
    basis = sorted({ids[p % len(ids)] for p in pick})
    now = latest(core) + after * DAY + 3_600_000_000
    # a decision now, and one back-dated into the history (later facts already on record)
    for t in (now, micros(START + timedelta(days=back, hours=1))):
        verdict = judge_sanction(core, POLICY, t=t, kind="suspension", basis=basis)
        decided = derive(with_suspension(core, t, basis), POLICY, max(t, now))
        assert decided["sanction"] is not None
        if decided["sanction"]["decision"] == "decision":
            assert verdict.supported == decided["sanction"]["supported"], verdict.reason
        if not verdict.supported:
            assert verdict.reason, "a refusal says what the policy requires"

    # what the read model shows now: a suspension or removal owed in a family the basis names
    t = now
    verdict = judge_sanction(core, POLICY, t=t, kind="suspension", basis=basis)
    before = derive(core, POLICY, t)
    due = {d["family"] for d in before["dues"] if d["kind"] == "suspension_or_removal"}
    named = {
        family(*_breach(core["violations"][b]))
        for b in basis
        if core["violations"][b]["status"] == "confirmed" and core["violations"][b]["t"] <= t
    }
    serious = any(
        core["violations"][b]["status"] == "confirmed"
        and core["violations"][b]["severity"] == "serious"
        and t - POLICY.look_back_days * DAY < core["violations"][b]["t"] <= t
        for b in basis
    )
    assert verdict.supported == (bool(due & named) or serious), (verdict.reason, due, named)


def _breach(v: dict[str, Any]) -> tuple[str, str | None]:
    return v["rule"].partition("@")[0], v["item"]


# ── 2. through the ledger: the command against the projected read model ───────────────────────

#: what happens to a recorded violation: confirmed, confirmed then revoked (overturned), dismissed
FATES = ["confirmed", "confirmed", "confirmed", "revoked", "dismissed"]
step_st = st.one_of(
    st.tuples(st.just("violation"), st.sampled_from(BREACHES), st.sampled_from(FATES)),
    st.tuples(st.just("admonishment"), st.booleans(), st.just(None)),
)
ledger_history_st = st.lists(st.tuples(st.integers(1, 40), step_st), min_size=1, max_size=7)


@contextmanager
def fresh_ledger(store: str) -> Iterator[tuple[HallLedger, FakeClock]]:
    clock = FakeClock(START - timedelta(days=1))
    with tempfile.TemporaryDirectory() as folder:
        schema = None
        if store == "sqlite":
            config = make_sqlite_settings(Path(folder))
        else:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            config = make_postgres_settings(schema, Path(folder))
        app = open_ledger(config, clock=clock)
        try:
            yield app, clock
        finally:
            app.close()
            if schema is not None:
                drop_schema(schema)


@settings(max_examples=12, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=ledger_history_st, pick=st.lists(st.integers(0, 50), min_size=1, max_size=2))
def test_decide_suspension_accepts_exactly_when_the_read_model_owes_a_sanction_it_supports(
    store: str, history: list[tuple[int, tuple[str, Any, Any]]], pick: list[int]
) -> None:
    if store == "postgres":
        require_postgres()
    with fresh_ledger(store) as (ledger, clock):
        hall = given_hall(ledger)
        staff = given_staff(ledger, hall)
        when = START
        confirmed: list[tuple[uuid.UUID, tuple[str, str | None]]] = []
        warned: set[uuid.UUID] = set()
        for gap, (kind, what, fate) in history:
            when += timedelta(days=gap)
            clock.set(when + timedelta(hours=1))
            if kind == "violation":
                rule, item = what
                v = ledger.record_violation(
                    INSPECTOR, rule=rule, item=item, staff_id=staff, evidence="巡查发现", occurred_at=when
                ).id
                if fate == "dismissed":
                    ledger.dismiss_violation(SECOND_INSPECTOR, violation_id=v, reason="证据不足")
                    continue
                ledger.confirm_violation(SECOND_INSPECTOR, violation_id=v)
                if fate == "revoked":
                    ledger.revoke_violation(REVIEWER, violation_id=v, reason="复核撤销")
                    continue
                confirmed.append((v, what))
            else:
                basis = [v for v, _ in confirmed if v not in warned][-1:]
                if not basis:
                    continue
                warned.update(basis)
                outcome = ledger.issue_admonishment(MANAGER, staff_id=staff, basis=basis, remedy="书面检查")
                if what:  # the remedy done the next day
                    clock.set(when + timedelta(days=1, hours=2))
                    ledger.complete_remedy(
                        WINDOW_LEAD, staff_id=staff, admonishment_id=outcome.extra["admonishment_id"], note="已整改"
                    )
        if not confirmed:
            return
        # the decision comes a while after the last fact; the log moves on to that moment first
        decided = clock.set(clock.now + timedelta(days=pick[0] % 20, hours=1))
        given_staff(ledger, hall, staff_no="S002", name="李娜", posted_on=decided.date())
        project(ledger, "escalation")
        dues = rows(ledger, "escalation_dues", "WHERE staff_id = ? AND kind = ?", (str(staff), "suspension_or_removal"))
        owed = {d["family"] for d in dues}
        basis = sorted({confirmed[p % len(confirmed)] for p in pick}, key=lambda c: str(c[0]))
        named = {family(*what) for _, what in basis}

        try:
            ledger.decide_suspension(
                COMMITTEE, staff_id=staff, basis=[v for v, _ in basis], start=decided.date() + timedelta(days=1)
            )
            accepted = True
        except InvariantViolated as refused:
            assert (refused.rule, refused.field) == ("ART2.1.3@2026.1", "basis")
            accepted = False
        assert accepted == bool(owed & named), (owed, named)
        if accepted:
            project(ledger, "escalation")
            [state] = rows(ledger, "escalation_states", "WHERE staff_id = ?", (str(staff),))
            assert (state["state"], state["sanction_supported"]) == ("suspended", 1)


def test_the_histories_reach_both_answers() -> None:
    """The pure property is not vacuous: its generator reaches supported and refused verdicts."""
    seen: set[bool] = set()

    @settings(max_examples=200, derandomize=True, deadline=None)
    @given(history=history_st)
    def probe(history: list[tuple[int, dict[str, Any]]]) -> None:
        core = build_core(history)
        if core["violations"]:
            t = micros(START + timedelta(days=500))
            seen.add(judge_sanction(core, POLICY, t=t, kind="suspension", basis=sorted(core["violations"])).supported)

    probe()
    assert seen == {True, False}
