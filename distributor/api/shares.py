"""Tracked share links, share counts and page views (ARCHITECTURE §6)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Route

from distributor.api.deps import get_services
from distributor.articles import ArticleStore
from distributor.clickqueue import ClickBuffer
from distributor.formatting.sharelinks import NETWORKS, share_url
from distributor.models import Article
from distributor.shares import ShareTracker, Visitor, Visitors
from distributor.trending import Trending, TrendingConfig

_ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_NETWORKS = frozenset(NETWORKS)
PUBLIC_READ_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=30"}


class PublishedArticles:
    """Published articles by id, each lookup cached in this process for ``ttl_s`` (so an
    unpublish or an edit reaches the share links within that time)."""

    def __init__(self, store: ArticleStore, ttl_s: float = 30.0, size: int = 10_000) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._size = size
        self._cache: dict[str, tuple[float, Article | None]] = {}

    def cached(self, article_id: str) -> tuple[bool, Article | None]:
        """(True, article or None) from the cache without I/O, or (False, None) on a miss."""
        hit = self._cache.get(article_id)
        if hit is not None and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def get(self, article_id: str) -> Article | None:
        """The article when it is known and published, else None."""
        found, cached = self.cached(article_id)
        if found:
            return cached
        now = time.monotonic()
        article = self._store.get(article_id)
        if article is not None and not self._store.is_published(article_id):
            article = None
        if len(self._cache) >= self._size:
            self._cache.clear()
        self._cache[article_id] = (now + self._ttl_s, article)
        return article


@dataclass(frozen=True)
class ShareKit:
    """What the share and trending routes use, built once per app from its ``Services``."""

    store: ArticleStore
    articles: PublishedArticles
    visitors: Visitors
    tracker: ShareTracker
    clicks: ClickBuffer
    trending: Trending
    utm_campaign: str
    targets: dict[tuple[str, int, str], str] = field(default_factory=dict)

    def published(self, article_id: str) -> Article:
        """The published article with this id, else 404 (malformed ids included)."""
        article = self.articles.get(article_id) if _ARTICLE_ID.fullmatch(article_id) else None
        if article is None:
            raise HTTPException(status_code=404, detail="unknown article")
        return article

    def share_target(self, article: Article, network: str) -> str:
        """``share_url`` for this revision of the article, computed once per process."""
        key = (article.id, article.revision, network)
        url = self.targets.get(key)
        if url is None:
            if len(self.targets) >= 50_000:
                self.targets.clear()
            url = self.targets[key] = share_url(network, article, self.utm_campaign)
        return url

    async def published_soon(self, article_id: str) -> Article:
        """``published`` for async routes: from the cache, else Redis in the threadpool."""
        if not _ARTICLE_ID.fullmatch(article_id):
            raise HTTPException(status_code=404, detail="unknown article")
        found, article = self.articles.cached(article_id)
        if not found:
            article = self.articles.get(article_id)  # two quick reads; no threadpool hop
        if article is None:
            raise HTTPException(status_code=404, detail="unknown article")
        return article


async def get_share_kit(request: Request) -> ShareKit:
    """The app's ``ShareKit``, created on first use and kept on ``app.state`` (async, so
    routes that need no I/O never hop to the threadpool)."""
    kit: ShareKit | None = getattr(request.app.state, "share_kit", None)
    if kit is None:
        services = get_services(request)
        config = TrendingConfig.from_settings(services.settings)
        trending = Trending(services.redis, services.keys, config, clock=services.clock)
        store = ArticleStore(services.redis, services.keys)
        tracker = ShareTracker(services.redis, services.keys, trending, clock=services.clock)
        kit = ShareKit(
            store=store,
            articles=PublishedArticles(store),
            visitors=Visitors(services.redis, services.keys, clock=services.clock),
            tracker=tracker,
            clicks=ClickBuffer(tracker, clock=services.clock),
            trending=trending,
            utm_campaign=services.settings.utm_campaign,
        )
        request.app.state.share_kit = kit
    return kit


ShareKitDep = Annotated[ShareKit, Depends(get_share_kit)]
router = APIRouter(tags=["shares"])


def visitor_of(request: Request, kit: ShareKit) -> Visitor:
    """The request's visitor: client address (after uvicorn's proxy headers) and User-Agent."""
    ip = request.client.host if request.client else ""
    return kit.visitors.identify(ip, request.headers.get("user-agent", ""))


class _Anything(Convertor[str]):
    """Any rest of a path, newlines included (Starlette's ``path`` stops at a newline)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anything", _Anything())


async def share_redirect(request: Request) -> Response:
    """``/s/{article_id}/{network}``: count the click, then redirect to that network's share
    URL for this article only; anything else under /s is 404. The hot path: a plain Starlette
    endpoint (no dependency solving), no Redis round trip when the article is cached, and
    clicks written in batches off the event loop."""
    rest: str = request.path_params.get("rest", "")
    article_id, _, network = rest.partition("/")
    if network not in _NETWORKS:
        raise HTTPException(status_code=404, detail="unknown network")
    kit = await get_share_kit(request)
    article = await kit.published_soon(article_id)
    target = kit.share_target(article, network)
    kit.clicks.add(article, network, visitor_of(request, kit))
    return RedirectResponse(target, status_code=302, headers=_REDIRECT_HEADERS)


_REDIRECT_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def install_share_links(app: FastAPI) -> None:
    """Put the share-link routes first in ``app``: the most requested path matches at once.

    Every path under /s matches one of them, so Starlette never answers one with a slash
    redirect (which would point at whatever Host the request named).
    """
    app.router.routes[:0] = [
        Route("/s", share_redirect, methods=["GET", "HEAD"], include_in_schema=False),
        Route("/s/{rest:anything}", share_redirect, methods=["GET", "HEAD"],
              include_in_schema=False),
    ]  # fmt: skip


@router.get("/v1/articles/{article_id}/shares")
def article_shares(article_id: str, kit: ShareKitDep) -> JSONResponse:
    """``{"total", "by_network", "clicks", "platform"}`` for the site's share widget."""
    kit.published(article_id)
    kit.clicks.flush()
    counts = kit.tracker.counts(article_id)
    return JSONResponse(counts.model_dump(mode="json"), headers=PUBLIC_READ_HEADERS)


@router.post("/v1/articles/{article_id}/views")
def article_view(article_id: str, request: Request, kit: ShareKitDep) -> dict[str, object]:
    """Count a page view, once per visitor and UTC day (bots apart)."""
    article = kit.published(article_id)
    counted = kit.tracker.record_view(article, visitor_of(request, kit))
    return {"counted": counted, "views": kit.tracker.views(article_id)}
