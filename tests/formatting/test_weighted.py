"""Our weighted length agrees with twitter-text-parser's ``parse_tweet`` exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from distributor.formatting.x import MAX_WEIGHT, has_invalid_characters, weighted_length

PIECES = st.sampled_from(
    [
        "a", "Z", " ", "\n", "\r\n", ".", "-", "“", "”", "–", "…", "é", "ß", "日本", "한국어",
        "مرحبا", "שלום", "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇮🇩", "1️⃣", "#⃣", "©", "™", "\u200d", "\ufe0f",
        "https://visualjambi.com/2024/02/01/x/", "example.com", "http://localhost/x",
        "https://例え.jp/パス", "t.co/abc", "@user", "#tag", "\ufeff", "e\u0301", "x.com/a",
        "(https://a.com/b)", "@a.com", "$a.com", "#a.com", "a.com.", "\u3000", "\xa0", "a.co",
        "www.visualjambi.com", "H. Al", "S.Sos.,", "\x1c", "\u202e", "https://t.co/abcdef",
    ]
)  # fmt: skip
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_same_as_parse_tweet(text: str) -> None:
    parsed = parse_tweet(text)
    assert weighted_length(text) == parsed.weightedLength
    valid = not has_invalid_characters(text) and 0 < weighted_length(text) <= MAX_WEIGHT
    assert valid == parsed.valid


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("abc", 3),
        ("日本", 4),
        ("😀", 2),
        ("👨‍👩‍👧‍👦", 2),
        ("see https://a.com/" + "x" * 100, 27),
    ],
)
def test_known_lengths(text: str, length: int) -> None:
    assert weighted_length(text) == length
