"""/admin/accounts: create counselor and admin accounts (counselors get their profile at creation),
the counselors with their load, profile edits and capacity (recorded with a reason), deactivation
and reactivation (with a reason; the tickets a counselor still holds stay listed for reassignment)."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import reflex as rx

from soulroute.auth import accounts
from soulroute.db.models import UserRole
from soulroute.domain import admin, admin_accounts
from soulroute.domain.errors import DomainError
from soulroute.domain.rules import Actor
from soulroute.state.admin import text_of
from soulroute.state.admin_views import AdminRowView, CounselorView, admin_row_view, counselor_view
from soulroute.state.kernel import FormDialog, acts_as, field_messages
from soulroute.state.profile import form_to_input
from soulroute.state.session import SessionState, run_db


@dataclasses.dataclass
class StaffView:
    id: str = ""
    name: str = ""
    email: str = ""
    role: str = ""
    is_active: bool = True


class AdminAccountsState(FormDialog, SessionState):
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
    # Edit / status dialogs (FormDialog: "edit" | "status"; the account acted on is its `_target`).
    target: CounselorView = CounselorView()
    target_name: str = ""
    target_active: bool = True
    target_held: list[AdminRowView] = []

    @acts_as(UserRole.ADMIN)
    async def load(self, actor: Actor):
        self.dialog = ""
        await self._reload(actor)

    @acts_as(UserRole.ADMIN)
    async def refresh(self, actor: Actor):
        await self._reload(actor)

    async def _reload(self, actor: Actor, _result: Any = None) -> None:
        counselors = await run_db(admin_accounts.list_counselors, actor)
        staff = await run_db(admin_accounts.list_staff, actor)
        orphaned = await run_db(admin.orphaned_tickets, actor)
        self.counselors = [counselor_view(c) for c in counselors]
        self.admins = [
            StaffView(str(s.id), s.display_name, s.email, s.role.value, s.is_active)
            for s in staff
            if s.role is UserRole.ADMIN
        ]
        self.orphaned = [admin_row_view(actor, r) for r in orphaned]
        self.loaded = True

    # --- create ----------------------------------------------------------------------------------

    @acts_as(UserRole.ADMIN)
    def choose_role(self, actor: Actor, role: str):
        self.create_role = role if role in ("counselor", "admin") else "counselor"

    @acts_as(UserRole.ADMIN)
    async def submit_create(self, actor: Actor, form_data: dict):
        data = self._create_input(form_data)
        self.creating, self.create_errors, self.create_error = True, {}, ""
        yield
        try:
            await run_db(accounts.create_account, data, by=actor)
        except DomainError as exc:
            refused = "Please check the highlighted fields; no account was created."
            self.create_errors, self.create_error = field_messages(exc, refused)
            return
        finally:
            self.creating = False
        self.form_key += 1
        yield rx.toast.success(f"Account created for {data['display_name']}.")
        await self._reload(actor)

    def _create_input(self, form_data: Any) -> dict[str, Any]:
        password = form_data.get("password", "") if isinstance(form_data, dict) else ""
        data: dict[str, Any] = {
            "role": self.create_role,
            "email": text_of(form_data, "email"),
            "display_name": text_of(form_data, "display_name"),
            "password": password if isinstance(password, str) else "",
        }
        if self.create_role == "counselor":
            profile = form_to_input(form_data)
            data |= {k: profile[k] for k in ("expertise", "session_modes", "on_call_crisis", "bio")}
            data["capacity"] = profile["capacity"] or "5"
        return data

    # --- edit and status -------------------------------------------------------------------------

    def _find(self, user_id: Any) -> CounselorView | None:
        return next((c for c in self.counselors if c.id == str(user_id)), None)

    @acts_as(UserRole.ADMIN)
    def open_edit(self, actor: Actor, user_id: str):
        found = self._find(user_id)
        if found is None:
            return rx.toast.error("That counselor is not listed; refresh the page.")
        self._open_dialog("edit", found.id)
        self.target, self.target_name = found, found.name
        return None

    @acts_as(UserRole.ADMIN)
    async def open_status(self, actor: Actor, user_id: str):
        """Deactivate or reactivate: first shows the tickets the counselor still holds."""
        person = self._find(user_id) or next((a for a in self.admins if a.id == str(user_id)), None)
        if person is None:
            return rx.toast.error("That account is not listed; refresh the page.")
        self._open_dialog("status", person.id)
        self.target_name, self.target_active, self.target_held = person.name, person.is_active, []
        if isinstance(person, CounselorView) and person.active:
            page = await run_db(admin.list_all_tickets, actor, {"counselor_id": person.id, "page_size": 100})
            self.target_held = [
                admin_row_view(actor, r) for r in page.rows if r.status.value in ("claimed", "scheduled")
            ]
        return None

    @rx.event
    def submit_dialog(self, form_data: dict):
        """The open dialog's form (one dialog, two forms): each handler checks the admin itself."""
        handler = AdminAccountsState.submit_edit if self.dialog == "edit" else AdminAccountsState.submit_status
        return handler(form_data)

    @acts_as(UserRole.ADMIN)
    async def submit_edit(self, actor: Actor, form_data: dict):
        # The dialog's fields are named edit_* / edit-* (the create form on the same page has the plain names).
        raw = form_data if isinstance(form_data, dict) else {}
        fields = {str(k).removeprefix("edit_").removeprefix("edit-"): v for k, v in raw.items()}
        profile = form_to_input(fields)
        data = {
            "user_id": self._target,
            "display_name": text_of(fields, "display_name"),
            **{k: profile[k] for k in ("expertise", "session_modes", "capacity", "accepting_new", "on_call_crisis")},
            "bio": profile["bio"],
            "reason": text_of(fields, "reason"),
        }
        after = functools.partial(self._reload, actor)
        async for update in self._save(
            admin_accounts.update_counselor, actor, data, "Profile saved and recorded.", after
        ):
            yield update

    @acts_as(UserRole.ADMIN)
    async def submit_status(self, actor: Actor, form_data: dict):
        data = {"user_id": self._target, "active": not self.target_active, "reason": text_of(form_data, "reason")}
        verb = "reactivated" if data["active"] else "deactivated; their sessions have ended"

        def success(held: list[Any]) -> str:
            note = f" They still hold {len(held)} active ticket(s): reassign them below." if held else ""
            return f"Account {verb}.{note}"

        after = functools.partial(self._reload, actor)
        async for update in self._save(admin_accounts.set_account_status, actor, data, success, after):
            yield update
