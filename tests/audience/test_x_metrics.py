"""Metrics polling: the pure schedule, and a round over real HTTP with a real tweepy client."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import tweepy
from redis import Redis
from requests.adapters import HTTPAdapter

from distributor.audience.trending import Trending
from distributor.audience.x_metrics import (
    DAY,
    HOUR,
    MINUTE,
    PollSchedule,
    TweetWatch,
    WatchedTweet,
    XReadBudget,
    plan_polls,
    poll_metrics,
)
from distributor.keys import Keys
from distributor.models import Article
from distributor.publishing.articles import ArticleStore
from tests.support.clock import T0, Clock
from tests.support.seed import seed_article_dict
from tests.support.shares import tracker_for

PORTS = range(18440, 18460)


def tweet(tid: str, age_s: float, last_polled_ago: float | None = None) -> WatchedTweet:
    last = None if last_polled_ago is None else T0 - last_polled_ago
    return WatchedTweet(tweet_id=tid, article_id="a", posted_at=T0 - age_s, last_polled=last)


def planned(batches: list[list[WatchedTweet]]) -> list[list[str]]:
    return [[t.tweet_id for t in batch] for batch in batches]


def test_schedule_slows_with_age_and_stops_after_a_week() -> None:
    schedule = PollSchedule()
    assert schedule.interval(0) == 5 * MINUTE
    assert schedule.interval(2 * HOUR - 1) == 5 * MINUTE
    assert schedule.interval(2 * HOUR) == HOUR
    assert schedule.interval(23 * HOUR) == HOUR
    assert schedule.interval(3 * DAY) == DAY
    assert schedule.interval(7 * DAY) is None


def test_only_due_tweets_are_planned() -> None:
    tweets = [
        tweet("fresh-due", 30 * MINUTE, last_polled_ago=6 * MINUTE),
        tweet("fresh-recent", 30 * MINUTE, last_polled_ago=2 * MINUTE),
        tweet("day-old-due", 10 * HOUR, last_polled_ago=61 * MINUTE),
        tweet("day-old-recent", 10 * HOUR, last_polled_ago=30 * MINUTE),
        tweet("week-old", 3 * DAY, last_polled_ago=20 * HOUR),
        tweet("expired", 8 * DAY, last_polled_ago=3 * DAY),
        tweet("never", 5 * DAY),
    ]
    assert planned(plan_polls(tweets, T0, requests_left=5)) == [
        ["never", "fresh-due", "day-old-due"]
    ]


def test_most_overdue_first_within_the_budget() -> None:
    tweets = [tweet(f"t{n:03d}", 10 * HOUR, last_polled_ago=HOUR + n * MINUTE) for n in range(250)]
    batches = plan_polls(tweets, T0, requests_left=2)
    assert [len(b) for b in batches] == [100, 100]
    assert batches[0][0].tweet_id == "t249"  # the most overdue
    assert {t.tweet_id for b in batches for t in b} == {f"t{n:03d}" for n in range(50, 250)}
    assert plan_polls(tweets, T0, requests_left=0) == []


class FakeX(BaseHTTPRequestHandler):
    """``GET /2/tweets`` answering from ``server.metrics``; 429 when ``server.limited``."""

    server: XServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        self.server.calls.append(query)
        if self.server.limited:
            self._send(429, {"title": "Too Many Requests"})
            return
        ids = query["ids"][0].split(",")
        data = [
            {"id": i, "text": f"tweet {i}", "public_metrics": self.server.metrics[i]}
            for i in ids
            if i in self.server.metrics
        ]
        errors = [
            {"resource_id": i, "type": "https://api.twitter.com/2/problems/resource-not-found"}
            for i in ids
            if i not in self.server.metrics
        ]
        self._send(200, {"data": data, **({"errors": errors} if errors else {})})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:
        return


class XServer(ThreadingHTTPServer):
    metrics: dict[str, dict[str, int]]
    calls: list[dict[str, list[str]]]
    limited: bool


class ToLocal(HTTPAdapter):
    """Sends tweepy's api.twitter.com requests to the local server."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self._base = base

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        assert request.url is not None
        request.url = request.url.replace("https://api.twitter.com", self._base, 1)
        return super().send(request, **kwargs)


@pytest.fixture
def x_server() -> Iterator[XServer]:
    for port in PORTS:
        try:
            server = XServer(("127.0.0.1", port), FakeX)
            break
        except OSError:
            continue
    else:
        pytest.fail("no free port in 18440-18459")
    server.metrics, server.calls, server.limited = {}, [], False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(x_server: XServer) -> tweepy.Client:
    client = tweepy.Client(bearer_token="test-bearer", wait_on_rate_limit=False)
    base = f"http://127.0.0.1:{x_server.server_address[1]}"
    client.session.mount("https://api.twitter.com", ToLocal(base))
    return client


def test_a_round_merges_metrics_within_the_budget(
    redis_client: Redis, keys: Keys, client: tweepy.Client, x_server: XServer
) -> None:
    clock = Clock(T0)
    article = Article.model_validate(seed_article_dict())
    ArticleStore(redis_client, keys).save(article)
    trending = Trending(redis_client, keys, clock=clock)
    tracker = tracker_for(redis_client, keys, trending, clock)
    watch = TweetWatch(redis_client, keys)
    budget = XReadBudget(redis_client, keys, per_window=1)
    store = ArticleStore(redis_client, keys)
    watch.watch(article.id, "900", posted_at=T0 - 10 * MINUTE)
    watch.watch(article.id, "901", posted_at=T0 - 10 * MINUTE)  # deleted on X
    x_server.metrics["900"] = {"retweet_count": 2, "quote_count": 1, "like_count": 7}

    report = poll_metrics(client, watch, budget, tracker, store, T0)
    assert (report.requests, report.updated, report.missing) == (1, 1, 1)
    assert x_server.calls[0]["tweet.fields"] == ["public_metrics"]
    assert tracker.counts(article.id).platform["x"].model_dump() == {"shares": 3, "engagement": 7}
    assert [t.tweet_id for t in watch.tweets(T0, DAY)] == ["900"]

    clock.advance(6 * MINUTE)  # due again, but this window's one request is spent
    assert poll_metrics(client, watch, budget, tracker, store, clock()).requests == 0

    clock.advance(15 * MINUTE)
    x_server.metrics["900"]["like_count"] = 9
    score = trending.score(article.id)
    assert poll_metrics(client, watch, budget, tracker, store, clock()).updated == 1
    assert tracker.counts(article.id).platform["x"].engagement == 9
    gained = trending.score(article.id) - score  # both as of the same moment
    assert gained == pytest.approx(2 * trending.config.weights["engagement"])


def test_a_429_spends_the_window(
    redis_client: Redis, keys: Keys, client: tweepy.Client, x_server: XServer
) -> None:
    trending = Trending(redis_client, keys)
    tracker = tracker_for(redis_client, keys, trending)
    watch = TweetWatch(redis_client, keys)
    budget = XReadBudget(redis_client, keys, per_window=10)
    watch.watch("a", "900", posted_at=T0)
    x_server.limited = True
    report = poll_metrics(client, watch, budget, tracker, ArticleStore(redis_client, keys), T0)
    assert report.rate_limited is True
    assert budget.left(T0) == 0
    assert budget.left(T0 + 15 * MINUTE) == 10
