"""``scripts/verify_ledger.py`` as an outsider runs it: a separate process that cannot import
the project, checking receipts built from a real ledger and a live (stdlib) ledger server."""

from __future__ import annotations

import ast
import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from domain.ids import staff_id
from projections.transparency.bundle import build_receipt
from projections.transparency.jcs import canonicalize
from projections.transparency.keys import SigningKey
from projections.transparency.leaf import gap_leaf_input
from projections.transparency.merkle import consistency_proof, inclusion_proof
from service.application import HallLedger, open_ledger
from service.eventlog import iter_events
from service.settings import Settings
from tests.conftest import FakeClock
from tests.givens import at, given_confirmed_violation
from tests.transparency.building import ORIGIN, Log, build_log, log_of, record_small_history

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_ledger.py"
PROJECT_PACKAGES = ("domain", "projections", "service", "tests")

# The project is installed editable in this interpreter, so an empty PYTHONPATH and a
# foreign cwd are not enough to keep it out: refuse its packages at import time, then run
# the script exactly as `python scripts/verify_ledger.py …` would.
OUTSIDER = f"""
import runpy, sys
class RefuseProject:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {PROJECT_PACKAGES!r}:
            raise ImportError("the standalone verifier imported " + name)
        return None
sys.meta_path.insert(0, RefuseProject())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_verifier(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"PYTHONPATH": ""}
    return subprocess.run(
        [sys.executable, "-c", OUTSIDER, str(SCRIPT), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_script_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").partition(".")[0])
    assert roots - set(sys.stdlib_module_names) == {"cryptography"}


@pytest.fixture(scope="module")
def hall_key() -> SigningKey:
    return SigningKey.generate(ORIGIN)


# --------------------------------------------------------------------------- receipts (offline)


@pytest.fixture
def log(ledger: HallLedger, hall_key: SigningKey) -> Log:
    return build_log(record_small_history(ledger), hall_key)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    place = tmp_path / "appellant"
    place.mkdir()
    return place


def write_receipt(log: Log, positions: list[int], path: Path) -> dict[str, Any]:
    receipt = build_receipt(
        [(p, log.leaves[p - 1]) for p in positions], log.tree, log.signed_checkpoint, log.verifier_key
    )
    path.write_text(receipt.text, encoding="utf-8")
    document: dict[str, Any] = json.loads(receipt.text)
    return document


def test_a_valid_receipt_verifies(log: Log, outside: Path) -> None:
    write_receipt(log, [8, 9, 12], outside / "receipt.json")
    done = run_verifier("receipt", "receipt.json", "--key", log.verifier_key, cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok    position 8: leaf 7 of hall-ledger.example/beihai at tree size 12" in done.stdout
    assert "all 3 entries verify" in done.stdout
    # and exactly as the brief to an appellant says: `python verify_ledger.py receipt …`
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"PYTHONPATH": ""}
    direct = subprocess.run(
        [sys.executable, str(SCRIPT), "receipt", "receipt.json", "--key", log.verifier_key],
        cwd=outside, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert direct.returncode == 0 and direct.stdout == done.stdout


def flip_first_proof_hash(entry: dict[str, Any]) -> None:
    lines = entry["proof"].split("\n")
    raw = bytearray(base64.b64decode(lines[2]))
    raw[31] ^= 0x80
    lines[2] = base64.b64encode(bytes(raw)).decode()
    entry["proof"] = "\n".join(lines)


TAMPERINGS = {
    # one byte of what the appellant reads, the bytes under the proof left as they were
    "event byte": (lambda e: e["event"]["actor"].update(id=e["event"]["actor"]["id"][:-1] + "x"), "re-encode"),
    "leaf byte": (
        lambda e: e.update(
            leaf_input=base64.b64encode(base64.b64decode(e["leaf_input"]).replace(b"Z", b"Y", 1)).decode()
        ),
        "re-encode",
    ),
    "proof hash": (flip_first_proof_hash, "inclusion proof does not lead to the signed root"),
    "checkpoint": (
        lambda e: e.update(proof=e["proof"].replace(f"{ORIGIN}\n12\n", f"{ORIGIN}\n11\n")),
        "does not verify: the checkpoint was altered",
    ),
    "index": (lambda e: e.update(proof=e["proof"].replace("index 8\n", "index 7\n")), "proof is for leaf index 7"),
}


@pytest.mark.parametrize("what", sorted(TAMPERINGS))
def test_a_tampered_receipt_fails_naming_the_position(log: Log, outside: Path, what: str) -> None:
    document = write_receipt(log, [8, 9, 12], outside / "receipt.json")
    change, message = TAMPERINGS[what]
    change(document["entries"][1])  # position 9
    (outside / "receipt.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    done = run_verifier("receipt", "receipt.json", "--key", log.verifier_key, cwd=outside)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL  position 9: " in done.stdout and message in done.stdout, done.stdout
    assert "ok    position 8" in done.stdout and "ok    position 12" in done.stdout
    assert "1 of 3 entries do not verify" in done.stdout


def test_a_receipt_checked_with_another_key_fails(log: Log, outside: Path) -> None:
    write_receipt(log, [4], outside / "receipt.json")
    stranger = SigningKey.generate(ORIGIN).verifier_key
    done = run_verifier("receipt", "receipt.json", "--key", stranger, cwd=outside)
    assert done.returncode == 1
    assert "FAIL  position 4: the checkpoint carries no signature by the trusted key" in done.stdout
    assert "the receipt names verifier key" in done.stdout, "the receipt's own key is only informational"


def test_a_receipt_that_is_not_one_is_unreadable(log: Log, outside: Path) -> None:
    (outside / "receipt.json").write_text('{"format": "hall-ledger-receipt/1", "entries": [', encoding="utf-8")
    done = run_verifier("receipt", "receipt.json", "--key", log.verifier_key, cwd=outside)
    assert done.returncode == 2 and "cannot read the receipt" in done.stderr
    done = run_verifier("receipt", "receipt.json", "--key", "not-a-key", cwd=outside)
    assert done.returncode == 2 and "verifier key" in done.stderr


# --------------------------------------------------------------------------- a live ledger (online)


@dataclass
class LogServer:
    """The phase-2 ledger endpoints, served by the standard library from an in-memory tree."""

    log: Log
    page_size: int = 5
    #: entries served in place of the true leaf input (a lying entries endpoint)
    forged_entries: dict[int, bytes] = field(default_factory=dict)
    url: str = ""

    def answer(self, path: str, query: dict[str, int]) -> tuple[int, str, bytes]:
        tree, size = self.log.tree, self.log.tree.size
        if path == "/ledger/checkpoint":
            return 200, "text/plain; charset=utf-8", self.log.signed_checkpoint.encode()
        if path == "/ledger/proof/consistency":
            first, second = query["first"], query["second"]
            if not 0 < first <= second <= size:
                return 400, "text/plain", b"bad sizes"
            proof = consistency_proof(tree, first, second)
            return self.json({"first": first, "second": second, "consistency_path": [b64(h) for h in proof]})
        if path == "/ledger/proof/inclusion":
            index, tree_size = query["index"], query["tree_size"]
            path_hashes = inclusion_proof(tree, index, tree_size)
            leaf = tree.nodes[(0, index)]
            return self.json(
                {
                    "leaf_index": index,
                    "tree_size": tree_size,
                    "leaf_hash": b64(leaf),
                    "inclusion_path": [b64(h) for h in path_hashes],
                }
            )
        if path == "/ledger/entries":
            start, end = query["start"], min(query["end"], size, query["start"] + self.page_size)
            entries = [
                {"index": i, "leaf_input": b64(self.forged_entries.get(i, self.log.leaves[i]))}
                for i in range(start, end)
            ]
            return self.json({"entries": entries})
        return 404, "text/plain", b"not found"

    @staticmethod
    def json(body: dict[str, Any]) -> tuple[int, str, bytes]:
        return 200, "application/json", json.dumps(body).encode()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.fixture
def sqlite_ledger(sqlite_settings: Settings, clock: FakeClock) -> Iterator[HallLedger]:
    app = open_ledger(sqlite_settings, clock=clock)
    yield app
    app.close()


@pytest.fixture
def server(sqlite_ledger: HallLedger, hall_key: SigningKey) -> Iterator[LogServer]:
    served = LogServer(build_log(record_small_history(sqlite_ledger), hall_key))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: int(v[0]) for k, v in parse_qs(url.query).items()}
            status, kind, body = served.answer(url.path, query)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield served
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def grow(ledger: HallLedger, key: SigningKey) -> Log:
    """Two more events: a second confirmed breach by 王芳."""
    given_confirmed_violation(ledger, staff_id("beihai", "S001"), when=at(10, 2))
    return build_log(list(iter_events(ledger)), key)


def forged(log: Log, index: int, key: SigningKey, extra: int = 0) -> tuple[Log, bytes]:
    """A history rewritten at ``index`` (and ``extra`` leaves longer), signed with the real key."""
    leaf = json.loads(log.leaves[index])
    leaf["actor"]["id"] = "someone-else"
    altered = canonicalize(leaf)
    leaves = [*log.leaves[:index], altered, *log.leaves[index + 1 :], *log.leaves[-1:] * extra]
    return log_of(leaves, key), altered


def test_online_first_use_then_growth_is_proven_consistent(
    server: LogServer, sqlite_ledger: HallLedger, hall_key: SigningKey, outside: Path
) -> None:
    key = hall_key.verifier_key
    done = run_verifier("online", server.url, "--key", key, "--state", "trusted.checkpoint", "--entries", cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "trusted on first use" in done.stdout and "all 12 entries hash to the signed root" in done.stdout
    assert (outside / "trusted.checkpoint").read_text(encoding="utf-8") == server.log.signed_checkpoint

    server.log = grow(sqlite_ledger, hall_key)
    done = run_verifier("online", server.url, "--key", key, "--state", "trusted.checkpoint", "--entries", cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "size 14 extends the trusted size 12 (consistency proof)" in done.stdout
    assert (outside / "trusted.checkpoint").read_text(encoding="utf-8") == server.log.signed_checkpoint

    done = run_verifier("online", server.url, "--key", key, "--state", "trusted.checkpoint", cwd=outside)
    assert done.returncode == 0 and "unchanged since the trusted checkpoint (size 14)" in done.stdout


def test_online_a_rewritten_history_is_caught_by_the_consistency_proof(
    server: LogServer, hall_key: SigningKey, outside: Path
) -> None:
    key = hall_key.verifier_key
    assert run_verifier("online", server.url, "--key", key, "--state", "t", cwd=outside).returncode == 0
    trusted = (outside / "t").read_text(encoding="utf-8")
    server.log, _ = forged(server.log, 3, hall_key, extra=1)
    done = run_verifier("online", server.url, "--key", key, "--state", "t", cwd=outside)
    assert done.returncode == 1
    assert "FAIL  tree size 13 does not extend the trusted size 12" in done.stdout
    assert (outside / "t").read_text(encoding="utf-8") == trusted, "a failed check keeps the old trusted state"


def test_online_a_same_size_fork_and_a_rollback_are_refused(
    server: LogServer, sqlite_ledger: HallLedger, hall_key: SigningKey, outside: Path
) -> None:
    key = hall_key.verifier_key
    honest = server.log
    assert run_verifier("online", server.url, "--key", key, "--state", "t", cwd=outside).returncode == 0
    server.log, _ = forged(honest, 3, hall_key)
    done = run_verifier("online", server.url, "--key", key, "--state", "t", cwd=outside)
    assert done.returncode == 1 and "two different signed roots for tree size 12: the log forked" in done.stdout

    server.log = grow(sqlite_ledger, hall_key)
    assert run_verifier("online", server.url, "--key", key, "--state", "t", cwd=outside).returncode == 0
    server.log = honest
    done = run_verifier("online", server.url, "--key", key, "--state", "t", cwd=outside)
    assert done.returncode == 1 and "the log shrank from the trusted size 14 to 12" in done.stdout


def test_online_an_entry_that_is_not_the_tree_leaf_is_named(
    server: LogServer, hall_key: SigningKey, outside: Path
) -> None:
    _, altered = forged(server.log, 6, hall_key)
    server.forged_entries[6] = altered
    done = run_verifier("online", server.url, "--key", hall_key.verifier_key, "--entries", cwd=outside)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the entries do not hash to the signed root" in done.stdout
    assert "index 6 (position 7): the entries endpoint serves a leaf hashing to" in done.stdout


def test_online_a_checkpoint_signed_by_another_key_is_refused(server: LogServer, outside: Path) -> None:
    stranger = SigningKey.generate(ORIGIN).verifier_key
    done = run_verifier("online", server.url, "--key", stranger, "--state", "t", cwd=outside)
    assert done.returncode == 1 and "no signature by the trusted key" in done.stdout
    assert not (outside / "t").exists()


def test_online_a_gap_leaf_is_an_entry_and_must_name_its_own_position(
    server: LogServer, hall_key: SigningKey, outside: Path
) -> None:
    """A position PostgreSQL skipped (a rolled-back insert) is served as its gap leaf."""
    leaves = list(server.log.leaves)
    leaves[3] = gap_leaf_input(4)
    server.log = log_of(leaves, hall_key)
    key = hall_key.verifier_key
    done = run_verifier("online", server.url, "--key", key, "--entries", cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    for wrong in (gap_leaf_input(5), canonicalize({"format": "hall-ledger-gap/1", "position": 4, "note": "x"})):
        server.log = log_of([*leaves[:3], wrong, *leaves[4:]], hall_key)
        done = run_verifier("online", server.url, "--key", key, "--entries", cwd=outside)
        assert done.returncode == 1
        assert "index 3: not the hall-ledger-gap/1 leaf of position 4" in done.stdout
