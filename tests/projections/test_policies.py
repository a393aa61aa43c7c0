"""Escalation and scoring policies are versioned data with strict loaders (no store needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.errors import NotFound
from domain.policies.escalation import (
    PolicyError,
    escalation_policy_in_force,
    load_escalation_policy,
    parse_escalation_policy,
)
from domain.policies.scoring import load_scoring_policy, parse_scoring_policy, scoring_policy_in_force
from domain.rules import current_catalogue

POLICIES = Path(__file__).parents[2] / "domain" / "policies"
ESCALATION = (POLICIES / "escalation-2026.1.toml").read_text(encoding="utf-8")
SCORING = (POLICIES / "scoring-2026.1.toml").read_text(encoding="utf-8")


def test_the_default_escalation_policy_follows_domain_md() -> None:
    policy = load_escalation_policy("2026.1")
    assert policy.ref == "escalation@2026.1" and len(policy.digest) == 64
    assert (policy.step_severities, policy.grouped_severities, policy.immediate_severities) == (
        ("major",), ("minor",), ("serious",),
    )  # fmt: skip
    assert (policy.minor_per_step, policy.minor_window_days, policy.look_back_days) == (3, 90, 365)
    assert (policy.bad_ratings_per_step, policy.bad_ratings_window_days) == (3, 90)
    assert (policy.remedy_due_working_days, policy.decision_due_days) == (5, 14)
    assert escalation_policy_in_force(date(2026, 10, 1)) == policy


def test_every_conduct_rule_has_a_family_and_only_posture_differs_from_the_catalogue() -> None:
    policy = load_escalation_policy()
    for rule in current_catalogue():
        if rule.kind != "conduct" or rule.target != "person":
            continue
        assert policy.family_of(rule.id) == rule.family, rule.id
        for item in rule.items:
            expected = "DISCIPLINE" if (rule.id, item) == ("ART6.3", "back_to_window") else rule.family
            assert policy.family_of(rule.id, item) == expected, (rule.id, item)


def test_the_default_scoring_policy_follows_domain_md() -> None:
    policy = load_scoring_policy("2026.1")
    assert (policy.base, policy.floor, policy.bonus_cap) == (100, 0, 5)
    assert [(g.name_zh, g.min, g.forbids) for g in policy.grades] == [
        ("优秀", 95, ("major", "serious")), ("良好", 85, ()), ("合格", 60, ()), ("不合格", 0, ()),
    ]  # fmt: skip
    assert (policy.veto_severities, policy.veto_grade) == (("serious",), "fail")
    assert (policy.annual_monthly_weight, policy.annual_review_weight, policy.annual_excellent_quota) == (
        Decimal("0.8"), Decimal("0.2"), Decimal("0.2"),
    )  # fmt: skip
    weights = (
        policy.window_staff_weight, policy.window_satisfaction_weight, policy.window_on_time_weight,
        policy.window_items_weight,
    )  # fmt: skip
    assert weights == (Decimal("0.4"), Decimal("0.2"), Decimal("0.2"), Decimal("0.2"))
    assert scoring_policy_in_force(date(2026, 10, 1)) == policy
    with pytest.raises(NotFound):
        load_scoring_policy("1999.1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "escalation"', 'kind = "scoring"'), "not an escalation policy"),
        (('version = "2026.1"', 'version = "26.1"'), "must look like 2026.1"),
        (("look_back_days = 365", "look_back_days = 0"), "look_back_days = 0 must lie between"),
        (("minor_per_step = 3", 'minor_per_step = "3"'), "minor_per_step must be an integer"),
        (('step_severities = ["major"]', 'step_severities = ["minor"]'), "more than one of"),
        (('bad_rating_family = "SERVICE"', 'bad_rating_family = "FUN"'), "bad_rating_family 'FUN'"),
        (('SECURITY = ["ART5.1", "ART9"]', 'SECURITY = ["ART5.1", "ART9", "ART3"]'), "ART3 is listed under"),
        (('SECURITY = ["ART5.1", "ART9"]', 'SECURITY = ["ART5.1", "9"]'), "'9' is not a rule id prefix"),
        (("clean_days = 365", "clean_days = 365\nextra = 1"), "unknown field(s) extra"),
        (("[decisions]", "[decision]"), "unknown field(s) decision"),
    ],
)
def test_a_malformed_escalation_policy_is_refused_with_a_clear_message(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in ESCALATION
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse_escalation_policy(ESCALATION.replace(old, new, 1).encode(), "escalation-test.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "scoring"', 'kind = "escalation"'), "not a scoring policy"),
        (('base = "100"', "base = 100"), "base must be a decimal string"),
        (('staff_weight = "0.4"', 'staff_weight = "0.5"'), "the four weights must add up to 1"),
        (('monthly_weight = "0.8"', 'monthly_weight = "0.7"'), "monthly_weight \\+ review_weight must be 1"),
        (('min = "85"', 'min = "96"'), "from the highest minimum down"),
        (('veto_grade = "fail"', 'veto_grade = "terrible"'), "veto_grade 'terrible' is not a grade code"),
        (("[bonus.innovation]", "[bonus.birthday]"), "unknown bonus item"),
        (('# "ART6.5/late" = "1"', '"late" = "1"'), "must look like ART6.5 or ART6.5/late"),
        (("satisfied_levels = [4, 5]", "satisfied_levels = [6]"), "satisfied_levels must list"),
        (('missing_components = "reweight"', 'missing_components = "guess"'), "missing_components must be one of"),
    ],
)
def test_a_malformed_scoring_policy_is_refused_with_a_clear_message(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in SCORING
    with pytest.raises(PolicyError, match=message):
        parse_scoring_policy(SCORING.replace(old, new, 1).encode(), "scoring-test.toml")
