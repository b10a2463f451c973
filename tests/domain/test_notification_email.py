"""Notification email through a real SMTP server on localhost (aiosmtpd): the right recipients, one
message per notification, only "something changed" and a link (no title, description or category),
retries after failures, and each row sent once even with several senders."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from soulroute.config import Settings
from soulroute.db.models import TicketCategory, TicketUrgency
from soulroute.domain import tickets
from soulroute.notify import mailer
from tests.db.sql import owner
from tests.factories import make_admin, make_counselor, make_student, open_ticket, set_active

PUBLIC = "https://soulroute.example"
TITLE = "Panic attacks before my statistics exam"
FORBIDDEN = ("panic", "statistics", "anxiety", "depression", "lie awake", "cannot focus", "crisis", "claimed", "Dr.")


class Inbox:
    """aiosmtpd handler that keeps what it accepts; `refuse` makes the next N messages fail with 451."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []
        self.refuse = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            msg = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def settings_for(port: int) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="SoulRoute <care@uni.test>", public_url=PUBLIC)


def outbox() -> list[dict]:
    return owner("select id, user_id, ticket_id, kind, status, attempts, last_error from email_outbox order by id")


def _email(actor) -> str:
    return owner("select email from users where id = :u", {"u": actor.id})[0]["email"]


def test_emails_reach_the_right_people_once_and_carry_no_clinical_text(smtp):
    student = make_student("Sam Student")
    lee = make_counselor("Dr. Lee")
    oncall = make_counselor("Dr. Night", on_call_crisis=True)
    admin = make_admin("Ada Admin")
    tid = open_ticket(student, urgency=TicketUrgency.CRISIS, category=TicketCategory.ANXIETY, title=TITLE)
    tickets.claim_ticket(lee, tid)

    report = mailer.send_due(settings_for(smtp.port))
    assert (report.sent, report.failed) == (3, 0)
    assert mailer.send_due(settings_for(smtp.port)).sent == 0  # nothing twice
    recipients = sorted(r for rcpts, _ in smtp.messages for r in rcpts)
    assert recipients == sorted([_email(student), _email(oncall), _email(admin)])
    assert all(len(rcpts) == 1 for rcpts, _ in smtp.messages)
    for _, msg in smtp.messages:
        body = msg.get_content().replace("\r\n", "\n")  # SMTP line endings
        assert body == f"Something changed on your SoulRoute ticket. Open it: {PUBLIC}/tickets/{tid}\n"
        assert msg["Subject"] == mailer.SUBJECT and msg["From"] == "SoulRoute <care@uni.test>"
        whole = msg.as_string().lower()
        assert not any(word.lower() in whole for word in FORBIDDEN), whole
    assert {r["status"] for r in outbox()} == {"sent"}
    assert all(r["attempts"] == 1 for r in outbox())


def test_a_refused_message_is_retried_later_and_then_delivered(smtp):
    student, lee = make_student(), make_counselor()
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    smtp.refuse = 1

    first = mailer.send_due(settings_for(smtp.port), retry_base=0)
    assert (first.sent, first.failed) == (0, 1)
    [row] = outbox()
    assert row["status"] == "pending" and row["attempts"] == 1 and "451" in row["last_error"]
    assert smtp.messages == []

    second = mailer.send_due(settings_for(smtp.port), retry_base=0)
    assert (second.sent, second.failed) == (1, 0)
    assert [rcpts for rcpts, _ in smtp.messages] == [[_email(student)]]
    [row] = outbox()
    assert row["status"] == "sent" and row["attempts"] == 2


def test_server_down_backs_off_then_sends_when_it_is_back(smtp):
    student, lee = make_student(), make_counselor()
    tickets.claim_ticket(lee, open_ticket(student))
    down = settings_for(_free_port())  # nothing listens there

    assert mailer.send_due(down).failed == 1
    # Backoff: with the normal base (30 s) the row is not due yet, even with the server back.
    assert mailer.send_due(settings_for(smtp.port)).sent == 0
    owner("update email_outbox set next_attempt_at = now()")
    assert mailer.send_due(settings_for(smtp.port)).sent == 1
    assert len(smtp.messages) == 1


def test_gives_up_after_max_attempts(smtp, monkeypatch):
    monkeypatch.setattr(mailer, "MAX_ATTEMPTS", 2)
    tickets.claim_ticket(make_counselor(), open_ticket(make_student()))
    smtp.refuse = 5
    for _ in range(3):
        mailer.send_due(settings_for(smtp.port), retry_base=0)
    [row] = outbox()
    assert row["status"] == "failed" and row["attempts"] == 2


def test_backoff_doubles_up_to_an_hour():
    assert [mailer.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert mailer.retry_delay(20) == 3600


def test_off_without_smtp_host(smtp):
    tickets.claim_ticket(make_counselor(), open_ticket(make_student()))
    assert not mailer.enabled(Settings(smtp_host=None))
    assert mailer.send_due(Settings(smtp_host=None)).sent == 0
    assert [r["status"] for r in outbox()] == ["pending"]
    assert smtp.messages == []


def test_deactivated_recipients_get_no_mail(smtp):
    student = make_student()
    tickets.claim_ticket(make_counselor(), open_ticket(student))
    set_active(student, False)
    assert mailer.send_due(settings_for(smtp.port)).sent == 0
    assert [r["status"] for r in outbox()] == ["dropped"]


def test_a_sender_that_died_mid_send_is_taken_over_after_its_lease(smtp):
    tickets.claim_ticket(make_counselor(), open_ticket(make_student()))
    assert len(mailer._claim(10)) == 1  # claimed, then "crashed"
    assert mailer.send_due(settings_for(smtp.port)).sent == 0  # still leased
    owner("update email_outbox set locked_until = now() - interval '1 second'")
    assert mailer.send_due(settings_for(smtp.port)).sent == 1
    assert outbox()[0]["attempts"] == 2


def test_concurrent_senders_send_each_message_once(smtp):
    counselor = make_counselor(capacity=50)
    for _ in range(12):
        tickets.claim_ticket(counselor, open_ticket(make_student()))
    settings = settings_for(smtp.port)
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(mailer.send_due(settings, limit=3))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while mailer.send_due(settings).sent:
        pass
    assert len(smtp.messages) == 12
    assert len({msg["To"] for _, msg in smtp.messages}) == 12
    assert {r["status"] for r in outbox()} == {"sent"} and all(r["attempts"] == 1 for r in outbox())
