"""Attendance and leave (ART6.5, ART7.5)."""

from __future__ import annotations

from service.app_base import LedgerApplicationBase


class AttendanceCommands(LedgerApplicationBase):
    pass
