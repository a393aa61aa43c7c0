"""Every read model the ledger maintains, in one place (runners, rebuild, docs, HTTP)."""

from __future__ import annotations

from projections.base import ReadModel


def all_models() -> list[ReadModel]:
    """Fresh instances of every read model, in the order they are documented."""
    return []


def select(names: list[str] | None) -> list[ReadModel]:
    models = all_models()
    if not names:
        return models
    by_name = {m.name: m for m in models}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise KeyError(f"unknown read model(s): {', '.join(unknown)}; known: {', '.join(by_name) or 'none'}")
    return [by_name[n] for n in names]
