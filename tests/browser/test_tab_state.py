"""Where Reflex keeps tab states in the single-worker app: in the process's memory, never on disk (Reflex's
default pickles every tab's state, ticket text included, into `.states/`)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from soulroute.config import REPO_ROOT
from tests.browser.helpers import Seed, quick_sign_in

pytestmark = pytest.mark.browser


def _written_since(folder, since: float) -> list[str]:
    if not folder.exists():
        return []
    return [str(f) for f in folder.rglob("*") if f.is_file() and f.stat().st_mtime >= since]


def test_tab_states_are_not_written_to_disk(page: Page, seed: Seed) -> None:
    started = time.time() - 1
    student = seed.account("student")
    title = "Nightmares since the accident"
    tid = seed.ticket(student, title=title)
    quick_sign_in(page, seed, student, f"/tickets/{tid}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My tickets").click()
    expect(page.get_by_text(title).first).to_be_visible()
    # Positive control for the check below: the app's own working folder is the one we look into.
    assert (REPO_ROOT / ".web" / "build").exists()
    written = _written_since(REPO_ROOT / ".states", started)
    assert not written, f"tab states were written to disk: {written[:3]}"
