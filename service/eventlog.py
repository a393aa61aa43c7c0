"""Reading the global log: by position, filtered by type or stream."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from projections.envelope import event_type


def resolve_types(app: Application[Any], names: Sequence[str]) -> list[str]:
    """Topics for event type names (``Violation.Recorded`` or just ``Recorded``) seen in the log."""
    if not names:
        return []
    known = known_topics(app)
    chosen = [t for t in known if any(event_type(t) == n or event_type(t).endswith("." + n) for n in names)]
    return chosen or ["<none>"]


def known_topics(app: Application[Any]) -> list[str]:
    from eventsourcing.utils import get_topic

    from service.schemas import all_event_classes

    return [get_topic(cls) for cls in all_event_classes()]


def iter_events(
    app: Application[Any],
    *,
    after: int = 0,
    limit: int | None = None,
    types: Sequence[str] = (),
    stream: UUID | None = None,
    page: int = 500,
) -> Iterator[tuple[int, Any]]:
    """(position, domain event) pairs after ``after``, in log order."""
    topics = resolve_types(app, types)
    seen = 0
    start = after
    while limit is None or seen < limit:
        want = page if limit is None else min(page, limit - seen)
        notifications = app.recorder.select_notifications(
            start=start, limit=want, topics=topics, inclusive_of_start=False
        )
        if not notifications:
            return
        for n in notifications:
            start = n.id
            if stream is not None and n.originator_id != stream:
                continue
            yield n.id, app.mapper.to_domain_event(n)
            seen += 1
            if limit is not None and seen >= limit:
                return
        if len(notifications) < want:
            return
