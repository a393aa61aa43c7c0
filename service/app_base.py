"""The base of the HallLedger eventsourcing application: what every command shares.

A command: build the :class:`~domain.envelope.CommandContext` (authenticated actor, valid
time, this application's clock), load the aggregates it concerns, call the domain, save
everything it changed in one transaction, and return an :class:`Outcome`. A refused
command raises a :class:`~domain.errors.DomainError` before anything is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from domain.calendar import hall_date
from domain.envelope import Actor, CommandContext, Sealed
from domain.errors import AlreadyExists, InvariantViolated, NotFound
from domain.rules import Rule, RuleRef, catalogue_judging
from domain.staff import StaffMember
from service.settings import Settings
from service.stores import APPLICATION_NAME, EventsTransactionHook, eventsourcing_env, in_events_transaction

TAgg = TypeVar("TAgg", bound=Aggregate)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        if obj.person is None:  # events of unbound actors keep the encoding they always had
            return {"id": obj.id, "role": obj.role}
        return {"id": obj.id, "role": obj.role, "person": str(obj.person)}

    def decode(self, data: dict[str, str]) -> Actor:
        person = data.get("person")
        return Actor(id=data["id"], role=data["role"], person=UUID(person) if person else None)


class SealedAsDict(Transcoding):
    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> dict[str, str]:
        return {"subject": obj.subject, "ciphertext": obj.ciphertext, "commitment": obj.commitment}

    def decode(self, data: dict[str, str]) -> Sealed:
        return Sealed(**data)


class StaleVersion(InvariantViolated):
    """The client edited what it read at an older version (HTTP If-Match)."""

    code = "stale-version"


class ConcurrentChange(InvariantViolated):
    """Another command changed the same record at the same moment; retry."""

    code = "concurrent-change"


@dataclass(frozen=True)
class Outcome:
    """What a command did: the record it concerns, its new version, the ledger positions."""

    id: UUID
    version: int
    positions: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def last_position(self) -> int | None:
        return max(self.positions) if self.positions else None


class LedgerApplicationBase(Application[UUID]):
    name = APPLICATION_NAME
    snapshotting_intervals = {StaffMember: 100}  # noqa: RUF012 - the library's class attribute

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        env: dict[str, str] | None = None,
        create_table: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        self.clock: Clock = clock or system_clock
        merged = eventsourcing_env(self.settings, create_table=create_table)
        if env:
            merged.update(env)
        super().__init__(env=merged)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(ActorAsDict())
        transcoder.register(SealedAsDict())

    # ── shared helpers of commands ───────────────────────────────────────────

    def context(self, actor: Actor, occurred_at: datetime | None = None) -> CommandContext:
        return CommandContext.make(
            actor=actor,
            occurred_at=occurred_at,
            recorded_at=self.clock(),
            hall_id=self.settings.hall_id,
            max_skew=self.settings.clock_skew,
        )

    def load(
        self,
        cls: type[TAgg],
        aggregate_id: UUID,
        *,
        what: str,
        field: str,
        expected_version: int | None = None,
    ) -> TAgg:
        """The aggregate, or a NotFound naming the field at fault."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what} with id {aggregate_id}", field=field) from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"{aggregate_id} is not a {what}", field=field)
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersion(
                f"{what} {aggregate_id} is at version {aggregate.version}, not {expected_version}; "
                "reload and try again",
                field=field,
            )
        return aggregate

    @contextmanager
    def in_events_transaction(self, write: EventsTransactionHook) -> Iterator[None]:
        """Within the block, every transaction that records events runs ``write(cursor,
        stored_events)`` first, in that same transaction; raising refuses the events.

        The HTTP command gate writes a command's Idempotency-Key this way
        (``with ledger.in_events_transaction(idempotency.marker(claim, ...)):``), so the key
        is committed with the events or not at all (service/api/idempotency.py). It applies
        to this application's recorder, in the current thread (context) only.
        """
        with in_events_transaction(self.recorder, write):
            yield

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def rule_in_force(self, rule_id: str, on: datetime, *, field: str = "occurred_at") -> tuple[Rule, RuleRef]:
        """The rule as the catalogue in force at the fact's valid time (hall date) states it; a valid
        time before the first catalogue is refused, naming ``field`` (``before-catalogue``)."""
        catalogue = catalogue_judging(hall_date(on), field=field)
        rule = catalogue.get(rule_id)
        return rule, catalogue.ref(rule.id)

    def record(
        self, *aggregates: Aggregate, created: Sequence[Aggregate] = (), extra: Mapping[str, Any] | None = None
    ) -> Outcome:
        """Save all changes in one transaction; the first aggregate names the outcome, ``extra`` is
        what else the caller gets back (a new decision's id, the deadline now in force)."""
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            for aggregate in created:
                if aggregate.id in self.repository:
                    raise AlreadyExists(f"{type(aggregate).__name__} {aggregate.id} is already recorded") from None
            raise ConcurrentChange("another command changed the same record at the same moment; retry") from None
        primary = aggregates[0]
        return Outcome(
            id=primary.id,
            version=primary.version,
            positions=[r.notification.id for r in recordings],
            extra=dict(extra or {}),
        )
