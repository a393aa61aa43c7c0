"""Tampering with the stored ledger, as a database superuser with the immutability triggers
out of the way (PostgreSQL: ``SET session_replication_role = replica``; SQLite: the
triggers dropped, the change made, the triggers recreated — in one transaction), on both
stores. For each change ``hall-ledger verify`` exits non-zero naming the position, and the
standalone ``scripts/verify_ledger.py online`` against a live server (a real uvicorn) —
holding a checkpoint it trusted before the change — refuses the ledger.

The history: 王芳 admonished for a first breach (positions 10–12), 李强's breach (13–16),
her repeat (17, 18) and her suspension (19); the tree signs a checkpoint at every event.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from projections.runner import PG_TRACKING_TABLE, ProjectionRunner
from projections.transparency.keys import SigningKey
from projections.transparency.leaf import leaf_hash, leaf_input
from projections.transparency.merkle import MemoryTree, root_hash
from projections.transparency.note import Checkpoint, sign_checkpoint
from projections.transparency.tree import PER_BATCH, node_id
from service import transparency
from service.api import create_app
from service.application import HallLedger
from service.cli import app as cli
from service.eventlog import iter_events
from service.keys import ensure_signing_key
from service.settings import Settings
from tests.api.conftest import LiveServer, api_settings, make_tokens
from tests.conftest import test_database_url as database_url
from tests.givens import INSPECTOR
from tests.transparency.building import Suspension, given_suspension
from tests.transparency.test_verify_script import run_verifier

cli_runner = CliRunner()


class Superuser:
    """Raw SQL on the ledger's database with every trigger out of the way."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres = settings.uses_postgres
        schema = settings.postgres_schema
        names = {
            "events": "hallledger_events" if self.postgres else "stored_events",
            "nodes": "ledger_tree_nodes",
            "head": "ledger_tree_head",
            "checkpoints": "ledger_checkpoints",
            "tracking": PG_TRACKING_TABLE if self.postgres else "tracking",
        }
        self.t = {k: (f'"{schema}"."{v}"' if self.postgres else v) for k, v in names.items()}
        self.id = "notification_id" if self.postgres else "rowid"
        self.conn: Any = None

    @contextlib.contextmanager
    def session(self) -> Iterator[Superuser]:
        if self.postgres:
            with psycopg.connect(database_url()) as pg:
                pg.execute("SET session_replication_role = replica")  # no trigger fires in this session
                self.conn = pg
                yield self
                pg.commit()
        else:
            conn = sqlite3.connect(self.settings.sqlite_path, isolation_level=None)
            try:
                triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
                assert len(triggers) >= 6, "the events' and the checkpoints' immutability triggers"
                conn.execute("BEGIN IMMEDIATE")
                for name, _ in triggers:
                    conn.execute(f'DROP TRIGGER "{name}"')
                self.conn = conn
                yield self
                for _, statement in triggers:
                    conn.execute(statement)
                conn.execute("COMMIT")
            finally:
                conn.close()
        self.conn = None

    def q(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        sql = sql.format(**self.t, id=self.id)
        if self.postgres:
            cursor = self.conn.execute(sql.replace("?", "%s"), params)
            return list(cursor.fetchall()) if cursor.description else []
        return list(self.conn.execute(sql, params).fetchall())

    # ── the events ──────────────────────────────────────────────────────────

    def event(self, position: int) -> tuple[Any, int, str, bytes]:
        row = self.q("SELECT originator_id, originator_version, topic, state FROM {events} WHERE {id} = ?", (position,))
        originator, version, topic, state = row[0]
        return originator, int(version), str(topic), bytes(state)

    def change_byte(self, position: int, old: bytes, new: bytes) -> None:
        """Change one byte of the event's stored state: the first ``old`` becomes ``new``."""
        _, _, _, state = self.event(position)
        assert len(old) == len(new) and sum(a != b for a, b in zip(old, new, strict=True)) == 1 and old in state
        changed = state.replace(old, new, 1)
        assert sum(a != b for a, b in zip(state, changed, strict=True)) == 1
        self.q("UPDATE {events} SET state = ? WHERE {id} = ?", (changed, position))

    def delete(self, position: int) -> None:
        self.q("DELETE FROM {events} WHERE {id} = ?", (position,))

    def shift(self, start: int, by: int) -> None:
        """Move positions ≥ start by ``by`` (in two steps: positions are unique)."""
        self.q("UPDATE {events} SET {id} = {id} + 1000000 WHERE {id} >= ?", (start,))
        self.q("UPDATE {events} SET {id} = {id} - 1000000 + ? WHERE {id} >= 1000000", (by,))

    def insert(self, position: int, like: int) -> None:
        """A fabricated event at ``position`` (a copy of ``like`` in a new stream); the rest move up."""
        _, version, topic, state = self.event(like)
        self.shift(position, 1)
        stream: Any = uuid.uuid4()
        if not self.postgres:
            stream = stream.hex
        self.q(
            "INSERT INTO {events} ({id}, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
            (position, stream, version, topic, state),
        )

    def swap(self, a: int, b: int) -> None:
        self.q("UPDATE {events} SET {id} = -1 WHERE {id} = ?", (a,))
        self.q("UPDATE {events} SET {id} = ? WHERE {id} = ?", (a, b))
        self.q("UPDATE {events} SET {id} = ? WHERE {id} = -1", (b,))

    # ── the tree and its checkpoints ────────────────────────────────────────

    def rewrite_tree(self, leaves: list[bytes]) -> MemoryTree:
        tree = MemoryTree.of(leaves)
        self.q("DELETE FROM {nodes}")
        for (level, index), digest in sorted(tree.nodes.items()):
            self.q("INSERT INTO {nodes} (id, hash) VALUES (?, ?)", (node_id(level, index), digest))
        self.q("UPDATE {head} SET size = ?, root = ?", (tree.size, tree.root))
        return tree

    def resign(self, tree: MemoryTree, key: SigningKey, *, from_size: int = 1) -> None:
        for (size,) in self.q("SELECT size FROM {checkpoints} WHERE size >= ?", (from_size,)):
            root = root_hash(tree, int(size))
            note = sign_checkpoint(Checkpoint(key.name, int(size), root), key)
            self.q(
                "UPDATE {checkpoints} SET root = ?, note = ?, key_id = ? WHERE size = ?",
                (root, note, key.key_id.hex(), int(size)),
            )

    def truncate(self, size: int) -> None:
        """Roll the whole ledger back to its first ``size`` positions, tree and checkpoints included."""
        self.q("DELETE FROM {events} WHERE {id} > ?", (size,))
        self.q("DELETE FROM {nodes} WHERE id >= ? AND id < ?", (size, 2**56))
        for level in range(1, 56):
            self.q(
                "DELETE FROM {nodes} WHERE id >= ? AND id < ?", (node_id(level, size >> level), node_id(level + 1, 0))
            )
        self.q("DELETE FROM {checkpoints} WHERE size > ?", (size,))
        tree = MemoryTree()
        rows = self.q("SELECT id, hash FROM {nodes} WHERE id < ? ORDER BY id", (size,))
        tree.append(bytes(h) for _, h in rows)
        self.q("UPDATE {head} SET size = ?, root = ?", (size, tree.root))
        self.q("UPDATE {tracking} SET notification_id = ? WHERE application_name = 'ledger_tree'", (size,))


@dataclass
class Built:
    ledger: HallLedger
    settings: Settings
    case: Suspension
    key: SigningKey
    live: LiveServer
    token: str
    place: Path

    def outside(self, *more: str) -> Any:
        """The standalone verifier against the live server, with its state file (and the entries)."""
        args = ["online", self.live.url, "--key", self.key.verifier_key, "--state", "trusted.checkpoint"]
        return run_verifier(*args, "--entries", "--token", self.token, *more, cwd=self.place)

    def leaves(self) -> list[bytes]:
        return [leaf_hash(leaf_input(event, position)) for position, event in iter_events(self.ledger)]


@pytest.fixture
def built(ledger: HallLedger, settings: Settings, tmp_path: Path) -> Iterator[Built]:
    """The suspension's history, its tree with a checkpoint per event, a live server, and the
    outside verifier's state file holding the checkpoint of size 19 — trusted before any change."""
    key, _ = ensure_signing_key(settings)
    case = given_suspension(ledger)
    tree = ProjectionRunner(ledger, [transparency.tree_model(settings, policy=PER_BATCH)], batch_size=1)
    tree.prepare()
    assert tree.catch_up() == 19
    app = create_app(api_settings(settings), ledger)
    token = make_tokens(app)["auditor"]
    place = tmp_path / "inspector"
    place.mkdir()
    with LiveServer(app) as live:
        done = Built(ledger, settings, case, key, live, token, place)
        clean = done.outside()
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "all 19 entries hash to the signed root" in clean.stdout
        yield done


def assert_named(built: Built, position: int, what: str, cli_env: Settings) -> None:
    report = transparency.verify(built.ledger)
    assert not report.ok, "the change went unnoticed"
    assert report.first is not None and report.first.position == position, report.disagreements
    assert what in report.first.detail, report.first
    result = cli_runner.invoke(cli, ["verify"], env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output
    assert f"FIRST DISAGREEMENT at position {position}" in result.output, result.output


def assert_refused_outside(built: Built, *expected: str) -> None:
    trusted = (built.place / "trusted.checkpoint").read_text(encoding="utf-8")
    done = built.outside()
    assert done.returncode == 1, done.stdout + done.stderr
    for text in expected:
        assert text in done.stdout, done.stdout
    assert (built.place / "trusted.checkpoint").read_text(encoding="utf-8") == trusted


# --------------------------------------------------------------------------- the tests


def test_a_clean_ledger_verifies_inside_and_out(built: Built, env: Settings) -> None:
    report = transparency.verify(built.ledger)
    assert report.ok and (report.tree_size, report.checkpoints, report.checkpoints_verified) == (19, 19, 19)
    result = cli_runner.invoke(cli, ["verify"], env={"COLUMNS": "300"})
    assert result.exit_code == 0 and "the ledger verifies" in result.output, result.output
    again = built.outside()
    assert again.returncode == 0 and "unchanged since the trusted checkpoint (size 19)" in again.stdout


def test_one_changed_byte_of_one_event(built: Built, env: Settings) -> None:
    with Superuser(built.settings).session() as db:
        db.change_byte(11, b"insp-wu", b"insp-wv")  # who confirmed the first breach
    assert_named(built, 11, "is not the event the tree committed", env)
    assert_refused_outside(
        built, "the entries do not hash to the signed root", "index 10 (position 11): the entries endpoint serves"
    )


def test_one_deleted_event(built: Built, env: Settings) -> None:
    with Superuser(built.settings).session() as db:
        db.delete(12)  # the admonishment: as if 王芳 had never been warned
    assert_named(built, 12, "no event is stored at position 12, but the tree committed an event there", env)
    assert_refused_outside(built, "the entries do not hash to the signed root", "index 11 (position 12)")


def test_one_inserted_event(built: Built, env: Settings) -> None:
    with Superuser(built.settings).session() as db:
        db.insert(13, like=10)  # a fabricated breach slipped in before 李强's onboarding
    assert_named(built, 13, "is not the event the tree committed", env)
    assert_refused_outside(built, "the entries do not hash to the signed root", "index 12 (position 13)")


def test_two_swapped_events(built: Built, env: Settings) -> None:
    with Superuser(built.settings).session() as db:
        db.swap(11, 12)  # the warning before the confirmation of what it warns about
    report = transparency.verify(built.ledger)
    assert sorted(d.position for d in report.disagreements if d.what == "leaf") == [11, 12]
    assert_named(built, 11, "is not the event the tree committed", env)
    assert_refused_outside(built, "the entries do not hash to the signed root", "index 10 (position 11)")


def test_a_rewritten_tree_resigned_with_another_key(built: Built, env: Settings) -> None:
    """The tree's leaf for position 10 replaced, every node above it recomputed, and the
    checkpoints whose roots that changed (sizes 10 and up) re-signed with a key that is not
    the hall's: the events still tell."""
    forger = SigningKey.generate(built.settings.ledger_origin)
    leaves = built.leaves()
    leaves[9] = leaf_hash(b'{"format":"hall-ledger-leaf/1","position":10}')
    with Superuser(built.settings).session() as db:
        tree = db.rewrite_tree(leaves)
        db.resign(tree, forger, from_size=10)
    report = transparency.verify(built.ledger)
    assert report.checkpoints_verified == 9
    assert {d.what for d in report.disagreements} == {"leaf", "checkpoint"}
    assert_named(built, 10, "is not the event the tree committed", env)
    assert_refused_outside(built, "the checkpoint carries no signature by the trusted key")
    # and the hall's key signs nothing on top of a forged checkpoint
    built.ledger.record_violation(INSPECTOR, rule="ART2.1", staff_id=built.case.staff, evidence="at the counter")
    refused = cli_runner.invoke(cli, ["checkpoint"], env={"COLUMNS": "300"})
    assert refused.exit_code == 1 and "refusing to sign" in refused.output, refused.output


def test_a_changed_event_with_its_tree_rebuilt_and_resigned_with_another_key(
    built: Built,
    env: Settings,
) -> None:
    """The suspension itself altered, the tree recomputed from the altered log so that leaves
    and nodes agree, and the checkpoints covering it re-signed with the forger's key: only the
    signatures are left to tell — from the first checkpoint that covers position 19."""
    forger = SigningKey.generate(built.settings.ledger_origin)
    with Superuser(built.settings).session() as db:
        db.change_byte(19, b"2026-11-08", b"2026-11-09")  # suspended a day longer
    leaves = built.leaves()
    with Superuser(built.settings).session() as db:
        tree = db.rewrite_tree(leaves)
        db.resign(tree, forger, from_size=19)
    report = transparency.verify(built.ledger)
    assert {d.what for d in report.disagreements} == {"checkpoint"}, report.disagreements
    assert report.checkpoints_verified == 18
    assert_named(built, 19, "no signature by the trusted key", env)
    assert_refused_outside(built, "the checkpoint carries no signature by the trusted key")


def test_a_rolled_back_tail_needs_a_trusted_checkpoint(built: Built, env: Settings) -> None:
    """Events, tree, checkpoints and tracking rolled back together to size 16: what remains is
    consistent and signed, so the database alone cannot tell — a checkpoint trusted outside can."""
    with Superuser(built.settings).session() as db:
        db.truncate(16)
    report = transparency.verify(built.ledger)
    assert report.ok and report.tree_size == 16, report.disagreements
    assert_refused_outside(built, "the log shrank from the trusted size 19 to 16")


def test_a_receipt_is_refused_for_an_altered_event(built: Built) -> None:
    with Superuser(built.settings).session() as db:
        db.change_byte(17, b"observed", b"observee")
    with pytest.raises(transparency.ReceiptUnavailable, match="position 17: the stored event does not match"):
        transparency.receipt_for_sanction(built.ledger, built.case.staff, built.case.decision)
    assert re.search(r"position 17", str(transparency.verify(built.ledger).first))
    url = f"{built.live.url}/api/v1/staff/{built.case.staff}/sanctions/{built.case.decision}/receipt"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {built.token}"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30)
    assert answer.value.code == 409
    body = json.loads(answer.value.read())
    assert body["code"] == "ledger-disagrees" and "position 17" in body["detail"]
