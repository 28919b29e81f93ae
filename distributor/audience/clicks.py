"""Share-link clicks held briefly in memory and written to Redis in batches.

The redirect must not wait on Redis writes: ``ClickBuffer.add`` only appends, and a daemon
thread writes everything pending in one pipeline once the oldest click is ``max_delay_s``
(50 ms) old or ``max_batch`` clicks wait (``add`` wakes it), and after ``idle_flush_s`` when
traffic stops. The event loop never blocks on Redis. Readers in the same process call
``flush`` first, so what this process counted is always visible to it. A process that dies
loses at most its last ``max_delay_s`` of clicks; when Redis is down the clicks wait (up to
``max_pending``).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

from redis import RedisError

from distributor.audience.shares import Click, ShareTracker
from distributor.models import Article

log = logging.getLogger(__name__)


class ClickBuffer:
    """Batches clicks for ``ShareTracker.record_clicks``; thread-safe."""

    def __init__(
        self,
        tracker: ShareTracker,
        clock: Callable[[], float] = time.time,
        max_delay_s: float = 0.05,
        max_batch: int = 500,
        max_pending: int = 100_000,
        idle_flush_s: float = 0.5,
        on_written: Callable[[list[Click]], None] | None = None,
    ) -> None:
        self._tracker = tracker
        self._on_written = on_written  # e.g. count them for the metrics
        self._clock = clock
        self._max_delay_s = max_delay_s
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._pending: list[Click] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._idle_flush_s = idle_flush_s
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._since = 0.0  # when the oldest pending click arrived (monotonic)

    def add(self, article: Article, network: str, address: str, is_bot: bool) -> None:
        """Queue one click from ``address`` (an ``address_key``), stamped with the clock now;
        wake the writer when a batch is due. No I/O: the writer hashes and counts."""
        click = Click(article, network, address, is_bot, self._clock())
        tick = time.monotonic()
        with self._lock:
            self._pending.append(click)
            if len(self._pending) == 1:
                self._since = tick
            if len(self._pending) > self._max_pending:
                del self._pending[0]  # Redis has been away too long: drop the oldest
            due = len(self._pending) >= self._max_batch or tick - self._since >= self._max_delay_s
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="click-buffer", daemon=True)
                self._thread.start()
                atexit.register(self._flush_at_exit)
        if due:
            self._wake.set()

    def flush(self) -> int:
        """Write every pending click now; how many were written."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                self._tracker.record_clicks(batch)
            except RedisError:
                with self._lock:
                    self._pending[:0] = batch  # keep them, in order, for the next try
                raise
            if self._on_written is not None:
                self._on_written(batch)
            return len(batch)

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except RedisError:
            log.warning("click buffer: %d clicks not written at exit", self.pending())

    def pending(self) -> int:
        """Clicks not yet written."""
        with self._lock:
            return len(self._pending)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._idle_flush_s)
            self._wake.clear()
            try:
                self.flush()
            except RedisError:
                log.warning("click buffer: Redis unavailable, %d clicks wait", self.pending())
                time.sleep(1.0)
