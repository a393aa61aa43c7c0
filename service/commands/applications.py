"""Applications (办件): submission, acceptance, one-time notices, deadlines (ART2.2, ART2.3, ART7.2, ART7.6).

An application is the aggregate :class:`~domain.service_case.ServiceCase`: that class name,
its module and its events' names are fixed by the stored events (topics and the transparency
log's leaf ``type``), so they keep the older word "case", as do ``case_id`` and the command
methods' names (``suspend_case`` …) that callers and the HTTP contract use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from domain import ids
from domain.calendar import WorkingDayCalendar, deadline_flags, hall_date, national_calendar
from domain.envelope import Actor
from domain.errors import InvalidInput
from domain.organisation import Department, Window
from domain.ownership import require_own_record
from domain.service_case import MissingMaterial, ServiceCase
from domain.staff import StaffMember
from service.app_base import LedgerApplicationBase, Outcome


class WorkingCalendarMixin(LedgerApplicationBase):
    """The working-day calendar deadlines are counted on (shared by applications and disclosure).

    The packaged national calendar unless the hall installs its own with
    :meth:`use_calendar` (e.g. ``load_calendar(PACKAGE_DIR, hall_dir)``).
    """

    _working_calendar: WorkingDayCalendar | None = None

    @property
    def calendar(self) -> WorkingDayCalendar:
        return self._working_calendar or national_calendar()

    def use_calendar(self, calendar: WorkingDayCalendar) -> None:
        self._working_calendar = calendar

    def _rule_refs(self, on: datetime, *rule_ids: str) -> dict[str, str]:
        return {rule_id: str(self.rule_in_force(rule_id, on)[1]) for rule_id in rule_ids}


def _materials(raw: Sequence[MissingMaterial | Mapping[str, Any]]) -> list[MissingMaterial]:
    """Notice lines as given by a caller: MissingMaterial or plain mappings (HTTP bodies)."""
    lines = []
    for n, item in enumerate(raw):
        if isinstance(item, MissingMaterial):
            lines.append(item)
            continue
        unknown = set(item) - {"name", "format", "quantity", "issuer"}
        if unknown:
            raise InvalidInput(
                f"unknown field(s) {', '.join(sorted(unknown))} in a missing material", field=f"missing_materials[{n}]"
            )
        lines.append(
            MissingMaterial(
                name=str(item.get("name") or ""),
                format=item.get("format"),
                quantity=item.get("quantity"),
                issuer=item.get("issuer"),
            )
        )
    return lines


class ApplicationCommands(WorkingCalendarMixin):
    """Commands on applications (the aggregate ``ServiceCase``)."""

    def service_case(self, case_id: UUID, *, expected_version: int | None = None) -> ServiceCase:
        return self.load(ServiceCase, case_id, what="service case", field="case_id", expected_version=expected_version)

    def _own_case(self, actor: Actor, case_id: UUID, *, expected_version: int | None = None) -> ServiceCase:
        """The case, when ``actor`` may act on it: a staff actor only on a case it handles."""
        case = self.service_case(case_id, expected_version=expected_version)
        require_own_record(actor, [case.staff_id], record=f"application {case_id}", field="case_id")
        return case

    def _staff(self, actor: Actor, staff_id: UUID | None, case: ServiceCase, field: str = "staff_id") -> UUID:
        """The staff member named as acting (default: the handler); a staff actor names only itself."""
        if staff_id is None:
            return case.staff_id
        require_own_record(actor, [staff_id], record=f"the staff member in {field}", field=field)
        self.load(StaffMember, staff_id, what="staff member", field=field)
        return staff_id

    def submit_application(
        self,
        actor: Actor,
        *,
        matter_code: str,
        matter_name: str,
        mode: str,
        window_id: UUID,
        staff_id: UUID,
        applicant_ref: str,
        materials: Sequence[str] = (),
        partner_department_ids: Sequence[UUID] = (),
        reported_to: str | None = None,
        case_no: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """递交申请 at a window, handled by ``staff_id``, in a handling mode (ART7.6).

        A case the hall's platform numbers (``case_no``, 办件编号) gets a deterministic id, so
        recording it twice is refused.
        """
        ctx = self.context(actor, occurred_at)
        window = self.load(Window, window_id, what="window", field="window_id")
        window.check_open()
        require_own_record(actor, [staff_id], record="the staff member in staff_id", field="staff_id")
        self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        for partner in partner_department_ids:
            self.load(Department, partner, what="department", field="partner_department_ids")
        _, ref = self.rule_in_force("ART7.6", ctx.occurred_at)
        case_id = ids.derived_id("case", self.settings.hall_id, case_no.strip()) if case_no else uuid4()
        case = ServiceCase.submit(
            ctx,
            id=case_id,
            case_no=case_no,
            matter_code=matter_code,
            matter_name=matter_name,
            mode=mode,
            window_id=window_id,
            department_id=window.department_id,
            staff_id=staff_id,
            applicant_ref=applicant_ref,
            materials=list(materials),
            partner_department_ids=list(partner_department_ids),
            reported_to=reported_to,
            rule=str(ref),
        )
        return self.record(case, created=[case])

    def issue_one_time_notice(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        missing_materials: Sequence[MissingMaterial | Mapping[str, Any]],
        procedure: str,
        time_limit_working_days: int,
        fees: str,
        legal_basis: str,
        materials_list_id: str,
        issued_by: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """一次性告知 (ART2.2): every missing material and every mandatory field, in one notice."""
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.2", ctx.occurred_at)
        case.issue_one_time_notice(
            ctx,
            missing_materials=_materials(missing_materials),
            procedure=procedure,
            time_limit_working_days=time_limit_working_days,
            fees=fees,
            legal_basis=legal_basis,
            materials_list_id=materials_list_id,
            issued_by=self._staff(actor, issued_by, case, "issued_by"),
            rule=str(ref),
        )
        return self.record(case, extra={"notice_no": len(case.notices)})

    def resubmit_materials(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        materials: Sequence[str],
        received_by: UUID | None = None,
        note: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.2", ctx.occurred_at)
        case.resubmit_materials(
            ctx,
            materials=list(materials),
            received_by=self._staff(actor, received_by, case, "received_by"),
            note=note,
            rule=str(ref),
        )
        return self.record(case)

    def accept_application(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        committed_working_days: int | None = None,
        committed_deadline: date | None = None,
        receipt_no: str | None = None,
        accepted_by: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """受理 with a committed deadline: working days on the calendar, or a date (ART2.2, ART2.3)."""
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        case.accept(
            ctx,
            accepted_by=self._staff(actor, accepted_by, case, "accepted_by"),
            committed_working_days=committed_working_days,
            committed_deadline=committed_deadline,
            receipt_no=receipt_no,
            calendar=self.calendar,
            rules=self._rule_refs(ctx.occurred_at, "ART2.2", "ART2.3"),
        )
        return self.record(
            case,
            extra={
                "committed_deadline": case.committed_deadline,
                **deadline_flags(self.calendar, hall_date(ctx.occurred_at), case.committed_deadline),
            },
        )

    def complete_on_the_spot(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        result: str,
        result_ref: str | None = None,
        receipt_no: str | None = None,
        completed_by: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """当场办结 (ART7.2): accepted and completed together, without a deadline."""
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        case.complete_on_the_spot(
            ctx,
            completed_by=self._staff(actor, completed_by, case, "completed_by"),
            result=result,
            result_ref=result_ref,
            receipt_no=receipt_no,
            rules=self._rule_refs(ctx.occurred_at, "ART2.2", "ART7.2"),
        )
        return self.record(case)

    def suspend_case(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        reason: str,
        approved_by: str | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Approved by the authenticated leader recording it: ``approved_by``, kept for old
        clients, must then name that actor (:func:`domain.ownership.approving_leader`)."""
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.3", ctx.occurred_at)
        case.suspend(ctx, reason=reason, approved_by=approved_by, calendar=self.calendar, rule=str(ref))
        return self.record(case)

    def resume_case(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        note: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.3", ctx.occurred_at)
        case.resume(ctx, note=note, calendar=self.calendar, rule=str(ref))
        return self.record(
            case,
            extra={
                "committed_deadline": case.committed_deadline,
                **deadline_flags(self.calendar, hall_date(ctx.occurred_at), case.committed_deadline),
            },
        )

    def extend_case_deadline(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        extra_working_days: int,
        reason: str,
        approved_by: str | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Approved by the authenticated leader recording it: ``approved_by``, kept for old
        clients, must then name that actor (:func:`domain.ownership.approving_leader`)."""
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.3", ctx.occurred_at)
        case.extend_deadline(
            ctx,
            extra_working_days=extra_working_days,
            reason=reason,
            approved_by=approved_by,
            calendar=self.calendar,
            rule=str(ref),
        )
        return self.record(
            case,
            extra={
                "committed_deadline": case.committed_deadline,
                **deadline_flags(self.calendar, hall_date(ctx.occurred_at), case.committed_deadline),
            },
        )

    def complete_case(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        result: str,
        result_ref: str | None = None,
        completed_by: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """办结 of an accepted case; the event records the day and the deadline then in force."""
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.3", ctx.occurred_at)
        case.complete(
            ctx,
            completed_by=self._staff(actor, completed_by, case, "completed_by"),
            result=result,
            result_ref=result_ref,
            rule=str(ref),
        )
        return self.record(case)

    def reject_application(
        self,
        actor: Actor,
        *,
        case_id: UUID,
        reason: str,
        legal_basis: str,
        remedies: str = "",
        rejected_by: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        ctx = self.context(actor, occurred_at)
        case = self._own_case(actor, case_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART2.2", ctx.occurred_at)
        case.reject(
            ctx,
            reason=reason,
            legal_basis=legal_basis,
            remedies=remedies,
            rejected_by=self._staff(actor, rejected_by, case, "rejected_by"),
            rule=str(ref),
        )
        return self.record(case)
