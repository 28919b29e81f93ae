"""Tags to hashtags."""

from __future__ import annotations

import pytest

from distributor.formatting.clean import MAX_LENGTH, hashtag, hashtags


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("al haris", "#AlHaris"),
        ("gubernur", "#Gubernur"),
        ("COVID-19", "#COVID19"),
        ("iPhone 15", "#iPhone15"),
        ("pemilu_2024", "#Pemilu_2024"),
        ("  Jambi  ", "#Jambi"),
        ("日本 ニュース", "#日本ニュース"),
        ("الأخبار العاجلة", "#الأخبارالعاجلة"),
        ("Rock &amp; Roll", "#RockRoll"),
        ("2024", None),  # digits only: not a hashtag on X
        ("🔥🔥", None),
        ("---", None),
        ("", None),
        ("a" * (MAX_LENGTH + 1), None),
    ],
)
def test_hashtag(tag: str, expected: str | None) -> None:
    assert hashtag(tag) == expected


def test_duplicates_removed_regardless_of_case() -> None:
    assert hashtags(["al haris", "Al Haris", "ALHARIS", "2024", "rakor", "al-haris"]) == (
        "#AlHaris",
        "#Rakor",
    )
