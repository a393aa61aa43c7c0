"""The consultation desk and its reception record (咨询服务管理制, ART2.5.1 – ART2.5.3).

ART2.5.2 — every consultation is entered in a reception record: the client's name,
organisation and contact details and the matter in detail. Those are personal data (PIPL):
they reach this aggregate only as :class:`~domain.envelope.Sealed` values (ciphertext
under the client's own key, plus a commitment), sealed by the service before the domain
is called; the event class declares them in ``personal_fields``. Erasing the client's key
(``domain.data_subject``) leaves the record in place and its fields unreadable.

One outcome per consultation:

- ART2.5.1 answered per law and policy, with the service notice slip (服务告知单) handed out;
- ART2.5.1 referred — cannot answer: tell *where* and *how* the answer can be had;
- ART2.5.1 out of scope — a matter no longer accepted (policy change) or not the hall's
  business: explained in detail, with the reason;
- ART2.5.3 handling limits explained — what cannot be done, or not in time, or not with
  the papers in hand, explained and guided *before* any processing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import TYPE_CHECKING, Any, ClassVar, Self
from uuid import UUID

from domain.data_subject import require_pseudonym
from domain.envelope import CommandContext, LedgerAggregate, Sealed, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.roles import Role

CHANNELS = ("desk", "window", "phone")
OUT_OF_SCOPE_KINDS = ("no_longer_accepted", "not_hall_business")
LIMIT_KINDS = ("cannot_be_handled", "cannot_be_handled_in_time", "formalities_incomplete")

#: who records service work: the staff themselves, their window lead, the center
RECORDERS = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER)

OPEN = "open"
ANSWERED = "answered"
REFERRED = "referred"
OUT_OF_SCOPE = "out_of_scope"
LIMITS_EXPLAINED = "limits_explained"

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def check_sealed(value: Sealed, *, subject: str, field: str) -> Sealed:
    """A sealed value belongs to ``subject`` and its commitment matches its ciphertext."""
    if not isinstance(value, Sealed):
        raise InvalidInput(f"{field} is personal data and must be sealed before it is recorded", field=field)
    if value.subject != subject:
        raise InvalidInput(f"{field} is sealed for another data subject", field=field)
    try:
        raw = base64.b64decode(value.ciphertext, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field}: the ciphertext is not base64", field=field) from None
    if not raw or not _HEX64.match(value.commitment) or hashlib.sha256(raw).hexdigest() != value.commitment:
        raise InvalidInput(f"{field}: the commitment does not match the ciphertext", field=field)
    return value


class Consultation(LedgerAggregate):
    """One reception at the consultation desk (or a window, or by phone)."""

    class ConsultationRecorded(LedgerAggregate.Created):
        """接待登记 — the reception record (ART2.5.2); personal fields are sealed."""

        staff_id: UUID
        window_id: UUID | None
        channel: str
        client_ref: str
        client_name: Sealed
        client_organisation: Sealed | None
        client_contact: Sealed
        matter: str
        matter_code: str | None
        details: Sealed | None
        rule: str

        personal_fields: ClassVar[tuple[str, ...]] = (
            "client_name",
            "client_organisation",
            "client_contact",
            "details",
        )

        def apply(self, c: Any) -> None:
            c.staff_id = self.staff_id
            c.window_id = self.window_id
            c.channel = self.channel
            c.client_ref = self.client_ref
            c.client_name = self.client_name
            c.client_organisation = self.client_organisation
            c.client_contact = self.client_contact
            c.matter = self.matter
            c.matter_code = self.matter_code
            c.details = self.details
            c.status = OPEN

    class ConsultationAnswered(LedgerAggregate.Event):
        """当场解答 — answered per law and policy, service notice slip handed out (ART2.5.1)."""

        answer: str
        service_notice_ref: str | None
        rule: str

        def apply(self, c: Any) -> None:
            c.status = ANSWERED

    class ConsultationReferred(LedgerAggregate.Event):
        """告知获取地点和方式 — cannot answer: where and how the client gets the answer (ART2.5.1)."""

        where: str
        how: str
        rule: str

        def apply(self, c: Any) -> None:
            c.status = REFERRED

    class ConsultationOutOfScopeExplained(LedgerAggregate.Event):
        """停止受理/不属于业务范围的解释说明 — explained in detail, with the reason (ART2.5.1)."""

        kind: str
        reason: str
        rule: str

        def apply(self, c: Any) -> None:
            c.status = OUT_OF_SCOPE

    class HandlingLimitsExplained(LedgerAggregate.Event):
        """事前说明与指导 — cannot be done (in time, with these papers): explained and guided
        before processing (ART2.5.3)."""

        kind: str
        reason: str
        guidance: str
        rule: str

        def apply(self, c: Any) -> None:
            c.status = LIMITS_EXPLAINED

    if TYPE_CHECKING:
        staff_id: UUID
        window_id: UUID | None
        channel: str
        client_ref: str
        client_name: Sealed
        client_organisation: Sealed | None
        client_contact: Sealed
        matter: str
        matter_code: str | None
        details: Sealed | None
        status: str

    @staticmethod
    def check_recordable(
        ctx: CommandContext, *, channel: str, client_name: str, client_contact: str, matter: str, rule: str
    ) -> None:
        """What can be refused before the personal fields are sealed (so a refusal makes no key)."""
        ctx.actor.require(*RECORDERS, action="recording a consultation", rule=rule)
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel", rule=rule)
        require_text(client_name, "client_name", rule=rule)
        require_text(client_contact, "client_contact", rule=rule)
        require_text(matter, "matter", rule=rule)

    @classmethod
    def record(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        staff_id: UUID,
        window_id: UUID | None,
        channel: str,
        client_ref: str,
        client_name: Sealed,
        client_organisation: Sealed | None,
        client_contact: Sealed,
        matter: str,
        matter_code: str | None,
        details: Sealed | None,
        rule: str,
    ) -> Self:
        """ART2.5.2: name, contact and matter are mandatory (organisation: when there is one)."""
        ctx.actor.require(*RECORDERS, action="recording a consultation", rule=rule)
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel", rule=rule)
        client_ref = require_pseudonym(client_ref, "client_ref")
        code = matter_code.strip() if matter_code else None
        return cls._create_with(
            cls.ConsultationRecorded,
            ctx,
            id=id,
            staff_id=staff_id,
            window_id=window_id,
            channel=channel,
            client_ref=client_ref,
            client_name=check_sealed(client_name, subject=client_ref, field="client_name"),
            client_organisation=(
                None
                if client_organisation is None
                else check_sealed(client_organisation, subject=client_ref, field="client_organisation")
            ),
            client_contact=check_sealed(client_contact, subject=client_ref, field="client_contact"),
            matter=require_text(matter, "matter", rule=rule),
            matter_code=code or None,
            details=None if details is None else check_sealed(details, subject=client_ref, field="details"),
            rule=rule,
        )

    def _check_open(self, rule: str) -> None:
        if self.status != OPEN:
            raise InvariantViolated(
                f"this consultation already has its outcome ({self.status.replace('_', ' ')})", rule=rule
            )

    def answer(self, ctx: CommandContext, *, answer: str, service_notice_ref: str | None, rule: str) -> None:
        ctx.actor.require(*RECORDERS, action="recording an answer", rule=rule)
        self._check_open(rule)
        ref = service_notice_ref.strip() if service_notice_ref else None
        self._trigger(
            self.ConsultationAnswered,
            ctx,
            answer=require_text(answer, "answer", rule=rule),
            service_notice_ref=ref or None,
            rule=rule,
        )

    def refer(self, ctx: CommandContext, *, where: str, how: str, rule: str) -> None:
        """ART2.5.1: a referral says where AND how the answer can be obtained."""
        ctx.actor.require(*RECORDERS, action="recording a referral", rule=rule)
        self._check_open(rule)
        self._trigger(
            self.ConsultationReferred,
            ctx,
            where=require_text(where, "where", rule=rule),
            how=require_text(how, "how", rule=rule),
            rule=rule,
        )

    def explain_out_of_scope(self, ctx: CommandContext, *, kind: str, reason: str, rule: str) -> None:
        ctx.actor.require(*RECORDERS, action="recording an out-of-scope explanation", rule=rule)
        self._check_open(rule)
        if kind not in OUT_OF_SCOPE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(OUT_OF_SCOPE_KINDS)}", field="kind", rule=rule)
        self._trigger(
            self.ConsultationOutOfScopeExplained,
            ctx,
            kind=kind,
            reason=require_text(reason, "reason", rule=rule),
            rule=rule,
        )

    def explain_handling_limits(self, ctx: CommandContext, *, kind: str, reason: str, guidance: str, rule: str) -> None:
        """ART2.5.3: explained and guided before processing — both the reason and the guidance."""
        ctx.actor.require(*RECORDERS, action="recording an explanation of handling limits", rule=rule)
        self._check_open(rule)
        if kind not in LIMIT_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(LIMIT_KINDS)}", field="kind", rule=rule)
        self._trigger(
            self.HandlingLimitsExplained,
            ctx,
            kind=kind,
            reason=require_text(reason, "reason", rule=rule),
            guidance=require_text(guidance, "guidance", rule=rule),
            rule=rule,
        )
