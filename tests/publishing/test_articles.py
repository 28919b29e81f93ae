"""The article store keeps the newest revision and the published flag."""

from __future__ import annotations

from typing import Any

from redis import Redis

from distributor.keys import Keys
from distributor.models import Article
from distributor.publishing.articles import ArticleStore


def test_older_revision_never_overwrites_newer(
    redis_client: Redis, keys: Keys, seed_article: dict[str, Any]
) -> None:
    store = ArticleStore(redis_client, keys)
    v2 = Article.model_validate({**seed_article, "revision": 2, "title": "Judul baru"})
    v1 = Article.model_validate(seed_article)
    assert store.save(v2)
    assert not store.save(v1)
    stored = store.get(v1.id)
    assert stored is not None and stored.title == "Judul baru"


def test_published_flag(redis_client: Redis, keys: Keys, seed_article: dict[str, Any]) -> None:
    store = ArticleStore(redis_client, keys)
    article = Article.model_validate(seed_article)
    assert store.get(article.id) is None and not store.is_published(article.id)
    store.save(article)
    assert store.is_published(article.id)
    store.set_published(article.id, False)
    assert not store.is_published(article.id)
    store.set_published("unknown", True)
    assert store.get("unknown") is None
