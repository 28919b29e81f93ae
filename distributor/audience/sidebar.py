"""The popular list as the site shows it: board entries joined with articles and share counts."""

from __future__ import annotations

from dataclasses import dataclass

from distributor.audience.shares import ShareCounts, ShareTracker
from distributor.audience.trending import Trending
from distributor.formatting.text import html_to_text
from distributor.publishing.articles import ArticleStore


@dataclass(frozen=True)
class PopularItem:
    """One article of the list, its trending score and its share counts."""

    article_id: str
    title: str
    url: str
    category: str
    score: float
    counts: ShareCounts

    @property
    def label(self) -> str:
        """``N shares · Share N · Tweet N`` (Share: Facebook, Tweet: X, clicks plus reposts)."""
        return share_label(self.counts)


def share_label(counts: ShareCounts) -> str:
    """The line shown under a story: total shares, Facebook shares, X shares."""
    noun = "share" if counts.total == 1 else "shares"
    return (
        f"{counts.total} {noun} · Share {counts.network_total('facebook')}"
        f" · Tweet {counts.network_total('x')}"
    )


def popular(
    trending: Trending,
    store: ArticleStore,
    tracker: ShareTracker,
    *,
    window: str = "now",
    category: str | None = None,
    limit: int = 10,
    now: float | None = None,
) -> list[PopularItem]:
    """The top of a board, skipping articles that are unknown or no longer published."""
    items = []
    for entry in trending.top(window, category, limit, now):
        article = store.get(entry.article_id)
        if article is None or not store.is_published(entry.article_id):
            continue
        items.append(
            PopularItem(
                article_id=article.id,
                title=html_to_text(article.title),
                url=article.url,
                category=article.category,
                score=entry.score,
                counts=tracker.counts(article.id, now),
            )
        )
    return items
