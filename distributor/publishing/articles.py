"""The latest known version of each article, kept in Redis for links, boards and status."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence

from redis import Redis

from distributor.keys import Keys
from distributor.lua import script
from distributor.models import Article


class ArticleStore:
    """Stores the newest revision of each article as JSON, with its published flag."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._save_if_newer = redis.register_script(
            script("distributor.publishing", "articles_save")
        )

    def save(self, article: Article, *, published: bool = True) -> bool:
        """Store the article unless a newer revision is already stored; True when stored.
        The same step files it under its publish time (``Keys.articles_by_time``)."""
        args: list[str | int | float] = [
            article.revision, article.model_dump_json(), str(int(published)),
            article.published_at.timestamp(), article.id,
        ]  # fmt: skip
        keys = [self._keys.article(article.id), self._keys.articles_by_time()]
        return bool(self._save_if_newer(keys, args))

    def get(self, article_id: str) -> Article | None:
        """The stored article, or None when unknown."""
        raw = self._redis.hget(self._keys.article(article_id), "json")
        return Article.model_validate_json(raw) if raw else None

    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]:
        """``get`` of several articles in one round trip, in order."""
        pipe = self._redis.pipeline(transaction=False)
        for article_id in article_ids:
            pipe.hget(self._keys.article(article_id), "json")
        return [Article.model_validate_json(raw) if raw else None for raw in pipe.execute()]

    def is_published(self, article_id: str) -> bool:
        """True when the article is known and not unpublished."""
        return self._redis.hget(self._keys.article(article_id), "published") == "1"

    def published_between(
        self, start: float, end: float, limit: int, offset: int = 0
    ) -> list[tuple[str, float]]:
        """(article id, publish time) of articles published in ``[start, end)``, newest first:
        one range read of the index, O(log N + limit)."""
        rows: list[tuple[str, float]] = self._redis.zrevrangebyscore(
            self._keys.articles_by_time(), f"({end}", start, start=offset, num=limit,
            withscores=True,
        )  # type: ignore[assignment]  # fmt: skip
        return [(str(member), float(score)) for member, score in rows]

    def latest_time(self) -> float | None:
        """The publish time of the newest article in the index, if any."""
        rows: list[tuple[str, float]] = self._redis.zrevrange(
            self._keys.articles_by_time(), 0, 0, withscores=True
        )  # type: ignore[assignment]
        return float(rows[0][1]) if rows else None

    def many(self, article_ids: Sequence[str]) -> dict[str, tuple[Article, bool]]:
        """The stored articles among ``article_ids`` with their published flag, in one round
        trip; unknown ids are left out."""
        pipe = self._redis.pipeline(transaction=False)
        for article_id in article_ids:
            pipe.hmget(self._keys.article(article_id), "json", "published")
        found = {}
        for article_id, (raw, published) in zip(article_ids, pipe.execute(), strict=True):
            if raw:
                found[article_id] = (Article.model_validate_json(raw), published == "1")
        return found

    def reindex(self, batch: int = 500) -> int:
        """File every stored article under its publish time (articles saved before the index
        existed); safe to repeat. Returns how many articles were seen."""
        seen = 0
        for chunk in _chunks(self._redis.scan_iter(self._keys.article("*"), count=batch), batch):
            pipe = self._redis.pipeline(transaction=False)
            for key in chunk:
                pipe.hget(key, "json")
            index = {}
            for raw in pipe.execute():
                if raw:
                    article = Article.model_validate_json(raw)
                    index[article.id] = article.published_at.timestamp()
            if index:
                self._redis.zadd(self._keys.articles_by_time(), index)
            seen += len(index)
        return seen

    def set_published(self, article_id: str, published: bool) -> None:
        """Flip the published flag of a known article."""
        key = self._keys.article(article_id)
        if self._redis.exists(key):
            self._redis.hset(key, "published", "1" if published else "0")

    def published_ids_between(self, start: float, end: float, limit: int = 1000) -> list[str]:
        """Ids of the articles still published with ``published_at`` in ``[start, end]``
        (Unix seconds), newest first: the evergreen rotation's candidates."""
        ids: list[str] = self._redis.zrevrangebyscore(self._keys.articles_by_time(), end, start)  # type: ignore[assignment]
        pipe = self._redis.pipeline(transaction=False)
        for article_id in ids:
            pipe.hget(self._keys.article(article_id), "published")
        flags = pipe.execute()
        return [i for i, flag in zip(ids, flags, strict=True) if flag == "1"][:limit]


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class PublishedArticles:
    """Published articles by id, each lookup cached in this process for ``ttl_s`` (so an
    unpublish or an edit reaches the share links within that time)."""

    def __init__(self, store: ArticleStore, ttl_s: float = 30.0, size: int = 10_000) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._size = size
        self._cache: dict[str, tuple[float, Article | None]] = {}

    def cached(self, article_id: str) -> tuple[bool, Article | None]:
        """(True, article or None) from the cache without I/O, or (False, None) on a miss."""
        hit = self._cache.get(article_id)
        if hit is not None and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def get(self, article_id: str) -> Article | None:
        """The article when it is known and published, else None."""
        found, cached = self.cached(article_id)
        if found:
            return cached
        now = time.monotonic()
        article = self._store.get(article_id)
        if article is not None and not self._store.is_published(article_id):
            article = None
        if len(self._cache) >= self._size:
            self._cache.clear()
        self._cache[article_id] = (now + self._ttl_s, article)
        return article
