"""``verify``, ``receipt``, ``checkpoint`` and ``key``: the transparency log from the command line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from domain import ids
from projections.transparency.bundle import Receipt
from projections.transparency.keys import VerifierKey, parse_verifier_key
from projections.transparency.merkle import ProofError
from projections.transparency.note import NoteError
from projections.transparency.tree import TreeError
from service import transparency
from service.application import open_ledger
from service.cli.main import app, console, errors, load_settings, refusals
from service.keys import load_signing_key
from service.settings import Settings


def _verifier(settings: Settings, text: str | None) -> VerifierKey:
    try:
        if text is not None:
            return parse_verifier_key(text)
        return load_signing_key(settings).verifier
    except (OSError, ValueError) as e:
        errors.print(f"[red]no verifier key: {e}[/red]")
        raise typer.Exit(2) from None


@app.command(name="verify")
def verify_command(
    key: Annotated[
        str | None, typer.Option(help="the hall's verifier key (default: the one of the key in HALL_LEDGER_KEY_DIR)")
    ] = None,
    show: Annotated[int, typer.Option(help="list at most this many disagreements")] = 20,
) -> None:
    """核验 · Recompute every leaf and the tree from the stored events; check every checkpoint.

    Exits 0 when everything holds, 1 naming the first position where anything disagrees.
    """
    settings = load_settings()
    ledger = open_ledger(settings)
    verifier = _verifier(settings, key)
    columns = (
        TextColumn("[bold]verify[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("positions"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    started = time.perf_counter()
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("positions", total=None)
        report = transparency.verify(
            ledger, verifier=verifier, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    ledger.close()
    elapsed = time.perf_counter() - started
    console.print(
        f"log        {report.head:,} positions, {report.events:,} events ({settings.describe_store()})\n"
        f"tree       {report.tree_size:,} leaves (tracking {report.tracked:,}); "
        f"{report.pending:,} events not yet in it\n"
        f"checkpoints {report.checkpoints_verified:,} of {report.checkpoints:,} verified with {verifier.text}"
    )
    if report.signed_size < report.tree_size:
        console.print(
            f"[yellow]note       positions {report.signed_size + 1:,}…{report.tree_size:,} are in the tree but no "
            "checkpoint signs them yet (`hall-ledger checkpoint`)[/yellow]"
        )
    if report.pending:
        console.print(
            f"[yellow]note       {report.pending:,} events are not in the tree yet (a runner follows the log: "
            "`hall-ledger serve`, `hall-ledger project ledger_tree`)[/yellow]"
        )
    if report.gaps:
        shown = ", ".join(str(p) for p in report.gaps[:10]) + (" …" if len(report.gaps) > 10 else "")
        console.print(f"gaps       {len(report.gaps)} positions never held an event (rolled-back inserts): {shown}")
    first = report.first
    if first is None:
        console.print(f"[green]the ledger verifies[/green] ({elapsed:.1f}s)")
        return
    count = len(report.disagreements) + report.more
    errors.print(f"[red bold]FIRST DISAGREEMENT at position {first.position}[/red bold] ({first.what}): {first.detail}")
    for item in sorted(report.disagreements, key=lambda d: d.position)[:show]:
        if item is not first:
            errors.print(f"[red]  position {item.position} ({item.what}): {item.detail}[/red]")
    if count > show:
        errors.print(f"[red]  … {count} disagreements in all[/red]")
    raise typer.Exit(1)


def _staff(value: str, hall_id: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        return ids.staff_id(hall_id, value)


@app.command(name="receipt")
def receipt_command(
    violation: Annotated[UUID | None, typer.Option(help="a violation: every event of its record")] = None,
    sanction: Annotated[
        UUID | None, typer.Option(help="an escalation decision's id (admonishment, suspension, removal)")
    ] = None,
    staff: Annotated[str | None, typer.Option(help="the staff member of --sanction (id or staff number)")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write the receipt here (default: stdout)")
    ] = None,
) -> None:
    """回执 · A hall-ledger-receipt/1 for the events behind a violation or a sanction (verifiable offline)."""
    if (violation is None) == (sanction is None) or (sanction is not None and staff is None):
        errors.print("[red]give either --violation ID, or --sanction DECISION_ID with --staff STAFF[/red]")
        raise typer.Exit(2)
    settings = load_settings()
    ledger = open_ledger(settings)
    receipt: Receipt
    with refusals():
        try:
            if violation is not None:
                receipt = transparency.receipt_for_violation(ledger, violation)
            else:
                assert sanction is not None and staff is not None
                receipt = transparency.receipt_for_sanction(ledger, _staff(staff, settings.hall_id), sanction)
        except (transparency.ReceiptUnavailable, FileNotFoundError) as e:
            errors.print(f"[red]no receipt: {e}[/red]")
            raise typer.Exit(1) from None
        finally:
            ledger.close()
    if output is None:
        print(receipt.text, end="")
    else:
        output.write_text(receipt.text, encoding="utf-8")
        positions = ", ".join(str(e.position) for e in receipt.entries)
        errors.print(f"receipt for positions {positions} written to {output}")
    errors.print(
        "check it anywhere with: python verify_ledger.py receipt FILE --key "
        f"'{receipt.verifier_key}' (take the key from the hall, not from the receipt)"
    )


@app.command(name="checkpoint")
def checkpoint_command() -> None:
    """签署检查点 · Bring the tree up to date and sign a checkpoint now; print the signed note."""
    settings = load_settings()
    ledger = open_ledger(settings)
    try:
        checkpoint = transparency.checkpoint_now(ledger)
    except FileNotFoundError as e:
        errors.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    except (TreeError, ProofError, NoteError, LookupError) as e:
        errors.print(f"[red]refusing to sign: {e} — run `hall-ledger verify`[/red]")
        raise typer.Exit(1) from None
    finally:
        ledger.close()
    if checkpoint is None:
        errors.print("the log is empty: nothing to sign yet")
        return
    print(checkpoint.note, end="")


@app.command(name="key")
def key_command() -> None:
    """验证公钥 · Print the hall's verifier key (publish it: verifiers trust it, not the server)."""
    settings = load_settings()
    try:
        print(load_signing_key(settings).verifier_key)
    except (OSError, ValueError) as e:
        errors.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
