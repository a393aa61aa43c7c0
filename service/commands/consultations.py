"""Consultation desk and reception records (ART2.5), and the erasure of personal data.

Personal fields (the client's name, organisation, contact, the details of the request) are
sealed here, with the client's own key, before the domain sees them; see
:mod:`service.personal_data`. Reading them back is for ``hall_manager`` and ``staff`` only
(``ledger.personal_data.reveal_for(actor, sealed)``); the HTTP layer enforces it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from domain.consultation import Consultation
from domain.data_subject import DataSubject, data_subject_id, require_pseudonym
from domain.envelope import Actor
from domain.errors import InvalidInput, InvariantViolated, NotFound
from domain.organisation import Window
from domain.ownership import require_own_record
from domain.staff import StaffMember
from service.app_base import LedgerApplicationBase, Outcome
from service.personal_data import PersonalDataVault, SubjectErased


def new_client_ref() -> str:
    """A fresh pseudonymous client reference (one that cannot be mistaken for a phone number)."""
    while True:
        candidate = f"client-{uuid4()}"
        try:
            return require_pseudonym(candidate, "client_ref")
        except InvalidInput:  # a run of digits in the UUID that looks like a mobile number
            continue


class ConsultationCommands(LedgerApplicationBase):
    _personal_data_vault: PersonalDataVault | None = None

    @property
    def personal_data(self) -> PersonalDataVault:
        """The vault of per-subject keys (created with its table on first use)."""
        if self._personal_data_vault is None:
            self._personal_data_vault = PersonalDataVault(self.recorder, self.settings, clock=self.clock)
        return self._personal_data_vault

    def consultation(
        self, consultation_id: UUID, *, expected_version: int | None = None, actor: Actor | None = None
    ) -> Consultation:
        """The consultation; with ``actor``, only when it may act on it (a staff actor: its own)."""
        consultation = self.load(
            Consultation, consultation_id, what="consultation", field="consultation_id",
            expected_version=expected_version,
        )  # fmt: skip
        if actor is not None:
            require_own_record(
                actor, [consultation.staff_id], record=f"consultation {consultation_id}", field="consultation_id"
            )
        return consultation

    def record_consultation(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        client_name: str,
        client_contact: str,
        matter: str,
        client_organisation: str | None = None,
        details: str | None = None,
        matter_code: str | None = None,
        client_ref: str | None = None,
        channel: str = "desk",
        window_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """接待登记 (ART2.5.2): the reception record, personal fields sealed under the client's key.

        ``client_ref`` is the client's pseudonymous reference (a returning client's, or a new
        one generated here and returned in ``extra["client_ref"]``).
        """
        ctx = self.context(actor, occurred_at)
        require_own_record(actor, [staff_id], record="the staff member in staff_id", field="staff_id")
        self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        _, ref = self.rule_in_force("ART2.5.2", ctx.occurred_at)
        client_ref = require_pseudonym(client_ref, "client_ref") if client_ref is not None else new_client_ref()
        # check what needs no key before any key is made
        Consultation.check_recordable(
            ctx, channel=channel, client_name=client_name, client_contact=client_contact, matter=matter, rule=str(ref)
        )
        try:
            sealed = self.personal_data.seal_many(
                client_ref,
                {
                    "client_name": client_name.strip(),
                    "client_organisation": (client_organisation or "").strip() or None,
                    "client_contact": client_contact.strip(),
                    "details": (details or "").strip() or None,
                },
            )
        except SubjectErased as erased:
            raise SubjectErased(erased.message, field="client_ref") from None
        name, contact = sealed["client_name"], sealed["client_contact"]
        assert name is not None and contact is not None
        consultation = Consultation.record(
            ctx,
            id=uuid4(),
            staff_id=staff_id,
            window_id=window_id,
            channel=channel,
            client_ref=client_ref,
            client_name=name,
            client_organisation=sealed["client_organisation"],
            client_contact=contact,
            matter=matter,
            matter_code=matter_code,
            details=sealed["details"],
            rule=str(ref),
        )
        return self.record(consultation, created=[consultation], extra={"client_ref": client_ref})

    def answer_consultation(
        self,
        actor: Actor,
        *,
        consultation_id: UUID,
        answer: str,
        service_notice_ref: str | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """按政策法规解答, 提供服务告知单 (ART2.5.1)."""
        ctx = self.context(actor, occurred_at)
        consultation = self.consultation(consultation_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.5.1", ctx.occurred_at)
        consultation.answer(ctx, answer=answer, service_notice_ref=service_notice_ref, rule=str(ref))
        return self.record(consultation)

    def refer_consultation(
        self,
        actor: Actor,
        *,
        consultation_id: UUID,
        where: str,
        how: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """不能解答 → 告知获取咨询结果的地点和方式 (ART2.5.1)."""
        ctx = self.context(actor, occurred_at)
        consultation = self.consultation(consultation_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.5.1", ctx.occurred_at)
        consultation.refer(ctx, where=where, how=how, rule=str(ref))
        return self.record(consultation)

    def explain_out_of_scope(
        self,
        actor: Actor,
        *,
        consultation_id: UUID,
        kind: str,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """停止受理 / 不属于业务范围: explained in detail (ART2.5.1)."""
        ctx = self.context(actor, occurred_at)
        consultation = self.consultation(consultation_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.5.1", ctx.occurred_at)
        consultation.explain_out_of_scope(ctx, kind=kind, reason=reason, rule=str(ref))
        return self.record(consultation)

    def explain_handling_limits(
        self,
        actor: Actor,
        *,
        consultation_id: UUID,
        kind: str,
        reason: str,
        guidance: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """不能办理或不能及时办理: explained and guided before processing (ART2.5.3)."""
        ctx = self.context(actor, occurred_at)
        consultation = self.consultation(consultation_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.5.3", ctx.occurred_at)
        consultation.explain_handling_limits(ctx, kind=kind, reason=reason, guidance=guidance, rule=str(ref))
        return self.record(consultation)

    def erase_personal_data(
        self, actor: Actor, *, subject: str, reason: str, occurred_at: datetime | None = None
    ) -> Outcome:
        """Erase a data subject's personal data (PIPL §47): destroy their key, record a tombstone.

        Hall managers only. Key destruction and the ``PersonalDataErased`` event commit in one
        transaction; every past event stays as it was and still loads.
        """
        ctx = self.context(actor, occurred_at)
        tombstone = DataSubject.erase(ctx, subject=subject, reason=reason)
        if self.exists(data_subject_id(ctx.hall_id, tombstone.subject)):
            raise InvariantViolated(f"the personal data of {tombstone.subject} was already erased", field="subject")
        try:
            positions = self.personal_data.erase(tombstone.subject, tombstone, self.mapper)
        except LookupError:
            raise NotFound(f"no personal data is held for subject {tombstone.subject}", field="subject") from None
        return Outcome(id=tombstone.id, version=tombstone.version, positions=positions)
