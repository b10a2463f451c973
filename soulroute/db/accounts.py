"""Creating accounts (as the owner: the command-line tool, the demo loader, tests)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text
from sqlmodel import Session

from soulroute.db.models import SessionMode, TicketCategory, UserRole


def upsert_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    role: UserRole,
    password_hash: str | None = None,
) -> uuid.UUID:
    """Create the account, or return the existing one with that email (case-insensitive). The password
    comes hashed (auth/passwords.py): this layer never sees one in clear."""
    existing = session.execute(text("select id from users where lower(email) = lower(:e)"), {"e": email}).scalar()
    if existing is not None:
        return existing
    return session.execute(
        text("insert into users (email, display_name, role, password_hash) values (:e, :n, :r, :h) returning id"),
        {"e": email, "n": display_name, "r": role.value, "h": password_hash},
    ).scalar_one()


def upsert_counselor_profile(
    session: Session,
    user_id: uuid.UUID,
    *,
    expertise: Sequence[TicketCategory],
    session_modes: Sequence[SessionMode] = tuple(SessionMode),
    capacity: int = 5,
    accepting_new: bool = True,
    on_call_crisis: bool = False,
    bio: str = "",
) -> None:
    session.execute(
        text(
            """
            insert into counselor_profiles (user_id, expertise, session_modes, capacity, accepting_new,
                                            on_call_crisis, bio)
            values (:u, cast(:exp as ticket_category[]), cast(:modes as session_mode[]), :cap, :acc, :oncall, :bio)
            on conflict (user_id) do update set expertise = excluded.expertise,
                session_modes = excluded.session_modes, capacity = excluded.capacity,
                accepting_new = excluded.accepting_new, on_call_crisis = excluded.on_call_crisis, bio = excluded.bio
            """
        ),
        {
            "u": user_id,
            "exp": [c.value for c in expertise],
            "modes": [m.value for m in session_modes],
            "cap": capacity,
            "acc": accepting_new,
            "oncall": on_call_crisis,
            "bio": bio,
        },
    )
