"""Sign-in and sign-up forms. A successful check opens a server-side session and sends the browser
to /auth/session with a one-time code; that HTTP route sets the HttpOnly cookie."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from soulroute.auth import accounts, presign, sessions
from soulroute.auth.addresses import client_address
from soulroute.auth.navigation import home_for, safe_next
from soulroute.config import get_settings
from soulroute.domain.errors import DomainError, ValidationFailed
from soulroute.state.session import SessionState, go_to, run_db

MAX_INPUT = 300
# The page load sets the pre-sign-in cookie before the websocket connects; without it (cookies blocked,
# or a page kept open for hours) no hand-off code can be bound to this browser.
NO_PRESIGN_COOKIE = "This page is out of date. Reload it, then sign in again."
HANDOFF_FAILED = (
    "That sign-in link has expired, was already used, or belongs to another browser, so nobody was signed in. "
    "Please sign in here."
)


def _text(form_data: dict, key: str) -> str:
    value = form_data.get(key, "")
    return value[:MAX_INPUT] if isinstance(value, str) else ""


class SignInState(SessionState):
    email: str = ""
    email_error: str = ""
    password_error: str = ""
    form_error: str = ""
    notice: str = ""
    sso_enabled: bool = False
    sso_label: str = ""
    submitting: bool = False

    def _next(self) -> str | None:
        return safe_next(self.router.url.query_parameters.get("next"))

    @rx.event
    async def load(self):
        """Already signed in: straight home. Otherwise show what brought the person here."""
        settings = get_settings()
        self.sso_enabled, self.sso_label = settings.sso_enabled, settings.oidc_display_name
        self.form_error = self.email_error = self.password_error = ""
        params = self.router.url.query_parameters
        self.notice = ""
        if params.get("signed_out"):
            self.notice = "You are signed out."
        elif params.get("error") == "expired":
            self.form_error = HANDOFF_FAILED
        elif params.get("sso_error"):
            self.form_error = accounts.SSO_MESSAGES.get(str(params["sso_error"]), accounts.SSO_MESSAGES["failed"])
        try:
            current = await self._signed_in()
        except DomainError as exc:
            self.form_error = exc.message
            return None
        self._show(current)
        if current is not None:
            return rx.redirect(self._next() or home_for(current.actor.role), replace=True)
        return None

    @rx.event
    def start_sso(self):
        target = "/auth/sso/login"
        if nxt := self._next():
            target += f"?next={quote(nxt)}"
        return go_to(target)

    def _client_address(self) -> str | None:
        """The address the per-address sign-in limit counts (X-Forwarded-For only from TRUSTED_PROXIES)."""
        forwarded = self.router.headers.raw_headers.get("x-forwarded-for")
        return client_address(self.router.session.client_ip, forwarded, get_settings().trusted_proxies)

    @rx.event
    async def sign_in(self, form_data: dict):
        email, password = _text(form_data, "email").strip(), _text(form_data, "password")
        self.email = email
        self.email_error = "" if email else "Email is required."
        self.password_error = "" if password else "Password is required."
        self.form_error = self.notice = ""
        if self.email_error or self.password_error:
            return
        nonce = presign.nonce_from_cookie_header(self.router.headers.cookie)
        if nonce is None:
            self.form_error = NO_PRESIGN_COOKIE
            return
        self.submitting = True
        yield
        try:
            ip = self._client_address()
            state = await run_db(accounts.throttle_state, email, ip)
            if not state.locked_until:
                await asyncio.sleep(accounts.sign_in_delay(state))
            actor = await run_db(accounts.authenticate, email, password, ip)
            code = await run_db(sessions.begin_session, actor.id, nonce)
        except DomainError as exc:
            self.form_error = exc.message
            self.submitting = False
            return
        target = f"/auth/session?code={quote(code)}"
        if nxt := self._next():
            target += f"&next={quote(nxt)}"
        yield go_to(target)


class SignUpState(SessionState):
    email: str = ""
    display_name: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    submitting: bool = False
    open: bool = True

    @rx.event
    async def load(self):
        self.open = get_settings().student_signup_open
        self.errors, self.form_error = {}, ""
        current = await self._signed_in()
        self._show(current)
        if current is not None:
            return rx.redirect(home_for(current.actor.role), replace=True)
        return None

    @rx.event
    async def sign_up(self, form_data: dict):
        data = {k: _text(form_data, k) for k in ("email", "display_name", "password")}
        self.email, self.display_name = data["email"], data["display_name"]
        self.errors, self.form_error = {}, ""
        nonce = presign.nonce_from_cookie_header(self.router.headers.cookie)
        if nonce is None:  # checked first: the account is not created when no sign-in could follow
            self.form_error = NO_PRESIGN_COOKIE
            return
        self.submitting = True
        yield
        try:
            actor = await run_db(accounts.sign_up_student, data)
            code = await run_db(sessions.begin_session, actor.id, nonce)
        except ValidationFailed as exc:
            self.errors = exc.errors
            self.submitting = False
            return
        except DomainError as exc:
            self.form_error = exc.message
            self.submitting = False
            return
        yield go_to(f"/auth/session?code={quote(code)}&next=/tickets")
