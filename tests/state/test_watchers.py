"""Which tabs a change notice concerns (soulroute/live/watchers.py): ids and status only, decided per tab."""

from __future__ import annotations

import uuid

from soulroute.db.models import UserRole
from soulroute.live.watchers import Watcher, concerned


def test_a_message_concerns_only_its_tickets_page_and_a_read_receipt_not_the_reader() -> None:
    student, counselor, ticket = uuid.uuid4(), uuid.uuid4(), str(uuid.uuid4())
    message = {"kind": "message", "ticket_id": ticket, "status": "claimed", "old_status": "claimed",
               "student_id": str(student), "counselor_id": str(counselor), "old_counselor_id": str(counselor)}  # fmt: skip
    on_page = Watcher(counselor, UserRole.COUNSELOR, object, ticket_id=ticket)
    on_board = Watcher(counselor, UserRole.COUNSELOR, object)
    admin_dashboard = Watcher(uuid.uuid4(), UserRole.ADMIN, object)
    student_list = Watcher(student, UserRole.STUDENT, object)
    assert concerned(on_page, message)
    assert not any(concerned(w, message) for w in (on_board, admin_dashboard, student_list))
    read = message | {"reader_id": str(counselor)}
    assert not concerned(on_page, read)  # Dr. Lee's own read: his page shows it already
    assert concerned(Watcher(student, UserRole.STUDENT, object, ticket_id=ticket), read)  # the student sees "Read"
