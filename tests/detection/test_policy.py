"""The detection thresholds are strict, versioned policy data (``detection-<version>.toml``)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policies.detection import detection_policy_in_force, load_detection_policy, parse_detection_policy
from domain.policies.loading import HERE, PolicyError

DETECTION = (HERE / "detection-2026.1.toml").read_text(encoding="utf-8")


@pytest.mark.rules("ART2.1", "ART2.3", "ART7.2", "ART6.5")
def test_the_thresholds_of_2026_1() -> None:
    policy = load_detection_policy("2026.1")
    assert policy.ref == "detection@2026.1"
    assert policy.inquiry_handling_working_hours == 2
    assert (policy.yellow_light_working_days, policy.red_card_working_days) == (2, 3)
    assert (policy.late_long_over_minutes, policy.left_post_minutes) == (10, 15)
    assert detection_policy_in_force(date(2026, 10, 13)) is policy
    assert len(policy.digest) == 64


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("late_long_over_minutes = 10", "late_long_over_minutes = 10\ngrace_minutes = 5"), "unknown key"),
        (("handling_working_hours = 2", "handling_working_hours = 0"), "between 1 and 80"),
        (("red_card_working_days = 3", 'red_card_working_days = "3"'), "integer"),
        (('family = "detection"', 'family = "security"'), "family must be 'detection'"),
        (("\n[supervision]", "\n[supervisions]"), "unknown key"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_key(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_detection_policy(DETECTION.replace(*edit).encode(), "detection-test.toml")
