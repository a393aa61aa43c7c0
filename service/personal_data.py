"""The personal-data vault: per-subject keys, sealing, revealing and erasure (PIPL).

Citizens' personal data (names, organisations, contact details, free-text details of a
consultation — ART2.5.2) is never stored in the clear. The service seals each value
before the domain sees it:

- every data subject (a pseudonymous ``client_ref``) has its own 256-bit AES key;
- a value is encrypted with AES-256-GCM under that key (random 96-bit nonce, the subject as
  associated data); the event stores ``Sealed(subject, base64(nonce ‖ ciphertext ‖ tag),
  commitment = hex SHA-256 of those bytes)``, and the ledger's canonical encoding carries
  only the subject and the commitment;
- subject keys live in the ledger's own database (table ``personal_data_keys`` on SQLite,
  ``<schema>.hallledger_personal_data_keys`` on PostgreSQL), each wrapped (AES-256-GCM)
  under a master key that lives in a file in ``settings.key_dir`` — generated on first
  use, mode 0600, never in the database and never in the repository.

Erasure (crypto-shredding): the subject's wrapped key is destroyed and a tombstone event
(``DataSubject.PersonalDataErased``) is appended **in the same database transaction**; the
events that hold the subject's sealed values stay untouched, still load, and their
commitments still verify — they simply can no longer be decrypted (``reveal`` → ``None``).

Who may read: revealing personal data is for the roles whose work needs it —
``hall_manager`` and ``staff`` (their own consultations) — never ``dashboard``,
``auditor`` or the other roles. :func:`require_may_reveal` states the rule; the HTTP layer
enforces it on every read, and reads of sealed fields by anyone else show only the
subject and the commitment. Values are never logged.

Residual copies: the database may keep the old bytes of a destroyed wrapped key in free
pages (SQLite) or dead tuples and WAL (PostgreSQL) until they are reused or vacuumed; on
SQLite the vault turns ``secure_delete`` on for its writes. Those remnants are still
wrapped under the master key, so rotating the master key (re-wrapping the live keys)
after erasures completes the shredding.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Aggregate
from eventsourcing.postgres import PostgresDatastore

from domain.envelope import Actor, Sealed
from domain.errors import InvariantViolated, NotPermitted
from domain.roles import Role
from service.settings import Settings

#: the roles whose work needs citizens' personal data (DESIGN.md "Personal data")
REVEALING_ROLES: tuple[Role, ...] = (Role.HALL_MANAGER, Role.STAFF)

SQLITE_KEYS_TABLE = "personal_data_keys"
PG_KEYS_TABLE = "hallledger_personal_data_keys"
#: PostgreSQL advisory lock serialising the idempotent table creation
_SCHEMA_LOCK_KEY = 0x4A11_0D01

_NONCE_BYTES = 12
_KEY_BYTES = 32
_VALUE_AAD = b"hall-ledger/personal-data/v1\x00"
_WRAP_AAD = b"hall-ledger/subject-key/v1\x00"


class PersonalDataKeyError(RuntimeError):
    """The master key is missing or does not match the wrapped keys (operator action needed)."""


class SubjectErased(InvariantViolated):
    """The subject's personal data was erased; new data needs a new subject reference."""

    code = "subject-erased"


def require_may_reveal(actor: Actor) -> None:
    """Refuse unless the actor's role needs personal data (hall_manager, staff)."""
    if actor.role not in REVEALING_ROLES:
        allowed = ", ".join(r.value for r in REVEALING_ROLES)
        raise NotPermitted(
            f"reading personal data needs one of the roles [{allowed}]; {actor.id} acts as {actor.role}",
            field="actor",
        )


def commitment_of(ciphertext: bytes) -> str:
    return hashlib.sha256(ciphertext).hexdigest()


def master_key_id(key: bytes) -> str:
    """Identifies the master key a subject key was wrapped under (not secret)."""
    return hashlib.sha256(b"hall-ledger/master-key-id\x00" + key).hexdigest()[:16]


class PersonalDataVault:
    """Per-subject keys in the ledger's database, wrapped by a master key kept on disk."""

    def __init__(self, recorder: Any, settings: Settings, *, clock: Callable[[], datetime] | None = None) -> None:
        self.recorder = recorder
        self.settings = settings
        #: the application's recording clock (key creation and erasure times in the key table)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.datastore = recorder.datastore
        self.postgres = isinstance(self.datastore, PostgresDatastore)
        if self.postgres:
            schema = self.datastore.schema.replace('"', '""')
            self.table = f'"{schema}"."{PG_KEYS_TABLE}"'
        else:
            self.table = f'"{SQLITE_KEYS_TABLE}"'
        self._master: bytes | None = None
        self._create_table()

    # ── storage ──────────────────────────────────────────────────────────────

    @property
    def master_key_path(self) -> Path:
        return self.settings.key_dir / f"{self.settings.hall_id}-personal-data.key"

    def _sql(self, statement: str) -> str:
        statement = statement.replace("{table}", self.table)
        return statement.replace("?", "%s") if self.postgres else statement

    @contextlib.contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=write) as cursor:
            if write and not self.postgres:
                cursor.execute("PRAGMA secure_delete = ON")
            yield cursor

    @staticmethod
    def _row(cursor: Any) -> tuple[Any, ...] | None:
        row = cursor.fetchone()
        if row is None:
            return None
        return tuple(row.values()) if isinstance(row, dict) else tuple(row)

    def _create_table(self) -> None:
        blob = "BYTEA" if self.postgres else "BLOB"
        with self._transaction(write=True) as cursor:
            if self.postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
            cursor.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {table} ("
                    "subject TEXT PRIMARY KEY, "
                    f"wrapped_key {blob}, "
                    "master_key_id TEXT NOT NULL, "
                    "created_at TEXT NOT NULL, "
                    "erased_at TEXT)"
                )
            )

    def _live_key_count(self) -> int:
        with self._transaction(write=False) as cursor:
            cursor.execute(self._sql("SELECT count(*) FROM {table} WHERE wrapped_key IS NOT NULL"))
            row = self._row(cursor)
        return int(row[0]) if row else 0

    # ── the master key (a file, never the database) ─────────────────────────

    def _master_key(self) -> bytes:
        if self._master is None:
            self._master = self._load_or_create_master_key()
        return self._master

    def _load_or_create_master_key(self) -> bytes:
        path = self.master_key_path
        if not path.exists():
            if self._live_key_count():
                raise PersonalDataKeyError(
                    f"the personal-data master key {path} is missing but the database holds wrapped "
                    "subject keys; restore the key file (a new one would make every sealed value unreadable)"
                )
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode() + "\n")
            try:
                os.link(temporary, path)  # atomic, and refuses to replace a key another process made
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
        try:
            key = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
        except (binascii.Error, ValueError):
            raise PersonalDataKeyError(f"{path} does not hold a base64 key") from None
        if len(key) != _KEY_BYTES:
            raise PersonalDataKeyError(f"{path} does not hold a 256-bit key")
        return key

    def _wrap(self, subject: str, key: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + AESGCM(self._master_key()).encrypt(nonce, key, _WRAP_AAD + subject.encode())

    def _unwrap(self, subject: str, wrapped: bytes, key_id: str) -> bytes:
        master = self._master_key()
        if key_id != master_key_id(master):
            raise PersonalDataKeyError(
                f"the key of subject {subject} was wrapped under master key {key_id}, "
                f"but {self.master_key_path} holds {master_key_id(master)}"
            )
        try:
            return AESGCM(master).decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], _WRAP_AAD + subject.encode())
        except InvalidTag:
            raise PersonalDataKeyError(f"the wrapped key of subject {subject} does not open") from None

    # ── subject keys ─────────────────────────────────────────────────────────

    def _subject_key(self, subject: str, *, create: bool) -> bytes | None:
        """The subject's key; None when it never had one (and ``create`` is off) or was erased."""
        statement = self._sql("SELECT wrapped_key, master_key_id, erased_at FROM {table} WHERE subject = ?")
        with self._transaction(write=False) as cursor:
            cursor.execute(statement, (subject,))
            row = self._row(cursor)
        if row is None and create:
            master = self._master_key()
            wrapped = self._wrap(subject, secrets.token_bytes(_KEY_BYTES))
            with self._transaction(write=True) as cursor:
                # a concurrent first seal for the same subject may win; then its key is used
                cursor.execute(
                    self._sql(
                        "INSERT INTO {table} (subject, wrapped_key, master_key_id, created_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING"
                    ),
                    (subject, wrapped, master_key_id(master), self.clock().isoformat()),
                )
                cursor.execute(statement, (subject,))
                row = self._row(cursor)
        if row is None:
            return None
        wrapped_key, key_id, erased_at = row
        if erased_at is not None or wrapped_key is None:
            if create:
                raise SubjectErased(
                    f"the personal data of {subject} was erased; record new data under a new reference",
                    field="subject",
                )
            return None
        return self._unwrap(subject, bytes(wrapped_key), key_id)

    def status(self, subject: str) -> str:
        """``active`` (has a key), ``erased`` or ``unknown``."""
        with self._transaction(write=False) as cursor:
            cursor.execute(self._sql("SELECT wrapped_key, erased_at FROM {table} WHERE subject = ?"), (subject,))
            row = self._row(cursor)
        if row is None:
            return "unknown"
        return "erased" if row[1] is not None or row[0] is None else "active"

    # ── sealing and revealing ────────────────────────────────────────────────

    def seal(self, subject: str, value: str) -> Sealed:
        """Encrypt ``value`` under the subject's key (created on first use)."""
        key = self._subject_key(subject, create=True)
        assert key is not None
        return self._seal_with(key, subject, value)

    def seal_many(self, subject: str, values: Mapping[str, str | None]) -> dict[str, Sealed | None]:
        """Seal several fields of one subject with one key lookup; ``None`` stays ``None``."""
        if all(v is None for v in values.values()):
            return dict.fromkeys(values)
        key = self._subject_key(subject, create=True)
        assert key is not None
        return {name: None if v is None else self._seal_with(key, subject, v) for name, v in values.items()}

    @staticmethod
    def _seal_with(key: bytes, subject: str, value: str) -> Sealed:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        raw = nonce + AESGCM(key).encrypt(nonce, value.encode("utf-8"), _VALUE_AAD + subject.encode())
        return Sealed(subject=subject, ciphertext=base64.b64encode(raw).decode("ascii"), commitment=commitment_of(raw))

    def reveal(self, sealed: Sealed) -> str | None:
        """The clear value, or ``None`` once the subject's data was erased.

        Callers check the reader first (:func:`require_may_reveal`); a ciphertext whose
        commitment does not match, or that does not open under the subject's key, raises.
        """
        raw = base64.b64decode(sealed.ciphertext)
        if commitment_of(raw) != sealed.commitment:
            raise ValueError(f"sealed value of {sealed.subject}: the commitment does not match the ciphertext")
        key = self._subject_key(sealed.subject, create=False)
        if key is None:
            return None
        try:
            clear = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _VALUE_AAD + sealed.subject.encode())
        except InvalidTag:
            raise ValueError(f"sealed value of {sealed.subject} does not open under the subject's key") from None
        return clear.decode("utf-8")

    def reveal_for(self, actor: Actor, sealed: Sealed | None) -> str | None:
        """:meth:`reveal` for an authenticated reader whose role needs personal data."""
        require_may_reveal(actor)
        return None if sealed is None else self.reveal(sealed)

    # ── erasure ──────────────────────────────────────────────────────────────

    def erase(self, subject: str, tombstone: Aggregate, mapper: Any) -> list[int]:
        """Destroy the subject's key and append the tombstone's events in ONE transaction.

        Returns the tombstone events' ledger positions. Raises ``SubjectErased`` when the
        subject's key is already gone and ``LookupError`` when the subject never had one.
        """
        events = tombstone.collect_events()
        stored = [mapper.to_stored_event(e) for e in events]
        select = "SELECT wrapped_key, erased_at FROM {table} WHERE subject = ?"
        with self._transaction(write=True) as cursor:
            cursor.execute(self._sql(select + (" FOR UPDATE" if self.postgres else "")), (subject,))
            row = self._row(cursor)
            if row is None:
                raise LookupError(subject)
            if row[1] is not None or row[0] is None:
                raise SubjectErased(f"the personal data of {subject} was already erased", field="subject")
            cursor.execute(
                self._sql("UPDATE {table} SET wrapped_key = NULL, erased_at = ? WHERE subject = ?"),
                (self.clock().isoformat(), subject),
            )
            return self._append(cursor, stored)

    def _append(self, cursor: Any, stored: Sequence[Any]) -> list[int]:
        """Insert stored events with the application recorder's in-transaction hooks.

        The same hooks the projection runner uses for deciding followers
        (``projections.runner.ProjectionStore._emit``): on PostgreSQL they lock the events
        table (commit order = position order) and notify subscribers.
        """
        if self.postgres:
            self.recorder._insert_stored_events(cursor, stored)
            return [int(row["notification_id"]) for row in cursor.fetchall()]
        return [int(i) for i in self.recorder._insert_events(cursor, stored)]
