"""A receipt for a suspension (待岗), taken from the hall with `hall-ledger receipt`, checked
by the suspended person on a machine with no database: the standalone script in a process
that cannot import the project, after the hall's database is gone."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from service.application import open_ledger
from service.cli import app as cli
from service.keys import ensure_signing_key
from service.settings import Settings
from tests.conftest import test_database_url as database_url
from tests.transparency.building import given_suspension
from tests.transparency.test_verify_script import run_verifier

runner = CliRunner()


def test_a_suspension_receipt_verifies_offline_without_the_project_or_a_database(
    env: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, _ = ensure_signing_key(env)
    ledger = open_ledger(env)
    try:
        case = given_suspension(ledger)
    finally:
        ledger.close()
    made = runner.invoke(cli, ["receipt", "--sanction", str(case.decision), "--staff", "S001", "-o", "receipt.json"])
    assert made.exit_code == 0, made.output
    published_key = runner.invoke(cli, ["key"]).stdout.strip()  # the hall's notice board
    assert published_key == key.verifier_key

    # the appellant's machine: the receipt and the script, no project, no database
    home = tmp_path / "appellant"
    home.mkdir()
    shutil.copy(env.key_dir.parent / "receipt.json", home / "receipt.json")
    if env.uses_postgres:
        with psycopg.connect(database_url(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(env.postgres_schema)))
    else:
        env.sqlite_path.unlink()
    for name in [k for k in os.environ if k.startswith(("HALL_LEDGER_", "PG"))]:
        monkeypatch.delenv(name)  # nothing in the verifier's environment points at a database

    done = run_verifier("receipt", "receipt.json", "--key", published_key, cwd=home)
    assert done.returncode == 0, done.stdout + done.stderr
    for position in case.positions:
        assert f"ok    position {position}: leaf {position - 1} of {env.ledger_origin} at tree size 19" in done.stdout
    assert f"all {len(case.positions)} entries verify" in done.stdout

    # what the appellant reads is what was proven: the suspension, as decided
    receipt = json.loads((home / "receipt.json").read_text(encoding="utf-8"))
    decision = receipt["entries"][-1]["event"]
    assert decision["type"] == "StaffMember.SuspensionDecided"
    assert decision["data"]["until"] == "2026-11-08" and decision["rule"].startswith("ART2.1.3@")

    # one day more of suspension written into the receipt: refused, naming the position
    decision["data"]["until"] = "2026-11-09"
    (home / "receipt.json").write_text(json.dumps(receipt, ensure_ascii=False, indent=2), encoding="utf-8")
    done = run_verifier("receipt", "receipt.json", "--key", published_key, cwd=home)
    assert done.returncode == 1
    assert "FAIL  position 19: the event does not re-encode (RFC 8785) to leaf_input" in done.stdout
