"""Events are facts: the database itself refuses to change or remove a stored event."""

from __future__ import annotations

import contextlib
import sqlite3

import psycopg
import pytest
from psycopg import sql

from service.application import HallLedger, open_ledger
from service.settings import Settings
from service.stores import PG_EVENTS_TABLE, connect_postgres, sqlite_connect
from tests.conftest import FakeClock
from tests.givens import MANAGER, given_hall, positions


def _execute(settings: Settings, statement: str) -> None:
    if settings.uses_postgres:
        with connect_postgres(settings) as conn:
            conn.execute(sql.SQL(statement).format(table=sql.Identifier(settings.postgres_schema, PG_EVENTS_TABLE)))
    else:
        with contextlib.closing(sqlite_connect(settings)) as conn:
            conn.execute(statement.replace("{table}", "stored_events"))


def _refused(settings: Settings) -> type[Exception]:
    return psycopg.errors.IntegrityConstraintViolation if settings.uses_postgres else sqlite3.IntegrityError


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET topic = 'domain.staff:StaffMember.Left'",
        "UPDATE {table} SET state = state WHERE originator_version = 1",
        "DELETE FROM {table}",
        "DELETE FROM {table} WHERE originator_version = 1",
    ],
)
def test_update_and_delete_of_stored_events_are_refused(ledger: HallLedger, settings: Settings, statement: str) -> None:
    given_hall(ledger)
    before = positions(ledger)
    with pytest.raises(_refused(settings)) as refused:
        _execute(settings, statement)
    assert "stored events are immutable" in str(refused.value)
    assert positions(ledger) == before
    assert [n.id for n in ledger.recorder.select_notifications(1, 100)] == list(range(1, before + 1))


def test_truncate_is_refused_on_postgres(pg_settings: Settings, clock: FakeClock) -> None:
    ledger = open_ledger(pg_settings, clock=clock)
    given_hall(ledger)
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
        _execute(pg_settings, "TRUNCATE {table}")
    assert positions(ledger) > 0
    ledger.close()


def test_replace_of_a_stored_event_is_refused_on_sqlite(sqlite_settings: Settings, clock: FakeClock) -> None:
    ledger = open_ledger(sqlite_settings, clock=clock)
    given_hall(ledger)
    with pytest.raises(sqlite3.IntegrityError):
        _execute(
            sqlite_settings,
            "INSERT OR REPLACE INTO {table} SELECT originator_id, originator_version, topic, x'7b7d' "
            "FROM {table} WHERE originator_version = 1 LIMIT 1",
        )


def test_a_second_start_on_an_existing_database_works(ledger: HallLedger, settings: Settings, clock: FakeClock) -> None:
    given_hall(ledger)
    before = positions(ledger)
    again = open_ledger(settings, clock=clock)
    try:
        assert positions(again) == before
        again.register_department(MANAGER, code="housing", name_zh="住建局", name_en="Housing")
        assert positions(again) == before + 1
    finally:
        again.close()


def test_positions_are_gap_free_even_after_refused_inserts(ledger: HallLedger) -> None:
    """A refused insert (a duplicate creation, a concurrent change) spends no position."""
    from domain.errors import AlreadyExists

    given_hall(ledger)
    for _ in range(3):
        with pytest.raises(AlreadyExists):
            ledger.register_department(MANAGER, code="tax", name_zh="税务局", name_en="Taxation")
    ledger.register_department(MANAGER, code="housing", name_zh="住建局", name_en="Housing")
    ids = [n.id for n in ledger.recorder.select_notifications(1, 1000)]
    assert ids == list(range(1, len(ids) + 1))
