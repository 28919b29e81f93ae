"""Whatever the article holds, Telegram and X accept the post and the reader sees clean text.

Telegram output is checked with the sandbox's Bot API parser and limits; X output with
twitter-text-parser itself.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from twitter_text import parse_tweet

from distributor.formatting import FormatOptions
from distributor.formatting.clean import clean_article
from distributor.formatting.render import build_preview
from distributor.formatting.sharelinks import with_utm
from distributor.formatting.text import ELLIPSIS
from distributor.formatting.x import tweet_url
from distributor.models import Article, Destination
from distributor.telegram_html.text import format_text

OPTIONS = FormatOptions()
DESTINATIONS = [
    Destination(id="tg", platform="telegram", target="@c"),
    Destination(id="x", platform="x", target="acc"),
]
PROFILE = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# pieces a hostile or merely international article is made of
TRICKY = st.sampled_from(
    [
        "<", ">", "&", "&amp;", "&lt;b&gt;", "&#x1F600;", "&#0;", "&nbsp;", "&bogus;", "&#", "\"'",
        "<b>", "</p>", "<p>", "<br>", "<script>alert(1)</script>", "<style>p{}</style>", "<!--",
        "<a href='javascript:x()'>x</a>", "<img src=x>", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇮🇩", "1️⃣",
        "\u200d", "\u200b", "\ufe0f", "日本語のニュース", "한국어", "中文新闻", "مرحبا بالعالم",
        "שלום עולם", "\u202e", "\u200f", "   ", "\n\n", "\t", "“kutipan”", "’", "…", "e\u0301",
        "example.com", "https://t.co/x", "@jokowi", "#tag", "$IDX", "\ufeff", "\x00", "\x7f",
    ]
)  # fmt: skip
WORDS = st.text(min_size=1, max_size=12)
TEXT = st.lists(st.one_of(TRICKY, WORDS, st.just(" ")), max_size=30).map("".join)
LONG = st.builds(lambda piece, n: piece * n, TEXT.filter(bool), st.integers(1, 400))
TITLES = st.one_of(TEXT, LONG.map(lambda t: t[:1000]))
EXCERPTS = st.one_of(TEXT, LONG, st.builds(lambda t: f"<p>{t}</p>" * 50, TEXT))

LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20)
HOSTS = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(LABEL, min_size=1, max_size=3),
    st.sampled_from(["com", "id", "co.id", "org", "news", "jp"]),
) | st.sampled_from(["例え.jp", "berita.indonesia.id", "xn--wgv71a119e.jp"])
URL_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), max_size=40
) | st.sampled_from(["a(b)c", "x%20y", "q=1&r=2", "日本", "a{b}", "über", 'x"y', "..."])
URLS = st.builds(
    lambda scheme, host, path, query, fragment: (
        f"{scheme}://{host}/{path}"
        + (f"?{query}" if query else "")
        + (f"#{fragment}" if fragment else "")
    ),
    st.sampled_from(["http", "https"]),
    HOSTS,
    URL_TEXT,
    URL_TEXT,
    URL_TEXT,
)


def make_article(**fields: Any) -> Article:
    base: dict[str, Any] = {
        "id": "a1",
        "url": "https://visualjambi.com/2024/02/01/x/",
        "title": "Judul",
        "published_at": "2024-02-01T09:30:00+07:00",
    }
    try:
        return Article.model_validate({**base, **fields})
    except ValidationError:
        assume(False)
        raise


ARTICLES = st.builds(
    lambda title, excerpt, tags, url, image, author, language: make_article(
        title=title,
        excerpt=excerpt,
        tags=tags,
        url=url,
        image_url=image,
        author=author,
        language=language,
    ),
    TITLES,
    EXCERPTS,
    st.lists(st.one_of(TEXT, LABEL, LONG.map(lambda t: t[:1000])), max_size=25),
    URLS,
    st.none() | st.just("https://visualjambi.com/img.jpg"),
    TEXT.map(lambda t: t[:1000]),
    st.sampled_from(["id", "en", "ar"]),
)


@PROFILE
@given(ARTICLES)
def test_every_article_makes_posts_the_platforms_accept(article: Article) -> None:
    preview = build_preview(article, DESTINATIONS, OPTIONS)
    telegram = preview["telegram"]
    caption = telegram["method"] == "sendPhoto"
    text = telegram["caption" if caption else "text"]
    plain, _ = format_text(text, "HTML", caption=caption)
    clean = clean_article(article)
    if clean.title:
        title = plain.split("\n\n", 1)[0]
        assert title == clean.title or (
            title.endswith(ELLIPSIS) and clean.title.startswith(title[: -len(ELLIPSIS)])
        )
    tweet = preview["x"]["text"]
    assert parse_tweet(tweet).valid, tweet
    assert tweet_url(with_utm(article.url, "x", OPTIONS.utm_campaign)) in tweet
    for seen in (plain, tweet):
        assert "alert(1)" not in seen  # script text


# articles written in HTML whose visible text is known: nothing else may reach the reader
SECRET = "SECRET"
HIDDEN = st.sampled_from(
    [
        f"<script>{SECRET}()</script>",
        f"<style>.{SECRET} {{}}</style>",
        f"<img src=x alt='{SECRET}'>",
        f"<a href='javascript:{SECRET}()'>{SECRET}</a>",
        f"<noscript>{SECRET}</noscript>",
        f"<!-- {SECRET} -->",
        f"<iframe src='x'>{SECRET}</iframe>",
    ]
)
WRAPPERS = st.sampled_from(["p", "em", "strong", "span", "div", "li", "h2", "blockquote"])
VISIBLE_PIECES = st.characters(
    blacklist_categories=("Cc", "Cs", "Cf", "Co", "Cn", "Zs", "Zl", "Zp")
) | st.sampled_from(["<", ">", "&", '"', "'", "“", "”", "👨‍👩‍👧‍👦", "🇮🇩", "日本", "مرحبا", "שלום"])
VISIBLE_WORDS = (
    st.lists(VISIBLE_PIECES, min_size=1, max_size=8)
    .map("".join)
    .filter(
        lambda w: not re.search(r"<[A-Za-z/!?]|&[#A-Za-z0-9]+;?|SECRET|[\u030a\u0333\u033f]", w)
    )
)


def encode_text(word: str, style: int) -> str:
    """The word as a CMS might write it: escaped, or with numeric / named references."""
    if style == 0:
        return html.escape(word)
    if style == 1:
        return "".join(f"&#{ord(c)};" for c in word)
    return "".join(f"&#x{ord(c):x};" if not c.isalnum() else c for c in word)


@st.composite
def html_documents(draw: st.DrawFn) -> tuple[str, list[str]]:
    """(HTML, the words the reader must see in order)."""
    out: list[str] = []
    words: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()):
            out.append(draw(HIDDEN))
        word = draw(VISIBLE_WORDS)
        words.append(word)
        encoded = encode_text(word, draw(st.integers(0, 2)))
        tag = draw(WRAPPERS)
        out.append(f"<{tag}>{encoded}</{tag}> " if draw(st.booleans()) else f"{encoded} ")
    return "".join(out), words


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@PROFILE
@given(html_documents(), html_documents(), st.booleans())
def test_reader_never_sees_markup_entities_or_scripts(
    title_doc: tuple[str, list[str]], excerpt_doc: tuple[str, list[str]], image: bool
) -> None:
    title_html, title_words = title_doc
    excerpt_html, excerpt_words = excerpt_doc
    article = make_article(
        title=title_html[:1000],
        excerpt=excerpt_html,
        image_url="https://visualjambi.com/i.jpg" if image else None,
    )
    assume(len(title_html) <= 1000)
    preview = build_preview(article, DESTINATIONS, OPTIONS)
    telegram = preview["telegram"]
    plain, _ = format_text(telegram["caption" if image else "text"], "HTML", caption=image)
    tweet = preview["x"]["text"]
    for seen in (plain, tweet):
        assert SECRET not in seen
        assert not re.search(r"<[A-Za-z/!?]", seen)
        assert not re.search(r"&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z]+);", seen)
    # whitespace aside, the reader sees exactly the words, in order (perhaps cut short)
    title, _, excerpt = plain.partition("\n\n")
    assert same_or_cut(title, title_words)
    assert same_or_cut(excerpt, excerpt_words)
    assert same_or_cut(tweet.partition("\n\n")[0], title_words)


def same_or_cut(shown: str, words: list[str]) -> bool:
    expected = squash(unicodedata.normalize("NFC", " ".join(words)))
    seen = squash(shown)
    return seen == expected or (seen.endswith(ELLIPSIS) and expected.startswith(seen[:-1]))
