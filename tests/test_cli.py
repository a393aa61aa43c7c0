"""The command line: init, demo and events on both stores."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from typer.testing import CliRunner

from domain import ids
from service.application import open_ledger
from service.cli import app
from service.eventlog import iter_events
from service.settings import Settings

runner = CliRunner()


def head(settings: Settings) -> int:
    ledger = open_ledger(settings)
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def test_init_creates_schema_key_and_hall_and_is_repeatable(env: Settings) -> None:
    first = runner.invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    assert "established" in first.output and env.signing_key_path.exists()
    verifier = next(line.split()[-1] for line in first.output.splitlines() if line.startswith("verifier"))
    second = runner.invoke(app, ["init"])
    assert second.exit_code == 0, second.output
    assert "already established" in second.output and verifier in second.output, "the key is kept"


def test_demo_simulates_a_hall_summarises_it_in_both_languages_and_events_filters(env: Settings) -> None:
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    for text in (
        "北海行政审批中心", "Beihai", "人员 People", "违规按条款 Violations by article", "处理决定 Escalation",
        "待岗 Suspension", "恢复上岗 Reinstated", "诫勉教育 Admonishment", "管委会同意 Committee consent",
        "自动发现的违规线索", "Detected candidates", "办事与运行情况 Processes at work", "首问负责 First inquiries",
        "一次性告知 One-time notices", "值班 Duty roster", "盘点 counts", "赵磊", "蒋伟", "韩冰",
    ):  # fmt: skip
        assert text in result.output, text
    count = head(env)
    assert count > 2000
    ledger = open_ledger(env)
    try:
        seen = {type(e).__qualname__ for _, e in iter_events(ledger)}
    finally:
        ledger.close()
    for kind in (
        "Inquiry.InquiryHandedOver", "Inquiry.InquiryEscalatedToLeader", "ServiceCase.DeadlineExtended",
        "ServiceCase.OneTimeNoticeIssued", "CaseSupervision.YellowCard", "DisclosureRequest.DisclosureAnswered",
        "Consultation.ConsultationReferred", "DataSubject.PersonalDataErased", "LeaveRequest.ReportedBack",
        "DutyShift.SubstituteArranged", "DutyShift.HandedOver", "EndOfDayCheck.Recorded", "Asset.MovedWithoutFiling",
        "InventoryCount.Closed", "Violation.Detected", "Violation.Dismissed", "Violation.Revoked", "Rating.Contested",
        "Complaint.Verified", "Praise.Received", "Commendation.Awarded", "Appeal.Decided", "AssessmentPeriod.Published",
        "StaffMember.AdmonishmentIssued", "StaffMember.RemedyCompleted", "StaffMember.SuspensionDecided",
        "StaffMember.Reinstated", "StaffMember.CommitteeConsentRecorded", "StaffMember.PostingEnded",
    ):  # fmt: skip
        assert kind in seen, kind
    again = runner.invoke(app, ["demo"], env={"COLUMNS": "220"})
    assert again.exit_code == 0 and "already present" in again.output
    assert "赵磊" in again.output and "Detected candidates" in again.output
    assert head(env) == count, "a second demo writes nothing"
    check_events_filters(env)
    rebuilt = runner.invoke(app, ["rebuild", "--jobs", "2"], env={"COLUMNS": "220"})
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"detection, ledger_tree: {count:,} events to position {count:,}" in rebuilt.output
    assert head(env) == count, "a rebuild over two processes finds every candidate already recorded"


def test_the_demo_follows_init_and_never_records_back_in_time(env: Settings) -> None:
    """``hall-ledger init && hall-ledger demo``: init records the hall now; the demo's weeks
    start after it, so record time never runs backwards along the log."""
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    ledger = open_ledger(env)
    try:
        events = [e for _, e in iter_events(ledger) if e.actor.id != "detector"]
    finally:
        ledger.close()
    established = events[0]
    assert type(established).__qualname__ == "Hall.Established" and established.actor.id == "hall-admin"
    assert all(a.timestamp <= b.timestamp for a, b in pairwise(events))
    opened = [e for e in events if type(e).__qualname__ == "HallDay.Opened"]
    assert opened and opened[0].day > established.timestamp.date()


def check_events_filters(env: Settings) -> None:
    """``hall-ledger events`` on the demo's log: filtered by type, JSON envelopes, the tail."""
    result = runner.invoke(app, ["events", "--type", "SuspensionDecided", "--json", "--limit", "0"])
    assert result.exit_code == 0, result.output
    envelopes = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(envelopes) >= 2
    assert {e["type"] for e in envelopes} == {"StaffMember.SuspensionDecided"}
    assert all(e["rule"] == "ART2.1.3@2026.1" and e["actor"]["role"] for e in envelopes)
    suspended = {e["stream"] for e in envelopes}
    for staff_no in ("S003", "S012"):  # 赵磊 after the warning, 蒋伟 for the unauthorised fee
        assert str(ids.staff_id(env.hall_id, staff_no)) in suspended
    tail = runner.invoke(app, ["events", "--tail", "--limit", "5", "--json"])
    assert tail.exit_code == 0, tail.output
    positions = [json.loads(line)["position"] for line in tail.output.splitlines() if line.startswith("{")]
    assert positions == list(range(head(env) - 4, head(env) + 1))
    table = runner.invoke(app, ["events", "--type", "Reinstated"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "StaffMember.Reinstated" in table.output


def test_a_bad_setting_is_a_clear_error(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALL_LEDGER_DATABASE_URL", "mysql://root@localhost/db")
    result = runner.invoke(app, ["events"])
    assert result.exit_code == 2
    assert "HALL_LEDGER_DATABASE_URL" in result.output
