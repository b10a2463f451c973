"""Pages: small functions returning components, registered on the app by `register_pages`.

Every page's on_load starts with SessionState.guard, which sends away whoever may not be there
(roles per path in soulroute/state/session.py). Each handler still checks the user itself.
"""

from __future__ import annotations

import reflex as rx

from soulroute.pages import (
    admin,
    admin_accounts,
    admin_analytics,
    admin_audit,
    admin_ticket,
    board,
    booking,
    caseload,
    landing,
    notifications,
    profile,
    signin,
    signup,
    student,
    student_new,
    ticket_page,
)
from soulroute.state.admin import AdminState
from soulroute.state.admin_accounts import AdminAccountsState
from soulroute.state.admin_analytics import AdminAnalyticsState
from soulroute.state.admin_audit import AdminAuditState
from soulroute.state.admin_ticket import AdminTicketState
from soulroute.state.auth import SignInState, SignUpState
from soulroute.state.board import BoardState
from soulroute.state.caseload import CaseloadState
from soulroute.state.notifications import NotificationsState
from soulroute.state.profile import ProfileState
from soulroute.state.session import SessionState
from soulroute.state.student_new import NewTicketState
from soulroute.state.student_tickets import MyTicketsState, TicketPageState

DESCRIPTION = "SoulRoute connects students with mental-health counselors through private support tickets."
META = {"description": DESCRIPTION, "image": "/favicon.svg"}
# The pages for signed-in people: (route, page, title, what its on_load reads after the session guard).
SIGNED_IN = [
    ("/tickets", student.my_tickets, "My tickets", MyTicketsState.load),
    ("/tickets/new", student_new.page, "New ticket", NewTicketState.load),
    ("/tickets/[ticket_id]", ticket_page.page, "Ticket", TicketPageState.load),
    ("/board", board.page, "Board", BoardState.load),
    ("/caseload", caseload.page, "My caseload", CaseloadState.load),
    ("/profile", profile.page, "Profile", ProfileState.load),
    ("/notifications", notifications.page, "Notifications", NotificationsState.load),
    ("/admin", admin.dashboard, "Oversight", AdminState.load),
    ("/admin/tickets/[ticket_id]", admin_ticket.page, "Ticket audit", AdminTicketState.load_ticket),
    ("/admin/accounts", admin_accounts.page, "Accounts", AdminAccountsState.load),
    ("/admin/analytics", admin_analytics.page, "Analytics", AdminAnalyticsState.load),
    ("/admin/audit", admin_audit.page, "Audit", AdminAuditState.load),
]


def _title(name: str) -> str:
    return f"{name} · SoulRoute"


def register_pages(app: rx.App) -> None:
    guard = SessionState.guard
    app.add_page(landing.page, route="/", title="SoulRoute", on_load=guard, **META)
    app.add_page(signin.page, route="/signin", title=_title("Sign in"), on_load=SignInState.load, **META)
    app.add_page(signup.page, route="/signup", title=_title("Create account"), on_load=SignUpState.load, **META)
    app.add_page(booking.page, route="/booking", title=_title("Support has moved"), on_load=booking.go_on(), **META)
    for route, page, name, load in SIGNED_IN:
        app.add_page(page, route=route, title=_title(name), on_load=[guard, load], **META)
