"""Pages: small functions returning components, registered on the app by `register_pages`."""

from __future__ import annotations

import reflex as rx

from soulroute.pages import landing, signin

DESCRIPTION = "SoulRoute connects students with mental-health counselors through private support tickets."
META = {"description": DESCRIPTION, "image": "/favicon.svg"}


def register_pages(app: rx.App) -> None:
    app.add_page(landing.page, route="/", title="SoulRoute", **META)
    app.add_page(signin.page, route="/signin", title="Sign in · SoulRoute", **META)
