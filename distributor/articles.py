"""The latest known version of each article, kept in Redis for links, boards and status."""

from __future__ import annotations

from redis import Redis

from distributor.keys import Keys
from distributor.models import Article


class ArticleStore:
    """Stores the newest revision of each article as JSON, with its published flag."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._save_if_newer = redis.register_script(_SAVE_IF_NEWER)

    def save(self, article: Article, *, published: bool = True) -> bool:
        """Store the article unless a newer revision is already stored; True when stored."""
        args: list[str | int] = [article.revision, article.model_dump_json(), str(int(published))]
        return bool(self._save_if_newer([self._keys.article(article.id)], args))

    def get(self, article_id: str) -> Article | None:
        """The stored article, or None when unknown."""
        raw = self._redis.hget(self._keys.article(article_id), "json")
        return Article.model_validate_json(raw) if raw else None

    def is_published(self, article_id: str) -> bool:
        """True when the article is known and not unpublished."""
        return self._redis.hget(self._keys.article(article_id), "published") == "1"

    def set_published(self, article_id: str, published: bool) -> None:
        """Flip the published flag of a known article."""
        key = self._keys.article(article_id)
        if self._redis.exists(key):
            self._redis.hset(key, "published", "1" if published else "0")


_SAVE_IF_NEWER = """
local current = tonumber(redis.call('HGET', KEYS[1], 'revision') or '0')
if tonumber(ARGV[1]) < current then return 0 end
redis.call('HSET', KEYS[1], 'revision', ARGV[1], 'json', ARGV[2], 'published', ARGV[3])
return 1
"""
