"""The Reflex app (app_name "soulroute"): theme in rxconfig.py, pages in soulroute/pages."""

import reflex as rx

from soulroute.pages import register_pages

app = rx.App(
    stylesheets=["/styles.css"],
    html_lang="en",
    head_components=[
        rx.el.meta(name="theme-color", content="#6e56cf"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
)
register_pages(app)
