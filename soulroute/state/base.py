"""The root of SoulRoute's own states. It holds nothing yet: session handling comes with sign-in."""

from __future__ import annotations

import reflex as rx


class AppState(rx.State):
    """Parent of the app's feature states."""
