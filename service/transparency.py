"""The transparency log — the verifiable Merkle log over every event — wired: the tree
model with the hall's key, proofs, entries, checkpoints, receipts and ``verify`` over the
store. (``HallLedger`` is the application; this module is its log's public, signed view.)

- :func:`tree_model` — the ``ledger_tree`` read model signing with the key from
  ``settings.key_dir`` (``hall-ledger project`` / ``rebuild`` run it with the others);
  :func:`follow_tree` runs it (and signs due checkpoints while the log is idle) — what
  ``hall-ledger serve`` calls in a thread.
- :class:`TransparencyLog` — the queries of the CLI and HTTP: tree head, latest checkpoint,
  inclusion and consistency proofs (one ``SELECT`` of O(log n) nodes each), entries.
- :func:`checkpoint_now` — bring the tree up to date (when no runner holds it) and sign.
- :func:`receipt_for_violation`, :func:`receipt_for_sanction` — ``hall-ledger-receipt/1``
  documents for the events behind a record, under a checkpoint that covers them.
- :func:`verify` — recompute every leaf from the stored events and the tree from the
  leaves, check every stored checkpoint, and name the first position that disagrees.

Entries and receipts are re-derived from the events as they are stored *now*; the tree
holds the leaf hashes as they were when each event entered it. ``verify`` compares the two,
so an altered event — or a change to the envelope encoding that would silently change old
leaves — is named by position, and a receipt whose leaf no longer matches is never issued.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.errors import NotFound
from domain.staff import StaffMember
from domain.violation import Violation
from projections.base import Tx
from projections.runner import ProjectionRunner, ProjectionStore
from projections.transparency.bundle import Receipt, ReceiptError, build_receipt
from projections.transparency.keys import SigningKey, VerifierKey, parse_verifier_key
from projections.transparency.leaf import GAP_FORMAT, gap_leaf_input, leaf_hash, leaf_input
from projections.transparency.merkle import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    append_leaves,
    consistency_plan,
    consistency_proof,
    fetch,
    inclusion_plan,
    verify_consistency,
)
from projections.transparency.note import Checkpoint, NoteError, open_checkpoint
from projections.transparency.tree import (
    HEAD_TABLE,
    MAX_LEAVES,
    NODES_TABLE,
    CheckpointPolicy,
    StoredCheckpoint,
    TreeError,
    TreeHead,
    TreeModel,
    TxNodeReader,
    ensure_checkpoint_table,
    issue_checkpoint,
    latest_checkpoint,
    parse_utc,
    read_head,
    stored_checkpoints,
    stored_counterparts,
    utc_now,
)
from service.keys import load_signing_key
from service.settings import Settings
from service.stores import schema_lock

log = logging.getLogger(__name__)

TREE_MODEL = TreeModel.name
#: most entries one ``/ledger/entries`` page returns
ENTRIES_PAGE = 256
#: events per verification step
VERIFY_CHUNK = 4096


# --------------------------------------------------------------------------- the model


def checkpoint_policy(settings: Settings) -> CheckpointPolicy:
    """The checkpoint policy of a deployment (``HALL_LEDGER_LEDGER_CHECKPOINT_EVERY_LEAVES`` /
    ``HALL_LEDGER_LEDGER_CHECKPOINT_EVERY_SECONDS``; defaults: 1000 leaves or 60 s)."""
    return CheckpointPolicy(
        every_leaves=settings.ledger_checkpoint_every_leaves,
        every_seconds=settings.ledger_checkpoint_every_seconds,
    )


def tree_model(
    settings: Settings,
    *,
    key: SigningKey | None = None,
    policy: CheckpointPolicy | None = None,
    clock: Callable[[], datetime] | None = None,
) -> TreeModel:
    """The ``ledger_tree`` read model, signing with the hall's key (``hall-ledger init`` makes it)."""
    return TreeModel(
        key or load_signing_key(settings),
        origin=settings.ledger_origin,
        policy=policy or checkpoint_policy(settings),
        clock=clock,
    )


def tree_model_if_keyed(settings: Settings) -> TreeModel | None:
    """The tree model, or None when the deployment has no signing key yet."""
    if not settings.signing_key_path.exists():
        return None
    return tree_model(settings)


def follow_tree(
    app: Any,
    settings: Settings,
    stop: threading.Event,
    *,
    model: TreeModel | None = None,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Keep the tree up to date and checkpoints due (blocking until ``stop`` is set).

    Runs the ``ledger_tree`` model in a :class:`~projections.runner.ProjectionRunner` (one
    writer per deployment; a second process waits and takes over) and, while the log is
    idle, signs the tree when the policy's interval has passed — so the last events of a
    quiet afternoon are not left unsigned until the next one arrives.
    """
    model = model or tree_model(settings)
    transparency_log = TransparencyLog(app)
    runner = ProjectionRunner(app, [model], store=transparency_log.store)
    interval = max(0.5, min(model.policy.every_seconds / 4, 15.0))

    finished = threading.Event()

    def tick() -> None:
        while not stop.wait(interval) and not finished.is_set():
            try:
                checkpoint_now(
                    app, key=model.key, catch_up=False, only_if_due=model.policy, transparency_log=transparency_log
                )
            except Exception:
                log.exception("ledger: signing a due checkpoint failed")

    ticker = threading.Thread(target=tick, name="ledger-checkpoints", daemon=True)
    ticker.start()
    try:
        runner.run(stop, on_ready=on_ready)
    finally:
        finished.set()
        ticker.join(timeout=interval + 5)


# --------------------------------------------------------------------------- queries


class TransparencyQueryError(ValueError):
    """A malformed or out-of-range request (HTTP 400 naming ``field``)."""

    def __init__(self, field: str, message: str, *, code: str = "out-of-range") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code


@dataclass(frozen=True)
class InclusionAnswer:
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    inclusion_path: list[bytes]


@dataclass(frozen=True)
class ConsistencyAnswer:
    first: int
    second: int
    consistency_path: list[bytes]


_OPENING = threading.Lock()


class TransparencyLog:
    """Read the tree, its checkpoints and the leaves over the ledger's database.

    Make one per process and share it (opening one runs the projection store's DDL,
    serialised here and, on PostgreSQL, across processes by the schema lock).
    """

    def __init__(self, app: Any, *, store: ProjectionStore | None = None) -> None:
        self.app = app
        self.settings: Settings = app.settings
        with _OPENING, schema_lock(self.settings):
            self.store = store or ProjectionStore(app)
            with self.store.transaction() as tx:
                ensure_checkpoint_table(tx)
        self._tree_exists = False

    @contextlib.contextmanager
    def reading(self) -> Iterator[Tx]:
        """A read-only transaction (a consistent snapshot on SQLite; one statement's view on PostgreSQL)."""
        with self.store.datastore.transaction(commit=False) as cursor:
            yield Tx(cursor, self.store.dialect, self.store.schema)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """A read-only transaction that sees one snapshot throughout (for ``verify``)."""
        with self.reading() as tx:
            if tx.dialect == "postgres":
                tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield tx

    def tree_exists(self, tx: Tx) -> bool:
        if not self._tree_exists:
            self._tree_exists = self.store.table_exists(tx, HEAD_TABLE) and self.store.table_exists(tx, NODES_TABLE)
        return self._tree_exists

    def head(self, tx: Tx) -> TreeHead:
        return read_head(tx) if self.tree_exists(tx) else TreeHead(0, EMPTY_ROOT, 0)

    def size(self) -> int:
        with self.reading() as tx:
            return self.head(tx).size

    def latest_checkpoint(self, *, covering: int = 0) -> StoredCheckpoint | None:
        with self.reading() as tx:
            return latest_checkpoint(tx, covering=covering)

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self.reading() as tx:
            return stored_checkpoints(tx)

    def inclusion(self, index: int, tree_size: int) -> InclusionAnswer:
        with self.reading() as tx:
            size = self.head(tx).size
            if not 1 <= tree_size <= size:
                raise TransparencyQueryError("tree_size", f"tree_size must be between 1 and the tree's size {size}")
            if not 0 <= index < tree_size:
                raise TransparencyQueryError("index", f"index must be between 0 and tree_size − 1 = {tree_size - 1}")
            plan = inclusion_plan(index, tree_size)
            nodes = fetch(TxNodeReader(tx), plan.keys | {(0, index)})
        return InclusionAnswer(index, tree_size, nodes[(0, index)], plan.assemble(nodes))

    def consistency(self, first: int, second: int) -> ConsistencyAnswer:
        with self.reading() as tx:
            size = self.head(tx).size
            if not 1 <= second <= size:
                raise TransparencyQueryError("second", f"second must be between 1 and the tree's size {size}")
            if not 1 <= first <= second:
                raise TransparencyQueryError("first", f"first must be between 1 and second = {second}")
            plan = consistency_plan(first, second)
            path = plan.assemble(fetch(TxNodeReader(tx), plan.keys))
        return ConsistencyAnswer(first, second, path)

    def entries(self, start: int, end: int, *, page: int = ENTRIES_PAGE) -> list[tuple[int, bytes]]:
        """``(index, leaf input)`` for ``start ≤ index < end`` — at most ``page``, never past the tree.

        Leaf inputs are re-derived from the events as stored now (a position without an
        event gives its gap leaf; an event that cannot be decoded any more, an empty leaf
        input), so an outside verifier checks the events themselves against the signed tree.
        """
        with self.reading() as tx:
            size = self.head(tx).size
            if not 0 <= start < size:
                raise TransparencyQueryError("start", f"start must be between 0 and the tree's size − 1 = {size - 1}")
            if end <= start:
                raise TransparencyQueryError("end", "end must be greater than start")
            stop = min(end, size, start + page)
            events = dict(read_notifications(tx, self.app, after=start, upto=stop))
        out = []
        for index in range(start, stop):
            notification = events.get(index + 1)
            out.append((index, derive_leaf(self.app, index + 1, notification)[0] or b""))
        return out


def read_notifications(
    tx: Tx, app: Any, *, after: int, upto: int | None = None, limit: int | None = None
) -> list[tuple[int, Notification]]:
    """Stored events with ``after < position (≤ upto)``, in position order, read in ``tx``."""
    recorder = app.recorder
    table = tx.plain(recorder.events_table_name)
    key = "notification_id" if tx.dialect == "postgres" else "rowid"
    sql = f"SELECT {key}, originator_id, originator_version, topic, state FROM {table} WHERE {key} > ?"
    params: list[Any] = [after]
    if upto is not None:
        sql += f" AND {key} <= ?"
        params.append(upto)
    sql += f" ORDER BY {key}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_notification(row) for row in tx.query(sql, params)]


def read_positions(tx: Tx, app: Any, positions: Sequence[int]) -> dict[int, Notification]:
    recorder = app.recorder
    table = tx.plain(recorder.events_table_name)
    key = "notification_id" if tx.dialect == "postgres" else "rowid"
    found: dict[int, Notification] = {}
    wanted = sorted(set(positions))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = tx.query(
            f"SELECT {key}, originator_id, originator_version, topic, state FROM {table} WHERE {key} IN ({marks})",
            chunk,
        )
        found.update(_notification(row) for row in rows)
    return found


def read_stream(tx: Tx, app: Any, stream_id: UUID) -> list[tuple[int, Any]]:
    """``(position, event)`` of one stream, in version order (the primary-key index, no scan)."""
    recorder = app.recorder
    table = tx.plain(recorder.events_table_name)
    if tx.dialect == "postgres":
        rows = tx.query(
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {table} "
            "WHERE originator_id = ? ORDER BY originator_version",
            (stream_id,),
        )
    else:
        rows = tx.query(
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
            "WHERE originator_id = ? ORDER BY originator_version",
            (stream_id.hex,),
        )
    return [(position, app.mapper.to_domain_event(n)) for position, n in (_notification(r) for r in rows)]


def _notification(row: Sequence[Any]) -> tuple[int, Notification]:
    position, originator, version, topic, state = row
    stream = originator if isinstance(originator, UUID) else UUID(str(originator))
    return int(position), Notification(
        id=int(position), originator_id=stream, originator_version=int(version), topic=str(topic), state=bytes(state)
    )


def derive_leaf(app: Any, position: int, notification: Notification | None) -> tuple[bytes | None, str | None]:
    """The leaf input of ``position`` as the store holds it now: (bytes, None) or (None, why not)."""
    if notification is None:
        return gap_leaf_input(position), None
    try:
        return leaf_input(app.mapper.to_domain_event(notification), position), None
    except Exception as e:  # a stored event that no longer decodes (altered bytes, unknown topic)
        return None, f"{type(e).__name__}: {e}"


# --------------------------------------------------------------------------- checkpoints


def checkpoint_now(
    app: Any,
    *,
    key: SigningKey | None = None,
    catch_up: bool = True,
    only_if_due: CheckpointPolicy | None = None,
    transparency_log: TransparencyLog | None = None,
) -> StoredCheckpoint | None:
    """Sign the tree as it stands and return the latest checkpoint (None: the log is empty).

    With ``catch_up``, the tree is first brought up to the log's head — unless a runner
    (``serve``, ``project``) holds its writer lock, in which case the committed tree is
    signed as that runner left it. With ``only_if_due``, sign only when that policy says a
    checkpoint is due (the idle tick of :func:`follow_tree`).
    """
    settings: Settings = app.settings
    key = key or load_signing_key(settings)
    transparency_log = transparency_log or TransparencyLog(app)
    store = transparency_log.store
    if catch_up:
        model = tree_model(settings, key=key)
        with store.lock([model.name], wait=False) as held:
            if held:
                runner = ProjectionRunner(app, [model], store=store)
                runner.prepare()
                runner.catch_up()
    with store.transaction() as tx:
        head = transparency_log.head(tx)
        last = latest_checkpoint(tx)
        if only_if_due is not None:
            grown = head.size - last.size if last else head.size
            since = utc_now() - parse_utc(last.signed_at) if last else None
            if not only_if_due.due(grown, since):
                return last
        if head.size == 0 and last is None:
            return None
        issue_checkpoint(tx, key, settings.ledger_origin, head)
        return latest_checkpoint(tx)


# --------------------------------------------------------------------------- receipts


class ReceiptUnavailable(RuntimeError):
    """No receipt can be issued: the tree has not reached the events yet (``retry``), or an
    event no longer matches the signed tree (run ``hall-ledger verify``)."""

    def __init__(self, message: str, *, position: int | None = None, retry: bool = False) -> None:
        super().__init__(message)
        self.position = position
        self.retry = retry


def receipt_for_positions(
    app: Any,
    positions: Sequence[int],
    *,
    key: SigningKey | None = None,
    transparency_log: TransparencyLog | None = None,
) -> Receipt:
    """A receipt for the events at ``positions`` under the latest checkpoint that covers them.

    If no stored checkpoint covers the last of them, the tree is brought up to date and a
    fresh checkpoint signed first. Every entry is verified before the receipt is handed out:
    an event whose re-derived leaf is not the tree's leaf refuses the receipt, naming it.
    """
    if not positions:
        raise ValueError("a receipt needs at least one event")
    key = key or load_signing_key(app.settings)
    transparency_log = transparency_log or TransparencyLog(app)
    wanted = sorted(set(positions))
    checkpoint = transparency_log.latest_checkpoint(covering=wanted[-1])
    if checkpoint is None:
        try:
            checkpoint_now(app, key=key, transparency_log=transparency_log)
        except (TreeError, ProofError, NoteError, LookupError) as e:
            raise ReceiptUnavailable(
                f"the hall will not sign the tree as it stands ({e}); run `hall-ledger verify`"
            ) from e
        checkpoint = transparency_log.latest_checkpoint(covering=wanted[-1])
    if checkpoint is None:
        size = transparency_log.size()
        raise ReceiptUnavailable(
            f"the tree holds {size} leaves and has not reached position {wanted[-1]} yet; retry shortly",
            position=wanted[-1],
            retry=True,
        )
    with transparency_log.reading() as tx:
        notifications = read_positions(tx, app, wanted)
        leaves = []
        for position in wanted:
            data, why = derive_leaf(app, position, notifications.get(position))
            if position not in notifications or data is None:
                reason = f"its event cannot be decoded ({why})" if why else "no event is stored there"
                raise ReceiptUnavailable(f"position {position}: {reason}; run `hall-ledger verify`", position=position)
            leaves.append((position, data))
        try:
            return build_receipt(leaves, TxNodeReader(tx), checkpoint.note, key.verifier)
        except ReceiptError as e:
            raise ReceiptUnavailable(
                f"position {e.position}: the stored event does not match the signed tree ({e.reason}); "
                "run `hall-ledger verify`",
                position=e.position,
            ) from e


def violation_positions(app: Any, violation_id: UUID, *, transparency_log: TransparencyLog | None = None) -> list[int]:
    transparency_log = transparency_log or TransparencyLog(app)
    with transparency_log.reading() as tx:
        events = read_stream(tx, app, violation_id)
    if not events or not isinstance(events[0][1], Violation.Recorded | Violation.Detected):
        raise NotFound(f"no violation with id {violation_id}", field="violation_id")
    return [position for position, _ in events]


def receipt_for_violation(
    app: Any, violation_id: UUID, *, key: SigningKey | None = None, transparency_log: TransparencyLog | None = None
) -> Receipt:
    """A receipt for every event of a violation's record (recorded or detected, confirmed, …)."""
    transparency_log = transparency_log or TransparencyLog(app)
    positions = violation_positions(app, violation_id, transparency_log=transparency_log)
    return receipt_for_positions(app, positions, key=key, transparency_log=transparency_log)


_DECISIONS = (StaffMember.SuspensionDecided, StaffMember.RemovalFromPostDecided, StaffMember.AdmonishmentIssued)
_LATER = (
    StaffMember.Reinstated,
    StaffMember.SanctionRescinded,
    StaffMember.RemedyCompleted,
    StaffMember.AdmonishmentRescinded,
)


def _decision_id(event: Any) -> UUID | None:
    """The decision an event of a staff member's record concerns (admonishments have their own ids)."""
    found = getattr(event, "admonishment_id", None) or getattr(event, "decision_id", None)
    return found if isinstance(found, UUID) else None


def sanction_positions(
    app: Any, staff_id: UUID, decision_id: UUID, *, transparency_log: TransparencyLog | None = None
) -> list[int]:
    """The events behind an escalation decision (诫勉 / 待岗 / 调离) on a staff member.

    - the decision itself;
    - each violation of its basis, as recorded (or detected) and confirmed — every event of
      the violation's record up to the decision;
    - for a suspension or a removal, the admonishments that preceded it on the ladder
      (issued before it and not rescinded by then);
    - what became of the decision later (reinstatement, rescission, completed remedy).
    """
    transparency_log = transparency_log or TransparencyLog(app)
    with transparency_log.reading() as tx:
        staff = read_stream(tx, app, staff_id)
        if not staff or not isinstance(staff[0][1], StaffMember.Onboarded):
            raise NotFound(f"no staff member with id {staff_id}", field="staff_id")
        decision = next(
            ((p, e) for p, e in staff if isinstance(e, _DECISIONS) and _decision_id(e) == decision_id), None
        )
        if decision is None:
            raise NotFound(f"staff member {staff_id} has no decision {decision_id}", field="decision_id")
        at, event = decision
        positions = {at}
        for violation_id in event.basis:
            positions.update(p for p, _ in read_stream(tx, app, violation_id) if p < at)
        if not isinstance(event, StaffMember.AdmonishmentIssued):
            rescinded = {
                e.admonishment_id for p, e in staff if isinstance(e, StaffMember.AdmonishmentRescinded) and p < at
            }
            positions.update(
                p
                for p, e in staff
                if isinstance(e, StaffMember.AdmonishmentIssued) and p < at and e.admonishment_id not in rescinded
            )
        positions.update(p for p, e in staff if p > at and isinstance(e, _LATER) and _decision_id(e) == decision_id)
    return sorted(positions)


def receipt_for_sanction(
    app: Any,
    staff_id: UUID,
    decision_id: UUID,
    *,
    key: SigningKey | None = None,
    transparency_log: TransparencyLog | None = None,
) -> Receipt:
    """A receipt for the events behind a decision on a staff member (see :func:`sanction_positions`)."""
    transparency_log = transparency_log or TransparencyLog(app)
    positions = sanction_positions(app, staff_id, decision_id, transparency_log=transparency_log)
    return receipt_for_positions(app, positions, key=key, transparency_log=transparency_log)


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Disagreement:
    """Something that does not hold, at the first position it concerns (1-based)."""

    position: int
    what: str
    detail: str

    def __str__(self) -> str:
        return f"position {self.position}: {self.what}: {self.detail}"


@dataclass
class VerifyReport:
    head: int = 0
    events: int = 0
    tree_size: int = 0
    tracked: int = 0
    checkpoints: int = 0
    checkpoints_verified: int = 0
    #: the largest tree size a checkpoint that verified vouches for
    signed_size: int = 0
    #: positions without an event that the tree committed as gap leaves (rolled-back inserts)
    gaps: list[int] = field(default_factory=list)
    #: events the tree has not taken yet (it lags the log)
    pending: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    #: further disagreements that were counted but not kept
    more: int = 0

    @property
    def ok(self) -> bool:
        return not self.disagreements

    @property
    def first(self) -> Disagreement | None:
        return min(self.disagreements, key=lambda d: d.position) if self.disagreements else None

    def add(self, position: int, what: str, detail: str, *, limit: int = 100) -> None:
        if len(self.disagreements) < limit:
            self.disagreements.append(Disagreement(position, what, detail))
        else:
            self.more += 1
            worst = max(self.disagreements, key=lambda d: d.position)
            if position < worst.position:
                self.disagreements.remove(worst)
                self.disagreements.append(Disagreement(position, what, detail))


Progress = Callable[[int, int], None]


def verify(
    app: Any,
    *,
    verifier: VerifierKey | str | None = None,
    progress: Progress | None = None,
    chunk: int = VERIFY_CHUNK,
    transparency_log: TransparencyLog | None = None,
) -> VerifyReport:
    """Check the ledger end to end and report every disagreement by position.

    1. every position 1 … max(log head, tree size): the leaf re-derived from the stored event
       (or the gap leaf where there is none) must be the leaf hash the tree committed;
    2. the tree recomputed from its leaves must equal every stored interior node and the head;
    3. every stored checkpoint must be signed by ``verifier`` (default: the hall's key from
       ``settings.key_dir``), for this origin, and its root must be the tree's root at its size;
    4. each checkpoint must be consistent with the next (RFC 9162 proof from the stored nodes);
    5. the tree's tracking position must be its size.

    A deleted event shows as a position with no event where the tree holds an event leaf;
    an inserted or moved one as a leaf that differs at the first shifted position.
    """
    settings: Settings = app.settings
    if verifier is None:
        verifier = load_signing_key(settings).verifier
    key = parse_verifier_key(verifier) if isinstance(verifier, str) else verifier
    transparency_log = transparency_log or TransparencyLog(app)
    report = VerifyReport()
    report.tracked = transparency_log.store.tracked(TREE_MODEL)
    with transparency_log.snapshot() as tx:
        head = transparency_log.head(tx)
        report.tree_size = head.size
        report.head = _log_head(tx, app)
        checkpoints = stored_checkpoints(tx)
        report.checkpoints = len(checkpoints)
        reader = TxNodeReader(tx)
        roots = _verify_leaves_and_nodes(tx, app, reader, head, checkpoints, report, progress, chunk)
        _verify_checkpoints(reader, key, settings.ledger_origin, head, checkpoints, roots, report)
        if transparency_log.tree_exists(tx):
            extra = tx.query(
                f"SELECT min(id) FROM {{t:{NODES_TABLE}}} WHERE id >= ? AND id < ?", (head.size, MAX_LEAVES)
            )
            if extra and extra[0][0] is not None:
                report.add(
                    int(extra[0][0]) + 1,
                    "tree",
                    f"the tree stores leaves beyond its size {head.size} (tree rewritten?)",
                )
    if report.tracked != head.size:
        report.add(
            min(report.tracked, head.size) + 1,
            "tree",
            f"the tree model's tracking position is {report.tracked} but the tree holds {head.size} leaves",
        )
    return report


def _log_head(tx: Tx, app: Any) -> int:
    table = tx.plain(app.recorder.events_table_name)
    key = "notification_id" if tx.dialect == "postgres" else "rowid"
    rows = tx.query(f"SELECT max({key}) FROM {table}")
    return int(rows[0][0] or 0) if rows else 0


def _verify_leaves_and_nodes(
    tx: Tx,
    app: Any,
    reader: TxNodeReader,
    head: TreeHead,
    checkpoints: Sequence[StoredCheckpoint],
    report: VerifyReport,
    progress: Progress | None,
    chunk: int,
) -> dict[int, bytes]:
    """Steps 1 and 2; returns the recomputed root at every checkpointed size the tree reaches."""
    total = max(report.head, head.size)
    frontier = Frontier.empty()
    roots: dict[int, bytes] = {}
    marks = [c.size for c in checkpoints if 0 < c.size <= head.size]
    position = 0
    while position < total:
        upto = min(position + chunk, total)
        notifications = dict(read_notifications(tx, app, after=position, upto=upto))
        in_tree = min(upto, head.size)
        stored_leaves = dict(reader.leaf_hashes(position, in_tree)) if position < in_tree else {}
        tree_leaves: list[bytes] = []
        for p in range(position + 1, upto + 1):
            notification = notifications.get(p)
            if notification is not None:
                report.events += 1
            if p > head.size:
                if notification is not None:
                    report.pending += 1
                continue
            stored = stored_leaves.get(p - 1)
            derived, why = derive_leaf(app, p, notification)
            if stored is None:
                report.add(p, "tree", f"the tree of {head.size} leaves has no leaf {p - 1}")
                # go on with the leaf the log gives, to check what follows
                tree_leaves.append(leaf_hash(derived if derived is not None else b""))
                continue
            tree_leaves.append(stored)
            if derived is None:
                report.add(p, "event", f"the stored event at position {p} cannot be decoded ({why})")
            elif leaf_hash(derived) != stored:
                report.add(p, "leaf", _leaf_disagreement(p, notification, stored))
            elif notification is None:
                report.gaps.append(p)
        frontier = _grow_and_compare(reader, frontier, tree_leaves, marks, roots, report)
        position = upto
        if progress:
            progress(position, total)
    if head.size and frontier.size == head.size and frontier.root != head.root:
        report.add(head.size, "tree", f"the stored tree head's root is not the root of its {head.size} leaves")
    return roots


def _leaf_disagreement(position: int, notification: Notification | None, stored: bytes) -> str:
    if notification is None:
        return (
            f"no event is stored at position {position}, but the tree committed an event there "
            f"(leaf hash {stored.hex()[:16]}…): the event was deleted or moved"
        )
    if stored == leaf_hash(gap_leaf_input(position)):
        return f"an event is stored at position {position}, but the tree committed it as holding none ({GAP_FORMAT})"
    return (
        f"the event stored at position {position} ({notification.topic.partition(':')[2]}, stream "
        f"{notification.originator_id} v{notification.originator_version}) is not the event the tree committed: "
        f"its leaf hash differs from {stored.hex()[:16]}…"
    )


def _grow_and_compare(
    reader: TxNodeReader,
    frontier: Frontier,
    leaves: list[bytes],
    marks: Sequence[int],
    roots: dict[int, bytes],
    report: VerifyReport,
) -> Frontier:
    start = frontier.size
    done = 0
    nodes = []
    for size in marks:
        if start < size <= start + len(leaves):
            part = append_leaves(frontier, leaves[done : size - start])
            nodes.extend(part.nodes)
            frontier, done = part.frontier, size - start
            roots[size] = frontier.root
    rest = append_leaves(frontier, leaves[done:])
    nodes.extend(rest.nodes)
    interior = [n for n in nodes if n[0] > 0]
    for level, index, computed, stored in stored_counterparts(reader, interior):
        if stored != computed:
            first = (index << level) + 1
            state = "missing" if stored is None else "not the hash of its children"
            report.add(
                first,
                "node",
                f"tree node (level {level}, index {index}) over positions {first}…{(index + 1) << level} is {state}",
            )
    return rest.frontier


def _span(first: int, last: int) -> str:
    return f"position {first} is" if first == last else f"positions {first}…{last} are"


def _verify_checkpoints(
    reader: TxNodeReader,
    key: VerifierKey,
    origin: str,
    head: TreeHead,
    checkpoints: Sequence[StoredCheckpoint],
    roots: dict[int, bytes],
    report: VerifyReport,
) -> None:
    previous: StoredCheckpoint | None = None
    for checkpoint in checkpoints:
        since = (previous.size if previous else 0) + 1
        label = f"checkpoint of size {checkpoint.size} signed at {checkpoint.signed_at}"
        good = True
        try:
            opened = open_checkpoint(checkpoint.note, key, origin=origin)
        except NoteError as e:
            report.add(since, "checkpoint", f"{label}: {e} — {_span(since, checkpoint.size)} not vouched for")
            opened, good = None, False
        if opened is not None and (opened.size, opened.root) != (checkpoint.size, checkpoint.root):
            report.add(since, "checkpoint", f"{label}: the stored size or root is not the signed note's")
            good = False
        signed = opened or Checkpoint(origin, checkpoint.size, checkpoint.root)
        if signed.size == 0:
            if signed.root != EMPTY_ROOT:
                report.add(1, "checkpoint", f"{label}: an empty tree's root must be SHA-256 of nothing")
                good = False
        elif signed.size > head.size:
            report.add(
                head.size + 1,
                "checkpoint",
                f"{label}: the tree holds only {head.size} leaves — {_span(head.size + 1, signed.size)} "
                "signed but gone",
            )
            good = False
        elif roots.get(signed.size) != signed.root:
            report.add(
                since, "checkpoint", f"{label}: the root of the first {signed.size} leaves is not the signed one"
            )
            good = False
        if previous is not None and 0 < previous.size < signed.size <= head.size:
            try:
                proof = consistency_proof(reader, previous.size, signed.size)
                verify_consistency(previous.size, signed.size, previous.root, signed.root, proof)
            except (ProofError, LookupError, ValueError) as e:
                report.add(
                    previous.size + 1,
                    "checkpoint",
                    f"{label} is not consistent with the checkpoint of size {previous.size}: {e}",
                )
                good = False
        if good:
            report.checkpoints_verified += 1
            report.signed_size = max(report.signed_size, signed.size)
        previous = checkpoint
