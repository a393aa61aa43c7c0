"""Fixed assets and office equipment (ART10.1, ART5.2): the books, custodians, filed moves, counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from domain import ids
from domain.assets import IN_SERVICE, Asset, BookEntry, Custodian, InventoryCount, Place
from domain.envelope import Actor
from domain.errors import InvalidInput
from domain.organisation import Department, Window
from domain.staff import LEFT, StaffMember
from service.app_base import LedgerApplicationBase, Outcome


@dataclass(frozen=True)
class FoundItem:
    """An asset found at a count, and where."""

    asset_id: UUID
    window_id: UUID | None = None
    location: str = ""


@dataclass(frozen=True)
class MissingItem:
    asset_id: UUID
    note: str = ""


@dataclass(frozen=True)
class SurplusItem:
    """盘盈: an item found that is not on the books."""

    description: str
    tag: str = ""
    window_id: UUID | None = None
    location: str = ""


class AssetCommands(LedgerApplicationBase):
    def asset_id(self, asset_no: str) -> UUID:
        return ids.derived_id("asset", self.settings.hall_id, asset_no)

    def asset(self, asset_id: UUID, *, field: str = "asset_id", expected_version: int | None = None) -> Asset:
        return self.load(Asset, asset_id, what="asset", field=field, expected_version=expected_version)

    def inventory_count(self, count_id: UUID, *, expected_version: int | None = None) -> InventoryCount:
        return self.load(
            InventoryCount, count_id, what="inventory count", field="count_id", expected_version=expected_version
        )

    def _custodian(self, staff_id: UUID) -> Custodian:
        staff = self.load(StaffMember, staff_id, what="staff member", field="custodian_id")
        return Custodian(staff.id, staff.department_id, staff.name, staff.status != LEFT)

    def _place(self, window_id: UUID | None, location: str, field: str, *, destination: bool = True) -> Place:
        """A window (with its department) and/or a location; an asset is put only at an open window."""
        if window_id is None:
            return Place(None, None, location)
        window = self.load(Window, window_id, what="window", field=field)
        if destination:
            window.check_open()
        return Place(window.id, window.department_id, location)

    def _book_entry(self, asset_id: UUID, field: str) -> BookEntry:
        a = self.asset(asset_id, field=field)
        return BookEntry(a.id, a.asset_no, a.window_id, a.location, a.custodian_id, a.status == IN_SERVICE)

    def register_asset(
        self,
        actor: Actor,
        *,
        asset_no: str,
        category: str,
        description: str,
        value: Decimal,
        department_id: UUID,
        custodian_id: UUID,
        window_id: UUID | None = None,
        location: str = "",
        acquired_on: date | None = None,
        designation_ref: str = "",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """统一建帐 (ART10.1): on the hall's books, with the custodian the department named."""
        ctx = self.context(actor, occurred_at)
        self.load(Department, department_id, what="department", field="department_id")
        _, ref = self.rule_in_force("ART10.1", ctx.occurred_at)
        asset = Asset.register(
            ctx,
            id=self.asset_id(asset_no),
            asset_no=asset_no,
            category=category,
            description=description,
            value=value,
            acquired_on=acquired_on,
            department_id=department_id,
            place=self._place(window_id, location, "window_id"),
            custodian=self._custodian(custodian_id),
            designation_ref=designation_ref,
            rule=str(ref),
        )
        return self.record(asset, created=[asset])

    def designate_custodian(
        self,
        actor: Actor,
        *,
        asset_id: UUID,
        custodian_id: UUID,
        designation_ref: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """指定保管人 (ART10.1): one custodian at a time; the new one replaces the previous one."""
        ctx = self.context(actor, occurred_at)
        asset = self.asset(asset_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART10.1", ctx.occurred_at)
        asset.designate_custodian(
            ctx, custodian=self._custodian(custodian_id), designation_ref=designation_ref, rule=str(ref)
        )
        return self.record(asset)

    # ── moves (ART5.2) ───────────────────────────────────────────────────────

    def file_asset_move(
        self,
        actor: Actor,
        *,
        asset_id: UUID,
        filing_ref: str,
        reason: str,
        to_window_id: UUID | None = None,
        to_location: str = "",
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """备案 (ART5.2): hall management files an adjustment before the item is moved."""
        ctx = self.context(actor, occurred_at)
        asset = self.asset(asset_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART5.2", ctx.occurred_at)
        asset.file_move(
            ctx,
            filing_ref=filing_ref,
            to=self._place(to_window_id, to_location, "to_window_id"),
            reason=reason,
            rule=str(ref),
        )
        return self.record(asset)

    def move_asset(
        self,
        actor: Actor,
        *,
        asset_id: UUID,
        filing_ref: str | None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Carry out a filed move; without a filing the move is refused (ART5.2)."""
        ctx = self.context(actor, occurred_at)
        asset = self.asset(asset_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART5.2", ctx.occurred_at)
        asset.move(ctx, filing_ref=filing_ref, rule=str(ref))
        return self.record(asset)

    def record_unfiled_move(
        self,
        actor: Actor,
        *,
        asset_id: UUID,
        evidence: str,
        found_window_id: UUID | None = None,
        found_location: str = "",
        moved_by_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """私自挪动: the hall found the item moved without a filing (a fact; the detector flags ART5.2)."""
        ctx = self.context(actor, occurred_at)
        asset = self.asset(asset_id, expected_version=expected_version)
        if moved_by_id is not None:
            self.load(StaffMember, moved_by_id, what="staff member", field="moved_by_id")
        found_at = self._place(found_window_id, found_location, "found_window_id", destination=False)
        _, ref = self.rule_in_force("ART5.2", ctx.occurred_at)
        asset.record_unfiled_move(ctx, found_at=found_at, moved_by_id=moved_by_id, evidence=evidence, rule=str(ref))
        return self.record(asset)

    # ── inventory counts (ART10.1) ───────────────────────────────────────────

    def open_inventory_count(
        self,
        actor: Actor,
        *,
        reference: str,
        asset_ids: Sequence[UUID],
        kind: str = "spot",
        occurred_at: datetime | None = None,
    ) -> Outcome:
        """清查盘点: the center office counts ``asset_ids`` (the whole books for an annual count)."""
        ctx = self.context(actor, occurred_at)
        _, ref = self.rule_in_force("ART10.1", ctx.occurred_at)
        scope = [self._book_entry(a, "asset_ids") for a in asset_ids]
        count = InventoryCount.open(ctx, id=uuid4(), reference=reference, kind=kind, scope=scope, rule=str(ref))
        return self.record(count, created=[count])

    def record_count_results(
        self,
        actor: Actor,
        *,
        count_id: UUID,
        found: Sequence[FoundItem] = (),
        missing: Sequence[MissingItem] = (),
        surplus: Sequence[SurplusItem] = (),
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """What the counters found: items present (and where), items missing (盘亏), items not on the books (盘盈)."""
        ctx = self.context(actor, occurred_at)
        count = self.inventory_count(count_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART10.1", ctx.occurred_at)
        if not (found or missing or surplus):
            raise InvalidInput("record at least one item found, missing or surplus", field="found")
        for item in found:
            count.record_found(
                ctx,
                entry=self._book_entry(item.asset_id, "found"),
                at=self._place(item.window_id, item.location, "found", destination=False),
                rule=str(ref),
            )
        discrepancies: list[UUID] = []
        for missing_item in missing:
            discrepancy_id = uuid4()
            count.record_missing(
                ctx,
                entry=self._book_entry(missing_item.asset_id, "missing"),
                discrepancy_id=discrepancy_id,
                note=missing_item.note,
                rule=str(ref),
            )
            discrepancies.append(discrepancy_id)
        for extra in surplus:
            discrepancy_id = uuid4()
            count.record_surplus(
                ctx,
                discrepancy_id=discrepancy_id,
                description=extra.description,
                tag=extra.tag,
                at=self._place(extra.window_id, extra.location, "surplus", destination=False),
                rule=str(ref),
            )
            discrepancies.append(discrepancy_id)
        return self.record(count, extra={"discrepancy_ids": discrepancies})

    def resolve_count_discrepancy(
        self,
        actor: Actor,
        *,
        count_id: UUID,
        discrepancy_id: UUID,
        resolution: str,
        note: str,
        asset_id: UUID | None = None,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """查明: a missing item located (``located``), a surplus item booked as ``asset_id`` or not the hall's."""
        ctx = self.context(actor, occurred_at)
        count = self.inventory_count(count_id, expected_version=expected_version)
        if asset_id is not None:
            self.asset(asset_id)
        _, ref = self.rule_in_force("ART10.1", ctx.occurred_at)
        count.resolve(
            ctx,
            discrepancy_id=discrepancy_id,
            resolution=resolution,
            booked_asset_id=asset_id,
            note=note,
            rule=str(ref),
        )
        return self.record(count)

    def write_off_count_discrepancies(
        self,
        actor: Actor,
        *,
        count_id: UUID,
        discrepancy_ids: Sequence[UUID],
        approval_ref: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """核销 by approval: the discrepancies settle, and each missing item leaves the books — one transaction."""
        ctx = self.context(actor, occurred_at)
        count = self.inventory_count(count_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART10.1", ctx.occurred_at)
        count.write_off(ctx, discrepancy_ids=list(discrepancy_ids), approval_ref=approval_ref, rule=str(ref))
        assets: list[Asset] = []
        for discrepancy_id in discrepancy_ids:
            missing = count.missing_asset(discrepancy_id)
            if missing is not None:
                asset = self.asset(missing)
                asset.write_off(ctx, count_id=count.id, approval_ref=approval_ref, rule=str(ref))
                assets.append(asset)
        return self.record(count, *assets)

    def close_inventory_count(
        self,
        actor: Actor,
        *,
        count_id: UUID,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """盘点结束: refused while an item is uncounted or a discrepancy is open."""
        ctx = self.context(actor, occurred_at)
        count = self.inventory_count(count_id, expected_version=expected_version)
        _, ref = self.rule_in_force("ART10.1", ctx.occurred_at)
        count.close(ctx, rule=str(ref))
        return self.record(count)
