"""Reflex configuration. Reflex's own ORM is not used (db_url stays unset): see soulroute/db."""

import os

import reflex as rx

from soulroute.config import get_settings


def _cors_origins() -> list[str]:
    """CORS_ALLOWED_ORIGINS (comma-separated) or the public URL, plus its 127.0.0.1 twin for localhost."""
    explicit = os.environ.get("CORS_ALLOWED_ORIGINS", "").strip()
    if explicit:
        return [o.strip().rstrip("/") for o in explicit.split(",") if o.strip()]
    public = get_settings().public_url.rstrip("/")
    origins = [public]
    if "//localhost" in public:
        origins.append(public.replace("//localhost", "//127.0.0.1", 1))
    return origins


_settings = get_settings()
# Reflex reads only REFLEX_-prefixed variables and defaults to pickling every tab's state into `.states/`
# (ticket text on disk, outside row-level security). The state manager is chosen here on purpose: Redis
# when REDIS_URL is set (several workers share it), otherwise memory. Never disk.
_STATE_MANAGER = "redis" if _settings.redis_url else "memory"
# Socket.IO's largest accepted message (Reflex reads this variable when the app starts).
os.environ["REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE"] = str(_settings.socket_max_message_bytes)

config = rx.Config(
    app_name="soulroute",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=_cors_origins(),
    deploy_url=_settings.public_url,
    # The built front end is compressed once at build time and served as is (Reflex's precompressed
    # sidecars): Brotli first (a sixth smaller than gzip on this bundle, the 694 KiB global stylesheet
    # 83 -> 51 KiB), gzip for clients without it.
    frontend_compression_formats=["brotli", "gzip"],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="violet", radius="large"))],
    # No public sitemap: there is nothing to index behind the sign-in.
    disable_plugins=[rx.plugins.SitemapPlugin],
    # Reflex's ORM (rx.Model, `reflex db`) stays off: no db_url, so no sqlite file and no alembic of its own.
    db_url=None,
    state_manager_mode=_STATE_MANAGER,
    redis_url=_settings.redis_url,
    # Tab states (memory or Redis) expire after this long without an event; ending a session deletes them.
    redis_token_expiration=_settings.state_expiry(),
)
