"""Client ratings (好差评), complaints, praise and commendations: what assessment (ART11) counts in a
person's favour — and, for verified bad ratings and complaints, against them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from domain import ids
from domain.envelope import Actor
from domain.errors import InvariantViolated, NotFound
from domain.evaluation import EXCLUDED, Commendation, Complaint, Praise, Rating
from domain.organisation import Window
from domain.ownership import require_own_record
from domain.staff import StaffMember
from service.app_base import LedgerApplicationBase, Outcome


class EvaluationCommands(LedgerApplicationBase):
    def rating_id(self, ref: str) -> UUID:
        return ids.derived_id("rating", self.settings.hall_id, ref.strip())

    def rating(self, rating_id: UUID, *, expected_version: int | None = None) -> Rating:
        return self.load(Rating, rating_id, what="rating", field="rating_id", expected_version=expected_version)

    def _people(self, staff_ids: Sequence[UUID], field: str = "staff_ids") -> None:
        for staff_id in staff_ids:
            self.load(StaffMember, staff_id, what="staff member", field=field)

    def record_rating(
        self,
        actor: Actor,
        *,
        ref: str,
        level: str,
        channel: str,
        window_id: UUID,
        staff_id: UUID,
        case_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """服务评价: ``ref`` is the evaluation system's number (一次一评/一事一评); ``case_id`` the case, if any."""
        ctx = self.context(actor, occurred_at)
        self.load(Window, window_id, what="window", field="window_id")
        self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        _, ref_rule = self.rule_in_force("ART11.1", ctx.occurred_at)
        rating = Rating.rate(
            ctx,
            id=self.rating_id(ref),
            ref=ref,
            level=level,
            channel=channel,
            window_id=window_id,
            staff_id=staff_id,
            case_id=case_id,
            rule=str(ref_rule),
        )
        return self.record(rating, created=[rating])

    def contest_rating(
        self,
        actor: Actor,
        *,
        rating_id: UUID,
        grounds: str,
        statement: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """差评申诉: a bad rating contested as mistaken (误评) or malicious (恶意差评)."""
        ctx = self.context(actor, occurred_at)
        rating = self.rating(rating_id, expected_version=expected_version)
        require_own_record(actor, [rating.staff_id], record=f"rating {rating_id}", field="rating_id")
        rating.contest(ctx, grounds=grounds, statement=statement)
        return self.record(rating)

    def exclude_rating(
        self,
        actor: Actor,
        *,
        rating_id: UUID,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """剔除: the review finds the contested rating mistaken or malicious; it stops counting."""
        ctx = self.context(actor, occurred_at)
        rating = self.rating(rating_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART11.1", ctx.occurred_at)
        rating.exclude(ctx, reason=reason, rule=str(ref))
        return self.record(rating)

    def uphold_rating(
        self,
        actor: Actor,
        *,
        rating_id: UUID,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """维持: the review finds the contested rating stands."""
        ctx = self.context(actor, occurred_at)
        rating = self.rating(rating_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART11.1", ctx.occurred_at)
        rating.uphold(ctx, reason=reason, rule=str(ref))
        return self.record(rating)

    # ── complaints ───────────────────────────────────────────────────────────

    def record_complaint(
        self,
        actor: Actor,
        *,
        channel: str,
        window_id: UUID,
        summary: str,
        staff_id: UUID | None = None,
        case_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """投诉受理: about a window (and a person, if named); the summary never names the complainant."""
        ctx = self.context(actor, occurred_at)
        self.load(Window, window_id, what="window", field="window_id")
        if staff_id is not None:
            self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        complaint = Complaint.receive(
            ctx, id=uuid4(), channel=channel, window_id=window_id, staff_id=staff_id, case_id=case_id, summary=summary
        )
        return self.record(complaint, created=[complaint])

    def verify_complaint(
        self,
        actor: Actor,
        *,
        complaint_id: UUID,
        finding: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """查实: the complaint counts like a verified bad rating."""
        ctx = self.context(actor, occurred_at)
        complaint = self.load(
            Complaint, complaint_id, what="complaint", field="complaint_id", expected_version=expected_version
        )
        _, ref = self.rule_in_force("ART11.1", ctx.occurred_at)
        complaint.verify(ctx, finding=finding, rule=str(ref))
        return self.record(complaint)

    def find_complaint_unfounded(
        self,
        actor: Actor,
        *,
        complaint_id: UUID,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        complaint = self.load(
            Complaint, complaint_id, what="complaint", field="complaint_id", expected_version=expected_version
        )
        complaint.find_unfounded(ctx, reason=reason)
        return self.record(complaint)

    # ── praise and commendation ──────────────────────────────────────────────

    def record_praise(
        self,
        actor: Actor,
        *,
        kind: str,
        staff_ids: Sequence[UUID] = (),
        window_id: UUID | None = None,
        from_organisation: str = "",
        note: str = "",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """表扬信 / 锦旗 / 网上表扬 / 媒体表扬 for people and/or a window."""
        ctx = self.context(actor, occurred_at)
        self._people(staff_ids)
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        _, ref = self.rule_in_force("ART11.1", ctx.occurred_at)
        praise = Praise.receive(
            ctx,
            id=uuid4(),
            kind=kind,
            staff_ids=list(staff_ids),
            window_id=window_id,
            from_organisation=from_organisation,
            note=note,
            rule=str(ref),
        )
        return self.record(praise, created=[praise])

    def award_commendation(
        self,
        actor: Actor,
        *,
        kind: str,
        title: str,
        reason: str,
        decision_ref: str,
        staff_ids: Sequence[UUID] = (),
        window_id: UUID | None = None,
        basis: Sequence[UUID] = (),
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """表彰 (ART11.2) by the hall manager or the committee; ``basis`` names praise or ratings it rests on."""
        ctx = self.context(actor, occurred_at)
        self._people(staff_ids)
        if window_id is not None:
            self.load(Window, window_id, what="window", field="window_id")
        for item in basis:
            if not self.exists(item):
                raise NotFound(f"no praise or rating with id {item}", field="basis")
            found: object = self.repository.get(item)
            if isinstance(found, Rating):
                if found.status == EXCLUDED or found.bad:
                    raise InvariantViolated(
                        f"rating {found.ref} is {'excluded' if found.status == EXCLUDED else 'a bad rating'} "
                        "and cannot ground a commendation",
                        field="basis",
                    )
            elif not isinstance(found, Praise):
                raise NotFound(f"{item} is neither praise nor a rating", field="basis")
        _, ref = self.rule_in_force("ART11.2", ctx.occurred_at)
        commendation = Commendation.award(
            ctx,
            id=uuid4(),
            kind=kind,
            title=title,
            staff_ids=list(staff_ids),
            window_id=window_id,
            reason=reason,
            decision_ref=decision_ref,
            basis=list(basis),
            rule=str(ref),
        )
        return self.record(commendation, created=[commendation])
