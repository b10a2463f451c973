"""Settings read from the environment (every variable is listed in the README)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from soulroute.hours import parse_hours

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    # Database. Unset DATABASE_URL means: use the embedded server kept in EMBEDDED_PG_DIR.
    database_url: str | None = None
    # The runtime role the app connects as (not superuser, not owner, no BYPASSRLS).
    app_db_role: str = "soulroute_app"
    app_db_password: str | None = None
    # Full URL for the runtime connection; derived from DATABASE_URL and APP_DB_ROLE when unset.
    app_database_url: str | None = None
    # The accounts-and-mail role: the only one that may read password hashes, open or end sessions,
    # record sign-in failures and read the email outbox (soulroute/auth, soulroute/notify/mailer.py).
    auth_db_role: str = "soulroute_auth"
    auth_db_password: str | None = None
    # Full URL for that role's connection; derived from DATABASE_URL and AUTH_DB_ROLE when unset.
    auth_database_url: str | None = None
    embedded_pg_dir: Path = REPO_ROOT / ".data" / "postgres"
    db_pool_size: int = 10

    meeting_base_url: str = "https://meet.jit.si"
    public_url: str = "http://localhost:3000"

    crisis_line_text: str = (
        "If you are in immediate danger, call your local emergency number. "
        "In the US you can call or text 988 (Suicide & Crisis Lifeline) at any time."
    )
    counseling_center_phone: str = "+1 555 0100 (Counseling Center, 24/7 line)"
    # Numbers behind the "Call" and "Text" links next to the crisis text (tel:/sms:); empty hides a link.
    crisis_call_number: str = "988"
    crisis_text_number: str = "988"
    crisis_claim_target_minutes: int = 15
    # The counseling center's own time zone (IANA name): analytics weeks start on its Mondays at 00:00.
    center_time_zone: str = "UTC"
    # When messages are read (soulroute/hours.py): a student writing outside these hours is told at once, with
    # the crisis line. Crisis tickets are watched by the on-call counselors around the clock.
    counseling_hours: str = "Mon-Fri 09:00-17:00"
    crisis_escalation_minutes: int = Field(default=10, ge=1)

    # Email for notifications (soulroute/notify/mailer.py): off unless SMTP_HOST is set.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "SoulRoute <no-reply@localhost>"

    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Sessions can be booked at most this many days ahead (also checked by the database).
    session_booking_horizon_days: int = Field(default=365, ge=1, le=3650)

    # Where Reflex keeps each tab's state: Redis when REDIS_URL is set (needed for several backend
    # workers), otherwise this process's memory. Never on disk (rxconfig.py).
    redis_url: str | None = None
    # A tab's state is dropped after this long without an event (default: the session idle time).
    state_expiry_seconds: int | None = Field(default=None, ge=60)
    # Largest websocket message accepted (bytes): fits 20,000 characters of notes in any script.
    socket_max_message_bytes: int = Field(default=131072, ge=16384)

    def state_expiry(self) -> int:
        return self.state_expiry_seconds or self.session_idle_minutes * 60

    # Comma-separated; empty means any domain may sign up.
    student_email_domains: str = ""
    student_signup_open: bool = True

    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_display_name: str = "University single sign-on"

    # Reverse proxies (comma-separated addresses or CIDRs) whose X-Forwarded-For is believed.
    trusted_proxies: str = ""

    @field_validator("counseling_hours")
    @classmethod
    def _hours_understood(cls, value: str) -> str:
        parse_hours(value)  # a ValueError names the part that is not understood
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        for part in value.split(","):  # a typo must stop the start, not silently trust nobody (or everyone)
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)
        return value

    # Signs the short-lived single sign-on state cookie. Unset: a random key kept in .data/secret_key.
    secret_key: str | None = None

    def secret_key_value(self) -> str:
        if self.secret_key:
            return self.secret_key
        import os
        import secrets

        path = REPO_ROOT / ".data" / "secret_key"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: of two workers starting together, one writes and both read the same key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        except FileExistsError:
            pass
        return path.read_text().strip()

    @property
    def sso_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    demo: bool = Field(default=True, validation_alias="SOULROUTE_DEMO")


@lru_cache
def get_settings() -> Settings:
    return Settings()
