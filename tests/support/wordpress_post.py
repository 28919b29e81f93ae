"""The seed article as WordPress serves it: ``GET /wp-json/wp/v2/posts/<id>?_embed``."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from tests.support.seed import SITE, seed_article_dict

POST_ID = 48213
AUTHOR_ID = 3
MEDIA_ID = 48214
CATEGORY_ID = 12
TAG_IDS = (301, 302, 303)


def _gmt(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _local(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _links(kind: str, item_id: int) -> dict[str, Any]:
    api = f"{SITE}/wp-json/wp/v2"
    return {
        "self": [{"href": f"{api}/{kind}/{item_id}", "targetHints": {"allow": ["GET"]}}],
        "collection": [{"href": f"{api}/{kind}"}],
    }


def _term(term_id: int, name: str, taxonomy: str) -> dict[str, Any]:
    slug = name.lower().replace(" ", "-")
    base = "category" if taxonomy == "category" else "tag"
    return {
        "id": term_id,
        "link": f"{SITE}/{base}/{slug}/",
        "name": html.escape(name),  # WordPress escapes term names in REST output
        "slug": slug,
        "taxonomy": taxonomy,
        "_links": _links("categories" if taxonomy == "category" else "tags", term_id),
    }


def wordpress_post(
    status: str = "publish", modified: datetime | None = None, embed: bool = True
) -> dict[str, Any]:
    """The seed article shaped exactly like WordPress's REST JSON for a post."""
    article = seed_article_dict()
    published = datetime.fromisoformat(article["published_at"])
    modified = modified or published
    slug = article["url"].rstrip("/").rsplit("/", 1)[-1]
    api = f"{SITE}/wp-json/wp/v2"
    post: dict[str, Any] = {
        "id": POST_ID,
        "date": _local(published),
        "date_gmt": _gmt(published),
        "guid": {"rendered": f"{SITE}/?p={POST_ID}"},
        "modified": _local(modified.astimezone(published.tzinfo)),
        "modified_gmt": _gmt(modified),
        "slug": slug,
        "status": status,
        "type": "post",
        "link": article["url"],
        "title": {"rendered": html.escape(article["title"], quote=False)},
        "content": {"rendered": article["excerpt"] + "\n", "protected": False},
        "excerpt": {"rendered": article["excerpt"] + "\n", "protected": False},
        "author": AUTHOR_ID,
        "featured_media": MEDIA_ID,
        "comment_status": "open",
        "ping_status": "open",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": {"footnotes": ""},
        "categories": [CATEGORY_ID],
        "tags": list(TAG_IDS),
        "class_list": [f"post-{POST_ID}", "post", "type-post", f"status-{status}"],
        "_links": {
            **_links("posts", POST_ID),
            "author": [{"embeddable": True, "href": f"{api}/users/{AUTHOR_ID}"}],
            "wp:featuredmedia": [{"embeddable": True, "href": f"{api}/media/{MEDIA_ID}"}],
            "wp:term": [
                {
                    "taxonomy": "category",
                    "embeddable": True,
                    "href": f"{api}/categories?post={POST_ID}",
                },
                {"taxonomy": "post_tag", "embeddable": True, "href": f"{api}/tags?post={POST_ID}"},
            ],
            "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}],
        },
    }
    if embed:
        post["_embedded"] = {
            "author": [
                {
                    "id": AUTHOR_ID,
                    "name": article["author"],
                    "url": "",
                    "description": "",
                    "link": f"{SITE}/author/{article['author'].lower()}/",
                    "slug": article["author"].lower(),
                    "avatar_urls": {"24": "", "48": "", "96": ""},
                    "_links": _links("users", AUTHOR_ID),
                }
            ],
            "wp:featuredmedia": [
                {
                    "id": MEDIA_ID,
                    "date": _local(published),
                    "slug": slug[:40],
                    "type": "attachment",
                    "link": f"{article['url']}{slug[:40]}/",
                    "title": {"rendered": slug[:40]},
                    "author": AUTHOR_ID,
                    "caption": {"rendered": ""},
                    "alt_text": "",
                    "media_type": "image",
                    "mime_type": "image/jpeg",
                    "media_details": {"width": 1280, "height": 720, "sizes": {}},
                    "source_url": article["image_url"],
                    "_links": _links("media", MEDIA_ID),
                }
            ],
            "wp:term": [
                [_term(CATEGORY_ID, article["category"], "category")],
                [
                    _term(tag_id, name, "post_tag")
                    for tag_id, name in zip(TAG_IDS, article["tags"], strict=True)
                ],
            ],
        }
    return post
