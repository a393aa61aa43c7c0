"""Every event class of the domain (for type filters and published JSON schemas)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from eventsourcing.domain import CanMutateAggregate

import domain


@cache
def all_event_classes() -> list[type]:
    for module in pkgutil.walk_packages(domain.__path__, prefix="domain."):
        importlib.import_module(module.name)
    from domain.envelope import LedgerAggregate

    found: dict[str, type] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            for name, value in vars(sub).items():
                if (
                    isinstance(value, type)
                    and issubclass(value, CanMutateAggregate)
                    and name[:1].isupper()
                    and name not in ("Event", "Created")
                    and value.__qualname__ == f"{sub.__qualname__}.{name}"
                ):
                    found[f"{value.__module__}:{value.__qualname__}"] = value
            walk(sub)

    walk(LedgerAggregate)
    return [found[k] for k in sorted(found)]
