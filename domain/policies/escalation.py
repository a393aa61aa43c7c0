"""The escalation policy (ART2.1.3 generalised): which violations count, how they step the
ladder, how long a step stays on record and what the hall must decide by when.

A policy version is a TOML file ``escalation-<version>.toml`` beside this module; events and
read-model rows cite it as ``escalation@<version>``. The loader refuses a malformed file
with a message naming the file, the section and the field. The ladder itself (the states
and the walk through them) lives in ``projections/escalation.py``; this module is only the
data it is parameterised with.

Default policy (DOMAIN.md "Escalation ladder, default policy", DOMAIN-RESEARCH §2 [P]):

- families: SERVICE, DISCIPLINE, SECURITY, INTEGRITY, assigned by rule id (and item) prefix,
  the longest prefix winning — a dress-code slip never escalates a first-inquiry record;
- a confirmed major violation is one step; minor ones count one step per 3 within 90 days;
  3 verified bad ratings within 90 days are a step; a serious (integrity) violation makes a
  suspension or removal due at once;
- only violations of rules the catalogue marks ``ladder = true`` count, and only while
  confirmed — pending, under appeal, dismissed or revoked items never count;
- look-back: a step counts for 365 days; a warning (admonishment) resets to clear after 365
  clean days, a reinstatement after 182;
- a step the hall has not decided on (admonishment, suspension or removal, rescission of a
  decision whose basis fell away) within ``decision_due_days`` is an alert.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from domain.errors import NotFound

SEVERITIES = ("minor", "major", "serious")
LADDER_FAMILIES = ("SERVICE", "DISCIPLINE", "SECURITY", "INTEGRITY")
RULE_SOURCES = ("catalogue",)
_VERSION = re.compile(r"^\d{4}\.\d+$")
_PREFIX = re.compile(r"^ART\d+(\.\d+){0,2}(/[a-z][a-z0-9_]*)?$")
_HERE = Path(__file__).parent


class PolicyError(ValueError):
    """A policy file is malformed; the message names the file, the section and the field."""


@dataclass(frozen=True)
class EscalationPolicy:
    version: str
    published: str
    in_force_from: date
    source: str
    #: "catalogue": a rule counts when the catalogue marks it ``ladder = true``
    rules: str
    #: rule ids (or ``ARTx.y/item``) that never count, whatever the catalogue says
    excluded: tuple[str, ...]
    look_back_days: int
    #: severities of which one confirmed violation is one step
    step_severities: tuple[str, ...]
    #: severities of which ``minor_per_step`` within ``minor_window_days`` make a step
    grouped_severities: tuple[str, ...]
    minor_per_step: int
    minor_window_days: int
    #: severities that make a suspension or removal due at once (and recommend removal)
    immediate_severities: tuple[str, ...]
    bad_ratings_per_step: int
    bad_ratings_window_days: int
    bad_rating_family: str
    remedy_due_working_days: int
    decision_due_days: int
    clean_days: int
    reinstated_clean_days: int
    removal_if_sanctioned_within_days: int
    #: prefix (``ART6.3`` or ``ART6.3/back_to_window``) → family
    families: Mapping[str, str]
    digest: str

    @property
    def ref(self) -> str:
        return f"escalation@{self.version}"

    def family_of(self, rule_id: str, item: str | None = None) -> str | None:
        """The ladder family of a rule (and item): the longest matching prefix wins."""
        keys = [f"{rule_id}/{item}"] if item else []
        parts = rule_id.split(".")
        keys += [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
        for key in keys:
            found = self.families.get(key)
            if found is not None:
                return found
        return None

    def is_excluded(self, rule_id: str, item: str | None = None) -> bool:
        return rule_id in self.excluded or (item is not None and f"{rule_id}/{item}" in self.excluded)


def _section(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: section [{key}] is missing or not a table")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where}: field {key!r} must be a non-empty string")
    return value


def _int(raw: Mapping[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PolicyError(f"{where}: {key} must be an integer")
    if not low <= value <= high:
        raise PolicyError(f"{where}: {key} = {value} must lie between {low} and {high}")
    return value


def _choices(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: {key} must be a list of strings")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise PolicyError(f"{where}: {key} has {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    return tuple(value)


def _unknown(raw: Mapping[str, Any], known: set[str], where: str) -> None:
    extra = sorted(set(raw) - known)
    if extra:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(extra)}")


def _prefixes(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise PolicyError(f'{where}: must be a list of rule id prefixes such as "ART6.5" or "ART6.3/back_to_window"')
    for prefix in raw:
        if not _PREFIX.match(prefix):
            raise PolicyError(f"{where}: {prefix!r} is not a rule id prefix (ART6, ART6.5, ART6.3/back_to_window)")
    return tuple(raw)


def parse_escalation_policy(data: bytes, name: str = "<escalation policy>") -> EscalationPolicy:
    """Parse and validate an escalation policy file's bytes."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise PolicyError(f"{name}: not valid UTF-8 TOML: {e}") from None
    if raw.get("kind") != "escalation":
        raise PolicyError(f'{name}: kind must be "escalation" (this is not an escalation policy)')
    version = _text(raw, "version", name)
    if not _VERSION.match(version):
        raise PolicyError(f"{name}: version {version!r} must look like 2026.1")
    in_force_raw = _text(raw, "in_force_from", name)
    try:
        in_force_from = date.fromisoformat(in_force_raw)
    except ValueError:
        raise PolicyError(f"{name}: in_force_from {in_force_raw!r} is not a date") from None
    _unknown(
        raw,
        {"kind", "version", "published", "in_force_from", "source", "counting", "decisions", "reset", "families"},
        name,
    )

    where = wc = f"{name} [counting]"
    counting = _section(raw, "counting", name)
    _unknown(
        counting,
        {
            "rules", "excluded", "look_back_days", "step_severities", "grouped_severities", "minor_per_step",
            "minor_window_days", "immediate_severities", "bad_ratings_per_step", "bad_ratings_window_days",
            "bad_rating_family",
        },
        where,
    )  # fmt: skip
    rules = _text(counting, "rules", where)
    if rules not in RULE_SOURCES:
        raise PolicyError(f"{where}: rules {rules!r} is not one of {', '.join(RULE_SOURCES)}")
    excluded = _prefixes(counting.get("excluded", []), f"{where} excluded")
    step = _choices(counting, "step_severities", SEVERITIES, where)
    grouped = _choices(counting, "grouped_severities", SEVERITIES, where)
    immediate = _choices(counting, "immediate_severities", SEVERITIES, where)
    if set(step) & set(grouped) or set(step) & set(immediate) or set(grouped) & set(immediate):
        raise PolicyError(f"{where}: a severity is listed in more than one of step/grouped/immediate_severities")
    bad_family = _text(counting, "bad_rating_family", where)
    if bad_family not in LADDER_FAMILIES:
        raise PolicyError(f"{where}: bad_rating_family {bad_family!r} is not one of {', '.join(LADDER_FAMILIES)}")

    where = f"{name} [decisions]"
    decisions = _section(raw, "decisions", name)
    _unknown(decisions, {"remedy_due_working_days", "decision_due_days", "removal_if_sanctioned_within_days"}, where)

    where_reset = f"{name} [reset]"
    reset = _section(raw, "reset", name)
    _unknown(reset, {"clean_days", "reinstated_clean_days"}, where_reset)

    families_raw = _section(raw, "families", name)
    families: dict[str, str] = {}
    for family, prefixes in families_raw.items():
        if family not in LADDER_FAMILIES:
            raise PolicyError(f"{name} [families]: {family!r} is not one of {', '.join(LADDER_FAMILIES)}")
        for prefix in _prefixes(prefixes, f"{name} [families] {family}"):
            if prefix in families:
                raise PolicyError(f"{name} [families]: {prefix} is listed under {families[prefix]} and {family}")
            families[prefix] = family
    if not families:
        raise PolicyError(f"{name} [families]: no family is defined")

    return EscalationPolicy(
        version=version,
        published=_text(raw, "published", name),
        in_force_from=in_force_from,
        source=_text(raw, "source", name),
        rules=rules,
        excluded=excluded,
        look_back_days=_int(counting, "look_back_days", wc, 1, 3660),
        step_severities=step,
        grouped_severities=grouped,
        minor_per_step=_int(counting, "minor_per_step", wc, 1, 100),
        minor_window_days=_int(counting, "minor_window_days", wc, 1, 3660),
        immediate_severities=immediate,
        bad_ratings_per_step=_int(counting, "bad_ratings_per_step", wc, 1, 100),
        bad_ratings_window_days=_int(counting, "bad_ratings_window_days", wc, 1, 3660),
        bad_rating_family=bad_family,
        remedy_due_working_days=_int(decisions, "remedy_due_working_days", where, 1, 60),
        decision_due_days=_int(decisions, "decision_due_days", where, 1, 365),
        removal_if_sanctioned_within_days=_int(decisions, "removal_if_sanctioned_within_days", where, 0, 3660),
        clean_days=_int(reset, "clean_days", where_reset, 1, 3660),
        reinstated_clean_days=_int(reset, "reinstated_clean_days", where_reset, 1, 3660),
        families=families,
        digest=hashlib.sha256(data).hexdigest(),
    )


def load_escalation_policy_file(path: Path) -> EscalationPolicy:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PolicyError(f"{path}: cannot read the policy file: {e.strerror}") from None
    policy = parse_escalation_policy(data, path.name)
    expected = f"escalation-{policy.version}.toml"
    if path.name.startswith("escalation-") and path.name != expected:
        raise PolicyError(f"{path.name}: declares version {policy.version}, expected {expected}")
    return policy


def escalation_versions() -> list[str]:
    versions = [p.stem.removeprefix("escalation-") for p in _HERE.glob("escalation-*.toml")]
    return sorted(versions, key=lambda v: tuple(int(part) for part in v.split(".")))


@cache
def load_escalation_policy(version: str | None = None) -> EscalationPolicy:
    """The escalation policy of ``version`` (the newest when None)."""
    versions = escalation_versions()
    if version is None:
        version = versions[-1]
    if version not in versions:
        raise NotFound(
            f"escalation policy version {version!r} does not exist (have: {', '.join(versions)})", field="policy"
        )
    return load_escalation_policy_file(_HERE / f"escalation-{version}.toml")


def escalation_policy_in_force(on: date) -> EscalationPolicy:
    """The policy that judges a ladder as of valid date ``on`` (no retroactive tightening)."""
    versions = escalation_versions()
    chosen = load_escalation_policy(versions[0])
    for version in versions:
        policy = load_escalation_policy(version)
        if policy.in_force_from <= on:
            chosen = policy
    return chosen
