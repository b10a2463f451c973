"""Counselor pages (issue 5): the board, my caseload, profile."""

from __future__ import annotations

import reflex as rx

from soulroute.pages import board, caseload, profile
from soulroute.state.board import BoardState
from soulroute.state.caseload import CaseloadState
from soulroute.state.profile import ProfileState
from soulroute.state.session import SessionState


def register(app: rx.App) -> None:
    guard = SessionState.guard
    app.add_page(board.page, route="/board", title="Board · SoulRoute", on_load=[guard, BoardState.load])
    app.add_page(caseload.page, route="/caseload", title="My caseload · SoulRoute", on_load=[guard, CaseloadState.load])
    app.add_page(profile.page, route="/profile", title="Profile · SoulRoute", on_load=[guard, ProfileState.load])
