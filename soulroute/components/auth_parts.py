"""The sign-in and sign-up pages' shared frame: one card under the site's shell, and a form whose fields
stack above a full-width submit button."""

from __future__ import annotations

from typing import Any

import reflex as rx

from soulroute.components.forms import form_stack, page_title, submit_button
from soulroute.components.shell import page_shell


def auth_page(title: str, *children: rx.Component) -> rx.Component:
    """A signed-out page: its h1 and content in one narrow card."""
    return page_shell(
        rx.card(
            rx.vstack(page_title(title), *children, spacing="4", width="100%"),
            class_name="auth-card",
        ),
    )


def auth_form(*fields: rx.Component, submit: str, busy: rx.Var[bool], on_submit: Any) -> rx.Component:
    """The fields, then the submit button (busy while the form is on its way)."""
    return form_stack(*fields, submit_button(submit, busy, size="3", width="100%"), on_submit=on_submit, width="100%")
