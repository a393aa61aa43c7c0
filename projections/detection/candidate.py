"""What every detection family returns: a candidate violation, identified by its cause.

A :class:`Candidate` names the rule and item, the subject (a person, or a department for
ART8.1), the valid time of the breach, the ledger positions of the events that revealed it
(causation) and bilingual evidence. Its id is derived from the rule, the item and the cause
(``derived_id("candidate", rule, item, *cause)``), so the same cause always yields the
same candidate: detection never fires twice, and a replay from position 0 finds the very
candidates already in the log (the store skips them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any
from uuid import UUID

from domain.envelope import SYSTEM_DETECTOR, CommandContext
from domain.ids import derived_id
from domain.rules import RuleCatalogue, catalogue_in_force
from domain.violation import Violation
from projections.detection.working_time import hall_day

#: the detector's valid times lie at or before the event that triggered them; a generous
#: skew keeps a back-dated trigger from ever stalling the follower
_SKEW = timedelta(days=3660)


@dataclass(frozen=True)
class Candidate:
    rule: str
    item: str | None
    #: the ids of the cause (an inquiry, a case and its deadline, a person and a day …)
    cause: tuple[str, ...]
    occurred_at: datetime
    causation: tuple[int, ...]
    #: the detection family (``inquiry``, ``attendance`` …)
    detector: str
    #: ``detection@<version>`` of the thresholds that judged it
    policy: str
    evidence_zh: str
    evidence_en: str
    staff_id: str | None = None
    department_id: str | None = None
    window_id: str | None = None

    @cached_property
    def id(self) -> UUID:
        return derived_id("candidate", self.rule, self.item or "", *self.cause)

    @property
    def evidence(self) -> str:
        return f"{self.evidence_zh}\n{self.evidence_en}"


def detector_context(occurred_at: datetime, trigger: Any) -> CommandContext:
    """The detector acts as the system, recording at the trigger's record time (no clock read)."""
    return CommandContext.make(
        actor=SYSTEM_DETECTOR,
        occurred_at=occurred_at,
        recorded_at=trigger.timestamp,
        hall_id=trigger.hall_id,
        max_skew=_SKEW,
    )


def _uuid(text: str | None) -> UUID | None:
    return UUID(text) if text else None


Catalogues = Callable[[date], RuleCatalogue]


def rule_ref(candidate: Candidate, catalogues: Catalogues = catalogue_in_force) -> str:
    """``ART6.5@2026.1``: the candidate's rule in the catalogue in force at the breach (its event's ``rule``)."""
    catalogue = catalogues(hall_day(candidate.occurred_at))
    return str(catalogue.ref(catalogue.get(candidate.rule).id))


def violation_events(candidate: Candidate, trigger: Any, catalogues: Catalogues = catalogue_in_force) -> list[Any]:
    """``Violation.Detected`` for ``candidate``, under the catalogue in force at the breach."""
    ctx = detector_context(candidate.occurred_at, trigger)
    catalogue = catalogues(hall_day(candidate.occurred_at))
    rule = catalogue.get(candidate.rule)
    violation = Violation.detect(
        ctx,
        id=candidate.id,
        rule=rule,
        ref=catalogue.ref(rule.id),
        item=candidate.item,
        staff_id=_uuid(candidate.staff_id),
        department_id=_uuid(candidate.department_id),
        window_id=_uuid(candidate.window_id),
        evidence=candidate.evidence,
        causation=list(candidate.causation),
        detector=candidate.detector,
        detection_policy=candidate.policy,
    )
    return list(violation.collect_events())


def utc_text(moment: datetime) -> str:
    """ISO-8601 UTC with microseconds (the read models' timestamp form)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
