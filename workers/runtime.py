"""Per-process clients for tasks: built lazily in each worker process, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import tweepy
from redis import Redis

from distributor.articles import ArticleStore
from distributor.config import Settings
from distributor.formatting import FormatOptions, render
from distributor.keys import Keys
from distributor.ledger import Ledger
from distributor.metrics_poll import TweetWatch
from distributor.models import Article, Destination, Platform, RenderedPost
from distributor.publishers.base import Publisher
from distributor.publishers.factory import build_publisher, build_x_client
from distributor.ratelimit import RateGovernor, RateTable
from distributor.routing import RoutingTable
from distributor.routing_file import load_routing
from distributor.scheduler import Scheduler
from distributor.shares import ShareTracker
from distributor.trending import Trending, TrendingConfig


@dataclass
class Runtime:
    """What tasks use: Redis-backed stores and the platform publishers."""

    settings: Settings
    redis: Redis
    keys: Keys
    routing: RoutingTable
    ledger: Ledger
    governor: RateGovernor
    articles: ArticleStore
    scheduler: Scheduler
    format_options: FormatOptions
    trending: Trending
    shares: ShareTracker
    tweet_watch: TweetWatch
    _publishers: dict[str, Publisher] = field(default_factory=dict)
    _x_client: tuple[tweepy.Client, bool] | None = None

    def publisher(self, platform: Platform) -> Publisher:
        """The publisher for a platform, created on first use in this process."""
        if platform not in self._publishers:
            self._publishers[platform] = build_publisher(platform, self.settings)
        return self._publishers[platform]

    def x_client(self) -> tuple[tweepy.Client, bool]:
        """A tweepy client for metric reads and whether it uses user context."""
        if self._x_client is None:
            self._x_client = build_x_client(self.settings)
        return self._x_client

    def render(self, article: Article, destination: Destination) -> RenderedPost:
        """Format an article for a destination."""
        return render(article, destination, self.format_options)


def build_runtime(settings: Settings) -> Runtime:
    """Connect to Redis and load the routing file; publishers are built on first use."""
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    keys = Keys(settings.namespace)
    trending = Trending(redis, keys, TrendingConfig.from_settings(settings))
    return Runtime(
        settings=settings,
        redis=redis,
        keys=keys,
        routing=load_routing(settings.routing_file),
        ledger=Ledger(redis, keys, lease_s=settings.lease_s),
        governor=RateGovernor(redis, keys, rate_table(settings)),
        articles=ArticleStore(redis, keys),
        scheduler=Scheduler(redis, keys),
        format_options=FormatOptions.from_settings(settings),
        trending=trending,
        shares=ShareTracker(redis, keys, trending),
        tweet_watch=TweetWatch(redis, keys),
    )


def rate_table(settings: Settings) -> RateTable:
    """The governor's limits: the platforms' own, or none (``rate_limits=off``, sandbox only)."""
    if settings.rate_limits == "off":
        return RateTable.unenforced()
    return RateTable.for_x_tier(settings.x_tier)


class RuntimeHolder:
    """Gives each (forked) process its own Runtime, so no connection crosses a fork."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pid = -1
        self._runtime: Runtime | None = None

    def get(self) -> Runtime:
        """This process's Runtime, built on first call after a fork."""
        if self._runtime is None or self._pid != os.getpid():
            self._runtime = build_runtime(self.settings)
            self._pid = os.getpid()
        return self._runtime
