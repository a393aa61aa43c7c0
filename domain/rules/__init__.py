"""The regulation as data: the versioned rule catalogue."""

from domain.rules.catalogue import (
    REGULATION_RULE_IDS,
    CatalogueError,
    Item,
    Rule,
    RuleCatalogue,
    RuleRef,
    available_versions,
    catalogue_in_force,
    current_catalogue,
    load_catalogue,
    resolve,
)

__all__ = [
    "REGULATION_RULE_IDS",
    "CatalogueError",
    "Item",
    "Rule",
    "RuleCatalogue",
    "RuleRef",
    "available_versions",
    "catalogue_in_force",
    "current_catalogue",
    "load_catalogue",
    "resolve",
]
