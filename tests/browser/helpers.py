"""Seeding the running app's database and signing in from browser tests."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text
from sqlmodel import Session

from soulroute.auth import presign, sessions
from soulroute.db.accounts import upsert_counselor_profile, upsert_user
from soulroute.db.models import SessionMode, TicketCategory, UserRole

PASSWORD = "amber falcon meadow 42"
BLOCKING = {"serious", "critical"}
HOME = {"student": "/tickets", "counselor": "/board", "admin": "/admin"}
# Seeded accounts share one hash with cheap Argon2 parameters (the app verifies any Argon2id hash by the
# parameters written in it, and upgrades it at the first sign-in): seeding costs microseconds, not 50 ms each.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    email: str
    name: str
    role: str
    password: str = PASSWORD


class Seed:
    """Owner access to the app's database (bypasses RLS): accounts, tickets, raw SQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def sql(self, statement: str, params: dict | None = None) -> list[dict]:
        with Session(self.engine) as s, s.begin():
            result = s.execute(text(statement), params or {})
            return [dict(r) for r in result.mappings()] if result.returns_rows else []

    def account(
        self,
        role: str,
        name: str | None = None,
        *,
        expertise: Sequence[str] = ("anxiety",),
        capacity: int = 5,
        on_call: bool = False,
    ) -> Account:
        tag = secrets.token_hex(3)
        name = name or f"{role.title()} {tag}"
        email = f"{role}-{tag}@university.example"
        with Session(self.engine) as s, s.begin():
            uid = upsert_user(s, email=email, display_name=name, role=UserRole(role), password_hash=PASSWORD_HASH)
            if role == "counselor":
                upsert_counselor_profile(
                    s, uid, expertise=[TicketCategory(e) for e in expertise], session_modes=list(SessionMode),
                    capacity=capacity, on_call_crisis=on_call,
                )  # fmt: skip
        return Account(uid, email, name, role)

    def ticket(
        self,
        student: Account,
        *,
        title: str = "Trouble sleeping before exams",
        description: str = "I lie awake for hours and cannot focus during the day anymore.",
        category: str = "anxiety",
        urgency: str = "medium",
        mode: str = "video",
        age_minutes: int = 30,
    ) -> uuid.UUID:
        rows = self.sql(
            "insert into support_tickets (student_id, title, description, category, urgency, session_mode, created_at)"
            " values (:s, :t, :d, :c, :u, :m, now() - make_interval(mins => :age)) returning id",
            {"s": student.id, "t": title, "d": description, "c": category, "u": urgency, "m": mode, "age": age_minutes},
        )
        return rows[0]["id"]

    def claim(self, ticket_id: uuid.UUID, counselor: Account) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(text("select set_config('soulroute.actor_id', :c, true)"), {"c": str(counselor.id)})
            s.execute(
                text("update support_tickets set status = 'claimed', counselor_id = :c where id = :t"),
                {"c": counselor.id, "t": ticket_id},
            )

    def schedule(
        self, ticket_id: uuid.UUID, counselor: Account, *, minutes_from_now: int, link: str = "", place: str = ""
    ) -> None:
        """Claim and schedule as the counselor would (the history trigger records both)."""
        self.claim(ticket_id, counselor)
        with Session(self.engine) as s, s.begin():
            s.execute(text("select set_config('soulroute.actor_id', :c, true)"), {"c": str(counselor.id)})
            s.execute(
                text(
                    "update support_tickets set status = 'scheduled',"
                    " scheduled_time = now() + make_interval(mins => :m),"
                    " meeting_link = nullif(:link, ''), location = nullif(:place, '') where id = :t"
                ),
                {"m": minutes_from_now, "link": link, "place": place, "t": ticket_id},
            )  # fmt: skip

    def handoff_code(self, account: Account, nonce: str) -> str:
        """A one-time sign-in code bound to the pre-sign-in `nonce`, as the sign-in form would produce
        for the browser holding that nonce in its cookie (for fast sign-in in tests)."""
        code = secrets.token_urlsafe(32)
        self.sql(
            "select auth_start_session(:u, :h, interval '30 minutes', interval '12 hours')",
            {"u": account.id, "h": sessions.handoff_hash(code, nonce)},
        )
        return code

    def handoff(self, account: Account) -> tuple[str, dict[str, str]]:
        """A code and the cookies an HTTP client must send with it to /auth/session."""
        nonce = presign.new_nonce()
        return self.handoff_code(account, nonce), {presign.COOKIE_NAME: nonce}


def home_url_re(role: str) -> re.Pattern:
    return re.compile(re.escape(HOME[role]) + r"/?$")


def presign_nonce(page: Page) -> str:
    """The pre-sign-in nonce of the page's browser context, set by the app itself as on any page load."""
    page.request.get("/signin")  # shares the context's cookie jar
    return next(c["value"] for c in page.context.cookies() if c["name"] == presign.COOKIE_NAME)


def quick_sign_in(page: Page, seed: Seed, account: Account, next_path: str | None = None) -> None:
    """Sign in without typing (the sign-in form itself is tested in test_auth.py): a code bound to a
    nonce this browser context holds in its pre-sign-in cookie, exactly what the sign-in form yields."""
    url = f"/auth/session?code={seed.handoff_code(account, presign_nonce(page))}"
    if next_path:
        url += f"&next={next_path}"
    page.goto(url)
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=20_000)


def sign_in_through_form(page: Page, email: str, password: str) -> None:
    page.goto("/signin")
    # The single sign-on button appears once the page's state has loaded: typing earlier could race
    # the hydration (the test app always has single sign-on configured).
    expect(page.get_by_role("button", name=re.compile("^Sign in with"))).to_be_visible(timeout=20_000)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def blocking_violations(page: Page) -> list[str]:
    """axe-core findings of serious or critical impact."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# Each look at a page: label, width and colour scheme (issue 12: both widths in both schemes).
VIEWS = (("1280", 1280, "light"), ("1280-dark", 1280, "dark"), ("390", 390, "light"), ("390-dark", 390, "dark"))


def settle(page: Page) -> None:
    """Wait until the browser has laid out and painted twice (after a resize or a colour-scheme change)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")


def snap(page: Page, path) -> None:
    """A full-page screenshot for review (tests/artifacts). Full-page capture can stall in Chromium on a page
    still changing size; a bounded attempt then falls back to the viewport, which never blocks a test."""
    try:
        page.screenshot(path=path, full_page=True, animations="disabled", timeout=15_000)
    except PlaywrightError:
        page.screenshot(path=path, animations="disabled", timeout=15_000)


def check_layout(page: Page, artifacts_dir, name: str, views=VIEWS) -> None:
    """Every view: no sideways scroll, a screenshot, no serious or critical axe finding. Toasts are waited
    out first (the app-wide toaster is checked on its own)."""
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=15_000)
    for label, width, scheme in views:
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        settle(page)
        assert no_sideways_scroll(page), f"{name} scrolls sideways at {width}px"
        snap(page, artifacts_dir / f"{name}-{label}.png")
        violations = blocking_violations(page)
        assert not violations, f"{name} at {width}px, {scheme}: {violations}"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="light")
