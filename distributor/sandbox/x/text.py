"""Tweet text as X treats it: twitter-text v3 weighted length, t.co links and URL entities."""

from __future__ import annotations

import secrets
import string
from typing import Any

from twitter_text import extract_urls_with_indices, parse_tweet

MAX_WEIGHTED_LENGTH = 280
_TCO_ALPHABET = string.ascii_letters + string.digits


def weighted_length(text: str) -> int:
    """Length by the twitter-text v3 rules (URLs count 23, CJK and emoji count 2)."""
    return int(parse_tweet(text).weightedLength)


def _display(url: str) -> str:
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= 26 else bare[:25] + "…"


def shorten_urls(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The text with every URL replaced by a t.co link, and the ``entities.urls`` list."""
    out, urls, cursor = [], [], 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        original = found["url"]
        tco = "https://t.co/" + "".join(secrets.choice(_TCO_ALPHABET) for _ in range(10))
        out.append(text[cursor:start])
        position = sum(len(part) for part in out)
        out.append(tco)
        urls.append(
            {
                "start": position,
                "end": position + len(tco),
                "url": tco,
                "expanded_url": original if "://" in original else f"http://{original}",
                "display_url": _display(original),
            }
        )
        cursor = end
    out.append(text[cursor:])
    return "".join(out), urls
