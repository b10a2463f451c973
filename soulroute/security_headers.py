"""Security headers on every HTTP response of the app: pages, /auth/*, calendar files, assets.

One ASGI middleware around the whole backend (Reflex mounts the built front end inside it in
production). The Content-Security-Policy is as strict as Reflex's front end allows:

- script-src: our own files, plus the exact inline scripts of the build (React Router's context, the
  theme and scroll restorers), allowed one by one by their SHA-256 hash, read from the built HTML.
  'unsafe-eval' is needed: Reflex's event loop runs `rx.call_script` and event callbacks with eval().
- style-src 'unsafe-inline': Radix and emotion write <style> elements and style attributes at run time.
- connect-src: the page's own origin, and the websocket of PUBLIC_URL (the Reflex event socket).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from reflex.utils import prerequisites
from reflex_base import constants
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soulroute.config import get_settings

# Where `reflex run --env prod` puts the built pages it serves (the same path Reflex mounts).
BUILD_DIR = prerequisites.get_web_dir() / constants.Dirs.STATIC
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
# Files that are the same for everyone (hashed names under /assets/): the only responses that may be cached.
_STATIC_SUFFIXES = (".js", ".css", ".svg", ".png", ".ico", ".woff", ".woff2", ".map", ".webmanifest")
# The build's own files carry a content hash in their name (Vite: `name-<8 characters>.js`): a new build
# gives new names, so a browser may keep them for a year without asking again.
_HASHED_ASSET = re.compile(r"^/assets/[^/]+-[A-Za-z0-9_-]{8}\.(?:js|css|woff2?|svg|png)$")
IMMUTABLE = "public, max-age=31536000, immutable"
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope", "hid",
        "magnetometer", "microphone", "midi", "payment", "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


def inline_script_hashes(build_dir: Path = BUILD_DIR) -> list[str]:
    """CSP sources ('sha256-…') for every inline script in the built pages, sorted, without repeats."""
    hashes = set()
    for page in build_dir.rglob("*.html"):
        for body in _INLINE_SCRIPT.findall(page.read_bytes()):
            hashes.add("'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'")
    return sorted(hashes)


def content_security_policy(public_url: str, script_hashes: list[str]) -> str:
    parts = urlsplit(public_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", f"{socket_scheme}://{parts.netloc}"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _cacheable(path: str) -> bool:
    return path.startswith("/assets/") or path.endswith(_STATIC_SUFFIXES)


class SecurityHeadersMiddleware:
    """Adds the headers to every HTTP response; `no-store` on everything but static assets, a year's
    `immutable` caching on the build's content-hashed files."""

    def __init__(self, app: ASGIApp, build_dir: Path = BUILD_DIR) -> None:
        self.app = app
        self.build_dir = build_dir
        self._csp: str | None = None
        settings = get_settings()
        self.public_url = settings.public_url
        self.hsts = settings.public_url.startswith("https://")

    def csp(self) -> str:
        # Read once the build exists (the production server starts after the build; in `make dev` pages
        # come from Vite, not from here).
        if self._csp is None:
            policy = content_security_policy(self.public_url, inline_script_hashes(self.build_dir))
            if not self.build_dir.is_dir():
                return policy
            self._csp = policy
        return self._csp

    def headers_for(self, path: str) -> dict[str, str]:
        headers = {
            "Content-Security-Policy": self.csp(),
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Permissions-Policy": PERMISSIONS_POLICY,
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Resource-Policy": "same-origin",
        }
        if self.hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = self.headers_for(path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
                if not _cacheable(path) or headers.get("content-type", "").startswith("text/html"):
                    headers["Cache-Control"] = "no-store"
                elif message["status"] == 200 and _HASHED_ASSET.match(path):
                    headers["Cache-Control"] = IMMUTABLE
            await send(message)

        await self.app(scope, receive, send_with_headers)
