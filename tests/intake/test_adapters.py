"""Decoding bodies: our schema strictly, WordPress REST posts through the adapter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from distributor.errors import InvalidInput
from distributor.intake.adapters import decode_event, from_wordpress
from distributor.models import ArticleEvent
from tests.support.seed import seed_article_dict, seed_event
from tests.support.wordpress_post import POST_ID, wordpress_post


def _body(data: Any) -> bytes:
    return json.dumps(data).encode()


def test_our_schema_round_trips() -> None:
    event = decode_event(_body(seed_event()))
    assert event == ArticleEvent.model_validate(seed_event())


def test_strictness_refuses_coercible_strings() -> None:
    data = seed_event()
    data["article"]["revision"] = "2"
    with pytest.raises(InvalidInput, match=r"^article\.revision: Input should be a valid integer"):
        decode_event(_body(data))


def test_errors_name_every_field_up_to_five() -> None:
    data = {"type": "article.published", "article": {"tags": "x", "revision": 0}}
    with pytest.raises(InvalidInput) as info:
        decode_event(_body(data))
    message = str(info.value)
    for field in ("article.id", "article.url", "article.title", "article.tags"):
        assert f"{field}:" in message
    assert message.endswith("and 1 more")


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"", 400, "body is empty"),
        (b"{", 400, "body is not valid JSON"),
        (b'{"a": NaN}', 400, "NaN is not allowed"),
        (b"[" * 100_000, 400, "body is not valid JSON"),
        (b"[]", 422, "not an array"),
        (b'"text"', 422, "not a string"),
        (b"null", 422, "not null"),
        (b"3", 422, "not a number"),
    ],
)
def test_bad_bodies(body: bytes, status: int, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment) as info:
        decode_event(body)
    assert info.value.status_code == status


def test_the_featured_images_alt_text_is_kept() -> None:
    post = wordpress_post()
    post["_embedded"]["wp:featuredmedia"][0]["alt_text"] = "Gubernur membuka rakor"
    assert decode_event(_body(post)).article.image_alt == "Gubernur membuka rakor"


def test_wordpress_post_maps_to_the_seed_article() -> None:
    event = decode_event(_body(wordpress_post()))
    seed = seed_article_dict()
    published = datetime.fromisoformat(seed["published_at"])
    assert event.type == "article.published"
    article = event.article
    assert article.id == str(POST_ID)
    assert (article.url, article.title, article.author) == (
        seed["url"],
        seed["title"],
        seed["author"],
    )
    assert article.excerpt.strip() == seed["excerpt"]
    assert (article.category, list(article.tags)) == (seed["category"], seed["tags"])
    assert article.image_url == seed["image_url"]
    assert article.image_alt == ""  # the seed's media has none: the X upload uses the title
    assert article.published_at == published
    assert article.revision == int(published.timestamp())


def test_wordpress_edit_is_an_update_with_a_higher_revision() -> None:
    first = from_wordpress(wordpress_post())
    edited_at = first.article.published_at + timedelta(minutes=7)
    edited = from_wordpress(wordpress_post(modified=edited_at))
    assert edited.type == "article.updated"
    assert edited.article.revision == first.article.revision + 420
    assert edited.event_id != first.event_id


def test_wordpress_scheduled_post_modified_before_its_date_is_a_publication() -> None:
    post = wordpress_post(modified=datetime(2024, 1, 31, 12, 0, tzinfo=UTC))
    assert from_wordpress(post).type == "article.published"


@pytest.mark.parametrize("status", ["draft", "pending", "private", "future", "trash"])
def test_wordpress_statuses_other_than_publish_unpublish(status: str) -> None:
    assert from_wordpress(wordpress_post(status=status)).type == "article.unpublished"


def test_wordpress_entities_are_decoded_and_tags_stripped_in_the_title() -> None:
    post = wordpress_post()
    post["title"]["rendered"] = "Rakor &#8220;Politik&#8221; &amp; <em>Pemilu</em>"
    post["_embedded"]["wp:term"][0][0]["name"] = "Politik &amp; Hukum"
    article = from_wordpress(post).article
    assert article.title == "Rakor \u201cPolitik\u201d & Pemilu"
    assert article.category == "Politik & Hukum"


def test_wordpress_without_embed_leaves_author_terms_and_image_empty() -> None:
    article = from_wordpress(wordpress_post(embed=False)).article
    assert (article.author, article.category, article.tags, article.image_url) == ("", "", (), None)


def test_wordpress_draft_without_date_uses_modified() -> None:
    post = wordpress_post(status="draft")
    post["date_gmt"] = None
    event = from_wordpress(post)
    assert event.article.published_at == datetime.fromisoformat(post["modified_gmt"] + "+00:00")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"status": "auto-draft"}, "WordPress post: status: Input should be"),
        ({"link": "javascript:alert(1)"}, "WordPress post: link: URL scheme must be http"),
        ({"title": {"rendered": ""}}, "WordPress post: title.rendered: String should have"),
        ({"modified_gmt": "yesterday"}, "WordPress post: modified_gmt: Input should be"),
        ({"id": 0}, "WordPress post: id: Input should be greater than or equal to 1"),
    ],
)
def test_wordpress_bad_fields_are_named(change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        decode_event(_body({**wordpress_post(), **change}))
