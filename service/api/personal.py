"""Which reader sees personal fields (``Sealed``) in clear.

Citizens' personal data is sealed in events (``service.personal_data``: per-subject keys).
Only roles in :data:`service.api.access.PERSONAL_DATA_ROLES` get a reveal function, and
only when a vault is present; everyone else sees the envelope's sealed form
``{"subject", "commitment"}``. Dashboard and auditor never see a personal field. A value
whose subject was erased (crypto-shredded) shows ``"erased": true``; one that does not
open under its subject's key shows ``"unreadable": true`` — never an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.envelope import Sealed
from service.api.access import PERSONAL_DATA_ROLES

Vault = Callable[[Sealed], Any]


def ledger_vault(ledger: Any) -> Vault | None:
    """The ledger's personal-data vault (opened on first use), or None without one."""
    if not hasattr(type(ledger), "personal_data"):
        return None

    def reveal(sealed: Sealed) -> Any:
        return ledger.personal_data.reveal(sealed)

    return reveal


def revealer_for(role: str, vault: Vault | None) -> Callable[[Sealed], Any] | None:
    if vault is None or role not in PERSONAL_DATA_ROLES:
        return None

    def reveal(sealed: Sealed) -> Any:
        sealed_form: dict[str, Any] = {"subject": sealed.subject, "commitment": sealed.commitment}
        try:
            value = vault(sealed)
        except ValueError:  # tampered or foreign ciphertext: show that, not a 500
            return sealed_form | {"unreadable": True}
        if value is None:  # erased: the key is gone, the commitment stays
            return sealed_form | {"erased": True}
        return value

    return reveal
