"""C2SP signed notes (c2sp.org/signed-note) and checkpoints (c2sp.org/tlog-checkpoint).

A signed note is a text ending in a newline, a blank line, then one or more signature
lines ``— <key name> base64(key id (4 bytes) || Ed25519 signature (64 bytes))`` (em dash
U+2014, space). The signature covers the text including its final newline. Verifiers
ignore signatures from keys they do not know (that is how witness cosignatures ride along),
reject the note if a signature from the trusted key fails, and require at least one that
verifies.

A checkpoint is a note whose text is ``<origin>\\n<size, decimal>\\n<base64 root>\\n`` plus
optional non-empty extension lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from projections.transparency.keys import (
    ED25519_SIGNATURE_SIZE,
    KEY_ID_SIZE,
    SigningKey,
    VerifierKey,
    b64decode_strict,
    b64encode,
    check_key_name,
    parse_verifier_key,
)
from projections.transparency.merkle import HASH_SIZE

SIGNATURE_PREFIX = "\u2014 "
#: c2sp.org/signed-note: verifiers MUST accept at least 16; Go's note package stops at 100
MAX_SIGNATURES = 100
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
MAX_TREE_SIZE = 2**63 - 1


class NoteError(ValueError):
    """A note that is malformed or not signed by the trusted key."""


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[NoteSignature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("a note's text must end with a newline")
    for n, c in enumerate(text):
        if c < " " and c != "\n":
            raise NoteError(f"a note may hold no control character but newline (U+{ord(c):04X} at {n})")
        if "\ud800" <= c <= "\udfff":
            raise NoteError(f"a note must be valid UTF-8 (lone surrogate at {n})")


def sign_note(text: str, *keys: SigningKey) -> str:
    """The signed note: ``text``, a blank line, one signature line per key."""
    _check_text(text)
    if not keys:
        raise NoteError("a signed note needs at least one signature")
    message = text.encode("utf-8")
    signatures = tuple(NoteSignature(check_key_name(k.name), k.key_id, k.sign(message)) for k in keys)
    return str(Note(text, signatures))


def parse_note(signed: str | bytes) -> Note:
    """Split a signed note into its text and signature lines (nothing verified yet)."""
    if isinstance(signed, bytes):
        try:
            signed = signed.decode("utf-8")
        except UnicodeDecodeError as e:
            raise NoteError("a note must be valid UTF-8") from e
    _check_text(signed)
    # the text may hold blank lines itself: the signatures follow the *last* one
    split = signed.rfind("\n\n")
    if split < 0:
        raise NoteError("no blank line separates the note's text from its signatures")
    text, block = signed[: split + 1], signed[split + 2 :]
    if not block:
        raise NoteError("a note without signature lines")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    signatures: list[NoteSignature] = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"signature line does not start with an em dash and a space: {line[:40]!r}")
        name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            check_key_name(name)
            raw = b64decode_strict(encoded, "signature")
        except ValueError as e:
            raise NoteError(f"malformed signature line {line[:40]!r}: {e}") from e
        if not space or len(raw) <= KEY_ID_SIZE:
            raise NoteError(f"malformed signature line {line[:40]!r}")
        signatures.append(NoteSignature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:]))
    return Note(text, tuple(signatures))


def open_note(signed: str | bytes, verifier: VerifierKey | str) -> Note:
    """The note, once a signature by ``verifier`` verifies over its text.

    Signatures by other keys (another name or another key id) are ignored; a signature that
    claims the trusted key's name and id but fails makes the whole note invalid.
    """
    key = parse_verifier_key(verifier) if isinstance(verifier, str) else verifier
    note = parse_note(signed)
    message = note.text.encode("utf-8")
    verified = 0
    for signature in note.signatures:
        if signature.name != key.name or signature.key_id != key.key_id:
            continue
        if len(signature.signature) != ED25519_SIGNATURE_SIZE or not key.verify(message, signature.signature):
            raise NoteError(f"the signature by {key.name}+{key.key_id.hex()} does not verify")
        verified += 1
    if not verified:
        raise NoteError(f"the note carries no signature by the trusted key {key.name}+{key.key_id.hex()}")
    return note


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's origin, its size and its root hash (c2sp.org/tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise NoteError("a checkpoint's origin is one non-empty line")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise NoteError(f"tree size {self.size} out of range")
        if len(self.root) != HASH_SIZE:
            raise NoteError("a checkpoint's root hash is 32 bytes")
        for line in self.extensions:
            if not line or "\n" in line:
                raise NoteError("checkpoint extension lines are non-empty single lines")

    @property
    def text(self) -> str:
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint's note text strictly (decimal without leading zeros, 32-byte root)."""
        _check_text(text)
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise NoteError("a checkpoint is at least three non-empty lines: origin, size, root")
        origin, size, root, *extensions = lines
        if not _DECIMAL.fullmatch(size) or int(size) > MAX_TREE_SIZE:
            raise NoteError(f"checkpoint tree size {size!r} is not a decimal without leading zeros")
        try:
            root_hash = b64decode_strict(root, "checkpoint root hash")
        except ValueError as e:
            raise NoteError(str(e)) from e
        return cls(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, *keys: SigningKey) -> str:
    return sign_note(checkpoint.text, *keys)


def open_checkpoint(signed: str | bytes, verifier: VerifierKey | str, *, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint and parse it; ``origin`` (when given) must be its first line."""
    checkpoint = Checkpoint.parse(open_note(signed, verifier).text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not the expected {origin!r}")
    return checkpoint
