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
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.ids import derived_id
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
