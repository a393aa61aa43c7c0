"""``project`` (follow the log) and ``rebuild`` (replay into fresh tables and switch)."""

from __future__ import annotations

import signal
import threading
import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from projections.base import ReadModel
from projections.registry import select
from projections.runner import ProjectionRunner
from service.application import open_ledger
from service.cli.main import app, console, errors, load_settings
from service.rebuild import rebuild_models
from service.transparency import TREE_MODEL, tree_model_if_keyed


def _models(names: list[str] | None) -> list[ReadModel]:
    others = [n for n in names or [] if n != TREE_MODEL]
    try:
        models = select(others) if others or not names else []
    except KeyError as e:
        errors.print(f"[red]{e.args[0]}[/red]")
        raise typer.Exit(2) from None
    if not names or TREE_MODEL in names:  # the ledger's Merkle tree signs with the hall's key
        tree = tree_model_if_keyed(load_settings())
        if tree is not None:
            models.append(tree)
        elif names:
            errors.print(f"[red]{TREE_MODEL} needs the checkpoint signing key: run `hall-ledger init`[/red]")
            raise typer.Exit(2)
        else:
            errors.print(f"[yellow]{TREE_MODEL} skipped: no checkpoint signing key (`hall-ledger init`)[/yellow]")
    if not models:
        errors.print("[yellow]no read models are registered[/yellow]")
        raise typer.Exit(0)
    return models


@app.command()
def project(
    names: Annotated[list[str] | None, typer.Argument(help="read models to run (default: all)")] = None,
    once: Annotated[bool, typer.Option("--once", help="catch up to the head and exit")] = False,
) -> None:
    """投影 · Keep the read models up to date with the log (one writer per model)."""
    settings = load_settings()
    ledger = open_ledger(settings)
    runner = ProjectionRunner(ledger, _models(names))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if once:
        with runner.store.lock(runner.names, stop=stop) as held:
            if held:
                runner.prepare()
                position = runner.catch_up()
                console.print(f"read models {', '.join(runner.names)} at position {position}")
        ledger.close()
        return
    console.print(f"following the log for {', '.join(runner.names)} on {settings.describe_store()} (Ctrl-C stops)")
    runner.run(stop, on_ready=lambda: console.print(f"writer lock held; positions {runner.positions()}"))
    ledger.close()


@app.command(name="rebuild")
def rebuild_command(
    names: Annotated[list[str] | None, typer.Argument(help="read models to rebuild (default: all)")] = None,
    batch_size: Annotated[int, typer.Option(help="events per transaction")] = 5000,
    jobs: Annotated[
        int, typer.Option(min=1, help="processes to share the models out over (each reads the whole log)")
    ] = 1,
) -> None:
    """重建 · Replay the log from position 0 into fresh tables, then switch atomically."""
    settings = load_settings()
    ledger = open_ledger(settings)
    models = _models(names)
    columns = (
        TextColumn("[bold]rebuild[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>9,.0f} events/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(", ".join(m.name for m in models), total=None, rate=0.0)

        def progress(position: int, head: int, elapsed: float) -> None:
            bar.update(task, completed=position, total=head, rate=position / elapsed if elapsed else 0.0)

        started = time.perf_counter()
        report = rebuild_models(ledger, models, jobs=jobs, batch_size=batch_size, progress=progress)
    console.print(
        f"rebuilt {', '.join(report.names)}: {report.events:,} events to position {report.position:,} "
        f"in {time.perf_counter() - started:.1f}s ({report.rate:,.0f} events/s); "
        f"switched in by the {report.switched_by}"
    )
    ledger.close()
