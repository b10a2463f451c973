"""The frame every signed-in page shares: the skip link moves focus, crisis numbers are one tap away."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import Seed, quick_sign_in

pytestmark = pytest.mark.browser


def test_skip_link_moves_keyboard_focus_into_the_main_content(page: Page, seed: Seed) -> None:
    """Regression: the link changed the address to #main, but the next Tab went on to the logo."""
    quick_sign_in(page, seed, seed.account("student"), "/tickets")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_crisis_numbers_are_links_that_call_or_text(page: Page, seed: Seed) -> None:
    quick_sign_in(page, seed, seed.account("student"), "/tickets/new")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(footer.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(footer.get_by_role("link", name="Call the counseling center")).to_have_attribute("href", "tel:+15550100")
