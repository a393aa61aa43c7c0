"""Article 9 (保密和安全保卫制度): the duty roster, substitutes, hand-overs and incidents (ART9.4),
virus checks and disclosed credentials (ART9.1), hazards (ART9.3, ART9.5, ART9.6) and the
after-work check (ART9.7, ART9.8).

*Given* 王芳 on lunch duty, *when* she cannot serve and names nobody, *then* nothing is
recorded: the post is never left empty (ART9.4).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.assets import Asset
from domain.duty import DutyShift, EndOfDayCheck
from domain.envelope import Actor
from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotFound, NotPermitted
from domain.policies.security import load_security_policy
from service.application import HallLedger
from tests.givens import (
    CLERK,
    INSPECTOR,
    MANAGER,
    WINDOW_LEAD,
    GivenHall,
    at,
    event_at,
    events_of,
    given_asset,
    given_duty_shift,
    given_hall,
    given_staff,
    positions,
    topics,
)

ENDPOINT_AGENT = Actor("endpoint-agent", "system")


def _people(ledger: HallLedger) -> tuple[GivenHall, UUID, UUID, UUID]:
    """The hall, 王芳 and 李娜 (tax windows) and 赵强 (security staff, not at a window)."""
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    zhao = given_staff(ledger, hall, staff_no="S090", name="赵强", employment="hall", posted=False)
    return hall, wang, li, zhao


def _last(ledger: HallLedger) -> Any:
    return event_at(ledger, positions(ledger))


# ── the roster (ART9.4) ──────────────────────────────────────────────────────


@pytest.mark.rules("ART9.4")
def test_a_rostered_shift_covers_its_slot_of_the_security_policy(ledger: HallLedger) -> None:
    _, wang, _, _ = _people(ledger)
    shift_id = given_duty_shift(ledger, wang, day=date(2026, 9, 29), slot="lunch")
    shift = ledger.duty_shift(shift_id)
    assert (shift.starts, shift.ends) == (at(9, 29, 11, 30), at(9, 29, 13, 0))
    assert shift.on_duty_at(at(9, 29, 12, 0)) == wang
    assigned = events_of(ledger, shift_id)[0]
    assert type(assigned) is DutyShift.Assigned
    assert (assigned.rule, assigned.policy, assigned.duty_role) == ("ART9.4@2026.1", "security@2026.1", "duty")


@pytest.mark.rules("ART9.4")
def test_whoever_cannot_serve_must_name_a_substitute(ledger: HallLedger) -> None:
    _, wang, _, _ = _people(ledger)
    shift_id = given_duty_shift(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.release_from_shift(
            CLERK, shift_id=shift_id, staff_id=wang, substitute_id=None, reason="孩子发烧", occurred_at=at(9, 29, 9)
        )
    assert (refused.value.rule, refused.value.field) == ("ART9.4@2026.1", "substitute_id")
    assert "never empty" in str(refused.value)
    assert positions(ledger) == before
    assert ledger.duty_shift(shift_id).on_duty_at(at(9, 29, 12, 0)) == wang


@pytest.mark.rules("ART9.4")
def test_an_incident_is_attributed_to_whoever_was_on_duty_at_that_instant(ledger: HallLedger) -> None:
    """王芳 serves until 12:00; 李娜 covers 12:00–13:00. A theft at 12:20 is on 李娜's watch."""
    _, wang, li, _ = _people(ledger)
    shift_id = given_duty_shift(ledger, wang)
    ledger.release_from_shift(
        CLERK, shift_id=shift_id, staff_id=wang, substitute_id=li, reason="12:00 须到医院",
        covers_from=at(9, 29, 12, 0), occurred_at=at(9, 29, 9, 0),
    )  # fmt: skip
    substitution = _last(ledger)
    assert type(substitution) is DutyShift.SubstituteArranged
    assert (substitution.covers_from, substitution.covers_until) == (at(9, 29, 12, 0), at(9, 29, 13, 0))

    early = ledger.report_duty_incident(
        WINDOW_LEAD, kind="damage", description="自助机屏幕被撞裂", location="大厅东侧", occurred_at=at(9, 29, 11, 45)
    )
    late = ledger.report_duty_incident(
        WINDOW_LEAD, kind="theft", description="咨询台一台平板电脑丢失", location="咨询台",
        occurred_at=at(9, 29, 12, 20),
    )  # fmt: skip
    assert early.extra["on_duty_staff_id"] == wang
    assert late.extra["on_duty_staff_id"] == li
    incident = _last(ledger)
    assert type(incident) is DutyShift.IncidentReported
    assert (incident.on_duty_staff_id, incident.rule, incident.occurred_at) == (li, "ART9.4@2026.1", at(9, 29, 12, 20))


@pytest.mark.rules("ART9.4")
def test_a_substitute_is_arranged_before_taking_over_never_back_dated(ledger: HallLedger) -> None:
    _, wang, li, _ = _people(ledger)
    shift_id = given_duty_shift(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.release_from_shift(
            WINDOW_LEAD, shift_id=shift_id, staff_id=wang, substitute_id=li, reason="临时外出",
            covers_from=at(9, 29, 12, 0), occurred_at=at(9, 29, 12, 10),
        )  # fmt: skip
    assert (refused.value.rule, refused.value.field) == ("ART9.4@2026.1", "covers_from")
    assert "empty" in str(refused.value)
    assert positions(ledger) == before
    # arranged now, the substitute covers from now on
    ledger.release_from_shift(
        WINDOW_LEAD,
        shift_id=shift_id,
        staff_id=wang,
        substitute_id=li,
        reason="临时外出",
        occurred_at=at(9, 29, 12, 10),
    )
    shift = ledger.duty_shift(shift_id)
    assert [(s["start"], s["staff_id"]) for s in shift.coverage] == [(at(9, 29, 11, 30), wang), (at(9, 29, 12, 10), li)]


@pytest.mark.rules("ART9.4")
def test_only_the_person_on_duty_is_released(ledger: HallLedger) -> None:
    _, wang, li, zhao = _people(ledger)
    shift_id = given_duty_shift(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.release_from_shift(
            MANAGER, shift_id=shift_id, staff_id=li, substitute_id=zhao, reason="x", occurred_at=at(9, 29, 9)
        )
    assert refused.value.field == "staff_id"
    with pytest.raises(InvalidInput) as self_substitute:
        ledger.release_from_shift(
            MANAGER, shift_id=shift_id, staff_id=wang, substitute_id=wang, reason="x", occurred_at=at(9, 29, 9)
        )
    assert self_substitute.value.field == "substitute_id"
    assert positions(ledger) == before


@pytest.mark.rules("ART9.4")
def test_nobody_is_on_duty_in_two_shifts_at_once(ledger: HallLedger) -> None:
    _, wang, li, _ = _people(ledger)
    shift_id = given_duty_shift(ledger, wang, slot="lunch")
    given_duty_shift(ledger, li, slot="lunch", duty_role="security")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as busy:
        ledger.release_from_shift(
            CLERK, shift_id=shift_id, staff_id=wang, substitute_id=li, reason="x", occurred_at=at(9, 29, 9)
        )
    assert (busy.value.field, busy.value.rule) == ("substitute_id", "ART9.4@2026.1")
    with pytest.raises(InvariantViolated) as overlapping:
        ledger.assign_shift(MANAGER, day=date(2026, 9, 29), slot="day", staff_id=wang, occurred_at=at(9, 20))
    assert overlapping.value.field == "staff_id"
    assert positions(ledger) == before


@pytest.mark.rules("ART9.4")
def test_a_slot_is_rostered_once_and_must_exist(ledger: HallLedger) -> None:
    _, wang, li, _ = _people(ledger)
    given_duty_shift(ledger, wang)
    before = positions(ledger)
    with pytest.raises(AlreadyExists):
        ledger.assign_shift(MANAGER, day=date(2026, 9, 29), slot="lunch", staff_id=li, occurred_at=at(9, 20))
    with pytest.raises(InvalidInput) as no_slot:
        ledger.assign_shift(MANAGER, day=date(2026, 9, 29), slot="tea_break", staff_id=li, occurred_at=at(9, 20))
    assert no_slot.value.field == "slot"
    with pytest.raises(InvalidInput) as no_role:
        ledger.assign_shift(
            MANAGER, day=date(2026, 9, 29), slot="night", staff_id=li, duty_role="cleaner", occurred_at=at(9, 20)
        )
    assert no_role.value.field == "duty_role"
    with pytest.raises(NotPermitted):
        ledger.assign_shift(WINDOW_LEAD, day=date(2026, 9, 29), slot="night", staff_id=li, occurred_at=at(9, 20))
    assert positions(ledger) == before


@pytest.mark.rules("ART9.4")
def test_shifts_hand_over_to_the_next_shift_once(ledger: HallLedger) -> None:
    """Saturday 3 October (National Day): 王芳 on day duty, 李娜 on the night; Sunday 赵强 takes the day."""
    _, wang, li, zhao = _people(ledger)
    day_shift = given_duty_shift(ledger, wang, day=date(2026, 10, 3), slot="day")
    night_shift = given_duty_shift(ledger, li, day=date(2026, 10, 3), slot="night")
    ledger.hand_over_shift(
        CLERK, shift_id=day_shift, to_shift_id=night_shift, notes="门窗已巡查,无异常", occurred_at=at(10, 3, 17, 2)
    )
    handed = _last(ledger)
    assert type(handed) is DutyShift.HandedOver
    assert (handed.from_staff_id, handed.to_staff_id, handed.to_shift_id) == (wang, li, night_shift)
    assert handed.rule == "ART9.4@2026.1"

    before = positions(ledger)
    with pytest.raises(InvariantViolated) as twice:
        ledger.hand_over_shift(CLERK, shift_id=day_shift, to_shift_id=night_shift, notes="again")
    assert twice.value.field == "shift_id"
    assert positions(ledger) == before
    lunch_next_week = given_duty_shift(ledger, zhao, day=date(2026, 10, 5), slot="lunch")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as not_next:
        ledger.hand_over_shift(
            CLERK, shift_id=night_shift, to_shift_id=lunch_next_week, notes="x", occurred_at=at(10, 4, 8, 30)
        )
    assert not_next.value.field == "to_shift_id"
    with pytest.raises(InvalidInput) as nobody:
        ledger.hand_over_shift(CLERK, shift_id=night_shift, notes="x", occurred_at=at(10, 4, 8, 30))
    assert nobody.value.field == "to_staff_id"
    assert positions(ledger) == before
    # a night before a working day hands over to the hall when it opens
    ledger.hand_over_shift(
        CLERK, shift_id=night_shift, to_staff_id=zhao, notes="夜间无异常", occurred_at=at(10, 4, 8, 30)
    )
    assert _last(ledger).to_staff_id == zhao


@pytest.mark.rules("ART9.4", "ART9.3")
def test_a_night_incident_belongs_to_the_night_shift_that_began_the_day_before(ledger: HallLedger) -> None:
    _, _, li, zhao = _people(ledger)
    given_duty_shift(ledger, li, day=date(2026, 10, 3), slot="night")
    given_duty_shift(ledger, zhao, day=date(2026, 10, 3), slot="night", duty_role="security")
    duty = ledger.report_duty_incident(
        INSPECTOR, kind="intrusion", description="非工作人员翻越后门进入办公区", location="后门",
        occurred_at=at(10, 4, 2, 10),
    )  # fmt: skip
    guard = ledger.report_duty_incident(
        INSPECTOR, kind="intrusion", description="同一事件(安保记录)", location="后门", duty_role="security",
        occurred_at=at(10, 4, 2, 10),
    )  # fmt: skip
    assert (duty.extra["on_duty_staff_id"], guard.extra["on_duty_staff_id"]) == (li, zhao)


@pytest.mark.rules("ART9.4")
def test_an_incident_outside_every_shift_is_refused(ledger: HallLedger) -> None:
    _, wang, _, _ = _people(ledger)
    shift_id = given_duty_shift(ledger, wang)
    before = positions(ledger)
    with pytest.raises(NotFound) as no_shift:
        ledger.report_duty_incident(
            WINDOW_LEAD, kind="fire", description="插线板冒烟", location="W07", occurred_at=at(9, 29, 15, 0)
        )
    assert no_shift.value.field == "shift_id"
    with pytest.raises(InvariantViolated) as outside:
        ledger.report_duty_incident(
            WINDOW_LEAD, kind="fire", description="插线板冒烟", location="W07", shift_id=shift_id,
            occurred_at=at(9, 29, 15, 0),
        )  # fmt: skip
    assert outside.value.field == "occurred_at"
    with pytest.raises(InvalidInput) as kind:
        ledger.report_duty_incident(
            WINDOW_LEAD, kind="ghost", description="x", location="W07", occurred_at=at(9, 29, 12, 0)
        )
    assert kind.value.field == "kind"
    assert positions(ledger) == before


# ── ART9.1: virus checks, disclosed credentials ──────────────────────────────


@pytest.mark.rules("ART9.1")
def test_virus_checks_are_facts_on_the_computer_they_checked(ledger: HallLedger) -> None:
    hall, wang, _, _ = _people(ledger)
    pc = given_asset(ledger, hall, wang, asset_no="BH-PC-0007")
    ledger.record_virus_check(
        ENDPOINT_AGENT, asset_id=pc, result="clean", tool="终端安全管理系统 v5", occurred_at=at(9, 21, 18)
    )
    ledger.record_virus_check(
        CLERK, asset_id=pc, result="threats_found", threats=["Trojan.Win32.Agent"], action="已隔离并全盘复查",
        tool="终端安全管理系统 v5", occurred_at=at(9, 28, 18),
    )  # fmt: skip
    checks = [e for e in events_of(ledger, pc) if type(e) is Asset.VirusChecked]
    assert [(c.result, c.threats, c.rule) for c in checks] == [
        ("clean", [], "ART9.1@2026.1"),
        ("threats_found", ["Trojan.Win32.Agent"], "ART9.1@2026.1"),
    ]
    assert ledger.asset(pc).last_virus_check == {"at": at(9, 28, 18), "result": "threats_found"}
    # "regular" is policy data: the detector flags a computer unchecked for longer (ART9.1 virus_check_overdue)
    assert load_security_policy().virus_check_interval_working_days == 5


@pytest.mark.rules("ART9.1")
@pytest.mark.parametrize(
    ("result", "threats", "action", "field"),
    [
        ("threats_found", ["Worm.Autorun"], "", "action"),  # 发现病毒应立即处理
        ("threats_found", [], "已隔离", "threats"),
        ("clean", ["Worm.Autorun"], "", "threats"),
        ("probably_fine", [], "", "result"),
    ],
)
def test_a_virus_found_is_named_and_acted_on(
    ledger: HallLedger, result: str, threats: list[str], action: str, field: str
) -> None:
    hall, wang, _, _ = _people(ledger)
    pc = given_asset(ledger, hall, wang)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.record_virus_check(CLERK, asset_id=pc, result=result, threats=threats, action=action, tool="杀毒软件")
    assert refused.value.field == field
    assert positions(ledger) == before


@pytest.mark.rules("ART9.1")
def test_only_computers_and_servers_are_virus_checked(ledger: HallLedger) -> None:
    hall, wang, _, _ = _people(ledger)
    printer = given_asset(ledger, hall, wang, asset_no="BH-PR-0002", category="printer")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.record_virus_check(CLERK, asset_id=printer, result="clean", tool="杀毒软件")
    assert refused.value.field == "asset_id"
    with pytest.raises(NotFound) as unknown:
        ledger.record_virus_check(CLERK, asset_id=uuid4(), result="clean", tool="杀毒软件")
    assert unknown.value.field == "asset_id"
    assert positions(ledger) == before


@pytest.mark.rules("ART9.1")
def test_disclosed_credentials_are_reported_and_reset_once(ledger: HallLedger) -> None:
    _, wang, _, _ = _people(ledger)
    incident = ledger.report_credential_incident(
        WINDOW_LEAD, system="金税三期征管系统", account_holder_id=wang, disclosed_by_id=wang,
        disclosed_to="来办事的代理记账人员", how="口头告知密码以便其自行查询", occurred_at=at(9, 28, 10),
    ).id  # fmt: skip
    reported = events_of(ledger, incident)[0]
    assert (reported.rule, reported.disclosed_by_id) == ("ART9.1@2026.1", wang)
    assert not hasattr(reported, "password"), "the ledger never holds the secret itself"
    before = positions(ledger)
    with pytest.raises(NotPermitted):
        ledger.record_credentials_reset(CLERK, incident_id=incident, note="已改密")
    assert positions(ledger) == before
    ledger.record_credentials_reset(
        MANAGER, incident_id=incident, note="账号密码已重置,权限复核", occurred_at=at(9, 28, 11)
    )
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.record_credentials_reset(MANAGER, incident_id=incident, note="again")
    with pytest.raises(NotFound) as unknown:
        ledger.report_credential_incident(WINDOW_LEAD, system="x", account_holder_id=uuid4(), disclosed_to="x", how="x")
    assert unknown.value.field == "account_holder_id"
    assert positions(ledger) == before


# ── ART9.7, ART9.8: after work ───────────────────────────────────────────────


@pytest.mark.rules("ART9.7", "ART9.8")
def test_the_after_work_check_records_every_item_and_the_rule_it_evidences(ledger: HallLedger) -> None:
    hall, wang, _, _ = _people(ledger)
    check_id = ledger.record_end_of_day_check(
        INSPECTOR, window_id=hall.tax_window, staff_id=wang, note="主机未关,已代为关闭",
        checks={"power_off": False, "locked": True, "classified_secured": True}, occurred_at=at(9, 29, 17, 40),
    ).id  # fmt: skip
    recorded = events_of(ledger, check_id)[0]
    assert type(recorded) is EndOfDayCheck.Recorded
    assert recorded.rules == {
        "power_off": "ART9.7@2026.1",
        "locked": "ART9.8@2026.1",
        "classified_secured": "ART9.8@2026.1",
    }
    assert (recorded.day, recorded.policy) == (date(2026, 9, 29), "security@2026.1")
    check = ledger.repository.get(check_id)
    assert check.failed == ["power_off"]


@pytest.mark.rules("ART9.8")
def test_an_after_work_check_answers_every_item_once_per_window_and_day(ledger: HallLedger) -> None:
    hall, _, _, _ = _people(ledger)
    before = positions(ledger)
    incomplete = {"power_off": True, "locked": True}
    unknown = {"power_off": True, "locked": True, "classified_secured": True, "kettle_unplugged": True}
    for checks in (incomplete, unknown):
        with pytest.raises(InvalidInput) as refused:
            ledger.record_end_of_day_check(
                INSPECTOR, window_id=hall.tax_window, checks=checks, occurred_at=at(9, 29, 18)
            )
        assert refused.value.field == "checks"
    assert positions(ledger) == before
    complete = {"power_off": True, "locked": False, "classified_secured": False}
    ledger.record_end_of_day_check(INSPECTOR, window_id=hall.tax_window, checks=complete, occurred_at=at(9, 29, 18))
    before = positions(ledger)
    with pytest.raises(AlreadyExists):
        ledger.record_end_of_day_check(INSPECTOR, window_id=hall.tax_window, checks=complete, occurred_at=at(9, 29, 19))
    assert positions(ledger) == before
    ledger.record_end_of_day_check(INSPECTOR, window_id=hall.tax_window, checks=complete, occurred_at=at(9, 30, 18))


# ── ART9.3, ART9.5, ART9.6: hazards ──────────────────────────────────────────


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        pytest.param("non_staff_in_work_area", "ART9.3", marks=pytest.mark.rules("ART9.3")),
        pytest.param("power_strip_loose", "ART9.5", marks=pytest.mark.rules("ART9.5")),
        pytest.param("water_near_power", "ART9.5", marks=pytest.mark.rules("ART9.5")),
        pytest.param("hazardous_appliance", "ART9.6", marks=pytest.mark.rules("ART9.6")),
    ],
)
def test_a_hazard_is_reported_under_its_rule_and_resolved_once(ledger: HallLedger, kind: str, rule: str) -> None:
    hall, wang, _, _ = _people(ledger)
    hazard = ledger.report_hazard(
        INSPECTOR, kind=kind, location="W07 柜台内", window_id=hall.tax_window, staff_id=wang,
        description="巡查发现", occurred_at=at(9, 29, 10),
    ).id  # fmt: skip
    assert events_of(ledger, hazard)[0].rule == f"{rule}@2026.1"
    ledger.resolve_hazard(WINDOW_LEAD, hazard_id=hazard, action="当场整改", occurred_at=at(9, 29, 10, 30))
    assert topics(ledger)[-2:] == ["Reported", "Resolved"]
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.resolve_hazard(WINDOW_LEAD, hazard_id=hazard, action="again")
    assert positions(ledger) == before


@pytest.mark.rules("ART9.6")
def test_an_unknown_hazard_kind_is_refused(ledger: HallLedger) -> None:
    _people(ledger)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.report_hazard(INSPECTOR, kind="bad_vibes", location="大厅", description="x")
    assert refused.value.field == "kind"
    assert positions(ledger) == before


@pytest.mark.rules("ART9.4")
def test_substitutions_lie_within_a_shift_that_has_not_ended(ledger: HallLedger) -> None:
    _, wang, li, _ = _people(ledger)
    shift_id = given_duty_shift(ledger, wang)
    before = positions(ledger)
    with pytest.raises(InvalidInput) as outside:
        ledger.release_from_shift(
            CLERK, shift_id=shift_id, staff_id=wang, substitute_id=li, reason="x",
            covers_from=at(9, 29, 12), covers_until=at(9, 29, 14), occurred_at=at(9, 29, 9),
        )  # fmt: skip
    assert outside.value.field == "covers_from"
    with pytest.raises(InvalidInput) as naive:
        ledger.release_from_shift(
            CLERK, shift_id=shift_id, staff_id=wang, substitute_id=li, reason="x",
            covers_from=datetime(2026, 9, 29, 12), occurred_at=at(9, 29, 9),
        )  # fmt: skip
    assert naive.value.field == "covers_from"
    with pytest.raises(InvariantViolated) as ended:
        ledger.release_from_shift(
            CLERK, shift_id=shift_id, staff_id=wang, substitute_id=li, reason="x", occurred_at=at(9, 29, 13, 5)
        )
    assert ended.value.field == "shift_id"
    assert positions(ledger) == before


@pytest.mark.rules("ART9.4")
def test_the_next_shift_is_taken_over_by_whoever_is_on_duty_there(ledger: HallLedger) -> None:
    _, wang, li, zhao = _people(ledger)
    day_shift = given_duty_shift(ledger, wang, day=date(2026, 10, 3), slot="day")
    night_shift = given_duty_shift(ledger, li, day=date(2026, 10, 3), slot="night")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as wrong_person:
        ledger.hand_over_shift(
            CLERK, shift_id=day_shift, to_shift_id=night_shift, to_staff_id=zhao, notes="x", occurred_at=at(10, 3, 17)
        )
    assert wrong_person.value.field == "to_staff_id"
    assert positions(ledger) == before
    # 李娜 cannot serve the night; 赵强 does — and so takes over from 王芳
    ledger.release_from_shift(
        CLERK, shift_id=night_shift, staff_id=li, substitute_id=zhao, reason="家中有事", occurred_at=at(10, 3, 12)
    )
    ledger.hand_over_shift(
        CLERK, shift_id=day_shift, to_shift_id=night_shift, to_staff_id=zhao, notes="无异常", occurred_at=at(10, 3, 17)
    )
    assert event_at(ledger, positions(ledger)).to_staff_id == zhao
