"""The server helpers and the inspection API's own endpoints."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import tweepy
from fastapi.testclient import TestClient

from distributor.sandbox.app import create_sandbox_app
from distributor.sandbox.config import ChatSpec, SandboxConfig
from distributor.sandbox.server import chat_for_target, running_sandbox, sandbox_config_for
from tests.support.sandbox import CHANNEL, TOKEN, call, messages


def test_running_sandbox_serves_then_frees_its_port() -> None:
    with running_sandbox(SandboxConfig()) as url:
        assert httpx.get(f"{url}/sandbox/config").json()["x_tier"] == "basic"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/sandbox/config")


def test_two_sandboxes_do_not_share_state() -> None:
    chat = ChatSpec(id=-100, type="channel")
    with running_sandbox(SandboxConfig(chats=[chat])) as one, running_sandbox() as two:
        assert httpx.post(
            f"{one}/bot{TOKEN}/sendMessage", data={"chat_id": -100, "text": "x"}
        ).json()["ok"]
        assert httpx.get(f"{two}/sandbox/telegram/messages").json() == []
        assert httpx.get(f"{two}/sandbox/telegram/chats").json() == []


def test_in_process_app_with_test_client() -> None:
    app = create_sandbox_app(SandboxConfig(chats=[ChatSpec(id=-7, type="supergroup")]))
    with TestClient(app) as client:
        sent = client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": -7, "text": "hi"})
        assert sent.json()["result"]["chat"] == {"id": -7, "type": "supergroup",
                                                  "title": "Sandbox supergroup -7"}  # fmt: skip
        assert client.get("/sandbox/telegram/messages").json()[0]["text"] == "hi"


def test_chats_are_created_patched_and_reset(control: httpx.Client) -> None:
    created = control.post("/sandbox/telegram/chats",
                           json={"id": -55, "type": "group", "username": None})  # fmt: skip
    assert created.status_code == 201
    assert call(control, "sendMessage", chat_id=-55, text="x").json()["ok"] is True
    assert control.patch("/sandbox/telegram/chats/-56", json={"blocked": True}).status_code == 404
    control.post("/sandbox/reset").raise_for_status()
    ids = [c["id"] for c in control.get("/sandbox/telegram/chats").json()]
    assert -55 not in ids and CHANNEL in ids
    assert messages(control) == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/sandbox/telegram/chats", {"id": "x", "type": "channel"}),
        ("/sandbox/telegram/chats", {"id": 1, "type": "forum"}),
        ("/sandbox/faults", {"platform": "telegram", "method": "x", "kind": "explode"}),
        ("/sandbox/telegram/updates", {"text": ""}),
        ("/sandbox/clock", {"advance_seconds": -1}),
    ],
)
def test_inspection_api_validates_its_input(control: httpx.Client, path: str, body: object) -> None:
    assert control.post(path, json=body).status_code == 422


def test_metrics_of_unknown_tweet_and_bad_metric(control: httpx.Client) -> None:
    assert control.post("/sandbox/x/tweets/1/metrics", json={"like_count": 1}).status_code == 404
    assert control.patch("/sandbox/config", json={"x_tier": "gold"}).status_code == 422


def test_config_from_the_routing_file_creates_its_telegram_chats() -> None:
    routing = Path(__file__).parents[2] / "routing.toml"
    config = sandbox_config_for(routing, flood_control=False)
    assert config.flood_control is False
    usernames = sorted(c.username or "" for c in config.chats)
    assert usernames == ["@visualjambi", "@visualjambi_politik"]
    with running_sandbox(config) as url:
        sent = httpx.post(f"{url}/bot{TOKEN}/sendMessage",
                          data={"chat_id": "@visualjambi", "text": "x"})  # fmt: skip
        assert sent.json()["result"]["chat"]["username"] == "visualjambi"
    assert sandbox_config_for(None).chats == []
    probe = sandbox_config_for(None, extra_chats=["-1009990001"]).chats
    assert [(c.id, c.type) for c in probe] == [(-1009990001, "channel")]


@pytest.mark.parametrize(
    ("target", "kind"),
    [("-1001234", "channel"), ("-42", "group"), ("42", "private"), ("@name", "channel")],
)
def test_chat_for_target(target: str, kind: str) -> None:
    chat = chat_for_target(target)
    assert chat.type == kind
    assert chat_for_target(target) == chat


def test_listings_carry_receive_times_and_filter_by_since(
    control: httpx.Client, x_client: tweepy.Client
) -> None:
    before = time.time()
    assert call(control, "sendMessage", chat_id=CHANNEL, text="first").json()["ok"]
    x_client.create_tweet(text="first tweet", user_auth=True)
    middle = time.time()
    assert call(control, "sendMessage", chat_id=CHANNEL, text="second").json()["ok"]
    x_client.create_tweet(text="second tweet", user_auth=True)
    after = time.time()

    listed = messages(control)
    assert [m["text"] for m in listed] == ["first", "second"]
    assert before <= listed[0]["received_at"] <= middle <= listed[1]["received_at"] <= after
    since = control.get("/sandbox/telegram/messages", params={"since": middle}).json()
    assert [m["text"] for m in since] == ["second"]
    tweets = control.get("/sandbox/x/tweets").json()
    assert before <= tweets[0]["received_at"] <= middle <= tweets[1]["received_at"] <= after
    later = control.get("/sandbox/x/tweets", params={"since": middle}).json()
    assert [t["posted_text"] for t in later] == ["second tweet"]
    assert control.get("/sandbox/x/tweets", params={"since": after}).json() == []
