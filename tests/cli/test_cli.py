"""The command line: init, demo and events on both stores."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from typer.testing import CliRunner

from domain import ids
from domain.calendar import hall_date
from domain.envelope import CHINA_STANDARD_TIME, Actor
from projections.registry import all_models
from projections.runner import ProjectionRunner
from service import app_base
from service.api import queries
from service.application import open_ledger
from service.cli import app
from service.demo import summarise
from service.eventlog import iter_events
from service.settings import Settings

runner = CliRunner()
#: a Tuesday afternoon in the hall (a working day; the hall opened hours ago)
TUESDAY_AFTERNOON = datetime(2026, 12, 8, 14, 0, tzinfo=CHINA_STANDARD_TIME)
#: the evening of the same day: the hall day has closed
TUESDAY_EVENING = datetime(2026, 12, 8, 21, 0, tzinfo=CHINA_STANDARD_TIME)


def real_clock_at(monkeypatch: pytest.MonkeyPatch, start: datetime) -> Callable[[], datetime]:
    """The application's real clock (``service.app_base.system_clock``, which ``init``, the
    demo and every command read) fixed to start at ``start`` and run on from there."""
    began = time.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - began)

    monkeypatch.setattr(app_base, "system_clock", clock)
    return clock


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


def test_demo_simulates_a_hall_summarises_it_in_both_languages_and_events_filters(
    env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_clock_at(monkeypatch, TUESDAY_EVENING)
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


def test_the_demo_follows_init_and_never_records_back_in_time(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """``hall-ledger init && hall-ledger demo``: init records the hall now; the demo's weeks end
    today, their facts recorded after it, so record time never runs backwards along the log."""
    real_clock_at(monkeypatch, TUESDAY_AFTERNOON)
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
    assert all(e.timestamp > established.timestamp for e in events[1:]), "recorded after init's hall"
    opened = [e for e in events if type(e).__qualname__ == "HallDay.Opened"]
    assert opened and opened[0].day < hall_date(established.timestamp), "the demo's weeks lie before today"


def test_the_demos_last_simulated_day_is_the_day_it_runs(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run on a Tuesday afternoon, the demo's four weeks end that Tuesday: its hall day is open
    (simulated up to three hours before the present, see docs/simulation.md), no valid time lies
    ahead of the clock, and "this month" is the month it runs in."""
    clock = real_clock_at(monkeypatch, TUESDAY_AFTERNOON)
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    assert "2026-11-11 – 2026-12-08" in result.output and "本月 this month: 2026-12" in result.output
    ledger = open_ledger(env)
    try:
        events = [e for _, e in iter_events(ledger)]
    finally:
        ledger.close()
    days = [e.day for e in events if type(e).__qualname__ == "HallDay.Opened"]
    closed = [e.day for e in events if type(e).__qualname__ == "HallDay.Closed"]
    assert len(days) == 20 and days[-1] == hall_date(TUESDAY_AFTERNOON) == TUESDAY_AFTERNOON.date()
    assert closed[-1] < days[-1], "today's hall day is still open"
    assert type(events[0]).__qualname__ == "Hall.Established", "init's hall, recorded at the present"
    assert max(e.occurred_at for e in events[1:]) <= TUESDAY_AFTERNOON, "the demo's facts lie before it"
    assert all(e.occurred_at <= e.timestamp for e in events), "no fact lies ahead of its record"
    assert max(e.timestamp for e in events) < clock(), "the demo's record clock never runs ahead of the real one"


def test_a_command_sent_right_after_the_demo_lands_after_it(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    real_clock_at(monkeypatch, TUESDAY_AFTERNOON)
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["demo"], env={"COLUMNS": "220"}).exit_code == 0
    ledger = open_ledger(env)  # the real clock, as every command of the CLI and the API
    try:
        demo = [e for _, e in iter_events(ledger)]
        last = head(env)
        outcome = ledger.open_inquiry(
            Actor("staff-s004", "staff"),
            channel="phone",
            first_responder_id=ids.staff_id(env.hall_id, "S004"),
            client_ref="real-0001",
            topic="咨询社保转移",
        )
        [(position, event)] = list(iter_events(ledger, after=last))
    finally:
        ledger.close()
    assert event.originator_id == outcome.id and position == last + 1
    assert event.timestamp > max(e.timestamp for e in demo), "recorded after everything the demo recorded"
    assert event.occurred_at > max(e.occurred_at for e in demo), "and it happened after the demo's weeks"


def test_the_demo_summary_is_read_from_the_read_models(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures of the summary are what the read models' query functions say."""
    real_clock_at(monkeypatch, TUESDAY_EVENING)
    assert runner.invoke(app, ["demo"], env={"COLUMNS": "220"}).exit_code == 0
    ledger = open_ledger(env)
    try:
        summary = summarise(ledger)
        models = ProjectionRunner(ledger, all_models())
        with models.store.transaction() as tx:
            records = queries.staff_records(tx)
            [hall] = [r for r in queries.kpi_rows(tx) if r["window_id"] == queries.HALL]
            transitions = tx.query("SELECT count(*) FROM {t:escalation_transitions} WHERE reason = ?", ["reinstated"])
    finally:
        ledger.close()
    assert [p.staff_no for p in summary.people] == [r["staff_no"] for r in records]
    assert [p.confirmed for p in summary.people] == [r["violations"]["confirmed"] for r in records]
    assert {p.staff_no: p.status for p in summary.people}["S012"] == "待岗 suspended"
    assert [r["status"] for r in records if r["staff_no"] == "S012"] == ["suspended"]
    by_article: Counter[tuple[int, str]] = Counter()
    for r in records:
        for article, counts in r["violations_by_article"].items():
            for state in ("confirmed", "revoked", "dismissed", "pending"):
                by_article[(int(article), state)] += counts[state]
    assert {(a, st): n for a, c in summary.by_article.items() for st, n in c.items() if n} == {
        k: n for k, n in by_article.items() if n
    }
    open_cases = sum(hall[k] for k in ("open_green", "open_yellow", "open_yellow_card", "open_red", "open_suspended"))
    assert summary.figures["open_cases"] == open_cases
    assert sum(1 for d in summary.decisions if d[1].startswith("恢复上岗")) == transitions[0][0]


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
