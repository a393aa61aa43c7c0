"""Appeals (申诉/复核)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class AppealCommands(LedgerApplicationBase):
    pass
