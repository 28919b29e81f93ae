"""An article's text as its reader sees it, cleaned once per platform for one post, and its
tags as hashtags valid on X and Telegram (``al haris`` → ``#AlHaris``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from distributor.formatting.text import html_to_text
from distributor.models import Article

EXCERPT_KEEP = 4096  # no post shows more of the excerpt than a Telegram message can hold
FIELDS = frozenset({"title", "excerpt", "author", "category", "hashtags"})


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """The reader-visible text of an article; ``excerpt`` keeps paragraph breaks."""

    url: str
    title: str
    excerpt: str
    author: str
    category: str
    hashtags: tuple[str, ...]
    language: str
    image_url: str | None = None

    def context(self, title: str, excerpt: str, tags: tuple[str, ...], url: str) -> dict[str, Any]:
        """Template variables, with the possibly shortened fields given."""
        return {
            "title": title,
            "excerpt": excerpt,
            "hashtags": tags,
            "url": url,
            "author": self.author,
            "category": self.category,
            "language": self.language,
        }


def clean_article(
    article: Article, *, excerpt_limit: int = EXCERPT_KEEP, uses: Collection[str] = FIELDS
) -> CleanArticle:
    """Turn the article's HTML fields into plain text and its tags into hashtags; fields a
    template does not use (not in ``uses``) are left empty, the excerpt read only as far as
    ``excerpt_limit`` needs."""
    return CleanArticle(
        url=article.url,
        title=html_to_text(article.title),
        excerpt=(
            html_to_text(article.excerpt, paragraphs=True, limit=excerpt_limit)
            if "excerpt" in uses and excerpt_limit > 0
            else ""
        ),
        author=html_to_text(article.author) if "author" in uses else "",
        category=html_to_text(article.category) if "category" in uses else "",
        hashtags=hashtags(article.tags) if "hashtags" in uses else (),
        language=article.language,
        image_url=article.image_url,
    )


# letters, marks and decimal digits join a hashtag (twitter-text's hashtag alphabet, minus
# the few punctuation exceptions); everything else separates words
_JOINING = ("L", "M")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")  # the same runs, for ASCII text
_ASCII_LETTER = re.compile(r"[A-Za-z]")
MAX_LENGTH = 60  # longer "hashtags" are sentences, not tags


@lru_cache(maxsize=8192)  # a newsroom's tags repeat across articles and destinations
def hashtag(tag: str) -> str | None:
    """The hashtag for one tag, or None when it has no letter or is longer than MAX_LENGTH."""
    text = html_to_text(tag)
    if text.isascii():
        body = "".join(_capitalized(w) for w in _ASCII_WORD.findall(text))
        has_letter = _ASCII_LETTER.search(body) is not None
    else:
        body = "".join(_capitalized(w) for w in _words(text))
        body = body.lstrip("".join(c for c in body if unicodedata.category(c)[0] == "M"))
        has_letter = any(unicodedata.category(c)[0] == "L" for c in body)
    if len(body) > MAX_LENGTH or not has_letter:
        return None
    return "#" + body


def _capitalized(word: str) -> str:
    """``al`` → ``Al``; words with a capital already (``iPhone``, ``COVID``) stay as they are."""
    return word[:1].upper() + word[1:] if word.islower() else word


def _words(text: str) -> list[str]:
    """Runs of letters, marks, decimal digits and underscores."""
    words: list[str] = []
    word: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in _JOINING or category == "Nd" or char == "_":
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return words


def hashtags(tags: Iterable[str]) -> tuple[str, ...]:
    """Hashtags for the tags, in order, without ones that cannot be made or repeat (any case)."""
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        made = hashtag(tag)
        if made is not None and made.casefold() not in seen:
            seen.add(made.casefold())
            out.append(made)
    return tuple(out)
