"""Browser tests: the app is built and served ONCE per session (`reflex run --env prod` on a free port).

Chromium comes from Debian (`/usr/bin/chromium`, or CHROMIUM_PATH): Playwright's own browser download is
never used. The app gets its own fresh database from tests/conftest.py (`app_database_url`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import create_engine

from soulroute.config import REPO_ROOT
from soulroute.launcher import reflex_command, reflex_env
from tests.browser.helpers import Seed
from tests.conftest import drop_database, fresh_database, server_admin_url_for_tests

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLOSED_TODAY = ("Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon")  # by today's weekday: tomorrow's name
START_TIMEOUT_S = float(os.environ.get("SOULROUTE_TEST_START_TIMEOUT", "900"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback URL we built
            return resp.status == 200
    except OSError:
        return False


def _tail(path: Path, lines: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


SSO_USERS = [
    User(sub="sso-river", claims={"email": "river@university.example", "email_verified": True, "name": "River Stone"}),
]


def launch_app(
    cwd: Path, env_overrides: dict[str, str], log_path: Path, *, dev: bool = False
) -> tuple[subprocess.Popen, str]:
    """Start the app as `make run` does (`make dev` with `dev`) in `cwd` on a free port; wait until page
    and backend answer."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = reflex_env(port)
    env["PUBLIC_URL"] = url
    env.pop("CORS_ALLOWED_ORIGINS", None)
    # Seeded tickets are backdated: keep crisis re-alerts out of other tests' data (tests/db covers them).
    env["CRISIS_ESCALATION_MINUTES"] = "1440"
    # Were Reflex's disk state manager ever back, it would write at once (test_tab_state.py looks).
    env["REFLEX_STATE_MANAGER_DISK_DEBOUNCE"] = "0"
    # The center is closed today (open only on tomorrow's weekday): a student's message always meets the
    # out-of-hours notice, whatever time the suite runs (test_conversation.py looks at it).
    env["COUNSELING_HOURS"] = f"{CLOSED_TODAY[datetime.now(UTC).weekday()]} 09:00-17:00"
    env |= env_overrides
    started = time.monotonic()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv
            reflex_command(port, "127.0.0.1", dev=dev),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    while not (_answers(f"{url}/ping") and _answers(f"{url}/")):
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode} before answering:\n{_tail(log_path)}")
        if time.monotonic() - started > START_TIMEOUT_S:
            _stop(proc)
            raise RuntimeError(f"app did not answer within {START_TIMEOUT_S:.0f}s:\n{_tail(log_path)}")
        time.sleep(0.5)
    print(f"\napp build + start: {time.monotonic() - started:.1f}s at {url}")
    return proc, url


def copy_of_the_app(dest: Path) -> Path:
    """A copy of the app for a second server (its own front-end build, whose pages name its own port),
    reusing the installed packages."""
    skip = {REPO_ROOT / n for n in (".git", ".data", ".venv", ".states", ".web/build", "tests/artifacts")}

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if Path(folder, n) in skip or n == "__pycache__"}

    shutil.copytree(REPO_ROOT, dest, ignore=ignore, symlinks=True)
    return dest


class AppUnderTest:
    """The app the browser tests drive: its own fresh database, a real OpenID provider, and the production
    server. Started as soon as collection finds a browser test, so the front-end build runs while the
    database tests do; the first browser test waits for it outside its own deadline (pytest-timeout), under
    START_TIMEOUT_S, and every later one finds it ready."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._thread: threading.Thread | None = None
        self.proc: subprocess.Popen | None = None
        self.url = self.database_url = self.issuer = ""
        self.error: str | None = None

    def start(self) -> None:
        admin_url = server_admin_url_for_tests()
        self.database_url = fresh_database(admin_url, "app")
        self._stack.callback(drop_database, admin_url, self.database_url)
        server = self._stack.enter_context(run_server_in_thread(user_claims=SSO_USERS, require_nonce=True))
        self.issuer = f"http://localhost:{server.server_port}"
        self._thread = threading.Thread(target=self._launch, name="app-under-test", daemon=True)
        self._thread.start()

    def _launch(self) -> None:
        env = {
            "DATABASE_URL": self.database_url,
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": "soulroute-tests",
            "OIDC_CLIENT_SECRET": "not-secret",
            "OIDC_DISPLAY_NAME": "Test University",
        }
        try:
            self.proc, self.url = launch_app(REPO_ROOT, env, ARTIFACTS / "app-server.log")
        except BaseException as exc:  # noqa: BLE001 - reported by the fixture that needs the app
            self.error = str(exc)

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def ready_url(self) -> str:
        if self._thread is None:
            self.start()
        self.wait()
        if self.error or not self.url:
            pytest.fail(f"the app under test did not start: {self.error}")
        return self.url

    def stop(self) -> None:
        self.wait()
        if self.proc is not None:
            _stop(self.proc)
        self._stack.close()


APP = AppUnderTest()


def _is_browser_test(item: pytest.Item) -> bool:
    return Path(str(item.path)).is_relative_to(Path(__file__).parent)


def pytest_collection_finish(session: pytest.Session) -> None:
    # Not for a collection alone: building would rewrite the front end a running test session is serving.
    if not session.config.option.collectonly and any(_is_browser_test(item) for item in session.items):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        APP.start()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item):
    """Outside pytest-timeout's wrapper: waiting for the one-time build is not part of any test's deadline."""
    if _is_browser_test(item):
        APP.wait()
    yield


def pytest_sessionfinish(session: pytest.Session) -> None:
    APP.stop()


@pytest.fixture(scope="session")
def app_database_url() -> str:
    """The running app's own database (created by AppUnderTest, dropped at the end of the run)."""
    APP.ready_url()
    return APP.database_url


@pytest.fixture(scope="session")
def oidc_issuer() -> str:
    APP.ready_url()
    return APP.issuer


@pytest.fixture(scope="session")
def app_url() -> str:
    """The production server's URL (http://127.0.0.1:PORT, no trailing slash)."""
    return APP.ready_url()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def seed(app_database_url: str) -> Iterator[Seed]:
    """Owner access to the running app's own database."""
    engine = create_engine(app_database_url, pool_size=2)
    yield Seed(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def base_url(app_url: str) -> str:
    """pytest-playwright's `page.goto("/")` resolves against this."""
    return app_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium where it is (`make test` installs it as root); else Playwright's own download."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    return {**args, "executable_path": CHROMIUM} if Path(CHROMIUM).exists() else args
