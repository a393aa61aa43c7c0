"""Time travel (bitemporal) and explanations on an appeal-shaped history — both stores.

王芳: a first-inquiry breach on 9 Oct (confirmed) → admonished on 12 Oct → she appeals the
breach on 13 Oct → a repeat on 20 Oct → suspended on 22 Oct → on 26 Oct the reviewer
overturns the first breach: it is revoked and the admonishment rescinded. The suspension
rested on the warning the appeal took away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from projections.timetravel import events_concerning, explain, history, person_as_of
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    REVIEWER,
    at,
    given_admonishment,
    given_appeal,
    given_confirmed_violation,
    given_hall,
    given_staff,
    given_suspension,
    positions,
)
from tests.projections.support import one, positions_of, project

pytestmark = pytest.mark.rules("ART2.1", "ART2.1.3")


@dataclass
class Story:
    staff: UUID
    first: UUID
    repeat: UUID
    suspension: UUID
    before_revocation: int  # the ledger position just before the overturn was recorded


def appeal_story(ledger: HallLedger, clock: FakeClock) -> Story:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 10))
    first = given_confirmed_violation(ledger, staff, when=at(10, 9, 8))
    clock.set(at(10, 12, 10))
    given_admonishment(ledger, staff, [first], when=at(10, 12, 10), remedy_due=date(2026, 10, 30))
    clock.set(at(10, 13, 10))
    appeal = given_appeal(ledger, staff, first, filed=at(10, 13, 10))
    clock.set(at(10, 20, 10))
    repeat = given_confirmed_violation(ledger, staff, rule="ART2.1.1", when=at(10, 20, 8))
    clock.set(at(10, 22, 10))
    suspension = given_suspension(ledger, staff, [repeat], when=at(10, 22, 10))
    before = positions(ledger)
    clock.set(at(10, 26, 10))
    decided = ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="overturned", reasons="当日请假,证据不足")
    assert decided.extra["rescinded_admonishments"] and not decided.extra["rescinded_sanctions"]
    return Story(staff, first, repeat, suspension, before)


def test_as_of_before_the_revocation_the_person_is_suspended(ledger: HallLedger, clock: FakeClock) -> None:
    story = appeal_story(ledger, clock)
    then = person_as_of(ledger, story.staff, as_of=at(10, 23))
    assert then["escalation"]["state"] == "suspended"
    assert then["escalation"]["sanction"]["supported"] is True
    assert then["record"]["status"] == "suspended"
    assert then["escalation"]["blocked"][0]["violation"] == str(story.first), "under appeal, its step was blocked"


def test_as_of_after_the_revocation_the_ladder_is_re_derived(ledger: HallLedger, clock: FakeClock) -> None:
    story = appeal_story(ledger, clock)
    now = person_as_of(ledger, story.staff, as_of=at(10, 27))
    ladder = now["escalation"]
    assert ladder["state"] == "admonishment_due", "the repeat is now a first breach"
    assert ladder["sanction"] == {
        "decision": str(story.suspension), "kind": "suspension", "since": "2026-10-22T02:00:00.000000Z",
        "supported": False, "positions": ladder["sanction"]["positions"],
    }  # fmt: skip
    dues = {(d["kind"], d["decision"]) for d in ladder["dues"]}
    assert dues == {("admonishment", None), ("rescission", str(story.suspension))}
    rescission = next(d for d in ladder["dues"] if d["kind"] == "rescission")
    assert rescission["since"] == "2026-10-26T02:00:00.000000Z", "the suspension lost its support at the overturn"
    assert now["record"]["status"] == "suspended", "the status is a fact until a decision rescinds it"
    assert [t["reason"] for t in ladder["transitions"]] == [
        "confirmed violation",
        "suspension the re-derived ladder does not call for (unsupported)",
    ]
    assert now["score"]["total"] == "98.00", "the revoked breach no longer deducts"


def test_as_known_before_the_revocation_was_recorded_the_old_state_shows(ledger: HallLedger, clock: FakeClock) -> None:
    story = appeal_story(ledger, clock)
    known_then = person_as_of(ledger, story.staff, as_of=at(10, 27), known_at=at(10, 25))
    assert known_then["escalation"]["state"] == "suspended"
    by_position = person_as_of(ledger, story.staff, as_of=at(10, 27), known_at=story.before_revocation)
    assert by_position["escalation"]["state"] == "suspended"
    assert by_position["last_position"] == story.before_revocation
    assert by_position["score"]["total"] == "96.00"


def test_the_read_model_is_the_same_fold_at_the_head(ledger: HallLedger, clock: FakeClock) -> None:
    """No second implementation: time travel at the model's own "now" gives its rows."""
    story = appeal_story(ledger, clock)
    project(ledger, "escalation", "staff_records", "subject_index")
    state = one(ledger, "escalation_states")
    record = one(ledger, "staff_records")
    now = person_as_of(ledger, story.staff)
    assert now["as_of"] == one(ledger, "escalation_as_of")["as_of"]
    assert (now["escalation"]["state"], state["state"]) == ("admonishment_due", "admonishment_due")
    assert now["escalation"]["families"] == state["families"]
    assert len(now["escalation"]["dues"]) == state["dues"]
    assert (now["record"]["status"], now["record"]["month_score"]) == (record["status"], f"{record['month_score']:.2f}")


def test_explain_names_the_events_behind_a_value(ledger: HallLedger, clock: FakeClock) -> None:
    story = appeal_story(ledger, clock)
    first = explain(ledger, story.staff, "escalation", as_of=at(10, 11))
    assert first["value"]["state"] == "admonishment_due"
    [first_step] = first["transitions"]
    assert [e["type"] for e in first_step["events"]] == ["Violation.Recorded", "Violation.Confirmed"]
    assert first_step["rule"] == "ART2.1@2026.1"
    assert {"position", "type", "rule", "actor", "occurred_at", "recorded_at"} <= set(first_step["events"][0])
    assert first_step["events"][1]["actor"] == {"id": "insp-wu", "role": "inspector"}

    answer = explain(ledger, story.staff, "escalation", as_of=at(10, 23))
    assert answer["value"]["state"] == "suspended"
    assert answer["transitions"][0]["reason"] == "admonishment issued, remedy ordered", "the appealed step is blocked"
    assert answer["transitions"][-1]["events"][0]["type"] == "StaffMember.SuspensionDecided"
    assert answer["transitions"][-1]["events"][0]["rule"] == "ART2.1.3@2026.1"

    score = explain(ledger, story.staff, "score", as_of=at(10, 27))
    assert score["value"]["total"] == "98.00"
    [deduction] = [line for line in score["lines"] if line["kind"] == "deduction"]
    assert (deduction["rule"], [e["position"] for e in deduction["events"]]) == (
        "ART2.1.1@2026.1", positions_of(ledger, story.repeat),
    )  # fmt: skip
    counted = explain(ledger, story.staff, "violations:ART2")
    assert counted["value"] == {"confirmed": 1, "pending": 0, "dismissed": 0, "revoked": 1}
    assert "Violation.Revoked" in [e["type"] for e in counted["events"]]


def test_history_is_the_state_after_each_event(ledger: HallLedger, clock: FakeClock) -> None:
    story = appeal_story(ledger, clock)
    entries = history(ledger, story.staff)["entries"]
    states = [(e["event"]["type"], e["status"], e["escalation_state"], e["month_score"]) for e in entries]
    assert states == [  # an entry wherever the status, the ladder or the score changed
        ("StaffMember.Onboarded", "onboarded", "clear", "100.00"),
        ("StaffMember.Posted", "on_post", "clear", "100.00"),
        ("Violation.Confirmed", "on_post", "admonishment_due", "98.00"),
        ("StaffMember.AdmonishmentIssued", "on_post", "warned", "98.00"),
        ("Violation.Confirmed", "on_post", "suspension_or_removal_due", "96.00"),
        ("StaffMember.SuspensionDecided", "suspended", "suspended", "96.00"),
        ("Violation.Revoked", "suspended", "admonishment_due", "98.00"),  # the admonishment lost its basis
    ]


def test_the_events_concerning_a_person_include_those_that_do_not_name_them(
    ledger: HallLedger, clock: FakeClock
) -> None:
    story = appeal_story(ledger, clock)
    types = [type(e).__qualname__ for _, e in events_concerning(ledger, story.staff)]
    assert {"Violation.Confirmed", "Violation.Revoked", "Appeal.ReviewerAssigned", "Appeal.Decided"} <= set(types)
    project(ledger, "subject_index")
    indexed = [type(e).__qualname__ for _, e in events_concerning(ledger, story.staff)]
    assert indexed == types, "the index and the log's tail agree"
