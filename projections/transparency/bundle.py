"""Offline proofs: ``c2sp.org/tlog-proof@v1`` bundles and the receipts we hand to an appellant.

A **proof bundle** (c2sp.org/tlog-proof) is, line by line::

    c2sp.org/tlog-proof@v1
    extra <base64>              (optional, unauthenticated)
    index <zero-based leaf index, decimal>
    <base64 inclusion hash>     (zero or more, leaf's sibling first, RFC 9162 §2.1.3.1)

    <the signed checkpoint, verbatim>

A **receipt** (``hall-ledger-receipt/1``) is a JSON document listing events with, for each,
its position, its leaf input (base64), the same leaf as a JSON object for people to read,
and a proof bundle. Whoever holds the hall's verifier key — obtained from the hall, never
from the receipt — checks offline that each event is the leaf at ``position − 1`` of a
tree whose checkpoint the hall signed (``scripts/verify_ledger.py receipt``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.transparency.jcs import CanonicalizationError, canonicalize
from projections.transparency.keys import VerifierKey, b64decode_strict, b64encode, parse_verifier_key
from projections.transparency.leaf import LEAF_FORMAT, leaf_hash
from projections.transparency.merkle import HASH_SIZE, NodeReader, ProofError, inclusion_plan, prove, verify_inclusion
from projections.transparency.note import Checkpoint, NoteError, open_checkpoint

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
RECEIPT_FORMAT = "hall-ledger-receipt/1"
#: a tree of at most 2**63 leaves has inclusion paths of at most 63 hashes
MAX_PATH = 63
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class BundleError(ValueError):
    """A malformed proof bundle or receipt."""


@dataclass(frozen=True)
class ProofBundle:
    index: int
    inclusion_path: tuple[bytes, ...]
    #: the signed checkpoint note, verbatim
    checkpoint: str
    extra: bytes | None = None

    def __post_init__(self) -> None:
        if self.index < 0:
            raise BundleError("a leaf index is never negative")
        if len(self.inclusion_path) > MAX_PATH or any(len(h) != HASH_SIZE for h in self.inclusion_path):
            raise BundleError("an inclusion path is at most 63 hashes of 32 bytes")
        if not self.checkpoint.endswith("\n") or self.checkpoint.startswith("\n"):
            raise BundleError("the checkpoint must be a signed note ending in a newline")
        if self.extra is not None and not self.extra:
            raise BundleError("omit extra data rather than give an empty one")

    @property
    def text(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64encode(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64encode(h) for h in self.inclusion_path)
        return "".join(line + "\n" for line in lines) + "\n" + self.checkpoint

    @classmethod
    def parse(cls, text: str) -> ProofBundle:
        """Parse strictly: exact header, canonical decimal index, 32-byte canonical base64 hashes."""
        # proof lines are all non-empty, so the first blank line ends them (the checkpoint
        # has its own blank line before its signatures)
        split = text.find("\n\n")
        if split < 0:
            raise BundleError("no blank line between the proof and the checkpoint")
        lines, checkpoint = text[:split].split("\n"), text[split + 2 :]
        if lines[0] != PROOF_HEADER:
            raise BundleError(f"a proof bundle starts with {PROOF_HEADER!r}")
        rest = lines[1:]
        extra = None
        if rest and rest[0].startswith("extra "):
            try:
                extra = b64decode_strict(rest[0][len("extra ") :], "extra data")
            except ValueError as e:
                raise BundleError(str(e)) from e
            rest = rest[1:]
        if not rest or not rest[0].startswith("index "):
            raise BundleError("the line after the header (and extra) must be 'index <n>'")
        number = rest[0][len("index ") :]
        if not _DECIMAL.fullmatch(number) or int(number) >= 2**63:
            raise BundleError(f"leaf index {number!r} is not a decimal without leading zeros")
        path: list[bytes] = []
        for n, line in enumerate(rest[1:]):
            try:
                digest = b64decode_strict(line, f"inclusion hash {n}")
            except ValueError as e:
                raise BundleError(str(e)) from e
            if len(digest) != HASH_SIZE:
                raise BundleError(f"inclusion hash {n} is {len(digest)} bytes, not 32")
            path.append(digest)
        return cls(int(number), tuple(path), checkpoint, extra)

    def verify(self, leaf_hash: bytes, verifier: VerifierKey | str, *, origin: str | None = None) -> Checkpoint:
        """The checkpoint, once it is signed by ``verifier`` and includes ``leaf_hash`` at ``index``."""
        checkpoint = open_checkpoint(self.checkpoint, verifier, origin=origin)
        verify_inclusion(self.index, checkpoint.size, leaf_hash, self.inclusion_path, checkpoint.root)
        return checkpoint


def inclusion_bundles(reader: NodeReader, indexes: Sequence[int], signed_checkpoint: str) -> list[ProofBundle]:
    """Proof bundles for several leaves under one signed checkpoint, from one read of the node store."""
    size = Checkpoint.parse(_note_text(signed_checkpoint)).size
    paths = prove(reader, [inclusion_plan(i, size) for i in indexes])
    return [ProofBundle(i, tuple(p), signed_checkpoint) for i, p in zip(indexes, paths, strict=True)]


def _note_text(signed: str) -> str:
    split = signed.rfind("\n\n")
    if split < 0:
        raise NoteError("not a signed note")
    return signed[: split + 1]


# --------------------------------------------------------------------------- receipts


@dataclass(frozen=True)
class ReceiptEntry:
    position: int
    leaf_input: bytes
    #: the leaf input as a JSON object, for people; it must re-encode to ``leaf_input``
    event: Mapping[str, Any]
    proof: ProofBundle

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "leaf_input": b64encode(self.leaf_input),
            "event": self.event,
            "proof": self.proof.text,
        }


@dataclass(frozen=True)
class Receipt:
    origin: str
    #: informational: a verifier must obtain the hall's key from the hall, not from here
    verifier_key: str
    entries: tuple[ReceiptEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": RECEIPT_FORMAT,
            "origin": self.origin,
            "verifier_key": self.verifier_key,
            "entries": [e.to_json() for e in self.entries],
        }

    @property
    def text(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def parse(cls, text: str | bytes) -> Receipt:
        try:
            document = json.loads(text, object_pairs_hook=_no_duplicate_members, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError) as e:
            raise BundleError(f"a receipt is a JSON document: {e}") from e
        return cls.from_json(document)

    @classmethod
    def from_json(cls, document: Any) -> Receipt:
        if not isinstance(document, dict) or document.get("format") != RECEIPT_FORMAT:
            raise BundleError(f"not a {RECEIPT_FORMAT} document")
        origin, verifier_key, entries = (document.get(k) for k in ("origin", "verifier_key", "entries"))
        if not isinstance(origin, str) or not isinstance(verifier_key, str) or not isinstance(entries, list):
            raise BundleError("a receipt has a string origin and verifier_key and a list of entries")
        return cls(origin, verifier_key, tuple(_entry(e, n) for n, e in enumerate(entries)))

    def verify(self, verifier: VerifierKey | str) -> list[Checkpoint]:
        """Check every entry; raise :class:`ReceiptError` naming the first position that fails."""
        key = parse_verifier_key(verifier) if isinstance(verifier, str) else verifier
        if not self.entries:
            raise ReceiptError(None, "the receipt lists no entries")
        return [verify_entry(entry, key, origin=self.origin) for entry in self.entries]


class ReceiptError(ValueError):
    def __init__(self, position: int | None, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"position {position}: {reason}" if position is not None else reason)


def verify_entry(entry: ReceiptEntry, verifier: VerifierKey, *, origin: str) -> Checkpoint:
    """The checkpoint under which ``entry`` is proven, or :class:`ReceiptError` saying what disagrees."""
    position = entry.position
    try:
        encoded = canonicalize(entry.event)
    except CanonicalizationError as e:
        raise ReceiptError(position, f"the event cannot be canonicalised: {e}") from e
    if encoded != entry.leaf_input:
        raise ReceiptError(position, "the event does not re-encode (RFC 8785) to the leaf input")
    if entry.event.get("format") != LEAF_FORMAT:
        raise ReceiptError(position, f"the leaf is not a {LEAF_FORMAT} leaf")
    if entry.event.get("position") != position:
        raise ReceiptError(position, f"the leaf says position {entry.event.get('position')}")
    if entry.proof.index != position - 1:
        raise ReceiptError(position, f"the proof is for leaf index {entry.proof.index}, not {position - 1}")
    try:
        return entry.proof.verify(leaf_hash(entry.leaf_input), verifier, origin=origin)
    except NoteError as e:
        raise ReceiptError(position, f"checkpoint: {e}") from e
    except ProofError as e:
        raise ReceiptError(position, f"inclusion proof: {e}") from e


def build_receipt(
    leaves: Sequence[tuple[int, bytes]],
    reader: NodeReader,
    signed_checkpoint: str,
    verifier: VerifierKey | str,
) -> Receipt:
    """A receipt for ``(position, leaf input)`` pairs under one signed checkpoint.

    The checkpoint must be signed by ``verifier`` and cover every position; each entry is
    verified before it is handed out, so a receipt that would not verify is never issued.
    """
    key = parse_verifier_key(verifier) if isinstance(verifier, str) else verifier
    checkpoint = open_checkpoint(signed_checkpoint, key)
    for position, _ in leaves:
        if not 1 <= position <= checkpoint.size:
            raise ValueError(f"position {position} is not in the checkpointed tree of {checkpoint.size} leaves")
    bundles = inclusion_bundles(reader, [p - 1 for p, _ in leaves], signed_checkpoint)
    entries = tuple(
        ReceiptEntry(position, data, json.loads(data), bundle)
        for (position, data), bundle in zip(leaves, bundles, strict=True)
    )
    receipt = Receipt(checkpoint.origin, key.text, entries)
    receipt.verify(key)
    return receipt


def _entry(obj: Any, n: int) -> ReceiptEntry:
    if not isinstance(obj, dict):
        raise BundleError(f"entry {n} is not an object")
    position, data, event, proof = (obj.get(k) for k in ("position", "leaf_input", "event", "proof"))
    if isinstance(position, bool) or not isinstance(position, int) or position < 1:
        raise BundleError(f"entry {n}: position must be a positive integer")
    if not isinstance(data, str) or not isinstance(event, dict) or not isinstance(proof, str):
        raise BundleError(f"entry {n} (position {position}): leaf_input, event and proof are required")
    try:
        raw = b64decode_strict(data, "leaf_input")
    except ValueError as e:
        raise BundleError(f"entry {n} (position {position}): {e}") from e
    return ReceiptEntry(position, raw, event, ProofBundle.parse(proof))


def _no_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # a reader of the JSON text must see exactly what was verified: no member twice
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError(f"member {name!r} appears twice")
        result[name] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
