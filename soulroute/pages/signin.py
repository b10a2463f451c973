"""Sign-in: email and password, or the university's single sign-on when configured."""

from __future__ import annotations

import reflex as rx

from soulroute.components import page_shell
from soulroute.components.forms import app_form, form_alert, page_title, submit_button, text_field
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
    return page_shell(
        rx.card(
            rx.vstack(
                page_title("Sign in"),
                form_alert(SignInState.notice, color="green"),
                form_alert(SignInState.form_error),
                sso_button(),
                app_form(
                    rx.vstack(
                        text_field(
                            "Email",
                            "email",
                            type="email",
                            autocomplete="username",
                            error=SignInState.email_error,
                            max_length=254,
                        ),
                        text_field(
                            "Password",
                            "password",
                            type="password",
                            autocomplete="current-password",
                            error=SignInState.password_error,
                            max_length=128,
                        ),
                        submit_button("Sign in", SignInState.submitting, size="3", width="100%"),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=SignInState.sign_in,
                    width="100%",
                ),
                rx.text(
                    "New here? ",
                    rx.link("Create a student account", href="/signup"),
                    size="2",
                    as_="p",
                ),
                spacing="4",
                width="100%",
            ),
            class_name="auth-card",
        ),
    )
