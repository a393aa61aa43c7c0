"""Every read model the ledger maintains, in one place (runners, rebuild, docs, HTTP)."""

from __future__ import annotations

from projections.assessment import AssessmentModel
from projections.base import ReadModel
from projections.detection import Detector
from projections.escalation import EscalationModel
from projections.kpis import KpisModel
from projections.staff_records import StaffRecordsModel
from projections.subject_index import SubjectIndexModel


def all_models() -> list[ReadModel]:
    """Fresh instances of every read model, in the order they are documented."""
    return [SubjectIndexModel(), StaffRecordsModel(), EscalationModel(), AssessmentModel(), KpisModel(), Detector()]


def select(names: list[str] | None) -> list[ReadModel]:
    models = all_models()
    if not names:
        return models
    by_name = {m.name: m for m in models}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise KeyError(f"unknown read model(s): {', '.join(unknown)}; known: {', '.join(by_name) or 'none'}")
    return [by_name[n] for n in names]
