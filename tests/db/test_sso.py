"""OpenID Connect sign-in against a real provider on localhost (oidc-provider-mock), through the
app's own routes: authorization code with PKCE, state and nonce, handled by authlib."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import text
from starlette.testclient import TestClient

from soulroute.auth import presign, sessions
from soulroute.auth.routes import auth_app
from soulroute.cli import main
from soulroute.config import get_settings
from soulroute.db.session import as_auth
from tests.db.sql import owner
from tests.factories import make_admin, make_counselor, make_student

USERS = [
    User(sub="sso-ana", claims={"email": "ana@university.example", "email_verified": True, "name": "Ana Lima"}),
    User(sub="sso-unverified", claims={"email": "eve@university.example", "email_verified": False}),
]


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(user_claims=USERS, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso(provider, monkeypatch):
    for key, value in {
        "OIDC_ISSUER": provider,
        "OIDC_CLIENT_ID": "soulroute",
        "OIDC_CLIENT_SECRET": "s3cret",
        "PUBLIC_URL": "http://testserver",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def provider_callback(client: TestClient, sub: str, next_path: str = "") -> str:
    """Start the sign-in in `client`, consent at the provider; the callback URL the provider sends back."""
    start = client.get("/auth/sso/login", params={"next": next_path} if next_path else None)
    assert start.status_code == 302
    authorize = urlsplit(start.headers["location"])
    query = parse_qs(authorize.query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    consent = httpx.post(start.headers["location"], data={"sub": sub}, follow_redirects=False)
    assert consent.status_code == 302
    back = urlsplit(consent.headers["location"])
    return f"{back.path}?{back.query}"


def sign_in_via_provider(sub: str, next_path: str = "") -> httpx.Response:
    client = TestClient(auth_app(), follow_redirects=False)
    return client.get(provider_callback(client, sub, next_path))


def test_new_verified_user_becomes_a_student_and_gets_an_httponly_cookie(sso):
    response = sign_in_via_provider("sso-ana", next_path="/tickets/new")
    assert response.status_code == 303 and response.headers["location"] == "/tickets/new"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    token = response.cookies[sessions.COOKIE_NAME]
    signed_in = sessions.resolve(token)
    assert signed_in.email == "ana@university.example" and signed_in.actor.role.value == "student"
    assert owner("select sso_subject from users where email = 'ana@university.example'") == [{"sso_subject": "sso-ana"}]


def test_existing_student_account_is_matched_by_email_and_linked(sso):
    student = make_student("Ana Lima")
    owner("update users set email = 'ana@university.example' where id = :u", {"u": student.id})
    response = sign_in_via_provider("sso-ana")
    assert response.headers["location"] == "/tickets"
    assert sessions.resolve(response.cookies[sessions.COOKIE_NAME]).actor.id == student.id
    assert owner("select sso_subject from users where id = :u", {"u": student.id}) == [{"sso_subject": "sso-ana"}]


@pytest.mark.parametrize("make_staff", [make_counselor, make_admin], ids=["counselor", "admin"])
def test_staff_account_is_not_linked_by_email(sso, make_staff):
    """Whoever controls a staff member's email at the provider must not inherit that account's powers."""
    staff = make_staff("Ana Lima")
    owner("update users set email = 'ana@university.example' where id = :u", {"u": staff.id})
    response = sign_in_via_provider("sso-ana")
    assert response.status_code == 303 and response.headers["location"] == "/signin?sso_error=staff"
    assert sessions.COOKIE_NAME not in response.cookies
    assert owner("select sso_subject from users where id = :u", {"u": staff.id}) == [{"sso_subject": None}]
    assert owner("select count(*) as n from auth_sessions")[0]["n"] == 0
    assert owner("select count(*) as n from users")[0]["n"] == 1  # and no second account either


def test_staff_account_linked_by_an_admin_signs_in(sso, capsys):
    counselor = make_counselor("Ana Lima")
    owner("update users set email = 'ana@university.example' where id = :u", {"u": counselor.id})
    assert main(["users", "link-sso", "Ana@University.example", "sso-ana"]) == 0
    assert main(["users", "link-sso", "ana@university.example", "sso-other"]) == 1  # already linked
    assert "not linked yet" in capsys.readouterr().err
    response = sign_in_via_provider("sso-ana")
    assert response.headers["location"] == "/board"
    assert sessions.resolve(response.cookies[sessions.COOKIE_NAME]).actor.id == counselor.id


def test_unverified_email_is_refused_clearly(sso):
    response = sign_in_via_provider("sso-unverified")
    assert response.status_code == 303 and response.headers["location"] == "/signin?sso_error=unverified"
    assert owner("select count(*) as n from users")[0]["n"] == 0


def test_unknown_user_refused_when_sign_up_is_closed(sso, monkeypatch):
    monkeypatch.setenv("STUDENT_SIGNUP_OPEN", "false")
    get_settings.cache_clear()
    response = sign_in_via_provider("sso-ana")
    assert response.headers["location"] == "/signin?sso_error=no_account"


def test_callback_opened_in_another_browser_signs_nobody_in(sso):
    """Login CSRF through single sign-on: the provider's answer is bound to the browser that started."""
    callback = provider_callback(TestClient(auth_app(), follow_redirects=False), "sso-ana")
    victim = TestClient(auth_app(), follow_redirects=False)
    response = victim.get(callback)
    assert response.status_code == 303 and response.headers["location"] == "/signin?sso_error=failed"
    assert sessions.COOKIE_NAME not in response.cookies
    assert owner("select count(*) as n from auth_sessions")[0]["n"] == 0


def test_tampered_state_is_refused(sso):
    client = TestClient(auth_app(), follow_redirects=False)
    start = client.get("/auth/sso/login")
    consent = httpx.post(start.headers["location"], data={"sub": "sso-ana"}, follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    forged = back.query.replace("state=", "state=x")
    response = client.get(f"{back.path}?{forged}")
    assert response.status_code == 303 and response.headers["location"] == "/signin?sso_error=failed"
    assert sessions.COOKIE_NAME not in response.cookies


def test_handoff_code_opened_in_another_browser_signs_nobody_in(sso):
    counselor = make_counselor()
    nonce = presign.new_nonce()
    code = sessions.begin_session(counselor.id, nonce)
    for cookies in ({}, {presign.COOKIE_NAME: presign.new_nonce()}):
        other = TestClient(auth_app(), follow_redirects=False, cookies=cookies)
        response = other.get("/auth/session", params={"code": code})
        assert response.status_code == 303 and response.headers["location"] == "/signin?error=expired"
        assert sessions.COOKIE_NAME not in response.cookies
    mine = TestClient(auth_app(), follow_redirects=False, cookies={presign.COOKIE_NAME: nonce})
    response = mine.get("/auth/session", params={"code": code})
    assert response.headers["location"] == "/board" and sessions.resolve(response.cookies[sessions.COOKIE_NAME])


def test_handoff_route_and_sign_out(sso):
    counselor = make_counselor()
    nonce = presign.new_nonce()
    client = TestClient(auth_app(), follow_redirects=False, cookies={presign.COOKIE_NAME: nonce})
    code = sessions.begin_session(counselor.id, nonce)
    response = client.get("/auth/session", params={"code": code, "next": "//evil.example/x"})
    assert response.status_code == 303 and response.headers["location"] == "/board"  # no open redirect
    token = response.cookies[sessions.COOKIE_NAME]
    assert client.get("/auth/session", params={"code": code}).headers["location"] == "/signin?error=expired"
    client.cookies.set(sessions.COOKIE_NAME, token)
    out = client.post("/auth/signout")
    assert out.status_code == 303 and sessions.resolve(token) is None
    assert 'soulroute_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]


@pytest.mark.parametrize("role", ["counselor", "admin"])
def test_the_database_links_only_student_accounts_through_sign_in(role):
    """Defence in depth (0021): even called directly by the accounts role, the sign-in path's link
    function leaves a staff account unlinked; a student's is linked."""
    staff = make_counselor() if role == "counselor" else make_admin()
    student = make_student()
    with as_auth() as s:
        s.execute(text("select auth_link_sso(:u, 'sso-staff')"), {"u": staff.id})
        s.execute(text("select auth_link_sso(:u, 'sso-student')"), {"u": student.id})
    linked = owner("select id, sso_subject from users where id in (:a, :b)", {"a": staff.id, "b": student.id})
    assert {r["id"]: r["sso_subject"] for r in linked} == {staff.id: None, student.id: "sso-student"}
