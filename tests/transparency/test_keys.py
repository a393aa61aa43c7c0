"""The checkpoint signing key: generated once by init, in the C2SP signed-note key format."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.keys import SigningKey, ensure_signing_key, parse_signer_key
from service.settings import Settings


def test_signer_keys_round_trip_even_when_base64_holds_a_plus() -> None:
    seen_plus = False
    for _ in range(64):
        key = SigningKey(name="hall-ledger.example/beihai", private=Ed25519PrivateKey.generate())
        text = key.signer_key()
        seen_plus |= "+" in text.rsplit("+", 1)[1] or "+" in text.split("+", 4)[4]
        again = parse_signer_key(text)
        assert again.verifier_key == key.verifier_key
    assert seen_plus, "64 random keys should include one whose base64 holds a '+'"


def test_init_generates_the_key_once_with_private_permissions(tmp_path: Path) -> None:
    settings = Settings(sqlite_path=tmp_path / "l.db", key_dir=tmp_path / "keys")
    key, created = ensure_signing_key(settings)
    assert created and settings.signing_key_path.stat().st_mode & 0o777 == 0o600
    again, created_again = ensure_signing_key(settings)
    assert not created_again and again.verifier_key == key.verifier_key
    name, key_id, encoded = key.verifier_key.split("+", 2)
    assert name == settings.ledger_origin and len(key_id) == 8
    assert base64.b64decode(encoded)[0] == 0x01 and len(base64.b64decode(encoded)) == 33


def test_the_stored_key_signs_checkpoints_that_its_verifier_key_opens(tmp_path: Path) -> None:
    from projections.transparency.merkle import EMPTY_ROOT
    from projections.transparency.note import Checkpoint, open_checkpoint, sign_checkpoint
    from service.keys import load_signing_key

    settings = Settings(sqlite_path=tmp_path / "l.db", key_dir=tmp_path / "keys")
    key, _ = ensure_signing_key(settings)
    loaded = load_signing_key(settings)
    signed = sign_checkpoint(Checkpoint(settings.ledger_origin, 0, EMPTY_ROOT), loaded)
    assert open_checkpoint(signed, key.verifier_key, origin=settings.ledger_origin).size == 0
