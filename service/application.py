"""HallLedger: the eventsourcing application every interface (CLI, HTTP, simulator) uses."""

from __future__ import annotations

from service.app_base import Clock, LedgerApplicationBase, Outcome, system_clock
from service.commands.appeals import AppealCommands
from service.commands.applications import ApplicationCommands
from service.commands.assessment import AssessmentCommands
from service.commands.assets import AssetCommands
from service.commands.attendance import AttendanceCommands
from service.commands.consultations import ConsultationCommands
from service.commands.discipline import DisciplineCommands
from service.commands.disclosure import DisclosureCommands
from service.commands.duty import DutyCommands
from service.commands.evaluations import EvaluationCommands
from service.commands.hall_days import HallDayCommands
from service.commands.inquiries import InquiryCommands
from service.commands.inspections import InspectionCommands
from service.commands.organisation import OrganisationCommands
from service.commands.staff import StaffCommands
from service.settings import Settings
from service.stores import schema_lock

__all__ = ["HallLedger", "Outcome", "open_ledger", "system_clock"]


class HallLedger(
    HallDayCommands,
    AppealCommands,
    AssessmentCommands,
    InspectionCommands,
    EvaluationCommands,
    AssetCommands,
    DutyCommands,
    AttendanceCommands,
    ConsultationCommands,
    DisclosureCommands,
    ApplicationCommands,
    InquiryCommands,
    DisciplineCommands,
    StaffCommands,
    OrganisationCommands,
    LedgerApplicationBase,
):
    """All commands of the hall, one mixin per process; queries live in the projections."""


def open_ledger(
    settings: Settings | None = None, *, clock: Clock | None = None, create_schema: bool = True
) -> HallLedger:
    """Open the ledger on the configured store, creating its schema on first use."""
    settings = settings or Settings()
    if not create_schema:
        return HallLedger(settings, clock=clock, create_table=False)
    with schema_lock(settings):
        return HallLedger(settings, clock=clock, create_table=True)
