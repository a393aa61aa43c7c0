"""Inspection rounds (ART1, ART3, ART4, ART5, ART6)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class InspectionCommands(LedgerApplicationBase):
    pass
