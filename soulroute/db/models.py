"""Table models (sqlmodel). Alembic owns the schema; these only map rows for queries."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, Text
from sqlalchemy.dialects.postgresql import ARRAY, ENUM, UUID
from sqlmodel import Field, SQLModel


class UserRole(enum.StrEnum):
    STUDENT = "student"
    COUNSELOR = "counselor"
    ADMIN = "admin"


class TicketCategory(enum.StrEnum):
    ANXIETY = "anxiety"
    DEPRESSION = "depression"
    STRESS = "stress"
    RELATIONSHIPS = "relationships"
    ACADEMIC = "academic"
    OTHER = "other"


class TicketUrgency(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRISIS = "crisis"


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CLOSED = "closed"


class SessionMode(enum.StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    CHAT = "chat"
    IN_PERSON = "in-person"


def pg_enum(py_enum: type[enum.Enum], name: str) -> ENUM:
    return ENUM(py_enum, name=name, create_type=False, values_callable=lambda e: [m.value for m in e])


def _tz(nullable: bool = True, **kw) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, **kw)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    email: str
    display_name: str
    role: UserRole = Field(sa_column=Column(pg_enum(UserRole, "user_role"), nullable=False))
    is_active: bool = True
    created_at: datetime = Field(sa_column=_tz(False))
    updated_at: datetime = Field(sa_column=_tz(False))


class CounselorProfile(SQLModel, table=True):
    __tablename__ = "counselor_profiles"

    user_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    expertise: list[TicketCategory] = Field(
        sa_column=Column(ARRAY(pg_enum(TicketCategory, "ticket_category")), nullable=False)
    )
    session_modes: list[SessionMode] = Field(
        sa_column=Column(ARRAY(pg_enum(SessionMode, "session_mode")), nullable=False)
    )
    capacity: int = 5
    accepting_new: bool = True
    on_call_crisis: bool = False
    bio: str = ""


class SupportTicket(SQLModel, table=True):
    __tablename__ = "support_tickets"

    id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    student_id: uuid.UUID
    counselor_id: uuid.UUID | None = None
    title: str
    description: str = Field(sa_column=Column(Text, nullable=False))
    category: TicketCategory = Field(sa_column=Column(pg_enum(TicketCategory, "ticket_category"), nullable=False))
    urgency: TicketUrgency = Field(sa_column=Column(pg_enum(TicketUrgency, "ticket_urgency"), nullable=False))
    status: TicketStatus = Field(sa_column=Column(pg_enum(TicketStatus, "ticket_status"), nullable=False))
    session_mode: SessionMode = Field(sa_column=Column(pg_enum(SessionMode, "session_mode"), nullable=False))
    scheduled_time: datetime | None = Field(default=None, sa_column=_tz())
    scheduled_end: datetime | None = Field(default=None, sa_column=_tz())
    session_minutes: int = 50
    meeting_link: str | None = None
    location: str | None = None
    notes: str = ""
    close_reason: str | None = None
    idempotency_key: uuid.UUID | None = None
    created_at: datetime = Field(sa_column=_tz(False))
    updated_at: datetime = Field(sa_column=_tz(False))
    claimed_at: datetime | None = Field(default=None, sa_column=_tz())
    scheduled_at: datetime | None = Field(default=None, sa_column=_tz())
    completed_at: datetime | None = Field(default=None, sa_column=_tz())
    closed_at: datetime | None = Field(default=None, sa_column=_tz())


class TicketEvent(SQLModel, table=True):
    __tablename__ = "ticket_events"

    id: int = Field(primary_key=True)
    ticket_id: uuid.UUID
    actor_id: uuid.UUID | None = None
    kind: str
    from_status: TicketStatus | None = Field(default=None, sa_column=Column(pg_enum(TicketStatus, "ticket_status")))
    to_status: TicketStatus | None = Field(default=None, sa_column=Column(pg_enum(TicketStatus, "ticket_status")))
    created_at: datetime = Field(sa_column=_tz(False))


class SessionNote(SQLModel, table=True):
    __tablename__ = "session_notes"

    id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    ticket_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    created_at: datetime = Field(sa_column=_tz(False))


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"

    id: int = Field(primary_key=True)
    user_id: uuid.UUID
    ticket_id: uuid.UUID | None = None
    kind: str
    body: str
    created_at: datetime = Field(sa_column=_tz(False))
    read_at: datetime | None = Field(default=None, sa_column=_tz())
