"""/admin/audit: an account's actions over a period (ticket history it caused, account changes it
made, records it opened), with the reasons given. A ticket's own trail is on /admin/tickets/<id>."""

from __future__ import annotations

import reflex as rx

from soulroute.components.admin_parts import admin_section, data_table
from soulroute.components.app_shell import app_shell
from soulroute.components.forms import app_form, intro, page_title, text_field
from soulroute.components.tickets import local_time
from soulroute.state.admin_audit import AdminAuditState as S
from soulroute.state.admin_views import ActivityView


def activity_row(a: ActivityView) -> rx.Component:
    return rx.el.tr(
        rx.el.td(local_time(a.at, "D MMM YYYY, HH:mm"), class_name="nowrap"),
        rx.el.td(a.text),
        rx.el.td(
            rx.cond(
                a.ticket_id != "",
                rx.link(a.ticket_title, href="/admin/tickets/" + a.ticket_id),
                a.subject,
            )
        ),
        rx.el.td(a.reason),
    )


def page() -> rx.Component:
    return app_shell(
        page_title("Audit"),
        intro(
            "What one account did over a period. A ticket's full history and who opened it are on the ticket's "
            "audit page (open it from Oversight).",
        ),
        app_form(
            rx.flex(
                text_field(
                    "Account email", "email", type="email", default_value=S.email, error=S.errors.get("email", "")
                ),  # fmt: skip
                text_field("From", "start", type="date", default_value=S.start, error=S.errors.get("start", "")),
                text_field("Until", "end", type="date", default_value=S.end, error=S.errors.get("end", "")),
                rx.button("Show activity", type="submit", loading=S.searching, size="3"),
                spacing="3",
                align="end",
                wrap="wrap",
            ),
            on_submit=S.search_activity,
            aria_label="Choose an account and a period",
        ),
        rx.cond(
            S.searched,
            admin_section(
                rx.heading("Activity of ", S.account_name, as_="h2", size="5"),
                rx.cond(
                    S.activity.length() > 0,
                    data_table(
                        "Actions in the period, newest first",
                        ["When", "Action", "Ticket or account", "Reason"],
                        S.activity,
                        activity_row,
                        label="Activity",
                    ),
                    rx.text("No recorded actions in this period.", as_="p"),
                ),
            ),
        ),
        crumbs=[("Oversight", "/admin"), ("Audit", None)],
    )
