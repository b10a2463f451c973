"""Labelled form fields with their error shown next to them (tied by aria-describedby)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from soulroute.auth.navigation import NO_SCRIPT_ACTION


def app_form(*children: rx.Component, **props) -> rx.Component:
    """The app's only form: method POST to a route that drops the body, so a submit before the page's
    script has run can never put a field (a password) into a URL or a log. Scripts handle on_submit."""
    return rx.form(*children, method="post", action=NO_SCRIPT_ACTION, **props)


def form_stack(*parts: rx.Component, on_submit: Any, spacing: str = "4", **form_props: Any) -> rx.Component:
    """An app_form whose parts stack at full width, the app's usual form layout. What was typed stays after
    a submit (Reflex does not reset a form unless asked), so a refused form keeps it."""
    return app_form(rx.vstack(*parts, spacing=spacing, width="100%"), on_submit=on_submit, **form_props)


def field_error(field_id: str, message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, id=f"{field_id}-error", color_scheme="red", size="2", as_="p", role="alert"),
    )


def text_field(
    label: str,
    name: str,
    *,
    error: rx.Var[str] | str = "",
    type: str = "text",
    default_value: rx.Var[str] | str | None = None,
    autocomplete: str | None = None,
    hint: rx.Var[str] | str | None = None,
    required: bool = True,
    multiline: bool = False,
    **props,
) -> rx.Component:
    """A visible <label> tied to its input; the hint and the error are read with the input.

    No `maxlength`: the browser would cut a paste silently. Limits are the domain's, whose message
    ("Title can be at most 120 characters; you have 10,000.") shows here while the text stays."""
    field_id = f"field-{name}"
    error_var = rx.Var.create(error)
    described = f"{field_id}-hint {field_id}-error" if hint is not None else f"{field_id}-error"
    control_props = dict(
        id=field_id,
        name=name,
        required=required,
        aria_invalid=rx.cond(error_var != "", "true", "false"),
        aria_describedby=described,
        **props,
    )
    if default_value is not None:
        control_props["default_value"] = default_value
    if multiline:
        control = rx.text_area(**({"rows": "6", "resize": "vertical"} | control_props))
    else:
        control = rx.input(type=type, auto_complete=autocomplete, size="3", **control_props)
    return rx.box(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.text(hint, id=f"{field_id}-hint", size="2", color_scheme="gray", as_="p")
        if hint is not None
        else rx.fragment(),
        control,
        field_error(field_id, error_var),
        class_name="field",
    )


def form_alert(message: rx.Var[str], *, color: str = "red") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme=color, role="alert", size="2"),
    )


def page_title(text: rx.Var[str] | str, **props) -> rx.Component:
    """A page's one h1, the same size everywhere. Focusable from script only (tabindex -1): focus lands here
    after a move to another page within the app (components/app_shell.py)."""
    class_name = " ".join(filter(None, ("page-title", props.pop("class_name", ""))))
    return rx.heading(text, as_="h1", size="7", tab_index=-1, class_name=class_name, **props)


def intro(*text: rx.Var[str] | str, **props) -> rx.Component:
    """The paragraph under a page's title that says what the page is for."""
    return rx.text(*text, as_="p", class_name="page-intro", **props)


def submit_button(label: str, busy: rx.Var[bool], **props) -> rx.Component:
    """A form's submit button: a spinner and disabled while the form is on its way (no double submit)."""
    return rx.button(rx.cond(busy, rx.spinner(size="2"), rx.fragment()), label, type="submit", disabled=busy, **props)
