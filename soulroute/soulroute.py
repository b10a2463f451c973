"""The Reflex app (app_name "soulroute"): theme in rxconfig.py, pages in soulroute/pages, and the
HTTP routes that set the HttpOnly session cookie (soulroute/auth/routes.py) mounted around it."""

import reflex as rx

from soulroute.auth.presign import PreSignInCookieMiddleware
from soulroute.auth.routes import auth_app
from soulroute.live.listener import listen_forever
from soulroute.notify.background import run_forever as notification_loops
from soulroute.pages import register_pages
from soulroute.security_headers import SecurityHeadersMiddleware

app = rx.App(
    stylesheets=["/styles.css"],
    html_lang="en",
    head_components=[
        rx.el.meta(name="theme-color", content="#6e56cf"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
    # Reflex mounts itself (with the built pages) beneath the Starlette app, whose routes (/auth/...) come
    # first; the two middlewares then wrap all of it, so every page and route gets their headers.
    api_transformer=[auth_app(), PreSignInCookieMiddleware, SecurityHeadersMiddleware],
)
register_pages(app)
# One LISTEN connection per backend process: ticket changes reach the tabs they concern.
app.register_lifespan_task(listen_forever)
# Crisis escalation and (with SMTP_HOST) notification email, both scheduled from the database.
app.register_lifespan_task(notification_loops)
