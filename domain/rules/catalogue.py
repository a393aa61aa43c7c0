"""Loader of the rule catalogue (``catalogue-<version>.toml`` beside this module).

A catalogue version is immutable once published: events cite ``ARTx.y@<version>`` and an
appeal reviewer must see the rule as it stood. A new wording or deduction is a new file.
The loader refuses a malformed file, an id that is not a rule of the regulation, and a
catalogue that leaves a rule of the regulation out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput, NotFound
from domain.policies import loading

#: Every rule id of the regulation (regulation.en.md, articles 1–11; article 12 is the
#: entry into force and has no rule). The catalogue must cover exactly these.
REGULATION_RULE_IDS: tuple[str, ...] = (
    "ART1.1", "ART1.2", "ART1.3",
    "ART2.1", "ART2.1.1", "ART2.1.2", "ART2.1.3", "ART2.2", "ART2.2.1", "ART2.3",
    "ART2.4.1", "ART2.4.2", "ART2.5.1", "ART2.5.2", "ART2.5.3",
    "ART3.1", "ART3.2", "ART3.3",
    "ART4.1", "ART4.2",
    "ART5.1", "ART5.2",
    "ART6.1", "ART6.2", "ART6.3", "ART6.4", "ART6.5", "ART6.6", "ART6.7", "ART6.8",
    "ART7.1", "ART7.2", "ART7.3", "ART7.4", "ART7.5", "ART7.6",
    "ART8.1", "ART8.2", "ART8.3", "ART8.4",
    "ART9.1", "ART9.2", "ART9.3", "ART9.4", "ART9.5", "ART9.6", "ART9.7", "ART9.8",
    "ART10.1",
    "ART11.1", "ART11.2",
)  # fmt: skip

SEVERITIES = ("minor", "major", "serious")
KINDS = ("conduct", "sanction", "organisation")
TARGETS = ("person", "department", "hall")
FAMILIES = ("SERVICE", "DISCIPLINE", "SECURITY", "INTEGRITY", "ORGANISATION")
CATEGORIES = (
    "conduct", "service_system", "appearance", "environment", "equipment", "discipline",
    "window_duties", "secondment", "security", "assets", "assessment",
)  # fmt: skip

FAMILY = "catalogue"
_RULE_ID = re.compile(r"^ART\d+(\.\d+){1,2}$")
_VERSION = re.compile(r"^\d{4}\.\d+$")
_ITEM_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_HERE = Path(__file__).parent


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Item:
    """A finer sub-item of a rule that halls score on its own (``late`` under ART6.5)."""

    code: str
    title_zh: str
    title_en: str
    severity: str
    deduction: Decimal
    #: points off the window's items score; None: the rule's ``window_deduction``
    window_deduction: Decimal | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    article: int
    category: str
    kind: str
    target: str
    family: str
    severity: str
    deduction: Decimal
    window_deduction: Decimal
    ladder: bool
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    items: Mapping[str, Item] = field(default_factory=dict)

    def item(self, code: str | None) -> Item | None:
        if code is None:
            return None
        try:
            return self.items[code]
        except KeyError:
            known = ", ".join(self.items) or "none"
            raise InvalidInput(f"{self.id} has no item {code!r} (items: {known})", field="item", rule=self.id) from None

    def severity_of(self, item: str | None) -> str:
        found = self.item(item)
        return found.severity if found else self.severity

    def deduction_of(self, item: str | None) -> Decimal:
        found = self.item(item)
        return found.deduction if found else self.deduction

    def window_deduction_of(self, item: str | None) -> Decimal:
        """What a breach of ``item`` costs the window: the item's own ``window_deduction``
        when it gives one, else the rule's (a posture slip under ART6.3 is not 吃拿卡要)."""
        found = self.item(item)
        if found is not None and found.window_deduction is not None:
            return found.window_deduction
        return self.window_deduction


@dataclass(frozen=True)
class RuleRef:
    """``ARTx.y@version`` — a rule as it stood in one catalogue version."""

    rule_id: str
    version: str

    @classmethod
    def parse(cls, text: str) -> RuleRef:
        rule_id, sep, version = text.partition("@")
        if not sep or not _RULE_ID.match(rule_id) or not _VERSION.match(version):
            raise InvalidInput(f"rule reference {text!r} is not of the form ARTx.y@YYYY.N", field="rule")
        return cls(rule_id, version)

    def __str__(self) -> str:
        return f"{self.rule_id}@{self.version}"


@dataclass(frozen=True)
class RuleCatalogue:
    version: str
    published: str
    in_force_from: date
    source: str
    rules: Mapping[str, Rule]
    #: SHA-256 of the file's bytes: a sanction can cite exactly what it was judged under
    digest: str

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.rules

    def get(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise NotFound(f"rule {rule_id!r} is not in catalogue {self.version}", field="rule") from None

    def ref(self, rule_id: str) -> RuleRef:
        return RuleRef(self.get(rule_id).id, self.version)


_text = partial(loading.field_text, error=CatalogueError)
_choice = partial(loading.choice, error=CatalogueError)
_points = partial(loading.decimal, high=Decimal(100), error=CatalogueError)


def _item(raw: Any, where: str) -> Item:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: an item must be a table")
    code = _text(raw, "code", where)
    if not _ITEM_CODE.match(code):
        raise CatalogueError(f"{where}: item code {code!r} must be lower_snake_case")
    where = f"{where} item {code}"
    return Item(
        code=code,
        title_zh=_text(raw, "title_zh", where),
        title_en=_text(raw, "title_en", where),
        severity=_choice(raw, "severity", SEVERITIES, where),
        deduction=_points(raw, "deduction", where),
        window_deduction=_points(raw, "window_deduction", where) if "window_deduction" in raw else None,
    )


def _rule(raw: Any, name: str) -> Rule:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{name}: each [[rule]] must be a table")
    rule_id = _text(raw, "id", f"{name} rule")
    where = f"{name} rule {rule_id}"
    if not _RULE_ID.match(rule_id):
        raise CatalogueError(f"{where}: id must look like ART6.5 or ART2.1.3")
    if rule_id not in REGULATION_RULE_IDS:
        raise CatalogueError(f"{where}: {rule_id} is not a rule of the regulation")
    article = raw.get("article")
    if not isinstance(article, int) or isinstance(article, bool):
        raise CatalogueError(f"{where}: article must be the integer article number of {rule_id}")
    if not rule_id.startswith(f"ART{article}."):
        raise CatalogueError(f"{where}: article {article} does not match {rule_id}")
    ladder = raw.get("ladder")
    if not isinstance(ladder, bool):
        raise CatalogueError(f"{where}: ladder must be true or false")
    items_raw = raw.get("item", [])
    if not isinstance(items_raw, list):
        raise CatalogueError(f"{where}: item must be an array of tables ([[rule.item]])")
    items: dict[str, Item] = {}
    for item_raw in items_raw:
        item = _item(item_raw, where)
        if item.code in items:
            raise CatalogueError(f"{where}: item {item.code} is listed twice")
        items[item.code] = item
    known = {
        "id", "article", "category", "kind", "target", "family", "severity", "deduction",
        "window_deduction", "ladder", "title_zh", "title_en", "text_zh", "text_en", "item",
    }  # fmt: skip
    loading.only_fields(raw, known, where, error=CatalogueError)
    return Rule(
        id=rule_id,
        article=article,
        category=_choice(raw, "category", CATEGORIES, where),
        kind=_choice(raw, "kind", KINDS, where),
        target=_choice(raw, "target", TARGETS, where),
        family=_choice(raw, "family", FAMILIES, where),
        severity=_choice(raw, "severity", SEVERITIES, where),
        deduction=_points(raw, "deduction", where),
        window_deduction=_points(raw, "window_deduction", where),
        ladder=ladder,
        title_zh=_text(raw, "title_zh", where),
        title_en=_text(raw, "title_en", where),
        text_zh=_text(raw, "text_zh", where),
        text_en=_text(raw, "text_en", where),
        items=items,
    )


def parse_catalogue(data: bytes, name: str = "<catalogue>") -> RuleCatalogue:
    """Parse and validate a catalogue file's bytes."""
    raw = loading.parse_toml(data, name, error=CatalogueError)
    version = loading.field_version(raw, name, error=CatalogueError)
    rules_raw = raw.get("rule")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise CatalogueError(f"{name}: no [[rule]] entries")
    rules: dict[str, Rule] = {}
    for rule_raw in rules_raw:
        rule = _rule(rule_raw, name)
        if rule.id in rules:
            raise CatalogueError(f"{name}: rule {rule.id} is listed twice")
        rules[rule.id] = rule
    missing = [rule_id for rule_id in REGULATION_RULE_IDS if rule_id not in rules]
    if missing:
        raise CatalogueError(f"{name}: rules of the regulation missing: {', '.join(missing)}")
    in_force_from = loading.field_date(raw, "in_force_from", name, error=CatalogueError)
    return RuleCatalogue(
        version=version,
        published=_text(raw, "published", name),
        in_force_from=in_force_from,
        source=_text(raw, "source", name),
        rules=rules,
        digest=loading.digest(data),
    )


def load_catalogue_file(path: Path) -> RuleCatalogue:
    catalogue = parse_catalogue(path.read_bytes(), path.name)
    loading.check_file_version(path.name, FAMILY, catalogue.version, error=CatalogueError)
    return catalogue


def available_versions() -> list[str]:
    return loading.versions(FAMILY, _HERE)


@cache
def load_catalogue(version: str | None = None) -> RuleCatalogue:
    """The catalogue of ``version`` (the newest when None)."""
    return load_catalogue_file(loading.installed(FAMILY, version, folder=_HERE, what="catalogue version", field="rule"))


def current_catalogue() -> RuleCatalogue:
    return load_catalogue(None)


def catalogue_in_force(on: date) -> RuleCatalogue:
    """The catalogue that judges a fact of valid date ``on`` (no retroactive tightening).

    Lenient for replays (the detector re-judging stored days): a date before the first
    version gets the oldest. Commands use :func:`catalogue_judging`, which refuses it.
    """
    return loading.in_force(FAMILY, on, load_catalogue, folder=_HERE)


class BeforeCatalogue(InvalidInput):
    """A valid time before the first catalogue version: no rule of this ledger judged it then."""

    code = "before-catalogue"


def catalogue_start() -> date:
    """The valid date from which the earliest catalogue version judges facts."""
    return min(load_catalogue(version).in_force_from for version in available_versions())


def check_within_catalogue(on: date, *, field: str = "occurred_at") -> None:
    """Refuse a valid date before the earliest catalogue version's ``in_force_from``: judging a
    2001 fact under catalogue 2026.1 (in force from 2010) would apply a rule retroactively."""
    start = catalogue_start()
    if on < start:
        raise BeforeCatalogue(
            f"{field} {on.isoformat()} lies before the rule catalogue's start ({start.isoformat()}); "
            "no catalogue version judges a fact of that date",
            field=field,
        )


def catalogue_judging(on: date, *, field: str = "occurred_at") -> RuleCatalogue:
    """The catalogue that judges a fact of valid date ``on`` — refused (``before-catalogue``,
    naming ``field``) for a date before the first version rather than silently taking a later one."""
    check_within_catalogue(on, field=field)
    return catalogue_in_force(on)


def resolve(ref: str | RuleRef) -> tuple[Rule, RuleRef]:
    """The rule a reference names, as it stood in its catalogue version."""
    parsed = RuleRef.parse(ref) if isinstance(ref, str) else ref
    catalogue = load_catalogue(parsed.version)
    return catalogue.get(parsed.rule_id), parsed
