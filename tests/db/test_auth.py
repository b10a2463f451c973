"""Accounts and sessions against the real database: sign-up rules, sign-in, throttling and lock-out,
session expiry and revocation, deactivation."""

from __future__ import annotations

import hashlib

import pytest

from soulroute.auth import accounts, sessions
from soulroute.config import get_settings
from soulroute.db.models import UserRole
from soulroute.domain.errors import NotPermitted, ValidationFailed
from tests.db.sql import RLS_REFUSED, owner, run, sqlstate
from tests.factories import PASSWORD, make_student, make_user

NONCE = "browser-nonce-" + "a" * 32  # the pre-sign-in cookie of "this" browser (soulroute/auth/presign.py)
SIGNUP = {"email": "Alex.Kim@University.example", "display_name": "Alex Kim", "password": "maple river lantern"}


def test_student_sign_up_and_sign_in():
    actor = accounts.sign_up_student(SIGNUP)
    assert actor.role is UserRole.STUDENT
    [row] = owner("select email, password_hash from users where id = :u", {"u": actor.id})
    assert row["email"] == "alex.kim@university.example"
    assert row["password_hash"].startswith("$argon2id$")
    assert accounts.authenticate("ALEX.KIM@university.example", "maple river lantern").id == actor.id


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"password": "short"}, "password", "at least 10"),
        ({"password": "password2024"}, "password", "too common"),
        ({"password": "alex.kim-secret"}, "password", "email"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"display_name": "   "}, "display_name", "required"),
    ],
)
def test_sign_up_validation(change, field, fragment):
    with pytest.raises(ValidationFailed) as err:
        accounts.sign_up_student({**SIGNUP, **change})
    assert fragment in err.value.errors[field]


def test_sign_up_duplicate_email_is_case_insensitive():
    accounts.sign_up_student(SIGNUP)
    with pytest.raises(ValidationFailed) as err:
        accounts.sign_up_student({**SIGNUP, "email": "ALEX.KIM@university.example"})
    assert "already exists" in err.value.errors["email"]


def test_sign_up_restricted_to_university_domains(monkeypatch):
    monkeypatch.setenv("STUDENT_EMAIL_DOMAINS", "uni.example, campus.example")
    get_settings.cache_clear()
    try:
        with pytest.raises(ValidationFailed) as err:
            accounts.sign_up_student(SIGNUP)
        assert err.value.errors == {"email": "Use your university email address."}
        assert accounts.sign_up_student({**SIGNUP, "email": "alex@campus.example"}).role is UserRole.STUDENT
    finally:
        monkeypatch.delenv("STUDENT_EMAIL_DOMAINS")
        get_settings.cache_clear()


def test_wrong_password_and_unknown_email_read_the_same():
    user = make_user(UserRole.STUDENT, password=PASSWORD)
    email = owner("select email from users where id = :u", {"u": user.id})[0]["email"]
    with pytest.raises(accounts.SignInRefused) as wrong:
        accounts.authenticate(email, "not the password")
    with pytest.raises(accounts.SignInRefused) as unknown:
        accounts.authenticate("nobody@university.example", "not the password")
    assert wrong.value.message == unknown.value.message == accounts.WRONG_CREDENTIALS


def test_repeated_failures_slow_down_then_lock_the_account():
    user = make_user(UserRole.STUDENT, password=PASSWORD)
    email = owner("select email from users where id = :u", {"u": user.id})[0]["email"]
    delays = []
    for _ in range(accounts.EMAIL_MAX_FAILURES - 1):
        delays.append(accounts.sign_in_delay(accounts.throttle_state(email, "10.0.0.1")))
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(email, "guess", "10.0.0.1")
    assert delays == sorted(delays) and delays[-1] > delays[0]
    with pytest.raises(accounts.SignInRefused) as locked:
        accounts.authenticate(email, "guess", "10.0.0.1")
    assert "Too many failed sign-ins" in locked.value.message
    # Even the right password is refused while locked.
    with pytest.raises(accounts.SignInRefused) as still:
        accounts.authenticate(email, PASSWORD, "10.0.0.2")
    assert "Too many failed sign-ins" in still.value.message
    owner("update auth_throttle set locked_until = now() - interval '1 second'")
    assert accounts.authenticate(email, PASSWORD, "10.0.0.2").id == user.id


def test_one_address_guessing_many_accounts_is_locked():
    for i in range(accounts.IP_MAX_FAILURES):
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(f"user{i}@university.example", "guess", "10.9.9.9")
    with pytest.raises(accounts.SignInRefused) as locked:
        accounts.authenticate("fresh@university.example", "guess", "10.9.9.9")
    assert "Too many failed sign-ins" in locked.value.message


def test_session_handoff_resolve_and_revoke():
    student = make_student()
    code = sessions.begin_session(student.id, NONCE)
    token = sessions.claim_handoff(code, NONCE)
    assert token and sessions.claim_handoff(code, NONCE) is None  # one use only
    signed_in = sessions.resolve(token)
    assert signed_in and signed_in.actor.id == student.id and signed_in.actor.role is UserRole.STUDENT
    stored = owner("select token_hash from auth_sessions where user_id = :u", {"u": student.id})[0]["token_hash"]
    assert token.encode() not in bytes(stored)  # only a hash is kept
    sessions.revoke(token)
    assert sessions.resolve(token) is None


def test_idle_and_absolute_expiry():
    student = make_student()
    token = sessions.claim_handoff(sessions.begin_session(student.id, NONCE), NONCE)
    owner("update auth_sessions set last_seen_at = now() - interval '31 minutes'")
    assert sessions.resolve(token) is None
    token = sessions.claim_handoff(sessions.begin_session(student.id, NONCE), NONCE)
    owner("update auth_sessions set expires_at = now() - interval '1 second' where revoked_at is null")
    assert sessions.resolve(token) is None


def test_checking_a_session_writes_nothing_until_a_minute_of_activity_has_passed():
    """Every event checks the session: it used to UPDATE the row each time (a write per click). Now it only
    reads, and records activity at most once a minute, which is what the idle expiry needs."""
    student = make_student()
    token = sessions.claim_handoff(sessions.begin_session(student.id, NONCE), NONCE)

    def version() -> tuple[str, object]:
        row = owner("select xmin::text as v, last_seen_at from auth_sessions where user_id = :u", {"u": student.id})
        return row[0]["v"], row[0]["last_seen_at"]

    before = version()
    for _ in range(3):
        assert sessions.resolve(token) is not None
    assert version() == before  # no new row version: nothing was written
    owner("update auth_sessions set last_seen_at = now() - interval '2 minutes' where user_id = :u", {"u": student.id})
    stale = version()
    assert sessions.resolve(token) is not None
    assert version()[1] > stale[1]  # activity recorded: the idle expiry moves on
    assert sessions.resolve(token, touch=False) is not None


def test_stale_handoff_code_is_refused():
    code = sessions.begin_session(make_student().id, NONCE)
    owner("update auth_sessions set handoff_expires_at = now() - interval '1 second'")
    assert sessions.claim_handoff(code, NONCE) is None


def test_handoff_code_is_redeemable_only_with_the_nonce_of_the_browser_that_signed_in():
    """Login CSRF: a code minted in the attacker's browser, opened in the victim's, signs nobody in."""
    student = make_student()
    code = sessions.begin_session(student.id, NONCE)
    for other in (None, "", "another-browser-" + "b" * 32):
        assert sessions.claim_handoff(code, other) is None
    stored = owner("select handoff_hash from auth_sessions where user_id = :u", {"u": student.id})[0]
    assert bytes(stored["handoff_hash"]) != hashlib.sha256(code.encode()).digest()  # the code alone is useless
    token = sessions.claim_handoff(code, NONCE)  # the failed tries did not use the code up
    assert token and sessions.resolve(token).actor.id == student.id
    with pytest.raises(ValueError):
        sessions.begin_session(student.id, "")  # never an unbound code


def test_deactivation_ends_every_session_at_once():
    student = make_user(UserRole.STUDENT, password=PASSWORD)
    tokens = [sessions.claim_handoff(sessions.begin_session(student.id, NONCE), NONCE) for _ in range(3)]
    email = owner("select email from users where id = :u", {"u": student.id})[0]["email"]
    assert accounts.set_account_active(email, False)
    assert all(sessions.resolve(t) is None for t in tokens)
    with pytest.raises(accounts.SignInRefused) as err:
        accounts.authenticate(email, PASSWORD)
    assert "deactivated" in err.value.message


def test_staff_accounts_by_admin_only():
    admin = make_user(UserRole.ADMIN)
    data = {
        "email": "dr.new@university.example",
        "display_name": "Dr. New",
        "password": "granite willow kettle",
        "role": "counselor",
        "expertise": ["anxiety", "stress"],
        "capacity": 7,
    }
    with pytest.raises(NotPermitted):
        accounts.create_account(data, by=make_student())
    uid = accounts.create_account(data, by=admin)
    [profile] = run(
        admin, "select capacity, expertise::text[] as e from counselor_profiles where user_id = :u", {"u": uid}
    )
    assert profile == {"capacity": 7, "e": ["anxiety", "stress"]}
    with pytest.raises(ValidationFailed):
        accounts.create_account({**data, "email": "dr.other@university.example", "expertise": []}, by=admin)


def test_auth_tables_are_closed_to_direct_access():
    make_student()
    for who in (None, make_user(UserRole.ADMIN)):
        for table in ("auth_sessions", "auth_throttle"):
            assert sqlstate(who, f"select count(*) from {table}") == RLS_REFUSED
