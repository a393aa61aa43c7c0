"""The hall simulator: deterministic, every process of the regulation, no unintended refusals,
record time moving forward — on both stores. Small profiles and a few days keep it quick."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.calendar import national_calendar
from projections.envelope import envelope
from projections.registry import all_models
from service.application import HallLedger, open_ledger
from service.eventlog import iter_events
from service.settings import Settings
from service.simulation import HallSimulator, SimulationRefusal, demo_profile, standard_profile
from service.simulation.base import at
from service.simulation.engine import first_of, last_day
from service.simulation.profile import MANAGER
from tests.conftest import make_sqlite_settings
from tests.simulation.conftest import sim_clock

#: a week that ends a month: the assessment of October is published on 3 November
WEEK_START = date(2026, 10, 28)

#: the aggregates whose events make up every process of the regulation
FAMILIES = {
    "Hall", "Department", "Window", "StaffMember",  # organisation, postings (Art. 8)
    "HallDay",  # business days, closed for detection
    "Inquiry",  # first inquiries (ART2.1)
    "ServiceCase",  # applications, one-time notices, deadlines (ART2.2, ART2.3, ART7.2, ART7.6)
    "DisclosureRequest", "Publication",  # disclosure (ART2.4)
    "Consultation", "DataSubject",  # consultations, sealed and erased personal data (ART2.5, PIPL)
    "AttendanceDay", "LeaveRequest",  # attendance and leave (ART6.5, ART7.5)
    "DutyShift", "EndOfDayCheck", "Hazard", "CredentialIncident",  # security (Art. 9)
    "CleaningRequest",  # environment (ART4.2)
    "Asset", "InventoryCount",  # assets (ART5.2, ART10.1)
    "InspectionRound", "Violation",  # supervision (ART11.1) and breaches
    "Rating", "Complaint", "Praise", "Commendation",  # evaluation (ART11)
    "Appeal", "AssessmentPeriod",  # appeals, assessment (ART11)
}  # fmt: skip

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def detection_registered() -> bool:
    return any(model.name == "detection" for model in all_models())


def canonical_log(app: HallLedger) -> list[dict[str, Any]]:
    """Every envelope, with random ids numbered by first appearance and sealed ciphertext
    commitments (random nonces) blanked: what must be identical between two runs."""
    names: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<id{len(names)}>")

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"subject", "commitment"}:
                return {"subject": value["subject"], "commitment": "<sealed>"}
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, str):
            return UUID_TEXT.sub(number, value)
        return value

    return [clean(envelope(event, position)) for position, event in iter_events(app)]


def simulate(settings: Settings, days: int, *, seed: int = 11, start: date = WEEK_START) -> HallLedger:
    app = open_ledger(settings, clock=sim_clock())
    report = HallSimulator(app, demo_profile(), seed=seed, start=start).run(days)
    assert report.refusals == []
    return app


def test_a_week_at_demo_scale_shows_every_process_of_the_regulation(sim_ledger: HallLedger) -> None:
    report = HallSimulator(sim_ledger, demo_profile(), seed=7, start=WEEK_START).run(5)
    assert report.refusals == [], "a refused command is a bug in the simulator"
    assert report.days == 5 and report.first_day == WEEK_START
    families = report.families()
    missing = FAMILIES - set(families)
    assert not missing, f"no events of {sorted(missing)}"
    if detection_registered():
        assert report.by_type["Violation.Detected"] > 0
        assert "CaseSupervision" in families
    types = report.by_type
    for kind in (
        "ServiceCase.OneTimeNoticeIssued", "ServiceCase.MaterialsResubmitted", "ServiceCase.ApplicationCompleted",
        "Inquiry.InquiryClosed", "Consultation.ConsultationRecorded",
        "DutyShift.SubstituteArranged", "DutyShift.HandedOver", "Asset.VirusChecked", "Asset.MoveFiled",
        "Asset.MovedWithoutFiling", "InspectionRound.CleanPassRecorded", "Violation.Confirmed",
        "AssessmentPeriod.Published", "Commendation.Awarded", "Appeal.Filed",
    ):  # fmt: skip
        assert types[kind] > 0, kind
    assert report.events == sum(types.values())


def test_the_same_seed_records_the_same_log(settings_for: Callable[[str], Settings]) -> None:
    """Same seed, same kind of store → the same events, envelopes equal apart from random ids."""
    logs = []
    for run in ("a", "b"):
        settings = settings_for(run)
        app = simulate(settings, 3)
        try:
            logs.append(canonical_log(app))
        finally:
            app.close()
    assert len(logs[0]) > 300
    assert logs[0] == logs[1]


def test_another_seed_records_another_hall_day(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = simulate(make_sqlite_settings(tmp_path / "one"), 1, seed=1)
    two = simulate(make_sqlite_settings(tmp_path / "two"), 1, seed=2)
    try:
        assert canonical_log(one) != canonical_log(two)
    finally:
        one.close()
        two.close()


def test_record_time_moves_forward_a_few_minutes_behind_the_facts(sim_ledger: HallLedger) -> None:
    HallSimulator(sim_ledger, demo_profile(), seed=3, start=WEEK_START).run(2)
    previous = None
    lags = Counter()
    for _, event in iter_events(sim_ledger):
        if event.actor.role == "system" and event.actor.id == "detector":
            continue  # the detector records at the time of the fact that revealed a breach
        if previous is not None:
            assert event.timestamp >= previous, "record time never runs backwards"
        previous = event.timestamp
        lag = (event.timestamp - event.occurred_at).total_seconds()
        assert lag >= 0, "nothing is recorded before it happened"
        if event.occurred_at.date() >= WEEK_START:  # the organisation before the run is back-dated
            lags["minutes" if lag <= 3600 else "later"] += 1
    assert lags["minutes"] > 10 * lags["later"], "most facts are keyed in within the hour"


def test_the_simulator_decides_what_the_escalation_read_model_says_is_due(sim_ledger: HallLedger) -> None:
    """Breaches counted on the ladder lead to admonishments the next morning, decided by the
    hall manager on the violations the read model names; remedies are completed."""
    profile = demo_profile()
    findings = tuple(replace(f, per_month=f.per_month * 8) for f in profile.rates.findings)
    profile = replace(profile, rates=replace(profile.rates, findings=findings, appealed=0.0))
    report = HallSimulator(sim_ledger, profile, seed=5, start=WEEK_START).run(8)
    assert report.refusals == []
    assert report.decisions["admonishment"] >= 1
    admonished = [e for _, e in iter_events(sim_ledger, types=["AdmonishmentIssued"])]
    for event in admonished:
        assert event.actor.role == "hall_manager"
        for violation_id in event.basis:
            violation = sim_ledger.violation(violation_id)
            assert violation.staff_id == event.originator_id and violation.status in ("confirmed", "revoked")
            assert violation.occurred < event.occurred_at
    assert report.by_type["StaffMember.RemedyCompleted"] >= 1


def test_a_refused_command_stops_the_run_and_names_it(sim_ledger: HallLedger) -> None:
    """The simulator never swallows a refusal it did not expect."""
    sim = HallSimulator(sim_ledger, demo_profile(), seed=7, start=WEEK_START)
    sim.run(1)
    zhao = sim.people["S003"]
    with pytest.raises(SimulationRefusal, match=r"post_staff .* refused"):
        sim.do(sim._current, sim_ledger.post_staff, MANAGER, staff_id=zhao.id, window_id=sim.windows["W03"].id,
               start=WEEK_START)  # fmt: skip
    assert sim.report.refusals and sim.report.refusals[-1][0] == "post_staff"


def test_the_standard_profile_is_the_hall_of_the_domain_at_scale() -> None:
    one, ten = standard_profile(1), standard_profile(10)
    assert len(one.departments) == 14 and len(one.windows) == 24
    assert len(one.window_staff) == 40
    assert sum(1 for s in one.staff if s.employment == "seconded") == 34
    assert len(one.staff) - len(one.window_staff) == 4  # security on the roster
    assert sum(1 for k in one.departments if k.uniformed) == 3
    assert one.rates.cases == 150 and one.rates.phone_inquiries == 60
    assert len(ten.windows) == 240 and len(ten.window_staff) == 400
    assert ten.rates.cases == 1500 and ten.rates.late == one.rates.late
    assert len({s.staff_no for s in ten.staff}) == len(ten.staff)
    assert len({s.name for s in ten.staff}) == len(ten.staff)


def test_a_day_of_the_standard_hall(sqlite_settings: Settings) -> None:
    """×1: a working day of the 24-window hall, every command accepted."""
    app = open_ledger(sqlite_settings, clock=sim_clock())
    try:
        report = HallSimulator(app, standard_profile(1), seed=7, start=WEEK_START).run(1)
    finally:
        app.close()
    assert report.refusals == []
    types = report.by_type
    assert 90 <= types["ServiceCase.ApplicationSubmitted"] <= 260
    assert types["AttendanceDay.Opened"] >= 30
    assert 400 <= types["Asset.Registered"] <= 440  # ≈ 420 items on the books (DOMAIN-RESEARCH §6)


def test_a_run_ending_in_the_present_ends_on_the_last_working_day_whose_hall_has_opened() -> None:
    """The demo's weeks end today (hall time) when the hall has opened by the present less
    ``LOOKAHEAD``; before that, or on a rest day, on the working day before (docs/simulation.md)."""
    calendar = national_calendar()
    tuesday = date(2026, 12, 8)
    assert last_day(calendar, at(tuesday, 14, 0)) == tuesday
    assert last_day(calendar, at(tuesday, 21, 0)) == tuesday
    assert last_day(calendar, at(tuesday, 9, 0)) == date(2026, 12, 7), "not opened three hours before 09:00"
    assert last_day(calendar, at(date(2026, 12, 12), 15, 0)) == date(2026, 12, 11), "a Saturday: the Friday"
    # 2026-10-10 (Sat) is an adjusted working day; 2026-10-01..07 are the National Day holidays
    assert last_day(calendar, at(date(2026, 10, 8), 8, 0)) == date(2026, 9, 30)
    assert first_of(calendar, tuesday, 20) == date(2026, 11, 11)
    assert first_of(calendar, tuesday, 1) == tuesday
