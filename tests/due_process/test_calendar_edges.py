"""The edges of the working-day calendar (工作日历): provisional years, years without a file,
the 7-working-day correction notice (政府信息公开条例 Art. 30) and virus checks over a holiday.

2026 is the State Council's official schedule; 2027 is provisional (statutory holidays only,
no 调休 yet); 2028 has no file at all. A deadline counted on 2027 says so wherever it is
shown; detection on a 2028 day says it assumed Monday to Friday; a correction notice after
its 7th working day is refused; the virus-check interval counts working days, so the National
Day week does not make a device overdue.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from typer.testing import CliRunner

from domain.errors import InvariantViolated
from domain.violation import Violation
from service.api import create_app
from service.application import HallLedger
from service.cli import app as cli
from service.settings import Settings
from tests.api.conftest import TestClient, api_settings, done, make_tokens, send
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    at,
    close_day,
    detector_rows,
    given_asset,
    given_disclosure_request,
    given_hall,
    given_staff,
    given_working_day,
    open_day,
    positions,
    rebuild_detector,
    run_detector,
)
from tests.projections.support import project


@pytest.mark.rules("ART2.3")
def test_a_deadline_on_the_provisional_2027_calendar_is_flagged_over_http(
    settings: Settings, ledger: HallLedger, clock: FakeClock
) -> None:
    """Accepted Mon 28 Dec 2026 with 5 working days: Dec 29–31 (1–3), 元旦 off, Jan 4–5 (4–5) —
    the deadline lies in 2027, whose schedule is not yet published."""
    hall = given_hall(ledger)
    given_staff(ledger, hall)
    app = create_app(api_settings(settings), ledger)
    tokens = make_tokens(app)
    client = TestClient(app)
    clock.set(at(12, 28, 10))

    def accepted() -> dict[str, object]:
        case = done(send(client, tokens, "staff", "/applications",
                         {"matter_code": "TAX-0101", "matter_name": "税务登记", "window_id": str(hall.tax_window),
                          "applicant_ref": "applicant-0001", "materials": ["营业执照副本"]}), 201)["id"]  # fmt: skip
        body = done(send(client, tokens, "staff", f"/applications/{case}/acceptance", {"committed_working_days": 5}))
        return dict(body["extra"])

    december = accepted()
    assert december["committed_deadline"] == "2027-01-05"
    assert december["deadline_provisional"] is True and december["provisional_years"] == [2027]
    clock.set(at(10, 12, 10))
    october = accepted()
    assert october["committed_deadline"] == "2026-10-19"
    assert october["deadline_provisional"] is False and october["provisional_years"] == []

    # the open applications on the work queue (电子监察) carry the same flag beside their due date
    project(ledger, "kpis")
    alerts = client.get("/api/v1/alerts", params={"kind": "application"}, headers=tokens.headers("hall_manager"))
    assert alerts.status_code == 200, alerts.text
    shown = {i["due_at"][:10]: (i["deadline_provisional"], i["provisional_years"]) for i in alerts.json()["items"]}
    assert shown == {"2027-01-05": (True, [2027]), "2026-10-19": (False, [])}


@pytest.mark.rules("ART2.4.2")
def test_a_candidate_on_a_deadline_in_the_provisional_year_says_so(ledger: HallLedger, clock: FakeClock) -> None:
    clock.set(at(1, 20, 9, year=2027))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    request = given_disclosure_request(ledger, wang, when=at(12, 14, 10))
    deadline = ledger.disclosure_request(request).deadline
    assert deadline == date(2027, 1, 12)
    given_working_day(ledger, date(2027, 1, 13), present=(wang,))
    found = [e for _, e in run_detector(ledger) if isinstance(e, Violation.Detected) and e.rule.startswith("ART2.4.2")]
    assert len(found) == 1
    assert "provisional 2027 working-day calendar" in found[0].evidence
    assert "2027 年暂定工作日历" in found[0].evidence


@pytest.mark.rules("ART6.5")
def test_detection_on_a_year_without_a_calendar_file_is_never_a_silent_guess(
    ledger: HallLedger, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Tue 4 Jan 2028: no cn-2028.toml. The detector goes on (a stalled follower judges nothing),
    but the day's row, the log and every candidate judged on it say Monday to Friday was assumed."""
    clock.set(at(1, 5, 9, year=2028))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    open_day(ledger, date(2028, 1, 4))
    close_day(ledger, date(2028, 1, 4))
    with caplog.at_level(logging.WARNING, logger="hall_ledger.detection"):
        found = [e for _, e in run_detector(ledger)]
    assert [(e.staff_id, e.item) for e in found] == [(wang, "absent"), (wang, "absent")]  # type: ignore[attr-defined]
    for candidate in found:
        assert "no working-day calendar for 2028" in candidate.evidence  # type: ignore[attr-defined]
        assert "工作日历缺 2028 年数据" in candidate.evidence  # type: ignore[attr-defined]
    assert any("no working-day calendar for 2028" in r.getMessage() for r in caplog.records)
    days = {key: doc for key, doc in detector_rows(ledger, "detection_days")}
    assert "2028" in str(days["2028-01-04"]) and "Monday to Friday" in str(days["2028-01-04"])
    assert rebuild_detector(ledger) == []


@pytest.mark.rules("ART2.4.2")
def test_a_correction_notice_after_seven_working_days_of_receipt_is_refused(ledger: HallLedger) -> None:
    """Received Wed 16 Sep 2026: Sep 17, 18 (1, 2), Sun 20 worked (3), Sep 21–24 (4–7). The notice
    is possible up to Thu 24 Sep; on Mon 28 Sep (after the Mid-Autumn days off) it is refused."""
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    late = given_disclosure_request(ledger, wang, when=at(9, 16, 10))
    in_time = given_disclosure_request(ledger, wang, when=at(9, 16, 11), requester_ref="requester-0002")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.request_disclosure_correction(
            CLERK, request_id=late, items=["所需信息的名称"], correction_due=date(2026, 10, 30),
            occurred_at=at(9, 28, 9),
        )  # fmt: skip
    assert refused.value.field == "occurred_at"
    assert "7 working days" in str(refused.value) and "2026-09-24" in str(refused.value)
    assert positions(ledger) == before, "nothing is written"
    ledger.request_disclosure_correction(
        CLERK,
        request_id=in_time,
        items=["所需信息的名称"],
        correction_due=date(2026, 10, 30),
        occurred_at=at(9, 24, 16),
    )
    assert ledger.disclosure_request(in_time).corrections == 1


@pytest.mark.rules("ART9.1")
def test_the_virus_check_interval_counts_working_days_over_the_national_day_week(
    ledger: HallLedger, clock: FakeClock
) -> None:
    """Checked Wed 30 Sep 2026; Oct 1–7 off; Oct 8, 9, Sat 10 (worked), 12, 13: the fifth working
    day is Tue 13 Oct, so the device is overdue at the close of the 14th — not on the 8th."""
    clock.set(at(10, 20))
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    computer = given_asset(ledger, hall, wang)
    checked = ledger.record_virus_check(
        CLERK, asset_id=computer, result="clean", tool="奇安信天擎", occurred_at=at(9, 30, 18)
    ).positions[0]
    for day in (8, 9, 10, 12, 13):
        given_working_day(ledger, date(2026, 10, day), present=(wang,))
    assert run_detector(ledger) == [], "the holiday week is no time anyone could check"
    lapsed = given_working_day(ledger, date(2026, 10, 14), present=(wang,))
    found = [e for _, e in run_detector(ledger)]
    assert [(e.item, e.causation, e.occurred_at) for e in found] == [  # type: ignore[attr-defined]
        ("virus_check_overdue", [checked, lapsed], at(10, 14, 0, 0))
    ]
    assert "5 个工作日" in found[0].evidence and "due by 2026-10-13" in found[0].evidence  # type: ignore[attr-defined]
    assert rebuild_detector(ledger) == []


@pytest.mark.rules("ART2.3")
def test_the_cli_shows_a_due_date_on_the_provisional_calendar_as_provisional(
    env: Settings, ledger: HallLedger, clock: FakeClock
) -> None:
    hall = given_hall(ledger)
    staff = given_staff(ledger, hall)
    for when, days in ((at(12, 28, 10), 5), (at(10, 12, 10), 5)):  # due 2027-01-05 (provisional), 2026-10-19
        clock.set(when)
        case = ledger.submit_application(
            CLERK, staff_id=staff, window_id=hall.tax_window, matter_code="TAX-0101", matter_name="税务登记",
            mode="general", applicant_ref="applicant-0001", materials=["营业执照副本"],
        ).id  # fmt: skip
        ledger.accept_application(CLERK, case_id=case, committed_working_days=days)
    project(ledger, "kpis")
    shown = CliRunner().invoke(cli, ["alerts", "--kind", "application"], env={"COLUMNS": "220"})
    assert shown.exit_code == 0, shown.output
    [january] = [line for line in shown.output.splitlines() if "2027-01-05" in line]
    assert "暂定 provisional 2027" in january
    [october] = [line for line in shown.output.splitlines() if "2026-10-19" in line]
    assert "provisional" not in october
