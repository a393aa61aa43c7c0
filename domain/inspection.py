"""Inspection rounds (日检查/周巡查/暗访) and the window environment the center keeps (ART4.2).

Article 11 has hall management inspect windows and staff; what an inspector finds is a
breach of Articles 1 and 3–7 (conduct, appearance, environment, equipment, discipline,
duties) — or of any conduct rule of the catalogue.

- :class:`InspectionRound` — one inspector's round over a declared set of windows,
  covert (暗访) or not. Each finding IS a violation: the command creates it with
  :meth:`domain.violation.Violation.record` (same rules, items, evidence, the same
  confirm/dismiss/revoke life) and the round records that it found it. A window of the
  round with nothing wrong gets a clean pass (检查无问题). A finding or clean pass for a
  window not on the round is refused, and a round completes only when every window it
  covered has an outcome. Completing saves the round and all its new violations in one
  transaction: a round is never half on the ledger.
- :class:`CleaningRequest` — ART4.2: cleaning of the work area is coordinated by the center
  with property management (物业); a request raised and resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.roles import Role
from domain.violation import Violation

ROUND_KINDS = ("daily", "weekly", "special")
INSPECTING_ROLES = (Role.INSPECTOR, Role.HALL_MANAGER)


class InspectionRound(LedgerAggregate):
    """巡查 — an inspector's round over windows, with its findings and clean passes."""

    class Started(LedgerAggregate.Created):
        """巡查开始 — occurred_at is when the round began; ``windows`` are the windows it covers."""

        windows: list[UUID]
        covert: bool
        kind: str
        rule: str

        def apply(self, r: Any) -> None:
            r.windows = [str(w) for w in self.windows]
            r.covert = self.covert
            r.kind = self.kind
            r.started_at = self.occurred_at
            r.latest = self.occurred_at
            r.findings = {}
            r.clean = {}
            r.completed = False

    class FindingRecorded(LedgerAggregate.Event):
        """发现问题 — the violation recorded for it (same transaction); occurred_at is when it was observed."""

        violation_id: UUID
        window_id: UUID
        staff_id: UUID | None
        department_id: UUID | None
        rule: str
        item: str | None

        def apply(self, r: Any) -> None:
            r.findings.setdefault(str(self.window_id), []).append(str(self.violation_id))
            r.latest = max(r.latest, self.occurred_at)

    class CleanPassRecorded(LedgerAggregate.Event):
        """检查无问题 — the window was inspected and nothing was wrong."""

        window_id: UUID
        note: str

        def apply(self, r: Any) -> None:
            r.clean[str(self.window_id)] = self.note
            r.latest = max(r.latest, self.occurred_at)

    class Completed(LedgerAggregate.Event):
        """巡查结束 — every window of the round has findings or a clean pass."""

        findings: list[UUID]
        clean_windows: list[UUID]
        rule: str

        def apply(self, r: Any) -> None:
            r.completed = True

    if TYPE_CHECKING:
        windows: list[str]
        covert: bool
        kind: str
        started_at: datetime
        latest: datetime
        findings: dict[str, list[str]]
        clean: dict[str, str]
        completed: bool

    @classmethod
    def start(
        cls, ctx: CommandContext, *, id: UUID, windows: Sequence[UUID], covert: bool, kind: str, rule: str
    ) -> Self:
        ctx.actor.require(*INSPECTING_ROLES, action="conducting an inspection round", rule=rule)
        if kind not in ROUND_KINDS:
            raise InvalidInput(f"round kind must be one of {', '.join(ROUND_KINDS)}", field="kind")
        if not windows:
            raise InvalidInput("a round covers at least one window", field="windows")
        if len(set(windows)) != len(windows):
            raise InvalidInput("a window is listed twice", field="windows")
        return cls._create_with(
            cls.Started, ctx, id=id, windows=list(windows), covert=bool(covert), kind=kind, rule=rule
        )

    def check_covers(self, window_id: UUID, *, field: str) -> None:
        """A finding or clean pass names a window of the round."""
        if str(window_id) not in self.windows:
            raise InvariantViolated(
                f"window {window_id} is not on this round; a round records only the windows it covered",
                field=field,
            )

    def _check_observation(self, ctx: CommandContext, where: str) -> None:
        if self.completed:
            raise InvariantViolated("this round is completed", field="round_id")
        if ctx.occurred_at < self.started_at:
            raise InvalidInput(
                f"observed at {ctx.occurred_at.isoformat()}, before the round began ({self.started_at.isoformat()})",
                field=f"{where}.observed_at",
            )

    def record_finding(self, ctx: CommandContext, *, violation: Violation, where: str) -> None:
        """The round found ``violation`` (created, unsaved, by the same command) at one of its windows.

        ``where`` names the finding within the command (``findings[2]``) in refusals.
        """
        ctx.actor.require(*INSPECTING_ROLES, action="recording a finding", rule=violation.rule_id)
        field = f"{where}.window_id"
        if violation.window_id is None:
            raise InvalidInput("a finding names the window it was made at", field=field)
        self.check_covers(violation.window_id, field=field)
        self._check_observation(ctx, where)
        if str(violation.window_id) in self.clean:
            raise InvariantViolated(f"window {violation.window_id} already had a clean pass on this round", field=field)
        self._trigger(
            self.FindingRecorded,
            ctx,
            violation_id=violation.id,
            window_id=violation.window_id,
            staff_id=violation.staff_id,
            department_id=violation.department_id,
            rule=violation.rule,
            item=violation.item,
        )

    def record_clean_pass(self, ctx: CommandContext, *, window_id: UUID, note: str, where: str) -> None:
        ctx.actor.require(*INSPECTING_ROLES, action="recording a clean pass")
        field = f"{where}.window_id"
        self.check_covers(window_id, field=field)
        self._check_observation(ctx, where)
        if str(window_id) in self.findings:
            raise InvariantViolated(f"window {window_id} has findings on this round; it cannot pass clean", field=field)
        if str(window_id) in self.clean:
            raise InvariantViolated(f"window {window_id} already had a clean pass on this round", field=field)
        self._trigger(self.CleanPassRecorded, ctx, window_id=window_id, note=note.strip())

    def complete(self, ctx: CommandContext, *, rule: str) -> None:
        ctx.actor.require(*INSPECTING_ROLES, action="completing an inspection round", rule=rule)
        if self.completed:
            raise InvariantViolated("this round is already completed", field="round_id")
        if ctx.occurred_at < self.latest:
            raise InvalidInput("a round completes after its last observation", field="occurred_at")
        unaccounted = [w for w in self.windows if w not in self.findings and w not in self.clean]
        if unaccounted:
            raise InvariantViolated(
                f"every window of the round needs findings or a clean pass; none for {', '.join(unaccounted)}",
                field="windows",
            )
        self._trigger(
            self.Completed,
            ctx,
            findings=[UUID(v) for w in self.windows for v in self.findings.get(w, [])],
            clean_windows=[UUID(w) for w in self.windows if w in self.clean],
            rule=rule,
        )


class CleaningRequest(LedgerAggregate):
    """保洁协调 (ART4.2) — the center asks property management to clean an area."""

    class Raised(LedgerAggregate.Created):
        """保洁需求 — raised by the center to property management."""

        window_id: UUID | None
        area: str
        description: str
        contractor: str
        rule: str

        def apply(self, c: Any) -> None:
            c.window_id = self.window_id
            c.raised_at = self.occurred_at
            c.resolved = False

    class Resolved(LedgerAggregate.Event):
        """保洁完成 — the area is clean again."""

        note: str
        rule: str

        def apply(self, c: Any) -> None:
            c.resolved = True

    if TYPE_CHECKING:
        window_id: UUID | None
        raised_at: datetime
        resolved: bool

    @classmethod
    def raise_request(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        window_id: UUID | None,
        area: str,
        description: str,
        contractor: str,
        rule: str,
    ) -> Self:
        ctx.actor.require(Role.HALL_MANAGER, action="raising a cleaning request with property management", rule=rule)
        if window_id is None and not area.strip():
            raise InvalidInput("name the window or describe the area", field="area", rule=rule)
        return cls._create_with(
            cls.Raised,
            ctx,
            id=id,
            window_id=window_id,
            area=area.strip(),
            description=require_text(description, "description", rule=rule),
            contractor=require_text(contractor, "contractor", rule=rule),
            rule=rule,
        )

    def resolve(self, ctx: CommandContext, *, note: str, rule: str) -> None:
        ctx.actor.require(Role.HALL_MANAGER, Role.WINDOW_LEAD, action="recording a cleaning done", rule=rule)
        if self.resolved:
            raise InvariantViolated("this cleaning request was already resolved", field="request_id", rule=rule)
        if ctx.occurred_at < self.raised_at:
            raise InvalidInput("resolved before it was raised", field="occurred_at", rule=rule)
        self._trigger(self.Resolved, ctx, note=require_text(note, "note", rule=rule), rule=rule)
