"""Posts on X that its weighted-length rules always accept, with the article's link."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from distributor.formatting.clean import CleanArticle
from distributor.formatting.fit import Unformattable, fit
from distributor.formatting.template import PostTemplate
from distributor.formatting.text import tidy
from distributor.formatting.weighted import (
    MAX_WEIGHT,
    URL_WEIGHT,
    has_invalid_characters,
    text_weight,
    weighted_length,
)
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


def render_x(article: CleanArticle, template: PostTemplate) -> RenderedPost:
    """A tweet with the title, the link and as many hashtags as fit in 280 weighted characters."""
    url = tweet_url(article.url)

    def render(title: str, excerpt: str, tags: tuple[str, ...]) -> str:
        return tidy(template.render(**article.context(title, excerpt, tags, url)))

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
    return RenderedPost(platform="x", method="tweet", text=text)
