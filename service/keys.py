"""The checkpoint signing key on disk: generated once by ``hall-ledger init``.

The key lives in ``settings.key_dir`` (never the database, never the repository), as one
line in the C2SP signer-key format. The format itself — key strings, key ids, signing —
is pure and lives in ``projections.transparency.keys``; this module only reads and writes files.
"""

from __future__ import annotations

import os
from pathlib import Path

from projections.transparency.keys import SigningKey, VerifierKey, key_id, parse_signer_key, parse_verifier_key
from service.settings import Settings

__all__ = [
    "SigningKey",
    "VerifierKey",
    "ensure_signing_key",
    "key_id",
    "load_signing_key",
    "parse_signer_key",
    "parse_verifier_key",
]


def load_signing_key(settings: Settings) -> SigningKey:
    path = settings.signing_key_path
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint signing key at {path}; run `hall-ledger init`")
    return parse_signer_key(path.read_text(encoding="ascii"))


def ensure_signing_key(settings: Settings) -> tuple[SigningKey, bool]:
    """Load the signing key, generating it (mode 0600) when absent. Returns (key, created)."""
    path: Path = settings.signing_key_path
    if path.exists():
        return load_signing_key(settings), False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = SigningKey.generate(settings.ledger_origin)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.signer_key() + "\n")
    return key, True
