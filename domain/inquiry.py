"""First inquiries (首问负责制, ART2.1 – ART2.1.2).

The first staff member a client asks at the hall, or who answers the client's phone call,
is the responsible person (首问责任人, ART2.1) — for the life of the inquiry: a hand-over
never moves that responsibility. Then, per ART2.1.1 / ART2.1.2:

- within their duties: they handle it promptly (``InquiryHandled``);
- outside their duties: they receive the client, *contact* the right window or person and
  hand over (``InquiryHandedOver``, naming the receiver and how they were contacted);
- responsibility unclear: they report to a leader at once (``InquiryEscalatedToLeader``)
  and tell the client the result (``ResultCommunicated``).

An inquiry closes only on one of: handled; handed over and the result communicated after
the hand-over; escalated and the result communicated after the escalation. Anything else
is refused with the rule it would break. The client is a pseudonymous ``client_ref``;
names and phone numbers belong in a consultation's sealed fields (ART2.5.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.data_subject import require_pseudonym
from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.roles import Role

CHANNELS = ("hall", "phone")
CONTACT_METHODS = ("phone", "in_person", "escorted", "online")
COMMUNICATION_CHANNELS = ("in_person", "phone", "sms", "online")

#: who records service work: the staff themselves, their window lead, the center
RECORDERS = (Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER)

OPEN = "open"
CLOSED = "closed"


class Inquiry(LedgerAggregate):
    """One client's question and who answers for it."""

    class InquiryOpened(LedgerAggregate.Created):
        """首问受理 — the first staff member asked becomes the responsible person (ART2.1)."""

        channel: str
        first_responder_id: UUID
        window_id: UUID | None
        client_ref: str
        topic: str
        rule: str

        def apply(self, i: Any) -> None:
            i.channel = self.channel
            i.first_responder_id = self.first_responder_id
            i.window_id = self.window_id
            i.client_ref = self.client_ref
            i.topic = self.topic
            i.status = OPEN
            i.handled = False
            i.handovers = []
            i.escalations = 0
            i.awaiting_result = False
            i.results_communicated = 0
            i.resolution = None

    class InquiryHandled(LedgerAggregate.Event):
        """办理 — handled by the first responder (ART2.1.1) or, after a hand-over, the receiver."""

        handled_by: UUID
        outcome: str
        case_id: UUID | None
        rule: str

        def apply(self, i: Any) -> None:
            i.handled = True

    class InquiryHandedOver(LedgerAggregate.Event):
        """联系转交 — outside one's duties: contact the right window/person and hand over (ART2.1.2)."""

        to_window_id: UUID | None
        to_staff_id: UUID | None
        contact_method: str
        contacted: str
        note: str
        rule: str

        def apply(self, i: Any) -> None:
            i.handovers.append({"to_window_id": self.to_window_id, "to_staff_id": self.to_staff_id})
            i.awaiting_result = True

    class InquiryEscalatedToLeader(LedgerAggregate.Event):
        """责任不明报告领导 — responsibility unclear: reported to a leader at once (ART2.1.2)."""

        leader: str
        reason: str
        rule: str

        def apply(self, i: Any) -> None:
            i.escalations += 1
            i.awaiting_result = True

    class ResultCommunicated(LedgerAggregate.Event):
        """告知处理结果 — the client is told the result (ART2.1.2)."""

        communicated_by: UUID
        channel: str
        result: str
        rule: str

        def apply(self, i: Any) -> None:
            i.results_communicated += 1
            i.awaiting_result = False

    class InquiryClosed(LedgerAggregate.Event):
        """办结 — closed as handled, handed over or escalated (ART2.1)."""

        resolution: str
        rule: str

        def apply(self, i: Any) -> None:
            i.status = CLOSED
            i.resolution = self.resolution

    if TYPE_CHECKING:
        channel: str
        first_responder_id: UUID
        window_id: UUID | None
        client_ref: str
        topic: str
        status: str
        handled: bool
        handovers: list[dict[str, Any]]
        escalations: int
        awaiting_result: bool
        results_communicated: int
        resolution: str | None

    @classmethod
    def open(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        channel: str,
        first_responder_id: UUID,
        window_id: UUID | None,
        client_ref: str,
        topic: str,
        rule: str,
    ) -> Self:
        ctx.actor.require(*RECORDERS, action="opening an inquiry", rule=rule)
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel", rule=rule)
        return cls._create_with(
            cls.InquiryOpened,
            ctx,
            id=id,
            channel=channel,
            first_responder_id=first_responder_id,
            window_id=window_id,
            client_ref=require_pseudonym(client_ref, "client_ref"),
            topic=require_text(topic, "topic", rule=rule),
            rule=rule,
        )

    def _check_open(self, rule: str) -> None:
        if self.status != OPEN:
            raise InvariantViolated("this inquiry is closed", rule=rule)

    def handle(self, ctx: CommandContext, *, handled_by: UUID, outcome: str, case_id: UUID | None, rule: str) -> None:
        """Handled within the handler's duties (ART2.1.1; ART2.1.2 for a receiver after a hand-over)."""
        ctx.actor.require(*RECORDERS, action="recording how an inquiry was handled", rule=rule)
        self._check_open(rule)
        if handled_by != self.first_responder_id:
            receivers = {h["to_staff_id"] for h in self.handovers}
            if not self.handovers:
                raise InvariantViolated(
                    "only the first responder handles an inquiry that was not handed over "
                    "(responsibility stays with them, ART2.1)",
                    rule=rule,
                    field="handled_by",
                )
            named = {r for r in receivers if r is not None}
            if named and handled_by not in named:
                raise InvariantViolated(
                    "the inquiry was handed over to a named person; they (or the first responder) handle it",
                    rule=rule,
                    field="handled_by",
                )
        self._trigger(
            self.InquiryHandled,
            ctx,
            handled_by=handled_by,
            outcome=require_text(outcome, "outcome", rule=rule),
            case_id=case_id,
            rule=rule,
        )

    def hand_over(
        self,
        ctx: CommandContext,
        *,
        to_window_id: UUID | None,
        to_staff_id: UUID | None,
        contact_method: str,
        contacted: str,
        note: str,
        rule: str,
    ) -> None:
        """ART2.1.2: a hand-over names the receiver and how they were contacted (积极联系转交)."""
        ctx.actor.require(*RECORDERS, action="handing over an inquiry", rule=rule)
        self._check_open(rule)
        if to_window_id is None and to_staff_id is None:
            raise InvalidInput("a hand-over names the window or person it goes to", field="to_window_id", rule=rule)
        if to_staff_id is not None and to_staff_id == self.first_responder_id:
            raise InvalidInput("the first responder cannot hand an inquiry over to themselves", field="to_staff_id")
        if self.handled:
            raise InvariantViolated("this inquiry was already handled; close it instead", rule=rule)
        if contact_method not in CONTACT_METHODS:
            raise InvalidInput(
                f"a hand-over needs the receiver contacted first; contact_method must be one of "
                f"{', '.join(CONTACT_METHODS)}",
                field="contact_method",
                rule=rule,
            )
        self._trigger(
            self.InquiryHandedOver,
            ctx,
            to_window_id=to_window_id,
            to_staff_id=to_staff_id,
            contact_method=contact_method,
            contacted=require_text(contacted, "contacted", rule=rule),
            note=note.strip(),
            rule=rule,
        )

    def escalate_to_leader(self, ctx: CommandContext, *, leader: str, reason: str, rule: str) -> None:
        ctx.actor.require(*RECORDERS, action="reporting an inquiry to a leader", rule=rule)
        self._check_open(rule)
        if self.handled:
            raise InvariantViolated("this inquiry was already handled; close it instead", rule=rule)
        self._trigger(
            self.InquiryEscalatedToLeader,
            ctx,
            leader=require_text(leader, "leader", rule=rule),
            reason=require_text(reason, "reason", rule=rule),
            rule=rule,
        )

    def communicate_result(
        self, ctx: CommandContext, *, communicated_by: UUID, channel: str, result: str, rule: str
    ) -> None:
        ctx.actor.require(*RECORDERS, action="recording that the client was told the result", rule=rule)
        self._check_open(rule)
        if channel not in COMMUNICATION_CHANNELS:
            raise InvalidInput(
                f"channel must be one of {', '.join(COMMUNICATION_CHANNELS)}", field="channel", rule=rule
            )
        self._trigger(
            self.ResultCommunicated,
            ctx,
            communicated_by=communicated_by,
            channel=channel,
            result=require_text(result, "result", rule=rule),
            rule=rule,
        )

    def close(self, ctx: CommandContext, *, rules: Mapping[str, str]) -> None:
        """Close on handled, or handed over/escalated with the result communicated afterwards.

        ``rules`` maps ``ART2.1`` and ``ART2.1.2`` to their references in force.
        """
        rule = rules["ART2.1"]
        ctx.actor.require(*RECORDERS, action="closing an inquiry", rule=rule)
        self._check_open(rule)
        if self.handled:
            resolution = "handled"
        elif self.handovers or self.escalations:
            if self.awaiting_result:
                raise InvariantViolated(
                    "the inquiry was handed over or reported to a leader, but the client has not been "
                    "told the result since; record the result communicated first",
                    rule=rules["ART2.1.2"],
                )
            resolution = "escalated" if self.escalations else "handed_over"
        else:
            raise InvariantViolated(
                "the inquiry was neither handled, nor handed over, nor reported to a leader; "
                "the first responder answers for it until one of those is recorded",
                rule=rule,
            )
        self._trigger(self.InquiryClosed, ctx, resolution=resolution, rule=rule)
