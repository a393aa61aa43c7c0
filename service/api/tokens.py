"""API tokens: bearer credentials with a role, stored only as SHA-256 hashes.

A token names a person or system (``name``, e.g. ``insp-li``) and the role it acts in; that
name is the ``actor.id`` of every event recorded with it. A token may be *bound* to a staff
member (``staff_id``; required for the ``staff`` role, optional for the others): the bound
person is the ``actor.person`` of its events, so ownership ("a staff token acts on its own
records only", :mod:`domain.ownership`) and separation of duties (four eyes, an appeal
reviewer never reviews what they recorded: :meth:`domain.envelope.Actor.same_person`) compare
people, not token names. The staff member must exist in the ledger when the token is made.

A token may expire (``expires_at``): after it, the API answers 401 (``token expired``) as for
a revoked token. Tokens are created and revoked with the CLI (``hall-ledger token …``); the
plaintext is shown once and never stored. Rotating a credential is revoke + create with the
same name: the identity in the ledger stays the same.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.envelope import Actor
from domain.errors import AlreadyExists, InvalidInput, InvariantViolated
from domain.roles import Role
from domain.staff import LEFT, StaffMember
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
    #: the staff member the token is bound to (always for ``staff``; optional for other roles)
    staff_id: UUID | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.name, role=self.role, person=self.staff_id)


@dataclass(frozen=True)
class TokenRecord:
    name: str
    role: str
    staff_id: UUID | None
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


#: ``30d``, ``12h``, ``90m``, ``2w``: how long a token lives (``--expires-in``)
_DURATION = re.compile(r"^\s*([1-9][0-9]{0,5})\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: the longest life a token may be given
LONGEST_LIFE = timedelta(days=3 * 366)


def parse_duration(text: str, field: str = "expires_in") -> timedelta:
    """``30d`` → 30 days; minutes (m), hours (h), days (d) or weeks (w)."""
    found = _DURATION.match(text.lower())
    if not found:
        raise InvalidInput(f"{text!r} is not a duration: a number and a unit m, h, d or w (e.g. 30d, 12h)", field=field)
    life = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    if life > LONGEST_LIFE:
        raise InvalidInput("a token lives at most three years", field=field)
    return life


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
                "role TEXT NOT NULL, staff_id TEXT, created_at TEXT NOT NULL, revoked_at TEXT, expires_at TEXT)"
            )
            # tables made before tokens could expire get the column (NULL: never expires)
            if tx.dialect == "postgres":
                tx.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS expires_at TEXT")
            elif "expires_at" not in {row[1] for row in tx.query(f"PRAGMA table_info({TOKENS_TABLE})")}:
                tx.execute(f"ALTER TABLE {table} ADD COLUMN expires_at TEXT")
            # one active token per name: the name is an identity in the ledger
            tx.execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {TOKENS_TABLE}_active_name ON {table} (name) "
                "WHERE revoked_at IS NULL"
            )

    def create(
        self,
        *,
        name: str,
        role: str,
        staff_id: UUID | None = None,
        expires_in: timedelta | None = None,
        require_person: bool = True,
    ) -> tuple[str, TokenRecord]:
        """A new token; returns its plaintext (shown once) and its record.

        ``staff_id`` binds the token to a staff member, who must be on the ledger (and not have
        left the hall) — ``require_person=False`` only for test fixtures that bind a token before
        the person is recorded; ``expires_in`` gives it a life (none: until revoked).
        """
        if not NAME_PATTERN.match(name):
            raise InvalidInput(
                "a token name is 2–64 characters: lower-case letters, digits, '.', '_' or '-'", field="name"
            )
        if role not in TOKEN_ROLES:
            raise InvalidInput(f"role must be one of {', '.join(TOKEN_ROLES)}", field="role")
        if role == Role.STAFF and staff_id is None:
            raise InvalidInput("a staff token names the staff member it belongs to (--staff-id)", field="staff_id")
        if staff_id is not None and require_person:
            self._check_person(staff_id)
        if expires_in is not None and not timedelta(0) < expires_in <= LONGEST_LIFE:
            raise InvalidInput("a token's life is positive and at most three years", field="expires_in")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        created = self.clock()
        expires = created + expires_in if expires_in is not None else None
        with transaction(self.ledger) as tx:
            table = tx.plain(TOKENS_TABLE)
            if tx.query(f"SELECT 1 FROM {table} WHERE name = ? AND revoked_at IS NULL", (name,)):
                raise AlreadyExists(f"an active token named {name!r} exists; revoke it first", field="name")
            tx.execute(
                f"INSERT INTO {table} (token_hash, name, role, staff_id, created_at, revoked_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, NULL, ?)",
                (
                    token_hash(token), name, role, str(staff_id) if staff_id else None, utc_text(created),
                    utc_text(expires) if expires else None,
                ),
            )  # fmt: skip
        return token, TokenRecord(name, role, staff_id, created, None, expires)

    def _check_person(self, staff_id: UUID) -> None:
        """A token is bound only to a staff member on the ledger who has not left the hall."""
        staff = self.ledger.load(StaffMember, staff_id, what="staff member", field="staff_id")
        if staff.status == LEFT:
            raise InvariantViolated(f"{staff.name} ({staff.staff_no}) has left the hall", field="staff_id")

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
                f"SELECT name, role, staff_id, created_at, revoked_at, expires_at FROM {tx.plain(TOKENS_TABLE)} "
                "ORDER BY name, created_at"
            )
        return [
            TokenRecord(
                name=r[0],
                role=r[1],
                staff_id=UUID(r[2]) if r[2] else None,
                created_at=parse_utc(r[3]),
                revoked_at=parse_utc(r[4]) if r[4] else None,
                expires_at=parse_utc(r[5]) if r[5] else None,
            )
            for r in rows
        ]

    def authenticate(self, token: str) -> Principal | None:
        """The principal of an active, unexpired token, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        return self._principal("token_hash", token_hash(token))

    def expired(self, token: str) -> bool:
        """The token is unrevoked but past its expiry (to tell the client why it is refused)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return False
        with transaction(self.ledger, commit=False) as tx:
            rows = tx.query(
                f"SELECT expires_at FROM {tx.plain(TOKENS_TABLE)} WHERE token_hash = ? AND revoked_at IS NULL",
                (token_hash(token),),
            )
        return bool(rows) and rows[0][0] is not None and parse_utc(rows[0][0]) <= self.clock()

    def active(self, name: str) -> Principal | None:
        """The principal behind the active token named ``name`` (e.g. a reviewer to assign)."""
        return self._principal("name", name)

    def _principal(self, column: str, value: str) -> Principal | None:
        with transaction(self.ledger, commit=False) as tx:
            rows = tx.query(
                f"SELECT name, role, staff_id, expires_at FROM {tx.plain(TOKENS_TABLE)} "
                f"WHERE {column} = ? AND revoked_at IS NULL",
                (value,),
            )
        if not rows:
            return None
        name, role, staff_id, expires_at = rows[0]
        if expires_at is not None and parse_utc(expires_at) <= self.clock():
            return None
        return Principal(name=name, role=role, staff_id=UUID(staff_id) if staff_id else None)
