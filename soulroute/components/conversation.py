"""A ticket's conversation (issue 13): the messages, oldest first, announced politely as they arrive; the box
to write one; and, always, how to get help right now (messages are not watched around the clock)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from soulroute.components.forms import app_form, submit_button, text_field
from soulroute.components.shell import help_links
from soulroute.components.tickets import local_time
from soulroute.config import get_settings
from soulroute.domain.messages import MESSAGE_MAX

AFTER_HOURS = (
    "The counseling center is closed right now, so nobody will read this until it opens. Messages are not "
    "watched around the clock. If you need help now:"
)


def _hours_note() -> str:
    settings = get_settings()
    return (
        f"Messages are read during the counseling center's hours ({settings.counseling_hours}, "
        f"{settings.center_time_zone} time). If you need help right now:"
    )


def _message(m: Any) -> rx.Component:
    byline = (rx.text(m.author, as_="span", weight="bold"), " · ", local_time(m.at, "D MMM, HH:mm"))
    return rx.el.li(
        rx.text(*byline, as_="p", size="1", color_scheme="gray"),
        rx.cond(
            m.hidden,
            rx.text("This message was hidden by the counseling team.", as_="p", size="2", class_name="hidden-message"),
            rx.text(m.body, as_="p", size="3", class_name="message-body"),
        ),
        rx.cond(m.receipt != "", rx.text(m.receipt, as_="p", size="1", class_name="receipt")),
        class_name=rx.cond(m.mine, "message mine", "message"),
    )


def _chat_session(state: Any) -> rx.Component:
    """A chat-mode session in its time: this conversation is the session (Join leads here)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("message-circle", aria_hidden="true")),
        rx.callout.text(
            rx.text("Chat session in progress", weight="bold", as_="span"), ": ",
            local_time(state.chat_session_start, "HH:mm"), "–", local_time(state.chat_session_end, "HH:mm"),
            ". Write here; the transcript stays with the ticket.",
        ),
        color_scheme="green", high_contrast=True, role="status", size="2", class_name="chat-session",
    )  # fmt: skip


def _composer(state: Any) -> rx.Component:
    return app_form(
        text_field(
            "Message",
            "body",
            error=state.message_error,
            multiline=True,
            rows="3",
            hint=f"Plain text, up to {MESSAGE_MAX:,} characters. Only the two of you can read it.",
            on_change=state.typing_now.throttle(3000),
        ),  # fmt: skip
        rx.flex(submit_button("Send", state.sending, size="3"), justify="end"),
        on_submit=state.send_message,
        width="100%",
    )


def conversation(state: Any) -> rx.Component:
    """`state` has messages, can_write, has_conversation, message_error, sending and send_message."""
    return rx.cond(
        state.has_conversation,
        rx.el.section(
            rx.heading("Messages", as_="h2", size="4", id="messages-heading"),
            rx.cond(state.chat_session_live, _chat_session(state)),
            rx.box(rx.text(_hours_note(), as_="p", size="2"), help_links(), class_name="messages-help"),
            rx.cond(
                state.messages.length() > 0,
                rx.box(
                    rx.el.ol(rx.foreach(state.messages, _message), class_name="messages"),
                    role="log",
                    aria_live="polite",
                    aria_labelledby="messages-heading",
                    tab_index=0,  # it scrolls: reachable by keyboard
                    class_name="messages-scroll",
                ),
                rx.text("No messages yet.", as_="p", size="2", color_scheme="gray"),
            ),
            rx.cond(
                state.typing != "",
                rx.fragment(
                    rx.text(state.typing, as_="p", size="2", role="status", class_name="typing"),
                    rx.moment(interval=2000, on_change=state.fade_typing, display="none"),
                ),
            ),
            rx.cond(
                state.after_hours,
                rx.callout.root(
                    rx.callout.icon(rx.icon("moon", aria_hidden="true")),
                    rx.callout.text(AFTER_HOURS),
                    help_links(),
                    color_scheme="amber",
                    role="status",
                    size="2",
                    class_name="after-hours",
                ),  # fmt: skip
            ),
            rx.cond(
                state.can_write,
                _composer(state),
                rx.text("This conversation is closed; it stays here to read.", as_="p", size="2"),
            ),
            aria_labelledby="messages-heading",
            class_name="panel conversation",
            id="messages",
        ),
    )
