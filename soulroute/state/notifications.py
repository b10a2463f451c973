"""The notification centre: the unread count in the shell's bell (every signed-in page) and the list
on /notifications.

Every handler derives the user from the server-side session and reads or marks through
soulroute/notify/inbox.py under that user's identity, so row-level security limits it to their own
notifications whatever id a client sends. A push from the database (soulroute/state/listener.py, on_notification) calls
`_on_push`, which re-reads the same way and returns the toast to show.
"""

from __future__ import annotations

import dataclasses

import reflex as rx
from reflex_components_sonner.toast import ToastAction

from soulroute.domain.errors import DomainError
from soulroute.domain.rules import Actor
from soulroute.live import watchers
from soulroute.notify import inbox
from soulroute.state.kernel import acts_as
from soulroute.state.session import SessionState, run_db
from soulroute.state.views import iso

PAGE = "/notifications"
LOAD_FAILED = "We could not load your notifications just now. Please try again in a moment."


@dataclasses.dataclass
class NotificationView:
    id: int = 0
    body: str = ""
    href: str = ""
    created_at: str = ""
    unread: bool = False


def _view(row: inbox.NotificationRow) -> NotificationView:
    return NotificationView(
        id=row.id,
        body=row.body,
        href=f"/tickets/{row.ticket_id}" if row.ticket_id else "",
        created_at=iso(row.created_at),
        unread=row.read_at is None,
    )


class NotificationsState(SessionState):
    unread: int = 0
    unread_messages: int = 0  # conversations with a new message: shown on the navigation
    items: list[NotificationView] = []
    loaded: bool = False
    load_error: str = ""

    @rx.var
    def bell_label(self) -> str:
        if self.unread == 0:
            return "Notifications, none unread"
        return f"Notifications, {self.unread} unread"

    @rx.var
    def unread_badge(self) -> str:
        return "99+" if self.unread > 99 else str(self.unread)

    async def _me(self) -> Actor | None:
        """The signed-in user (any role), remembered as this tab's for live pushes."""
        actor = await self._actor()
        if actor is not None:
            watchers.watch_bell(self.router.session.client_token, actor.id)
        return actor

    async def _reload(self, actor: Actor, *, with_list: bool) -> None:
        try:
            if with_list:
                box = await run_db(inbox.inbox, actor)
                self.unread, self.items, self.loaded = box.unread, [_view(r) for r in box.items], True
                self.unread_messages = box.unread_messages
            else:
                self.unread, self.unread_messages = await run_db(inbox.unread_counts, actor)
            self.load_error = ""
        except DomainError as exc:
            self.load_error = exc.message or LOAD_FAILED
        except Exception:  # database briefly unreachable: keep what is shown, say so on the page
            self.load_error = LOAD_FAILED

    def _on_page(self) -> bool:
        return (self.router.url.path or "").rstrip("/") == PAGE

    @rx.event
    async def load_count(self):
        """The bell, on every signed-in page: the unread count only."""
        try:
            actor = await self._me()
        except DomainError:
            return None
        if actor is not None:
            await self._reload(actor, with_list=False)
        return None

    @rx.event
    def load(self):
        """/notifications on_load (after the guard): the count and the latest 50."""
        self.loaded = False
        return NotificationsState.refresh

    @acts_as()
    async def refresh(self, actor: Actor):
        watchers.watch_bell(self.router.session.client_token, actor.id)
        await self._reload(actor, with_list=True)

    @acts_as()
    async def mark_read(self, actor: Actor, notification_id: int):
        await run_db(inbox.mark_read, actor, notification_id)  # validated there, scoped by RLS
        await self._reload(actor, with_list=True)

    @acts_as()
    async def mark_all_read(self, actor: Actor):
        count = await run_db(inbox.mark_all_read, actor)
        await self._reload(actor, with_list=True)
        return rx.toast.success("All notifications marked as read.") if count else None

    async def _resync(self) -> None:
        """Notices may have been missed (the listener was reconnecting): re-read the count, and the list
        if it is on screen, for whoever this tab is signed in as now."""
        try:
            current = await self._signed_in(touch=False)
        except DomainError:
            return
        if current is not None:
            await self._reload(current.actor, with_list=self._on_page() or self.loaded)

    async def _on_push(self, notification_id: int) -> rx.event.EventSpec | None:
        """A new notification for this tab's user: refresh, then a toast unless the list is on screen.
        The text is re-read through RLS for whoever this tab is signed in as now (the push carries ids
        only), and the check does not count as activity."""
        try:
            current = await self._signed_in(touch=False)
        except DomainError:
            return None
        self._show(current)
        if current is None:
            return None
        actor = current.actor
        on_page = self._on_page()
        await self._reload(actor, with_list=on_page or self.loaded)
        if on_page:
            return None
        try:
            row = await run_db(inbox.get, actor, notification_id)
        except DomainError:
            return None
        if row is None or row.read_at is not None:
            return None
        href = f"/tickets/{row.ticket_id}" if row.ticket_id else PAGE
        if row.kind == "message" and (self.router.url.path or "").rstrip("/") == href:
            # A new message in the conversation on screen: it shows there, so it is read, with no toast.
            await run_db(inbox.mark_read, actor, row.id)
            await self._reload(actor, with_list=self.loaded)
            return None
        return rx.toast.info(
            row.body,
            duration=8_000,
            close_button=True,
            action=ToastAction(label="Open", on_click=rx.redirect(href)),
        )
