"""When each reader message may go: a slot of the shared rate governor per message, in the
readers' own budget (docs/architecture.md, "Readers").

A reader whose own chat is busy (a long wait) waits aside while others go; a short wait is
slept. Paid messages take their slots in one acquire per round (the paid scope counted for all
of them) unless a chat of theirs is busy. At a few dozen a second the pacer sleeps most of an
interval after each slot instead of asking the governor too early.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections import deque
from dataclasses import dataclass

from distributor.models import RenderedPost
from distributor.publishing.ratelimit import RateGovernor

SHORT_WAIT_S = 0.25  # longer waits are a busy chat: that reader waits aside


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send (``post``), edit (``post`` at ``message_id``) or delete."""

    chat: int
    post: RenderedPost | None = None
    message_id: int = 0
    expected: str = ""  # edits and deletes: the record they replace
    revision: int = 0
    attempt: int = 0


class Pacer:
    """The messages of one batch still to go, and their rate slots."""

    def __init__(self, governor: RateGovernor, *, paid: bool, pace: float, deadline: float) -> None:
        self._governor = governor
        self._paid = paid
        self._pace = pace
        self._deadline = deadline
        self._queue: deque[Outgoing] = deque()
        self._aside: list[tuple[float, int, Outgoing]] = []  # (ready at, order, item)
        self._pause_until = 0.0

    @property
    def waiting(self) -> bool:
        """Messages are left to go."""
        return bool(self._queue or self._aside)

    def add(self, items: list[Outgoing]) -> None:
        """More messages, after those waiting."""
        self._queue.extend(items)

    def later(self, item: Outgoing, wait: float) -> None:
        """This message waits ``wait`` seconds aside while others go."""
        heapq.heappush(self._aside, (time.monotonic() + wait, id(item), item))

    def pause(self, seconds: float) -> None:
        """Nothing goes for ``seconds`` (Telegram said to wait)."""
        self._pause_until = max(self._pause_until, time.monotonic() + seconds)

    def leftover(self) -> list[Outgoing]:
        """What never got a slot before the deadline."""
        return list(self._queue) + [item for _, _, item in self._aside]

    async def take(self, free: int) -> list[Outgoing]:
        """Messages holding rate slots, up to ``free`` (at least one unless the deadline
        passes); waits while none may go yet."""
        if self._paid and free > 1 and self._pause_until <= time.monotonic():
            batch = self._ready(min(free, self._governor.table.paid_batch()))
            if len(batch) > 1:
                chats = [item.chat for item in batch]
                wait = self._governor.acquire(self._governor.table.paid_reader_limits(chats))
                if wait <= 0:
                    return batch
                self._queue.extendleft(reversed(batch))
                if wait <= SHORT_WAIT_S:
                    await asyncio.sleep(wait)
                    return []
            else:
                self._queue.extendleft(batch)
        return await self._one_by_one(max(free, 1))

    async def _one_by_one(self, count: int) -> list[Outgoing]:
        held: list[Outgoing] = []
        while len(held) < count and time.monotonic() < self._deadline:
            if (pause := self._pause_until - time.monotonic()) > 0:
                if held:
                    break
                await asyncio.sleep(min(pause, self._deadline - time.monotonic()))
                continue
            item = self._next()
            if item is None:
                if held or not self._aside:
                    break
                ready = min(self._aside[0][0], self._deadline)
                await asyncio.sleep(max(0.0, ready - time.monotonic()))
                continue
            limits = self._governor.table.reader_limits(item.chat, paid=self._paid)
            wait = self._governor.acquire(limits)
            if wait <= 0:
                held.append(item)
                if self._pace:  # the next slot is about an interval away: no call before
                    self.pause(self._pace)
            elif wait <= SHORT_WAIT_S:
                self._queue.appendleft(item)
                if held:
                    break
                await asyncio.sleep(wait)
            else:
                self.later(item, wait)
        return held

    def _next(self) -> Outgoing | None:
        if self._aside and self._aside[0][0] <= time.monotonic():
            return heapq.heappop(self._aside)[2]
        return self._queue.popleft() if self._queue else None

    def _ready(self, count: int) -> list[Outgoing]:
        """Up to ``count`` messages that may go now."""
        out: list[Outgoing] = []
        while len(out) < count and (item := self._next()) is not None:
            out.append(item)
        return out
