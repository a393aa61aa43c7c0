"""The Merkle tree of the log as a read model, and the signed checkpoints it issues.

**The tree** (``TreeModel``, read model ``ledger_tree``) follows every event. Position *p*
becomes leaf index *p − 1* with leaf hash ``SHA-256(0x00 || leaf input)``
(:mod:`projections.transparency.leaf`); a position that never held an event (PostgreSQL skips a
sequence number when an insert rolls back) becomes a gap leaf, so the index stays
*p − 1*. Every perfect subtree is stored once, when it completes, in
``ledger_tree_nodes (id, hash)`` with ``id = level · 2**56 + index`` (level 0 holds the leaf
hashes, so a leaf's id is its index); the compact range of the tree (at most log₂ n nodes)
is all the appender reloads after a restart, and any proof is one ``SELECT … WHERE id IN``
of O(log n) rows. ``ledger_tree_head`` holds the size and root. Both tables are a view:
``hall-ledger rebuild`` recomputes them from the log.

**Checkpoints** are history, not a view. Each one — C2SP ``tlog-checkpoint`` signed with
the hall's Ed25519 key — is written to ``ledger_checkpoints`` in the same transaction as
the nodes and the tracking position (exactly once). That table is not one of the model's
tables, so a rebuild never drops it, and it is append-only in the database itself:
triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), like the events table's.
Whenever the tree — live or rebuilt — grows past the size of a stored checkpoint, its root
at that size must be the signed one, or the batch fails (:class:`CheckpointMismatch`): a
tree rebuilt from altered events cannot be switched in.

**When** a checkpoint is issued (:class:`CheckpointPolicy`): at the end of a batch, when
the tree has grown since the last checkpoint and either ``every_leaves`` leaves were added
or ``every_seconds`` have passed (the first leaves are always signed); and whenever asked
(:func:`issue_checkpoint`, ``hall-ledger checkpoint``). Before signing, the new tree is
proven consistent with the last stored checkpoint, whose signature must verify: the log
never signs two inconsistent checkpoints. A rebuild (shadow tables) never signs.

The signing key is injected (projections never read files); ``service.transparency`` wires it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from projections.base import ReadModel, Table, Tx
from projections.transparency.keys import SigningKey, VerifierKey
from projections.transparency.leaf import gap_leaf_input, leaf_hash, leaf_input
from projections.transparency.merkle import (
    EMPTY_ROOT,
    Frontier,
    Node,
    NodeKey,
    append_leaves,
    consistency_proof,
    verify_consistency,
)
from projections.transparency.note import Checkpoint, open_checkpoint, sign_checkpoint

NODES_TABLE = "ledger_tree_nodes"
HEAD_TABLE = "ledger_tree_head"
CHECKPOINTS_TABLE = "ledger_checkpoints"

#: node id = level · 2**LEVEL_SHIFT + index: trees of up to 2**56 leaves, ids below 2**63
LEVEL_SHIFT = 56
MAX_LEAVES = 1 << LEVEL_SHIFT
#: ids per ``IN (…)`` list (SQLite's historical limit is 999 parameters)
READ_CHUNK = 900
#: PostgreSQL transaction-level advisory lock serialising the creation of the checkpoint table
_CHECKPOINT_DDL_LOCK = 0x4A11_7C01

IMMUTABLE_MESSAGE = "signed checkpoints are immutable (hall-ledger): a checkpoint is never changed or removed"

NODES = Table(NODES_TABLE, "id {int} PRIMARY KEY, hash {bytes} NOT NULL")
HEAD = Table(HEAD_TABLE, "id {int} PRIMARY KEY, size {int} NOT NULL, root {bytes} NOT NULL, gaps {int} NOT NULL")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def node_id(level: int, index: int) -> int:
    """The stored id of the perfect subtree ``(level, index)``."""
    if not 0 <= level <= LEVEL_SHIFT or not 0 <= index < MAX_LEAVES >> level:
        raise ValueError(f"node ({level}, {index}) is outside a tree of 2**{LEVEL_SHIFT} leaves")
    return (level << LEVEL_SHIFT) | index


def node_key(stored_id: int) -> NodeKey:
    return stored_id >> LEVEL_SHIFT, stored_id & (MAX_LEAVES - 1)


class TreeError(RuntimeError):
    """The stored tree cannot take this batch (it is not the log's next part)."""


class CheckpointMismatch(TreeError):
    """The tree's root at a checkpointed size is not the root the hall signed."""

    def __init__(self, size: int, signed: bytes, computed: bytes, signed_at: str) -> None:
        self.size = size
        self.signed = signed
        self.computed = computed
        super().__init__(
            f"the tree of {size} leaves has root {computed.hex()}, but the checkpoint signed at {signed_at} "
            f"says {signed.hex()}: the log differs from what was signed — run `hall-ledger verify` to find where"
        )


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class CheckpointPolicy:
    """When the tree signs a checkpoint at the end of a batch (it also signs when asked)."""

    #: sign once this many leaves were added since the last checkpoint
    every_leaves: int = 1000
    #: … or once this long has passed since the last checkpoint (and the tree grew)
    every_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.every_leaves < 1 or self.every_seconds < 0:
            raise ValueError("a checkpoint policy needs every_leaves ≥ 1 and every_seconds ≥ 0")

    def due(self, grown: int, since_last: timedelta | None) -> bool:
        if grown <= 0:
            return False
        if since_last is None:  # no checkpoint yet: sign the first leaves at once
            return True
        return grown >= self.every_leaves or since_last.total_seconds() >= self.every_seconds


PER_BATCH = CheckpointPolicy(every_leaves=1, every_seconds=0.0)


# --------------------------------------------------------------------------- stored rows


@dataclass(frozen=True)
class TreeHead:
    size: int
    root: bytes
    #: positions that never held an event (gap leaves)
    gaps: int = 0


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    #: the signed note, verbatim
    note: str
    #: hex key id of the signature the hall added when it issued the note
    key_id: str
    signed_at: str


def read_head(tx: Tx) -> TreeHead:
    rows = tx.query(f"SELECT size, root, gaps FROM {{t:{HEAD_TABLE}}} WHERE id = 1")
    if not rows:
        return TreeHead(0, EMPTY_ROOT, 0)
    size, root, gaps = rows[0]
    return TreeHead(int(size), bytes(root), int(gaps))


def write_head(tx: Tx, head: TreeHead) -> None:
    tx.execute(
        f"INSERT INTO {{t:{HEAD_TABLE}}} (id, size, root, gaps) VALUES (1, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root, gaps = excluded.gaps",
        (head.size, head.root, head.gaps),
    )


def _checkpoint(row: Sequence[Any]) -> StoredCheckpoint:
    size, root, note, key_id, signed_at = row
    return StoredCheckpoint(int(size), bytes(root), str(note), str(key_id), str(signed_at))


_CHECKPOINT_COLUMNS = "size, root, note, key_id, signed_at"


def stored_checkpoints(tx: Tx, *, after: int = -1, upto: int | None = None) -> list[StoredCheckpoint]:
    """Stored checkpoints with ``after < size ≤ upto``, smallest first."""
    table = tx.plain(CHECKPOINTS_TABLE)
    if upto is None:
        rows = tx.query(f"SELECT {_CHECKPOINT_COLUMNS} FROM {table} WHERE size > ? ORDER BY size", (after,))
    else:
        rows = tx.query(
            f"SELECT {_CHECKPOINT_COLUMNS} FROM {table} WHERE size > ? AND size <= ? ORDER BY size", (after, upto)
        )
    return [_checkpoint(r) for r in rows]


def latest_checkpoint(tx: Tx, *, covering: int = 0) -> StoredCheckpoint | None:
    """The checkpoint of the largest tree (None when none covers ``covering`` leaves)."""
    rows = tx.query(f"SELECT {_CHECKPOINT_COLUMNS} FROM {tx.plain(CHECKPOINTS_TABLE)} ORDER BY size DESC LIMIT 1")
    if not rows:
        return None
    found = _checkpoint(rows[0])
    return found if found.size >= covering else None


# --------------------------------------------------------------------------- the checkpoint table


def checkpoint_table_statements(tx: Tx) -> list[str]:
    """DDL of the append-only checkpoint table and its immutability triggers."""
    table = tx.plain(CHECKPOINTS_TABLE)
    if tx.dialect == "postgres":
        function = tx.plain(f"{CHECKPOINTS_TABLE}_refuse_change")
        return [
            f"CREATE TABLE IF NOT EXISTS {table} (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, "
            "note TEXT NOT NULL, key_id TEXT NOT NULL, signed_at TEXT NOT NULL)",
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{IMMUTABLE_MESSAGE}: % refused on %.%', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME "
            "USING ERRCODE = 'integrity_constraint_violation'; END $$",
            f'CREATE OR REPLACE TRIGGER "{CHECKPOINTS_TABLE}_refuse_change" BEFORE UPDATE OR DELETE ON {table} '
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f'CREATE OR REPLACE TRIGGER "{CHECKPOINTS_TABLE}_refuse_truncate" BEFORE TRUNCATE ON {table} '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return [
        f"CREATE TABLE IF NOT EXISTS {table} (size INTEGER PRIMARY KEY, root BLOB NOT NULL, "
        "note TEXT NOT NULL, key_id TEXT NOT NULL, signed_at TEXT NOT NULL)",
        f"CREATE TRIGGER IF NOT EXISTS {CHECKPOINTS_TABLE}_refuse_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {CHECKPOINTS_TABLE}_refuse_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}: DELETE refused'); END",
        # INSERT OR REPLACE would delete the old row without firing the DELETE trigger
        f"CREATE TRIGGER IF NOT EXISTS {CHECKPOINTS_TABLE}_refuse_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE size = NEW.size) "
        f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}: a checkpoint of this size exists'); END",
    ]


def checkpoint_table_exists(tx: Tx) -> bool:
    if tx.dialect == "postgres":
        rows = tx.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            (tx.schema, CHECKPOINTS_TABLE),
        )
    else:
        rows = tx.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (CHECKPOINTS_TABLE,))
    return bool(rows)


def ensure_checkpoint_table(tx: Tx) -> None:
    """Create the checkpoint table and its triggers if missing (idempotent, safe concurrently)."""
    if checkpoint_table_exists(tx):
        return
    if tx.dialect == "postgres":
        tx.execute("SELECT pg_advisory_xact_lock(?)", (_CHECKPOINT_DDL_LOCK,))
    for statement in checkpoint_table_statements(tx):
        tx.cursor.execute(statement)  # no parameters: PL/pgSQL's own '%' placeholders stay as they are


def issue_checkpoint(
    tx: Tx, key: SigningKey, origin: str, head: TreeHead, *, now: datetime | None = None
) -> StoredCheckpoint | None:
    """Sign ``head`` and store it, unless a checkpoint of that size or larger exists.

    The tree must extend the last stored checkpoint (its signature by ``key`` verified, a
    consistency proof from the stored nodes checked): the log never signs two checkpoints
    that are not consistent. Returns the new checkpoint, or None when there was nothing new.
    """
    last = latest_checkpoint(tx)
    if last is not None and last.size >= head.size:
        return None
    if last is not None:
        open_checkpoint(last.note, key.verifier, origin=origin)
        if last.size > 0:
            proof = consistency_proof(TxNodeReader(tx), last.size, head.size)
            verify_consistency(last.size, head.size, last.root, head.root, proof)
    note = sign_checkpoint(Checkpoint(origin, head.size, head.root), key)
    signed_at = utc_text(now or utc_now())
    table = tx.plain(CHECKPOINTS_TABLE)
    values = (head.size, head.root, note, key.key_id.hex(), signed_at)
    if tx.dialect == "postgres":
        tx.execute(
            f"INSERT INTO {table} ({_CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (size) DO NOTHING", values
        )
    else:
        tx.execute(
            f"INSERT INTO {table} ({_CHECKPOINT_COLUMNS}) SELECT ?, ?, ?, ?, ? "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE size = ?)",
            (*values, head.size),
        )
    return StoredCheckpoint(head.size, head.root, note, key.key_id.hex(), signed_at)


# --------------------------------------------------------------------------- reading nodes


class TxNodeReader:
    """A :class:`~projections.transparency.merkle.NodeReader` over the stored nodes, in one transaction.

    ``get_nodes`` is one ``SELECT`` (per 900 ids) — a proof is one round trip.
    """

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.reads = 0

    def get_nodes(self, keys: Collection[NodeKey]) -> dict[NodeKey, bytes]:
        wanted = {node_id(level, index): (level, index) for level, index in keys}
        found: dict[NodeKey, bytes] = {}
        ids = sorted(wanted)
        for start in range(0, len(ids), READ_CHUNK):
            chunk = ids[start : start + READ_CHUNK]
            self.reads += 1
            if self.tx.dialect == "postgres":
                rows = self.tx.query(f"SELECT id, hash FROM {{t:{NODES_TABLE}}} WHERE id = ANY(?)", (chunk,))
            else:
                marks = ",".join("?" * len(chunk))
                rows = self.tx.query(f"SELECT id, hash FROM {{t:{NODES_TABLE}}} WHERE id IN ({marks})", chunk)
            for stored_id, digest in rows:
                found[wanted[int(stored_id)]] = bytes(digest)
        return found

    def level_range(self, level: int, start: int, end: int) -> list[tuple[int, bytes]]:
        """``(index, hash)`` of the stored nodes of ``level`` with ``start ≤ index < end``, in order."""
        if end <= start:
            return []
        rows = self.tx.query(
            f"SELECT id, hash FROM {{t:{NODES_TABLE}}} WHERE id >= ? AND id < ? ORDER BY id",
            (node_id(level, start), node_id(level, 0) + min(end, MAX_LEAVES >> level)),
        )
        return [(int(i) & (MAX_LEAVES - 1), bytes(h)) for i, h in rows]

    def leaf_hashes(self, start: int, end: int) -> list[tuple[int, bytes]]:
        return self.level_range(0, start, end)


def insert_nodes(tx: Tx, nodes: Sequence[Node]) -> None:
    tx.executemany(
        f"INSERT INTO {{t:{NODES_TABLE}}} (id, hash) VALUES (?, ?)",
        ((node_id(level, index), digest) for level, index, digest in nodes),
    )


def leaf_hashes_of(events: Sequence[tuple[int, Any]], after: int) -> tuple[list[bytes], int, int]:
    """Leaf hashes for ``events`` following a tree of ``after`` leaves: (hashes, new size, gaps)."""
    hashes: list[bytes] = []
    size = after
    gaps = 0
    for position, event in events:
        if position <= size:
            raise TreeError(f"position {position} is already leaf {position - 1} of the tree ({size} leaves)")
        while size + 1 < position:
            size += 1
            hashes.append(leaf_hash(gap_leaf_input(size)))
            gaps += 1
        hashes.append(leaf_hash(leaf_input(event, position)))
        size = position
    return hashes, size, gaps


def grow(
    tx: Tx, frontier: Frontier, hashes: Sequence[bytes], checkpoints: Sequence[StoredCheckpoint]
) -> tuple[Frontier, list[Node]]:
    """Append ``hashes`` to the tree, checking its root at every stored checkpoint's size on the way."""
    start = frontier.size
    nodes: list[Node] = []
    done = 0
    for checkpoint in checkpoints:
        cut = checkpoint.size - start
        if not done <= cut <= len(hashes):
            raise TreeError(f"checkpoint of size {checkpoint.size} is outside this batch")
        part = append_leaves(frontier, hashes[done:cut])
        nodes.extend(part.nodes)
        frontier, done = part.frontier, cut
        if frontier.root != checkpoint.root:
            raise CheckpointMismatch(checkpoint.size, checkpoint.root, frontier.root, checkpoint.signed_at)
    rest = append_leaves(frontier, hashes[done:])
    nodes.extend(rest.nodes)
    return rest.frontier, nodes


# --------------------------------------------------------------------------- the read model


@dataclass
class _State:
    head: TreeHead
    frontier: Frontier
    last_size: int | None
    last_signed_at: datetime | None


class TreeModel(ReadModel):
    """RFC 9162 Merkle tree over every stored event, with signed checkpoints (see the module doc)."""

    name = "ledger_tree"
    version = 1
    topics = ()
    replay_cost = 80.0  # canonical JSON, SHA-256 and nodes per event: scripts/bench_ledger.py's catch-up rate
    tables = (NODES, HEAD)

    def __init__(
        self,
        key: SigningKey | None = None,
        *,
        origin: str | None = None,
        policy: CheckpointPolicy | None = None,
        clock: Clock | None = None,
    ) -> None:
        if origin is None and key is None:
            raise ValueError("a tree model needs the log's origin (or the signing key named after it)")
        self.key = key
        self.origin: str = origin if origin is not None else key.name  # type: ignore[union-attr]
        self.policy = policy or CheckpointPolicy()
        self.clock: Clock = clock or utc_now
        #: checkpoints this instance signed (for tests and the CLI)
        self.issued: list[StoredCheckpoint] = []
        self._state: _State | None = None
        self._table_ready = False

    @property
    def verifier(self) -> VerifierKey | None:
        return self.key.verifier if self.key is not None else None

    def fresh(self) -> Self:
        return type(self)(self.key, origin=self.origin, policy=self.policy, clock=self.clock)

    def reset(self) -> None:
        self._state = None
        self._table_ready = False  # a rolled-back batch may have rolled back its creation

    def _load(self, tx: Tx) -> _State:
        if self._state is None:
            head = read_head(tx)
            frontier = Frontier.load(TxNodeReader(tx), head.size)
            if frontier.root != head.root:
                raise TreeError(f"the stored tree head (size {head.size}) disagrees with its nodes")
            last = latest_checkpoint(tx)
            self._state = _State(
                head,
                frontier,
                last.size if last else None,
                parse_utc(last.signed_at) if last else None,
            )
        return self._state

    def apply(self, tx: Tx, events: Sequence[tuple[int, Any]]) -> None:
        if not events:
            return
        if not self._table_ready:
            ensure_checkpoint_table(tx)
            self._table_ready = True
        state = self._load(tx)
        hashes, size, gaps = leaf_hashes_of(events, state.head.size)
        if size >= MAX_LEAVES:
            raise TreeError(f"a tree of {size} leaves is beyond this store's node addressing")
        passed = stored_checkpoints(tx, after=state.head.size, upto=size)
        frontier, nodes = grow(tx, state.frontier, hashes, passed)
        insert_nodes(tx, nodes)
        head = TreeHead(size, frontier.root, state.head.gaps + gaps)
        write_head(tx, head)
        state.head, state.frontier = head, frontier
        if self.key is None or tx.suffix:  # a rebuild's shadow copy only re-verifies, it never signs
            return
        now = self.clock()
        grown = size - (state.last_size or 0) if state.last_size is not None else size
        since = now - state.last_signed_at if state.last_signed_at is not None else None
        if self.policy.due(grown, since):
            issued = issue_checkpoint(tx, self.key, self.origin, head, now=now)
            if issued is not None:
                self.issued.append(issued)
                state.last_size, state.last_signed_at = issued.size, now


def frontier_of(tx: Tx) -> Frontier:
    return Frontier.load(TxNodeReader(tx), read_head(tx).size)


def stored_counterparts(reader: TxNodeReader, nodes: Sequence[Node]) -> Iterator[tuple[int, int, bytes, bytes | None]]:
    """``(level, index, computed, stored)`` for computed nodes, reading the stored ones by level ranges."""
    by_level: dict[int, list[Node]] = {}
    for node in nodes:
        by_level.setdefault(node[0], []).append(node)
    for level, items in sorted(by_level.items()):
        low = min(i for _, i, _ in items)
        high = max(i for _, i, _ in items) + 1
        stored: Mapping[int, bytes] = dict(reader.level_range(level, low, high))
        for _, index, digest in items:
            yield level, index, digest, stored.get(index)
