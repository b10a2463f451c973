"""Layout rows the pages share, so that the same arrangement has one definition (and one look)."""

from __future__ import annotations

import reflex as rx


def split_row(*children: rx.Component, align: str = "center", spacing: str = "3") -> rx.Component:
    """Children pushed to the two ends (a title and its action, a text and its buttons); they wrap onto
    the next line when the screen is too narrow for both."""
    return rx.flex(*children, justify="between", align=align, wrap="wrap", spacing=spacing)


def button_row(*buttons: rx.Component, **props) -> rx.Component:
    """A form's or a dialog's buttons, at the end of the line (the main action last), wrapping if narrow."""
    return rx.flex(*buttons, spacing="3", justify="end", wrap="wrap", **props)
