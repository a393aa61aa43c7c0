"""Client evaluation and commendation (好差评、表扬、表彰) — the positive side of assessment.

- :class:`Rating` — one 好差评 rating of a service (国办发〔2019〕51号: on-site "一次一评",
  online "一事一评") on the national five levels, for a window and a staff member, linked
  to a service case when there is one. Its id derives from the evaluation system's own
  number, so an import never counts a rating twice. A bad rating (差评: 不满意, 非常不满意)
  may be contested as mistaken or malicious (误评/恶意差评); a reviewer excludes it (剔除)
  or upholds it. An excluded rating stops counting: every projection filters on the
  rating's *current* status (DOMAIN.md; the S41 bug is a deleted rating still feeding a
  "repeated bad ratings" warning).
- :class:`Complaint` — a complaint about a window or a person (投诉); once verified (查实) it
  counts like a verified bad rating, and an unfounded one never counts.
- :class:`Praise` — written praise, a silk banner (锦旗), online or media praise, for people
  and/or a window.
- :class:`Commendation` — a commendation decided by a leader (hall manager or committee):
  服务之星, 红旗窗口, 服务标兵, 通报表扬. Rewards are decision events, never automatic.

These facts feed the monthly assessment (ART11.1) and its rewards (ART11.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.envelope import Actor, CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated, NotPermitted
from domain.roles import Role


@dataclass(frozen=True)
class Level:
    code: str
    score: int
    title_zh: str
    title_en: str


#: the national 好差评 levels, best first; ``score`` 5 … 1 for averages (satisfaction index)
LEVELS: dict[str, Level] = {
    level.code: level
    for level in (
        Level("very_satisfied", 5, "非常满意", "Very satisfied"),
        Level("satisfied", 4, "满意", "Satisfied"),
        Level("basically_satisfied", 3, "基本满意", "Basically satisfied"),
        Level("dissatisfied", 2, "不满意", "Dissatisfied"),
        Level("very_dissatisfied", 1, "非常不满意", "Very dissatisfied"),
    )
}
#: 差评 — the levels that can be contested and that count against a person
BAD_LEVELS = ("dissatisfied", "very_dissatisfied")
CHANNELS = ("on_site", "online", "phone")
CONTEST_GROUNDS = ("mistaken", "malicious")  # 误评 / 恶意差评
COMPLAINT_CHANNELS = ("hotline", "on_site", "online", "letter")
PRAISE_KINDS = ("letter", "silk_banner", "online", "media")  # 表扬信 / 锦旗 / 网上表扬 / 媒体表扬
COMMENDATION_KINDS = ("service_star", "red_flag_window", "model_worker", "circulated_praise")

COUNTING = "counting"
CONTESTED = "contested"
EXCLUDED = "excluded"

RECEIVED = "received"
VERIFIED = "verified"
UNFOUNDED = "unfounded"


def _check_no_self_decision(ctx: CommandContext, earlier: Actor, what: str) -> None:
    if ctx.actor.same_person(earlier):  # people, not token names (issue 10 point 7)
        raise NotPermitted(f"{ctx.actor.id} {what} and cannot also decide on it (four eyes)", field="actor")


class Rating(LedgerAggregate):
    """好差评 — a client's rating of one service."""

    class Rated(LedgerAggregate.Created):
        """服务评价 — ``level`` one of the five national levels, ``score`` 5 (非常满意) … 1 (非常不满意)."""

        ref: str
        level: str
        score: int
        channel: str
        window_id: UUID
        staff_id: UUID
        case_id: UUID | None
        rule: str

        def apply(self, r: Any) -> None:
            r.ref = self.ref
            r.level = self.level
            r.window_id = self.window_id
            r.staff_id = self.staff_id
            r.status = COUNTING
            r.contested_by = None

    class Contested(LedgerAggregate.Event):
        """差评申诉 — contested as mistaken (误评) or malicious (恶意差评)."""

        grounds: str
        statement: str

        def apply(self, r: Any) -> None:
            r.status = CONTESTED
            r.contested_by = self.actor

    class Excluded(LedgerAggregate.Event):
        """剔除 — after review the rating no longer counts."""

        reason: str
        rule: str

        def apply(self, r: Any) -> None:
            r.status = EXCLUDED

    class Upheld(LedgerAggregate.Event):
        """维持 — after review the rating stands and counts again."""

        reason: str
        rule: str

        def apply(self, r: Any) -> None:
            r.status = COUNTING

    if TYPE_CHECKING:
        ref: str
        level: str
        window_id: UUID
        staff_id: UUID
        status: str
        contested_by: Actor | None

    @property
    def bad(self) -> bool:
        return self.level in BAD_LEVELS

    @classmethod
    def rate(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        ref: str,
        level: str,
        channel: str,
        window_id: UUID,
        staff_id: UUID,
        case_id: UUID | None,
        rule: str,
    ) -> Self:
        """The evaluation system (or the hall, entering a paper card) records a client's rating."""
        ctx.actor.require(Role.SYSTEM, Role.HALL_MANAGER, action="recording a client rating", rule=rule)
        found = LEVELS.get(level)
        if found is None:
            raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", field="level")
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel")
        return cls._create_with(
            cls.Rated,
            ctx,
            id=id,
            ref=require_text(ref, "ref"),
            level=level,
            score=found.score,
            channel=channel,
            window_id=window_id,
            staff_id=staff_id,
            case_id=case_id,
            rule=rule,
        )

    def contest(self, ctx: CommandContext, *, grounds: str, statement: str) -> None:
        """申诉: the person or window rated contests a bad rating as mistaken or malicious."""
        ctx.actor.require(Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, action="contesting a rating")
        if grounds not in CONTEST_GROUNDS:
            raise InvalidInput(f"grounds must be one of {', '.join(CONTEST_GROUNDS)}", field="grounds")
        if not self.bad:
            raise InvariantViolated(
                f"only a bad rating (不满意, 非常不满意) can be contested; this one is {LEVELS[self.level].title_zh}",
                field="rating_id",
            )
        if self.status != COUNTING or self.contested_by is not None:
            raise InvariantViolated(
                f"this rating is {self.status} and was already contested; a rating is contested once",
                field="rating_id",
            )
        self._trigger(self.Contested, ctx, grounds=grounds, statement=require_text(statement, "statement"))

    def _check_review(self, ctx: CommandContext, verb: str) -> None:
        ctx.actor.require(Role.HALL_MANAGER, Role.APPEAL_REVIEWER, action=f"{verb} a contested rating")
        if self.status != CONTESTED:
            raise InvariantViolated(f"this rating is {self.status}, not contested", field="rating_id")
        assert self.contested_by is not None
        _check_no_self_decision(ctx, self.contested_by, "contested this rating")

    def exclude(self, ctx: CommandContext, *, reason: str, rule: str) -> None:
        """剔除 — the review finds the rating mistaken or malicious; it stops counting."""
        self._check_review(ctx, "excluding")
        self._trigger(self.Excluded, ctx, reason=require_text(reason, "reason"), rule=rule)

    def uphold(self, ctx: CommandContext, *, reason: str, rule: str) -> None:
        self._check_review(ctx, "upholding")
        self._trigger(self.Upheld, ctx, reason=require_text(reason, "reason"), rule=rule)


class Complaint(LedgerAggregate):
    """投诉 — a complaint about a window or a person, verified or found unfounded."""

    class Received(LedgerAggregate.Created):
        """投诉受理 — ``summary`` describes the service complained of, never the complainant."""

        channel: str
        window_id: UUID
        staff_id: UUID | None
        case_id: UUID | None
        summary: str

        def apply(self, c: Any) -> None:
            c.window_id = self.window_id
            c.staff_id = self.staff_id
            c.status = RECEIVED
            c.received_by = self.actor

    class Verified(LedgerAggregate.Event):
        """查实 — counts like a verified bad rating."""

        finding: str
        rule: str

        def apply(self, c: Any) -> None:
            c.status = VERIFIED

    class FoundUnfounded(LedgerAggregate.Event):
        """不属实 — never counts."""

        reason: str

        def apply(self, c: Any) -> None:
            c.status = UNFOUNDED

    if TYPE_CHECKING:
        window_id: UUID
        staff_id: UUID | None
        status: str
        received_by: Actor

    @classmethod
    def receive(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        channel: str,
        window_id: UUID,
        staff_id: UUID | None,
        case_id: UUID | None,
        summary: str,
    ) -> Self:
        ctx.actor.require(
            Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, Role.INSPECTOR, Role.SYSTEM,
            action="recording a complaint",
        )  # fmt: skip
        if channel not in COMPLAINT_CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(COMPLAINT_CHANNELS)}", field="channel")
        return cls._create_with(
            cls.Received,
            ctx,
            id=id,
            channel=channel,
            window_id=window_id,
            staff_id=staff_id,
            case_id=case_id,
            summary=require_text(summary, "summary"),
        )

    def _check_decision(self, ctx: CommandContext, verb: str) -> None:
        ctx.actor.require(Role.INSPECTOR, Role.HALL_MANAGER, action=f"{verb} a complaint")
        if self.status != RECEIVED:
            raise InvariantViolated(f"this complaint is already {self.status}", field="complaint_id")
        _check_no_self_decision(ctx, self.received_by, "recorded this complaint")

    def verify(self, ctx: CommandContext, *, finding: str, rule: str) -> None:
        self._check_decision(ctx, "verifying")
        self._trigger(self.Verified, ctx, finding=require_text(finding, "finding"), rule=rule)

    def find_unfounded(self, ctx: CommandContext, *, reason: str) -> None:
        self._check_decision(ctx, "deciding on")
        self._trigger(self.FoundUnfounded, ctx, reason=require_text(reason, "reason"))


def _recipients(staff_ids: Sequence[UUID], window_id: UUID | None) -> list[UUID]:
    if not staff_ids and window_id is None:
        raise InvalidInput("name the people and/or the window", field="staff_ids")
    if len(set(staff_ids)) != len(staff_ids):
        raise InvalidInput("a person is named twice", field="staff_ids")
    return list(staff_ids)


class Praise(LedgerAggregate):
    """表扬 — written praise, a silk banner (锦旗), online or media praise."""

    class Received(LedgerAggregate.Created):
        """收到表扬/锦旗 — ``from_organisation``: an organisation's name, never a private person's."""

        kind: str
        staff_ids: list[UUID]
        window_id: UUID | None
        from_organisation: str
        note: str
        rule: str

        def apply(self, p: Any) -> None:
            p.kind = self.kind
            p.staff_ids = list(self.staff_ids)
            p.window_id = self.window_id

    if TYPE_CHECKING:
        kind: str
        staff_ids: list[UUID]
        window_id: UUID | None

    @classmethod
    def receive(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        kind: str,
        staff_ids: Sequence[UUID],
        window_id: UUID | None,
        from_organisation: str,
        note: str,
        rule: str,
    ) -> Self:
        """The center records praise it has seen (a banner hung, a letter filed): that is its verification."""
        ctx.actor.require(Role.HALL_MANAGER, action="recording praise", rule=rule)
        if kind not in PRAISE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(PRAISE_KINDS)}", field="kind")
        return cls._create_with(
            cls.Received,
            ctx,
            id=id,
            kind=kind,
            staff_ids=_recipients(staff_ids, window_id),
            window_id=window_id,
            from_organisation=from_organisation.strip(),
            note=note.strip(),
            rule=rule,
        )


class Commendation(LedgerAggregate):
    """表彰 — a commendation decided by the hall manager or the committee (ART11.2)."""

    class Awarded(LedgerAggregate.Created):
        """表彰决定 — ``basis``: the praise and ratings it rests on, if any."""

        kind: str
        title: str
        staff_ids: list[UUID]
        window_id: UUID | None
        reason: str
        decision_ref: str
        basis: list[UUID]
        rule: str

        def apply(self, c: Any) -> None:
            c.kind = self.kind
            c.staff_ids = list(self.staff_ids)
            c.window_id = self.window_id
            c.basis = [str(b) for b in self.basis]

    if TYPE_CHECKING:
        kind: str
        staff_ids: list[UUID]
        window_id: UUID | None
        basis: list[str]

    @classmethod
    def award(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        kind: str,
        title: str,
        staff_ids: Sequence[UUID],
        window_id: UUID | None,
        reason: str,
        decision_ref: str,
        basis: Sequence[UUID],
        rule: str,
    ) -> Self:
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, action="awarding a commendation", rule=rule)
        if kind not in COMMENDATION_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(COMMENDATION_KINDS)}", field="kind")
        if kind == "red_flag_window" and (window_id is None or staff_ids):
            raise InvalidInput("a red-flag window (红旗窗口) commends a window", field="window_id")
        if kind in ("service_star", "model_worker") and not staff_ids:
            raise InvalidInput("服务之星 and 服务标兵 commend people", field="staff_ids")
        if len(set(basis)) != len(basis):
            raise InvalidInput("an item is named twice in the basis", field="basis")
        return cls._create_with(
            cls.Awarded,
            ctx,
            id=id,
            kind=kind,
            title=require_text(title, "title", rule=rule),
            staff_ids=_recipients(staff_ids, window_id),
            window_id=window_id,
            reason=require_text(reason, "reason", rule=rule),
            decision_ref=require_text(decision_ref, "decision_ref", rule=rule),
            basis=list(basis),
            rule=rule,
        )
