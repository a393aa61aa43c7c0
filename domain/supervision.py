"""Electronic supervision of committed deadlines (电子监察, ART2.3 and ART7.2).

Real halls' e-supervision systems signal a case's committed deadline in three colours
(DOMAIN.md; DOMAIN-RESEARCH S20–S23): a **yellow light** (黄灯预警) when the deadline is
near — at most N working days left —, a **yellow card** (黄牌) when the case is overdue, a
**red card** (红牌) when it is still open M working days after the yellow card. The signals
are not violations: they are the system's warnings to the window and to the hall's
supervisors (and count among a window's assessment items). Whether anyone breached ART2.3
or ART7.2 is a separate candidate violation a person confirms or dismisses — many alerts
turn out to be data-entry errors (S23).

One stream per case, id derived from the case id. The detector that follows the log is
its only writer: it knows the stream's next version from its own tables, so it builds each
signal at that version (:meth:`CaseSupervision.signal`) and the store refuses a second
writer at the same version — which is also how a replayed detector skips signals already
recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.envelope import CommandContext, LedgerAggregate
from domain.errors import InvalidInput, InvariantViolated
from domain.ids import derived_id
from domain.policies.detection import DetectionPolicy
from domain.roles import Role

#: the states of a case's committed deadline on a hall day (电子监察), mildest first
GREEN, YELLOW_LIGHT, YELLOW_CARD, RED_CARD = "green", "yellow_light", "yellow_card", "red_card"
#: the catalogue item of a lateness (ART2.3 finished late, ART7.2 still open past the limit)
OVERDUE_ITEM = "overdue"
OVERDUE_RULES = ("ART7.2", "ART2.3")

#: working days in ``(a, b]`` as the hall calendar counts them (negative when b < a)
Between = Callable[[date, date], int]


def supervision_id(case_id: UUID) -> UUID:
    """The supervision stream of a case: derived from the case, so there is one per case."""
    return derived_id("case-supervision", str(case_id))


def deadline_state(
    day: date, deadline: date, policy: DetectionPolicy, between: Between, *, yellow_card_day: date | None = None
) -> str:
    """The e-supervision state of a case open (clock running) on hall day ``day`` — the one
    rule the detector signals by and the KPIs colour by (ART2.3, ART7.2; DOMAIN.md):

    - :data:`YELLOW_LIGHT` 黄灯: at most ``yellow_light_working_days`` working days left;
    - :data:`YELLOW_CARD` 黄牌: ``day`` is after the deadline;
    - :data:`RED_CARD` 红牌: ``red_card_working_days`` or more working days after the yellow
      card's day (``yellow_card_day``: the day a yellow card was signalled; None: none yet,
      so ``day`` is the yellow card's day);
    - :data:`GREEN` otherwise.
    """
    if day > deadline:
        if yellow_card_day is not None and between(yellow_card_day, day) >= policy.red_card_working_days:
            return RED_CARD
        return YELLOW_CARD
    if between(day, deadline) <= policy.yellow_light_working_days:
        return YELLOW_LIGHT
    return GREEN


def overdue_candidate_id(rule: str, case_id: str, deadline: date) -> UUID:
    """The id of the ``overdue`` candidate of ``rule`` (ART7.2 or ART2.3) on a case and its
    deadline: the detector's cause is (case, deadline), so this is the id it records the
    candidate under (``projections.detection.candidate.Candidate.id``) and the one the
    assessment links back to the case to count the working days late."""
    return derived_id("candidate", rule, OVERDUE_ITEM, case_id, deadline.isoformat())


def overdue_points(working_days_late: int, per_working_day: Decimal, cap: Decimal) -> Decimal:
    """What one lateness costs (DOMAIN.md, DOMAIN-RESEARCH §4 ART2-6): ``per_working_day`` for
    each working day late (at least one: a lateness is never free), at most ``cap``."""
    days = max(1, working_days_late)
    return min(cap, per_working_day * days)


class CaseSupervision(LedgerAggregate):
    """电子监察 — the e-supervision signals about one case's committed deadline."""

    class Started(LedgerAggregate.Created):
        """电子监察立项 — the system starts signalling on the case (recorded with its first signal)."""

        case_id: UUID
        staff_id: UUID
        window_id: UUID
        department_id: UUID
        policy: str

        def apply(self, s: Any) -> None:
            s.case_id = self.case_id
            s.staff_id = self.staff_id
            s.window_id = self.window_id
            s.department_id = self.department_id
            s.lights = []
            s.yellow_card = None
            s.red_card = None

    class YellowLight(LedgerAggregate.Event):
        """黄灯预警 — the case is open at the close of ``day`` with ``working_days_left`` to its deadline."""

        case_id: UUID
        deadline: date
        day: date
        working_days_left: int
        causation: list[int]
        rule: str
        policy: str

        def apply(self, s: Any) -> None:
            s.lights.append({"deadline": self.deadline, "day": self.day})

    class YellowCard(LedgerAggregate.Event):
        """黄牌 — overdue: the case is still open at the close of ``day``, after its deadline."""

        case_id: UUID
        deadline: date
        day: date
        working_days_overdue: int
        causation: list[int]
        rule: str
        policy: str

        def apply(self, s: Any) -> None:
            s.yellow_card = {"deadline": self.deadline, "day": self.day}

    class RedCard(LedgerAggregate.Event):
        """红牌 — still open ``working_days_since_yellow_card`` working days after the yellow card."""

        case_id: UUID
        deadline: date
        day: date
        working_days_overdue: int
        yellow_card_day: date
        working_days_since_yellow_card: int
        causation: list[int]
        rule: str
        policy: str

        def apply(self, s: Any) -> None:
            s.red_card = {"deadline": self.deadline, "day": self.day}

    if TYPE_CHECKING:
        case_id: UUID
        staff_id: UUID
        window_id: UUID
        department_id: UUID
        lights: list[dict[str, Any]]
        yellow_card: dict[str, Any] | None
        red_card: dict[str, Any] | None

    @classmethod
    def signal(
        cls, event_class: type[LedgerAggregate.Event], ctx: CommandContext, *, id: UUID, version: int, **fields: Any
    ) -> LedgerAggregate.Event:
        """The signal ``event_class`` of stream ``id`` at ``version`` (the detector, its only writer,
        keeps the version). ``Started`` is version 1; every other signal comes after it."""
        ctx.actor.require(Role.SYSTEM, action="recording an e-supervision signal")
        if event_class not in (cls.Started, cls.YellowLight, cls.YellowCard, cls.RedCard):
            raise InvalidInput(f"{event_class.__qualname__} is not an e-supervision signal", field="event_class")
        if (event_class is cls.Started) != (version == 1):
            raise InvariantViolated("an e-supervision stream starts with Started at version 1", field="version")
        if id != supervision_id(fields["case_id"]):
            raise InvalidInput("the supervision stream of a case is derived from the case id", field="id")
        if event_class is cls.Started:
            fields["originator_topic"] = get_topic(cls)
        event: LedgerAggregate.Event = event_class(
            originator_id=id, originator_version=version, **ctx.envelope(), **fields
        )
        return event
