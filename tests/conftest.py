"""Fixtures shared by the suite.

Every store-touching test runs on SQLite *and* PostgreSQL (the ``store`` parameter).
PostgreSQL comes from ``HALL_LEDGER_TEST_DATABASE_URL`` (default: the local server, database
``hall_ledger_test``, created if missing); each test gets its own schema, dropped afterwards.
Without a reachable server the PostgreSQL half is skipped on a laptop, but with ``CI=true``
an unreachable PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from domain.envelope import CHINA_STANDARD_TIME
from service.application import HallLedger, open_ledger
from service.settings import Settings

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/hall_ledger_test"


def test_database_url() -> str:
    return os.environ.get("HALL_LEDGER_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


_pg_status: str | None = None


def _ensure_test_database() -> str | None:
    """Create the test database if needed; return None when ready, else the reason."""
    global _pg_status
    if _pg_status is not None:
        return _pg_status or None
    url = test_database_url()
    parts = psycopg.conninfo.conninfo_to_dict(url)
    dbname = parts.get("dbname") or "postgres"
    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
        _pg_status = ""
    except psycopg.OperationalError as first:
        try:
            admin = dict(parts, dbname="postgres")
            with psycopg.connect(**admin, connect_timeout=5, autocommit=True) as conn:  # type: ignore[arg-type]
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            _pg_status = ""
        except psycopg.Error as e:
            _pg_status = f"PostgreSQL at {url} is unreachable: {first}; {e}"
    return _pg_status or None


def require_postgres() -> None:
    reason = _ensure_test_database()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


class FakeClock:
    """The recording clock of the application under test: it moves only when told."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> datetime:
        self.now = when
        return self.now


def make_sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(sqlite_path=tmp_path / "ledger.db", key_dir=tmp_path / "keys")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield schema
    drop_schema(schema)


def drop_schema(schema: str) -> None:
    with psycopg.connect(test_database_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if store == "sqlite":
        return make_sqlite_settings(tmp_path)
    return make_postgres_settings(request.getfixturevalue("pg_schema"), tmp_path)


@pytest.fixture
def settings_for(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], Settings]:
    """Another empty store of this test's kind for each name (tests that compare two logs)."""

    def make(name: str) -> Settings:
        folder = tmp_path / name
        folder.mkdir()
        if store == "sqlite":
            return make_sqlite_settings(folder)
        require_postgres()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        request.addfinalizer(lambda: drop_schema(schema))
        return make_postgres_settings(schema, folder)

    return make


def make_postgres_settings(schema: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=test_database_url(),
        postgres_schema=schema,
        key_dir=tmp_path / "keys",
        postgres_pool_size=2,
        postgres_max_overflow=8,
    )


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """For the few tests about SQLite alone (its own statements)."""
    return make_sqlite_settings(tmp_path)


@pytest.fixture
def pg_settings(pg_schema: str, tmp_path: Path) -> Settings:
    """For the few tests about PostgreSQL alone (its own statements)."""
    return make_postgres_settings(pg_schema, tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 10, 8, 9, 0, tzinfo=CHINA_STANDARD_TIME))


@pytest.fixture
def ledger(settings: Settings, clock: FakeClock) -> Iterator[HallLedger]:
    app = open_ledger(settings, clock=clock)
    yield app
    app.close()


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the CLI (which reads only the environment) at the test's store and key directory."""
    monkeypatch.chdir(settings.key_dir.parent)
    monkeypatch.setenv("HALL_LEDGER_KEY_DIR", str(settings.key_dir))
    if settings.uses_postgres:
        assert settings.database_url
        monkeypatch.setenv("HALL_LEDGER_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("HALL_LEDGER_POSTGRES_SCHEMA", settings.postgres_schema)
        monkeypatch.delenv("HALL_LEDGER_SQLITE_PATH", raising=False)
    else:
        monkeypatch.delenv("HALL_LEDGER_DATABASE_URL", raising=False)
        monkeypatch.setenv("HALL_LEDGER_SQLITE_PATH", str(settings.sqlite_path))
    return settings
