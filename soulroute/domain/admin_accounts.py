"""Admin work on people and records: counselors with their load, profile edits and capacity changes
(recorded with a reason by the database in admin_audit), (de)activation, an account's actions over
a period, a ticket's audit trail, and the recorded openings of a description or session notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import text

from soulroute.db.models import SessionMode, TicketCategory, UserRole
from soulroute.domain.admin import REASON_MIN, AdminAction
from soulroute.domain.errors import NotFound, NotPermitted, ValidationFailed
from soulroute.domain.kernel import require_role, transaction
from soulroute.domain.messages import MessageRow
from soulroute.domain.profiles import BIO_MAX, CAPACITY_MAX, profile_params
from soulroute.domain.queries import accesses_in, history_in
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import REASON_MAX, AccessRow, DomainInput, EventRow, Trimmed, parse_id


class CounselorRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    display_name: str
    email: str
    is_active: bool
    active: int
    capacity: int
    expertise: list[TicketCategory]
    session_modes: list[SessionMode]
    accepting_new: bool
    on_call_crisis: bool
    bio: str = ""


class CounselorEdit(DomainInput):
    user_id: uuid.UUID
    display_name: Trimmed = Field(min_length=1, max_length=100)
    expertise: list[TicketCategory] = Field(min_length=1, max_length=len(TicketCategory))
    session_modes: list[SessionMode] = Field(min_length=1, max_length=len(SessionMode))
    capacity: int = Field(ge=0, le=CAPACITY_MAX)
    accepting_new: bool
    on_call_crisis: bool
    bio: Trimmed = Field(default="", max_length=BIO_MAX)
    reason: Trimmed = Field(min_length=REASON_MIN, max_length=REASON_MAX)

    @field_validator("expertise", "session_modes")
    @classmethod
    def _unique(cls, value: list[Any]) -> list[Any]:
        return list(dict.fromkeys(value))


class CapacityInput(DomainInput):
    user_id: uuid.UUID
    capacity: int = Field(ge=0, le=CAPACITY_MAX)
    reason: Trimmed = Field(min_length=REASON_MIN, max_length=REASON_MAX)


class AccountStatusInput(DomainInput):
    user_id: uuid.UUID
    active: bool
    reason: Trimmed = Field(min_length=REASON_MIN, max_length=REASON_MAX)


class ActivityQuery(DomainInput):
    user_id: uuid.UUID
    start: datetime
    end: datetime

    @model_validator(mode="after")
    def _order(self) -> ActivityQuery:
        if self.end <= self.start:
            raise ValueError("end: the end is before the start")
        return self


class ActivityRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    source: str  # 'ticket' | 'account' | 'access'
    kind: str
    ticket_id: uuid.UUID | None = None
    ticket_title: str | None = None
    subject_name: str | None = None
    reason: str | None = None


class StaffRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    email: str
    display_name: str
    role: UserRole
    is_active: bool


class NoteRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    body: str
    created_at: datetime


_COUNSELORS = """
    select u.id, u.display_name, u.email, u.is_active,
           (select count(*) from support_tickets t
             where t.counselor_id = u.id and t.status in ('claimed', 'scheduled')) as active,
           p.capacity, p.expertise::text[] as expertise, p.session_modes::text[] as session_modes,
           p.accepting_new, p.on_call_crisis, p.bio
    from users u join counselor_profiles p on p.user_id = u.id
    where u.role = 'counselor'
"""


def list_counselors(actor: Actor, *, only_free: bool = False) -> list[CounselorRow]:
    """Every counselor with their active load; `only_free`: active ones below capacity."""
    require_role(actor, UserRole.ADMIN)
    sql = f"select * from ({_COUNSELORS}) c"
    if only_free:
        sql += " where c.is_active and c.active < c.capacity"
    sql += " order by not c.is_active, c.display_name, c.id"
    with transaction(actor) as session:
        return [CounselorRow.model_validate(dict(r)) for r in session.execute(text(sql)).mappings()]


def get_counselor(actor: Actor, user_id: uuid.UUID | str) -> CounselorRow:
    require_role(actor, UserRole.ADMIN)
    uid = parse_id(user_id, "Counselor not found.")
    with transaction(actor) as session:
        row = session.execute(text(f"{_COUNSELORS} and u.id = :id"), {"id": uid}).mappings().first()
    if row is None:
        raise NotFound("Counselor not found.")
    return CounselorRow.model_validate(dict(row))


def update_counselor(actor: Actor, data: CounselorEdit | dict[str, Any]) -> CounselorRow:
    """Edit a counselor's name and profile; the database records the change and the reason."""
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, CounselorEdit) else CounselorEdit.parse(data)
    with transaction(actor, reason=data.reason) as session:
        found = session.execute(
            text(
                """
                update counselor_profiles
                set expertise = cast(:expertise as ticket_category[]), session_modes = cast(:modes as session_mode[]),
                    capacity = :capacity, accepting_new = :accepting, on_call_crisis = :on_call, bio = :bio
                where user_id = :id returning user_id
                """
            ),
            profile_params(data) | {"id": data.user_id},
        ).scalar()
        if found is None:
            raise NotFound("Counselor not found.")
        session.execute(
            text("update users set display_name = :n where id = :id and display_name <> :n"),
            {"n": data.display_name, "id": data.user_id},
        )
    return get_counselor(actor, data.user_id)


def change_capacity(actor: Actor, data: CapacityInput | dict[str, Any]) -> CounselorRow:
    """Raise (or lower) a counselor's capacity, recorded with the reason (admin_audit)."""
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, CapacityInput) else CapacityInput.parse(data)
    with transaction(actor, reason=data.reason) as session:
        found = session.execute(
            text("update counselor_profiles set capacity = :c where user_id = :id returning user_id"),
            {"c": data.capacity, "id": data.user_id},
        ).scalar()
    if found is None:
        raise NotFound("Counselor not found.")
    return get_counselor(actor, data.user_id)


def set_account_status(actor: Actor, data: AccountStatusInput | dict[str, Any]) -> list[uuid.UUID]:
    """Deactivate (ends all the account's sessions) or reactivate an account, with a reason.

    Returns the ids of the tickets the account still holds: they stay listed for reassignment."""
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, AccountStatusInput) else AccountStatusInput.parse(data)
    if data.user_id == actor.id and not data.active:
        raise NotPermitted("You cannot deactivate your own account.")
    with transaction(actor, reason=data.reason) as session:
        found = session.execute(
            text("update users set is_active = :a where id = :id returning id"), {"a": data.active, "id": data.user_id}
        ).scalar()
        if found is None:
            raise NotFound("Account not found.")
        held = session.execute(
            text(
                "select id from support_tickets where counselor_id = :id and status in ('claimed', 'scheduled') "
                "order by created_at"
            ),
            {"id": data.user_id},
        ).scalars()
        return list(held)


def list_staff(actor: Actor) -> list[StaffRow]:
    """Admins and counselors (students sign up themselves and are not listed here)."""
    require_role(actor, UserRole.ADMIN)
    sql = (
        "select id, email, display_name, role, is_active from users where role in ('admin', 'counselor') "
        "order by role, not is_active, display_name, id"
    )
    with transaction(actor) as session:
        return [StaffRow.model_validate(dict(r)) for r in session.execute(text(sql)).mappings()]


def find_account(actor: Actor, email: str) -> StaffRow:
    require_role(actor, UserRole.ADMIN)
    with transaction(actor) as session:
        row = (
            session.execute(
                text("select id, email, display_name, role, is_active from users where lower(email) = lower(:e)"),
                {"e": (email or "").strip()[:254]},
            )
            .mappings()
            .first()
        )
    if row is None:
        raise ValidationFailed({"email": "No account has this email."})
    return StaffRow.model_validate(dict(row))


def account_activity(actor: Actor, data: ActivityQuery | dict[str, Any], limit: int = 500) -> list[ActivityRow]:
    """What an account did in a period: ticket history it caused, account changes it made (admin
    audit) and records it opened (access log), newest first."""
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, ActivityQuery) else ActivityQuery.parse(data)
    sql = """
        select * from (
            select e.created_at as at, 'ticket' as source, e.kind, e.ticket_id, t.title as ticket_title,
                   null as subject_name, d.detail ->> 'reason' as reason
            from ticket_events e join support_tickets t on t.id = e.ticket_id
            left join ticket_event_details d on d.id = e.id
            where e.actor_id = :u and e.created_at >= :start and e.created_at < :end
            union all
            select a.created_at, 'account', a.action, null, null, s.display_name, a.reason
            from admin_audit a join users s on s.id = a.subject_id
            where a.actor_id = :u and a.created_at >= :start and a.created_at < :end
            union all
            select r.created_at, 'access', 'opened_' || r.what, r.ticket_id, t.title, null, r.reason
            from record_access_log r join support_tickets t on t.id = r.ticket_id
            where r.accessor_id = :u and r.created_at >= :start and r.created_at < :end
        ) x order by at desc limit :limit
    """
    params = {"u": data.user_id, "start": data.start, "end": data.end, "limit": max(1, min(limit, 2000))}
    with transaction(actor) as session:
        return [ActivityRow.model_validate(dict(r)) for r in session.execute(text(sql), params).mappings()]


def ticket_audit(actor: Actor, ticket_id: uuid.UUID | str) -> tuple[list[EventRow], list[AccessRow]]:
    """A ticket's history and every recorded opening of its description or session notes (one transaction)."""
    require_role(actor, UserRole.ADMIN)
    tid = parse_id(ticket_id)
    with transaction(actor) as session:
        return history_in(session, tid), accesses_in(session, tid)


def open_description(actor: Actor, data: AdminAction | dict[str, Any]) -> str:
    """The ticket's description, recorded in the access log with who, when and why."""
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, AdminAction) else AdminAction.parse(data)
    with transaction(actor) as session:
        body = session.execute(
            text("select open_ticket_description(:id, :why)"), {"id": data.ticket_id, "why": data.reason}
        ).scalar()
    if body is None:
        raise NotFound()
    return body


def _break_the_glass(actor: Actor, data: AdminAction | dict[str, Any], sql: str) -> list[dict[str, Any]]:
    """A recorded opening (the function records it with the reason before it returns anything)."""
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, AdminAction) else AdminAction.parse(data)
    with transaction(actor) as session:
        exists = session.execute(text("select 1 from support_tickets where id = :id"), {"id": data.ticket_id})
        if exists.first() is None:
            raise NotFound()
        return [dict(r) for r in session.execute(text(sql), {"id": data.ticket_id, "why": data.reason}).mappings()]


class HideMessage(DomainInput):
    message_id: int = Field(gt=0, lt=2**63)
    reason: Trimmed = Field(min_length=REASON_MIN, max_length=REASON_MAX)


def hide_message(actor: Actor, data: HideMessage | dict[str, Any]) -> None:
    """Hide a message from the two with a reason; it is kept, with who hid it and why (0026)."""
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, HideMessage) else HideMessage.parse(data)
    with transaction(actor) as session:
        session.execute(text("select app_hide_message(:m, :why)"), {"m": data.message_id, "why": data.reason})


def read_conversation(actor: Actor, data: AdminAction | dict[str, Any]) -> list[MessageRow]:
    """Break the glass: a ticket's conversation, recorded in the access log first (0026)."""
    sql = "select id, author_id, author_name, body, created_at, hidden from read_conversation_as_admin(:id, :why)"
    return [MessageRow.model_validate(r) for r in _break_the_glass(actor, data, sql)]


def read_session_notes(actor: Actor, data: AdminAction | dict[str, Any]) -> list[NoteRow]:
    """Break the glass: a counselor's session notes, recorded in the access log first."""
    sql = "select id, body, created_at from read_session_notes_as_admin(:id, :why)"
    return [NoteRow.model_validate(r) for r in _break_the_glass(actor, data, sql)]
