"""ART8.1 定岗两年以上: a seconded posting ended before two years without the committee's consent.

The hall cannot end such a posting itself without consent (``StaffMember.end_posting``
refuses), but the seconding department can withdraw the person: the hall records the fact
(``RecalledByDepartment``). A recall before the posting's second anniversary with no
unused committee consent (early end or replacement, ART8.2) and no replacement demand
(ART8.3) on record is a candidate against the **department** (ART8.1 targets departments),
judged when the recall is recorded. Temporary postings are meant to end early and are not
judged. Cause: the person and the posting's start.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.staff import second_anniversary
from projections.detection.candidate import Candidate

FAMILY = "posting"
RULE = "ART8.1"

Doc = dict[str, Any]


def recalled_early(staff: Doc, *, end: date, at: datetime, position: int, policy: str) -> Candidate | None:
    posting = staff.get("posting")
    if posting is None or not staff.get("seconded") or posting.get("temporary"):
        return None
    start = date.fromisoformat(posting["start"])
    anniversary = second_anniversary(start)
    if end >= anniversary:
        return None
    consents = [c for c in staff.get("consents", {}).values() if not c["used"]]
    demands = [d for d in staff.get("demands", {}).values() if not d["used"]]
    if consents or demands:
        return None
    return Candidate(
        rule=RULE,
        item=None,
        cause=(staff["id"], posting["start"]),
        occurred_at=at,
        causation=(posting["pos"], position),
        detector=FAMILY,
        policy=policy,
        department_id=staff["department"],
        window_id=posting.get("window"),
        evidence_zh=(
            f"派驻人员 {staff['no']} 自 {start.isoformat()} 定岗,派驻部门于 {end.isoformat()} 召回,"
            f"未满两年(应至 {anniversary.isoformat()}),无管委会同意或调换要求的记录。"
        ),
        evidence_en=(
            f"Seconded staff {staff['no']}, posted since {start.isoformat()}, recalled by the department on "
            f"{end.isoformat()} — before two years ({anniversary.isoformat()}) — with no committee consent or "
            "replacement demand on record."
        ),
    )
