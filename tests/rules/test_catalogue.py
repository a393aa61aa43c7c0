"""The regulation as data: every rule id of the regulation is in the catalogue, and the
loader refuses malformed catalogues with a message naming what is wrong."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.errors import InvalidInput, NotFound
from domain.rules import (
    REGULATION_RULE_IDS,
    CatalogueError,
    RuleRef,
    catalogue_in_force,
    current_catalogue,
    load_catalogue,
    resolve,
)
from domain.rules.catalogue import parse_catalogue

REGULATION = Path(__file__).parents[2] / "docs" / "regulation" / "regulation.en.md"
CATALOGUE_FILE = Path(__file__).parents[2] / "domain" / "rules" / "catalogue-2026.1.toml"


def regulation_rule_ids() -> list[str]:
    return re.findall(r"\[(ART[\d.]+)\]", REGULATION.read_text(encoding="utf-8"))


def test_every_rule_id_of_the_regulation_is_in_the_catalogue() -> None:
    ids = regulation_rule_ids()
    assert len(ids) == 51, "the regulation names 51 rules (ART1.1 … ART11.2)"
    catalogue = current_catalogue()
    missing = [rule_id for rule_id in ids if rule_id not in catalogue]
    assert missing == []
    assert set(ids) == set(REGULATION_RULE_IDS) == set(catalogue.rules)


def test_every_rule_has_both_languages_and_a_consistent_article() -> None:
    for rule in current_catalogue():
        assert rule.title_zh and rule.title_en and rule.text_zh and rule.text_en
        assert rule.id.startswith(f"ART{rule.article}.")
        if rule.kind != "conduct":
            assert not rule.ladder, f"{rule.id} is not breachable, so it cannot count on the ladder"
        if rule.severity == "serious":
            assert rule.family == "INTEGRITY"


def test_chinese_text_is_taken_from_the_authoritative_regulation() -> None:
    zh = (REGULATION.parent / "regulation.zh.txt").read_text(encoding="utf-8")
    normalise = lambda s: re.sub(r"[\s;;。,,]", "", s)  # noqa: E731
    for rule in current_catalogue():
        for sentence in re.split(r"[。;;]", rule.text_zh):
            if sentence.strip():
                assert normalise(sentence) in normalise(zh), (rule.id, sentence)


def test_items_refine_severity_and_deduction() -> None:
    late = current_catalogue().get("ART6.5")
    assert late.severity_of("late") == "minor" and late.deduction_of("late") == Decimal(1)
    assert late.severity_of("absent") == "major" and late.deduction_of("absent") == Decimal(5)
    assert late.severity_of(None) == late.severity
    with pytest.raises(InvalidInput) as refused:
        late.item("asleep")
    assert refused.value.field == "item"


def test_rule_references_pin_a_version() -> None:
    rule, ref = resolve("ART6.2@2026.1")
    assert (rule.id, rule.severity, str(ref)) == ("ART6.2", "serious", "ART6.2@2026.1")
    with pytest.raises(NotFound):
        resolve("ART6.2@1999.1")
    with pytest.raises(InvalidInput):
        RuleRef.parse("ART6.2")
    with pytest.raises(NotFound):
        current_catalogue().get("ART99.1")


def test_the_catalogue_in_force_is_chosen_by_valid_time() -> None:
    assert catalogue_in_force(date(2026, 10, 1)).version == "2026.1"
    assert load_catalogue("2026.1").digest == current_catalogue().digest


def _mutate(text: str, old: str, new: str) -> bytes:
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "ART6.8"', 'id = "ART6.9"', "ART6.9 is not a rule of the regulation"),
        ('id = "ART6.8"', 'id = "R6.8"', "must look like ART6.5"),
        ('severity = "serious"', 'severity = "grave"', "severity 'grave' is not one of"),
        ('deduction = "20"', 'deduction = "twenty"', "is not a decimal number"),
        ('deduction = "20"', "deduction = 20", "must be a decimal string"),
        ("ladder = true", 'ladder = "yes"', "ladder must be true or false"),
        ('title_en = "No duty after drinking"', 'title_en = ""', "'title_en' must be a non-empty string"),
        ('version = "2026.1"', 'version = "latest"', "version 'latest' must look like 2026.1"),
        ("article = 6\n", "article = 7\n", "article 7 does not match"),
        ('family = "INTEGRITY"', 'family = "INTEGRITY"\ncolour = "red"', "unknown field(s) colour"),
        ('[[rule]]\nid = "ART11.2"', '[[rule]]\nid = "ART11.1"', "rule ART11.1 is listed twice"),
        ("ladder = true\n", "ladder = true\n[[[", "not valid UTF-8 TOML"),
    ],
)
def test_the_loader_refuses_a_malformed_catalogue(old: str, new: str, message: str) -> None:
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    with pytest.raises(CatalogueError) as refused:
        parse_catalogue(_mutate(text, old, new), "catalogue-test.toml")
    assert message in str(refused.value)
    assert "catalogue-test.toml" in str(refused.value)


def test_the_loader_refuses_a_catalogue_that_leaves_a_rule_out() -> None:
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    start = text.index('[[rule]]\nid = "ART9.6"')
    end = text.index("[[rule]]", start + 1)
    with pytest.raises(CatalogueError) as refused:
        parse_catalogue((text[:start] + text[end:]).encode("utf-8"), "short.toml")
    assert "missing: ART9.6" in str(refused.value)
