"""Information disclosure (信息公开服务制, ART2.4.1 and ART2.4.2).

ART2.4.1 — proactive disclosure (主动公开): window staff collect and publish their
department's business, the progress of matters and explanations of policy, through the
committee's unified e-government platform (ART7.6). One :class:`Publication` per item.

ART2.4.2 — disclosure on request (依申请公开): window staff accept and answer requests for
government information. National law (政府信息公开条例, 2019 revision) sets the clock:

- Art. 33: answer on the spot if possible, else within **20 working days** of receipt; one
  extension of at most **20 working days**, approved by the head of the disclosure office
  and notified to the requester (so decided before the period runs out);
- Art. 30: an unclear request gets ONE correction notice (补正) within 7 working days,
  naming what to correct and a reasonable period; the answer period then runs from the
  receipt of the corrected request; no correction in time counts as abandoned (视为放弃);
- Art. 36/37: the answer's kinds (already public, disclosed, partly disclosed, withheld,
  not held, not this agency, repeat request, other statutory channel).

Every deadline is a date counted on the working-day calendar (the day of receipt is not
counted) and recorded on the event with the calendar it was counted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.calendar import WorkingDayCalendar, hall_date
from domain.data_subject import require_pseudonym
from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.ownership import approving_leader
from domain.roles import Role

#: 政府信息公开条例 Art. 33: the answer period and the longest extension, in working days
ANSWER_WORKING_DAYS = 20
LONGEST_EXTENSION_WORKING_DAYS = 20
#: 政府信息公开条例 Art. 30: the correction notice is due within 7 working days of receipt
CORRECTION_NOTICE_WORKING_DAYS = 7

CATEGORIES = ("business", "progress", "policy_explanation")
PLATFORMS = ("unified_platform", "hall_screen", "notice_board", "department_site")
REQUEST_CHANNELS = ("in_person", "post", "online", "fax")
OUTCOMES = (
    "already_public",  # 已主动公开: tell where to find it
    "disclosed",  # 予以公开
    "partially_disclosed",  # 部分公开 (Art. 37)
    "withheld",  # 不予公开
    "not_held",  # 经检索没有
    "not_this_agency",  # 不属于本机关负责公开
    "repeat_request",  # 重复申请
    "other_channel",  # 按照有关法律规定办理 (工商、不动产登记资料等)
)
#: answers that refuse information must state the legal basis
OUTCOMES_NEEDING_BASIS = ("partially_disclosed", "withheld", "other_channel")

#: who records service work: the staff themselves, their window lead, the center
RECORDERS = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER)

RECEIVED = "received"
AWAITING_CORRECTION = "awaiting_correction"
ANSWERED = "answered"
ABANDONED = "abandoned"


def correction_notice_last_day(received_on: date, calendar: WorkingDayCalendar) -> date:
    """政府信息公开条例 Art. 30: the last day a correction notice may go out — the 7th working day
    after the day of receipt (the day of receipt not counted). The one place of the rule."""
    return calendar.add_working_days(received_on, CORRECTION_NOTICE_WORKING_DAYS)


class Publication(LedgerAggregate):
    """主动公开 — one item a window published for its department (ART2.4.1)."""

    class InformationPublished(LedgerAggregate.Created):
        """信息发布 — business content, progress or a policy explanation, on a platform."""

        department_id: UUID
        staff_id: UUID
        window_id: UUID | None
        category: str
        title: str
        platform: str
        reference: str
        rule: str

        def apply(self, p: Any) -> None:
            p.department_id = self.department_id
            p.staff_id = self.staff_id
            p.category = self.category
            p.title = self.title
            p.withdrawn = False

    class PublicationWithdrawn(LedgerAggregate.Event):
        """撤下 — taken down (outdated, replaced, published in error)."""

        reason: str
        rule: str

        def apply(self, p: Any) -> None:
            p.withdrawn = True

    if TYPE_CHECKING:
        department_id: UUID
        staff_id: UUID
        category: str
        title: str
        withdrawn: bool

    @classmethod
    def publish(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        department_id: UUID,
        staff_department_id: UUID,
        staff_id: UUID,
        window_id: UUID | None,
        category: str,
        title: str,
        platform: str,
        reference: str,
        rule: str,
    ) -> Self:
        """ART2.4.1: window staff publish for *their* department."""
        ctx.actor.require(*RECORDERS, action="publishing information", rule=rule)
        if category not in CATEGORIES:
            raise InvalidInput(f"category must be one of {', '.join(CATEGORIES)}", field="category", rule=rule)
        if platform not in PLATFORMS:
            raise InvalidInput(f"platform must be one of {', '.join(PLATFORMS)}", field="platform", rule=rule)
        if staff_department_id != department_id:
            raise InvariantViolated(
                "window staff publish their own department's information (ART2.4.1)",
                field="department_id",
                rule=rule,
            )
        return cls._create_with(
            cls.InformationPublished,
            ctx,
            id=id,
            department_id=department_id,
            staff_id=staff_id,
            window_id=window_id,
            category=category,
            title=require_text(title, "title", rule=rule),
            platform=platform,
            reference=require_text(reference, "reference", rule=rule),
            rule=rule,
        )

    def withdraw(self, ctx: CommandContext, *, reason: str, rule: str) -> None:
        ctx.actor.require(*RECORDERS, action="withdrawing a publication", rule=rule)
        if self.withdrawn:
            raise InvariantViolated("this publication was already withdrawn", rule=rule)
        self._trigger(self.PublicationWithdrawn, ctx, reason=require_text(reason, "reason", rule=rule), rule=rule)


class DisclosureRequest(LedgerAggregate):
    """依申请公开 — one request for government information and its answer (ART2.4.2)."""

    class DisclosureRequested(LedgerAggregate.Created):
        """收到政府信息公开申请 — received; the statutory deadline is counted from the next working day."""

        department_id: UUID
        window_id: UUID | None
        received_by: UUID
        requester_ref: str
        channel: str
        description: str
        received_on: date
        statutory_working_days: int
        deadline: date
        calendar: str
        rule: str

        def apply(self, r: Any) -> None:
            r.department_id = self.department_id
            r.received_by = self.received_by
            r.requester_ref = self.requester_ref
            r.received_on = self.received_on
            r.deadline = self.deadline
            r.status = RECEIVED
            r.corrections = 0
            r.correction_due = None
            r.extensions = 0
            r.outcome = None

    class DisclosureCorrectionRequested(LedgerAggregate.Event):
        """一次性告知补正 — one correction notice; the answer clock stops until it comes back."""

        items: list[str]
        correction_due: date
        rule: str

        def apply(self, r: Any) -> None:
            r.status = AWAITING_CORRECTION
            r.corrections += 1
            r.correction_due = self.correction_due
            r.deadline = None

    class DisclosureCorrectionReceived(LedgerAggregate.Event):
        """收到补正 — the answer period runs again, from this receipt."""

        received_on: date
        deadline: date
        calendar: str
        rule: str

        def apply(self, r: Any) -> None:
            r.status = RECEIVED
            r.deadline = self.deadline

    class DisclosureExtended(LedgerAggregate.Event):
        """延长答复期限 — once, at most 20 working days, approved (Art. 33)."""

        extra_working_days: int
        previous_deadline: date
        deadline: date
        calendar: str
        reason: str
        approved_by: str
        rule: str

        def apply(self, r: Any) -> None:
            r.extensions += 1
            r.deadline = self.deadline

    class DisclosureAnswered(LedgerAggregate.Event):
        """答复 — the outcome, on the day answered, against the deadline then in force."""

        outcome: str
        answered_on: date
        deadline: date
        summary: str
        legal_basis: str | None
        answered_by: UUID
        rule: str

        def apply(self, r: Any) -> None:
            r.status = ANSWERED
            r.outcome = self.outcome

    class DisclosureRequestAbandoned(LedgerAggregate.Event):
        """视为放弃申请 — the correction did not come back by its due date (Art. 30)."""

        correction_due: date
        rule: str

        def apply(self, r: Any) -> None:
            r.status = ABANDONED

    if TYPE_CHECKING:
        department_id: UUID
        received_by: UUID
        requester_ref: str
        received_on: date
        deadline: date | None
        status: str
        corrections: int
        correction_due: date | None
        extensions: int
        outcome: str | None

    @classmethod
    def receive(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        department_id: UUID,
        window_id: UUID | None,
        received_by: UUID,
        requester_ref: str,
        channel: str,
        description: str,
        calendar: WorkingDayCalendar,
        rule: str,
    ) -> Self:
        """The request's deadline: the 20th working day after the day of receipt."""
        ctx.actor.require(*RECORDERS, action="receiving a disclosure request", rule=rule)
        if channel not in REQUEST_CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(REQUEST_CHANNELS)}", field="channel", rule=rule)
        received_on = hall_date(ctx.occurred_at)
        return cls._create_with(
            cls.DisclosureRequested,
            ctx,
            id=id,
            department_id=department_id,
            window_id=window_id,
            received_by=received_by,
            requester_ref=require_pseudonym(requester_ref, "requester_ref"),
            channel=channel,
            description=require_text(description, "description", rule=rule),
            received_on=received_on,
            statutory_working_days=ANSWER_WORKING_DAYS,
            deadline=calendar.add_working_days(received_on, ANSWER_WORKING_DAYS),
            calendar=calendar.ref,
            rule=rule,
        )

    def _check_pending(self, rule: str) -> None:
        if self.status in (ANSWERED, ABANDONED):
            raise InvariantViolated(f"this request was already {self.status}", rule=rule)

    def request_correction(
        self,
        ctx: CommandContext,
        *,
        items: Sequence[str],
        correction_due: date,
        calendar: WorkingDayCalendar,
        rule: str,
    ) -> None:
        """Art. 30: ONE correction notice, within 7 working days of receipt, before any extension,
        naming every item to correct. Late is refused (:func:`correction_notice_last_day`): the
        law gives no late notice, so the request is answered as it stands."""
        ctx.actor.require(*RECORDERS, action="requesting a correction", rule=rule)
        self._check_pending(rule)
        if self.corrections:
            raise InvariantViolated(
                "a request gets one correction notice (一次性告知补正); it was already sent", rule=rule
            )
        if self.extensions:
            raise InvariantViolated("the answer period was already extended; a correction comes first", rule=rule)
        if not items:
            raise InvalidInput("name what the requester must correct", field="items", rule=rule)
        if correction_due <= hall_date(ctx.occurred_at):
            raise InvalidInput("the correction period must end after the notice", field="correction_due", rule=rule)
        last_day = correction_notice_last_day(self.received_on, calendar)
        if hall_date(ctx.occurred_at) > last_day:
            raise InvariantViolated(
                f"a correction notice (补正) is due within {CORRECTION_NOTICE_WORKING_DAYS} working days of receipt "
                f"(政府信息公开条例 Art. 30): received {self.received_on}, the last day was {last_day}; "
                "answer the request as it stands",
                field="occurred_at",
                rule=rule,
            )
        self._trigger(
            self.DisclosureCorrectionRequested,
            ctx,
            items=[require_text(i, "items", rule=rule) for i in items],
            correction_due=correction_due,
            rule=rule,
        )

    def receive_correction(self, ctx: CommandContext, *, calendar: WorkingDayCalendar, rule: str) -> None:
        ctx.actor.require(*RECORDERS, action="recording a received correction", rule=rule)
        self._check_pending(rule)
        if self.status != AWAITING_CORRECTION:
            raise InvariantViolated("no correction was requested on this request", rule=rule)
        received_on = hall_date(ctx.occurred_at)
        self._trigger(
            self.DisclosureCorrectionReceived,
            ctx,
            received_on=received_on,
            deadline=calendar.add_working_days(received_on, ANSWER_WORKING_DAYS),
            calendar=calendar.ref,
            rule=rule,
        )

    def abandon(self, ctx: CommandContext, *, rule: str) -> None:
        ctx.actor.require(*RECORDERS, action="recording an abandoned request", rule=rule)
        self._check_pending(rule)
        if self.status != AWAITING_CORRECTION or self.correction_due is None:
            raise InvariantViolated("only a request awaiting its correction can be abandoned", rule=rule)
        if hall_date(ctx.occurred_at) <= self.correction_due:
            raise InvariantViolated(
                f"the correction is due on {self.correction_due}; the request is abandoned only after that",
                rule=rule,
            )
        self._trigger(self.DisclosureRequestAbandoned, ctx, correction_due=self.correction_due, rule=rule)

    def extend(
        self,
        ctx: CommandContext,
        *,
        extra_working_days: int,
        reason: str,
        approved_by: str | None = None,
        calendar: WorkingDayCalendar,
        rule: str,
    ) -> None:
        """Art. 33: once, by at most 20 working days, approved (by the authenticated leader
        recording it, :func:`domain.ownership.approving_leader`), before the deadline passes."""
        ctx.actor.require(*RECORDERS, action="extending the answer period", rule=rule)
        approver = approving_leader(ctx.actor, approved_by, what="an extension of the answer period", rule=rule)
        self._check_pending(rule)
        if self.status == AWAITING_CORRECTION or self.deadline is None:
            raise InvariantViolated("the answer period stands still until the correction comes back", rule=rule)
        if self.extensions:
            raise InvariantViolated("the answer period can be extended only once", rule=rule)
        if isinstance(extra_working_days, bool) or not 1 <= extra_working_days <= LONGEST_EXTENSION_WORKING_DAYS:
            raise InvalidInput(
                f"an extension is 1 to {LONGEST_EXTENSION_WORKING_DAYS} working days",
                field="extra_working_days",
                rule=rule,
            )
        reason = require_text(reason, "reason", rule=rule)
        if hall_date(ctx.occurred_at) > self.deadline:
            raise InvariantViolated(
                f"the answer period ended on {self.deadline}; an extension must be decided before it expires",
                rule=rule,
            )
        self._trigger(
            self.DisclosureExtended,
            ctx,
            extra_working_days=extra_working_days,
            previous_deadline=self.deadline,
            deadline=calendar.add_working_days(self.deadline, extra_working_days),
            calendar=calendar.ref,
            reason=reason,
            approved_by=approver,
            rule=rule,
        )

    def answer(
        self,
        ctx: CommandContext,
        *,
        outcome: str,
        summary: str,
        legal_basis: str | None,
        answered_by: UUID,
        rule: str,
    ) -> None:
        """Record the answer; whether it was in time is the deadline recorded beside it."""
        ctx.actor.require(*RECORDERS, action="answering a disclosure request", rule=rule)
        self._check_pending(rule)
        if self.status == AWAITING_CORRECTION or self.deadline is None:
            raise InvariantViolated(
                "the request awaits its correction (补正); record the correction or that it was abandoned",
                rule=rule,
            )
        if outcome not in OUTCOMES:
            raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome", rule=rule)
        basis = legal_basis.strip() if legal_basis else None
        if outcome in OUTCOMES_NEEDING_BASIS and not basis:
            raise InvalidInput(f"an answer of {outcome} states its legal basis", field="legal_basis", rule=rule)
        self._trigger(
            self.DisclosureAnswered,
            ctx,
            outcome=outcome,
            answered_on=hall_date(ctx.occurred_at),
            deadline=self.deadline,
            summary=require_text(summary, "summary", rule=rule),
            legal_basis=basis,
            answered_by=answered_by,
            rule=rule,
        )
