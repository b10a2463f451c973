"""/notifications: the user's latest notifications, newest first, each linking to its ticket, with
mark-as-read and mark-all-read. New ones appear live (soulroute/state/listener.py)."""

from __future__ import annotations

import reflex as rx

from soulroute.components.app_shell import app_shell
from soulroute.components.forms import form_alert, page_title
from soulroute.components.layout import split_row
from soulroute.components.tickets import empty_state, loaded_list, local_time
from soulroute.state.notifications import NotificationsState as S
from soulroute.state.notifications import NotificationView


def _item(n: NotificationView) -> rx.Component:
    return rx.el.li(
        rx.card(
            split_row(
                rx.flex(
                    rx.cond(n.unread, rx.badge("New", color_scheme="violet", variant="solid")),
                    rx.text(n.body, as_="p", size="3", weight=rx.cond(n.unread, "medium", "regular")),
                    rx.text(local_time(n.created_at, "D MMM YYYY, HH:mm"), as_="p", size="1", color_scheme="gray"),
                    direction="column",
                    align="start",
                    spacing="1",
                    flex="1",
                    min_width="0",
                ),
                rx.flex(
                    rx.cond(
                        n.href != "",
                        rx.link(
                            "Open ticket",
                            href=n.href,
                            on_click=rx.cond(n.unread, S.mark_read(n.id), rx.noop()),
                            aria_label="Open ticket: " + n.body,
                        ),
                    ),
                    rx.cond(
                        n.unread,
                        rx.button(
                            "Mark as read",
                            on_click=S.mark_read(n.id),
                            variant="soft",
                            size="2",
                            aria_label="Mark as read: " + n.body,
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
            ),
            variant="surface",
            # Unread: a violet edge besides the "New" badge (not colour alone).
            border_left=rx.cond(n.unread, "4px solid var(--violet-9)", "4px solid var(--gray-a5)"),
        ),
    )


def _list() -> rx.Component:
    return loaded_list(
        S.loaded,
        "Loading your notifications…",
        S.items,
        rx.el.ul(
            rx.foreach(S.items, _item),
            role="list",
            style={"listStyle": "none", "padding": 0, "margin": 0, "display": "grid", "gap": "0.75rem"},
        ),
        empty_state("No notifications yet", "When something happens on your tickets, you will see it here."),
    )


def page() -> rx.Component:
    return app_shell(
        rx.flex(
            _header(),
            form_alert(S.load_error),
            _list(),
            direction="column",
            spacing="4",
        ),
        crumbs=[("Notifications", None)],
    )


def _header() -> rx.Component:
    return rx.flex(
        split_row(
            page_title("Notifications"),
            rx.button(
                rx.icon("check-check", size=16, aria_hidden="true"),
                "Mark all as read",
                on_click=S.mark_all_read,
                disabled=S.unread == 0,
                variant="soft",
                size="3",
            ),
        ),
        rx.text(
            rx.cond(S.unread == 0, "You are all caught up.", S.unread.to_string() + " unread"),
            as_="p",
            size="2",
            color_scheme="gray",
            aria_live="polite",
        ),
        direction="column",
        spacing="1",
    )
