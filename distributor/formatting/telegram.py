"""Telegram posts in HTML parse mode that the Bot API always accepts."""

from __future__ import annotations

import html
import re

from distributor.formatting.clean import CleanArticle
from distributor.formatting.templates import PostTemplate
from distributor.formatting.text import cut, fit, tidy
from distributor.models import RenderedPost

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]*>")


def visible_length(markup: str) -> int:
    """Characters Telegram counts in our HTML: tags removed, entities decoded, spaces and
    newlines trimmed. Exact for template output: article text is escaped and cleaned, and
    templates hold no character the Bot API would drop or change (``template.py``)."""
    text = _TAG.sub("", markup) if "<" in markup else markup
    if "&" in text:
        text = html.unescape(text)
    return len(text.strip(" \n\t"))


def limit_for(image_url: str | None) -> int:
    """The length limit: a photo's caption, or a message."""
    return CAPTION_LIMIT if image_url else TEXT_LIMIT


def render_telegram(
    article: CleanArticle, template: PostTemplate, *, read_url: str, read_label: str
) -> RenderedPost:
    """``sendPhoto`` with a caption of at most 1024 characters when the article has an image,
    else ``sendMessage`` of 1 to 4096 with a preview of the article; a button to read it."""
    limit = limit_for(article.image_url)

    def render(title: str, excerpt: str, tags: tuple[str, ...]) -> str:
        return tidy(template.render(**article.context(title, excerpt, tags, article.url)))

    text = fit(
        render,
        lambda markup: visible_length(markup) - limit,
        None,
        article.title,
        cut(article.excerpt, limit),
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
            article_url=article.url,
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


def text_fallback(post: RenderedPost) -> RenderedPost:
    """A photo post as a message: its caption as the text (1024 fits in 4096) with a large
    preview of the article, what to send when Telegram refuses the photo (docs/architecture.md,
    "Refused photos")."""
    url = post.article_url
    preview = {"url": url, "prefer_large_media": True} if url else None
    text = post.text if visible_length(post.text) or not url else html.escape(url)
    changes = {"method": "sendMessage", "text": text, "photo_url": None}
    return post.model_copy(update={**changes, "link_preview_options": preview})
