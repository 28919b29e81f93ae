"""The X publisher: a real ``tweepy.Client`` against the sandbox over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from distributor.config import Settings
from distributor.errors import (
    ConfigError,
    DeliveryError,
    InDoubt,
    PermanentError,
    RateLimited,
    TransientError,
)
from distributor.models import RenderedPost
from distributor.publishers.base import Lookup, normalise_url
from distributor.publishers.factory import build_publisher, build_x_client
from distributor.publishers.telegram import TelegramPublisher
from distributor.publishers.x import XPublisher
from tests.support.publishers import (
    X_ACCOUNT,
    Harness,
    closed_port_url,
    dropping_server,
    sandbox_config,
    sandbox_harness,
)

URL = "https://visualjambi.com/2024/02/01/rakor/"
TWEET = RenderedPost(platform="x", method="tweet", text=f"Rakor {URL}?utm_source=x")


def test_publish_and_find_by_article_url(harness: Harness) -> None:
    x = harness.x()
    ids = x.publish(X_ACCOUNT, TWEET)
    (tweet,) = harness.tweets()
    assert ids == (tweet["id"],)
    assert x.find_post(X_ACCOUNT, Lookup(URL)) == ids
    assert x.find_post(X_ACCOUNT, Lookup("http://VisualJambi.com/2024/02/01/rakor#top")) == ids
    assert x.find_post(X_ACCOUNT, Lookup("https://visualjambi.com/2024/02/01/other/")) == ()


def test_find_post_returns_the_newest_match_across_pages() -> None:
    with sandbox_harness(sandbox_config(x_tier="unlimited")) as harness:
        x = harness.x()
        first = x.publish(X_ACCOUNT, TWEET)
        for n in range(120):
            x.publish(X_ACCOUNT, TWEET.model_copy(update={"text": f"other {n} https://e.com/{n}"}))
        assert x.find_post(X_ACCOUNT, Lookup(URL)) == first
        again = x.publish(X_ACCOUNT, TWEET.model_copy(update={"text": f"Update {URL}"}))
        assert x.find_post(X_ACCOUNT, Lookup(URL)) == again


def test_delete_twice_is_fine_and_the_post_is_gone(harness: Harness) -> None:
    x = harness.x()
    ids = x.publish(X_ACCOUNT, TWEET)
    x.delete(X_ACCOUNT, ids)
    x.delete(X_ACCOUNT, ids)
    assert harness.tweets() == []
    assert x.find_post(X_ACCOUNT, Lookup(URL)) == ()


def test_edit_is_refused(harness: Harness) -> None:
    x = harness.x()
    ids = x.publish(X_ACCOUNT, TWEET)
    with pytest.raises(PermanentError, match="cannot edit"):
        x.edit(X_ACCOUNT, ids, TWEET)


@pytest.mark.parametrize(
    ("fault", "error", "posted"),
    [
        ({"kind": "server_error", "status": 503}, InDoubt, 0),
        ({"kind": "server_error", "status": 500, "after": True}, InDoubt, 1),
        ({"kind": "malformed_json", "after": True}, InDoubt, 1),
        ({"kind": "hang", "hang_seconds": 3, "after": True}, InDoubt, 1),
        ({"kind": "rate_limit", "retry_after": 30}, RateLimited, 0),
    ],
)
def test_platform_faults_map_by_whether_it_may_have_posted(
    harness: Harness, fault: dict[str, Any], error: type[DeliveryError], posted: int
) -> None:
    harness.fault("x", "create_tweet", **fault)
    with pytest.raises(error) as caught:
        harness.x(timeout_s=1.0).publish(X_ACCOUNT, TWEET)
    assert type(caught.value) is error
    if isinstance(caught.value, TransientError):
        assert caught.value.retry_after is not None and 1 <= caught.value.retry_after <= 31
    assert len(harness.tweets()) == posted


def test_refusals_are_permanent(harness: Harness) -> None:
    x = harness.x()
    x.publish(X_ACCOUNT, TWEET)
    with pytest.raises(PermanentError, match="duplicate content"):
        x.publish(X_ACCOUNT, TWEET)
    with pytest.raises(PermanentError, match="400"):
        x.publish(X_ACCOUNT, TWEET.model_copy(update={"text": "x" * 300}))
    with pytest.raises(PermanentError, match="cannot send"):
        x.publish(X_ACCOUNT, TWEET.model_copy(update={"method": "sendMessage"}))
    assert len(harness.tweets()) == 1


def test_connection_refused_is_transient(harness: Harness) -> None:
    with pytest.raises(TransientError) as caught:
        harness.x(base_url=closed_port_url()).publish(X_ACCOUNT, TWEET)
    assert isinstance(caught.value.__cause__, requests.ConnectionError)


def test_connection_dropped_after_sending_is_in_doubt(harness: Harness) -> None:
    with dropping_server() as url, pytest.raises(InDoubt) as caught:
        harness.x(base_url=url).publish(X_ACCOUNT, TWEET)
    assert isinstance(caught.value.__cause__, requests.ConnectionError)


def test_timeline_faults_surface_as_errors(harness: Harness) -> None:
    harness.fault("x", "get_users_tweets", "server_error")
    with pytest.raises(InDoubt):
        harness.x().find_post(X_ACCOUNT, Lookup(URL))


def test_factory_builds_each_platform_and_needs_credentials(harness: Harness) -> None:
    settings = harness.settings()
    telegram = build_publisher("telegram", settings)
    assert isinstance(telegram, TelegramPublisher)
    telegram.close()
    assert isinstance(build_publisher("x", settings), XPublisher)
    with pytest.raises(ConfigError):
        build_publisher("x", Settings(sandbox=False))


def test_each_account_reads_its_secrets_from_the_environment_by_reference() -> None:
    environ = {
        "DISTRIBUTOR_X_NEWSROOM_CONSUMER_KEY": "nr-key",
        "DISTRIBUTOR_X_NEWSROOM_CONSUMER_SECRET": "nr-consumer-secret",
        "DISTRIBUTOR_X_NEWSROOM_ACCESS_TOKEN": "123-nr-token",
        "DISTRIBUTOR_X_NEWSROOM_ACCESS_TOKEN_SECRET": "nr-token-secret",
        "DISTRIBUTOR_X_SPORTS_BEARER_TOKEN": "sports-user-context-token",
    }
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    newsroom, user_auth = build_x_client(settings, "X_NEWSROOM", environ)
    assert user_auth and newsroom.access_token == "123-nr-token"
    assert newsroom.consumer_key == "nr-key"
    sports, user_auth = build_x_client(settings, "X_SPORTS", environ)
    assert not user_auth and sports.bearer_token == "sports-user-context-token"
    with pytest.raises(ConfigError, match="DISTRIBUTOR_X_WIRE_ACCESS_TOKEN"):
        build_x_client(settings, "X_WIRE", environ)
    sandboxed = Settings(_env_file=None, sandbox=True)  # type: ignore[call-arg]
    one, _ = build_x_client(sandboxed, "X_WIRE", environ)
    two, _ = build_x_client(sandboxed, "X_OTHER", environ)
    assert one.access_token.split("-")[0] != two.access_token.split("-")[0]  # two sandbox users


def test_normalise_url_ignores_tracking_and_cosmetics() -> None:
    assert normalise_url("https://A.com/p/?utm_source=x&id=3#f") == normalise_url(
        "http://a.com/p?id=3"
    )
    assert normalise_url("https://a.com/p?id=3") != normalise_url("https://a.com/p?id=4")
