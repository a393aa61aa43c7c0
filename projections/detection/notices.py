"""ART2.2 一次性告知制: a later notice on the same application asks for a material the first did not list.

The case records, on every notice after the first, the materials the first notice did not
ask for (``OneTimeNoticeIssued.not_in_first_notice``). The first such notice reveals that
the one-time notice was not one-time: a candidate against whoever issued the *first*
notice (its list was incomplete), judged when the later notice is recorded. Cause: the
case (one candidate per application, however many notices follow).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.detection.candidate import Candidate
from projections.detection.working_time import hm

FAMILY = "one_time_notice"
RULE, ITEM = "ART2.2", "second_notice"

Doc = dict[str, Any]


def second_notice(
    case: Doc, *, notice_no: int, new_materials: list[str], at: datetime, position: int, policy: str
) -> Candidate | None:
    first = case.get("first_notice")
    if first is None or notice_no < 2 or not new_materials or case.get("second_flagged"):
        return None
    listed = "、".join(first["materials"])
    asked = "、".join(new_materials)
    return Candidate(
        rule=RULE,
        item=ITEM,
        cause=(case["id"],),
        occurred_at=at,
        causation=(first["pos"], position),
        detector=FAMILY,
        policy=policy,
        staff_id=first["by"],
        window_id=case["window"],
        evidence_zh=(
            f"办件 {case['label']}:第 {notice_no} 次告知({hm(at)})要求补交首次一次性告知({hm_or(first['at'])})"
            f"未列明的材料:{asked};首次告知仅列:{listed}。"
        ),
        evidence_en=(
            f"Case {case['label']}: notice no. {notice_no} ({hm(at)}) asks for material(s) the first one-time notice "
            f"({hm_or(first['at'])}) did not list: {', '.join(new_materials)}; the first listed only: "
            f"{', '.join(first['materials'])}."
        ),
    )


def hm_or(text: str) -> str:
    return hm(datetime.fromisoformat(text))
