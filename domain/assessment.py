"""Assessment periods (月/季/年考核, ART11): publishing freezes the results.

A period is a month (``2026-10``), a quarter (``2026-Q4``) or a year (``2026``). Publishing
a period's assessment (考核结果发布) is an event that freezes the results — every person's
total, grade and rank in the hall — together with the scoring policy they were computed
under and the ledger position they reflect, and a SHA-256 digest of the results in their
canonical form (:func:`results_digest`), so anyone can check a published ranking against
the ledger.

A published period never changes silently. When a later event would change its results (a
back-dated violation, a revocation on appeal), the assessment read model marks the period
*amendment pending* and shows the difference; the hall then publishes the corrected
results as an amendment (考核结果更正), which names the digest it supersedes.

Annual results (年度考核) are the committee's: 0.8 × the mean of the monthly scores plus
0.2 × an annual review score the committee records for each person (年度综合评议).
Publishing monthly and quarterly results is the center's (hall manager's).

Grades are decided here and nowhere else (:func:`grade`, :func:`apply_quota`): the
assessment read model grades every month, quarter and year with them, and publishing
refuses results that break the quota (:func:`check_quota`). A verified serious violation
(一票否决) makes the month, its quarter and its year 不合格; a verified violation of a
severity a band forbids (优秀: moderate-or-worse) keeps the month, quarter and year out of
that band; 优秀 of a quarter or a year goes to at most ⌊quota × n⌋ people by *position*
(total, then fewer deductions, then staff id), never by tied rank.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.ids import derived_id
from domain.policies.scoring import ScoringPolicy
from domain.roles import Role

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"

_PERIOD = re.compile(r"^(?P<year>\d{4})(-(?P<month>0[1-9]|1[0-2])|-Q(?P<quarter>[1-4]))?$")
RESULT_FIELDS = ("staff_id", "total", "grade", "rank")

OPEN = "open"
PUBLISHED = "published"


def period_kind(period: str) -> str:
    """``2026-10`` → month, ``2026-Q4`` → quarter, ``2026`` → year."""
    found = _PERIOD.match(period)
    if found is None:
        raise InvalidInput(
            f"period {period!r} is not a month (2026-10), a quarter (2026-Q4) or a year (2026)", field="period"
        )
    if found.group("month"):
        return MONTH
    if found.group("quarter"):
        return QUARTER
    return YEAR


def period_id(hall_id: str, period: str) -> UUID:
    return derived_id("assessment-period", hall_id, period)


# ── grades: the one place of the rule (ART11.1, ART11.2) ─────────────────────

#: why a grade is lower than the total alone would give (``Graded.reason``)
VETO = "veto"  # 一票否决: a verified violation of a veto severity (serious) in the period
FORBIDDEN = "forbidden_severity"  # a verified violation of a severity the higher band forbids
FAILED_MONTH = "failed_month"  # a month of the quarter fell below the lowest passing band
QUOTA = "quota"  # 优秀 for at most the quota of the period, by position


@dataclass(frozen=True)
class Graded:
    """A grade and, when it is lower than the total alone would give, why (``reason``) and the
    rule references (``ARTx.y@version``) of the violations behind it."""

    grade: str | None
    reason: str | None = None
    rules: tuple[str, ...] = ()


def band_of(total: Decimal, policy: ScoringPolicy) -> str:
    """The band the total alone reaches."""
    return next(g.code for g in policy.grades if total >= g.min)


def grade(
    total: Decimal | None,
    violations: Iterable[tuple[str, str]],
    policy: ScoringPolicy,
    *,
    failed_month: bool = False,
) -> Graded:
    """The grade of a month, quarter or year: ``total`` (None while the annual review is
    missing) and ``violations`` = ``(severity, rule ref)`` of every *verified* violation of the
    period — confirmed, standing under appeal; revoked, overturned or dismissed ones are not
    passed. A veto severity (serious: 一票否决) gives the veto grade whatever the total; else
    the first band the total reaches whose ``forbids`` names no severity of the period;
    ``failed_month`` (a quarter with a month below the passing bands) caps it at the policy's
    ``quarterly.fail_caps_grade_at``."""
    verified = list(violations)
    veto = sorted({rule for severity, rule in verified if severity in policy.veto_severities})
    if veto:
        return Graded(policy.veto_grade, VETO, tuple(veto))
    if total is None:
        return Graded(None)
    severities = {severity for severity, _ in verified}
    by_total = band_of(total, policy)
    found = next(g for g in policy.grades if total >= g.min and not severities & set(g.forbids))
    codes = [g.code for g in policy.grades]
    if found.code != by_total:
        forbidden = {s for g in policy.grades[: codes.index(found.code)] if total >= g.min for s in g.forbids}
        rules = sorted({rule for severity, rule in verified if severity in forbidden})
        result = Graded(found.code, FORBIDDEN, tuple(rules))
    else:
        result = Graded(found.code)
    cap = policy.quarter_fail_caps_at
    if failed_month and codes.index(result.grade or cap) < codes.index(cap):
        return Graded(cap, FAILED_MONTH)
    return result


def excellent_quota(policy: ScoringPolicy, kind: str) -> Decimal | None:
    """The share of people that may hold the top band in a period of ``kind`` (None: no quota;
    months have none — a month's band is the person's own, the comparison is by quarter and year)."""
    if kind == YEAR:
        return policy.annual_excellent_quota
    if kind == QUARTER:
        return policy.quarter_excellent_quota
    return None


def excellent_seats(quota: Decimal, people: int) -> int:
    """⌊quota × people⌋: the quota is a ceiling, never exceeded by rounding (5 people at 20 % → 1)."""
    return int((quota * people).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class Standing:
    """One person's place in a period's comparison: the total (None: not graded by score yet),
    the period's deductions (the first tie-break) and the grade before the quota."""

    total: Decimal | None
    deductions: Decimal
    graded: Graded


def placing(standings: Mapping[str, Standing]) -> list[str]:
    """The people with a total in order of position: the higher total, then the fewer
    deductions, then the staff id — a strict, documented order where ranks may tie."""
    scored = [(s, st) for s, st in standings.items() if st.total is not None]
    return [s for s, _ in sorted(scored, key=lambda item: (-(item[1].total or 0), item[1].deductions, item[0]))]


def apply_quota(
    standings: Mapping[str, Standing], policy: ScoringPolicy, kind: str
) -> dict[str, tuple[int | None, Graded]]:
    """Each person's position (1…n among the people with a total, None without one) and final
    grade: walking the positions in order, the people whose grade is the top band keep it
    while seats remain (⌊quota × n⌋); the others fall to the next band their total reaches,
    with reason ``quota``. Without a quota for ``kind`` the grades stand."""
    order = placing(standings)
    quota = excellent_quota(policy, kind)
    seats = excellent_seats(quota, len(order)) if quota is not None else len(order)
    top = policy.grades[0].code
    out: dict[str, tuple[int | None, Graded]] = {s: (None, st.graded) for s, st in standings.items()}
    taken = 0
    for place, staff_id in enumerate(order, start=1):
        st = standings[staff_id]
        graded = st.graded
        if graded.grade == top:
            if taken < seats:
                taken += 1
            else:
                assert st.total is not None
                lower = next(g.code for g in policy.grades[1:] if st.total >= g.min)
                graded = Graded(lower, QUOTA)
        out[staff_id] = (place, graded)
    return out


#: the order of positions, in words (docs, API)
TIE_BREAK = "higher total, then fewer deductions in the period, then staff id"


def grading_summary(results: Sequence[Mapping[str, Any]], policy: ScoringPolicy, kind: str) -> dict[str, Any]:
    """The quota of a period's results: the share, the people with a total (n), the seats
    (⌊quota × n⌋, None without a quota) and how many hold the top band."""
    quota = excellent_quota(policy, kind)
    people = sum(1 for r in results if r.get("total", r.get("mean")) is not None)
    top = policy.grades[0]
    return {
        "grade": top.code,
        "grade_zh": top.name_zh,
        "quota": None if quota is None else str(quota),
        "people": people,
        "seats": None if quota is None else excellent_seats(quota, people),
        "holders": sum(1 for r in results if r["grade"] == top.code),
        "tie_break": TIE_BREAK,
        "policy": policy.ref,
    }


def check_quota(results: Sequence[Mapping[str, Any]], policy: ScoringPolicy, kind: str, rule: str) -> None:
    """Refuse results of a quarter or year that give the top band to more people than the
    quota allows (the people with a total are the population)."""
    summary = grading_summary(results, policy, kind)
    if summary["seats"] is not None and summary["holders"] > summary["seats"]:
        raise InvariantViolated(
            f"{summary['holders']} of {summary['people']} people are graded {summary['grade_zh']} "
            f"({summary['grade']}); the quota of {Decimal(summary['quota']):%} allows {summary['seats']}, "
            f"by position ({TIE_BREAK})",
            rule=rule,
            field="results",
        )


def canonical_results(results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Results in their canonical form: one entry per person, sorted by staff id, the total
    as a decimal string with two places, the rank an integer (or None when unranked)."""
    out = []
    for r in results:
        total = r["total"]
        out.append(
            {
                "staff_id": str(r["staff_id"]),
                "total": None if total is None else f"{Decimal(total).quantize(Decimal('0.01'))}",
                "grade": r["grade"],
                "rank": None if r["rank"] is None else int(r["rank"]),
            }
        )
    return sorted(out, key=lambda r: r["staff_id"])


def results_digest(results: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the results."""
    text = json.dumps(canonical_results(results), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class AssessmentPeriod(LedgerAggregate):
    """One assessment period of the hall and what was published for it."""

    class Opened(LedgerAggregate.Created):
        """考核期"""

        period: str
        kind: str

        def apply(self, p: Any) -> None:
            p.period = self.period
            p.kind = self.kind
            p.status = OPEN
            p.digest = None
            p.position = None
            p.reviews = {}

    class Published(LedgerAggregate.Event):
        """考核结果发布 — the results, frozen with the ledger position they reflect."""

        period: str
        policy: str
        position: int
        digest: str
        results: list[dict[str, Any]]
        rule: str

        def apply(self, p: Any) -> None:
            p.status = PUBLISHED
            p.digest = self.digest
            p.position = self.position

    class Amended(LedgerAggregate.Event):
        """考核结果更正 — corrected results replace the published ones (named by digest)."""

        period: str
        policy: str
        position: int
        digest: str
        supersedes: str
        results: list[dict[str, Any]]
        reason: str
        rule: str

        def apply(self, p: Any) -> None:
            p.digest = self.digest
            p.position = self.position

    class ReviewScored(LedgerAggregate.Event):
        """年度综合评议 — the committee's annual review score of one person (20 % of the year)."""

        staff_id: UUID
        score: Decimal
        note: str
        rule: str

        def apply(self, p: Any) -> None:
            p.reviews[str(self.staff_id)] = self.score

    if TYPE_CHECKING:
        period: str
        kind: str
        status: str
        digest: str | None
        position: int | None
        reviews: dict[str, Decimal]

    @classmethod
    def open(cls, ctx: CommandContext, *, id: UUID, period: str) -> Self:
        ctx.actor.require(Role.HALL_MANAGER, Role.COMMITTEE, action="opening an assessment period")
        return cls._create_with(cls.Opened, ctx, id=id, period=period, kind=period_kind(period))

    def require_publisher(self, ctx: CommandContext, action: str, rule: str) -> None:
        if self.kind == YEAR:
            ctx.actor.require(Role.COMMITTEE, action=f"{action} annual results", rule=rule)
        else:
            ctx.actor.require(Role.HALL_MANAGER, action=f"{action} {self.kind}ly results", rule=rule)

    @staticmethod
    def _check_results(
        results: Sequence[Mapping[str, Any]], position: int, digest: str, rule: str
    ) -> list[dict[str, Any]]:
        if not results:
            raise InvariantViolated("there are no results to publish for this period", rule=rule, field="period")
        if position < 1:
            raise InvalidInput("the results must reflect a ledger position", field="position", rule=rule)
        canonical = canonical_results(results)
        if len({r["staff_id"] for r in canonical}) != len(canonical):
            raise InvalidInput("a person appears twice in the results", field="results", rule=rule)
        if results_digest(canonical) != digest:
            raise InvalidInput("the digest does not match the results", field="digest", rule=rule)
        return canonical

    def publish(
        self,
        ctx: CommandContext,
        *,
        policy: str,
        position: int,
        results: Sequence[Mapping[str, Any]],
        digest: str,
        rule: str,
    ) -> None:
        self.require_publisher(ctx, "publishing", rule)
        if self.status == PUBLISHED:
            raise InvariantViolated(
                f"the {self.period} assessment is already published; correct it with an amendment",
                rule=rule,
                field="period",
            )
        canonical = self._check_results(results, position, digest, rule)
        self._trigger(
            self.Published,
            ctx,
            period=self.period,
            policy=require_text(policy, "policy"),
            position=position,
            digest=digest,
            results=canonical,
            rule=rule,
        )

    def amend(
        self,
        ctx: CommandContext,
        *,
        policy: str,
        position: int,
        results: Sequence[Mapping[str, Any]],
        digest: str,
        reason: str,
        rule: str,
    ) -> None:
        self.require_publisher(ctx, "amending", rule)
        if self.status != PUBLISHED or self.digest is None:
            raise InvariantViolated(f"the {self.period} assessment is not published yet", rule=rule, field="period")
        if self.position is not None and position <= self.position:
            raise InvariantViolated(
                f"an amendment reflects a later ledger position than {self.position}", rule=rule, field="position"
            )
        if digest == self.digest:
            raise InvariantViolated(
                f"the {self.period} results have not changed since they were published", rule=rule, field="period"
            )
        canonical = self._check_results(results, position, digest, rule)
        self._trigger(
            self.Amended,
            ctx,
            period=self.period,
            policy=require_text(policy, "policy"),
            position=position,
            digest=digest,
            supersedes=self.digest,
            results=canonical,
            reason=require_text(reason, "reason", rule=rule),
            rule=rule,
        )

    def score_review(self, ctx: CommandContext, *, staff_id: UUID, score: Decimal, note: str, rule: str) -> None:
        ctx.actor.require(Role.COMMITTEE, action="recording an annual review score", rule=rule)
        if self.kind != YEAR:
            raise InvalidInput(
                f"{self.period} is not a year; review scores belong to the annual assessment", field="period"
            )
        if self.status == PUBLISHED:
            raise InvariantViolated(f"the {self.period} annual results are already published", rule=rule)
        if not (Decimal(0) <= score <= Decimal(100)):
            raise InvalidInput("a review score lies between 0 and 100", field="score", rule=rule)
        self._trigger(self.ReviewScored, ctx, staff_id=staff_id, score=score, note=note.strip(), rule=rule)
