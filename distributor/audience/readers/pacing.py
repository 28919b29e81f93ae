"""When each reader message may go: rounds of messages whose slots of the shared rate governor
are taken in one acquire, in the readers' own budget (docs/architecture.md, "Readers").

At 29 messages a second one acquire, one wake-up and one claim per message cost more CPU than
the send itself; a round (half a second's worth, or 50 ms of paid broadcast) pays them
once, and the pacer sleeps until the next round's slots open instead of asking early. A round
refused for longer than any rate scope can hold it has a busy chat: its messages then go one
at a time and the busy reader waits aside while others go.
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

    def __init__(self, governor: RateGovernor, *, paid: bool, deadline: float) -> None:
        self._governor = governor
        self._paid = paid
        self._deadline = deadline
        table = governor.table
        rate = table.readers_paid_per_s if paid else table.readers_per_s
        self._interval = 1.0 / rate if table.enforced else 0.0
        self._round = table.reader_round(paid=paid)
        self._queue: deque[Outgoing] = deque()
        self._aside: list[tuple[float, int, Outgoing]] = []  # (ready at, order, item)
        self._pause_until = 0.0
        self._singles = 0  # messages to take one at a time (a round had a busy chat)

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
        """Nothing goes for ``seconds`` (Telegram said to wait, or the next slots open then)."""
        self._pause_until = max(self._pause_until, time.monotonic() + seconds)

    def leftover(self) -> list[Outgoing]:
        """What never got a slot before the deadline."""
        return list(self._queue) + [item for _, _, item in self._aside]

    async def take(self, free: int) -> list[Outgoing]:
        """Up to ``free`` messages holding rate slots (a round, or one); waits while none may
        go yet; empty when none is left or the deadline passed."""
        while (left := self._deadline - time.monotonic()) > 0:
            if (pause := self._pause_until - time.monotonic()) > 0:
                await asyncio.sleep(min(pause, left))
                continue
            size = 1 if self._singles else min(max(free, 1), self._round)
            batch = self._ready(size)
            if not batch:
                if not self._aside:
                    return []
                await asyncio.sleep(max(0.0, min(self._aside[0][0] - time.monotonic(), left)))
                continue
            chats = [item.chat for item in batch]
            limits = self._governor.table.reader_round_limits(chats, paid=self._paid)
            asked = time.monotonic()
            wait = self._governor.acquire(limits)
            if wait <= 0:
                self._singles = max(0, self._singles - 1)
                # the next round's slots open a round after the governor granted these: timed
                # from the ask, not the answer, so the sender is not late by a round trip
                self._pause_until = max(self._pause_until, asked + len(batch) * self._interval)
                return batch
            if wait <= max(SHORT_WAIT_S, len(batch) * self._interval):  # a rate scope's wait
                self._queue.extendleft(reversed(batch))
                await asyncio.sleep(min(wait, left))
            elif len(batch) == 1:  # a busy chat: its reader waits aside, the others go first
                self._singles = max(0, self._singles - 1)
                self.later(batch[0], wait)
            else:  # a busy chat in the round: find it one message at a time
                self._queue.extendleft(reversed(batch))
                self._singles = len(batch)
        return []

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
