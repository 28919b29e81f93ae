"""Telegram flood control (pure): token buckets per bot and per chat, and a sliding window of
60 s per group, as Telegram counts "20 messages per minute" in a group (docs/sandbox.md)."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from distributor.sandbox.config import FloodLimits

GROUP_WINDOW_S = 60.0


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    level: float
    stamp: float

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, cost: float, now: float) -> float:
        cost = min(cost, self.capacity)
        return 0.0 if self.level >= cost else (cost - self.level) / self.rate

    def take(self, cost: float, now: float) -> None:
        self.level -= min(cost, self.capacity)


@dataclass
class _Window:
    """At most ``limit`` messages in any ``GROUP_WINDOW_S`` seconds: a bucket would let a
    quiet group take its capacity plus a minute's refill (39 at 20/min) in its first minute."""

    limit: int
    sent: deque[float] = field(default_factory=deque)

    def refill(self, now: float) -> None:
        while self.sent and self.sent[0] <= now - GROUP_WINDOW_S:
            self.sent.popleft()

    def wait(self, cost: float, now: float) -> float:
        over = len(self.sent) + min(int(cost), self.limit) - self.limit
        return 0.0 if over <= 0 else self.sent[over - 1] + GROUP_WINDOW_S - now

    def take(self, cost: float, now: float) -> None:
        self.sent.extend([now] * min(int(cost), self.limit))


class FloodControl:
    """Admits messages (sends and edits) within Telegram's limits; otherwise says how long to
    wait."""

    def __init__(self, limits: FloodLimits) -> None:
        self._limits = limits
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._windows: dict[tuple[str, ...], _Window] = {}

    def _bucket(self, key: tuple[str, ...], capacity: float, rate: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, rate, capacity, now)
        bucket.refill(now)
        return bucket

    def _window(self, key: tuple[str, ...], limit: int, now: float) -> _Window:
        window = self._windows.setdefault(key, _Window(limit))
        window.refill(now)
        return window

    def admit(
        self, now: float, bot: str, chat_id: int, chat_type: str, count: int, paid: bool
    ) -> int | None:
        """Take ``count`` messages for ``chat_id``, or return ``retry_after`` seconds."""
        lim = self._limits
        per_bot = lim.paid_per_second if paid else lim.bot_per_second
        limits: list[_Bucket | _Window] = [
            self._bucket(("bot", bot, str(paid)), per_bot, per_bot, now),
            self._bucket(("chat", bot, str(chat_id)), lim.chat_burst, lim.chat_per_second, now),
        ]
        if chat_type in ("group", "supergroup"):
            per_minute = max(1, int(lim.group_per_minute))
            limits.append(self._window(("group", bot, str(chat_id)), per_minute, now))
        wait = max(limit.wait(count, now) for limit in limits)
        if wait > 0:
            return max(1, math.ceil(wait))
        for limit in limits:
            limit.take(count, now)
        return None
