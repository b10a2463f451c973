"""The app's one dialog scaffold, for every state that uses the FormDialog piece (Radix: focus trapped,
Escape closes; focus returns to the opener, below). The form's inputs are uncontrolled and the dialog stays
open on a refusal, so nothing typed is lost; errors stand next to their fields, the rest above the form."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import FunctionStringVar

from soulroute.components.forms import form_alert, form_stack, text_field
from soulroute.components.layout import button_row

# Radix gives focus back to a dialog's trigger, but these dialogs open from state (a card's button, a row's
# menu) and have none: focus fell to <body>. So: remember what had focus when the dialog opened (and on
# which ticket, [data-ticket]), and return there on close. If that control has gone (Schedule became
# Reschedule), the same place in the same ticket's card or row; else <main>.
_STOPS = "a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex='0']"
REMEMBER_OPENER = FunctionStringVar.create(
    f"""(() => {{
  let el = document.activeElement;
  const menu = el && el.closest('[role=menu]');  /* a menu's item (the menu still closing): its button */
  el = (menu && document.getElementById(menu.getAttribute('aria-labelledby'))) || el;
  const box = el && el.closest('[data-ticket]');
  window.soulrouteOpener = {{el, ticket: box ? box.dataset.ticket : null,
    index: box ? [...box.querySelectorAll("{_STOPS}")].indexOf(el) : -1}};
}})"""
)
RETURN_FOCUS = FunctionStringVar.create(
    f"""((e) => {{
  e.preventDefault();
  const o = window.soulrouteOpener || {{}}, box = o.el && o.el.isConnected && o.el.closest('[data-ticket]');
  let to = o.el && o.el.isConnected && (box ? box.dataset.ticket : null) === o.ticket ? o.el : null;
  if (!to && o.ticket) {{
    const card = [...document.querySelectorAll('[data-ticket]')]
      .find(b => b.dataset.ticket === o.ticket && b.getClientRects().length);
    const stops = card ? [...card.querySelectorAll("{_STOPS}")] : [];
    to = stops[Math.min(Math.max(o.index, 0), stops.length - 1)];
  }}
  (to && to !== document.body ? to : document.getElementById('main'))?.focus();
}})"""
)


def dialog_buttons(submit: Any, *, saving: rx.Var[bool] | bool = False, **submit_props: Any) -> rx.Component:
    """Cancel (closes, keeps nothing) and the submit button, which shows progress while saving."""
    return button_row(
        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray", size="3")),
        rx.button(submit, type="submit", loading=saving, size="3", **submit_props),
    )


def form_dialog(
    title: Any,
    description: Any,
    *body: rx.Component,
    is_open: rx.Var[bool],
    on_open_change: Any,
    on_submit: Any,
    form_error: rx.Var[str] | str = "",
    class_name: str = "app-dialog",
) -> rx.Component:
    """A dialog holding one form: its title (an h2), what it acts on, the form-level error, the fields."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title, custom_attrs={"as": "h2"}),
            rx.dialog.description(description, size="2", color_scheme="gray", margin_bottom="3"),
            form_alert(form_error),
            form_stack(*body, on_submit=on_submit, width="100%"),
            class_name=class_name,
            on_open_auto_focus=REMEMBER_OPENER,
            on_close_auto_focus=RETURN_FOCUS,
        ),
        open=is_open,
        on_open_change=on_open_change,
    )


def reason_field(error: rx.Var[str] | str, hint: rx.Var[str] | str, *, optional: bool = False) -> rx.Component:
    """The reason an action is recorded with (required unless `optional`; the server checks it either way)."""
    required = {} if optional else {"aria_required": "true"}
    return text_field("Reason", "reason", error=error, hint=hint, multiline=True, required=False, **required)
