"""The escalation policy (ART2.1.3 generalised): which violations count, how they step the
ladder, how long a step stays on record and what the hall must decide by when.

A policy version is a TOML file ``escalation-<version>.toml`` beside this module; events and
read-model rows cite it as ``escalation@<version>``. The loader refuses a malformed file
with a message naming the file, the section and the field. The ladder itself (the states,
the walk through them and the verdict on a proposed suspension or removal) lives in
``domain/ladder.py`` — used by the escalation read model and by the write side alike; this
module is only the data it is parameterised with.

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
  decision whose basis fell away) within ``decision_due_days`` is an alert;
- an admonishment's remedy is due ``remedy_due_working_days`` working days (hall calendar) after
  the day the admonishment is recorded — the day it becomes visible to the person, taken in
  Asia/Shanghai — or later if the decision says so (``domain.ladder.remedy_due_by``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from domain.policies import loading
from domain.policies.loading import PolicyError

FAMILY = "escalation"
SEVERITIES = ("minor", "major", "serious")
LADDER_FAMILIES = ("SERVICE", "DISCIPLINE", "SECURITY", "INTEGRITY")
RULE_SOURCES = ("catalogue",)
_PREFIX = re.compile(r"^ART\d+(\.\d+){0,2}(/[a-z][a-z0-9_]*)?$")


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


def _prefixes(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise PolicyError(f'{where}: must be a list of rule id prefixes such as "ART6.5" or "ART6.3/back_to_window"')
    for prefix in raw:
        if not _PREFIX.match(prefix):
            raise PolicyError(f"{where}: {prefix!r} is not a rule id prefix (ART6, ART6.5, ART6.3/back_to_window)")
    return tuple(raw)


def parse_escalation_policy(data: bytes, name: str = "<escalation policy>") -> EscalationPolicy:
    """Parse and validate an escalation policy file's bytes."""
    raw = loading.parse_toml(data, name)
    if raw.get("kind") != FAMILY:
        raise PolicyError(f'{name}: kind must be "escalation" (this is not an escalation policy)')
    version = loading.field_version(raw, name)
    in_force_from = loading.field_date(raw, "in_force_from", name)
    loading.only_fields(
        raw,
        {"kind", "version", "published", "in_force_from", "source", "counting", "decisions", "reset", "families"},
        name,
    )

    where = wc = f"{name} [counting]"
    counting = loading.section(raw, "counting", name)
    loading.only_fields(
        counting,
        {
            "rules", "excluded", "look_back_days", "step_severities", "grouped_severities", "minor_per_step",
            "minor_window_days", "immediate_severities", "bad_ratings_per_step", "bad_ratings_window_days",
            "bad_rating_family",
        },
        where,
    )  # fmt: skip
    rules = loading.choice(counting, "rules", RULE_SOURCES, where)
    excluded = _prefixes(counting.get("excluded", []), f"{where} excluded")
    step = _choices(counting, "step_severities", SEVERITIES, where)
    grouped = _choices(counting, "grouped_severities", SEVERITIES, where)
    immediate = _choices(counting, "immediate_severities", SEVERITIES, where)
    if set(step) & set(grouped) or set(step) & set(immediate) or set(grouped) & set(immediate):
        raise PolicyError(f"{where}: a severity is listed in more than one of step/grouped/immediate_severities")
    bad_family = loading.choice(counting, "bad_rating_family", LADDER_FAMILIES, where)

    where = f"{name} [decisions]"
    decisions = loading.section(raw, "decisions", name)
    loading.only_fields(
        decisions, {"remedy_due_working_days", "decision_due_days", "removal_if_sanctioned_within_days"}, where
    )

    where_reset = f"{name} [reset]"
    reset = loading.section(raw, "reset", name)
    loading.only_fields(reset, {"clean_days", "reinstated_clean_days"}, where_reset)

    families_raw = loading.section(raw, "families", name)
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
        published=loading.field_text(raw, "published", name),
        in_force_from=in_force_from,
        source=loading.field_text(raw, "source", name),
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
        digest=loading.digest(data),
    )


def load_escalation_policy_file(path: Path) -> EscalationPolicy:
    return loading.read_file(path, FAMILY, parse_escalation_policy)


def escalation_versions() -> list[str]:
    return loading.versions(FAMILY)


@cache
def load_escalation_policy(version: str | None = None) -> EscalationPolicy:
    """The escalation policy of ``version`` (the newest when None)."""
    return loading.load_version(FAMILY, version, parse_escalation_policy, what="escalation policy version")


def escalation_policy_in_force(on: date) -> EscalationPolicy:
    """The policy that judges a ladder as of valid date ``on`` (no retroactive tightening)."""
    return loading.in_force(FAMILY, on, load_escalation_policy)
