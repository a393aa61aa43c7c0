"""The hall, its departments (seconding agencies) and windows.

ART8.4: each department names one leader in charge of its hall work and seconded staff —
designating a new leader replaces the previous one, so there is never more than one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.roles import Role

WINDOW_KINDS = ("department", "comprehensive", "consultation", "complaints", "delivery")


class Hall(LedgerAggregate):
    """行政审批中心 — the service hall."""

    class Established(LedgerAggregate.Created):
        """中心设立"""

        code: str
        name_zh: str
        name_en: str

        def apply(self, hall: Any) -> None:
            hall.code = self.code
            hall.name_zh = self.name_zh
            hall.name_en = self.name_en

    if TYPE_CHECKING:
        code: str
        name_zh: str
        name_en: str

    @classmethod
    def establish(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        code: str,
        name_zh: str,
        name_en: str,
    ) -> Self:
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, action="establishing a hall")
        if code != ctx.hall_id:
            raise InvalidInput(
                f"hall code {code!r} differs from this deployment's hall {ctx.hall_id!r}",
                field="code",
            )
        return cls._create_with(
            cls.Established,
            ctx,
            id=id,
            code=require_text(code, "code"),
            name_zh=require_text(name_zh, "name_zh"),
            name_en=require_text(name_en, "name_en"),
        )


class Department(LedgerAggregate):
    """派驻部门 — a seconding agency (market regulation, taxation, …)."""

    class Registered(LedgerAggregate.Created):
        """派驻部门进驻"""

        code: str
        name_zh: str
        name_en: str
        #: ART3.1: seconded agencies whose staff wear uniform at the window
        uniformed: bool

        def apply(self, dept: Any) -> None:
            dept.code = self.code
            dept.name_zh = self.name_zh
            dept.name_en = self.name_en
            dept.uniformed = self.uniformed
            dept.leader_in_charge = None

    class LeaderInChargeDesignated(LedgerAggregate.Event):
        """确定分管领导 (ART8.4)"""

        leader_name: str
        leader_title: str
        replaces: str | None
        rule: str

        def apply(self, dept: Any) -> None:
            dept.leader_in_charge = self.leader_name

    if TYPE_CHECKING:
        code: str
        name_zh: str
        name_en: str
        uniformed: bool
        leader_in_charge: str | None

    @classmethod
    def register(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        code: str,
        name_zh: str,
        name_en: str,
        uniformed: bool,
    ) -> Self:
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, action="registering a department")
        return cls._create_with(
            cls.Registered,
            ctx,
            id=id,
            code=require_text(code, "code"),
            name_zh=require_text(name_zh, "name_zh"),
            name_en=require_text(name_en, "name_en"),
            uniformed=bool(uniformed),
        )

    def designate_leader_in_charge(
        self, ctx: CommandContext, *, leader_name: str, leader_title: str, rule: str
    ) -> None:
        """ART8.4: one leader in charge; a new designation replaces the previous one."""
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, action="recording a leader in charge", rule=rule)
        leader_name = require_text(leader_name, "leader_name", rule=rule)
        if leader_name == self.leader_in_charge:
            raise InvariantViolated(f"{leader_name} is already the leader in charge of {self.name_zh}", rule=rule)
        self._trigger(
            self.LeaderInChargeDesignated,
            ctx,
            leader_name=leader_name,
            leader_title=leader_title.strip(),
            replaces=self.leader_in_charge,
            rule=rule,
        )


class Window(LedgerAggregate):
    """办事窗口 — a service window, run by one department."""

    class Opened(LedgerAggregate.Created):
        """窗口设立"""

        code: str
        name_zh: str
        name_en: str
        department_id: UUID
        kind: str

        def apply(self, window: Any) -> None:
            window.code = self.code
            window.name_zh = self.name_zh
            window.name_en = self.name_en
            window.department_id = self.department_id
            window.kind = self.kind
            window.closed = False

    class Closed(LedgerAggregate.Event):
        """窗口撤销"""

        reason: str

        def apply(self, window: Any) -> None:
            window.closed = True

    if TYPE_CHECKING:
        code: str
        name_zh: str
        name_en: str
        department_id: UUID
        kind: str
        closed: bool

    @classmethod
    def open(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        code: str,
        name_zh: str,
        name_en: str,
        department_id: UUID,
        kind: str = "department",
    ) -> Self:
        ctx.actor.require(Role.HALL_MANAGER, action="opening a window")
        if kind not in WINDOW_KINDS:
            raise InvalidInput(f"window kind {kind!r} is not one of {', '.join(WINDOW_KINDS)}", field="kind")
        return cls._create_with(
            cls.Opened,
            ctx,
            id=id,
            code=require_text(code, "code"),
            name_zh=require_text(name_zh, "name_zh"),
            name_en=require_text(name_en, "name_en"),
            department_id=department_id,
            kind=kind,
        )

    def close(self, ctx: CommandContext, *, reason: str) -> None:
        ctx.actor.require(Role.HALL_MANAGER, action="closing a window")
        if self.closed:
            raise InvariantViolated(f"window {self.code} is already closed")
        self._trigger(self.Closed, ctx, reason=require_text(reason, "reason"))

    def check_open(self) -> None:
        if self.closed:
            raise InvariantViolated(f"window {self.code} is closed", field="window_id")
