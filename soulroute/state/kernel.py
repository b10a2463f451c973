"""The state kernel: the one way a handler is written.

`@acts_as(role)` makes a method an event handler that acts for the signed-in user: the actor is resolved
once per event from the server-side session and given to the handler as its `actor` argument; whoever is
signed out or holds another role is sent away before the handler runs, and a refusal the domain raises
becomes an error toast. The client never names the actor, and the `actor` parameter is not part of what
the browser may send (the handler's public signature omits it).

`FormDialog` is the dialog piece: open and close, the id the dialog acts on (backend-only by
construction), field errors next to their fields, the typed text kept, and saving. `field_messages()`
is the one mapping from domain errors to what a form shows.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

import reflex as rx

from soulroute.db.models import UserRole
from soulroute.domain.errors import DomainError, ValidationFailed
from soulroute.domain.kernel import with_snapshot
from soulroute.domain.rules import Actor
from soulroute.state.session import SessionState, run_db

CLOSED = "That form is closed; open it again."
_SAME: Any = object()  # "the page's current view"


def _public(fn: Callable, wrapper: Callable) -> Callable:
    """`wrapper` shows the browser `fn`'s parameters without `actor` (what Reflex reads to take a payload)."""
    signature = inspect.signature(fn)
    wrapper.__signature__ = signature.replace(parameters=[p for n, p in signature.parameters.items() if n != "actor"])
    wrapper.__annotations__ = {k: v for k, v in fn.__annotations__.items() if k != "actor"}
    return wrapper


def acts_as(*roles: UserRole) -> Callable[[Callable], Any]:
    """An event handler for a signed-in user holding one of `roles` (any role when none are given)."""

    def decorate(fn: Callable) -> Any:
        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def stream(self: SessionState, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                actor = await _resolve(self, roles)
                if not isinstance(actor, Actor):
                    yield actor
                    return
                try:
                    async for update in fn(self, actor, *args, **kwargs):
                        yield update
                except DomainError as exc:
                    yield self._refused(exc)

            return rx.event(_public(fn, stream))

        @functools.wraps(fn)
        async def once(self: SessionState, *args: Any, **kwargs: Any) -> Any:
            actor = await _resolve(self, roles)
            if not isinstance(actor, Actor):
                return actor
            try:
                result = fn(self, actor, *args, **kwargs)
                return await result if inspect.isawaitable(result) else result
            except DomainError as exc:
                return self._refused(exc)

        return rx.event(_public(fn, once))

    return decorate


async def _resolve(state: SessionState, roles: tuple[UserRole, ...]) -> Actor | rx.event.EventSpec:
    """The actor, or what to send instead (sign-in, the user's own home, or the database being down)."""
    try:
        actor = await state._actor(*roles)
    except DomainError as exc:
        return state._refused(exc)
    return actor if actor is not None else state._deny()


def field_messages(exc: DomainError, fields_refused: str = "") -> tuple[dict[str, str], str]:
    """(messages next to fields, message for the whole form) for a refusal. `fields_refused` is the form's
    message when only fields were refused: a long form then also says so where its submit button is."""
    if isinstance(exc, ValidationFailed):
        return exc.errors, fields_refused
    if exc.field:
        return {exc.field: exc.message}, fields_refused
    return {}, exc.message or fields_refused


class FormDialog(rx.State, mixin=True):
    """One dialog at a time on a page: which one (`dialog`), what it acts on (`_target`, never sent to
    the browser), its field errors and form error, and whether it is saving."""

    dialog: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    saving: bool = False
    _target: str = ""

    def _open_dialog(self, kind: str, target: str = "") -> None:
        self.dialog, self._target = kind, target
        self.errors, self.form_error, self.saving = {}, "", False

    def _refuse(self, errors: dict[str, str], form_error: str = "") -> None:
        """Input checked before the domain was asked: shown like the domain's own refusals."""
        self.errors, self.form_error = errors, form_error

    @rx.event
    def dialog_changed(self, is_open: bool):
        """Radix asks to close (Escape, Cancel, outside click): only closing is honoured, and not mid-save."""
        if is_open is not True and not self.saving:
            self.dialog = ""

    async def _save(
        self,
        operation: Callable,
        actor: Actor,
        data: Any,
        success: str | Callable[[Any], str],
        after: Callable[[Any], Any] | None = None,
    ) -> AsyncIterator[Any]:
        """Run a domain operation for the open dialog. On success the dialog closes with a toast, then
        `after(result)` runs (a reload); on refusal the messages stand next to their fields and the dialog
        stays open with what was typed."""
        if not self.dialog:  # a submit without its dialog open (a forged or stale event)
            yield rx.toast.error(CLOSED)
            return
        self.saving, self.errors, self.form_error = True, {}, ""
        yield
        try:
            result = await run_db(operation, actor, data)
        except DomainError as exc:
            self.errors, self.form_error = field_messages(exc)
            return
        finally:
            self.saving = False
        self.dialog = ""
        yield rx.toast.success(success(result) if callable(success) else success)
        if after is not None:
            follow_up = after(result)
            yield (await follow_up) if inspect.isawaitable(follow_up) else follow_up


class PartRead:
    """Marks a read of part of a page (e.g. a ticket's conversation): the page's snapshot stays that of its
    last whole read, so a change the part did not read is still shown when its own notice arrives."""


class LivePage(rx.State, mixin=True):
    """A page that shows what the database says for its user and follows every change live.

    The state says what its reads depend on (`_live_view`: filters, a ticket id; hashable), how to read
    (`_live_read`, a class method run in a worker thread: the same for every tab of the same user and
    view) and how to show what was read (`_live_show`). The listener reads once per user and view and
    shows the result in each of their tabs; a tab whose data was read after a change committed (its own
    action reloaded it) is not refreshed again."""

    def _live_view(self) -> Hashable:
        return None

    @classmethod
    def _live_read(cls, actor: Actor, view: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def _live_read_for(cls, actor: Actor, view: Any, change: dict[str, Any] | None) -> Any:
        """What a change notice needs read: the whole page, unless the page can read only the part that a
        kind of change touches (then it returns a PartRead, and `_live_show` takes that too)."""
        return cls._live_read(actor, view)

    def _live_show(self, actor: Actor, data: Any) -> None:
        raise NotImplementedError

    def _live_ticket(self, view: Any) -> str | None:
        """The one ticket the page shows, if it shows one (a ticket's own page)."""
        return None

    async def _show_latest(self, actor: Actor, view: Hashable = _SAME) -> None:
        """Read for this user and `view` (default: the page's current one), show it, and register."""
        view = self._live_view() if view is _SAME else view
        data, seen = await run_db(with_snapshot, type(self)._live_read, actor, view)
        self._live_show(actor, data)
        self._watch(actor, self._live_ticket(view), view=view, seen=seen)
