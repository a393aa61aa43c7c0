"""API tokens: bearer credentials with a role, stored only as SHA-256 hashes.

A token names a person or system (``name``, e.g. ``insp-li``) and the role it acts in; that
name is the ``actor.id`` of every event recorded with it. A staff token also carries the
staff member's id, so that a member of staff can file appeals for themselves. Tokens are
created and revoked with the CLI (``hall-ledger token …``); the plaintext is shown once and
never stored. Rotating a credential is revoke + create with the same name: the identity in
the ledger stays the same.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.envelope import Actor
from domain.errors import AlreadyExists, InvalidInput
from domain.roles import Role
from service.api.tables import TOKENS_TABLE, parse_utc, transaction, utc_text

TOKEN_PREFIX = "hlt_"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: roles a token may hold (``system`` is the ledger's own, never a credential's)
TOKEN_ROLES = tuple(r.value for r in Role if r is not Role.SYSTEM)


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: the authenticated token's identity."""

    name: str
    role: str
    staff_id: UUID | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.name, role=self.role)


@dataclass(frozen=True)
class TokenRecord:
    name: str
    role: str
    staff_id: UUID | None
    created_at: datetime
    revoked_at: datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class TokenStore:
    def __init__(self, ledger: Any, clock: Callable[[], datetime] | None = None) -> None:
        self.ledger = ledger
        self.clock = clock or ledger.clock

    def create_table(self) -> None:
        with transaction(self.ledger) as tx:
            table = tx.plain(TOKENS_TABLE)
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (token_hash TEXT PRIMARY KEY, name TEXT NOT NULL, "
                "role TEXT NOT NULL, staff_id TEXT, created_at TEXT NOT NULL, revoked_at TEXT)"
            )
            # one active token per name: the name is an identity in the ledger
            tx.execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {TOKENS_TABLE}_active_name ON {table} (name) "
                "WHERE revoked_at IS NULL"
            )

    def create(self, *, name: str, role: str, staff_id: UUID | None = None) -> tuple[str, TokenRecord]:
        """A new token; returns its plaintext (shown once) and its record."""
        if not NAME_PATTERN.match(name):
            raise InvalidInput(
                "a token name is 2–64 characters: lower-case letters, digits, '.', '_' or '-'", field="name"
            )
        if role not in TOKEN_ROLES:
            raise InvalidInput(f"role must be one of {', '.join(TOKEN_ROLES)}", field="role")
        if role == Role.STAFF and staff_id is None:
            raise InvalidInput("a staff token names the staff member it belongs to (--staff-id)", field="staff_id")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        created = self.clock()
        with transaction(self.ledger) as tx:
            table = tx.plain(TOKENS_TABLE)
            if tx.query(f"SELECT 1 FROM {table} WHERE name = ? AND revoked_at IS NULL", (name,)):
                raise AlreadyExists(f"an active token named {name!r} exists; revoke it first", field="name")
            tx.execute(
                f"INSERT INTO {table} (token_hash, name, role, staff_id, created_at, revoked_at) "
                "VALUES (?, ?, ?, ?, ?, NULL)",
                (token_hash(token), name, role, str(staff_id) if staff_id else None, utc_text(created)),
            )
        return token, TokenRecord(name, role, staff_id, created, None)

    def revoke(self, name: str) -> int:
        """Revoke the active token of ``name``; returns how many were revoked (0 or 1)."""
        with transaction(self.ledger) as tx:
            table = tx.plain(TOKENS_TABLE)
            found = tx.query(f"SELECT token_hash FROM {table} WHERE name = ? AND revoked_at IS NULL", (name,))
            if found:
                tx.execute(
                    f"UPDATE {table} SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                    (utc_text(self.clock()), name),
                )
        return len(found)

    def list(self) -> list[TokenRecord]:
        with transaction(self.ledger, commit=False) as tx:
            rows = tx.query(
                f"SELECT name, role, staff_id, created_at, revoked_at FROM {tx.plain(TOKENS_TABLE)} "
                "ORDER BY name, created_at"
            )
        return [
            TokenRecord(
                name=r[0],
                role=r[1],
                staff_id=UUID(r[2]) if r[2] else None,
                created_at=parse_utc(r[3]),
                revoked_at=parse_utc(r[4]) if r[4] else None,
            )
            for r in rows
        ]

    def authenticate(self, token: str) -> Principal | None:
        """The principal of an active token, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        return self._principal("token_hash", token_hash(token))

    def active(self, name: str) -> Principal | None:
        """The principal behind the active token named ``name`` (e.g. a reviewer to assign)."""
        return self._principal("name", name)

    def _principal(self, column: str, value: str) -> Principal | None:
        with transaction(self.ledger, commit=False) as tx:
            rows = tx.query(
                f"SELECT name, role, staff_id FROM {tx.plain(TOKENS_TABLE)} WHERE {column} = ? AND revoked_at IS NULL",
                (value,),
            )
        if not rows:
            return None
        name, role, staff_id = rows[0]
        return Principal(name=name, role=role, staff_id=UUID(staff_id) if staff_id else None)
