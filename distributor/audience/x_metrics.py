"""Polling our tweets' public_metrics: often while fresh, rarely later, never past a week.

``plan_polls`` is pure: which watched tweets are due and how to batch them (100 ids per
``GET /2/tweets``) within the read requests left in the current 15-minute window.
``poll_metrics`` runs one round: plan, spend budget, fetch with a tweepy-like client, merge
each tweet's snapshot through ``ShareTracker`` (trending gets only growth).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import tweepy
from redis import Redis

from distributor.audience.shares import ShareTracker, x_snapshot
from distributor.keys import Keys
from distributor.publishing.articles import ArticleStore

MINUTE, HOUR, DAY = 60.0, 3600.0, 86_400.0
X_WINDOW_S = 900  # X rate limits reset every 15 minutes
X_MAX_IDS = 100  # ids per GET /2/tweets


@dataclass(frozen=True)
class PollSchedule:
    """``(max_age_s, interval_s)`` steps, youngest first; older than the last: never polled."""

    steps: tuple[tuple[float, float], ...] = (
        (2 * HOUR, 5 * MINUTE),
        (24 * HOUR, HOUR),
        (7 * DAY, DAY),
    )

    def interval(self, age_s: float) -> float | None:
        """Seconds between polls at this age, or None when polling has stopped."""
        for max_age, interval in self.steps:
            if age_s < max_age:
                return interval
        return None

    @property
    def horizon_s(self) -> float:
        """Age after which a tweet is no longer polled."""
        return self.steps[-1][0] if self.steps else 0.0


@dataclass(frozen=True)
class WatchedTweet:
    """One of our tweets: which article, when posted, when its metrics were last fetched."""

    tweet_id: str
    article_id: str
    posted_at: float
    last_polled: float | None = None


def plan_polls(
    tweets: Iterable[WatchedTweet],
    now: float,
    requests_left: int,
    schedule: PollSchedule | None = None,
    batch_size: int = X_MAX_IDS,
) -> list[list[WatchedTweet]]:
    """Batches to fetch now: due tweets, most overdue first (never polled first, then
    younger first), at most ``requests_left`` batches of ``batch_size``."""
    rules = schedule or PollSchedule()
    due: list[tuple[float, float, WatchedTweet]] = []
    for tweet in tweets:
        age = max(0.0, now - tweet.posted_at)
        interval = rules.interval(age)
        if interval is None:
            continue
        if tweet.last_polled is None:
            overdue = math.inf
        else:
            overdue = (now - tweet.last_polled) / interval
            if overdue < 1:
                continue
        due.append((-overdue, age, tweet))
    due.sort(key=lambda row: (row[0], row[1], row[2].tweet_id))
    chosen = [row[2] for row in due[: max(0, requests_left) * batch_size]]
    return [chosen[i : i + batch_size] for i in range(0, len(chosen), batch_size)]


class TweetLookup(Protocol):
    """What ``poll_metrics`` needs of ``tweepy.Client``."""

    def get_tweets(self, ids: list[str], *, user_auth: bool = ..., **params: Any) -> Any:
        """``GET /2/tweets``; returns a response with ``data`` (tweets) and ``errors``."""


class XReadBudget:
    """Read requests allowed per 15-minute window, counted in Redis across processes."""

    def __init__(self, redis: Redis, keys: Keys, per_window: int = 15) -> None:
        self._redis = redis
        self._keys = keys
        self.per_window = per_window

    def left(self, now: float) -> int:
        """Requests still allowed in the window containing ``now``."""
        used = int(self._redis.get(self._keys.metrics_budget(_window(now))) or 0)
        return max(0, self.per_window - used)

    def spend(self, now: float) -> bool:
        """Take one request from the window; False (nothing taken) when it is used up."""
        key = self._keys.metrics_budget(_window(now))
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, 2 * X_WINDOW_S)
        used, _ = pipe.execute()
        if int(used) > self.per_window:
            self._redis.decr(key)
            return False
        return True

    def exhaust(self, now: float) -> None:
        """Mark the window used up (after the platform answered 429)."""
        key = self._keys.metrics_budget(_window(now))
        self._redis.set(key, self.per_window, ex=2 * X_WINDOW_S)


def _window(now: float) -> int:
    return int(now // X_WINDOW_S) * X_WINDOW_S


class TweetWatch:
    """The tweets to poll: added when an X delivery is recorded, dropped past the horizon."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    def watch(self, article_id: str, tweet_id: str, posted_at: float) -> None:
        """Start polling a tweet of ours."""
        pipe = self._redis.pipeline()
        pipe.zadd(self._keys.metrics_watch(), {tweet_id: posted_at})
        pipe.hset(self._keys.metrics_tweets(), tweet_id, article_id)
        pipe.execute()

    def tweets(self, now: float, horizon_s: float) -> list[WatchedTweet]:
        """Watched tweets posted within ``horizon_s`` of ``now``, with their last poll time."""
        rows = cast(
            list[tuple[str, float]],
            self._redis.zrangebyscore(
                self._keys.metrics_watch(), repr(now - horizon_s), "+inf", withscores=True
            ),
        )
        if not rows:
            return []
        ids = [tweet_id for tweet_id, _ in rows]
        articles = self._redis.hmget(self._keys.metrics_tweets(), ids)
        polled = self._redis.hmget(self._keys.metrics_polled(), ids)
        return [
            WatchedTweet(
                tweet_id=tweet_id,
                article_id=str(article),
                posted_at=float(posted),
                last_polled=float(last) if last is not None else None,
            )
            for (tweet_id, posted), article, last in zip(rows, articles, polled, strict=True)
            if article is not None
        ]

    def mark_polled(self, tweet_ids: Sequence[str], now: float) -> None:
        """Record that these tweets were fetched (or asked for) at ``now``."""
        if tweet_ids:
            self._redis.hset(self._keys.metrics_polled(), mapping=dict.fromkeys(tweet_ids, now))

    def forget(self, tweet_ids: Sequence[str]) -> None:
        """Stop polling these tweets (deleted, or past the horizon)."""
        if not tweet_ids:
            return
        pipe = self._redis.pipeline()
        pipe.zrem(self._keys.metrics_watch(), *tweet_ids)
        pipe.hdel(self._keys.metrics_tweets(), *tweet_ids)
        pipe.hdel(self._keys.metrics_polled(), *tweet_ids)
        pipe.execute()

    def forget_older(self, now: float, horizon_s: float) -> int:
        """Drop tweets posted more than ``horizon_s`` ago; how many."""
        old = self._redis.zrangebyscore(self._keys.metrics_watch(), "-inf", f"({now - horizon_s!r}")
        self.forget([str(t) for t in old])
        return len(old)


@dataclass(frozen=True)
class PollReport:
    """What one polling round did."""

    requests: int
    updated: int
    missing: int
    rate_limited: bool


def poll_metrics(
    client: TweetLookup,
    watch: TweetWatch,
    budget: XReadBudget,
    tracker: ShareTracker,
    store: ArticleStore,
    now: float,
    *,
    schedule: PollSchedule | None = None,
    user_auth: bool = False,
) -> PollReport:
    """One round (beat: every minute): fetch due tweets' metrics within the read budget."""
    rules = schedule or PollSchedule()
    watch.forget_older(now, rules.horizon_s)
    tweets = watch.tweets(now, rules.horizon_s)
    requests = updated = missing = 0
    for batch in plan_polls(tweets, now, budget.left(now), rules):
        if not budget.spend(now):
            break
        requests += 1
        ids = [t.tweet_id for t in batch]
        try:
            response = client.get_tweets(ids, tweet_fields=["public_metrics"], user_auth=user_auth)
        except tweepy.TooManyRequests:
            budget.exhaust(now)
            return PollReport(requests, updated, missing, rate_limited=True)
        watch.mark_polled(ids, now)
        by_id = {t.tweet_id: t for t in batch}
        found = set()
        for tweet in response.data or ():
            known = by_id.get(str(tweet.id))
            article = store.get(known.article_id) if known else None
            if known is None or article is None or not store.is_published(article.id):
                continue
            shares, engagement = x_snapshot(tweet.public_metrics or {})
            tracker.record_snapshot(article, "x", known.tweet_id, shares, engagement, now)
            found.add(known.tweet_id)
            updated += 1
        gone = [i for i in ids if i not in found and _reported_missing(response, i)]
        watch.forget(gone)
        missing += len(gone)
    return PollReport(requests, updated, missing, rate_limited=False)


def _reported_missing(response: Any, tweet_id: str) -> bool:
    """True when X says the tweet is gone (deleted or not found) rather than just absent."""
    for error in getattr(response, "errors", None) or ():
        if str(error.get("resource_id", error.get("value", ""))) == tweet_id:
            return True
    return False
