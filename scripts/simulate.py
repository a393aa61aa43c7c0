#!/usr/bin/env python
"""Simulate a hall on the configured store, working day by working day, through HallLedger.

    python scripts/simulate.py [--days 21] [--scale 1] [--profile standard|demo] [--seed 7]
                               [--start 2026-10-12] [--keep-going]

The store comes from the settings (``HALL_LEDGER_DATABASE_URL`` / ``HALL_LEDGER_SQLITE_PATH``,
as for every ``hall-ledger`` command) and must not hold a simulated hall yet (the simulator
keeps the hall's state in memory; after ``hall-ledger init`` the first day is the Monday after
the newest record). Every command goes through the application, the read models and the
detector catch up after each day; ``docs/simulation.md`` describes the profiles and what is
simulated.

Prints a progress bar, then the events by aggregate, the decisions and candidates, and the
rate (events per second, read-model time included). ``--keep-going`` counts refused
commands instead of stopping at the first (a refusal is a bug of the simulator).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from domain.envelope import CHINA_STANDARD_TIME
from service.application import open_ledger
from service.settings import Settings
from service.simulation import HallSimulator, SimClock, SimulationRefusal, profile_named

console = Console()


def main(
    days: Annotated[int, typer.Option(help="working days to simulate", min=1)] = 21,
    scale: Annotated[int, typer.Option(help="×1 the development-zone hall, ×10 a city centre", min=1)] = 1,
    profile: Annotated[str, typer.Option(help="standard (scaled) or demo (the small hall)")] = "standard",
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same hall")] = 7,
    start: Annotated[str | None, typer.Option(help="first day (YYYY-MM-DD) unless the store is later")] = None,
    keep_going: Annotated[bool, typer.Option("--keep-going", help="count refusals instead of stopping")] = False,
) -> None:
    settings = Settings()
    hall = profile_named(profile, scale)
    ledger = open_ledger(settings, clock=SimClock(datetime(2000, 1, 1, tzinfo=CHINA_STANDARD_TIME)))
    console.print(
        f"[bold]{hall.hall_name_zh} · {hall.name}[/bold]: {len(hall.departments)} departments, "
        f"{len(hall.windows)} windows, {len(hall.staff)} staff; {settings.describe_store()}"
    )
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    ) as bar:
        task = bar.add_task("simulating", total=days)

        def progress(done: int, total: int, day: date) -> None:
            bar.update(task, completed=done, description=f"{day.isoformat()} · {sim.head():,} events")

        sim = HallSimulator(
            ledger,
            hall,
            seed=seed,
            start=date.fromisoformat(start) if start else None,
            strict=not keep_going,
            progress=progress,
        )
        try:
            report = sim.run(days)
        except SimulationRefusal as refused:
            console.print(f"[red]stopped: {refused}[/red]")
            ledger.close()
            raise typer.Exit(1) from None
    ledger.close()

    table = Table(title=f"{report.first_day} – {report.last_day}: {report.days} working days")
    table.add_column("aggregate")
    table.add_column("events", justify="right")
    for family, n in sorted(report.families().items(), key=lambda kv: -kv[1]):
        table.add_row(family, f"{n:,}")
    console.print(table)
    console.print("decisions: " + (", ".join(f"{k} {v}" for k, v in sorted(report.decisions.items())) or "none"))
    console.print(
        "detected candidates: " + (", ".join(f"{k} {v}" for k, v in sorted(report.candidates.items())) or "none")
    )
    console.print(
        f"[bold]{report.events:,} events[/bold] from {report.commands:,} commands in {report.seconds:.1f}s "
        f"({report.events_per_second:,.0f} events/s; read models and detection {report.projection_seconds:.1f}s)"
    )
    if report.refusals:
        console.print(f"[red]{len(report.refusals)} refused commands[/red] (first: {report.refusals[0]})")
    if report.deliberate_refusals:
        console.print(f"{len(report.deliberate_refusals)} refusals shown on purpose")


if __name__ == "__main__":
    sys.exit(typer.run(main))
