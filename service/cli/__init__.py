"""The ``hall-ledger`` command line. Each module registers its commands on :data:`app` when
imported: the imports below are the registration, in the order ``--help`` lists them."""

from __future__ import annotations

from service.cli.main import app, main

# isort: off
from service.cli import core  # init, demo, events
from service.cli import projections  # project, rebuild
from service.cli import http  # serve, token create|revoke|list
from service.cli import assessment  # ranking, rescore, alerts
from service.cli import transparency  # verify, receipt, checkpoint, key
# isort: on

#: the command modules, in registration order
COMMAND_MODULES = (core, projections, http, assessment, transparency)

__all__ = ["COMMAND_MODULES", "app", "main"]
