"""Pydantic models for every input the domain accepts (the UI validates with the same ones) and
the typed rows it returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from soulroute.db.models import SessionMode, TicketCategory, TicketStatus, TicketUrgency, UserRole
from soulroute.domain.errors import NotFound, ValidationFailed

TITLE_MIN, TITLE_MAX = 5, 120
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 5000
REASON_MAX = 500

FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "category": "Category",
    "urgency": "Urgency",
    "session_mode": "Session preference",
    "start": "Date and time",
    "session_minutes": "Session length",
    "meeting_link": "Meeting link",
    "location": "Place",
    "reason": "Reason",
    "student_message": "Message to the student",
    "body": "Message",
    "session_notes": "Session notes",
    "notes": "Notes for the student",
    "ticket_id": "Ticket",
    "capacity": "Capacity",
    "bio": "Bio",
    "expertise": "Expertise",
    "session_modes": "Session modes",
    "display_name": "Name",
}
# How one item of a list field is named ("Choose at least one session mode."), and a number's unit.
ITEM_NOUNS = {"session_modes": "session mode", "expertise": "category"}
UNITS = {"session_minutes": " minutes"}


def _https(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if not value.lower().startswith("https://") or any(c.isspace() or c in '<>"' for c in value) or len(value) > 500:
        raise ValueError("must be an https:// address")
    return value


# Bidirectional controls (LRM/RLM, embeddings and overrides, isolates) reorder how text displays, so
# "evil<U+202E>txt.exe" shows as "evilexe.txt". Every text input drops them (the database refuses them
# in titles and names, migration 0020).
BIDI_CONTROLS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def strip_bidi(value: Any) -> Any:
    return value.translate(BIDI_CONTROLS) if isinstance(value, str) else value


# The one text type of every input model: bidi controls dropped, then surrounding whitespace.
Trimmed = Annotated[str, BeforeValidator(strip_bidi), StringConstraints(strip_whitespace=True)]
HttpsLink = Annotated[str | None, AfterValidator(_https)]


def parse_id(value: uuid.UUID | str, not_found: str = "Ticket not found.") -> uuid.UUID:
    """An id that came from outside (a URL, a form). One that is not a UUID names nothing here: NotFound."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(not_found) from None


class DomainInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @classmethod
    def parse(cls, data: dict[str, Any]):
        """Validate `data`, raising ValidationFailed with one readable message per field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc, cls)) from None


class TicketCreate(DomainInput):
    title: Trimmed = Field(min_length=TITLE_MIN, max_length=TITLE_MAX)
    description: Trimmed = Field(min_length=DESCRIPTION_MIN, max_length=DESCRIPTION_MAX)
    category: TicketCategory
    urgency: TicketUrgency
    session_mode: SessionMode
    idempotency_key: uuid.UUID | None = None


class ScheduleInput(DomainInput):
    ticket_id: uuid.UUID
    start: datetime
    session_minutes: int = Field(default=50, ge=10, le=240)
    meeting_link: HttpsLink = None
    location: Trimmed | None = Field(default=None, max_length=200)
    notes: Trimmed | None = Field(default=None, max_length=2000)
    reason: Trimmed | None = Field(default=None, max_length=REASON_MAX)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone")
        return value


class ReasonInput(DomainInput):
    """Release, close, cancel: a ticket and a reason (required or not depending on the action)."""

    ticket_id: uuid.UUID
    reason: Trimmed | None = Field(default=None, max_length=REASON_MAX)


class CompleteInput(DomainInput):
    ticket_id: uuid.UUID
    session_notes: Trimmed = Field(min_length=1, max_length=20000)


class TicketFacts(BaseModel):
    """What every view of a ticket reads: who, what, where it stands and when (the admin's rows add to it)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    title: str
    category: TicketCategory
    urgency: TicketUrgency
    status: TicketStatus
    session_mode: SessionMode
    student_id: uuid.UUID
    counselor_id: uuid.UUID | None
    counselor_name: str | None = None
    student_name: str | None = None
    scheduled_time: datetime | None = None
    close_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    claimed_at: datetime | None = None


class TicketRow(TicketFacts):
    """One ticket as a list or page shows it. `description` is an excerpt on the board."""

    description: str
    session_minutes: int = 50
    meeting_link: str | None = None
    location: str | None = None
    notes: str = ""
    mode_offered: bool = True  # the board's: is the session mode one this counselor offers


class EventRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    actor_name: str | None
    actor_role: UserRole | None
    from_status: TicketStatus | None
    to_status: TicketStatus | None
    detail: dict[str, Any]
    created_at: datetime


MODES_OFFERED = "offered"  # the board's session-mode filter: any of the modes this counselor offers


class BoardFilters(DomainInput):
    category: TicketCategory | None = None
    urgency: TicketUrgency | None = None
    session_mode: SessionMode | Literal["offered"] | None = None
    search: Trimmed | None = Field(default=None, max_length=100)


class BoardCursor(BaseModel):
    """Keyset position on the board: the last row's (urgency, created_at, id)."""

    model_config = ConfigDict(frozen=True)

    urgency: TicketUrgency
    created_at: datetime
    id: uuid.UUID


def _bounds(model: type[BaseModel] | None, field: str) -> tuple[Any, Any]:
    """The field's own lower and upper bounds (Field(ge=…, le=…)), as declared on the model."""
    info = model.model_fields.get(field) if model is not None else None
    low = next((m.ge for m in getattr(info, "metadata", []) if hasattr(m, "ge")), None)
    high = next((m.le for m in getattr(info, "metadata", []) if hasattr(m, "le")), None)
    return low, high


def _message(kind: str, label: str, field: str, ctx: dict[str, Any], err: Any, model: Any) -> str:
    low, high = _bounds(model, field)
    in_list = len(err["loc"]) > 1
    if kind in {"greater_than_equal", "less_than_equal", "int_type", "int_parsing", "int_from_float"} and (
        low is not None and high is not None
    ):
        return f"{label} must be a whole number from {low} to {high}{UNITS.get(field, '')}."
    if kind == "too_short" and field in ITEM_NOUNS:
        return f"Choose at least one {ITEM_NOUNS[field]}."
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"{label} is required."
    if kind == "string_too_short":
        return f"{label} must be at least {ctx['min_length']} characters."
    if kind == "string_too_long":
        have = f"; you have {len(err['input']):,}" if isinstance(err.get("input"), str) else ""
        return f"{label} can be at most {ctx['max_length']:,} characters{have}."
    if kind == "enum" and in_list:
        return f"Choose each {ITEM_NOUNS.get(field, 'value')} from the list."
    if kind == "enum":
        article = "an" if label[0].lower() in "aeiou" else "a"
        return f"Choose {article} {label.lower()}."
    if kind == "extra_forbidden":
        return f"Unexpected field {field}."
    if kind.startswith("uuid"):
        return f"{label} is not valid."
    if kind.startswith("datetime"):
        return f"{label} is not a valid date and time."
    if kind == "value_error":
        return f"{label} {str(ctx.get('error', err['msg']))}."
    if kind in {"string_type", "int_type", "int_parsing", "bool_type", "bool_parsing", "list_type"}:
        return f"{label} has the wrong type."
    return f"{label}: {err['msg']}."


def field_errors(exc: ValidationError, model: type[BaseModel] | None = None) -> dict[str, str]:
    """One plain-language message per field, naming the field by its label and stating the limits
    `model` declares (so a message can never disagree with the rule it explains)."""
    out: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "form"
        if field not in out:
            label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
            out[field] = _message(err["type"], label, field, err.get("ctx") or {}, err, model)
    return out


# The schedule form validates "in-person needs a place" only once it knows the ticket's mode.
def require_location(data: ScheduleInput, mode: SessionMode) -> None:
    if mode is SessionMode.IN_PERSON and not data.location:
        raise ValidationFailed({"location": "Place is required for an in-person session."})


class AccessRow(BaseModel):
    """One recorded opening of a ticket's description or session notes (record_access_log)."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    accessor_name: str
    what: str
    reason: str
