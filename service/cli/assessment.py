"""``ranking``: a period's results with their grades (month, quarter, year) as the assessment
read model holds them; ``rescore``: what-if scores under another scoring policy, beside the
published ones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from domain.assessment import grading_summary, period_kind
from domain.errors import DomainError
from domain.policies.escalation import PolicyError
from domain.policies.scoring import ScoringPolicy, load_scoring_policy, load_scoring_policy_file
from projections.assessment import current_results, rescore
from projections.runner import ProjectionStore
from service.application import open_ledger
from service.cli.main import app, console, errors, load_settings


def _published(store: ProjectionStore, period: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The frozen results of a published period (staff id → result) and its record."""
    with store.transaction() as tx:
        if not store.table_exists(tx, "assessment_periods"):
            return {}, None
        record = tx.query(
            "SELECT status, policy, published_position, published_digest FROM {t:assessment_periods} WHERE period = ?",
            (period,),
        )
        rows = tx.query(
            "SELECT staff_id, total, grade, rank_hall FROM {t:assessment_published} WHERE period = ?", (period,)
        )
    if not record:
        return {}, None
    status, policy, position, digest = record[0]
    published = {r[0]: {"total": r[1], "grade": r[2], "rank": r[3]} for r in rows}
    return published, {"status": status, "policy": policy, "position": position, "digest": digest}


@contextmanager
def _read_models() -> Iterator[ProjectionStore]:
    """The read models of the configured store, for reading only (the ledger closed after)."""
    ledger = open_ledger(load_settings(), create_schema=False)
    try:
        yield ProjectionStore(ledger)
    finally:
        ledger.close()


def _names(store: ProjectionStore) -> dict[str, tuple[str, str]]:
    with store.transaction() as tx:
        if not store.table_exists(tx, "staff_records"):
            return {}
        return {
            r[0]: (r[1] or "", r[2] or "") for r in tx.query("SELECT staff_id, staff_no, name FROM {t:staff_records}")
        }


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    return str(value)


def _rank(value: Any) -> str:
    return "—" if value is None else str(int(value))


#: why a grade is lower than the total alone gives (domain.assessment)
REASONS = {
    "veto": "一票否决 veto",
    "forbidden_severity": "违规 violation",
    "failed_month": "月度不合格 failed month",
    "quota": "名额 quota",
}


def _policy_of(rows: list[dict[str, Any]]) -> ScoringPolicy | None:
    refs = sorted({str(r["policy"]) for r in rows})
    if len(refs) != 1:
        return None
    try:
        return load_scoring_policy(refs[0].removeprefix("scoring@"))
    except (PolicyError, DomainError):
        return None


@app.command(name="ranking")
def ranking_command(
    period: Annotated[str, typer.Option("--period", help="a month (2026-10), quarter (2026-Q4) or year (2026)")],
) -> None:
    """考核排名 · A period's results with their grades, ranks and why a grade is lower.

    Quarters and years show the 优秀 quota (⌊quota × n⌋ seats, by position) and the veto
    (一票否决) as the assessment read model graded them; run `hall-ledger project` first."""
    from service.api import queries

    try:
        kind = period_kind(period)
    except DomainError as e:
        errors.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    with _read_models() as store:
        names = _names(store)
        with store.transaction() as tx:
            if not store.table_exists(tx, "assessment_monthly"):
                found: list[dict[str, Any]] = []
            elif kind == "month":
                found = queries.monthly(tx, "period = ?", [period])
            elif kind == "quarter":
                found = queries.quarterly(tx, "period = ?", [period])
            else:
                found = queries.annual(tx, "period = ?", [period])
    if not found:
        errors.print(f"[yellow]no assessment results for {period} (run `hall-ledger project` first)[/yellow]")
        raise typer.Exit(1)
    policy = _policy_of(found)
    grade_names = {g.code: f"{g.name_zh} {g.code}" for g in policy.grades} if policy else {}
    total_key = {"month": "total", "quarter": "mean", "year": "total"}[kind]
    rows = sorted(
        found,
        key=lambda r: (r.get("place") or r.get("rank_hall") or 10**9, r["rank_hall"] is None, r["staff_id"]),
    )
    title = f"考核排名 Ranking · {period} ({kind}, {found[0]['policy']})"
    if kind != "month" and policy is not None:
        summary = grading_summary(found, policy, kind)
        if summary["seats"] is not None:
            title += (
                f" · {summary['grade_zh']} {summary['holders']}/{summary['seats']} seats of {summary['people']} "
                f"(quota {Decimal(summary['quota']):%}, by position: {summary['tie_break']})"
            )
    table = Table(title=title)
    columns = ["名次 Rank", "工号 No.", "姓名 Name", "总分 Total", "等级 Grade"]
    if kind != "month":
        columns += ["位次 Place", "原因 Why", "规则 Rules"]
    for column in columns:
        table.add_column(column, justify="left" if column in ("姓名 Name", "原因 Why", "规则 Rules") else "right")
    for r in rows:
        staff_no, name = names.get(r["staff_id"], (r["staff_id"][:8], ""))
        grade = "—" if r["grade"] is None else grade_names.get(r["grade"], r["grade"])
        cells = [_rank(r["rank_hall"]), staff_no, name, _fmt(r[total_key]), grade]
        if kind != "month":
            reason = r.get("grade_reason")
            cells += [
                _rank(r.get("place")),
                "" if reason is None else REASONS.get(reason, reason),
                ", ".join(r.get("grade_rules") or []),
            ]
        table.add_row(*cells)
    console.print(table)


@app.command(name="rescore")
def rescore_command(
    policy: Annotated[Path, typer.Option("--policy", help="a scoring policy file (scoring-<version>.toml)")],
    period: Annotated[str, typer.Option("--period", help="a month (2026-10), quarter (2026-Q4) or year (2026)")],
) -> None:
    """重新计分 · What-if scores under another policy, side by side with the published ones.

    Reads the facts the assessment read model keeps and scores them with the same
    functions under FILE's policy; nothing is written to the ledger."""
    try:
        period_kind(period)
        what_if_policy = load_scoring_policy_file(policy)
    except (PolicyError, DomainError) as e:
        errors.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    with _read_models() as store:
        published, record = _published(store, period)
        current_policy, current = current_results(store, period, period_kind(period))
        what_if = rescore(store, period, what_if_policy)
        names = _names(store)
    now = {r["staff_id"]: r for r in current}
    people = sorted(set(published) | set(now) | set(what_if), key=lambda s: (names.get(s, ("", ""))[0], s))
    if not people:
        errors.print(f"[yellow]no assessment results for {period} (run `hall-ledger project` first)[/yellow]")
        raise typer.Exit(1)
    heading = f"{period}: "
    if record:
        heading += (
            f"published under {record['policy']} at position {record['position']} ({record['status']}); "
            f"what-if under {what_if_policy.ref}"
        )
    else:
        heading += f"not published; current under {current_policy or '—'}; what-if under {what_if_policy.ref}"
    table = Table(title=f"考核重算 Re-score · {heading}")
    for column in (
        "工号 No.", "姓名 Name", "已发布 Published", "等级 Grade", "名次 Rank", "当前 Current",
        f"假设 What-if ({what_if_policy.ref})", "等级 Grade", "名次 Rank", "差额 Δ",
    ):  # fmt: skip
        table.add_column(column, justify="right" if column not in ("姓名 Name",) else "left")
    grade_names = {g.code: f"{g.name_zh} {g.code}" for g in what_if_policy.grades}

    def grade(code: Any) -> str:
        return "—" if code is None else grade_names.get(str(code), str(code))

    for staff_id in people:
        staff_no, name = names.get(staff_id, (staff_id[:8], ""))
        p, c, w = published.get(staff_id, {}), now.get(staff_id, {}), what_if.get(staff_id, {})
        base = p.get("total") if p else c.get("total")
        delta = None
        if base is not None and w.get("total") is not None:
            delta = Decimal(str(w["total"])) - Decimal(str(base))
        table.add_row(
            staff_no, name, _fmt(p.get("total")), grade(p.get("grade")), _rank(p.get("rank")), _fmt(c.get("total")),
            _fmt(w.get("total")), grade(w.get("grade")), _rank(w.get("rank")),
            ("+" if delta and delta > 0 else "") + _fmt(delta) if delta is not None else "—",
        )  # fmt: skip
    console.print(table)
    console.print("nothing was written to the ledger (what-if only)")


@app.command(name="alerts")
def alerts_command(
    kind: Annotated[
        list[str] | None, typer.Option("--kind", "-k", help="application, disclosure, candidate_violation …")
    ] = None,
    limit: Annotated[int, typer.Option(help="at most this many items")] = 50,
) -> None:
    """电子监察待办 · Open items of the hall with their due dates, soonest first.

    A due date counted on a provisional year's working-day calendar is marked 暂定 (provisional),
    as the API's alerts show it; staff performance items are left out (use the API as a reader of
    performance data). Run `hall-ledger project` first."""
    from service.api import queries

    with _read_models() as store, store.transaction() as tx:
        items = (
            queries.open_items(tx, kinds=kind or (), limit=limit) if store.table_exists(tx, "kpi_open_items") else []
        )
    if not items:
        console.print("no open items (run `hall-ledger project` first if the read models are empty)")
        return
    table = Table(title="电子监察待办 Open items")
    for column in ("种类 Kind", "状态 State", "到期 Due", "规则 Rule", "项目 Item"):
        table.add_column(column)
    for item in items:
        due = (item["due_at"] or "")[:10]
        if item["deadline_provisional"]:
            years = ", ".join(str(y) for y in item["provisional_years"])
            due += f" (暂定 provisional {years})"
        table.add_row(item["kind"], item["state"] or "", due, item["rule"] or "", item["item_id"])
    console.print(table)
