"""No unsolicited @mention in an automated tweet, and the headline still reads as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from twitter_text import parse_tweet

from distributor.formatting import FormatOptions, render
from distributor.formatting.mentions import WORD_JOINER, extract_mentions, neutralise_mentions
from distributor.models import Article, Destination
from tests.support.seed import seed_article_dict

CONFORMANCE = yaml.safe_load(
    (Path(__file__).parents[1] / "fixtures" / "twitter_text_mentions.yml").read_text("utf-8")
)
X = Destination(id="x-main", platform="x", target="visualjambi")
HEADLINE = "Ketua KPU @kpu_ri : Pemilu Damai, Bawaslu ＠bawaslu_ri Siaga"


def tweet(title: str, destination: Destination = X) -> Any:
    article = Article.model_validate({**seed_article_dict(), "title": title, "tags": []})
    return render(article, destination, FormatOptions())


@pytest.mark.parametrize("case", CONFORMANCE["mentions"], ids=lambda c: c["text"])
def test_extraction_passes_xs_conformance_cases(case: dict[str, Any]) -> None:
    assert [m.screen_name for m in extract_mentions(case["text"])] == case["expected"]


@pytest.mark.parametrize(
    "case", CONFORMANCE["mentions_or_lists_with_indices"], ids=lambda c: c["text"]
)
def test_extraction_indices_pass_xs_conformance_cases(case: dict[str, Any]) -> None:
    found = [
        {"screen_name": m.screen_name, "list_slug": m.list_slug, "indices": list(m.indices)}
        for m in extract_mentions(case["text"])
    ]
    assert found == case["expected"]


def test_a_headline_quoting_handles_mentions_nobody_yet_reads_the_same() -> None:
    post = tweet(HEADLINE)
    assert extract_mentions(HEADLINE) != []  # as written, X would mention both
    assert extract_mentions(post.text) == []
    assert post.text.replace(WORD_JOINER, "").startswith(HEADLINE + "\n\n")
    assert post.neutralised_mentions == ("kpu_ri", "bawaslu_ri")
    assert parse_tweet(post.text).valid


def test_allowed_handles_stay_mentions() -> None:
    allowed = X.model_copy(update={"allow_mentions": ("@KPU_RI",)})
    post = tweet(HEADLINE, allowed)
    assert [m.screen_name for m in extract_mentions(post.text)] == ["kpu_ri"]
    assert post.neutralised_mentions == ("bawaslu_ri",)


def test_at_signs_inside_links_are_left_alone() -> None:
    text, cut = neutralise_mentions("Baca https://medium.com/@penulis/artikel-1 dan @penulis")
    assert text == f"Baca https://medium.com/@penulis/artikel-1 dan @{WORD_JOINER}penulis"
    assert cut == ("penulis",)


@given(st.lists(st.from_regex(r"[@＠][A-Za-z0-9_]{1,20}", fullmatch=True), max_size=40))
def test_many_handles_still_fit_and_mention_nobody(handles: list[str]) -> None:
    title = "Kata " + " ".join(handles) if handles else "Kata"
    post = tweet(title)
    assert parse_tweet(post.text).weightedLength <= 280  # the joiners count (2 each)
    assert extract_mentions(post.text) == []
