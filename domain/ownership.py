"""Who may act on a record that belongs to a person, and who approves a deadline's change.

DOMAIN.md "People and roles": staff record *their own* service work; the window lead assigns
work, approves leave and arranges substitutes; the center (hall manager) runs the hall. So:

- **Ownership** (:func:`require_own_record`): an actor in the ``staff`` role acts on a record
  only when the record is theirs — the handler of an application, the first responder or a
  receiver of an inquiry, the person on duty in a shift, the person of a leave request, the
  handler of a consultation or disclosure request — and names only themselves as the one
  acting (``handled_by``, ``issued_by`` …). The roles above staff in the role table
  (``window_lead``, ``hall_manager``) act on anyone's record, as far as ``Actor.require``
  lets them. The person behind a staff actor is ``Actor.person``: the staff member its
  token is bound to (:mod:`service.api.tokens`); an in-process caller without a bound person
  (the simulator, a script) is trusted as before — every HTTP staff token is bound.
- **Approval** (:func:`approving_leader`): stopping a deadline's clock or extending it
  (ART2.3; a disclosure answer's 20 working days, 政府信息公开条例 Art. 33) is approved by
  an authenticated leader — the actor, in a leader role — never by a name typed into a
  request. A named approver, where one is given, must be the actor; the event records the
  actor's id as ``approved_by``.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from domain.envelope import Actor
from domain.errors import NotPermitted
from domain.roles import Role

#: who approves a suspension or extension of a deadline (DOMAIN.md: window leads and the center)
APPROVERS = (Role.WINDOW_LEAD, Role.HALL_MANAGER)


def owns(actor: Actor, owners: Iterable[UUID | None]) -> bool:
    """Whether ``actor`` may act on a record owned by ``owners`` (see the module's rule)."""
    if actor.role != Role.STAFF or actor.person is None:
        return True
    return actor.person in {o for o in owners if o is not None}


def require_own_record(
    actor: Actor, owners: Iterable[UUID | None], *, record: str, field: str, rule: str | None = None
) -> None:
    """Refuse a staff actor acting on a record that is not theirs (403 ``not-your-record``)."""
    if owns(actor, owners):
        return
    raise NotPermitted(
        f"{record} is not {actor.id}'s own: a member of staff acts only on the records they handle "
        "(their window lead or the center acts on a colleague's)",
        field=field,
        rule=rule,
        code="not-your-record",
    )


def approving_leader(actor: Actor, named: str | None, *, what: str, rule: str | None = None) -> str:
    """The approver of ``what`` (a suspension or extension of a deadline): the authenticated
    actor in a leader role. ``named`` (a free-text approver of old clients) must be that actor
    or empty. Returns the id recorded as ``approved_by``."""
    actor.require(*APPROVERS, action=f"approving {what}", rule=rule)
    if named is not None and named.strip() and named.strip() != actor.id:
        raise NotPermitted(
            f"approved_by names {named.strip()!r}, but {what} is approved by the authenticated leader "
            f"({actor.id}) — sign in as the approver instead of naming them",
            field="approved_by",
            rule=rule,
            code="approver-not-actor",
        )
    return actor.id
