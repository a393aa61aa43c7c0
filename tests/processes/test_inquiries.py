"""First-inquiry responsibility (首问负责制, ART2.1 – ART2.1.2), on both stores.

*Given* a client asks 王芳 at the tax window first, *then* she answers for the inquiry for
its whole life: she handles it, or contacts the right window and hands it over, or
reports to a leader — and the client is told the result.
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.envelope import Actor
from domain.errors import InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.inquiry import CLOSED
from service.application import HallLedger
from tests.givens import (
    CLERK,
    MANAGER,
    at,
    events_of,
    given_hall,
    given_inquiry,
    given_staff,
    positions,
    topics,
)


@pytest.mark.rules("ART2.1", "ART2.1.1")
def test_the_first_staff_member_asked_handles_it_within_her_duties(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    inquiry_id = given_inquiry(ledger, wang)
    inquiry = ledger.inquiry(inquiry_id)
    assert inquiry.first_responder_id == wang
    assert inquiry.window_id == hall.tax_window, "the window defaults to the responder's post"

    ledger.handle_inquiry(
        CLERK, inquiry_id=inquiry_id, outcome="当场讲解登记流程并协助填表", occurred_at=at(10, 8, 8, 40)
    )
    ledger.close_inquiry(CLERK, inquiry_id=inquiry_id, occurred_at=at(10, 8, 8, 45))

    assert topics(ledger)[-3:] == ["InquiryOpened", "InquiryHandled", "InquiryClosed"]
    opened, handled, closed = events_of(ledger, inquiry_id)
    assert opened.rule == "ART2.1@2026.1"  # type: ignore[attr-defined]
    assert handled.rule == "ART2.1.1@2026.1"  # type: ignore[attr-defined]
    assert closed.resolution == "handled"  # type: ignore[attr-defined]
    assert ledger.inquiry(inquiry_id).status == CLOSED


@pytest.mark.rules("ART2.1", "ART2.1.2")
def test_a_phone_inquiry_outside_her_duties_is_handed_over_and_responsibility_stays(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    liu = given_staff(ledger, hall, staff_no="S002", name="刘洋", department=hall.market, window=hall.market_window)
    inquiry_id = given_inquiry(ledger, wang, channel="phone", topic="公司名称变更需要什么材料")

    ledger.hand_over_inquiry(
        CLERK, inquiry_id=inquiry_id, to_window_id=hall.market_window, to_staff_id=liu,
        contact_method="phone", contacted="企业登记窗口 刘洋", occurred_at=at(10, 8, 8, 35),
    )  # fmt: skip
    assert ledger.inquiry(inquiry_id).first_responder_id == wang, "a hand-over never moves 首问 responsibility"

    ledger.handle_inquiry(CLERK, inquiry_id=inquiry_id, handled_by=liu, outcome="告知变更登记材料清单")
    handled = events_of(ledger, inquiry_id)[-1]
    assert handled.rule == "ART2.1.2@2026.1", "the receiver handles it under the hand-over rule"  # type: ignore[attr-defined]
    ledger.close_inquiry(CLERK, inquiry_id=inquiry_id)
    assert ledger.inquiry(inquiry_id).first_responder_id == wang


@pytest.mark.rules("ART2.1.2")
def test_closing_a_handed_over_inquiry_needs_the_result_communicated(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    inquiry_id = given_inquiry(ledger, wang)
    ledger.hand_over_inquiry(
        CLERK, inquiry_id=inquiry_id, to_window_id=hall.market_window, contact_method="escorted",
        contacted="陪同服务对象到企业登记窗口",
    )  # fmt: skip
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.close_inquiry(CLERK, inquiry_id=inquiry_id)
    assert refused.value.rule == "ART2.1.2@2026.1"
    assert positions(ledger) == before

    ledger.communicate_inquiry_result(CLERK, inquiry_id=inquiry_id, channel="phone", result="已在企业登记窗口办结")
    ledger.close_inquiry(CLERK, inquiry_id=inquiry_id)
    assert events_of(ledger, inquiry_id)[-1].resolution == "handed_over"  # type: ignore[attr-defined]


@pytest.mark.rules("ART2.1.2")
def test_responsibility_unclear_is_reported_to_a_leader_and_the_client_told_afterwards(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    inquiry_id = given_inquiry(ledger, wang, topic="跨部门的联合审批由谁牵头")
    # a result told *before* the escalation does not count for it
    ledger.communicate_inquiry_result(CLERK, inquiry_id=inquiry_id, result="请稍候,正在确认")
    ledger.escalate_inquiry(CLERK, inquiry_id=inquiry_id, leader="中心副主任 赵刚", reason="牵头部门不明确")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.close_inquiry(CLERK, inquiry_id=inquiry_id)
    assert refused.value.rule == "ART2.1.2@2026.1"
    assert positions(ledger) == before

    ledger.communicate_inquiry_result(CLERK, inquiry_id=inquiry_id, channel="phone", result="由市场监管窗口牵头办理")
    ledger.close_inquiry(CLERK, inquiry_id=inquiry_id)
    inquiry = ledger.inquiry(inquiry_id)
    assert (inquiry.status, inquiry.resolution) == (CLOSED, "escalated")
    told = events_of(ledger, inquiry_id)[-2]
    assert told.communicated_by == wang, "the first responder tells the client by default"  # type: ignore[attr-defined]


@pytest.mark.rules("ART2.1")
def test_closing_without_handling_hand_over_or_escalation_is_refused(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    inquiry_id = given_inquiry(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.close_inquiry(CLERK, inquiry_id=inquiry_id)
    assert refused.value.rule == "ART2.1@2026.1"
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1.2")
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"contact_method": "phone", "contacted": "某窗口"}, "to_window_id"),  # no receiver named
        ({"to_window_id": "market", "contact_method": "pointed", "contacted": "x"}, "contact_method"),
        ({"to_window_id": "market", "contact_method": "phone", "contacted": " "}, "contacted"),
    ],
)
def test_a_hand_over_names_the_receiver_and_how_they_were_contacted(
    ledger: HallLedger, kwargs: dict[str, str], field: str
) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    inquiry_id = given_inquiry(ledger, wang)
    if kwargs.get("to_window_id") == "market":
        kwargs = dict(kwargs, to_window_id=hall.market_window)  # type: ignore[dict-item]
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.hand_over_inquiry(CLERK, inquiry_id=inquiry_id, **kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1.2")
def test_a_hand_over_to_an_unknown_or_closed_window_is_refused(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    inquiry_id = given_inquiry(ledger, wang)
    ledger.close_window(MANAGER, window_id=hall.tax_window_2, reason="并入综合窗口")
    before = positions(ledger)
    with pytest.raises(NotFound) as unknown:
        ledger.hand_over_inquiry(
            CLERK, inquiry_id=inquiry_id, to_window_id=uuid4(), contact_method="phone", contacted="x"
        )
    assert unknown.value.field == "to_window_id"
    with pytest.raises(InvariantViolated) as closed:
        ledger.hand_over_inquiry(
            CLERK, inquiry_id=inquiry_id, to_window_id=hall.tax_window_2, contact_method="phone", contacted="x"
        )
    assert closed.value.field == "to_window_id"
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1")
def test_only_the_first_responder_handles_an_inquiry_that_was_not_handed_over(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    zhou = given_staff(ledger, hall, staff_no="S003", name="周杰", window=hall.tax_window_2)
    inquiry_id = given_inquiry(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.handle_inquiry(CLERK, inquiry_id=inquiry_id, handled_by=zhou, outcome="代为解答")
    assert refused.value.field == "handled_by"
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1")
def test_opening_an_inquiry_checks_the_responder_channel_and_pseudonym(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    before = positions(ledger)
    with pytest.raises(NotFound) as unknown:
        ledger.open_inquiry(CLERK, channel="hall", first_responder_id=uuid4(), client_ref="client-1", topic="t")
    assert unknown.value.field == "first_responder_id"
    with pytest.raises(InvalidInput) as channel:
        ledger.open_inquiry(CLERK, channel="wechat", first_responder_id=wang, client_ref="client-1", topic="t")
    assert channel.value.field == "channel"
    for personal in ("13800138000", "李明", "210802199001011234"):
        with pytest.raises(InvalidInput) as leak:
            ledger.open_inquiry(CLERK, channel="hall", first_responder_id=wang, client_ref=personal, topic="t")
        assert leak.value.field == "client_ref"
    with pytest.raises(NotPermitted):
        ledger.open_inquiry(
            Actor("bi-feed", "dashboard"), channel="hall", first_responder_id=wang, client_ref="client-1", topic="t"
        )
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1")
def test_a_closed_inquiry_takes_nothing_more(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    inquiry_id = given_inquiry(ledger, wang)
    ledger.handle_inquiry(CLERK, inquiry_id=inquiry_id, outcome="已解答")
    ledger.close_inquiry(CLERK, inquiry_id=inquiry_id)
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.escalate_inquiry(CLERK, inquiry_id=inquiry_id, leader="主任", reason="x")
    with pytest.raises(InvariantViolated):
        ledger.close_inquiry(CLERK, inquiry_id=inquiry_id)
    assert positions(ledger) == before


@pytest.mark.rules("ART2.1.1", "ART2.1.2")
def test_a_handled_inquiry_is_not_handed_over_and_results_are_told_by_a_known_channel(ledger: HallLedger) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    inquiry_id = given_inquiry(ledger, wang)
    ledger.handle_inquiry(CLERK, inquiry_id=inquiry_id, outcome="已解答")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as handled:
        ledger.hand_over_inquiry(
            CLERK, inquiry_id=inquiry_id, to_window_id=hall.market_window, contact_method="phone", contacted="x"
        )
    assert handled.value.rule == "ART2.1.2@2026.1"
    with pytest.raises(InvariantViolated):
        ledger.escalate_inquiry(CLERK, inquiry_id=inquiry_id, leader="主任", reason="r")
    with pytest.raises(InvalidInput) as channel:
        ledger.communicate_inquiry_result(CLERK, inquiry_id=inquiry_id, result="r", channel="carrier-pigeon")
    assert channel.value.field == "channel"
    with pytest.raises(NotFound) as unknown:
        ledger.handle_inquiry(CLERK, inquiry_id=uuid4(), outcome="x")
    assert unknown.value.field == "inquiry_id"
    assert positions(ledger) == before
