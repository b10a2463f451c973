"""Admin oversight through the real UI: every ticket, the crisis queue by waiting time, reassign /
urgency / close with the admin and reason in the history, the recorded opening of a description,
accounts, analytics; students and counselors sent away and their forged admin events refused.
Each test seeds its own rows with a unique tag (the app database is shared with other files)."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import Seed, check_layout, quick_sign_in

pytestmark = pytest.mark.browser


def _tag() -> str:
    return secrets.token_hex(3)


def _search(page: Page, text: str) -> None:
    page.get_by_role("searchbox", name="Search titles").fill(text)
    page.get_by_role("button", name="Apply").click()


def _events(seed: Seed, tid) -> list[tuple]:
    rows = seed.sql(
        "select e.kind, u.display_name, e.detail ->> 'reason' as reason from ticket_events e "
        "join users u on u.id = e.actor_id where e.ticket_id = :t and u.role = 'admin' order by e.id",
        {"t": tid},
    )
    return [(r["kind"], r["display_name"], r["reason"]) for r in rows]


def _act(page: Page, row, action: str) -> None:
    """A row's actions are in its menu (keyboard: Enter opens it, arrows move, Enter picks)."""
    row.get_by_role("button", name=re.compile("^Actions for")).click()
    page.get_by_role("menuitem", name=action).click()


def test_admin_sees_all_tickets_and_the_crisis_queue_crisis_first(page: Page, seed: Seed, artifacts_dir):
    tag = _tag()
    admin = seed.account("admin", f"Ada {tag}")
    lee = seed.account("counselor", f"Dr. Queue {tag}", expertise=("anxiety", "stress"))
    s1, s2 = seed.account("student"), seed.account("student")
    seed.ticket(s1, title=f"Crisis newer {tag}", urgency="crisis", age_minutes=30)
    held = seed.ticket(s2, title=f"High oldest {tag}", urgency="high", category="stress", age_minutes=300)
    seed.claim(held, lee)
    seed.ticket(s2, title=f"Crisis older {tag}", urgency="crisis", age_minutes=95)
    seed.ticket(s1, title=f"Calm question {tag}", urgency="low", category="academic")

    quick_sign_in(page, seed, admin, "/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight")
    queue = page.locator("#crisis-queue tbody tr").filter(has_text=tag)
    # Every crisis first (longest waiting first), then high urgency, however long that has waited.
    expect(queue.locator("th")).to_have_text([f"Crisis older {tag}", f"Crisis newer {tag}", f"High oldest {tag}"])
    expect(queue.nth(0)).to_contain_text(re.compile(r"1 h 3[56] min"))
    expect(queue.nth(1)).to_contain_text("nobody yet")
    expect(queue.nth(2)).to_contain_text(f"Dr. Queue {tag}")
    assert int(page.get_by_test_id("fig-crisis").inner_text()) >= 2

    _search(page, tag)
    table = page.get_by_role("region", name="All tickets")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(page.get_by_test_id("table-count")).to_contain_text("4 tickets")
    page.get_by_label("Urgency", exact=True).select_option("crisis")
    expect(table.locator("tbody tr")).to_have_count(2)
    page.get_by_label("Sort").select_option("created_asc")
    expect(table.locator("tbody th")).to_have_text([f"Crisis older {tag}", f"Crisis newer {tag}"])
    check_layout(page, artifacts_dir, "admin-dashboard")


def test_reassign_change_urgency_and_close_record_the_admin_and_reason(page: Page, seed: Seed, artifacts_dir):
    tag = _tag()
    admin = seed.account("admin", f"Ada Reason {tag}")
    lee = seed.account("counselor", f"Dr. Lee {tag}", expertise=("stress",))
    kim = seed.account("counselor", f"Dr. Kim {tag}", expertise=("stress",))
    student = seed.account("student")
    tid = seed.ticket(student, title=f"Held by Lee {tag}", category="stress", urgency="medium")
    seed.claim(tid, lee)

    quick_sign_in(page, seed, admin, "/admin")
    _search(page, tag)
    row = page.get_by_role("region", name="All tickets").locator("tbody tr").filter(has_text=tag)
    _act(page, row, "Reassign")
    dialog = page.get_by_role("dialog")
    choices = dialog.get_by_label("Counselor with free capacity")
    # Those whose expertise fits the ticket come first, each with their areas and free places.
    labels = choices.locator("option").all_inner_texts()
    fits = [label.startswith("Fits: ") for label in labels]
    assert fits == sorted(fits, reverse=True), labels
    choices.select_option(label=f"Fits: Dr. Kim {tag} · Stress · 5 of 5 free")
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.get_by_text("Reason must be at least 5 characters.")).to_be_visible()
    expect(dialog.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    check_layout(page, artifacts_dir, "admin-reassign-dialog")
    dialog.get_by_label("Reason").fill("Lee is on leave this week")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Ticket reassigned.")).to_be_visible()
    expect(row).to_contain_text(f"Dr. Kim {tag}")

    _act(page, row, "Change urgency")
    # The current urgency is preselected (it used to be Crisis: a reason and one click escalated the ticket).
    expect(page.get_by_role("dialog").get_by_label("New urgency")).to_have_value("medium")
    expect(page.get_by_role("dialog").get_by_role("heading", level=2)).to_have_text("Change urgency")
    expect(page.get_by_role("dialog").get_by_role("heading", level=1)).to_have_count(0)  # one h1 per page
    page.get_by_role("dialog").get_by_label("New urgency").select_option("high")
    page.get_by_role("dialog").get_by_label("Reason").fill("Student phoned, sounded worse")
    page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Urgency changed.")).to_be_visible()

    _act(page, row, "Close")
    dialog.get_by_label("Reason").fill("Student moved to another campus")
    # What the student is told is separate from the reason, and previewed as they will read it.
    told = "Your new campus's counseling center will contact you this week."
    dialog.get_by_label("Message to the student").fill(told)
    expect(dialog.locator(".message-preview")).to_contain_text(told)
    check_layout(page, artifacts_dir, "admin-close-dialog-message")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Ticket closed.")).to_be_visible()

    name = f"Ada Reason {tag}"
    assert _events(seed, tid) == [
        ("reassigned", name, "Lee is on leave this week"),
        ("urgency_changed", name, "Student phoned, sounded worse"),
        ("cancelled", name, "Student moved to another campus"),
        ("student_message", name, None),
    ]
    assert seed.sql("select counselor_id from support_tickets where id = :t", {"t": tid})[0]["counselor_id"] == kim.id

    # The ticket's audit view: history with names and reasons; the description opens only with a reason.
    row.get_by_role("link", name=f"Held by Lee {tag}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Held by Lee {tag}")
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text(f"Reassigned by {name}")
    expect(history).to_contain_text("Student moved to another campus")
    expect(page.get_by_text("I lie awake for hours")).to_have_count(0)
    page.get_by_role("button", name="Open description").click()
    page.get_by_role("dialog").get_by_label("Reason").fill("Quality review of the closure")
    page.get_by_role("button", name="Open and record").click()
    expect(page.get_by_text("I lie awake for hours")).to_be_visible()
    expect(page.get_by_role("region", name="Access log")).to_contain_text("Quality review of the closure")
    check_layout(page, artifacts_dir, "admin-ticket-audit")
    logged = seed.sql("select accessor_id, what from record_access_log where ticket_id = :t", {"t": tid})
    assert logged == [{"accessor_id": admin.id, "what": "description"}]

    # Issue 12: the student reads the message, and none of the admin's reasons.
    page.context.clear_cookies()
    quick_sign_in(page, seed, student, f"/tickets/{tid}")
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text(f"Message from {name}, counseling team")
    expect(history).to_contain_text(told)
    for reason in ("Lee is on leave", "sounded worse", "another campus"):
        expect(page.get_by_text(reason)).to_have_count(0)


def test_capacity_holds_for_admins_and_accounts_page(page: Page, seed: Seed, artifacts_dir):
    tag = _tag()
    admin = seed.account("admin", f"Ada Accounts {tag}")
    quick_sign_in(page, seed, admin, "/admin/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    page.get_by_label("Full name").fill(f"Dr. New {tag}")
    page.get_by_label("Email").fill(f"new-{tag}@university.example")
    page.get_by_label("Initial password").fill("violet harbor lantern 77")
    page.get_by_label("Capacity (active tickets at once)").fill("1")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Account created for Dr. New {tag}.")).to_be_visible()
    row = page.get_by_role("region", name="Counselors").locator("tbody tr").filter(has_text=f"Dr. New {tag}")
    expect(row.get_by_test_id("load")).to_have_text("0 of 1")
    check_layout(page, artifacts_dir, "admin-accounts")

    row.get_by_role("button", name=re.compile("^Edit")).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Capacity (active tickets at once)").fill("3")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_text("Reason must be at least 5 characters.")).to_be_visible()
    dialog.get_by_label("Reason").fill("Extra hours this term")
    dialog.get_by_role("button", name="Save").click()
    expect(row.get_by_test_id("load")).to_have_text("0 of 3")
    audit = seed.sql("select action, detail, reason from admin_audit where actor_id = :a order by id", {"a": admin.id})
    assert audit[0]["action"] == "account_created"
    assert audit[-1] == {"action": "profile_changed", "detail": {"capacity": {"from": 1, "to": 3}},
                         "reason": "Extra hours this term"}  # fmt: skip

    row.get_by_role("button", name=re.compile("^Deactivate")).click()
    page.get_by_role("dialog").get_by_label("Reason").fill("Left the counseling center")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(row).to_contain_text("Inactive")


def test_analytics_page_renders_charts_and_tables(page: Page, seed: Seed, artifacts_dir):
    admin = seed.account("admin")
    student, lee = seed.account("student"), seed.account("counselor", expertise=("stress",))
    seed.claim(seed.ticket(student, category="stress", urgency="crisis", age_minutes=40), lee)
    quick_sign_in(page, seed, admin, "/admin/analytics")
    expect(page.get_by_role("heading", level=1)).to_have_text("Analytics")
    expect(page.get_by_role("heading", name="Response times")).to_be_visible()
    expect(page.locator(".recharts-surface").first).to_be_visible()
    page.get_by_text("Table view").first.click()
    expect(page.get_by_role("region", name="Response times over the whole period")).to_contain_text("Crisis")
    page.get_by_label("Period", exact=True).select_option("4")
    expect(page.get_by_test_id("period")).to_be_visible()
    check_layout(page, artifacts_dir, "admin-analytics")


def test_admin_opening_a_ticket_page_gets_the_audited_view(page: Page, seed: Seed) -> None:
    """An admin never reads a description unlogged: /tickets/<id> sends them to /admin/tickets/<id>."""
    student = seed.account("student")
    tid = seed.ticket(student, title=f"Audited view {secrets.token_hex(3)}")
    quick_sign_in(page, seed, seed.account("admin"), f"/tickets/{tid}")
    expect(page).to_have_url(re.compile(rf"/admin/tickets/{tid}/?$"), timeout=20_000)


def test_ticket_tables_fit_their_column_at_1280_with_long_titles(page: Page, seed: Seed, artifacts_dir):
    """Issue 12: with long titles the table rows grew to 185 px (a squeezed title column, four stacked action
    buttons); the actions are now one menu per row and a title takes at most two lines."""
    tag = _tag()
    admin, lee = seed.account("admin"), seed.account("counselor", expertise=("stress",))
    long_title = f"Cannot sleep before the statistics and economics finals, family pressure and a part-time job {tag}"
    for n in range(3):
        held = seed.ticket(seed.account("student"), title=f"{n} {long_title}"[:120], urgency="crisis",
                           category="stress")  # fmt: skip
        if n == 0:
            seed.claim(held, lee)
    quick_sign_in(page, seed, admin, "/admin")
    _search(page, tag)
    page.set_viewport_size({"width": 1280, "height": 900})
    for name in ("Crisis queue", "All tickets"):
        region = page.get_by_role("region", name=name)
        expect(region.locator("tbody tr").filter(has_text=tag)).to_have_count(3)
        width, room = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
        heights = [round(r.bounding_box()["height"]) for r in region.locator("tbody tr").all()]
        assert max(heights) <= 80, f"{name}: rows are {heights} px tall"  # were 185 px: title squeezed, buttons stacked
        assert width <= room + 1, f"{name}: the table is {width} px wide in {room} px"
    # On a phone: cards, not a table cut at the third column; each keeps its action menu.
    page.set_viewport_size({"width": 390, "height": 900})
    cards = page.get_by_role("list", name="All tickets, as cards").get_by_role("listitem").filter(has_text=tag)
    expect(cards).to_have_count(3)
    expect(page.get_by_role("region", name="All tickets")).to_be_hidden()
    first = cards.first.bounding_box()
    assert first["x"] >= 0 and first["x"] + first["width"] <= 390, first
    expect(cards.first.get_by_role("button", name=re.compile("^Actions for"))).to_be_visible()
    check_layout(page, artifacts_dir, "admin-long-titles")
