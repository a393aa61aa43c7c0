"""c2sp.org/tlog-proof@v1 bundles and hall-ledger receipts: round trips, strict parsing,
and every kind of tampering named by position."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from projections.transparency.bundle import (
    PROOF_HEADER,
    BundleError,
    ProofBundle,
    Receipt,
    ReceiptError,
    build_receipt,
    inclusion_bundles,
)
from projections.transparency.jcs import canonicalize
from projections.transparency.keys import SigningKey
from projections.transparency.leaf import leaf_hash
from projections.transparency.merkle import MemoryTree, ProofError, hash_leaf
from projections.transparency.note import Checkpoint, NoteError, sign_checkpoint
from service.application import HallLedger
from tests.transparency.building import ORIGIN, Log, build_log, record_small_history


@pytest.fixture(scope="module")
def hall_key() -> SigningKey:
    return SigningKey.generate(ORIGIN)


@pytest.fixture
def small_tree(hall_key: SigningKey) -> tuple[MemoryTree, str]:
    tree = MemoryTree.of(hash_leaf(bytes([i])) for i in range(11))
    return tree, sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root), hall_key)


def test_a_bundle_is_header_index_hashes_blank_line_checkpoint(small_tree: tuple[MemoryTree, str]) -> None:
    tree, signed = small_tree
    [bundle] = inclusion_bundles(tree, [6], signed)
    lines = bundle.text.split("\n")
    assert lines[0] == PROOF_HEADER and lines[1] == "index 6"
    assert [base64.b64decode(line) for line in lines[2:6]] == list(bundle.inclusion_path)
    assert lines[6] == "" and "\n".join(lines[7:]) == signed
    assert ProofBundle.parse(bundle.text) == bundle
    with_extra = ProofBundle(6, bundle.inclusion_path, signed, extra=b"sanction 2026-0042")
    assert with_extra.text.split("\n")[1] == "extra " + base64.b64encode(b"sanction 2026-0042").decode()
    assert ProofBundle.parse(with_extra.text) == with_extra


def test_bundles_for_many_leaves_come_from_one_read(small_tree: tuple[MemoryTree, str], hall_key: SigningKey) -> None:
    tree, signed = small_tree
    before = tree.reads
    bundles = inclusion_bundles(tree, list(range(11)), signed)
    assert tree.reads == before + 1
    for index, bundle in enumerate(bundles):
        checkpoint = bundle.verify(hash_leaf(bytes([index])), hall_key.verifier_key, origin=ORIGIN)
        assert checkpoint.size == 11
    with pytest.raises(ProofError):
        bundles[3].verify(hash_leaf(b"\x04"), hall_key.verifier_key)
    with pytest.raises(NoteError):
        bundles[3].verify(hash_leaf(b"\x03"), SigningKey.generate(ORIGIN).verifier_key)


def test_a_single_leaf_tree_has_an_empty_path(hall_key: SigningKey) -> None:
    tree = MemoryTree.of([hash_leaf(b"only")])
    signed = sign_checkpoint(Checkpoint(ORIGIN, 1, tree.root), hall_key)
    [bundle] = inclusion_bundles(tree, [0], signed)
    assert bundle.text == f"{PROOF_HEADER}\nindex 0\n\n{signed}"
    assert ProofBundle.parse(bundle.text).verify(hash_leaf(b"only"), hall_key.verifier).size == 1


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda t: t.replace(PROOF_HEADER, "c2sp.org/tlog-proof@v2"), "starts with"),
        (lambda t: t.replace("index 6", "index 06"), "leading zeros"),
        (lambda t: t.replace("index 6", "index -6"), "leading zeros"),
        (lambda t: t.replace("index 6", "index  6"), "leading zeros"),
        (lambda t: t.replace("index 6", "Index 6"), "index <n>"),
        (lambda t: t.replace("index 6\n", ""), "index <n>"),
        (lambda t: t.replace("index 6", "extra !!\nindex 6"), "base64"),
        (lambda t: t.replace("\n\n", "\n", 1), "no blank line|index|base64|bytes"),
        (lambda t: t.split("\n")[0] + "\nindex 6\n" + "AAAA\n" + t.split("\n", 2)[2], "bytes, not 32"),
    ],
)
def test_malformed_bundles_are_refused(
    small_tree: tuple[MemoryTree, str], mangle: Callable[[str], str], message: str
) -> None:
    tree, signed = small_tree
    [bundle] = inclusion_bundles(tree, [6], signed)
    with pytest.raises(BundleError, match=message):
        ProofBundle.parse(mangle(bundle.text))


# --------------------------------------------------------------------------- receipts


@pytest.fixture
def log(ledger: HallLedger, hall_key: SigningKey) -> Log:
    return build_log(record_small_history(ledger), hall_key)


def receipt_for(log: Log, positions: list[int]) -> Receipt:
    return build_receipt([(p, log.leaves[p - 1]) for p in positions], log.tree, log.signed_checkpoint, log.verifier_key)


def test_a_receipt_round_trips_and_verifies(log: Log) -> None:
    positions = [1, 8, 9, len(log.leaves)]
    receipt = receipt_for(log, positions)
    document = json.loads(receipt.text)
    assert document["format"] == "hall-ledger-receipt/1" and document["origin"] == ORIGIN
    assert document["verifier_key"] == log.verifier_key
    assert [e["position"] for e in document["entries"]] == positions
    for entry in document["entries"]:
        assert canonicalize(entry["event"]) == base64.b64decode(entry["leaf_input"])
        assert entry["proof"].startswith(f"{PROOF_HEADER}\nindex {entry['position'] - 1}\n")
    again = Receipt.parse(receipt.text)
    assert again == receipt
    checkpoints = again.verify(log.verifier_key)
    assert {c.size for c in checkpoints} == {len(log.leaves)}


def tampered(receipt: Receipt, change: Callable[[dict[str, Any]], None]) -> Receipt:
    document = json.loads(receipt.text)
    change(document)
    return Receipt.from_json(document)


def flip_proof_hash(entry: dict[str, Any]) -> None:
    lines = entry["proof"].split("\n")
    raw = bytearray(base64.b64decode(lines[2]))
    raw[0] ^= 1
    lines[2] = base64.b64encode(bytes(raw)).decode()
    entry["proof"] = "\n".join(lines)


TAMPERINGS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "event field": (lambda e: e["event"]["data"].update(rule="ART9.9"), "re-encode"),
    "event actor": (lambda e: e["event"]["actor"].update(id="someone-else"), "re-encode"),
    "leaf input byte": (
        lambda e: e.update(
            leaf_input=base64.b64encode(base64.b64decode(e["leaf_input"]).replace(b"beihai", b"beihaj")).decode()
        ),
        "re-encode",
    ),
    "leaf and event together": (
        lambda e: (
            e["event"].update(hall_id="nanhai"),
            e.update(leaf_input=base64.b64encode(canonicalize(e["event"])).decode()),
        ),
        "inclusion proof",
    ),
    "proof hash": (flip_proof_hash, "inclusion proof"),
    "proof index": (
        lambda e: e.update(proof=e["proof"].replace(f"index {e['position'] - 1}\n", "index 0\n")),
        "leaf index",
    ),
    "checkpoint size": (
        lambda e: e.update(proof=e["proof"].replace(f"\n{ORIGIN}\n12\n", f"\n{ORIGIN}\n13\n")),
        "checkpoint: the signature",
    ),
    "entry position": (lambda e: e.update(position=e["position"] + 1), "leaf says position"),
}


@pytest.mark.parametrize("what", sorted(TAMPERINGS))
def test_tampered_receipts_fail_naming_the_position(log: Log, what: str) -> None:
    assert len(log.leaves) == 12, "the checkpoint-size tampering expects 12 events"
    receipt = receipt_for(log, [2, 8])
    change, message = TAMPERINGS[what]

    def second_entry(document: dict[str, Any]) -> None:
        change(document["entries"][1])

    with pytest.raises(ReceiptError, match=message) as failed:
        tampered(receipt, second_entry).verify(log.verifier_key)
    assert failed.value.position in (8, 9)


def test_a_receipt_checked_with_another_key_fails(log: Log) -> None:
    receipt = receipt_for(log, [3])
    with pytest.raises(ReceiptError, match="no signature by the trusted key") as failed:
        receipt.verify(SigningKey.generate(ORIGIN).verifier_key)
    assert failed.value.position == 3


def test_a_receipt_is_only_built_for_positions_the_checkpoint_covers(log: Log) -> None:
    with pytest.raises(ValueError, match="not in the checkpointed tree"):
        build_receipt([(13, b"{}")], log.tree, log.signed_checkpoint, log.verifier_key)
    with pytest.raises(ReceiptError, match="the leaf says position 3"):
        build_receipt([(2, log.leaves[2])], log.tree, log.signed_checkpoint, log.verifier_key)


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "hall-ledger-receipt/1", "format": "x", "origin": "o", "verifier_key": "k", "entries": []}',
        '{"format": "hall-ledger-receipt/2", "origin": "o", "verifier_key": "k", "entries": []}',
        '{"format": "hall-ledger-receipt/1", "origin": "o", "verifier_key": "k", "entries": [{"position": NaN}]}',
        '{"format": "hall-ledger-receipt/1", "origin": "o", "verifier_key": "k", "entries": [{"position": true}]}',
        "not json",
    ],
)
def test_malformed_receipts_are_refused(text: str) -> None:
    with pytest.raises(BundleError):
        Receipt.parse(text)


def test_floats_in_a_receipt_event_are_refused(log: Log) -> None:
    receipt = receipt_for(log, [5])
    broken = tampered(receipt, lambda d: d["entries"][0]["event"].update(version=1.0))
    with pytest.raises(ReceiptError, match="floats"):
        broken.verify(log.verifier_key)
    assert leaf_hash(log.leaves[4]) == log.tree.nodes[(0, 4)]
