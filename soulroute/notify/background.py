"""The notification loops every backend process runs (one Reflex lifespan task): crisis escalation and,
when SMTP is configured, the email sender.

Neither keeps a schedule in memory: escalation asks the database which crisis tickets are due for their
next alert round (rows in crisis_escalations record the rounds sent), and the sender asks the outbox
which emails are due. So a restart loses nothing, and several workers running the same loops alert and
send each thing once (a unique key; FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text

from soulroute.config import get_settings
from soulroute.db.session import as_auth, as_user
from soulroute.notify import mailer

log = logging.getLogger(__name__)

ESCALATION_TICK_S = 15.0
MAIL_TICK_S = 5.0
PRUNE_EVERY_TICKS = 240  # about once an hour


def escalate_once(minutes: int | None = None) -> int:
    """Alerts every admin and active counselor about each crisis ticket whose next round is due;
    returns how many tickets were escalated."""
    minutes = minutes or get_settings().crisis_escalation_minutes
    with as_user(None) as s:
        return int(s.execute(text("select app_escalate_crisis(make_interval(mins => :m))"), {"m": minutes}).scalar())


def prune_outbox() -> int:
    with as_auth() as s:
        return int(s.execute(text("select app_outbox_prune()")).scalar())


async def _escalation_loop() -> None:
    ticks = 0
    while True:
        try:
            n = await asyncio.to_thread(escalate_once)
            if n:
                log.info("crisis escalation: %d ticket(s) still unclaimed, alerts sent", n)
            if ticks % PRUNE_EVERY_TICKS == 0:
                await asyncio.to_thread(prune_outbox)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # database briefly down: the next tick catches up (the schedule is in the DB)
            log.warning("crisis escalation: tick failed (%s)", type(exc).__name__)
        ticks += 1
        await asyncio.sleep(ESCALATION_TICK_S)


async def _mail_loop() -> None:
    while True:
        try:
            report = await asyncio.to_thread(mailer.send_due)
            if report.sent or report.failed:
                log.info("email: %d sent, %d to retry", report.sent, report.failed)
                if report.sent:
                    continue  # maybe more are due: drain before sleeping
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("email: sender tick failed (%s)", type(exc).__name__)
        await asyncio.sleep(MAIL_TICK_S)


async def run_forever() -> None:
    """The lifespan task. Email runs only when SMTP_HOST is set (off by default)."""
    loops = [_escalation_loop()]
    if mailer.enabled():
        loops.append(_mail_loop())
    else:
        log.info("email: SMTP_HOST is not set; notifications stay in-app only")
    await asyncio.gather(*loops)
