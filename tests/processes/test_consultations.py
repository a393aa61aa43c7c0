"""The consultation desk (ART2.5.1 – ART2.5.3) and citizens' personal data (PIPL), on both stores.

*Given* 李明 of a trading company asks at the desk, *then* a reception record holds his
name, organisation and contact — sealed under his own key — and the matter; the outcome
is an answer, a referral (where and how), an out-of-scope explanation, or an explanation of
what cannot be done, given before processing. *When* his data is erased, *then* his key is
gone, the record still loads, his fields reveal nothing, and a tombstone says so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from uuid import uuid4

import pytest

from domain.consultation import ANSWERED, LIMITS_EXPLAINED, OUT_OF_SCOPE, REFERRED, Consultation
from domain.data_subject import DataSubject, data_subject_id
from domain.envelope import Actor, Sealed
from domain.errors import InvalidInput, InvariantViolated, NotFound, NotPermitted
from projections.envelope import envelope
from service.application import HallLedger
from service.personal_data import PersonalDataKeyError, PersonalDataVault, SubjectErased
from tests.givens import (
    CLERK,
    MANAGER,
    at,
    events_of,
    given_consultation,
    given_hall,
    given_staff,
    positions,
    topics,
)

DASHBOARD = Actor("bi-feed", "dashboard")
AUDITOR = Actor("audit-1", "auditor")


def stored_states(ledger: HallLedger) -> list[bytes]:
    return [n.state for n in ledger.recorder.select_notifications(1, 10_000)]


@pytest.mark.rules("ART2.5.2")
def test_the_reception_record_keeps_personal_data_sealed_under_the_clients_own_key(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, client_ref = given_consultation(ledger, wang)
    consultation = ledger.consultation(consultation_id)
    assert consultation.matter == "企业设立登记需要哪些材料"
    assert consultation.client_ref == client_ref
    assert set(Consultation.ConsultationRecorded.personal_fields) == {
        "client_name", "client_organisation", "client_contact", "details",
    }  # fmt: skip

    vault = ledger.personal_data
    assert vault.reveal_for(CLERK, consultation.client_name) == "李明"
    assert vault.reveal_for(MANAGER, consultation.client_organisation) == "营口某贸易有限公司"
    assert vault.reveal(consultation.client_contact) == "13800138000"
    assert consultation.details is None

    for field in ("client_name", "client_organisation", "client_contact"):
        sealed: Sealed = getattr(consultation, field)
        assert sealed.subject == client_ref
        assert hashlib.sha256(base64.b64decode(sealed.ciphertext)).hexdigest() == sealed.commitment
    for state in stored_states(ledger):  # nothing readable in the stored events
        for clear in ("李明", "营口某贸易有限公司", "13800138000"):
            assert clear.encode() not in state and json.dumps(clear).encode()[1:-1] not in state
    recorded = events_of(ledger, consultation_id)[0]
    assert recorded.rule == "ART2.5.2@2026.1"  # type: ignore[attr-defined]
    data = envelope(recorded, positions(ledger))["data"]
    assert data["client_name"] == {"subject": client_ref, "commitment": consultation.client_name.commitment}


@pytest.mark.rules("ART2.5.2")
def test_only_roles_whose_work_needs_personal_data_may_reveal_it(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, _ = given_consultation(ledger, wang)
    sealed = ledger.consultation(consultation_id).client_name
    for reader in (DASHBOARD, AUDITOR, Actor("insp-li", "inspector"), Actor("cmte-zhao", "committee")):
        with pytest.raises(NotPermitted):
            ledger.personal_data.reveal_for(reader, sealed)


@pytest.mark.rules("ART2.5.2")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"client_name": " "}, "client_name"),
        ({"client_contact": ""}, "client_contact"),
        ({"matter": ""}, "matter"),
        ({"channel": "wechat"}, "channel"),
        ({"client_ref": "李明"}, "client_ref"),
    ],
)
def test_a_reception_record_needs_name_contact_and_matter(
    ledger: HallLedger, change: dict[str, str], field: str
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    fields = {
        "client_name": "李明",
        "client_contact": "13800138000",
        "matter": "企业设立登记",
        "client_ref": "client-77",
    }
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.record_consultation(CLERK, staff_id=wang, **dict(fields, **change))
    assert refused.value.field == field
    assert positions(ledger) == before
    assert ledger.personal_data.status("client-77") == "unknown", "a refused record makes no key"


@pytest.mark.rules("ART2.5.1")
def test_answered_per_policy_with_the_service_notice_slip(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, _ = given_consultation(ledger, wang)
    ledger.answer_consultation(
        CLERK, consultation_id=consultation_id, answer="告知所需材料及办理流程", service_notice_ref="告知单-TAX-0101"
    )
    answered = events_of(ledger, consultation_id)[-1]
    assert (answered.rule, answered.service_notice_ref) == ("ART2.5.1@2026.1", "告知单-TAX-0101")  # type: ignore[attr-defined]
    assert ledger.consultation(consultation_id).status == ANSWERED


@pytest.mark.rules("ART2.5.1")
def test_a_question_she_cannot_answer_is_referred_with_where_and_how(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, _ = given_consultation(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.refer_consultation(CLERK, consultation_id=consultation_id, where="市自然资源局不动产登记中心", how=" ")
    assert (refused.value.field, refused.value.rule) == ("how", "ART2.5.1@2026.1")
    assert positions(ledger) == before
    ledger.refer_consultation(
        CLERK, consultation_id=consultation_id, where="市自然资源局不动产登记中心(渤海大街88号)",
        how="工作日现场咨询,或拨打0417-1234567",
    )  # fmt: skip
    assert ledger.consultation(consultation_id).status == REFERRED


@pytest.mark.rules("ART2.5.1")
def test_a_matter_no_longer_accepted_is_explained_with_its_reason(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, _ = given_consultation(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvalidInput):
        ledger.explain_out_of_scope(CLERK, consultation_id=consultation_id, kind="no_longer_accepted", reason="")
    with pytest.raises(InvalidInput):
        ledger.explain_out_of_scope(CLERK, consultation_id=consultation_id, kind="bored", reason="r")
    assert positions(ledger) == before
    ledger.explain_out_of_scope(
        CLERK, consultation_id=consultation_id, kind="no_longer_accepted", reason="该事项已于2026年7月起取消审批"
    )
    assert ledger.consultation(consultation_id).status == OUT_OF_SCOPE


@pytest.mark.rules("ART2.5.3")
def test_what_cannot_be_done_is_explained_and_guided_before_processing(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, _ = given_consultation(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.explain_handling_limits(
            CLERK, consultation_id=consultation_id, kind="formalities_incomplete", reason="缺少授权委托书", guidance=""
        )
    assert (refused.value.field, refused.value.rule) == ("guidance", "ART2.5.3@2026.1")
    assert positions(ledger) == before
    ledger.explain_handling_limits(
        CLERK, consultation_id=consultation_id, kind="formalities_incomplete", reason="代办人缺少授权委托书",
        guidance="下载委托书模板,法定代表人签字盖章后再来办理",
    )  # fmt: skip
    assert ledger.consultation(consultation_id).status == LIMITS_EXPLAINED
    assert events_of(ledger, consultation_id)[-1].rule == "ART2.5.3@2026.1"  # type: ignore[attr-defined]


@pytest.mark.rules("ART2.5.1")
def test_a_consultation_has_one_outcome(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, _ = given_consultation(ledger, wang)
    ledger.answer_consultation(CLERK, consultation_id=consultation_id, answer="已解答")
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.refer_consultation(CLERK, consultation_id=consultation_id, where="w", how="h")
    assert positions(ledger) == before


@pytest.mark.rules("ART2.5.2")
def test_erasure_destroys_the_key_keeps_the_ledger_and_leaves_a_tombstone(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, client_ref = given_consultation(ledger, wang, when=at(10, 8, 8, 0))
    other_id, other_ref = given_consultation(
        ledger, wang, client_name="赵雪", client_contact="zhao@example.cn", client_organisation=None
    )
    ledger.answer_consultation(CLERK, consultation_id=consultation_id, answer="已解答")
    sealed_before = ledger.consultation(consultation_id).client_name
    before = positions(ledger)

    outcome = ledger.erase_personal_data(MANAGER, subject=client_ref, reason="保存期限届满(三年)")

    assert outcome.positions == [before + 1] and positions(ledger) == before + 1
    assert topics(ledger)[-1] == "PersonalDataErased"
    tombstone = ledger.load(DataSubject, data_subject_id("beihai", client_ref), what="data subject", field="subject")
    assert (tombstone.subject, tombstone.reason) == (client_ref, "保存期限届满(三年)")
    assert ledger.personal_data.status(client_ref) == "erased"

    # the record still loads, its fields stay sealed and verifiable, but reveal nothing
    consultation = ledger.consultation(consultation_id)
    assert consultation.status == ANSWERED and consultation.client_name == sealed_before
    for field in ("client_name", "client_organisation", "client_contact"):
        sealed = getattr(consultation, field)
        assert hashlib.sha256(base64.b64decode(sealed.ciphertext)).hexdigest() == sealed.commitment
        assert ledger.personal_data.reveal_for(MANAGER, sealed) is None
    # every past event still loads; the other client's data is untouched
    assert len([ledger.mapper.to_domain_event(n) for n in ledger.recorder.select_notifications(1, 10_000)]) == (
        positions(ledger)
    )
    assert ledger.personal_data.reveal(ledger.consultation(other_id).client_name) == "赵雪"
    assert ledger.personal_data.status(other_ref) == "active"


@pytest.mark.rules("ART2.5.2")
def test_erasure_is_refused_twice_for_staff_and_for_unknown_subjects(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    _, client_ref = given_consultation(ledger, wang)
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.erase_personal_data(CLERK, subject=client_ref, reason="申请人要求删除")
    with pytest.raises(NotFound) as unknown:
        ledger.erase_personal_data(MANAGER, subject="client-never-seen", reason="r")
    assert unknown.value.field == "subject"
    with pytest.raises(InvalidInput):
        ledger.erase_personal_data(MANAGER, subject=client_ref, reason=" ")
    assert positions(ledger) == before
    assert ledger.personal_data.status(client_ref) == "active", "a refused erasure destroys nothing"

    ledger.erase_personal_data(MANAGER, subject=client_ref, reason="申请人要求删除")
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.erase_personal_data(MANAGER, subject=client_ref, reason="again")
    assert positions(ledger) == before


@pytest.mark.rules("ART2.5.2")
def test_new_data_for_an_erased_subject_needs_a_new_reference(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    _, client_ref = given_consultation(ledger, wang)
    ledger.erase_personal_data(MANAGER, subject=client_ref, reason="申请人要求删除")
    before = positions(ledger)
    with pytest.raises(SubjectErased) as refused:
        given_consultation(ledger, wang, client_ref=client_ref)
    assert refused.value.field == "client_ref"
    assert positions(ledger) == before
    _, fresh = given_consultation(ledger, wang)
    assert fresh != client_ref


def test_the_master_key_lives_in_a_private_file_and_is_never_silently_replaced(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, _ = given_consultation(ledger, wang)
    path = ledger.personal_data.master_key_path
    assert path.parent == ledger.settings.key_dir
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    again = PersonalDataVault(ledger.recorder, ledger.settings)  # the table is created idempotently
    assert again.reveal(ledger.consultation(consultation_id).client_name) == "李明"

    path.unlink()
    lost = PersonalDataVault(ledger.recorder, ledger.settings)
    with pytest.raises(PersonalDataKeyError):
        lost.seal(f"client-{uuid4()}", "x")
    assert not path.exists(), "no new master key while wrapped subject keys exist"


def test_a_tampered_sealed_value_is_refused_by_the_domain(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    consultation_id, client_ref = given_consultation(ledger, wang)
    sealed = ledger.consultation(consultation_id).client_name
    forged = Sealed(
        subject=client_ref, ciphertext=base64.b64encode(b"not the ciphertext").decode(), commitment=sealed.commitment
    )
    with pytest.raises(ValueError):
        ledger.personal_data.reveal(forged)
    ctx = ledger.context(CLERK)
    with pytest.raises(InvalidInput) as refused:
        Consultation.record(
            ctx, id=uuid4(), staff_id=wang, window_id=None, channel="desk", client_ref=client_ref,
            client_name=forged, client_organisation=None, client_contact=sealed, matter="m", matter_code=None,
            details=None, rule="ART2.5.2@2026.1",
        )  # fmt: skip
    assert refused.value.field == "client_name"
    with pytest.raises(InvalidInput) as other:
        Consultation.record(
            ctx, id=uuid4(), staff_id=wang, window_id=None, channel="desk", client_ref="client-someone-else",
            client_name=sealed, client_organisation=None, client_contact=sealed, matter="m", matter_code=None,
            details=None, rule="ART2.5.2@2026.1",
        )  # fmt: skip
    assert "another data subject" in str(other.value)


@pytest.mark.rules("ART2.5.2")
def test_the_details_of_the_request_are_sealed_too(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    outcome = ledger.record_consultation(
        CLERK, staff_id=wang, client_name="周敏", client_contact="0417-7654321", matter="个体户注销",
        matter_code="MKT-0302", details="本人经营的小吃店(渤海路12号)拟于年底注销", channel="phone",
    )  # fmt: skip
    consultation = ledger.consultation(outcome.id)
    assert consultation.matter_code == "MKT-0302" and consultation.client_organisation is None
    assert ledger.personal_data.reveal_for(CLERK, consultation.details) == "本人经营的小吃店(渤海路12号)拟于年底注销"
    assert all("渤海路12号".encode() not in state for state in stored_states(ledger))
