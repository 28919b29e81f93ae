"""A reshare's post: a lead line before the destination's template, escaped for Telegram,
inside the platform's limits, and leads that never repeat."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from distributor.formatting import FormatOptions, render
from distributor.formatting.reshare import LEADS, LeadText, lead_lines, render_reshare
from distributor.formatting.telegram import CAPTION_LIMIT, visible_length
from distributor.formatting.x import MAX_WEIGHT, weighted_length
from distributor.models import Article, Destination
from tests.support.seed import seed_article_dict

TELEGRAM = Destination(id="tg-main", platform="telegram", target="@visualjambi")
X = Destination(id="x-main", platform="x", target="visualjambi")
OPTIONS = FormatOptions()


@pytest.fixture
def article() -> Article:
    return Article.model_validate(seed_article_dict())


def test_a_managers_line_is_tried_first_then_numbered() -> None:
    assert lead_lines("Sore ini", (), "id", 0, 3) == ["Sore ini", "Sore ini (2)", "Sore ini (3)"]


def test_the_rotation_goes_round_then_numbers_its_rounds() -> None:
    leads = lead_lines(None, ("A:", "B:"), "id", 1, 5)
    assert leads == ["B:", "A: (2)", "B: (2)", "A: (3)", "B: (3)"]
    assert lead_lines(None, (), "en", 0, 2) == list(LEADS["en"][:2])
    assert len(set(lead_lines(None, (), "id", 0, 24))) == 24


def test_telegram_gets_the_lead_escaped_within_the_caption_limit(article: Article) -> None:
    lead = "<b>Breaking</b> & more"
    post = render_reshare(article, TELEGRAM, OPTIONS, lead)
    original = render(article, TELEGRAM, OPTIONS)
    assert post.method == original.method == "sendPhoto"
    assert post.text.startswith("&lt;b&gt;Breaking&lt;/b&gt; &amp; more\n\n<b>")
    assert visible_length(post.text) <= CAPTION_LIMIT
    assert render_reshare(article, TELEGRAM, OPTIONS, None) == original


def test_x_texts_differ_from_the_original_and_each_other(article: Article) -> None:
    original = render(article, X, OPTIONS).text
    texts = [render_reshare(article, X, OPTIONS, lead, "1234").text
             for lead in lead_lines(None, (), "id", 0, 8)]  # fmt: skip
    assert len({original, *texts}) == 9
    for text in texts:
        assert article.url in text and weighted_length(text) <= MAX_WEIGHT
    assert render_reshare(article, X, OPTIONS, "Baca lagi:", "1234").quote_id == "1234"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 201, "line\nbreak", "zero\ufeffwidth"])
def test_a_managers_line_refuses_what_a_platform_would_drop(bad: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(LeadText).validate_python(bad)
    assert TypeAdapter(LeadText).validate_python("  Masih hangat  ") == "Masih hangat"
