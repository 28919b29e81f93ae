"""A clock the test moves by hand (pass it where the code takes ``clock=time.time``)."""

from __future__ import annotations

T0 = 1_706_000_000.0  # a fixed start time (2024-01-23 08:53 UTC) for time-based tests


class Clock:
    """Callable like ``time.time``; ``now`` is set or advanced by the test."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds
