"""The caseload's dialogs (Radix: focus trapped, Escape closes, focus returns to the opener).

Inputs are uncontrolled and the dialog stays open on a refusal, so nothing typed is lost; each error
is shown next to its field."""

from __future__ import annotations

from typing import Any

import reflex as rx

from soulroute.components.dialogs import dialog_buttons, form_dialog
from soulroute.components.forms import text_field
from soulroute.state.caseload import CaseloadState as S


def _err(field: str) -> rx.Var:
    return S.errors.get(field, "")


def _buttons(submit: Any, **submit_props: Any) -> rx.Component:
    return dialog_buttons(submit, saving=S.saving, **submit_props)


def _dialog(kind: str, title: rx.Var | str, *body: rx.Component, on_submit: Any) -> rx.Component:
    return form_dialog(
        title, S.dialog_title, *body, is_open=S.dialog == kind, on_open_change=S.dialog_changed,
        on_submit=on_submit, form_error=S.form_error, class_name="counselor-dialog",
    )  # fmt: skip


def _link_field() -> rx.Component:
    return text_field(
        "Meeting link",
        "meeting_link",
        type="url",
        default_value=S.link_default,
        error=_err("meeting_link"),
        hint="Generated for you (unguessable room). You may replace it with your own https:// link.",
    )


def schedule_dialog() -> rx.Component:
    return _dialog(
        "schedule",
        rx.cond(S.rescheduling, "Reschedule session", "Schedule session"),
        text_field(
            "Date and time",
            "start",
            type="datetime-local",
            default_value=S.start_default,
            error=_err("start"),
            hint="In your time zone.",
        ),
        rx.text("Your time zone: ", S.time_zone, size="2", color_scheme="gray", as_="p", data_testid="time-zone"),
        text_field(
            "Session length (minutes)",
            "session_minutes",
            type="number",
            default_value=S.minutes_default,
            error=_err("session_minutes"),
            min=10,
            max=240,
            step=5,
        ),
        rx.match(
            S.dialog_mode,
            ("video", _link_field()),
            ("audio", _link_field()),
            (
                "in-person",
                text_field("Place", "location", default_value=S.location_default, error=_err("location")),
            ),
            rx.text(
                "The session happens in the chat on the ticket's page: ",
                rx.link("open the ticket", href=S.chat_link),
                ".",
                as_="p",
                size="2",
            ),
        ),
        rx.cond(
            S.rescheduling,
            text_field(
                "Reason for the change",
                "reason",
                required=False,
                error=_err("reason"),
                hint="Optional; recorded in the ticket's history.",
            ),
        ),
        _buttons(rx.cond(S.rescheduling, "Save new time", "Schedule")),
        on_submit=S.submit_schedule,
    )


def release_dialog() -> rx.Component:
    return _dialog(
        "release",
        "Release ticket",
        rx.text(
            "The ticket goes back on the board for other counselors; any scheduled session is cancelled.",
            as_="p",
            size="2",
        ),
        text_field(
            "Reason",
            "reason",
            error=_err("reason"),
            hint="Required; recorded in the ticket's history. The student sees that it was released, not why.",
            multiline=True,
        ),
        _buttons("Release", color_scheme="orange", high_contrast=True),
        on_submit=S.submit_release,
    )


def complete_dialog() -> rx.Component:
    return _dialog(
        "complete",
        "Complete session",
        rx.callout(
            "Session notes are a clinical record: only you can read them. The student never sees them.",
            icon="lock",
            size="1",
            color_scheme="gray",
        ),
        text_field(
            "Session notes",
            "session_notes",
            error=_err("session_notes"),
            multiline=True,
        ),
        _buttons("Complete session", color_scheme="teal", high_contrast=True),
        on_submit=S.submit_complete,
    )
