"""The tree read model on both stores: the stored tree is the RFC 9162 tree of the log's
leaves, proofs come from one read, checkpoints are issued by policy, exactly once, kept
through rebuilds (which re-verify against them) and cannot be changed in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from projections.base import Tx
from projections.runner import ProjectionRunner, ProjectionStore, rebuild
from projections.transparency.keys import SigningKey
from projections.transparency.leaf import GAP_FORMAT, gap_leaf_input, leaf_hash, leaf_input
from projections.transparency.merkle import (
    MemoryTree,
    ProofError,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_hash,
)
from projections.transparency.note import open_checkpoint
from projections.transparency.tree import (
    CHECKPOINTS_TABLE,
    NODES_TABLE,
    PER_BATCH,
    CheckpointMismatch,
    CheckpointPolicy,
    TreeHead,
    TreeModel,
    TxNodeReader,
    ensure_checkpoint_table,
    issue_checkpoint,
    node_id,
    node_key,
    read_head,
    stored_checkpoints,
)
from service.application import HallLedger, open_ledger
from service.eventlog import iter_events
from service.settings import Settings
from service.stores import connect_postgres
from tests.conftest import FakeClock
from tests.givens import INSPECTOR, at, given_confirmed_violation, given_hall, given_staff
from tests.transparency.building import ORIGIN, record_small_history

KEY = SigningKey.generate(ORIGIN)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 8, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def memory_tree(ledger: HallLedger) -> MemoryTree:
    """The tree of the log computed in memory, independently of the store (no gaps here)."""
    events = list(iter_events(ledger))
    assert [p for p, _ in events] == list(range(1, len(events) + 1))
    return MemoryTree.of(leaf_hash(leaf_input(e, p)) for p, e in events)


def nodes(store: ProjectionStore) -> list[tuple[int, bytes]]:
    with store.transaction() as tx:
        return sorted((int(i), bytes(h)) for i, h in tx.query(f"SELECT id, hash FROM {{t:{NODES_TABLE}}}"))


def checkpoints(store: ProjectionStore) -> list[Any]:
    with store.transaction() as tx:
        ensure_checkpoint_table(tx)
        return stored_checkpoints(tx)


def runner_for(ledger: HallLedger, model: TreeModel, batch_size: int = 2000) -> ProjectionRunner:
    runner = ProjectionRunner(ledger, [model], batch_size=batch_size)
    runner.prepare()
    return runner


def test_node_ids_keep_levels_apart_and_leaves_at_their_index() -> None:
    assert node_id(0, 41) == 41, "a leaf's id is its index: verification scans them as a range"
    assert node_key(node_id(3, 5)) == (3, 5)
    assert node_id(1, 0) > node_id(0, 2**56 - 1)
    assert node_key(node_id(56, 0)) == (56, 0) and node_id(56, 0) < 2**63
    with pytest.raises(ValueError):
        node_id(0, 2**56)


def test_the_stored_tree_is_the_rfc9162_tree_of_the_log(ledger: HallLedger) -> None:
    record_small_history(ledger)
    runner = runner_for(ledger, TreeModel(KEY, policy=PER_BATCH), batch_size=5)
    runner.catch_up()
    expected = memory_tree(ledger)
    assert nodes(runner.store) == sorted((node_id(level, i), h) for (level, i), h in expected.nodes.items())
    with runner.store.transaction() as tx:
        assert read_head(tx) == TreeHead(expected.size, expected.root, 0)
        reader = TxNodeReader(tx)
        for size in range(1, expected.size + 1):
            assert root_hash(reader, size) == root_hash(expected, size)
            for index in range(size):
                before = reader.reads
                assert inclusion_proof(reader, index, size) == inclusion_proof(expected, index, size)
                assert reader.reads <= before + 1, "one SELECT per proof (none for a one-leaf tree)"
            for first in range(1, size + 1):
                assert consistency_proof(reader, first, size) == consistency_proof(expected, first, size)
        # a proof reads O(log n) rows, never a scan
        assert len(inclusion_plan(3, expected.size).keys) <= 2 * expected.size.bit_length()
        assert len(consistency_plan(3, expected.size).keys) <= 2 * expected.size.bit_length()


def test_per_batch_policy_signs_each_batch_exactly_once(ledger: HallLedger) -> None:
    record_small_history(ledger)
    model = TreeModel(KEY, policy=PER_BATCH)
    runner = runner_for(ledger, model, batch_size=4)
    runner.catch_up()
    runner.catch_up()  # nothing new: nothing signed again
    expected = memory_tree(ledger)
    stored = checkpoints(runner.store)
    assert [c.size for c in stored] == [4, 8, 12]
    for checkpoint in stored:
        opened = open_checkpoint(checkpoint.note, KEY.verifier, origin=ORIGIN)
        assert (opened.size, opened.root) == (checkpoint.size, root_hash(expected, checkpoint.size))
        assert checkpoint.key_id == KEY.key_id.hex() and checkpoint.signed_at.endswith("Z")
    assert [c.size for c in model.issued] == [4, 8, 12]


def test_a_policy_signs_every_n_leaves_or_after_an_interval(ledger: HallLedger) -> None:
    clock = Clock()
    model = TreeModel(KEY, policy=CheckpointPolicy(every_leaves=5, every_seconds=300), clock=clock)
    runner = runner_for(ledger, model, batch_size=3)
    hall = given_hall(ledger)  # positions 1–7, read in batches ending at 3, 6, 7
    runner.catch_up()
    assert [c.size for c in checkpoints(runner.store)] == [3], "the first leaves are signed at once"
    staff = given_staff(ledger, hall)  # 8, 9
    runner.catch_up()
    assert [c.size for c in checkpoints(runner.store)] == [3, 9], "then once 5 more leaves are in"
    ledger.record_violation(INSPECTOR, rule="ART2.1", staff_id=staff, evidence="no greeting")
    runner.catch_up()
    assert [c.size for c in checkpoints(runner.store)] == [3, 9], "one leaf, no time later: not due"
    clock.now += timedelta(seconds=301)
    ledger.record_violation(INSPECTOR, rule="ART2.1", staff_id=staff, evidence="no greeting again")
    runner.catch_up()
    assert [c.size for c in checkpoints(runner.store)] == [3, 9, 11], "the interval passed"
    assert checkpoints(runner.store)[-1].signed_at == "2026-10-08T01:05:01.000000Z"


def test_a_restarted_model_carries_on_from_the_stored_frontier(ledger: HallLedger) -> None:
    record_small_history(ledger)
    runner_for(ledger, TreeModel(KEY, policy=PER_BATCH), batch_size=5).step()
    runner = runner_for(ledger, TreeModel(KEY, policy=PER_BATCH), batch_size=5)  # a new process
    runner.catch_up()
    assert nodes(runner.store) == sorted((node_id(level, i), h) for (level, i), h in memory_tree(ledger).nodes.items())


def test_fresh_keeps_the_configuration() -> None:
    clock = Clock()
    model = TreeModel(KEY, origin="hall-ledger.example/other", policy=CheckpointPolicy(7, 9), clock=clock)
    copy = model.fresh()
    assert (copy.key, copy.origin, copy.policy, copy.clock) == (KEY, "hall-ledger.example/other", model.policy, clock)
    assert copy is not model and copy.issued == []


def test_a_failed_batch_leaves_no_node_and_no_checkpoint(ledger: HallLedger) -> None:
    class Failing(TreeModel):
        def apply(self, tx: Tx, events: Any) -> None:
            super().apply(tx, events)
            raise RuntimeError("the disk is full")

    given_hall(ledger)
    runner = runner_for(ledger, Failing(KEY, policy=PER_BATCH))
    with pytest.raises(RuntimeError):
        runner.step()
    assert nodes(runner.store) == [] and checkpoints(runner.store) == []
    assert runner.store.tracked(TreeModel.name) == 0
    runner_for(ledger, TreeModel(KEY, policy=PER_BATCH)).catch_up()
    assert [c.size for c in checkpoints(runner.store)] == [7]


def test_checkpoints_cannot_be_changed_or_removed_in_the_database(ledger: HallLedger) -> None:
    given_hall(ledger)
    runner = runner_for(ledger, TreeModel(KEY, policy=PER_BATCH))
    runner.catch_up()
    statements = ["UPDATE {table} SET note = 'forged'", "DELETE FROM {table}"]
    if runner.store.dialect == "postgres":
        statements.append("TRUNCATE {table}")
    else:
        statements.append("INSERT OR REPLACE INTO {table} (size, root, note, key_id, signed_at) SELECT * FROM {table}")
    for statement in statements:
        with pytest.raises(Exception, match="signed checkpoints are immutable"), runner.store.transaction() as tx:
            tx.execute(statement.format(table=tx.plain(CHECKPOINTS_TABLE)))
    assert [c.size for c in checkpoints(runner.store)] == [7]


def test_a_rebuild_keeps_the_checkpoints_and_equals_the_incremental_tree(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    given_confirmed_violation(ledger, staff)
    model = TreeModel(KEY, policy=PER_BATCH)
    runner = runner_for(ledger, model, batch_size=5)
    runner.catch_up()
    before_nodes, before_checkpoints = nodes(runner.store), checkpoints(runner.store)
    report = rebuild(ledger, [model], batch_size=3)
    assert report.switched_by == "rebuild" and report.position == 11
    assert nodes(runner.store) == before_nodes
    assert checkpoints(runner.store) == before_checkpoints, "a rebuild neither drops nor re-signs checkpoints"
    given_confirmed_violation(ledger, staff, when=at(10, 2))
    runner = runner_for(ledger, model.fresh(), batch_size=5)
    runner.catch_up()
    assert nodes(runner.store) == sorted((node_id(level, i), h) for (level, i), h in memory_tree(ledger).nodes.items())
    assert [c.size for c in checkpoints(runner.store)] == [5, 10, 11, 13]


def test_a_rebuilt_tree_must_agree_with_the_signed_checkpoints(ledger: HallLedger) -> None:
    record_small_history(ledger)
    model = TreeModel(KEY, policy=PER_BATCH)
    runner = runner_for(ledger, model, batch_size=5)
    runner.catch_up()
    before = nodes(runner.store)
    # a checkpoint the tree of today's log does not reproduce (as if the log had been other when signed)
    with runner.store.transaction() as tx:
        tx.execute(
            f"INSERT INTO {tx.plain(CHECKPOINTS_TABLE)} (size, root, note, key_id, signed_at) VALUES (?, ?, ?, ?, ?)",
            (3, bytes(32), "forged", KEY.key_id.hex(), "2026-01-01T00:00:00.000000Z"),
        )
    with pytest.raises(CheckpointMismatch, match="the tree of 3 leaves has root"):
        rebuild(ledger, [model], batch_size=2)
    assert nodes(runner.store) == before, "the live tree stays; the shadow was never switched in"


def test_signing_refuses_a_tree_inconsistent_with_the_last_checkpoint(ledger: HallLedger) -> None:
    given_hall(ledger)
    runner = runner_for(ledger, TreeModel(KEY, policy=CheckpointPolicy(every_leaves=100)), batch_size=4)
    runner.catch_up()
    assert [c.size for c in checkpoints(runner.store)] == [4]
    with runner.store.transaction() as tx:
        tx.execute(f"UPDATE {{t:{NODES_TABLE}}} SET hash = ? WHERE id = ?", (bytes(32), node_id(0, 6)))
    with pytest.raises(ProofError), runner.store.transaction() as tx:
        issue_checkpoint(tx, KEY, ORIGIN, read_head(tx))
    stranger = SigningKey.generate(ORIGIN)
    with pytest.raises(ValueError, match="no signature by the trusted key"), runner.store.transaction() as tx:
        issue_checkpoint(tx, stranger, ORIGIN, read_head(tx))
    assert [c.size for c in checkpoints(runner.store)] == [4]


def test_a_skipped_position_becomes_a_gap_leaf(pg_settings: Settings, clock: FakeClock) -> None:
    """hall-ledger writes gap-free positions (service/stores.py), but a store restored or
    migrated from elsewhere may skip one: the tree still keeps leaf index = position − 1."""
    ledger = open_ledger(pg_settings, clock=clock)
    try:
        hall = given_hall(ledger)  # positions 1–7
        table = f'"{pg_settings.postgres_schema}".hallledger_events'
        with connect_postgres(pg_settings) as conn:
            conn.execute("SET session_replication_role = replica")  # an outside tool, triggers off
            conn.execute(
                f"INSERT INTO {table} (originator_id, originator_version, topic, state, notification_id) "
                f"SELECT gen_random_uuid(), 1, topic, state, 9 FROM {table} WHERE notification_id = 1"
            )  # position 9 is written, position 8 never will be
        given_staff(ledger, hall)
        positions = [p for p, _ in iter_events(ledger)]
        assert 8 not in positions and positions[-1] == 11, positions
        runner = runner_for(ledger, TreeModel(KEY, policy=PER_BATCH))
        runner.catch_up()
        events = dict(iter_events(ledger))
        leaves = [leaf_hash(leaf_input(events[p], p) if p in events else gap_leaf_input(p)) for p in range(1, 12)]
        expected = MemoryTree.of(leaves)
        with runner.store.transaction() as tx:
            assert read_head(tx) == TreeHead(11, expected.root, 1)
            assert inclusion_proof(TxNodeReader(tx), 8, 11) == inclusion_proof(expected, 8, 11)
        assert gap_leaf_input(8) == b'{"format":"' + GAP_FORMAT.encode() + b'","position":8}'
    finally:
        ledger.close()
