"""Admin pages (issue 6 and the accounts page of issue 3): /admin (oversight), /admin/tickets/<id>
(a ticket's audit view), /admin/accounts, /admin/analytics and /admin/audit."""

from __future__ import annotations

import reflex as rx
from reflex.vars import FunctionStringVar

from soulroute.components.admin_parts import (
    action_dialog,
    admin_section,
    data_table,
    export_dialog,
    figure,
    holder,
    native_select,
    row_menu,
    status_cell,
    ticket_cards,
    ticket_link,
    urgency_cell,
)
from soulroute.components.app_shell import app_shell
from soulroute.components.filters import search_form
from soulroute.components.forms import intro, page_title
from soulroute.components.layout import split_row
from soulroute.components.tickets import (
    category_text,
    empty_state,
    loaded_list,
    loading_state,
    local_time,
    mode_label,
    waited,
)
from soulroute.state.admin import AdminState as A
from soulroute.state.admin_views import AdminRowView
from soulroute.state.views import CATEGORY_LABEL, MODE_LABEL, STATUS_LABEL, URGENCY_LABEL

URGENCY_ORDER = ("crisis", "high", "medium", "low")
SEARCH_ID = "admin-search"
# The intro's link to the search, past the crisis queue (as long as it is): focus goes into the box.
TO_SEARCH = FunctionStringVar.create(
    f"((e) => {{ e.preventDefault(); document.getElementById('{SEARCH_ID}')?.focus(); }})"
)
SORTS = [
    ("created_desc", "Newest first"),
    ("created_asc", "Oldest first"),
    ("updated_desc", "Recently changed"),
    ("urgency_desc", "Most urgent first"),
    ("status", "By status"),
]


def figures() -> rx.Component:
    return rx.el.section(
        rx.heading("Now", as_="h2", class_name="sr-only"),
        rx.box(
            figure("Open tickets", A.open_tickets.to_string(), test_id="fig-open"),
            figure(
                "Open crisis tickets",
                A.open_crisis.to_string(),
                tone="red",
                test_id="fig-crisis",
                extra=rx.cond(
                    A.oldest_crisis_at != "",
                    rx.text("oldest opened ", waited(A.oldest_crisis_at), size="2", as_="p"),
                    rx.text("none waiting", size="2", as_="p"),
                ),
            ),
            figure("Claimed, unscheduled > 1 day", A.stale_claims.to_string(), tone="amber", test_id="fig-stale"),
            figure("Sessions today", A.sessions_today.to_string(), tone="green", test_id="fig-today"),
            class_name="figure-grid",
        ),
        aria_label="Headline figures",
    )


def queue_row(t: AdminRowView) -> rx.Component:
    return rx.el.tr(
        rx.el.td(t.waited, class_name="nowrap"),
        rx.el.th(ticket_link(t), scope="row"),
        rx.el.td(urgency_cell(t)),
        rx.el.td(status_cell(t)),
        rx.el.td(holder(t)),
        rx.el.td(row_menu(t)),
        data_ticket=t.id,
    )


def crisis_queue() -> rx.Component:
    return admin_section(
        "Crisis queue",
        rx.text("Crisis and high urgency, not yet scheduled, longest waiting first.", as_="p", size="2"),
        rx.cond(
            A.queue.length() > 0,
            rx.fragment(
                rx.box(
                    data_table(
                        "Crisis and high-urgency tickets waiting",
                        ["Waited", "Ticket", "Urgency", "Status", "Held by", "Actions"],
                        A.queue,
                        queue_row,
                        label="Crisis queue",
                    ),
                    class_name="wide-only",
                ),
                ticket_cards(A.queue, "Crisis queue, as cards", waited=True),
            ),
            rx.callout("Nothing urgent is waiting.", icon="circle-check", color_scheme="green", size="1"),
        ),
        id="crisis-queue",
    )


def ticket_row(t: AdminRowView) -> rx.Component:
    return rx.el.tr(
        rx.el.th(ticket_link(t), scope="row"),
        rx.el.td(status_cell(t)),
        rx.el.td(urgency_cell(t)),
        rx.el.td(category_text(t.category)),
        rx.el.td(mode_label(t.session_mode)),
        rx.el.td(t.student_name),
        rx.el.td(holder(t)),
        rx.el.td(local_time(t.created_at, "D MMM YYYY, HH:mm")),
        rx.el.td(row_menu(t)),
        data_ticket=t.id,
    )


def table_filters() -> rx.Component:
    def sel(label: str, name: str, options) -> rx.Component:
        return native_select(
            label, f"admin-{name}", options, value=getattr(A, name),
            on_change=lambda v: A.filter_by(name, v), any_label="Any",
        )  # fmt: skip

    return rx.box(
        rx.box(
            sel("Status", "status", list(STATUS_LABEL.items())),
            sel("Category", "category", list(CATEGORY_LABEL.items())),
            sel("Urgency", "urgency", [(u, URGENCY_LABEL[u]) for u in URGENCY_ORDER]),
            sel("Session mode", "session_mode", list(MODE_LABEL.items())),
            sel("Counselor", "counselor_id", A.counselors),
            native_select("Sort", "admin-sort", SORTS, value=A.sort, on_change=lambda v: A.filter_by("sort", v)),
            class_name="filter-selects admin-filters",
        ),
        search_form(
            "Search titles", SEARCH_ID, A.search, _dates(),
            submit="Apply", state=A, aria_label="Search all tickets",
        ),
    )  # fmt: skip


def _dates() -> rx.Component:
    """The creation-date range, folded away until wanted (open while a date is set or refused): Chromium makes
    each date field four tab stops, eight between the search box and the results for a rarely used filter."""
    in_use = (A.created_from != "") | (A.created_to != "")
    refused = A.filter_errors.contains("created_from") | A.filter_errors.contains("created_to")
    return rx.el.details(
        rx.el.summary("Created between", class_name="field-label"),
        rx.box(
            _date("Created from", "created_from", A.created_from),
            _date("Created until", "created_to", A.created_to),
            class_name="date-range",
        ),
        open=in_use | refused,
        class_name="date-filters",
    )


def _date(label: str, name: str, value: rx.Var) -> rx.Component:
    field_id = f"admin-{name}"
    return rx.box(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.input(id=field_id, name=name, type="date", default_value=value, aria_describedby=f"{field_id}-error"),
        rx.cond(
            A.filter_errors.contains(name),
            rx.text(A.filter_errors[name], id=f"{field_id}-error", color_scheme="red", size="2", role="alert"),
        ),
        class_name="field date-field",
    )


def pager() -> rx.Component:
    return split_row(
        rx.text(
            rx.cond(A.total_capped, "More than 10,000", A.total.to_string()),
            " tickets · page ",
            A.page.to_string(),
            " of ",
            A.page_count.to_string(),
            as_="p",
            size="2",
            role="status",
            data_testid="table-count",
        ),
        rx.flex(
            rx.button("Previous", on_click=A.go_to_page(A.page - 1), disabled=A.page <= 1, size="2", variant="soft"),
            rx.button(
                "Next", on_click=A.go_to_page(A.page + 1), disabled=A.page >= A.page_count, size="2", variant="soft"
            ),
            native_select(
                "Rows per page",
                "admin-page-size",
                [("25", "25"), ("50", "50"), ("100", "100")],
                value=A.page_size.to_string(),
                on_change=lambda v: A.filter_by("page_size", v),
            ),  # fmt: skip
            spacing="2",
            align="end",
            wrap="wrap",
        ),
        align="end",
    )


def all_tickets() -> rx.Component:
    return admin_section(
        split_row(
            rx.heading("All tickets", as_="h2", size="5"),
            rx.button(rx.icon("download", size=16, aria_hidden="true"), "Export CSV", on_click=A.open_export, size="2"),
            spacing="2",
        ),
        table_filters(),
        loaded_list(
            A.loaded,
            "Loading tickets…",
            A.rows,
            rx.box(
                rx.box(
                    data_table(
                        "Every ticket, filtered and sorted as chosen above",
                        [
                            "Ticket",
                            "Status",
                            "Urgency",
                            "Category",
                            "Mode",
                            "Student",
                            "Held by",
                            "Created",
                            "Actions",
                        ],
                        A.rows,
                        ticket_row,
                        label="All tickets",
                    ),  # fmt: skip
                    class_name="wide-only",
                ),
                ticket_cards(A.rows, "All tickets, as cards"),
                pager(),
                aria_busy=rx.cond(A.loading, "true", "false"),
            ),
            empty_state("No tickets match", "Try clearing the filters."),
        ),
    )


def dashboard() -> rx.Component:
    return app_shell(
        page_title("Oversight"),
        intro(
            "The crisis queue first (every crisis, then high urgency), then every ticket (",
            rx.link("go to the search", href=f"#{SEARCH_ID}", on_click=TO_SEARCH),
            "). Times are shown in your time zone. See also ",
            rx.link("analytics", href="/admin/analytics"),
            ", ",
            rx.link("accounts", href="/admin/accounts"),
            " and the ",
            rx.link("audit of an account's actions", href="/admin/audit"),
            ".",
        ),  # fmt: skip
        # Figures, queue and table arrive together in the first load: until then they stay mounted (the
        # filter boxes get the address's values) but hidden, so the queue's rows do not push the table
        # down on screen (a layout shift) and "Nothing urgent is waiting" is never shown before it is known.
        rx.cond(~A.loaded, loading_state("Loading the oversight…")),
        rx.el.div(figures(), crisis_queue(), all_tickets(), hidden=~A.loaded),
        action_dialog(),
        export_dialog(),
        rx.moment(interval=30_000, on_change=A.refresh, display="none"),
        crumbs=[("Oversight", None)],
    )
