"""Tweets: the URL in the form X links whole, hashtags as fit, cuts, unpostable articles."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import extract_urls, parse_tweet

from distributor.formatting import FormatOptions, Unformattable, render
from distributor.formatting.x import tweet_url
from distributor.models import Article, Destination
from tests.support.seed import seed_article_dict

X = Destination(id="x", platform="x", target="acc")


def tweet(**changes: Any) -> str:
    article = Article.model_validate({**seed_article_dict(), **changes})
    text = render(article, X, FormatOptions()).text
    assert parse_tweet(text).valid
    return text


@pytest.mark.parametrize(
    "url",
    [
        "https://visualjambi.com/2024/02/01/x/?p=1&q=a%20b#top",
        "https://en.wikipedia.org/wiki/Jambi_(city)",
    ],
)
def test_ordinary_urls_are_posted_as_they_are(url: str) -> None:
    assert tweet_url(url) == url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://a.id/berita/日本/x?q=über#ü",
            "https://a.id/berita/%E6%97%A5%E6%9C%AC/x?q=%C3%BCber#%C3%BC",
        ),
        ("https://例え.jp/x", "https://xn--r8jz45g.jp/x"),
        ('https://a.id/a{b}"c', "https://a.id/a%7Bb%7D%22c"),
    ],
)
def test_other_urls_are_percent_encoded_to_the_same_address(url: str, expected: str) -> None:
    assert tweet_url(url) == expected
    assert (
        unquote(expected.split("//", 1)[1].split("/", 1)[1])
        == url.split("//", 1)[1].split("/", 1)[1]
    )
    assert extract_urls(expected) == [expected]  # X links all of it


PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/%"
PLAIN_URLS = st.builds(
    lambda host, tld, path, query, fragment: f"https://{host}.{tld}/{path}{query}{fragment}",
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20),
    st.sampled_from(["com", "id", "co.id", "news"]),
    st.text(PLAIN, max_size=60),
    st.text(PLAIN + "=&+", max_size=40).map(lambda q: f"?{q}" if q else ""),
    st.text(PLAIN + "=&+", max_size=20).map(lambda f: f"#{f}" if f else ""),
)


@settings(max_examples=300, deadline=None)
@given(PLAIN_URLS)
def test_plain_urls_are_linked_whole_or_encoded(url: str) -> None:
    posted = tweet_url(url)
    assert extract_urls(posted) == [posted]
    assert unquote(posted) == unquote(url)


def test_as_many_hashtags_as_fit() -> None:
    title = "Berita " * 31  # 216 characters after the strip: 243 with the link
    tags = ["satu", "dua", "tiga", "empat", "lima", "enam", "tujuh"]
    text = tweet(title=title.strip(), tags=tags)
    assert text.endswith("\n\n#Satu #Dua #Tiga #Empat #Lima #Enam")
    assert parse_tweet(text).weightedLength <= 280
    longer = text + " #Tujuh"
    assert parse_tweet(longer).weightedLength > 280


def test_long_title_cut_at_a_word_boundary_and_tags_dropped() -> None:
    title = " ".join(f"kata{i}" for i in range(100))
    text = tweet(title=title)
    head, url, *rest = text.split("\n\n")
    assert head.endswith("…") and title.startswith(head[:-1] + " ")
    assert url.split("?")[0] == seed_article_dict()["url"]
    assert rest == []


def test_cjk_title_counts_double() -> None:
    text = tweet(title="日本語" * 100, tags=[])
    head = text.split("\n\n")[0]
    assert parse_tweet(text).weightedLength <= 280
    assert len(head) > 100  # cut by weight (2 each), not by characters
    assert len(head) < 140


def test_unpostable_url_is_a_permanent_error() -> None:
    # no known TLD: X counts every character of it
    article = Article.model_validate({**seed_article_dict(), "url": "http://intranet/" + "x" * 300})
    with pytest.raises(Unformattable, match=r"over the limit"):
        render(article, X, FormatOptions())
