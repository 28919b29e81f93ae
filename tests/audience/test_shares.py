"""Click, view and platform-metric counting on a real Redis."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from distributor.audience.shares import ClickLimits, ShareTracker, x_snapshot
from distributor.audience.trending import Trending
from distributor.audience.visitors import (
    DAY,
    Visitor,
    Visitors,
    address_key,
    is_known_bot,
    utc_day,
)
from distributor.keys import Keys
from distributor.models import Article
from tests.support.clock import T0, Clock
from tests.support.seed import seed_article_dict
from tests.support.shares import click, tracker_for

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
    return tracker_for(redis_client, keys, trending, clock)


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


def test_a_visitor_is_an_address_whatever_its_user_agent(visitors: Visitors, clock: Clock) -> None:
    first = visitors.identify("203.0.113.7", CHROME)
    assert visitors.identify("203.0.113.7", CHROME) == first
    assert visitors.identify("203.0.113.7", IPHONE) == first  # was a new visitor per User-Agent
    assert visitors.identify("203.0.113.8", CHROME) != first
    assert first.is_bot is False
    assert visitors.identify("203.0.113.7", GOOGLEBOT).is_bot is True
    clock.advance(DAY)
    assert visitors.identify("203.0.113.7", CHROME) != first


def test_an_ipv6_host_is_its_64_and_a_mapped_ipv4_is_the_ipv4() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:ffff:1:2:3")
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:198.51.100.4") == "198.51.100.4"
    assert address_key("198.51.100.4") == "198.51.100.4"


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
    tracker.record_clicks([click(article, "x", ip, T0)])
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


def test_clicks_count_once_per_address_network_and_day(
    tracker: ShareTracker, trending: Trending, article: Article, clock: Clock
) -> None:
    alice, bob = "198.51.100.1", "198.51.100.2"
    assert tracker.record_clicks([click(article, "facebook", alice, clock())]) == 1
    assert tracker.record_clicks([click(article, "facebook", alice, clock())]) == 0  # a repeat
    assert tracker.record_clicks([click(article, "x", alice, clock())]) == 1
    assert tracker.record_clicks([click(article, "facebook", bob, clock())]) == 1

    counts = tracker.counts(article.id)
    assert counts.by_network == {"facebook": 2, "x": 1}
    assert counts.clicks.human == 3
    assert counts.clicks.unique_today == 2
    assert counts.total == 3
    assert trending.score(article.id) == pytest.approx(3 * trending.config.weights["share_click"])

    clock.advance(DAY)
    assert tracker.counts(article.id).clicks.unique_today == 0
    assert tracker.record_clicks([click(article, "facebook", alice, clock())]) == 1  # a new day


def test_bots_are_counted_apart_and_never_trend(
    tracker: ShareTracker, trending: Trending, article: Article
) -> None:
    assert tracker.record_clicks([click(article, "facebook", "198.51.100.9", T0, bot=True)]) == 0
    assert tracker.record_view(article, Visitor("c" * 16, True)) is False
    counts = tracker.counts(article.id)
    assert counts.clicks.bots == 1
    assert counts.clicks.human == 0 and counts.total == 0 and counts.by_network == {}
    assert trending.top() == []


def test_an_address_past_its_limit_is_not_counted_until_the_next_window(
    redis_client: Redis, keys: Keys, trending: Trending, clock: Clock
) -> None:
    limits = ClickLimits(per_address=3, window_s=600)
    tracker = tracker_for(redis_client, keys, trending, clock, limits)
    stories = [Article.model_validate(seed_article_dict(f"story-{n}")) for n in range(5)]
    flood = [click(a, "x", "198.51.100.7", clock()) for a in stories]
    assert tracker.record_clicks(flood) == 3  # every click spends the limit, counted or not
    assert tracker.record_clicks([click(stories[4], "x", "198.51.100.8", clock())]) == 1
    clock.advance(600)
    assert tracker.record_clicks([click(stories[4], "x", "198.51.100.7", clock())]) == 1


def test_memory_stays_bounded_under_a_flood_of_addresses(
    redis_client: Redis, keys: Keys, trending: Trending, article: Article, clock: Clock
) -> None:
    limits = ClickLimits(per_address=30, window_s=600, addresses=200)
    tracker = tracker_for(redis_client, keys, trending, clock, limits)
    for batch in range(6):  # 3,000 distinct addresses in one window
        clicks = [
            click(article, "x", f"10.{batch}.{n // 256}.{n % 256}", clock()) for n in range(500)
        ]
        tracker.record_clicks(clicks)
    window = int(clock() // 600)
    assert redis_client.hlen(keys.click_rate(window)) == 200  # the cap: later ones not counted
    counted = tracker.counts(article.id).by_network["x"]
    assert 196 <= counted <= 204  # a HyperLogLog's estimate of 200 new visitors
    seen = keys.seen(article.id, utc_day(clock()), "x")
    assert int(redis_client.memory_usage(seen) or 0) <= 13_000  # 12 KB at most, whatever comes
    assert 0 < redis_client.ttl(seen) <= 2 * DAY


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
    tracker.record_clicks([click(article, "x", "198.51.100.1", T0)])
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
    alice, bob, t = "198.51.100.1", "198.51.100.2", clock()
    batch = [
        click(article, "facebook", alice, t),
        click(article, "facebook", alice, t),
        click(article, "x", alice, t),
        click(article, "facebook", bob, t),
        click(article, "x", "198.51.100.3", t, bot=True),
        click(article, "facebook", alice, t + DAY),  # the next day: new again
    ]
    assert tracker.record_clicks(batch) == 4
    counts = tracker.counts(article.id, now=t)
    assert counts.by_network == {"facebook": 3, "x": 1}
    assert counts.clicks.bots == 1 and counts.clicks.unique_today == 2
    found = trending.explain(article.id, "week", now=t + DAY)
    assert found is not None
    assert sum(i.events for i in found.items) == 4


def test_shares_are_also_counted_per_network_per_day_with_platform_growth(
    tracker: ShareTracker, article: Article, clock: Clock
) -> None:
    alice, bob = "203.0.113.7", "198.51.100.4"
    tracker.record_clicks([click(article, "facebook", alice, clock()) for _ in range(2)])
    tracker.record_clicks([click(article, "facebook", bob, clock())])
    tracker.record_clicks([click(article, "facebook", "192.0.2.1", clock(), bot=True)])
    tracker.record_snapshot(article, "x", "1001", shares=3, engagement=0)
    first = utc_day(clock())
    clock.advance(DAY)
    tracker.record_clicks([click(article, "whatsapp", alice, clock())])
    tracker.record_snapshot(article, "x", "1001", shares=5, engagement=0)  # grew by 2
    second = utc_day(clock())
    # an address counts once per network and day; bots stay out of the daily counts
    assert tracker.daily(article.id, [first, second, "19990101"]) == {
        first: {"facebook": 2, "x": 3},
        second: {"whatsapp": 1, "x": 2},
        "19990101": {},
    }
