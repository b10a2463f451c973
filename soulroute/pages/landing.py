"""The landing page at "/": what SoulRoute is, and the way in."""

from __future__ import annotations

import reflex as rx

from soulroute.components import page_shell

STEPS = [
    ("Open a ticket", "Say, in your own words, what is on your mind. Only the counseling team reads it."),
    ("Meet your counselor", "A counselor whose expertise fits picks up your ticket and schedules a session with you."),
    ("Talk it through", "Meet by video, phone, chat or in person, at a time that suits you."),
]


def step(number: int, title: str, body: str) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.text(f"Step {number}", size="2", color_scheme="violet", weight="medium", as_="p"),
            rx.heading(title, as_="h3", size="4", margin_y="1"),
            rx.text(body, size="3", as_="p"),
        ),
        class_name="step",
    )


def page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("SoulRoute", as_="h1", size="9"),
            rx.text(
                "Support for students, routed to the right person.",
                size="5",
                weight="medium",
                as_="p",
            ),
            rx.text(
                "Reaching out is hard enough. SoulRoute makes the first step small: a private support "
                "ticket that goes straight to your campus counselors, who answer, follow up and, when "
                "you want it, meet you face to face. No waiting rooms, no forms to chase, and your "
                "words stay between you and the people whose job is to help.",
                size="4",
                as_="p",
                max_width="40em",
            ),
            rx.button(rx.link("Sign in", href="/signin"), as_child=True, size="3"),
            spacing="5",
            align="start",
        ),
        rx.el.section(
            rx.heading("How it works", as_="h2", size="6", id="how-it-works", margin_bottom="4"),
            rx.el.ol(*[step(i, t, b) for i, (t, b) in enumerate(STEPS, start=1)], class_name="steps"),
            aria_labelledby="how-it-works",
            class_name="how-it-works",
        ),
    )
