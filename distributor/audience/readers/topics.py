"""Topics readers follow, and which articles match them (pure: no I/O).

A topic is an article category or tag, compared case-insensitively and without a leading
``#``: ``/subscribe politik`` follows the category *Politik*, ``/subscribe #pemilu`` the tag
*Pemilu*. An article matches a reader when any of its category and tags is among the reader's
topics, so two matching topics still make one message.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from distributor.models import Article

MAX_TOPIC_CHARS = 64
_SPACES = re.compile(r"\s+")


def topic_key(name: str) -> str:
    """The stored form of a topic: trimmed, ``#`` dropped, spaces collapsed, case-folded."""
    return _SPACES.sub(" ", name.strip().lstrip("#").strip()).casefold()[:MAX_TOPIC_CHARS]


def article_topics(article: Article) -> dict[str, str]:
    """The topics an article carries: key → how it is shown (``Politik``, ``#Pemilu``)."""
    found: dict[str, str] = {}
    if key := topic_key(article.category):
        found[key] = article.category.strip()
    for tag in article.tags:
        if (key := topic_key(tag)) and key not in found:
            found[key] = f"#{tag.strip().lstrip('#')}"
    return found


def matches(article_topics: Iterable[str], reader_topics: Iterable[str]) -> bool:
    """True when the reader follows any topic of the article."""
    return not set(article_topics).isdisjoint(reader_topics)


def closest(query: str, known: Mapping[str, str], n: int = 3) -> list[str]:
    """Up to ``n`` known topics (their shown names) closest to what the reader typed."""
    key = topic_key(query)
    if not key:
        return []
    picked = difflib.get_close_matches(key, list(known), n=n, cutoff=0.5)
    prefixed = [k for k in sorted(known) if k.startswith(key) and k not in picked]
    return [known[k] for k in (picked + prefixed)[:n]]


def seed_topics(names: Iterable[str]) -> dict[str, str]:
    """Configured topic names (settings, routing rules) as key → shown name."""
    return {key: name.strip() for name in names if (key := topic_key(name))}
