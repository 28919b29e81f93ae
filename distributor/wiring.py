"""The one wiring seam: every client the API, the intake and the workers use, built from
``Settings`` in one place and passed in (docs/architecture.md, "Wiring").

A ``Container`` holds the connections; the stores and publishers built on them are created on
first use, so a process pays only for what it touches. Workers build one per process after the
fork (``workers.app``), the API one per app (``distributor.api.server``); tests build their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from zoneinfo import ZoneInfo

import tweepy
from redis import Redis

from distributor.audience.clicks import ClickBuffer
from distributor.audience.readers.broadcast import Broadcaster
from distributor.audience.readers.catalogue import Catalogue
from distributor.audience.readers.digest import DigestWriter
from distributor.audience.readers.fanout import ChunkRunner
from distributor.audience.readers.reactions import Reactions
from distributor.audience.readers.sends import ReaderSends
from distributor.audience.readers.subscriptions import Subscriptions
from distributor.audience.readers.topics import seed_topics
from distributor.audience.shares import ShareTracker, Visitors
from distributor.audience.trending import Trending, TrendingConfig
from distributor.audience.x_metrics import TweetWatch, XReadBudget
from distributor.bot.inbox import BotInbox
from distributor.config import Settings
from distributor.formatting import FormatOptions, render
from distributor.formatting.sharelinks import ShareTargets
from distributor.keys import Keys
from distributor.models import Article, Destination, Platform, RenderedPost
from distributor.publishers.base import Publisher
from distributor.publishers.factory import build_publisher, build_reader_bot, build_x_client
from distributor.publishing.articles import ArticleStore, PublishedArticles
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import RateGovernor, RateTable
from distributor.publishing.routing import RoutingTable
from distributor.publishing.routing.loader import load_routing
from distributor.queue.broker import CeleryEnqueue, Enqueue, create_celery
from distributor.queue.outbox import Outbox
from distributor.queue.scheduler import Scheduler


@dataclass
class Container:
    """Connections, configuration and the stores built on them, for one process."""

    settings: Settings
    redis: Redis
    keys: Keys
    routing: RoutingTable
    enqueue: Enqueue
    clock: Callable[[], float] = field(default=time.time)
    _publishers: dict[str, Publisher] = field(default_factory=dict)
    _x_client: tuple[tweepy.Client, bool] | None = None

    # the spine
    @cached_property
    def ledger(self) -> Ledger:
        """Delivery records and their transitions."""
        return Ledger(self.redis, self.keys, lease_s=self.settings.lease_s)

    @cached_property
    def articles(self) -> ArticleStore:
        """The newest revision of each article."""
        return ArticleStore(self.redis, self.keys)

    @cached_property
    def published(self) -> PublishedArticles:
        """Published articles, cached in this process (the share links' hot path)."""
        return PublishedArticles(self.articles)

    @cached_property
    def governor(self) -> RateGovernor:
        """The shared rate governor."""
        return RateGovernor(self.redis, self.keys, rate_table(self.settings))

    @cached_property
    def outbox(self) -> Outbox:
        """Accepted events until their deliveries leave ``pending``."""
        return Outbox(self.redis, self.keys)

    @cached_property
    def scheduler(self) -> Scheduler:
        """Task sends due later than Celery's countdown should hold."""
        return Scheduler(self.redis, self.keys, clock=self.clock)

    @cached_property
    def format_options(self) -> FormatOptions:
        """Campaign, share-link base, labels and templates."""
        return FormatOptions.from_settings(self.settings)

    def render(self, article: Article, destination: Destination) -> RenderedPost:
        """Format an article for a destination."""
        return render(article, destination, self.format_options)

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

    # the audience
    @cached_property
    def trending(self) -> Trending:
        """The decayed trending boards."""
        config = TrendingConfig.from_settings(self.settings)
        return Trending(self.redis, self.keys, config, clock=self.clock)

    @cached_property
    def shares(self) -> ShareTracker:
        """Share counters, uniques and platform snapshots."""
        return ShareTracker(self.redis, self.keys, self.trending, clock=self.clock)

    @cached_property
    def visitors(self) -> Visitors:
        """Salted visitor ids for unique counts."""
        return Visitors(self.redis, self.keys, clock=self.clock)

    @cached_property
    def clicks(self) -> ClickBuffer:
        """Share clicks, written to Redis in batches by a writer thread."""
        return ClickBuffer(self.shares, clock=self.clock)

    @cached_property
    def share_targets(self) -> ShareTargets:
        """Each network's share URL per article revision, computed once per process."""
        return ShareTargets(self.settings.utm_campaign)

    @cached_property
    def tweet_watch(self) -> TweetWatch:
        """Our tweets whose public metrics are polled."""
        return TweetWatch(self.redis, self.keys)

    @cached_property
    def x_read_budget(self) -> XReadBudget:
        """X read requests left in the current window."""
        return XReadBudget(self.redis, self.keys)

    # readers (distributor/audience/readers, distributor/bot)
    @cached_property
    def subscriptions(self) -> Subscriptions:
        """Readers and their topics."""
        return Subscriptions(self.redis, self.keys, clock=self.clock)

    @cached_property
    def catalogue(self) -> Catalogue:
        """Topics readers can choose (configured, the routing rules', articles') and the newest
        articles."""
        rules = self.routing.rules
        named = [*self.settings.readers_topics, *(r.category for r in rules if r.category)]
        named += [tag for rule in rules for tag in rule.tags]
        return Catalogue(self.redis, self.keys, seed_topics(named))

    @cached_property
    def reader_sends(self) -> ReaderSends:
        """Reader jobs and the per-(article, reader) send records; a claim's lease outlives
        any one call."""
        lease = max(self.settings.lease_s, 2 * self.settings.http_timeout_s)
        return ReaderSends(self.redis, self.keys, lease, clock=self.clock)

    @cached_property
    def broadcaster(self) -> Broadcaster:
        """The readers' batch sender (its own Bot and keep-alive pool)."""
        return Broadcaster(
            build_reader_bot(self.settings), self.governor, self.reader_sends, self.subscriptions,
            paid=self.settings.readers_paid_broadcast, in_flight=self.settings.readers_in_flight,
        )  # fmt: skip

    @cached_property
    def reader_chunks(self) -> ChunkRunner:
        """Runs chunks of reader jobs, each within a fifth of the visibility timeout (at most a
        minute), far below the task time limits."""
        budget = max(1.0, min(60.0, self.settings.visibility_timeout_s / 5))
        return ChunkRunner(
            self.reader_sends, self.broadcaster, self.articles, self.render, self.digests,
            self.settings.readers_chunk, budget,
        )  # fmt: skip

    @cached_property
    def digests(self) -> DigestWriter:
        """Readers' daily digests, dated in the newsroom's time zone."""
        zone = ZoneInfo(self.settings.timezone)
        return DigestWriter(self.catalogue, self.articles, self.subscriptions, zone)

    @cached_property
    def reactions(self) -> Reactions:
        """Our Telegram posts' articles and the reactions on them."""
        return Reactions(self.redis, self.keys, self.shares, self.articles)

    @cached_property
    def bot_inbox(self) -> BotInbox:
        """Webhook updates waiting for `distributor bot`."""
        return BotInbox(self.redis, self.keys)

    def close(self) -> None:
        """Release the connections (and the producer's, when this container made it)."""
        if "broadcaster" in self.__dict__:
            self.broadcaster.close()
        if isinstance(self.enqueue, CeleryEnqueue):
            self.enqueue.close()
        self.redis.close()


def rate_table(settings: Settings) -> RateTable:
    """The governor's limits: the platforms' own, or none (``rate_limits=off``, sandbox only)."""
    if settings.rate_limits == "off":
        return RateTable.unenforced()
    table = RateTable.for_x_tier(settings.x_tier)
    return replace(  # readers: their own budget
        table, readers_per_s=settings.readers_per_s, readers_paid_per_s=settings.readers_paid_per_s
    )


def build_container(
    settings: Settings, enqueue: Enqueue | None = None, *, redis_timeout_s: float | None = None
) -> Container:
    """Connect to Redis and load the routing file; ``enqueue`` defaults to a Celery producer.

    ``redis_timeout_s`` bounds each Redis call (the API sets it, so a stuck Redis answers 503
    instead of hanging a request); workers leave it unset.
    """
    redis = Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_connect_timeout=redis_timeout_s,
        socket_timeout=redis_timeout_s,
    )
    return Container(
        settings=settings,
        redis=redis,
        keys=Keys(settings.namespace),
        routing=load_routing(settings.routing_file),
        enqueue=enqueue if enqueue is not None else CeleryEnqueue(create_celery(settings)),
    )
