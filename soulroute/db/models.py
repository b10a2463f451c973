"""The schema's enum types as Python enums. Alembic owns the schema; queries return typed rows of their own."""

from __future__ import annotations

import enum


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
