"""docs/ledger-format.md stays true: its worked example is what the code produces, and the
standalone verifier accepts the receipt printed there."""

from __future__ import annotations

import re
from pathlib import Path

from projections.ledger.bundle import Receipt
from tests.ledger.test_verify_script import run_verifier
from tests.ledger.worked_example import EXAMPLE_KEY, example

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
