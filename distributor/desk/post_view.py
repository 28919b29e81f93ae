"""Posts drawn as the apps show them (pure): Telegram text with its entities, its photo, its
buttons; a tweet with its links and hashtags.

A Telegram post is parsed with the same HTML parser the sandbox answers with
(``telegram_html``), so the page shows what Telegram makes of the formatter's HTML; messages
read back from the sandbox come with their entities already. Offsets are UTF-16 code units.
Only http(s) and tg links become links; all text is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from twitter_text import extract_urls_with_indices

from distributor.models import RenderedPost
from distributor.telegram_html.entities import TelegramTextError
from distributor.telegram_html.text import format_text

_WRAP = {
    "bold": ("<strong>", "</strong>"),
    "italic": ("<em>", "</em>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ('<code class="pre">', "</code>"),
    "blockquote": ('<span class="quote">', "</span>"),
    "expandable_blockquote": ('<span class="quote">', "</span>"),
    "mention": ('<span class="tg-link">', "</span>"),
    "hashtag": ('<span class="tg-link">', "</span>"),
}
_LINKS = frozenset({"text_link", "url"})
_HASHTAG = re.compile(r"(?<![\w#])#\w+")


@dataclass(frozen=True)
class Button:
    """An inline keyboard button with a URL."""

    text: str
    url: str


@dataclass(frozen=True)
class TelegramView:
    """A Telegram message ready to draw; ``error`` when Telegram would refuse the text."""

    body: Markup
    photo_url: str | None = None
    has_photo: bool = False
    buttons: tuple[tuple[Button, ...], ...] = ()
    link_preview: str | None = None  # the URL Telegram previews, when it shows one
    error: str | None = None


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) or tg link, else None."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https", "tg") else None


def _anchor(url: str | None) -> tuple[str, str]:
    href = safe_href(url)
    if href is None:
        return ('<span class="tg-link">', "</span>")
    return (f'<a href="{escape(href)}" rel="noopener noreferrer nofollow">', "</a>")


def render_entities(text: str, entities: Sequence[Mapping[str, Any]]) -> Markup:
    """Plain ``text`` with Bot API ``entities`` (UTF-16 offsets) as escaped, nested HTML."""
    units = text.encode("utf-16-le")
    cuts = {0, len(units) // 2}
    for e in entities:
        cuts.update((int(e["offset"]), int(e["offset"]) + int(e["length"])))
    bounds = sorted(c for c in cuts if 0 <= c <= len(units) // 2)
    out: list[str] = []
    for start, end in pairwise(bounds):
        piece = units[start * 2 : end * 2].decode("utf-16-le", "replace")
        html = str(escape(piece))
        for e in entities:
            if int(e["offset"]) <= start and end <= int(e["offset"]) + int(e["length"]):
                kind = str(e["type"])
                if kind in _LINKS:
                    url = e.get("url") if kind == "text_link" else piece
                    opening, closing = _anchor(url)
                elif kind in _WRAP:
                    opening, closing = _WRAP[kind]
                else:
                    continue
                html = opening + html + closing
        out.append(html)
    return Markup("".join(out))  # noqa: S704 - every piece above is escaped


def with_auto_entities(text: str, entities: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``entities`` plus the hashtags Telegram's apps highlight by themselves, where no entity
    already covers them."""
    found = list(entities)
    for match in _HASHTAG.finditer(text):
        offset = len(text[: match.start()].encode("utf-16-le")) // 2
        length = len(match.group().encode("utf-16-le")) // 2
        covered = any(
            int(e["offset"]) < offset + length and offset < int(e["offset"]) + int(e["length"])
            for e in entities
        )
        if not covered:
            found.append({"type": "hashtag", "offset": offset, "length": length})
    return found


def buttons_of(reply_markup: Mapping[str, Any] | None) -> tuple[tuple[Button, ...], ...]:
    """The URL buttons of an inline keyboard, row by row."""
    rows = (reply_markup or {}).get("inline_keyboard") or []
    return tuple(
        tuple(Button(str(b.get("text", "")), str(b.get("url", ""))) for b in row if b.get("url"))
        for row in rows
    )


def _preview_url(options: Mapping[str, Any] | None, links: Sequence[str], plain: str) -> str | None:
    """The link Telegram previews under a text message: the one the options name, else the
    first link in the text; none when the options disable it."""
    opts = options or {}
    if opts.get("is_disabled"):
        return None
    found = opts.get("url") or next(iter(links), None)
    found = found or next(iter(re.findall(r"https?://\S+", plain)), None)
    return safe_href(str(found)) if found else None


def telegram_view(post: RenderedPost) -> TelegramView:
    """The formatter's post as Telegram would show it (its HTML parsed as Telegram does)."""
    caption = post.method == "sendPhoto"
    try:
        plain, entities = format_text(post.text, post.parse_mode or "", caption=caption)
    except TelegramTextError as exc:
        return TelegramView(body=Markup(), error=exc.description)
    body = render_entities(plain, with_auto_entities(plain, [e.to_json() for e in entities]))
    links = [e.url for e in entities if e.url]
    return TelegramView(
        body=body,
        photo_url=safe_href(post.photo_url),
        has_photo=caption,
        buttons=buttons_of(post.reply_markup),
        link_preview=None if caption else _preview_url(post.link_preview_options, links, plain),
    )


def sandbox_message_view(message: Mapping[str, Any]) -> TelegramView:
    """A message read back from the sandbox (its text or caption and entities)."""
    text = message.get("text") or message.get("caption") or ""
    return TelegramView(
        body=render_entities(
            str(text), with_auto_entities(str(text), message.get("entities") or [])
        ),
        has_photo=bool(message.get("photo")),
        buttons=buttons_of(message.get("reply_markup")),
    )


def display_url(url: str) -> str:
    """How X shows a link: no scheme, no ``www.``, cut after 25 characters with an ellipsis."""
    shown = re.sub(r"^https?://(www\.)?", "", url)
    return shown if len(shown) <= 25 else shown[:25] + "…"


def tweet_body(text: str, urls: Sequence[Mapping[str, Any]] | None = None) -> Markup:
    """A tweet's text with its links (shortened as X shows them) and hashtags.

    ``urls`` are X's ``entities.urls`` (start, end, expanded_url, display_url) for a posted
    tweet; without them the links are found as X's own text library finds them."""
    spans: list[tuple[int, int, str, str]] = []
    if urls is None:
        for found in extract_urls_with_indices(text):
            start, end = found["indices"]
            spans.append((start, end, found["url"], display_url(found["url"])))
    else:
        for u in urls:
            expanded = str(u.get("expanded_url") or u.get("url") or "")
            shown = str(u.get("display_url") or display_url(expanded))
            spans.append((int(u["start"]), int(u["end"]), expanded, shown))
    for match in _HASHTAG.finditer(text):
        if not any(s <= match.start() < e for s, e, _, _ in spans):
            spans.append((match.start(), match.end(), "", match.group()))
    out, at = [], 0
    for start, end, href, shown in sorted(spans):
        if start < at:
            continue
        out.append(str(escape(text[at:start])))
        opening, closing = _anchor(href) if href else ('<span class="x-link">', "</span>")
        out.append(f"{opening}{escape(shown)}{closing}")
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))  # noqa: S704 - every piece above is escaped
