"""The accountability envelope every event carries, and the aggregate base class.

eventsourcing 9.5 has no metadata envelope, so the envelope is made of explicit event
fields (then every hash of an event covers them):

- ``actor``: who recorded it (authenticated id + role; never taken from a request body),
- ``occurred_at``: when it happened in the hall (valid time, tz-aware, may be back-dated),
- ``timestamp``: when it was recorded (record time; the library's field, set from the
  application's clock so that the domain never reads one),
- ``hall_id``: which hall (one deployment can serve many),
- ``rule`` (on events where a rule applies): ``ARTx.y@catalogue-version``.

Event field types are restricted to what the canonical ledger encoding can represent
exactly: str, int, bool, None, Decimal, date, tz-aware datetime, UUID, Actor, Sealed,
and lists/tuples/str-keyed dicts of those. No floats (RFC 8785 numbers would make
scores depend on float formatting).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar, Self, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidInput, NotPermitted
from domain.roles import Role, parse_role

#: China Standard Time. China has no daylight saving, so a fixed offset is exact.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class Actor:
    """Who recorded an event: the authenticated identity and its role.

    ``person``: the staff member the credential is bound to (every staff token; other roles
    when bound with ``--staff-id``), or None. Separation-of-duties and ownership checks compare
    people through :meth:`same_person`; it is written into an event only when present, so
    events recorded before it existed keep their encoding.
    """

    id: str
    role: str
    person: UUID | None = None

    def __post_init__(self) -> None:
        if not self.id or not self.id.strip():
            raise InvalidInput("actor id must not be empty", field="actor.id")
        parse_role(self.role)

    def same_person(self, other: Actor) -> bool:
        """Both identities are one person: the same name, or bound to the same staff member."""
        return self.id == other.id or (self.person is not None and self.person == other.person)

    def require(self, *roles: Role, action: str, rule: str | None = None) -> None:
        """Refuse unless the actor holds one of ``roles``."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise NotPermitted(
                f"{action} needs one of the roles [{allowed}]; {self.id} acts as {self.role}",
                rule=rule,
                field="actor",
            )


SYSTEM_DETECTOR = Actor(id="detector", role=Role.SYSTEM.value)


@dataclass(frozen=True)
class Sealed:
    """A personal field (PIPL): ciphertext under a per-subject key plus a commitment.

    The domain treats it as opaque. ``commitment`` is the hex SHA-256 of the ciphertext
    bytes; the canonical ledger encoding carries only ``subject`` and ``commitment``, so
    destroying the subject's key (erasure) never breaks a proof.
    """

    subject: str
    ciphertext: str
    commitment: str


@dataclass(frozen=True)
class CommandContext:
    """Everything about *who* and *when* a command carries, checked once.

    Built by the application from the authenticated actor, the stated valid time and its
    own clock; the domain receives it and never consults a clock.
    """

    actor: Actor
    occurred_at: datetime
    recorded_at: datetime
    hall_id: str

    #: how far ``occurred_at`` may lie ahead of the recording clock
    DEFAULT_SKEW: ClassVar[timedelta] = timedelta(minutes=2)

    @classmethod
    def make(
        cls,
        *,
        actor: Actor,
        occurred_at: datetime | None,
        recorded_at: datetime,
        hall_id: str,
        max_skew: timedelta = DEFAULT_SKEW,
    ) -> Self:
        if recorded_at.tzinfo is None:
            raise InvalidInput("the recording clock must be timezone-aware", field="recorded_at")
        if occurred_at is None:
            occurred_at = recorded_at
        check_aware(occurred_at, "occurred_at")
        if occurred_at > recorded_at + max_skew:
            raise InvalidInput(
                f"occurred_at {occurred_at.isoformat()} lies in the future "
                f"(recording clock {recorded_at.isoformat()}, allowed skew {max_skew})",
                field="occurred_at",
            )
        if not hall_id:
            raise InvalidInput("hall_id must not be empty", field="hall_id")
        return cls(actor=actor, occurred_at=occurred_at, recorded_at=recorded_at, hall_id=hall_id)

    def envelope(self) -> dict[str, Any]:
        return {
            "timestamp": self.recorded_at,
            "actor": self.actor,
            "occurred_at": self.occurred_at,
            "hall_id": self.hall_id,
        }


def check_aware(value: datetime, field: str) -> None:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidInput(f"{field} must carry a timezone (e.g. 2026-10-08T09:05:00+08:00)", field=field)


def require_text(value: str | None, field: str, *, rule: str | None = None) -> str:
    if value is None or not value.strip():
        raise InvalidInput(f"{field} must not be empty", field=field, rule=rule)
    return value.strip()


TAggregate = TypeVar("TAggregate", bound="LedgerAggregate")


class LedgerAggregate(Aggregate):
    """Base of every aggregate of the hall.

    Command methods check invariants and then call :meth:`_trigger`; the ``apply`` of an
    event only applies the fact (it runs again on every reconstruction, so it must not
    consult the catalogue, a clock or another aggregate).
    """

    class Event(Aggregate.Event):
        actor: Actor
        occurred_at: datetime
        hall_id: str

        #: names of fields holding :class:`Sealed` personal data
        personal_fields: ClassVar[tuple[str, ...]] = ()

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create_with(
        cls: type[TAggregate],
        event_class: type[Aggregate.Created],
        ctx: CommandContext,
        *,
        id: UUID,
        **fields: Any,
    ) -> TAggregate:
        return cls._create(event_class, id=id, **ctx.envelope(), **fields)

    def _trigger(self, event_class: type[Aggregate.Event], ctx: CommandContext, **fields: Any) -> None:
        self.trigger_event(event_class, **ctx.envelope(), **fields)


def utc(dt: datetime) -> datetime:
    """Normalise an aware datetime to UTC (for comparisons and canonical encodings)."""
    return dt.astimezone(UTC)


def frozen_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    return dict(data)
