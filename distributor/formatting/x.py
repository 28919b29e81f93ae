"""Posts on X that its weighted-length rules always accept, with the article's link.

The weighted length (twitter-text v3) is the same count as ``parse_tweet``, fast:
``twitter_text.parse_tweet`` tries its emoji pattern at every character (about 1.5 ms for a
tweet); every emoji holds a non-ASCII character, so here it is only tried there, and only
where an emoji can start. Its URL pattern is likewise tried only on words with a dot."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from urllib.parse import quote, urlsplit, urlunsplit

from twitter_text import extract_urls_with_indices
from twitter_text.regexp.emoji import emoji as emoji_pattern
from twitter_text.regexp.emoji import emoji_list
from twitter_text.regexp.spaces_group import spaces_group

from distributor.formatting.clean import CleanArticle
from distributor.formatting.mentions import neutralise_mentions
from distributor.formatting.templates import PostTemplate
from distributor.formatting.text import Unformattable, fit, tidy
from distributor.models import RenderedPost

# RFC 3986 reserved and unreserved characters, and "%" so existing escapes stay as they are
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~-._"
_URL_UNSAFE = frozenset(' "<>\\^`{|}')
# when X would still stop early: only what X links anywhere in a URL (unreserved, "/", "%",
# and "=&+" for queries); a last character X would leave out becomes its escape
_STRICT_SAFE = "-._~/%=&+"
_LINK_ENDS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=/")
# a URL X links whole whenever it knows the host (and no encoding helps when it does not)
_PLAIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?"
    r"(?:/(?:[A-Za-z0-9\-._~/%]*[A-Za-z0-9\-_/])?)?"  # X ends a path only on these
    r"(?:\?[A-Za-z0-9\-._~/%=&+]*)?(?:#[A-Za-z0-9\-._~/%=&+]*)?"
    r"(?<=[A-Za-z0-9\-_=/])",
    re.IGNORECASE,
)


def tweet_url(url: str) -> str:
    """The URL in the form X links whole (the same address): IDNA host, non-ASCII and unsafe
    characters percent-encoded, and if X would still cut the link short, every character it
    might stop at; ordinary URLs come back unchanged."""
    if _PLAIN.fullmatch(url) or (
        url.isascii() and not _URL_UNSAFE.intersection(url) and _linked_whole(url)
    ):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = netloc.encode("idna").decode("ascii")
        except UnicodeError:
            netloc = quote(netloc, safe=":@[]")
    encoded = urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            quote(parts.fragment, safe=_URL_SAFE),
        )
    )
    if _linked_whole(encoded):
        return encoded
    strict = _link_end(
        urlunsplit(
            (
                parts.scheme,
                netloc,
                _link_end(quote(parts.path, safe=_STRICT_SAFE)),  # X ends a path there too
                quote(parts.query, safe=_STRICT_SAFE),
                quote(parts.fragment, safe=_STRICT_SAFE),
            )
        )
    )
    return strict if _linked_whole(strict) else encoded


def _link_end(part: str) -> str:
    """``part`` with its last character escaped unless X lets a link end on it."""
    if not part or part[-1] in _LINK_ENDS:
        return part
    return f"{part[:-1]}%{ord(part[-1]):02X}"


def _linked_whole(url: str) -> bool:
    """Whether X takes all of ``url`` as one link (counted as a link's 23, nothing more)."""
    return weighted_length(url) == URL_WEIGHT


def render_x(
    article: CleanArticle,
    template: PostTemplate,
    *,
    url: str | None = None,
    allow_mentions: Collection[str] = (),
    alt_text: str | None = None,
) -> RenderedPost:
    """A tweet with the title, the link (``url``: the article's, with campaign tags) and as many
    hashtags as fit in 280 weighted characters; no @mention of a handle outside
    ``allow_mentions`` (formatting.mentions). The featured image and its ``alt_text`` ride
    along for the publisher to upload."""
    link = tweet_url(url or article.url)
    neutralised: tuple[str, ...] = ()

    def render(title: str, excerpt: str, tags: tuple[str, ...]) -> str:
        nonlocal neutralised
        text = tidy(template.render(**article.context(title, excerpt, tags, link)))
        text, neutralised = neutralise_mentions(text, allow_mentions)
        return text

    text = fit(
        render,
        lambda text: weighted_length(text) - MAX_WEIGHT,
        text_weight,
        article.title,
        article.excerpt,
        article.hashtags,
    )
    if has_invalid_characters(text):  # only a template's own text can hold them
        raise Unformattable(f"X refuses a character in the tweet: {text!r}")
    image = article.image_url
    return RenderedPost(
        platform="x",
        method="tweet",
        text=text,
        neutralised_mentions=neutralised,
        photo_url=image,
        alt_text=alt_text if image else None,
    )


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
