"""Consultation desk and reception records (ART2.5)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class ConsultationCommands(LedgerApplicationBase):
    pass
