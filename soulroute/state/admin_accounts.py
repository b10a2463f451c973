"""/admin/accounts: create counselor and admin accounts (counselors get their profile at creation),
the counselors with their load, profile edits and capacity (recorded with a reason), deactivation
and reactivation (with a reason; the tickets a counselor still holds stay listed for reassignment)."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from soulroute.auth import accounts
from soulroute.db.models import UserRole
from soulroute.domain import admin, admin_accounts
from soulroute.domain.errors import DomainError, ValidationFailed
from soulroute.domain.rules import Actor
from soulroute.state.admin import text_of
from soulroute.state.admin_views import AdminRowView, CounselorView, admin_row_view, counselor_view
from soulroute.state.profile import form_to_input
from soulroute.state.session import SessionState, run_db


@dataclasses.dataclass
class StaffView:
    id: str = ""
    name: str = ""
    email: str = ""
    role: str = ""
    is_active: bool = True


class AdminAccountsState(SessionState):
    counselors: list[CounselorView] = []
    admins: list[StaffView] = []
    orphaned: list[AdminRowView] = []
    loaded: bool = False
    # Create form.
    create_role: str = "counselor"
    create_errors: dict[str, str] = {}
    create_error: str = ""
    creating: bool = False
    form_key: int = 0  # bumped after a success so the uncontrolled form starts empty again
    # Edit / status dialogs.
    dialog: str = ""  # "edit" | "status"
    target: CounselorView = CounselorView()
    target_id: str = ""
    target_name: str = ""
    target_active: bool = True
    target_held: list[AdminRowView] = []
    errors: dict[str, str] = {}
    form_error: str = ""
    saving: bool = False

    @rx.event
    async def load(self):
        actor = await self._actor(UserRole.ADMIN)
        if actor is None:
            return self._deny()
        self.dialog = ""
        return await self._reload(actor)

    @rx.event
    async def refresh(self):
        actor = await self._actor(UserRole.ADMIN)
        if actor is None:
            return self._deny()
        return await self._reload(actor)

    async def _reload(self, actor: Actor) -> rx.event.EventSpec | None:
        try:
            counselors = await run_db(admin_accounts.list_counselors, actor)
            staff = await run_db(admin_accounts.list_staff, actor)
            orphaned = await run_db(admin.orphaned_tickets, actor)
        except DomainError as exc:
            return rx.toast.error(exc.message)
        self.counselors = [counselor_view(c) for c in counselors]
        self.admins = [
            StaffView(str(s.id), s.display_name, s.email, s.role.value, s.is_active)
            for s in staff
            if s.role is UserRole.ADMIN
        ]
        self.orphaned = [admin_row_view(actor, r) for r in orphaned]
        self.loaded = True
        return None

    # --- create ----------------------------------------------------------------------------------

    @rx.event
    async def choose_role(self, role: str):
        actor = await self._actor(UserRole.ADMIN)
        if actor is None:
            return self._deny()
        self.create_role = role if role in ("counselor", "admin") else "counselor"
        return None

    @rx.event
    async def submit_create(self, form_data: dict):
        actor = await self._actor(UserRole.ADMIN)
        if actor is None:
            yield self._deny()
            return
        data: dict[str, Any] = {
            "role": self.create_role,
            "email": text_of(form_data, "email"),
            "display_name": text_of(form_data, "display_name"),
            "password": form_data.get("password", "") if isinstance(form_data, dict) else "",
        }
        if not isinstance(data["password"], str):
            data["password"] = ""
        if self.create_role == "counselor":
            profile = form_to_input(form_data)
            data |= {k: profile[k] for k in ("expertise", "session_modes", "on_call_crisis", "bio")}
            data["capacity"] = profile["capacity"] or "5"
        self.creating, self.create_errors, self.create_error = True, {}, ""
        yield
        try:
            await run_db(accounts.create_account, data, by=actor)
        except ValidationFailed as exc:
            self.create_errors = exc.errors
            self.create_error = "Please check the highlighted fields; no account was created."
        except DomainError as exc:
            self.create_error = exc.message
        else:
            self.form_key += 1
            yield rx.toast.success(f"Account created for {data['display_name']}.")
            yield await self._reload(actor)
        finally:
            self.creating = False

    # --- edit and status -------------------------------------------------------------------------

    def _find(self, user_id: Any) -> CounselorView | None:
        return next((c for c in self.counselors if c.id == str(user_id)), None)

    @rx.event
    async def open_edit(self, user_id: str):
        actor = await self._actor(UserRole.ADMIN)
        if actor is None:
            return self._deny()
        found = self._find(user_id)
        if found is None:
            return rx.toast.error("That counselor is not listed; refresh the page.")
        self.dialog, self.target, self.target_id, self.target_name = "edit", found, found.id, found.name
        self.errors, self.form_error, self.saving = {}, "", False
        return None

    @rx.event
    async def open_status(self, user_id: str):
        """Deactivate or reactivate: first shows the tickets the counselor still holds."""
        actor = await self._actor(UserRole.ADMIN)
        if actor is None:
            return self._deny()
        person = self._find(user_id) or next((a for a in self.admins if a.id == str(user_id)), None)
        if person is None:
            return rx.toast.error("That account is not listed; refresh the page.")
        self.dialog, self.target_id, self.target_name, self.target_active = (
            "status",
            person.id,
            person.name,
            (person.is_active),
        )
        self.errors, self.form_error, self.saving, self.target_held = {}, "", False, []
        if isinstance(person, CounselorView) and person.active:
            try:
                page = await run_db(admin.list_all_tickets, actor, {"counselor_id": person.id, "page_size": 100})
            except DomainError as exc:
                return rx.toast.error(exc.message)
            self.target_held = [
                admin_row_view(actor, r) for r in page.rows if r.status.value in ("claimed", "scheduled")
            ]
        return None

    @rx.event
    def dialog_changed(self, is_open: bool):
        if is_open is not True and not self.saving:
            self.dialog = ""

    async def _save(self, fn, data: dict[str, Any], success: str):
        actor = await self._actor(UserRole.ADMIN)
        if actor is None:
            yield self._deny()
            return
        self.saving, self.errors, self.form_error = True, {}, ""
        yield
        try:
            result = await run_db(fn, actor, data)
        except ValidationFailed as exc:
            self.errors = exc.errors
        except DomainError as exc:
            self.form_error = exc.message
        else:
            self.dialog = ""
            held = len(result) if isinstance(result, list) else 0
            note = f" They still hold {held} active ticket(s): reassign them below." if held else ""
            yield rx.toast.success(success + note)
            yield await self._reload(actor)
        finally:
            self.saving = False

    @rx.event
    async def submit_edit(self, form_data: dict):
        # The dialog's fields are named edit_* / edit-* (the create form on the same page has the plain names).
        raw = form_data if isinstance(form_data, dict) else {}
        fields = {str(k).removeprefix("edit_").removeprefix("edit-"): v for k, v in raw.items()}
        profile = form_to_input(fields)
        data = {
            "user_id": self.target_id,
            "display_name": text_of(fields, "display_name"),
            **{k: profile[k] for k in ("expertise", "session_modes", "capacity", "accepting_new", "on_call_crisis")},
            "bio": profile["bio"],
            "reason": text_of(fields, "reason"),
        }
        async for update in self._save(admin_accounts.update_counselor, data, "Profile saved and recorded."):
            yield update

    @rx.event
    async def submit_status(self, form_data: dict):
        data = {"user_id": self.target_id, "active": not self.target_active, "reason": text_of(form_data, "reason")}
        verb = "reactivated" if data["active"] else "deactivated; their sessions have ended"
        async for update in self._save(admin_accounts.set_account_status, data, f"Account {verb}."):
            yield update
