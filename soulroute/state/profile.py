"""The counselor's profile page: expertise, modes offered, capacity, availability, bio."""

from __future__ import annotations

from typing import Any

import reflex as rx

from soulroute.db.models import SessionMode, TicketCategory, UserRole
from soulroute.domain import profiles, tickets
from soulroute.domain.errors import DomainError
from soulroute.domain.profiles import ProfileRow
from soulroute.domain.rules import Actor
from soulroute.state.kernel import acts_as, field_messages
from soulroute.state.session import SessionState, run_db


def form_to_input(form_data: Any) -> dict[str, Any]:
    """The form's fields as ProfileInput expects them. Checkboxes arrive as `expertise-<value>` keys
    (present when ticked); anything else in the form is ignored, and ProfileInput validates the rest."""
    data = form_data if isinstance(form_data, dict) else {}
    capacity = data.get("capacity", "")
    return {
        "expertise": [c.value for c in TicketCategory if data.get(f"expertise-{c.value}")],
        "session_modes": [m.value for m in SessionMode if data.get(f"mode-{m.value}")],
        "capacity": capacity.strip() if isinstance(capacity, str) else "",
        "accepting_new": bool(data.get("accepting_new")),
        "on_call_crisis": bool(data.get("on_call_crisis")),
        "bio": data.get("bio", "") if isinstance(data.get("bio", ""), str) else "",
    }


class ProfileState(SessionState):
    expertise: list[str] = []
    session_modes: list[str] = []
    capacity: int = 0
    accepting_new: bool = True
    on_call_crisis: bool = False
    bio: str = ""
    active: int = 0
    loaded: bool = False
    saving: bool = False
    errors: dict[str, str] = {}
    form_error: str = ""

    def _show_profile(self, row: ProfileRow) -> None:
        self.expertise = [c.value for c in row.expertise]
        self.session_modes = [m.value for m in row.session_modes]
        self.capacity, self.accepting_new, self.on_call_crisis = row.capacity, row.accepting_new, row.on_call_crisis
        self.bio = row.bio

    @acts_as(UserRole.COUNSELOR)
    async def load(self, actor: Actor):
        self.errors, self.form_error = {}, ""
        self._show_profile(await run_db(profiles.get_profile, actor))
        self.active, _ = await run_db(tickets.counselor_workload, actor)
        self.loaded = True

    @acts_as(UserRole.COUNSELOR)
    async def save(self, actor: Actor, form_data: dict):
        self.saving, self.errors, self.form_error = True, {}, ""
        yield
        try:
            row = await run_db(profiles.update_profile, actor, form_to_input(form_data))
        except DomainError as exc:
            self.errors, self.form_error = field_messages(
                exc, "Please check the highlighted fields; nothing was saved."
            )
            return
        finally:
            self.saving = False
        self._show_profile(row)
        yield rx.toast.success("Profile saved. The board follows it from now on.")
