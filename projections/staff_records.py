"""Staff records (人员档案): one row per person, as inspectors and appeal reviewers read it.

Question it answers: *who is this person, where are they posted, what is their status, and
what is on their record?* — profile, seconding department, window, posting dates, status
(on post / suspended / removed / off post / left), violations by article and status,
commendations, the current escalation state and the current month's score.

The pure core is :func:`record` — ``record(core, as_of, escalation_policy, scoring_policy)``
over a person's facts (``projections/facts.py``). It calls the escalation ladder
(:func:`projections.escalation.derive`) and the monthly score
(:func:`projections.assessment.score_month`) themselves — the same functions, not a copy —
so the record can never disagree with the ``escalation`` and ``assessment`` models folded
from the same events. "Current" means as of the newest record time the model has folded
(``staff_records_as_of``).

Tables: ``staff_records``, ``staff_violation_counts`` (per person and article),
``org_units`` (hall, departments, windows: for BI joins), ``staff_records_facts``.
"""

from __future__ import annotations

from typing import Any

from domain.policies.escalation import EscalationPolicy, load_escalation_policy
from domain.policies.scoring import ScoringPolicy, load_scoring_policy
from domain.service_case import ServiceCase
from projections.assessment import score_month
from projections.base import Table, Tx
from projections.escalation import derive, rule_of
from projections.facts import (
    CONFIRMED,
    DISMISSED,
    ORGANISATION,
    OVERDUE,
    PENDING,
    PEOPLE,
    PRAISE,
    REVOKED,
    Doc,
    FactsModel,
    HallFacts,
    hall_day,
    hall_month,
    iso,
    micros_of,
    month_bounds,
    next_month,
    posting_on,
)

RECORD_COLUMNS = (
    "staff_id", "staff_no", "name", "department_id", "employment", "window_id", "posting_start", "posting_end",
    "temporary", "status", "status_since", "onboarded_at", "left_on", "violations_confirmed", "violations_pending",
    "violations_dismissed", "violations_revoked", "violations_under_appeal", "commendations", "escalation_state",
    "escalation_policy", "month", "month_score", "month_grade", "scoring_policy", "last_position",
    "next_change_at",
)  # fmt: skip


def violation_counts(core: Doc) -> dict[int, dict[str, int]]:
    """Per article of the regulation: violations by their *current* status."""
    out: dict[int, dict[str, int]] = {}
    for v in core["violations"].values():
        counts = out.setdefault(
            rule_of(v["rule"]).article,
            {PENDING: 0, CONFIRMED: 0, DISMISSED: 0, REVOKED: 0, "under_appeal": 0},
        )
        counts[v["status"]] += 1
        if v["appeal"] is not None and v["status"] == CONFIRMED:
            counts["under_appeal"] += 1
    return out


def last_position(core: Doc) -> int:
    found = list(core["positions"])
    for group in ("violations", "admonishments", "sanctions", "appeals"):
        for item in core[group].values():
            found.extend(item["pos"])
    return max(found, default=0)


def record(
    core: Doc,
    months: dict[str, Doc],
    as_of: int,
    escalation: EscalationPolicy,
    scoring: ScoringPolicy,
) -> dict[str, Any]:
    """A person's record as of valid time ``as_of`` (microseconds), from their facts."""
    profile = core["profile"] or {}
    today = hall_day(as_of)
    posting = posting_on(core, today)
    if posting is None and core["postings"]:
        last = core["postings"][-1]
        posting = last if last["end"] is None else None
    if core["status"] in ("off_post", "left", "removed"):
        posting = None  # the posting has ended (the status says so, whatever the end date)
    ended = [p for p in core["postings"] if p["end"] is not None]
    counts = violation_counts(core)
    totals = {k: sum(c[k] for c in counts.values()) for k in (PENDING, CONFIRMED, DISMISSED, REVOKED, "under_appeal")}
    ladder = derive(core, escalation, as_of)
    month = hall_month(as_of)
    score = score_month(core, months.get(month), month, scoring)
    wake = [t for t in (ladder["next_change_t"], month_bounds(next_month(month))[0]) if t is not None]
    return {
        "staff_id": core["staff_id"],
        "staff_no": profile.get("staff_no"),
        "name": profile.get("name"),
        "department_id": profile.get("department_id"),
        "employment": profile.get("employment"),
        "window_id": posting["window_id"] if posting else None,
        "posting_start": posting["start"] if posting else None,
        "posting_end": ended[-1]["end"] if ended and posting is None else None,
        "temporary": bool(posting and posting["temporary"]),
        "status": core["status"],
        "status_since": iso(core["status_t"]),
        "onboarded_at": iso(profile.get("onboarded_t")),
        "left_on": core["left"]["on"] if core["left"] else None,
        "violations": totals,
        "violations_by_article": counts,
        "commendations": len(core.get("commendations", [])),
        "escalation": ladder,
        "escalation_state": ladder["state"],
        "escalation_policy": escalation.ref,
        "month": month,
        "month_score": score["total"],
        "month_grade": score["grade"],
        "score": score,
        "scoring_policy": scoring.ref,
        "last_position": last_position(core),
        "next_change_t": min(wake) if wake else None,
    }


class StaffRecordsModel(FactsModel):
    """``staff_records``: one row per person, violations by article, the hall's units."""

    name = "staff_records"
    replay_cost = 1.3
    version = 3
    retain_months = 1  # the record shows the current month's score only
    follows = ORGANISATION + PEOPLE + PRAISE + (ServiceCase.ApplicationCompleted,) + OVERDUE
    tables = (
        Table(
            "staff_records",
            "staff_id {text} PRIMARY KEY, staff_no {text}, name {text}, department_id {text}, employment {text}, "
            "window_id {text}, posting_start {text}, posting_end {text}, temporary {bool} NOT NULL, status {text}, "
            "status_since {text}, onboarded_at {text}, left_on {text}, violations_confirmed {int} NOT NULL, "
            "violations_pending {int} NOT NULL, violations_dismissed {int} NOT NULL, "
            "violations_revoked {int} NOT NULL, violations_under_appeal {int} NOT NULL, "
            "commendations {int} NOT NULL, escalation_state {text} NOT NULL, escalation_policy {text} NOT NULL, "
            "month {text} NOT NULL, month_score {num} NOT NULL, month_grade {text} NOT NULL, "
            "scoring_policy {text} NOT NULL, last_position {int} NOT NULL, next_change_at {text}",
            indexes=("window_id", "department_id"),
        ),
        Table(
            "staff_violation_counts",
            "staff_id {text} NOT NULL, article {int} NOT NULL, confirmed {int} NOT NULL, pending {int} NOT NULL, "
            "dismissed {int} NOT NULL, revoked {int} NOT NULL, under_appeal {int} NOT NULL, "
            "PRIMARY KEY (staff_id, article)",
        ),
        Table(
            "org_units",
            "unit_id {text} PRIMARY KEY, kind {text} NOT NULL, code {text} NOT NULL, name_zh {text} NOT NULL, "
            "name_en {text} NOT NULL, department_id {text}, window_kind {text}, uniformed {bool}, "
            "leader_in_charge {text}, closed {bool} NOT NULL",
        ),
        FactsModel.facts_table("staff_records_facts"),
        FactsModel.as_of_table("staff_records_as_of"),
    )

    def __init__(self, escalation: EscalationPolicy | None = None, scoring: ScoringPolicy | None = None) -> None:
        super().__init__()
        self.escalation = escalation or load_escalation_policy()
        self.scoring = scoring or load_scoring_policy()

    def fresh(self) -> StaffRecordsModel:
        return type(self)(self.escalation, self.scoring)

    def restore(self, tx: Tx, facts: HallFacts) -> None:
        for staff_id, next_change in tx.query("SELECT staff_id, next_change_at FROM {t:staff_records}"):
            self.wake[staff_id] = micros_of(next_change)

    def write(self, tx: Tx, facts: HallFacts, persons: set[str], *, full: bool) -> None:
        if full or (HallFacts.ORG, "org") in facts.dirty:
            self._write_units(tx, facts)
        rows, counts = [], []
        for staff_id in sorted(persons):
            person = facts.persons[staff_id]
            core = person["core"]
            if core["profile"] is None:
                continue
            r = record(core, person["months"], facts.clock, self.escalation, self.scoring)
            self.wake[staff_id] = r["next_change_t"]
            v = r["violations"]
            rows.append(
                (
                    staff_id, r["staff_no"], r["name"], r["department_id"], r["employment"], r["window_id"],
                    r["posting_start"], r["posting_end"], tx.bool(r["temporary"]), r["status"], r["status_since"],
                    r["onboarded_at"], r["left_on"], v[CONFIRMED], v[PENDING], v[DISMISSED], v[REVOKED],
                    v["under_appeal"], r["commendations"], r["escalation_state"], r["escalation_policy"], r["month"],
                    r["month_score"], r["month_grade"], r["scoring_policy"], r["last_position"],
                    iso(r["next_change_t"]),
                )
            )  # fmt: skip
            for article, c in sorted(r["violations_by_article"].items()):
                counts.append(
                    (staff_id, article, c[CONFIRMED], c[PENDING], c[DISMISSED], c[REVOKED], c["under_appeal"])
                )
        if not rows:
            return
        ids = [(r[0],) for r in rows]
        tx.executemany("DELETE FROM {t:staff_records} WHERE staff_id = ?", ids)
        tx.executemany("DELETE FROM {t:staff_violation_counts} WHERE staff_id = ?", ids)
        tx.executemany(
            "INSERT INTO {t:staff_records} (" + ", ".join(RECORD_COLUMNS) + ") VALUES ("
            + ", ".join("?" * len(RECORD_COLUMNS)) + ")",
            rows,
        )  # fmt: skip
        tx.executemany(
            "INSERT INTO {t:staff_violation_counts} (staff_id, article, confirmed, pending, dismissed, revoked, "
            "under_appeal) VALUES (?, ?, ?, ?, ?, ?, ?)",
            counts,
        )

    def _write_units(self, tx: Tx, facts: HallFacts) -> None:
        org = facts.org
        rows = []
        if org["hall"]:
            h = org["hall"]
            rows.append(
                (h["id"], "hall", h["code"], h["name_zh"], h["name_en"], None, None, None, None, tx.bool(False))
            )
        for unit_id, d in sorted(org["departments"].items()):
            rows.append(
                (
                    unit_id, "department", d["code"], d["name_zh"], d["name_en"], None, None, tx.bool(d["uniformed"]),
                    d["leader"], tx.bool(False),
                )
            )  # fmt: skip
        for unit_id, w in sorted(org["windows"].items()):
            rows.append(
                (
                    unit_id, "window", w["code"], w["name_zh"], w["name_en"], w["department_id"], w["kind"], None,
                    None, tx.bool(w["closed"]),
                )
            )  # fmt: skip
        tx.execute("DELETE FROM {t:org_units}")
        tx.executemany(
            "INSERT INTO {t:org_units} (unit_id, kind, code, name_zh, name_en, department_id, window_kind, uniformed, "
            "leader_in_charge, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
