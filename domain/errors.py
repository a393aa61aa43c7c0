"""Domain errors: every refused command raises one of these, and nothing is written.

Each error names the rule of the regulation that refused it (when one applies) and the
input field at fault (when one is), so that the HTTP layer can turn it into an
RFC 9457 problem with the field and rule, and the CLI can print it plainly.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by the model."""

    #: a short, stable, machine-readable code (``violation-already-revoked``)
    code: str = "domain-error"
    #: HTTP status the service maps this error to
    status: int = 409

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        parts = [self.message]
        if self.rule:
            parts.append(f"[{self.rule}]")
        return " ".join(parts)


class NotFound(DomainError):
    """The command names something that does not exist (a person, a rule, a window)."""

    code = "not-found"
    status = 404


class InvalidInput(DomainError):
    """The command's input is malformed or out of range."""

    code = "invalid-input"
    status = 422


class InvariantViolated(DomainError):
    """The command conflicts with the current state (revoking twice, confirming a dismissed one)."""

    code = "invariant-violated"
    status = 409


class NotPermitted(DomainError):
    """The actor's role may not take this decision (separation of duties, authorised roles)."""

    code = "not-permitted"
    status = 403


class AlreadyExists(DomainError):
    """An aggregate with this identity was already recorded."""

    code = "already-exists"
    status = 409
