"""Counselor pages (issue 5): the board, my caseload, profile."""

from __future__ import annotations

import reflex as rx

from soulroute.pages import homes
from soulroute.state.session import SessionState


def register(app: rx.App) -> None:
    app.add_page(
        lambda: homes.placeholder("Board", [("Board", None)], "Open tickets that match your expertise."),
        route="/board",
        title="Board · SoulRoute",
        on_load=SessionState.guard,
    )
