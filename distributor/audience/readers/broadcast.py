"""The batch sender: one task sends many reader messages concurrently over one keep-alive
HTTP pool, paced by the shared rate governor in the readers' own budget
(docs/architecture.md, "Readers").

The pacer (``pacing.py``) hands out messages that hold rate slots; the batch claims them in one
script call, with the previous round's outcomes recorded in the same round trip, and starts
their sends. Edits and deletes need no claim: repeating them cannot duplicate anything. The
python-telegram-bot ``Bot`` is async and bound to the event loop that first used it, so the
broadcaster owns one loop and runs each batch on it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from telegram import Bot
from telegram.error import TelegramError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from distributor.audience.readers import records
from distributor.audience.readers.outcomes import Failure, judge
from distributor.audience.readers.pacing import Outgoing, Pacer
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
MAX_ATTEMPTS = 3


@dataclass
class Report:
    """What one batch did; ``leftover`` was surely not sent and must be tried again."""

    counts: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    leftover: list[Outgoing] = field(default_factory=list)


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
        self._encoded: tuple[Action, RenderedPost, list[RequestParameter]] | None = None

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
        params = [RequestParameter("chat_id", str(item.chat), None)]
        if action != "send":
            params.append(RequestParameter("message_id", str(item.message_id), None))
        if action != "delete":
            assert item.post is not None
            params += self._post_params(action, item.post)
        data = RequestData(params)
        result = await self._bot.request.post(f"{self._bot.base_url}/{METHODS[action]}", data)
        return int(result.get("message_id", 0)) if isinstance(result, dict) else 0

    def _post_params(self, action: Action, post: RenderedPost) -> list[RequestParameter]:
        """The post's parameters, JSON-encoded once for every message of it (they differ only
        in the chat): encoding them per message cost a fifth of a message's CPU."""
        cached = self._encoded
        if cached is None or cached[0] != action or cached[1] is not post:
            values: dict[str, Any] = {
                "text": post.text, "parse_mode": post.parse_mode,
                "reply_markup": post.reply_markup,
                "link_preview_options": post.link_preview_options,
                "allow_paid_broadcast": True if action == "send" and self.paid else None,
            }  # fmt: skip
            params = [RequestParameter.from_input(k, v) for k, v in values.items() if v is not None]
            encoded = [RequestParameter(p.name, p.json_value, None) for p in params]
            cached = self._encoded = (action, post, encoded)
        return cached[2]


class _Batch:
    """One ``run``: the pacer, its sends in flight and their outcomes."""

    def __init__(self, owner: Broadcaster, job: Job, action: Action, deadline: float) -> None:
        self.owner = owner
        self.job = job
        self.action = action
        self.deadline = deadline
        self.report = Report()
        self.pacer = Pacer(owner._governor, paid=owner.paid, deadline=deadline)
        self.done: list[Settle] = []
        self.token = secrets.token_hex(8)  # every claim of this batch
        self.slots = asyncio.Semaphore(owner._in_flight)
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self, items: list[Outgoing]) -> None:
        pacer = self.pacer
        pacer.add(items)
        while (pacer.waiting or self.tasks) and time.monotonic() < self.deadline:
            if not pacer.waiting:  # a send in flight may still add a migrated chat
                await asyncio.wait(set(self.tasks), return_when=asyncio.FIRST_COMPLETED)
                continue
            while len(self.tasks) > self.owner._in_flight // 2:  # refill in rounds, not 1 by 1
                await asyncio.wait(set(self.tasks), return_when=asyncio.FIRST_COMPLETED)
            held = await pacer.take(self.owner._in_flight - len(self.tasks))
            if held:
                await self._dispatch(held)
            elif self.done:
                self._settle()
            await asyncio.sleep(0)
        if self.tasks:
            await asyncio.gather(*self.tasks)
        self._settle()
        self.report.leftover += pacer.leftover()

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
                self.pacer.pause(failure.retry_after)
            self._record(item, "")
            if item.attempt + 1 < MAX_ATTEMPTS:
                self.pacer.later(_again(item), failure.retry_after or 1.0)
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
            self.pacer.add([Outgoing(failure.new_chat, item.post, revision=item.revision)])
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
