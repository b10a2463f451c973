"""Admin oversight of tickets: headline figures, the crisis queue, the all-tickets table (server-side
filters, sort and pages), CSV export, and the quality-control actions (reassign, change urgency,
release, close), each with a required reason that the history trigger records with the admin's id.

Descriptions are never selected here: an admin opens one through `open_ticket_description()`
(recorded in record_access_log), see `admin_accounts.open_description` and the CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import text

from soulroute.db.models import SessionMode, TicketCategory, TicketStatus, TicketUrgency, UserRole
from soulroute.domain.errors import DomainError, NotFound, OverlappingSession, ValidationFailed
from soulroute.domain.kernel import fetch_ticket, require_role, ticket_for_action, transaction
from soulroute.domain.queries import _like_pattern
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import REASON_MAX, DomainInput, TicketFacts, TicketRow, Trimmed, parse_id

REASON_MIN = 5
PAGE_SIZES = (25, 50, 100)
EXPORT_MAX = 25_000
COUNT_CAP = 10_000  # the table says "10,000+" beyond this instead of counting every row
STALE_CLAIM = timedelta(days=1)

Reason = Trimmed


STUDENT_MESSAGE_MAX = 500  # app_tell_student() (0025) holds the same limit


class AdminAction(DomainInput):
    """Every admin action on a ticket: the ticket, a reason for the staff's history, and optionally what the
    student is told (worded for them, shown in their history; the reason never is)."""

    ticket_id: uuid.UUID
    reason: Reason = Field(min_length=REASON_MIN, max_length=REASON_MAX)
    student_message: Trimmed | None = Field(default=None, max_length=STUDENT_MESSAGE_MAX)


def _tell_student(session: Any, data: AdminAction) -> None:
    """In the action's own transaction: the message and the action land together or not at all."""
    if data.student_message:
        session.execute(text("select app_tell_student(:t, :m)"), {"t": data.ticket_id, "m": data.student_message})


class ReassignInput(AdminAction):
    counselor_id: uuid.UUID


class UrgencyInput(AdminAction):
    urgency: TicketUrgency


SortKey = Literal["created_desc", "created_asc", "updated_desc", "urgency_desc", "status"]
SORT_SQL: dict[str, str] = {
    "created_desc": "t.created_at desc, t.id desc",
    "created_asc": "t.created_at, t.id",
    "updated_desc": "t.updated_at desc, t.id desc",
    "urgency_desc": "t.urgency desc, t.created_at, t.id",
    "status": "t.status, t.created_at desc, t.id desc",
}


class TicketFilters(DomainInput):
    status: TicketStatus | None = None
    category: TicketCategory | None = None
    urgency: TicketUrgency | None = None
    session_mode: SessionMode | None = None
    counselor_id: uuid.UUID | None = None
    created_from: date | None = None
    created_to: date | None = None
    search: Trimmed | None = Field(default=None, max_length=100)
    sort: SortKey = "created_desc"
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: Literal[25, 50, 100] = 50

    @model_validator(mode="after")
    def _range(self) -> TicketFilters:
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise ValueError("created_to: the end date is before the start date")
        return self


class AdminTicketRow(TicketFacts):
    counselor_active: bool | None = None


class Figures(BaseModel):
    model_config = ConfigDict(frozen=True)

    open_tickets: int
    open_crisis: int
    oldest_crisis_at: datetime | None
    stale_claims: int
    sessions_today: int


class TicketPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    rows: list[AdminTicketRow]
    total: int
    total_capped: bool


ROW_COLUMNS = """
    t.id, t.title, t.category, t.urgency, t.status, t.session_mode, t.student_id, t.counselor_id,
    c.display_name as counselor_name, c.is_active as counselor_active, s.display_name as student_name,
    t.created_at, t.updated_at, t.claimed_at, t.scheduled_time, t.close_reason
"""
ROW_JOINS = """
    from support_tickets t
    left join users c on c.id = t.counselor_id
    left join users s on s.id = t.student_id
"""


def parse_filters(data: TicketFilters | dict[str, Any] | None) -> TicketFilters:
    if isinstance(data, TicketFilters):
        return data
    try:
        return TicketFilters.parse(data or {})
    except ValidationFailed as exc:
        errors = {k: v.split("created_to: ", 1)[-1] for k, v in exc.errors.items()}
        if "form" in errors:
            errors["created_to"] = "The end date is before the start date."
            errors.pop("form")
        raise ValidationFailed(errors) from None


# --- reading -------------------------------------------------------------------------------------


def dashboard_figures(actor: Actor, day_start: datetime, day_end: datetime) -> Figures:
    """Headline figures; `day_start`/`day_end` bound "today" in the viewer's time zone."""
    require_role(actor, UserRole.ADMIN)
    # One security-definer function (0009): under RLS these counts could not use the partial indexes.
    sql = "select * from admin_dashboard_figures(:start, :end, cast(:stale as interval))"
    params = {"stale": STALE_CLAIM, "start": day_start, "end": day_end}
    with transaction(actor) as session:
        row = session.execute(text(sql), params).mappings().one()
    return Figures.model_validate(dict(row))


def crisis_queue(actor: Actor, limit: int = 100) -> list[AdminTicketRow]:
    """Crisis and high-urgency tickets not yet scheduled: every crisis first, then high; within each, the
    longest waiting first. (A few hundred rows at most: sorting them costs nothing.)"""
    require_role(actor, UserRole.ADMIN)
    sql = f"""
        select {ROW_COLUMNS} {ROW_JOINS}
        where t.urgency in ('crisis', 'high') and t.status in ('open', 'claimed')
        order by t.urgency desc, t.created_at, t.id
        limit :limit
    """
    with transaction(actor) as session:
        rows = session.execute(text(sql), {"limit": max(1, min(limit, 500))}).mappings()
        return [AdminTicketRow.model_validate(dict(r)) for r in rows]


def _where(f: TicketFilters) -> tuple[str, dict[str, Any]]:
    where, params = ["true"], {}
    for name, column, cast in (
        ("status", "t.status", "ticket_status"),
        ("category", "t.category", "ticket_category"),
        ("urgency", "t.urgency", "ticket_urgency"),
        ("session_mode", "t.session_mode", "session_mode"),
    ):
        value = getattr(f, name)
        if value is not None:
            where.append(f"{column} = cast(:{name} as {cast})")
            params[name] = value.value
    if f.counselor_id:
        where.append("t.counselor_id = :counselor_id")
        params["counselor_id"] = f.counselor_id
    if f.created_from:
        where.append("t.created_at >= :created_from")
        params["created_from"] = datetime.combine(f.created_from, time.min, UTC)
    if f.created_to:
        where.append("t.created_at < :created_to")
        params["created_to"] = datetime.combine(f.created_to + timedelta(days=1), time.min, UTC)
    if f.search:
        # Titles only: a match on a description would reveal its content without the recorded opening.
        where.append("t.title ilike :pattern")
        params["pattern"] = _like_pattern(f.search)
    return " and ".join(where), params


def list_all_tickets(actor: Actor, filters: TicketFilters | dict[str, Any] | None = None) -> TicketPage:
    """One page of every ticket (admins see all through row-level security), with a capped count."""
    require_role(actor, UserRole.ADMIN)
    f = parse_filters(filters)
    where, params = _where(f)
    params |= {"limit": f.page_size, "offset": (f.page - 1) * f.page_size, "cap": COUNT_CAP + 1}
    rows_sql = f"select {ROW_COLUMNS} {ROW_JOINS} where {where} order by {SORT_SQL[f.sort]} limit :limit offset :offset"
    count_sql = f"select count(*) from (select 1 from support_tickets t where {where} limit :cap) capped"
    with transaction(actor) as session:
        rows = [AdminTicketRow.model_validate(dict(r)) for r in session.execute(text(rows_sql), params).mappings()]
        total = int(session.execute(text(count_sql), params).scalar_one())
    return TicketPage(rows=rows, total=min(total, COUNT_CAP), total_capped=total > COUNT_CAP)


EXPORT_HEADER = [
    "id", "title", "category", "urgency", "status", "session_mode", "student", "counselor",
    "created_at", "claimed_at", "scheduled_time", "updated_at", "close_reason",
]  # fmt: skip


def export_csv(
    actor: Actor,
    filters: TicketFilters | dict[str, Any] | None = None,
    *,
    include_descriptions: bool = False,
    reason: str | None = None,
) -> tuple[str, int]:
    """The current filter (every page, in its sort order) as CSV text and its row count.

    Descriptions only when asked, with a reason: each one is opened through
    open_ticket_description(), so every exported description is recorded in the access log."""
    require_role(actor, UserRole.ADMIN)
    f = parse_filters(filters)
    why = (reason or "").strip()
    if include_descriptions and len(why) < REASON_MIN:
        raise ValidationFailed({"reason": f"Reason must be at least {REASON_MIN} characters to export descriptions."})
    where, params = _where(f)
    params |= {"limit": EXPORT_MAX + 1, "why": why[:REASON_MAX]}
    extra = ", open_ticket_description(t.id, :why) as description" if include_descriptions else ""
    with transaction(actor) as session:
        count_sql = f"select count(*) from (select 1 from support_tickets t where {where} limit :limit) capped"
        if int(session.execute(text(count_sql), params).scalar_one()) > EXPORT_MAX:
            raise DomainError(f"More than {EXPORT_MAX:,} tickets match: narrow the filter (e.g. a date range) first.")
        sql = f"select {ROW_COLUMNS}{extra} {ROW_JOINS} where {where} order by {SORT_SQL[f.sort]}"
        rows = session.execute(text(sql), params).mappings().all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER + (["description"] if include_descriptions else []))
    for r in rows:
        values = [
            r["id"], r["title"], r["category"], r["urgency"], r["status"], r["session_mode"], r["student_name"],
            r["counselor_name"] or "", _iso(r["created_at"]), _iso(r["claimed_at"]), _iso(r["scheduled_time"]),
            _iso(r["updated_at"]), r["close_reason"] or "",
        ]  # fmt: skip
        if include_descriptions:
            values.append(r["description"])
        writer.writerow([_safe_cell(v) for v in values])
    return out.getvalue(), len(rows)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _safe_cell(value: Any) -> str:
    """Neutralise spreadsheet formulas in user-written text (CSV injection)."""
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


# --- quality-control actions ---------------------------------------------------------------------


def reassign(actor: Actor, data: ReassignInput | dict[str, Any]) -> TicketRow:
    """Give a claimed or scheduled ticket to another counselor (or an open one to a counselor).
    The database checks the counselor is active and below capacity (SR003/SR005), also for admins."""
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, ReassignInput) else ReassignInput.parse(data)
    try:
        with transaction(actor, reason=data.reason) as session:
            row = ticket_for_action(
                session, actor, data.ticket_id, "reassign", "Only an open, claimed or scheduled ticket can be assigned."
            )
            if row["counselor_id"] == data.counselor_id:
                raise ValidationFailed({"counselor_id": "This counselor already holds the ticket."})
            status = "claimed" if row["status"] == "open" else row["status"]
            session.execute(
                text("update support_tickets set counselor_id = :c, status = cast(:s as ticket_status) where id = :id"),
                {"c": data.counselor_id, "s": status, "id": data.ticket_id},
            )
            _tell_student(session, data)
            return fetch_ticket(session, data.ticket_id)
    except OverlappingSession:
        raise OverlappingSession(
            "That counselor already has a session at this ticket's time. Pick another counselor or release it."
        ) from None


def change_urgency(actor: Actor, data: UrgencyInput | dict[str, Any]) -> TicketRow:
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, UrgencyInput) else UrgencyInput.parse(data)
    with transaction(actor, reason=data.reason) as session:
        ticket_for_action(session, actor, data.ticket_id, "change_urgency", "A closed ticket's urgency stays.")
        session.execute(
            text("update support_tickets set urgency = cast(:u as ticket_urgency) where id = :id"),
            {"u": data.urgency.value, "id": data.ticket_id},
        )
        _tell_student(session, data)
        return fetch_ticket(session, data.ticket_id)


# Release and close by an admin: the reason goes to the history only (close_reason is what the student
# reads on their ticket, so an admin's close leaves it empty; a message tells the student instead).
CLOSE_SQL = {
    "release": "update support_tickets set status = 'open', counselor_id = null where id = :id",
    "close": "update support_tickets set status = 'closed', close_reason = null where id = :id",
}


def _settle(actor: Actor, data: AdminAction | dict[str, Any], action: str, refusal: str) -> TicketRow:
    require_role(actor, UserRole.ADMIN)
    data = data if isinstance(data, AdminAction) else AdminAction.parse(data)
    with transaction(actor, reason=data.reason) as session:
        ticket_for_action(session, actor, data.ticket_id, action, refusal)
        session.execute(text(CLOSE_SQL[action]), {"id": data.ticket_id})
        _tell_student(session, data)
        return fetch_ticket(session, data.ticket_id)


def release(actor: Actor, data: AdminAction | dict[str, Any]) -> TicketRow:
    """Back to the board, with the reason in the history."""
    return _settle(actor, data, "release", "Only a claimed or scheduled ticket can be released.")


def close(actor: Actor, data: AdminAction | dict[str, Any]) -> TicketRow:
    """Close any ticket that is not closed yet; the reason stays in the staff's history."""
    return _settle(actor, data, "close", "This ticket cannot be closed now.")


def get_row(actor: Actor, ticket_id: uuid.UUID | str) -> AdminTicketRow:
    """One ticket's table row (no description)."""
    require_role(actor, UserRole.ADMIN)
    tid = parse_id(ticket_id)
    with transaction(actor) as session:
        row = (
            session.execute(text(f"select {ROW_COLUMNS} {ROW_JOINS} where t.id = :id"), {"id": tid}).mappings().first()
        )
    if row is None:
        raise NotFound()
    return AdminTicketRow.model_validate(dict(row))


def orphaned_tickets(actor: Actor) -> list[AdminTicketRow]:
    """Active tickets held by a deactivated counselor: listed for reassignment, never dropped."""
    require_role(actor, UserRole.ADMIN)
    sql = f"""
        select {ROW_COLUMNS} {ROW_JOINS}
        where t.status in ('claimed', 'scheduled') and not c.is_active
        order by t.created_at, t.id limit 500
    """
    with transaction(actor) as session:
        return [AdminTicketRow.model_validate(dict(r)) for r in session.execute(text(sql)).mappings()]
