"""docs/ledger-format.md stays true: its worked example is what the code produces, the
standalone verifier accepts the receipt printed there, and the gap leaf, the storage and
the endpoints it describes are the code's."""

from __future__ import annotations

import re
from pathlib import Path

from projections.transparency.bundle import Receipt
from projections.transparency.leaf import gap_leaf_input, leaf_hash
from projections.transparency.tree import (
    CHECKPOINTS_TABLE,
    HEAD_TABLE,
    LEVEL_SHIFT,
    NODES_TABLE,
    CheckpointPolicy,
    node_id,
)
from service.api import create_app
from service.api.access import routes_of
from service.application import open_ledger
from service.settings import Settings
from service.transparency import ENTRIES_PAGE
from tests.transparency.test_verify_script import run_verifier
from tests.transparency.worked_example import EXAMPLE_KEY, example

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger-format.md"


def test_the_worked_example_is_what_the_code_produces() -> None:
    text = DOC.read_text(encoding="utf-8")
    e = example()
    expected = [
        EXAMPLE_KEY.verifier_key,
        EXAMPLE_KEY.signer_key(),
        e.root.hex(),
        e.root_2.hex(),
        e.signed_checkpoint,
        e.bundle,
        e.receipt,
        *(data.decode("utf-8") + "\n" for data in e.leaves),
        *(f"leaf hash {n} = " for n in range(3)),
        *(digest.hex() for digest in e.leaf_hashes),
        *(f"{len(data)} bytes" for data in e.leaves),
    ]
    for fragment in expected:
        assert fragment in text, f"docs/ledger-format.md no longer shows {fragment[:60]!r}"
    assert [h.hex() for h in e.consistency_2_3] == [e.leaf_hashes[2].hex()]


def test_the_receipt_in_the_document_verifies_with_the_standalone_script(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(
        r"```json\n(\{\n  \"format\": \"hall-ledger-receipt/1\",\n  \"origin\": \"hall-ledger\.example/beihai\".*?)```",
        text,
        re.S,
    )
    assert len(blocks) == 1
    Receipt.parse(blocks[0]).verify(EXAMPLE_KEY.verifier_key)
    (tmp_path / "receipt.json").write_text(blocks[0], encoding="utf-8")
    done = run_verifier("receipt", "receipt.json", "--key", EXAMPLE_KEY.verifier_key, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_gap_leaf_the_storage_and_the_endpoints_are_as_documented(sqlite_settings: Settings) -> None:
    text = DOC.read_text(encoding="utf-8")
    gap = gap_leaf_input(8)
    assert f"```\n{gap.decode()}\n```" in text
    assert f"gap leaf hash 7 = {leaf_hash(gap).hex()}" in text
    for table in (NODES_TABLE, HEAD_TABLE, CHECKPOINTS_TABLE):
        assert f"`{table} (" in text
    assert "`id = level · 2^56 + index`" in text and node_id(3, 5) == 3 * 2**56 + 5 and LEVEL_SHIFT == 56
    policy = CheckpointPolicy()
    assert (policy.every_leaves, policy.every_seconds) == (1000, 60.0)
    assert "either 1,000 leaves were added or 60 seconds have passed" in text
    assert f"A page holds at most {ENTRIES_PAGE} entries" in text
    documented = set(re.findall(r"^\| `GET (/[^?` ]+)", text, re.M))
    ledger = open_ledger(sqlite_settings)
    try:
        served = {path for method, path, _ in routes_of(create_app(sqlite_settings, ledger)) if method == "GET"}
    finally:
        ledger.close()
    ledger_paths = {p for p in served if p.startswith("/ledger/") or p.endswith("/receipt")}
    assert documented == ledger_paths, documented ^ ledger_paths
