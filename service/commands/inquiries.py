"""First inquiries (首问负责制, ART2.1 – ART2.1.2)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from domain.envelope import Actor
from domain.errors import InvariantViolated
from domain.inquiry import Inquiry
from domain.organisation import Window
from domain.ownership import require_own_record
from domain.staff import StaffMember
from service.app_base import LedgerApplicationBase, Outcome


class InquiryCommands(LedgerApplicationBase):
    def inquiry(self, inquiry_id: UUID, *, expected_version: int | None = None) -> Inquiry:
        return self.load(Inquiry, inquiry_id, what="inquiry", field="inquiry_id", expected_version=expected_version)

    def _own_inquiry(self, actor: Actor, inquiry_id: UUID, *, expected_version: int | None = None) -> Inquiry:
        """The inquiry, when ``actor`` may act on it: a staff actor only as its first responder
        (首问负责) or a person it was handed over to (ART2.1.2)."""
        inquiry = self.inquiry(inquiry_id, expected_version=expected_version)
        owners = [inquiry.first_responder_id, *(h["to_staff_id"] for h in inquiry.handovers)]
        require_own_record(actor, owners, record=f"inquiry {inquiry_id}", field="inquiry_id")
        return inquiry

    @staticmethod
    def _acting(actor: Actor, staff_id: UUID | None, field: str) -> None:
        """A staff actor names only itself as the one acting."""
        if staff_id is not None:
            require_own_record(actor, [staff_id], record=f"the staff member in {field}", field=field)

    def _rule_refs(self, on: datetime, *rule_ids: str) -> dict[str, str]:
        return {rule_id: str(self.rule_in_force(rule_id, on)[1]) for rule_id in rule_ids}

    def open_inquiry(
        self,
        actor: Actor,
        *,
        channel: str,
        first_responder_id: UUID,
        client_ref: str,
        topic: str,
        window_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """首问: the staff member first asked (at the hall or on the phone) answers for the inquiry.

        ``window_id`` defaults to the responder's window when they are on post.
        """
        ctx = self.context(actor, occurred_at)
        self._acting(actor, first_responder_id, "first_responder_id")
        responder = self.load(StaffMember, first_responder_id, what="staff member", field="first_responder_id")
        if window_id is None and responder.posting is not None:
            window_id = responder.posting["window_id"]
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        _, ref = self.rule_in_force("ART2.1", ctx.occurred_at)
        inquiry = Inquiry.open(
            ctx,
            id=uuid4(),
            channel=channel,
            first_responder_id=first_responder_id,
            window_id=window_id,
            client_ref=client_ref,
            topic=topic,
            rule=str(ref),
        )
        return self.record(inquiry, created=[inquiry])

    def handle_inquiry(
        self,
        actor: Actor,
        *,
        inquiry_id: UUID,
        outcome: str,
        handled_by: UUID | None = None,
        case_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Handled by the first responder within their duties (ART2.1.1), or by the receiver of a
        hand-over (ART2.1.2). ``handled_by`` defaults to the first responder."""
        ctx = self.context(actor, occurred_at)
        inquiry = self._own_inquiry(actor, inquiry_id, expected_version=expected_version)
        handler = handled_by or inquiry.first_responder_id
        self._acting(actor, handled_by, "handled_by")
        if handled_by is not None:
            self.load(StaffMember, handled_by, what="staff member", field="handled_by")
        rule_id = "ART2.1.1" if handler == inquiry.first_responder_id else "ART2.1.2"
        _, ref = self.rule_in_force(rule_id, ctx.occurred_at)
        inquiry.handle(ctx, handled_by=handler, outcome=outcome, case_id=case_id, rule=str(ref))
        return self.record(inquiry)

    def hand_over_inquiry(
        self,
        actor: Actor,
        *,
        inquiry_id: UUID,
        contact_method: str,
        contacted: str,
        to_window_id: UUID | None = None,
        to_staff_id: UUID | None = None,
        note: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """联系转交 (ART2.1.2): to a named window and/or person, after contacting them."""
        ctx = self.context(actor, occurred_at)
        inquiry = self._own_inquiry(actor, inquiry_id, expected_version=expected_version)
        if to_window_id is not None:
            window = self.load(Window, to_window_id, what="window", field="to_window_id")
            if window.closed:
                raise InvariantViolated(f"window {window.code} is closed", field="to_window_id")
        if to_staff_id is not None:
            self.load(StaffMember, to_staff_id, what="staff member", field="to_staff_id")
        _, ref = self.rule_in_force("ART2.1.2", ctx.occurred_at)
        inquiry.hand_over(
            ctx,
            to_window_id=to_window_id,
            to_staff_id=to_staff_id,
            contact_method=contact_method,
            contacted=contacted,
            note=note,
            rule=str(ref),
        )
        return self.record(inquiry)

    def escalate_inquiry(
        self,
        actor: Actor,
        *,
        inquiry_id: UUID,
        leader: str,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """责任不明 → 及时向领导报告 (ART2.1.2)."""
        ctx = self.context(actor, occurred_at)
        inquiry = self._own_inquiry(actor, inquiry_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.1.2", ctx.occurred_at)
        inquiry.escalate_to_leader(ctx, leader=leader, reason=reason, rule=str(ref))
        return self.record(inquiry)

    def communicate_inquiry_result(
        self,
        actor: Actor,
        *,
        inquiry_id: UUID,
        result: str,
        channel: str = "in_person",
        communicated_by: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """将处理结果告知对方 (ART2.1.2); ``communicated_by`` defaults to the first responder."""
        ctx = self.context(actor, occurred_at)
        inquiry = self._own_inquiry(actor, inquiry_id, expected_version=expected_version)
        self._acting(actor, communicated_by, "communicated_by")
        if communicated_by is not None:
            self.load(StaffMember, communicated_by, what="staff member", field="communicated_by")
        _, ref = self.rule_in_force("ART2.1.2", ctx.occurred_at)
        inquiry.communicate_result(
            ctx,
            communicated_by=communicated_by or inquiry.first_responder_id,
            channel=channel,
            result=result,
            rule=str(ref),
        )
        return self.record(inquiry)

    def close_inquiry(
        self,
        actor: Actor,
        *,
        inquiry_id: UUID,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        inquiry = self._own_inquiry(actor, inquiry_id, expected_version=expected_version)
        inquiry.close(ctx, rules=self._rule_refs(ctx.occurred_at, "ART2.1", "ART2.1.2"))
        return self.record(inquiry)
