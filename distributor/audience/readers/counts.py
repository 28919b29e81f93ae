"""What the managers' desk shows of the readers: subscribers by topic, their count per day, and
the readers pruned from each topic (they blocked the bot or deleted their account).

The count per day is a snapshot the readers' sweep takes (``record_day``): the last count of
a day stands for that day, so a chart needs no event log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from redis import Redis

from distributor.keys import Keys


@dataclass(frozen=True, slots=True)
class TopicCount:
    """Readers of one topic now, its count per day (oldest first) and readers pruned from it."""

    topic: str
    shown: str
    readers: int
    days: tuple[tuple[date, int], ...]
    pruned: int


class ReaderCounts:
    """Per-topic reader counts by day, kept beside the subscriptions."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    def record_day(self, topics: Iterable[str], now: float) -> None:
        """Store each topic's reader count as today's (UTC)."""
        names = list(topics)
        if not names:
            return
        pipe = self._redis.pipeline(transaction=False)
        for topic in names:
            pipe.scard(self._keys.readers_of_topic(topic))
        counts = pipe.execute()
        day = datetime.fromtimestamp(now, UTC).date().isoformat()
        pipe = self._redis.pipeline(transaction=False)
        for topic, count in zip(names, counts, strict=True):
            pipe.hset(self._keys.readers_daily(topic), day, int(count))
        pipe.execute()

    def by_topic(self, shown: Mapping[str, str], now: float, days: int = 30) -> list[TopicCount]:
        """Every topic with readers or history, most readers first."""
        names = list(shown)
        if not names:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for topic in names:
            pipe.scard(self._keys.readers_of_topic(topic))
            pipe.hgetall(self._keys.readers_daily(topic))
        pipe.hgetall(self._keys.readers_pruned())
        *rows, pruned_raw = pipe.execute()
        pruned = {str(k): int(v) for k, v in pruned_raw.items()}
        today = datetime.fromtimestamp(now, UTC).date()
        window = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
        out = []
        for n, topic in enumerate(names):
            readers, daily = int(rows[2 * n]), rows[2 * n + 1]
            if not readers and not daily and not pruned.get(topic):
                continue
            series = tuple((d, int(daily.get(d.isoformat(), 0))) for d in window)
            out.append(TopicCount(topic, shown[topic], readers, series, pruned.get(topic, 0)))
        return sorted(out, key=lambda t: (-t.readers, t.shown))
