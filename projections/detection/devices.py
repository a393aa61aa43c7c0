"""ART9.1 定期病毒检测: a computer or server past its virus-check interval.

The security policy in force says how often, in working days (``[virus_check]
interval_working_days``: the hall is closed on rest days and holidays, and nobody can check
a device then — a check before the National Day week is not overdue during it). At the close
of a day after the ``interval``-th working day following the device's last check (or its
registration, if it was never checked), a candidate against the device's custodian. Cause:
the device and the check (or registration) the interval ran from — a new check starts a new
interval.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.envelope import CHINA_STANDARD_TIME
from projections.detection.candidate import Candidate

FAMILY = "device"
RULE, ITEM = "ART9.1", "virus_check_overdue"

Doc = dict[str, Any]


def virus_check_overdue(
    device: Doc,
    *,
    day: date,
    interval_working_days: int,
    add_working_days: Callable[[date, int], date],
    security_policy: str,
    position: int,
    policy: str,
    note: tuple[str, str] | None = None,
) -> Candidate | None:
    """``add_working_days(since, n)``: the calendar's n-th working day after ``since``; ``note``: a
    warning (zh, en) the judgement rests on (a year without a calendar file)."""
    if device.get("flagged_for") == device["since_pos"]:
        return None
    since = date.fromisoformat(device["since"])
    due = add_working_days(since, interval_working_days)
    if day <= due:
        return None
    checked = "上次病毒检测" if device.get("checked") else "登记入账(从未检测)"
    checked_en = "last virus check" if device.get("checked") else "registration (never checked)"
    warn_zh, warn_en = (f";{note[0]}", f" ({note[1]})") if note else ("", "")
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
            f"设备 {device['no']} {checked}于 {since.isoformat()},超过 {interval_working_days} 个工作日检测周期"
            f"({security_policy},应于 {due.isoformat()} 前检测);至 {day.isoformat()} 日终仍未检测{warn_zh}。"
        ),
        evidence_en=(
            f"Device {device['no']}: {checked_en} on {since.isoformat()}, past the {interval_working_days}-working-day "
            f"interval ({security_policy}, due by {due.isoformat()}); still unchecked at the close of "
            f"{day.isoformat()}{warn_en}."
        ),
    )
