"""/caseload: the tickets this counselor holds, with their sessions."""

from __future__ import annotations

import reflex as rx

from soulroute.components.app_shell import app_shell
from soulroute.components.counselor_cards import case_card
from soulroute.components.counselor_dialogs import complete_dialog, release_dialog, schedule_dialog
from soulroute.components.forms import intro, page_title
from soulroute.components.tickets import empty_state, loaded_list, ticket_grid
from soulroute.state.caseload import CaseloadState


def page() -> rx.Component:
    return app_shell(
        page_title("My caseload"),
        intro(
            "Tickets you hold: next session first. Session times are shown in your time zone.",
        ),
        loaded_list(
            CaseloadState.loaded,
            "Loading your caseload…",
            CaseloadState.cases,
            ticket_grid(CaseloadState.cases, case_card),
            empty_state(
                "Your caseload is empty",
                "Claim a ticket on the board and it appears here.",
                rx.link("Go to the board", href="/board"),
            ),
        ),
        schedule_dialog(),
        release_dialog(),
        complete_dialog(),
        rx.moment(interval=30_000, on_change=CaseloadState.tick, display="none"),
        crumbs=[("My caseload", None)],
    )
