"""Sign-in and sign-up forms. A successful check opens a server-side session and sends the browser
to /auth/session with a one-time code; that HTTP route sets the HttpOnly cookie."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from soulroute.auth import accounts, sessions
from soulroute.auth.navigation import home_for, safe_next
from soulroute.config import get_settings
from soulroute.domain.errors import DomainError, ValidationFailed
from soulroute.state.session import SessionState, go_to, run_db

MAX_INPUT = 300


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
            self.form_error = "That sign-in link has expired. Please sign in again."
        elif params.get("sso_error"):
            self.form_error = params["sso_error"][:300]
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

    @rx.event
    async def sign_in(self, form_data: dict):
        email, password = _text(form_data, "email").strip(), _text(form_data, "password")
        self.email = email
        self.email_error = "" if email else "Email is required."
        self.password_error = "" if password else "Password is required."
        self.form_error = self.notice = ""
        if self.email_error or self.password_error:
            return
        self.submitting = True
        yield
        try:
            ip = self.router.session.client_ip or None
            state = await run_db(accounts.throttle_state, email, ip)
            if not state.locked_until:
                await asyncio.sleep(accounts.sign_in_delay(state))
            actor = await run_db(accounts.authenticate, email, password, ip)
            code = await run_db(sessions.begin_session, actor.id)
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
        self.submitting = True
        yield
        try:
            actor = await run_db(accounts.sign_up_student, data)
            code = await run_db(sessions.begin_session, actor.id)
        except ValidationFailed as exc:
            self.errors = exc.errors
            self.submitting = False
            return
        except DomainError as exc:
            self.form_error = exc.message
            self.submitting = False
            return
        yield go_to(f"/auth/session?code={quote(code)}&next=/tickets")
