"""/tickets/<id>: every field, the status as steps, and the history in plain words.

Students can cancel here; counselors and admins see the same details read-only (their own actions
live on their pages). A ticket the viewer may not see reads "not found", exactly like a missing one.
"""

from __future__ import annotations

import reflex as rx

from soulroute.components.app_shell import app_shell
from soulroute.components.conversation import conversation
from soulroute.components.counselor_dialogs import complete_dialog, release_dialog, schedule_dialog
from soulroute.components.forms import form_alert, page_title
from soulroute.components.student_parts import cancel_dialog, crisis_panel, link_button, session_actions, status_steps
from soulroute.components.tickets import (
    category_text,
    loading_state,
    local_time,
    mode_label,
    status_badge,
    urgency_badge,
)
from soulroute.state.caseload import CaseloadState
from soulroute.state.session import SessionState
from soulroute.state.student_tickets import TicketPageState as S
from soulroute.state.views import AccessView, EventView


def _detail(term: str, *value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.box(rx.el.dt(term), rx.el.dd(*value), class_name="detail")


def _details() -> rx.Component:
    t = S.ticket
    return rx.el.section(
        rx.heading("Details", as_="h2", size="4", id="details-heading"),
        rx.el.dl(
            _detail("Category", category_text(t.category)),
            _detail("Urgency", urgency_badge(t.urgency)),
            _detail("Session preference", mode_label(t.session_mode)),
            _detail("Counselor", rx.cond(t.counselor_name != "", t.counselor_name, "Not yet assigned")),
            rx.cond(S.is_student, rx.fragment(), _detail("Student", t.student_name)),
            _detail("Opened", local_time(t.created_at)),
            rx.cond(t.scheduled_time != "", _detail("Session", local_time(t.scheduled_time))),
            rx.cond(t.location != "", _detail("Place", t.location)),
            rx.cond(t.notes != "", _detail("Notes from your counselor", rx.text(t.notes, class_name="prose"))),
            rx.cond(t.close_reason != "", _detail("Reason for closing", t.close_reason)),
            class_name="details-list",
        ),
        rx.heading("Description", as_="h3", size="3", margin_top="4"),
        rx.text(t.description, as_="p", size="3", class_name="prose"),
        aria_labelledby="details-heading",
        class_name="panel",
    )


def _event(e: EventView) -> rx.Component:
    return rx.el.li(
        rx.text(e.text, ", ", local_time(e.at, "D MMM, HH:mm"), as_="p", size="2", weight="medium"),
        rx.cond(e.reason != "", rx.text("Reason: ", e.reason, as_="p", size="2", color_scheme="gray")),
        rx.cond(e.message != "", rx.el.blockquote(e.message, class_name="student-message")),
        class_name="timeline-item",
        data_kind=e.kind,
    )


def _timeline() -> rx.Component:
    return rx.el.section(
        rx.heading("History", as_="h2", size="4", id="history-heading"),
        rx.el.ol(rx.foreach(S.events, _event), class_name="timeline"),
        aria_labelledby="history-heading",
        class_name="panel",
    )


def _notes() -> rx.Component:
    """The counselor's own session notes on this ticket: a clinical record only its author can read back."""
    return rx.cond(
        S.notes.length() > 0,
        rx.el.section(
            rx.heading("Your session notes", as_="h2", size="4", id="notes-heading"),
            rx.text("Only you can read these; the student never sees them.", as_="p", size="1", color_scheme="gray"),
            rx.el.ol(
                rx.foreach(
                    S.notes,
                    lambda n: rx.el.li(
                        rx.text(local_time(n.at, "D MMM YYYY, HH:mm"), as_="p", size="1", color_scheme="gray"),
                        rx.text(n.body, as_="p", size="2", white_space="pre-wrap"),
                        class_name="timeline-item",
                    ),
                ),
                class_name="timeline",
            ),
            aria_labelledby="notes-heading",
            class_name="panel",
        ),
    )


def _access(a: AccessView) -> rx.Component:
    return rx.el.li(
        rx.text(a.who, " opened your ", a.noun, ", ",
                local_time(a.at, "D MMM, HH:mm"), as_="p", size="2"),
        class_name="timeline-item",
    )  # fmt: skip


def _accesses() -> rx.Component:
    """FERPA: the student sees every recorded opening of their file by staff outside their counselor."""
    return rx.cond(
        S.is_student,
        rx.el.section(
            rx.heading("Who opened your file", as_="h2", size="4", id="access-heading"),
            rx.cond(
                S.accesses.length() > 0,
                rx.el.ol(rx.foreach(S.accesses, _access), class_name="timeline"),
                rx.text("Nobody outside your counselor has opened your file.", as_="p", size="2"),
            ),
            rx.text(
                "Administrators may open a file only with a recorded reason, for example to make sure a crisis is "
                "handled; each opening is listed here.",
                as_="p",
                size="1",
                color_scheme="gray",
            ),
            aria_labelledby="access-heading",
            class_name="panel",
        ),
    )


def _confirmation() -> rx.Component:
    t = S.ticket
    return rx.cond(
        S.just_created & (t.status == "open"),  # once claimed, the status says more than "sent"
        rx.callout(
            rx.cond(
                t.urgency == "crisis",
                "Your ticket was sent. On-call counselors have been alerted and will reach out as soon as possible.",
                "Your ticket was sent. A counselor will pick it up; you can follow it here.",
            ),
            icon="circle-check",
            color_scheme="green",
            high_contrast=True,
            role="status",
            size="2",
        ),
    )


def _case_actions() -> rx.Component:
    """The holding counselor's next steps, with My caseload's own dialogs, on the case's page."""
    case, tid = S.case, S.ticket.id

    def act(label: rx.Var | str, kind: str, icon: str, **props) -> rx.Component:
        return rx.button(
            rx.icon(icon, size=16, aria_hidden="true"), label,
            on_click=CaseloadState.open_for_case(kind, tid), size="2", **({"variant": "soft"} | props),
        )  # fmt: skip

    return rx.fragment(
        rx.flex(
            rx.cond(case.schedule != "", act(case.schedule, "schedule", "calendar-plus", variant="solid")),
            rx.cond(case.complete, act("Complete session", "complete", "circle-check", color_scheme="teal")),
            rx.cond(case.close, act("Close ticket", "close", "archive", color_scheme="gray", high_contrast=True)),
            rx.cond(case.release, act("Release", "release", "undo-2", color_scheme="gray", variant="outline")),
            spacing="2",
            wrap="wrap",
            aria_label="Next steps for this case",
            role="group",
            data_ticket=tid,
        ),
        schedule_dialog(),
        release_dialog(),
        complete_dialog(),
    )


def _found() -> rx.Component:
    t = S.ticket
    active = rx.Var.create(["open", "claimed", "scheduled"]).contains(t.status)
    return rx.vstack(
        page_title(t.title, class_name="ticket-title"),
        rx.flex(urgency_badge(t.urgency), status_badge(t.status), spacing="2", wrap="wrap"),
        _confirmation(),
        rx.cond((t.urgency == "crisis") & S.is_student & active, crisis_panel()),
        status_steps(t.status),
        session_actions(t, S.can_join, size="3"),
        _case_actions(),
        rx.cond(
            S.can_cancel,
            rx.button(
                rx.icon("circle-x", size=16, aria_hidden="true"),
                "Cancel ticket",
                variant="outline",
                color_scheme="red",
                on_click=S.ask_cancel,
            ),
        ),
        rx.box(
            _details(),
            rx.vstack(conversation(S), _notes(), _timeline(), _accesses(), spacing="4", align="stretch", min_width="0"),
            class_name="ticket-columns",
        ),
        cancel_dialog(S, t.title),
        rx.moment(interval=30_000, on_change=S.tick, display="none"),
        spacing="4",
        width="100%",
        align="start",
    )


def _not_found() -> rx.Component:
    return rx.vstack(
        page_title("Ticket not found"),
        rx.text("This ticket does not exist, or it is not one you can see.", as_="p", size="3"),
        link_button("Back to my tickets", "/tickets", variant="soft"),
        spacing="4",
        align="start",
    )


def _list_crumb() -> tuple[rx.Var, rx.Var]:
    """Back to the list the ticket came from: the student's tickets, or the counselor's caseload."""
    counselor = SessionState.user_role == "counselor"
    return rx.cond(counselor, "My caseload", "Tickets"), rx.cond(counselor, "/caseload", "/tickets")


def page() -> rx.Component:
    return app_shell(
        rx.cond(
            ~S.loaded,
            rx.fragment(page_title("Ticket"), loading_state("Loading the ticket…")),
            rx.cond(
                S.load_error != "",
                rx.fragment(page_title("Ticket"), form_alert(S.load_error)),
                rx.cond(S.found, _found(), _not_found()),
            ),
        ),
        crumbs=[_list_crumb(), ("Ticket", None)],
    )
