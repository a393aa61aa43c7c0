"""Grades above the month (ART11.1, ART11.2; DOMAIN.md "Assessment, default scheme"), as a
property: for any year of facts, a verified serious violation (一票否决) makes its month, its
quarter and its year 不合格; a verified moderate-or-worse one keeps them from 优秀; revoked,
dismissed or still pending ones count for nothing; and 优秀 of a quarter or a year never goes
to more than ⌊20 % × n⌋ people, given by position (total, fewer deductions, staff id).

Pure and fast: the same scoring functions the read model runs (``projections.assessment``),
over facts built in memory — no store."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.assessment import QUOTA, VETO, excellent_seats
from domain.policies.scoring import load_scoring_policy
from projections.assessment import quarter_of, rank_month, score_month, score_quarter, score_year
from projections.facts import CONFIRMED, DISMISSED, PENDING, REVOKED, month_bounds, new_core, new_month

pytestmark = pytest.mark.rules("ART11.1", "ART11.2")

POLICY = load_scoring_policy("2026.1")
YEAR = "2026"
#: (rule, item, severity) — the catalogue 2026.1's severities of these rules and items
BREACHES = [
    ("ART6.5", "late", "minor"),
    ("ART6.5", "absent", "major"),
    ("ART6.6", None, "major"),
    ("ART6.3", "unauthorised_fee", "serious"),
    ("ART6.2", None, "serious"),
]
STATUSES = [CONFIRMED, CONFIRMED, CONFIRMED, PENDING, DISMISSED, REVOKED]


@dataclass(frozen=True)
class Breach:
    month: int
    kind: int
    status: str
    appealed: bool


breaches = st.builds(
    Breach,
    month=st.integers(1, 12),
    kind=st.integers(0, len(BREACHES) - 1),
    status=st.sampled_from(STATUSES),
    appealed=st.booleans(),
)
person = st.tuples(
    st.lists(breaches, max_size=4),
    st.lists(st.integers(1, 12), max_size=3),  # months with a 锦旗 (+2)
    st.one_of(st.none(), st.integers(60, 100)),  # the committee's review score, if recorded yet
)


def core_of(staff_id: str, facts: list[Breach]) -> dict[str, Any]:
    core = new_core(staff_id)
    core["profile"] = {"staff_no": staff_id, "name": staff_id, "department_id": "d1", "employment": "hall",
                       "onboarded_t": 0, "pos": 1}  # fmt: skip
    core["postings"] = [{"window_id": "w1", "start": "2025-01-01", "end": None}]
    for n, b in enumerate(facts):
        rule, item, severity = BREACHES[b.kind]
        core["violations"][f"{staff_id}-v{n}"] = {
            "rule": f"{rule}@2026.1", "item": item, "severity": severity,
            "t": month_bounds(f"{YEAR}-{b.month:02d}")[0] + (n + 1) * 3_600_000_000,
            "status": b.status, "deduction": None, "appeal": "a" if b.appealed and b.status == CONFIRMED else None,
            "pos": [100 + n], "window_id": "w1", "department_id": "d1",
        }  # fmt: skip
    return core


def verified(facts: list[Breach], months: list[int], severities: set[str]) -> bool:
    """A violation confirmed (under appeal or not) in one of ``months`` of a given severity."""
    return any(b.status == CONFIRMED and b.month in months and BREACHES[b.kind][2] in severities for b in facts)


@settings(derandomize=True, deadline=None, max_examples=150, database=None)
@given(people=st.lists(person, min_size=1, max_size=7))
def test_the_veto_holds_above_the_month_and_the_quota_by_position(
    people: list[tuple[list[Breach], list[int], int | None]],
) -> None:
    staff = {f"s{n}": p for n, p in enumerate(people)}
    cores = {s: core_of(s, p[0]) for s, p in staff.items()}
    months: dict[str, dict[str, dict[str, Any]]] = {}
    for m in range(1, 13):
        month = f"{YEAR}-{m:02d}"
        results = {}
        for s, core in cores.items():
            doc = new_month()
            doc["bonus"] = [{"item": "banner", "positions": [1000 + m], "source": None}] * staff[s][1].count(m)
            results[s] = score_month(core, doc, month, POLICY)
        rank_month(results)
        months[month] = results
    quarters = {f"{YEAR}-Q{k}": score_quarter(f"{YEAR}-Q{k}", months, POLICY) for k in range(1, 5)}
    reviews = {s: str(p[2]) for s, p in staff.items() if p[2] is not None}
    year = score_year(YEAR, months, reviews, POLICY)

    for s, (facts, _, _) in staff.items():
        for m in range(1, 13):
            month = f"{YEAR}-{m:02d}"
            row = months[month][s]
            assert (row["grade"] == "fail") >= verified(facts, [m], {"serious"}), (s, month, row)
            if verified(facts, [m], {"major", "serious"}):
                assert row["grade"] != "excellent"
        for quarter, results in quarters.items():
            in_q = [m for m in range(1, 13) if quarter_of(f"{YEAR}-{m:02d}") == quarter]
            r = results[s]
            if verified(facts, in_q, {"serious"}):
                assert (r["grade"], r["grade_reason"]) == ("fail", VETO), (s, quarter, r)
                assert r["grade_rules"], "the veto names its rules"
            else:
                assert r["grade_reason"] != VETO, "revoked, dismissed or pending violations never veto"
            if verified(facts, in_q, {"major", "serious"}):
                assert r["grade"] != "excellent", (s, quarter, r)
        r = year[s]
        if verified(facts, list(range(1, 13)), {"serious"}):
            assert (r["grade"], r["grade_reason"]) == ("fail", VETO), (s, r)
        else:
            assert r["grade_reason"] != VETO
        if verified(facts, list(range(1, 13)), {"major", "serious"}):
            assert r["grade"] != "excellent", (s, r)

    for results, key in [*((q, "mean") for q in quarters.values()), (year, "total")]:
        graded = [r for r in results.values() if r[key] is not None]
        holders = [r for r in results.values() if r["grade"] == "excellent"]
        assert len(holders) <= excellent_seats(Decimal("0.2"), len(graded)), results
        # by position: nobody whom the quota took 优秀 from stands before someone who kept it
        for r in results.values():
            if r["grade_reason"] == QUOTA:
                assert all(h["place"] < r["place"] for h in holders), results
        places = sorted(r["place"] for r in graded)
        assert places == list(range(1, len(graded) + 1)), "positions are strict: no two people share one"
