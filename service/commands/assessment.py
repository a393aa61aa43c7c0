"""Publishing assessments (ART11 考核管理): monthly and quarterly by the center (hall
manager), annual by the committee, which also records the annual review scores.

Publishing freezes what the ``assessment`` read model shows for the period, together with
the ledger position the model reflects: the command first brings the model up to the head
of the log (folding the missing events itself when no runner holds the model, else waiting
for the runner), then reads the period's rows and that position consistently. A period
whose results later change is corrected by :meth:`amend_assessment`, never silently.

Both refuse results that give 优秀 to more people than the quota of the policy the results
were computed under (``domain.assessment.check_quota``, the same rule the read model grades
with): a read model left behind by older code cannot publish an over-full 优秀 list.
"""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.assessment import AssessmentPeriod, check_quota, period_id, period_kind, results_digest
from domain.envelope import Actor
from domain.errors import InvariantViolated, NotFound
from domain.policies.loading import PolicyError
from domain.policies.scoring import load_scoring_policy
from domain.staff import StaffMember
from service.app_base import LedgerApplicationBase, Outcome

#: how long publishing waits for a running projection to reach the head of the log
CATCH_UP_SECONDS = 15.0


class AssessmentCommands(LedgerApplicationBase):
    def assessment_period(self, period: str) -> AssessmentPeriod | None:
        period_kind(period)
        found = period_id(self.settings.hall_id, period)
        if not self.exists(found):
            return None
        return self.load(AssessmentPeriod, found, what="assessment period", field="period")

    def _period(
        self, actor: Actor, period: str, occurred_at: datetime | None
    ) -> tuple[Any, AssessmentPeriod, list[Any]]:
        ctx = self.context(actor, occurred_at)
        existing = self.assessment_period(period)
        if existing is not None:
            return ctx, existing, []
        opened = AssessmentPeriod.open(ctx, id=period_id(self.settings.hall_id, period), period=period)
        return ctx, opened, [opened]

    def assessment_results(self, period: str) -> tuple[int, str, list[dict[str, Any]]]:
        """``(position, policy, results)`` of a period as the assessment read model shows it
        once it has reached the head of the log."""
        from projections.assessment import AssessmentModel, current_results
        from projections.runner import ProjectionRunner, ProjectionStore

        kind = period_kind(period)
        store = ProjectionStore(self)
        head = store.head()
        with store.lock([AssessmentModel.name], wait=False) as held:
            if held:
                runner = ProjectionRunner(self, [AssessmentModel()], store=store)
                runner.prepare()
                runner.catch_up()
        deadline = time.monotonic() + CATCH_UP_SECONDS
        while store.tracked(AssessmentModel.name) < head:
            if time.monotonic() > deadline:
                raise InvariantViolated(
                    f"the assessment read model is at position {store.tracked(AssessmentModel.name)}, the ledger at "
                    f"{head}; start `hall-ledger project` and publish again",
                    field="period",
                )
            time.sleep(0.1)
        while True:
            before = store.tracked(AssessmentModel.name)
            policy, results = current_results(store, period, kind)
            if store.tracked(AssessmentModel.name) == before:
                return before, policy, results

    def publish_assessment(self, actor: Actor, *, period: str, occurred_at: datetime | None = None) -> Outcome:
        """考核结果发布: freeze the period's results (hall manager; annual: committee)."""
        ctx, assessment, created = self._period(actor, period, occurred_at)
        _, rule = self.rule_in_force("ART11.1", ctx.occurred_at)
        assessment.require_publisher(ctx, "publishing", str(rule))  # refuse before reading the model
        position, policy, results = self.assessment_results(period)
        self._check_complete(period, results)
        self._check_grades(period, policy, results, str(rule))
        assessment.publish(
            ctx, policy=policy, position=position, results=results, digest=results_digest(results), rule=str(rule)
        )
        return self.record(
            assessment,
            created=created,
            extra={"position": position, "digest": results_digest(results), "people": len(results)},
        )

    def amend_assessment(
        self, actor: Actor, *, period: str, reason: str, occurred_at: datetime | None = None
    ) -> Outcome:
        """考核结果更正: publish the period's current results in place of the published ones."""
        ctx, assessment, created = self._period(actor, period, occurred_at)
        _, rule = self.rule_in_force("ART11.1", ctx.occurred_at)
        assessment.require_publisher(ctx, "amending", str(rule))
        position, policy, results = self.assessment_results(period)
        self._check_complete(period, results)
        self._check_grades(period, policy, results, str(rule))
        assessment.amend(
            ctx,
            policy=policy,
            position=position,
            results=results,
            digest=results_digest(results),
            reason=reason,
            rule=str(rule),
        )
        return self.record(
            assessment,
            created=created,
            extra={"position": position, "digest": results_digest(results), "people": len(results)},
        )

    def record_annual_review(
        self,
        actor: Actor,
        *,
        year: str,
        staff_id: UUID,
        score: Decimal,
        note: str = "",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """年度综合评议: the committee's review score of one person (20 % of the annual score)."""
        ctx, assessment, created = self._period(actor, year, occurred_at)
        self.load(StaffMember, staff_id, what="staff member", field="staff_id")
        _, rule = self.rule_in_force("ART11.2", ctx.occurred_at)
        assessment.score_review(ctx, staff_id=staff_id, score=score, note=note, rule=str(rule))
        return self.record(assessment, created=created)

    @staticmethod
    def _check_grades(period: str, policy: str, results: list[dict[str, Any]], rule: str) -> None:
        """优秀 within the quota of the policy the results cite (by position, ⌊quota × n⌋)."""
        if not results:
            return
        try:
            scoring = load_scoring_policy(policy.removeprefix("scoring@"))
        except (PolicyError, NotFound) as e:
            raise InvariantViolated(f"the results cite {policy}, which is not a known scoring policy ({e})",
                                    rule=rule, field="policy") from None  # fmt: skip
        check_quota(results, scoring, period_kind(period), rule)

    @staticmethod
    def _check_complete(period: str, results: list[dict[str, Any]]) -> None:
        if period_kind(period) == "year":
            missing = [r["staff_id"] for r in results if r["total"] is None]
            if missing:
                raise InvariantViolated(
                    f"{len(missing)} people have no annual review score yet (record_annual_review); "
                    "the annual total is 0.8 × monthly mean + 0.2 × review",
                    field="period",
                )
