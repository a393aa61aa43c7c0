"""Idempotency keys for commands (``Idempotency-Key`` header, draft-ietf-httpapi-idempotency-key-header).

A retried command (same authenticated actor, same key, same request) writes nothing new
and gets the original response back; the same key with a different request is refused
(422). The table is keyed by (actor, key), so one client's keys never meet another's.

Concurrent retries produce exactly one execution: a request first *claims* the key (one
INSERT … ON CONFLICT DO NOTHING decides who wins — the primary key arbitrates, on both
stores); the others wait for the winner's stored response and replay it. A claim is a
lease: if its holder dies before storing the response, the claim expires after
``api_idempotency_claim_seconds`` and the next retry takes it over.

Only successful responses are stored. A refused command wrote nothing, so its claim is
released and a retry is decided afresh (a transient conflict may succeed the second time).

Residual window: the command's events and the stored response are two transactions. A
process that dies between them leaves an expiring claim, and the retry re-executes the
command. Creations whose id the service derives from the key (violations, appeals) then
collide on their id and are refused instead of duplicated; closing the window for every
command needs the recorder to write the key in the events' own transaction (noted for
phase 2).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from service.api.problems import ApiProblem
from service.api.tables import IDEMPOTENCY_TABLE, parse_utc, transaction, utc_text

PENDING = "pending"
DONE = "done"


def request_fingerprint(method: str, path: str, body: Any, expected_version: int | None) -> str:
    """SHA-256 of what makes two requests "the same": method, path, validated body, If-Match."""
    canonical = json.dumps(
        {"method": method, "path": path, "body": body, "if_match": expected_version},
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
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {tx.plain(IDEMPOTENCY_TABLE)} ("
                "actor TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL, "
                "claim TEXT NOT NULL, state TEXT NOT NULL, expires_at TEXT NOT NULL, "
                "status INTEGER, body TEXT, headers TEXT, created_at TEXT NOT NULL, completed_at TEXT, "
                "PRIMARY KEY (actor, idem_key))"
            )

    def _row(self, tx: Any, actor: str, key: str) -> tuple[Any, ...]:
        rows = tx.query(
            f"SELECT request_hash, claim, state, expires_at, status, body, headers "
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
                stored_hash, claim, state, expires_at, status, body, headers = self._row(tx, actor, key)
                if claim == token:
                    return Claim(actor, key, token)
                if stored_hash != request_hash:
                    raise IdempotencyKeyReused()
                if state == DONE:
                    return StoredResponse(int(status), body, json.loads(headers))
                if parse_utc(expires_at) <= now:
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

    def release(self, claim: Claim) -> None:
        """Give the key back (the command was refused and wrote nothing)."""
        with transaction(self.ledger) as tx:
            tx.execute(
                f"DELETE FROM {tx.plain(IDEMPOTENCY_TABLE)} WHERE actor = ? AND idem_key = ? AND claim = ?",
                (claim.actor, claim.key, claim.token),
            )
