"""The leaf input of a stored event: what the Merkle tree commits to.

Leaf input = UTF-8 bytes of the RFC 8785 (JCS) encoding of

    {"format": "hall-ledger-leaf/1", **projections.envelope.envelope(event, position)}

i.e. the members ``format, position, stream, version, type, occurred_at, recorded_at,
actor, hall_id, rule, data`` (sorted by JCS). Personal fields (``Sealed``) appear only as
``{"subject", "commitment"}`` — ``envelope`` is called without ``reveal`` — so erasing a
subject's key never changes a leaf. The position is inside the leaf, so a leaf cannot be
presented at another index: position p is leaf index p − 1.

``docs/ledger-format.md`` documents the bytes for outside verifiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from projections.envelope import envelope
from projections.transparency.jcs import canonicalize
from projections.transparency.merkle import hash_leaf

LEAF_FORMAT = "hall-ledger-leaf/1"
#: the leaf of a position that holds no event: PostgreSQL consumes a sequence number for an
#: insert that rolls back, so a position can be skipped for good (see ``gap_leaf_input``)
GAP_FORMAT = "hall-ledger-gap/1"


def leaf_object(event: Any, position: int) -> dict[str, Any]:
    """The JSON object a leaf encodes (what a receipt shows as ``event``)."""
    if position < 1:
        raise ValueError(f"log positions start at 1, not {position}")
    # envelope() has no "format" member; putting ours first makes a collision impossible to miss
    body = envelope(event, position)
    if "format" in body:
        raise ValueError("an envelope must not carry a 'format' member")
    return {"format": LEAF_FORMAT, **body}


def leaf_input(event: Any, position: int) -> bytes:
    """The canonical bytes of a stored event at ``position`` (the RFC 9162 leaf input)."""
    return canonicalize(leaf_object(event, position))


def gap_leaf_input(position: int) -> bytes:
    """The leaf of a position that never held an event: ``{"format":"hall-ledger-gap/1","position":p}``.

    Positions are the store's notification ids. SQLite never skips one; PostgreSQL takes
    them from a sequence, and an insert that fails (a concurrent change, a duplicate
    creation) or rolls back consumes its number for good. Once a later position is
    committed the skipped one can never appear (inserts are serialised by the library's
    table lock), so the tree commits to the gap explicitly and keeps leaf index
    ``position − 1``. An event deleted *after* the tree took it is not a gap: its leaf
    was an event leaf, and ``hall-ledger verify`` names the position.
    """
    if position < 1:
        raise ValueError(f"log positions start at 1, not {position}")
    return canonicalize({"format": GAP_FORMAT, "position": position})


def leaf_input_of(obj: Mapping[str, Any]) -> bytes:
    """The leaf input of an already-built leaf object (e.g. a receipt's ``event``)."""
    return canonicalize(obj)


def leaf_hash(leaf_input: bytes) -> bytes:
    """SHA-256(0x00 || leaf input) — RFC 9162 §2.1.1."""
    return hash_leaf(leaf_input)


def leaf_index(position: int) -> int:
    if position < 1:
        raise ValueError(f"log positions start at 1, not {position}")
    return position - 1


def leaf_position(index: int) -> int:
    if index < 0:
        raise ValueError(f"leaf indexes start at 0, not {index}")
    return index + 1
