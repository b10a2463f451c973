"""Display rows for the admin pages (plain dataclasses the pages render), built from domain rows."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from soulroute.domain.admin import AdminTicketRow
from soulroute.domain.admin_accounts import ActivityRow, CounselorRow
from soulroute.domain.rules import Actor, ticket_actions
from soulroute.state.board import waiting_text
from soulroute.state.views import CATEGORY_LABEL, EVENT_VERB, MODE_LABEL, iso, ticket_basics

ACTIVITY_LABEL = {
    **EVENT_VERB,
    "profile_changed": "Changed a counselor profile",
    "account_created": "Created an account",
    "account_deactivated": "Deactivated an account",
    "account_reactivated": "Reactivated an account",
    "account_renamed": "Renamed an account",
    "opened_description": "Opened a ticket's description",
    "opened_session_notes": "Opened session notes (break the glass)",
}


@dataclasses.dataclass
class AdminRowView:
    id: str = ""
    title: str = ""
    category: str = ""
    urgency: str = ""
    status: str = ""
    session_mode: str = ""
    student_name: str = ""
    counselor_name: str = ""
    counselor_inactive: bool = False
    created_at: str = ""
    waited: str = ""
    scheduled_time: str = ""
    can_reassign: bool = False
    can_release: bool = False
    can_close: bool = False
    can_urgency: bool = False


def admin_row_view(actor: Actor, row: AdminTicketRow, now: datetime | None = None) -> AdminRowView:
    actions = ticket_actions(actor, status=row.status, student_id=row.student_id, counselor_id=row.counselor_id)
    return AdminRowView(
        **ticket_basics(row),
        student_name=row.student_name or "",
        counselor_name=row.counselor_name or "",
        counselor_inactive=row.counselor_active is False,
        waited=waiting_text(row.created_at, now or datetime.now(UTC)).removeprefix("waiting "),
        scheduled_time=iso(row.scheduled_time),
        can_reassign=bool({"reassign", "assign"} & actions),
        can_release="release" in actions,
        can_close="close" in actions,
        can_urgency="change_urgency" in actions,
    )


@dataclasses.dataclass
class CounselorView:
    id: str = ""
    name: str = ""
    email: str = ""
    is_active: bool = True
    active: int = 0
    capacity: int = 0
    load: str = ""
    expertise: str = ""
    modes: str = ""
    expertise_keys: list[str] = dataclasses.field(default_factory=list)
    mode_keys: list[str] = dataclasses.field(default_factory=list)
    accepting_new: bool = True
    on_call: bool = False
    bio: str = ""


def counselor_view(row: CounselorRow) -> CounselorView:
    return CounselorView(
        id=str(row.id),
        name=row.display_name,
        email=row.email,
        is_active=row.is_active,
        active=row.active,
        capacity=row.capacity,
        load=f"{row.active} of {row.capacity}",
        expertise=", ".join(CATEGORY_LABEL[c.value] for c in row.expertise),
        modes=", ".join(MODE_LABEL[m.value] for m in row.session_modes),
        expertise_keys=[c.value for c in row.expertise],
        mode_keys=[m.value for m in row.session_modes],
        accepting_new=row.accepting_new,
        on_call=row.on_call_crisis,
        bio=row.bio,
    )


@dataclasses.dataclass
class Option:
    value: str = ""
    label: str = ""


@dataclasses.dataclass
class ActivityView:
    at: str = ""
    text: str = ""
    ticket_id: str = ""
    ticket_title: str = ""
    subject: str = ""
    reason: str = ""


def activity_view(row: ActivityRow) -> ActivityView:
    return ActivityView(
        at=iso(row.at),
        text=ACTIVITY_LABEL.get(row.kind, row.kind.replace("_", " ").capitalize()),
        ticket_id=str(row.ticket_id or ""),
        ticket_title=row.ticket_title or "",
        subject=row.subject_name or "",
        reason=row.reason or "",
    )
