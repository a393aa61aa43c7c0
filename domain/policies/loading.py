"""Strict reading of versioned policy files (``<family>-<version>.toml`` beside this module).

A policy version is immutable once published, like a rule catalogue: facts and results
cite ``<family>@<version>`` and must be re-judgeable under exactly that file. The helpers
here refuse what a hand-edited TOML file gets wrong — an unknown key (a typo would
otherwise be silently ignored), a wrong type, a malformed time — and name the file and
the key at fault.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from domain.envelope import CHINA_STANDARD_TIME
from domain.errors import NotFound

HERE = Path(__file__).parent
_VERSION = re.compile(r"^\d{4}\.\d+$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")

T = TypeVar("T")


class PolicyError(ValueError):
    """A policy file is malformed; the message names the file and the key."""


def parse_toml(data: bytes, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise PolicyError(f"{name}: not valid UTF-8 TOML: {e}") from None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
    version = text(raw, "version", name)
    if not _VERSION.match(version):
        raise PolicyError(f"{name}: version {version!r} must look like 2026.1")
    return version, iso_date(raw, "in_force_from", name), text(raw, "source", name)


def versions(family: str) -> list[str]:
    found = [p.stem.removeprefix(f"{family}-") for p in HERE.glob(f"{family}-*.toml")]
    return sorted((v for v in found if _VERSION.match(v)), key=lambda v: tuple(int(p) for p in v.split(".")))


def load_version(family: str, version: str | None, parse: Callable[[bytes, str], T]) -> T:
    """The policy of ``family`` at ``version`` (the newest when None)."""
    known = versions(family)
    if not known:
        raise NotFound(f"no {family} policy is installed", field="policy")
    chosen = known[-1] if version is None else version
    if chosen not in known:
        raise NotFound(f"{family} policy {chosen!r} does not exist (have: {', '.join(known)})", field="policy")
    path = HERE / f"{family}-{chosen}.toml"
    return parse(path.read_bytes(), path.name)


def check_file_version(name: str, family: str, version: str) -> None:
    expected = f"{family}-{version}.toml"
    if name.startswith(f"{family}-") and name != expected:
        raise PolicyError(f"{name}: declares version {version}, expected {expected}")
