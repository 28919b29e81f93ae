"""Topics (pure): what a reader types, what an article carries, what is close."""

from __future__ import annotations

from distributor.audience.readers.topics import article_topics, closest, matches, topic_key
from tests.support.readers import article


def test_topic_keys_ignore_case_hash_and_spacing() -> None:
    assert topic_key("  #Pemilu  2024 ") == topic_key("pemilu 2024") == "pemilu 2024"
    assert topic_key("#") == "" and len(topic_key("x" * 500)) == 64


def test_an_article_carries_its_category_and_tags_once() -> None:
    art = article("t-1", "Politik", ["Pemilu", "politik", "#Jambi"])
    assert article_topics(art) == {"politik": "Politik", "pemilu": "#Pemilu", "jambi": "#Jambi"}
    assert matches(article_topics(art), {"jambi", "olahraga"})
    assert not matches(article_topics(art), {"olahraga"})


def test_closest_matches_for_a_typo_or_a_prefix() -> None:
    known = {"politik": "Politik", "ekonomi": "Ekonomi", "pemilu": "#Pemilu"}
    assert closest("politk", known) == ["Politik"]
    assert closest("eko", known) == ["Ekonomi"]
    assert closest("zzz", known) == [] and closest("  ", known) == []
