"""ART2.1 首问负责制: an inquiry neither handled, nor handed over, nor reported to a leader in time.

The first responder answers for the inquiry until one of those is recorded (ART2.1.1,
ART2.1.2). The detection policy gives the time in *working hours* — opening sessions of
working days — counted from the inquiry; a phone call after hours starts the clock at the
next opening. Judged whenever the detector's "now" (the newest valid time in the log)
passes the inquiry's due moment, so a handling recorded late is caught by its own
timestamp. Cause: the inquiry (one candidate per inquiry, whatever happens afterwards).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.detection.candidate import Candidate
from projections.detection.working_time import WorkingTime, hm

FAMILY = "inquiry"
RULE, ITEM = "ART2.1", "not_handled"

Doc = dict[str, Any]


def due(time: WorkingTime, opened_at: datetime, working_hours: int) -> datetime:
    """When the first responder's time to act runs out."""
    return time.add_working_hours(opened_at, working_hours)


def not_handled(inquiry: Doc, now: datetime, trigger: int) -> Candidate:
    """The inquiry's time ran out at ``inquiry["due"]``; ``now`` (at position ``trigger``) is past it."""
    opened, deadline = datetime.fromisoformat(inquiry["opened_at"]), datetime.fromisoformat(inquiry["due"])
    hours = inquiry["hours"]
    channel_zh = "来电" if inquiry["channel"] == "phone" else "来访"
    return Candidate(
        rule=RULE,
        item=ITEM,
        cause=(inquiry["id"],),
        occurred_at=deadline,
        causation=(inquiry["pos"], trigger),
        detector=FAMILY,
        policy=inquiry["policy"],
        staff_id=inquiry["staff"],
        window_id=inquiry["window"],
        evidence_zh=(
            f"首问{channel_zh}于 {hm(opened)} 受理,{hours} 个工作小时内(至 {hm(deadline)})"
            f"未见办理、转交或报告领导的记录;截至 {hm(now)} 仍未处理。"
        ),
        evidence_en=(
            f"Inquiry ({inquiry['channel']}) opened {hm(opened)}: no handling, hand-over or report to a leader "
            f"within {hours} working hours (by {hm(deadline)}); none recorded as of {hm(now)}."
        ),
    )
