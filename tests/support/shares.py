"""Share counting for tests: a container for the share and trending API tests (real Redis, a
hand clock, no task queue), a tracker on a test Redis, clicks as the redirect makes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from redis import Redis

from distributor.audience.shares import Click, ClickLimits, ShareTracker
from distributor.audience.trending import Trending
from distributor.audience.visitors import Visitors
from distributor.config import Settings
from distributor.keys import Keys
from distributor.models import Article, Destination
from distributor.publishing.articles import ArticleStore
from distributor.publishing.routing import RoutingTable
from distributor.wiring import Container
from tests.support.seed import seed_article_dict

SITE_ORIGIN = "https://visualjambi.com"
ROUTING = RoutingTable(destinations=(Destination(id="tg", platform="telegram", target="@news"),))
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/121.0.0.0 Safari/537.36"
)


def no_enqueue(name: str, kwargs: dict[str, Any], queue: str | None = None) -> None:
    """These routes never enqueue; fail the test if one does."""
    pytest.fail(f"unexpected enqueue of {name}({kwargs})")


def share_services(redis: Redis, keys: Keys, clock: Callable[[], float]) -> Container:
    """A container around the test Redis and clock."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        utm_campaign="test-campaign",
        site_origins=[SITE_ORIGIN],
    )
    return Container(
        settings=settings,
        redis=redis,
        keys=keys,
        routing=ROUTING,
        enqueue=no_enqueue,
        clock=clock,
    )


def store_article(redis: Redis, keys: Keys, published: bool = True, **fields: Any) -> Article:
    """Save a seed-based article with the given fields replaced."""
    article = Article.model_validate(seed_article_dict() | fields)
    ArticleStore(redis, keys).save(article, published=published)
    return article


def tracker_for(
    redis: Redis,
    keys: Keys,
    trending: Trending,
    clock: Callable[[], float] | None = None,
    limits: ClickLimits | None = None,
) -> ShareTracker:
    """A share tracker on the test Redis (counts and boards in the same one)."""
    kw: dict[str, Any] = {} if clock is None else {"clock": clock}
    return ShareTracker(redis, keys, trending, Visitors(redis, keys, **kw), limits, **kw)


def click(article: Article, network: str, address: str, at: float, bot: bool = False) -> Click:
    """A click from ``address`` (an IPv4 address or an IPv6 /64, as ``address_key`` gives)."""
    return Click(article, network, address, bot, at)
