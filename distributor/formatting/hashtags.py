"""Tags to hashtags valid on X and Telegram: ``al haris`` → ``#AlHaris``."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from distributor.formatting.text import html_to_text

# letters, marks and decimal digits join a hashtag (twitter-text's hashtag alphabet, minus
# the few punctuation exceptions); everything else separates words
_JOINING = ("L", "M")
MAX_LENGTH = 60  # longer "hashtags" are sentences, not tags


def hashtag(tag: str) -> str | None:
    """The hashtag for one tag, or None when it has no letter or is longer than MAX_LENGTH."""
    words: list[str] = []
    word: list[str] = []
    for char in html_to_text(tag):
        category = unicodedata.category(char)
        if category[0] in _JOINING or category == "Nd" or char == "_":
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    body = "".join(w[:1].upper() + w[1:] if w.islower() else w for w in words)
    body = body.lstrip("".join(c for c in body if unicodedata.category(c)[0] == "M"))
    if len(body) > MAX_LENGTH or not any(unicodedata.category(c)[0] == "L" for c in body):
        return None
    return "#" + body


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
