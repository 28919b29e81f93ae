"""``GET /widgets/share.html?article=ID``: the share bar the site embeds (iframe): a tracked
``/s/{article}/{network}`` link per network and the "Scan" button, whose QR code
(``/s/{article}/qr.svg``) opens on a tap without script."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from distributor.api.deps import ContainerDep
from distributor.api.shares import PUBLIC_READ_HEADERS, published
from distributor.formatting.sharelinks import share_links
from distributor.formatting.text import html_to_text

router = APIRouter(tags=["shares"])
ArticleParam = Annotated[str, Query(alias="article", max_length=128)]
LABELS = {
    "facebook": "Facebook", "x": "X", "whatsapp": "WhatsApp", "telegram": "Telegram",
    "linkedin": "LinkedIn", "email": "Email", "line": "LINE", "reddit": "Reddit",
    "pinterest": "Pinterest",
}  # fmt: skip

_PAGE = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base target="_blank"><title>Bagikan: {{ title }}</title>
<style>
body{margin:0;font:14px/1.4 system-ui,sans-serif}
.bar{display:flex;flex-wrap:wrap;gap:.4em;list-style:none;margin:0;padding:0}
.bar a,summary{display:inline-block;padding:.3em .7em;border:1px solid #ccc;border-radius:4px;
color:#222;text-decoration:none;cursor:pointer}
details img{display:block;width:180px;height:180px;margin:.5em 0}
</style></head>
<body><ul class="bar distributor-share">
{%- for network, url in links %}
<li><a rel="noopener" href="{{ url }}" data-network="{{ network }}">{{ labels[network] }}</a></li>
{%- endfor %}
<li><details class="scan"><summary>Scan</summary>
<img src="{{ qr }}" alt="QR code: {{ title }}" width="180" height="180"></details></li>
</ul></body></html>
"""
)
_HEADERS = {
    **PUBLIC_READ_HEADERS,
    "Cache-Control": "public, max-age=300",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
}


@router.get("/widgets/share.html", response_class=HTMLResponse)
def share_widget(
    article_id: ArticleParam, request: Request, container: ContainerDep
) -> HTMLResponse:
    """The share bar of one published article; 404 for an unknown or unpublished one."""
    article = published(container, article_id)
    base = container.settings.public_base_url or str(request.base_url)
    links = share_links(article, container.settings.utm_campaign, base)
    qr = f"{base.rstrip('/')}/s/{article.id}/qr.svg"
    html = _PAGE.render(
        title=html_to_text(article.title), links=links.items(), labels=LABELS, qr=qr
    )
    return HTMLResponse(html, headers=_HEADERS)
