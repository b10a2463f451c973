"""Pieces every ticket list shares: colour-coded urgency and status badges, the session-mode icon,
local times, and the irregular card grid (crisis and high urgency take more room)."""

from __future__ import annotations

import reflex as rx

from soulroute.state.views import CATEGORY_LABEL, MODE_LABEL, STATUS_LABEL, URGENCY_LABEL

URGENCY_COLOR = {"low": "gray", "medium": "blue", "high": "orange", "crisis": "red"}
STATUS_COLOR = {"open": "violet", "claimed": "amber", "scheduled": "green", "completed": "teal", "closed": "gray"}
MODE_ICON = {"video": "video", "audio": "phone", "chat": "message-circle", "in-person": "map-pin"}
URGENCY_HINT = {
    "low": "It can wait a week or two.",
    "medium": "I'd like to talk within a few days.",
    "high": "It is weighing on me a lot; soon, please.",
    "crisis": "I might not be safe, or I need help today.",
}


def _label(value: rx.Var, labels: dict[str, str]) -> rx.Var:
    return rx.match(value, *[(k, v) for k, v in labels.items()], value)


def urgency_badge(urgency: rx.Var) -> rx.Component:
    return rx.badge(
        rx.cond(urgency == "crisis", rx.icon("siren", size=14, aria_hidden="true"), rx.fragment()),
        _label(urgency, URGENCY_LABEL),
        " urgency",
        color_scheme=rx.match(urgency, *URGENCY_COLOR.items(), "gray"),
        variant=rx.cond(urgency == "crisis", "solid", "soft"),
        size="2",
    )


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(
        _label(status, STATUS_LABEL),
        color_scheme=rx.match(status, *STATUS_COLOR.items(), "gray"),
        variant="outline",
        size="2",
    )


def category_text(category: rx.Var) -> rx.Var:
    return _label(category, CATEGORY_LABEL)


def mode_label(mode: rx.Var) -> rx.Component:
    """Icon plus words: the icon alone would not tell a screen reader anything."""
    return rx.hstack(
        rx.match(
            mode,
            *[(k, rx.icon(icon, size=16, aria_hidden="true")) for k, icon in MODE_ICON.items()],
            rx.icon("circle-help", size=16, aria_hidden="true"),
        ),
        rx.text(_label(mode, MODE_LABEL), size="2", as_="span"),
        spacing="1",
        align="center",
    )


def local_time(iso_value: rx.Var, fmt: str = "ddd D MMM YYYY, HH:mm") -> rx.Component:
    """A UTC ISO time shown in the viewer's own time zone (formatted by the browser)."""
    return rx.moment(iso_value, format=fmt, local=True)


def waited(iso_value: rx.Var) -> rx.Component:
    """'waiting 2 hours' style age, refreshed every minute."""
    return rx.moment(iso_value, from_now=True, interval=60_000)


def ticket_grid(items: rx.Var, render) -> rx.Component:
    """The irregular grid: each item's `wide` flag lets crisis and high urgency span two columns."""
    return rx.el.ul(rx.foreach(items, render), class_name="ticket-grid", role="list")


def grid_cell(ticket, *children: rx.Component) -> rx.Component:
    return rx.el.li(
        rx.card(*children, class_name="ticket-card", data_urgency=ticket.urgency),
        class_name=rx.cond(ticket.wide, "ticket-cell wide", "ticket-cell"),
        data_ticket=ticket.id,  # a dialog opened from the card gives focus back to it (components/dialogs.py)
    )


def empty_state(title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("inbox", size=32, aria_hidden="true", color=rx.color("gray", 9)),
            rx.heading(title, as_="h2", size="4"),
            rx.text(text, as_="p", size="3", color_scheme="gray"),
            *actions,
            align="center",
            spacing="3",
            padding="5",
        ),
        width="100%",
    )


def loading_state(text: str = "Loading…") -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text(text, as_="span"), spacing="3", align="center"),
        padding="8",
        role="status",
    )


def loaded_list(
    loaded: rx.Var[bool], loading: str, items: rx.Var, filled: rx.Component, empty: rx.Component
) -> rx.Component:
    """A list's three states: loading until its first read, then the items, or `empty` when there are none."""
    return rx.cond(loaded, rx.cond(items.length() > 0, filled, empty), loading_state(loading))
