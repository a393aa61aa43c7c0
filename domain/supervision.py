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

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.envelope import CommandContext, LedgerAggregate
from domain.errors import InvalidInput, InvariantViolated
from domain.ids import derived_id
from domain.roles import Role


def supervision_id(case_id: UUID) -> UUID:
    """The supervision stream of a case: derived from the case, so there is one per case."""
    return derived_id("case-supervision", str(case_id))


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
