"""The controls of a filtered list (state/filtered_list.py), for the board and the admin's tickets alike: a
search form with its box, any extra fields, the submit button, and "Clear filters" while a filter is on."""

from __future__ import annotations

from typing import Any

import reflex as rx

from soulroute.components.forms import app_form


def search_form(
    label: str, box_id: str, value: rx.Var[str], *extra: rx.Component, submit: str, state: Any, aria_label: str
) -> rx.Component:
    """`state` has `filtered`, `search_for(form_data)` and `clear_filters()`. The box is uncontrolled (no
    event per keystroke); the state sets its value from the address bar on load."""
    return app_form(
        rx.flex(
            rx.box(
                rx.el.label(label, html_for=box_id, class_name="field-label"),
                rx.input(id=box_id, name="search", type="search", default_value=value, max_length=100, size="2"),
                class_name="field search-field",
            ),
            *extra,
            rx.button(rx.icon("search", size=16, aria_hidden="true"), submit, type="submit", size="2"),
            rx.cond(
                state.filtered,
                rx.button(
                    "Clear filters",
                    type="button",
                    on_click=state.clear_filters,
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                ),
            ),  # fmt: skip
            spacing="3",
            align="end",
            wrap="wrap",
        ),
        on_submit=state.search_for,
        role="search",
        aria_label=aria_label,
    )
