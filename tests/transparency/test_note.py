"""C2SP signed notes and checkpoints: the Go sumdb/note vector byte for byte, and what a
verifier must refuse."""

from __future__ import annotations

import base64

import pytest

from projections.transparency.keys import SigningKey, VerifierKey, key_id, parse_signer_key, parse_verifier_key
from projections.transparency.merkle import EMPTY_ROOT, hash_leaf
from projections.transparency.note import (
    Checkpoint,
    NoteError,
    open_checkpoint,
    open_note,
    parse_note,
    sign_checkpoint,
    sign_note,
)

# ANCHORS §4.6, from golang.org/x/mod/sumdb/note note_test.go
PETER_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIGNATURE = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

ORIGIN = "hall-ledger.example/beihai"


@pytest.fixture(scope="module")
def hall_key() -> SigningKey:
    return SigningKey.generate(ORIGIN)


def test_the_go_signed_note_vector_byte_for_byte() -> None:
    key = parse_signer_key(PETER_SIGNER)
    assert key.verifier_key == PETER_VERIFIER
    assert key.key_id.hex() == "c74f20a3"
    signed = sign_note(PETER_TEXT, key)
    assert signed.encode("utf-8") == (PETER_TEXT + "\n" + PETER_SIGNATURE).encode("utf-8")
    assert signed.encode("utf-8")[len(PETER_TEXT) + 1 : len(PETER_TEXT) + 5] == b"\xe2\x80\x94 ", "em dash, space"
    note = open_note(signed, PETER_VERIFIER)
    assert note.text == PETER_TEXT and str(note) == signed


def test_key_ids_follow_c2sp() -> None:
    verifier = parse_verifier_key(PETER_VERIFIER)
    assert key_id("PeterNeumann", verifier.public_bytes).hex() == "c74f20a3"
    assert verifier.text == PETER_VERIFIER


@pytest.mark.parametrize(
    "text",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
        "PeterNeumann+c74f20a3+AhRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # not type 0x01
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",  # short
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f2+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_verifier_keys_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_verifier_key(text)


def test_a_checkpoint_is_origin_size_and_base64_root() -> None:
    checkpoint = Checkpoint(
        ORIGIN, 8, bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
    )
    assert checkpoint.text == f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    assert Checkpoint.parse(checkpoint.text) == checkpoint
    with_extension = Checkpoint(ORIGIN, 0, EMPTY_ROOT, ("timestamp 1760000000",))
    assert Checkpoint.parse(with_extension.text) == with_extension
    assert with_extension.text.endswith("\ntimestamp 1760000000\n")


@pytest.mark.parametrize(
    "text",
    [
        f"{ORIGIN}\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  # leading zero
        f"{ORIGIN}\n-8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
        f"{ORIGIN}\n+8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
        f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQ=\n",  # 31 bytes
        f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n",  # non-canonical base64
        f"{ORIGIN}\n8\n",
        f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\nextension\n",  # empty line
        f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",  # no final newline
        "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


def test_a_signed_checkpoint_opens_with_the_hall_key(hall_key: SigningKey) -> None:
    checkpoint = Checkpoint(ORIGIN, 3, hash_leaf(b"x"))
    signed = sign_checkpoint(checkpoint, hall_key)
    assert signed.startswith(checkpoint.text + "\n— " + ORIGIN + " ")
    assert open_checkpoint(signed, hall_key.verifier_key, origin=ORIGIN) == checkpoint
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(signed, hall_key.verifier_key, origin="hall-ledger.example/other")


def test_unknown_signatures_are_ignored_but_one_trusted_signature_is_required(hall_key: SigningKey) -> None:
    witness = SigningKey.generate("witness.example/w1")
    impostor = SigningKey.generate(ORIGIN)  # same name, another key (so another key id)
    text = Checkpoint(ORIGIN, 3, hash_leaf(b"x")).text
    cosigned = sign_note(text, witness, hall_key, impostor)
    assert open_note(cosigned, hall_key.verifier).text == text
    assert open_note(cosigned, witness.verifier).text == text
    with pytest.raises(NoteError, match="no signature by the trusted key"):
        open_note(sign_note(text, witness, impostor), hall_key.verifier)


def test_a_known_key_whose_signature_fails_rejects_the_note(hall_key: SigningKey) -> None:
    text = Checkpoint(ORIGIN, 3, hash_leaf(b"x")).text
    signed = sign_note(text, hall_key)
    for altered in (
        signed.replace("\n3\n", "\n4\n"),  # another size under the same signature
        signed.replace(ORIGIN + "\n", ORIGIN + "x\n", 1),
    ):
        with pytest.raises(NoteError, match="does not verify"):
            open_note(altered, hall_key.verifier)
    # a second, bad signature by the trusted key spoils a good one (c2sp.org/signed-note: SHOULD reject)
    note = parse_note(signed)
    bad = note.signatures[0].line.replace(note.signatures[0].line[-6:-2], "AAAA")
    with pytest.raises(NoteError, match="does not verify"):
        open_note(signed + bad, hall_key.verifier)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s.replace("\n\n", "\n"),  # no blank line
        lambda s: s[:-1],  # no final newline
        lambda s: s.replace("— ", "- "),  # hyphen for em dash
        lambda s: s.replace("— ", "—"),
        lambda s: s + "\n",
        lambda s: s.replace("\n3\n", "\n3\t\n"),  # control character
        lambda s: s.rstrip("\n") + "!\n",  # not base64
        lambda s: s.split("\n\n")[0] + "\n\n",  # no signature lines
    ],
)
def test_malformed_notes_are_refused(hall_key: SigningKey, mangle: object) -> None:
    signed = sign_checkpoint(Checkpoint(ORIGIN, 3, hash_leaf(b"x")), hall_key)
    with pytest.raises(NoteError):
        open_note(mangle(signed), hall_key.verifier)  # type: ignore[operator]


def test_signing_refuses_text_that_is_not_a_note(hall_key: SigningKey) -> None:
    for text in ("no final newline", "tab\there\n", ""):
        with pytest.raises(NoteError):
            sign_note(text, hall_key)


def test_text_with_blank_lines_is_split_at_the_last_one(hall_key: SigningKey) -> None:
    text = "line one\n\nline three\n"
    assert open_note(sign_note(text, hall_key), hall_key.verifier).text == text


def test_verifier_key_round_trip(hall_key: SigningKey) -> None:
    verifier = parse_verifier_key(hall_key.verifier_key)
    assert verifier == VerifierKey(ORIGIN, hall_key.public_bytes)
    name, hex_id, encoded = hall_key.verifier_key.split("+", 2)
    assert (name, hex_id) == (ORIGIN, hall_key.key_id.hex())
    assert base64.b64decode(encoded) == b"\x01" + hall_key.public_bytes
