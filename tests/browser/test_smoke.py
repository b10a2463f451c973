"""Smoke test: the landing page renders, is reachable by keyboard and passes axe-core."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def blocking_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize(
    ("width", "scheme"), [(1280, "light"), (390, "light"), (390, "dark")], ids=["desktop", "phone", "dark"]
)
def test_landing_page(page: Page, artifacts_dir, width: int, scheme: str) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.emulate_media(color_scheme=scheme)
    page.goto("/")

    expect(page).to_have_title("SoulRoute")
    expect(page.get_by_role("heading", level=1)).to_have_text("SoulRoute")
    expect(page.get_by_role("main").get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "page scrolls sideways"

    page.screenshot(path=artifacts_dir / f"landing-{width}-{scheme}.png", full_page=True)
    assert blocking_violations(page) == []


def test_sign_in_link_and_skip_link(page: Page, artifacts_dir) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/signin/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Email")).to_be_visible()
    page.screenshot(path=artifacts_dir / "signin.png", full_page=True)
    assert blocking_violations(page) == []


def test_backend_answers(page: Page) -> None:
    """The page's event websocket is accepted (CORS/origin) and the backend talks on it."""
    assert page.request.get("/ping").ok
    with page.expect_websocket(lambda ws: "/_event" in ws.url) as ws_info:
        page.goto("/")
    ws = ws_info.value
    ws.wait_for_event("framereceived", timeout=15_000)
    assert not ws.is_closed()
