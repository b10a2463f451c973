"""/admin/accounts: create staff accounts; counselors with load, expertise and on-call; edit, capacity,
deactivate (their active tickets are listed for reassignment)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from soulroute.components.admin_parts import admin_section, data_table, holder, native_select, ticket_link
from soulroute.components.app_shell import app_shell
from soulroute.components.dialogs import dialog_buttons, form_dialog, reason_field
from soulroute.components.forms import app_form, field_error, form_alert, intro, page_title, text_field
from soulroute.components.tickets import loading_state, status_badge
from soulroute.state.admin_accounts import AdminAccountsState as S
from soulroute.state.admin_accounts import StaffView
from soulroute.state.admin_views import AdminRowView, CounselorView
from soulroute.state.views import CATEGORY_LABEL, MODE_LABEL


def checks(legend: str, name: str, prefix: str, options: dict[str, str], chosen, errors) -> rx.Component:
    """Checkboxes arriving in the form as `<prefix>-<value>` (as on the counselor's own profile)."""
    return rx.el.fieldset(
        rx.el.legend(legend, class_name="field-label"),
        rx.flex(
            *[
                rx.el.label(
                    rx.el.input(
                        type="checkbox",
                        name=f"{prefix}-{value}",
                        id=f"{prefix}-{value}-{name}",
                        default_checked=chosen.contains(value) if chosen is not None else value != "other",
                    ),  # fmt: skip
                    " ",
                    label,
                    class_name="check-label",
                )
                for value, label in options.items()
            ],
            spacing="3",
            wrap="wrap",
        ),
        field_error(f"field-{name}", errors.get(name, "")),
        class_name="check-group",
    )


def switch(label: str, name: str, checked) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, default_checked=checked), " ", label, class_name="check-label"
    )


def create_form() -> rx.Component:
    e = S.create_errors
    counselor_fields = rx.vstack(
        checks("Expertise", "expertise", "expertise", CATEGORY_LABEL, None, e),
        checks("Session modes", "session_modes", "mode", MODE_LABEL, None, e),
        text_field(
            "Capacity (active tickets at once)",
            "capacity",
            type="number",
            default_value="5",
            error=e.get("capacity", ""),
            min=0,
            max=50,
            class_name="narrow-input",
        ),  # fmt: skip
        switch("On call for crisis", "on_call_crisis", False),
        spacing="4",
        width="100%",
    )
    return rx.el.section(
        rx.heading("Create an account", as_="h2", size="5"),
        form_alert(S.create_error),
        app_form(
            rx.vstack(
                native_select(
                    "Role",
                    "create-role",
                    [("counselor", "Counselor"), ("admin", "Admin")],
                    value=S.create_role,
                    on_change=S.choose_role,
                ),  # fmt: skip
                text_field("Full name", "display_name", error=e.get("display_name", "")),
                text_field("Email", "email", type="email", error=e.get("email", ""), autocomplete="off"),
                text_field(
                    "Initial password",
                    "password",
                    type="password",
                    error=e.get("password", ""),
                    autocomplete="new-password",
                    hint="At least 10 characters; share it with them privately.",
                ),  # fmt: skip
                rx.cond(S.create_role == "counselor", counselor_fields),
                rx.button("Create account", type="submit", loading=S.creating, size="3"),
                spacing="4",
                align="start",
                width="100%",
            ),
            on_submit=S.submit_create,
            reset_on_submit=False,
            key=S.form_key.to_string(),
            class_name="admin-form",
        ),
        class_name="admin-section",
    )


def _row_button(label: rx.Var | str, account: StaffView | CounselorView, on_click: Any, **props) -> rx.Component:
    """A row's small button; screen readers also hear whose row it is ("Edit Sam Lee")."""
    return rx.button(
        label, rx.el.span(" ", account.name, class_name="sr-only"), on_click=on_click, size="1", variant="soft", **props
    )


def _status_button(account: StaffView | CounselorView, **props) -> rx.Component:
    label = rx.cond(account.is_active, "Deactivate", "Reactivate")
    return _row_button(label, account, S.open_status(account.id), **props)


def counselor_row(c: CounselorView) -> rx.Component:
    return rx.el.tr(
        rx.el.th(rx.text(c.name, weight="medium"), rx.text(c.email, size="1", as_="p"), scope="row"),
        rx.el.td(rx.cond(c.is_active, "Active", rx.badge("Inactive", color_scheme="red"))),
        rx.el.td(c.load, class_name="nowrap", data_testid="load"),
        rx.el.td(c.expertise),
        rx.el.td(rx.cond(c.on_call, "On call", "–")),
        rx.el.td(rx.cond(c.accepting_new, "Yes", "No")),
        rx.el.td(
            rx.flex(
                _row_button("Edit", c, S.open_edit(c.id)),
                _status_button(c, color_scheme=rx.cond(c.is_active, "red", "green")),
                spacing="1",
                wrap="wrap",
            )
        ),
    )


def admin_row(a: StaffView) -> rx.Component:
    return rx.el.tr(
        rx.el.th(a.name, scope="row"),
        rx.el.td(a.email),
        rx.el.td(rx.cond(a.is_active, "Active", rx.badge("Inactive", color_scheme="red"))),
        rx.el.td(_status_button(a)),
    )


def orphan_row(t: AdminRowView) -> rx.Component:
    return rx.el.tr(rx.el.th(ticket_link(t), scope="row"), rx.el.td(status_badge(t.status)), rx.el.td(holder(t)))


def _edit_fields() -> list[rx.Component]:
    t = S.target
    return [
        text_field("Full name", "edit_display_name", default_value=t.name, error=S.errors.get("display_name", "")),
        checks("Expertise", "expertise", "edit-expertise", CATEGORY_LABEL, t.expertise_keys, S.errors),
        checks("Session modes", "session_modes", "edit-mode", MODE_LABEL, t.mode_keys, S.errors),
        text_field(
            "Capacity (active tickets at once)",
            "edit_capacity",
            type="number",
            min=0,
            max=50,
            default_value=t.capacity.to_string(),
            error=S.errors.get("capacity", ""),
            hint="Raising it lets you assign more; the change is recorded.",
        ),  # fmt: skip
        switch("Accepting new tickets", "edit_accepting_new", t.accepting_new),
        switch("On call for crisis", "edit_on_call_crisis", t.on_call),
    ]


def _held_tickets() -> rx.Component:
    return rx.cond(
        S.target_held.length() > 0,
        rx.box(
            rx.text("They hold these active tickets; reassign them afterwards:", as_="p", size="2"),
            rx.el.ul(rx.foreach(S.target_held, lambda h: rx.el.li(ticket_link(h)))),
        ),
    )


def dialogs() -> rx.Component:
    """Edit a counselor, or change an account's status: one dialog, recorded with a reason."""
    editing = S.dialog == "edit"
    return form_dialog(
        rx.cond(editing, "Edit counselor", rx.cond(S.target_active, "Deactivate", "Reactivate")),
        S.target_name,
        rx.cond(editing, rx.fragment(*_edit_fields()), _held_tickets()),
        reason_field(S.errors.get("reason", ""), "Required; recorded with your name."),
        dialog_buttons("Save", saving=S.saving),
        is_open=S.dialog != "", on_open_change=S.dialog_changed,
        on_submit=S.submit_dialog, form_error=S.form_error, class_name="admin-dialog",
    )  # fmt: skip


def page() -> rx.Component:
    return app_shell(
        page_title("Accounts"),
        intro("Counselor and admin accounts. Students create their own."),
        rx.cond(
            S.loaded,
            rx.fragment(
                rx.cond(
                    S.orphaned.length() > 0,
                    admin_section(
                        "Needs reassignment",
                        data_table(
                            "Active tickets held by deactivated counselors",
                            ["Ticket", "Status", "Held by"],
                            S.orphaned,
                            orphan_row,
                            label="Needs reassignment",
                        ),
                    ),
                ),
                admin_section(
                    "Counselors",
                    data_table(
                        "Counselors with their active load against capacity",
                        ["Counselor", "Account", "Load", "Expertise", "Crisis", "Accepting", "Actions"],
                        S.counselors,
                        counselor_row,
                        label="Counselors",
                    ),
                ),
                admin_section(
                    "Admins",
                    data_table(
                        "Admin accounts", ["Name", "Email", "Account", "Actions"], S.admins, admin_row, label="Admins"
                    ),
                ),
                create_form(),
            ),
            loading_state("Loading accounts…"),
        ),
        dialogs(),
        crumbs=[("Oversight", "/admin"), ("Accounts", None)],
    )
