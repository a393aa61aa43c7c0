"""Every event class of the domain's aggregates — the one discovery, for every reader of the log.

The JSON Schemas of the event feed (``service.schemas``), the known topics of ``hall-ledger
events`` (``service.eventlog``) and the subject index (``projections.subject_index``, which
keeps the classes that may name a person) all list the event classes through
:func:`event_classes`, so they cannot disagree about which events exist.

Pure: it imports the domain's modules and walks the aggregate classes; no I/O, no clock.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import domain
from domain.envelope import LedgerAggregate


@cache
def event_classes() -> tuple[type[LedgerAggregate.Event], ...]:
    """The event classes declared by the domain's aggregates (``Violation.Recorded`` …), sorted
    by module and qualified name. A class counts when it is an event declared *in* an aggregate
    of the domain (not one it inherits, not the library's ``Event`` / ``Created`` bases, not an
    aggregate a test defines outside ``domain``)."""
    for module in pkgutil.walk_packages(domain.__path__, prefix="domain."):
        importlib.import_module(module.name)
    found: dict[str, type[LedgerAggregate.Event]] = {}

    def walk(cls: type) -> None:
        subclasses: list[type] = cls.__subclasses__()
        for sub in subclasses:
            for name, value in vars(sub).items():
                if (
                    isinstance(value, type)
                    and issubclass(value, LedgerAggregate.Event)
                    and name[:1].isupper()
                    and name not in ("Event", "Created")
                    and value.__qualname__ == f"{sub.__qualname__}.{name}"
                    and value.__module__.startswith("domain.")
                ):
                    found[f"{value.__module__}:{value.__qualname__}"] = value
            walk(sub)

    walk(LedgerAggregate)
    return tuple(found[key] for key in sorted(found))
