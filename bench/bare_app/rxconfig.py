"""The anchor of `bench.events`: a bare Reflex app, configured like SoulRoute's own (see the repo's rxconfig.py).

Copied into a temporary folder at bench time and served with `reflex run --env prod`; never built here."""

import os

import reflex as rx

config = rx.Config(
    app_name="bare",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=[os.environ["PUBLIC_URL"]],
    deploy_url=os.environ["PUBLIC_URL"],
    plugins=[rx.plugins.RadixThemesPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
    db_url=None,
)
