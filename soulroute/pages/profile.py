"""/profile for counselors: what they take on, how, and how much."""

from __future__ import annotations

import reflex as rx

from soulroute.components.app_shell import app_shell
from soulroute.components.forms import field_error, form_alert, form_stack, page_title, text_field
from soulroute.components.tickets import loading_state
from soulroute.state.profile import ProfileState as P
from soulroute.state.views import CATEGORY_LABEL, MODE_LABEL


def check_group(legend: str, name: str, prefix: str, options: dict[str, str], chosen: rx.Var) -> rx.Component:
    """A labelled group of checkboxes; each box arrives in the form as `<prefix>-<value>`."""
    return rx.el.fieldset(
        rx.el.legend(legend, class_name="field-label"),
        rx.flex(
            *[
                rx.checkbox(label, name=f"{prefix}-{value}", default_checked=chosen.contains(value), size="2")
                for value, label in options.items()
            ],
            spacing="4",
            wrap="wrap",
        ),
        field_error(f"field-{name}", P.errors.get(name, "")),
        class_name="check-group",
        aria_describedby=f"field-{name}-error",
    )


def switch_row(label: str, name: str, checked: rx.Var, hint: str) -> rx.Component:
    return rx.box(
        rx.text(
            rx.flex(rx.switch(name=name, default_checked=checked), label, spacing="2", align="center"),
            as_="label",
            size="3",
            weight="medium",
        ),
        rx.text(hint, as_="p", size="2", color_scheme="gray"),
    )


def profile_form() -> rx.Component:
    return form_stack(
        check_group("Expertise: categories you take", "expertise", "expertise", CATEGORY_LABEL, P.expertise),
        rx.text(
            "Crisis tickets and “Other” reach every active counselor whatever you choose here.",
            as_="p",
            size="2",
            color_scheme="gray",
        ),
        check_group("Session modes you offer", "session_modes", "mode", MODE_LABEL, P.session_modes),
        text_field(
            "Capacity (active tickets at once)",
            "capacity",
            type="number",
            default_value=P.capacity.to_string(),
            error=P.errors.get("capacity", ""),
            hint=None,
            min=0,
            max=50,
            class_name="narrow-input",
        ),
        rx.text("You hold ", P.active, " active tickets now.", as_="p", size="2", color_scheme="gray"),
        switch_row("Accepting new tickets", "accepting_new", P.accepting_new, "Off: Claim is disabled on the board."),
        switch_row(
            "On call for crisis", "on_call_crisis", P.on_call_crisis, "Marks you as on call for crisis tickets."
        ),
        text_field(
            "Short bio",
            "bio",
            default_value=P.bio,
            error=P.errors.get("bio", ""),
            hint="Shown to students with your name. Up to 1000 characters.",
            required=False,
            multiline=True,
        ),
        rx.button("Save profile", type="submit", loading=P.saving, size="3"),
        on_submit=P.save,
        spacing="5",
        class_name="profile-form",
    )


def page() -> rx.Component:
    return app_shell(
        page_title("Profile", class_name="page-intro"),
        form_alert(P.form_error),
        rx.cond(P.loaded, profile_form(), loading_state("Loading your profile…")),
        crumbs=[("Profile", None)],
    )
