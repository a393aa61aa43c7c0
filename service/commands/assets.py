"""Fixed assets and office equipment (ART10, ART5)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class AssetCommands(LedgerApplicationBase):
    pass
