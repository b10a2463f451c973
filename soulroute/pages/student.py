"""Student pages (issue 4): my tickets, new ticket, a ticket's page."""

from __future__ import annotations

import reflex as rx

from soulroute.pages import homes
from soulroute.state.session import SessionState


def register(app: rx.App) -> None:
    app.add_page(
        lambda: homes.placeholder("My tickets", [("Tickets", None)], "Your tickets appear here."),
        route="/tickets",
        title="My tickets · SoulRoute",
        on_load=SessionState.guard,
    )
