"""Student sign-up: email, display name, password."""

from __future__ import annotations

import reflex as rx

from soulroute.auth.password_policy import MIN_LENGTH
from soulroute.components import page_shell
from soulroute.components.forms import app_form, form_alert, page_title, submit_button, text_field
from soulroute.state.auth import SignUpState


def signup_form() -> rx.Component:
    return app_form(
        rx.vstack(
            text_field(
                "University email",
                "email",
                type="email",
                autocomplete="email",
                error=SignUpState.errors.get("email", ""),
                default_value=SignUpState.email,
                max_length=254,
            ),
            text_field(
                "Display name",
                "display_name",
                autocomplete="nickname",
                hint="What counselors will call you. A first name is enough.",
                error=SignUpState.errors.get("display_name", ""),
                default_value=SignUpState.display_name,
                max_length=100,
            ),
            text_field(
                "Password",
                "password",
                type="password",
                autocomplete="new-password",
                hint=f"At least {MIN_LENGTH} characters. A few unrelated words work well.",
                error=SignUpState.errors.get("password", ""),
                max_length=128,
            ),
            submit_button("Create account", SignUpState.submitting, size="3", width="100%"),
            spacing="4",
            width="100%",
        ),
        on_submit=SignUpState.sign_up,
        width="100%",
    )


def page() -> rx.Component:
    return page_shell(
        rx.card(
            rx.vstack(
                page_title("Create a student account"),
                form_alert(SignUpState.form_error),
                rx.cond(
                    SignUpState.open,
                    signup_form(),
                    rx.callout("Sign-up is closed. Ask the counseling center for an account.", icon="info"),
                ),
                rx.text("Already have an account? ", rx.link("Sign in", href="/signin"), size="2", as_="p"),
                spacing="4",
                width="100%",
            ),
            class_name="auth-card",
        ),
    )
