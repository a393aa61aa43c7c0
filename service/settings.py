"""The one settings object. Nothing else in the project reads the environment.

Every setting can be given as an environment variable with the prefix ``HALL_LEDGER_``
(``HALL_LEDGER_DATABASE_URL``, ``HALL_LEDGER_SQLITE_PATH`` …) or in a ``.env`` file.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_key_dir() -> Path:
    return Path.home() / ".config" / "hall-ledger"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HALL_LEDGER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    #: PostgreSQL in production (``postgresql://user:pass@host:5432/dbname``); when unset,
    #: the embedded SQLite file at ``sqlite_path`` is used.
    database_url: str | None = None
    sqlite_path: Path = Path("hall-ledger.db")
    #: PostgreSQL schema holding the ledger's tables (one schema per deployment or test)
    postgres_schema: str = "public"
    postgres_pool_size: int = Field(default=5, ge=1, le=100)
    postgres_max_overflow: int = Field(default=10, ge=0, le=200)

    #: the hall this deployment serves; every event carries it
    hall_id: str = Field(default="beihai", pattern=r"^[a-z][a-z0-9-]{1,31}$")
    #: how far ``occurred_at`` may lie ahead of the server clock
    clock_skew_seconds: int = Field(default=120, ge=0, le=3600)

    #: where ``hall-ledger init`` writes the checkpoint signing key (never the database,
    #: never the repository)
    key_dir: Path = Field(default_factory=default_key_dir)
    #: the log's origin line in signed checkpoints (C2SP tlog-checkpoint)
    ledger_origin: str = "hall-ledger.example/beihai"
    #: a checkpoint is signed at the end of a batch once the tree grew by this many leaves …
    ledger_checkpoint_every_leaves: int = Field(default=1000, ge=1)
    #: … or this many seconds passed since the last one (and the tree grew)
    ledger_checkpoint_every_seconds: float = Field(default=60.0, gt=0)

    # ── the HTTP service (``hall-ledger serve``) ──
    #: largest request body accepted, in bytes; a larger one is refused with 413
    api_max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    #: seconds between heartbeat comments on an idle event stream (SSE)
    api_sse_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    #: how often an event stream looks for new events in the log, in seconds
    api_sse_poll_seconds: float = Field(default=0.5, gt=0, le=30)
    #: how long an unfinished Idempotency-Key claim holds the key before a retry may take it over
    api_idempotency_claim_seconds: int = Field(default=30, ge=1, le=3600)
    #: /readyz reports not ready when a read model lags the log by more events than this
    api_ready_max_lag: int = Field(default=10_000, ge=0)
    #: how long a query with ``after_position`` waits for the read models to reach it, in seconds
    api_read_wait_seconds: float = Field(default=5.0, ge=0, le=60)
    #: a query brings a read model nobody runs up to date itself when it lags by at most this many events
    api_read_catch_up_max_events: int = Field(default=50_000, ge=0)
    #: how long idempotency keys (and the responses stored under them) are kept, in hours
    api_idempotency_retention_hours: int = Field(default=72, ge=1, le=24 * 366)

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        scheme = urlsplit(value).scheme
        if scheme not in ("postgresql", "postgres"):
            raise ValueError("HALL_LEDGER_DATABASE_URL must be a postgresql:// URL")
        return value

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def clock_skew(self) -> timedelta:
        return timedelta(seconds=self.clock_skew_seconds)

    @property
    def signing_key_path(self) -> Path:
        return self.key_dir / f"{self.hall_id}-checkpoint.key"

    def postgres_parts(self) -> dict[str, str]:
        """The URL split into the parts eventsourcing's PostgreSQL factory expects."""
        assert self.database_url is not None
        url = urlsplit(self.database_url)
        return {
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
        }

    def describe_store(self) -> str:
        if self.uses_postgres:
            parts = self.postgres_parts()
            return (
                f"PostgreSQL {parts['POSTGRES_USER']}@{parts['POSTGRES_HOST']}:{parts['POSTGRES_PORT']}"
                f"/{parts['POSTGRES_DBNAME']} (schema {self.postgres_schema})"
            )
        return f"SQLite {self.sqlite_path}"
