"""The ``hall-ledger`` command line. Each module registers its commands on :data:`app`."""

from __future__ import annotations

from service.cli import core  # noqa: F401  (registers init, demo, events)
from service.cli.main import app, main

__all__ = ["app", "main"]
