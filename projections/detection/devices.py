"""ART9.1 定期病毒检测: a computer or server past its virus-check interval.

The security policy in force says how often (``[virus_check] interval_days``). At the close
of a day more than that many days after the device's last check (or its registration, if
it was never checked), a candidate against the device's custodian. Cause: the device and
the check (or registration) the interval ran from — a new check starts a new interval.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from domain.envelope import CHINA_STANDARD_TIME
from projections.detection.candidate import Candidate

FAMILY = "device"
RULE, ITEM = "ART9.1", "virus_check_overdue"

Doc = dict[str, Any]


def virus_check_overdue(
    device: Doc, *, day: date, interval_days: int, security_policy: str, position: int, policy: str
) -> Candidate | None:
    since = date.fromisoformat(device["since"])
    due = since + timedelta(days=interval_days)
    if day <= due or device.get("flagged_for") == device["since_pos"]:
        return None
    checked = "上次病毒检测" if device.get("checked") else "登记入账(从未检测)"
    checked_en = "last virus check" if device.get("checked") else "registration (never checked)"
    return Candidate(
        rule=RULE,
        item=ITEM,
        cause=(device["id"], str(device["since_pos"])),
        occurred_at=datetime.combine(due + timedelta(days=1), time(0, 0), CHINA_STANDARD_TIME),
        causation=(device["since_pos"], position),
        detector=FAMILY,
        policy=policy,
        staff_id=device["custodian"],
        window_id=device.get("window"),
        evidence_zh=(
            f"设备 {device['no']} {checked}于 {since.isoformat()},超过 {interval_days} 天检测周期"
            f"({security_policy});至 {day.isoformat()} 日终仍未检测。"
        ),
        evidence_en=(
            f"Device {device['no']}: {checked_en} on {since.isoformat()}, past the {interval_days}-day interval "
            f"({security_policy}); still unchecked at the close of {day.isoformat()}."
        ),
    )
