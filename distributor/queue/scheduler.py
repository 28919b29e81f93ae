"""Delayed work longer than a countdown should hold: a Redis sorted set that beat drains."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from redis import Redis

from distributor.keys import Keys

Send = Callable[[str, dict[str, Any], str], None]
"""Send a task: (task name, keyword arguments, queue)."""


class Scheduler:
    """Holds (task, kwargs, queue) until a due time; ``promote`` sends what is due."""

    def __init__(self, redis: Redis, keys: Keys, clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self._key = keys.scheduled()
        self._clock = clock

    def schedule(self, delay_s: float, task: str, kwargs: dict[str, Any], queue: str) -> None:
        """Run ``task`` after ``delay_s`` seconds (at the next promote after it is due)."""
        item = json.dumps({"id": uuid.uuid4().hex, "task": task, "kwargs": kwargs, "queue": queue})
        self._redis.zadd(self._key, {item: self._clock() + delay_s})

    def pending(self) -> int:
        """How many items wait."""
        return int(self._redis.zcard(self._key))

    def promote(self, send: Send, limit: int = 500) -> int:
        """Send every due item, then remove it (send first: a crash in between sends twice,
        which the ledger absorbs, rather than never)."""
        due = self._redis.zrangebyscore(self._key, "-inf", self._clock(), start=0, num=limit)
        for raw in map(str, due):
            item = json.loads(raw)
            send(item["task"], item["kwargs"], item["queue"])
            self._redis.zrem(self._key, raw)
        return len(due)
