"""Publishing monthly assessments (ART11)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class AssessmentCommands(LedgerApplicationBase):
    pass
