"""Who acts in the hall (DOMAIN.md "People and roles")."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STAFF = "staff"
    WINDOW_LEAD = "window_lead"
    HALL_MANAGER = "hall_manager"
    INSPECTOR = "inspector"
    APPEAL_REVIEWER = "appeal_reviewer"
    COMMITTEE = "committee"
    DASHBOARD = "dashboard"
    AUDITOR = "auditor"
    #: automatic detection and other machine actions of the ledger itself
    SYSTEM = "system"


#: Authority rank used by separation-of-duties rules: "a sanction decision needs a role
#: above the recorder". Read-only roles have no authority over people.
AUTHORITY: dict[Role, int] = {
    Role.DASHBOARD: 0,
    Role.AUDITOR: 0,
    Role.SYSTEM: 1,
    Role.STAFF: 1,
    Role.WINDOW_LEAD: 2,
    Role.INSPECTOR: 3,
    Role.APPEAL_REVIEWER: 3,
    Role.HALL_MANAGER: 4,
    Role.COMMITTEE: 5,
}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        from domain.errors import InvalidInput

        known = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {value!r}; known roles: {known}", field="role") from None


def outranks(a: str, b: str) -> bool:
    """True when role ``a`` has more authority than role ``b``."""
    return AUTHORITY[Role(a)] > AUTHORITY[Role(b)]
