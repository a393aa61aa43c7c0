"""Driving the read models in tests: project the log, read rows, compare whole models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from projections.base import ReadModel
from projections.registry import select
from projections.runner import ProjectionRunner, ProjectionStore
from service.application import HallLedger

#: the person-centred read models of this package (the registry also holds others' models)
MODELS = ["subject_index", "staff_records", "escalation", "assessment", "kpis"]


def models(*names: str) -> list[ReadModel]:
    return select(list(names) or MODELS)


def project(ledger: HallLedger, *names: str, batch_size: int = 2000) -> ProjectionRunner:
    """*When* the read models catch up with the log."""
    runner = ProjectionRunner(ledger, models(*names), batch_size=batch_size)
    runner.prepare()
    runner.catch_up()
    return runner


def rows(ledger: HallLedger, table: str, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The rows of a model table as dicts (JSON columns decoded), in key order."""
    store = ProjectionStore(ledger)
    with store.transaction() as tx:
        tx.execute(f"SELECT * FROM {{t:{table}}} {where} ORDER BY 1, 2", params)
        found = [dict(row) for row in tx.cursor.fetchall()]  # sqlite3.Row / psycopg dict rows
    return [{k: _plain(v) for k, v in row.items()} for row in found]


def one(ledger: HallLedger, table: str, where: str = "", params: Sequence[Any] = ()) -> dict[str, Any]:
    found = rows(ledger, table, where, params)
    assert len(found) == 1, f"expected one row of {table} {where} {params}, found {len(found)}"
    return found[0]


def _plain(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "is_finite"):  # Decimal (PostgreSQL NUMERIC)
        return float(value)
    return value


def snapshot(ledger: HallLedger, names: Sequence[str] = MODELS) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the models, normalised (JSON decoded, numbers as floats)."""
    store = ProjectionStore(ledger)
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.transaction() as tx:
        for model in select(list(names)):
            for table in model.tables:
                found = tx.query(f"SELECT * FROM {{t:{table.name}}}")
                out[table.name] = sorted((tuple(_plain(v) for v in row) for row in found), key=repr)
    return out


def differences(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> dict[str, tuple[int, int, list[Any]]]:
    """Tables whose rows differ: (rows in a, rows in b, a few rows only one side has)."""
    out = {}
    for table in sorted(set(a) | set(b)):
        left, right = a.get(table, []), b.get(table, [])
        if left != right:
            only = [r for r in left if r not in right][:2] + [r for r in right if r not in left][:2]
            out[table] = (len(left), len(right), only)
    return out


def positions_of(ledger: HallLedger, stream_id: Any) -> list[int]:
    """The ledger positions of one stream's events."""
    return [n.id for n in ledger.recorder.select_notifications(1, 1_000_000) if n.originator_id == stream_id]
