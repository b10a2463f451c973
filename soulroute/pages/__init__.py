"""Pages: small functions returning components, registered on the app by `register_pages`.

Every page's on_load starts with SessionState.guard, which sends away whoever may not be there
(roles per path in soulroute/state/session.py). Each handler still checks the user itself.
"""

from __future__ import annotations

import reflex as rx

from soulroute.pages import admin, booking, counselor, landing, notifications, signin, signup, student
from soulroute.state.auth import SignInState, SignUpState
from soulroute.state.session import SessionState

DESCRIPTION = "SoulRoute connects students with mental-health counselors through private support tickets."
META = {"description": DESCRIPTION, "image": "/favicon.svg"}


def _title(name: str) -> str:
    return f"{name} · SoulRoute"


def register_pages(app: rx.App) -> None:
    guard = SessionState.guard
    app.add_page(landing.page, route="/", title="SoulRoute", on_load=guard, **META)
    app.add_page(signin.page, route="/signin", title=_title("Sign in"), on_load=SignInState.load, **META)
    app.add_page(signup.page, route="/signup", title=_title("Create account"), on_load=SignUpState.load, **META)
    app.add_page(booking.page, route="/booking", title=_title("Support has moved"), on_load=booking.go_on(), **META)
    student.register(app)
    counselor.register(app)
    notifications.register(app)
    admin.register(app)
