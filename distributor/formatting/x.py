"""Posts on X that its weighted-length rules always accept, with the article's link."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from distributor.formatting.clean import CleanArticle
from distributor.formatting.fit import Unformattable, fit
from distributor.formatting.telegram import tidy
from distributor.formatting.template import PostTemplate
from distributor.formatting.weighted import MAX_WEIGHT, is_valid_tweet, text_weight, weighted_length
from distributor.models import RenderedPost

# RFC 3986 reserved and unreserved characters, and "%" so existing escapes stay as they are
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~-._"
_URL_UNSAFE = frozenset(' "<>\\^`{|}')


def tweet_url(url: str) -> str:
    """The URL in the form X links whole: IDNA host, other non-ASCII and unsafe characters
    percent-encoded (the same address); ordinary URLs come back unchanged."""
    if url.isascii() and not _URL_UNSAFE.intersection(url):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = netloc.encode("idna").decode("ascii")
        except UnicodeError:
            netloc = quote(netloc, safe=":@[]")
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            quote(parts.fragment, safe=_URL_SAFE),
        )
    )


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
