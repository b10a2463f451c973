"""/admin/tickets/<id>: a ticket's audit view. The description and the session notes stay closed
until the admin opens them with a reason, and every such opening is listed here (and shown to the
student on their own record)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from soulroute.components.admin_parts import action_dialog, admin_section, data_table, holder, row_actions
from soulroute.components.app_shell import app_shell
from soulroute.components.dialogs import dialog_buttons, form_dialog, reason_field
from soulroute.components.forms import page_title
from soulroute.components.tickets import (
    category_text,
    empty_state,
    loading_state,
    local_time,
    mode_label,
    status_badge,
    urgency_badge,
)
from soulroute.state.admin_ticket import AdminTicketState as T
from soulroute.state.views import AccessView, EventView


def facts() -> rx.Component:
    t = T.ticket

    def fact(term: str, value) -> rx.Component:
        return rx.fragment(rx.el.dt(term), rx.el.dd(value))

    return rx.el.dl(
        fact("Status", status_badge(t.status)),
        fact("Urgency", urgency_badge(t.urgency)),
        fact("Category", category_text(t.category)),
        fact("Session", mode_label(t.session_mode)),
        fact("Student", t.student_name),
        fact("Held by", holder(t)),
        fact("Opened", local_time(t.created_at)),
        fact("Waited", t.waited),
        class_name="fact-list",
    )


def _opening(opened: rx.Var[bool], title: str, what: str, label: str, *shown: rx.Component, **button) -> rx.Component:
    """What was opened (with a reason), or the button that asks for the reason."""
    return rx.cond(
        opened,
        rx.box(rx.heading(title, as_="h3", size="3"), *shown, class_name="opened"),
        rx.button(label, on_click=T.ask_reveal(what), variant="soft", high_contrast=True, size="2", **button),
    )


def _dated(at: rx.Var, *lead: Any) -> rx.Component:
    return rx.text(*lead, local_time(at), size="1", as_="p")


def _admin_message(m: Any) -> rx.Component:
    """A message as the recorded reading shows it, hidden ones too (marked), each with Hide until hidden."""
    return rx.box(
        _dated(m.at, m.author, " · "),
        rx.text(m.body, as_="p"),
        rx.cond(
            m.hidden,
            rx.badge("Hidden from the student and the counselor", color_scheme="gray", size="1"),
            rx.button("Hide", on_click=T.ask_hide(m.id), variant="outline", color_scheme="gray", size="1",
                      aria_label="Hide this message: " + m.body),
        ),
        class_name="admin-message",
    )  # fmt: skip


def record_panel() -> rx.Component:
    conversation = rx.cond(
        T.conversation.length() > 0,
        rx.foreach(T.conversation, _admin_message),
        rx.text("No messages on this ticket.", as_="p", size="2"),
    )
    return rx.el.section(
        rx.heading("Confidential record", as_="h2", size="5"),
        rx.text(
            "Opening the description, the session notes or the conversation is recorded with your name and "
            "reason, and the student can see it.",
            as_="p",
            size="2",
        ),
        _opening(
            T.description != "", "Description", "description", "Open description", rx.text(T.description, as_="p")
        ),
        _opening(
            T.notes.length() > 0,
            "Session notes",
            "notes",
            "Open session notes (break the glass)",
            rx.foreach(T.notes, lambda n: rx.box(_dated(n.at), rx.text(n.body, as_="p"))),
            color_scheme="red",
        ),  # fmt: skip
        _opening(
            T.conversation_opened,
            "Conversation",
            "conversation",
            "Open conversation (break the glass)",
            conversation,
            color_scheme="red",
        ),  # fmt: skip
        class_name="admin-section record-panel",
    )


def reveal_dialog() -> rx.Component:
    return form_dialog(
        rx.match(
            T.reveal, ("notes", "Open session notes"), ("conversation", "Open conversation"),
            ("hide", "Hide a message"), "Open description",
        ),  # fmt: skip
        rx.cond(
            T.reveal == "hide",
            "The student and the counselor will see only that a message was hidden by the counseling team.",
            "Your name, the time and this reason are recorded in the ticket's access log.",
        ),
        reason_field(T.reveal_error, "Required; kept with your name (the access log, or the hidden message)."),
        dialog_buttons(rx.cond(T.reveal == "hide", "Hide and record", "Open and record")),
        is_open=T.reveal != "", on_open_change=T.reveal_changed, on_submit=T.submit_reveal, class_name="admin-dialog",
    )  # fmt: skip


def history_row(e: EventView) -> rx.Component:
    return rx.el.tr(
        rx.el.td(local_time(e.at, "D MMM YYYY, HH:mm"), class_name="nowrap"),
        rx.el.td(e.text, rx.cond(e.message != "", rx.el.blockquote(e.message, class_name="student-message"))),
        rx.el.td(e.reason),
    )


def access_row(a: AccessView) -> rx.Component:
    return rx.el.tr(
        rx.el.td(local_time(a.at, "D MMM YYYY, HH:mm"), class_name="nowrap"),
        rx.el.td(a.who),
        rx.el.td(a.what),
        rx.el.td(a.reason),
    )


def found() -> rx.Component:
    return rx.fragment(
        page_title(T.ticket.title),
        facts(),
        rx.box(row_actions(T.ticket), class_name="admin-section"),
        record_panel(),
        admin_section(
            "History",
            data_table(
                "The ticket's history, oldest first",
                ["When", "What", "Reason"],
                T.history,
                history_row,
                label="History",
            ),
        ),
        admin_section(
            "Who opened this record",
            rx.cond(
                T.accesses.length() > 0,
                data_table(
                    "Recorded openings of the description, session notes and conversation, newest first",
                    ["When", "Who", "What", "Reason"],
                    T.accesses,
                    access_row,
                    label="Access log",
                ),
                rx.text("Nobody has opened the description or the session notes.", as_="p", size="2"),
            ),
        ),
        action_dialog(),
        reveal_dialog(),
    )


def page() -> rx.Component:
    return app_shell(
        rx.cond(
            T.ticket_loaded,
            rx.cond(
                T.found,
                found(),
                rx.fragment(
                    page_title("Ticket not found"),
                    empty_state("Ticket not found", "It may have been removed.", rx.link("Back", href="/admin")),
                ),
            ),
            rx.fragment(page_title("Ticket"), loading_state("Loading the ticket…")),
        ),
        crumbs=[("Oversight", "/admin"), ("Ticket", None)],
    )
