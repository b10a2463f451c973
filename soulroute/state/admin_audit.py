"""/admin/audit: what one account did over a period: ticket history it caused, account changes it
made, and the records (descriptions, session notes) it opened, with the reasons given."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from soulroute.db.models import UserRole
from soulroute.domain import admin_accounts
from soulroute.domain.errors import ValidationFailed
from soulroute.domain.rules import Actor
from soulroute.state.admin import text_of
from soulroute.state.admin_views import ActivityView, activity_view
from soulroute.state.kernel import acts_as
from soulroute.state.session import SessionState, run_db


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class AdminAuditState(SessionState):
    email: str = ""
    start: str = ""
    end: str = ""
    account_name: str = ""
    activity: list[ActivityView] = []
    searched: bool = False
    errors: dict[str, str] = {}
    searching: bool = False

    @acts_as(UserRole.ADMIN)
    def load(self, actor: Actor):
        today = datetime.now(UTC).date()
        self.start, self.end = (today - timedelta(days=30)).isoformat(), today.isoformat()
        self.errors, self.searched, self.activity = {}, False, []

    @acts_as(UserRole.ADMIN)
    async def search_activity(self, actor: Actor, form_data: dict):
        email, start, end = (text_of(form_data, k) for k in ("email", "start", "end"))
        self.email, self.start, self.end = email[:254], start[:10], end[:10]
        first, last = parse_day(self.start), parse_day(self.end)
        self.errors = period_errors(first, last) | ({} if email else {"email": "Email is required."})
        if self.errors:
            return
        self.searching = True
        yield
        try:
            account = await run_db(admin_accounts.find_account, actor, email)
            period = {"start": datetime.combine(first, time.min, UTC), "end": datetime.combine(last, time.min, UTC)}
            period["end"] += timedelta(days=1)
            rows = await run_db(admin_accounts.account_activity, actor, {"user_id": account.id, **period})
        except ValidationFailed as exc:
            self.errors = exc.errors
            return
        finally:
            self.searching = False
        self.account_name = f"{account.display_name} ({account.role.value})"
        self.activity = [activity_view(r) for r in rows]
        self.searched = True


def period_errors(first: date | None, last: date | None) -> dict[str, str]:
    errors = {}
    if first is None:
        errors["start"] = "Enter a start date."
    if last is None:
        errors["end"] = "Enter an end date."
    elif first and last < first:
        errors["end"] = "The end date is before the start date."
    return errors
