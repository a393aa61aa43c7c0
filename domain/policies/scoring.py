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
  or any confirmed serious violation (一票否决, veto);
- quarterly = mean of the months (ranked with at least 2 months present; a 不合格 month
  caps the quarter at 合格); annual = 0.8 × monthly mean + 0.2 × annual review;
- window = 0.4 × mean staff score + 0.2 × satisfaction index + 0.2 × on-time completion
  + 0.2 × window items (100 − window deductions); a component without data is left out
  and the weights of the others are scaled up (``missing_components = "reweight"``).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from domain.errors import NotFound
from domain.policies.escalation import PolicyError

SEVERITIES = ("minor", "major", "serious")
_VERSION = re.compile(r"^\d{4}\.\d+$")
_KEY = re.compile(r"^ART\d+(\.\d+){1,2}(/[a-z][a-z0-9_]*)?$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_HERE = Path(__file__).parent

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

    @property
    def ref(self) -> str:
        return f"scoring@{self.version}"

    def grade(self, code: str) -> Grade:
        for grade in self.grades:
            if grade.code == code:
                return grade
        raise KeyError(code)

    def deduction_override(self, rule_id: str, item: str | None) -> Decimal | None:
        if item is not None and f"{rule_id}/{item}" in self.deduction_overrides:
            return self.deduction_overrides[f"{rule_id}/{item}"]
        return self.deduction_overrides.get(rule_id)


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where}: field {key!r} must be a non-empty string")
    return value


def _points(raw: Mapping[str, Any], key: str, where: str, *, high: Decimal = Decimal(1000)) -> Decimal:
    value = raw.get(key)
    if not isinstance(value, str):
        raise PolicyError(f'{where}: {key} must be a decimal string such as "2" or "0.5"')
    try:
        points = Decimal(value)
    except InvalidOperation:
        raise PolicyError(f"{where}: {key} {value!r} is not a decimal number") from None
    if not points.is_finite() or points < 0 or points > high:
        raise PolicyError(f"{where}: {key} {value!r} must lie between 0 and {high}")
    return points


def _weight(raw: Mapping[str, Any], key: str, where: str) -> Decimal:
    return _points(raw, key, where, high=Decimal(1))


def _int(raw: Mapping[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise PolicyError(f"{where}: {key} must be an integer between {low} and {high}")
    return value


def _section(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: section [{key}] is missing or not a table")
    return value


def _unknown(raw: Mapping[str, Any], known: set[str], where: str) -> None:
    extra = sorted(set(raw) - known)
    if extra:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(extra)}")


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
        code = _text(entry, "code", f"{name} [[grade]]")
        where = f"{name} grade {code}"
        if not _CODE.match(code):
            raise PolicyError(f"{where}: code must be lower_snake_case")
        _unknown(entry, {"code", "name_zh", "name_en", "min", "forbids"}, where)
        grade = Grade(
            code=code,
            name_zh=_text(entry, "name_zh", where),
            name_en=_text(entry, "name_en", where),
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
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise PolicyError(f"{name}: not valid UTF-8 TOML: {e}") from None
    if raw.get("kind") != "scoring":
        raise PolicyError(f'{name}: kind must be "scoring" (this is not a scoring policy)')
    _unknown(
        raw,
        {
            "kind", "version", "published", "in_force_from", "source", "monthly", "bonus", "grade",
            "quarterly", "annual", "window", "ratings",
        },
        name,
    )  # fmt: skip
    version = _text(raw, "version", name)
    if not _VERSION.match(version):
        raise PolicyError(f"{name}: version {version!r} must look like 2026.1")
    in_force_raw = _text(raw, "in_force_from", name)
    try:
        in_force_from = date.fromisoformat(in_force_raw)
    except ValueError:
        raise PolicyError(f"{name}: in_force_from {in_force_raw!r} is not a date") from None

    where = f"{name} [monthly]"
    monthly = _section(raw, "monthly", name)
    _unknown(
        monthly,
        {"base", "floor", "bonus_cap", "deductions", "deduction_overrides", "veto_severities", "veto_grade"},
        where,
    )
    deductions = _text(monthly, "deductions", where)
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

    bonus_raw = _section(raw, "bonus", name)
    bonus: dict[str, Bonus] = {}
    for code, entry in bonus_raw.items():
        where_b = f"{name} [bonus.{code}]"
        if code not in BONUS_ITEMS:
            raise PolicyError(f"{where_b}: unknown bonus item; known: {', '.join(BONUS_ITEMS)}")
        if not isinstance(entry, dict):
            raise PolicyError(f"{where_b}: must be a table with points (and cap)")
        _unknown(entry, {"points", "cap"}, where_b)
        bonus[code] = Bonus(
            points=_points(entry, "points", where_b, high=Decimal(100)),
            cap=_points(entry, "cap", where_b, high=Decimal(100)) if "cap" in entry else None,
        )

    grades = _grades(raw.get("grade"), name)
    veto_grade = _text(monthly, "veto_grade", where)
    if veto_grade not in [g.code for g in grades]:
        raise PolicyError(f"{where}: veto_grade {veto_grade!r} is not a grade code")

    where_q = f"{name} [quarterly]"
    quarterly = _section(raw, "quarterly", name)
    _unknown(quarterly, {"method", "min_months_ranked", "fail_caps_grade_at"}, where_q)
    if quarterly.get("method") != "mean":
        raise PolicyError(f'{where_q}: method must be "mean"')
    caps_at = _text(quarterly, "fail_caps_grade_at", where_q)
    if caps_at not in [g.code for g in grades]:
        raise PolicyError(f"{where_q}: fail_caps_grade_at {caps_at!r} is not a grade code")

    where_a = f"{name} [annual]"
    annual = _section(raw, "annual", name)
    _unknown(annual, {"monthly_weight", "review_weight", "excellent_quota"}, where_a)
    monthly_weight, review_weight = (
        _weight(annual, "monthly_weight", where_a),
        _weight(annual, "review_weight", where_a),
    )
    if monthly_weight + review_weight != 1:
        raise PolicyError(f"{where_a}: monthly_weight + review_weight must be 1")

    where_w = f"{name} [window]"
    window = _section(raw, "window", name)
    _unknown(
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
    missing = _text(window, "missing_components", where_w)
    if missing not in MISSING_COMPONENTS:
        raise PolicyError(f"{where_w}: missing_components must be one of {', '.join(MISSING_COMPONENTS)}")

    where_r = f"{name} [ratings]"
    ratings = _section(raw, "ratings", name)
    _unknown(ratings, {"satisfied_levels"}, where_r)
    levels = ratings.get("satisfied_levels")
    if not isinstance(levels, list) or not levels or not all(isinstance(v, int) and 1 <= v <= 5 for v in levels):
        raise PolicyError(f"{where_r}: satisfied_levels must list rating levels between 1 and 5")

    return ScoringPolicy(
        version=version,
        published=_text(raw, "published", name),
        in_force_from=in_force_from,
        source=_text(raw, "source", name),
        base=_points(monthly, "base", where),
        floor=_points(monthly, "floor", where),
        bonus_cap=_points(monthly, "bonus_cap", where, high=Decimal(100)),
        deductions=deductions,
        deduction_overrides=overrides,
        bonus=bonus,
        grades=grades,
        veto_severities=_severities(monthly, "veto_severities", where),
        veto_grade=veto_grade,
        quarter_min_months=_int(quarterly, "min_months_ranked", where_q, 1, 3),
        quarter_fail_caps_at=caps_at,
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
        digest=hashlib.sha256(data).hexdigest(),
    )


def load_scoring_policy_file(path: Path) -> ScoringPolicy:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PolicyError(f"{path}: cannot read the policy file: {e.strerror}") from None
    policy = parse_scoring_policy(data, path.name)
    expected = f"scoring-{policy.version}.toml"
    if path.name.startswith("scoring-") and path.name != expected:
        raise PolicyError(f"{path.name}: declares version {policy.version}, expected {expected}")
    return policy


def scoring_versions() -> list[str]:
    versions = [p.stem.removeprefix("scoring-") for p in _HERE.glob("scoring-*.toml")]
    return sorted(versions, key=lambda v: tuple(int(part) for part in v.split(".")))


@cache
def load_scoring_policy(version: str | None = None) -> ScoringPolicy:
    """The scoring policy of ``version`` (the newest when None)."""
    versions = scoring_versions()
    if version is None:
        version = versions[-1]
    if version not in versions:
        raise NotFound(
            f"scoring policy version {version!r} does not exist (have: {', '.join(versions)})", field="policy"
        )
    return load_scoring_policy_file(_HERE / f"scoring-{version}.toml")


def scoring_policy_in_force(on: date) -> ScoringPolicy:
    """The policy that scores a period starting on ``on`` (no retroactive tightening)."""
    versions = scoring_versions()
    chosen = load_scoring_policy(versions[0])
    for version in versions:
        policy = load_scoring_policy(version)
        if policy.in_force_from <= on:
            chosen = policy
    return chosen
