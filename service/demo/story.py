"""The demo's storyline, laid over the simulated demo hall (``hall-ledger demo``).

The hall's ordinary life comes from the simulator (``service.simulation``, demo profile):
visitors, inquiries, applications, one-time notices, consultations, attendance, duty, asset
moves, inspection rounds, ratings, detected candidates confirmed or dismissed, decisions as
the escalation read model calls for them. Over it the story scripts what a reader should see:

- 赵磊 leaves a first inquiry unhandled (ART2.1; the detector flags it) → admonished, remedy
  ordered; after the warning he fails another inquiry (ART2.1.2) → suspended from post (待岗)
  → reinstated after retraining;
- 陈晨's second one-time notice asks for a new material (ART2.2; detected) → confirmed, then
  revoked on review (the applicant had changed the project);
- 周杰 issues a licence with a wrong address (ART2.5.3) → admonished, remedy completed;
- the tax bureau replaces 郑浩: refused without the committee's consent (ART8.2), done once
  the committee consents;
- 蒋伟 takes an "express fee" (ART6.3, serious) → the committee suspends him at once.

Days are the working days of the run (0-based); the rendering lives in
:mod:`service.demo.summary`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.envelope import Actor
from service.simulation import HallSimulator, Story
from service.simulation.base import at
from service.simulation.profile import COMMITTEE, MANAGER, StaffSpec

INSPECTOR = Actor("insp-li", "inspector")
INSPECTOR_2 = Actor("insp-wu", "inspector")

#: a department's window staff the story needs at work on its days
SCRIPTED = frozenset({"S003", "S005", "S007", "S009", "S012"})


class DemoStory(Story):
    """The storyline laid over the simulated demo hall (days are working days of the run)."""

    scripted = SCRIPTED

    def __init__(self) -> None:
        self.ref: dict[str, Any] = {}

    def on_day(self, sim: HallSimulator, index: int, day: date) -> None:
        plan = {
            0: self.unhandled_inquiry,
            1: self.inquiry_handled_late,
            5: self.first_notice,
            6: self.second_notice,
            7: self.repeat_after_warning,
            8: self.review,
            9: self.wrong_licence,
            12: self.replacement_refused,
            13: self.replacement,
            16: self.unauthorised_fee,
        }
        if index in plan:
            plan[index](sim, day)

    # ── 赵磊: ART2.1 → admonishment → ART2.1.2 after the warning → suspension ──

    def unhandled_inquiry(self, sim: HallSimulator, day: date) -> None:
        def asked() -> None:
            zhao = sim.people["S003"]
            outcome = sim.do(
                sim.current,
                sim.app.open_inquiry,
                zhao.actor,
                channel="hall",
                first_responder_id=zhao.id,
                client_ref="inq-story-0001",
                topic="咨询企业变更登记需要哪些材料",
            )
            assert outcome is not None
            self.ref["inquiry"] = outcome.id  # nobody handles it: the detector flags ART2.1

        sim.schedule(at(day, 10, 15), "story: inquiry left unhandled", asked)

    def inquiry_handled_late(self, sim: HallSimulator, day: date) -> None:
        def handled() -> None:
            zhao = sim.people["S003"]
            sim.do(
                sim.current,
                sim.app.handle_inquiry,
                zhao.actor,
                inquiry_id=self.ref["inquiry"],
                outcome="次日回访当事人并告知变更登记材料",
            )
            sim.do(
                sim.current + timedelta(minutes=1), sim.app.close_inquiry, zhao.actor, inquiry_id=self.ref["inquiry"]
            )

        sim.schedule(at(day, 10, 0), "story: inquiry handled a day late", handled)

    def repeat_after_warning(self, sim: HallSimulator, day: date) -> None:
        def handed_over() -> None:
            zhao = sim.people["S003"]
            receivers = sim.staff_at("W07", sim.current) or sim.staff_at("W08", sim.current)
            receiver = min(receivers, key=lambda p: p.staff_no)
            opened = sim.do(
                sim.current,
                sim.app.open_inquiry,
                zhao.actor,
                channel="hall",
                first_responder_id=zhao.id,
                client_ref="inq-story-0002",
                topic="咨询企业跨区域涉税事项报告",
            )
            assert opened is not None
            self.ref["inquiry2"] = opened.id
            sim.do(
                sim.current + timedelta(minutes=3),
                sim.app.hand_over_inquiry,
                zhao.actor,
                inquiry_id=opened.id,
                contact_method="phone",
                contacted=f"{receiver.name}({receiver.window})",
                to_window_id=sim.windows[receiver.window or "W07"].id,
            )

        def complaint() -> None:
            zhao = sim.people["S003"]
            found = sim.do(
                sim.current,
                sim.app.record_violation,
                INSPECTOR,
                rule="ART2.1.2",
                item="result_not_communicated",
                staff_id=zhao.id,
                source="complaint",
                evidence="群众投诉:转办后始终未被告知处理结果 / handed over, the client was never told the result",
                evidence_refs=["12345:2026-story-02"],
            )
            assert found is not None
            sim.violations[found.id] = zhao
            sim.schedule(
                sim.current + timedelta(minutes=50), "story: verdict", lambda: sim.verdict(found.id, INSPECTOR_2, True)
            )

        sim.schedule(at(day, 14, 20), "story: handed over, result never told", handed_over)
        sim.schedule(at(day, 15, 40), "story: the client complains", complaint)

    # ── 陈晨: a second notice (ART2.2, detected) → confirmed → revoked on review ──

    def first_notice(self, sim: HallSimulator, day: date) -> None:
        def submitted() -> None:
            chen = sim.people["S009"]
            window = sim.windows["W11"]
            outcome = sim.do(
                sim.current,
                sim.app.submit_application,
                chen.actor,
                matter_code="HSG-01",
                matter_name="建筑工程施工许可",
                mode="complex",
                window_id=window.id,
                staff_id=chen.id,
                applicant_ref="app-story-0001",
                case_no="BH-STORY-0001",
                materials=["施工许可申请表", "用地批准手续", "中标通知书", "安全施工措施资料"],
            )
            assert outcome is not None
            self.ref["case"] = outcome.id
            sim.do(
                sim.current + timedelta(minutes=8),
                sim.app.issue_one_time_notice,
                chen.actor,
                case_id=outcome.id,
                missing_materials=[{"name": "施工图审查合格书", "format": "原件", "quantity": 1}],
                procedure="材料齐全后受理,7个工作日内办结",
                time_limit_working_days=7,
                fees="不收费",
                legal_basis="《建筑工程施工许可管理办法》",
                materials_list_id="HSG-01-CL-2026",
            )

        sim.schedule(at(day, 10, 20), "story: first notice", submitted)

    def second_notice(self, sim: HallSimulator, day: date) -> None:
        def again() -> None:
            chen = sim.people["S009"]
            case = self.ref["case"]
            sim.do(sim.current, sim.app.resubmit_materials, chen.actor, case_id=case, materials=["施工图审查合格书"])
            sim.do(
                sim.current + timedelta(minutes=6),
                sim.app.issue_one_time_notice,
                chen.actor,
                case_id=case,
                missing_materials=[{"name": "消防设计审查意见", "format": "原件", "quantity": 1}],
                procedure="材料齐全后受理,7个工作日内办结",
                time_limit_working_days=7,
                fees="不收费",
                legal_basis="《建筑工程施工许可管理办法》",
                materials_list_id="HSG-01-CL-2026",
            )

        def complete() -> None:
            chen = sim.people["S009"]
            case = self.ref["case"]
            sim.do(sim.current, sim.app.resubmit_materials, chen.actor, case_id=case, materials=["消防设计审查意见"])
            sim.do(
                sim.current + timedelta(minutes=5),
                sim.app.accept_application,
                chen.actor,
                case_id=case,
                committed_working_days=7,
                receipt_no="SL-BH-STORY-0001",
            )

        def finished() -> None:
            chen = sim.people["S009"]
            sim.do(sim.current, sim.app.complete_case, chen.actor, case_id=self.ref["case"], result="准予许可",
                   result_ref="XK-BH-STORY-0001")  # fmt: skip

        sim.schedule(at(day, 11, 5), "story: second notice", again)
        sim.schedule(at(sim.working_day(day, 1), 14, 0), "story: materials complete", complete)
        sim.schedule(at(sim.working_day(day, 5), 15, 0), "story: permit issued", finished)

    def review(self, sim: HallSimulator, day: date) -> None:
        def revoked() -> None:
            found = [v for v, p in sim.violations.items() if p.staff_no == "S009"]
            for violation in found:
                if sim.app.violation(violation).status == "confirmed":
                    sim.do(
                        sim.current,
                        sim.app.revoke_violation,
                        MANAGER,
                        violation_id=violation,
                        reason="复核:申请人变更了建设内容,新增材料系新情况所致 / "
                        "on review: the applicant changed the project; the new material follows from that",
                    )

        def told() -> None:
            sun = sim.people["S004"]
            sim.do(
                sim.current,
                sim.app.communicate_inquiry_result,
                sun.actor,
                inquiry_id=self.ref["inquiry2"],
                result="已由税务窗口受理,告知办理结果",
                channel="phone",
                communicated_by=sun.id,
            )
            sim.do(
                sim.current + timedelta(minutes=1), sim.app.close_inquiry, sun.actor, inquiry_id=self.ref["inquiry2"]
            )

        sim.schedule(at(day, 9, 0), "story: notice finding revoked", revoked)
        sim.schedule(at(day, 10, 30), "story: the result is told at last", told)

    # ── 周杰: a wrong licence (ART2.5.3) → admonished, remedy completed ──

    def wrong_licence(self, sim: HallSimulator, day: date) -> None:
        def found() -> None:
            zhou = sim.people["S005"]
            outcome = sim.do(
                sim.current,
                sim.app.record_violation,
                INSPECTOR,
                rule="ART2.5.3",
                item="document_error",
                staff_id=zhou.id,
                source="supervision",
                evidence="许可证书地址书写错误 / wrong address on a licence",
                evidence_refs=["XK-2026-0917"],
            )
            assert outcome is not None
            sim.violations[outcome.id] = zhou
            sim.schedule(
                sim.current + timedelta(minutes=90),
                "story: verdict",
                lambda: sim.verdict(outcome.id, INSPECTOR_2, True),
            )

        sim.schedule(at(day, 10, 0), "story: wrong licence", found)

    # ── 郑浩 replaced: refused without consent (ART8.2), then done ──

    def replacement_refused(self, sim: HallSimulator, day: date) -> None:
        def refused() -> None:
            han = sim.onboard(StaffSpec("S013", "韩冰", "tax", "seconded", None, day), sim.current, post=False)
            han.scripted = True
            self.ref["han"] = han
            sim.do(
                sim.current + timedelta(minutes=5),
                sim.app.replace_staff,
                MANAGER,
                outgoing_id=sim.people["S007"].id,
                successor_id=han.id,
                start=day,
                expect_refusal=True,
            )

        def consent() -> None:
            outcome = sim.do(
                sim.current,
                sim.app.record_committee_consent,
                COMMITTEE,
                staff_id=sim.people["S007"].id,
                kind="replacement",
                decision_ref="北海管委〔2026〕31号",
                note="税务局申请轮岗 / rotation requested by the tax bureau",
            )
            assert outcome is not None
            self.ref["consent"] = outcome.extra["consent_id"]

        sim.schedule(at(day, 9, 0), "story: replacement refused", refused)
        sim.schedule(at(day, 11, 0), "story: committee consents", consent)

    def replacement(self, sim: HallSimulator, day: date) -> None:
        def replaced() -> None:
            zheng, han = sim.people["S007"], self.ref["han"]
            sim.do(
                sim.current,
                sim.app.replace_staff,
                MANAGER,
                outgoing_id=zheng.id,
                successor_id=han.id,
                start=day,
                consent_id=self.ref["consent"],
            )
            han.window, han.status = zheng.window, "on_post"
            zheng.window, zheng.status = None, "off_post"
            sim.transfer_custody(zheng, han, sim.current + timedelta(minutes=5))
            sim.plan_attendance(han, day, earliest=sim.current)

        sim.schedule(at(day, 8, 0), "story: replaced with consent", replaced)

    # ── 蒋伟: an unauthorised fee (ART6.3, serious) → suspended at once ──

    def unauthorised_fee(self, sim: HallSimulator, day: date) -> None:
        def found() -> None:
            jiang = sim.people["S012"]
            outcome = sim.do(
                sim.current,
                sim.app.record_violation,
                INSPECTOR,
                rule="ART6.3",
                item="unauthorised_fee",
                staff_id=jiang.id,
                source="complaint",
                evidence="收取“加急费”200元,无收费依据 / took a 200 CNY 'express fee' with no legal basis",
                evidence_refs=["12345:2026-story-03"],
            )
            assert outcome is not None
            sim.violations[outcome.id] = jiang
            self.ref["fee"] = outcome.id
            sim.schedule(
                sim.current + timedelta(minutes=80),
                "story: verdict",
                lambda: sim.verdict(outcome.id, INSPECTOR_2, True),
            )

        def suspended() -> None:
            sim.suspend(sim.people["S012"], [self.ref["fee"]], actor=COMMITTEE, indefinite=True)

        sim.schedule(at(day, 15, 40), "story: unauthorised fee", found)
        sim.schedule(at(day, 17, 30), "story: suspended at once", suspended)
