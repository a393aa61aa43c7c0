"""Staff records (人员档案): given events, then rows — both stores."""

from __future__ import annotations

from datetime import date

from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    COMMITTEE,
    INSPECTOR,
    MANAGER,
    SECOND_INSPECTOR,
    at,
    given_admonishment,
    given_confirmed_violation,
    given_hall,
    given_staff,
    given_suspension,
)
from tests.projections.support import one, project, rows


def test_a_posted_person_has_a_record_and_the_hall_its_units(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted_on=date(2025, 3, 1))
    project(ledger, "staff_records")
    record = one(ledger, "staff_records")
    assert (record["staff_id"], record["staff_no"], record["name"]) == (str(staff), "S001", "王芳")
    assert (record["department_id"], record["window_id"]) == (str(hall.tax), str(hall.tax_window))
    assert (record["employment"], record["posting_start"], record["status"]) == ("seconded", "2025-03-01", "on_post")
    assert (record["escalation_state"], record["month"], record["month_score"]) == ("clear", "2026-10", 100)
    assert (record["escalation_policy"], record["scoring_policy"]) == ("escalation@2026.1", "scoring@2026.1")
    units = {(u["kind"], u["code"]) for u in rows(ledger, "org_units")}
    assert units == {
        ("hall", "beihai"), ("department", "tax"), ("department", "market"),
        ("window", "W07"), ("window", "W08"), ("window", "W03"), ("window", "W01"),
    }  # fmt: skip


def test_violations_are_counted_by_article_and_current_status(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 12))
    given_confirmed_violation(ledger, staff, rule="ART6.5", item="late", when=at(10, 9, 8))
    given_confirmed_violation(ledger, staff, rule="ART6.1", when=at(10, 9, 9))
    ledger.record_violation(INSPECTOR, rule="ART3.1", item="no_badge", staff_id=staff, evidence="未佩戴胸牌")
    dismissed = ledger.record_violation(INSPECTOR, rule="ART3.1", staff_id=staff, evidence="?").id
    ledger.dismiss_violation(SECOND_INSPECTOR, violation_id=dismissed, reason="着装符合规定")
    revoked = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 9, 10))
    ledger.revoke_violation(MANAGER, violation_id=revoked, reason="复查不属实")
    project(ledger, "staff_records")

    record = one(ledger, "staff_records")
    assert (record["violations_confirmed"], record["violations_pending"]) == (2, 1)
    assert (record["violations_dismissed"], record["violations_revoked"]) == (1, 1)
    by_article = {r["article"]: r for r in rows(ledger, "staff_violation_counts")}
    assert sorted(by_article) == [2, 3, 6]
    assert (by_article[6]["confirmed"], by_article[3]["pending"], by_article[3]["dismissed"]) == (2, 1, 1)
    assert (by_article[2]["confirmed"], by_article[2]["revoked"]) == (0, 1)
    assert record["month_score"] == 98, "100 − 1 (late) − 1 (ART6.1); the revoked breach deducts nothing"


def test_a_suspended_person_shows_the_status_and_the_ladder(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 22, 10))
    first = given_confirmed_violation(ledger, staff, when=at(10, 9))
    given_admonishment(ledger, staff, [first], when=at(10, 12), remedy_due=date(2026, 10, 30))
    repeat = given_confirmed_violation(ledger, staff, when=at(10, 20))
    given_suspension(ledger, staff, [repeat], when=at(10, 22))
    project(ledger, "staff_records")
    record = one(ledger, "staff_records")
    assert (record["status"], record["escalation_state"]) == ("suspended", "suspended")
    assert record["status_since"] == "2026-10-22T01:00:00.000000Z"
    assert (record["month_score"], record["month_grade"]) == (96, "good")


def test_praise_and_commendations_are_on_the_record_and_in_the_score(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 15, 10))
    ledger.record_praise(MANAGER, kind="silk_banner", staff_ids=[staff], from_organisation="某公司", note="锦旗")
    ledger.award_commendation(
        COMMITTEE, kind="circulated_praise", title="通报表扬", reason="服务热情", decision_ref="管委会〔2026〕9号",
        staff_ids=[staff],
    )  # fmt: skip
    project(ledger, "staff_records")
    record = one(ledger, "staff_records")
    assert record["commendations"] == 2
    assert record["month_score"] == 103, "100 + 2 (锦旗) + 1 (通报表扬)"


def test_a_person_who_left_keeps_the_record(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, employment="hall")
    clock.set(at(10, 30, 10))
    ledger.end_posting(MANAGER, staff_id=staff, end=date(2026, 10, 30), reason="rotation")
    ledger.record_staff_left(MANAGER, staff_id=staff, on=date(2026, 10, 30), reason="调回原单位")
    project(ledger, "staff_records")
    record = one(ledger, "staff_records")
    assert (record["status"], record["left_on"], record["window_id"]) == ("left", "2026-10-30", None)
    assert record["posting_end"] == "2026-10-30"
