"""Tracked share links, share counts and page views (docs/architecture.md, "Audience").

What counts is decided here, from what a client cannot choose freely (docs/security.md,
"Counts"): a click counts only for a ``GET`` that is a top-level navigation, from its address;
a view only from a page of the site's own origins.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Route

from distributor.api.deps import ContainerDep, get_container
from distributor.audience.visitors import Visitor, address_key, is_navigation
from distributor.formatting.sharelinks import NETWORKS
from distributor.models import Article
from distributor.wiring import Container

_ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_NETWORKS = frozenset(NETWORKS)
PUBLIC_READ_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=30"}


def published(container: Container, article_id: str) -> Article:
    """The published article with this id, else 404 (malformed ids included)."""
    ok = _ARTICLE_ID.fullmatch(article_id)
    article = container.published.get(article_id) if ok else None
    if article is None:
        raise HTTPException(status_code=404, detail="unknown article")
    return article


router = APIRouter(tags=["shares"])


def client_address(request: Request) -> str:
    """The client's address (X-Forwarded-For only from DISTRIBUTOR_TRUSTED_PROXIES: uvicorn)."""
    return request.client.host if request.client else ""


def visitor_of(request: Request, container: Container) -> Visitor:
    """The request's visitor: its address, whatever its User-Agent (which only marks bots)."""
    return container.visitors.identify(
        client_address(request), request.headers.get("user-agent", "")
    )


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
    endpoint (no dependency solving), no Redis round trip when the article is cached (a miss
    reads it in a worker thread, so a slow Redis never holds the event loop), and clicks
    written in batches off the event loop. ``HEAD`` redirects but never counts; neither does a
    request the browser marks as something other than a top-level navigation."""
    rest: str = request.path_params.get("rest", "")
    article_id, _, network = rest.partition("/")
    if network not in _NETWORKS:
        raise HTTPException(status_code=404, detail="unknown network")
    container = get_container(request)
    hit, article = container.published.cached(article_id)
    if not hit:
        article = await run_in_threadpool(published, container, article_id)
    if article is None:
        raise HTTPException(status_code=404, detail="unknown article")
    target = container.share_targets.get(article, network)
    if request.method == "GET" and is_navigation(request.headers):
        user_agent = request.headers.get("user-agent", "")
        address = address_key(client_address(request))
        container.clicks.add(article, network, address, container.visitors.is_bot(user_agent))
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
def article_shares(article_id: str, container: ContainerDep) -> JSONResponse:
    """``{"total", "by_network", "clicks", "platform"}`` for the site's share widget."""
    published(container, article_id)
    container.clicks.flush()
    counts = container.shares.counts(article_id)
    return JSONResponse(counts.model_dump(mode="json"), headers=PUBLIC_READ_HEADERS)


@router.post("/v1/articles/{article_id}/views")
def article_view(article_id: str, request: Request, container: ContainerDep) -> JSONResponse:
    """Count a page view, once per visitor and UTC day (bots apart), from a page of one of
    the site's origins (``DISTRIBUTOR_SITE_ORIGINS``) only: 403 from anywhere else."""
    origin = request.headers.get("origin", "")
    if origin not in container.settings.site_origins:
        shown = origin[:100] or "none"
        raise HTTPException(
            403, f"views are counted from the site's own pages only (Origin: {shown})"
        )
    article = published(container, article_id)
    counted = container.shares.record_view(article, visitor_of(request, container))
    body = {"counted": counted, "views": container.shares.views(article_id)}
    return JSONResponse(body, headers={"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
