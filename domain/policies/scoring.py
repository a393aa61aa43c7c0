"""The scoring policy (ART11 考核管理): how a month's score, grade and ranking, the quarter's
and the year's, and a window's score are computed.

A policy version is a TOML file ``scoring-<version>.toml`` beside this module; every
assessment row cites it as ``scoring@<version>``. A what-if re-score loads another file
(``hall-ledger rescore --policy FILE``) and never writes to the ledger. The computation
lives in ``projections/assessment.py``; this module is only its data.

Default scheme (DOMAIN.md "Assessment, default scheme", DOMAIN-RESEARCH §3):

- monthly = base 100 − deductions + min(bonus, 5), floored at 0; a deduction is the one
  the catalogue version cited by the violation gives its rule or item (an appeal amendment's
  deduction wins), unless this policy overrides it for that rule or item;
- grades 优秀 ≥ 95 with no major-or-worse violation · 良好 ≥ 85 · 合格 ≥ 60 · 不合格 below,
  or any confirmed serious violation (一票否决, veto) — for the month, its quarter and its
  year alike (``domain.assessment.grade``);
- quarterly = mean of the months (ranked with at least 2 months present; a month below 合格
  caps the quarter at 合格); annual = 0.8 × monthly mean + 0.2 × annual review; 优秀 of a
  quarter or year for at most ``excellent_quota`` of the people, by position
  (``domain.assessment.apply_quota``);
- window = 0.4 × mean staff score + 0.2 × satisfaction index + 0.2 × on-time completion
  + 0.2 × window items (100 − window deductions); a component without data is left out
  and the weights of the others are scaled up (``missing_components = "reweight"``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Any

from domain.policies import loading
from domain.policies.loading import PolicyError

FAMILY = "scoring"
SEVERITIES = ("minor", "major", "serious")
_KEY = re.compile(r"^ART\d+(\.\d+){1,2}(/[a-z][a-z0-9_]*)?$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

#: bonus items the folds know how to count (DOMAIN-RESEARCH §3 bonus items)
BONUS_ITEMS = (
    "banner",  # 锦旗
    "praise_letter",  # 表扬信 / media praise
    "commendation",  # any other commendation decided by the hall
    "very_satisfied_rating",  # 非常满意
    "early_completion",  # 承诺件 finished ≥ 1 working day early
    "extra_service",  # holiday, lunch or extended-hours service session
    "innovation",  # innovation adopted hall-wide
    "article_published",  # information or article published
)
MISSING_COMPONENTS = ("reweight", "zero")


@dataclass(frozen=True)
class Bonus:
    points: Decimal
    cap: Decimal | None


@dataclass(frozen=True)
class Grade:
    code: str
    name_zh: str
    name_en: str
    min: Decimal
    #: a month with a confirmed violation of one of these severities cannot reach this band
    forbids: tuple[str, ...]


@dataclass(frozen=True)
class ScoringPolicy:
    version: str
    published: str
    in_force_from: date
    source: str
    base: Decimal
    floor: Decimal
    bonus_cap: Decimal
    deductions: str
    #: "ARTx.y" or "ARTx.y/item" → points, instead of the catalogue's
    deduction_overrides: Mapping[str, Decimal]
    bonus: Mapping[str, Bonus]
    grades: tuple[Grade, ...]
    veto_severities: tuple[str, ...]
    veto_grade: str
    quarter_min_months: int
    quarter_fail_caps_at: str
    #: 优秀 of a quarter for at most this share of the people (None: no quarterly quota)
    quarter_excellent_quota: Decimal | None
    annual_monthly_weight: Decimal
    annual_review_weight: Decimal
    annual_excellent_quota: Decimal
    window_staff_weight: Decimal
    window_satisfaction_weight: Decimal
    window_on_time_weight: Decimal
    window_items_weight: Decimal
    window_items_base: Decimal
    missing_components: str
    #: rating levels (1–5) that count as satisfied for the satisfaction index
    satisfied_levels: tuple[int, ...]
    digest: str
    #: ``[overdue]``: lateness items ("ARTx.y/item") that cost points per working day late
    #: (hall calendar), at most ``overdue_cap`` per case; none listed: the catalogue's points
    overdue_items: tuple[str, ...] = ()
    overdue_per_working_day: Decimal = Decimal(0)
    overdue_cap: Decimal = Decimal(0)
    #: ``[overdue]``: window items points of an e-supervision yellow / red card (电子监察 黄牌/红牌)
    window_yellow_card: Decimal = Decimal(0)
    window_red_card: Decimal = Decimal(0)

    @property
    def ref(self) -> str:
        return f"scoring@{self.version}"

    def grade(self, code: str) -> Grade:
        for grade in self.grades:
            if grade.code == code:
                return grade
        raise KeyError(code)

    def counts_per_working_day(self, rule_id: str, item: str | None) -> bool:
        """Whether a violation of this rule and item costs points per working day late."""
        return item is not None and f"{rule_id}/{item}" in self.overdue_items

    def deduction_override(self, rule_id: str, item: str | None) -> Decimal | None:
        if item is not None and f"{rule_id}/{item}" in self.deduction_overrides:
            return self.deduction_overrides[f"{rule_id}/{item}"]
        return self.deduction_overrides.get(rule_id)


#: points and scores are decimal strings between 0 and 1000 (a call may lower the bound), weights between 0 and 1
_points = partial(loading.decimal, high=Decimal(1000))
_weight = partial(loading.decimal, high=Decimal(1))


def _severities(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v in SEVERITIES for v in value):
        raise PolicyError(f"{where}: {key} must be a list of severities ({', '.join(SEVERITIES)})")
    return tuple(value)


def _grades(raw: Any, name: str) -> tuple[Grade, ...]:
    if not isinstance(raw, list) or not raw:
        raise PolicyError(f"{name}: [[grade]] bands are missing")
    grades: list[Grade] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise PolicyError(f"{name}: each [[grade]] must be a table")
        code = loading.field_text(entry, "code", f"{name} [[grade]]")
        where = f"{name} grade {code}"
        if not _CODE.match(code):
            raise PolicyError(f"{where}: code must be lower_snake_case")
        loading.only_fields(entry, {"code", "name_zh", "name_en", "min", "forbids"}, where)
        grade = Grade(
            code=code,
            name_zh=loading.field_text(entry, "name_zh", where),
            name_en=loading.field_text(entry, "name_en", where),
            min=_points(entry, "min", where),
            forbids=_severities(entry, "forbids", where),
        )
        if grades and grade.min >= grades[-1].min:
            raise PolicyError(f"{where}: bands must be listed from the highest minimum down")
        if any(g.code == code for g in grades):
            raise PolicyError(f"{where}: listed twice")
        grades.append(grade)
    if grades[-1].min != 0:
        raise PolicyError(f'{name}: the last grade band must start at "0" so that every score has a grade')
    return tuple(grades)


def parse_scoring_policy(data: bytes, name: str = "<scoring policy>") -> ScoringPolicy:
    """Parse and validate a scoring policy file's bytes."""
    raw = loading.parse_toml(data, name)
    if raw.get("kind") != FAMILY:
        raise PolicyError(f'{name}: kind must be "scoring" (this is not a scoring policy)')
    loading.only_fields(
        raw,
        {
            "kind", "version", "published", "in_force_from", "source", "monthly", "bonus", "grade",
            "quarterly", "annual", "window", "ratings", "overdue",
        },
        name,
    )  # fmt: skip
    version = loading.field_version(raw, name)
    in_force_from = loading.field_date(raw, "in_force_from", name)

    where = f"{name} [monthly]"
    monthly = loading.section(raw, "monthly", name)
    loading.only_fields(
        monthly,
        {"base", "floor", "bonus_cap", "deductions", "deduction_overrides", "veto_severities", "veto_grade"},
        where,
    )
    deductions = loading.field_text(monthly, "deductions", where)
    if deductions != "catalogue":
        raise PolicyError(f'{where}: deductions must be "catalogue" (per rule or item, overridable below)')
    overrides_raw = monthly.get("deduction_overrides", {})
    if not isinstance(overrides_raw, dict):
        raise PolicyError(f"{where}: deduction_overrides must be a table")
    overrides: dict[str, Decimal] = {}
    for key in overrides_raw:
        if not _KEY.match(key):
            raise PolicyError(f"{where} deduction_overrides: {key!r} must look like ART6.5 or ART6.5/late")
        overrides[key] = _points(overrides_raw, key, f"{where} deduction_overrides", high=Decimal(100))

    bonus_raw = loading.section(raw, "bonus", name)
    bonus: dict[str, Bonus] = {}
    for code, entry in bonus_raw.items():
        where_b = f"{name} [bonus.{code}]"
        if code not in BONUS_ITEMS:
            raise PolicyError(f"{where_b}: unknown bonus item; known: {', '.join(BONUS_ITEMS)}")
        if not isinstance(entry, dict):
            raise PolicyError(f"{where_b}: must be a table with points (and cap)")
        loading.only_fields(entry, {"points", "cap"}, where_b)
        bonus[code] = Bonus(
            points=_points(entry, "points", where_b, high=Decimal(100)),
            cap=_points(entry, "cap", where_b, high=Decimal(100)) if "cap" in entry else None,
        )

    grades = _grades(raw.get("grade"), name)
    veto_grade = loading.field_text(monthly, "veto_grade", where)
    if veto_grade not in [g.code for g in grades]:
        raise PolicyError(f"{where}: veto_grade {veto_grade!r} is not a grade code")

    where_q = f"{name} [quarterly]"
    quarterly = loading.section(raw, "quarterly", name)
    loading.only_fields(quarterly, {"method", "min_months_ranked", "fail_caps_grade_at", "excellent_quota"}, where_q)
    if quarterly.get("method") != "mean":
        raise PolicyError(f'{where_q}: method must be "mean"')
    caps_at = loading.field_text(quarterly, "fail_caps_grade_at", where_q)
    if caps_at not in [g.code for g in grades]:
        raise PolicyError(f"{where_q}: fail_caps_grade_at {caps_at!r} is not a grade code")

    where_a = f"{name} [annual]"
    annual = loading.section(raw, "annual", name)
    loading.only_fields(annual, {"monthly_weight", "review_weight", "excellent_quota"}, where_a)
    monthly_weight, review_weight = (
        _weight(annual, "monthly_weight", where_a),
        _weight(annual, "review_weight", where_a),
    )
    if monthly_weight + review_weight != 1:
        raise PolicyError(f"{where_a}: monthly_weight + review_weight must be 1")

    where_w = f"{name} [window]"
    window = loading.section(raw, "window", name)
    loading.only_fields(
        window,
        {
            "staff_weight", "satisfaction_weight", "on_time_weight", "items_weight", "items_base",
            "missing_components",
        },
        where_w,
    )  # fmt: skip
    weights = [
        _weight(window, k, where_w) for k in ("staff_weight", "satisfaction_weight", "on_time_weight", "items_weight")
    ]
    if sum(weights) != 1:
        raise PolicyError(f"{where_w}: the four weights must add up to 1")
    missing = loading.field_text(window, "missing_components", where_w)
    if missing not in MISSING_COMPONENTS:
        raise PolicyError(f"{where_w}: missing_components must be one of {', '.join(MISSING_COMPONENTS)}")

    where_r = f"{name} [ratings]"
    ratings = loading.section(raw, "ratings", name)
    loading.only_fields(ratings, {"satisfied_levels"}, where_r)
    levels = ratings.get("satisfied_levels")
    if not isinstance(levels, list) or not levels or not all(isinstance(v, int) and 1 <= v <= 5 for v in levels):
        raise PolicyError(f"{where_r}: satisfied_levels must list rating levels between 1 and 5")

    overdue = _overdue(raw, name)

    return ScoringPolicy(
        version=version,
        published=loading.field_text(raw, "published", name),
        in_force_from=in_force_from,
        source=loading.field_text(raw, "source", name),
        base=_points(monthly, "base", where),
        floor=_points(monthly, "floor", where),
        bonus_cap=_points(monthly, "bonus_cap", where, high=Decimal(100)),
        deductions=deductions,
        deduction_overrides=overrides,
        bonus=bonus,
        grades=grades,
        veto_severities=_severities(monthly, "veto_severities", where),
        veto_grade=veto_grade,
        quarter_min_months=loading.integer(quarterly, "min_months_ranked", where_q, low=1, high=3),
        quarter_fail_caps_at=caps_at,
        quarter_excellent_quota=_weight(quarterly, "excellent_quota", where_q)
        if "excellent_quota" in quarterly
        else None,
        annual_monthly_weight=monthly_weight,
        annual_review_weight=review_weight,
        annual_excellent_quota=_weight(annual, "excellent_quota", where_a),
        window_staff_weight=weights[0],
        window_satisfaction_weight=weights[1],
        window_on_time_weight=weights[2],
        window_items_weight=weights[3],
        window_items_base=_points(window, "items_base", where_w),
        missing_components=missing,
        satisfied_levels=tuple(sorted(levels)),
        digest=loading.digest(data),
        **overdue,
    )


def _overdue(raw: Mapping[str, Any], name: str) -> dict[str, Any]:
    """``[overdue]`` (optional): per-working-day lateness and the e-supervision cards."""
    if "overdue" not in raw:
        return {}
    where = f"{name} [overdue]"
    section = loading.section(raw, "overdue", name)
    loading.only_fields(section, {"items", "per_working_day", "cap", "window_yellow_card", "window_red_card"}, where)
    items = section.get("items")
    if not isinstance(items, list) or not all(isinstance(i, str) and _KEY.match(i) and "/" in i for i in items):
        raise PolicyError(f'{where}: items must list rule items like "ART7.2/overdue"')
    per_day = _points(section, "per_working_day", where, high=Decimal(100))
    cap = _points(section, "cap", where, high=Decimal(100))
    if cap < per_day:
        raise PolicyError(f"{where}: cap must be at least per_working_day")
    return {
        "overdue_items": tuple(items),
        "overdue_per_working_day": per_day,
        "overdue_cap": cap,
        "window_yellow_card": _points(section, "window_yellow_card", where, high=Decimal(100)),
        "window_red_card": _points(section, "window_red_card", where, high=Decimal(100)),
    }


def load_scoring_policy_file(path: Path) -> ScoringPolicy:
    return loading.read_file(path, FAMILY, parse_scoring_policy)


def scoring_versions() -> list[str]:
    return loading.versions(FAMILY)


@cache
def load_scoring_policy(version: str | None = None) -> ScoringPolicy:
    """The scoring policy of ``version`` (the newest when None)."""
    return loading.load_version(FAMILY, version, parse_scoring_policy, what="scoring policy version")


def scoring_policy_in_force(on: date) -> ScoringPolicy:
    """The policy that scores a period starting on ``on`` (no retroactive tightening)."""
    return loading.in_force(FAMILY, on, load_scoring_policy)
