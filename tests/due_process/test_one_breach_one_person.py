"""One breach, one person (ART2.2, ART2.2.1, ART6.3; ART11 assessment).

*Given* 王芳 issues the first one-time notice on an application and 李娜 a second one asking
for a material the first did not list, *then* the one-time-notice KPI miss and the ART2.2
candidate both name 王芳 — whose list was incomplete — and nobody else.

*Given* one confirmed posture slip under ART6.3 (背对窗口, a minor item) at one window and
one confirmed 吃拿卡要 under ART6.3 at another, *then* the windows lose what the catalogue
*item* says, not what the rule says: the posture slip is the person's alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    WINDOW_LEAD,
    at,
    given_case,
    given_confirmed_violation,
    given_hall,
    given_staff,
    run_detector,
)
from tests.projections.support import one, project, rows


def _notice(ledger: HallLedger, case: Any, material: str, issued_by: Any, when: Any) -> None:
    ledger.issue_one_time_notice(
        WINDOW_LEAD, case_id=case, missing_materials=[{"name": material}], procedure="补正",
        time_limit_working_days=5, fees="无", legal_basis="行政许可法第三十二条", materials_list_id="ML-1",
        issued_by=issued_by, occurred_at=when,
    )  # fmt: skip


def _kpi(ledger: HallLedger, staff: Any) -> Any:
    found = rows(ledger, "assessment_monthly", "WHERE staff_id = ? AND period = ?", (str(staff), "2026-10"))
    return found[0]["kpi_one_time_notice"] if found else None


@pytest.mark.rules("ART2.2", "ART2.2.1")
def test_the_kpi_miss_and_the_art2_2_violation_name_the_first_notices_issuer(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(10, 9, 9))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜")
    case = given_case(ledger, hall, wang, when=at(10, 9, 9))
    clock.set(at(10, 9, 9, 10))
    _notice(ledger, case, "营业执照副本", wang, at(10, 9, 9, 10))
    clock.set(at(10, 12, 10))
    _notice(ledger, case, "法人身份证", li, at(10, 12, 10))  # a material the first notice did not list
    [candidate] = [e for _, e in run_detector(ledger) if isinstance(e, Violation.Detected)]
    assert (candidate.rule, candidate.item, candidate.staff_id) == ("ART2.2@2026.1", "second_notice", wang)
    project(ledger, "assessment")

    assert _kpi(ledger, wang) == 50, "王芳's notice was not one-time: one met (issued), one miss (revealed)"
    assert _kpi(ledger, li) is None, "李娜 only revealed the breach: no miss of hers"


@pytest.mark.rules("ART6.3", "ART11.1")
def test_a_window_loses_what_the_catalogue_item_says_not_what_the_rule_says(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(10, 20, 9))
    hall = given_hall(ledger)
    posture = given_staff(ledger, hall)
    integrity = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    given_confirmed_violation(ledger, posture, rule="ART6.3", item="back_to_window", when=at(10, 15, 10))
    given_confirmed_violation(ledger, integrity, rule="ART6.3", when=at(10, 15, 11), evidence="收受服务对象购物卡")
    project(ledger, "assessment")

    def items(window: Any) -> Any:
        return one(ledger, "assessment_windows", "WHERE window_id = ? AND period = ?", (str(window), "2026-10"))[
            "items"
        ]

    assert items(hall.tax_window) == 100, "背对窗口 (ART6.3 item back_to_window): the person's, window_deduction 0"
    assert items(hall.tax_window_2) == 98, "吃拿卡要 (ART6.3): the rule's window deduction, 2"
