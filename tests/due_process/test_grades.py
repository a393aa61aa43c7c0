"""Grades above the month (ART11.1 考核, ART11.2 年度考核; DOMAIN.md "Assessment, default
scheme"), both stores, as the scheme reads:

- 不合格 for any verified serious violation (一票否决) — for the month, its quarter and its year;
- 优秀 only without a moderate-or-worse violation — in the month, the quarter and the year;
- 优秀 of a quarter or a year for at most ⌊20 % × n⌋ people, by position (total, then fewer
  deductions, then staff id), never by tied rank;
- quarterly and annual results readable over HTTP and in the CLI with their grades."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest
from typer.testing import CliRunner

from domain.assessment import check_quota
from domain.errors import InvariantViolated
from domain.policies.scoring import load_scoring_policy
from service.api import create_app
from service.application import HallLedger
from service.cli import app as cli
from service.settings import Settings
from tests.api.conftest import TestClient, make_tokens, problem
from tests.conftest import FakeClock
from tests.givens import COMMITTEE, MANAGER, at, given_confirmed_violation, given_hall, given_staff, positions
from tests.projections.support import one, project, rows

pytestmark = pytest.mark.rules("ART11.1", "ART11.2")

NAMES = ["王芳", "李娜", "赵磊", "孙悦", "周敏"]


def five(ledger: HallLedger) -> list[UUID]:
    """*Given* five people at the hall's windows since March 2025."""
    hall = given_hall(ledger)
    return [given_staff(ledger, hall, staff_no=f"S00{n + 1}", name=name) for n, name in enumerate(NAMES)]


def banner(ledger: HallLedger, staff: UUID, count: int = 1) -> None:
    """*Given* the person received silk banners (锦旗, +2 each, the month's bonus capped at +5)."""
    for _ in range(count):
        ledger.record_praise(MANAGER, kind="silk_banner", staff_ids=[staff], from_organisation="某公司", note="锦旗")


def graded(ledger: HallLedger, table: str, period: str) -> dict[str, dict[str, object]]:
    return {r["staff_id"]: r for r in rows(ledger, table, "WHERE period = ?", (period,))}


@pytest.mark.rules("ART6.3", "ART11.2")
def test_a_serious_violation_fails_the_month_its_quarter_and_its_year_even_at_rank_one(
    ledger: HallLedger, clock: FakeClock
) -> None:
    wang, *others = five(ledger)
    # *given* 王芳 took an unauthorised fee in October (擅自收费: serious, −10) and earned +5 in banners
    clock.set(at(10, 15, 10))
    fee = given_confirmed_violation(ledger, wang, rule="ART6.3", item="unauthorised_fee", when=at(10, 14))
    banner(ledger, wang, 3)
    clock.set(at(12, 30, 10))
    project(ledger, "assessment")
    year = graded(ledger, "assessment_annual", "2026")
    assert (year[str(wang)]["total"], year[str(wang)]["grade"]) == (None, "fail"), "the veto needs no review score"

    # *when* the committee records the annual reviews: 0.8 × 98.33 + 0.2 × 94.98 = 97.66, rank 1
    ledger.record_annual_review(COMMITTEE, year="2026", staff_id=wang, score=Decimal("94.98"))
    for other in others:
        ledger.record_annual_review(COMMITTEE, year="2026", staff_id=other, score=Decimal("80"))  # 96.00
    project(ledger, "assessment")

    october = one(ledger, "assessment_monthly", "WHERE staff_id = ? AND period = ?", (str(wang), "2026-10"))
    assert (october["total"], october["grade"]) == (95, "fail")
    quarter = graded(ledger, "assessment_quarterly", "2026-Q4")[str(wang)]
    assert quarter["mean"] == 98.33
    assert (quarter["grade"], quarter["grade_reason"], quarter["grade_rules"]) == ("fail", "veto", ["ART6.3@2026.1"])
    year = graded(ledger, "assessment_annual", "2026")
    mine = year[str(wang)]
    assert (mine["total"], mine["rank_hall"]) == (97.66, 1)
    assert (mine["grade"], mine["grade_reason"], mine["grade_rules"]) == ("fail", "veto", ["ART6.3@2026.1"])
    # the one 优秀 seat of five goes to the next position: tied at 96, no deductions, the lowest staff id
    holders = [s for s, r in year.items() if r["grade"] == "excellent"]
    assert holders == [min(str(o) for o in others)]
    assert {r["grade_reason"] for s, r in year.items() if s not in holders and s != str(wang)} == {"quota"}

    # *when* the appeal overturns it, the veto goes with it (revoked facts never count)
    ledger.revoke_violation(MANAGER, violation_id=fee, reason="复查不属实")
    project(ledger, "assessment")
    year = graded(ledger, "assessment_annual", "2026")
    assert (year[str(wang)]["total"], year[str(wang)]["grade"], year[str(wang)]["grade_reason"]) == (
        100.33,
        "excellent",
        None,
    )
    assert [s for s, r in year.items() if r["grade"] == "excellent"] == [str(wang)], "place 1 holds the one seat"


@pytest.mark.rules("ART6.6", "ART11.1", "ART11.2")
def test_a_moderate_violation_in_march_keeps_quarter_one_and_the_year_from_excellent(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(1, 5, 10))
    wang, *others = five(ledger)
    clock.set(at(1, 15, 10))
    banner(ledger, wang)  # January 102
    # *given* 王芳 played games at work in March (ART6.6, major: −2), a banner made the month 100
    clock.set(at(3, 10, 10))
    given_confirmed_violation(ledger, wang, rule="ART6.6", when=at(3, 10))
    banner(ledger, wang)
    clock.set(at(4, 20, 10))
    ledger.record_annual_review(COMMITTEE, year="2026", staff_id=wang, score=Decimal("100"))
    for other in others:
        ledger.record_annual_review(COMMITTEE, year="2026", staff_id=other, score=Decimal("90"))
    project(ledger, "assessment")

    march = one(ledger, "assessment_monthly", "WHERE staff_id = ? AND period = ?", (str(wang), "2026-03"))
    assert (march["total"], march["grade"]) == (100, "good")
    quarter = graded(ledger, "assessment_quarterly", "2026-Q1")
    mine = quarter[str(wang)]
    assert (mine["mean"], mine["rank_hall"], mine["place"]) == (100.67, 1, 1)
    assert (mine["grade"], mine["grade_reason"], mine["grade_rules"]) == (
        "good",
        "forbidden_severity",
        ["ART6.6@2026.1"],
    )
    assert sorted(r["grade"] for r in quarter.values()).count("excellent") == 1, "the seat passes to place 2"
    year = graded(ledger, "assessment_annual", "2026")[str(wang)]
    assert (year["total"], year["rank_hall"]) == (100.4, 1)
    assert (year["grade"], year["grade_reason"]) == ("good", "forbidden_severity")


def test_five_people_tied_at_rank_one_share_one_excellent_seat(ledger: HallLedger, clock: FakeClock) -> None:
    people = five(ledger)
    clock.set(at(12, 30, 10))
    for person in people:
        ledger.record_annual_review(COMMITTEE, year="2026", staff_id=person, score=Decimal("100"))
    project(ledger, "assessment")
    first = min(str(p) for p in people)
    for table, period in (("assessment_quarterly", "2026-Q4"), ("assessment_annual", "2026")):
        results = graded(ledger, table, period)
        assert {r["rank_hall"] for r in results.values()} == {1}, "five people tied at rank 1"
        assert [s for s, r in results.items() if r["grade"] == "excellent"] == [first], "⌊20 % × 5⌋ = 1, by position"
        assert sorted(r["place"] for r in results.values()) == [1, 2, 3, 4, 5]
        assert {r["grade"] for s, r in results.items() if s != first} == {"good"}
        assert {r["grade_reason"] for s, r in results.items() if s != first} == {"quota"}

    # publishing freezes one 优秀; results with more than the quota are refused by the same rule
    outcome = ledger.publish_assessment(MANAGER, period="2026-Q4")
    assert outcome.extra["people"] == 5
    ledger.publish_assessment(COMMITTEE, period="2026")
    project(ledger, "assessment")
    published = rows(ledger, "assessment_published", "WHERE period = ?", ("2026",))
    assert [r["staff_id"] for r in published if r["grade"] == "excellent"] == [first]
    over = [{"staff_id": str(p), "total": "100", "grade": "excellent", "rank": 1} for p in people[:2]]
    over += [{"staff_id": str(p), "total": "100", "grade": "good", "rank": 1} for p in people[2:]]
    with pytest.raises(InvariantViolated) as refused:
        check_quota(over, load_scoring_policy("2026.1"), "year", "ART11.2@2026.1")
    assert refused.value.field == "results" and "allows 1" in str(refused.value), refused.value


@pytest.mark.rules("ART6.2", "ART11.1", "ART11.2")
def test_quarterly_and_annual_grades_are_read_over_http_and_in_the_cli(
    ledger: HallLedger, clock: FakeClock, env: Settings
) -> None:
    wang, *others = five(ledger)
    clock.set(at(11, 10, 10))
    given_confirmed_violation(ledger, wang, rule="ART6.2", when=at(11, 9))  # 酒后上岗: serious
    clock.set(at(12, 30, 10))
    for person in [wang, *others]:
        ledger.record_annual_review(COMMITTEE, year="2026", staff_id=person, score=Decimal("90"))
    project(ledger, "assessment", "staff_records")
    before = positions(ledger)

    app = create_app(env, ledger)
    tokens = make_tokens(app)
    with TestClient(app) as client:
        for period, kind in (("2026-Q4", "quarter"), ("2026", "year")):
            body = client.get(f"/api/v1/assessments/{period}", headers=tokens.headers("committee")).json()
            assert body["kind"] == kind
            results = {r["staff_id"]: r for r in body["results"]}
            assert (results[str(wang)]["grade"], results[str(wang)]["grade_reason"]) == ("fail", "veto")
            assert results[str(wang)]["grade_rules"] == ["ART6.2@2026.1"]
            assert sorted(r["place"] for r in body["results"]) == [1, 2, 3, 4, 5]
            assert body["grading"]["quota"] == "0.2"
            assert (body["grading"]["people"], body["grading"]["seats"], body["grading"]["holders"]) == (5, 1, 1)
            problem(client.get(f"/api/v1/assessments/{period}", headers=tokens.headers("dashboard")), 403)

    for period in ("2026-Q4", "2026"):
        shown = CliRunner().invoke(cli, ["ranking", "--period", period], env={"COLUMNS": "220"})
        assert shown.exit_code == 0, shown.output
        line = next(x for x in shown.output.splitlines() if "S001" in x)
        assert "不合格 fail" in line and "一票否决 veto" in line and "ART6.2@2026.1" in line, line
        assert "优秀 1/1 seats of 5" in shown.output
        assert sum("优秀 excellent" in x for x in shown.output.splitlines()) == 1
    assert positions(ledger) == before, "reading writes nothing"
