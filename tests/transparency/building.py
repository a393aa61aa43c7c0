"""A small real ledger, its leaves, its tree and a signed checkpoint — for the ledger tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.transparency.keys import SigningKey
from projections.transparency.leaf import leaf_hash, leaf_input
from projections.transparency.merkle import MemoryTree
from projections.transparency.note import Checkpoint, sign_checkpoint
from service.application import HallLedger
from service.eventlog import iter_events
from tests.givens import COMMITTEE, MANAGER, at, given_confirmed_violation, given_hall, given_staff

ORIGIN = "hall-ledger.example/beihai"
CLIENT_NAME = "张三丰"
CLIENT_CONTACT = "13912345678"


def record_small_history(ledger: HallLedger) -> list[tuple[int, Any]]:
    """*Given* a hall, 王芳 posted at its tax window, a confirmed ART2.1 breach and a
    consultation whose client's name and contact are personal data; returns the log."""
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    given_confirmed_violation(ledger, staff)
    ledger.record_consultation(
        MANAGER, staff_id=staff, client_name=CLIENT_NAME, client_contact=CLIENT_CONTACT,
        matter="企业设立登记需要哪些材料", occurred_at=at(10, 8, 8, 30),
    )  # fmt: skip
    return list(iter_events(ledger))


@dataclass
class Log:
    key: SigningKey
    #: leaf inputs by leaf index (position − 1)
    leaves: list[bytes]
    tree: MemoryTree
    signed_checkpoint: str

    @property
    def verifier_key(self) -> str:
        return self.key.verifier_key


def build_log(events: list[tuple[int, Any]], key: SigningKey) -> Log:
    assert [p for p, _ in events] == list(range(1, len(events) + 1)), "the log is gap-free from position 1"
    return log_of([leaf_input(event, position) for position, event in events], key)


def log_of(leaves: list[bytes], key: SigningKey) -> Log:
    """The tree over these leaf inputs and its checkpoint signed by ``key``."""
    tree = MemoryTree.of(leaf_hash(data) for data in leaves)
    return Log(key, leaves, tree, sign_checkpoint(Checkpoint(key.name, tree.size, tree.root), key))


@dataclass
class Suspension:
    """王芳 admonished for a first breach, then suspended (待岗) for a repeat after the warning."""

    staff: UUID
    first: UUID
    admonishment: UUID
    repeat: UUID
    decision: UUID
    #: the positions of the events behind the suspension, in log order
    positions: list[int]


def given_suspension(ledger: HallLedger) -> Suspension:
    hall = given_hall(ledger)  # 1–7
    staff = given_staff(ledger, hall)  # 8, 9
    first = given_confirmed_violation(ledger, staff, rule="ART2.1", when=at(10, 1))  # 10, 11
    admonishment = ledger.issue_admonishment(
        MANAGER, staff_id=staff, basis=[first], remedy="retraining on first inquiry", remedy_due=date(2026, 10, 9),
        occurred_at=at(10, 2),
    ).extra["admonishment_id"]  # 12  # fmt: skip
    other = given_staff(ledger, hall, staff_no="S002", name="李强", window=hall.tax_window_2)  # 13, 14
    given_confirmed_violation(ledger, other, rule="ART2.1", when=at(10, 3))  # 15, 16: someone else's
    repeat = given_confirmed_violation(
        ledger, staff, rule="ART2.1.2", item="result_not_communicated", when=at(10, 6)
    )  # 17, 18
    decision = ledger.decide_suspension(
        COMMITTEE, staff_id=staff, basis=[first, repeat], start=date(2026, 10, 8), until=date(2026, 11, 8),
        occurred_at=at(10, 7),
    ).extra["decision_id"]  # 19  # fmt: skip
    return Suspension(staff, first, admonishment, repeat, decision, [10, 11, 12, 17, 18, 19])
