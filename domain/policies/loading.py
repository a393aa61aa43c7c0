"""Strict reading of versioned policy files (``<family>-<version>.toml``).

A policy version is immutable once published, like a rule catalogue: facts and results
cite ``<family>@<version>`` and must be re-judgeable under exactly that file. The helpers
here refuse what a hand-edited TOML file gets wrong — an unknown key (a typo would
otherwise be silently ignored), a wrong type, a malformed time — and name the file and
the key at fault. Every policy family beside this module reads its files with them, and
so does the rule catalogue (``domain/rules/catalogue.py``), which raises its own
``CatalogueError`` (the helpers it uses take ``error=``).

Messages are part of the contract (tests, operators and ``hall-ledger rescore`` match
them), and the families do not all word them alike: the escalation and scoring policies
and the catalogue say ``field 'x' must be a non-empty string``, ``unknown field(s)`` and
``section [x] is missing`` (the ``field_*``, ``section`` and ``only_fields`` helpers);
attendance, security and detection say ``x must be a non-empty string``, ``unknown
key(s)`` and ``must be a table`` (``text``, ``table``, ``only_keys``, ``header``).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol, TypeVar

from domain.envelope import CHINA_STANDARD_TIME
from domain.errors import NotFound

HERE = Path(__file__).parent
_VERSION = re.compile(r"^\d{4}\.\d+$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


class PolicyError(ValueError):
    """A policy file is malformed; the message names the file, the section and the key."""


class Versioned(Protocol):
    """What every loaded policy (and catalogue) has: the version it declares and when it applies."""

    @property
    def version(self) -> str: ...

    @property
    def in_force_from(self) -> date: ...


P = TypeVar("P", bound=Versioned)


def parse_toml(data: bytes, name: str, *, error: type[ValueError] = PolicyError) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise error(f"{name}: not valid UTF-8 TOML: {e}") from None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked_version(version: str, name: str, error: type[ValueError]) -> str:
    if not _VERSION.match(version):
        raise error(f"{name}: version {version!r} must look like 2026.1")
    return version


# ── attendance, security, detection: "x must be …", "unknown key(s)" ─────────


def table(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: must be a table")
    return raw


def tables(raw: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = raw.get(key)
    if not isinstance(value, list) or not value:
        raise PolicyError(f"{where}: {key} must be a non-empty array of tables ([[{key}]])")
    return [table(v, f"{where} {key}[{i}]") for i, v in enumerate(value)]


def only_keys(raw: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(unknown)}")


def text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where}: {key} must be a non-empty string")
    return value


def code(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = text(raw, key, where)
    if not _CODE.match(value):
        raise PolicyError(f"{where}: {key} {value!r} must be lower_snake_case")
    return value


def integer(raw: Mapping[str, Any], key: str, where: str, *, low: int, high: int) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise PolicyError(f"{where}: {key} must be an integer between {low} and {high}")
    return value


def clock_time(raw: Mapping[str, Any], key: str, where: str) -> time:
    value = text(raw, key, where)
    match = _CLOCK.match(value)
    if not match:
        raise PolicyError(f"{where}: {key} {value!r} must be a time of day HH:MM (24-hour)")
    return time(int(match.group(1)), int(match.group(2)))


def utc_offset(raw: Mapping[str, Any], key: str, where: str) -> tzinfo:
    value = text(raw, key, where)
    match = _OFFSET.match(value)
    if not match:
        raise PolicyError(f"{where}: {key} {value!r} must be a UTC offset such as +08:00")
    sign = 1 if match.group(1) == "+" else -1
    offset = sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    if offset == CHINA_STANDARD_TIME.utcoffset(None):
        return CHINA_STANDARD_TIME
    return timezone(offset)


def iso_date(raw: Mapping[str, Any], key: str, where: str) -> date:
    value = text(raw, key, where)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PolicyError(f"{where}: {key} {value!r} is not a date YYYY-MM-DD") from None


def header(raw: Mapping[str, Any], family: str, name: str) -> tuple[str, date, str]:
    """``family``, ``version``, ``in_force_from`` and ``source`` every policy file starts with."""
    if raw.get("family") != family:
        raise PolicyError(f"{name}: family must be {family!r}")
    version = _checked_version(text(raw, "version", name), name, PolicyError)
    return version, iso_date(raw, "in_force_from", name), text(raw, "source", name)


# ── escalation, scoring, the rule catalogue: "field 'x' …", "unknown field(s)" ─


def section(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: section [{key}] is missing or not a table")
    return value


def only_fields(
    raw: Mapping[str, Any], known: Iterable[str], where: str, *, error: type[ValueError] = PolicyError
) -> None:
    extra = sorted(set(raw) - set(known))
    if extra:
        raise error(f"{where}: unknown field(s) {', '.join(extra)}")


def field_text(raw: Mapping[str, Any], key: str, where: str, *, error: type[ValueError] = PolicyError) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise error(f"{where}: field {key!r} must be a non-empty string")
    return value


def field_version(raw: Mapping[str, Any], name: str, *, error: type[ValueError] = PolicyError) -> str:
    return _checked_version(field_text(raw, "version", name, error=error), name, error)


def field_date(raw: Mapping[str, Any], key: str, where: str, *, error: type[ValueError] = PolicyError) -> date:
    value = field_text(raw, key, where, error=error)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise error(f"{where}: {key} {value!r} is not a date") from None


def choice(
    raw: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str, *, error: type[ValueError] = PolicyError
) -> str:
    value = field_text(raw, key, where, error=error)
    if value not in allowed:
        raise error(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    return value


def decimal(
    raw: Mapping[str, Any], key: str, where: str, *, high: Decimal, error: type[ValueError] = PolicyError
) -> Decimal:
    """A non-negative decimal written as a string (``"0.5"``: TOML floats are binary)."""
    value = raw.get(key)
    if not isinstance(value, str):
        raise error(f'{where}: {key} must be a decimal string such as "2" or "0.5"')
    try:
        points = Decimal(value)
    except InvalidOperation:
        raise error(f"{where}: {key} {value!r} is not a decimal number") from None
    if not points.is_finite() or points < 0 or points > high:
        raise error(f"{where}: {key} {value!r} must lie between 0 and {high}")
    return points


# ── versioned files ──────────────────────────────────────────────────────────


def versions(family: str, folder: Path = HERE) -> list[str]:
    """The versions of ``family`` installed in ``folder``, oldest first."""
    found = [p.stem.removeprefix(f"{family}-") for p in folder.glob(f"{family}-*.toml")]
    return sorted((v for v in found if _VERSION.match(v)), key=lambda v: tuple(int(p) for p in v.split(".")))


def installed(
    family: str, version: str | None, *, folder: Path = HERE, what: str | None = None, field: str = "policy"
) -> Path:
    """The file of ``family`` at ``version`` (the newest when None); ``what`` names it in the NotFound."""
    known = versions(family, folder)
    if not known:
        raise NotFound(f"no {family} policy is installed", field=field)
    chosen = known[-1] if version is None else version
    if chosen not in known:
        what = what or f"{family} policy"
        raise NotFound(f"{what} {chosen!r} does not exist (have: {', '.join(known)})", field=field)
    return folder / f"{family}-{chosen}.toml"


def check_file_version(name: str, family: str, version: str, *, error: type[ValueError] = PolicyError) -> None:
    expected = f"{family}-{version}.toml"
    if name.startswith(f"{family}-") and name != expected:
        raise error(f"{name}: declares version {version}, expected {expected}")


def read_file(path: Path, family: str, parse: Callable[[bytes, str], P]) -> P:
    """A policy file wherever it lies (a what-if policy too); named like a version, it must declare that version."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PolicyError(f"{path}: cannot read the policy file: {e.strerror}") from None
    policy = parse(data, path.name)
    check_file_version(path.name, family, policy.version)
    return policy


def load_version(family: str, version: str | None, parse: Callable[[bytes, str], P], *, what: str | None = None) -> P:
    """The policy of ``family`` at ``version`` (the newest when None)."""
    return read_file(installed(family, version, what=what), family, parse)


def in_force(family: str, on: date, load: Callable[[str], P], *, folder: Path = HERE) -> P:
    """The version that judges a fact of valid date ``on``: the newest in force by then, else the
    oldest (no retroactive tightening)."""
    known = versions(family, folder)
    chosen = load(known[0])
    for version in known:
        policy = load(version)
        if policy.in_force_from <= on:
            chosen = policy
    return chosen
