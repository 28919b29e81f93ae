"""Trending boards, score explanations and the embeddable "popular" widget."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment

from distributor.api.deps import ContainerDep
from distributor.api.shares import PUBLIC_READ_HEADERS
from distributor.audience.sidebar import PopularItem, popular
from distributor.audience.trending import WINDOWS
from distributor.wiring import Container

router = APIRouter(tags=["trending"])
Window = Annotated[str, Query(pattern=f"^({'|'.join(WINDOWS)})$")]
Category = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=100)]
WidgetLimit = Annotated[int, Query(ge=1, le=30)]

_WIDGET = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base target="_top"><title>{{ heading }}</title>
<style>
body{margin:0;font:15px/1.4 system-ui,sans-serif;color:#222}
ol{margin:0;padding:0 0 0 1.6em}li{margin:0 0 .6em}
a{color:inherit;text-decoration:none;font-weight:600}a:hover{text-decoration:underline}
.n{display:block;font-size:12px;color:#666}
</style></head>
<body><ol class="distributor-trending">
{%- for item in items %}
<li><a href="{{ item.url }}">{{ item.title }}</a><span class="n">{{ item.label }}</span></li>
{%- endfor %}
</ol></body></html>
"""
)
_WIDGET_HEADERS = {
    **PUBLIC_READ_HEADERS,
    "Cache-Control": "public, max-age=60",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


def _item_json(item: PopularItem) -> dict[str, Any]:
    return {
        "id": item.article_id,
        "title": item.title,
        "url": item.url,
        "category": item.category,
        "score": item.score,
        "shares": {
            "total": item.counts.total,
            "facebook": item.counts.network_total("facebook"),
            "x": item.counts.network_total("x"),
        },
        "label": item.label,
    }


def _popular(c: Container, window: str, category: str | None, limit: int) -> list[PopularItem]:
    c.clicks.flush()
    return popular(
        c.trending, c.articles, c.shares, window=window, category=category or None, limit=limit
    )


@router.get("/v1/trending")
def trending(
    container: ContainerDep, category: Category = None, window: Window = "now", limit: Limit = 20
) -> dict[str, Any]:
    """The top of the global board, or of one category's, for a window."""
    items = _popular(container, window, category, limit)
    return {"window": window, "category": category, "items": [_item_json(i) for i in items]}


@router.get("/v1/trending/{article_id}/explain")
def explain(article_id: str, container: ContainerDep, window: Window = "now") -> dict[str, Any]:
    """The events and weights that sum to an article's global score."""
    container.clicks.flush()
    found = container.trending.explain(article_id, window)
    if found is None:
        raise HTTPException(status_code=404, detail="article is not on this board")
    return {
        "article_id": found.article_id,
        "window": found.window,
        "half_life_s": container.trending.config.half_lives_s[window],
        "score": found.score,
        "items": [
            {
                "kind": i.kind,
                "bucket_start": i.bucket_start.isoformat(),
                "events": i.events,
                "weight": i.weight,
                "contribution": i.contribution,
            }
            for i in found.items
        ],
    }


@router.get("/widgets/trending.json")
def widget_json(
    container: ContainerDep,
    category: Category = None,
    window: Window = "now",
    limit: WidgetLimit = 10,
) -> JSONResponse:
    """The popular list for the site's own rendering (title, link, label, counts)."""
    items = _popular(container, window, category, limit)
    return JSONResponse({"items": [_item_json(i) for i in items]}, headers=_WIDGET_HEADERS)


@router.get("/widgets/trending.html", response_class=HTMLResponse)
def widget_html(
    container: ContainerDep,
    category: Category = None,
    window: Window = "now",
    limit: WidgetLimit = 10,
) -> HTMLResponse:
    """The popular list as an embeddable page (iframe); links open in the top window."""
    items = _popular(container, window, category, limit)
    html = _WIDGET.render(heading="Terpopuler", items=items)
    return HTMLResponse(html, headers=_WIDGET_HEADERS)
