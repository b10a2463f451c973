"""GET /calendar/{ticket_id}.ics: the session's calendar file, for the ticket's student and counselor.

An HTTP route (not a Reflex event) so the browser can download it. It authenticates from the
HttpOnly session cookie and reads the ticket under that user's identity (row-level security); any
other caller, a missing ticket and an unscheduled one alike get 404, which tells nothing.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from soulroute.auth import sessions
from soulroute.domain import calendar
from soulroute.domain.errors import DomainError

NO_STORE = {"Cache-Control": "no-store, private"}


async def session_ics(request: Request) -> Response:
    token = request.cookies.get(sessions.COOKIE_NAME)
    signed_in = await asyncio.to_thread(sessions.resolve, token) if token else None
    if signed_in is None:
        return PlainTextResponse("Sign in to download this calendar file.", status_code=401, headers=NO_STORE)
    ticket_id = request.path_params["ticket_id"]
    try:
        body = await asyncio.to_thread(calendar.session_ics, signed_in.actor, ticket_id)
    except DomainError:
        return PlainTextResponse("Not found.", status_code=404, headers=NO_STORE)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="{calendar.ics_filename(ticket_id)}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def calendar_routes() -> list[Route]:
    return [Route("/calendar/{ticket_id}.ics", session_ics, methods=["GET"])]
