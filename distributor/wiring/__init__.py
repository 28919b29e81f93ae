"""The one wiring seam: every client the API, the intake and the workers use, built from
``Settings`` in one place and passed in (docs/architecture.md, "Wiring").

A ``Container`` holds the connections; the stores and publishers built on them are created on
first use, so a process pays only for what it touches (the platform clients are even imported
on first use: python-telegram-bot and tweepy add ~18 MiB to a process, and the API never
posts). The managers' and readers' parts are mixed in from ``wiring.people``. Workers build
one per process after the fork (``workers.app``), the API one per app
(``distributor.api.server``); tests build their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from redis import Redis

from distributor.audience.clicks import ClickBuffer
from distributor.audience.shares import ClickLimits, ShareTracker
from distributor.audience.trending import Trending, TrendingConfig
from distributor.audience.visitors import Visitors
from distributor.config import Settings
from distributor.formatting import FormatOptions, render
from distributor.formatting.sharelinks import ShareTargets
from distributor.keys import Keys
from distributor.models import Article, Destination, Platform, RenderedPost
from distributor.observe.report import report_clicks
from distributor.publishers.base import LimitReading, Publisher
from distributor.publishers.x_limits import tier_guess
from distributor.publishing.articles import ArticleStore, PublishedArticles
from distributor.publishing.budget import BudgetPolicy, Guess, PostBudget
from distributor.publishing.ledger import Ledger
from distributor.publishing.probe import Probe, ProbeSettings
from distributor.publishing.ratelimit import RateGovernor, RateTable, budget_scope
from distributor.publishing.routing import RoutingTable
from distributor.publishing.routing.loader import load_routing
from distributor.queue.broker import CeleryEnqueue, Enqueue, create_celery
from distributor.queue.outbox import Outbox
from distributor.queue.scheduler import Scheduler
from distributor.wiring.people import PeopleParts

if TYPE_CHECKING:
    import tweepy

    from distributor.audience.x_metrics import TweetWatch, XReadBudget


@dataclass
class Container(PeopleParts):
    """Connections, configuration and the stores built on them, for one process."""

    settings: Settings
    redis: Redis
    keys: Keys
    routing: RoutingTable
    enqueue: Enqueue
    clock: Callable[[], float] = field(default=time.time)
    counts_redis: Redis | None = None  # share counts' own Redis; None: ``redis``
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
        """The shared rate governor (GCRA for Telegram, the X budget beside it)."""
        budget = self.x_budget if self.settings.rate_limits == "on" else None
        flight_s = 4 * self.settings.http_timeout_s + 5  # longer than any call may take
        return RateGovernor(
            self.redis, self.keys, rate_table(self.settings), budget,
            single_flight=self.settings.telegram_single_flight, flight_s=flight_s,
        )  # fmt: skip

    @cached_property
    def probe(self) -> Probe:
        """The reconciler's paced, resumable probe of Telegram chats."""
        soft_limit = 0.8 * min(300, self.settings.visibility_timeout_s // 2)  # queue/broker.py
        settings = ProbeSettings(budget=self.settings.probe_budget, pass_s=soft_limit / 2)
        return Probe(self.redis, self.keys, self.governor, settings)

    @cached_property
    def x_budget(self) -> PostBudget:
        """Each X account's post budget, learnt from X's answers."""
        return PostBudget(self.redis, self.keys, x_budget_policy(self.settings), self.clock)

    def max_delay_s(self, destination: Destination) -> float | None:
        """How late a post to ``destination`` may still go out (X: a few hours by default)."""
        if destination.max_delay is not None:
            return destination.max_delay
        return self.settings.x_max_delay if destination.platform == "x" else None

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
            from distributor.publishers.factory import build_publisher

            self._publishers[platform] = build_publisher(platform, self.settings)
        return self._publishers[platform]

    def publisher_for(self, destination: Destination) -> Publisher:
        """The publisher of ``destination``'s account: X destinations with their own
        ``credentials`` get their own client, whose answers feed that account's budget."""
        scope = budget_scope(destination)
        if scope is None:
            return self.publisher(destination.platform)
        if scope not in self._publishers:
            from distributor.publishers.factory import build_x

            budget = self.x_budget

            def observe(readings: Sequence[LimitReading]) -> None:
                budget.observe(scope, readings)

            self._publishers[scope] = build_x(
                self.settings, destination.credentials, observe, self.clock
            )
        return self._publishers[scope]

    def x_client(self) -> tuple[tweepy.Client, bool]:
        """A tweepy client for metric reads and whether it uses user context."""
        if self._x_client is None:
            from distributor.publishers.factory import build_x_client

            self._x_client = build_x_client(self.settings)
        return self._x_client

    # the audience
    @cached_property
    def trending(self) -> Trending:
        """The decayed trending boards."""
        config = TrendingConfig.from_settings(self.settings)
        return Trending(self.redis, self.keys, config, clock=self.clock)

    @property
    def counting_redis(self) -> Redis:
        """Where share counts live: a Redis of their own when configured, so a flood of clicks
        cannot take the memory the ledger and the broker need (docs/security.md, "Counts")."""
        return self.counts_redis if self.counts_redis is not None else self.redis

    @cached_property
    def shares(self) -> ShareTracker:
        """Share counters, uniques and platform snapshots."""
        settings = self.settings
        limits = ClickLimits(
            settings.click_limit, settings.click_limit_window_s, settings.click_limit_addresses
        )
        return ShareTracker(
            self.counting_redis, self.keys, self.trending, self.visitors, limits, clock=self.clock
        )

    @cached_property
    def visitors(self) -> Visitors:
        """Salted visitor ids for unique counts."""
        return Visitors(self.counting_redis, self.keys, clock=self.clock)

    @cached_property
    def clicks(self) -> ClickBuffer:
        """Share clicks, written to Redis in batches by a writer thread."""
        return ClickBuffer(self.shares, clock=self.clock, on_written=report_clicks)

    @cached_property
    def share_targets(self) -> ShareTargets:
        """Each network's share URL per article revision, computed once per process."""
        return ShareTargets(self.settings.utm_campaign)

    @cached_property
    def tweet_watch(self) -> TweetWatch:
        """Our tweets whose public metrics are polled."""
        from distributor.audience.x_metrics import TweetWatch

        return TweetWatch(self.redis, self.keys)

    @cached_property
    def x_read_budget(self) -> XReadBudget:
        """X read requests left in the current window."""
        from distributor.audience.x_metrics import XReadBudget

        return XReadBudget(self.redis, self.keys)

    def close(self) -> None:
        """Release the connections (and the producer's, when this container made it)."""
        if isinstance(self.enqueue, CeleryEnqueue):
            self.enqueue.close()
        if "sandbox_feed" in self.__dict__:
            self.sandbox_feed.close()
        if self.counts_redis is not None:
            self.counts_redis.close()
        self.redis.close()


def rate_table(settings: Settings) -> RateTable:
    """The governor's limits: the platforms' own, or none (``rate_limits=off``, sandbox only)."""
    if settings.rate_limits == "off":
        return RateTable.unenforced()
    scale = settings.rate_scale  # 1 but in a sandbox storm
    return RateTable(  # readers: their own budget beside the channels'
        telegram_per_s=round(30 * scale), chat_interval_s=1.05 / scale,
        chat_per_min=round(20 * scale),
        readers_per_s=settings.readers_per_s, readers_paid_per_s=settings.readers_paid_per_s,
    )  # fmt: skip


def x_budget_policy(settings: Settings) -> BudgetPolicy:
    """The X budget's first guess (the configured tier), reserve, margin and probing."""
    return BudgetPolicy(
        guess=tuple(Guess(*window) for window in tier_guess(settings.x_tier)),
        reserve=settings.x_budget_reserve,
        margin=settings.x_budget_margin,
        probe_s=settings.x_probe_every_s,
    )


def build_container(
    settings: Settings, enqueue: Enqueue | None = None, *, redis_timeout_s: float | None = None
) -> Container:
    """Connect to Redis and load the routing file; ``enqueue`` defaults to a Celery producer.

    ``redis_timeout_s`` bounds each Redis call (the API sets it, so a stuck Redis answers 503
    instead of hanging a request); workers leave it unset.
    """

    def connect(url: str) -> Redis:
        return Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=redis_timeout_s,
            socket_timeout=redis_timeout_s,
        )

    counts_url = settings.counts_redis_url
    return Container(
        settings=settings,
        redis=connect(settings.redis_url),
        counts_redis=connect(counts_url) if counts_url not in (None, settings.redis_url) else None,
        keys=Keys(settings.namespace),
        routing=load_routing(settings.routing_file),
        enqueue=enqueue if enqueue is not None else CeleryEnqueue(create_celery(settings)),
    )
