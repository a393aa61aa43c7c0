"""RFC 8785 JSON Canonicalization Scheme (JCS) for the values our envelopes hold.

The ledger's leaf input is the JCS encoding of an event envelope, so that anyone can
recompute it byte for byte from the JSON form of the event. Envelopes hold only objects,
arrays, strings, integers, booleans and null (``projections.envelope`` turns decimals,
dates and UUIDs into strings), so this is the subset implemented here:

- objects: members sorted by their names compared as arrays of UTF-16 code units
  (RFC 8785 §3.2.3), no whitespace;
- strings: the ECMAScript ``JSON.stringify`` escaping (RFC 8785 §3.2.2.2): ``"`` and ``\\``
  escaped, control characters below U+0020 as ``\\b \\t \\n \\f \\r`` or ``\\u00xx`` (lower-case
  hex), every other character literal in UTF-8;
- integers within the I-JSON safe range ±(2**53 − 1) (RFC 7493 §2.2), written in decimal:
  beyond it JCS would have to round them through an IEEE 754 double.

Floats (and NaN/Infinity) are refused: their JCS form depends on ECMAScript's shortest
round-trip formatting, and the domain forbids them anyway (use ``Decimal``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: RFC 7493 §2.2 (I-JSON): integers a verifier in any language reads back exactly
MAX_SAFE_INTEGER = 2**53 - 1

_SHORT_ESCAPES = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
_ESCAPES = {c: _SHORT_ESCAPES.get(c, f"\\u{c:04x}") for c in (*range(0x20), 0x22, 0x5C)}
_TRANSLATION = str.maketrans({chr(c): e for c, e in _ESCAPES.items()})


class CanonicalizationError(ValueError):
    """A value the canonical encoding cannot represent exactly."""


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value``."""
    parts: list[str] = []
    _encode(value, parts, "$")
    return "".join(parts).encode("utf-8")


def canonical_text(value: Any) -> str:
    return canonicalize(value).decode("utf-8")


def _encode(value: Any, out: list[str], where: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalizationError(
                f"{where}: integer {value} lies outside ±(2**53 − 1); JCS cannot represent it exactly"
            )
        out.append(str(int(value)))
    elif isinstance(value, float):
        raise CanonicalizationError(f"{where}: floats are not allowed in the canonical encoding ({value!r})")
    elif isinstance(value, str):
        out.append(_string(value, where))
    elif isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise CanonicalizationError(f"{where}: object member names must be strings, not {key!r}")
        # RFC 8785 §3.2.3: sort by UTF-16 code units; big-endian UTF-16 bytes compare the same way
        names = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        out.append("{")
        for n, name in enumerate(names):
            if n:
                out.append(",")
            out.append(_string(name, f"{where}.{name}"))
            out.append(":")
            _encode(value[name], out, f"{where}.{name}")
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for n, item in enumerate(value):
            if n:
                out.append(",")
            _encode(item, out, f"{where}[{n}]")
        out.append("]")
    else:
        raise CanonicalizationError(f"{where}: cannot encode {type(value).__name__} canonically")


def _string(text: str, where: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        # RFC 8785 §3.2.2.2 requires well-formed Unicode: a lone surrogate has no UTF-8 form
        raise CanonicalizationError(f"{where}: string holds a lone surrogate at offset {e.start}") from e
    return '"' + text.translate(_TRANSLATION) + '"'
