"""The frame every page shares: skip link, header with navigation, one <main>, footer with crisis help."""

from __future__ import annotations

import re

import reflex as rx

from soulroute.config import get_settings

MAIN_ID = "main"


def skip_link() -> rx.Component:
    """Moves keyboard focus into <main> (the address alone would leave focus where it was)."""
    return rx.el.a(
        "Skip to main content",
        href=f"#{MAIN_ID}",
        class_name="skip-link",
        on_click=rx.call_script(f"document.getElementById('{MAIN_ID}').focus()"),
    )


def site_header() -> rx.Component:
    return rx.el.header(
        rx.flex(
            rx.link("SoulRoute", href="/", weight="bold", size="5", high_contrast=True, underline="none"),
            rx.el.nav(
                rx.link("Sign in", href="/signin", size="3", weight="medium"),
                aria_label="Main",
            ),
            justify="between",
            align="center",
            class_name="shell-bar",
        ),
        class_name="site-header",
    )


def _dial(number: str) -> str:
    """`+1 555 0100 (Counseling Center)` → `+15550100`: what a tel: or sms: link needs."""
    found = re.search(r"\+?\d[\d\s().-]*\d", number)
    return re.sub(r"[^\d+]", "", found.group(0)) if found else ""


def help_links(size: str = "2") -> rx.Component:
    """One tap to call or text the crisis line, or to call the counseling center (phones open the dialer)."""
    settings = get_settings()
    links = [
        ("tel", settings.crisis_call_number, f"Call {settings.crisis_call_number}"),
        ("sms", settings.crisis_text_number, f"Text {settings.crisis_text_number}"),
        ("tel", settings.counseling_center_phone, "Call the counseling center"),
    ]
    return rx.flex(
        *(
            rx.link(label, href=f"{scheme}:{_dial(number)}", size=size, weight="medium", high_contrast=True)
            for scheme, number, label in links
            if _dial(number)
        ),
        spacing="4",
        wrap="wrap",
        class_name="help-links",
    )


def site_footer(*, beside_sidebar: bool = False) -> rx.Component:
    """Crisis help on every page; on signed-in pages aligned with the content column, not the window."""
    settings = get_settings()
    return rx.el.footer(
        rx.box(
            rx.text("Need help right now?", weight="bold", size="2", as_="p"),
            rx.text(settings.crisis_line_text, size="2", as_="p"),
            rx.text(settings.counseling_center_phone, size="2", as_="p"),
            help_links(),
            class_name="shell-bar",
        ),
        class_name="site-footer app-footer" if beside_sidebar else "site-footer",
    )


def page_shell(*children: rx.Component) -> rx.Component:
    """Wrap a page's content in the shared landmarks. Each page supplies exactly one h1."""
    return rx.box(
        skip_link(),
        site_header(),
        rx.el.main(
            rx.container(*children, size="3", padding_x="4", padding_y="6"),
            id=MAIN_ID,
            tab_index=-1,
        ),
        site_footer(),
        class_name="page",
    )
