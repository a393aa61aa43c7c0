"""Applications / service cases: acceptance, one-time notices, deadlines (ART2.2, ART2.3, ART7.2, ART7.6)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class CaseCommands(LedgerApplicationBase):
    pass
