"""Assessment scores (月/季/年考核 and 评比, ART11): monthly per person, quarterly and annual,
window and department rankings, published periods.

Question it answers: *what did this person (window, department) score in a period, under
which policy, and exactly which events made up the score?*

The pure core is :func:`score_month` — ``score_month(core, month_doc, month, policy)``:
base score, one line per deduction (naming the violation's ledger positions and its rule
``ARTx.y@version``: the catalogue version the violation cites decides the points, so a
score is rule-version-aware) and per bonus (naming the event and the policy item), the bonus
cap, the floor, the grade band with the serious-violation veto, and the KPI components.
Only confirmed violations deduct; one under appeal deducts provisionally; a revoked one
does not (its line disappears when the revocation is folded — the score is re-derived, not
patched). Quarterly and annual results and window scores derive from the monthly ones
(:func:`score_quarter`, :func:`score_year`, :func:`score_windows`), ranks are competition
ranks (ties share a rank) within window, department and hall. Every row records the policy
version it was computed under. Grades come from one place, :func:`domain.assessment.grade`
(the serious-violation veto and the bands' forbidden severities over the month, the quarter
and the year alike) and :func:`domain.assessment.apply_quota` (优秀 of a quarter or year for
at most ⌊quota × n⌋ people by position, never by tied rank); a quarterly or annual row says
why its grade is lower than its total alone would give (``grade_reason``, ``grade_rules``).

Published periods: an ``AssessmentPeriod.Published`` event freezes a period's results
with the position they reflect (``assessment_published``). When later events change the
period's results, the period is marked ``amendment_pending`` (``assessment_periods``) and
``assessment_differences`` lists each person whose published total, grade or rank differs
from the current one — a published ranking never changes silently.

KPI components wait for the processes that produce them: on-time completion and one-time
notice compliance (service cases), first-inquiry handling (inquiries) and the client rating
(好差评). Until their events exist in the log the components are ``null`` and the window
score leaves them out (``missing_components = "reweight"``); the row says which.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.assessment import (
    QUARTER,
    YEAR,
    AssessmentPeriod,
    Standing,
    apply_quota,
    band_of,
    canonical_results,
    grade,
    results_digest,
)
from domain.policies.scoring import ScoringPolicy, load_scoring_policy
from domain.supervision import overdue_points
from projections.base import Table, Tx
from projections.escalation import rule_of
from projections.facts import (
    CONFIRMED,
    DISMISSED,
    REVOKED,
    Doc,
    FactsModel,
    HallFacts,
    hall_month,
    iso,
    micros,
    month_bounds,
    months_between,
    new_month,
    posting_in_month,
)

CENT = Decimal("0.01")
#: KPI components of the monthly row, with the process whose events feed them
KPI_COMPONENTS = {
    "on_time_completion": "service cases (ApplicationCompleted against the committed deadline)",
    "one_time_notice": "service cases (OneTimeNoticeIssued, second notices)",
    "first_inquiry": "inquiries (InquiryOpened / handled / handed over)",
    "client_rating": "client ratings (ServiceRated, 好差评)",
}


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def quarter_of(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}-Q{(int(mon) - 1) // 3 + 1}"


def quarter_months(quarter: str) -> list[str]:
    year, part = quarter.split("-Q")
    first = (int(part) - 1) * 3 + 1
    return [f"{year}-{m:02d}" for m in range(first, first + 3)]


# ── the pure scoring functions ────────────────────────────────────────────────


def deduction_points(v: Doc, policy: ScoringPolicy) -> Decimal:
    """What a confirmed violation deducts: the appeal's amended deduction, else — for a
    lateness item of the policy's ``[overdue]`` — its points per working day late, capped
    (``days_late`` from the case, projections/facts.py; domain.supervision.overdue_points),
    else the policy's override for the rule or item, else the catalogue version it cites."""
    if v["deduction"] is not None:
        return Decimal(v["deduction"])
    rule = rule_of(v["rule"])
    if policy.counts_per_working_day(rule.id, v["item"]):
        return overdue_points(v.get("days_late") or 1, policy.overdue_per_working_day, policy.overdue_cap)
    override = policy.deduction_override(rule.id, v["item"])
    return override if override is not None else rule.deduction_of(v["item"])


def month_violations(core: Doc, month: str) -> list[tuple[str, Doc]]:
    start, end = month_bounds(month)
    found = [(vid, v) for vid, v in core["violations"].items() if start <= v["t"] < end]
    return sorted(found, key=lambda item: (item[1]["t"], item[1]["pos"][0]))


def kpi_components(month_doc: Doc, policy: ScoringPolicy) -> dict[str, Any]:
    """The KPI components of a month (None while no event fed them): each
    ``{"value": percent, "met": n, "of": n}``. The client rating is the share of counting
    ratings at a satisfied level (``[ratings] satisfied_levels``); an excluded bad rating no
    longer counts, a contested one still does until it is excluded."""
    kpi = dict(month_doc.get("kpi", {}))
    ratings = {int(k): n for k, n in month_doc.get("ratings", {}).items()}
    for bad in month_doc.get("bad", {}).values():
        if bad["status"] != "excluded":
            ratings[bad["score"]] = ratings.get(bad["score"], 0) + 1
    if ratings:
        kpi["client_rating"] = {
            "met": sum(n for score, n in ratings.items() if score in policy.satisfied_levels),
            "of": sum(ratings.values()),
        }
    out: dict[str, Any] = {}
    for name in KPI_COMPONENTS:
        counts = kpi.get(name)
        if not counts or not counts.get("of"):
            out[name] = None
            continue
        out[name] = {"value": str(q(Decimal(counts["met"]) * 100 / Decimal(counts["of"]))), **counts}
    return out


def score_month(core: Doc, month_doc: Doc | None, month: str, policy: ScoringPolicy) -> dict[str, Any]:
    """One person's score for one month, line by line."""
    month_doc = month_doc or new_month()
    lines: list[dict[str, Any]] = [
        {"kind": "base", "points": policy.base, "rule": policy.ref, "item": None, "source": None, "positions": []}
    ]
    deductions = Decimal(0)
    #: (severity, rule ref) of each verified violation: what the grade of the month, its
    #: quarter and its year looks at (domain.assessment.grade)
    verified: list[tuple[str, str]] = []
    provisional = False
    counted = 0
    for violation_id, v in month_violations(core, month):
        if v["status"] != CONFIRMED:
            continue
        points = deduction_points(v, policy)
        under_appeal = v["appeal"] is not None
        provisional = provisional or under_appeal
        verified.append((v["severity"], v["rule"]))
        deductions += points
        counted += 1
        lines.append(
            {
                "kind": "deduction",
                "points": -points,
                "rule": v["rule"],
                "item": v["item"],
                "source": violation_id,
                "positions": list(v["pos"]),
                "provisional": under_appeal,
            }
        )
    bonus = Decimal(0)
    per_item: dict[str, Decimal] = {}

    def earn(item: str, count: int, source: str | None, positions: list[int]) -> None:
        nonlocal bonus
        rule = policy.bonus.get(item)
        if rule is None:
            return
        points = rule.points * count
        if rule.cap is not None:
            points = max(Decimal(0), min(points, rule.cap - per_item.get(item, Decimal(0))))
            if not points:
                return  # the item's monthly cap is reached: later events earn nothing
        per_item[item] = per_item.get(item, Decimal(0)) + points
        bonus += points
        lines.append(
            {
                "kind": "bonus",
                "points": points,
                "rule": f"{policy.ref}#bonus.{item}",
                "item": item,
                "source": source,
                "positions": positions,
            }
        )

    for entry in sorted(month_doc["bonus"], key=lambda b: b["positions"][0]):
        earn(entry["item"], 1, entry.get("source"), list(entry["positions"]))
    # counted items (each 非常满意, each early completion) make one line naming every event
    for item, key in (("very_satisfied_rating", "vs"), ("early_completion", "early")):
        positions = sorted(month_doc.get(key, []))
        if positions:
            earn(item, len(positions), None, positions)
    counted_bonus = min(bonus, policy.bonus_cap)
    if counted_bonus < bonus:
        lines.append(
            {
                "kind": "bonus_cap",
                "points": counted_bonus - bonus,
                "rule": f"{policy.ref}#monthly.bonus_cap",
                "item": None,
                "source": None,
                "positions": [],
            }
        )
    raw = policy.base - deductions + counted_bonus
    total = q(max(policy.floor, raw))
    if total != raw:
        lines.append(
            {
                "kind": "floor",
                "points": total - raw,
                "rule": f"{policy.ref}#monthly.floor",
                "item": None,
                "source": None,
                "positions": [],
            }
        )
    graded = grade(total, verified, policy)
    posting = posting_in_month(core, month)
    profile = core["profile"] or {}
    return {
        "month": month,
        "staff_id": core["staff_id"],
        "staff_no": profile.get("staff_no"),
        "window_id": posting["window_id"] if posting else None,
        "department_id": profile.get("department_id"),
        "base": policy.base,
        "deductions": deductions,
        "bonus": counted_bonus,
        "total": total,
        "grade": graded.grade,
        "grade_reason": graded.reason,
        "grade_rules": list(graded.rules),
        "verified": verified,
        "violations": counted,
        "provisional": provisional,
        "kpi": kpi_components(month_doc, policy),
        "lines": lines,
        "policy": policy.ref,
    }


def present(core: Doc, month: str) -> bool:
    """Whether a person is assessed in a month: posted at some time during it, or with a
    violation (pending or confirmed) or a bonus in it."""
    if core["profile"] is None:
        return False
    if posting_in_month(core, month) is not None:
        return True
    start, end = month_bounds(month)
    return any(start <= v["t"] < end for v in core["violations"].values())


def competition_ranks(entries: Iterable[tuple[str, Decimal]]) -> dict[str, int]:
    """Rank by value, highest first; ties share a rank (1, 2, 2, 4)."""
    ordered = sorted(entries, key=lambda e: (-e[1], e[0]))
    ranks: dict[str, int] = {}
    previous: Decimal | None = None
    rank = 0
    for n, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = n, value
        ranks[key] = rank
    return ranks


def rank_month(results: Mapping[str, dict[str, Any]]) -> None:
    """Add ``rank_hall``, ``rank_window`` and ``rank_department`` to a month's results."""
    hall = competition_ranks((s, r["total"]) for s, r in results.items())
    groups: dict[tuple[str, str | None], list[tuple[str, Decimal]]] = {}
    for staff_id, r in results.items():
        groups.setdefault(("window", r["window_id"]), []).append((staff_id, r["total"]))
        groups.setdefault(("department", r["department_id"]), []).append((staff_id, r["total"]))
    by_group = {key: competition_ranks(members) for key, members in groups.items()}
    for staff_id, r in results.items():
        r["rank_hall"] = hall[staff_id]
        r["rank_window"] = by_group[("window", r["window_id"])][staff_id] if r["window_id"] else None
        r["rank_department"] = by_group[("department", r["department_id"])][staff_id] if r["department_id"] else None


def _graded_rows(
    out: dict[str, dict[str, Any]], standings: Mapping[str, Standing], policy: ScoringPolicy, kind: str
) -> None:
    """The final grade of each person of a quarter or year, with the quota applied by
    position (``domain.assessment.apply_quota``), written into ``out``."""
    for staff_id, (place, graded) in apply_quota(standings, policy, kind).items():
        out[staff_id].update(
            grade=graded.grade, grade_reason=graded.reason, grade_rules=list(graded.rules), place=place
        )


def score_quarter(
    quarter: str, months: Mapping[str, Mapping[str, dict[str, Any]]], policy: ScoringPolicy
) -> dict[str, Any]:
    """Quarterly results: the mean of the months present, graded over the whole quarter (a
    serious violation in any month vetoes it, a moderate one keeps it from 优秀, a month below
    the passing bands caps it) and 优秀 for at most the quarterly quota, by position; people
    present fewer than ``min_months_ranked`` months are listed but not ranked."""
    people: dict[str, list[dict[str, Any]]] = {}
    for month in quarter_months(quarter):
        for staff_id, r in months.get(month, {}).items():
            people.setdefault(staff_id, []).append(r)
    out: dict[str, dict[str, Any]] = {}
    standings: dict[str, Standing] = {}
    lowest = policy.grades[-1].code
    for staff_id, rows in people.items():
        mean = q(sum((r["total"] for r in rows), Decimal(0)) / len(rows))
        failed = any(band_of(r["total"], policy) == lowest for r in rows)
        verified = [v for r in rows for v in r["verified"]]
        deductions = sum((r["deductions"] for r in rows), Decimal(0))
        standings[staff_id] = Standing(mean, deductions, grade(mean, verified, policy, failed_month=failed))
        out[staff_id] = {
            "months": len(rows),
            "mean": mean,
            "deductions": deductions,
            "ranked": len(rows) >= policy.quarter_min_months,
            "rank": None,
        }
    _graded_rows(out, standings, policy, QUARTER)
    ranks = competition_ranks((s, r["mean"]) for s, r in out.items() if r["ranked"])
    for staff_id, rank in ranks.items():
        out[staff_id]["rank"] = rank
    return out


def score_year(
    year: str,
    months: Mapping[str, Mapping[str, dict[str, Any]]],
    reviews: Mapping[str, str],
    policy: ScoringPolicy,
) -> dict[str, Any]:
    """Annual results: monthly_weight × monthly mean + review_weight × the committee's
    review score (the total waits for the review), graded over the whole year (a serious
    violation in any month vetoes it even before the review, a moderate one keeps it from
    优秀) and 优秀 for at most the annual quota, by position."""
    people: dict[str, list[dict[str, Any]]] = {}
    for month in months_between(f"{year}-01", f"{year}-12"):
        for staff_id, r in months.get(month, {}).items():
            people.setdefault(staff_id, []).append(r)
    out: dict[str, dict[str, Any]] = {}
    standings: dict[str, Standing] = {}
    for staff_id, rows in people.items():
        mean = q(sum((r["total"] for r in rows), Decimal(0)) / len(rows))
        review = Decimal(reviews[staff_id]) if staff_id in reviews else None
        total = (
            q(policy.annual_monthly_weight * mean + policy.annual_review_weight * review)
            if review is not None
            else None
        )
        deductions = sum((r["deductions"] for r in rows), Decimal(0))
        verified = [v for r in rows for v in r["verified"]]
        standings[staff_id] = Standing(total, deductions, grade(total, verified, policy))
        out[staff_id] = {
            "months": len(rows),
            "monthly_mean": mean,
            "review": review,
            "total": total,
            "deductions": deductions,
            "rank": None,
        }
    _graded_rows(out, standings, policy, YEAR)
    ranks = competition_ranks((s, r["total"]) for s, r in out.items() if r["total"] is not None)
    for staff_id, rank in ranks.items():
        out[staff_id]["rank"] = rank
    return out


def window_items(facts: HallFacts, month: str, policy: ScoringPolicy) -> dict[str, tuple[Decimal, list[int]]]:
    """Window deductions of a month: confirmed violations charged to a window (the item's
    ``window_deduction`` in the catalogue version cited, else the rule's:
    ``Rule.window_deduction_of``); a department's own violation without a window is charged
    to each of its windows; and the e-supervision cards of the month (policy ``[overdue]``
    window_yellow_card / window_red_card), unless the case's overdue candidate was dismissed
    or revoked."""
    start, end = month_bounds(month)
    out: dict[str, tuple[Decimal, list[int]]] = {}

    def add(window_id: str, points: Decimal, positions: list[int]) -> None:
        if points:
            old = out.get(window_id, (Decimal(0), []))
            out[window_id] = (old[0] + points, old[1] + positions)

    def charge(window_id: str, v: Doc) -> None:
        add(window_id, rule_of(v["rule"]).window_deduction_of(v["item"]), list(v["pos"]))

    for entry in facts.org.get("overdue", {}).values():
        if entry["window_id"] is None or _card_withdrawn(facts, entry):
            continue
        for card, points in (("yellow", policy.window_yellow_card), ("red", policy.window_red_card)):
            if entry[card] is not None and start <= entry[card]["t"] < end:
                add(entry["window_id"], points, [entry[card]["pos"]])

    sources = [v for p in facts.persons.values() for v in p["core"]["violations"].values()]
    sources += list(facts.org["violations"].values())
    for v in sources:
        if v["status"] != CONFIRMED or not start <= v["t"] < end:
            continue
        if v["window_id"]:
            charge(v["window_id"], v)
        elif v["department_id"]:
            for window_id, w in facts.org["windows"].items():
                if w["department_id"] == v["department_id"]:
                    charge(window_id, v)
    return out


def _card_withdrawn(facts: HallFacts, entry: Doc) -> bool:
    """Whether a case's overdue candidate was dismissed or revoked (its cards no longer count)."""
    for violation_id in entry["ids"]:
        staff_id = facts.owner.get(violation_id)
        v = facts.persons[staff_id]["core"]["violations"].get(violation_id) if staff_id in facts.persons else None
        if v is not None and v["status"] in (DISMISSED, REVOKED):
            return True
    return False


def score_windows(
    facts: HallFacts, month: str, results: Mapping[str, dict[str, Any]], policy: ScoringPolicy
) -> dict[str, dict[str, Any]]:
    """Window scores of a month (评比): weighted staff mean, satisfaction, on-time completion
    and window items; components without data are left out and the weights rescaled."""
    staff: dict[str, list[Decimal]] = {}
    ratings: dict[str, list[int]] = {}
    on_time: dict[str, list[int]] = {}
    for r in results.values():
        if r["window_id"]:
            staff.setdefault(r["window_id"], []).append(r["total"])
            rating, completion = r["kpi"].get("client_rating"), r["kpi"].get("on_time_completion")
            if rating:
                counts = ratings.setdefault(r["window_id"], [0, 0])
                counts[0] += rating["met"]
                counts[1] += rating["of"]
            if completion:
                counts = on_time.setdefault(r["window_id"], [0, 0])
                counts[0] += completion["met"]
                counts[1] += completion["of"]
    items = window_items(facts, month, policy)
    out: dict[str, dict[str, Any]] = {}
    for window_id, w in facts.org["windows"].items():
        if window_id not in staff and window_id not in items:
            continue
        components: dict[str, Decimal | None] = {
            "staff": q(sum(staff[window_id], Decimal(0)) / len(staff[window_id])) if window_id in staff else None,
            "satisfaction": q(Decimal(ratings[window_id][0]) * 100 / ratings[window_id][1])
            if ratings.get(window_id, [0, 0])[1]
            else None,
            "on_time": q(Decimal(on_time[window_id][0]) * 100 / on_time[window_id][1])
            if on_time.get(window_id, [0, 0])[1]
            else None,
            "items": q(max(Decimal(0), policy.window_items_base - items.get(window_id, (Decimal(0), []))[0])),
        }
        weights = {
            "staff": policy.window_staff_weight,
            "satisfaction": policy.window_satisfaction_weight,
            "on_time": policy.window_on_time_weight,
            "items": policy.window_items_weight,
        }
        missing = sorted(k for k, v in components.items() if v is None)
        if policy.missing_components == "reweight":
            present_weight = sum((weights[k] for k in weights if components[k] is not None), Decimal(0))
            total = sum(
                (weights[k] * components[k] for k in weights if components[k] is not None),  # type: ignore[operator]
                Decimal(0),
            )
            total = q(total / present_weight) if present_weight else Decimal(0)
        else:
            total = q(sum((weights[k] * (components[k] or 0) for k in weights), Decimal(0)))
        out[window_id] = {
            "department_id": w["department_id"],
            "staff_count": len(staff.get(window_id, [])),
            **components,
            "item_positions": sorted(items.get(window_id, (Decimal(0), []))[1]),
            "total": total,
            "missing": missing,
        }
    ranks = competition_ranks((w, r["total"]) for w, r in out.items())
    for window_id, rank in ranks.items():
        out[window_id]["rank"] = rank
    return out


def score_departments(results: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    members: dict[str, list[Decimal]] = {}
    for r in results.values():
        if r["department_id"]:
            members.setdefault(r["department_id"], []).append(r["total"])
    out: dict[str, dict[str, Any]] = {
        d: {"staff_count": len(v), "mean": q(sum(v, Decimal(0)) / len(v))} for d, v in members.items()
    }
    ranks = competition_ranks((d, r["mean"]) for d, r in out.items())
    for department_id, rank in ranks.items():
        out[department_id]["rank"] = rank
    return out


def period_months(period: str) -> list[str]:
    if "-Q" in period:
        return quarter_months(period)
    if "-" in period:
        return [period]
    return months_between(f"{period}-01", f"{period}-12")


def changed_since(facts: HallFacts, months: list[str], position: int) -> list[int]:
    """The events after ``position`` behind a period's score inputs (violations and their
    appeals, bonus events, 非常满意 ratings, early completions, bad ratings): what changed a
    published period."""
    found: set[int] = set()
    for month in months:
        start, end = month_bounds(month)
        for person in facts.persons.values():
            for v in person["core"]["violations"].values():
                if start <= v["t"] < end:
                    found.update(p for p in v["pos"] if p > position)
            doc = person["months"].get(month)
            if doc is None:
                continue
            for entry in doc["bonus"]:
                found.update(p for p in entry["positions"] if p > position)
            found.update(p for p in doc["vs"] if p > position)
            found.update(p for p in doc["early"] if p > position)
            for bad in doc["bad"].values():
                found.update(p for p in bad["pos"] if p > position)
    return sorted(found)


def published_view(rows: Mapping[str, Mapping[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The results of a period in the form a publication freezes (staff, total, grade, rank)."""
    if kind == "month":
        return canonical_results(
            [{"staff_id": s, "total": r["total"], "grade": r["grade"], "rank": r["rank_hall"]} for s, r in rows.items()]
        )
    if kind == "quarter":
        return canonical_results(
            [{"staff_id": s, "total": r["mean"], "grade": r["grade"], "rank": r["rank"]} for s, r in rows.items()]
        )
    return canonical_results(
        [{"staff_id": s, "total": r["total"], "grade": r["grade"], "rank": r["rank"]} for s, r in rows.items()]
    )


def differences(published: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per person, where the current results differ from the published ones."""
    before = {r["staff_id"]: r for r in published}
    after = {r["staff_id"]: r for r in current}
    out = []
    for staff_id in sorted(set(before) | set(after)):
        b, a = before.get(staff_id), after.get(staff_id)
        if b == a:
            continue
        out.append(
            {
                "staff_id": staff_id,
                "published_total": b["total"] if b else None,
                "current_total": a["total"] if a else None,
                "published_grade": b["grade"] if b else None,
                "current_grade": a["grade"] if a else None,
                "published_rank": b["rank"] if b else None,
                "current_rank": a["rank"] if a else None,
            }
        )
    return out


# ── the read model ────────────────────────────────────────────────────────────

MONTHLY_COLUMNS = (
    "staff_id", "period", "staff_no", "window_id", "department_id", "base", "deductions", "bonus", "total", "grade",
    "violations", "provisional", "rank_window", "rank_department", "rank_hall", "kpi_on_time_completion",
    "kpi_one_time_notice", "kpi_first_inquiry", "kpi_client_rating", "policy",
)  # fmt: skip
LINE_COLUMNS = ("staff_id", "period", "seq", "kind", "points", "rule", "item", "source", "positions", "provisional")


class AssessmentModel(FactsModel):
    """``assessment``: monthly, quarterly and annual scores, window and department rankings,
    published periods and pending amendments."""

    name = "assessment"
    replay_cost = 3.2
    version = 3
    tables = (
        Table(
            "assessment_monthly",
            "staff_id {text} NOT NULL, period {text} NOT NULL, staff_no {text}, window_id {text}, "
            "department_id {text}, base {num} NOT NULL, deductions {num} NOT NULL, bonus {num} NOT NULL, "
            "total {num} NOT NULL, grade {text} NOT NULL, violations {int} NOT NULL, provisional {bool} NOT NULL, "
            "rank_window {int}, rank_department {int}, rank_hall {int} NOT NULL, kpi_on_time_completion {num}, "
            "kpi_one_time_notice {num}, kpi_first_inquiry {num}, kpi_client_rating {num}, policy {text} NOT NULL, "
            "PRIMARY KEY (staff_id, period)",
            indexes=("period, rank_hall",),
        ),
        Table(
            "assessment_lines",
            "staff_id {text} NOT NULL, period {text} NOT NULL, seq {int} NOT NULL, kind {text} NOT NULL, "
            "points {num} NOT NULL, rule {text} NOT NULL, item {text}, source {text}, positions {json} NOT NULL, "
            "provisional {bool} NOT NULL, PRIMARY KEY (staff_id, period, seq)",
        ),
        Table(
            "assessment_quarterly",
            "staff_id {text} NOT NULL, period {text} NOT NULL, months {int} NOT NULL, mean {num} NOT NULL, "
            "grade {text} NOT NULL, ranked {bool} NOT NULL, rank_hall {int}, policy {text} NOT NULL, "
            "deductions {num} NOT NULL, grade_reason {text}, grade_rules {json} NOT NULL, place {int}, "
            "PRIMARY KEY (staff_id, period)",
        ),
        Table(
            "assessment_annual",
            "staff_id {text} NOT NULL, period {text} NOT NULL, months {int} NOT NULL, monthly_mean {num} NOT NULL, "
            "review {num}, total {num}, grade {text}, rank_hall {int}, policy {text} NOT NULL, "
            "deductions {num} NOT NULL, grade_reason {text}, grade_rules {json} NOT NULL, place {int}, "
            "PRIMARY KEY (staff_id, period)",
        ),
        Table(
            "assessment_windows",
            "window_id {text} NOT NULL, period {text} NOT NULL, department_id {text}, staff_count {int} NOT NULL, "
            "staff_mean {num}, satisfaction {num}, on_time {num}, items {num} NOT NULL, total {num} NOT NULL, "
            "rank_hall {int} NOT NULL, missing {json} NOT NULL, item_positions {json} NOT NULL, "
            "policy {text} NOT NULL, PRIMARY KEY (window_id, period)",
        ),
        Table(
            "assessment_departments",
            "department_id {text} NOT NULL, period {text} NOT NULL, staff_count {int} NOT NULL, mean {num} NOT NULL, "
            "rank_hall {int} NOT NULL, policy {text} NOT NULL, PRIMARY KEY (department_id, period)",
        ),
        Table(
            "assessment_periods",
            "period {text} PRIMARY KEY, kind {text} NOT NULL, status {text} NOT NULL, policy {text}, "
            "published_position {int}, published_digest {text}, published_at {text}, published_by {text}, "
            "amendments {int} NOT NULL, current_digest {text}, differences {int} NOT NULL, "
            "changed_by {json} NOT NULL",
        ),
        Table(
            "assessment_published",
            "period {text} NOT NULL, staff_id {text} NOT NULL, total {num}, grade {text}, rank_hall {int}, "
            "digest {text} NOT NULL, PRIMARY KEY (period, staff_id)",
        ),
        Table(
            "assessment_differences",
            "period {text} NOT NULL, staff_id {text} NOT NULL, published_total {num}, current_total {num}, "
            "published_grade {text}, current_grade {text}, published_rank {int}, current_rank {int}, "
            "PRIMARY KEY (period, staff_id)",
        ),
        FactsModel.facts_table("assessment_facts"),
        FactsModel.as_of_table("assessment_as_of"),
    )

    def __init__(self, policy: ScoringPolicy | None = None) -> None:
        super().__init__()
        self.policy = policy or load_scoring_policy()
        #: month → staff → result (a cache; recomputed from the facts when missing)
        self.months: dict[str, dict[str, dict[str, Any]]] = {}
        #: month → staff → (result, row, lines) as last written (a cache; missing: rewrite the month)
        self.written: dict[str, dict[str, tuple[Any, tuple[Any, ...], list[tuple[Any, ...]]]]] = {}
        #: periods published, amended or reviewed in the batch being applied
        self.dirty_periods: set[str] = set()

    def fresh(self) -> AssessmentModel:
        return type(self)(self.policy)

    def extra_topics(self) -> tuple[type, ...]:
        return (
            AssessmentPeriod.Opened,
            AssessmentPeriod.Published,
            AssessmentPeriod.Amended,
            AssessmentPeriod.ReviewScored,
        )

    def reset(self) -> None:
        super().reset()
        self.months = {}
        self.written = {}
        self.dirty_periods = set()

    # ── published periods and review scores ──────────────────────────────────

    @staticmethod
    def _extra(facts: HallFacts, name: str) -> Any:
        if name not in facts.extra:
            facts.extra[name] = {}
            facts.dirty.add((HallFacts.EXTRA, name))
        return facts.extra[name]

    def periods(self, facts: HallFacts) -> dict[str, Any]:
        found: dict[str, Any] = self._extra(facts, "periods")
        return found

    def reviews(self, facts: HallFacts) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = self._extra(facts, "reviews")
        return found

    def observe(self, facts: HallFacts, position: int, event: Any) -> None:
        if isinstance(event, AssessmentPeriod.Published | AssessmentPeriod.Amended):
            record = self.periods(facts).setdefault(event.period, {"amendments": 0})
            record.update(
                policy=event.policy,
                position=event.position,
                digest=event.digest,
                results=[dict(r) for r in event.results],
                published_at=iso_of(event.occurred_at),
                published_by=event.actor.id,
            )
            if isinstance(event, AssessmentPeriod.Amended):
                record["amendments"] += 1
            facts.dirty.add((HallFacts.EXTRA, "periods"))
            self.dirty_periods.add(event.period)
        elif isinstance(event, AssessmentPeriod.ReviewScored):
            year = self._period_of(facts, event)
            if year is not None:
                self.reviews(facts).setdefault(year, {})[str(event.staff_id)] = str(event.score)
                facts.dirty.add((HallFacts.EXTRA, "reviews"))
                self.dirty_periods.add(year)
        elif isinstance(event, AssessmentPeriod.Opened):
            facts.extra.setdefault("period_ids", {})[str(event.originator_id)] = event.period
            facts.dirty.add((HallFacts.EXTRA, "period_ids"))

    @staticmethod
    def _period_of(facts: HallFacts, event: Any) -> str | None:
        found: str | None = facts.extra.get("period_ids", {}).get(str(event.originator_id))
        return found

    # ── deriving and writing ─────────────────────────────────────────────────

    def month_results(self, facts: HallFacts, month: str, people: set[str] | None = None) -> dict[str, dict[str, Any]]:
        """Everyone's results of a month (cached): ``people`` are re-scored, then all re-ranked."""
        found = self.months.get(month)
        if found is None:
            found = {}
            for staff_id, person in facts.persons.items():
                if present(person["core"], month):
                    found[staff_id] = score_month(person["core"], person["months"].get(month), month, self.policy)
            rank_month(found)
            self.months[month] = found
        elif people:
            for staff_id in people:
                known = facts.persons.get(staff_id)
                if known is not None and present(known["core"], month):
                    found[staff_id] = score_month(known["core"], known["months"].get(month), month, self.policy)
                else:
                    found.pop(staff_id, None)
            rank_month(found)
        return found

    def assessed_months(self, facts: HallFacts) -> list[str]:
        """Months with rows: from the month the ledger began recording to the clock's month,
        and any earlier month a back-dated fact falls in."""
        if not facts.clock:
            return []
        first, last = hall_month(facts.first), hall_month(facts.clock)
        months = set(months_between(first, last))
        for person in facts.persons.values():
            months.update(hall_month(v["t"]) for v in person["core"]["violations"].values())
        return sorted(m for m in months if m <= last)

    def write(self, tx: Tx, facts: HallFacts, persons: set[str], *, full: bool) -> None:
        assessed = self.assessed_months(facts)
        known = facts.extra.get("assessed", [])
        new_months = [m for m in assessed if m not in known]
        if new_months:
            facts.extra["assessed"] = assessed
            facts.dirty.add((HallFacts.EXTRA, "assessed"))
        if full:
            months = assessed
            people: dict[str, set[str]] = {}
        else:
            months = sorted(m for m in set(facts.touched) | set(new_months) if m in assessed)
            people = {m: {s for s in who if s is not None} for m, who in facts.touched.items()}
        changed_periods: set[str] = (
            set(self.dirty_periods) | set(self.periods(facts)) if full else set(self.dirty_periods)
        )
        self.dirty_periods = set()
        for month in months:
            results = self.month_results(facts, month, people.get(month, set()))
            self._write_month(tx, facts, month, results)
            changed_periods.update((month, quarter_of(month), month[:4]))
        for period in sorted(changed_periods):
            if "-Q" in period:
                self._write_quarter(tx, facts, period)
            elif "-" not in period:
                self._write_year(tx, facts, period)
        for period in sorted(changed_periods):
            self._write_period(tx, facts, period)

    def _write_month(self, tx: Tx, facts: HallFacts, month: str, results: dict[str, dict[str, Any]]) -> None:
        policy = self.policy
        before = self.written.get(month)
        if before is None:
            tx.execute("DELETE FROM {t:assessment_monthly} WHERE period = ?", (month,))
            tx.execute("DELETE FROM {t:assessment_lines} WHERE period = ?", (month,))
        now: dict[str, tuple[Any, tuple[Any, ...], list[tuple[Any, ...]]]] = {}
        stale_rows, stale_lines, new_rows, new_lines = [], [], [], []
        for staff_id, r in results.items():
            kpi = r["kpi"]
            row = (
                staff_id, month, r["staff_no"], r["window_id"], r["department_id"], r["base"], r["deductions"],
                r["bonus"], r["total"], r["grade"], r["violations"], tx.bool(r["provisional"]), r["rank_window"],
                r["rank_department"], r["rank_hall"],
                *(Decimal(kpi[k]["value"]) if kpi.get(k) else None for k in KPI_COMPONENTS),
                policy.ref,
            )  # fmt: skip
            old = before.get(staff_id) if before is not None else None
            if old is not None and old[0] is r:
                lines = old[2]  # not re-scored since last written: the same lines
            else:
                lines = [
                    (
                        staff_id, month, n, line["kind"], line["points"], line["rule"], line["item"], line["source"],
                        json.dumps(line["positions"]), tx.bool(line.get("provisional", False)),
                    )
                    for n, line in enumerate(r["lines"], start=1)
                ]  # fmt: skip
            now[staff_id] = (r, row, lines)
            if old is None or old[1] != row:
                if old is not None:
                    stale_rows.append((staff_id, month))
                new_rows.append(row)
            if old is None or old[2] != lines:
                if old is not None:
                    stale_lines.append((staff_id, month))
                new_lines.extend(lines)
        if before is not None:
            gone = [(s, month) for s in before if s not in results]
            stale_rows += gone
            stale_lines += gone
        tx.executemany("DELETE FROM {t:assessment_monthly} WHERE staff_id = ? AND period = ?", stale_rows)
        tx.executemany("DELETE FROM {t:assessment_lines} WHERE staff_id = ? AND period = ?", stale_lines)
        tx.executemany(
            "INSERT INTO {t:assessment_monthly} (" + ", ".join(MONTHLY_COLUMNS) + ") VALUES ("
            + ", ".join("?" * len(MONTHLY_COLUMNS)) + ")",
            new_rows,
        )  # fmt: skip
        tx.executemany(
            "INSERT INTO {t:assessment_lines} (" + ", ".join(LINE_COLUMNS) + ") VALUES ("
            + ", ".join("?" * len(LINE_COLUMNS)) + ")",
            new_lines,
        )  # fmt: skip
        self.written[month] = now
        if len(self.written) > 6:  # keep the recent months; an older one is rewritten whole
            for old_month in sorted(self.written)[:-6]:
                del self.written[old_month]

        windows = score_windows(facts, month, results, policy)
        tx.execute("DELETE FROM {t:assessment_windows} WHERE period = ?", (month,))
        tx.executemany(
            "INSERT INTO {t:assessment_windows} (window_id, period, department_id, staff_count, staff_mean, "
            "satisfaction, on_time, items, total, rank_hall, missing, item_positions, policy) VALUES ("
            + ", ".join("?" * 13) + ")",
            [
                (
                    w, month, r["department_id"], r["staff_count"], r["staff"], r["satisfaction"], r["on_time"],
                    r["items"], r["total"], r["rank"], json.dumps(r["missing"]), json.dumps(r["item_positions"]),
                    policy.ref,
                )
                for w, r in sorted(windows.items())
            ],
        )  # fmt: skip
        departments = score_departments(results)
        tx.execute("DELETE FROM {t:assessment_departments} WHERE period = ?", (month,))
        tx.executemany(
            "INSERT INTO {t:assessment_departments} (department_id, period, staff_count, mean, rank_hall, policy) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(d, month, r["staff_count"], r["mean"], r["rank"], policy.ref) for d, r in sorted(departments.items())],
        )

    def _months_of(self, facts: HallFacts, months: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
        assessed = set(facts.extra.get("assessed", []))
        return {m: self.month_results(facts, m) for m in months if m in assessed}

    def quarter(self, facts: HallFacts, quarter: str) -> dict[str, Any]:
        return score_quarter(quarter, self._months_of(facts, quarter_months(quarter)), self.policy)

    def year(self, facts: HallFacts, year: str) -> dict[str, Any]:
        months = self._months_of(facts, months_between(f"{year}-01", f"{year}-12"))
        return score_year(year, months, self.reviews(facts).get(year, {}), self.policy)

    def _write_quarter(self, tx: Tx, facts: HallFacts, quarter: str) -> None:
        results = self.quarter(facts, quarter)
        tx.execute("DELETE FROM {t:assessment_quarterly} WHERE period = ?", (quarter,))
        tx.executemany(
            "INSERT INTO {t:assessment_quarterly} (staff_id, period, months, mean, grade, ranked, rank_hall, policy, "
            "deductions, grade_reason, grade_rules, place) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s, quarter, r["months"], r["mean"], r["grade"], tx.bool(r["ranked"]), r["rank"], self.policy.ref,
                    r["deductions"], r["grade_reason"], json.dumps(r["grade_rules"]), r["place"],
                )
                for s, r in sorted(results.items())
            ],
        )  # fmt: skip

    def _write_year(self, tx: Tx, facts: HallFacts, year: str) -> None:
        results = self.year(facts, year)
        tx.execute("DELETE FROM {t:assessment_annual} WHERE period = ?", (year,))
        tx.executemany(
            "INSERT INTO {t:assessment_annual} (staff_id, period, months, monthly_mean, review, total, grade, "
            "rank_hall, policy, deductions, grade_reason, grade_rules, place) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s, year, r["months"], r["monthly_mean"], r["review"], r["total"], r["grade"], r["rank"],
                    self.policy.ref, r["deductions"], r["grade_reason"], json.dumps(r["grade_rules"]), r["place"],
                )
                for s, r in sorted(results.items())
            ],
        )  # fmt: skip

    def current(self, facts: HallFacts, period: str) -> list[dict[str, Any]]:
        """A period's current results in their published form."""
        if "-Q" in period:
            return published_view(self.quarter(facts, period), "quarter")
        if "-" in period:
            return published_view(self.month_results(facts, period), "month")
        return published_view(self.year(facts, period), "year")

    def _write_period(self, tx: Tx, facts: HallFacts, period: str) -> None:
        record = self.periods(facts).get(period)
        if record is None:
            return
        current = self.current(facts, period)
        diff = differences(record["results"], current)
        status = "amendment_pending" if diff else ("amended" if record["amendments"] else "published")
        kind = "quarter" if "-Q" in period else ("month" if "-" in period else "year")
        tx.execute("DELETE FROM {t:assessment_periods} WHERE period = ?", (period,))
        tx.execute(
            "INSERT INTO {t:assessment_periods} (period, kind, status, policy, published_position, published_digest, "
            "published_at, published_by, amendments, current_digest, differences, changed_by) VALUES ("
            + ", ".join("?" * 12) + ")",
            (
                period, kind, status, record["policy"], record["position"], record["digest"], record["published_at"],
                record["published_by"], record["amendments"], results_digest(current), len(diff),
                json.dumps(changed_since(facts, period_months(period), record["position"]) if diff else []),
            ),
        )  # fmt: skip
        tx.execute("DELETE FROM {t:assessment_published} WHERE period = ?", (period,))
        tx.executemany(
            "INSERT INTO {t:assessment_published} (period, staff_id, total, grade, rank_hall, digest) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    period,
                    r["staff_id"],
                    Decimal(r["total"]) if r["total"] else None,
                    r["grade"],
                    r["rank"],
                    record["digest"],
                )
                for r in record["results"]
            ],
        )
        tx.execute("DELETE FROM {t:assessment_differences} WHERE period = ?", (period,))
        tx.executemany(
            "INSERT INTO {t:assessment_differences} (period, staff_id, published_total, current_total, "
            "published_grade, current_grade, published_rank, current_rank) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    period, d["staff_id"], d["published_total"], d["current_total"], d["published_grade"],
                    d["current_grade"], d["published_rank"], d["current_rank"],
                )
                for d in diff
            ],
        )  # fmt: skip


def iso_of(moment: Any) -> str:
    text = iso(micros(moment))
    assert text is not None
    return text


# ── reading results back (publishing, re-scoring) ─────────────────────────────

_RESULT_QUERIES = {
    "month": "SELECT staff_id, total, grade, rank_hall, policy FROM {t:assessment_monthly} WHERE period = ?",
    "quarter": "SELECT staff_id, mean, grade, rank_hall, policy FROM {t:assessment_quarterly} WHERE period = ?",
    "year": "SELECT staff_id, total, grade, rank_hall, policy FROM {t:assessment_annual} WHERE period = ?",
}


def current_results(store: Any, period: str, kind: str) -> tuple[str, list[dict[str, Any]]]:
    """``(policy, results)`` of a period as the model's tables hold them (publication form)."""
    with store.transaction() as tx:
        if not store.table_exists(tx, "assessment_monthly"):
            return "", []
        rows = tx.query(_RESULT_QUERIES[kind], (period,))
    policies = sorted({str(r[4]) for r in rows})
    if len(policies) > 1:
        raise ValueError(f"{period} was scored under several policies: {', '.join(policies)}")
    results = [
        {"staff_id": r[0], "total": None if r[1] is None else Decimal(str(r[1])), "grade": r[2], "rank": r[3]}
        for r in rows
    ]
    return (policies[0] if policies else ""), canonical_results(results)


def rescore(store: Any, period: str, policy: ScoringPolicy) -> dict[str, dict[str, Any]]:
    """What-if: the period's results under another scoring policy, from the facts the
    assessment model keeps (the same scoring functions; nothing is written anywhere).

    Returns staff id → ``{total, grade, rank, deductions, bonus}`` (deductions and bonus
    for months only)."""
    from domain.assessment import period_kind

    kind = period_kind(period)
    facts = HallFacts()
    with store.transaction() as tx:
        if store.table_exists(tx, "assessment_facts"):
            facts.load(tx.query("SELECT key, part, doc FROM {t:assessment_facts}"))
    model = AssessmentModel(policy)
    out: dict[str, dict[str, Any]] = {}
    if kind == "month":
        for staff_id, r in model.month_results(facts, period).items():
            out[staff_id] = {
                "total": r["total"],
                "grade": r["grade"],
                "rank": r["rank_hall"],
                "deductions": r["deductions"],
                "bonus": r["bonus"],
            }
    elif kind == "quarter":
        for staff_id, r in model.quarter(facts, period).items():
            out[staff_id] = {"total": r["mean"], "grade": r["grade"], "rank": r["rank"]}
    else:
        for staff_id, r in model.year(facts, period).items():
            out[staff_id] = {"total": r["total"], "grade": r["grade"], "rank": r["rank"]}
    return out
