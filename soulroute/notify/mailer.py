"""Email for notifications, sent from the outbox that the database fills in the same transaction as the
notification (migration 0007): mail goes out only for changes that committed, after they committed,
and never inside a user's request.

Any number of workers may run the sender: rows are claimed with FOR UPDATE SKIP LOCKED and leased, so
each is sent by one of them; a worker that dies mid-send lets its lease run out and another retries.
Failures are retried with exponential backoff, then given up on.

An email says only that something changed, with a link: no title, description or category (a
mailbox is not a confidential place), and the same words for every kind of change.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import text

from soulroute.config import Settings, get_settings
from soulroute.db.session import as_auth

log = logging.getLogger(__name__)

SUBJECT = "An update on your SoulRoute ticket"
BODY = "Something changed on your SoulRoute ticket. Open it: {link}\n"
BATCH = 20
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 3600.0
SMTP_TIMEOUT_S = 20


@dataclass(frozen=True)
class Claimed:
    id: int
    email: str
    ticket_id: uuid.UUID | None
    attempts: int


@dataclass
class Report:
    sent: int = 0
    failed: int = 0


def enabled(settings: Settings | None = None) -> bool:
    return bool((settings or get_settings()).smtp_host)


def compose(settings: Settings, row: Claimed) -> EmailMessage:
    base = settings.public_url.rstrip("/")
    link = f"{base}/tickets/{row.ticket_id}" if row.ticket_id else f"{base}/notifications"
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = row.email
    msg["Subject"] = SUBJECT
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="soulroute")
    msg.set_content(BODY.format(link=link))
    return msg


def retry_delay(attempts: int, base: float = RETRY_BASE_SECONDS) -> float:
    """Seconds before the next try after `attempts` failed ones: base, 2×base, 4×base, … up to an hour."""
    return min(base * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _open(settings: Settings) -> smtplib.SMTP:
    """A connection, encrypted whenever the server offers it; a password never travels in clear text to
    anything but this machine."""
    host, port = settings.smtp_host or "", settings.smtp_port
    context = ssl.create_default_context()
    if port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_S, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S)
    try:
        smtp.ehlo()
        if port != 465 and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
        elif port != 465 and settings.smtp_user and not _is_loopback(host):
            raise smtplib.SMTPException("the SMTP server offers no STARTTLS; not sending the password in clear text")
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except Exception:
        smtp.close()
        raise
    return smtp


def _claim(limit: int) -> list[Claimed]:
    # The accounts-and-mail role: the definer functions are its only way into the outbox.
    with as_auth() as s:
        rows = s.execute(
            text("select id, email, ticket_id, attempts from app_outbox_claim(:n, make_interval(secs => :lease))"),
            {"n": limit, "lease": LEASE.total_seconds()},
        ).mappings()
        return [Claimed(r["id"], r["email"], r["ticket_id"], r["attempts"]) for r in rows]


def _mark_sent(row_id: int) -> None:
    with as_auth() as s:
        s.execute(text("select app_outbox_sent(:id)"), {"id": row_id})


def _mark_failed(row: Claimed, error: str, base: float) -> None:
    with as_auth() as s:
        s.execute(
            text("select app_outbox_failed(:id, :err, make_interval(secs => :delay), :max)"),
            {"id": row.id, "err": error, "delay": retry_delay(row.attempts, base), "max": MAX_ATTEMPTS},
        )


def _describe(exc: BaseException) -> str:
    # SMTP replies and socket errors only: the message itself is never logged or stored.
    return f"{type(exc).__name__}: {exc}"[:500]


def send_due(settings: Settings | None = None, *, limit: int = BATCH, retry_base: float = RETRY_BASE_SECONDS) -> Report:
    """Claims up to `limit` due emails and sends them over one SMTP connection (blocking: run it in a
    thread). Each row ends sent, or pending again with a later next_attempt_at (failed after
    MAX_ATTEMPTS)."""
    settings = settings or get_settings()
    report = Report()
    if not enabled(settings):
        return report
    rows = _claim(limit)
    if not rows:
        return report
    try:
        smtp = _open(settings)
    except Exception as exc:  # server down or refusing: every claimed row waits for its next try
        log.warning("email: could not reach the SMTP server (%s); %d message(s) will be retried", exc, len(rows))
        for row in rows:
            _mark_failed(row, _describe(exc), retry_base)
        report.failed = len(rows)
        return report
    try:
        for i, row in enumerate(rows):
            try:
                smtp.send_message(compose(settings, row))
            except (smtplib.SMTPException, OSError) as exc:
                log.warning("email: outbox row %d not accepted (%s); will retry", row.id, type(exc).__name__)
                _mark_failed(row, _describe(exc), retry_base)
                report.failed += 1
                if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                    # The connection is gone: the rest of the batch waits for its next try too.
                    for rest in rows[i + 1 :]:
                        _mark_failed(rest, _describe(exc), retry_base)
                        report.failed += 1
                    break
            else:
                _mark_sent(row.id)
                report.sent += 1
    finally:
        with contextlib.suppress(Exception):  # the connection is finished either way
            smtp.quit()
    return report
