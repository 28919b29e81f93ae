"""The sandbox's clock: wall time plus an offset that tests advance instead of sleeping."""

from __future__ import annotations

import time


class Clock:
    """Seconds since the epoch, shifted by ``offset`` (``POST /sandbox/clock`` moves it)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        """Current sandbox time in epoch seconds."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move time forward (flood buckets refill, X windows reset); returns the new time."""
        self.offset += seconds
        return self.now()
