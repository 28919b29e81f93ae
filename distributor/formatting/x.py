"""Posts on X that its weighted-length rules always accept, with the article's link."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from distributor.formatting.clean import CleanArticle
from distributor.formatting.fit import Unformattable, fit
from distributor.formatting.telegram import tidy
from distributor.formatting.template import PostTemplate
from distributor.formatting.weighted import (
    MAX_WEIGHT,
    URL_WEIGHT,
    is_valid_tweet,
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


def tweet_url(url: str) -> str:
    """The URL in the form X links whole (the same address): IDNA host, non-ASCII and unsafe
    characters percent-encoded, and if X would still cut the link short, every character it
    might stop at; ordinary URLs come back unchanged."""
    if url.isascii() and not _URL_UNSAFE.intersection(url) and _linked_whole(url):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = netloc.encode("idna").decode("ascii")
        except UnicodeError:
            netloc = quote(netloc, safe=":@[]")
    encoded = _join(parts.scheme, netloc, parts.path, parts.query, parts.fragment, _URL_SAFE)
    if _linked_whole(encoded):
        return encoded
    strict = _join(parts.scheme, netloc, parts.path, parts.query, parts.fragment, _STRICT_SAFE)
    if strict[-1] not in _LINK_ENDS:
        strict = strict[:-1] + f"%{ord(strict[-1]):02X}"
    return strict if _linked_whole(strict) else encoded


def _join(scheme: str, netloc: str, path: str, query: str, fragment: str, safe: str) -> str:
    return urlunsplit(
        (
            scheme,
            netloc,
            quote(path, safe=safe),
            quote(query, safe=safe),
            quote(fragment, safe=safe),
        )
    )


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
    if not is_valid_tweet(text):
        length = weighted_length(text)
        raise Unformattable(f"no valid tweet can be made (weighted length {length}): {text!r}")
    return RenderedPost(platform="x", method="tweet", text=text)
