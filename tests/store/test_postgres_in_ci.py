"""An unreachable PostgreSQL: skipped on a laptop, a failure in CI.

The suite is run again in a real subprocess, on one store-touching test, with the test
database pointed at a port where nothing listens.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOBODY = "postgresql://postgres@127.0.0.1:1/hall_ledger_test"
ONE_TEST = "tests/store/test_immutability.py::test_a_second_start_on_an_existing_database_works"


def run_suite(tmp_path: Path, *, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["HALL_LEDGER_TEST_DATABASE_URL"] = NOBODY
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfs", "-p", "no:cacheprovider", ONE_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_with_ci_true_an_unreachable_postgres_fails_the_run(tmp_path: Path, ci: str) -> None:
    run = run_suite(tmp_path, ci=ci)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed" in run.stdout and "1 failed" in run.stdout, run.stdout  # SQLite passed, PostgreSQL failed
    assert "skipped" not in run.stdout
    assert "CI=true and PostgreSQL at " + NOBODY + " is unreachable" in run.stdout


def test_without_ci_an_unreachable_postgres_is_skipped_with_the_reason(tmp_path: Path) -> None:
    run = run_suite(tmp_path, ci=None)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout and "1 skipped" in run.stdout, run.stdout
    assert "PostgreSQL at " + NOBODY + " is unreachable" in run.stdout
