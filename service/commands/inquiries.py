"""First inquiries (ART2.1)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class InquiryCommands(LedgerApplicationBase):
    pass
