"""The batch sender: one task sends many reader messages concurrently over one keep-alive
HTTP pool, paced by the shared rate governor in the readers' own budget
(docs/architecture.md, "Readers").

A pacer takes a governor slot per message (a reader whose own chat is busy waits aside while
others go), claims the messages it holds slots for in one script call, and starts their sends;
finished sends are recorded in one call per round. Edits and deletes need no claim: repeating
them cannot duplicate anything. The python-telegram-bot ``Bot`` is async and bound to the event
loop that first used it, so the broadcaster owns one loop and runs each batch on it.
"""

from __future__ import annotations

import asyncio
import heapq
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Literal

from telegram import Bot
from telegram.error import TelegramError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from distributor.audience.readers import records
from distributor.audience.readers.outcomes import Failure, judge
from distributor.audience.readers.records import Job
from distributor.audience.readers.sends import ReaderSends, Settle
from distributor.audience.readers.subscriptions import Subscriptions
from distributor.models import RenderedPost
from distributor.publishing.ratelimit import RateGovernor

Action = Literal["send", "edit", "delete"]
METHODS: dict[str, str] = {
    "send": "sendMessage",
    "edit": "editMessageText",
    "delete": "deleteMessage",
}
SHORT_WAIT_S = 0.25  # longer waits are a busy chat: that reader waits aside
MAX_ATTEMPTS = 3
PACED_BELOW_PER_S = 250.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send (``post``), edit (``post`` at ``message_id``) or delete."""

    chat: int
    post: RenderedPost | None = None
    message_id: int = 0
    expected: str = ""  # edits and deletes: the record they replace
    revision: int = 0
    attempt: int = 0


@dataclass
class Report:
    """What one batch did; ``leftover`` was surely not sent and must be tried again."""

    counts: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    leftover: list[Outgoing] = field(default_factory=list)
    sent_ids: dict[int, int] = field(default_factory=dict)  # chat → message id


class Broadcaster:
    """Sends batches of reader messages; ``run`` blocks until the batch is done or its time
    budget is spent (what is left is returned, unclaimed)."""

    def __init__(
        self,
        bot: Bot,
        governor: RateGovernor,
        sends: ReaderSends,
        subscriptions: Subscriptions,
        *,
        paid: bool = False,
        in_flight: int = 16,
    ) -> None:
        self._bot = bot
        self._governor = governor
        self._sends = sends
        self._subscriptions = subscriptions
        self.paid = paid
        self._in_flight = in_flight
        self._loop = asyncio.new_event_loop()
        table = governor.table
        rate = table.readers_paid_per_s if paid else table.readers_per_s
        # at a few dozen a second, waiting out most of an interval saves a refused acquire
        self.pace = 0.9 / rate if table.enforced and rate <= PACED_BELOW_PER_S else 0.0

    def run(self, job: Job, action: Action, items: list[Outgoing], budget_s: float) -> Report:
        """Send, edit or delete ``items`` (a send only to chats it can claim)."""
        batch = _Batch(self, job, action, time.monotonic() + budget_s)
        self._loop.run_until_complete(batch.run(items))
        return batch.report

    def close(self) -> None:
        """Close the HTTP pool and the loop."""
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._bot.request.shutdown())
            self._loop.close()

    async def call(self, action: Action, item: Outgoing) -> int:
        """The Bot API call for one item through python-telegram-bot's request layer (its
        error mapping raises its exceptions); the message id it returns (0 for a delete).

        The ``Bot`` methods would build a ``Message`` from every answer: a third of the CPU a
        reader message costs, for one field read.
        """
        params: dict[str, Any] = {"chat_id": item.chat}
        if action != "send":
            params["message_id"] = item.message_id
        if action != "delete":
            post = item.post
            assert post is not None
            params.update(text=post.text, parse_mode=post.parse_mode,
                          reply_markup=post.reply_markup,
                          link_preview_options=post.link_preview_options)  # fmt: skip
        if action == "send" and self.paid:
            params["allow_paid_broadcast"] = True
        data = RequestData(
            [RequestParameter.from_input(k, v) for k, v in params.items() if v is not None]
        )
        result = await self._bot.request.post(f"{self._bot.base_url}/{METHODS[action]}", data)
        return int(result.get("message_id", 0)) if isinstance(result, dict) else 0


class _Batch:
    """One ``run``: the pacer, its sends in flight and their outcomes."""

    def __init__(self, owner: Broadcaster, job: Job, action: Action, deadline: float) -> None:
        self.owner = owner
        self.job = job
        self.action = action
        self.deadline = deadline
        self.report = Report()
        self.queue: deque[Outgoing] = deque()
        self.aside: list[tuple[float, int, Outgoing]] = []  # (ready at, order, item)
        self.done: list[Settle] = []
        self.token = secrets.token_hex(8)  # every claim of this batch
        self.pause_until = 0.0
        self.slots = asyncio.Semaphore(owner._in_flight)
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self, items: list[Outgoing]) -> None:
        self.queue.extend(items)
        while (self.queue or self.aside or self.tasks) and time.monotonic() < self.deadline:
            if not (self.queue or self.aside):  # a send in flight may still add a migrated chat
                await asyncio.wait(set(self.tasks), return_when=asyncio.FIRST_COMPLETED)
                continue
            while len(self.tasks) > self.owner._in_flight // 2:  # refill in rounds, not 1 by 1
                await asyncio.wait(set(self.tasks), return_when=asyncio.FIRST_COMPLETED)
            held = await self._take_slots()
            if held:
                await self._dispatch(held)
            elif self.done:
                self._settle()
            await asyncio.sleep(0)
        if self.tasks:
            await asyncio.gather(*self.tasks)
        self._settle()
        self.report.leftover += list(self.queue) + [item for _, _, item in self.aside]

    def _next(self) -> Outgoing | None:
        now = time.monotonic()
        if self.aside and self.aside[0][0] <= now:
            return heapq.heappop(self.aside)[2]
        return self.queue.popleft() if self.queue else None

    def _ready(self, count: int) -> list[Outgoing]:
        """Up to ``count`` items that may go now."""
        out: list[Outgoing] = []
        while len(out) < count and (item := self._next()) is not None:
            out.append(item)
        return out

    async def _take_slots(self) -> list[Outgoing]:
        """Rate slots for up to the free in-flight places; waits when none is free yet."""
        held: list[Outgoing] = []
        free = self.owner._in_flight - len(self.tasks)
        if self.owner.paid and free > 1 and self.pause_until <= time.monotonic():
            batch = self._ready(min(free, self.owner._governor.table.paid_batch()))
            if len(batch) > 1:  # one acquire for all of them, unless a chat of theirs is busy
                table = self.owner._governor.table
                wait = self.owner._governor.acquire(
                    table.paid_reader_limits([i.chat for i in batch])
                )
                if wait <= 0:
                    return batch
                self.queue.extendleft(reversed(batch))
                if wait <= SHORT_WAIT_S:
                    await asyncio.sleep(wait)
                    return []
            else:
                self.queue.extendleft(batch)
        while len(held) < max(free, 1) and time.monotonic() < self.deadline:
            if (pause := self.pause_until - time.monotonic()) > 0:
                if held:
                    break
                await asyncio.sleep(min(pause, self.deadline - time.monotonic()))
                continue
            item = self._next()
            if item is None:
                if held or not self.aside:
                    break
                await asyncio.sleep(
                    max(0.0, min(self.aside[0][0], self.deadline) - time.monotonic())
                )
                continue
            limits = self.owner._governor.table.reader_limits(item.chat, paid=self.owner.paid)
            wait = self.owner._governor.acquire(limits)
            if wait <= 0:
                held.append(item)
                if self.owner.pace:  # the next slot is about an interval away: no call before
                    self.pause_until = max(self.pause_until, time.monotonic() + self.owner.pace)
            elif wait <= SHORT_WAIT_S:
                self.queue.appendleft(item)
                if held:
                    break
                await asyncio.sleep(wait)
            else:
                self._aside(item, wait)
        return held

    def _aside(self, item: Outgoing, wait: float) -> None:
        ready = time.monotonic() + wait
        heapq.heappush(self.aside, (ready, id(item), item))

    async def _dispatch(self, held: list[Outgoing]) -> None:
        if self.action == "send":  # settles first: a chat sent again finds its claim released
            done, self.done = self.done, []
            chats = [i.chat for i in held]
            _, answers = self.owner._sends.claim(self.job, chats, self.job.scope, self.token, done)
            for item in held:
                if answers[item.chat] != "ok":
                    self.report.counts[f"skipped:{answers[item.chat]}"] += 1
            held = [i for i in held if answers[i.chat] == "ok"]
        for item in held:
            await self.slots.acquire()
            task = asyncio.get_running_loop().create_task(self._one(item))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _one(self, item: Outgoing) -> None:
        try:
            result = await self.owner.call(self.action, item)
        except TelegramError as exc:
            self._failed(item, judge(exc))
        else:
            self._succeeded(item, result)
        finally:
            self.slots.release()

    def _succeeded(self, item: Outgoing, mid: int) -> None:
        self.report.counts[self.action] += 1
        if self.action == "send":
            self.report.sent_ids[item.chat] = mid
            self.done.append(Settle(item.chat, records.sent(mid, time.time(), item.revision), mid))
        elif self.action == "edit":
            value = records.sent(item.message_id, _sent_at(item.expected), item.revision)
            self.owner._sends.swap(self.job, item.chat, item.expected, value)
        else:
            self.owner._sends.swap(
                self.job, item.chat, item.expected, records.deleted(item.message_id)
            )

    def _failed(self, item: Outgoing, failure: Failure) -> None:
        chat = item.chat
        self.report.counts[failure.verdict] += 1
        if failure.verdict == "done" and self.action != "send":
            self._succeeded(item, 0)  # the message is gone or too old: nothing left to do
        elif failure.verdict == "retry":
            if failure.retry_after:
                self.pause_until = max(self.pause_until, time.monotonic() + failure.retry_after)
            self._record(item, "")
            if item.attempt + 1 < MAX_ATTEMPTS:
                self._aside(_again(item), failure.retry_after or 1.0)
            else:
                self.report.leftover.append(_again(item))
        elif failure.verdict == "doubt":
            if self.action == "send":
                self._record(item, "?")
            else:  # repeating an edit or delete is harmless
                self.report.leftover.append(_again(item))
        elif failure.verdict == "migrated":
            self.owner._subscriptions.migrate(chat, failure.new_chat)
            self._record(item, records.migrated(failure.new_chat))
            self.queue.append(Outgoing(failure.new_chat, item.post, revision=item.revision))
        elif failure.verdict == "gone":
            if failure.removal and self.owner._subscriptions.forget(chat, failure.removal):
                self.report.removed[failure.removal] += 1
            self._record(item, records.failed(failure.removal or failure.reason))
        else:
            self._record(item, records.failed(failure.reason))

    def _record(self, item: Outgoing, value: str) -> None:
        """Settle a send's claim; an edit or delete replaces its record (a refusal only)."""
        if self.action == "send":
            self.done.append(Settle(item.chat, value))
        elif value.startswith("f|"):
            self.owner._sends.swap(self.job, item.chat, item.expected, value)

    def _settle(self) -> None:
        if self.done:
            done, self.done = self.done, []
            self.owner._sends.settle(self.job, self.token, done)


def _again(item: Outgoing) -> Outgoing:
    return Outgoing(item.chat, item.post, item.message_id, item.expected, item.revision,
                    item.attempt + 1)  # fmt: skip


def _sent_at(raw: str) -> float:
    return records.decode(raw).at if raw.startswith("s|") else time.time()
