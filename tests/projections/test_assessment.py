"""Assessment scores (ART11): monthly lines, grades, ranks, KPIs, windows, quarter and year,
published periods and pending amendments, what-if re-scoring — both stores."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.errors import NotPermitted
from domain.policies.scoring import load_scoring_policy
from projections.assessment import score_month
from projections.facts import new_core, new_month
from service.application import HallLedger
from service.cli import app
from service.settings import Settings
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    COMMITTEE,
    MANAGER,
    REVIEWER,
    at,
    given_appeal,
    given_case,
    given_confirmed_violation,
    given_hall,
    given_inquiry,
    given_staff,
    positions,
)
from tests.projections.support import one, positions_of, project, rows

pytestmark = pytest.mark.rules("ART11.1", "ART11.2")


def month_row(ledger: HallLedger, staff: object, period: str = "2026-10") -> dict[str, object]:
    return one(ledger, "assessment_monthly", "WHERE staff_id = ? AND period = ?", (str(staff), period))


def lines(ledger: HallLedger, staff: object, period: str = "2026-10") -> list[dict[str, object]]:
    found = rows(ledger, "assessment_lines", "WHERE staff_id = ? AND period = ?", (str(staff), period))
    return sorted(found, key=lambda r: r["seq"])


def test_a_month_is_the_base_less_each_deduction_with_grades_and_ranks(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜")
    zhao = given_staff(ledger, hall, staff_no="S003", name="赵磊", window=hall.market_window, department=hall.market)
    sun = given_staff(ledger, hall, staff_no="S004", name="孙悦", window=hall.market_window, department=hall.market)
    clock.set(at(10, 9, 12))
    late = given_confirmed_violation(ledger, wang, rule="ART6.5", item="late", when=at(10, 9, 8))
    shirked = given_confirmed_violation(ledger, wang, rule="ART2.1", when=at(10, 9, 10))
    given_confirmed_violation(ledger, zhao, rule="ART6.1", when=at(10, 9, 11))
    given_confirmed_violation(ledger, sun, rule="ART6.1", when=at(10, 9, 11))
    project(ledger, "assessment")

    row = month_row(ledger, wang)
    assert (row["base"], row["deductions"], row["bonus"], row["total"]) == (100, 3, 0, 97)
    assert row["grade"] == "good", "a major breach rules out 优秀 whatever the score"
    assert row["policy"] == "scoring@2026.1"
    assert [(x["kind"], x["points"], x["rule"], x["item"]) for x in lines(ledger, wang)] == [
        ("base", 100, "scoring@2026.1", None),
        ("deduction", -1, "ART6.5@2026.1", "late"),
        ("deduction", -2, "ART2.1@2026.1", None),
    ]
    assert [x["positions"] for x in lines(ledger, wang)][1:] == [
        positions_of(ledger, late),
        positions_of(ledger, shirked),
    ]
    assert [x["source"] for x in lines(ledger, wang)][1:] == [str(late), str(shirked)]
    assert (month_row(ledger, zhao)["total"], month_row(ledger, zhao)["grade"]) == (99, "excellent")
    ranks = {
        r["staff_id"]: (r["rank_hall"], r["rank_window"], r["rank_department"])
        for r in rows(ledger, "assessment_monthly")
    }
    assert ranks == {
        str(li): (1, 1, 1),
        str(zhao): (2, 1, 1),  # ties share a rank (1, 2, 2, 4)
        str(sun): (2, 1, 1),
        str(wang): (4, 2, 2),
    }
    departments = {r["department_id"]: (r["mean"], r["rank_hall"]) for r in rows(ledger, "assessment_departments")}
    assert departments == {str(hall.tax): (98.5, 2), str(hall.market): (99, 1)}


@pytest.mark.rules("ART2.1")
def test_appeals_make_a_deduction_provisional_amend_it_or_take_it_away(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 12))
    contested = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 9, 9))
    revoked = given_confirmed_violation(ledger, staff, rule="ART6.6", when=at(10, 9, 10))
    clock.set(at(10, 12, 10))
    appeal = given_appeal(ledger, staff, contested, filed=at(10, 12))
    project(ledger, "assessment")
    assert month_row(ledger, staff)["provisional"] == 1
    assert [x["provisional"] for x in lines(ledger, staff)] == [0, 1, 0], "the deduction stands, provisionally"

    clock.set(at(10, 15, 10))
    ledger.decide_appeal(REVIEWER, appeal_id=appeal, outcome="amended", reasons="情节轻微", rule="ART2.1",
                         deduction=Decimal("0.5"))  # fmt: skip
    ledger.revoke_violation(MANAGER, violation_id=revoked, reason="复查不属实")
    project(ledger, "assessment")
    row = month_row(ledger, staff)
    assert (row["deductions"], row["total"], row["provisional"]) == (0.5, 99.5, 0)
    assert [(x["kind"], x["points"]) for x in lines(ledger, staff)] == [("base", 100), ("deduction", -0.5)]


def test_bonus_lines_the_caps_the_floor_and_the_veto(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    star = given_staff(ledger, hall)
    fallen = given_staff(ledger, hall, staff_no="S002", name="李娜")
    clock.set(at(10, 15, 10))
    for _ in range(3):
        ledger.record_praise(MANAGER, kind="silk_banner", staff_ids=[star], from_organisation="某公司", note="锦旗")
    for n in range(3):
        ledger.record_rating(MANAGER, ref=f"HCP-{n}", level="very_satisfied", channel="on_site",
                             window_id=hall.tax_window, staff_id=star)  # fmt: skip
    for n in range(6):
        given_confirmed_violation(ledger, fallen, rule="ART6.3", when=at(10, 1 + n))  # 吃拿卡要 −20
    project(ledger, "assessment")

    row = month_row(ledger, star)
    assert (row["bonus"], row["total"], row["grade"]) == (5, 105, "excellent")
    kinds = [(x["kind"], x["item"], x["points"], len(x["positions"])) for x in lines(ledger, star)]
    assert kinds == [
        ("base", None, 100, 0),
        ("bonus", "banner", 2, 1),
        ("bonus", "banner", 2, 1),
        ("bonus", "banner", 2, 1),
        ("bonus", "very_satisfied_rating", 0.06, 3),  # one line naming each 非常满意
        ("bonus_cap", None, -1.06, 0),  # the month's bonus counts up to +5
    ]
    low = month_row(ledger, fallen)
    assert (low["total"], low["grade"]) == (0, "fail"), "floored at 0; a serious breach vetoes (一票否决)"
    assert lines(ledger, fallen)[-1]["kind"] == "floor"


@pytest.mark.rules("ART2.1", "ART2.2", "ART2.3")
def test_kpi_components_come_from_cases_notices_inquiries_and_ratings(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 9, 9))
    on_time = given_case(ledger, hall, staff, when=at(10, 9, 9))
    ledger.accept_application(CLERK, case_id=on_time, committed_working_days=3)
    late = given_case(ledger, hall, staff, when=at(10, 9, 9))
    ledger.issue_one_time_notice(CLERK, case_id=late, missing_materials=[{"name": "营业执照副本"}], procedure="补正",
                                 time_limit_working_days=5, fees="无", legal_basis="行政许可法第三十二条",
                                 materials_list_id="ML-1")  # fmt: skip
    ledger.issue_one_time_notice(CLERK, case_id=late, missing_materials=[{"name": "法人身份证"}], procedure="补正",
                                 time_limit_working_days=5, fees="无", legal_basis="行政许可法第三十二条",
                                 materials_list_id="ML-1")  # fmt: skip
    ledger.resubmit_materials(CLERK, case_id=late, materials=["营业执照副本", "法人身份证"])
    ledger.accept_application(CLERK, case_id=late, committed_working_days=1)
    clock.set(at(10, 12, 10))
    ledger.complete_case(CLERK, case_id=on_time, result="准予登记")
    clock.set(at(10, 20, 10))
    ledger.complete_case(CLERK, case_id=late, result="准予登记")
    handled = given_inquiry(ledger, staff, when=at(10, 20, 9))
    ledger.handle_inquiry(CLERK, inquiry_id=handled, outcome="当场解答")
    ledger.close_inquiry(CLERK, inquiry_id=handled)
    given_inquiry(ledger, staff, client_ref="client-0002", when=at(10, 20, 9))
    for ref, level in (("HCP-1", "satisfied"), ("HCP-2", "dissatisfied")):
        ledger.record_rating(
            MANAGER, ref=ref, level=level, channel="on_site", window_id=hall.tax_window, staff_id=staff
        )
    project(ledger, "assessment")

    row = month_row(ledger, staff)
    assert row["kpi_on_time_completion"] == 50, "one of two committed cases on time"
    assert row["kpi_one_time_notice"] == 50, "the second notice asked for a new material (ART2.2)"
    assert row["kpi_first_inquiry"] == 50, "one of two first inquiries closed"
    assert row["kpi_client_rating"] == 50, "satisfied / all counting ratings"
    window = one(ledger, "assessment_windows", "WHERE window_id = ?", (str(hall.tax_window),))
    assert (window["satisfaction"], window["on_time"], window["missing"]) == (50, 50, [])
    # finished Mon 12 Oct, due Tue 13 Oct (Sat 10 Oct is a working day, 调休): one working day early
    assert (row["bonus"], row["total"]) == (0.2, 100.2)
    assert window["total"] == pytest.approx(0.4 * row["total"] + 0.2 * 50 + 0.2 * 50 + 0.2 * 100, abs=0.01)


@pytest.mark.rules("ART2.2", "ART2.2.1", "ART11.1")
def test_window_scores_leave_out_missing_components_and_rank_the_windows(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    given_staff(ledger, hall)
    other = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.market_window, department=hall.market)
    clock.set(at(10, 9, 12))
    given_confirmed_violation(ledger, other, rule="ART2.2", item="second_notice", when=at(10, 9, 8))
    project(ledger, "assessment")
    windows = {r["window_id"]: r for r in rows(ledger, "assessment_windows")}
    tax, market = windows[str(hall.tax_window)], windows[str(hall.market_window)]
    assert tax["missing"] == ["on_time", "satisfaction"]
    assert (tax["staff_mean"], tax["items"], tax["total"], tax["rank_hall"]) == (100, 100, 100, 1)
    # ART2.2 also costs the window 2 (catalogue window_deduction): (0.4 × 98 + 0.2 × 98) / 0.6
    assert (market["staff_mean"], market["items"], market["total"], market["rank_hall"]) == (98, 98, 98, 2)
    assert market["item_positions"] != []


def test_quarter_and_year_derive_from_the_months_and_the_committee_review(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(11, 10, 10))
    given_confirmed_violation(ledger, staff, rule="ART6.6", when=at(11, 9))  # −2 in November
    project(ledger, "assessment")
    quarter = one(ledger, "assessment_quarterly")
    assert (quarter["period"], quarter["months"], quarter["mean"], quarter["ranked"]) == ("2026-Q4", 2, 99, 1)
    year = one(ledger, "assessment_annual")
    assert (year["monthly_mean"], year["review"], year["total"]) == (99, None, None), "the total waits for the review"

    ledger.record_annual_review(COMMITTEE, year="2026", staff_id=staff, score=Decimal("90"), note="年度评议")
    project(ledger, "assessment")
    year = one(ledger, "assessment_annual")
    assert (year["review"], year["total"]) == (90, 97.2)  # 0.8 × 99 + 0.2 × 90
    assert year["grade"] == "good", "a major breach in November rules out 优秀 for the year"
    assert (year["grade_reason"], year["grade_rules"], year["place"], year["deductions"]) == (
        "forbidden_severity",
        ["ART6.6@2026.1"],
        1,
        2,
    )


def test_a_published_month_is_frozen_and_a_later_revocation_marks_it_amendment_pending(
    ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜")
    clock.set(at(10, 20, 10))
    violation = given_confirmed_violation(ledger, wang, rule="ART2.1", when=at(10, 9))
    given_confirmed_violation(ledger, li, rule="ART6.5", item="late", when=at(10, 10))
    clock.set(at(11, 2, 10))
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.publish_assessment(COMMITTEE, period="2026-10")
    assert positions(ledger) == before, "only the center publishes a month"
    outcome = ledger.publish_assessment(MANAGER, period="2026-10")
    assert outcome.extra["position"] == before and outcome.extra["people"] == 2
    project(ledger, "assessment")
    period = one(ledger, "assessment_periods", "WHERE period = ?", ("2026-10",))
    assert (period["status"], period["published_position"], period["differences"]) == ("published", before, 0)
    assert period["published_digest"] == period["current_digest"] == outcome.extra["digest"]
    frozen = {r["staff_id"]: (r["total"], r["grade"], r["rank_hall"]) for r in rows(ledger, "assessment_published")}
    assert frozen == {str(li): (99, "excellent", 1), str(wang): (98, "good", 2)}

    # the appeal reviewer overturns the September breach in November: the published ranking
    # does not change silently — the period shows the difference
    clock.set(at(11, 5, 10))
    revocation = ledger.revoke_violation(MANAGER, violation_id=violation, reason="申诉复核撤销")
    project(ledger, "assessment")
    period = one(ledger, "assessment_periods", "WHERE period = ?", ("2026-10",))
    assert (period["status"], period["differences"]) == ("amendment_pending", 2)
    assert revocation.positions[0] in period["changed_by"]
    assert {r["staff_id"]: (r["total"], r["rank_hall"]) for r in rows(ledger, "assessment_published")} == {
        str(li): (99, 1), str(wang): (98, 2),
    }, "the published figures stay as published"  # fmt: skip
    diff = {r["staff_id"]: r for r in rows(ledger, "assessment_differences")}
    assert (diff[str(wang)]["published_total"], diff[str(wang)]["current_total"]) == (98, 100)
    assert (diff[str(wang)]["published_rank"], diff[str(wang)]["current_rank"]) == (2, 1)
    assert (diff[str(li)]["published_rank"], diff[str(li)]["current_rank"]) == (1, 2)

    amended = ledger.amend_assessment(MANAGER, period="2026-10", reason="申诉撤销一项违规")
    project(ledger, "assessment")
    period = one(ledger, "assessment_periods", "WHERE period = ?", ("2026-10",))
    assert (period["status"], period["amendments"], period["differences"]) == ("amended", 1, 0)
    assert period["published_digest"] == amended.extra["digest"]
    assert {r["staff_id"]: r["rank_hall"] for r in rows(ledger, "assessment_published")} == {str(wang): 1, str(li): 2}


def test_score_month_is_a_pure_function_of_the_facts_and_the_policy() -> None:
    core = new_core("p1")
    core["profile"] = {
        "staff_no": "S1",
        "name": "n",
        "department_id": "d",
        "employment": "hall",
        "onboarded_t": 0,
        "pos": 1,
    }
    month = new_month()
    month["vs"] = list(range(1, 80))  # 79 非常满意: 0.02 each, capped at +1
    score = score_month(core, month, "2026-10", load_scoring_policy())
    assert (score["bonus"], score["total"]) == (Decimal("1.00"), Decimal("101.00"))
    assert score["lines"][1]["positions"] == list(range(1, 80))


def test_rescore_shows_what_if_scores_beside_the_published_ones_and_writes_nothing(
    ledger: HallLedger, clock: FakeClock, env: Settings, tmp_path: Path
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    clock.set(at(10, 20, 10))
    given_confirmed_violation(ledger, staff, rule="ART6.5", item="late", when=at(10, 9))
    clock.set(at(11, 2, 10))
    ledger.publish_assessment(MANAGER, period="2026-10")
    project(ledger)
    policy = Path(__file__).parents[2] / "domain" / "policies" / "scoring-2026.1.toml"
    stricter = tmp_path / "scoring-2026.2.toml"
    stricter.write_text(
        policy.read_text(encoding="utf-8")
        .replace('version = "2026.1"', 'version = "2026.2"')
        .replace('# "ART6.5/late" = "1"', '"ART6.5/late" = "4"'),
        encoding="utf-8",
    )
    before = positions(ledger)
    result = CliRunner().invoke(
        app, ["rescore", "--policy", str(stricter), "--period", "2026-10"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "published under scoring@2026.1" in result.output and "what-if under scoring@2026.2" in result.output
    line = next(x for x in result.output.splitlines() if "S001" in x)
    assert "99.00" in line and "96.00" in line and "-3.00" in line, line
    assert positions(ledger) == before, "a what-if never writes to the ledger"

    bad = tmp_path / "scoring-2026.3.toml"
    bad.write_text(policy.read_text(encoding="utf-8").replace('staff_weight = "0.4"', 'staff_weight = "0.5"'))
    refused = CliRunner().invoke(app, ["rescore", "--policy", str(bad), "--period", "2026-10"])
    assert refused.exit_code == 2 and "weights must add up to 1" in refused.output
