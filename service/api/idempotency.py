"""Idempotency keys for commands (``Idempotency-Key`` header, draft-ietf-httpapi-idempotency-key-header).

A retried command (same authenticated actor, same key, same request) writes nothing new
and gets the original response back; the same key with a different request is refused
(422). The table is keyed by (actor, key), so one client's keys never meet another's.

Concurrent retries produce exactly one execution: a request first *claims* the key (one
INSERT … ON CONFLICT DO NOTHING decides who wins — the primary key arbitrates, on both
stores); the others wait for the winner's stored response and replay it. A claim is a
lease: if its holder dies before executing, the claim expires after
``api_idempotency_claim_seconds`` and the next retry takes it over.

Only successful responses are stored. A refused command wrote nothing, so its claim is
released and a retry is decided afresh (a transient conflict may succeed the second time).

The key is written in the events' own transaction. The gate runs a claimed command
``with ledger.in_events_transaction(store.marker(claim, ...))``: the recorder then marks the
key ``committed`` — with the streams and versions it is inserting — in the very transaction
that inserts the events,
and only if the claim is still this request's: a holder that hung past its lease and lost
the key to a retry has its insert refused (409 ``idempotency-claim-lost``) instead of
recording the command a second time. A process that dies after its events committed but
before it stored the response leaves a ``committed`` key: once the lease is over, a retry
gets the response rebuilt from those events (id, version, positions; ``extra`` empty,
header ``Idempotent-Recovered: true``) and nothing is executed again.

Keys are kept for ``api_idempotency_retention_hours`` (``hall-ledger serve`` purges older
ones); a retry after that is a new request. The request fingerprint is salted with the key,
so the stored hash of a body with personal data cannot be looked up by guessing the body.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from projections.base import Tx
from service.api.problems import ApiProblem
from service.api.tables import IDEMPOTENCY_TABLE, dialect_of, parse_utc, transaction, utc_text

PENDING = "pending"
#: the command's events are committed; its response is not stored yet
COMMITTED = "committed"
DONE = "done"


def request_fingerprint(method: str, path: str, body: Any, expected_version: int | None, key: str = "") -> str:
    """SHA-256 of what makes two requests "the same": method, path, validated body, If-Match
    (salted with the key)."""
    canonical = json.dumps(
        {"method": method, "path": path, "body": body, "if_match": expected_version, "key": key},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Claim:
    """This request holds the key: execute the command, then complete or release."""

    actor: str
    key: str
    token: str


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    headers: dict[str, str]


class IdempotencyKeyReused(ApiProblem):
    def __init__(self) -> None:
        super().__init__(
            422,
            "idempotency-key-reused",
            "this Idempotency-Key was used for a different request; use a new key for a new request",
            field="Idempotency-Key",
        )


class ClaimLost(ApiProblem):
    def __init__(self) -> None:
        super().__init__(
            409,
            "idempotency-claim-lost",
            "this request held its Idempotency-Key past its lease and a retry took the key over; "
            "nothing was recorded by this request",
            field="Idempotency-Key",
        )


class IdempotentRequestInProgress(ApiProblem):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            409,
            "idempotent-request-in-progress",
            "a request with this Idempotency-Key is still being processed; retry later",
            field="Idempotency-Key",
            headers={"Retry-After": str(retry_after)},
        )


def system_now() -> datetime:
    return datetime.now(UTC)


class IdempotencyStore:
    def __init__(
        self,
        ledger: Any,
        *,
        claim_seconds: int = 30,
        poll_seconds: float = 0.02,
        now: Callable[[], datetime] = system_now,
    ) -> None:
        self.ledger = ledger
        self.claim = timedelta(seconds=claim_seconds)
        self.poll_seconds = poll_seconds
        # the lease uses the real clock: a fake recording clock must not keep claims alive
        self.now = now

    def create_table(self) -> None:
        with transaction(self.ledger) as tx:
            table = tx.plain(IDEMPOTENCY_TABLE)
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {table} ("
                "actor TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL, "
                "claim TEXT NOT NULL, state TEXT NOT NULL, expires_at TEXT NOT NULL, "
                "status INTEGER, body TEXT, headers TEXT, created_at TEXT NOT NULL, completed_at TEXT, "
                "events TEXT, location TEXT, PRIMARY KEY (actor, idem_key))"
            )
            # tables made before the key was written with the events gain its columns
            if tx.dialect == "postgres":
                for column in ("events", "location"):
                    tx.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} TEXT")
            else:
                present = {row[1] for row in tx.query(f"PRAGMA table_info({IDEMPOTENCY_TABLE})")}
                for column in ("events", "location"):
                    if column not in present:
                        tx.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")

    def _row(self, tx: Any, actor: str, key: str) -> tuple[Any, ...]:
        rows = tx.query(
            f"SELECT request_hash, claim, state, expires_at, status, body, headers, events, location "
            f"FROM {tx.plain(IDEMPOTENCY_TABLE)} WHERE actor = ? AND idem_key = ?",
            (actor, key),
        )
        return rows[0]

    def begin(self, actor: str, key: str, request_hash: str) -> Claim | StoredResponse:
        """Claim the key, or wait for the holder and return its stored response."""
        token = secrets.token_hex(16)
        deadline = time.monotonic() + self.claim.total_seconds() + 1
        while True:
            now = self.now()
            with transaction(self.ledger) as tx:
                table = tx.plain(IDEMPOTENCY_TABLE)
                tx.execute(
                    f"INSERT INTO {table} (actor, idem_key, request_hash, claim, state, expires_at, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (actor, idem_key) DO NOTHING",
                    (actor, key, request_hash, token, PENDING, utc_text(now + self.claim), utc_text(now)),
                )
                stored_hash, claim, state, expires_at, status, body, headers, events, location = self._row(
                    tx, actor, key
                )
                if claim == token:
                    return Claim(actor, key, token)
                if stored_hash != request_hash:
                    raise IdempotencyKeyReused()
                if state == DONE:
                    return StoredResponse(int(status), body, json.loads(headers))
                if state == COMMITTED and parse_utc(expires_at) <= now:
                    # the holder committed its events and died before storing the response
                    recovered = self._recover(tx, int(status), json.loads(events), location)
                    tx.execute(
                        f"UPDATE {table} SET state = ?, body = ?, headers = ?, completed_at = ? "
                        "WHERE actor = ? AND idem_key = ? AND claim = ? AND state = ?",
                        (DONE, recovered.body, json.dumps(recovered.headers), utc_text(now), actor, key, claim,
                         COMMITTED),
                    )  # fmt: skip
                    return recovered
                if state == PENDING and parse_utc(expires_at) <= now:
                    # the holder died (or hung past its lease): take the claim over
                    tx.execute(
                        f"UPDATE {table} SET claim = ?, expires_at = ? "
                        "WHERE actor = ? AND idem_key = ? AND claim = ? AND state = ?",
                        (token, utc_text(now + self.claim), actor, key, claim, PENDING),
                    )
                    if self._row(tx, actor, key)[1] == token:
                        return Claim(actor, key, token)
            if time.monotonic() > deadline:
                raise IdempotentRequestInProgress(retry_after=max(1, int(self.claim.total_seconds())))
            time.sleep(self.poll_seconds)

    def complete(self, claim: Claim, response: StoredResponse) -> None:
        with transaction(self.ledger) as tx:
            tx.execute(
                f"UPDATE {tx.plain(IDEMPOTENCY_TABLE)} SET state = ?, status = ?, body = ?, headers = ?, "
                "completed_at = ? WHERE actor = ? AND idem_key = ? AND claim = ?",
                (
                    DONE,
                    response.status,
                    response.body,
                    json.dumps(response.headers),
                    utc_text(self.now()),
                    claim.actor,
                    claim.key,
                    claim.token,
                ),
            )

    def _recover(self, tx: Tx, status: int, events: list[list[Any]], location: str | None) -> StoredResponse:
        """The response of a command whose events are committed, rebuilt from those events."""
        positions = sorted(self._position(tx, UUID(stream), int(version)) for stream, version in events)
        primary = events[0][0]
        version = max(int(v) for s, v in events if s == primary)
        body = {"id": primary, "version": version, "positions": positions, "extra": {}}
        headers = {"ETag": f'"{version}"', "Idempotent-Recovered": "true"}
        if location:
            headers["Location"] = location.format(id=primary)
        return StoredResponse(status, json.dumps(body), headers)

    def _position(self, tx: Tx, stream: UUID, version: int) -> int:
        recorder = self.ledger.recorder
        if tx.dialect == "postgres":
            rows = tx.query(
                f"SELECT notification_id FROM {tx.plain(recorder.events_table_name)} "
                "WHERE originator_id = ? AND originator_version = ?",
                (stream, version),
            )
        else:
            rows = tx.query(
                f"SELECT rowid FROM {recorder.events_table_name} WHERE originator_id = ? AND originator_version = ?",
                (stream.hex, version),
            )
        return int(rows[0][0])

    def marker(self, claim: Claim, *, status: int, location: str | None) -> Callable[[Any, Sequence[Any]], None]:
        """The hook the recorder runs in the events' own transaction (``service.stores``): mark
        the key committed with the events being inserted, or refuse them if the claim was lost."""
        dialect, schema = dialect_of(self.ledger)

        def mark(cursor: Any, stored_events: Sequence[Any]) -> None:
            tx = Tx(cursor, dialect, schema)
            events = json.dumps([[str(e.originator_id), e.originator_version] for e in stored_events])
            held = tx.query(
                f"UPDATE {tx.plain(IDEMPOTENCY_TABLE)} SET state = ?, events = ?, status = ?, location = ? "
                "WHERE actor = ? AND idem_key = ? AND claim = ? RETURNING claim",
                (COMMITTED, events, status, location, claim.actor, claim.key, claim.token),
            )
            if not held:
                raise ClaimLost()

        return mark

    def purge(self, *, before: datetime) -> int:
        """Forget keys made before ``before`` whose lease is over too; how many were deleted."""
        cutoff = utc_text(before)
        with transaction(self.ledger) as tx:
            table = tx.plain(IDEMPOTENCY_TABLE)
            found = tx.query(f"SELECT count(*) FROM {table} WHERE created_at < ? AND expires_at < ?", (cutoff, cutoff))
            tx.execute(f"DELETE FROM {table} WHERE created_at < ? AND expires_at < ?", (cutoff, cutoff))
        return int(found[0][0])

    def release(self, claim: Claim) -> None:
        """Give the key back (the command was refused and wrote nothing)."""
        with transaction(self.ledger) as tx:
            # a command that failed after its events committed keeps its key: a retry recovers it
            tx.execute(
                f"DELETE FROM {tx.plain(IDEMPOTENCY_TABLE)} WHERE actor = ? AND idem_key = ? AND claim = ? "
                "AND state = ?",
                (claim.actor, claim.key, claim.token, PENDING),
            )
