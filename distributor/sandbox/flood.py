"""Telegram flood control: token buckets per bot, per chat and per group (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from distributor.sandbox.config import FloodLimits


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    level: float
    stamp: float

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, cost: float) -> float:
        cost = min(cost, self.capacity)
        return 0.0 if self.level >= cost else (cost - self.level) / self.rate

    def take(self, cost: float) -> None:
        self.level -= min(cost, self.capacity)


class FloodControl:
    """Admits sends within Telegram's limits; otherwise says how long to wait."""

    def __init__(self, limits: FloodLimits) -> None:
        self._limits = limits
        self._buckets: dict[tuple[str, ...], _Bucket] = {}

    def _bucket(self, key: tuple[str, ...], capacity: float, rate: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, rate, capacity, now)
        bucket.refill(now)
        return bucket

    def admit(
        self, now: float, bot: str, chat_id: int, chat_type: str, count: int, paid: bool
    ) -> int | None:
        """Take ``count`` messages for ``chat_id``, or return ``retry_after`` seconds."""
        lim = self._limits
        per_bot = lim.paid_per_second if paid else lim.bot_per_second
        buckets = [
            self._bucket(("bot", bot, str(paid)), per_bot, per_bot, now),
            self._bucket(("chat", bot, str(chat_id)), lim.chat_burst, lim.chat_per_second, now),
        ]
        if chat_type in ("group", "supergroup"):
            per_minute = lim.group_per_minute
            buckets.append(
                self._bucket(("group", bot, str(chat_id)), per_minute, per_minute / 60, now)
            )
        wait = max(bucket.wait(count) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(count)
        return None
