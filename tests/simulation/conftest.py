"""A ledger recording on the simulator's clock, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from domain.envelope import CHINA_STANDARD_TIME
from service.application import HallLedger, open_ledger
from service.settings import Settings
from service.simulation import SimClock


def sim_clock() -> SimClock:
    return SimClock(datetime(2024, 1, 1, tzinfo=CHINA_STANDARD_TIME))


@pytest.fixture
def sim_ledger(settings: Settings) -> Iterator[HallLedger]:
    app = open_ledger(settings, clock=sim_clock())
    yield app
    app.close()
