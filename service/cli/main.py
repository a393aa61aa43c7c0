"""The Typer application and the plumbing every command shares."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console

from domain.errors import DomainError
from service.settings import Settings

app = typer.Typer(
    name="hall-ledger",
    help="政务服务大厅审计与纪律账本 · Audit and discipline ledger of a government service hall.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        for error in e.errors():
            field = "HALL_LEDGER_" + "_".join(str(p) for p in error["loc"]).upper()
            errors.print(f"[red]setting {field}: {error['msg']}[/red]")
        raise typer.Exit(2) from None


@contextmanager
def refusals() -> Iterator[None]:
    """Print a refused command plainly (rule, field) and exit 1; no traceback."""
    try:
        yield
    except DomainError as e:
        where = f" (field: {e.field})" if e.field else ""
        rule = f" [{e.rule}]" if e.rule else ""
        errors.print(f"[red]refused{rule}: {e.message}{where}[/red]")
        raise typer.Exit(1) from None


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
