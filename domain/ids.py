"""Deterministic identities.

Halls, departments, windows and staff are identified by the codes the hall already uses
(a window number, a staff number); their stream ids are UUIDv5 of those codes, so that
recording the same person twice is refused by the store itself (the second creation
clashes on version 1) and an unknown code can be told from a known one without a lookup
table. Detected candidates get ids from their cause, so detection never fires twice.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

NAMESPACE = uuid5(NAMESPACE_URL, "https://hall-ledger.example/ids")


def _id(kind: str, *parts: str) -> UUID:
    return uuid5(NAMESPACE, "/".join((kind, *parts)))


def hall_id(hall_code: str) -> UUID:
    return _id("hall", hall_code)


def department_id(hall_code: str, department_code: str) -> UUID:
    return _id("department", hall_code, department_code)


def window_id(hall_code: str, window_code: str) -> UUID:
    return _id("window", hall_code, window_code)


def staff_id(hall_code: str, staff_no: str) -> UUID:
    return _id("staff", hall_code, staff_no)


def derived_id(kind: str, *parts: str) -> UUID:
    """Id of something whose identity is its cause (a detected candidate, an alert)."""
    return _id(kind, *parts)
