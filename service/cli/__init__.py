"""The ``hall-ledger`` command line. Each module registers its commands on :data:`app`."""

from __future__ import annotations

from importlib import import_module

from service.cli.main import app, main

#: command modules (each registers its commands on ``app`` when imported)
COMMAND_MODULES = (
    "core",  # init, demo, events
    "projections",  # project, rebuild
    "http",  # serve, token create|revoke|list
    "assessment",  # ranking, rescore
    "ledger",  # verify, receipt, checkpoint, key
)

for _module in COMMAND_MODULES:
    import_module(f"service.cli.{_module}")

__all__ = ["app", "main"]
