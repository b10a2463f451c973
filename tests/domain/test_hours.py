"""The center's opening hours (soulroute/hours.py): parsed strictly, read in the center's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from soulroute.hours import is_open, parse_hours

WEEK = "Mon-Thu 09:00-19:00; Fri 09:00-16:00"


@pytest.mark.parametrize(
    ("at", "zone", "expected"),
    [
        (datetime(2026, 12, 2, 14, 0, tzinfo=UTC), "UTC", True),  # Wednesday afternoon
        (datetime(2026, 12, 4, 16, 30, tzinfo=UTC), "UTC", False),  # Friday after 16:00
        (datetime(2026, 12, 5, 12, 0, tzinfo=UTC), "UTC", False),  # Saturday
        (datetime(2026, 12, 2, 8, 59, tzinfo=UTC), "UTC", False),  # before opening
        # 02:00 UTC on Thursday is still Wednesday 20:00 in Chicago: closed there, by its own clock.
        (datetime(2026, 12, 3, 2, 0, tzinfo=UTC), "America/Chicago", False),
        (datetime(2026, 12, 3, 15, 0, tzinfo=UTC), "America/Chicago", True),  # Thursday 09:00 in Chicago
    ],
)
def test_open_by_the_centers_own_clock(at: datetime, zone: str, expected: bool) -> None:
    assert is_open(at, WEEK, zone) is expected


def test_a_range_may_wrap_over_the_weekend() -> None:
    assert {d for o in parse_hours("Fri-Mon 10:00-14:00") for d in o.days} == {4, 5, 6, 0}


@pytest.mark.parametrize("spec", ["", "weekdays 9-5", "Mon-Fri 17:00-09:00", "Mon-Fry 09:00-17:00", "Mon 25:00-26:00"])
def test_what_is_not_understood_is_refused_with_the_part_named(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_hours(spec)
