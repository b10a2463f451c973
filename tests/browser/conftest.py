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
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import create_engine

from soulroute.config import REPO_ROOT
from soulroute.launcher import reflex_command, reflex_env
from tests.browser.helpers import Seed

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    """A real OpenID provider on localhost for the app's single sign-on."""
    with run_server_in_thread(user_claims=SSO_USERS, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def launch_app(cwd: Path, env_overrides: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start `reflex run --env prod` in `cwd` on a free port and wait until page and backend answer."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = reflex_env(port)
    env["PUBLIC_URL"] = url
    env.pop("CORS_ALLOWED_ORIGINS", None)
    # Seeded tickets are backdated: keep crisis re-alerts out of other tests' data (tests/db covers them).
    env["CRISIS_ESCALATION_MINUTES"] = "1440"
    env |= env_overrides
    started = time.monotonic()
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv
            reflex_command(port, "127.0.0.1"),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    while not (_answers(f"{url}/ping") and _answers(f"{url}/")):
        if proc.poll() is not None:
            pytest.fail(f"app exited with {proc.returncode} before answering:\n{_tail(log_path)}")
        if time.monotonic() - started > START_TIMEOUT_S:
            _stop(proc)
            pytest.fail(f"app did not answer within {START_TIMEOUT_S:.0f}s:\n{_tail(log_path)}")
        time.sleep(0.5)
    print(f"\napp build + start: {time.monotonic() - started:.1f}s at {url}")
    return proc, url


@pytest.fixture(scope="session")
def app_url(artifacts_dir: Path, app_database_url: str, oidc_issuer: str) -> Iterator[str]:
    """Start the production server once; yield its URL (http://127.0.0.1:PORT, no trailing slash)."""
    env = {
        "DATABASE_URL": app_database_url,
        "OIDC_ISSUER": oidc_issuer,
        "OIDC_CLIENT_ID": "soulroute-tests",
        "OIDC_CLIENT_SECRET": "not-secret",
        "OIDC_DISPLAY_NAME": "Test University",
    }
    proc, url = launch_app(REPO_ROOT, env, artifacts_dir / "app-server.log")
    try:
        yield url
    finally:
        _stop(proc)


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
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
