"""Writing many rows at once on both stores (rebuilds write hundreds of thousands).

SQLite: ``executemany`` in the transaction (one prepared statement). PostgreSQL: ``COPY …
FROM STDIN`` — an order of magnitude faster than ``executemany`` for bulk loads. Rows go
in chunks so that a generator of rows never has to be held in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from projections.base import Tx

CHUNK = 20_000


def insert_rows(tx: Tx, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into the model table ``table`` (a ``{t:…}`` name); returns the count."""
    iterator = iter(rows)
    count = 0
    if tx.dialect == "postgres":
        statement = f"COPY {tx.table(table)} ({', '.join(columns)}) FROM STDIN"
        with tx.cursor.copy(statement) as copy:
            for row in iterator:
                copy.write_row(row)
                count += 1
        return count
    statement = f"INSERT INTO {{t:{table}}} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    while True:
        chunk = list(islice(iterator, CHUNK))
        if not chunk:
            return count
        tx.executemany(statement, chunk)
        count += len(chunk)
