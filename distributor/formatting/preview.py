"""What an article would look like: the Telegram call, the tweet and the share links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from distributor.formatting.options import FormatOptions
from distributor.formatting.render import render
from distributor.formatting.sharelinks import share_links
from distributor.models import Article, Destination, Platform


def _first(destinations: Sequence[Destination], platform: Platform) -> Destination:
    """The first destination on ``platform``, else a stand-in using the platform's default."""
    found = next((d for d in destinations if d.platform == platform), None)
    return found or Destination(id=f"preview-{platform}", platform=platform, target="preview")


def build_preview(
    article: Article, destinations: Sequence[Destination], options: FormatOptions
) -> dict[str, Any]:
    """``{"telegram": {method, parse_mode, text|caption, reply_markup, link_preview_options},
    "x": {text}, "share_links": {network: url}}`` for the first Telegram and X destinations."""
    telegram = render(article, _first(destinations, "telegram"), options)
    tweet = render(article, _first(destinations, "x"), options)
    text_key = "caption" if telegram.method == "sendPhoto" else "text"
    return {
        "telegram": {
            "method": telegram.method,
            "parse_mode": telegram.parse_mode,
            text_key: telegram.text,
            "reply_markup": telegram.reply_markup,
            "link_preview_options": telegram.link_preview_options,
        },
        "x": {"text": tweet.text},
        "share_links": share_links(article, options.utm_campaign, options.public_base_url),
    }
