"""The command line: init, demo and events on both stores."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from service.application import open_ledger
from service.cli import app
from service.settings import Settings

runner = CliRunner()


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the CLI (which reads only the environment) at the test's store."""
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


def test_init_creates_schema_key_and_hall_and_is_repeatable(env: Settings) -> None:
    first = runner.invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    assert "established" in first.output and env.signing_key_path.exists()
    verifier = next(line.split()[-1] for line in first.output.splitlines() if line.startswith("verifier"))
    second = runner.invoke(app, ["init"])
    assert second.exit_code == 0, second.output
    assert "already established" in second.output and verifier in second.output, "the key is kept"


def test_demo_records_a_hall_and_summarises_it_in_both_languages(env: Settings) -> None:
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("北海行政审批中心", "Beihai", "人员 People", "违规按条款 Violations by article", "待岗 Suspension", "赵磊"):
        assert text in result.output
    ledger = open_ledger(env)
    try:
        count = ledger.recorder.max_notification_id()
    finally:
        ledger.close()
    assert count and count > 50
    again = runner.invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert again.exit_code == 0 and "already present" in again.output
    ledger = open_ledger(env)
    try:
        assert ledger.recorder.max_notification_id() == count, "a second demo writes nothing"
    finally:
        ledger.close()


def test_events_filters_by_type_and_prints_envelopes(env: Settings) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    result = runner.invoke(app, ["events", "--type", "SuspensionDecided", "--json", "--limit", "0"])
    assert result.exit_code == 0, result.output
    envelopes = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(envelopes) == 2
    assert {e["type"] for e in envelopes} == {"StaffMember.SuspensionDecided"}
    assert all(e["rule"] == "ART2.1.3@2026.1" and e["actor"]["role"] for e in envelopes)
    table = runner.invoke(app, ["events", "--tail", "--limit", "5"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "StaffMember.Reinstated" in table.output


def test_a_bad_setting_is_a_clear_error(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALL_LEDGER_DATABASE_URL", "mysql://root@localhost/db")
    result = runner.invoke(app, ["events"])
    assert result.exit_code == 2
    assert "HALL_LEDGER_DATABASE_URL" in result.output
