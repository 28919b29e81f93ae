"""Turn a raw request body into an ArticleEvent: our schema, or a WordPress REST post.

Our schema (docs/architecture.md, "Event") is validated strictly, so ``"revision": "2"`` is
refused rather than coerced. A body with a ``link`` field and no ``article`` field is read as a
WordPress REST post (``/wp-json/wp/v2/posts/<id>?_embed``) and mapped as follows:

- ``id`` → article id (as a string); ``link`` → url; ``title.rendered`` → title (tags stripped,
  entities decoded); ``excerpt.rendered`` → excerpt (HTML kept);
- ``_embedded.author[0].name`` → author; the first ``wp:term`` of taxonomy ``category`` →
  category; every ``post_tag`` term → tags; ``_embedded["wp:featuredmedia"][0].source_url`` →
  image_url and ``.alt_text`` → image_alt (without ``_embed`` these are left empty);
- ``date_gmt`` (UTC, no zone in WP's JSON) → published_at, ``modified_gmt`` when unset;
- revision = ``modified_gmt`` as unix seconds: every save raises it, so it is monotonic
  (two saves within one second share a revision and the second is deduplicated);
- type: status ``publish`` gives ``article.published`` while ``modified_gmt <= date_gmt`` (never
  edited since publication; a scheduled post keeps its earlier modified time) and
  ``article.updated`` after an edit; ``draft``, ``pending``, ``private``, ``future`` and ``trash``
  give ``article.unpublished``; any other status is refused.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from distributor.errors import InvalidInput
from distributor.models import Article, ArticleEvent, EventType

_MAX_ERRORS = 5
_TAG = re.compile(r"<[^>]*>")


def decode_event(body: bytes) -> ArticleEvent:
    """Parse and validate a body; InvalidInput 400 for bad JSON, 422 naming the field."""
    if not body.strip():
        raise InvalidInput("body is empty: expected a JSON object", 400)
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"body is not valid JSON: {exc}", 400) from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"body must be a JSON object, not {_json_kind(data)}")
    if "article" not in data and "link" in data:
        return from_wordpress(data)
    try:
        return ArticleEvent.model_validate_json(body, strict=True)
    except ValidationError as exc:
        raise InvalidInput(describe_errors(exc.errors())) from exc


def describe_errors(errors: Sequence[Mapping[str, Any]], prefix: str = "") -> str:
    """``field.path: reason`` for each pydantic error (at most five), joined by ``; ``."""
    parts = []
    for err in errors[:_MAX_ERRORS]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        reason = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{prefix}{where}: {reason}")
    if len(errors) > _MAX_ERRORS:
        parts.append(f"and {len(errors) - _MAX_ERRORS} more")
    return "; ".join(parts)


class _Rendered(BaseModel):
    rendered: str = ""


class _Named(BaseModel):
    name: str = ""
    taxonomy: str = ""


class _Media(BaseModel):
    source_url: str | None = None
    alt_text: str = ""


class _Embedded(BaseModel):
    author: list[_Named] = []
    featured_media: list[_Media] = Field(default=[], alias="wp:featuredmedia")
    terms: list[list[_Named]] = Field(default=[], alias="wp:term")


class WordPressPost(BaseModel):
    """The fields of a WordPress REST post we use; everything else WP sends is ignored."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(ge=1)
    link: str
    status: Literal["publish", "future", "draft", "pending", "private", "trash"]
    title: _Rendered
    excerpt: _Rendered = _Rendered()
    date_gmt: datetime | None = None
    modified_gmt: datetime
    embedded: _Embedded = Field(default=_Embedded(), alias="_embedded")


# where each article field comes from, for error messages
_SOURCE = {
    "id": "id",
    "url": "link",
    "title": "title.rendered",
    "excerpt": "excerpt.rendered",
    "author": "_embedded.author",
    "category": "_embedded.wp:term",
    "tags": "_embedded.wp:term",
    "image_url": "_embedded.wp:featuredmedia.source_url",
    "image_alt": "_embedded.wp:featuredmedia.alt_text",
    "published_at": "date_gmt",
    "revision": "modified_gmt",
}


def from_wordpress(data: Mapping[str, Any]) -> ArticleEvent:
    """Map a WordPress REST post (``?_embed``) to an event, as the module docstring says."""
    try:
        post = WordPressPost.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe_errors(exc.errors(), "WordPress post: ")) from exc
    modified = _utc(post.modified_gmt)
    published = _utc(post.date_gmt) if post.date_gmt else modified
    terms = [t for group in post.embedded.terms for t in group]
    fields = {
        "id": str(post.id),
        "url": post.link,
        "title": html.unescape(_TAG.sub("", post.title.rendered)),
        "excerpt": post.excerpt.rendered,
        "author": html.unescape(post.embedded.author[0].name) if post.embedded.author else "",
        "category": next((html.unescape(t.name) for t in terms if t.taxonomy == "category"), ""),
        "tags": [html.unescape(t.name) for t in terms if t.taxonomy == "post_tag"],
        "image_url": post.embedded.featured_media[0].source_url
        if post.embedded.featured_media
        else None,
        "image_alt": post.embedded.featured_media[0].alt_text[:1000]
        if post.embedded.featured_media
        else "",
        "published_at": published,
        "revision": int(modified.timestamp()),
    }
    try:
        article = Article.model_validate(fields)
    except ValidationError as exc:
        errors = [{**e, "loc": (_SOURCE.get(str(e["loc"][0]), e["loc"][0]),)} for e in exc.errors()]
        raise InvalidInput(describe_errors(errors, "WordPress post: ")) from exc
    return ArticleEvent(type=_event_type(post.status, published, modified), article=article)


def _event_type(status: str, published: datetime, modified: datetime) -> EventType:
    if status != "publish":
        return "article.unpublished"
    return "article.published" if modified <= published else "article.updated"


def _utc(value: datetime) -> datetime:
    """WordPress ``*_gmt`` fields carry no zone; they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")


def _json_kind(value: object) -> str:
    kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(value), "a number")
