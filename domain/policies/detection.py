"""The detection policy (``detection-<version>.toml``): the thresholds of automatic detection.

The regulation says *that* an inquiry is handled promptly (ART2.1), a case is finished
within its committed limit (ART2.3, ART7.2), staff arrive on time and do not leave the post
(ART6.5); this policy says *how prompt* and *how late* before the detector records a
candidate for a person to confirm or dismiss. Thresholds another policy already holds
(opening sessions and the punctuality grace: attendance; the virus-check interval:
security) are read there, never copied here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from domain.policies import loading

FAMILY = "detection"


@dataclass(frozen=True)
class DetectionPolicy:
    version: str
    published: str
    in_force_from: date
    source: str
    #: ART2.1: handled, handed over or reported to a leader within this many working hours
    inquiry_handling_working_hours: int
    #: ART2.3/ART7.2: yellow light at this many working days (or fewer) before the deadline
    yellow_light_working_days: int
    #: red card when still open this many working days after the yellow card
    red_card_working_days: int
    #: ART6.5: late by more than this many minutes is ``late_long``
    late_long_over_minutes: int
    #: ART6.5: away from the post this many minutes or more without a notice is ``left_post``
    left_post_minutes: int
    digest: str

    @property
    def ref(self) -> str:
        """``detection@2026.1`` — what every candidate judged under this policy cites."""
        return f"{FAMILY}@{self.version}"


def parse_detection_policy(data: bytes, name: str = "<detection policy>") -> DetectionPolicy:
    raw = loading.parse_toml(data, name)
    loading.only_keys(
        raw,
        ("family", "version", "published", "in_force_from", "source", "inquiry", "supervision", "attendance"),
        name,
    )
    version, in_force_from, source = loading.header(raw, FAMILY, name)
    inquiry = loading.table(raw.get("inquiry"), f"{name} [inquiry]")
    loading.only_keys(inquiry, ("handling_working_hours",), f"{name} [inquiry]")
    supervision = loading.table(raw.get("supervision"), f"{name} [supervision]")
    loading.only_keys(supervision, ("yellow_light_working_days", "red_card_working_days"), f"{name} [supervision]")
    attendance = loading.table(raw.get("attendance"), f"{name} [attendance]")
    loading.only_keys(attendance, ("late_long_over_minutes", "left_post_minutes"), f"{name} [attendance]")
    return DetectionPolicy(
        version=version,
        published=loading.text(raw, "published", name),
        in_force_from=in_force_from,
        source=source,
        inquiry_handling_working_hours=loading.integer(
            inquiry, "handling_working_hours", f"{name} [inquiry]", low=1, high=80
        ),
        yellow_light_working_days=loading.integer(
            supervision, "yellow_light_working_days", f"{name} [supervision]", low=0, high=30
        ),
        red_card_working_days=loading.integer(
            supervision, "red_card_working_days", f"{name} [supervision]", low=1, high=60
        ),
        late_long_over_minutes=loading.integer(
            attendance, "late_long_over_minutes", f"{name} [attendance]", low=1, high=240
        ),
        left_post_minutes=loading.integer(attendance, "left_post_minutes", f"{name} [attendance]", low=1, high=480),
        digest=loading.digest(data),
    )


@cache
def load_detection_policy(version: str | None = None) -> DetectionPolicy:
    """The detection policy of ``version`` (the newest when None)."""
    return loading.load_version(FAMILY, version, parse_detection_policy)


def detection_policy_in_force(on: date) -> DetectionPolicy:
    """The version that judges a fact of valid date ``on`` (no retroactive tightening)."""
    return loading.in_force(FAMILY, on, load_detection_policy)
