"""``hall-ledger token create|list|revoke`` and ``hall-ledger serve`` on both stores."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from domain import ids
from service.api.tables import TOKENS_TABLE, transaction
from service.api.tokens import TokenStore, token_hash
from service.application import open_ledger
from service.cli import app
from service.settings import Settings
from tests.givens import given_hall, given_staff

runner = CliRunner()


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the CLI (which reads only the environment) at the test's store."""
    monkeypatch.chdir(settings.key_dir.parent)
    values = {"HALL_LEDGER_KEY_DIR": str(settings.key_dir)}
    if settings.uses_postgres:
        assert settings.database_url
        values |= {
            "HALL_LEDGER_DATABASE_URL": settings.database_url,
            "HALL_LEDGER_POSTGRES_SCHEMA": settings.postgres_schema,
        }
        monkeypatch.delenv("HALL_LEDGER_SQLITE_PATH", raising=False)
    else:
        monkeypatch.delenv("HALL_LEDGER_DATABASE_URL", raising=False)
        values["HALL_LEDGER_SQLITE_PATH"] = str(settings.sqlite_path)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def test_tokens_are_created_once_stored_as_hashes_and_revoked(env: dict[str, str], settings: Settings) -> None:
    ledger = open_ledger(settings)
    given_staff(ledger, given_hall(ledger))  # a token is bound only to a person on the ledger (S001)
    made = runner.invoke(app, ["token", "create", "--role", "staff", "--name", "wang-fang", "--staff-id", "S001"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("hlt_")
    try:
        store = TokenStore(ledger)
        principal = store.authenticate(token)
        assert principal is not None and principal.staff_id == ids.staff_id("beihai", "S001")
        with transaction(ledger, commit=False) as tx:
            rows = tx.query(f"SELECT token_hash FROM {tx.plain(TOKENS_TABLE)}")
        assert rows == [(token_hash(token),)], "only the hash is stored"
        again = runner.invoke(app, ["token", "create", "--role", "inspector", "--name", "wang-fang"])
        assert again.exit_code == 1 and "revoke it first" in again.output
        no_staff = runner.invoke(app, ["token", "create", "--role", "staff", "--name", "li-na"])
        assert no_staff.exit_code == 1 and "staff_id" in no_staff.output
        bad_role = runner.invoke(app, ["token", "create", "--role", "system", "--name", "robot"])
        assert bad_role.exit_code == 1 and "role must be one of" in bad_role.output
        listed = runner.invoke(app, ["token", "list"])
        assert listed.exit_code == 0 and "wang-fang" in listed.output and token not in listed.output
        revoked = runner.invoke(app, ["token", "revoke", "--name", "wang-fang"])
        assert revoked.exit_code == 0, revoked.output
        assert store.authenticate(token) is None
        assert runner.invoke(app, ["token", "revoke", "--name", "wang-fang"]).exit_code == 1
    finally:
        ledger.close()


def test_serve_answers_on_the_configured_store(env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    made = runner.invoke(app, ["token", "create", "--role", "auditor", "--name", "audit-ext"])
    token = made.stdout.strip().splitlines()[-1]
    process = subprocess.Popen(
        [sys.executable, "-c", "from service.cli import main; main()", "serve", "--port", str(port)],
        env=os.environ | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60  # a safety net for a server that never comes up
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.1)
        assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
        feed = httpx.get(f"{url}/api/v1/events", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert feed.status_code == 200 and feed.json()["events"] == []
        assert httpx.get(f"{url}/docs", timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_keeps_the_read_models_up_to_date_and_stops_cleanly(env: dict[str, str], settings: Settings) -> None:
    """`hall-ledger serve` runs the read models and the ledger tree beside the HTTP service; a
    write is readable through them (after_position); SIGTERM stops everything cleanly."""
    from projections.runner import ProjectionStore
    from service.keys import ensure_signing_key
    from tests.givens import given_hall, given_staff

    ensure_signing_key(settings)  # as `hall-ledger init` leaves a deployment: the tree runs too
    ledger = open_ledger(settings)
    try:
        staff = given_staff(ledger, given_hall(ledger))
        head = ledger.recorder.max_notification_id()
    finally:
        ledger.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    made = runner.invoke(app, ["token", "create", "--role", "hall_manager", "--name", "mgr-zhang"])
    token = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
    runner.invoke(app, ["token", "create", "--role", "inspector", "--name", "insp-li"])
    process = subprocess.Popen(
        [sys.executable, "-c", "from service.cli import main; main()", "serve", "--port", str(port)],
        env=os.environ | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a safety net for a server or runner that never comes up
        while True:
            try:
                ready = httpx.get(f"{url}/readyz", timeout=5)
                if ready.status_code == 200 and not any(ready.json()["projections"].values()):
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "the read models did not catch up"
            time.sleep(0.1)
        listed = httpx.get(f"{url}/api/v1/staff", headers=token, timeout=5).json()
        assert [r["staff_no"] for r in listed["items"]] == ["S001"] and listed["position"] >= (head or 0)
        # a write, read back through the runner's models
        recorded = httpx.post(
            f"{url}/api/v1/violations",
            json={"rule": "ART4.1", "staff_id": str(staff), "evidence": "desk untidy"},
            headers=token,
            timeout=10,
        ).json()
        fresh = httpx.get(
            f"{url}/api/v1/staff/{staff}",
            params={"after_position": recorded["positions"][-1]},
            headers=token,
            timeout=30,
        )
        assert fresh.status_code == 200 and fresh.json()["record"]["violations"]["pending"] == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 0, output
    assert "stopped" in output and "Traceback" not in output, output
    assert "hall-ledger-project" in output and "hall-ledger-tree" in output
    check = open_ledger(settings)
    try:
        store = ProjectionStore(check)
        assert store.tracked("ledger_tree") == store.head(), "the tree followed the log too"
    finally:
        check.close()
