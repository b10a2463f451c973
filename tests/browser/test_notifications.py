"""The notification centre (issue 7) in Chromium: the bell's unread count and a toast arrive live when a
counselor claims the student's ticket while the student is on another page; the list links each entry
to its ticket; mark-as-read and mark-all-read; axe-clean at desktop and phone width."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import Seed, check_layout, quick_sign_in

pytestmark = pytest.mark.browser
WITHIN = 10_000  # ms: generous; latency is measured by `make bench`


def _bell(page: Page):
    """The bell in whichever bar is showing (sidebar on desktop, top bar on phones)."""
    return page.get_by_role("link", name=re.compile(r"^Notifications, ")).locator("visible=true")


def _student_with_ticket(page: Page, seed: Seed, next_path: str = "/tickets/new"):
    tag = secrets.token_hex(3)
    student = seed.account("student", f"Sam {tag}")
    counselor = seed.account("counselor", f"Dr. Lee {tag}")
    tid = seed.ticket(student, title=f"Cannot sleep {tag}")
    quick_sign_in(page, seed, student, next_path)
    return student, counselor, tid


def _notify(seed: Seed, student, body: str, tid=None) -> None:
    seed.sql(
        "insert into notifications (user_id, ticket_id, kind, body) values (:u, :t, 'claimed', :b)",
        {"u": student.id, "t": tid, "b": body},
    )


def test_claim_updates_the_bell_and_shows_a_toast_on_another_page(page: Page, seed: Seed) -> None:
    student, counselor, tid = _student_with_ticket(page, seed)
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket")
    expect(_bell(page)).to_have_accessible_name("Notifications, none unread")

    seed.claim(tid, counselor)  # the counselor claims (another user, another connection)

    expect(_bell(page)).to_have_accessible_name("Notifications, 1 unread", timeout=WITHIN)
    toast = page.locator("[data-sonner-toast]").filter(has_text=f"Your ticket was claimed by {counselor.name}.")
    expect(toast).to_be_visible(timeout=WITHIN)
    # The student was still filling in a new ticket: nothing moved them away.
    expect(page).to_have_url(re.compile(r"/tickets/new/?$"))

    toast.get_by_role("button", name="Open").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{tid}/?$"))
    expect(_bell(page)).to_have_accessible_name("Notifications, 1 unread")


def test_the_list_links_to_tickets_and_marks_read(page: Page, seed: Seed, artifacts_dir) -> None:
    student, counselor, tid = _student_with_ticket(page, seed, "/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_text("No notifications yet")).to_be_visible()

    seed.claim(tid, counselor)
    # On the list itself a new entry appears live, without a toast.
    entry = page.get_by_role("listitem").filter(has_text=f"Your ticket was claimed by {counselor.name}.")
    expect(entry).to_be_visible(timeout=WITHIN)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    expect(entry.get_by_role("link", name=re.compile("^Open ticket"))).to_have_attribute("href", f"/tickets/{tid}")
    _notify(seed, student, "Second update", tid)
    _notify(seed, student, "Third update", tid)
    expect(_bell(page)).to_have_accessible_name("Notifications, 3 unread", timeout=WITHIN)
    expect(page.get_by_text("3 unread", exact=True)).to_be_visible()

    entry.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(_bell(page)).to_have_accessible_name("Notifications, 2 unread")
    expect(entry.get_by_role("button", name=re.compile("^Mark as read"))).to_have_count(0)

    check_layout(page, artifacts_dir, "notifications-list")

    page.get_by_role("button", name="Mark all as read").click()
    expect(_bell(page)).to_have_accessible_name("Notifications, none unread")
    expect(page.get_by_text("You are all caught up.")).to_be_visible()
    expect(page.get_by_role("button", name="Mark all as read")).to_be_disabled()
    unread = seed.sql(
        "select count(*) as n from notifications where user_id = :u and read_at is null", {"u": student.id}
    )
    assert unread[0]["n"] == 0

    # Opening an entry's ticket marks it read and goes there.
    _notify(seed, student, "Fourth update", tid)
    fourth = page.get_by_role("listitem").filter(has_text="Fourth update")
    fourth.get_by_role("link", name=re.compile("^Open ticket")).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{tid}/?$"))
    expect(_bell(page)).to_have_accessible_name("Notifications, none unread", timeout=WITHIN)


def test_someone_elses_notifications_never_show(page: Page, seed: Seed) -> None:
    other = seed.account("student")
    _notify(seed, other, "Private to another student")
    student, _, _ = _student_with_ticket(page, seed, "/notifications")
    expect(page.get_by_text("No notifications yet")).to_be_visible()
    expect(page.get_by_text("Private to another student")).to_have_count(0)
    _notify(seed, other, "Another private one")
    _notify(seed, student, "Your own, sent after the other one")  # once it shows, the other had its chance
    expect(page.get_by_text("Your own, sent after the other one")).to_be_visible()
    expect(page.get_by_text("Another private one")).to_have_count(0)
    expect(_bell(page)).to_have_accessible_name("Notifications, 1 unread")


def test_empty_page_is_accessible(page: Page, seed: Seed, artifacts_dir) -> None:
    _student_with_ticket(page, seed, "/notifications")
    expect(page.get_by_text("No notifications yet")).to_be_visible()
    check_layout(page, artifacts_dir, "notifications-empty")
