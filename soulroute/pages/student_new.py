"""/tickets/new: the student describes what is going on and how they would like to meet."""

from __future__ import annotations

import reflex as rx

from soulroute.components.app_shell import app_shell
from soulroute.components.forms import form_alert, form_stack, intro, page_title, text_field
from soulroute.components.student_parts import choice_group, crisis_panel
from soulroute.components.tickets import MODE_ICON, URGENCY_COLOR, URGENCY_HINT, loading_state
from soulroute.domain.schemas import DESCRIPTION_MAX, DESCRIPTION_MIN, TITLE_MAX, TITLE_MIN
from soulroute.state.student_new import NewTicketState as S
from soulroute.state.views import CATEGORY_LABEL, MODE_LABEL, URGENCY_LABEL


def _error(field: str) -> rx.Var:
    return S.errors.get(field, "").to(str)


def _pick(field: str):
    return lambda value: S.edit(field, value)


def _fields() -> rx.Component:
    return rx.vstack(
        text_field(
            "Title",
            "title",
            hint=f"A few words about what is going on ({TITLE_MIN}–{TITLE_MAX} characters).",
            error=_error("title"),
            value=S.draft_title,
            on_change=lambda v: S.edit("title", v),
            on_blur=S.leave("title"),
            autocomplete="off",
        ),
        text_field(
            "Description",
            "description",
            multiline=True,
            hint=f"What is happening, and what would help? ({DESCRIPTION_MIN}–{DESCRIPTION_MAX:,} characters; "
            "only counselors see it.)",
            error=_error("description"),
            value=S.draft_description,
            on_change=lambda v: S.edit("description", v),
            on_blur=S.leave("description"),
        ),
        rx.text(
            S.draft_description.length(), f" of {DESCRIPTION_MAX:,} characters", size="1", color_scheme="gray", as_="p"
        ),
        choice_group(
            "Category",
            "category",
            [(k, v, None, None, None) for k, v in CATEGORY_LABEL.items()],
            S.draft_category,
            _pick("category"),
            _error("category"),
        ),
        choice_group(
            "Urgency",
            "urgency",
            [(k, URGENCY_LABEL[k], URGENCY_HINT[k], None, URGENCY_COLOR[k]) for k in URGENCY_LABEL],
            S.draft_urgency,
            _pick("urgency"),
            _error("urgency"),
            columns="choices wide-choices",
        ),
        # Announced as soon as crisis is chosen, before anything is submitted.
        rx.box(
            rx.cond(S.draft_urgency == "crisis", crisis_panel()),
            aria_live="polite",
            width="100%",
        ),
        choice_group(
            "Session preference",
            "session_mode",
            [(k, v, None, MODE_ICON[k], None) for k, v in MODE_LABEL.items()],
            S.draft_session_mode,
            _pick("session_mode"),
            _error("session_mode"),
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return app_shell(
        page_title("New ticket"),
        intro(
            "Tell us what is going on. A counselor with the right experience picks it up, and you choose how to meet.",
            size="3",
            color_scheme="gray",
        ),
        rx.cond(~S.ready, loading_state("Loading the form…"), _form()),
        crumbs=[("Tickets", "/tickets"), ("New", None)],
    )


def _form() -> rx.Component:
    return form_stack(
        _fields(),
        form_alert(S.form_error),
        rx.hstack(
            rx.button(
                rx.cond(S.submitting, rx.spinner(size="2"), rx.icon("send", size=16, aria_hidden="true")),
                rx.cond(S.submitting, "Sending…", "Send ticket"),
                type="submit",
                size="3",
                disabled=S.submitting,
            ),
            rx.el.span(rx.cond(S.submitting, "Sending your ticket…", ""), role="status", class_name="sr-only"),
            rx.text("Your draft is kept in this tab until it is sent.", size="2", color_scheme="gray"),
            spacing="4",
            align="center",
            wrap="wrap",
        ),
        on_submit=S.submit,
        spacing="5",
        class_name="new-ticket-form",
        no_validate=True,
    )
