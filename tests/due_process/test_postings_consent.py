"""Issue 10 point 4 — ART8.2 after two years.

ART8.1 一般须定岗两年以上; ART8.2 各部门调换派驻人员或临时派员工作时,应**事先**征得管委会同意.
Replacing seconded staff (a replacement or a rotation) or sending someone temporarily needs the
management committee's *prior* consent whatever the tenure — also after the second anniversary,
when ART8.1 no longer asks for one. Prior: given no later than the change is made, on or before
the day it takes effect. One place: ``domain.staff.consent_needed_to_end`` / ``consent_is_prior``.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvariantViolated
from domain.staff import OFF_POST, ON_POST, consent_needed_to_end
from service.application import HallLedger
from tests.givens import COMMITTEE, MANAGER, at, given_hall, given_staff, positions, topics


@pytest.mark.rules("ART8.1", "ART8.2")
def test_replacing_seconded_staff_after_two_years_needs_the_committees_prior_consent(ledger: HallLedger) -> None:
    """王芳 posted 1 March 2024: past her second anniversary, the tax bureau replaces her on 9 Oct 2026."""
    hall = given_hall(ledger)
    outgoing = given_staff(ledger, hall, posted_on=date(2024, 3, 1))
    successor = given_staff(ledger, hall, staff_no="S002", name="刘洋", posted=False)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.replace_staff(MANAGER, outgoing_id=outgoing, successor_id=successor, start=date(2026, 10, 9))
    assert (refused.value.rule, refused.value.field) == ("ART8.2@2026.1", "consent_id")
    assert "whatever the tenure" in str(refused.value)
    assert positions(ledger) == before

    consent = ledger.record_committee_consent(
        COMMITTEE, staff_id=outgoing, kind="replacement", decision_ref="管委会〔2026〕21号", occurred_at=at(10, 8, 8)
    ).extra["consent_id"]
    ledger.replace_staff(
        MANAGER, outgoing_id=outgoing, successor_id=successor, start=date(2026, 10, 9), consent_id=consent
    )
    assert ledger.staff(outgoing).status == OFF_POST and ledger.staff(successor).status == ON_POST
    assert topics(ledger)[-3:] == ["CommitteeConsentRecorded", "PostingEnded", "Posted"]


@pytest.mark.rules("ART8.2")
def test_a_rotation_after_two_years_is_a_replacement_and_needs_consent(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall, posted_on=date(2023, 9, 1))
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.end_posting(MANAGER, staff_id=staff, end=date(2026, 10, 8), reason="rotation")
    assert (refused.value.rule, refused.value.field) == ("ART8.2@2026.1", "consent_id")
    assert positions(ledger) == before


@pytest.mark.rules("ART8.2")
def test_a_consent_given_after_the_replacement_took_effect_is_not_prior(ledger: HallLedger) -> None:
    """The committee consents on 8 Oct to a replacement back-dated to 1 Oct: 事后同意 is not 事先同意."""
    hall = given_hall(ledger)
    outgoing = given_staff(ledger, hall, posted_on=date(2024, 3, 1))
    successor = given_staff(ledger, hall, staff_no="S002", name="刘洋", posted=False)
    consent = ledger.record_committee_consent(
        COMMITTEE, staff_id=outgoing, kind="replacement", decision_ref="管委会〔2026〕22号", occurred_at=at(10, 8, 8)
    ).extra["consent_id"]
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.replace_staff(
            MANAGER, outgoing_id=outgoing, successor_id=successor, start=date(2026, 10, 1), consent_id=consent,
            occurred_at=at(10, 1, 9),
        )  # fmt: skip
    assert (refused.value.rule, refused.value.field) == ("ART8.2@2026.1", "consent_id")
    assert "prior consent" in str(refused.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART8.2")
def test_a_temporary_posting_needs_a_consent_given_before_it_starts(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    temp = given_staff(ledger, hall, staff_no="S003", name="周敏", posted=False)
    consent = ledger.record_committee_consent(
        COMMITTEE, staff_id=temp, kind="temporary_substitution", decision_ref="管委会〔2026〕23号",
        occurred_at=at(10, 8, 8),
    ).extra["consent_id"]  # fmt: skip
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.post_staff(
            MANAGER, staff_id=temp, window_id=hall.tax_window_2, start=date(2026, 10, 5), temporary=True,
            consent_id=consent,
        )  # fmt: skip
    assert refused.value.field == "consent_id" and positions(ledger) == before
    ledger.post_staff(
        MANAGER, staff_id=temp, window_id=hall.tax_window_2, start=date(2026, 10, 9), temporary=True,
        consent_id=consent,
    )  # fmt: skip


@pytest.mark.rules("ART8.1", "ART8.2")
def test_which_ends_of_a_posting_need_which_consent() -> None:
    """The one place of the rule, as a table."""
    start, early, late = date(2024, 3, 1), date(2025, 6, 1), date(2026, 10, 8)

    def needed(reason: str, end: date, *, seconded: bool = True, temporary: bool = False) -> str | None:
        return consent_needed_to_end(seconded=seconded, temporary=temporary, start=start, end=end, reason=reason)

    assert needed("replaced", late) == needed("rotation", late) == "replacement", "ART8.2 whatever the tenure"
    assert needed("replaced", early) == "replacement"
    assert needed("early_end", early) == "early_end", "ART8.1 before two years"
    assert needed("early_end", late) is None
    assert needed("replaced", late, seconded=False) is None, "hall staff are not seconded"
    assert needed("end_of_temporary", early, temporary=True) is None
