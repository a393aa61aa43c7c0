"""Hall, departments and windows."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain import ids
from domain.envelope import Actor
from domain.organisation import Department, Hall, Window
from service.app_base import LedgerApplicationBase, Outcome


class OrganisationCommands(LedgerApplicationBase):
    @property
    def hall_uuid(self) -> UUID:
        return ids.hall_id(self.settings.hall_id)

    def establish_hall(
        self, actor: Actor, *, name_zh: str, name_en: str, occurred_at: datetime | None = None
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        hall = Hall.establish(ctx, id=self.hall_uuid, code=self.settings.hall_id, name_zh=name_zh, name_en=name_en)
        return self.record(hall, created=[hall])

    def register_department(
        self,
        actor: Actor,
        *,
        code: str,
        name_zh: str,
        name_en: str,
        uniformed: bool = False,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        self.load(Hall, self.hall_uuid, what="hall (run `hall-ledger init` first)", field="hall_id")
        dept = Department.register(
            ctx,
            id=ids.department_id(self.settings.hall_id, code),
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            uniformed=uniformed,
        )
        return self.record(dept, created=[dept])

    def designate_leader_in_charge(
        self,
        actor: Actor,
        *,
        department_id: UUID,
        leader_name: str,
        leader_title: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        dept = self.load(
            Department, department_id, what="department", field="department_id",
            expected_version=expected_version,
        )  # fmt: skip
        _, ref = self.rule_in_force("ART8.4", ctx.occurred_at)
        dept.designate_leader_in_charge(ctx, leader_name=leader_name, leader_title=leader_title, rule=str(ref))
        return self.record(dept)

    def open_window(
        self,
        actor: Actor,
        *,
        code: str,
        name_zh: str,
        name_en: str,
        department_id: UUID,
        kind: str = "department",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        self.load(Department, department_id, what="department", field="department_id")
        window = Window.open(
            ctx,
            id=ids.window_id(self.settings.hall_id, code),
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            department_id=department_id,
            kind=kind,
        )
        return self.record(window, created=[window])

    def close_window(
        self,
        actor: Actor,
        *,
        window_id: UUID,
        reason: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        window = self.load(Window, window_id, what="window", field="window_id", expected_version=expected_version)
        window.close(ctx, reason=reason)
        return self.record(window)
