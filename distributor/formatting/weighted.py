"""X's weighted tweet length (twitter-text v3), fast: same count as ``parse_tweet``.

``twitter_text.parse_tweet`` tries its emoji pattern at every character (about 1.5 ms for a
tweet); every emoji holds a non-ASCII character, so here it is only tried there, and only
where an emoji can start. Its URL pattern is likewise tried only on words with a dot.
"""

from __future__ import annotations

import re
import unicodedata

from twitter_text import extract_urls_with_indices
from twitter_text.regexp.emoji import emoji as emoji_pattern
from twitter_text.regexp.emoji import emoji_list
from twitter_text.regexp.spaces_group import spaces_group

MAX_WEIGHT = 280
URL_WEIGHT = 23
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WORD = re.compile(f"[^{spaces_group}]+")
_INVALID = re.compile("[\ufffe\ufeff\uffff]")
_WIDE = re.compile("[^\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")  # weight 2
_LINE_ENDS = re.compile(r"\r\n|\r")
_EMOJI_STARTS = frozenset(chr(int(e.codepoint.split()[0], 16)) for e in emoji_list)


def text_weight(text: str) -> int:
    """Weight without the URL and emoji rules: 1 for Latin, common punctuation and most
    alphabets up to U+10FF, 2 for the rest (CJK...); an estimate for cutting plain text."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def weighted_length(text: str) -> int:
    """The length X counts: URLs 23, each emoji 2, CJK and most non-Latin characters 2."""
    text = _LINE_ENDS.sub("\n", unicodedata.normalize("NFC", text))
    total = text_weight(text)
    # (start, rank, end, weight): at the same start a URL (rank 0) wins over an emoji
    spans = [(start, 0, end, URL_WEIGHT) for start, end in _url_spans(text)]
    spans.extend((start, 1, end, 2) for start, end in _emoji_spans(text))
    spans.sort()
    reached = 0
    for start, _rank, end, weight in spans:
        if start >= reached:
            total += weight - text_weight(text[start:end])
            reached = end
    return total


def _url_spans(text: str) -> list[tuple[int, int]]:
    """What ``extract_urls_with_indices`` finds, looking only at space-separated words with a
    "." (a URL holds no space and always a dot), each with the character before it."""
    spans: list[tuple[int, int]] = []
    for word in _WORD.finditer(text):
        if "." in word.group():
            start = max(word.start() - 1, 0)
            spans.extend(
                (url["indices"][0] + start, url["indices"][1] + start)
                for url in extract_urls_with_indices(text[start : word.end()])
            )
    return spans


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


def has_invalid_characters(text: str) -> bool:
    """Whether the text holds a character X refuses (U+FEFF, U+FFFE, U+FFFF)."""
    return _INVALID.search(text) is not None


def is_valid_tweet(text: str) -> bool:
    """Whether X accepts the text: weighted length 1 to 280 and no invalid characters."""
    return not has_invalid_characters(text) and 0 < weighted_length(text) <= MAX_WEIGHT
