"""``init``, ``demo`` and ``events``."""

from __future__ import annotations

import json
import time
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from domain.envelope import CHINA_STANDARD_TIME, Actor
from domain.errors import AlreadyExists
from projections.envelope import envelope, event_type
from service.application import open_ledger
from service.cli.main import app, console, load_settings, refusals
from service.demo import DEMO_DAYS, DEMO_SEED, demo_clock, print_summary, run_demo, summarise
from service.eventlog import iter_events
from service.keys import ensure_signing_key


@app.command()
def init(
    name_zh: Annotated[str, typer.Option(help="the hall's name in Chinese")] = "北海行政审批中心",
    name_en: Annotated[str, typer.Option(help="the hall's name in English")] = "Beihai Administrative Approval Center",
    actor: Annotated[str, typer.Option(help="who sets the ledger up (hall manager id)")] = "hall-admin",
) -> None:
    """初始化 · Create the store's schema, the checkpoint signing key, and the hall."""
    settings = load_settings()
    ledger = open_ledger(settings)
    key, created = ensure_signing_key(settings)
    console.print(f"store      {settings.describe_store()}: schema ready")
    console.print(
        f"key        {'generated' if created else 'kept'} {settings.signing_key_path}\nverifier   {key.verifier_key}"
    )
    with refusals():
        try:
            ledger.establish_hall(Actor(actor, "hall_manager"), name_zh=name_zh, name_en=name_en)
            console.print(f"hall       {settings.hall_id}: {name_zh} · {name_en} established")
        except AlreadyExists:
            console.print(f"hall       {settings.hall_id}: already established")
    ledger.close()


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="random seed of the simulated weeks")] = DEMO_SEED,
    days: Annotated[int, typer.Option(help="working days to simulate", min=18, max=120)] = DEMO_DAYS,
) -> None:
    """演示 · Simulate a small hall for the four weeks that end today (with a storyline), then summarise (zh/en)."""
    settings = load_settings()
    ledger = open_ledger(settings, clock=demo_clock())
    ensure_signing_key(settings)
    started = time.perf_counter()
    with refusals():
        built = run_demo(ledger, seed=seed, days=days)
    elapsed = time.perf_counter() - started
    summary = summarise(ledger)
    ledger.close()
    print_summary(console, summary, built=built, elapsed=elapsed, store=settings.describe_store(), seed=seed)


@app.command()
def events(
    type_: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="event type, e.g. Violation.Recorded or Recorded")
    ] = None,
    stream: Annotated[UUID | None, typer.Option(help="only this stream (aggregate id)")] = None,
    after: Annotated[int, typer.Option(help="start after this position")] = 0,
    limit: Annotated[int, typer.Option(help="at most this many events (0: no limit)")] = 50,
    tail: Annotated[bool, typer.Option("--tail", help="show the last --limit events")] = False,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep printing new events")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON envelope per line")] = False,
) -> None:
    """事件日志 · Show the log, filtered by type or stream."""
    settings = load_settings()
    ledger = open_ledger(settings)
    types = type_ or []
    if tail:
        last = ledger.recorder.max_notification_id() or 0
        after = max(0, last - (limit or 50)) if not types and stream is None else after
    printed = 0

    def show(batch_after: int) -> int:
        nonlocal printed
        position = batch_after
        table = Table(show_header=not as_json and printed == 0)
        for column in ("#", "type", "occurred (CST)", "actor", "rule", "stream"):
            table.add_column(column)
        rows = 0
        for position, event in iter_events(ledger, after=batch_after, limit=limit or None, types=types, stream=stream):
            if as_json:
                print(json.dumps(envelope(event, position), ensure_ascii=False))
            else:
                table.add_row(
                    str(position), event_type(event),
                    event.occurred_at.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M"),
                    f"{event.actor.id} ({event.actor.role})", getattr(event, "rule", None) or "",
                    str(event.originator_id)[:8],
                )  # fmt: skip
            rows += 1
        if rows and not as_json:
            console.print(table)
        printed += rows
        return position

    with refusals():
        position = show(after)
        while follow:
            time.sleep(0.5)
            position = show(position)
    ledger.close()
