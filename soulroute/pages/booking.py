"""The old /booking address: a short notice, then on to /tickets."""

from __future__ import annotations

import reflex as rx

from soulroute.components import page_shell
from soulroute.components.forms import page_title


def page() -> rx.Component:
    return page_shell(
        rx.vstack(
            page_title("Support has moved to tickets"),
            rx.text(
                "Support requests are now made as tickets: describe what you need and a counselor picks it up. "
                "Taking you to your tickets…",
                as_="p",
                size="4",
            ),
            rx.link("Go to my tickets now", href="/tickets", size="3"),
            spacing="4",
            align="start",
        ),
    )


def go_on() -> rx.event.EventSpec:
    return rx.call_script("setTimeout(() => window.location.assign('/tickets'), 2500)")
