"""``serve`` (the HTTP service) and ``token create|revoke|list`` (API tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from domain import ids
from domain.envelope import CHINA_STANDARD_TIME
from domain.errors import NotFound
from service.api.tokens import TOKEN_ROLES, TokenStore, parse_duration
from service.application import open_ledger
from service.cli.main import app, console, errors, load_settings, refusals
from service.stores import schema_lock

token_app = typer.Typer(
    help="API 令牌 · Bearer tokens of the HTTP service (stored only as hashes).", no_args_is_help=True
)
app.add_typer(token_app, name="token")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8000,
    project: Annotated[
        bool,
        typer.Option(
            "--project/--no-project",
            help="also keep the read models and the ledger tree up to date (as `hall-ledger project` does)",
        ),
    ] = True,
) -> None:
    """服务 · Run the HTTP service (API under /api/v1, OpenAPI docs at /docs) on the configured store.

    Beside it, in threads stopped on shutdown: the read models and the verifiable ledger's
    tree and checkpoints (one writer per model — with `hall-ledger project` running
    elsewhere these wait), and the purge of old idempotency keys.
    """
    import signal

    import uvicorn

    from service.api import create_app
    from service.api.background import Background

    settings = load_settings()
    ledger = open_ledger(settings)
    app_ = create_app(settings, ledger)
    background = Background(ledger, settings, project=project, idempotency=app_.state.services.idempotency)
    running = background.start()
    console.print(f"hall-ledger on http://{host}:{port} (docs /docs) · store {settings.describe_store()}")
    console.print(f"beside it: {', '.join(running)}")
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again with the
    # handlers it found: these stop the background threads instead of ending the process there
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: background.stop_event.set())
    try:
        uvicorn.run(
            app_,
            host=host,
            port=port,
            # event streams never end by themselves: give them a bounded goodbye on shutdown
            timeout_graceful_shutdown=5,
            proxy_headers=False,
            server_header=False,
        )
    finally:
        stopped = background.stop()
        ledger.close()
        console.print("stopped" + ("" if stopped else " (a background thread did not end in time)"))


def _staff_id(value: str | None, hall_id: str) -> UUID | None:
    """A staff member's id, or their staff number (the id is derived from it)."""
    if value is None:
        return None
    try:
        return UUID(value)
    except ValueError:
        return ids.staff_id(hall_id, value)


def _store() -> TokenStore:
    settings = load_settings()
    ledger = open_ledger(settings)
    store = TokenStore(ledger)
    with schema_lock(settings):
        store.create_table()
    return store


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help=f"one of: {', '.join(TOKEN_ROLES)}")],
    name: Annotated[str, typer.Option(help="the identity recorded as actor of every event (e.g. insp-li)")],
    staff_id: Annotated[
        str | None,
        typer.Option(
            "--staff-id",
            help="the staff member's id or staff number the token is bound to: required for staff tokens, "
            "optional for the other roles (separation of duties then compares people)",
        ),
    ] = None,
    expires_in: Annotated[
        str | None,
        typer.Option("--expires-in", help="how long the token lives, e.g. 30d, 12h, 90m, 2w (default: until revoked)"),
    ] = None,
) -> None:
    """Create a token and print it once (only its hash is stored)."""
    store = _store()
    try:
        with refusals():
            life = parse_duration(expires_in) if expires_in is not None else None
            try:
                token, record = store.create(
                    name=name, role=role, staff_id=_staff_id(staff_id, store.ledger.settings.hall_id), expires_in=life
                )
            except NotFound as missing:
                raise NotFound(f"no staff member {staff_id} on the ledger", field="staff_id") from missing
    finally:
        store.ledger.close()
    expiry = f", expires {_cst(record.expires_at)} CST" if record.expires_at else ""
    bound = f", bound to staff {record.staff_id}" if record.staff_id else ""
    errors.print(f"token for {record.name} ({record.role}{bound}{expiry}) — shown once, store it safely:")
    print(token)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Option(help="the token's name")]) -> None:
    """Revoke the active token of a name (its events keep the name as their actor)."""
    store = _store()
    revoked = store.revoke(name)
    store.ledger.close()
    if not revoked:
        errors.print(f"[red]no active token named {name!r}[/red]")
        raise typer.Exit(1)
    console.print(f"revoked the token of {name}")


@token_app.command("list")
def token_list() -> None:
    """List tokens (never their secrets)."""
    store = _store()
    records = store.list()
    now = store.clock()
    store.ledger.close()
    table = Table()
    for column in ("name", "role", "staff", "created (CST)", "expires (CST)", "revoked (CST)", "state"):
        table.add_column(column)
    for r in records:
        state = "revoked" if r.revoked_at else "expired" if r.expired(now) else "active"
        table.add_row(
            r.name,
            r.role,
            str(r.staff_id or ""),
            _cst(r.created_at),
            _cst(r.expires_at) if r.expires_at else "never",
            _cst(r.revoked_at) if r.revoked_at else "",
            state,
        )
    console.print(table)


def _cst(moment: datetime) -> str:
    return moment.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M")
