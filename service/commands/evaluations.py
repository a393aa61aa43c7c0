"""Client ratings (好差评), praise and commendations."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class EvaluationCommands(LedgerApplicationBase):
    pass
