"""Excerpt HTML to reader-visible text, and cutting at a word boundary."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distributor.formatting.text import ELLIPSIS, cut, html_to_text


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("Tom &amp;amp; Jerry", "Tom &amp; Jerry"),  # decoded exactly once
        ("AT&T <3 you", "AT&T <3 you"),
        ("It&#8217;s &ldquo;fine&rdquo;", "It’s “fine”"),
        ("a<script>alert('x')</script>b", "ab"),
        ("a<script>never closed", "a"),
        ("<C<script>alert(1)</script><C", ""),
        ("<https://t.co/x<script>alert(1)</script>b", "b"),
        ('<a x="y"<script>alert(1)</script>b', "b"),
        ('<a href="javascript:x<b">alert(1)</a>b', "b"),
        ("a<!--<script>alert(1)</script>", "a"),
        ('a <b class="x', "a"),
        ("a <3", "a <3"),
        ("<p<style x>p{}</style>b", "b"),
        ("a<style>p { color: red }</style>b", "ab"),
        ('a <img src="x.jpg" alt="photo"> b', "a b"),
        ('<a href=" JavaScript:alert(1)">click</a>me', "me"),
        ('<a href="https://example.com">link</a>', "link"),
        ("<svg><a><title>t</title></a></svg>x", "x"),
        ("  spaced \t out \n words&nbsp;&nbsp;here ", "spaced out words here"),
        ("zero\x00width\ufeff\u202ebidi", "zerowidthbidi"),
        ("&lt;b&gt;bold&lt;/b&gt;", "<b>bold</b>"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_html_to_text(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


def test_paragraphs_become_blank_lines() -> None:
    fragment = "<p>One\n two</p>\n<p>Three<br>four</p><div><p>Five</p></div>"
    assert html_to_text(fragment, paragraphs=True) == "One two\n\nThree\nfour\n\nFive"
    assert html_to_text(fragment) == "One two Three four Five"


@pytest.mark.parametrize(
    "fragment",
    [
        "<p>" + "kata " * 50_000 + "</p>",
        "<span class='a-very-long-class-name-indeed'>w</span> " * 5000,  # mostly markup
        "<p>" + "&amp;" * 20_000 + "</p>",  # mostly references
        "<script>x</script>" + "<a href='#'>kata</a> " * 5000,  # the tokenizer
        "<!-- c -->" + "kata " * 5000,  # the parser
    ],
)
def test_limit_stops_reading_but_keeps_the_prefix_exact(fragment: str) -> None:
    full = html_to_text(fragment, paragraphs=True)
    limited = html_to_text(fragment, paragraphs=True, limit=1024)
    assert 1025 < len(limited) <= len(full)
    assert full.startswith(limited[:1025])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["kata ", "<p>", "</p>", "<br>", "&amp;", "&#8217;", "  \n ", "<b>x</b>"]),
        max_size=400,
    ).map("".join),
    st.integers(min_value=1, max_value=300),
)
def test_limited_reading_agrees_with_full_reading(fragment: str, limit: int) -> None:
    full = html_to_text(fragment, paragraphs=True)
    limited = html_to_text(fragment, paragraphs=True, limit=limit)
    assert limited[: limit + 1] == full[: limit + 1]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Gubernur Al Haris Pimpin Rakor", 100, "Gubernur Al Haris Pimpin Rakor"),
        ("Gubernur Al Haris Pimpin Rakor", 20, "Gubernur Al Haris…"),
        ("Gubernur Al Haris Pimpin Rakor", 18, "Gubernur Al Haris…"),
        ("Gubernur Al Haris, Pimpin Rakor", 20, "Gubernur Al Haris…"),  # no dangling comma
        ("日本語のテキストです", 5, "日本語の…"),  # no spaces: cut between characters
        ("ab 👍🏽👍🏽", 5, "ab…"),  # never split an emoji from its skin tone
        ("x 🇮🇩🇮🇩🇮🇩", 6, "x 🇮🇩…"),  # nor a flag's pair
        ("Supercalifragilistic", 1, ""),
        ("", 0, ""),
    ],
)
def test_cut(text: str, limit: int, expected: str) -> None:
    assert cut(text, limit) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=0, max_value=60))
def test_cut_is_a_short_prefix(text: str, limit: int) -> None:
    out = cut(text, limit)
    assert len(out) <= limit
    if out == text:
        return
    if out:
        assert out.endswith(ELLIPSIS)
        assert text.startswith(out[: -len(ELLIPSIS)])
