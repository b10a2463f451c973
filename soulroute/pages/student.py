"""Student pages (issue 4): my tickets, new ticket, a ticket's page."""

from __future__ import annotations

import reflex as rx

from soulroute.components.app_shell import app_shell
from soulroute.components.forms import form_alert, page_title
from soulroute.components.layout import split_row
from soulroute.components.student_parts import cancel_dialog, link_button, session_actions
from soulroute.components.tickets import (
    category_text,
    empty_state,
    grid_cell,
    loaded_list,
    local_time,
    mode_label,
    status_badge,
    ticket_grid,
    urgency_badge,
)
from soulroute.state.student_tickets import MyTicketsState as S
from soulroute.state.views import STATUS_LABEL, TicketView

CANCELLABLE = ["open", "claimed", "scheduled"]


def _card(t: TicketView) -> rx.Component:
    return grid_cell(
        t,
        rx.flex(urgency_badge(t.urgency), status_badge(t.status), spacing="2", wrap="wrap"),
        rx.heading(rx.link(t.title, href="/tickets/" + t.id, class_name="card-title"), as_="h2", size="4"),
        rx.flex(
            rx.text(category_text(t.category), size="2", as_="span"),
            rx.text("·", size="2", as_="span", aria_hidden="true", color_scheme="gray"),
            mode_label(t.session_mode),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            t.counselor_name != "",
            rx.text("Counselor: ", rx.el.strong(t.counselor_name), size="2", as_="p"),
            rx.cond(t.status == "open", rx.text("Waiting for a counselor", size="2", as_="p", color_scheme="gray")),
        ),
        rx.text("Opened ", local_time(t.created_at, "D MMM YYYY, HH:mm"), size="1", as_="p", color_scheme="gray"),
        session_actions(t, S.joinable_ids.contains(t.id)),
        rx.flex(
            link_button("Open", "/tickets/" + t.id, variant="soft", size="2", aria_label="Open ticket: " + t.title),
            rx.cond(
                rx.Var.create(CANCELLABLE).contains(t.status),
                rx.button(
                    "Cancel",
                    variant="outline",
                    color_scheme="red",
                    size="2",
                    on_click=S.ask_cancel(t.id),
                    aria_label="Cancel ticket: " + t.title,
                ),
            ),
            spacing="2",
            wrap="wrap",
            class_name="card-actions",
        ),
    )


def _filter() -> rx.Component:
    return rx.box(
        rx.el.label("Status", html_for="status-filter", class_name="field-label"),
        rx.el.select(
            rx.el.option("All tickets", value=""),
            *[rx.el.option(label, value=value) for value, label in STATUS_LABEL.items()],
            id="status-filter",
            value=S.status_filter,
            on_change=S.filter_status,
            class_name="native-select",
        ),
        class_name="filter-field",
    )


def _list() -> rx.Component:
    return loaded_list(
        S.loaded,
        "Loading your tickets…",
        S.tickets,
        ticket_grid(S.tickets, _card),
        rx.cond(
            S.status_filter != "",
            empty_state(
                "No tickets with this status",
                "Choose “All tickets” to see the others.",
            ),
            empty_state(
                "No tickets yet",
                "When something is weighing on you, open a ticket and a counselor will pick it up.",
                link_button("Create your first ticket", "/tickets/new", icon="circle-plus", size="3"),
            ),
        ),
    )


def my_tickets() -> rx.Component:
    return app_shell(
        split_row(
            page_title("My tickets"),
            link_button("New ticket", "/tickets/new", icon="circle-plus", size="3"),
        ),
        rx.flex(_filter(), class_name="list-tools"),
        form_alert(S.load_error),
        _list(),
        cancel_dialog(S, S.cancel_title),
        # Join opens and closes with the clock: re-check every 30 seconds.
        rx.moment(interval=30_000, on_change=S.tick, display="none"),
        crumbs=[("Tickets", None)],
    )
