"""The click buffer: batching, inline writes when due, nothing lost when Redis refuses."""

from __future__ import annotations

import time
from typing import Any

import pytest
from redis import Redis, RedisError

from distributor.audience.clicks import ClickBuffer
from distributor.audience.shares import ShareTracker
from distributor.audience.trending import Trending
from distributor.audience.visitors import Visitors
from distributor.keys import Keys
from distributor.models import Article
from tests.support.shares import tracker_for


@pytest.fixture
def tracker(redis_client: Redis, keys: Keys) -> ShareTracker:
    return tracker_for(redis_client, keys, Trending(redis_client, keys))


@pytest.fixture
def article(seed_article: dict[str, Any]) -> Article:
    return Article.model_validate(seed_article)


def visitor(n: int) -> str:
    return f"198.51.100.{n}"


def test_clicks_wait_until_flushed(tracker: ShareTracker, article: Article) -> None:
    buffer = ClickBuffer(tracker, max_delay_s=3600, idle_flush_s=3600)
    for n in range(3):
        buffer.add(article, "facebook", visitor(n), False)
    assert buffer.pending() == 3
    assert tracker.counts(article.id).clicks.human == 0
    assert buffer.flush() == 3
    assert tracker.counts(article.id).by_network == {"facebook": 3}
    assert buffer.flush() == 0


def test_a_full_batch_wakes_the_writer(tracker: ShareTracker, article: Article) -> None:
    buffer = ClickBuffer(tracker, max_delay_s=3600, max_batch=5, idle_flush_s=3600)
    for n in range(4):
        buffer.add(article, "x", visitor(n), False)
    time.sleep(0.3)
    assert buffer.pending() == 4  # not due: nobody writes
    buffer.add(article, "x", visitor(4), False)
    deadline = time.monotonic() + 10
    while buffer.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert tracker.counts(article.id).by_network == {"x": 5}


def test_clicks_survive_a_redis_outage(
    redis_client: Redis, keys: Keys, tracker: ShareTracker, article: Article
) -> None:
    down = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)  # nothing listens
    broken = ShareTracker(down, keys, Trending(redis_client, keys), Visitors(down, keys))
    buffer = ClickBuffer(broken, max_delay_s=3600, idle_flush_s=3600)
    buffer.add(article, "x", visitor(1), False)
    with pytest.raises(RedisError):
        buffer.flush()
    assert buffer.pending() == 1
