"""Periods that protect a person run from record time — the one place of that rule.

Every event carries two times (DESIGN.md, "Events are facts"): ``occurred_at`` (valid time,
when it happened in the hall; may be back-dated) and ``timestamp`` (record time, when the
ledger recorded it — the moment the record became visible to the person it concerns).

A period that *protects* the person a record concerns — the time to appeal a confirmed
violation, an admonishment or a sanction decision (申诉期), and the reviewer's time to decide
an appeal (复核期) — runs from **record time**: the recording timestamp of the event that made
the record visible (the violation's confirmation 一经查实, the admonishment or the sanction
decision, the appeal's filing), taken as a hall date in Asia/Shanghai. Never from valid
time: an inspector who records today a breach of six weeks ago must not thereby hand the
person a period that ended five weeks ago.

The time to carry out an ordered remedy protects the person too and also runs from record
time (the day the admonishment is recorded); its length is the escalation policy's, so it lives
with the ladder (``domain.ladder.remedy_due_by``). What measures the person's own conduct (the
escalation look-back, the month a deduction falls in, the catalogue version that judges a fact)
keeps running on valid time.

Pure: no clock, no I/O. The command that refuses a late appeal (``domain.appeal``) and any
read model that shows an appeal deadline call these functions, so the two cannot disagree.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.calendar import hall_date, national_calendar
from domain.errors import InvalidInput

#: the default appeals policy [P] (DOMAIN-RESEARCH §2): working days to file an appeal
FILING_PERIOD_WORKING_DAYS = 5
#: ... and for the reviewer to decide it (recorded, not enforced)
DECISION_PERIOD_WORKING_DAYS = 10


def protective_period_start(recorded_at: datetime) -> date:
    """The hall date a protective period counts from: the record time's date in Asia/Shanghai.

    The day itself is not counted (民法典 §201): the period's first day is the next working day.
    """
    if recorded_at.tzinfo is None or recorded_at.tzinfo.utcoffset(recorded_at) is None:
        raise InvalidInput("a record time must carry a timezone", field="recorded_at")
    return hall_date(recorded_at)


def appeal_deadline(recorded_at: datetime) -> date:
    """The last day an appeal may be filed against a record that became visible at ``recorded_at``
    (the recording timestamp of the confirmation, admonishment or sanction decision):
    :data:`FILING_PERIOD_WORKING_DAYS` working days on the national calendar."""
    return national_calendar().add_working_days(protective_period_start(recorded_at), FILING_PERIOD_WORKING_DAYS)


def appeal_decision_due(filed_recorded_at: datetime) -> date:
    """The day the reviewer's decision is due: :data:`DECISION_PERIOD_WORKING_DAYS` working days
    after the appeal was recorded."""
    return national_calendar().add_working_days(
        protective_period_start(filed_recorded_at), DECISION_PERIOD_WORKING_DAYS
    )


def appeal_period_open(contested_recorded_at: datetime, filed_recorded_at: datetime) -> bool:
    """Whether an appeal recorded at ``filed_recorded_at`` lies within the period of a record
    that became visible at ``contested_recorded_at`` (both record times)."""
    return protective_period_start(filed_recorded_at) <= appeal_deadline(contested_recorded_at)
