"""Accounts: student sign-up, password sign-in with throttling and lock-out, staff accounts created by
an admin or the command-line tool, deactivation."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from soulroute.auth.password_policy import MAX_LENGTH, password_problem
from soulroute.auth.passwords import hash_password, needs_rehash, verify_password
from soulroute.config import get_settings
from soulroute.db.accounts import upsert_counselor_profile
from soulroute.db.models import SessionMode, TicketCategory, UserRole
from soulroute.db.session import as_auth, as_owner, as_user
from soulroute.domain.errors import DomainError, NotPermitted, ValidationFailed
from soulroute.domain.rules import Actor
from soulroute.domain.schemas import DomainInput, Trimmed

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRONG_CREDENTIALS = "Email or password is incorrect."

# Failed sign-ins: per account (email as typed, so nothing reveals whether it exists) and per address.
EMAIL_MAX_FAILURES, IP_MAX_FAILURES = 5, 20
THROTTLE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)


class SignInRefused(DomainError):
    code = "sign_in_refused"


class AccountInput(DomainInput):
    email: Trimmed = Field(max_length=254)
    display_name: Trimmed = Field(min_length=1, max_length=100)
    password: str = Field(max_length=MAX_LENGTH)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not EMAIL_RE.fullmatch(value):
            raise ValueError("is not a valid email address")
        return value.lower()

    @model_validator(mode="after")
    def _password_rules(self) -> AccountInput:
        problem = password_problem(self.password, email=self.email, name=self.display_name)
        if problem:
            raise ValueError(f"password: {problem}")
        return self


def _parse_account(data: dict[str, Any], cls: type[AccountInput] = AccountInput) -> AccountInput:
    try:
        return cls.parse(data)
    except ValidationFailed as exc:
        errors = {}
        for field, message in exc.errors.items():
            # The model-level password check arrives under "form"; give it to the password field.
            if "password: " in message:
                errors["password"] = message.split("password: ", 1)[1].rstrip(".") + "."
            else:
                errors[field] = message
        raise ValidationFailed(errors) from None


def _domain_allowed(email: str) -> bool:
    allowed = [d.strip().lower().lstrip("@") for d in get_settings().student_email_domains.split(",") if d.strip()]
    return not allowed or email.rsplit("@", 1)[-1] in allowed


def sign_up_student(data: dict[str, Any]) -> Actor:
    """Create a student account (refused when the email is taken or outside STUDENT_EMAIL_DOMAINS)."""
    if not get_settings().student_signup_open:
        raise NotPermitted("Sign-up is closed. Ask the counseling center for an account.")
    account = _parse_account(data)
    if not _domain_allowed(account.email):
        raise ValidationFailed({"email": "Use your university email address."})
    try:
        with as_auth() as s:
            uid = s.execute(
                text("select auth_register_student(:e, :n, :h, null)"),
                {"e": account.email, "n": account.display_name, "h": hash_password(account.password)},
            ).scalar_one()
    except IntegrityError:
        raise ValidationFailed({"email": "An account with this email already exists. Sign in instead."}) from None
    return Actor(uid, UserRole.STUDENT, account.display_name)


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    locked_until: datetime | None


def _keys(email: str, client_ip: str | None) -> list[tuple[str, int]]:
    keys = [(f"email:{email.strip().lower()[:254]}", EMAIL_MAX_FAILURES)]
    if client_ip:
        keys.append((f"ip:{client_ip[:64]}", IP_MAX_FAILURES))
    return keys


def throttle_state(email: str, client_ip: str | None) -> ThrottleState:
    """The strictest state over the account's and the address's keys."""
    failures, locked = 0, None
    with as_auth() as s:
        for key, _ in _keys(email, client_ip):
            row = s.execute(text("select * from auth_throttle_state(:k, :w)"), {"k": key, "w": THROTTLE_WINDOW}).one()
            failures = max(failures, row.failures if key.startswith("email:") else 0)
            if row.locked_until and (locked is None or row.locked_until > locked):
                locked = row.locked_until
    return ThrottleState(failures, locked)


def sign_in_delay(state: ThrottleState) -> float:
    """Seconds to wait before answering: grows with recent failures, so guessing slows down."""
    return min(0.4 * state.failures, 2.0)


def _locked_message(until: datetime) -> str:
    minutes = max(1, round((until - datetime.now(UTC)).total_seconds() / 60))
    return f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def authenticate(email: str, password: str, client_ip: str | None = None) -> Actor:
    """Check a password sign-in. Every refusal reads the same whether or not the email exists."""
    email = (email or "").strip()
    state = throttle_state(email, client_ip)
    if state.locked_until:
        raise SignInRefused(_locked_message(state.locked_until))
    with as_auth() as s:
        row = s.execute(text("select * from auth_credentials(:e)"), {"e": email}).first()
    ok = verify_password(row.password_hash if row else None, password or "")
    if ok and row.is_active:
        with as_auth() as s:
            s.execute(text("select auth_clear_failures(:k)"), {"k": _keys(email, None)[0][0]})
            if needs_rehash(row.password_hash):
                s.execute(text("select auth_update_password_hash(:u, :h)"), {"u": row.id, "h": hash_password(password)})
        return Actor(row.id, UserRole(row.role), row.display_name)
    if ok:  # right password, deactivated account: safe to say, the person knows the password
        raise SignInRefused("This account has been deactivated. Contact the counseling center.")
    locked = None
    with as_auth() as s:
        for key, limit in _keys(email, client_ip):
            until = s.execute(
                text("select auth_record_failure(:k, :m, :w, :l)"),
                {"k": key, "m": limit, "w": THROTTLE_WINDOW, "l": LOCK_DURATION},
            ).scalar()
            locked = until or locked
    raise SignInRefused(_locked_message(locked) if locked else WRONG_CREDENTIALS)


# --- staff accounts (admin page and command-line tool) ------------------------------------------------


class StaffAccountInput(AccountInput):
    role: UserRole
    expertise: list[TicketCategory] = Field(default_factory=list)
    session_modes: list[SessionMode] = Field(default_factory=lambda: list(SessionMode))
    capacity: int = Field(default=5, ge=0, le=200)
    on_call_crisis: bool = False
    bio: Trimmed = Field(default="", max_length=1000)


def create_account(data: dict[str, Any], *, by: Actor | None = None) -> uuid.UUID:
    """Create any account with its counselor profile. `by` is the admin doing it; None means the
    command-line tool, which runs as the tables' owner (it bootstraps the first admin)."""
    account = _parse_account(data, StaffAccountInput)
    assert isinstance(account, StaffAccountInput)
    if by is not None and by.role is not UserRole.ADMIN:
        raise NotPermitted("Only an admin can create accounts.")
    if account.role is UserRole.COUNSELOR and not account.expertise:
        raise ValidationFailed({"expertise": "Choose at least one area of expertise."})
    tx = as_user(by.id) if by else as_owner()
    try:
        with tx as s:
            uid = s.execute(
                text(
                    "insert into users (email, display_name, role, password_hash) "
                    "values (:e, :n, :r, :h) returning id"
                ),
                {"e": account.email, "n": account.display_name, "r": account.role.value,
                 "h": hash_password(account.password)},
            ).scalar_one()  # fmt: skip
            if account.role is UserRole.COUNSELOR:
                upsert_counselor_profile(
                    s, uid, expertise=account.expertise, session_modes=account.session_modes,
                    capacity=account.capacity, on_call_crisis=account.on_call_crisis, bio=account.bio,
                )  # fmt: skip
    except IntegrityError:
        raise ValidationFailed({"email": "An account with this email already exists."}) from None
    return uid


def set_account_active(email: str, active: bool, *, by: Actor | None = None) -> bool:
    """(De)activate an account; deactivation ends all its sessions at once (database trigger)."""
    if by is not None and by.role is not UserRole.ADMIN:
        raise NotPermitted("Only an admin can deactivate accounts.")
    tx = as_user(by.id) if by else as_owner()
    with tx as s:
        result = s.execute(
            text("update users set is_active = :a where lower(email) = lower(:e)"), {"a": active, "e": email.strip()}
        )
        return result.rowcount == 1


def list_accounts(*, by: Actor | None = None, role: UserRole | None = None) -> list[dict[str, Any]]:
    tx = as_user(by.id) if by else as_owner()
    with tx as s:
        rows = s.execute(
            text(
                "select email, display_name, role::text as role, is_active, created_at from users "
                "where (cast(:r as user_role) is null or role = cast(:r as user_role)) order by role, email"
            ),
            {"r": role.value if role else None},
        ).mappings()
        return [dict(r) for r in rows]


# --- single sign-on ------------------------------------------------------------------------------------


# What the sign-in page may say after a refused single sign-on: the redirect carries only the key
# (`/signin?sso_error=staff`), never text, so a crafted link cannot put its own words on the page.
SSO_MESSAGES = {
    "failed": "Single sign-on did not complete. Please try again.",
    "no_email": "Your university account did not share an email address, so we cannot sign you in.",
    "unverified": "Your university account's email address is not verified, so we cannot sign you in.",
    "other_identity": "This email belongs to another single sign-on identity. Contact the counseling center.",
    "deactivated": "This account has been deactivated. Contact the counseling center.",
    "no_account": "There is no SoulRoute account for your university email. Ask the counseling center for one.",
    "staff": (
        "Counselor and admin accounts are not linked to single sign-on automatically. "
        "Sign in with your password, or ask an admin to link your account."
    ),
}


class SsoRefused(SignInRefused):
    code = "sso_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(SSO_MESSAGES[reason])
        self.reason = reason


def sso_sign_in(subject: str, email: str | None, email_verified: bool, name: str | None) -> Actor:
    """Map a verified identity from the university's provider to an account (creating a student
    account when sign-up is open). An existing account is linked by email only if it is a student's:
    a staff account's email at the provider is not proof enough to take over its powers."""
    email = (email or "").strip().lower()
    if not subject or not email or not EMAIL_RE.fullmatch(email):
        raise SsoRefused("no_email")
    if not email_verified:
        raise SsoRefused("unverified")
    with as_auth() as s:
        row = s.execute(text("select * from auth_user_by_sso(:sub, :e)"), {"sub": subject, "e": email}).first()
        if row is not None:
            if row.sso_subject not in (None, subject):
                raise SsoRefused("other_identity")
            if not row.is_active:
                raise SsoRefused("deactivated")
            if row.sso_subject is None:
                if UserRole(row.role) is not UserRole.STUDENT:
                    raise SsoRefused("staff")
                s.execute(text("select auth_link_sso(:u, :sub)"), {"u": row.id, "sub": subject})
            return Actor(row.id, UserRole(row.role), row.display_name)
    settings = get_settings()
    if not settings.student_signup_open or not _domain_allowed(email):
        raise SsoRefused("no_account")
    display = (name or "").strip()[:100] or email.split("@", 1)[0]
    with as_auth() as s:
        uid = s.execute(
            text("select auth_register_student(:e, :n, null, :sub)"), {"e": email, "n": display, "sub": subject}
        ).scalar_one()
    return Actor(uid, UserRole.STUDENT, display)


def link_sso_by_admin(email: str, subject: str) -> bool:
    """Link an account (a staff account: single sign-on never links those by email) to the provider's
    identity `subject`. Run by the command-line tool as the tables' owner: an admin's decision."""
    subject = subject.strip()
    if not subject or len(subject) > 255:
        raise ValidationFailed({"subject": "Give the identity's subject (sub) as the provider reports it."})
    try:
        with as_owner() as s:
            result = s.execute(
                text("update users set sso_subject = :sub where lower(email) = lower(:e) and sso_subject is null"),
                {"sub": subject, "e": email.strip()},
            )
            return result.rowcount == 1
    except IntegrityError:
        raise ValidationFailed({"subject": "Another account is already linked to this identity."}) from None
