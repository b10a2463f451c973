"""The demo loader covers the product's whole range and is idempotent."""

from soulroute import demo
from soulroute.auth.passwords import verify_password
from tests.db.sql import owner


def test_demo_data_spans_every_value_and_loads_once():
    assert demo.load_demo_data() == len(demo.TICKETS)
    assert demo.load_demo_data() == 0
    spread = owner(
        "select array_agg(distinct status::text) as s, array_agg(distinct category::text) as c, "
        "array_agg(distinct urgency::text) as u, array_agg(distinct session_mode::text) as m, count(*) as n "
        "from support_tickets"
    )[0]
    assert spread["n"] == len(demo.TICKETS) >= 25
    assert set(spread["s"]) == {"open", "claimed", "scheduled", "completed", "closed"}
    assert set(spread["c"]) == {"anxiety", "depression", "stress", "relationships", "academic", "other"}
    assert set(spread["u"]) == {"low", "medium", "high", "crisis"}
    assert set(spread["m"]) == {"video", "audio", "chat", "in-person"}
    roles = owner("select role::text as r, count(*) as n from users group by role")
    assert {r["r"]: r["n"] for r in roles} == {"admin": 1, "counselor": 4, "student": 5}


def test_demo_logins_work_and_history_has_actors():
    demo.load_demo_data()
    for _role, email, password in demo.demo_logins():
        [row] = owner("select password_hash from users where email = :e", {"e": email})
        assert verify_password(row["password_hash"], password)
    missing = owner("select count(*) as n from ticket_events where actor_id is null")[0]["n"]
    assert missing == 0
    closed = owner(
        "select kind from ticket_events e join support_tickets t on t.id = e.ticket_id "
        "where t.title = 'Motivation gone after a bad grade' order by e.created_at"
    )
    assert [r["kind"] for r in closed] == ["created", "claimed", "scheduled", "completed", "closed"]
