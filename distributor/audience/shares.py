"""Share counts we own: tracked-link clicks, page views and our posts' platform metrics.

Clicks and views count once per visitor (an address: ``audience/visitors.py``), network and UTC
day, in HyperLogLogs (12 KB at most each, kept two days), and clicks only while the address is
under its per-window limit; known bots are counted apart and never reach trending. All of it
lives in the counts Redis (``DISTRIBUTOR_COUNTS_REDIS_URL``, by default the main one), every
structure bounded, so a flood of clicks cannot fill the memory publishing needs
(docs/security.md, "Counts"). Platform metrics are stored as the latest absolute snapshot per
post (re-polling never double counts); trending gets only growth past the highest value seen.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict
from redis import Redis
from redis.client import Pipeline

from distributor.audience.trending import Trending
from distributor.audience.visitors import DAY, Visitor, Visitors, utc_day
from distributor.keys import Keys
from distributor.lua import script
from distributor.models import Article

UNIQUES_TTL_S = 2 * DAY  # a day's HyperLogLogs outlive their day by one


@dataclass(frozen=True)
class ClickLimits:
    """How many clicks one address may make per window and still be counted, and how many
    addresses a window tracks (past that, new addresses are not counted until the next)."""

    per_address: int = 30
    window_s: int = 600
    addresses: int = 100_000


@dataclass(frozen=True)
class Click:
    """One share-link click, as the redirect saw it: the address key (never stored as it is;
    hashed with the day's salt when written) and whether the User-Agent is a known bot's."""

    article: Article
    network: str
    address: str
    is_bot: bool
    at: float


class PlatformCounts(BaseModel):
    """Our posts' metrics on one platform, summed over their latest snapshots."""

    shares: int = 0
    engagement: int = 0


class ClickCounts(BaseModel):
    """Tracked-link clicks: humans (all time), unique humans today, known bots (all time)."""

    human: int = 0
    unique_today: int = 0
    bots: int = 0


class ShareCounts(BaseModel):
    """What the site's widget shows; ``total`` is human clicks plus platform shares."""

    model_config = ConfigDict(frozen=True)

    total: int
    by_network: dict[str, int]
    clicks: ClickCounts
    platform: dict[str, PlatformCounts]

    def network_total(self, network: str) -> int:
        """Clicks on one network's share link plus that platform's own shares."""
        own = self.platform.get(network)
        return self.by_network.get(network, 0) + (own.shares if own else 0)


@dataclass(frozen=True)
class SnapshotDelta:
    """Growth of a post's metrics past their previous high-water marks (what trending gets)."""

    shares: int
    engagement: int


def x_snapshot(public_metrics: Mapping[str, int]) -> tuple[int, int]:
    """(shares, engagement) of a tweet: retweets + quotes, likes + replies."""
    shares = int(public_metrics.get("retweet_count", 0)) + int(public_metrics.get("quote_count", 0))
    engagement = int(public_metrics.get("like_count", 0)) + int(
        public_metrics.get("reply_count", 0)
    )
    return shares, engagement


class ShareTracker:
    """Counters in Redis hashes, uniques in HyperLogLogs, trending fed by what was counted."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        trending: Trending,
        visitors: Visitors,
        limits: ClickLimits | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._trending = trending
        self._visitors = visitors
        self._limits = limits or ClickLimits()
        self._clock = clock
        self._clicks = redis.register_script(script("distributor.audience", "shares_clicks"))
        self._view = redis.register_script(script("distributor.audience", "shares_view"))
        self._snapshot = redis.register_script(script("distributor.audience", "shares_snapshot"))

    def record_clicks(self, clicks: Sequence[Click]) -> int:
        """Count a batch of clicks (two round trips: the counts, then trending); how many were
        counted. Bots only increment their own counter."""
        bots: Counter[tuple[str, str]] = Counter()
        groups: dict[tuple[str, str], list[Click]] = defaultdict(list)
        for click in clicks:
            if click.is_bot:
                bots[(click.article.id, click.network)] += 1
            else:
                groups[(click.article.id, utc_day(click.at))].append(click)
        pipe = self._redis.pipeline(transaction=False)
        for (article_id, network), n in bots.items():
            pipe.hincrby(self._keys.bot_clicks(article_id), network, n)
        for (article_id, day), group in groups.items():
            self._queue_group(pipe, article_id, day, group)
        results = pipe.execute()[len(bots) :]
        trend = self._trending.pipeline()
        daily = self._redis.pipeline(transaction=False)  # the desk's chart, beside the counts
        counted = 0
        for (article_id, day), group, per_network in zip(
            groups.keys(), groups.values(), results, strict=True
        ):
            total = sum(int(n) for n in per_network)
            networks = sorted({c.network for c in group})  # the order ``_queue_group`` sent
            for network, n in zip(networks, per_network, strict=True):
                if int(n):
                    daily.hincrby(self._keys.share_daily(article_id), f"{day}|{network}", int(n))
            last = group[-1]
            self._trending.queue_record(
                trend, last.article.id, last.article.category, "share_click", total, t=last.at
            )
            counted += total
        daily.execute()
        self._trending.execute(trend)
        return counted

    def _queue_group(self, pipe: Pipeline, article_id: str, day: str, group: list[Click]) -> None:
        """One script call counting one article's clicks of one day (``shares_clicks.lua``)."""
        limits = self._limits
        window = int(group[0].at // limits.window_s)
        networks = sorted({c.network for c in group})
        position = {network: n for n, network in enumerate(networks, start=1)}
        keys = [
            self._keys.click_rate(window),
            self._keys.share_clicks(article_id),
            self._keys.clickers(article_id, day),
            *(self._keys.seen(article_id, day, network) for network in networks),
        ]
        args: list[str | int] = [
            limits.per_address, 2 * limits.window_s, limits.addresses, UNIQUES_TTL_S,
            len(networks), *networks,
        ]  # fmt: skip
        for click in group:
            args += [position[click.network], self._visitors.id_for(click.address, day)]
        self._clicks(keys=keys, args=args, client=pipe)

    def record_view(self, article: Article, visitor: Visitor, now: float | None = None) -> bool:
        """Count a page view once per visitor and UTC day; True when it was counted."""
        if visitor.is_bot:
            self._redis.hincrby(self._keys.page_views(article.id), "bots", 1)
            return False
        at = self._clock() if now is None else now
        new = self._view(
            keys=[
                self._keys.page_views(article.id),
                self._keys.seen(article.id, utc_day(at), "view"),
            ],
            args=[visitor.id, UNIQUES_TTL_S],
        )
        if new:
            self._trending.record(article.id, article.category, "view", t=at)
        return bool(new)

    def daily(self, article_id: str, days: Sequence[str]) -> dict[str, dict[str, int]]:
        """Shares per network on each of ``days`` (``YYYYMMDD``): share-link clicks by humans
        plus the platform's own shares gained that day, as ``ShareCounts.network_total``."""
        raw = self._redis.hgetall(self._keys.share_daily(article_id))
        out: dict[str, dict[str, int]] = {day: {} for day in days}
        for name, value in raw.items():
            day, _, what = str(name).partition("|")
            if day in out:
                network = what.removesuffix(":shares")
                out[day][network] = out[day].get(network, 0) + int(value)
        return out

    def views(self, article_id: str) -> int:
        """Human page views (one per visitor per day)."""
        return int(self._redis.hget(self._keys.page_views(article_id), "views") or 0)

    def record_snapshot(
        self,
        article: Article,
        platform: str,
        post_id: str,
        shares: int,
        engagement: int,
        now: float | None = None,
    ) -> SnapshotDelta:
        """Store a post's latest absolute metrics; trending gets only new highs."""
        at = self._clock() if now is None else now
        grown = self._snapshot(
            keys=[
                self._keys.platform_post(platform, post_id),
                self._keys.platform_totals(article.id),
            ],
            args=[platform, article.id, max(0, shares), max(0, engagement), repr(at)],
        )
        delta = SnapshotDelta(shares=int(grown[0]), engagement=int(grown[1]))
        if delta.shares > 0:
            field = f"{utc_day(at)}|{platform}:shares"
            self._redis.hincrby(self._keys.share_daily(article.id), field, delta.shares)
        category = article.category
        self._trending.record(article.id, category, "platform_share", delta.shares, t=at)
        self._trending.record(article.id, category, "engagement", delta.engagement, t=at)
        return delta

    def counts(self, article_id: str, now: float | None = None) -> ShareCounts:
        """All counts of one article, as ``GET /v1/articles/{id}/shares`` returns them."""
        day = utc_day(self._clock() if now is None else now)
        pipe = self._redis.pipeline(transaction=False)
        pipe.hgetall(self._keys.share_clicks(article_id))
        pipe.hgetall(self._keys.bot_clicks(article_id))
        pipe.pfcount(self._keys.clickers(article_id, day))
        pipe.hgetall(self._keys.platform_totals(article_id))
        human, bots, unique, totals = pipe.execute()
        by_network = {network: int(n) for network, n in sorted(human.items())}
        metrics: dict[str, dict[str, int]] = {}
        for name, value in sorted(totals.items()):
            plat, _, metric = name.partition(":")
            metrics.setdefault(plat, {})[metric] = int(value)
        platform = {plat: PlatformCounts.model_validate(m) for plat, m in metrics.items()}
        clicks = ClickCounts(
            human=sum(by_network.values()),
            unique_today=int(unique),
            bots=sum(int(n) for n in bots.values()),
        )
        total = clicks.human + sum(p.shares for p in platform.values())
        return ShareCounts(total=total, by_network=by_network, clicks=clicks, platform=platform)
