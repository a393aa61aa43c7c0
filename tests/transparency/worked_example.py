"""The worked example of ``docs/ledger-format.md``, regenerated from the code.

``python -m tests.transparency.worked_example`` prints the example blocks; ``test_format_doc``
checks that the document still shows exactly these bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.envelope import CHINA_STANDARD_TIME, Actor, CommandContext
from domain.ids import department_id, hall_id
from domain.organisation import Department, Hall
from projections.transparency.bundle import build_receipt
from projections.transparency.keys import SigningKey
from projections.transparency.leaf import leaf_hash, leaf_input
from projections.transparency.merkle import MemoryTree, consistency_proof
from projections.transparency.note import Checkpoint, sign_checkpoint

ORIGIN = "hall-ledger.example/beihai"
#: a published key for the example only: anyone can sign with it, so never trust it
EXAMPLE_KEY = SigningKey(
    ORIGIN, Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"hall-ledger worked example key").digest())
)


@dataclass(frozen=True)
class Example:
    leaves: list[bytes]
    leaf_hashes: list[bytes]
    root: bytes
    signed_checkpoint: str
    bundle: str
    receipt: str
    root_2: bytes
    consistency_2_3: list[bytes]


def first_events() -> list[object]:
    """The hall's first three events, recorded at 09:00 China Standard Time on 5 January 2025."""
    when = datetime(2025, 1, 5, 9, 0, tzinfo=CHINA_STANDARD_TIME)
    ctx = CommandContext.make(
        actor=Actor("mgr-zhang", "hall_manager"), occurred_at=when, recorded_at=when, hall_id="beihai"
    )
    hall = Hall.establish(
        ctx, id=hall_id("beihai"), code="beihai", name_zh="北海行政审批中心", name_en="Beihai Approval Center"
    )
    tax = Department.register(
        ctx, id=department_id("beihai", "tax"), code="tax", name_zh="税务局", name_en="Taxation", uniformed=True
    )
    market = Department.register(
        ctx,
        id=department_id("beihai", "market"),
        code="market",
        name_zh="市场监管局",
        name_en="Market regulation",
        uniformed=True,
    )
    return [*hall.collect_events(), *tax.collect_events(), *market.collect_events()]


def example() -> Example:
    leaves = [leaf_input(event, position) for position, event in enumerate(first_events(), start=1)]
    hashes = [leaf_hash(data) for data in leaves]
    tree = MemoryTree.of(hashes)
    signed = sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root), EXAMPLE_KEY)
    receipt = build_receipt([(2, leaves[1])], tree, signed, EXAMPLE_KEY.verifier_key)
    small = MemoryTree.of(hashes[:2])
    return Example(
        leaves=leaves,
        leaf_hashes=hashes,
        root=tree.root,
        signed_checkpoint=signed,
        bundle=receipt.entries[0].proof.text,
        receipt=receipt.text,
        root_2=small.root,
        consistency_2_3=consistency_proof(tree, 2, 3),
    )


def main() -> None:
    e = example()
    print("verifier key:", EXAMPLE_KEY.verifier_key)
    print("signer key:  ", EXAMPLE_KEY.signer_key())
    for n, (data, digest) in enumerate(zip(e.leaves, e.leaf_hashes, strict=True)):
        print(f"\nleaf {n} ({len(data)} bytes):\n{data.decode()}\nleaf hash: {digest.hex()}")
    print(f"\nroot(2): {e.root_2.hex()}\nroot(3): {e.root.hex()}")
    print("consistency 2 → 3:", [h.hex() for h in e.consistency_2_3])
    print(f"\nsigned checkpoint:\n{e.signed_checkpoint}")
    print(f"bundle:\n{e.bundle}")
    print(f"receipt:\n{e.receipt}")


if __name__ == "__main__":
    main()
