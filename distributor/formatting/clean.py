"""An article's text as its reader sees it, cleaned for one post."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from distributor.formatting.hashtags import hashtags
from distributor.formatting.text import html_to_text
from distributor.models import Article

EXCERPT_KEEP = 4096  # no post shows more of the excerpt than a Telegram message can hold
FIELDS = frozenset({"title", "excerpt", "author", "category", "hashtags"})


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """The reader-visible text of an article; ``excerpt`` keeps paragraph breaks."""

    url: str
    title: str
    excerpt: str
    author: str
    category: str
    hashtags: tuple[str, ...]
    language: str
    image_url: str | None = None

    def context(self, title: str, excerpt: str, tags: tuple[str, ...], url: str) -> dict[str, Any]:
        """Template variables, with the possibly shortened fields given."""
        return {
            "title": title,
            "excerpt": excerpt,
            "hashtags": tags,
            "url": url,
            "author": self.author,
            "category": self.category,
            "language": self.language,
        }


def clean_article(
    article: Article, *, excerpt_limit: int = EXCERPT_KEEP, uses: Collection[str] = FIELDS
) -> CleanArticle:
    """Turn the article's HTML fields into plain text and its tags into hashtags; fields a
    template does not use (not in ``uses``) are left empty, the excerpt read only as far as
    ``excerpt_limit`` needs."""
    return CleanArticle(
        url=article.url,
        title=html_to_text(article.title),
        excerpt=(
            html_to_text(article.excerpt, paragraphs=True, limit=excerpt_limit)
            if "excerpt" in uses and excerpt_limit > 0
            else ""
        ),
        author=html_to_text(article.author) if "author" in uses else "",
        category=html_to_text(article.category) if "category" in uses else "",
        hashtags=hashtags(article.tags) if "hashtags" in uses else (),
        language=article.language,
        image_url=article.image_url,
    )
