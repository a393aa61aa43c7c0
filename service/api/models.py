"""Request and response building blocks shared by the routes.

Every request body forbids unknown fields (``extra="forbid"``) and never names the actor:
the actor is the authenticated token's identity. Text is valid Unicode without control
characters; times carry a timezone; dates and times lie in 2000–2100 (anything else is a
typo, and would overflow date arithmetic); amounts are exact decimals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def _clean_text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    if any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 0x7F for c in value):
        raise ValueError("text must not contain control characters")
    return value


def _year_in_range(value: Any) -> Any:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


#: no control characters but tab, line feed and carriage return (also stated in the OpenAPI schema)
NO_CONTROLS = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"


def _text(min_length: int, max_length: int) -> Any:
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_CONTROLS),
        AfterValidator(_clean_text),
    ]


#: free text (evidence, grounds, reasons, remedies)
Text = _text(1, 4000)
#: a note that may be empty
Note = _text(0, 4000)
#: a name
Name = _text(1, 200)
#: a title that may be empty
Title = _text(0, 200)
#: an evidence reference (file name, CCTV clip, document number)
Ref = _text(1, 300)
#: a code the hall already uses (staff number, window number, department code)
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
#: a rule of the regulation by id (the catalogue version in force is chosen by the service)
RuleId = Annotated[str, StringConstraints(pattern=r"^ART[0-9]{1,2}(\.[0-9]{1,2}){1,2}$")]
#: a sub-item of a rule (``late`` under ART6.5)
ItemCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
#: a moment in the hall (valid time), with its timezone
ValidTime = Annotated[AwareDatetime, AfterValidator(_year_in_range)]
#: a calendar day of the hall
HallDate = Annotated[date, AfterValidator(_year_in_range)]


def _plain_decimal(value: Decimal) -> Decimal:
    """``1E+2`` → ``100``, ``-0`` → ``0``: the ledger writes decimals in plain notation."""
    plain = Decimal(format(value, "f"))
    return abs(plain) if plain == 0 else plain


#: points off a score
Deduction = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2), AfterValidator(_plain_decimal)]
#: an identity in the ledger (a token's name)
ActorName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]
#: an amount of money (an asset's book value), yuan
Amount = Annotated[Decimal, Field(ge=0, le=10**9, max_digits=14, decimal_places=2), AfterValidator(_plain_decimal)]
#: a score of the assessment (0–100)
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2), AfterValidator(_plain_decimal)]
#: a pseudonymous reference to a client, applicant or data subject (never a name or a number)
Pseudonym = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,79}$")]
#: an assessment period: a month ``2026-10``, a quarter ``2026-Q4`` or a year ``2026``
Period = Annotated[str, StringConstraints(pattern=r"^(20[0-9]{2}|2100)(-(0[1-9]|1[0-2])|-Q[1-4])?$")]
#: a month of the assessment (``2026-10``)
Month = Annotated[str, StringConstraints(pattern=r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
#: a count of working days
WorkingDays = Annotated[int, Field(ge=1, le=366)]
#: staff ids a command names (praise, commendations)
StaffIds = Annotated[list[UUID], Field(max_length=100)]
#: short lists of names (materials, items to correct, threats found)
Names = Annotated[list[Ref], Field(max_length=100)]


class Body(BaseModel):
    """Base of every command body."""

    model_config = ConfigDict(extra="forbid")


class TimedBody(Body):
    occurred_at: ValidTime | None = Field(
        default=None,
        description="when it happened in the hall (valid time, with timezone); defaults to now; "
        "may lie in the past, never ahead of the server's clock",
    )


class OutcomeOut(BaseModel):
    """What a command did: the record it concerns, its new version (the ETag), the ledger positions."""

    id: UUID
    version: int
    positions: list[int]
    extra: dict[str, Any] = Field(
        default_factory=dict, description="ids the command created (admonishment_id, decision_id, …)"
    )


def basis_field() -> Any:
    return Field(min_length=1, max_length=20, description="the confirmed violations the decision rests on")


Basis = Annotated[list[UUID], basis_field()]
EvidenceRefs = Annotated[list[Ref], Field(max_length=50)]
