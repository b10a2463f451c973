"""Building blocks for tests: accounts and tickets made as the owner, actors to act as."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from soulroute.auth.passwords import hash_password
from soulroute.db.accounts import upsert_counselor_profile, upsert_user
from soulroute.db.models import SessionMode, TicketCategory, TicketUrgency, UserRole
from soulroute.db.session import as_owner
from soulroute.domain import tickets
from soulroute.domain.rules import Actor

PASSWORD = "correct horse battery"


def make_user(role: UserRole, name: str | None = None, *, password: str | None = None) -> Actor:
    tag = secrets.token_hex(3)
    display = name or f"{role.value.title()} {tag}"
    with as_owner() as s:
        uid = upsert_user(
            s,
            email=f"{role.value}-{tag}@uni.test",
            display_name=display,
            role=role,
            password_hash=hash_password(password) if password else None,
        )
    return Actor(id=uid, role=role, display_name=display)


def make_student(name: str | None = None) -> Actor:
    return make_user(UserRole.STUDENT, name)


def make_admin(name: str | None = None) -> Actor:
    return make_user(UserRole.ADMIN, name)


def make_counselor(
    name: str | None = None,
    *,
    expertise: Sequence[TicketCategory] = (TicketCategory.ANXIETY,),
    capacity: int = 5,
    accepting_new: bool = True,
    on_call_crisis: bool = False,
) -> Actor:
    actor = make_user(UserRole.COUNSELOR, name)
    with as_owner() as s:
        upsert_counselor_profile(
            s,
            actor.id,
            expertise=expertise,
            capacity=capacity,
            accepting_new=accepting_new,
            on_call_crisis=on_call_crisis,
        )
    return actor


def open_ticket(
    student: Actor,
    *,
    category: TicketCategory = TicketCategory.ANXIETY,
    urgency: TicketUrgency = TicketUrgency.MEDIUM,
    mode: SessionMode = SessionMode.VIDEO,
    title: str = "Trouble sleeping before exams",
) -> uuid.UUID:
    row = tickets.create_ticket(
        student,
        {
            "title": title,
            "description": "I lie awake for hours and cannot focus during the day anymore.",
            "category": category.value,
            "urgency": urgency.value,
            "session_mode": mode.value,
        },
    )
    return row.id


def set_active(user: Actor, active: bool) -> None:
    with as_owner() as s:
        s.execute(text("update users set is_active = :a where id = :id"), {"a": active, "id": user.id})


def in_a_few_minutes() -> datetime:
    """A session start that is in the future yet already inside the window where Complete opens."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)


# Every bidirectional control character a title or name must never carry (marks, embeddings, overrides,
# isolates): they make "evil<RLO>txt.exe" display as "evilexe.txt".
BIDI_CONTROLS = "".join(map(chr, [0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]))


def claimed_ticket(counselor_name: str = "Dr. Far") -> tuple[Actor, uuid.UUID]:
    """A counselor and a ticket they have just claimed (ready to schedule)."""
    counselor, student = make_counselor(counselor_name), make_student()
    ticket = open_ticket(student)
    tickets.claim_ticket(counselor, ticket)
    return counselor, ticket
