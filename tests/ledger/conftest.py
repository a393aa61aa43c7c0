"""Fixtures of the ledger tests."""

from __future__ import annotations

import pytest

from service.settings import Settings


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the CLI (which reads only the environment) at the test's store and key directory."""
    monkeypatch.chdir(settings.key_dir.parent)
    monkeypatch.setenv("HALL_LEDGER_KEY_DIR", str(settings.key_dir))
    if settings.uses_postgres:
        assert settings.database_url
        monkeypatch.setenv("HALL_LEDGER_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("HALL_LEDGER_POSTGRES_SCHEMA", settings.postgres_schema)
    else:
        monkeypatch.delenv("HALL_LEDGER_DATABASE_URL", raising=False)
        monkeypatch.setenv("HALL_LEDGER_SQLITE_PATH", str(settings.sqlite_path))
    return settings
