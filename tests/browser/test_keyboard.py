"""Each role's main journey by keyboard alone (no pointer, no `click()` or `fill()`): the student creates a
ticket, the counselor claims one and schedules its session, the admin finds a ticket and changes its
urgency. Every key goes through `Keys`, which counts the navigation keys (Tab, arrows, Enter, Space,
Escape, Home/End) apart from the text typed into fields, and checks where focus is after each stop.

The counts are printed (`-s`), recorded in the test report (`record_property`) and appended to
tests/artifacts/keyboard.txt with the path taken. The student's journey has a budget: at most 15
navigation keys from /tickets to a sent ticket (31 when it was first counted; 24 by the skip link, when
focus still fell back to the top of /tickets/new).

Dialogs: focus goes into the dialog when it opens, Escape closes it, and focus is back on the control that
opened it. Keys pressed only to check that (an Escape and the reopening) are counted apart, as checks."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.helpers import Seed, quick_sign_in

pytestmark = pytest.mark.browser

NAVIGATION_KEYS = frozenset(
    {"Tab", "Shift+Tab", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Enter", "Space", "Escape", "Home", "End"}
)
STUDENT_BUDGET = 15
NY = ZoneInfo("America/New_York")
TICKET_URL = re.compile(r"/tickets/[0-9a-f-]{36}")
# What has focus, in a few words: `input[text] "Title"`, `button "Send ticket"`, `body`, a frame and a task
# after the key (Radix moves focus in menus and dialogs in a timeout; a server's answer can take longer).
# For the log only: the tests check focus with `expect(...).to_be_focused()`.
DESCRIBE_FOCUS = """async () => {
  await new Promise(r => requestAnimationFrame(() => setTimeout(r)));
  const e = document.activeElement;
  if (!e || e === document.body) return 'body';
  const label = e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].textContent)
    || e.textContent || e.id || '';
  const type = e.type && e.tagName !== 'BUTTON' ? `[${e.type}]` : '';
  return `${e.tagName.toLowerCase()}${type} "${label.trim().replace(/\\s+/g, ' ').slice(0, 40)}"`;
}"""


class Keys:
    """The keyboard, counted. `press` takes navigation keys only; `type` puts text into the focused field
    (not navigation); `check` is a key pressed only to test a behaviour, kept out of the journey's count."""

    def __init__(self, page: Page, journey: str) -> None:
        self.page, self.journey = page, journey
        self.navigation = self.typed = self.checks = 0
        self.path: list[str] = []

    def _press(self, key: str) -> None:
        assert key in NAVIGATION_KEYS, f"{key} is not a navigation key"
        self.page.keyboard.press(key)
        self.path.append(f"{key} → {self.page.evaluate(DESCRIBE_FOCUS)}")

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self._press(key)
            self.navigation += 1

    def check(self, key: str) -> None:
        self._press(key)
        self.path[-1] = f"(check) {self.path[-1]}"
        self.checks += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)
        self.path.append(f"type {len(text)} characters")

    def move_to(self, target: Locator, *, key: str = "Tab", at_most: int) -> int:
        """Press `key` until `target` has focus (at most `at_most` times); returns how many it took."""
        for n in range(1, at_most + 1):
            self.press(key)
            if target.evaluate("e => e === document.activeElement"):
                expect(target).to_be_focused()
                return n
        raise AssertionError(f"{self.journey}: {target} not focused after {at_most} × {key}:\n" + "\n".join(self.path))

    def report(self, record_property, artifacts_dir) -> str:
        line = f"{self.journey}: {self.navigation} navigation keys, {self.typed} characters typed"
        if self.checks:
            line += f" (+{self.checks} keys checking dialogs)"
        print(f"\n{line}\n  " + "\n  ".join(self.path))
        record_property(f"keyboard {self.journey}", line)
        with (artifacts_dir / "keyboard.txt").open("a") as out:
            out.write(line + "\n  " + "\n  ".join(self.path) + "\n")
        return line


@pytest.fixture
def keyboard(record_property, artifacts_dir):
    """`keyboard(page, journey)` gives a `Keys`; its counts and path are reported at the end, pass or fail."""
    made: list[Keys] = []

    def make(page: Page, journey: str) -> Keys:
        made.append(Keys(page, journey))
        return made[-1]

    yield make
    for keys in made:
        keys.report(record_property, artifacts_dir)


def _into_main(page: Page, keys: Keys) -> None:
    """The skip link, first stop on every page, moves focus into <main>."""
    keys.move_to(page.get_by_role("link", name="Skip to main content"), at_most=1)
    keys.press("Enter")
    expect(page.locator("main")).to_be_focused()


def _radio(page: Page, group: str, label: str) -> Locator:
    return page.get_by_role("group", name=group).get_by_label(label, exact=True)


# --- student: create a ticket -------------------------------------------------------------------------


def test_student_creates_a_ticket_by_keyboard_within_budget(page: Page, seed: Seed, keyboard) -> None:
    student = seed.account("student")
    title, description = "Cannot sleep before exams", "I lie awake most nights and cannot concentrate in lectures."
    quick_sign_in(page, seed, student, "/tickets")
    expect(page.get_by_text("No tickets yet")).to_be_visible()  # the list has loaded: the tab order is final
    keys = keyboard(page, "student: create a ticket from /tickets")

    _into_main(page, keys)
    keys.move_to(page.get_by_role("main").get_by_role("link", name="New ticket"), at_most=1)
    keys.press("Enter")
    expect(page).to_have_url(re.compile(r"/tickets/new$"))
    expect(page.get_by_role("heading", level=1, name="New ticket")).to_be_focused()  # not back at the top
    title_box = page.get_by_label("Title")
    expect(title_box).to_be_visible()  # the form shows once the draft is restored
    keys.move_to(title_box, at_most=1)
    keys.type(title)
    keys.move_to(page.get_by_label("Description"), at_most=1)
    keys.type(description)
    # Each radio group is one stop; arrow keys choose within it (Space takes the first option).
    keys.move_to(_radio(page, "Category", "Anxiety"), at_most=1)
    keys.press("ArrowDown", 2)
    expect(_radio(page, "Category", "Stress")).to_be_focused()
    expect(_radio(page, "Category", "Stress")).to_be_checked()
    keys.move_to(_radio(page, "Urgency", "Low"), at_most=1)
    keys.press("ArrowDown")
    expect(_radio(page, "Urgency", "Medium")).to_be_checked()
    keys.move_to(_radio(page, "Session preference", "Video"), at_most=1)
    keys.press("Space")
    expect(_radio(page, "Session preference", "Video")).to_be_checked()
    keys.move_to(page.get_by_role("button", name="Send ticket"), at_most=1)
    keys.press("Enter")

    expect(page).to_have_url(TICKET_URL, timeout=15_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Your ticket was sent", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_focused()  # the new page, from its heading
    saved = seed.sql(
        "select title, description, category::text as c, urgency::text as u, session_mode::text as m"
        " from support_tickets where student_id = :s",
        {"s": student.id},
    )
    assert saved == [{"title": title, "description": description, "c": "stress", "u": "medium", "m": "video"}]
    assert keys.navigation <= STUDENT_BUDGET, f"{keys.navigation} navigation keys, the budget is {STUDENT_BUDGET}"


def test_student_cancels_a_ticket_from_the_list_by_keyboard(page: Page, seed: Seed, keyboard) -> None:
    """The confirmation is an alert dialog: focus starts on its safe choice (Keep ticket), Escape closes it and
    focus is back on the card's Cancel button; once the ticket is cancelled, that button is gone and focus
    stays in the same card."""
    student = seed.account("student")
    title = "Not needed any more"
    tid = seed.ticket(student, title=title)
    quick_sign_in(page, seed, student, "/tickets")
    card = page.locator(".ticket-grid > li").filter(has_text=title)
    cancel = card.get_by_role("button", name=f"Cancel ticket: {title}")
    expect(cancel).to_be_visible()
    keys = keyboard(page, "student: cancel a ticket on /tickets")

    _into_main(page, keys)
    # New ticket, the status filter, the card's title, its Open link, its Cancel button.
    keys.move_to(cancel, at_most=5)
    keys.press("Enter")
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_role("button", name="Keep ticket")).to_be_focused()
    keys.check("Escape")
    expect(dialog).to_have_count(0)
    expect(cancel).to_be_focused()
    keys.check("Enter")
    expect(dialog.get_by_role("button", name="Keep ticket")).to_be_focused()
    keys.move_to(dialog.get_by_role("button", name="Cancel ticket"), at_most=1)
    keys.press("Enter")
    expect(dialog).to_have_count(0)
    expect(card).to_contain_text("Closed")
    expect(card.get_by_role("link", name=f"Open ticket: {title}")).to_be_focused()
    assert seed.sql("select status::text as s from support_tickets where id = :t", {"t": tid}) == [{"s": "closed"}]


# --- counselor: claim, then schedule ------------------------------------------------------------------


def _schedule_by_keyboard(page: Page, keys: Keys, schedule: Locator, place: str) -> None:
    """In the open dialog: a date and time typed into the focused field, the place, then Schedule."""
    dialog = page.get_by_role("dialog")
    when = dialog.get_by_label("Date and time")
    expect(when).to_be_focused()  # focus went into the dialog, on its first field
    keys.check("Escape")  # Escape closes, and focus is back on the button that opened it
    expect(dialog).to_have_count(0)
    expect(schedule).to_be_focused()
    keys.check("Enter")
    expect(when).to_be_focused()
    # Chromium's date-time field: month, day, year, hour, minute, AM/PM, each moving on when full (the year,
    # which may have six digits, only with an arrow).
    start = (datetime.now(NY) + timedelta(days=2)).replace(hour=14, minute=30, second=0, microsecond=0)
    keys.type(start.strftime("%m%d%Y"))
    keys.press("ArrowRight")
    keys.type(start.strftime("%I%M") + "P")
    expect(when).to_have_value(start.strftime("%Y-%m-%dT%H:%M"))
    keys.move_to(dialog.get_by_label("Place"), at_most=3)
    keys.type(place)
    keys.move_to(dialog.get_by_role("button", name="Schedule"), at_most=3)
    keys.press("Enter")
    expect(page.get_by_text("Session scheduled.")).to_be_visible()
    expect(dialog).to_have_count(0)


def test_counselor_claims_and_schedules_by_keyboard(browser: Browser, base_url: str, seed: Seed, keyboard) -> None:
    tag = secrets.token_hex(3)
    counselor = seed.account("counselor", f"Dr. Keys {tag}", expertise=("stress",))
    title, place = f"Exam panic {tag}", "Student Center, room 204"
    tid = seed.ticket(seed.account("student"), title=title, category="stress", urgency="high", mode="in-person")
    context = browser.new_context(base_url=base_url, locale="en-US", timezone_id="America/New_York")
    try:
        page = context.new_page()
        quick_sign_in(page, seed, counselor, f"/board?q={tag}")
        card = page.locator(".ticket-grid > li").filter(has_text=title)
        expect(card).to_have_count(1)
        keys = keyboard(page, "counselor: claim on /board, schedule in My caseload")

        _into_main(page, keys)
        # The workload's link, the filters, the search button, the card's title, its Claim button (8 alone; tickets
        # other tests left on the shared board may come first, two stops each).
        keys.move_to(card.get_by_role("button", name=re.compile("^Claim")), at_most=40)
        keys.press("Enter")
        expect(page.get_by_text("You claimed")).to_be_visible()
        expect(card).to_have_count(0)
        # The card went with the focused button: focus is on the way to the claimed ticket, not on <body>.
        expect(page.get_by_role("main").get_by_role("link", name="My caseload")).to_be_focused()
        keys.press("Enter")
        expect(page).to_have_url(re.compile(r"/caseload$"))
        expect(page.get_by_role("heading", level=1, name="My caseload")).to_be_focused()
        case = page.locator(".ticket-grid > li").filter(has_text=title)
        schedule = case.get_by_role("button", name="Schedule")
        expect(schedule).to_be_visible()
        keys.move_to(schedule, at_most=2)  # the card's title link, then Schedule
        keys.press("Enter")
        _schedule_by_keyboard(page, keys, schedule, place)
        expect(case.get_by_text(f"Place: {place}")).to_be_visible()
        # The Schedule button that opened the dialog is gone: focus is at its place in the card, now Reschedule.
        expect(case.get_by_role("button", name="Reschedule")).to_be_focused()
        row = seed.sql("select status::text as s, location from support_tickets where id = :t", {"t": tid})
        assert row == [{"s": "scheduled", "location": place}]
    finally:
        context.close()


# --- admin: find a ticket, change its urgency -------------------------------------------------------------


def _open_urgency_dialog(page: Page, keys: Keys, *, check: bool = False) -> None:
    """Enter opens the row's menu on its first item, an arrow moves to "Change urgency", Enter opens the dialog."""
    press = keys.check if check else keys.press
    press("Enter")
    expect(page.get_by_role("menuitem", name="Reassign")).to_be_focused()
    press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Change urgency")).to_be_focused()
    press("Enter")
    expect(page.get_by_role("dialog").get_by_label("New urgency")).to_be_focused()


def test_admin_finds_a_ticket_and_changes_its_urgency_by_keyboard(page: Page, seed: Seed, keyboard) -> None:
    tag = secrets.token_hex(3)
    admin = seed.account("admin", f"Ada Keys {tag}")
    title, reason = f"Worried about finals {tag}", "Student phoned, sounded worse"
    tid = seed.ticket(seed.account("student"), title=title, category="stress", urgency="medium")
    quick_sign_in(page, seed, admin, "/admin")
    expect(page.get_by_test_id("table-count")).to_be_visible()  # the tables have loaded: the tab order is final
    keys = keyboard(page, "admin: find a ticket on /admin, change its urgency")

    _into_main(page, keys)
    search = page.get_by_role("searchbox", name="Search titles")
    # The intro's first link goes to the search, past the crisis queue however long it is (it took 11 stops
    # with the queue empty, three more for each ticket in it).
    keys.move_to(page.get_by_role("link", name="go to the search"), at_most=1)
    keys.press("Enter")
    expect(search).to_be_focused()
    keys.type(tag)
    keys.press("Enter")
    table = page.get_by_role("region", name="All tickets")
    expect(page).to_have_url(re.compile(f"q={tag}"))  # the search is applied (a fresh database has one row anyway)
    expect(page.get_by_role("button", name="Clear filters")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(search).to_be_focused()
    actions = table.get_by_role("button", name=f"Actions for {title}")
    # The folded date range, Apply, Clear filters, the table's region, the row's title link, its Actions.
    keys.move_to(actions, at_most=6)
    _open_urgency_dialog(page, keys)
    dialog = page.get_by_role("dialog")
    new_urgency = dialog.get_by_label("New urgency")
    expect(new_urgency).to_have_value("medium")
    keys.press("ArrowUp")  # a closed native select: arrows change the choice (crisis, high, medium, low)
    expect(new_urgency).to_have_value("high")
    keys.move_to(dialog.get_by_label("Reason"), at_most=1)
    keys.type(reason)
    # Past the optional message to the student and Cancel.
    keys.move_to(dialog.get_by_role("button", name="Confirm"), at_most=3)
    keys.press("Enter")
    expect(page.get_by_text("Urgency changed.")).to_be_visible()
    expect(dialog).to_have_count(0)
    expect(actions).to_be_focused()  # back on the control that opened it
    expect(table.locator("tbody tr")).to_contain_text("High")

    # The dialog again, only to see Escape close it and focus come back to the row's Actions button.
    _open_urgency_dialog(page, keys, check=True)
    keys.check("Escape")
    expect(dialog).to_have_count(0)
    expect(actions).to_be_focused()
    rows = seed.sql(
        "select t.urgency::text as u, e.detail ->> 'reason' as reason from support_tickets t"
        " join ticket_events e on e.ticket_id = t.id and e.kind = 'urgency_changed' where t.id = :t",
        {"t": tid},
    )
    assert rows == [{"u": "high", "reason": reason}]
