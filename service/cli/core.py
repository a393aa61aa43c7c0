"""``init``, ``demo`` and ``events``."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from domain.envelope import CHINA_STANDARD_TIME, Actor
from domain.errors import AlreadyExists
from domain.rules import current_catalogue
from projections.envelope import envelope, event_type
from service.application import open_ledger
from service.cli.main import app, console, load_settings, refusals
from service.demo import ARTICLE_TITLES, DemoClock, run_demo, summarise
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
def demo(seed: Annotated[int, typer.Option(help="random seed of the simulated weeks")] = 7) -> None:
    """演示 · Record a small hall and four weeks of its life, then summarise (zh/en)."""
    settings = load_settings()
    clock = DemoClock(now=datetime(2024, 1, 2, 9, tzinfo=CHINA_STANDARD_TIME))
    ledger = open_ledger(settings, clock=clock)
    ensure_signing_key(settings)
    started = time.perf_counter()
    with refusals():
        built = run_demo(ledger, seed=seed)
    elapsed = time.perf_counter() - started
    summary = summarise(ledger)
    ledger.close()

    console.rule(f"[bold]{summary.hall[0]} · {summary.hall[1]}")
    console.print(
        f"{'已生成' if built else '已存在'} {'built' if built else 'already present'}: "
        f"{summary.events} 条事件 events in {settings.describe_store()}" + (f" ({elapsed:.1f}s)" if built else "")
    )
    people = Table(title="人员 People", show_lines=False)
    for column in ("工号 No.", "姓名 Name", "部门 Department", "窗口 Window", "状态 Status", "已认定违规 Confirmed"):
        people.add_column(column)
    for person in sorted(summary.people.values(), key=lambda p: p.staff_no):
        people.add_row(
            person.staff_no, person.name, person.department, person.window, person.status, str(person.confirmed)
        )
    console.print(people)

    articles = Table(title="违规按条款 Violations by article")
    for column in ("条款 Article", "认定 confirmed", "撤销 revoked", "不予认定 dismissed", "待定 pending"):
        articles.add_column(column)
    for article in sorted(summary.by_article):
        zh, en = ARTICLE_TITLES[article]
        counts = summary.by_article[article]
        articles.add_row(
            f"第{article}条 {zh} · Art. {article} {en}",
            str(counts["confirmed"]), str(counts["revoked"]), str(counts["dismissed"]), str(counts["pending"]),
        )  # fmt: skip
    console.print(articles)

    decisions = Table(title="处理决定 Escalation and posting decisions")
    for column in ("日期 Date", "决定 Decision", "人员 Person", "依据 Rule"):
        decisions.add_column(column)
    for when, what, who, rule in sorted(summary.decisions):
        decisions.add_row(when.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M"), what, who, rule)
    console.print(decisions)
    console.print(
        f"规则目录 Rule catalogue {current_catalogue().version}; "
        "every event names its actor, valid time and record time — try `hall-ledger events`."
    )


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
