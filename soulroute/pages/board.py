"""/board: the open tickets this counselor may claim, with filters kept in the address."""

from __future__ import annotations

import reflex as rx

from soulroute.components.app_shell import app_shell
from soulroute.components.counselor_cards import board_card, board_row, workload_header
from soulroute.components.filters import search_form
from soulroute.components.forms import page_title
from soulroute.components.tickets import empty_state, loaded_list, ticket_grid
from soulroute.state.board import ANY, MODES_OFFERED, BoardState
from soulroute.state.views import CATEGORY_LABEL, MODE_LABEL, URGENCY_LABEL

URGENCY_ORDER = ("crisis", "high", "medium", "low")


def filter_select(label: str, name: str, options: list[tuple[str, str]], value: rx.Var) -> rx.Component:
    field_id = f"filter-{name}"
    return rx.box(
        rx.el.label(label, html_for=field_id, id=f"{field_id}-label", class_name="field-label"),
        rx.select.root(
            rx.select.trigger(id=field_id, aria_labelledby=f"{field_id}-label {field_id}", width="100%"),
            rx.select.content(
                rx.select.item("Any", value=ANY),
                *[rx.select.item(text, value=key) for key, text in options],
            ),
            value=value,
            on_change=lambda v: BoardState.filter_by(name, v),
            size="2",
        ),
        class_name="field",
    )


def filters() -> rx.Component:
    return rx.el.section(
        rx.heading("Filters", as_="h2", class_name="sr-only"),
        rx.box(
            filter_select("Category", "category", list(CATEGORY_LABEL.items()), BoardState.category),
            filter_select("Urgency", "urgency", [(u, URGENCY_LABEL[u]) for u in URGENCY_ORDER], BoardState.urgency),
            filter_select(
                "Session mode",
                "session_mode",
                [(MODES_OFFERED, "Modes I offer"), *MODE_LABEL.items()],
                BoardState.session_mode,
            ),  # fmt: skip
            class_name="filter-selects",
        ),
        search_form(
            "Search title and description",
            "board-search",
            BoardState.search,
            submit="Search",
            state=BoardState,
            aria_label="Search the board",
        ),  # fmt: skip
        class_name="board-filters",
        aria_label="Filters",
    )


def layout_switch() -> rx.Component:
    """Cards, or one line per ticket in strict priority order; two toggle buttons (aria-pressed)."""

    def option(layout: str, label: str, icon: str) -> rx.Component:
        chosen = BoardState.layout == layout
        return rx.button(
            rx.icon(icon, size=16, aria_hidden="true"),
            label,
            on_click=BoardState.show_as(layout),
            aria_pressed=rx.cond(chosen, "true", "false"),
            variant=rx.cond(chosen, "solid", "outline"),
            size="2",
            type="button",
        )

    return rx.flex(
        rx.text("Show as", size="2", as_="span", id="layout-label"),
        option("cards", "Cards", "layout-grid"),
        option("list", "List", "list"),
        role="group",
        aria_labelledby="layout-label",
        spacing="2",
        align="center",
        class_name="layout-switch",
    )


def tickets() -> rx.Component:
    return rx.cond(
        BoardState.layout == "list",
        rx.el.ul(rx.foreach(BoardState.cards, board_row), class_name="board-list", role="list"),
        ticket_grid(BoardState.cards, board_card),
    )


def results() -> rx.Component:
    return loaded_list(
        BoardState.loaded,
        "Loading the board…",
        BoardState.cards,
        rx.fragment(
            tickets(),
            rx.cond(
                BoardState.has_more,
                rx.center(
                    rx.button(
                        "Load more",
                        on_click=BoardState.load_more,
                        loading=BoardState.loading,
                        variant="soft",
                        size="3",
                    ),
                    padding="5",
                ),
            ),
        ),
        empty_state(
            "No open tickets here",
            rx.cond(
                BoardState.filtered,
                "Nothing matches these filters. Try clearing them.",
                "Nothing waits in your areas right now. New tickets appear here.",
            ),
        ),
    )


def page() -> rx.Component:
    return app_shell(
        page_title("Board"),
        rx.text("Open tickets in your areas, plus crisis and “other” for everyone. Crisis first.", as_="p"),
        workload_header(),
        filters(),
        layout_switch(),
        rx.cond(
            BoardState.notice != "",
            rx.callout(BoardState.notice, icon="info", color_scheme="amber", role="status", class_name="board-notice"),
        ),
        rx.box(
            results(),
            aria_busy=rx.cond(BoardState.loading, "true", "false"),
            aria_live="polite",
        ),
        rx.moment(interval=60_000, on_change=BoardState.tick, display="none"),
        crumbs=[("Board", None)],
    )
