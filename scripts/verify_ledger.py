#!/usr/bin/env python3
"""Verify a hall-ledger independently: receipts offline, a running ledger online.

This program needs only the Python standard library and ``cryptography`` (for Ed25519);
it does not import hall-ledger, so an inspector or an appellant can run it on their own
machine. It re-implements everything it checks from ``docs/ledger-format.md``:
RFC 8785 canonical JSON, RFC 9162 Merkle hashing and proof verification, C2SP signed
notes, checkpoints and ``c2sp.org/tlog-proof@v1`` bundles.

Trust comes from the verifier key you pass with ``--key``, obtained from the hall through
a channel you trust — never from the receipt or the server.

    verify_ledger.py receipt RECEIPT.json --key 'hall-ledger.example/beihai+1a2b3c4d+AW…'
    verify_ledger.py online https://hall.example --key '…' --state beihai.checkpoint --entries --token …

Exit status: 0 when everything verifies, 1 when something does not (each failure names the
position or index and what disagreed), 2 when the input cannot be read at all.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

LEAF_FORMAT = "hall-ledger-leaf/1"
#: the leaf of a position that never held an event (a rolled-back insert skipped it)
GAP_FORMAT = "hall-ledger-gap/1"
RECEIPT_FORMAT = "hall-ledger-receipt/1"
PROOF_HEADER = "c2sp.org/tlog-proof@v1"
SIGNATURE_PREFIX = "\u2014 "
HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_SAFE_INTEGER = 2**53 - 1
DECIMAL = re.compile(r"0|[1-9][0-9]*")


class Failed(Exception):
    """Something does not verify."""


class Unreadable(Exception):
    """The input cannot be read (not a receipt, server unreachable, bad key string)."""


# --------------------------------------------------------------------------- RFC 8785 (JCS)

_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
_JCS_TABLE = str.maketrans({chr(c): _ESCAPES.get(c, f"\\u{c:04x}") for c in (*range(0x20), 0x22, 0x5C)})


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON for objects, arrays, strings, safe integers, booleans, null."""
    out: list[str] = []

    def encode(v: Any) -> None:
        if v is None:
            out.append("null")
        elif v is True or v is False:
            out.append("true" if v else "false")
        elif isinstance(v, int):
            if abs(v) > MAX_SAFE_INTEGER:
                raise Failed(f"integer {v} is beyond ±(2**53 − 1)")
            out.append(str(v))
        elif isinstance(v, float):
            raise Failed(f"a leaf holds no floats ({v!r})")
        elif isinstance(v, str):
            v.encode("utf-8")  # refuses lone surrogates
            out.append('"' + v.translate(_JCS_TABLE) + '"')
        elif isinstance(v, list):
            out.append("[")
            for n, item in enumerate(v):
                out.append("," if n else "")
                encode(item)
            out.append("]")
        elif isinstance(v, dict):
            out.append("{")
            # RFC 8785 §3.2.3: member names ordered by UTF-16 code units
            for n, name in enumerate(sorted(v, key=lambda k: k.encode("utf-16-be", "surrogatepass"))):
                out.append("," if n else "")
                encode(name)
                out.append(":")
                encode(v[name])
            out.append("}")
        else:
            raise Failed(f"cannot canonicalise {type(v).__name__}")

    try:
        encode(value)
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError as e:
        raise Failed("a string holds a lone surrogate") from e


def strict_json(data: bytes | str) -> Any:
    """JSON with no duplicate member names and no NaN/Infinity."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in items:
            if name in result:
                raise ValueError(f"member {name!r} appears twice")
            result[name] = value
        return result

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(data, object_pairs_hook=pairs, parse_constant=constant)


# --------------------------------------------------------------------------- RFC 9162 Merkle tree


def hash_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def need_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise Failed(f"{what} is {len(value)} bytes, not a 32-byte SHA-256 hash")


def inclusion_root(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root an inclusion path leads to."""
    need_hash(leaf, "leaf hash")
    for n, p in enumerate(path):
        need_hash(p, f"inclusion hash {n}")
    if not 0 <= index < size:
        raise Failed(f"leaf index {index} is outside the tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Failed("inclusion path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Failed("inclusion path is shorter than the tree is deep")
    return r


def check_consistency(first: int, second: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2, strict: 32-byte hashes, no proof from size 0, equal sizes need equal roots."""
    need_hash(root1, "trusted root")
    need_hash(root2, "new root")
    for n, c in enumerate(proof):
        need_hash(c, f"consistency hash {n}")
    if first <= 0 or second < first:
        raise Failed(f"no consistency proof from size {first} to size {second}")
    if first == second:
        if proof or root1 != root2:
            raise Failed(f"tree size {first} with two different roots or a non-empty proof")
        return
    if not proof:
        raise Failed("empty consistency proof")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, root1)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Failed("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = hash_children(c, fr), hash_children(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Failed("consistency proof is too short")
    if fr != root1:
        raise Failed("consistency proof does not lead to the trusted root")
    if sr != root2:
        raise Failed("consistency proof does not lead to the new root")


class RootBuilder:
    """MTH of leaf hashes appended one by one, keeping only the compact range [0, size)."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[tuple[int, bytes]] = []

    def add(self, leaf: bytes) -> None:
        level, digest = 0, leaf
        while self.stack and self.stack[-1][0] == level:
            digest = hash_children(self.stack.pop()[1], digest)
            level += 1
        self.stack.append((level, digest))
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        digest = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            digest = hash_children(left, digest)
        return digest


# --------------------------------------------------------------------------- keys, notes, checkpoints


def b64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as e:
        raise Failed(f"{what} is not base64") from e
    if base64.b64encode(raw).decode("ascii") != text:
        raise Failed(f"{what} is not canonical base64")
    return raw


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public: bytes

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"

    @property
    def text(self) -> str:
        return f"{self.label}+{base64.b64encode(bytes([0x01]) + self.public).decode()}"


def parse_verifier(text: str) -> Verifier:
    """``name+keyid+base64(0x01 || public key)`` (c2sp.org/signed-note, Go sumdb/note)."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or not parts[0] or any(c.isspace() for c in parts[0]):
        raise Unreadable("a verifier key is name+keyid+base64")
    name, hex_id, encoded = parts
    try:
        raw = b64(encoded, "verifier key")
        wanted = bytes.fromhex(hex_id)
    except (Failed, ValueError) as e:
        raise Unreadable(f"bad verifier key: {e}") from e
    if len(raw) != 33 or raw[0] != 0x01 or len(wanted) != 4:
        raise Unreadable("the verifier key is not an Ed25519 key (0x01 || 32 bytes) with a 4-byte id")
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + raw[1:]).digest()[:4]
    if key_id != wanted:
        raise Unreadable("the verifier key's id does not match its key")
    return Verifier(name, key_id, raw[1:])


def open_note(signed: str, key: Verifier) -> str:
    """The note text once a signature by ``key`` verifies; other keys' signatures are ignored."""
    if not signed.endswith("\n") or any(c < " " and c != "\n" for c in signed):
        raise Failed("the signed note is malformed (control characters or no final newline)")
    split = signed.rfind("\n\n")
    if split < 0:
        raise Failed("the signed note has no blank line before its signatures")
    text, block = signed[: split + 1], signed[split + 2 :]
    lines = block[:-1].split("\n") if block else []
    if not lines or len(lines) > 100:
        raise Failed("the signed note has no (or too many) signature lines")
    verified = 0
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise Failed("a signature line does not start with an em dash and a space")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        raw = b64(encoded, "signature")
        if len(raw) < 5:
            raise Failed("a signature is too short")
        if name != key.name or raw[:4] != key.key_id:
            continue  # someone else's signature (a witness, a rotated key): ignored
        try:
            Ed25519PublicKey.from_public_bytes(key.public).verify(raw[4:], text.encode("utf-8"))
        except InvalidSignature as e:
            raise Failed(f"the signature by {key.label} does not verify: the checkpoint was altered") from e
        verified += 1
    if not verified:
        raise Failed(f"the checkpoint carries no signature by the trusted key {key.label}")
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    signed: str


def open_checkpoint(signed: str, key: Verifier, origin: str | None) -> Checkpoint:
    text = open_note(signed, key)
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise Failed("a checkpoint is at least three non-empty lines")
    if not DECIMAL.fullmatch(lines[1]):
        raise Failed(f"checkpoint size {lines[1]!r} is not a decimal")
    root = b64(lines[2], "checkpoint root")
    need_hash(root, "checkpoint root")
    size = int(lines[1])
    if size == 0 and root != EMPTY_ROOT:
        raise Failed("an empty tree's root must be SHA-256 of nothing")
    if origin is not None and lines[0] != origin:
        raise Failed(f"checkpoint origin {lines[0]!r} is not {origin!r}")
    return Checkpoint(lines[0], size, root, signed)


@dataclass(frozen=True)
class Bundle:
    index: int
    path: list[bytes]
    checkpoint: str


def parse_bundle(text: str) -> Bundle:
    """``c2sp.org/tlog-proof@v1``: header, optional extra, index, hashes, blank line, checkpoint."""
    split = text.find("\n\n")
    if split < 0:
        raise Failed("the proof has no blank line before its checkpoint")
    lines, checkpoint = text[:split].split("\n"), text[split + 2 :]
    if lines[0] != PROOF_HEADER:
        raise Failed(f"the proof does not start with {PROOF_HEADER}")
    rest = lines[1:]
    if rest and rest[0].startswith("extra "):
        b64(rest[0][6:], "extra data")  # unauthenticated: only its form is checked
        rest = rest[1:]
    if not rest or not rest[0].startswith("index ") or not DECIMAL.fullmatch(rest[0][6:]):
        raise Failed("the proof has no 'index <n>' line")
    return Bundle(int(rest[0][6:]), [b64(line, "inclusion hash") for line in rest[1:]], checkpoint)


# --------------------------------------------------------------------------- receipt mode


def check_entry(entry: Any, key: Verifier, origin: str) -> tuple[int, Checkpoint]:
    position = entry["position"]
    leaf_input = b64(entry["leaf_input"], "leaf_input")
    event = entry["event"]
    if not isinstance(event, dict):
        raise Failed("the event is not a JSON object")
    # the event shown to people must be exactly the bytes the tree commits to
    if jcs(event) != leaf_input:
        raise Failed("the event does not re-encode (RFC 8785) to leaf_input: the event or leaf was altered")
    if event.get("format") != LEAF_FORMAT:
        raise Failed(f"the leaf is not a {LEAF_FORMAT} leaf")
    if event.get("position") != position:
        raise Failed(f"the leaf says position {event.get('position')}")
    bundle = parse_bundle(entry["proof"])
    if bundle.index != position - 1:
        raise Failed(f"the proof is for leaf index {bundle.index}, but position {position} is index {position - 1}")
    checkpoint = open_checkpoint(bundle.checkpoint, key, origin)
    root = inclusion_root(bundle.index, checkpoint.size, hash_leaf(leaf_input), bundle.path)
    if root != checkpoint.root:
        raise Failed(f"the inclusion proof does not lead to the signed root of tree size {checkpoint.size}")
    return position, checkpoint


def verify_receipt(path: str, key: Verifier, origin: str | None, say: Callable[[str], None]) -> int:
    try:
        with open(path, "rb") as handle:
            receipt = strict_json(handle.read())
    except (OSError, ValueError) as e:
        raise Unreadable(f"cannot read the receipt {path}: {e}") from e
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        raise Unreadable(f"{path} is not a {RECEIPT_FORMAT} document")
    entries = receipt.get("entries")
    if not isinstance(entries, list) or not entries:
        raise Unreadable("the receipt lists no entries")
    origin = origin if origin is not None else receipt.get("origin")
    if not isinstance(origin, str):
        raise Unreadable("the receipt names no origin")
    named = receipt.get("verifier_key")
    if named != key.text:
        say(f"note: the receipt names verifier key {named!r}; checking with yours only")
    failures = 0
    for n, entry in enumerate(entries):
        label = f"position {entry.get('position')}" if isinstance(entry, dict) else f"entry {n}"
        try:
            if not isinstance(entry, dict) or not all(k in entry for k in ("position", "leaf_input", "event")):
                raise Failed("the entry lacks position, leaf_input, event or proof")
            if isinstance(entry["position"], bool) or not isinstance(entry["position"], int):
                raise Failed("the position is not an integer")
            if not isinstance(entry.get("proof"), str) or not isinstance(entry["leaf_input"], str):
                raise Failed("leaf_input and proof must be strings")
            position, checkpoint = check_entry(entry, key, origin)
            say(f"ok    position {position}: leaf {position - 1} of {checkpoint.origin} at tree size {checkpoint.size}")
        except Failed as e:
            failures += 1
            say(f"FAIL  {label}: {e}")
    if failures:
        say(f"{failures} of {len(entries)} entries do not verify")
        return 1
    say(f"all {len(entries)} entries verify under checkpoints signed by {key.label}")
    return 0


# --------------------------------------------------------------------------- online mode


class Server:
    def __init__(self, url: str, timeout: float, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.token = token

    def get(self, path: str, **query: int) -> bytes:
        url = f"{self.url}{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(url)
        if self.token:  # the entries follow the event feed's access rules; checkpoint and proofs are public
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as e:
            raise Failed(f"GET {url} answered {e.code}") from e
        except (urllib.error.URLError, OSError) as e:
            raise Unreadable(f"GET {url} failed: {e}") from e

    def get_json(self, path: str, **query: int) -> Mapping[str, Any]:
        try:
            answer = strict_json(self.get(path, **query))
        except ValueError as e:
            raise Failed(f"GET {path} did not answer JSON: {e}") from e
        if not isinstance(answer, dict):
            raise Failed(f"GET {path} did not answer a JSON object")
        return answer


def hashes(value: Any, what: str) -> list[bytes]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Failed(f"{what} is not a list of base64 hashes")
    return [b64(v, what) for v in value]


def check_leaf(index: int, leaf_input: bytes) -> None:
    """An entry must be a canonical hall-ledger leaf that names its own position (or that
    position's gap leaf: a position that never held an event)."""
    try:
        leaf = strict_json(leaf_input)
    except ValueError as e:
        raise Failed(f"index {index}: the leaf input is not JSON ({e})") from e
    if isinstance(leaf, dict) and leaf.get("format") == GAP_FORMAT:
        if leaf != {"format": GAP_FORMAT, "position": index + 1}:
            raise Failed(f"index {index}: not the {GAP_FORMAT} leaf of position {index + 1}")
    elif not isinstance(leaf, dict) or leaf.get("format") != LEAF_FORMAT or leaf.get("position") != index + 1:
        raise Failed(f"index {index}: not a {LEAF_FORMAT} leaf for position {index + 1}")
    if jcs(leaf) != leaf_input:
        raise Failed(f"index {index}: the leaf input is not in RFC 8785 canonical form")


def fetch_leaf_hashes(server: Server, size: int, say: Callable[[str], None]) -> list[bytes]:
    leaves: list[bytes] = []
    while len(leaves) < size:
        start = len(leaves)
        page = server.get_json("/ledger/entries", start=start, end=size).get("entries")
        if not isinstance(page, list) or not page:
            raise Failed(f"the entries end at index {start}, before the tree size {size}")
        for entry in page:
            index = len(leaves)
            if index >= size:
                raise Failed(f"the entries endpoint serves index {index} beyond the tree size {size}")
            if (
                not isinstance(entry, dict)
                or entry.get("index") != index
                or not isinstance(entry.get("leaf_input"), str)
            ):
                raise Failed(f"index {index}: the entries page does not hold index {index} next")
            leaf_input = b64(entry["leaf_input"], f"leaf_input of index {index}")
            check_leaf(index, leaf_input)
            leaves.append(hash_leaf(leaf_input))
    say(f"read {size} entries")
    return leaves


def locate_mismatch(server: Server, leaves: list[bytes], checkpoint: Checkpoint) -> str:
    """Name the first index whose served entry is not the checkpointed tree's leaf.

    A prefix of our leaves is right iff the server can prove it consistent with the signed
    root, and once one leaf is wrong every longer prefix is: bisect with consistency proofs,
    then show the tree's own leaf hash there with an inclusion proof.
    """

    def prefix_root(k: int) -> bytes:
        builder = RootBuilder()
        for leaf in leaves[:k]:
            builder.add(leaf)
        return builder.root()

    def consistent(k: int) -> bool:
        try:
            answer = server.get_json("/ledger/proof/consistency", first=k, second=checkpoint.size)
            path = hashes(answer.get("consistency_path"), "consistency_path")
            check_consistency(k, checkpoint.size, prefix_root(k), checkpoint.root, path)
        except Failed:
            return False
        return True

    good, bad = 0, checkpoint.size  # prefix 0 is trivially right, the whole list is known wrong
    while bad - good > 1:
        middle = (good + bad) // 2
        if consistent(middle):
            good = middle
        else:
            bad = middle
    index = bad - 1
    ours = leaves[index]
    try:
        answer = server.get_json("/ledger/proof/inclusion", index=index, tree_size=checkpoint.size)
        theirs = b64(str(answer.get("leaf_hash")), "leaf_hash")
        path = hashes(answer.get("inclusion_path"), "inclusion_path")
        proven = inclusion_root(index, checkpoint.size, theirs, path) == checkpoint.root
    except Failed:
        proven = False
    if proven and theirs != ours:
        return (
            f"index {index} (position {index + 1}): the entries endpoint serves a leaf hashing to {ours.hex()}, "
            f"but the signed tree holds {theirs.hex()}"
        )
    return f"index {index} (position {index + 1}) is the first entry that disagrees with the signed tree"


def load_state(path: str, key: Verifier, origin: str | None) -> Checkpoint | None:
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            signed = handle.read()
    except OSError as e:
        raise Unreadable(f"cannot read the state file {path}: {e}") from e
    try:
        return open_checkpoint(signed, key, origin)
    except Failed as e:
        raise Failed(f"the trusted checkpoint in {path} no longer verifies: {e}") from e


def save_state(path: str, checkpoint: Checkpoint) -> None:
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(checkpoint.signed)
    os.replace(temporary, path)


def verify_online(
    url: str,
    key: Verifier,
    origin: str | None,
    state: str | None,
    entries: bool,
    timeout: float,
    say: Callable[[str], None],
    token: str | None = None,
) -> int:
    server = Server(url, timeout, token)
    try:
        trusted = load_state(state, key, origin) if state else None
        try:
            signed = server.get("/ledger/checkpoint").decode("utf-8")
        except UnicodeDecodeError as e:
            raise Failed("the checkpoint is not UTF-8 text") from e
        checkpoint = open_checkpoint(
            signed, key, origin if origin is not None else (trusted.origin if trusted else None)
        )
        say(
            f"ok    checkpoint {checkpoint.origin} size {checkpoint.size} root {checkpoint.root.hex()}"
            f" signed by {key.label}"
        )
        if trusted is not None:
            if checkpoint.size < trusted.size:
                raise Failed(f"the log shrank from the trusted size {trusted.size} to {checkpoint.size}")
            if trusted.size == 0:
                say("ok    the trusted checkpoint is the empty tree: every tree extends it")
            elif trusted.size == checkpoint.size:
                if trusted.root != checkpoint.root:
                    raise Failed(f"two different signed roots for tree size {trusted.size}: the log forked")
                say(f"ok    unchanged since the trusted checkpoint (size {trusted.size})")
            else:
                answer = server.get_json("/ledger/proof/consistency", first=trusted.size, second=checkpoint.size)
                if answer.get("first") != trusted.size or answer.get("second") != checkpoint.size:
                    raise Failed("the consistency proof is for other tree sizes than asked")
                path = hashes(answer.get("consistency_path"), "consistency_path")
                try:
                    check_consistency(trusted.size, checkpoint.size, trusted.root, checkpoint.root, path)
                except Failed as e:
                    raise Failed(
                        f"tree size {checkpoint.size} does not extend the trusted size {trusted.size}: {e}"
                    ) from e
                say(f"ok    size {checkpoint.size} extends the trusted size {trusted.size} (consistency proof)")
        else:
            say(
                "note: no trusted checkpoint yet; this one is trusted on first use"
                if state
                else "note: no --state given"
            )
        if entries:
            leaves = fetch_leaf_hashes(server, checkpoint.size, say)
            builder = RootBuilder()
            for leaf in leaves:
                builder.add(leaf)
            if builder.root() != checkpoint.root:
                raise Failed(
                    "the entries do not hash to the signed root: " + locate_mismatch(server, leaves, checkpoint)
                )
            say(f"ok    all {checkpoint.size} entries hash to the signed root")
    except Failed as e:
        say(f"FAIL  {e}")
        return 1
    if state:
        save_state(state, checkpoint)
        say(f"saved the checkpoint of size {checkpoint.size} to {state}")
    return 0


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verify_ledger.py", description=__doc__.split("\n\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    receipt = modes.add_parser("receipt", help="verify a hall-ledger-receipt/1 file offline")
    receipt.add_argument("file")
    online = modes.add_parser("online", help="verify a running ledger's checkpoint, history and entries")
    online.add_argument("url")
    online.add_argument("--state", help="file holding the last trusted checkpoint (read, then updated)")
    online.add_argument("--entries", action="store_true", help="download every entry and recompute the root")
    online.add_argument("--timeout", type=float, default=30.0)
    online.add_argument(
        "--token",
        default=os.environ.get("HALL_LEDGER_TOKEN"),
        help="bearer token for the entries (a feed reader's; default: $HALL_LEDGER_TOKEN)",
    )
    for mode in (receipt, online):
        mode.add_argument("--key", required=True, help="the hall's verifier key (name+keyid+base64)")
        mode.add_argument("--origin", help="the log origin to demand (default: the receipt's / the trusted one)")
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(line, flush=True)

    try:
        key = parse_verifier(args.key)
        if args.mode == "receipt":
            return verify_receipt(args.file, key, args.origin, say)
        return verify_online(args.url, key, args.origin, args.state, args.entries, args.timeout, say, args.token)
    except Unreadable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
