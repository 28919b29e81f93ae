"""Signing in and out of the desk: cookies, CSRF, scopes, throttling, no open redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from distributor.desk.guard import safe_next
from distributor.desk.signin import MAX_FAILURES
from tests.support.desk import BOSS, RESHARER, VIEWER, csrf_in, sign_in

Desk = Callable[..., tuple[TestClient, Any]]


def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(make_desk: Desk) -> None:
    client, _ = make_desk()
    page = client.get("/manage/attention", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/manage/sign-in?next=%2Fmanage%2Fattention"
    signed = sign_in(client, BOSS, "/manage/attention")
    assert signed.status_code == 303 and signed.headers["location"] == "/manage/attention"
    cookie = signed.headers["set-cookie"]
    assert "desk_session=" in cookie and "HttpOnly" in cookie and "Path=/manage" in cookie
    assert "SameSite=strict" in cookie and "Max-Age=43200" in cookie and "Secure" not in cookie
    page = client.get("/manage/attention")
    assert page.status_code == 200 and "Signed in as <strong>boss</strong>" in page.text


def test_behind_https_the_session_cookie_is_secure(make_desk: Desk) -> None:
    client, _ = make_desk()
    client.base_url = "https://desk.example"  # type: ignore[assignment]
    assert "Secure" in sign_in(client, VIEWER).headers["set-cookie"]


def test_a_wrong_token_is_refused_and_starts_no_session(make_desk: Desk) -> None:
    client, container = make_desk()
    refused = sign_in(client, "not-a-token")
    assert refused.status_code == 401 and "That token is not valid." in refused.text
    assert "desk_session" not in client.cookies
    assert not list(container.redis.scan_iter(container.keys.desk_session("*")))


def test_sign_in_without_or_with_a_wrong_csrf_token_is_refused(make_desk: Desk) -> None:
    client, container = make_desk()
    client.get("/manage/sign-in")
    for data in ({"token": BOSS}, {"token": BOSS, "csrf_token": "guessed"}):
        refused = client.post("/manage/sign-in", data=data, follow_redirects=False)
        assert refused.status_code == 403 and "CSRF" in refused.text
    assert not list(container.redis.scan_iter(container.keys.desk_session("*")))


def test_a_post_without_the_sessions_csrf_token_is_refused(make_desk: Desk) -> None:
    client, _ = make_desk()
    sign_in(client, BOSS)
    form = {"article_id": "a1", "destination": "tg-main", "revision": "1", "outcome": "posted"}
    refused = client.post("/manage/attention/resolve", data=form, follow_redirects=False)
    assert refused.status_code == 403 and "no CSRF token" in refused.text
    wrong = {**form, "csrf_token": "x" * 43}
    assert client.post("/manage/attention/resolve", data=wrong).status_code == 403
    assert client.post("/manage/sign-out", data={}).status_code == 403  # still signed in
    assert client.get("/manage/attention").status_code == 200


def test_a_page_beyond_the_tokens_scopes_is_refused_and_hidden(make_desk: Desk) -> None:
    client, _ = make_desk()
    sign_in(client, RESHARER)
    refused = client.get("/manage/attention")
    assert refused.status_code == 403
    assert "lacks the scope “deliveries:read”" in refused.text
    trending = client.get("/manage/trending")
    assert trending.status_code == 200
    assert 'href="/manage/attention"' not in trending.text  # the page only hides...
    client.cookies.clear()
    sign_in(client, VIEWER)
    attention = client.get("/manage/attention")
    assert attention.status_code == 200 and ">Posted<" not in attention.text
    form = {"csrf_token": csrf_in(attention.text), "article_id": "a1", "destination": "tg-main",
            "revision": "1", "outcome": "posted"}  # fmt: skip
    assert client.post("/manage/attention/resolve", data=form).status_code == 403  # ...this refuses


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(make_desk: Desk) -> None:
    client, _ = make_desk()
    sign_in(client, BOSS)
    stolen = dict(client.cookies)
    page = client.get("/manage")
    out = client.post("/manage/sign-out", data={"csrf_token": csrf_in(page.text)},
                      follow_redirects=False)  # fmt: skip
    assert out.status_code == 303 and out.headers["location"] == "/manage/sign-in?signed_out=1"
    assert client.get("/manage", follow_redirects=False).status_code == 303
    client.cookies.update(stolen)
    assert client.get("/manage", follow_redirects=False).status_code == 303
    assert client.get("/manage/today/rows").status_code == 401


def test_repeated_failures_from_one_address_are_throttled(make_desk: Desk) -> None:
    client, _ = make_desk()
    for _ in range(MAX_FAILURES):
        assert sign_in(client, "wrong").status_code == 401
    throttled = sign_in(client, BOSS)
    assert throttled.status_code == 429 and "Too many failed sign-ins" in throttled.text


def test_demo_sign_in_exists_in_sandbox_mode_only(make_desk: Desk) -> None:
    client, _ = make_desk()
    form = client.get("/manage/sign-in")
    assert "demo manager" not in form.text
    data = {"csrf_token": csrf_in(form.text)}
    assert client.post("/manage/demo-sign-in", data=data).status_code == 404
    sandboxed, _ = make_desk(sandbox=True)
    form = sandboxed.get("/manage/sign-in")
    done = sandboxed.post("/manage/demo-sign-in", data={"csrf_token": csrf_in(form.text)},
                          follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert "Signed in as <strong>demo</strong>" in sandboxed.get("/manage").text


def test_only_paths_under_manage_are_returned_to() -> None:
    assert safe_next("/manage/articles/a1?x=1") == "/manage/articles/a1?x=1"
    for hostile in ("https://evil.example/", "//evil.example/manage", "/manage\\@evil", None, ""):
        assert safe_next(hostile) == "/manage"
