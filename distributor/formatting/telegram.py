"""Telegram posts in HTML parse mode that the Bot API always accepts."""

from __future__ import annotations

import html
import re

from distributor.formatting.clean import CleanArticle
from distributor.formatting.fit import fit
from distributor.formatting.template import PostTemplate
from distributor.models import RenderedPost

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]*>")
_LINE_END_SPACE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


# as the Bot API cleans text: controls become spaces, "\r" and a few marks are dropped
_BOT_API_CLEAN = {
    **{code: " " for code in range(32) if code != 10},
    **{code: None for code in (0x0D, 0x030A, 0x0333, 0x033F, *range(0x2028, 0x202F))},
}


def visible_length(markup: str) -> int:
    """Characters Telegram counts in our HTML: tags removed, entities decoded, text cleaned as
    the Bot API does, spaces and newlines trimmed. Exact when all article text is escaped."""
    return len(html.unescape(_TAG.sub("", markup)).translate(_BOT_API_CLEAN).strip(" \n"))


def tidy(text: str) -> str:
    """Drop trailing spaces and runs of blank lines left by empty fields; trim the ends."""
    return _BLANK_LINES.sub("\n\n", _LINE_END_SPACE.sub("\n", text)).strip()


def render_telegram(
    article: CleanArticle, template: PostTemplate, *, read_url: str, read_label: str
) -> RenderedPost:
    """``sendPhoto`` with a caption of at most 1024 characters when the article has an image,
    else ``sendMessage`` of 1 to 4096 with a preview of the article; a button to read it."""
    limit = CAPTION_LIMIT if article.image_url else TEXT_LIMIT

    def render(title: str, excerpt: str, tags: tuple[str, ...]) -> str:
        return tidy(template.render(**article.context(title, excerpt, tags, article.url)))

    text = fit(
        render,
        lambda markup: visible_length(markup) - limit,
        len,
        article.title,
        article.excerpt,
        article.hashtags,
    )
    markup = {"inline_keyboard": [[{"text": read_label, "url": read_url}]]}
    if article.image_url:
        return RenderedPost(
            platform="telegram",
            method="sendPhoto",
            text=text,
            parse_mode="HTML",
            photo_url=article.image_url,
            reply_markup=markup,
        )
    if visible_length(text) == 0:
        text = html.escape(article.url)
    return RenderedPost(
        platform="telegram",
        method="sendMessage",
        text=text,
        parse_mode="HTML",
        reply_markup=markup,
        link_preview_options={"url": article.url, "prefer_large_media": True},
    )
