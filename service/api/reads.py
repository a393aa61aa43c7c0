"""Reading the read models over HTTP: freshness (read-your-writes) and the rows as JSON.

The read models (``projections/``, docs/read-models.md) live in the ledger's database and
are kept up to date by a runner — ``hall-ledger serve`` starts one, ``hall-ledger project``
is another. A query answers from the tables as they stand and says how far they have read
(``position``) and as of which record time they were derived (``as_of``).

Read-your-writes: a client that wrote at position P sends ``?after_position=P`` (a command's
answer lists its ``positions``). The query then waits until every model it reads has folded
P — briefly, ``api_read_wait_seconds``. When no runner holds a model (a test, a process
without ``serve``), the query brings the model up to date itself if it lags by at most
``api_read_catch_up_max_events``: the same runner code, under the model's writer lock, so a
runner that starts meanwhile simply waits for it. A position beyond the log's head is 422;
a model that cannot catch up in time is 503 ``read-model-behind`` with ``Retry-After``.
A model whose tables were never built is built the same way (or 503 ``read-model-unavailable``).

Values: scores are exact decimal strings with two places (SQLite may store ``97.5`` as a
float: it is read back through its shortest decimal form), booleans are booleans on both
stores, JSON columns are parsed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query

from domain.errors import InvalidInput
from projections.base import ReadModel, Tx
from projections.registry import select
from projections.runner import ProjectionRunner, ProjectionStore
from service.api.models import ValidTime
from service.api.problems import ApiProblem
from service.settings import Settings

CENT = Decimal("0.01")
#: the largest ledger position a query may name
MAX_POSITION = 2**62


class ReadModelUnavailable(ApiProblem):
    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(
            503,
            "read-model-unavailable",
            f"the read model(s) {', '.join(names)} are not built yet; `hall-ledger serve` (or `hall-ledger project`) "
            "builds them — retry shortly",
            headers={"Retry-After": "2"},
        )


class ReadModelBehind(ApiProblem):
    def __init__(self, names: Sequence[str], position: int, wanted: int) -> None:
        super().__init__(
            503,
            "read-model-behind",
            f"the read model(s) {', '.join(names)} have read the log up to position {position}, not yet {wanted}; "
            "retry shortly",
            field="after_position",
            headers={"Retry-After": "1"},
        )


class ReadModels:
    """The read models of one process, as the routes query them."""

    def __init__(self, ledger: Any, settings: Settings) -> None:
        self.ledger = ledger
        self.settings = settings
        self._store: ProjectionStore | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> ProjectionStore:
        with self._lock:  # the store creates its control tables once
            if self._store is None:
                self._store = ProjectionStore(self.ledger)
            return self._store

    # ── freshness ────────────────────────────────────────────────────────────

    def _built(self, tx: Tx, models: Sequence[ReadModel]) -> bool:
        """Every model's tables exist at the model's current version."""
        store = self.store
        for model in models:
            row = tx.query(f"SELECT version FROM {tx.plain('projection_meta')} WHERE name = ?", (model.name,))
            if not row or int(row[0][0]) != model.version:
                return False
            if any(not store.table_exists(tx, table.name) for table in model.tables):
                return False
        return True

    def _catch_up(self, models: Sequence[ReadModel], lag: int) -> bool:
        """Bring the models up to the head ourselves when nobody runs them (True: done)."""
        if lag > self.settings.api_read_catch_up_max_events:
            return False
        store = self.store
        with store.lock([m.name for m in models], wait=False) as held:
            if not held:
                return False
            runner = ProjectionRunner(self.ledger, models, store=store)
            runner.prepare()
            runner.catch_up()
        return True

    def ready(self, names: Sequence[str], after_position: int | None = None) -> int:
        """Wait until the models are built and have read ``after_position``; their position."""
        store = self.store
        head = store.head()
        if after_position is not None and after_position > head:
            raise InvalidInput(
                f"after_position {after_position} lies beyond the log's head ({head})", field="after_position"
            )
        models = select(list(names))
        wanted = after_position or 0
        deadline = time.monotonic() + self.settings.api_read_wait_seconds
        while True:
            with store.transaction() as tx:
                built = self._built(tx, models)
            position = min(store.tracked(n) for n in names)
            if built and position >= wanted:
                return position
            if self._catch_up(models, store.head() - position):
                continue
            if time.monotonic() >= deadline:
                if not built:
                    raise ReadModelUnavailable(names)
                raise ReadModelBehind(names, position, wanted)
            time.sleep(0.05)

    def as_of(self, tx: Tx, name: str) -> str | None:
        """The record time a model's rows are derived as of (``<model>_as_of``)."""
        rows = tx.query(f"SELECT as_of FROM {{t:{name}_as_of}}")
        return str(rows[0][0]) if rows and rows[0][0] is not None else None


# ── values ────────────────────────────────────────────────────────────────────


def score(value: Any) -> str | None:
    """An exact decimal score as text with two places (``97.50``)."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(CENT))


def flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def parsed(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def select_rows(
    tx: Tx,
    table: str,
    columns: Sequence[str],
    where: str = "",
    params: Sequence[Any] = (),
    *,
    order: str = "",
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Rows of a read model's table as dicts keyed by column (``?`` placeholders in ``where``)."""
    sql = f"SELECT {', '.join(columns)} FROM {{t:{table}}}"
    if where:
        sql += f" WHERE {where}"
    if order:
        sql += f" ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return [dict(zip(columns, row, strict=True)) for row in tx.query(sql, params)]


def parse_known_at(value: str | None) -> datetime | int | None:
    """``known_at``: a record time (RFC 3339 with a timezone) or a ledger position."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        if len(text) > 19 or int(text) > MAX_POSITION:
            raise InvalidInput("known_at is beyond any ledger position", field="known_at")
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            "known_at is a record time with a timezone (2026-10-05T18:00:00+08:00) or a ledger position",
            field="known_at",
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput("known_at must carry a timezone (…+08:00 or …Z)", field="known_at")
    if not 2000 <= moment.year <= 2100:
        raise InvalidInput("known_at must lie between 2000 and 2100", field="known_at")
    return moment


# ── query parameters shared by the read routes ────────────────────────────────

AfterPosition = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_POSITION,
        description="read your writes: answer only once the read model has folded this ledger position "
        "(a command's `positions`); 503 read-model-behind if it cannot within a few seconds",
    ),
]
AsOf = Annotated[
    ValidTime | None,
    Query(description="valid time (RFC 3339 with a timezone): only what happened by then counts"),
]
KnownAt = Annotated[
    str | None,
    Query(
        max_length=40,
        description="record time (RFC 3339 with a timezone) or a ledger position: only what the ledger had "
        "recorded by then counts",
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="at most this many rows")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="skip this many rows")]
