"""Pieces of the admin pages: native labelled selects, accessible tables (caption, column headers, their own
scroll container), the pages' titled sections, figure cards, the ticket rows' action buttons, the action and
export dialogs of AdminState (each with a required reason whose error shows next to it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from soulroute.components.dialogs import dialog_buttons, form_dialog, reason_field
from soulroute.components.forms import field_error, text_field
from soulroute.components.tickets import category_text, local_time, status_badge, urgency_badge
from soulroute.state.admin import AdminState as A
from soulroute.state.admin_views import AdminRowView
from soulroute.state.views import URGENCY_LABEL

URGENCY_ORDER = ("crisis", "high", "medium", "low")


def native_select(
    label: str,
    field_id: str,
    options,
    *,
    value=None,
    default_value=None,
    on_change=None,
    name: str | None = None,
    any_label: str | None = None,
) -> rx.Component:
    """A real <select> with its <label>: keyboard and screen-reader friendly everywhere.
    `options` is a list of (value, text) or a Var of Option rows."""
    if isinstance(options, list):
        items = [rx.el.option(text, value=val) for val, text in options]
    else:
        items = [rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value))]
    if any_label:
        items.insert(0, rx.el.option(any_label, value="any"))
    props = {"id": field_id, "name": name or field_id, "class_name": "native-select"}
    if value is not None:
        props["value"] = value
    if default_value is not None:
        props["default_value"] = default_value
    if on_change is not None:
        props["on_change"] = on_change
    return rx.box(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.el.select(*items, **props),
        class_name="field",
    )


def data_table(
    caption: str | rx.Var,
    headers: list[str],
    rows: rx.Var[list],
    row: Callable[[Any], rx.Component],
    *,
    label: str,
) -> rx.Component:
    """A captioned table with column headers inside its own keyboard-scrollable container; `row` draws each
    of `rows` as a <tr>."""
    return rx.box(
        rx.el.table(
            rx.el.caption(caption, class_name="table-caption"),
            rx.el.thead(rx.el.tr(*[rx.el.th(h, scope="col") for h in headers])),
            rx.el.tbody(rx.foreach(rows, row)),
            class_name="admin-table",
        ),
        class_name="table-scroll",
        tab_index=0,
        role="region",
        aria_label=label,
    )


def admin_section(title: str | rx.Var | rx.Component, *children: rx.Component, **props) -> rx.Component:
    """A part of an admin page under its own h2 (`title` as text, or a component holding the h2)."""
    heading = title if isinstance(title, rx.Component) else rx.heading(title, as_="h2", size="5")
    return rx.el.section(heading, *children, class_name="admin-section", **props)


def figure(label: str, value: rx.Var | str, *, tone: str = "gray", test_id: str = "", extra=None) -> rx.Component:
    return rx.box(
        rx.text(label, as_="p", size="2", class_name="figure-label"),
        rx.text(value, as_="p", size="7", weight="bold", data_testid=test_id),
        extra if extra is not None else rx.fragment(),
        class_name=f"figure-card tone-{tone}",
    )


def _action(label: str, kind: str, t: AdminRowView, show: rx.Var, color: str = "gray") -> rx.Component:
    return rx.cond(
        show,
        rx.button(
            label,
            rx.el.span(" ", t.title, class_name="sr-only"),
            on_click=A.open_action(kind, t.id),
            size="1",
            variant="soft",
            color_scheme=color,
            high_contrast=True,
            type="button",
        ),
    )


def row_actions(t: AdminRowView) -> rx.Component:
    return rx.flex(
        _action("Reassign", "reassign", t, t.can_reassign, "violet"),
        _action("Urgency", "urgency", t, t.can_urgency),
        _action("Release", "release", t, t.can_release, "orange"),
        _action("Close", "close", t, t.can_close, "red"),
        spacing="1",
        wrap="wrap",
    )


def ticket_cards(rows: rx.Var, label: str, *, waited: bool = False) -> rx.Component:
    """The same tickets as a table's rows, as cards for phones (CSS shows one or the other by width)."""

    def card(t: AdminRowView) -> rx.Component:
        when = rx.text("Waited ", t.waited, as_="span") if waited else local_time(t.created_at, "D MMM YYYY, HH:mm")
        return rx.el.li(
            rx.flex(urgency_badge(t.urgency), status_badge(t.status), spacing="2", wrap="wrap"),
            rx.heading(ticket_link(t), as_="h3", size="3"),
            rx.text(when, " · ", category_text(t.category), " · ", holder(t), as_="p", size="2"),
            row_menu(t),
            class_name="admin-card",
            data_ticket=t.id,
        )

    return rx.el.ul(rx.foreach(rows, card), class_name="admin-cards", aria_label=label)


def _menu_item(label: str, kind: str, show: rx.Var, t: AdminRowView) -> rx.Component:
    return rx.cond(show, rx.menu.item(label, on_select=A.open_action(kind, t.id)))


def row_menu(t: AdminRowView) -> rx.Component:
    """A table row's actions in one menu (Radix: arrow keys move, Escape closes), so the column stays narrow
    and long titles keep their room; the ticket's own audit page shows them as buttons."""
    return rx.cond(
        t.can_reassign | t.can_urgency | t.can_release | t.can_close,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    "Actions", rx.el.span(" for ", t.title, class_name="sr-only"),
                    rx.icon("chevron-down", size=14, aria_hidden="true"),
                    size="1", variant="soft", color_scheme="gray", high_contrast=True, type="button",
                ),
            ),
            rx.menu.content(
                _menu_item("Reassign", "reassign", t.can_reassign, t),
                _menu_item("Change urgency", "urgency", t.can_urgency, t),
                _menu_item("Release", "release", t.can_release, t),
                _menu_item("Close", "close", t.can_close, t),
            ),
        ),
    )  # fmt: skip


def ticket_link(t: AdminRowView) -> rx.Component:
    return rx.link(t.title, href="/admin/tickets/" + t.id, weight="medium")


def holder(t: AdminRowView) -> rx.Component:
    return rx.cond(
        t.counselor_name != "",
        rx.text(
            t.counselor_name,
            rx.cond(t.counselor_inactive, rx.badge("inactive", color_scheme="red", margin_left="1")),
            as_="span",
        ),
        rx.text("nobody yet", as_="span", color_scheme="gray"),
    )


STAFF_ONLY = "Required; recorded with your name for the staff. The student sees what happened, never this reason."
TO_STUDENT = (
    "Optional. Worded for the student: they read it on their ticket, word for word, and get a notification "
    "(without the text). Leave it empty to tell them only what happened."
)


def _reason() -> rx.Component:
    return reason_field(A.errors.get("reason", ""), STAFF_ONLY)


def _student_message() -> rx.Component:
    """What the student is told, apart from the reason, with a preview of how they will read it."""
    return rx.box(
        text_field(
            "Message to the student",
            "student_message",
            error=A.errors.get("student_message", ""),
            hint=TO_STUDENT,
            multiline=True,
            required=False,
            rows="3",
            on_change=A.preview_message.debounce(250),
        ),  # fmt: skip
        rx.cond(
            A.message_preview != "",
            rx.box(
                rx.text("The student will read, in their ticket's history:", size="2", weight="medium", as_="p"),
                rx.el.blockquote(A.message_preview, class_name="student-message"),
                class_name="message-preview",
            ),
        ),
        width="100%",
    )


def _buttons(submit: str | rx.Var) -> rx.Component:
    return dialog_buttons(submit, saving=A.saving, color_scheme="violet")


def _reassign_body() -> rx.Component:
    return rx.cond(
        A.free_counselors.length() > 0,
        rx.fragment(
            native_select("Counselor with free capacity", "field-counselor_id", A.free_counselors, name="counselor_id"),
            field_error("field-counselor_id", A.errors.get("counselor_id", "")),
        ),
        rx.callout(
            "No active counselor has free capacity. Raise a counselor's capacity on the Accounts page first "
            "(recorded with your reason).",
            icon="info",
            color_scheme="amber",
            size="1",
        ),
    )


def action_dialog() -> rx.Component:
    title = rx.match(
        A.dialog,
        ("reassign", "Reassign ticket"),
        ("urgency", "Change urgency"),
        ("release", "Release ticket"),
        ("close", "Close ticket"),
        "Ticket action",
    )
    body = rx.match(
        A.dialog,
        ("reassign", _reassign_body()),
        (
            "urgency",
            rx.fragment(
                native_select(
                    "New urgency",
                    "field-urgency",
                    [(u, URGENCY_LABEL[u]) for u in URGENCY_ORDER],
                    name="urgency",
                    default_value=A.dialog_urgency,  # the current one: a reason alone must not escalate
                ),
                rx.text("Now: ", rx.text(A.dialog_urgency, as_="span", weight="bold"), size="2", as_="p"),
                field_error("field-urgency", A.errors.get("urgency", "")),
            ),
        ),
        ("release", rx.text("The ticket goes back to the board; any scheduled session is cancelled.", size="2")),
        ("close", rx.text("The ticket is closed for good.", size="2")),
        rx.fragment(),
    )
    return form_dialog(
        title, A.dialog_title, body, _reason(), _student_message(), _buttons("Confirm"),
        is_open=rx.Var.create(["reassign", "urgency", "release", "close"]).contains(A.dialog),
        on_open_change=A.dialog_changed, on_submit=A.submit_action, form_error=A.form_error, class_name="admin-dialog",
    )  # fmt: skip


def export_dialog() -> rx.Component:
    return form_dialog(
        "Export as CSV",
        "Every ticket matching the current filters, in the current order (up to 25,000).",
        rx.el.label(
            rx.el.input(type="checkbox", name="descriptions", id="export-descriptions"),
            " Include descriptions (each one is recorded as opened by you)",
            html_for="export-descriptions",
            class_name="check-label",
        ),
        reason_field(
            A.errors.get("reason", ""), "Needed only with descriptions; recorded in each ticket's access log.",
            optional=True,
        ),  # fmt: skip
        _buttons("Download CSV"),
        is_open=A.dialog == "export", on_open_change=A.dialog_changed, on_submit=A.submit_export,
        form_error=A.form_error, class_name="admin-dialog",
    )  # fmt: skip


def urgency_cell(t: AdminRowView) -> rx.Component:
    return urgency_badge(t.urgency)


def status_cell(t: AdminRowView) -> rx.Component:
    return status_badge(t.status)
