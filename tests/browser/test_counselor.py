"""The counselor journey through the real UI: board, claim (and its race), schedule, join, complete,
close, release, capacity, profile, the .ics file. Each test seeds its own counselor and tickets
with a unique tag in the titles and narrows the board to them with the search (the app database is
shared with other test files)."""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.browser.helpers import Seed, check_layout, quick_sign_in

pytestmark = pytest.mark.browser

NY = ZoneInfo("America/New_York")
DESCRIPTION = "I keep freezing before deadlines and then I cannot sleep at all, which makes it worse."


def _tag() -> str:
    return secrets.token_hex(3)


def _cards(page: Page):
    return page.locator(".ticket-grid > li")


def _wait_for_lock_waiters(seed: Seed, count: int) -> None:
    deadline = time.monotonic() + 20
    query = "select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
    while seed.sql(query)[0]["n"] < count:
        assert time.monotonic() < deadline, f"fewer than {count} sessions ever waited for the lock"
        time.sleep(0.05)


def _footer_lines_up_with_the_content(page: Page) -> None:
    """Issue 12: the crisis help started left of the page's content, and its three links ran together."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        title = page.get_by_role("heading", level=1).bounding_box()
        help_text = page.get_by_role("contentinfo").get_by_text("Need help right now?").bounding_box()
        assert abs(help_text["x"] - title["x"]) <= 1, (
            f"at {width}px the help starts at {help_text['x']}, not {title['x']}"
        )
        links = [link.bounding_box() for link in page.get_by_role("contentinfo").get_by_role("link").all()]
        gaps = [b["x"] - (a["x"] + a["width"]) for a, b in zip(links, links[1:], strict=False) if a["y"] == b["y"]]
        assert gaps and min(gaps) >= 8, f"help links at {width}px are {gaps} px apart"
    page.set_viewport_size({"width": 1280, "height": 900})


def _card(page: Page, title: str):
    return _cards(page).filter(has_text=title)


def _new_page(browser: Browser, base_url: str, **kw) -> Page:
    return browser.new_context(base_url=base_url, **kw).new_page()


def test_one_filter_alone_says_nothing_matches_and_offers_to_clear(page: Page, seed: Seed) -> None:
    """Regression: "Clear filters" and the no-match message needed both category and urgency set."""
    counselor = seed.account("counselor", expertise=("relationships",))
    quick_sign_in(page, seed, counselor, "/board?category=academic")  # never in this counselor's areas
    expect(page.get_by_text("Nothing matches these filters. Try clearing them.")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(page).not_to_have_url(re.compile(r"category="))
    expect(page.get_by_role("button", name="Clear filters")).to_have_count(0)


def test_the_dense_list_is_in_strict_priority_order_with_the_description_one_click_away(
    page: Page, seed: Seed, artifacts_dir
) -> None:
    """Issue 12: two columns of cards put a medium card beside a crisis one; the list is one line per
    ticket in priority order, kept in the address. A mode the counselor does not offer is said, and
    "Modes I offer" filters by the profile's modes."""
    tag = _tag()
    counselor = seed.account("counselor", expertise=("stress",))
    seed.sql("update counselor_profiles set session_modes = '{video,chat}' where user_id = :u", {"u": counselor.id})
    student = seed.account("student")
    seed.ticket(student, title=f"Medium worry {tag}", category="stress", urgency="medium", mode="chat")
    seed.ticket(student, title=f"In person only {tag}", category="stress", urgency="high", mode="in-person")
    seed.ticket(student, title=f"Video is fine {tag}", category="stress", urgency="high", mode="video")
    seed.ticket(student, title=f"Tonight is bad {tag}", category="stress", urgency="crisis", mode="audio")

    quick_sign_in(page, seed, counselor, f"/board?q={tag}")
    page.get_by_role("button", name="List").click()
    expect(page.get_by_role("button", name="List")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"view=list"))
    rows = page.locator(".board-list > li")
    expect(rows.locator("h2")).to_have_text(
        [f"Tonight is bad {tag}", f"In person only {tag}", f"Video is fine {tag}", f"Medium worry {tag}"]
    )
    in_person = rows.filter(has_text="In person only")
    expect(in_person.get_by_text("(not a mode you offer)")).to_be_visible()
    expect(in_person.get_by_text("I lie awake for hours")).not_to_be_visible()
    in_person.get_by_text(re.compile("^Description of")).click()
    expect(in_person.get_by_text("I lie awake for hours")).to_be_visible()
    check_layout(page, artifacts_dir, "counselor-board-list")

    page.reload()  # the choice is in the address
    expect(rows).to_have_count(4)
    page.get_by_role("combobox", name=re.compile("^Session mode")).click()
    page.get_by_role("option", name="Modes I offer").click()
    expect(rows.locator("h2")).to_have_text([f"Video is fine {tag}", f"Medium worry {tag}"])
    expect(page).to_have_url(re.compile(r"mode=offered"))
    rows.filter(has_text="Video is fine").get_by_role("button", name=re.compile("^Claim")).click()
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("workload")).to_have_text("1 of 5 active tickets")
    page.get_by_role("button", name="Cards").click()
    expect(page).not_to_have_url(re.compile(r"view="))
    expect(_cards(page)).to_have_count(1)


def test_board_shows_my_areas_plus_crisis_and_other_with_filters_in_the_url(page: Page, seed: Seed, artifacts_dir):
    tag = _tag()
    counselor = seed.account("counselor", f"Dr. Board {tag}", expertise=("academic",))
    student = seed.account("student")
    seed.ticket(student, title=f"Essay deadline panic {tag}", category="academic", urgency="medium", age_minutes=130)
    seed.ticket(student, title=f"Breakup blues {tag}", category="relationships", urgency="high")
    seed.ticket(
        student, title=f"Cannot cope tonight {tag}", category="depression", urgency="crisis", mode="audio"
    )  # fmt: skip
    seed.ticket(student, title=f"Something else {tag}", category="other", urgency="low", mode="in-person")

    quick_sign_in(page, seed, counselor, f"/board?q={tag}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Board")
    # Crisis first, then by urgency; a category outside the expertise never shows.
    expect(_cards(page).locator("h2")).to_have_text(
        [f"Cannot cope tonight {tag}", f"Essay deadline panic {tag}", f"Something else {tag}"]
    )
    essay = _card(page, "Essay deadline panic")
    expect(essay.get_by_text("waiting 2 h 10 min")).to_be_visible()
    expect(essay.get_by_text("Medium urgency")).to_be_visible()
    expect(essay.get_by_text("Academic")).to_be_visible()
    expect(page.get_by_test_id("workload")).to_have_text("0 of 5 active tickets")
    expect(page.get_by_role("searchbox", name="Search title and description")).to_have_value(tag)
    check_layout(page, artifacts_dir, "counselor-board")

    # Urgency filter: applied at once, written into the address, kept over a reload.
    page.get_by_role("combobox", name=re.compile("^Urgency")).click()
    page.get_by_role("option", name="Crisis").click()
    expect(_cards(page)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"urgency=crisis"))
    page.reload()
    expect(_cards(page).locator("h2")).to_have_text([f"Cannot cope tonight {tag}"])
    expect(page.get_by_role("combobox", name=re.compile("^Urgency"))).to_contain_text("Crisis")

    page.get_by_role("combobox", name=re.compile("^Urgency")).click()
    page.get_by_role("option", name="Any").click()
    page.get_by_role("combobox", name=re.compile("^Category")).click()
    page.get_by_role("option", name="Other").click()
    expect(_cards(page).locator("h2")).to_have_text([f"Something else {tag}"])
    page.get_by_role("combobox", name=re.compile("^Session mode")).click()
    page.get_by_role("option", name="Video").click()
    expect(page.get_by_text("No open tickets here")).to_be_visible()
    expect(page).to_have_url(re.compile(r"category=other.*mode=video"))

    page.get_by_role("button", name="Clear filters").click()
    # The cleared form comes back from the server: type only once it has (or the reset would wipe the text).
    expect(page).not_to_have_url(re.compile(r"category=|mode=|q="))
    page.get_by_role("searchbox", name="Search title and description").fill(f"essay deadline panic {tag}")
    page.get_by_role("button", name="Search").click()
    expect(_cards(page).locator("h2")).to_have_text([f"Essay deadline panic {tag}"])
    expect(page).to_have_url(re.compile(r"q=essay\+deadline\+panic"))

    # A forged filter in the address is dropped with a note, not trusted.
    page.goto(f"/board?q={tag}&urgency=everything")
    expect(page.get_by_text("were not valid and were cleared")).to_be_visible()


def test_claim_schedule_join_complete_close(browser: Browser, base_url: str, seed: Seed, artifacts_dir):
    tag = _tag()
    counselor = seed.account("counselor", f"Dr. Flow {tag}", expertise=("stress",))
    student = seed.account("student", f"Sam {tag}")
    tid = seed.ticket(
        student, title=f"Deadline stress {tag}", description=DESCRIPTION, category="stress", urgency="high"
    )
    other = seed.ticket(student, title=f"Second worry {tag}", category="stress", mode="video")
    seed.claim(other, counselor)
    page = _new_page(browser, base_url, timezone_id="America/New_York")
    quick_sign_in(page, seed, counselor, f"/board?q={tag}")

    _card(page, "Deadline stress").get_by_role("button", name=re.compile("^Claim")).click()
    expect(page.get_by_text("You claimed")).to_be_visible()
    expect(_card(page, "Deadline stress")).to_have_count(0)
    expect(page.get_by_test_id("workload")).to_have_text("2 of 5 active tickets")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    case = _card(page, "Deadline stress")
    expect(case.get_by_text(f"Sam {tag}")).to_be_visible()
    expect(case.get_by_text(DESCRIPTION)).to_be_visible()
    case.get_by_role("button", name="Schedule").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_test_id("time-zone")).to_have_text("Your time zone: America/New_York")
    link = dialog.get_by_label("Meeting link").input_value()
    assert re.fullmatch(r"https://meet\.jit\.si/SoulRoute-[A-Za-z0-9_-]{22,}", link)
    expect(dialog.get_by_label("Session length (minutes)")).to_have_value("50")
    check_layout(page, artifacts_dir, "counselor-schedule-dialog")

    # A time in the past is refused next to the field, and what was typed stays.
    past = (datetime.now(NY) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    dialog.get_by_label("Date and time").fill(past)
    dialog.get_by_role("button", name="Schedule").click()
    expect(dialog.get_by_text("The session time must be in the future.")).to_be_visible()
    expect(dialog.get_by_label("Date and time")).to_have_value(past)

    # In a few minutes, so Join and Complete are open; New York wall time, stored as UTC.
    start = (datetime.now(NY) + timedelta(minutes=6)).replace(second=0, microsecond=0)
    dialog.get_by_label("Date and time").fill(start.strftime("%Y-%m-%dT%H:%M"))
    dialog.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Session scheduled.")).to_be_visible()
    expect(dialog).to_have_count(0)
    row = seed.sql("select scheduled_time, meeting_link, status::text from support_tickets where id = :t", {"t": tid})
    assert row == [{"scheduled_time": start, "meeting_link": link, "status": "scheduled"}]

    # Overlapping the first session: refused with the clashing time, in the counselor's zone.
    _card(page, "Second worry").get_by_role("button", name="Schedule").click()
    dialog.get_by_label("Date and time").fill((start + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"))
    dialog.get_by_role("button", name="Schedule").click()
    expect(dialog.get_by_text(f"overlaps your session at {start:%H:%M}")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()

    # The calendar file: right time and link, for the counselor and the student only.
    resp = page.request.get(f"/calendar/{tid}.ics")
    assert resp.ok and resp.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(resp.body()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start.astimezone(UTC)
    assert event.decoded("dtend") == start.astimezone(UTC) + timedelta(minutes=50)
    assert str(event["location"]) == link and str(event["url"]) == link
    assert "freezing" not in resp.text()  # no ticket content leaves the app
    student_page = _new_page(browser, base_url)
    quick_sign_in(student_page, seed, student)
    assert student_page.request.get(f"/calendar/{tid}.ics").ok
    stranger = _new_page(browser, base_url)
    quick_sign_in(stranger, seed, seed.account("counselor", expertise=("stress",)))
    assert stranger.request.get(f"/calendar/{tid}.ics").status == 404
    assert _new_page(browser, base_url).request.get(f"/calendar/{tid}.ics").status == 401

    case = _card(page, "Deadline stress")
    expect(case.get_by_role("link", name="Join")).to_have_attribute("href", link)
    expect(case.get_by_role("link", name="Session file (.ics)")).to_be_visible()
    check_layout(page, artifacts_dir, "counselor-caseload")

    case.get_by_role("button", name="Complete").click()
    dialog.get_by_label("Session notes").fill(f"Discussed pacing and sleep. Follow-up in two weeks. {tag}")
    check_layout(page, artifacts_dir, "counselor-complete-dialog")  # its teal button too
    dialog.get_by_role("button", name="Complete session").click()
    expect(page.get_by_text("Session completed")).to_be_visible()
    expect(case.get_by_text("Completed", exact=True)).to_be_visible()
    notes = seed.sql("select author_id, body from session_notes where ticket_id = :t", {"t": tid})
    assert notes == [{"author_id": counselor.id, "body": f"Discussed pacing and sleep. Follow-up in two weeks. {tag}"}]
    assert seed.sql("select notes from support_tickets where id = :t", {"t": tid}) == [{"notes": ""}]

    # The case's own page: the notes read back (only by their author), the history.
    case.get_by_role("link", name=f"Deadline stress {tag}").click()
    expect(page).to_have_url(re.compile(f"/tickets/{tid}"))
    notes_section = page.get_by_role("region", name="Your session notes")
    expect(notes_section).to_contain_text(f"Discussed pacing and sleep. Follow-up in two weeks. {tag}")
    check_layout(page, artifacts_dir, "counselor-case-page")
    expect(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")).to_have_text("My caseload")
    _footer_lines_up_with_the_content(page)
    # Closing from the case's own page, as from My caseload.
    page.get_by_role("group", name="Next steps for this case").get_by_role("button", name="Close ticket").click()
    expect(page.get_by_text(f"Closed “Deadline stress {tag}”.")).to_be_visible()
    expect(page.get_by_role("group", name="Next steps for this case").get_by_role("button")).to_have_count(0)
    assert seed.sql("select status::text from support_tickets where id = :t", {"t": tid}) == [{"status": "closed"}]


def test_the_case_page_schedules_and_releases_with_my_caseloads_dialogs(page: Page, seed: Seed, artifacts_dir) -> None:
    """Issue 12 item 4: the case's own page has its actions (they used to be links to My caseload)."""
    tag = _tag()
    counselor = seed.account("counselor", expertise=("stress",))
    tid = seed.ticket(seed.account("student"), title=f"Case page {tag}", category="stress", mode="video")
    seed.claim(tid, counselor)
    quick_sign_in(page, seed, counselor, f"/tickets/{tid}")
    steps = page.get_by_role("group", name="Next steps for this case")
    steps.get_by_role("button", name="Schedule session").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Meeting link")).to_have_value(re.compile(r"^https://"))
    check_layout(page, artifacts_dir, "counselor-case-page-schedule-dialog")
    dialog.get_by_role("button", name=re.compile("^Schedule")).click()
    expect(page.get_by_text("Session scheduled.")).to_be_visible()
    expect(steps.get_by_role("button", name="Reschedule")).to_be_visible()
    assert seed.sql("select status::text from support_tickets where id = :t", {"t": tid}) == [{"status": "scheduled"}]

    steps.get_by_role("button", name="Release").click()
    page.get_by_role("dialog").get_by_label("Reason").fill("Student prefers a counselor on another campus")
    page.get_by_role("dialog").get_by_role("button", name="Release").click()
    expect(page.get_by_text("Released: the ticket is back on the board.")).to_be_visible()
    expect(page.get_by_text("Open", exact=True).first).to_be_visible()
    assert seed.sql("select status::text from support_tickets where id = :t", {"t": tid}) == [{"status": "open"}]


def test_release_returns_the_ticket_to_another_counselors_board(
    browser: Browser, base_url: str, seed: Seed, artifacts_dir
):
    tag = _tag()
    lee = seed.account("counselor", f"Dr. Lee {tag}", expertise=("depression",))
    kim = seed.account("counselor", f"Dr. Kim {tag}", expertise=("depression",))
    tid = seed.ticket(seed.account("student"), title=f"Low mood {tag}", category="depression")
    seed.claim(tid, lee)

    page = _new_page(browser, base_url)
    quick_sign_in(page, seed, lee, "/caseload")
    _card(page, "Low mood").get_by_role("button", name="Release").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Reason")).to_have_attribute("required", "")
    dialog.get_by_label("Reason").fill("   ")
    dialog.get_by_role("button", name="Release").click()
    expect(dialog.get_by_text("Reason is required")).to_be_visible()
    check_layout(page, artifacts_dir, "counselor-release-dialog-error")  # an error shown, the orange button
    dialog.get_by_label("Reason").fill("Student asked for a counselor who speaks Spanish")
    dialog.get_by_role("button", name="Release").click()
    expect(page.get_by_text("Released: the ticket is back on the board.")).to_be_visible()
    expect(_card(page, "Low mood")).to_have_count(0)
    events = seed.sql(
        "select kind, detail->>'reason' as reason from ticket_events where ticket_id = :t order by id", {"t": tid}
    )
    assert events[-1] == {"kind": "released", "reason": "Student asked for a counselor who speaks Spanish"}

    other = _new_page(browser, base_url)
    quick_sign_in(other, seed, kim, f"/board?q={tag}")
    expect(_card(other, f"Low mood {tag}")).to_have_count(1)


def test_capacity_is_enforced_in_the_ui_and_in_the_database(page: Page, seed: Seed):
    tag = _tag()
    full = seed.account("counselor", f"Dr. Full {tag}", expertise=("academic",), capacity=1)
    student = seed.account("student")
    seed.claim(seed.ticket(student, title=f"Held already {tag}", category="academic"), full)
    waiting = seed.ticket(student, title=f"Waiting one {tag}", category="academic")

    quick_sign_in(page, seed, full, f"/board?q={tag}")
    expect(page.get_by_test_id("workload")).to_have_text("1 of 1 active tickets")
    expect(page.get_by_text("You are at capacity (1 of 1)")).to_be_visible()
    expect(_card(page, "Waiting one").get_by_role("button", name=re.compile("^Claim"))).to_be_disabled()
    with pytest.raises(DBAPIError) as err:
        seed.claim(waiting, full)
    assert err.value.orig.sqlstate == "SR003"

    # Capacity runs out behind the page's back (another tab): the board follows live and disables Claim.
    tag2 = _tag()
    late = seed.account("counselor", f"Dr. Late {tag2}", expertise=("academic",), capacity=1)
    a = seed.ticket(student, title=f"First in {tag2}", category="academic")
    b = seed.ticket(student, title=f"Second in {tag2}", category="academic")
    quick_sign_in(page, seed, late, f"/board?q={tag2}")
    expect(_cards(page)).to_have_count(2)
    seed.claim(a, late)
    expect(_card(page, "First in")).to_have_count(0)
    expect(page.get_by_test_id("workload")).to_have_text("1 of 1 active tickets")
    expect(_card(page, "Second in").get_by_role("button", name=re.compile("^Claim"))).to_be_disabled()
    assert seed.sql("select status::text from support_tickets where id = :t", {"t": b}) == [{"status": "open"}]


def test_two_counselors_claim_the_same_ticket_at_once(browser: Browser, base_url: str, seed: Seed):
    tag = _tag()
    names = [f"Dr. Ada {tag}", f"Dr. Bo {tag}"]
    counselors = [seed.account("counselor", n, expertise=("anxiety",)) for n in names]
    tid = seed.ticket(seed.account("student"), title=f"Racing heart {tag}", category="anxiety")
    pages = [_new_page(browser, base_url) for _ in counselors]
    buttons = []
    for p, c in zip(pages, counselors, strict=True):
        quick_sign_in(p, seed, c, f"/board?q={tag}")
        buttons.append(_card(p, "Racing heart").get_by_role("button", name=re.compile("^Claim")))
        expect(buttons[-1]).to_be_enabled()
    # Hold the ticket's row lock while both clicks go out, so both claims are in flight at once (live
    # updates would otherwise take the card off the slower board before its click is sent).
    with seed.engine.connect() as lock:
        lock.execute(text("select id from support_tickets where id = :t for update"), {"t": tid})
        for b in buttons:
            b.evaluate("el => el.click()")
        _wait_for_lock_waiters(seed, 2)  # both claims reached the database and wait for the row lock
        lock.rollback()

    for p in pages:
        expect(_card(p, "Racing heart")).to_have_count(0)
    holder = seed.sql("select counselor_id from support_tickets where id = :t", {"t": tid})[0]["counselor_id"]
    winner = next(i for i, c in enumerate(counselors) if c.id == holder)
    loser = 1 - winner
    expect(pages[winner].get_by_text("You claimed")).to_be_visible()
    # The loser is not told who won: the ticket left their board, and so did its holder's name.
    expect(pages[loser].get_by_role("status").filter(has_text="This ticket is no longer on your board."))\
        .to_be_visible()  # fmt: skip
    expect(pages[loser].get_by_test_id("workload")).to_have_text("0 of 5 active tickets")


def test_profile_changes_the_board_at_once(page: Page, seed: Seed, artifacts_dir):
    tag = _tag()
    counselor = seed.account("counselor", f"Dr. Pro {tag}", expertise=("academic",))
    seed.ticket(seed.account("student"), title=f"Roommate trouble {tag}", category="relationships")
    quick_sign_in(page, seed, counselor, f"/board?q={tag}")
    expect(page.get_by_text("No open tickets here")).to_be_visible()

    page.goto("/profile")
    expect(page.get_by_role("group", name="Expertise: categories you take")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Academic")).to_be_checked()
    page.get_by_role("checkbox", name="Relationships").check()
    page.get_by_label("Capacity (active tickets at once)").fill("3")
    page.get_by_label("Short bio").fill("CBT, sleep, and study stress.")
    check_layout(page, artifacts_dir, "counselor-profile")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    row = seed.sql(
        "select expertise::text[], capacity, bio from counselor_profiles where user_id = :u", {"u": counselor.id}
    )
    assert row == [{"expertise": ["relationships", "academic"], "capacity": 3, "bio": "CBT, sleep, and study stress."}]

    page.goto(f"/board?q={tag}")
    expect(_card(page, "Roommate trouble")).to_have_count(1)
    expect(page.get_by_test_id("workload")).to_have_text("0 of 3 active tickets")

    # No session mode at all is refused next to the group; nothing is saved.
    page.goto("/profile")
    for mode in ("Video", "Audio call", "Chat", "In person"):
        page.get_by_role("checkbox", name=mode).uncheck()
    page.get_by_role("switch", name="Accepting new tickets").click()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Choose at least one session mode.")).to_be_visible()
    page.get_by_role("checkbox", name="Chat").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    page.goto(f"/board?q={tag}")
    expect(page.get_by_text("You are not accepting new tickets")).to_be_visible()
    expect(_card(page, "Roommate trouble").get_by_role("button", name=re.compile("^Claim"))).to_be_disabled()


def test_complete_says_on_the_card_when_it_opens(page: Page, seed: Seed) -> None:
    """Regression: why Complete was disabled, and from when, was only in a hover tooltip."""
    counselor = seed.account("counselor")
    tid = seed.ticket(seed.account("student"), title=f"Tomorrow's session {_tag()}")
    seed.schedule(tid, counselor, minutes_from_now=24 * 60, link="https://meet.example.org/room-1")
    quick_sign_in(page, seed, counselor, "/caseload")
    case = page.locator("li").filter(has=page.get_by_role("heading", name=re.compile("Tomorrow's session")))
    expect(case.get_by_role("button", name="Complete")).to_be_disabled()
    expect(case.get_by_text(re.compile(r"Complete opens at \d\d:\d\d, 10 minutes before the start\."))).to_be_visible()
