"""Fixed assets and office equipment (第十条 固定资产管理规范, 第五条(二)).

ART10.1: the department running a window names a custodian (专人保管) for its assets; the
center office counts them periodically (定期清查盘点); the center keeps one set of books
(统一建帐、统一核算). ART5.2: office equipment is not moved privately; an adjustment is
filed with hall management first (备案).

- :class:`Asset` — one item on the hall's books, id derived from its asset number (the
  hall numbers its assets, so registering a number twice is refused by the store). One
  custodian at a time, always from the asset's department. Computers and servers are the
  hall's *devices*: their virus checks (ART9.1) are facts on the asset.
- :class:`InventoryCount` — one count (清查盘点) over a scope of assets: each item found or
  missing (盘亏), items found that are not on the books (盘盈). A count cannot close while
  a discrepancy is open, unless an approval writes it off (核销).

Moving without a filing — decided: a move *done through the hall* (:meth:`Asset.move`)
needs an open filing for that destination and is refused otherwise; a move the hall
*discovers* afterwards (someone carried the printer to another desk) is recorded as the
fact it is (:class:`Asset.MovedWithoutFiling`), with who moved it if known, and the
detector flags ART5.2. Refusing to record a discovered fact would only leave the books
wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from domain.envelope import CommandContext, LedgerAggregate, require_text
from domain.errors import InvalidInput, InvariantViolated
from domain.roles import Role

#: categories of the hall's books (DOMAIN-RESEARCH §6: PCs, printers, document cameras,
#: rating devices, ID readers, queue screens, cameras, servers, furniture)
CATEGORIES = (
    "computer", "server", "printer", "document_camera", "rating_device", "id_reader", "queue_screen",
    "camera", "network", "furniture", "other",
)  # fmt: skip
#: devices that run software and are checked for viruses (ART9.1)
DEVICE_CATEGORIES = ("computer", "server")
VIRUS_RESULTS = ("clean", "threats_found")
COUNT_KINDS = ("annual", "spot", "ad_hoc")

IN_SERVICE = "in_service"
WRITTEN_OFF = "written_off"

#: the center office keeps the books (统一建帐)
BOOKKEEPING_ROLES = (Role.HALL_MANAGER,)
#: a write-off (核销) is approved by the hall or the committee
WRITE_OFF_ROLES = (Role.HALL_MANAGER, Role.COMMITTEE)


@dataclass(frozen=True)
class Custodian:
    """What custody needs to know about a person."""

    staff_id: UUID
    department_id: UUID
    name: str
    active: bool


@dataclass(frozen=True)
class Place:
    """Where an asset stands: a window (of a department) and/or a described location."""

    window_id: UUID | None
    window_department_id: UUID | None
    location: str


class Asset(LedgerAggregate):
    """固定资产 — one item on the hall's books."""

    class Registered(LedgerAggregate.Created):
        """统一建帐 — the center office enters the item in the hall's books (ART10.1)."""

        asset_no: str
        category: str
        description: str
        value: Decimal
        acquired_on: date | None
        department_id: UUID
        window_id: UUID | None
        location: str
        custodian_id: UUID
        designation_ref: str
        rule: str

        def apply(self, a: Any) -> None:
            a.asset_no = self.asset_no
            a.category = self.category
            a.department_id = self.department_id
            a.window_id = self.window_id
            a.location = self.location
            a.custodian_id = self.custodian_id
            a.status = IN_SERVICE
            a.filings = {}
            a.last_virus_check = None

    class CustodianDesignated(LedgerAggregate.Event):
        """指定保管人 — the department names the custodian; it replaces the previous one (ART10.1)."""

        custodian_id: UUID
        previous_custodian_id: UUID
        designation_ref: str
        rule: str

        def apply(self, a: Any) -> None:
            a.custodian_id = self.custodian_id

    class MoveFiled(LedgerAggregate.Event):
        """挪动备案 — hall management files an adjustment before the item is moved (ART5.2)."""

        filing_ref: str
        to_window_id: UUID | None
        to_location: str
        reason: str
        rule: str

        def apply(self, a: Any) -> None:
            a.filings[self.filing_ref] = {
                "to_window_id": self.to_window_id,
                "to_location": self.to_location,
                "used": False,
            }

    class Moved(LedgerAggregate.Event):
        """调整位置 — moved as filed (ART5.2)."""

        filing_ref: str
        from_window_id: UUID | None
        from_location: str
        to_window_id: UUID | None
        to_location: str
        rule: str

        def apply(self, a: Any) -> None:
            a.filings[self.filing_ref]["used"] = True
            a.window_id = self.to_window_id
            a.location = self.to_location

    class MovedWithoutFiling(LedgerAggregate.Event):
        """私自挪动 — found moved without a filing (ART5.2); the books follow where it was found."""

        from_window_id: UUID | None
        from_location: str
        to_window_id: UUID | None
        to_location: str
        moved_by_id: UUID | None
        evidence: str
        rule: str

        def apply(self, a: Any) -> None:
            a.window_id = self.to_window_id
            a.location = self.to_location

    class VirusChecked(LedgerAggregate.Event):
        """病毒检测 (ART9.1) — a check of this computer or server; threats found are acted on at once."""

        result: str
        threats: list[str]
        action: str
        tool: str
        rule: str

        def apply(self, a: Any) -> None:
            a.last_virus_check = {"at": self.occurred_at, "result": self.result}

    class WrittenOff(LedgerAggregate.Event):
        """核销 — missing at a count and written off by approval; the item leaves the books."""

        count_id: UUID
        approval_ref: str
        rule: str

        def apply(self, a: Any) -> None:
            a.status = WRITTEN_OFF

    if TYPE_CHECKING:
        asset_no: str
        category: str
        department_id: UUID
        window_id: UUID | None
        location: str
        custodian_id: UUID
        status: str
        filings: dict[str, dict[str, Any]]
        last_virus_check: dict[str, Any] | None

    @staticmethod
    def _check_custodian(custodian: Custodian, department_id: UUID, rule: str) -> None:
        if not custodian.active:
            raise InvariantViolated(f"{custodian.name} has left the hall", field="custodian_id", rule=rule)
        if custodian.department_id != department_id:
            raise InvariantViolated(
                f"{custodian.name} is not of the asset's department; the department running the window names "
                "one of its own people as custodian",
                field="custodian_id",
                rule=rule,
            )

    @staticmethod
    def _check_place(place: Place, department_id: UUID, field: str, rule: str) -> None:
        if place.window_id is None and not place.location.strip():
            raise InvalidInput("name the window or describe the location", field=field, rule=rule)
        if place.window_id is not None and place.window_department_id != department_id:
            raise InvariantViolated(
                "that window is run by another department; a transfer between departments is not a move",
                field=field,
                rule=rule,
            )

    @classmethod
    def register(
        cls,
        ctx: CommandContext,
        *,
        id: UUID,
        asset_no: str,
        category: str,
        description: str,
        value: Decimal,
        acquired_on: date | None,
        department_id: UUID,
        place: Place,
        custodian: Custodian,
        designation_ref: str,
        rule: str,
    ) -> Self:
        ctx.actor.require(*BOOKKEEPING_ROLES, action="registering an asset", rule=rule)
        if category not in CATEGORIES:
            raise InvalidInput(f"category {category!r} is not one of {', '.join(CATEGORIES)}", field="category")
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            raise InvalidInput("value is a positive decimal amount in CNY", field="value")
        cls._check_place(place, department_id, "window_id", rule)
        cls._check_custodian(custodian, department_id, rule)
        return cls._create_with(
            cls.Registered,
            ctx,
            id=id,
            asset_no=require_text(asset_no, "asset_no"),
            category=category,
            description=require_text(description, "description"),
            value=value,
            acquired_on=acquired_on,
            department_id=department_id,
            window_id=place.window_id,
            location=place.location.strip(),
            custodian_id=custodian.staff_id,
            designation_ref=designation_ref.strip(),
            rule=rule,
        )

    def _check_in_service(self, rule: str | None = None) -> None:
        if self.status != IN_SERVICE:
            raise InvariantViolated(f"asset {self.asset_no} was {self.status.replace('_', ' ')}", rule=rule)

    def designate_custodian(
        self, ctx: CommandContext, *, custodian: Custodian, designation_ref: str, rule: str
    ) -> None:
        """ART10.1: one custodian at a time — the new one replaces the previous one."""
        ctx.actor.require(Role.HALL_MANAGER, Role.WINDOW_LEAD, action="recording a custodian", rule=rule)
        self._check_in_service(rule)
        if custodian.staff_id == self.custodian_id:
            raise InvariantViolated(f"{custodian.name} is already the custodian", field="custodian_id", rule=rule)
        self._check_custodian(custodian, self.department_id, rule)
        self._trigger(
            self.CustodianDesignated,
            ctx,
            custodian_id=custodian.staff_id,
            previous_custodian_id=self.custodian_id,
            designation_ref=designation_ref.strip(),
            rule=rule,
        )

    def file_move(self, ctx: CommandContext, *, filing_ref: str, to: Place, reason: str, rule: str) -> None:
        """备案 (ART5.2): hall management files the adjustment before it is made."""
        ctx.actor.require(Role.HALL_MANAGER, action="filing an equipment move", rule=rule)
        self._check_in_service(rule)
        filing_ref = require_text(filing_ref, "filing_ref", rule=rule)
        if filing_ref in self.filings:
            raise InvariantViolated(f"filing {filing_ref} is already on record", field="filing_ref", rule=rule)
        self._check_place(to, self.department_id, "to_window_id", rule)
        if to.window_id == self.window_id and to.location.strip() == self.location:
            raise InvalidInput("the item already stands there", field="to_window_id", rule=rule)
        self._trigger(
            self.MoveFiled,
            ctx,
            filing_ref=filing_ref,
            to_window_id=to.window_id,
            to_location=to.location.strip(),
            reason=require_text(reason, "reason", rule=rule),
            rule=rule,
        )

    def move(self, ctx: CommandContext, *, filing_ref: str | None, rule: str) -> None:
        """A move done through the hall carries out an open filing; without one it is refused (ART5.2)."""
        ctx.actor.require(Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, action="moving an asset", rule=rule)
        self._check_in_service(rule)
        if filing_ref is None or not filing_ref.strip():
            raise InvariantViolated(
                "office equipment is moved only after filing with hall management (备案); file the move first "
                "(or, if it was already moved, record the unfiled move as found)",
                field="filing_ref",
                rule=rule,
            )
        filing = self.filings.get(filing_ref.strip())
        if filing is None:
            raise InvariantViolated(f"no filing {filing_ref} for asset {self.asset_no}", field="filing_ref", rule=rule)
        if filing["used"]:
            raise InvariantViolated(f"filing {filing_ref} was already carried out", field="filing_ref", rule=rule)
        self._trigger(
            self.Moved,
            ctx,
            filing_ref=filing_ref.strip(),
            from_window_id=self.window_id,
            from_location=self.location,
            to_window_id=filing["to_window_id"],
            to_location=filing["to_location"],
            rule=rule,
        )

    def record_unfiled_move(
        self, ctx: CommandContext, *, found_at: Place, moved_by_id: UUID | None, evidence: str, rule: str
    ) -> None:
        """The hall found the item moved without a filing: a fact for the detector (ART5.2)."""
        ctx.actor.require(Role.HALL_MANAGER, Role.INSPECTOR, action="recording an unfiled move", rule=rule)
        self._check_in_service(rule)
        if found_at.window_id is None and not found_at.location.strip():
            raise InvalidInput("name the window or describe where it was found", field="found_window_id", rule=rule)
        if found_at.window_id == self.window_id and found_at.location.strip() == self.location:
            raise InvalidInput("the item stands where the books say", field="found_window_id", rule=rule)
        self._trigger(
            self.MovedWithoutFiling,
            ctx,
            from_window_id=self.window_id,
            from_location=self.location,
            to_window_id=found_at.window_id,
            to_location=found_at.location.strip(),
            moved_by_id=moved_by_id,
            evidence=require_text(evidence, "evidence", rule=rule),
            rule=rule,
        )

    def record_virus_check(
        self, ctx: CommandContext, *, result: str, threats: Sequence[str], action: str, tool: str, rule: str
    ) -> None:
        """ART9.1: regular virus checks of computers and servers; a virus found is dealt with at once."""
        ctx.actor.require(
            Role.STAFF, Role.WINDOW_LEAD, Role.HALL_MANAGER, Role.SYSTEM, action="recording a virus check", rule=rule
        )
        self._check_in_service(rule)
        if self.category not in DEVICE_CATEGORIES:
            raise InvariantViolated(
                f"asset {self.asset_no} is a {self.category}; virus checks are for {', '.join(DEVICE_CATEGORIES)}",
                field="asset_id",
                rule=rule,
            )
        if result not in VIRUS_RESULTS:
            raise InvalidInput(f"result must be one of {', '.join(VIRUS_RESULTS)}", field="result", rule=rule)
        named = [require_text(t, "threats", rule=rule) for t in threats]
        if result == "threats_found":
            if not named:
                raise InvalidInput("name the threats found", field="threats", rule=rule)
            action = require_text(action, "action", rule=rule)  # 发现病毒应立即处理
        elif named:
            raise InvalidInput("a clean check lists no threats", field="threats", rule=rule)
        self._trigger(
            self.VirusChecked,
            ctx,
            result=result,
            threats=named,
            action=action.strip(),
            tool=require_text(tool, "tool", rule=rule),
            rule=rule,
        )

    def write_off(self, ctx: CommandContext, *, count_id: UUID, approval_ref: str, rule: str) -> None:
        ctx.actor.require(*WRITE_OFF_ROLES, action="writing off an asset", rule=rule)
        self._check_in_service(rule)
        self._trigger(
            self.WrittenOff,
            ctx,
            count_id=count_id,
            approval_ref=require_text(approval_ref, "approval_ref", rule=rule),
            rule=rule,
        )


@dataclass(frozen=True)
class BookEntry:
    """An asset as the books show it when a count opens."""

    asset_id: UUID
    asset_no: str
    window_id: UUID | None
    location: str
    custodian_id: UUID
    in_service: bool


SHORTAGE = "shortage"  # 盘亏
SURPLUS = "surplus"  # 盘盈
RESOLUTIONS = ("located", "booked", "not_hall_property")


class InventoryCount(LedgerAggregate):
    """清查盘点 — the center office counts a scope of the hall's assets (ART10.1)."""

    class Opened(LedgerAggregate.Created):
        """盘点开始 — the scope is the books as they stood."""

        reference: str
        kind: str
        scope: list[UUID]
        rule: str

        def apply(self, c: Any) -> None:
            c.reference = self.reference
            c.kind = self.kind
            c.scope = [str(a) for a in self.scope]
            c.counted = {}
            c.discrepancies = {}
            c.closed = False

    class ItemFound(LedgerAggregate.Event):
        """实盘 — the item was found; ``matches_books`` False when it stood elsewhere."""

        asset_id: UUID
        window_id: UUID | None
        location: str
        matches_books: bool

        def apply(self, c: Any) -> None:
            c.counted[str(self.asset_id)] = "found"

    class ItemMissing(LedgerAggregate.Event):
        """盘亏 — on the books, not found; opens a discrepancy naming the custodian."""

        asset_id: UUID
        discrepancy_id: UUID
        custodian_id: UUID
        note: str
        rule: str

        def apply(self, c: Any) -> None:
            c.counted[str(self.asset_id)] = "missing"
            c.discrepancies[str(self.discrepancy_id)] = {
                "kind": SHORTAGE,
                "asset_id": str(self.asset_id),
                "open": True,
            }

    class SurplusFound(LedgerAggregate.Event):
        """盘盈 — found, but not on the books; opens a discrepancy."""

        discrepancy_id: UUID
        description: str
        tag: str
        window_id: UUID | None
        location: str
        rule: str

        def apply(self, c: Any) -> None:
            c.discrepancies[str(self.discrepancy_id)] = {"kind": SURPLUS, "asset_id": None, "open": True}

    class DiscrepancyResolved(LedgerAggregate.Event):
        """查明 — a missing item located after all, or a surplus item booked or returned to its owner."""

        discrepancy_id: UUID
        resolution: str
        asset_id: UUID | None
        note: str

        def apply(self, c: Any) -> None:
            c.discrepancies[str(self.discrepancy_id)]["open"] = False
            if self.resolution == "located":
                c.counted[c.discrepancies[str(self.discrepancy_id)]["asset_id"]] = "found"

    class DiscrepanciesWrittenOff(LedgerAggregate.Event):
        """核销 — open discrepancies written off by approval (a missing item leaves the books)."""

        discrepancy_ids: list[UUID]
        approval_ref: str
        rule: str

        def apply(self, c: Any) -> None:
            for d in self.discrepancy_ids:
                c.discrepancies[str(d)]["open"] = False

    class Closed(LedgerAggregate.Event):
        """盘点结束 — every item of the scope counted, no discrepancy open."""

        found: int
        missing: int
        surplus: int
        rule: str

        def apply(self, c: Any) -> None:
            c.closed = True

    if TYPE_CHECKING:
        reference: str
        kind: str
        scope: list[str]
        counted: dict[str, str]
        discrepancies: dict[str, dict[str, Any]]
        closed: bool

    @classmethod
    def open(
        cls, ctx: CommandContext, *, id: UUID, reference: str, kind: str, scope: Sequence[BookEntry], rule: str
    ) -> Self:
        ctx.actor.require(*BOOKKEEPING_ROLES, action="opening an inventory count", rule=rule)
        if kind not in COUNT_KINDS:
            raise InvalidInput(f"count kind must be one of {', '.join(COUNT_KINDS)}", field="kind")
        if not scope:
            raise InvalidInput("a count covers at least one asset", field="asset_ids", rule=rule)
        ids = [e.asset_id for e in scope]
        if len(set(ids)) != len(ids):
            raise InvalidInput("an asset is named twice in the scope", field="asset_ids", rule=rule)
        for entry in scope:
            if not entry.in_service:
                raise InvariantViolated(
                    f"asset {entry.asset_no} is no longer on the books", field="asset_ids", rule=rule
                )
        return cls._create_with(
            cls.Opened,
            ctx,
            id=id,
            reference=require_text(reference, "reference", rule=rule),
            kind=kind,
            scope=ids,
            rule=rule,
        )

    def _check_open(self, rule: str) -> None:
        if self.closed:
            raise InvariantViolated(f"count {self.reference} is closed", field="count_id", rule=rule)

    def _check_countable(self, asset_id: UUID, field: str, rule: str) -> None:
        if str(asset_id) not in self.scope:
            raise InvalidInput(
                f"asset {asset_id} is not in the scope of count {self.reference}", field=field, rule=rule
            )
        if str(asset_id) in self.counted:
            raise InvariantViolated(
                f"asset {asset_id} was already counted ({self.counted[str(asset_id)]})", field=field, rule=rule
            )

    def record_found(self, ctx: CommandContext, *, entry: BookEntry, at: Place, rule: str) -> None:
        ctx.actor.require(*BOOKKEEPING_ROLES, action="counting assets", rule=rule)
        self._check_open(rule)
        self._check_countable(entry.asset_id, "found", rule)
        matches = at.window_id == entry.window_id and (not at.location.strip() or at.location.strip() == entry.location)
        self._trigger(
            self.ItemFound,
            ctx,
            asset_id=entry.asset_id,
            window_id=at.window_id,
            location=at.location.strip(),
            matches_books=matches,
        )

    def record_missing(
        self, ctx: CommandContext, *, entry: BookEntry, discrepancy_id: UUID, note: str, rule: str
    ) -> None:
        ctx.actor.require(*BOOKKEEPING_ROLES, action="counting assets", rule=rule)
        self._check_open(rule)
        self._check_countable(entry.asset_id, "missing", rule)
        self._trigger(
            self.ItemMissing,
            ctx,
            asset_id=entry.asset_id,
            discrepancy_id=discrepancy_id,
            custodian_id=entry.custodian_id,
            note=note.strip(),
            rule=rule,
        )

    def record_surplus(
        self,
        ctx: CommandContext,
        *,
        discrepancy_id: UUID,
        description: str,
        tag: str,
        at: Place,
        rule: str,
    ) -> None:
        ctx.actor.require(*BOOKKEEPING_ROLES, action="counting assets", rule=rule)
        self._check_open(rule)
        self._trigger(
            self.SurplusFound,
            ctx,
            discrepancy_id=discrepancy_id,
            description=require_text(description, "description", rule=rule),
            tag=tag.strip(),
            window_id=at.window_id,
            location=at.location.strip(),
            rule=rule,
        )

    def _open_discrepancy(self, discrepancy_id: UUID, rule: str) -> dict[str, Any]:
        found = self.discrepancies.get(str(discrepancy_id))
        if found is None:
            raise InvalidInput(
                f"no discrepancy {discrepancy_id} in count {self.reference}", field="discrepancy_id", rule=rule
            )
        if not found["open"]:
            raise InvariantViolated(
                f"discrepancy {discrepancy_id} is already settled", field="discrepancy_id", rule=rule
            )
        return found

    def resolve(
        self,
        ctx: CommandContext,
        *,
        discrepancy_id: UUID,
        resolution: str,
        booked_asset_id: UUID | None,
        note: str,
        rule: str,
    ) -> None:
        ctx.actor.require(*BOOKKEEPING_ROLES, action="resolving a count discrepancy", rule=rule)
        self._check_open(rule)
        discrepancy = self._open_discrepancy(discrepancy_id, rule)
        if resolution not in RESOLUTIONS:
            raise InvalidInput(f"resolution must be one of {', '.join(RESOLUTIONS)}", field="resolution", rule=rule)
        allowed = ("located",) if discrepancy["kind"] == SHORTAGE else ("booked", "not_hall_property")
        if resolution not in allowed:
            raise InvalidInput(
                f"a {discrepancy['kind']} is resolved as {' or '.join(allowed)}", field="resolution", rule=rule
            )
        if resolution == "booked" and booked_asset_id is None:
            raise InvalidInput("name the asset the surplus item was booked as", field="asset_id", rule=rule)
        self._trigger(
            self.DiscrepancyResolved,
            ctx,
            discrepancy_id=discrepancy_id,
            resolution=resolution,
            asset_id=booked_asset_id if resolution == "booked" else None,
            note=require_text(note, "note", rule=rule),
        )

    def missing_asset(self, discrepancy_id: UUID) -> UUID | None:
        found = self.discrepancies.get(str(discrepancy_id))
        if found is None or found["asset_id"] is None:
            return None
        return UUID(found["asset_id"])

    def write_off(self, ctx: CommandContext, *, discrepancy_ids: Sequence[UUID], approval_ref: str, rule: str) -> None:
        """核销: open discrepancies written off by an approval of the hall or the committee."""
        ctx.actor.require(*WRITE_OFF_ROLES, action="writing off count discrepancies", rule=rule)
        self._check_open(rule)
        if not discrepancy_ids:
            raise InvalidInput("name the discrepancies written off", field="discrepancy_ids", rule=rule)
        if len(set(discrepancy_ids)) != len(discrepancy_ids):
            raise InvalidInput("a discrepancy is named twice", field="discrepancy_ids", rule=rule)
        for d in discrepancy_ids:
            self._open_discrepancy(d, rule)
        self._trigger(
            self.DiscrepanciesWrittenOff,
            ctx,
            discrepancy_ids=list(discrepancy_ids),
            approval_ref=require_text(approval_ref, "approval_ref", rule=rule),
            rule=rule,
        )

    def close(self, ctx: CommandContext, *, rule: str) -> None:
        """A count closes with every item counted and no discrepancy left open (账实相符)."""
        ctx.actor.require(*BOOKKEEPING_ROLES, action="closing an inventory count", rule=rule)
        self._check_open(rule)
        uncounted = [a for a in self.scope if a not in self.counted]
        if uncounted:
            raise InvariantViolated(
                f"{len(uncounted)} item(s) of the scope are not counted yet", field="count_id", rule=rule
            )
        still_open = [k for k, d in self.discrepancies.items() if d["open"]]
        if still_open:
            raise InvariantViolated(
                f"{len(still_open)} discrepancy(ies) are open: resolve them, or write them off by approval",
                field="discrepancies",
                rule=rule,
            )
        statuses = list(self.counted.values())
        self._trigger(
            self.Closed,
            ctx,
            found=statuses.count("found"),
            missing=statuses.count("missing"),
            surplus=sum(1 for d in self.discrepancies.values() if d["kind"] == SURPLUS),
            rule=rule,
        )
