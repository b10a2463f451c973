"""The database's own limits: no session time beyond the booking horizon (table app_limits), and no
bidirectional control characters in titles and display names (they make "evil<RLO>txt.exe" display
otherwise). The domain checks come first (tests/domain/test_limits.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.db.sql import owner, owner_sqlstate, sqlstate
from tests.factories import BIDI_CONTROLS, claimed_ticket, make_student, open_ticket


@pytest.fixture
def held():
    return claimed_ticket()


def test_a_session_beyond_the_horizon_is_refused_by_the_database(held):
    counselor, ticket = held
    far = "update support_tickets set status = 'scheduled', scheduled_time = :at where id = :t"
    assert sqlstate(counselor, far, {"t": ticket, "at": datetime(3000, 1, 1, tzinfo=UTC)}) == "SR006"
    # Not even maintenance without an app identity may book one.
    assert owner_sqlstate(far, {"t": ticket, "at": datetime.now(UTC) + timedelta(days=400)}) == "SR006"
    assert sqlstate(counselor, far, {"t": ticket, "at": datetime.now(UTC) + timedelta(days=300)}) is None
    # The owner can move the horizon; the database follows at once.
    owner("update app_limits set value = 500 where name = 'booking_horizon_days'")
    try:
        later = datetime.now(UTC) + timedelta(days=450)
        assert sqlstate(counselor, far, {"t": ticket, "at": later}) is None
    finally:
        owner("update app_limits set value = 365 where name = 'booking_horizon_days'")
    # The runtime role cannot change it (nor read it: the trigger reads it as the owner).
    assert sqlstate(counselor, "update app_limits set value = 100000") == "42501"


def test_the_database_refuses_bidirectional_controls_in_titles_and_names():
    student = make_student()
    ticket = open_ticket(student)
    for ch in BIDI_CONTROLS:
        title = f"evil{ch}exe.txt"
        assert (
            owner_sqlstate("update support_tickets set title = :v where id = :t", {"v": title, "t": ticket}) == "23514"
        )
        assert owner_sqlstate(
            "update users set display_name = :v where id = :u", {"v": f"Sam{ch}", "u": student.id}
        ) == ("23514")
    assert owner_sqlstate("update users set display_name = 'Sam Plain' where id = :u", {"u": student.id}) is None
