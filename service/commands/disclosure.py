"""Information disclosure (ART2.4)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class DisclosureCommands(LedgerApplicationBase):
    pass
