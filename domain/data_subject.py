"""Data subjects (个人信息主体) and the erasure of their personal data (PIPL §47).

Citizens' names, organisations and contact details reach the ledger only as
:class:`~domain.envelope.Sealed` values: ciphertext under a key of their own (one key per
data subject), plus a commitment to the ciphertext. Erasure destroys that key — the events
stay as they are, their commitments still verify, and a tombstone event says when and why
the subject's data became unreadable. The subject reference itself is a pseudonym
(``client_ref``), never a name, phone or ID number.

The keys live outside the domain (``service.personal_data``); this module holds the
tombstone aggregate and the pseudonym check that every process with a client shares.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain import ids
from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput
from domain.roles import Role

#: what a pseudonymous reference may look like: letters, digits and a few separators
_PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,79}$")
#: mainland mobile numbers and resident ID numbers are personal data, not pseudonyms
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_RESIDENT_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")


def require_pseudonym(value: str | None, field: str) -> str:
    """A client reference that identifies nobody by itself.

    Refuses empty values, non-ASCII text (a name in Chinese characters) and anything
    containing a mobile or resident ID number: personal data goes into sealed fields.
    """
    value = require_text(value, field)
    if not _PSEUDONYM.match(value):
        raise InvalidInput(
            f"{field} must be a pseudonymous reference (3–80 ASCII letters, digits, '.', '_', ':', '-'); "
            "names and contact details belong in sealed personal fields",
            field=field,
        )
    if _MOBILE.search(value) or _RESIDENT_ID.search(value):
        raise InvalidInput(
            f"{field} looks like a phone or ID number; use a pseudonymous reference instead", field=field
        )
    return value


def data_subject_id(hall_code: str, subject: str) -> UUID:
    """The tombstone's stream id: one per subject, so erasing twice clashes."""
    return ids.derived_id("data-subject", hall_code, subject)


class DataSubject(LedgerAggregate):
    """The tombstone of a data subject whose personal data was erased."""

    class PersonalDataErased(LedgerAggregate.Created):
        """个人信息已删除 — the subject's key was destroyed; sealed fields stay unreadable."""

        subject: str
        reason: str

        def apply(self, s: Any) -> None:
            s.subject = self.subject
            s.reason = self.reason
            s.erased_at = self.occurred_at

    if TYPE_CHECKING:
        subject: str
        reason: str
        erased_at: datetime

    @classmethod
    def erase(cls, ctx: CommandContext, *, subject: str, reason: str) -> Self:
        """Only the center (hall manager) erases personal data, on a recorded reason."""
        ctx.actor.require(Role.HALL_MANAGER, action="erasing personal data")
        subject = require_pseudonym(subject, "subject")
        return cls._create_with(
            cls.PersonalDataErased,
            ctx,
            id=data_subject_id(ctx.hall_id, subject),
            subject=subject,
            reason=require_text(reason, "reason"),
        )
