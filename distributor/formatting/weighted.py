"""X's weighted tweet length (twitter-text v3), fast: same count as ``parse_tweet``.

``twitter_text.parse_tweet`` tries its emoji pattern at every character (about 1.5 ms for a
tweet); every emoji holds a non-ASCII character, so here it is only tried there, and only
where an emoji can start.
"""

from __future__ import annotations

import re
import unicodedata

from twitter_text import extract_urls_with_indices
from twitter_text.regexp.emoji import emoji as emoji_pattern
from twitter_text.regexp.emoji import emoji_list

MAX_WEIGHT = 280
URL_WEIGHT = 23
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_INVALID = re.compile("[\ufffe\ufeff\uffff]")
_LINE_ENDS = re.compile(r"\r\n|\r")
_EMOJI_STARTS = frozenset(chr(int(e.codepoint.split()[0], 16)) for e in emoji_list)


def char_weight(char: str) -> int:
    """Weight of a character outside URLs and emoji: 1 for Latin and common punctuation, else 2."""
    code = ord(char)
    if code <= 4351 or 8192 <= code <= 8205 or 8208 <= code <= 8223 or 8242 <= code <= 8247:
        return 1
    return 2


def text_weight(text: str) -> int:
    """Sum of ``char_weight`` (no URL or emoji rules): an estimate for cutting plain text."""
    if text.isascii():
        return len(text)
    return len(text) + sum(char_weight(c) - 1 for c in text if ord(c) > 4351)


def weighted_length(text: str) -> int:
    """The length X counts: URLs 23, each emoji 2, CJK and most non-Latin characters 2."""
    text = _LINE_ENDS.sub("\n", unicodedata.normalize("NFC", text))
    total = text_weight(text)
    # (start, rank, end, weight): at the same start a URL (rank 0) wins over an emoji
    spans = [
        (url["indices"][0], 0, url["indices"][1], URL_WEIGHT)
        for url in extract_urls_with_indices(text)
    ]
    spans.extend((start, 1, end, 2) for start, end in _emoji_spans(text))
    spans.sort()
    reached = 0
    for start, _rank, end, weight in spans:
        if start >= reached:
            total += weight - text_weight(text[start:end])
            reached = end
    return total


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    """What ``finditer`` on twitter-text's emoji pattern finds, trying only possible starts."""
    spans: list[tuple[int, int]] = []
    reached = 0
    for run in _NON_ASCII.finditer(text):
        for pos in range(max(run.start() - 1, reached), run.end()):
            if pos >= reached and text[pos] in _EMOJI_STARTS:
                found = emoji_pattern.match(text, pos)
                if found:
                    spans.append((pos, found.end()))
                    reached = found.end()
    return spans


def is_valid_tweet(text: str) -> bool:
    """Whether X accepts the text: weighted length 1 to 280 and no invalid characters."""
    return not _INVALID.search(text) and 0 < weighted_length(text) <= MAX_WEIGHT
