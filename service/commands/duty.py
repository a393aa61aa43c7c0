"""Duty roster and security (ART9)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class DutyCommands(LedgerApplicationBase):
    pass
