"""Where each role lands, and which return addresses are safe to follow after sign-in."""

from __future__ import annotations

from soulroute.db.models import UserRole

# Every form's action (components/forms.py app_form): a submit before the page's script runs is posted
# there (never a GET that would put the fields, a password among them, into the URL) and dropped unread.
NO_SCRIPT_ACTION = "/auth/no-script"

HOME = {UserRole.STUDENT: "/tickets", UserRole.COUNSELOR: "/board", UserRole.ADMIN: "/admin"}


def home_for(role: UserRole) -> str:
    return HOME[role]


def safe_next(path: str | None) -> str | None:
    """A same-site path to return to, or None: never another host (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 500:
        return None
    if any(ord(c) < 32 for c in path) or path.startswith(("/auth/", "/signin", "/signup")):
        return None
    return path
