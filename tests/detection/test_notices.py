"""ART2.2 一次性告知制: a later notice asking for a material the first notice did not list.

*Given* 王芳's one-time notice asked for an ID card and a lease, *when* 李强 later asks the
same applicant for a shareholders' resolution, *then* the one-time notice was not one-time:
a candidate against 王芳, who issued the incomplete first notice.
"""

from __future__ import annotations

from typing import Any

import pytest

from domain.service_case import MissingMaterial
from domain.violation import Violation
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    at,
    detected,
    detector_rows,
    given_case,
    given_hall,
    given_staff,
    positions,
    rebuild_detector,
    run_detector,
)

NOTICE: dict[str, Any] = {
    "missing_materials": [
        MissingMaterial("法定代表人身份证", format="原件及复印件", quantity=1, issuer="公安机关"),
        MissingMaterial("经营场所使用证明", format="复印件加盖公章", quantity=2),
    ],
    "procedure": "补齐材料后到7号窗口递交,当场审核",
    "time_limit_working_days": 3,
    "fees": "不收费",
    "legal_basis": "《税务登记管理办法》第十条",
    "materials_list_id": "TAX-0101-一览表-2026版",
}


def _notice(**change: Any) -> dict[str, Any]:
    return dict(NOTICE, **change)


@pytest.mark.rules("ART2.2")
def test_a_second_notice_asking_for_a_new_material_is_a_candidate_against_the_first_notices_issuer(
    ledger: HallLedger, clock: FakeClock
) -> None:
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李强")
    case = given_case(ledger, hall, wang, when=at(10, 12, 9, 0))
    ledger.issue_one_time_notice(CLERK, case_id=case, occurred_at=at(10, 12, 9, 10), **_notice())
    first = positions(ledger)
    ledger.resubmit_materials(CLERK, case_id=case, materials=["法定代表人身份证"], occurred_at=at(10, 14, 9, 0))
    second = ledger.issue_one_time_notice(
        CLERK, case_id=case, issued_by=li, occurred_at=at(10, 14, 9, 5),
        **_notice(missing_materials=[{"name": "经营场所使用证明"}, {"name": "股东会决议", "quantity": 1}]),
    ).positions[0]  # fmt: skip
    appended = run_detector(ledger)
    assert [type(e) for _, e in appended] == [Violation.Detected]
    _, candidate = appended[0]
    assert (candidate.rule, candidate.item, candidate.staff_id, candidate.window_id) == (  # type: ignore[attr-defined]
        "ART2.2@2026.1", "second_notice", wang, hall.tax_window,
    )  # fmt: skip
    assert candidate.causation == [first, second]  # type: ignore[attr-defined]
    assert candidate.occurred_at == at(10, 14, 9, 5)  # type: ignore[attr-defined]
    assert "股东会决议" in candidate.evidence and "did not list" in candidate.evidence  # type: ignore[attr-defined]
    # a third notice on the same application: the case already has its candidate
    ledger.resubmit_materials(CLERK, case_id=case, materials=["股东会决议"], occurred_at=at(10, 15, 9, 0))
    ledger.issue_one_time_notice(
        CLERK, case_id=case, occurred_at=at(10, 15, 9, 5), **_notice(missing_materials=[{"name": "公司章程"}])
    )
    assert run_detector(ledger) == []
    rows = detector_rows(ledger)
    assert rebuild_detector(ledger) == []
    assert detector_rows(ledger) == rows and len(detected(ledger)) == 1


@pytest.mark.rules("ART2.2")
def test_a_later_notice_repeating_what_the_first_asked_for_is_not_a_candidate(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """The applicant brought only part of the list: asking again for the rest is the same notice."""
    clock.set(at(12, 31))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    case = given_case(ledger, hall, wang, when=at(10, 12, 9, 0))
    other = given_case(ledger, hall, wang, when=at(10, 12, 10, 0), applicant_ref="applicant-0002")
    ledger.issue_one_time_notice(CLERK, case_id=case, occurred_at=at(10, 12, 9, 10), **_notice())
    ledger.issue_one_time_notice(CLERK, case_id=other, occurred_at=at(10, 12, 10, 10), **_notice())
    ledger.resubmit_materials(CLERK, case_id=case, materials=["法定代表人身份证"], occurred_at=at(10, 14, 9, 0))
    ledger.issue_one_time_notice(
        CLERK, case_id=case, occurred_at=at(10, 14, 9, 5),
        **_notice(missing_materials=[{"name": " 经营场所使用证明 "}]),
    )  # fmt: skip
    ledger.resubmit_materials(
        CLERK, case_id=other, materials=["法定代表人身份证", "经营场所使用证明"], occurred_at=at(10, 14, 9, 50)
    )
    ledger.accept_application(CLERK, case_id=other, committed_working_days=5, occurred_at=at(10, 14, 10, 0))
    assert run_detector(ledger) == []
    assert rebuild_detector(ledger) == []
