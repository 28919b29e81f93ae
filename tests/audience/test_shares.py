"""Click, view and platform-metric counting on a real Redis."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from distributor.audience.shares import (
    DAY,
    Click,
    ShareTracker,
    Visitor,
    Visitors,
    is_known_bot,
    utc_day,
    x_snapshot,
)
from distributor.audience.trending import Trending
from distributor.keys import Keys
from distributor.models import Article
from tests.support.clock import T0, Clock

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def trending(redis_client: Redis, keys: Keys, clock: Clock) -> Trending:
    return Trending(redis_client, keys, clock=clock)


@pytest.fixture
def tracker(redis_client: Redis, keys: Keys, trending: Trending, clock: Clock) -> ShareTracker:
    return ShareTracker(redis_client, keys, trending, clock=clock)


@pytest.fixture
def visitors(redis_client: Redis, keys: Keys, clock: Clock) -> Visitors:
    return Visitors(redis_client, keys, clock=clock)


@pytest.fixture
def article(seed_article: dict[str, Any]) -> Article:
    return Article.model_validate(seed_article)


@pytest.mark.parametrize(
    ("user_agent", "bot"),
    [
        (CHROME, False),
        (IPHONE, False),
        (GOOGLEBOT, True),
        ("facebookexternalhit/1.1", True),
        ("TelegramBot (like TwitterBot)", True),
        ("curl/8.5.0", True),
        ("", True),
        ("   ", True),
    ],
)
def test_known_bots_are_recognised(user_agent: str, bot: bool) -> None:
    assert is_known_bot(user_agent) is bot


def test_visitor_ids_are_stable_within_a_day_and_change_the_next(
    visitors: Visitors, clock: Clock
) -> None:
    first = visitors.identify("203.0.113.7", CHROME)
    assert visitors.identify("203.0.113.7", CHROME) == first
    assert visitors.identify("203.0.113.8", CHROME) != first
    assert visitors.identify("203.0.113.7", IPHONE) != first
    assert first.is_bot is False
    assert visitors.identify("203.0.113.7", GOOGLEBOT).is_bot is True
    clock.advance(DAY)
    assert visitors.identify("203.0.113.7", CHROME) != first


def test_two_processes_agree_on_the_daily_salt(
    redis_client: Redis, keys: Keys, clock: Clock
) -> None:
    one = Visitors(redis_client, keys, clock=clock)
    two = Visitors(redis_client, keys, clock=clock)
    assert one.identify("198.51.100.1", CHROME) == two.identify("198.51.100.1", CHROME)
    ttl = redis_client.ttl(keys.visitor_salt(utc_day(clock())))
    assert 0 < ttl <= 2 * DAY


def test_raw_ips_and_user_agents_are_never_stored(
    redis_url: str, keys: Keys, tracker: ShareTracker, visitors: Visitors, article: Article
) -> None:
    ip = "192.0.2.123"
    tracker.record_click(article, "x", visitors.identify(ip, CHROME))
    tracker.record_view(article, visitors.identify(ip, CHROME))
    raw = Redis.from_url(redis_url)  # bytes: HyperLogLogs are binary strings
    parts: list[bytes] = []
    for key in raw.scan_iter(f"{keys.prefix}:*"):
        kind = raw.type(key)
        parts.append(key)
        if kind == b"hash":
            parts.extend(k + b"=" + v for k, v in raw.hgetall(key).items())
        elif kind == b"set":
            parts.extend(raw.smembers(key))
        elif kind == b"zset":
            parts.extend(raw.zrange(key, 0, -1))
        else:
            parts.append(raw.get(key) or b"")
    raw.close()
    dump = b"\n".join(parts)
    assert len(parts) > 5 and ip.encode() not in dump and b"Chrome" not in dump


def test_clicks_count_per_network_with_daily_uniques(
    tracker: ShareTracker, trending: Trending, article: Article, clock: Clock
) -> None:
    alice, bob = Visitor("a" * 16, False), Visitor("b" * 16, False)
    assert tracker.record_click(article, "facebook", alice) is True
    assert tracker.record_click(article, "facebook", alice) is False  # counted, not trending
    assert tracker.record_click(article, "x", alice) is True
    assert tracker.record_click(article, "facebook", bob) is True

    counts = tracker.counts(article.id)
    assert counts.by_network == {"facebook": 3, "x": 1}
    assert counts.clicks.human == 4
    assert counts.clicks.unique_today == 2
    assert counts.total == 4
    assert trending.score(article.id) == pytest.approx(3 * trending.config.weights["share_click"])

    clock.advance(DAY)
    assert tracker.counts(article.id).clicks.unique_today == 0
    assert tracker.record_click(article, "facebook", alice) is True  # a new day


def test_bots_are_counted_apart_and_never_trend(
    tracker: ShareTracker, trending: Trending, article: Article
) -> None:
    bot = Visitor("c" * 16, True)
    assert tracker.record_click(article, "facebook", bot) is False
    assert tracker.record_view(article, bot) is False
    counts = tracker.counts(article.id)
    assert counts.clicks.bots == 1
    assert counts.clicks.human == 0 and counts.total == 0 and counts.by_network == {}
    assert trending.top() == []


def test_views_count_once_per_visitor_per_day(
    tracker: ShareTracker, trending: Trending, article: Article, clock: Clock
) -> None:
    alice = Visitor("a" * 16, False)
    assert tracker.record_view(article, alice) is True
    assert tracker.record_view(article, alice) is False
    assert tracker.record_view(article, Visitor("b" * 16, False)) is True
    assert tracker.views(article.id) == 2
    clock.advance(DAY)
    assert tracker.record_view(article, alice) is True
    assert tracker.views(article.id) == 3
    assert [e.article_id for e in trending.top(category=article.category)] == [article.id]


def test_platform_snapshots_never_double_count(
    tracker: ShareTracker, trending: Trending, article: Article
) -> None:
    w = trending.config.weights
    delta = tracker.record_snapshot(article, "x", "1001", shares=5, engagement=20)
    assert (delta.shares, delta.engagement) == (5, 20)
    score = trending.score(article.id)
    assert score == pytest.approx(5 * w["platform_share"] + 20 * w["engagement"])

    again = tracker.record_snapshot(article, "x", "1001", shares=5, engagement=20)
    assert (again.shares, again.engagement) == (0, 0)
    assert trending.score(article.id) == pytest.approx(score)

    tracker.record_snapshot(article, "x", "1001", shares=4, engagement=18)  # an unlike
    assert tracker.counts(article.id).platform["x"].model_dump() == {
        "shares": 4,
        "engagement": 18,
    }
    back = tracker.record_snapshot(article, "x", "1001", shares=6, engagement=18)
    assert (back.shares, back.engagement) == (1, 0)  # only growth past the old high

    tracker.record_snapshot(article, "x", "1002", shares=2, engagement=1)
    tracker.record_click(article, "x", Visitor("a" * 16, False))
    counts = tracker.counts(article.id)
    assert counts.platform["x"].shares == 8
    assert counts.platform["x"].engagement == 19
    assert counts.total == 9
    assert counts.network_total("x") == 9
    assert counts.network_total("facebook") == 0


def test_metric_mapping() -> None:
    metrics = {"retweet_count": 3, "quote_count": 2, "like_count": 10, "reply_count": 4}
    assert x_snapshot(metrics | {"impression_count": 999}) == (5, 14)
    assert x_snapshot({}) == (0, 0)


def test_a_batch_of_clicks_counts_like_single_clicks(
    tracker: ShareTracker, trending: Trending, article: Article, clock: Clock
) -> None:
    alice, bob, bot = Visitor("a" * 16, False), Visitor("b" * 16, False), Visitor("c" * 16, True)
    t = clock()
    batch = [
        Click(article, "facebook", alice, t),
        Click(article, "facebook", alice, t),
        Click(article, "x", alice, t),
        Click(article, "facebook", bob, t),
        Click(article, "x", bot, t),
        Click(article, "facebook", alice, t + DAY),  # the next day: new again
    ]
    assert tracker.record_clicks(batch) == 4
    counts = tracker.counts(article.id, now=t)
    assert counts.by_network == {"facebook": 4, "x": 1}
    assert counts.clicks.bots == 1 and counts.clicks.unique_today == 2
    found = trending.explain(article.id, "week", now=t + DAY)
    assert found is not None
    assert sum(i.events for i in found.items) == 4


def test_shares_are_also_counted_per_network_per_day_with_platform_growth(
    tracker: ShareTracker, article: Article, clock: Clock
) -> None:
    alice, bot = Visitor("a" * 16, False), Visitor("c" * 16, True)
    tracker.record_clicks([Click(article, "facebook", alice, clock()) for _ in range(2)])
    tracker.record_click(article, "facebook", bot)  # bots stay out of the daily counts
    tracker.record_snapshot(article, "x", "1001", shares=3, engagement=0)
    first = utc_day(clock())
    clock.advance(DAY)
    tracker.record_click(article, "whatsapp", alice)
    tracker.record_snapshot(article, "x", "1001", shares=5, engagement=0)  # grew by 2
    second = utc_day(clock())
    assert tracker.daily(article.id, [first, second, "19990101"]) == {
        first: {"facebook": 2, "x": 3},
        second: {"whatsapp": 1, "x": 2},
        "19990101": {},
    }
