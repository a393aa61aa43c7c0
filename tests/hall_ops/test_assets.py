"""ART10.1 (固定资产专人保管、定期清查盘点、统一建帐) and ART5.2 (挪动办公用品须备案).

*Given* a computer on the hall's books in 王芳's care, *when* someone moves it without a
filing through the hall, *then* the move is refused; *when* the hall finds it moved
anyway, *then* that is recorded as the fact it is, for the detector to flag.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.assets import WRITTEN_OFF, Asset, InventoryCount
from domain.errors import AlreadyExists, InvalidInput, InvariantViolated, NotPermitted
from service.application import HallLedger
from service.commands.assets import FoundItem, MissingItem, SurplusItem
from tests.givens import (
    CLERK,
    COMMITTEE,
    INSPECTOR,
    MANAGER,
    WINDOW_LEAD,
    GivenHall,
    at,
    event_at,
    events_of,
    given_asset,
    given_hall,
    given_staff,
    positions,
    topics,
)


def _tax_people(ledger: HallLedger) -> tuple[GivenHall, UUID, UUID, UUID]:
    """The hall; 王芳 and 李娜 of the tax department; 陈晨 of market regulation."""
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.tax_window_2)
    chen = given_staff(ledger, hall, staff_no="S003", name="陈晨", department=hall.market, window=hall.market_window)
    return hall, wang, li, chen


def _last(ledger: HallLedger) -> Any:
    return event_at(ledger, positions(ledger))


# ── the books and custodians (ART10.1) ───────────────────────────────────────


@pytest.mark.rules("ART10.1")
def test_an_asset_is_booked_with_the_custodian_its_department_named(ledger: HallLedger) -> None:
    hall, wang, _, _ = _tax_people(ledger)
    outcome = ledger.register_asset(
        MANAGER, asset_no="BH-PC-0007", category="computer", description="联想台式机 M720", value=Decimal("4800.00"),
        department_id=hall.tax, window_id=hall.tax_window, custodian_id=wang, designation_ref="税务局〔2025〕3号",
        occurred_at=at(3, 2, year=2025),
    )  # fmt: skip
    assert outcome.id == ledger.asset_id("BH-PC-0007"), "the hall's asset number is the identity"
    registered = events_of(ledger, outcome.id)[0]
    assert type(registered) is Asset.Registered
    assert (registered.value, registered.custodian_id, registered.rule) == (Decimal("4800.00"), wang, "ART10.1@2026.1")
    asset = ledger.asset(outcome.id)
    assert (asset.window_id, asset.department_id, asset.custodian_id) == (hall.tax_window, hall.tax, wang)


@pytest.mark.rules("ART10.1")
def test_the_custodian_comes_from_the_assets_department(ledger: HallLedger) -> None:
    hall, _, _, chen = _tax_people(ledger)
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.register_asset(
            MANAGER, asset_no="BH-PC-0008", category="computer", description="台式机", value=Decimal("4800"),
            department_id=hall.tax, window_id=hall.tax_window, custodian_id=chen,
        )  # fmt: skip
    assert (refused.value.rule, refused.value.field) == ("ART10.1@2026.1", "custodian_id")
    with pytest.raises(InvariantViolated) as other_window:
        ledger.register_asset(
            MANAGER, asset_no="BH-PC-0008", category="computer", description="台式机", value=Decimal("4800"),
            department_id=hall.market, window_id=hall.tax_window, custodian_id=chen,
        )  # fmt: skip
    assert other_window.value.field == "window_id"
    with pytest.raises(InvalidInput) as no_value:
        ledger.register_asset(
            MANAGER, asset_no="BH-PC-0008", category="computer", description="台式机", value=Decimal("0"),
            department_id=hall.tax, window_id=hall.tax_window, custodian_id=chen,
        )  # fmt: skip
    assert no_value.value.field == "value"
    with pytest.raises(NotPermitted):
        ledger.register_asset(
            WINDOW_LEAD, asset_no="BH-PC-0008", category="computer", description="台式机", value=Decimal("4800"),
            department_id=hall.tax, window_id=hall.tax_window, custodian_id=chen,
        )  # fmt: skip
    assert positions(ledger) == before


@pytest.mark.rules("ART10.1")
def test_one_custodian_at_a_time(ledger: HallLedger) -> None:
    hall, wang, li, chen = _tax_people(ledger)
    pc = given_asset(ledger, hall, wang)
    ledger.designate_custodian(WINDOW_LEAD, asset_id=pc, custodian_id=li, designation_ref="税务局〔2026〕9号")
    designated = _last(ledger)
    assert type(designated) is Asset.CustodianDesignated
    assert (designated.custodian_id, designated.previous_custodian_id) == (li, wang)
    assert ledger.asset(pc).custodian_id == li
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as again:
        ledger.designate_custodian(WINDOW_LEAD, asset_id=pc, custodian_id=li)
    assert "already the custodian" in str(again.value)
    with pytest.raises(InvariantViolated) as foreign:
        ledger.designate_custodian(WINDOW_LEAD, asset_id=pc, custodian_id=chen)
    assert foreign.value.field == "custodian_id"
    assert positions(ledger) == before


@pytest.mark.rules("ART10.1")
def test_an_asset_number_is_booked_once(ledger: HallLedger) -> None:
    hall, wang, _, _ = _tax_people(ledger)
    given_asset(ledger, hall, wang)
    before = positions(ledger)
    with pytest.raises(AlreadyExists):
        given_asset(ledger, hall, wang)
    assert positions(ledger) == before


# ── moves (ART5.2) ───────────────────────────────────────────────────────────


@pytest.mark.rules("ART5.2")
def test_a_move_through_the_hall_needs_a_filing_first(ledger: HallLedger) -> None:
    hall, wang, _, _ = _tax_people(ledger)
    printer = given_asset(ledger, hall, wang, asset_no="BH-PR-0002", category="printer")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.move_asset(CLERK, asset_id=printer, filing_ref=None)
    assert (refused.value.rule, refused.value.field) == ("ART5.2@2026.1", "filing_ref")
    with pytest.raises(InvariantViolated) as unknown_filing:
        ledger.move_asset(CLERK, asset_id=printer, filing_ref="备案-2026-031")
    assert unknown_filing.value.field == "filing_ref"
    assert positions(ledger) == before

    ledger.file_asset_move(
        MANAGER, asset_id=printer, filing_ref="备案-2026-031", to_window_id=hall.tax_window_2,
        reason="发票窗口打印量大", occurred_at=at(9, 28, 9),
    )  # fmt: skip
    ledger.move_asset(CLERK, asset_id=printer, filing_ref="备案-2026-031", occurred_at=at(9, 28, 14))
    moved = _last(ledger)
    assert type(moved) is Asset.Moved
    assert (moved.from_window_id, moved.to_window_id, moved.rule) == (
        hall.tax_window,
        hall.tax_window_2,
        "ART5.2@2026.1",
    )
    assert ledger.asset(printer).window_id == hall.tax_window_2
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as used:
        ledger.move_asset(CLERK, asset_id=printer, filing_ref="备案-2026-031")
    assert "already carried out" in str(used.value)
    assert positions(ledger) == before


@pytest.mark.rules("ART5.2")
def test_a_filing_stays_within_the_department_and_only_the_hall_files(ledger: HallLedger) -> None:
    hall, wang, _, _ = _tax_people(ledger)
    printer = given_asset(ledger, hall, wang, asset_no="BH-PR-0002", category="printer")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as other_department:
        ledger.file_asset_move(
            MANAGER, asset_id=printer, filing_ref="备案-2026-032", to_window_id=hall.market_window, reason="借用"
        )
    assert other_department.value.field == "to_window_id"
    with pytest.raises(NotPermitted):
        ledger.file_asset_move(
            WINDOW_LEAD, asset_id=printer, filing_ref="备案-2026-032", to_window_id=hall.tax_window_2, reason="x"
        )
    assert positions(ledger) == before


@pytest.mark.rules("ART5.2")
def test_a_move_found_without_a_filing_is_recorded_as_the_fact_it_is(ledger: HallLedger) -> None:
    hall, wang, li, _ = _tax_people(ledger)
    scanner = given_asset(ledger, hall, wang, asset_no="BH-SC-0003", category="document_camera")
    ledger.record_unfiled_move(
        INSPECTOR, asset_id=scanner, found_window_id=hall.tax_window_2, moved_by_id=li,
        evidence="巡查发现高拍仪在W08,未见备案;李娜称上午自行搬来", occurred_at=at(9, 29, 10, 30),
    )  # fmt: skip
    found = _last(ledger)
    assert type(found) is Asset.MovedWithoutFiling
    assert (found.from_window_id, found.to_window_id, found.moved_by_id) == (hall.tax_window, hall.tax_window_2, li)
    assert found.rule == "ART5.2@2026.1"
    assert ledger.asset(scanner).window_id == hall.tax_window_2, "the books follow where it stands"
    before = positions(ledger)
    with pytest.raises(InvalidInput) as same_place:
        ledger.record_unfiled_move(INSPECTOR, asset_id=scanner, found_window_id=hall.tax_window_2, evidence="x")
    assert same_place.value.field == "found_window_id"
    assert positions(ledger) == before


# ── inventory counts (ART10.1) ───────────────────────────────────────────────


def _three_assets(ledger: HallLedger) -> tuple[GivenHall, UUID, UUID, UUID, UUID]:
    hall, wang, li, _ = _tax_people(ledger)
    pc = given_asset(ledger, hall, wang, asset_no="BH-PC-0007")
    printer = given_asset(ledger, hall, wang, asset_no="BH-PR-0002", category="printer")
    reader = given_asset(ledger, hall, li, asset_no="BH-ID-0011", category="id_reader", window=hall.tax_window_2)
    return hall, pc, printer, reader, li


@pytest.mark.rules("ART10.1")
def test_a_count_closes_only_when_its_discrepancies_are_settled(ledger: HallLedger) -> None:
    """Q3 spot check: the PC is found, the printer stands at W08, the ID reader is missing, a
    monitor without a tag turns up (盘盈). Closing waits for every discrepancy."""
    hall, pc, printer, reader, li = _three_assets(ledger)
    count = ledger.open_inventory_count(
        MANAGER, reference="2026年第三季度抽查", asset_ids=[pc, printer, reader], occurred_at=at(9, 30, 9)
    ).id
    results = ledger.record_count_results(
        MANAGER,
        count_id=count,
        found=[FoundItem(pc, hall.tax_window), FoundItem(printer, hall.tax_window_2)],
        missing=[MissingItem(reader, note="W08 未见身份证读卡器")],
        surplus=[SurplusItem("显示器(无资产标签)", window_id=hall.tax_window_2)],
        occurred_at=at(9, 30, 10),
    )
    shortage, surplus = results.extra["discrepancy_ids"]
    kinds = [type(e).__name__ for e in events_of(ledger, count)]
    assert kinds == ["Opened", "ItemFound", "ItemFound", "ItemMissing", "SurplusFound"]
    found = [e for e in events_of(ledger, count) if type(e) is InventoryCount.ItemFound]
    assert [f.matches_books for f in found] == [True, False], "the printer stands elsewhere than the books say"
    missing = next(e for e in events_of(ledger, count) if type(e) is InventoryCount.ItemMissing)
    assert (missing.custodian_id, missing.rule) == (li, "ART10.1@2026.1")

    before = positions(ledger)
    with pytest.raises(InvariantViolated) as refused:
        ledger.close_inventory_count(MANAGER, count_id=count)
    assert (refused.value.rule, refused.value.field) == ("ART10.1@2026.1", "discrepancies")
    assert positions(ledger) == before

    ledger.resolve_count_discrepancy(
        MANAGER, count_id=count, discrepancy_id=surplus, resolution="not_hall_property", note="税务局自有设备,已登记"
    )
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.close_inventory_count(MANAGER, count_id=count)
    assert positions(ledger) == before

    written = ledger.write_off_count_discrepancies(
        COMMITTEE,
        count_id=count,
        discrepancy_ids=[shortage],
        approval_ref="管委会〔2026〕21号",
        occurred_at=at(10, 8, 8),
    )
    assert topics(ledger, written.positions[0] - 1) == ["DiscrepanciesWrittenOff", "WrittenOff"]
    assert len(written.positions) == 2, "the count and the asset change in one transaction"
    assert ledger.asset(reader).status == WRITTEN_OFF
    ledger.close_inventory_count(MANAGER, count_id=count)
    closed = _last(ledger)
    assert (closed.found, closed.missing, closed.surplus) == (2, 1, 1)


@pytest.mark.rules("ART10.1")
def test_a_missing_item_located_after_all_settles_its_discrepancy(ledger: HallLedger) -> None:
    _, pc, _, _, _ = _three_assets(ledger)
    count = ledger.open_inventory_count(MANAGER, reference="抽查", asset_ids=[pc]).id
    shortage = ledger.record_count_results(MANAGER, count_id=count, missing=[MissingItem(pc)]).extra["discrepancy_ids"][
        0
    ]
    before = positions(ledger)
    with pytest.raises(InvalidInput) as wrong:
        ledger.resolve_count_discrepancy(
            MANAGER, count_id=count, discrepancy_id=shortage, resolution="not_hall_property", note="x"
        )
    assert wrong.value.field == "resolution"
    assert positions(ledger) == before
    ledger.resolve_count_discrepancy(
        MANAGER, count_id=count, discrepancy_id=shortage, resolution="located", note="在维修间找到"
    )
    ledger.close_inventory_count(MANAGER, count_id=count)
    closed = _last(ledger)
    assert (closed.found, closed.missing) == (1, 0)
    assert ledger.asset(pc).status == "in_service"


@pytest.mark.rules("ART10.1")
def test_every_item_of_the_scope_is_counted_once(ledger: HallLedger) -> None:
    hall, pc, printer, reader, _ = _three_assets(ledger)
    count = ledger.open_inventory_count(MANAGER, reference="抽查", asset_ids=[pc, printer]).id
    ledger.record_count_results(MANAGER, count_id=count, found=[FoundItem(pc, hall.tax_window)])
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as uncounted:
        ledger.close_inventory_count(MANAGER, count_id=count)
    assert "not counted" in str(uncounted.value)
    with pytest.raises(InvariantViolated) as twice:
        ledger.record_count_results(MANAGER, count_id=count, missing=[MissingItem(pc)])
    assert twice.value.field == "missing"
    with pytest.raises(InvalidInput) as outside:
        ledger.record_count_results(MANAGER, count_id=count, found=[FoundItem(reader, hall.tax_window_2)])
    assert outside.value.field == "found"
    assert positions(ledger) == before


@pytest.mark.rules("ART10.1")
def test_only_the_hall_or_the_committee_writes_off(ledger: HallLedger) -> None:
    _, pc, _, _, _ = _three_assets(ledger)
    count = ledger.open_inventory_count(MANAGER, reference="抽查", asset_ids=[pc]).id
    shortage = ledger.record_count_results(MANAGER, count_id=count, missing=[MissingItem(pc)]).extra["discrepancy_ids"][
        0
    ]
    before = positions(ledger)
    for actor in (INSPECTOR, WINDOW_LEAD):
        with pytest.raises(NotPermitted):
            ledger.write_off_count_discrepancies(
                actor, count_id=count, discrepancy_ids=[shortage], approval_ref="管委会〔2026〕21号"
            )
    with pytest.raises(InvalidInput) as no_approval:
        ledger.write_off_count_discrepancies(MANAGER, count_id=count, discrepancy_ids=[shortage], approval_ref=" ")
    assert no_approval.value.field == "approval_ref"
    assert positions(ledger) == before
    assert ledger.asset(pc).status == "in_service"


@pytest.mark.rules("ART10.1", "ART5.2")
def test_a_written_off_item_has_left_the_books(ledger: HallLedger) -> None:
    hall, pc, _, _, _ = _three_assets(ledger)
    count = ledger.open_inventory_count(MANAGER, reference="抽查", asset_ids=[pc]).id
    shortage = ledger.record_count_results(MANAGER, count_id=count, missing=[MissingItem(pc)]).extra["discrepancy_ids"][
        0
    ]
    ledger.write_off_count_discrepancies(
        MANAGER, count_id=count, discrepancy_ids=[shortage], approval_ref="〔2026〕5号"
    )
    before = positions(ledger)
    with pytest.raises(InvariantViolated):
        ledger.record_virus_check(CLERK, asset_id=pc, result="clean", tool="杀毒软件")
    with pytest.raises(InvariantViolated):
        ledger.file_asset_move(MANAGER, asset_id=pc, filing_ref="备案-1", to_window_id=hall.tax_window_2, reason="x")
    with pytest.raises(InvariantViolated) as not_on_books:
        ledger.open_inventory_count(MANAGER, reference="年度盘点", asset_ids=[pc], kind="annual")
    assert not_on_books.value.field == "asset_ids"
    assert positions(ledger) == before


@pytest.mark.rules("ART5.2")
def test_a_filing_reference_is_used_once(ledger: HallLedger) -> None:
    hall, wang, _, _ = _tax_people(ledger)
    printer = given_asset(ledger, hall, wang, asset_no="BH-PR-0002", category="printer")
    ledger.file_asset_move(MANAGER, asset_id=printer, filing_ref="备案-7", to_window_id=hall.tax_window_2, reason="x")
    before = positions(ledger)
    with pytest.raises(InvariantViolated) as twice:
        ledger.file_asset_move(MANAGER, asset_id=printer, filing_ref="备案-7", to_location="库房", reason="x")
    assert twice.value.field == "filing_ref"
    with pytest.raises(InvalidInput) as nowhere:
        ledger.file_asset_move(MANAGER, asset_id=printer, filing_ref="备案-8", reason="x")
    assert nowhere.value.field == "to_window_id"
    assert positions(ledger) == before
