"""Limits the domain applies before the database does (tests/db/test_limits.py): a booking horizon for
session times with a message for the field, and bidirectional control characters dropped from every
text input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soulroute.auth.accounts import AccountInput
from soulroute.config import get_settings
from soulroute.domain import tickets
from soulroute.domain.errors import TimeBeyondHorizon
from soulroute.domain.schemas import TicketCreate
from tests.factories import BIDI_CONTROLS, claimed_ticket

RLO, LRI, RLM = "\u202e", "\u2066", "\u200f"


@pytest.fixture
def held():
    return claimed_ticket()


def test_a_session_beyond_the_horizon_is_refused_by_the_domain(held):
    counselor, ticket = held
    days = get_settings().session_booking_horizon_days
    assert days == 365
    with pytest.raises(TimeBeyondHorizon) as err:
        tickets.schedule_session(counselor, {"ticket_id": ticket, "start": datetime(3000, 1, 1, 10, tzinfo=UTC)})
    assert err.value.field == "start"
    assert err.value.message == "The session time must be within 365 days from now."
    with pytest.raises(TimeBeyondHorizon):
        tickets.schedule_session(counselor, {"ticket_id": ticket, "start": datetime.now(UTC) + timedelta(days=366)})
    row = tickets.schedule_session(counselor, {"ticket_id": ticket, "start": datetime.now(UTC) + timedelta(days=364)})
    assert row.scheduled_time is not None


def test_every_text_input_drops_bidirectional_controls():
    base = {"description": "d" * 30, "category": "other", "urgency": "low", "session_mode": "video"}
    created = TicketCreate.parse({**base, "title": f"  invoice{RLO}fdp.exe  "})
    assert created.title == "invoicefdp.exe"
    assert TicketCreate.parse({**base, "title": f"Plain{BIDI_CONTROLS} title"}).title == "Plain title"
    signup = AccountInput.model_validate(
        {"email": "a@university.example", "display_name": f"Sam{RLM}{LRI}", "password": "amber falcon meadow 42"}
    )
    assert signup.display_name == "Sam"
