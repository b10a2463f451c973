"""The student journey (issue 4) through the real UI in Chromium: create, list, ticket page, cancel.

Each test signs in a fresh student, so tests do not see each other's tickets. Screenshots of every
page at 1280 px and 390 px go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import secrets
import uuid

import pytest
from playwright.sync_api import Page, expect

from soulroute.config import get_settings
from soulroute.domain.schemas import DESCRIPTION_MAX
from soulroute.state.student_new import draft_errors
from tests.browser.helpers import Seed, blocking_violations, check_layout, quick_sign_in

pytestmark = pytest.mark.browser

DESCRIPTION = "I have been lying awake most nights and cannot concentrate in lectures."
TICKET_URL = re.compile(r"/tickets/[0-9a-f-]{36}")


def _border_of(field) -> str:
    """The drawn border of a Radix text field or text area (a box-shadow on the element or its root)."""
    return field.evaluate(
        "el => [el, el.closest('.rt-TextFieldRoot, .rt-TextAreaRoot')].filter(Boolean)"
        ".map(e => getComputedStyle(e).boxShadow).join(' ')"
    )


def _draft_saved(page: Page, title: str) -> None:
    """The draft is kept in the tab's sessionStorage once the inputs' debounce has passed."""
    page.wait_for_function("t => (sessionStorage.getItem('soulroute.draft.title') || '').includes(t)", arg=title)


def _count(seed: Seed, student) -> int:
    return seed.sql("select count(*) as n from support_tickets where student_id = :s", {"s": student.id})[0]["n"]


def _student(page: Page, seed: Seed, next_path: str = "/tickets/new"):
    student = seed.account("student")
    quick_sign_in(page, seed, student, next_path)
    return student


def _open_form(page: Page) -> None:
    page.goto("/tickets/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket")


def _fill(page: Page, *, title: str = "Cannot sleep before exams", urgency: str = "Medium", mode: str = "Video"):
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_role("group", name="Category").get_by_label("Stress").check()
    page.get_by_role("group", name="Urgency").get_by_label(urgency, exact=True).check()
    page.get_by_role("group", name="Session preference").get_by_label(mode, exact=True).check()


def _submit(page: Page) -> None:
    page.get_by_role("button", name="Send ticket").click()


# --- the form's rules, without a browser ---------------------------------------------------------


def test_draft_errors_use_the_domain_model() -> None:
    good = {"title": "Hello there", "description": "x" * 20, "category": "stress", "urgency": "low"}
    good["session_mode"] = "chat"
    assert draft_errors(good) == {}
    forged = {**good, "category": "<script>", "description": "y" * (DESCRIPTION_MAX + 1)}
    errors = draft_errors(forged)
    assert errors["category"] == "Choose a category."
    assert errors["description"] == f"Description can be at most {DESCRIPTION_MAX:,} characters; you have 5,001."
    assert draft_errors({}, {"title"}) == {"title": "Title is required."}


# --- create ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("urgency", ["Low", "Medium", "High", "Crisis"])
def test_create_ticket_for_each_urgency(page: Page, seed: Seed, artifacts_dir, urgency: str) -> None:
    student = _student(page, seed)
    _open_form(page)
    panel = page.get_by_test_id("crisis-panel")
    _fill(page, title=f"{urgency} urgency: need to talk", urgency=urgency)
    if urgency == "Crisis":
        expect(panel).to_be_visible()
        expect(panel).to_contain_text(get_settings().crisis_line_text)
        expect(panel).to_contain_text(get_settings().counseling_center_phone)
        check_layout(page, artifacts_dir, "student-new-crisis")
        for link in panel.get_by_role("link").all():  # the pointer on each help link: still readable
            link.hover()
            assert not blocking_violations(page), f"hovering {link.inner_text()}: {blocking_violations(page)}"
    else:
        expect(panel).to_have_count(0)
    _submit(page)

    expect(page).to_have_url(TICKET_URL, timeout=15_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{urgency} urgency: need to talk")
    expect(page.get_by_text("Your ticket was sent", exact=False).first).to_be_visible()
    if urgency == "Crisis":
        expect(panel).to_be_visible()
        expect(page.get_by_text("On-call counselors have been alerted")).to_be_visible()
        check_layout(page, artifacts_dir, "student-ticket-crisis")
    else:
        expect(panel).to_have_count(0)
    rows = seed.sql("select urgency::text as u from support_tickets where student_id = :s", {"s": student.id})
    assert rows == [{"u": urgency.lower()}]


# --- validation and drafts ---------------------------------------------------------------------------


def test_validation_errors_name_the_field_and_keep_the_text(page: Page, seed: Seed, artifacts_dir) -> None:
    _student(page, seed)
    _open_form(page)
    title, description = page.get_by_label("Title"), page.get_by_label("Description")
    title.fill("Hi")
    description.fill("Too short")
    _submit(page)

    for message in (
        "Title must be at least 5 characters.",
        "Description must be at least 20 characters.",
        "Category is required.",
        "Urgency is required.",
        "Session preference is required.",
    ):
        expect(page.get_by_text(message, exact=True)).to_be_visible()
    expect(title).to_have_attribute("aria-invalid", "true")
    # The highlighted fields are highlighted (they used to keep their grey border).
    for field in (title, description):
        assert "229, 72, 77" in _border_of(field), "an invalid field has the red border (Radix red 9)"
    expect(title).to_have_value("Hi")
    expect(description).to_have_value("Too short")
    check_layout(page, artifacts_dir, "student-new-errors")

    # Fixed as the student types: the message goes without another submit.
    title.fill("Hi again, it is me")
    expect(page.get_by_text("Title must be at least 5 characters.")).to_have_count(0)
    expect(title).to_have_attribute("aria-invalid", "false")

    # Oversized: kept whole (no maxlength cuts it) and flagged next to the field at once.
    description.fill("z" * (DESCRIPTION_MAX + 1))
    expect(
        page.get_by_text(f"Description can be at most {DESCRIPTION_MAX:,} characters; you have 5,001.")
    ).to_be_visible()
    description.fill(DESCRIPTION)
    page.get_by_role("group", name="Urgency").get_by_label("High", exact=True).check()

    # The draft survives a reload, choices included (once each is kept: the choice travels to the server and
    # back into sessionStorage; a reload a few milliseconds after the click would not have it yet).
    _draft_saved(page, "Hi again, it is me")
    page.wait_for_function("() => (sessionStorage.getItem('soulroute.draft.urgency') || '').includes('high')")
    page.reload()
    expect(page.get_by_label("Title")).to_have_value("Hi again, it is me", timeout=15_000)
    expect(page.get_by_label("Description")).to_have_value(DESCRIPTION)
    expect(page.get_by_role("group", name="Urgency").get_by_label("High", exact=True)).to_be_checked()


def test_a_pasted_title_over_the_limit_is_kept_and_flagged_next_to_the_field(page: Page, seed: Seed) -> None:
    """No maxlength cuts it silently: all 10,000 characters stay, and the field says what is wrong."""
    _student(page, seed)
    _open_form(page)
    title = page.get_by_label("Title")
    pasted = "p" * 10_000
    title.fill(pasted)
    expect(page.get_by_text("Title can be at most 120 characters; you have 10,000.", exact=True)).to_be_visible()
    expect(title).to_have_attribute("aria-invalid", "true")
    assert title.input_value() == pasted
    title.fill("A title of a fine length")
    expect(page.get_by_text("Title can be at most", exact=False)).to_have_count(0)
    expect(title).to_have_attribute("aria-invalid", "false")


def test_failed_save_keeps_the_form_and_a_retry_makes_one_ticket(page: Page, seed: Seed) -> None:
    student = _student(page, seed)
    _open_form(page)
    _fill(page, title="Saved only once, please", urgency="High", mode="Chat")
    db = seed.sql("select current_database() as d")[0]["d"]
    role = get_settings().app_db_role
    # A real outage for the app only: its role may no longer connect to this database, and its open
    # connections are cut. (Per database, so other test runs on the same server are untouched.)
    seed.sql(f'revoke connect on database "{db}" from public, {role}')
    try:
        seed.sql(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = :d and usename = :r",
            {"d": db, "r": role},
        )
        _submit(page)
        expect(page.get_by_role("alert").filter(has_text="nothing was saved")).to_be_visible(timeout=15_000)
        expect(page.get_by_label("Title")).to_have_value("Saved only once, please")
        expect(page.get_by_label("Description")).to_have_value(DESCRIPTION)
        expect(page.get_by_role("group", name="Session preference").get_by_label("Chat")).to_be_checked()
        assert _count(seed, student) == 0
    finally:
        seed.sql(f'grant connect on database "{db}" to public, {role}')

    page.reload()  # the draft is still there after a reload, and the retry keeps its key
    expect(page.get_by_label("Title")).to_have_value("Saved only once, please", timeout=15_000)
    _submit(page)
    expect(page).to_have_url(TICKET_URL, timeout=15_000)
    assert _count(seed, student) == 1
    # Saved: the draft is gone.
    _open_form(page)
    expect(page.get_by_label("Title")).to_have_value("")


def test_double_submit_makes_one_ticket(page: Page, seed: Seed) -> None:
    student = _student(page, seed)
    _open_form(page)
    _fill(page, title="Clicked twice by accident")
    _draft_saved(page, "Clicked twice by accident")
    # Two submits leave the page before the server has answered the first.
    page.locator("form.new-ticket-form").evaluate("f => { f.requestSubmit(); f.requestSubmit(); }")
    expect(page).to_have_url(TICKET_URL, timeout=15_000)
    # A tab's events are handled one after another: the ticket page's own load comes after both submits.
    expect(page.get_by_role("heading", name="Clicked twice by accident")).to_be_visible(timeout=15_000)
    assert _count(seed, student) == 1


def test_resend_after_a_lost_answer_finds_the_first_ticket(page: Page, seed: Seed) -> None:
    """The first submit was saved but its answer never arrived: the resend opens that same ticket."""
    student = _student(page, seed)
    _open_form(page)
    _fill(page, title="Answer got lost on the way")
    _draft_saved(page, "Answer got lost on the way")
    key = page.evaluate("sessionStorage.getItem('soulroute.draft.key')")
    uuid.UUID(key)
    first = seed.sql(
        "insert into support_tickets (student_id, title, description, category, urgency, session_mode,"
        " idempotency_key) values (:s, 'Answer got lost on the way', :d, 'stress', 'medium', 'video', :k)"
        " returning id",
        {"s": student.id, "d": DESCRIPTION, "k": key},
    )[0]["id"]
    _submit(page)
    expect(page).to_have_url(re.compile(f"/tickets/{first}"), timeout=15_000)
    assert _count(seed, student) == 1


# --- my tickets and the ticket page ------------------------------------------------------------------


def test_empty_state_invites_the_first_ticket(page: Page, seed: Seed, artifacts_dir) -> None:
    _student(page, seed, "/tickets")
    expect(page.get_by_role("heading", level=1)).to_have_text("My tickets")
    expect(page.get_by_role("heading", name="No tickets yet")).to_be_visible()
    check_layout(page, artifacts_dir, "student-tickets-empty")
    page.get_by_role("link", name="Create your first ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket")


def test_my_tickets_cards_filter_and_join(page: Page, seed: Seed, artifacts_dir) -> None:
    student = seed.account("student")
    counselor = seed.account("counselor", "Dr. Lee", expertise=("stress", "anxiety"))
    seed.ticket(student, title="Closed long ago", age_minutes=600)
    closed = seed.sql("select id from support_tickets where student_id = :s", {"s": student.id})[0]["id"]
    seed.sql("update support_tickets set status = 'closed' where id = :t", {"t": closed})
    soon = seed.ticket(student, title="Video call very soon", category="stress", age_minutes=300)
    seed.schedule(soon, counselor, minutes_from_now=5, link="https://meet.example/room-1")
    later = seed.ticket(student, title="Meeting in person tomorrow", mode="in-person", age_minutes=200)
    seed.schedule(later, counselor, minutes_from_now=24 * 60, place="Health centre, room 2")
    audio = seed.ticket(student, title="Audio call next week", mode="audio", age_minutes=150)
    seed.schedule(audio, counselor, minutes_from_now=7 * 24 * 60, link="https://meet.example/room-2")
    seed.ticket(student, title="Everything feels too much", urgency="crisis", age_minutes=5)

    quick_sign_in(page, seed, student, "/tickets")
    cards = page.locator(".ticket-card")
    expect(cards).to_have_count(5)
    # Newest first, closed ones last.
    expect(cards.first).to_contain_text("Everything feels too much")
    expect(cards.last).to_contain_text("Closed long ago")
    video = cards.filter(has_text="Video call very soon")
    expect(video).to_contain_text("Dr. Lee")
    expect(video.get_by_role("link", name=re.compile("Join"))).to_have_attribute("href", "https://meet.example/room-1")
    expect(cards.filter(has_text="Audio call next week").get_by_role("button", name="Join")).to_be_disabled()
    expect(cards.filter(has_text="Meeting in person tomorrow")).to_contain_text("Place: Health centre, room 2")
    # The student's own session file, fetched with the student's cookie.
    ics_link = video.get_by_role("link", name=re.compile(r"Session file \(\.ics\)"))
    ics = page.request.get(ics_link.get_attribute("href"))
    assert ics.ok and "BEGIN:VCALENDAR" in ics.text() and "https://meet.example/room-1" in ics.text()
    expect(cards.filter(has_text="Closed long ago").get_by_role("button", name=re.compile("Cancel"))).to_have_count(0)
    check_layout(page, artifacts_dir, "student-tickets")

    page.get_by_label("Status").select_option("closed")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Closed long ago")
    page.get_by_label("Status").select_option("completed")
    expect(page.get_by_role("heading", name="No tickets with this status")).to_be_visible()


def test_ticket_page_timeline_and_cancel(page: Page, seed: Seed, artifacts_dir) -> None:
    student = seed.account("student")
    counselor = seed.account("counselor", "Dr. Lee", expertise=("anxiety",))
    tid = seed.ticket(student, title="Panic before presentations")
    seed.claim(tid, counselor)
    quick_sign_in(page, seed, student, f"/tickets/{tid}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Panic before presentations")
    expect(page.get_by_role("list", name="Progress").locator("[aria-current=step]")).to_contain_text("Claimed")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Claimed by Dr. Lee")
    check_layout(page, artifacts_dir, "student-ticket")

    page.get_by_role("button", name="Cancel ticket").click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_label("Reason (optional)").fill("Feeling better after talking to a friend")
    check_layout(page, artifacts_dir, "student-ticket-cancel-dialog")
    dialog.get_by_role("button", name="Cancel ticket").click()
    expect(dialog).to_have_count(0)
    expect(page.locator(".rt-Badge").filter(has_text="Closed")).to_be_visible()
    expect(timeline.locator("li").first).to_contain_text("Cancelled by")
    expect(timeline).to_contain_text("Reason: Feeling better after talking to a friend")
    expect(page.get_by_role("button", name="Cancel ticket")).to_have_count(0)
    assert seed.sql("select status::text as s from support_tickets where id = :t", {"t": tid}) == [{"s": "closed"}]


def test_cancel_from_the_list(page: Page, seed: Seed) -> None:
    student = seed.account("student")
    seed.ticket(student, title="Not needed any more")
    quick_sign_in(page, seed, student, "/tickets")
    page.get_by_role("button", name="Cancel ticket: Not needed any more").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel ticket").click()
    expect(page.locator(".ticket-card")).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Cancel ticket: Not needed any more")).to_have_count(0)


@pytest.mark.parametrize("which", ["another student's", "missing", "malformed"])
def test_other_students_ticket_is_not_found(page: Page, seed: Seed, artifacts_dir, which: str) -> None:
    other = seed.account("student")
    theirs = seed.ticket(other, title="Somebody else's private worry")
    target = {"another student's": theirs, "missing": uuid.uuid4(), "malformed": "not-a-ticket"}[which]
    _student(page, seed, "/tickets")
    page.goto(f"/tickets/{target}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket not found", timeout=15_000)
    expect(page.get_by_text("Somebody else's private worry")).to_have_count(0)
    if which == "another student's":
        check_layout(page, artifacts_dir, "student-ticket-not-found")


def test_counselor_sees_the_ticket_page_read_only(page: Page, seed: Seed) -> None:
    student = seed.account("student", "Sam Student")
    counselor = seed.account("counselor", "Dr. Lee", expertise=("anxiety",))
    tid = seed.ticket(student, title="Exam anxiety again")
    seed.claim(tid, counselor)
    quick_sign_in(page, seed, counselor, f"/tickets/{tid}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exam anxiety again")
    expect(page.locator(".details-list")).to_contain_text("Sam Student")
    expect(page.get_by_role("button", name="Cancel ticket")).to_have_count(0)
    expect(page.get_by_test_id("crisis-panel")).to_have_count(0)


def test_student_sees_who_opened_their_file_but_not_the_internal_reason(page: Page, seed: Seed) -> None:
    """Regression: the README and the admin's dialog promised it, but the student's page showed nothing."""
    student = seed.account("student")
    tid = seed.ticket(student, title="Opened by the office")
    admin = seed.account("admin", f"Ada Opener {secrets.token_hex(2)}")
    seed.sql(
        "insert into record_access_log (ticket_id, accessor_id, what, reason)"
        " values (:t, :a, 'description', 'Internal quality review of crisis handling')",
        {"t": tid, "a": admin.id},
    )
    quick_sign_in(page, seed, student, f"/tickets/{tid}")
    opened = page.get_by_role("region", name="Who opened your file")
    expect(opened).to_contain_text(f"{admin.name} opened your description")
    expect(opened).not_to_contain_text("quality review")


def test_sent_banner_shows_only_while_the_ticket_waits(page: Page, seed: Seed) -> None:
    """Regression: "Your ticket was sent" stayed on the page after the ticket was claimed and scheduled."""
    student = seed.account("student")
    tid = seed.ticket(student, title="Banner check")
    quick_sign_in(page, seed, student, f"/tickets/{tid}?created=1")
    expect(page.get_by_text("Your ticket was sent", exact=False)).to_be_visible()
    seed.claim(tid, seed.account("counselor"))  # reaches the page live
    expect(page.get_by_text("Your ticket was sent", exact=False)).to_have_count(0)
