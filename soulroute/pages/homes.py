"""Role homes that later issues fill in (each page keeps its route and guard)."""

from __future__ import annotations

import reflex as rx

from soulroute.components.app_shell import app_shell


def placeholder(title: str, crumbs: list[tuple[str, str | None]], text: str) -> rx.Component:
    return app_shell(
        rx.heading(title, as_="h1", size="7", margin_bottom="3"),
        rx.text(text, as_="p", size="3"),
        crumbs=crumbs,
    )
