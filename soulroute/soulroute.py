"""The Reflex app (app_name "soulroute"): theme in rxconfig.py, pages in soulroute/pages, and the
HTTP routes that set the HttpOnly session cookie (soulroute/auth/routes.py) mounted around it."""

import reflex as rx

from soulroute.auth.presign import PreSignInCookieMiddleware
from soulroute.auth.routes import auth_app
from soulroute.calendar_routes import calendar_routes
from soulroute.live import limits
from soulroute.notify.background import run_forever as notification_loops
from soulroute.pages import register_pages
from soulroute.security_headers import SecurityHeadersMiddleware
from soulroute.state.boundary import TabBoundary
from soulroute.state.listener import listen_forever

# Whatever a client sends, a log line stays short (Reflex logs handler errors with their values).
limits.install_log_truncation()

app = rx.App(
    stylesheets=["/styles.css"],
    html_lang="en",
    head_components=[
        rx.el.meta(name="theme-color", content="#6e56cf"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
    # Reflex mounts itself (with the built pages) beneath the Starlette app, whose routes (/auth/...) come
    # first; the two middlewares then wrap all of it, so every page and route gets their headers.
    api_transformer=[auth_app(*calendar_routes()), PreSignInCookieMiddleware, SecurityHeadersMiddleware],
    backend_exception_handler=limits.backend_exception_handler,
    frontend_exception_handler=limits.frontend_exception_handler,
)
register_pages(app)
# Before every event: a tab's state is emptied when its session cookie changed or its session ended.
app.add_middleware(TabBoundary())
# Per connection: a generous event rate; excess events are dropped (message size: rxconfig.py).
limits.install_event_rate_limit(app)
# One LISTEN connection per backend process: ticket changes reach the tabs they concern.
app.register_lifespan_task(listen_forever)
# Crisis escalation and (with SMTP_HOST) notification email, both scheduled from the database.
app.register_lifespan_task(notification_loops)
