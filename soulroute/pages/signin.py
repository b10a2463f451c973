"""Sign-in: email and password, or the university's single sign-on when configured."""

from __future__ import annotations

import reflex as rx

from soulroute.components.auth_parts import auth_form, auth_page
from soulroute.components.forms import form_alert, text_field
from soulroute.state.auth import SignInState


def sso_button() -> rx.Component:
    return rx.cond(
        SignInState.sso_enabled,
        rx.vstack(
            rx.button(
                rx.icon("building-2", aria_hidden="true"),
                "Sign in with ",
                SignInState.sso_label,
                on_click=SignInState.start_sso,
                variant="outline",
                size="3",
                width="100%",
                type="button",
            ),
            rx.separator(size="4"),
            width="100%",
            spacing="4",
        ),
    )


def page() -> rx.Component:
    return auth_page(
        "Sign in",
        form_alert(SignInState.notice, color="green"),
        form_alert(SignInState.form_error),
        sso_button(),
        auth_form(
            text_field(
                "Email", "email", type="email", autocomplete="username", error=SignInState.email_error, max_length=254
            ),
            text_field(
                "Password",
                "password",
                type="password",
                autocomplete="current-password",
                error=SignInState.password_error,
                max_length=128,
            ),
            submit="Sign in",
            busy=SignInState.submitting,
            on_submit=SignInState.sign_in,
        ),
        rx.text("New here? ", rx.link("Create a student account", href="/signup"), size="2", as_="p"),
    )
