"""Issue 13: the student and the counselor holding the ticket talk on its page, live in both browsers; a
colleague sees nothing of it; the help line is always there; what was typed survives a refusal."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import Seed, check_layout, quick_sign_in

pytestmark = pytest.mark.browser

LIVE = 10_000  # a message from another browser arrives through the live registry, not a reload


def _page(browser: Browser, base_url: str) -> Page:
    return browser.new_context(base_url=base_url).new_page()


def _log(page: Page):
    return page.get_by_role("log", name="Messages")


def test_student_and_counselor_talk_live_and_a_colleague_sees_nothing(
    page: Page, browser: Browser, base_url: str, seed: Seed, artifacts_dir
) -> None:
    tag = secrets.token_hex(3)
    student = seed.account("student", f"Sam {tag}")
    lee = seed.account("counselor", f"Dr. Lee {tag}", expertise=("stress",))
    tid = seed.ticket(student, title=f"Exam nerves {tag}", category="stress", mode="chat")
    seed.schedule(tid, lee, minutes_from_now=5)  # a chat session, about to start: the conversation is it

    quick_sign_in(page, seed, student, "/tickets")
    join = page.get_by_role("link", name=f"Join the session: Exam nerves {tag}")
    expect(join).to_have_attribute("href", f"/tickets/{tid}#messages")
    join.click()
    messages = page.get_by_role("region", name="Messages")
    expect(messages.get_by_role("status").filter(has_text="Chat session in progress")).to_be_visible()
    expect(messages.get_by_text(re.compile("If you need help right now"))).to_be_visible()
    expect(messages.get_by_role("link", name=re.compile("^Call"))).not_to_have_count(0)
    expect(messages.get_by_text("No messages yet.")).to_be_visible()
    counselor = _page(browser, base_url)
    quick_sign_in(counselor, seed, lee, f"/tickets/{tid}")
    expect(counselor.get_by_role("region", name="Messages").get_by_text("No messages yet.")).to_be_visible()

    box = page.get_by_label("Message", exact=True)
    box.fill("   ")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Message is required.")).to_be_visible()
    box.fill("Could we meet after 4 pm on Thursday?")
    page.get_by_role("button", name="Send").click()
    expect(_log(page).get_by_role("listitem")).to_have_count(1)
    expect(box).to_have_value("")
    # The test app's center is closed today: the student is told at once, with the crisis line.
    notice = page.get_by_role("status").filter(has_text="nobody will read this until it opens")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("link", name=re.compile("^Call"))).not_to_have_count(0)
    # The counselor's page shows it without a reload; the reply reaches the student the same way.
    expect(_log(counselor)).to_contain_text("Could we meet after 4 pm on Thursday?", timeout=LIVE)
    # On the conversation's own page a new message is simply read: no toast, no count.
    expect(counselor.locator("[data-sonner-toast]").filter(has_text="new message")).to_have_count(0)
    nav_caseload = counselor.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^My caseload"))
    expect(nav_caseload).to_have_accessible_name("My caseload")
    expect(_log(counselor)).to_contain_text(f"Sam {tag}")
    # The counselor's page read it: the student's "Sent" turns into "Read", live.
    expect(_log(page).get_by_role("listitem").last).to_contain_text("Read", timeout=LIVE)
    # Typing shows on the other side (who, never what), and goes once the message arrives.
    counselor.get_by_label("Message", exact=True).press_sequentially("Thursday")
    typing = page.get_by_role("status").filter(has_text=f"Dr. Lee {tag} is writing…")
    expect(typing).to_be_visible(timeout=LIVE)
    counselor.get_by_label("Message", exact=True).fill("Thursday at 4:30 works. I will send the link.")
    counselor.get_by_role("button", name="Send").click()
    expect(_log(page)).to_contain_text("Thursday at 4:30 works.", timeout=LIVE)
    expect(_log(page).get_by_role("listitem")).to_have_count(2)
    expect(typing).to_have_count(0)
    # Elsewhere, the navigation counts conversations with a new message; opening the ticket clears it.
    page.goto("/tickets")
    nav_tickets = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^My tickets"))
    expect(nav_tickets).to_have_accessible_name("My tickets")
    counselor.get_by_label("Message", exact=True).fill("Here is the link for Thursday.")
    counselor.get_by_role("button", name="Send").click()
    expect(nav_tickets).to_have_accessible_name("My tickets 1 with new messages", timeout=LIVE)
    page.goto(f"/tickets/{tid}")
    expect(nav_tickets).to_have_accessible_name("My tickets")
    check_layout(page, artifacts_dir, "conversation-student")

    colleague = _page(browser, base_url)
    quick_sign_in(colleague, seed, seed.account("counselor", expertise=("stress",)), f"/tickets/{tid}")
    expect(colleague.get_by_role("heading", level=1)).not_to_have_text(f"Exam nerves {tag}")
    expect(colleague.get_by_text("Could we meet")).to_have_count(0)
    counselor.context.close()
    colleague.context.close()

    # An admin reads it only by breaking the glass with a reason; the student sees that it happened.
    admin = _page(browser, base_url)
    quick_sign_in(admin, seed, seed.account("admin", f"Ada {tag}"), f"/admin/tickets/{tid}")
    expect(admin.get_by_text("Could we meet")).to_have_count(0)
    admin.get_by_role("button", name="Open conversation (break the glass)").click()
    admin.get_by_role("dialog").get_by_label("Reason").fill("Complaint review requested by the student")
    admin.get_by_role("button", name="Open and record").click()
    expect(admin.get_by_text("Could we meet after 4 pm on Thursday?")).to_be_visible()
    # Hiding one, with a reason: the student's page shows it hidden, live; the record keeps the text.
    admin.get_by_role("button", name="Hide this message: Thursday at 4:30 works. I will send the link.").click()
    admin.get_by_role("dialog").get_by_label("Reason").fill("Link sent by mistake to this student")
    admin.get_by_role("button", name="Hide and record").click()
    expect(admin.get_by_text("Hidden from the student and the counselor").first).to_be_visible()
    expect(_log(page)).to_contain_text("This message was hidden by the counseling team.", timeout=LIVE)
    expect(_log(page)).not_to_contain_text("Thursday at 4:30 works.")
    admin.context.close()
    page.reload()
    opened = page.get_by_role("region", name="Who opened your file")
    expect(opened).to_contain_text(f"Ada {tag}")
    expect(opened).to_contain_text(f"Ada {tag} opened your messages")
