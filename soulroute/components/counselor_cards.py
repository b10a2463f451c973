"""Cards of the counselor pages: a board card with Claim, the workload header, a caseload card with
its actions (schedule, join, calendar file, complete, release, close)."""

from __future__ import annotations

import reflex as rx

from soulroute.components.tickets import category_text, grid_cell, local_time, mode_label, status_badge, urgency_badge
from soulroute.state.board import CASELOAD_LINK_ID, BoardState
from soulroute.state.caseload import CaseloadState

BLOCK_REASON_ID = "claim-blocked-reason"


def _facts(ticket) -> rx.Component:
    return rx.flex(
        mode_label(ticket.session_mode),
        rx.text(category_text(ticket.category), size="2", as_="span"),
        spacing="3",
        wrap="wrap",
        align="center",
        class_name="card-facts",
    )


def _board_mode(card) -> rx.Component:
    """The mode asked for, and a plain note when this counselor does not offer it (ranked later)."""
    return rx.flex(
        mode_label(card.session_mode),
        rx.cond(card.mode_offered, rx.fragment(), rx.text("(not a mode you offer)", size="2", as_="span")),
        spacing="1",
        align="center",
        wrap="wrap",
    )


def _age(card) -> rx.Component:
    return rx.text(
        rx.icon("clock", size=14, aria_hidden="true"), card.age, size="2", weight="medium", as_="span", class_name="age"
    )


def _claim_button(card) -> rx.Component:
    """Claim, named with its ticket for screen readers; off (with the reason by the workload) when blocked."""
    blocked = BoardState.claim_blocked_reason != ""
    return rx.button(
        rx.cond(BoardState.claiming == card.id, rx.spinner(size="2"), rx.icon("hand", size=16)),
        "Claim",
        rx.el.span(" “", card.title, "”", class_name="sr-only"),
        on_click=BoardState.claim(card.id),
        disabled=blocked | (BoardState.claiming != ""),
        aria_describedby=rx.cond(blocked, BLOCK_REASON_ID, None),
        size="2",
    )


def board_card(card) -> rx.Component:
    """One open ticket as a card."""
    return grid_cell(
        card,
        rx.flex(urgency_badge(card.urgency), status_badge(card.status), spacing="2", wrap="wrap"),
        rx.heading(rx.link(card.title, href="/tickets/" + card.id), as_="h2", size="4", class_name="card-title"),
        rx.flex(
            _board_mode(card),
            rx.text(category_text(card.category), size="2", as_="span"),
            spacing="3",
            wrap="wrap",
            align="center",
            class_name="card-facts",
        ),
        rx.el.p(_age(card)),
        rx.text(card.description, size="2", as_="p", class_name="card-excerpt"),
        rx.box(_claim_button(card), class_name="card-actions"),
    )


def board_row(card) -> rx.Component:
    """One line of the dense list: urgency, category, mode, age, title, Claim; the excerpt one click away."""
    return rx.el.li(
        rx.box(
            rx.box(urgency_badge(card.urgency), class_name="row-urgency"),
            rx.text(category_text(card.category), size="2", as_="span", class_name="row-category"),
            rx.box(_board_mode(card), class_name="row-mode"),
            rx.box(_age(card), class_name="row-age"),
            rx.heading(rx.link(card.title, href="/tickets/" + card.id), as_="h2", size="3", class_name="row-title"),
            rx.box(_claim_button(card), class_name="row-claim"),
            class_name="board-row-line",
        ),
        rx.el.details(
            rx.el.summary("Description", rx.el.span(" of “", card.title, "”", class_name="sr-only")),
            rx.text(card.description, size="2", as_="p"),
            class_name="row-description",
        ),
        class_name="board-row",
        data_urgency=card.urgency,
        data_ticket=card.id,
    )


def workload_header() -> rx.Component:
    """'3 of 5' active tickets, and why Claim is off when it is."""
    return rx.card(
        rx.flex(
            rx.box(
                rx.text("Your workload", size="2", color_scheme="gray", as_="p"),
                rx.text(
                    rx.text(BoardState.active, " of ", BoardState.capacity, as_="span", weight="bold", size="5"),
                    " active tickets",
                    as_="p",
                    size="3",
                    data_testid="workload",
                ),
            ),
            rx.progress(
                value=rx.cond(BoardState.capacity > 0, BoardState.active * 100 / BoardState.capacity, 100),
                max=100,
                aria_label="Workload against capacity",
                color_scheme=rx.cond(BoardState.claim_blocked_reason != "", "orange", "violet"),
                class_name="workload-bar",
            ),
            rx.link("My caseload", href="/caseload", size="2", id=CASELOAD_LINK_ID),
            spacing="4",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            BoardState.claim_blocked_reason != "",
            rx.callout(
                BoardState.claim_blocked_reason,
                icon="info",
                color_scheme="orange",
                size="1",
                id=BLOCK_REASON_ID,
                margin_top="3",
            ),
        ),
        class_name="workload",
    )


def _session_facts(case) -> rx.Component:
    return rx.cond(
        case.scheduled_time != "",
        rx.box(
            rx.text(
                rx.text("Session: ", weight="bold", as_="span"),
                local_time(case.scheduled_time),
                " · ",
                case.session_minutes,
                " min",
                as_="p",
                size="2",
            ),
            rx.match(
                case.session_mode,
                ("in-person", rx.text("Place: ", case.location, as_="p", size="2")),
                ("chat", rx.text("In the chat on the ticket's page.", as_="p", size="2")),
                rx.text(
                    "Meeting link: ",
                    rx.link(case.meeting_link, href=case.meeting_link, is_external=True, class_name="break-all"),
                    as_="p",
                    size="2",
                ),
            ),
            class_name="session-facts",
        ),
    )


def _join(case) -> rx.Component:
    """Open from 10 minutes before the start; before that a disabled button says when."""
    label = (rx.icon("video", size=16, aria_hidden="true"), "Join")
    button = {"color_scheme": "green", "size": "2", "as_child": True}
    return rx.cond(
        (case.status == "scheduled") & (case.session_mode != "in-person"),
        rx.cond(
            case.joinable,
            rx.cond(
                case.session_mode == "chat",
                rx.button(rx.link(*label, href=case.join_url, underline="none"), **button),
                rx.button(rx.link(*label, href=case.join_url, is_external=True, underline="none"), **button),
            ),
            rx.button(*label, disabled=True, size="2", title="Join opens 10 minutes before the start."),
        ),
    )


def _complete(case) -> rx.Component:
    """Complete, usable from 10 minutes before the start; until then the time it opens, said on the card
    (not in a hover tooltip that keyboard and touch users never see)."""
    return rx.fragment(
        rx.cond(
            case.can_complete,
            rx.button(
                "Complete", on_click=CaseloadState.open_complete(case.id), disabled=~case.complete_ready,
                aria_describedby=rx.cond(case.complete_ready, "", "complete-opens-" + case.id),
                variant="soft", color_scheme="teal", size="2",
            ),
        ),
        rx.cond(
            case.can_complete & ~case.complete_ready & (case.complete_opens_at != ""),
            rx.text(
                "Complete opens at ", local_time(case.complete_opens_at, "HH:mm"), ", 10 minutes before the start.",
                id="complete-opens-" + case.id, as_="p", size="2", color_scheme="gray", width="100%",
            ),
        ),
    )  # fmt: skip


def _case_actions(case) -> rx.Component:
    busy = CaseloadState.busy == case.id
    ics = rx.el.a(
        rx.icon("download", size=16, aria_hidden="true"), "Session file (.ics)", href=case.ics_url, download="",
        class_name="ics-link",
    )  # fmt: skip
    return rx.flex(
        rx.cond(case.can_schedule, rx.button("Schedule", on_click=CaseloadState.open_schedule(case.id), size="2")),
        _join(case),
        rx.cond(
            case.can_reschedule,
            rx.button("Reschedule", on_click=CaseloadState.open_schedule(case.id), variant="soft", size="2"),
        ),
        rx.cond(case.ics_url != "", ics),
        _complete(case),
        rx.cond(
            case.can_close,
            rx.button(
                "Close ticket", on_click=CaseloadState.close_ticket(case.id), loading=busy, color_scheme="gray",
                high_contrast=True, size="2",
            ),
        ),
        rx.cond(
            case.can_release,
            rx.button(
                "Release", on_click=CaseloadState.open_release(case.id), variant="outline", color_scheme="gray",
                size="2",
            ),
        ),
        spacing="2", wrap="wrap", align="center", class_name="card-actions",
    )  # fmt: skip


def case_card(case) -> rx.Component:
    """A held ticket with the student's name and full description, and what can be done next."""
    return grid_cell(
        case,
        rx.flex(urgency_badge(case.urgency), status_badge(case.status), spacing="2", wrap="wrap"),
        rx.heading(rx.link(case.title, href="/tickets/" + case.id), as_="h2", size="4", class_name="card-title"),
        _facts(case),
        rx.text(rx.text("Student: ", weight="bold", as_="span"), case.student_name, as_="p", size="2"),
        rx.text(case.description, size="2", as_="p", class_name="card-full"),
        _session_facts(case),
        _case_actions(case),
    )
