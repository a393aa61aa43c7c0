"""The regulation as data: the versioned rule catalogue."""

from domain.rules.catalogue import (
    REGULATION_RULE_IDS,
    BeforeCatalogue,
    CatalogueError,
    Item,
    Rule,
    RuleCatalogue,
    RuleRef,
    available_versions,
    catalogue_in_force,
    catalogue_judging,
    catalogue_start,
    check_within_catalogue,
    current_catalogue,
    load_catalogue,
    resolve,
)

__all__ = [
    "REGULATION_RULE_IDS",
    "BeforeCatalogue",
    "CatalogueError",
    "Item",
    "Rule",
    "RuleCatalogue",
    "RuleRef",
    "available_versions",
    "catalogue_in_force",
    "catalogue_judging",
    "catalogue_start",
    "check_within_catalogue",
    "current_catalogue",
    "load_catalogue",
    "resolve",
]
