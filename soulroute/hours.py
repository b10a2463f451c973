"""The counseling center's opening hours (COUNSELING_HOURS): "Mon-Fri 09:00-17:00", or several parts separated by
";" ("Mon-Thu 09:00-19:00; Fri 09:00-16:00"), in the center's time zone (CENTER_TIME_ZONE). A student who
writes outside them is told at once that messages are not watched around the clock (issue 13)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PART = re.compile(r"^\s*(\w{3})(?:\s*-\s*(\w{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Opening:
    days: frozenset[int]  # Monday is 0
    start: time
    end: time


def parse_hours(spec: str) -> tuple[Opening, ...]:
    """The parts of `spec`; ValueError with what is wrong when it is not understood."""
    openings = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        found = PART.match(part)
        if not found:
            raise ValueError(f"not understood: {part!r} (expected e.g. 'Mon-Fri 09:00-17:00')")
        first, last, h1, m1, h2, m2 = found.groups()
        try:
            a, b = DAYS.index(first.lower()), DAYS.index((last or first).lower())
            start, end = time(int(h1), int(m1)), time(int(h2), int(m2))
        except ValueError as exc:
            raise ValueError(f"not understood: {part!r} ({exc})") from None
        if end <= start:
            raise ValueError(f"{part!r} ends before it starts")
        openings.append(Opening(frozenset(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]), start, end))
    if not openings:
        raise ValueError("no opening hours given")
    return tuple(openings)


def is_open(at: datetime, spec: str, zone: str) -> bool:
    """Is the center open at `at` (an aware time), by its own clock?"""
    local = at.astimezone(ZoneInfo(zone))
    clock = local.time()
    return any(local.weekday() in o.days and o.start <= clock < o.end for o in parse_hours(spec))
