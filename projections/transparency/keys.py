"""Ed25519 keys in the C2SP signed-note key format (pure: no files, no settings).

Key strings follow golang.org/x/mod/sumdb/note and c2sp.org/signed-note:

- verifier key: ``<name>+<key id, 8 hex>+<base64(0x01 || 32-byte public key)>``
- signer key:   ``PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte private seed)>``
- key id = first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), big-endian
  (signed-note §Ed25519 signatures); 0x01 is the Ed25519 signature type.

Key names are non-empty and hold neither Unicode spaces nor ``+`` (signed-note §Format),
which is why splitting a key string on its first ``+`` signs is unambiguous even though
base64 may itself contain ``+``. ``service.keys`` stores and loads the hall's key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

#: signed-note signature type byte for Ed25519
ED25519_ALGORITHM = 0x01
KEY_ID_SIZE = 4
ED25519_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64


def b64decode_strict(text: str, what: str) -> bytes:
    """Standard base64 (RFC 4648 §4) with padding, refusing any other spelling of the bytes."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as e:
        raise ValueError(f"{what} is not valid base64") from e
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError(f"{what} is not canonical base64")
    return raw


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_key_name(name: str) -> str:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise ValueError(f"key name {name!r} must be non-empty without spaces or '+' (c2sp.org/signed-note)")
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4] — c2sp.org/signed-note."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519_ALGORITHM]) + public_key).digest()[:KEY_ID_SIZE]


@dataclass(frozen=True)
class VerifierKey:
    """A trusted public key: verifies signatures made under ``name`` with ``key_id``."""

    name: str
    public_bytes: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_bytes) != ED25519_KEY_SIZE:
            raise ValueError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_bytes)

    @property
    def text(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{b64encode(bytes([ED25519_ALGORITHM]) + self.public_bytes)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_bytes).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """The log's private key and the name it signs under (the checkpoint origin)."""

    name: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        return cls(name=check_key_name(name), private=Ed25519PrivateKey.generate())

    @property
    def public_bytes(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_bytes)

    @property
    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self.public_bytes)

    @property
    def verifier_key(self) -> str:
        return self.verifier.text

    def signer_key(self) -> str:
        seed = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{b64encode(bytes([ED25519_ALGORITHM]) + seed)}"

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def public_key(self) -> Ed25519PublicKey:
        return self.private.public_key()


def _key_material(encoded: str, what: str) -> bytes:
    raw = b64decode_strict(encoded, what)
    if len(raw) != 1 + ED25519_KEY_SIZE or raw[0] != ED25519_ALGORITHM:
        raise ValueError(f"{what} is not an Ed25519 key (0x01 followed by 32 bytes)")
    return raw[1:]


def _check_hex_id(hex_id: str, what: str) -> None:
    if len(hex_id) != 2 * KEY_ID_SIZE or any(c not in "0123456789abcdefABCDEF" for c in hex_id):
        raise ValueError(f"{what} id {hex_id!r} is not 8 hex digits")


def parse_verifier_key(text: str) -> VerifierKey:
    """``<name>+<8 hex>+<base64(0x01 || public key)>``; the key id must match the key."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise ValueError("not a verifier key (name+keyid+base64)")
    name, hex_id, encoded = parts
    check_key_name(name)
    _check_hex_id(hex_id, "verifier key")
    key = VerifierKey(name, _key_material(encoded, "verifier key"))
    if key.key_id.hex() != hex_id.lower():
        raise ValueError("verifier key id does not match its key")
    return key


def parse_signer_key(text: str) -> SigningKey:
    """``PRIVATE+KEY+<name>+<8 hex>+<base64(0x01 || seed)>``; the key id must match the key."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise ValueError("not a signer key (PRIVATE+KEY+name+keyid+base64)")
    name, hex_id, encoded = parts[2], parts[3], parts[4]
    check_key_name(name)
    _check_hex_id(hex_id, "signer key")
    key = SigningKey(name=name, private=Ed25519PrivateKey.from_private_bytes(_key_material(encoded, "signer key")))
    if key.key_id.hex() != hex_id.lower():
        raise ValueError("signer key id does not match its key")
    return key
