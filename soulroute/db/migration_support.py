"""Small helpers shared by migrations."""

from __future__ import annotations

import re
from typing import Any


def runtime_role(op: Any) -> str:
    """The runtime role's name (from alembic's config attributes), checked to be a plain identifier."""
    role = op.get_context().config.attributes.get("app_role", "soulroute_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"invalid runtime role name: {role!r}")
    return role
