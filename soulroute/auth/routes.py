"""HTTP routes on the Reflex backend that set and clear the HttpOnly session cookie: the hand-off
after a sign-in in the app, sign-out, and the OpenID Connect sign-in (authorization code + PKCE,
state and nonce, by authlib)."""

from __future__ import annotations

import asyncio
import logging

from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from soulroute.auth import accounts, presign, session_cache, sessions
from soulroute.auth.navigation import NO_SCRIPT_ACTION, home_for, safe_next
from soulroute.config import get_settings
from soulroute.db.models import UserRole

log = logging.getLogger(__name__)


def _set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )


def _signed_in_redirect(token: str, role: UserRole, next_path: str | None) -> Response:
    response = RedirectResponse(safe_next(next_path) or home_for(role), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    _set_session_cookie(response, token)
    return response


async def session_handoff(request: Request) -> Response:
    """GET /auth/session?code=…&next=…: exchange the one-time code from a sign-in for the cookie, in
    the browser that signed in only (its pre-sign-in cookie must match the one the code was bound to)."""
    nonce = presign.valid_nonce(request.cookies.get(presign.COOKIE_NAME))
    token = await asyncio.to_thread(sessions.claim_handoff, request.query_params.get("code", ""), nonce)
    signed_in = await asyncio.to_thread(sessions.resolve, token) if token else None
    if signed_in is None:
        return RedirectResponse("/signin?error=expired", status_code=303)
    return _signed_in_redirect(token, signed_in.actor.role, request.query_params.get("next"))


async def sign_out(request: Request) -> Response:
    """POST /auth/signout: revoke the session server-side, then drop the cookie."""
    token = request.cookies.get(sessions.COOKIE_NAME)
    await asyncio.to_thread(sessions.revoke, token)
    session_cache.forget(token)
    response = RedirectResponse("/signin?signed_out=1", status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response


async def form_without_script(request: Request) -> Response:
    """POST /auth/no-script: where the sign-in and sign-up forms point if submitted before the page's
    script runs. The body (a password) is never read; 204 keeps the browser on the form, as typed."""
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


def _oauth() -> OAuth:
    settings = get_settings()
    oauth = OAuth()
    oauth.register(
        "sso",
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    return oauth


async def sso_login(request: Request) -> Response:
    settings = get_settings()
    if not settings.sso_enabled:
        return RedirectResponse("/signin", status_code=303)
    request.session["sso_next"] = safe_next(request.query_params.get("next")) or ""
    redirect_uri = settings.public_url.rstrip("/") + "/auth/sso/callback"
    return await request.app.state.oauth.sso.authorize_redirect(request, redirect_uri)


async def sso_callback(request: Request) -> Response:
    if not get_settings().sso_enabled:
        return RedirectResponse("/signin", status_code=303)
    try:
        token = await request.app.state.oauth.sso.authorize_access_token(request)
        claims = token.get("userinfo") or {}
        actor = await asyncio.to_thread(
            accounts.sso_sign_in,
            str(claims.get("sub") or ""),
            claims.get("email"),
            claims.get("email_verified") is True,
            claims.get("name"),
        )
    except OAuthError as exc:
        log.warning("single sign-on failed: %s", exc.error)
        return _sso_error("failed")
    except accounts.SsoRefused as exc:
        return _sso_error(exc.reason)
    # The hand-off code never leaves this request: it is bound to a nonce nobody else ever sees.
    nonce = presign.new_nonce()
    code = await asyncio.to_thread(sessions.begin_session, actor.id, nonce)
    session_token = await asyncio.to_thread(sessions.claim_handoff, code, nonce)
    return _signed_in_redirect(session_token, actor.role, request.session.pop("sso_next", None))


def _sso_error(reason: str) -> Response:
    """Back to sign-in with a key of accounts.SSO_MESSAGES: the page shows only its fixed text."""
    return RedirectResponse(f"/signin?sso_error={reason}", status_code=303)


def auth_app(*more_routes: BaseRoute) -> Starlette:
    """The Starlette app Reflex mounts its own app beneath (rx.App(api_transformer=...)), with the
    app's other HTTP routes (the calendar files) given by the caller."""
    settings = get_settings()
    app = Starlette(
        routes=[
            Route("/auth/session", session_handoff, methods=["GET"]),
            Route("/auth/signout", sign_out, methods=["POST"]),
            Route(NO_SCRIPT_ACTION, form_without_script, methods=["POST"]),
            Route("/auth/sso/login", sso_login, methods=["GET"]),
            Route("/auth/sso/callback", sso_callback, methods=["GET"]),
            *more_routes,
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key_value(),
                session_cookie="soulroute_sso",
                max_age=600,
                same_site="lax",
                https_only=settings.public_url.startswith("https://"),
            )
        ],
    )
    app.state.oauth = _oauth() if settings.sso_enabled else None
    return app
