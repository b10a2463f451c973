"""Issue 12: the accessibility sweep. Every page of every role, at 1280 and 390 px, in light and dark mode,
empty and loaded, with the pointer and the keyboard focus on the navigation, the phone menu open, and a
toast of each kind shown: no serious or critical axe-core finding anywhere. A screenshot of each look goes
to tests/artifacts/sweep-*.png for review (git-ignored).

Dialogs and field errors are swept where their journeys open them (test_student, test_counselor,
test_admin call `check_layout`, which looks in both colour schemes at both widths)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import VIEWS, Account, Seed, blocking_violations, check_layout, quick_sign_in, settle

pytestmark = pytest.mark.browser

TOAST = "[data-sonner-toast]"


@dataclass
class World:
    student: Account
    counselor: Account
    admin: Account
    scheduled: str  # a ticket the counselor holds, with a session booked


@pytest.fixture(scope="module")
def world(seed: Seed) -> World:
    student, counselor, admin = seed.account("student"), seed.account("counselor"), seed.account("admin")
    seed.ticket(student, title="Cannot settle before exams", urgency="high")
    scheduled = seed.ticket(student, title="Panic in lectures", urgency="crisis", mode="chat")
    seed.schedule(scheduled, counselor, minutes_from_now=24 * 60, link="https://meet.example.edu/panic")
    return World(student, counselor, admin, str(scheduled))


def _settled(page: Page) -> None:
    """The page has its heading and has finished loading (no busy region, no loading text)."""
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=20_000)
    expect(page.locator("[aria-busy='true']")).to_have_count(0, timeout=15_000)
    expect(page.get_by_text(re.compile(r"^Loading"))).to_have_count(0, timeout=15_000)


def _both_schemes(page: Page, what: str) -> None:
    """axe in light and in dark, leaving the page as it is (pointer, focus, open menu)."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        settle(page)
        violations = blocking_violations(page)
        assert not violations, f"{what}, {scheme}: {violations}"
    page.emulate_media(color_scheme="light")


def _sweep_navigation(page: Page, current: str, other: str) -> None:
    """The pointer on the current and on another navigation item, the keyboard focus on one, and at
    390 px the menu open, with the pointer on an item."""
    page.set_viewport_size({"width": 1280, "height": 900})
    nav = page.get_by_role("navigation", name="Main")
    for label in (current, other):
        nav.get_by_role("link", name=label, exact=True).hover()
        _both_schemes(page, f"pointer on {label}")
    page.mouse.move(0, 0)
    nav.get_by_role("link", name=other, exact=True).focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus arrives by keyboard, so :focus-visible draws the ring
    expect(nav.get_by_role("link", name=other, exact=True)).to_be_focused()
    _both_schemes(page, f"keyboard focus on {other}")
    page.set_viewport_size({"width": 390, "height": 900})
    page.get_by_role("button", name="Open menu").click()
    menu = page.get_by_role("dialog")
    expect(menu).to_be_visible()
    menu.get_by_role("link", name=other, exact=True).hover()
    _both_schemes(page, "phone menu open, pointer on an item")
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 900})


def _sweep_toast(page: Page, text: str, what: str) -> None:
    """A toast held open by the pointer (sonner pauses while hovered), checked in both schemes."""
    toast = page.locator(TOAST).filter(has_text=text)
    expect(toast).to_be_visible(timeout=15_000)
    toast.hover()
    # Fully in: half-way through its entrance a toast is still see-through, and reads as low contrast.
    expect(toast).to_have_css("opacity", "1")
    expect(toast).to_have_css("transform", re.compile(r"^(none|matrix\(1, 0, 0, 1, 0, 0\))$"))
    _both_schemes(page, f"{what} toast shown")
    page.mouse.move(0, 0)


def _visit(page: Page, artifacts_dir, path: str, name: str, looks=VIEWS) -> None:
    page.goto(path)
    _settled(page)
    check_layout(page, artifacts_dir, f"sweep-{name}", looks)


STUDENT_PAGES = (("/tickets", "student-tickets"), ("/tickets/new", "student-new"), ("/notifications", "notes"))
COUNSELOR_PAGES = (("/board", "board"), ("/caseload", "caseload"), ("/profile", "profile"))
ADMIN_PAGES = (
    ("/admin", "admin"),
    ("/admin/accounts", "accounts"),
    ("/admin/analytics", "analytics"),
    ("/admin/audit", "audit"),
)


@pytest.mark.timeout(240)
def test_student_pages_in_every_state(page: Page, seed: Seed, world: World, artifacts_dir) -> None:
    quick_sign_in(page, seed, seed.account("student"), "/tickets")  # a new student: the empty states
    for path, name in STUDENT_PAGES:
        _visit(page, artifacts_dir, path, f"empty-{name}", VIEWS[1:3])
    page.context.clear_cookies()
    quick_sign_in(page, seed, world.student, "/tickets")
    for path, name in (*STUDENT_PAGES, (f"/tickets/{world.scheduled}", "student-ticket")):
        _visit(page, artifacts_dir, path, name)
    _sweep_navigation(page, "My tickets", "New ticket")
    # An info toast with its action: a live notification arriving while the student is on another page.
    page.goto("/tickets/new")
    _settled(page)
    late = seed.ticket(world.student, title="Roommate conflict")
    seed.claim(late, world.counselor)
    _sweep_toast(page, "Your ticket was claimed", "info")


@pytest.mark.timeout(240)
def test_counselor_pages_in_every_state(page: Page, seed: Seed, world: World, artifacts_dir) -> None:
    fresh = seed.account("counselor", expertise=("relationships",))
    quick_sign_in(page, seed, fresh, "/board?category=relationships")
    for path, name in (("/board?category=relationships", "board"), ("/caseload", "caseload")):
        _visit(page, artifacts_dir, path, f"empty-{name}", VIEWS[1:3])
    page.context.clear_cookies()
    quick_sign_in(page, seed, world.counselor, "/board")
    for path, name in (
        *COUNSELOR_PAGES,
        ("/board?view=list", "board-list"),
        (f"/tickets/{world.scheduled}", "counselor-ticket"),
        ("/notifications", "counselor-notes"),
    ):
        _visit(page, artifacts_dir, path, name)
    _sweep_navigation(page, "Notifications", "Board")

    seed.ticket(world.student, title="Sleep all wrong since the move", category="anxiety")
    page.goto("/board?q=Sleep%20all%20wrong")
    _settled(page)
    page.get_by_role("button", name=re.compile("^Claim")).first.click()
    _sweep_toast(page, "You claimed", "success")
    # One toast at a time: one leaving (fading out behind a new one) is no state a reader stays in.
    expect(page.locator(TOAST)).to_have_count(0, timeout=15_000)
    # An error toast: a search the server refuses (over 100 characters, past the box's own limit).
    search = page.get_by_role("searchbox", name="Search title and description")
    search.evaluate("el => { el.value = 'x'.repeat(101); }")
    search.press("Enter")
    _sweep_toast(page, "100", "error")


@pytest.mark.timeout(240)
def test_admin_pages_in_every_state(page: Page, seed: Seed, world: World, artifacts_dir) -> None:
    quick_sign_in(page, seed, world.admin, "/admin")
    for path, name in (
        *ADMIN_PAGES,
        (f"/admin/tickets/{world.scheduled}", "admin-ticket"),
        ("/notifications", "admin-notes"),
    ):
        _visit(page, artifacts_dir, path, name)
    _sweep_navigation(page, "Notifications", "Analytics")


@pytest.mark.timeout(180)
def test_public_pages_in_every_state(page: Page, artifacts_dir) -> None:
    for path, name in (("/", "landing"), ("/signin", "signin"), ("/signup", "signup")):
        _visit(page, artifacts_dir, path, name)
    # Field errors shown: an account form sent with a password far too short.
    page.get_by_label("University email").fill("sweep@university.example")
    page.get_by_label("Display name").fill("Sweep")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    check_layout(page, artifacts_dir, "sweep-signup-errors")
    page.goto("/signin")
    _settled(page)
    expect(page.get_by_role("button", name=re.compile("^Sign in with"))).to_be_visible(timeout=20_000)
    page.get_by_label("Email").fill("nobody@university.example")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_layout(page, artifacts_dir, "sweep-signin-error")
