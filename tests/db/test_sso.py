"""OpenID Connect sign-in against a real provider on localhost (oidc-provider-mock), through the
app's own routes: authorization code with PKCE, state and nonce, handled by authlib."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from oidc_provider_mock import User, run_server_in_thread
from starlette.testclient import TestClient

from soulroute.auth import sessions
from soulroute.auth.routes import auth_app
from soulroute.config import get_settings
from tests.db.sql import owner
from tests.factories import make_counselor

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


def sign_in_via_provider(sub: str, next_path: str = "") -> httpx.Response:
    client = TestClient(auth_app(), follow_redirects=False)
    start = client.get("/auth/sso/login", params={"next": next_path} if next_path else None)
    assert start.status_code == 302
    authorize = urlsplit(start.headers["location"])
    query = parse_qs(authorize.query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    consent = httpx.post(start.headers["location"], data={"sub": sub}, follow_redirects=False)
    assert consent.status_code == 302
    back = urlsplit(consent.headers["location"])
    return client.get(f"{back.path}?{back.query}")


def test_new_verified_user_becomes_a_student_and_gets_an_httponly_cookie(sso):
    response = sign_in_via_provider("sso-ana", next_path="/tickets/new")
    assert response.status_code == 303 and response.headers["location"] == "/tickets/new"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    token = response.cookies[sessions.COOKIE_NAME]
    signed_in = sessions.resolve(token)
    assert signed_in.email == "ana@university.example" and signed_in.actor.role.value == "student"
    assert owner("select sso_subject from users where email = 'ana@university.example'") == [{"sso_subject": "sso-ana"}]


def test_existing_account_is_matched_by_email(sso):
    counselor = make_counselor("Ana Lima")
    owner("update users set email = 'ana@university.example' where id = :u", {"u": counselor.id})
    response = sign_in_via_provider("sso-ana")
    assert response.headers["location"] == "/board"
    assert sessions.resolve(response.cookies[sessions.COOKIE_NAME]).actor.id == counselor.id


def test_unverified_email_is_refused_clearly(sso):
    response = sign_in_via_provider("sso-unverified")
    assert response.status_code == 303 and "not%20verified" in response.headers["location"]
    assert owner("select count(*) as n from users")[0]["n"] == 0


def test_unknown_user_refused_when_sign_up_is_closed(sso, monkeypatch):
    monkeypatch.setenv("STUDENT_SIGNUP_OPEN", "false")
    get_settings.cache_clear()
    response = sign_in_via_provider("sso-ana")
    assert "no%20SoulRoute%20account" in response.headers["location"]


def test_tampered_state_is_refused(sso):
    client = TestClient(auth_app(), follow_redirects=False)
    start = client.get("/auth/sso/login")
    consent = httpx.post(start.headers["location"], data={"sub": "sso-ana"}, follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    forged = back.query.replace("state=", "state=x")
    response = client.get(f"{back.path}?{forged}")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin?sso_error=")
    assert sessions.COOKIE_NAME not in response.cookies


def test_handoff_route_and_sign_out(sso):
    counselor = make_counselor()
    client = TestClient(auth_app(), follow_redirects=False)
    code = sessions.begin_session(counselor.id)
    response = client.get("/auth/session", params={"code": code, "next": "//evil.example/x"})
    assert response.status_code == 303 and response.headers["location"] == "/board"  # no open redirect
    token = response.cookies[sessions.COOKIE_NAME]
    assert client.get("/auth/session", params={"code": code}).headers["location"] == "/signin?error=expired"
    client.cookies.set(sessions.COOKIE_NAME, token)
    out = client.post("/auth/signout")
    assert out.status_code == 303 and sessions.resolve(token) is None
    assert 'soulroute_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
