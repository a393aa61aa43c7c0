"""KPIs and open alerts per window and for the hall (dashboards, 电子监察).

Question it answers: *what is open right now, and what is late?* — per window and for the
whole hall: open applications by deadline state (green / yellow light / yellow card / red card,
the detector's thresholds), overdue disclosure
answers, duty shifts without cover, candidate violations awaiting confirmation, and
escalation decisions due (and overdue).

The pure core is :func:`open_items` — ``open_items(facts, staff_id, as_of, policy)``: the
open items of one person (candidate violations, escalation decisions owed, from
:func:`projections.escalation.derive` — the same ladder, not a copy) — and
:func:`unit_items` for items that belong to a unit rather than a person; :func:`counts`
sums them per window. "Now" is the newest record time the model has folded
(``kpis_as_of``); each item keeps its dates (``opened_at``, ``due_at``) so a reader can
re-evaluate it against its own clock.

A window row's ``missing`` lists components no process feeds yet (none in this version).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from domain.calendar import OutsideCalendar
from domain.hall_day import HallDay
from domain.policies.detection import detection_policy_in_force
from domain.policies.escalation import EscalationPolicy, load_escalation_policy
from domain.supervision import GREEN, RED_CARD, YELLOW_CARD, YELLOW_LIGHT, CaseSupervision, deadline_state
from projections.base import Table, Tx
from projections.escalation import derive
from projections.facts import (
    OPEN_ITEMS,
    ORGANISATION,
    PENDING,
    PEOPLE,
    Doc,
    FactsModel,
    HallFacts,
    calendar,
    day_end,
    hall_day,
    iso,
    posting_on,
)

HALL = "*"
#: the components of a window's KPI row, and what feeds them
COMPONENTS = {
    "applications": "service cases (accepted with a committed deadline, not yet completed)",
    "disclosures": "disclosure requests (answer due within 20 working days)",
    "shifts": "duty shifts (assigned, nobody on post and no substitute)",
    "candidates": "violations recorded or detected, not yet confirmed or dismissed",
    "escalations": "escalation decisions owed (projections/escalation.py)",
}
#: components whose events this version folds
FED = ("applications", "disclosures", "shifts", "candidates", "escalations")
#: an open application's KPI state for each e-supervision state (domain.supervision.deadline_state,
#: the detector's rule and thresholds: ``[supervision]`` of the detection policy)
COLOURS = {GREEN: "green", YELLOW_LIGHT: "yellow", YELLOW_CARD: "yellow_card", RED_CARD: "red"}
UNAVAILABLE = ("suspended", "removed", "left", "off_post")

Item = tuple[Any, ...]
ITEM_COLUMNS = (
    "item_id", "kind", "window_id", "department_id", "staff_id", "opened_at", "due_at", "state", "rule", "positions",
)  # fmt: skip


def _violation_item(violation_id: str, v: Doc, staff_id: str | None) -> Item:
    return (
        f"violation:{violation_id}",
        "candidate_violation",
        v["window_id"],
        v["department_id"],
        staff_id,
        iso(v["t"]),
        None,
        "detected" if v["candidate"] else "recorded",
        v["rule"],
        json.dumps(v["pos"]),
    )


def open_items(facts: HallFacts, staff_id: str, as_of: int, policy: EscalationPolicy) -> tuple[list[Item], int | None]:
    """A person's open items as of ``as_of`` and when they next change by themselves."""
    core = facts.core(staff_id)
    items: list[Item] = []
    for violation_id, v in sorted(core["violations"].items()):
        if v["status"] == PENDING:
            items.append(_violation_item(violation_id, v, staff_id))
    if core["profile"] is None:
        return items, None
    posting = posting_on(core, hall_day(as_of)) or (core["postings"][-1] if core["postings"] else None)
    window_id = posting["window_id"] if posting else None
    ladder = derive(core, policy, as_of)
    for due in ladder["dues"]:
        key = ":".join([staff_id, due["kind"], due["family"] or "", due["decision"] or ""])
        items.append(
            (
                f"escalation:{key}",
                f"escalation_{due['kind']}",
                window_id,
                core["profile"]["department_id"],
                staff_id,
                iso(due["since"]),
                iso(due["due_by"]),
                "overdue" if due["overdue"] else "due",
                policy.ref,
                json.dumps(due["causes"]),
            )
        )
    return items, ladder["next_change_t"]


def unit_items(facts: HallFacts) -> list[Item]:
    """Open items of units (a department's or a window's own violations)."""
    return [
        _violation_item(violation_id, v, None)
        for violation_id, v in sorted(facts.org["violations"].items())
        if v["status"] == PENDING
    ]


def _between(a: date, b: date) -> int:
    """Working days in ``(a, b]`` on the hall calendar (the detector's count)."""
    try:
        found: int = calendar().working_days_between(a, b)
        return found
    except OutsideCalendar:  # a year without calendar data: calendar days
        return (b - a).days


def _first_card_day(deadline: date) -> date:
    """The day a yellow card is due when the log holds none yet: the first working day after
    the deadline (the first close that finds the case overdue)."""
    try:
        found: date = calendar().next_working_day(deadline + timedelta(days=1))
        return found
    except OutsideCalendar:
        return deadline + timedelta(days=1)


def application_state(case: Doc, today: date) -> str:
    """An open application's KPI state on hall day ``today``: ``suspended`` while its clock
    stops, else the colour of :func:`domain.supervision.deadline_state` under the detection
    policy in force that day — green; ``yellow`` (黄灯, yellow light); ``yellow_card`` (黄牌,
    overdue); ``red`` (红牌, still open the policy's working days after the yellow card,
    whose day is the recorded card's or, before the detector recorded one, the first working
    day after the deadline)."""
    if case["state"] == "suspended":
        return "suspended"
    deadline = date.fromisoformat(case["deadline"])
    carded = case.get("yellow_card_day")
    if today > deadline:
        card_day = date.fromisoformat(carded) if carded else min(today, _first_card_day(deadline))
    else:
        card_day = None
    state = deadline_state(today, deadline, detection_policy_in_force(today), _between, yellow_card_day=card_day)
    return COLOURS[state]


def hall_items(facts: HallFacts, as_of: int) -> list[Item]:
    """Open items of the hall's processes as of ``as_of``: applications by deadline state
    (:func:`application_state`: the detector's yellow light / yellow card / red card
    thresholds), disclosure requests (overdue after their deadline),
    and duty shifts from today on whose person on duty is suspended, removed, gone or on
    approved leave (a shift without cover)."""
    today = hall_day(as_of)
    items: list[Item] = []
    for case_id, c in sorted(facts.open["cases"].items()):
        if c["deadline"] is None:
            continue
        deadline = date.fromisoformat(c["deadline"])
        state = application_state(c, today)
        items.append(
            (
                f"application:{case_id}", "application", c["window_id"], c["department_id"], c["staff_id"],
                iso(c["opened_t"]), iso(day_end(deadline)), state, None, json.dumps(c["pos"]),
            )
        )  # fmt: skip
    for request_id, d in sorted(facts.open["disclosures"].items()):
        deadline = date.fromisoformat(d["deadline"])
        state = d["state"] if d["state"] != "open" else ("overdue" if today > deadline else "open")
        items.append(
            (
                f"disclosure:{request_id}", "disclosure", d["window_id"], d["department_id"], d["staff_id"],
                iso(d["opened_t"]), iso(day_end(deadline)), state, None, json.dumps(d["pos"]),
            )
        )  # fmt: skip
    leave = [lv for lv in facts.open["leave"].values() if lv["approved"]]
    for shift_id, shift in sorted(facts.open["shifts"].items()):
        if shift["day"] < today.isoformat():
            continue
        for segment in shift["coverage"]:
            person = segment["staff_id"]
            core = facts.persons.get(person, {}).get("core")
            status = core["status"] if core else None
            away = [
                lv
                for lv in leave
                if lv["staff_id"] == person and lv["starts"] < segment["end"] and lv["ends"] > segment["start"]
            ]
            if status not in UNAVAILABLE and not away:
                continue
            reason = "on_leave" if away else status
            positions = sorted(set(shift["pos"]) | {p for lv in away for p in lv["pos"]})
            items.append(
                (
                    f"shift:{shift_id}:{person}:{segment['start']}", "shift", None, None, person,
                    iso(segment["start"]), iso(segment["end"]), f"uncovered:{reason}", None, json.dumps(positions),
                )
            )  # fmt: skip
    return items


def forget_past(facts: HallFacts, as_of: int) -> None:
    """Shifts before today and leave that has ended no longer matter to what is open."""
    today = hall_day(as_of).isoformat()
    shifts = [k for k, v in facts.open["shifts"].items() if v["day"] < today]
    leave = [k for k, v in facts.open["leave"].items() if v["ends"] < as_of]
    for key in shifts:
        del facts.open["shifts"][key]
    for key in leave:
        del facts.open["leave"][key]
    if shifts or leave:
        facts.dirty.add((HallFacts.ORG, "open"))


def counts(items: Iterable[Item]) -> dict[str, dict[str, int]]:
    """Per window (and ``*`` for the hall): how many open items of each kind and state."""
    out: dict[str, dict[str, int]] = {}

    def add(window: str, key: str) -> None:
        row = out.setdefault(window, {})
        row[key] = row.get(key, 0) + 1

    for item in items:
        kind, window, state = item[1], item[2], item[7]
        key = {
            "candidate_violation": "candidates_pending",
            "application": f"open_{state}",
            "disclosure": "disclosures_overdue" if state == "overdue" else "disclosures_open",
            "shift": "shifts_uncovered",
        }.get(kind)
        if key is None and kind.startswith("escalation_"):
            key = "escalations_overdue" if state == "overdue" else "escalations_due"
        if key is None:
            continue
        for target in ([window] if window else []) + [HALL]:
            add(target, key)
            if key == "escalations_overdue":
                add(target, "escalations_due")
    return out


WINDOW_COLUMNS = (
    "open_green", "open_yellow", "open_yellow_card", "open_red", "open_suspended", "disclosures_open",
    "disclosures_overdue", "shifts_uncovered",
    "candidates_pending", "escalations_due", "escalations_overdue",
)  # fmt: skip


class KpisModel(FactsModel):
    """``kpis``: open items (the alerts) and their counts per window and for the hall."""

    name = "kpis"
    replay_cost = 1.9
    version = 3
    keeps_months = False
    keeps_open = True
    #: hall days move "now" on (a colour changes at the day's close as the detector's signal
    #: does); a yellow card's day starts the red card's count
    follows = ORGANISATION + PEOPLE + OPEN_ITEMS + (HallDay.Opened, HallDay.Closed, CaseSupervision.YellowCard)
    tables = (
        Table(
            "kpi_open_items",
            "item_id {text} PRIMARY KEY, kind {text} NOT NULL, window_id {text}, department_id {text}, "
            "staff_id {text}, opened_at {text}, due_at {text}, state {text} NOT NULL, rule {text}, "
            "positions {json} NOT NULL",
            indexes=("window_id, kind", "staff_id"),
        ),
        Table(
            "kpi_windows",
            "window_id {text} PRIMARY KEY, "
            + ", ".join(f"{c} {{int}} NOT NULL" for c in WINDOW_COLUMNS)
            + ", missing {json} NOT NULL",
        ),
        FactsModel.facts_table("kpis_facts"),
        FactsModel.as_of_table("kpis_as_of"),
    )

    def __init__(self, escalation: EscalationPolicy | None = None) -> None:
        super().__init__()
        self.escalation = escalation or load_escalation_policy()
        self.items: dict[str, dict[str, Item]] = {}

    def fresh(self) -> KpisModel:
        return type(self)(self.escalation)

    def reset(self) -> None:
        super().reset()
        self.items = {}

    def restore(self, tx: Tx, facts: HallFacts) -> None:
        self.items = {}
        for row in tx.query("SELECT " + ", ".join(ITEM_COLUMNS) + " FROM {t:kpi_open_items}"):
            owner = row[4] or HALL
            self.items.setdefault(owner, {})[row[0]] = tuple(row)
        # escalation items change with time: re-derive everyone at the next batch
        self.wake = dict.fromkeys(facts.persons, 0)

    def write(self, tx: Tx, facts: HallFacts, persons: set[str], *, full: bool) -> None:
        changed: dict[str, dict[str, Item]] = {}
        for staff_id in sorted(persons):
            own, wake = open_items(facts, staff_id, facts.clock, self.escalation)
            self.wake[staff_id] = wake
            changed[staff_id] = {i[0]: i for i in own}
        forget_past(facts, facts.clock)
        changed[HALL] = {i[0]: i for i in unit_items(facts) + hall_items(facts, facts.clock)}
        stale: list[tuple[str]] = []
        fresh: list[Item] = []
        for owner, items in changed.items():
            before = self.items.get(owner, {})
            stale.extend((k,) for k, v in before.items() if items.get(k) != v)
            fresh.extend(v for k, v in items.items() if before.get(k) != v)
            self.items[owner] = items
        tx.executemany("DELETE FROM {t:kpi_open_items} WHERE item_id = ?", stale)
        tx.executemany(
            "INSERT INTO {t:kpi_open_items} (" + ", ".join(ITEM_COLUMNS) + ") VALUES ("
            + ", ".join("?" * len(ITEM_COLUMNS)) + ")",
            fresh,
        )  # fmt: skip
        totals = counts(i for items in self.items.values() for i in items.values())
        missing = json.dumps(sorted(c for c in COMPONENTS if c not in FED))
        tx.execute("DELETE FROM {t:kpi_windows}")
        tx.executemany(
            "INSERT INTO {t:kpi_windows} (window_id, " + ", ".join(WINDOW_COLUMNS) + ", missing) VALUES ("
            + ", ".join("?" * (len(WINDOW_COLUMNS) + 2)) + ")",
            [(w, *(c.get(k, 0) for k in WINDOW_COLUMNS), missing) for w, c in sorted(totals.items())],
        )  # fmt: skip
