"""Student sign-up: email, display name, password."""

from __future__ import annotations

import reflex as rx

from soulroute.auth.password_policy import MIN_LENGTH
from soulroute.components.auth_parts import auth_form, auth_page
from soulroute.components.forms import form_alert, text_field
from soulroute.state.auth import SignUpState


def _field(label: str, name: str, **props) -> rx.Component:
    """A sign-up field with its own error from the last attempt."""
    return text_field(label, name, error=SignUpState.errors.get(name, ""), **props)


def signup_form() -> rx.Component:
    return auth_form(
        _field(
            "University email",
            "email",
            type="email",
            autocomplete="email",
            default_value=SignUpState.email,
            max_length=254,
        ),
        _field(
            "Display name",
            "display_name",
            autocomplete="nickname",
            hint="What counselors will call you. A first name is enough.",
            default_value=SignUpState.display_name,
            max_length=100,
        ),
        _field(
            "Password",
            "password",
            type="password",
            autocomplete="new-password",
            hint=f"At least {MIN_LENGTH} characters. A few unrelated words work well.",
            max_length=128,
        ),
        submit="Create account",
        busy=SignUpState.submitting,
        on_submit=SignUpState.sign_up,
    )


def page() -> rx.Component:
    return auth_page(
        "Create a student account",
        form_alert(SignUpState.form_error),
        rx.cond(
            SignUpState.open,
            signup_form(),
            rx.callout("Sign-up is closed. Ask the counseling center for an account.", icon="info"),
        ),
        rx.text("Already have an account? ", rx.link("Sign in", href="/signin"), size="2", as_="p"),
    )
