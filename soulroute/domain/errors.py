"""Refusals the user can read, one class per reason, and the mapping from database errors."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError


class DomainError(Exception):
    """A refusal with a message fit to show the user. `field` names the input it concerns, if any."""

    code = "refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    code = "invalid"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()) or "Please check the form.")
        self.errors = errors


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, message: str = "Ticket not found.") -> None:
        super().__init__(message)


class AlreadyClaimed(DomainError):
    code = "already_claimed"

    def __init__(self, holder: str) -> None:
        super().__init__(f"{holder} claimed this ticket a moment ago.")
        self.holder = holder


class OverCapacity(DomainError):
    code = "over_capacity"


class NotPermitted(DomainError):
    code = "not_permitted"


class IllegalTransition(DomainError):
    code = "illegal_transition"


class TimeInPast(DomainError):
    code = "time_in_past"

    def __init__(self, message: str = "The session time must be in the future.") -> None:
        super().__init__(message, field="start")


class TimeBeyondHorizon(DomainError):
    code = "time_beyond_horizon"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="start")


def horizon_message(days: int) -> str:
    return f"The session time must be within {days} days from now."


class OverlappingSession(DomainError):
    code = "overlap"

    def __init__(self, message: str = "This overlaps another session you have scheduled.") -> None:
        super().__init__(message, field="start")


class InvalidLink(DomainError):
    code = "invalid_link"

    def __init__(self, message: str = "The meeting link must be an https:// address.") -> None:
        super().__init__(message, field="meeting_link")


class NotEligible(DomainError):
    code = "not_eligible"


class Unavailable(DomainError):
    """The database could not be reached; nothing was saved."""

    code = "unavailable"

    def __init__(self) -> None:
        super().__init__("We could not reach the database, so nothing was saved. Please try again in a moment.")


_BY_SQLSTATE: dict[str, type[DomainError]] = {
    "SR001": IllegalTransition,
    "SR002": NotPermitted,
    "SR003": OverCapacity,
    "SR005": NotEligible,
}


def translate_db_error(exc: DBAPIError) -> DomainError | None:
    """The domain error a database refusal stands for, or None if it is not a refusal."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    diag = getattr(orig, "diag", None)
    message = getattr(diag, "message_primary", None) or str(orig)
    if sqlstate in _BY_SQLSTATE:
        return _BY_SQLSTATE[sqlstate](message)
    if sqlstate == "SR004":
        return TimeInPast(message)
    if sqlstate == "SR006":
        return TimeBeyondHorizon(message)
    if sqlstate == "23P01":
        return OverlappingSession()
    if sqlstate == "23514" and getattr(diag, "constraint_name", "") == "ticket_meeting_link_https":
        return InvalidLink()
    if sqlstate == "42501":  # insufficient privilege / row-level security refusal
        return NotPermitted("You are not allowed to do that.")
    if exc.connection_invalidated or (sqlstate or "").startswith("08") or sqlstate in {"57P01", "57P03"}:
        return Unavailable()
    return None
