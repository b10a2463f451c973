"""Pieces of the student pages: the crisis help panel, radio-card groups, the status steps, the
session actions (Join / place and time) and the cancel confirmation."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from soulroute.components.dialogs import REMEMBER_OPENER, RETURN_FOCUS
from soulroute.components.forms import field_error, form_stack, submit_button
from soulroute.components.layout import button_row
from soulroute.components.shell import help_links
from soulroute.components.tickets import local_time
from soulroute.config import get_settings

STEPS = [("open", "Open"), ("claimed", "Claimed"), ("scheduled", "Scheduled"), ("completed", "Completed")]


def crisis_panel(*extra: rx.Component, heading_id: str = "crisis-help") -> rx.Component:
    """Immediate help, from configuration (also shown in every page's footer)."""
    settings = get_settings()
    return rx.el.section(
        rx.hstack(
            rx.icon("life-buoy", size=22, aria_hidden="true"),
            rx.heading("Immediate help", as_="h2", size="4", id=heading_id),
            spacing="2",
            align="center",
        ),
        *extra,
        rx.text(settings.crisis_line_text, as_="p", size="3"),
        rx.text("Counseling center: ", rx.el.strong(settings.counseling_center_phone), as_="p", size="3"),
        help_links(size="3"),
        class_name="crisis-panel",
        aria_labelledby=heading_id,
        data_testid="crisis-panel",
    )


def choice_group(
    legend: str,
    name: str,
    options: list[tuple[str, str, str | None, str | None, str | None]],
    selected: rx.Var,
    on_pick: Callable[[str], rx.event.EventSpec],
    error: rx.Var,
    columns: str = "choices",
) -> rx.Component:
    """Native radios in a fieldset: one group label (legend), arrow keys move, each option a card.

    options: (value, label, hint, lucide icon, colour). The hint is read as the option's description.
    `selected` is read when the group mounts (the restored draft), so render it once that is known."""
    error_id = f"field-{name}-error"
    cards = []
    for value, label, hint, icon, color in options:
        option_id = f"{name}-{value}"
        described = f"{option_id}-hint {error_id}" if hint else error_id
        cards.append(
            rx.box(
                rx.el.input(
                    type="radio",
                    id=option_id,
                    name=name,
                    value=value,
                    # Uncontrolled: the browser shows the choice at once; the server learns it by
                    # on_change. (Controlled, the radio would wait for the round trip.)
                    default_checked=selected == value,
                    on_change=on_pick(value),
                    aria_describedby=described,
                    class_name="choice-input",
                ),
                rx.el.label(
                    rx.icon(icon, size=18, aria_hidden="true") if icon else rx.fragment(),
                    label,
                    html_for=option_id,
                    class_name="choice-label",
                ),
                rx.text(hint, id=f"{option_id}-hint", as_="p", size="2", class_name="choice-hint") if hint else None,
                class_name="choice-card",
                data_color=color or "",
            )
        )
    return rx.el.fieldset(
        rx.el.legend(legend, class_name="field-label"),
        rx.box(*cards, class_name=columns),
        field_error(f"field-{name}", error),
        class_name="choice-group",
        aria_invalid=rx.cond(error != "", "true", "false"),
    )


def status_steps(status: rx.Var) -> rx.Component:
    """open → claimed → scheduled → completed; the current step is marked for screen readers too."""
    position = rx.match(status, ("open", 0), ("claimed", 1), ("scheduled", 2), ("completed", 3), -1).to(int)
    items = []
    for i, (_value, label) in enumerate(STEPS):
        items.append(
            rx.el.li(
                rx.el.span(
                    rx.cond(position > i, rx.icon("check", size=14, aria_hidden="true"), rx.text(str(i + 1))),
                    class_name="step-dot",
                    aria_hidden="true",
                ),
                rx.el.span(label),
                rx.cond(position > i, rx.el.span(" (done)", class_name="sr-only")),
                class_name=rx.cond(position >= i, "step reached", "step"),
                aria_current=rx.cond(position == i, "step", None),
            )
        )
    return rx.fragment(
        rx.cond(
            status == "closed",
            rx.callout(
                "This ticket is closed.", icon="circle-slash", color_scheme="gray", size="1", class_name="closed-note"
            ),
        ),
        rx.el.ol(*items, class_name="steps-indicator", aria_label="Progress"),
    )


def link_button(
    label: str | rx.Var,
    href: str | rx.Var,
    *,
    icon: str | None = None,
    external: bool | rx.Var = False,
    **props,
) -> rx.Component:
    """A link that looks like a button (one interactive element, not a button inside a link)."""
    return rx.button(
        rx.el.a(
            rx.icon(icon, size=16, aria_hidden="true") if icon else rx.fragment(),
            label,
            href=href,
            target=rx.cond(external, "_blank", "_self"),
            rel=rx.cond(external, "noopener noreferrer", ""),
            aria_label=props.pop("aria_label", None),
        ),
        as_child=True,
        **props,
    )


def session_actions(ticket, can_join: rx.Var, *, size: str = "2") -> rx.Component:
    """Join for online sessions (enabled from 10 minutes before the start until the end); place and
    time for in-person ones. Nothing until the session is scheduled."""
    in_person = ticket.session_mode == "in-person"
    join_href = rx.cond(ticket.session_mode == "chat", "/tickets/" + ticket.id + "#messages", ticket.meeting_link)
    join = rx.cond(
        can_join,
        link_button(
            "Join",
            join_href,
            icon="log-in",
            size=size,
            external=ticket.session_mode != "chat",
            aria_label="Join the session: " + ticket.title,
        ),
        rx.vstack(
            rx.button(rx.icon("log-in", size=16, aria_hidden="true"), "Join", size=size, disabled=True),
            rx.text("Opens 10 minutes before the start.", size="1", color_scheme="gray", as_="p"),
            spacing="1",
        ),
    )
    return rx.cond(
        ticket.status == "scheduled",
        rx.box(
            rx.text(
                rx.icon("clock", size=16, aria_hidden="true"),
                local_time(ticket.scheduled_time),
                rx.text(" · ", ticket.session_minutes, " min", as_="span"),
                as_="p",
                size="2",
                class_name="when",
            ),
            rx.cond(
                in_person,
                rx.text(
                    rx.icon("map-pin", size=16, aria_hidden="true"),
                    "Place: ",
                    ticket.location,
                    as_="p",
                    size="2",
                    class_name="when",
                ),
                join,
            ),
            rx.el.a(
                rx.icon("download", size=16, aria_hidden="true"),
                "Session file (.ics)",
                href="/calendar/" + ticket.id + ".ics",
                download="",
                class_name="ics-link",
                aria_label="Session file (.ics): " + ticket.title,
            ),
            class_name="session-box",
        ),
    )


def cancel_dialog(state, title: rx.Var | str) -> rx.Component:
    """Confirmation with an optional reason. `state` has cancel_open/cancel_error/cancelling and the
    handlers dismiss_cancel and confirm_cancel(form_data). Focus goes back to the Cancel button that opened
    it, or to its ticket's card once that button is gone (components/dialogs.py)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel this ticket?", custom_attrs={"as": "h2"}),
            rx.alert_dialog.description(
                rx.text("“", title, "” will be closed, and no counselor will follow up on it.", as_="span"),
                size="2",
                margin_bottom="3",
            ),
            form_stack(
                rx.box(
                    rx.el.label("Reason (optional)", html_for="cancel-reason", class_name="field-label"),
                    rx.text_area(id="cancel-reason", name="reason", rows="3", width="100%"),
                    class_name="field",
                ),
                rx.cond(
                    state.cancel_error != "",
                    rx.callout(state.cancel_error, icon="triangle_alert", color_scheme="red", role="alert"),
                ),
                button_row(
                    rx.alert_dialog.cancel(
                        rx.button("Keep ticket", variant="soft", color_scheme="gray", type="button")
                    ),
                    submit_button("Cancel ticket", state.cancelling, color_scheme="red"),
                    width="100%",
                ),
                on_submit=state.confirm_cancel,
                spacing="3",
            ),
            max_width="28rem",
            on_open_auto_focus=REMEMBER_OPENER,
            on_close_auto_focus=RETURN_FOCUS,
        ),
        open=state.cancel_open,
        on_open_change=state.dismiss_cancel,
    )
