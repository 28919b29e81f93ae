"""The sandbox's X windows and usage cap, read the way X reports them: every window in its
header family on every answer, 429s with the same headers, ``UsageCapExceeded`` with room."""

from __future__ import annotations

import math
import time
from typing import Any

import httpx
import pytest
import tweepy

AUTH = {"Authorization": 'OAuth oauth_consumer_key="app-key", oauth_token="99-token"'}


def post(control: httpx.Client, text: str) -> httpx.Response:
    return control.post("/2/tweets", json={"text": text}, headers=AUTH)


def family(response: httpx.Response, prefix: str) -> tuple[int, int, int] | None:
    headers = response.headers
    if f"{prefix}-limit" not in headers:
        return None
    return tuple(int(headers[f"{prefix}-{k}"]) for k in ("limit", "remaining", "reset"))  # type: ignore[return-value]


def test_pro_reports_the_15_minute_user_window_and_the_daily_app_window(
    control: httpx.Client,
) -> None:
    control.patch("/sandbox/config", json={"x_tier": "pro"}).raise_for_status()
    response = post(control, "one")
    assert response.status_code == 201
    now = time.time()
    rate, app = family(response, "x-rate-limit"), family(response, "x-app-limit-24hour")
    assert rate is not None and rate[:2] == (100, 99) and now < rate[2] <= now + 901
    assert app is not None and app[:2] == (10_000, 9_999) and now + 86_000 < app[2]
    assert family(response, "x-user-limit-24hour") is None  # pro has no daily per-user window


def test_basic_reports_both_daily_windows(control: httpx.Client) -> None:
    response = post(control, "one")
    assert family(response, "x-user-limit-24hour")[:2] == (100, 99)  # type: ignore[index]
    assert family(response, "x-app-limit-24hour")[:2] == (1667, 1666)  # type: ignore[index]
    assert family(response, "x-rate-limit")[:2] == (100, 99)  # type: ignore[index]


def test_shrunk_window_refuses_with_its_headers_and_reopens(control: httpx.Client) -> None:
    window = {"scope": "user", "requests": 2, "seconds": 600, "headers": "24hour"}
    config = {"x_limits": {"create_tweet": [window]}}
    control.patch("/sandbox/config", json=config).raise_for_status()
    assert [post(control, f"p{n}").status_code for n in range(2)] == [201, 201]
    refused = post(control, "p2")
    assert refused.status_code == 429
    assert refused.json() == {
        "title": "Too Many Requests", "detail": "Too Many Requests",
        "type": "about:blank", "status": 429,
    }  # fmt: skip
    user = family(refused, "x-user-limit-24hour")
    assert user is not None and user[:2] == (2, 0)
    (listed,) = control.get("/sandbox/x/windows").json()
    assert listed["remaining"] == 0 and math.ceil(listed["reset"]) == user[2]
    control.post("/sandbox/clock", json={"advance_seconds": 601}).raise_for_status()
    assert post(control, "p2").status_code == 201


def test_usage_cap_refuses_while_the_windows_have_room(
    control: httpx.Client, x_client: tweepy.Client
) -> None:
    control.patch("/sandbox/config", json={"x_usage_cap": {"posts": 1}}).raise_for_status()
    assert post(control, "allowed").status_code == 201
    capped = post(control, "capped")
    assert capped.status_code == 429
    assert capped.json() == {
        "account_id": capped.json()["account_id"], "product_name": "standard-basic",
        "title": "UsageCapExceeded", "period": "Monthly", "scope": "Product",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.twitter.com/2/problems/usage-capped",
    }  # fmt: skip
    assert family(capped, "x-user-limit-24hour")[1] == 98  # type: ignore[index]
    x_client.create_tweet(text="another app has its own cap", user_auth=True)
    with pytest.raises(tweepy.TooManyRequests, match="Usage cap exceeded"):
        x_client.create_tweet(text="and now it is spent too", user_auth=True)
    usage: list[dict[str, Any]] = control.get("/sandbox/x/usage").json()
    assert {(u["app"], u["posts"], u["refused"]) for u in usage} == {
        ("app-key", 1, 1), ("sandbox-consumer-key", 1, 1),
    }  # fmt: skip
    control.patch("/sandbox/config", json={"x_usage_cap": None}).raise_for_status()
    assert post(control, "after the cap is lifted").status_code == 201


def test_window_overrides_are_validated(control: httpx.Client) -> None:
    bad = {"x_limits": {"create_tweet": [{"scope": "team", "requests": 2, "seconds": 60}]}}
    assert control.patch("/sandbox/config", json=bad).status_code == 422
    unknown = {"x_limits": {"like_tweet": []}}
    assert control.patch("/sandbox/config", json=unknown).status_code == 422
