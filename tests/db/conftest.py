import pytest
from sqlalchemy import text

from soulroute.db.session import as_owner

TABLES = "users, counselor_profiles, support_tickets, ticket_events, session_notes, notifications, record_access_log, auth_sessions, auth_throttle, email_outbox, crisis_escalations"


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Each database test starts from empty tables."""
    with as_owner() as s:
        s.execute(text(f"truncate {TABLES} restart identity cascade"))
