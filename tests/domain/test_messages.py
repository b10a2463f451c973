"""A ticket's conversation (issue 13): written by its student and its holder while the ticket is claimed,
scheduled or completed; read by the two of them only; the other person is told without the text."""

from __future__ import annotations

import pytest

from soulroute.domain import admin_accounts, messages, queries, tickets
from soulroute.domain.errors import NotFound, NotPermitted, ValidationFailed
from tests.db.sql import REFUSED, owner, run, sqlstate
from tests.factories import make_admin, make_counselor, make_student, open_ticket


def _unread_message_notices(user) -> list[dict]:
    return owner(
        "select body from notifications where user_id = :u and kind = 'message' and read_at is null", {"u": user.id}
    )


def test_student_and_holder_talk_and_the_other_is_told_once_without_the_text():
    student, lee = make_student("Sam"), make_counselor("Dr. Lee")
    tid = open_ticket(student)
    with pytest.raises(NotPermitted):  # nobody holds it yet: nobody to talk to
        messages.post_message(student, {"ticket_id": tid, "body": "Hello?"})
    tickets.claim_ticket(lee, tid)
    messages.post_message(student, {"ticket_id": tid, "body": "  Could we meet after 4 pm?  "})
    messages.post_message(student, {"ticket_id": tid, "body": "Any day but Monday."})
    messages.post_message(lee, {"ticket_id": tid, "body": "Thursday at 4:30 works for me."})

    page = queries.ticket_page(student, tid)
    assert [(m.author_name, m.body) for m in page.messages] == [
        ("Sam", "Could we meet after 4 pm?"),
        ("Sam", "Any day but Monday."),
        ("Dr. Lee", "Thursday at 4:30 works for me."),
    ]
    assert [m.body for m in queries.ticket_page(lee, tid).messages][-1] == "Thursday at 4:30 works for me."
    # One notice per conversation until read (not one email per message), and never the text.
    assert _unread_message_notices(lee) == [{"body": "You have a new message in SoulRoute."}]
    assert _unread_message_notices(student) == [{"body": "You have a new message in SoulRoute."}]


def test_outsiders_read_nothing_and_cannot_write():
    student, lee, kim = make_student(), make_counselor(), make_counselor()
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    messages.post_message(student, {"ticket_id": tid, "body": "Private words"})
    with pytest.raises(NotFound):
        messages.post_message(kim, {"ticket_id": tid, "body": "Let me in"})
    with pytest.raises(NotPermitted):
        messages.post_message(make_admin(), {"ticket_id": tid, "body": "Admin"})
    with pytest.raises(NotFound):
        queries.ticket_page(make_student(), tid)
    assert queries.ticket_page(make_admin(), tid).messages == []


def test_a_closed_conversation_is_read_only_and_bad_messages_get_a_clear_error():
    student, lee = make_student(), make_counselor()
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    with pytest.raises(ValidationFailed) as err:
        messages.post_message(student, {"ticket_id": tid, "body": "   "})
    assert set(err.value.errors) == {"body"}
    with pytest.raises(ValidationFailed) as err:
        messages.post_message(student, {"ticket_id": tid, "body": "y" * (messages.MESSAGE_MAX + 1)})
    assert "2,000" in err.value.errors["body"] or "2000" in err.value.errors["body"]
    messages.post_message(student, {"ticket_id": tid, "body": "Thanks for today."})
    tickets.close_ticket(student, {"ticket_id": tid, "reason": "All sorted"})
    with pytest.raises(NotPermitted):
        messages.post_message(student, {"ticket_id": tid, "body": "One more thing"})
    assert [m.body for m in queries.ticket_page(student, tid).messages] == ["Thanks for today."]


def test_an_admin_reads_a_conversation_only_with_a_recorded_reason_that_the_student_sees():
    student, lee, ada = make_student(), make_counselor(), make_admin("Ada")
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    messages.post_message(student, {"ticket_id": tid, "body": "Words for Dr. Lee only"})
    with pytest.raises(ValidationFailed):
        admin_accounts.read_conversation(ada, {"ticket_id": tid, "reason": "x"})
    with pytest.raises(NotPermitted):
        admin_accounts.read_conversation(lee, {"ticket_id": tid, "reason": "Curious about it"})
    assert sqlstate(lee, "select * from read_conversation_as_admin(:t, 'Curious about it')", {"t": tid}) in REFUSED
    rows = admin_accounts.read_conversation(ada, {"ticket_id": tid, "reason": "Complaint review, case 12"})
    assert [r.body for r in rows] == ["Words for Dr. Lee only"]
    seen = queries.ticket_page(student, tid).accesses
    assert [(a.accessor_name, a.what) for a in seen] == [("Ada", "conversation")]


def test_read_receipts_move_forward_only_for_the_reader_themselves():
    student, lee = make_student(), make_counselor()
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    first = messages.post_message(student, {"ticket_id": tid, "body": "First"})
    assert queries.ticket_page(student, tid).other_read_up_to == 0  # Dr. Lee has not looked yet
    queries.ticket_page(lee, tid)  # Dr. Lee opens the page: read up to the first message
    assert queries.ticket_page(student, tid).other_read_up_to == first.id
    # Nobody writes another's receipt, or moves their own back.
    forged = "insert into ticket_message_reads (ticket_id, user_id, last_read_id) values (:t, :u, 999999)"
    assert sqlstate(student, forged, {"t": tid, "u": lee.id}) in REFUSED
    back = "update ticket_message_reads set last_read_id = 0 where user_id = :u"
    run(student, back, {"u": lee.id})
    assert queries.ticket_page(student, tid).other_read_up_to == first.id
    assert sqlstate(make_counselor(), forged, {"t": tid, "u": lee.id}) in REFUSED


def test_an_admin_hides_a_message_with_a_reason_and_it_is_kept_for_the_record():
    student, lee, ada = make_student(), make_counselor(), make_admin("Ada")
    tid = open_ticket(student)
    tickets.claim_ticket(lee, tid)
    bad = messages.post_message(lee, {"ticket_id": tid, "body": "Something that should not have been sent"})
    with pytest.raises(NotPermitted):
        admin_accounts.hide_message(lee, {"message_id": bad.id, "reason": "Sent to the wrong student"})
    with pytest.raises(ValidationFailed):
        admin_accounts.hide_message(ada, {"message_id": bad.id, "reason": "no"})
    admin_accounts.hide_message(ada, {"message_id": bad.id, "reason": "Sent to the wrong student"})
    for reader in (student, lee):
        [shown] = queries.ticket_page(reader, tid).messages
        assert (shown.hidden, shown.body) == (True, "")
    assert "should not have been sent" not in str(run(student, "select * from ticket_message_texts"))
    kept = owner("select body, hidden_reason from ticket_messages where id = :m", {"m": bad.id})
    assert kept == [{"body": "Something that should not have been sent", "hidden_reason": "Sent to the wrong student"}]
    [recorded] = admin_accounts.read_conversation(ada, {"ticket_id": tid, "reason": "Reviewing the hidden one"})
    assert (recorded.hidden, recorded.body) == (True, "Something that should not have been sent")


def test_only_a_participant_of_an_open_conversation_announces_typing():
    student, lee, kim = make_student(), make_counselor(), make_counselor()
    tid = open_ticket(student)
    with pytest.raises(NotPermitted):
        messages.announce_typing(student, tid)  # nobody holds it yet
    tickets.claim_ticket(lee, tid)
    messages.announce_typing(student, tid)
    messages.announce_typing(lee, tid)
    with pytest.raises(NotFound):
        messages.announce_typing(kim, tid)
