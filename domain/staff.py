"""A member of the hall's staff (窗口工作人员) and everything decided about them.

Postings (Article 8):
- ART8.1: seconded window staff are normally posted for two years or more, so ending a
  seconded posting before its second anniversary needs the committee's consent
  (or the committee's demand for a replacement, ART8.3).
- ART8.2: replacing seconded staff (a rotation or a replacement), or sending someone
  temporarily, needs the management committee's *prior* consent whatever the tenure — also
  after two years; the center assigns the post. :func:`consent_needed_to_end` is the one place
  of the rule; a consent is prior when it was given no later than the change and on or before
  the day it takes effect (:func:`consent_is_prior`).
- ART8.3: the committee (or the center) may demand that a department replace a person.
A department that withdraws a person anyway is a fact the hall records
(``RecalledByDepartment``); automatic detection then flags the breach.

The escalation ladder (ART2.1.3) as decisions: first verified breach → admonishment
(诫勉教育) with an ordered remedy; not corrected after that warning → suspension from post
(待岗) or removal from the post (调离). Decisions are events; the derived ladder state is a
projection. A suspension or removal is recorded only when ``domain.ladder.judge_sanction`` —
the walk the escalation read model derives its state with — supports it (same family, within
the look-back, a counting step after the warning or a missed remedy; or a serious violation,
which may be sanctioned at once as an interim measure). The remedy is due no earlier than the
policy's ``remedy_due_working_days`` working days after the admonishment was recorded (the day
it became visible to the person, Asia/Shanghai): an earlier date is raised to that day. Who
decides: the center (``hall_manager``) admonishes; the management committee (``committee``,
管委会) decides suspensions and removals (DOMAIN.md, roles). A confirmed serious (integrity)
violation is referred to the discipline-inspection body (移送纪检监察), an event on the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.calendar import hall_date
from domain.envelope import CHINA_STANDARD_TIME, CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated, NotPermitted
from domain.ladder import SanctionVerdict
from domain.roles import Role, outranks
from domain.violation import CONFIRMED, BasisFact

EMPLOYMENTS = ("seconded", "hall")
CONSENT_KINDS = ("replacement", "temporary_substitution", "early_end")
END_REASONS = ("rotation", "replaced", "early_end", "end_of_temporary")
#: ends of a seconded posting that are a 调换派驻人员 (ART8.2): consent whatever the tenure
REPLACEMENT_REASONS = ("rotation", "replaced")

ONBOARDED = "onboarded"
ON_POST = "on_post"
OFF_POST = "off_post"
SUSPENDED = "suspended"
REMOVED = "removed"
LEFT = "left"


def second_anniversary(start: date) -> date:
    """The day a posting reaches two years (29 Feb starts end on 28 Feb)."""
    try:
        return start.replace(year=start.year + 2)
    except ValueError:
        return start.replace(year=start.year + 2, day=28)


def consent_needed_to_end(*, seconded: bool, temporary: bool, start: date, end: date, reason: str) -> str | None:
    """The kind of committee consent an end of posting needs, or None (ART8.1, ART8.2).

    - hall staff and temporary postings: none (a temporary posting is meant to end);
    - a rotation or replacement of seconded staff (调换派驻人员): ``replacement``, whatever the
      tenure (ART8.2 — before *and* after the second anniversary);
    - any other end before the second anniversary: ``early_end`` (ART8.1 定岗两年以上).
    A replacement demanded by the committee (ART8.3) stands in for the consent (the caller's).
    """
    if not seconded or temporary:
        return None
    if reason in REPLACEMENT_REASONS:
        return "replacement"
    if end < second_anniversary(start):
        return "early_end"
    return None


def consent_is_prior(given: datetime, *, acted_at: datetime, effective: date) -> bool:
    """ART8.2 "事先征得管委会同意": the consent was given no later than the change was made
    (valid time) and on or before the hall day the change takes effect (Asia/Shanghai)."""
    return given <= acted_at and given.astimezone(CHINA_STANDARD_TIME).date() <= effective


@dataclass(frozen=True)
class WindowFacts:
    """What a posting needs to know about the window."""

    window_id: UUID
    department_id: UUID
    kind: str
    closed: bool


class StaffMember(LedgerAggregate):
    """One person working in the hall, their postings and the decisions about them."""

    class Onboarded(LedgerAggregate.Created):
        """入驻登记"""

        staff_no: str
        name: str
        department_id: UUID
        employment: str

        def apply(self, s: Any) -> None:
            s.staff_no = self.staff_no
            s.name = self.name
            s.department_id = self.department_id
            s.employment = self.employment
            s.status = ONBOARDED
            s.posting = None
            s.consents = {}
            s.demands = {}
            s.admonishments = {}
            s.sanctions = {}

    class Posted(LedgerAggregate.Event):
        """安排岗位 — the center assigns a window (ART8.2)."""

        window_id: UUID
        start: date
        temporary: bool
        consent_id: UUID | None
        replacing: UUID | None

        def apply(self, s: Any) -> None:
            s.status = ON_POST
            s.posting = {
                "window_id": self.window_id,
                "start": self.start,
                "temporary": self.temporary,
            }
            if self.consent_id is not None:
                s.consents[str(self.consent_id)]["used"] = True

    class Moved(LedgerAggregate.Event):
        """调整窗口 — moved to another window of the hall (the hall posting continues)."""

        from_window_id: UUID
        to_window_id: UUID
        start: date

        def apply(self, s: Any) -> None:
            s.posting = dict(s.posting, window_id=self.to_window_id)

    class CommitteeConsentRecorded(LedgerAggregate.Event):
        """管委会同意 (ART8.2) — prior consent to replace, substitute or end early."""

        consent_id: UUID
        kind: str
        decision_ref: str
        note: str
        rule: str

        def apply(self, s: Any) -> None:
            s.consents[str(self.consent_id)] = {"kind": self.kind, "used": False, "given": self.occurred_at}

    class ReplacementDemanded(LedgerAggregate.Event):
        """要求调换 (ART8.3) — the committee or center demands the department replace them."""

        demand_id: UUID
        grounds: str
        due: date
        rule: str

        def apply(self, s: Any) -> None:
            s.demands[str(self.demand_id)] = {"due": self.due, "used": False}

    class PostingEnded(LedgerAggregate.Event):
        """离岗 — the hall posting ends."""

        end: date
        reason: str
        consent_id: UUID | None
        demand_id: UUID | None
        successor_id: UUID | None

        def apply(self, s: Any) -> None:
            s.status = OFF_POST
            s.posting = None
            if self.consent_id is not None:
                s.consents[str(self.consent_id)]["used"] = True
            if self.demand_id is not None:
                s.demands[str(self.demand_id)]["used"] = True

    class RecalledByDepartment(LedgerAggregate.Event):
        """派驻部门召回 — the department withdrew the person (recorded as a fact)."""

        end: date
        note: str

        def apply(self, s: Any) -> None:
            s.status = OFF_POST
            s.posting = None

    class Left(LedgerAggregate.Event):
        """离开中心"""

        on: date
        reason: str

        def apply(self, s: Any) -> None:
            s.status = LEFT

    class AdmonishmentIssued(LedgerAggregate.Event):
        """诫勉教育 + 责令补救 (ART2.1.3) — first step of the ladder."""

        admonishment_id: UUID
        basis: list[UUID]
        rule: str
        remedy: str
        remedy_due: date

        def apply(self, s: Any) -> None:
            s.admonishments[str(self.admonishment_id)] = {
                "basis": [str(b) for b in self.basis],
                "issued": self.occurred_at,
                "remedy_due": self.remedy_due,
                "completed": False,
                "rescinded": False,
            }

    class RemedyCompleted(LedgerAggregate.Event):
        """补救完成"""

        admonishment_id: UUID
        note: str

        def apply(self, s: Any) -> None:
            s.admonishments[str(self.admonishment_id)]["completed"] = True

    class AdmonishmentRescinded(LedgerAggregate.Event):
        """撤销诫勉 — its basis was overturned (compensating decision)."""

        admonishment_id: UUID
        reason: str
        appeal_id: UUID | None

        def apply(self, s: Any) -> None:
            s.admonishments[str(self.admonishment_id)]["rescinded"] = True

    class SuspensionDecided(LedgerAggregate.Event):
        """待岗 (ART2.1.3) — suspended from post."""

        decision_id: UUID
        basis: list[UUID]
        rule: str
        start: date
        until: date | None

        def apply(self, s: Any) -> None:
            s.status = SUSPENDED
            s.sanctions[str(self.decision_id)] = {
                "kind": "suspension",
                "basis": [str(b) for b in self.basis],
                "active": True,
            }

    class RemovalFromPostDecided(LedgerAggregate.Event):
        """调离 (ART2.1.3) — removed from the post; the posting ends."""

        decision_id: UUID
        basis: list[UUID]
        rule: str
        effective: date

        def apply(self, s: Any) -> None:
            s.status = REMOVED
            s.posting = None
            s.sanctions[str(self.decision_id)] = {
                "kind": "removal",
                "basis": [str(b) for b in self.basis],
                "active": True,
            }

    class Reinstated(LedgerAggregate.Event):
        """恢复上岗 — back at the window after a suspension."""

        decision_id: UUID
        note: str

        def apply(self, s: Any) -> None:
            s.status = ON_POST
            s.sanctions[str(self.decision_id)]["active"] = False

    class SanctionRescinded(LedgerAggregate.Event):
        """撤销处理 — a sanction whose basis was overturned is rescinded (compensating)."""

        decision_id: UUID
        reason: str
        appeal_id: UUID | None

        def apply(self, s: Any) -> None:
            sanction = s.sanctions[str(self.decision_id)]
            if sanction["active"]:
                s.status = ON_POST if sanction["kind"] == "suspension" else OFF_POST
            sanction["active"] = False
            sanction["rescinded"] = True

    class ReferredToDisciplineInspection(LedgerAggregate.Event):
        """移送纪检监察 — a confirmed serious (integrity) violation is referred to the
        discipline-inspection body; the hall records the referral, the body decides (ART2.1.3)."""

        referral_id: UUID
        violation_id: UUID
        #: the violation's rule as judged (``ART6.2@2026.1``)
        rule: str
        body: str

        def apply(self, s: Any) -> None:
            s.__dict__.setdefault("referrals", {})[str(self.violation_id)] = str(self.referral_id)

    if TYPE_CHECKING:
        staff_no: str
        name: str
        department_id: UUID
        employment: str
        status: str
        posting: dict[str, Any] | None
        consents: dict[str, dict[str, Any]]
        demands: dict[str, dict[str, Any]]
        admonishments: dict[str, dict[str, Any]]
        sanctions: dict[str, dict[str, Any]]

    # ── postings ─────────────────────────────────────────────────────────────

    @classmethod
    def onboard(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        staff_no: str,
        name: str,
        department_id: UUID,
        employment: str,
    ) -> Self:
        ctx.actor.require(Role.HALL_MANAGER, action="onboarding staff")
        if employment not in EMPLOYMENTS:
            raise InvalidInput(f"employment must be one of {', '.join(EMPLOYMENTS)}", field="employment")
        return cls._create_with(
            cls.Onboarded,
            ctx,
            id=id,
            staff_no=require_text(staff_no, "staff_no"),
            name=require_text(name, "name"),
            department_id=department_id,
            employment=employment,
        )

    @property
    def seconded(self) -> bool:
        return self.employment == "seconded"

    def post(
        self,
        ctx: CommandContext,
        *,
        window: WindowFacts,
        start: date,
        temporary: bool = False,
        consent_id: UUID | None = None,
        replacing: UUID | None = None,
        rule: str,
    ) -> None:
        """The center assigns a window (ART8.2); temporary seconded staff need prior consent."""
        ctx.actor.require(Role.HALL_MANAGER, action="posting staff to a window", rule=rule)
        if self.status in (ON_POST, SUSPENDED):
            raise InvariantViolated(f"{self.name} is already posted; move them instead", field="window_id")
        if self.status in (LEFT, REMOVED):
            raise InvariantViolated(f"{self.name} has {self.status.replace('_', ' ')} and cannot be posted")
        if window.closed:
            raise InvariantViolated("that window is closed", field="window_id")
        self._check_window_department(window)
        if temporary and self.seconded:
            self._use_consent(ctx, consent_id, "temporary_substitution", effective=start, rule=rule)
        elif consent_id is not None:
            raise InvalidInput(
                "a consent is used here only for a temporary posting; a replacement's consent "
                "is recorded on the person replaced",
                field="consent_id",
                rule=rule,
            )
        self._trigger(
            self.Posted,
            ctx,
            window_id=window.window_id,
            start=start,
            temporary=temporary,
            consent_id=consent_id,
            replacing=replacing,
        )

    def _check_window_department(self, window: WindowFacts) -> None:
        if window.kind == "department" and window.department_id != self.department_id:
            raise InvariantViolated(
                "a department window is staffed by that department's seconded staff",
                field="window_id",
            )

    def _use_consent(
        self, ctx: CommandContext, consent_id: UUID | None, kind: str, *, effective: date, rule: str
    ) -> None:
        if consent_id is None:
            raise InvariantViolated(
                f"{kind.replace('_', ' ')} of seconded staff needs the management committee's "
                "prior consent; record it first",
                rule=rule,
                field="consent_id",
            )
        consent = self.consents.get(str(consent_id))
        if consent is None or consent["kind"] != kind:
            raise InvariantViolated(
                f"no committee consent {consent_id} for {kind.replace('_', ' ')} is on record for {self.name}",
                rule=rule,
                field="consent_id",
            )
        if consent["used"]:
            raise InvariantViolated(f"committee consent {consent_id} was already used", rule=rule, field="consent_id")
        given: datetime | None = consent.get("given")  # None: restored from a snapshot taken before it was kept
        if given is not None and not consent_is_prior(given, acted_at=ctx.occurred_at, effective=effective):
            raise InvariantViolated(
                f"committee consent {consent_id} was given {given.astimezone(CHINA_STANDARD_TIME):%Y-%m-%d %H:%M}, "
                f"after the change it would cover (effective {effective.isoformat()}); ART8.2 needs the "
                "committee's prior consent (事先征得管委会同意)",
                rule=rule,
                field="consent_id",
            )

    def move(self, ctx: CommandContext, *, window: WindowFacts, start: date) -> None:
        ctx.actor.require(Role.HALL_MANAGER, action="moving staff to another window")
        self._check_on_post("moved")
        assert self.posting is not None
        if window.window_id == self.posting["window_id"]:
            raise InvariantViolated(f"{self.name} already works at that window", field="window_id")
        if window.closed:
            raise InvariantViolated("that window is closed", field="window_id")
        self._check_window_department(window)
        self._trigger(
            self.Moved, ctx, from_window_id=self.posting["window_id"], to_window_id=window.window_id, start=start
        )

    def record_committee_consent(
        self, ctx: CommandContext, *, consent_id: UUID, kind: str, decision_ref: str, note: str, rule: str
    ) -> None:
        ctx.actor.require(Role.COMMITTEE, action="recording the committee's consent", rule=rule)
        if kind not in CONSENT_KINDS:
            raise InvalidInput(f"consent kind must be one of {', '.join(CONSENT_KINDS)}", field="kind")
        if not self.seconded:
            raise InvariantViolated(f"{self.name} is hall staff, not seconded; no committee consent applies", rule=rule)
        self._trigger(
            self.CommitteeConsentRecorded,
            ctx,
            consent_id=consent_id,
            kind=kind,
            decision_ref=require_text(decision_ref, "decision_ref", rule=rule),
            note=note.strip(),
            rule=rule,
        )

    def demand_replacement(self, ctx: CommandContext, *, demand_id: UUID, grounds: str, due: date, rule: str) -> None:
        """ART8.3: seconded staff who refuse management may be replaced on demand."""
        ctx.actor.require(Role.COMMITTEE, Role.HALL_MANAGER, action="demanding a replacement", rule=rule)
        if not self.seconded:
            raise InvariantViolated(f"{self.name} is not seconded; there is no department to replace them", rule=rule)
        if self.status not in (ON_POST, SUSPENDED):
            raise InvariantViolated(f"{self.name} is not on post", rule=rule)
        if due < hall_date(ctx.occurred_at):
            raise InvalidInput("the due date lies before the demand", field="due")
        self._trigger(
            self.ReplacementDemanded,
            ctx,
            demand_id=demand_id,
            grounds=require_text(grounds, "grounds", rule=rule),
            due=due,
            rule=rule,
        )

    def end_posting(
        self,
        ctx: CommandContext,
        *,
        end: date,
        reason: str,
        consent_id: UUID | None = None,
        demand_id: UUID | None = None,
        successor_id: UUID | None = None,
        rule: str,
    ) -> None:
        """End the hall posting: :func:`consent_needed_to_end` says which prior consent it needs."""
        ctx.actor.require(Role.HALL_MANAGER, action="ending a posting", rule=rule)
        if reason not in END_REASONS:
            raise InvalidInput(f"reason must be one of {', '.join(END_REASONS)}", field="reason")
        if self.status not in (ON_POST, SUSPENDED):
            raise InvariantViolated(f"{self.name} is not on post", field="staff_id")
        assert self.posting is not None
        if end < self.posting["start"]:
            raise InvalidInput("the posting cannot end before it started", field="end")
        needed = consent_needed_to_end(
            seconded=self.seconded,
            temporary=self.posting["temporary"],
            start=self.posting["start"],
            end=end,
            reason=reason,
        )
        if demand_id is not None:
            demand = self.demands.get(str(demand_id))
            if demand is None or demand["used"]:
                raise InvariantViolated(f"no open replacement demand {demand_id} for {self.name}", field="demand_id")
        elif needed is not None:
            if consent_id is None:
                if needed == "replacement":
                    why = (
                        f"replacing seconded staff ({self.name}, reason {reason}) needs the management "
                        "committee's prior consent whatever the tenure (ART8.2) or its demand for a "
                        "replacement (ART8.3)"
                    )
                else:
                    why = (
                        f"{self.name}'s posting began {self.posting['start'].isoformat()}; ending it before "
                        f"{second_anniversary(self.posting['start']).isoformat()} needs the management "
                        "committee's consent (ART8.1, ART8.2) or its demand for a replacement (ART8.3)"
                    )
                raise InvariantViolated(why, rule=rule, field="consent_id")
            self._use_consent(ctx, consent_id, needed, effective=end, rule=rule)
        elif consent_id is not None:
            kind = "replacement" if reason in REPLACEMENT_REASONS else "early_end"
            self._use_consent(ctx, consent_id, kind, effective=end, rule=rule)
        self._trigger(
            self.PostingEnded,
            ctx,
            end=end,
            reason=reason,
            consent_id=consent_id,
            demand_id=demand_id,
            successor_id=successor_id,
        )

    def record_recall(self, ctx: CommandContext, *, end: date, note: str) -> None:
        """The seconding department withdrew the person (a fact, consent or not)."""
        ctx.actor.require(Role.HALL_MANAGER, action="recording a recall by the department")
        if not self.seconded:
            raise InvariantViolated(f"{self.name} is hall staff; no department can recall them")
        if self.status not in (ON_POST, SUSPENDED):
            raise InvariantViolated(f"{self.name} is not on post")
        self._trigger(self.RecalledByDepartment, ctx, end=end, note=require_text(note, "note"))

    def leave(self, ctx: CommandContext, *, on: date, reason: str) -> None:
        ctx.actor.require(Role.HALL_MANAGER, action="recording that staff left")
        if self.status in (ON_POST, SUSPENDED):
            raise InvariantViolated(f"{self.name} is still posted; end the posting first")
        if self.status == LEFT:
            raise InvariantViolated(f"{self.name} has already left")
        self._trigger(self.Left, ctx, on=on, reason=require_text(reason, "reason"))

    def _check_on_post(self, verb: str) -> None:
        if self.status != ON_POST:
            raise InvariantViolated(f"{self.name} is {self.status.replace('_', ' ')} and cannot be {verb}")

    # ── the escalation ladder (ART2.1.3) ─────────────────────────────────────

    def _check_basis(self, ctx: CommandContext, basis: Sequence[BasisFact], rule: str) -> None:
        if not basis:
            raise InvalidInput("a decision names the confirmed violations it rests on", field="basis", rule=rule)
        ids = [b.violation_id for b in basis]
        if len(set(ids)) != len(ids):
            raise InvalidInput("a violation is named twice in the basis", field="basis", rule=rule)
        for fact in basis:
            if fact.staff_id != self.id:
                raise InvalidInput(f"violation {fact.violation_id} concerns someone else", field="basis", rule=rule)
            if fact.status != CONFIRMED:
                raise InvariantViolated(
                    f"violation {fact.violation_id} is {fact.status}; only confirmed (一经查实) "
                    "violations can ground a decision",
                    field="basis",
                    rule=rule,
                )
            # separation of duties: the decider is neither the recorder nor the verifier,
            # and holds more authority than both
            for who in (fact.recorded_by, fact.confirmed_by):
                if who is None:
                    continue
                if ctx.actor.same_person(who):  # people, not token names (issue 10 point 7)
                    raise NotPermitted(
                        f"{ctx.actor.id} recorded or confirmed violation {fact.violation_id} "
                        "and cannot also decide on it",
                        field="actor",
                        rule=rule,
                    )
                if not outranks(ctx.actor.role, who.role):
                    raise NotPermitted(
                        f"a decision on violation {fact.violation_id} needs a role above {who.role} ({who.id})",
                        field="actor",
                        rule=rule,
                    )

    def _check_can_be_sanctioned(self) -> None:
        if self.status in (SUSPENDED, REMOVED, LEFT):
            raise InvariantViolated(f"{self.name} is already {self.status.replace('_', ' ')}")

    def issue_admonishment(
        self,
        ctx: CommandContext,
        *,
        admonishment_id: UUID,
        basis: Sequence[BasisFact],
        rule: str,
        remedy: str,
        remedy_due: date | None,
        earliest_remedy_due: date,
    ) -> None:
        """诫勉教育 + 责令补救. ``earliest_remedy_due``: the policy's due date counted from the day the
        admonishment is recorded (``domain.ladder.remedy_due_by``); ``remedy_due`` may only be later —
        None or an earlier date gives the policy's date (the person never gets less time)."""
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, action="issuing an admonishment", rule=rule)
        self._check_basis(ctx, basis, rule)
        if self.status == LEFT:
            raise InvariantViolated(f"{self.name} has left the hall", rule=rule)
        used = {b for a in self.admonishments.values() if not a["rescinded"] for b in a["basis"]}
        for fact in basis:
            if str(fact.violation_id) in used:
                raise InvariantViolated(
                    f"violation {fact.violation_id} already grounds an admonishment", field="basis", rule=rule
                )
        if remedy_due is not None and remedy_due < hall_date(ctx.occurred_at):
            raise InvalidInput("the remedy is due before the admonishment", field="remedy_due", rule=rule)
        remedy_due = max(remedy_due or earliest_remedy_due, earliest_remedy_due)
        self._trigger(
            self.AdmonishmentIssued,
            ctx,
            admonishment_id=admonishment_id,
            basis=[b.violation_id for b in basis],
            rule=rule,
            remedy=require_text(remedy, "remedy", rule=rule),
            remedy_due=remedy_due,
        )

    def _admonishment(self, admonishment_id: UUID) -> dict[str, Any]:
        found = self.admonishments.get(str(admonishment_id))
        if found is None:
            raise InvalidInput(f"{self.name} has no admonishment {admonishment_id}", field="admonishment_id")
        return found

    def complete_remedy(self, ctx: CommandContext, *, admonishment_id: UUID, note: str) -> None:
        ctx.actor.require(Role.HALL_MANAGER, Role.WINDOW_LEAD, action="recording a completed remedy")
        admonishment = self._admonishment(admonishment_id)
        if admonishment["rescinded"]:
            raise InvariantViolated("that admonishment was rescinded")
        if admonishment["completed"]:
            raise InvariantViolated("that remedy was already recorded as completed")
        self._trigger(self.RemedyCompleted, ctx, admonishment_id=admonishment_id, note=require_text(note, "note"))

    def rescind_admonishment(
        self, ctx: CommandContext, *, admonishment_id: UUID, reason: str, appeal_id: UUID | None = None
    ) -> None:
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, Role.APPEAL_REVIEWER, action="rescinding an admonishment")
        if self._admonishment(admonishment_id)["rescinded"]:
            raise InvariantViolated("that admonishment was already rescinded")
        self._trigger(
            self.AdmonishmentRescinded,
            ctx,
            admonishment_id=admonishment_id,
            reason=require_text(reason, "reason"),
            appeal_id=appeal_id,
        )

    def _check_ladder(self, ladder: SanctionVerdict, rule: str) -> None:
        """ART2.1.3 经告诫仍不改正, as the escalation policy states it: the verdict of
        ``domain.ladder.judge_sanction`` — the walk the escalation read model derives with."""
        if not ladder.supported:
            raise InvariantViolated(f"{self.name}: {ladder.reason}", rule=rule, field="basis")

    def refer_to_discipline_inspection(
        self, ctx: CommandContext, *, referral_id: UUID, violation: BasisFact, body: str = "纪检监察"
    ) -> None:
        """移送纪检监察: record that a confirmed serious violation was referred (once per violation)."""
        rule = violation.rule
        ctx.actor.require(
            Role.INSPECTOR, Role.HALL_MANAGER, Role.COMMITTEE, Role.APPEAL_REVIEWER,
            action="referring a serious violation to discipline inspection", rule=rule,
        )  # fmt: skip
        if violation.staff_id != self.id:
            raise InvalidInput(f"violation {violation.violation_id} concerns someone else", field="violation_id")
        if violation.severity != "serious" or violation.status != CONFIRMED:
            raise InvariantViolated(
                f"only a confirmed serious violation is referred; {violation.violation_id} is "
                f"{violation.status} and {violation.severity}",
                field="violation_id",
                rule=rule,
            )
        if str(violation.violation_id) in self.referrals:
            raise InvariantViolated(f"violation {violation.violation_id} was already referred", field="violation_id")
        self._trigger(
            self.ReferredToDisciplineInspection,
            ctx,
            referral_id=referral_id,
            violation_id=violation.violation_id,
            rule=rule,
            body=require_text(body, "body"),
        )

    @property
    def referrals(self) -> dict[str, str]:
        """Violation id → referral id of every referral to discipline inspection."""
        found: dict[str, str] = self.__dict__.get("referrals", {})
        return found

    def decide_suspension(
        self,
        ctx: CommandContext,
        *,
        decision_id: UUID,
        basis: Sequence[BasisFact],
        rule: str,
        start: date,
        until: date | None,
        ladder: SanctionVerdict,
    ) -> None:
        """待岗 is the management committee's decision (DOMAIN.md roles), and only what the
        escalation policy supports (``ladder``: ``domain.ladder.judge_sanction``)."""
        ctx.actor.require(Role.COMMITTEE, action="deciding a suspension from post", rule=rule)
        self._check_basis(ctx, basis, rule)
        self._check_can_be_sanctioned()
        if self.status != ON_POST:
            raise InvariantViolated(f"{self.name} is not on post; there is no post to suspend them from", rule=rule)
        self._check_ladder(ladder, rule)
        if until is not None and until < start:
            raise InvalidInput("the suspension ends before it starts", field="until", rule=rule)
        self._trigger(
            self.SuspensionDecided,
            ctx,
            decision_id=decision_id,
            basis=[b.violation_id for b in basis],
            rule=rule,
            start=start,
            until=until,
        )

    def decide_removal(
        self,
        ctx: CommandContext,
        *,
        decision_id: UUID,
        basis: Sequence[BasisFact],
        rule: str,
        effective: date,
        ladder: SanctionVerdict,
    ) -> None:
        """调离 needs the committee (for seconded staff it amounts to a replacement, ART8.3) and
        the escalation policy's support (``ladder``: ``domain.ladder.judge_sanction``)."""
        ctx.actor.require(Role.COMMITTEE, action="deciding a removal from post", rule=rule)
        self._check_basis(ctx, basis, rule)
        if self.status not in (ON_POST, SUSPENDED):
            raise InvariantViolated(f"{self.name} is not on post", rule=rule)
        self._check_ladder(ladder, rule)
        self._trigger(
            self.RemovalFromPostDecided,
            ctx,
            decision_id=decision_id,
            basis=[b.violation_id for b in basis],
            rule=rule,
            effective=effective,
        )

    def _sanction(self, decision_id: UUID) -> dict[str, Any]:
        found = self.sanctions.get(str(decision_id))
        if found is None:
            raise InvalidInput(f"{self.name} has no sanction decision {decision_id}", field="decision_id")
        return found

    def reinstate(self, ctx: CommandContext, *, decision_id: UUID, note: str) -> None:
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, action="reinstating staff")
        sanction = self._sanction(decision_id)
        if sanction["kind"] != "suspension" or not sanction["active"] or self.status != SUSPENDED:
            raise InvariantViolated(f"{self.name} is not suspended under decision {decision_id}")
        self._trigger(self.Reinstated, ctx, decision_id=decision_id, note=require_text(note, "note"))

    def rescind_sanction(
        self, ctx: CommandContext, *, decision_id: UUID, reason: str, appeal_id: UUID | None = None
    ) -> None:
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, Role.APPEAL_REVIEWER, action="rescinding a sanction")
        if self._sanction(decision_id).get("rescinded"):
            raise InvariantViolated("that sanction was already rescinded")
        self._trigger(
            self.SanctionRescinded,
            ctx,
            decision_id=decision_id,
            reason=require_text(reason, "reason"),
            appeal_id=appeal_id,
        )
