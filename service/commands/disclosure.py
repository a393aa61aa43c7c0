"""Information disclosure (ART2.4): proactive publications and requests answered in time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID, uuid4

from domain.calendar import deadline_flags, hall_date
from domain.disclosure import DisclosureRequest, Publication
from domain.envelope import Actor, CommandContext
from domain.organisation import Department, Window
from domain.ownership import require_own_record
from domain.staff import StaffMember
from service.app_base import Outcome
from service.commands.applications import WorkingCalendarMixin


class DisclosureCommands(WorkingCalendarMixin):
    def publication(
        self, publication_id: UUID, *, expected_version: int | None = None, actor: Actor | None = None
    ) -> Publication:
        """The publication; with ``actor``, only when it may act on it (a staff actor: its own)."""
        publication = self.load(
            Publication, publication_id, what="publication", field="publication_id", expected_version=expected_version
        )
        if actor is not None:
            require_own_record(
                actor, [publication.staff_id], record=f"publication {publication_id}", field="publication_id"
            )
        return publication

    def disclosure_request(
        self, request_id: UUID, *, expected_version: int | None = None, actor: Actor | None = None
    ) -> DisclosureRequest:
        """The request; with ``actor``, only when it may act on it (a staff actor: one it received)."""
        request = self.load(
            DisclosureRequest, request_id, what="disclosure request", field="request_id",
            expected_version=expected_version,
        )  # fmt: skip
        if actor is not None:
            require_own_record(
                actor, [request.received_by], record=f"disclosure request {request_id}", field="request_id"
            )
        return request

    def _placed(
        self, staff_id: UUID, field: str, department_id: UUID | None, window_id: UUID | None
    ) -> tuple[StaffMember, UUID, UUID | None]:
        """The staff member who acts, their department unless another is named, and their post's
        window unless another (or none) is named — each checked to exist."""
        staff = self.load(StaffMember, staff_id, what="staff member", field=field)
        department_id = department_id or staff.department_id
        self.load(Department, department_id, what="department", field="department_id")
        if window_id is None and staff.posting is not None:
            window_id = staff.posting["window_id"]
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        return staff, department_id, window_id

    # ── proactive (ART2.4.1) ─────────────────────────────────────────────────

    def publish_information(
        self,
        actor: Actor,
        *,
        staff_id: UUID,
        category: str,
        title: str,
        reference: str,
        platform: str = "unified_platform",
        department_id: UUID | None = None,
        window_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """主动公开: window staff publish their department's business, progress or policy notes.

        ``department_id`` defaults to the staff member's; ``window_id`` to their post.
        ``reference`` says where it was published (the platform's item number or address).
        """
        ctx = self.context(actor, occurred_at)
        staff, department_id, window_id = self._placed(staff_id, "staff_id", department_id, window_id)
        _, ref = self.rule_in_force("ART2.4.1", ctx.occurred_at)
        publication = Publication.publish(
            ctx,
            id=uuid4(),
            department_id=department_id,
            staff_department_id=staff.department_id,
            staff_id=staff_id,
            window_id=window_id,
            category=category,
            title=title,
            platform=platform,
            reference=reference,
            rule=str(ref),
        )
        return self.record(publication, created=[publication])

    def withdraw_publication(
        self,
        actor: Actor,
        *,
        publication_id: UUID,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        publication = self.publication(publication_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.4.1", ctx.occurred_at)
        publication.withdraw(ctx, reason=reason, rule=str(ref))
        return self.record(publication)

    # ── on request (ART2.4.2) ────────────────────────────────────────────────

    def receive_disclosure_request(
        self,
        actor: Actor,
        *,
        received_by: UUID,
        requester_ref: str,
        description: str,
        channel: str = "in_person",
        department_id: UUID | None = None,
        window_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """收到申请: the deadline (20 working days after the day of receipt) is recorded with it.

        ``occurred_at`` is the moment of receipt (政府信息公开条例 Art. 31: handed in → that
        day; by post → the day signed for; online → the day the system confirms).
        """
        ctx = self.context(actor, occurred_at)
        _, department_id, window_id = self._placed(received_by, "received_by", department_id, window_id)
        _, ref = self.rule_in_force("ART2.4.2", ctx.occurred_at)
        request = DisclosureRequest.receive(
            ctx,
            id=uuid4(),
            department_id=department_id,
            window_id=window_id,
            received_by=received_by,
            requester_ref=requester_ref,
            channel=channel,
            description=description,
            calendar=self.calendar,
            rule=str(ref),
        )
        return self.record(request, created=[request], extra=self._deadline_shown(ctx, request))

    def _deadline_shown(self, ctx: CommandContext, request: DisclosureRequest) -> dict[str, object]:
        """The deadline now in force, flagged when it rests on a provisional calendar year."""
        return {
            "deadline": request.deadline,
            **deadline_flags(self.calendar, hall_date(ctx.occurred_at), request.deadline),
        }

    def request_disclosure_correction(
        self,
        actor: Actor,
        *,
        request_id: UUID,
        items: Sequence[str],
        correction_due: date,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """一次性告知补正 (Art. 30): once; the answer clock stops until the correction arrives."""
        ctx = self.context(actor, occurred_at)
        request = self.disclosure_request(request_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.4.2", ctx.occurred_at)
        request.request_correction(
            ctx, items=list(items), correction_due=correction_due, calendar=self.calendar, rule=str(ref)
        )
        return self.record(request)

    def receive_disclosure_correction(
        self,
        actor: Actor,
        *,
        request_id: UUID,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        request = self.disclosure_request(request_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.4.2", ctx.occurred_at)
        request.receive_correction(ctx, calendar=self.calendar, rule=str(ref))
        return self.record(request, extra=self._deadline_shown(ctx, request))

    def abandon_disclosure_request(
        self,
        actor: Actor,
        *,
        request_id: UUID,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """视为放弃 (Art. 30): the correction did not come back by its due date."""
        ctx = self.context(actor, occurred_at)
        request = self.disclosure_request(request_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.4.2", ctx.occurred_at)
        request.abandon(ctx, rule=str(ref))
        return self.record(request)

    def extend_disclosure(
        self,
        actor: Actor,
        *,
        request_id: UUID,
        extra_working_days: int,
        reason: str,
        approved_by: str | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """延长答复期限 (Art. 33): once, at most 20 working days, approved by the authenticated
        leader recording it, before the deadline."""
        ctx = self.context(actor, occurred_at)
        request = self.disclosure_request(request_id, expected_version=expected_version, actor=actor)
        _, ref = self.rule_in_force("ART2.4.2", ctx.occurred_at)
        request.extend(
            ctx,
            extra_working_days=extra_working_days,
            reason=reason,
            approved_by=approved_by,
            calendar=self.calendar,
            rule=str(ref),
        )
        return self.record(request, extra=self._deadline_shown(ctx, request))

    def answer_disclosure_request(
        self,
        actor: Actor,
        *,
        request_id: UUID,
        outcome: str,
        summary: str,
        legal_basis: str | None = None,
        answered_by: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """答复: the outcome, recorded beside the deadline then in force (read models judge lateness)."""
        ctx = self.context(actor, occurred_at)
        request = self.disclosure_request(request_id, expected_version=expected_version, actor=actor)
        if answered_by is not None:
            require_own_record(actor, [answered_by], record="the staff member in answered_by", field="answered_by")
            self.load(StaffMember, answered_by, what="staff member", field="answered_by")
        _, ref = self.rule_in_force("ART2.4.2", ctx.occurred_at)
        request.answer(
            ctx,
            outcome=outcome,
            summary=summary,
            legal_basis=legal_basis,
            answered_by=answered_by or request.received_by,
            rule=str(ref),
        )
        return self.record(request)
