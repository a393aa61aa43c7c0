"""The hall-operations scenarios exercise every rule of the regulation they are about.

Read statically from the ``@pytest.mark.rules(...)`` tags of this directory's test modules, so
running one file alone (``-k``) cannot make the check fail spuriously.
"""

from __future__ import annotations

from pathlib import Path

from domain.rules import REGULATION_RULE_IDS
from tests.rules.test_rule_coverage import tagged_rules

#: the rules these processes cover: conduct seen on rounds (Articles 1, 3–7), the center's
#: cleaning (ART4.2), equipment and assets (ART5, ART10.1), attendance (ART6.5, ART7.5), security (Article 9)
REQUIRED = (
    "ART1.1", "ART1.2", "ART1.3", "ART3.1", "ART3.2", "ART3.3", "ART4.1", "ART4.2", "ART5.1", "ART5.2",
    "ART6.1", "ART6.2", "ART6.3", "ART6.4", "ART6.5", "ART6.6", "ART6.7", "ART6.8",
    "ART7.1", "ART7.3", "ART7.4", "ART7.5",
    "ART9.1", "ART9.2", "ART9.3", "ART9.4", "ART9.5", "ART9.6", "ART9.7", "ART9.8", "ART10.1",
)  # fmt: skip


def _tagged_rules() -> dict[str, set[str]]:
    """rule id → the test modules of this directory tagging it."""
    return tagged_rules(Path(__file__).parent)


def test_every_required_rule_is_exercised_by_a_scenario() -> None:
    tagged = _tagged_rules()
    missing = [rule for rule in REQUIRED if rule not in tagged]
    assert not missing, f"no scenario tagged with {', '.join(missing)}"


def test_every_tag_names_a_rule_of_the_regulation() -> None:
    unknown = sorted(set(_tagged_rules()) - set(REGULATION_RULE_IDS))
    assert not unknown, f"tags that are not rules of the regulation: {', '.join(unknown)}"
