"""Every rule of the regulation is exercised by at least one scenario test.

Scenario tests declare the rules they exercise with ``@pytest.mark.rules("ART2.2", …)``.
Read statically from every test module, so running a single file cannot make this fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

from domain.rules import REGULATION_RULE_IDS, current_catalogue

TESTS = Path(__file__).parents[1]


def tagged_rules(root: Path = TESTS) -> dict[str, set[str]]:
    """rule id → the test modules under ``root`` that tag a scenario with it."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "rules"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"
            ):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, set()).add(str(path.relative_to(root)))
    return found


def test_every_rule_of_the_catalogue_is_exercised_by_a_scenario() -> None:
    tagged = tagged_rules()
    missing = [rule.id for rule in current_catalogue() if rule.id not in tagged]
    assert not missing, f"no scenario test is tagged with {', '.join(missing)}"


def test_every_tag_names_a_rule_of_the_regulation() -> None:
    unknown = sorted(set(tagged_rules()) - set(REGULATION_RULE_IDS))
    assert not unknown, f"tags that are not rules of the regulation: {', '.join(unknown)}"
