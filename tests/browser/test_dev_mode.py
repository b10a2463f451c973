"""`make dev` (hot reload) works for a signed-in user: sign-in ends on the app's own origin, where the
cookie routes live (it used to send the browser to /auth/session on the Vite port, which answered 404)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import _stop, copy_of_the_app, launch_app
from tests.browser.helpers import PASSWORD, Seed, home_url_re, sign_in_through_form

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dev_app(tmp_path_factory, app_database_url: str, oidc_issuer: str, artifacts_dir: Path) -> Iterator[str]:
    """`soulroute serve --dev`'s command, on a copy of the app (its build must not touch the main server's)."""
    env = {
        "DATABASE_URL": app_database_url,
        "OIDC_ISSUER": oidc_issuer,
        "OIDC_CLIENT_ID": "soulroute-tests",
        "OIDC_CLIENT_SECRET": "not-secret",
    }
    root = copy_of_the_app(tmp_path_factory.mktemp("dev") / "app")
    proc, url = launch_app(root, env, artifacts_dir / "dev-mode.log", dev=True)
    try:
        yield url
    finally:
        _stop(proc)


@pytest.mark.timeout(600)  # includes copying and building the app in development mode
def test_a_student_signs_in_under_make_dev(browser: Browser, seed: Seed, dev_app: str) -> None:
    student = seed.account("student")
    context = browser.new_context(base_url=dev_app)
    try:
        page = context.new_page()
        sign_in_through_form(page, student.email, PASSWORD)
        expect(page).to_have_url(home_url_re("student"), timeout=30_000)
        expect(page.get_by_text("Signed in as")).to_contain_text(student.name)
    finally:
        context.close()
