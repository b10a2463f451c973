"""Sign-in page (placeholder until campus sign-in is wired up)."""

from __future__ import annotations

import reflex as rx

from soulroute.components import page_shell


def page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Sign in", as_="h1", size="8"),
            rx.text("Sign-in arrives soon. Check back shortly.", size="4", as_="p"),
            rx.link("Back to the home page", href="/", size="3"),
            spacing="4",
            align="start",
        ),
    )
