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


def test_articles_are_listed_by_publish_time_in_one_range(
    redis_client: Redis, keys: Keys, seed_article: dict[str, Any]
) -> None:
    store = ArticleStore(redis_client, keys)
    times = {"a": "2024-02-01T09:00:00+07:00", "b": "2024-02-01T11:00:00+07:00",
             "c": "2024-02-02T08:00:00+07:00"}  # fmt: skip
    for article_id, at in times.items():
        store.save(Article.model_validate({**seed_article, "id": article_id, "published_at": at}))
    day_start = Article.model_validate({**seed_article, "published_at": times["a"]})
    start = day_start.published_at.replace(hour=0).timestamp()
    listed = store.published_between(start, start + 86_400, limit=10)
    assert [article_id for article_id, _ in listed] == ["b", "a"]  # newest first, day only
    assert store.published_between(start, start + 86_400, limit=1, offset=1)[0][0] == "a"
    # a newer revision moving its publish time moves it in the index; an older one does not
    moved = {**seed_article, "id": "a", "revision": 2, "published_at": "2024-02-03T08:00:00+07:00"}
    store.save(Article.model_validate(moved))
    store.save(Article.model_validate({**seed_article, "id": "a", "published_at": times["a"]}))
    assert [i for i, _ in store.published_between(start, start + 86_400, 10)] == ["b"]
    assert store.latest_time() == Article.model_validate(moved).published_at.timestamp()
    found = store.many(["c", "nope", "b"])
    assert list(found) == ["c", "b"] and found["c"] == (store.get("c"), True)


def test_articles_stored_before_the_index_are_filed_by_reindex(
    redis_client: Redis, keys: Keys, seed_article: dict[str, Any]
) -> None:
    store = ArticleStore(redis_client, keys)
    for n in range(3):
        store.save(Article.model_validate({**seed_article, "id": f"old-{n}"}))
    redis_client.delete(keys.articles_by_time())  # as before the index existed
    assert store.latest_time() is None
    assert store.reindex(batch=2) == 3 and store.reindex() == 3
    at = Article.model_validate(seed_article).published_at.timestamp()
    assert sorted(i for i, _ in store.published_between(at, at + 1, 10)) == [
        "old-0",
        "old-1",
        "old-2",
    ]
