"""What readers can choose and read: the known topics (configured, plus every category and tag
a published article carried, ranked by how many did) and the newest published articles."""

from __future__ import annotations

from collections.abc import Mapping

from redis import Redis

from distributor.audience.readers.topics import article_topics, closest, topic_key
from distributor.keys import Keys
from distributor.models import Article

LATEST_KEPT = 500  # newest articles remembered for /latest and the digests


class Catalogue:
    """Topics and newest articles in Redis; ``seed`` topics are known before any article."""

    def __init__(self, redis: Redis, keys: Keys, seed: Mapping[str, str]) -> None:
        self._redis = redis
        self._keys = keys
        self._seed = dict(seed)

    def learn(self, article: Article) -> None:
        """A new article was published: its topics become known (and rank higher), it is the
        newest. Called once per article (the reader fan-out plans it once)."""
        topics = article_topics(article)
        pipe = self._redis.pipeline(transaction=False)
        for key, shown in topics.items():
            pipe.hsetnx(self._keys.topic_names(), key, shown)
            pipe.zincrby(self._keys.topic_rank(), 1, key)
        pipe.zadd(self._keys.readers_latest(), {article.id: article.published_at.timestamp()})
        pipe.zremrangebyrank(self._keys.readers_latest(), 0, -LATEST_KEPT - 1)
        pipe.execute()

    def withdraw(self, article_id: str) -> None:
        """An unpublished article leaves the newest list."""
        self._redis.zrem(self._keys.readers_latest(), article_id)

    def names(self) -> dict[str, str]:
        """Every known topic: key → shown name."""
        stored = self._redis.hgetall(self._keys.topic_names())
        return {**self._seed, **{str(k): str(v) for k, v in stored.items()}}

    def ranked(self, limit: int) -> list[tuple[str, str]]:
        """Up to ``limit`` topics, most used first, then configured ones: (key, shown)."""
        names = self.names()
        top = [
            k for k in self._redis.zrevrange(self._keys.topic_rank(), 0, limit - 1) if k in names
        ]
        rest = [k for k in sorted(self._seed) if k not in top]
        return [(k, names[k]) for k in (top + rest)[:limit]]

    def find(self, query: str) -> tuple[str | None, list[str]]:
        """(the topic key ``query`` names, or None with up to three close shown names)."""
        names = self.names()
        key = topic_key(query)
        if key in names:
            return key, []
        return None, closest(query, names)

    def shown(self, keys: set[str]) -> list[str]:
        """How topics are shown, in order (an unknown key as it is)."""
        names = self.names()
        return sorted(names.get(k, k) for k in keys)

    def latest(self, limit: int, since: float = 0.0) -> list[str]:
        """Ids of the newest published articles (newest first), published after ``since``."""
        ids = self._redis.zrevrangebyscore(
            self._keys.readers_latest(), "+inf", f"({since}", start=0, num=limit
        )
        return [str(i) for i in ids]
