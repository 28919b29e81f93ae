"""Updates the webhook route accepted, queued in Redis for `distributor bot`.

The API answers Telegram as soon as an update is stored (so a slow command never makes Telegram
repeat it); the bot takes updates in order, moving each to a processing list until handled, so
a killed bot handles it again on restart rather than losing it. Commands are idempotent.
"""

from __future__ import annotations

from redis import Redis

from distributor.keys import Keys
from distributor.lua import script

SEEN_TTL_S = 86_400  # Telegram keeps an undelivered update for a day at most


class BotInbox:
    """The webhook's update queue."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._accept = redis.register_script(script("distributor.bot", "inbox_accept"))

    def accept(self, update_id: int, raw: str) -> bool:
        """Queue an update unless its id was accepted before; True when queued now."""
        keys = [self._keys.bot_update(update_id), self._keys.bot_inbox()]
        return bool(self._accept(keys=keys, args=[raw, SEEN_TTL_S]))

    def take(self, timeout_s: int) -> str | None:
        """The oldest update, moved to the processing list (None after ``timeout_s``)."""
        raw = self._redis.blmove(
            self._keys.bot_inbox(), self._keys.bot_processing(), timeout_s, "RIGHT", "LEFT"
        )
        return None if raw is None else str(raw)

    def done(self, raw: str) -> None:
        """The update was handled."""
        self._redis.lrem(self._keys.bot_processing(), 1, raw)

    def restore(self) -> int:
        """Put updates a stopped bot had taken back in front of the inbox; how many."""
        moved = 0
        while self._redis.lmove(
            self._keys.bot_processing(), self._keys.bot_inbox(), "LEFT", "RIGHT"
        ):
            moved += 1
        return moved

    def pending(self) -> int:
        """Updates waiting."""
        return int(self._redis.llen(self._keys.bot_inbox()))
