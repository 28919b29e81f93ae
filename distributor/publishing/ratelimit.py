"""Rate governor: GCRA in Lua on the Redis server's clock, shared by every worker process,
and the X budget beside it.

Each ``Limit`` is a sustained rate (one call per ``interval_s``) with a burst. ``acquire`` checks
every scope a call touches (platform, chat) in one script: either all get a slot, or none does
and the caller learns how long to wait. X accounts are not paced: their posts are spent from a
``PostBudget`` learnt from X's own headers (``admit``; docs/architecture.md, "X budget").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import LockError

from distributor.keys import Keys
from distributor.lua import script
from distributor.models import Destination
from distributor.publishing.budget import Admission, PostBudget
from distributor.publishing.priority import Standing, Tier

READERS_ROUND_S = 0.5  # a round of free reader messages; a channel post waits at most this


@dataclass(frozen=True, slots=True)
class Limit:
    """One call per ``interval_s`` on average, up to ``burst`` of them back to back."""

    scope: str
    interval_s: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.interval_s <= 0 or self.burst < 1:
            raise ValueError(f"bad limit {self}: need interval_s > 0 and burst >= 1")

    @classmethod
    def at_most(cls, scope: str, count: int, period_s: float, burst: int = 1) -> Limit:
        """No window of ``period_s`` sees more than ``count`` calls, ``burst`` back to back."""
        if not 1 <= burst <= count:
            raise ValueError(f"need 1 <= burst <= count, got burst={burst} count={count}")
        return cls(scope, period_s / (count - burst + 1), burst)


@dataclass(frozen=True, slots=True)
class RateTable:
    """The limits we keep to, at or under the platforms' (and the sandbox's) own.

    Telegram: about 30 messages/s per bot; 1/s per chat with a burst of 3 (5% slower, so
    network jitter cannot make us overtake); 20/min per group. The Bot API does not tell a
    channel from a group by id, so the group rule applies to every chat. X has no entry here:
    its posts are spent from the governor's ``PostBudget``.
    """

    telegram_per_s: int = 30
    chat_interval_s: float = 1.05
    chat_burst: int = 3
    chat_per_min: int = 20
    enforced: bool = True
    # readers (distributor/audience/readers): the bot's messages to its subscribers
    readers_per_s: float = 29.0
    readers_paid_per_s: float = 1000.0

    @classmethod
    def unenforced(cls) -> RateTable:
        """No limits at all: for benchmarks against the sandbox with its flood control off."""
        return cls(enforced=False)

    def limits_for(self, destination: Destination) -> tuple[Limit, ...]:
        """Every limit one post to ``destination`` counts against."""
        if not self.enforced or destination.platform != "telegram":
            return ()
        chat = f"telegram:chat:{destination.target}"
        return (
            Limit.at_most("telegram:bot", self.telegram_per_s, 1.0),
            Limit(chat, self.chat_interval_s, self.chat_burst),
            Limit.at_most(f"{chat}:minute", self.chat_per_min, 60.0, self.chat_burst),
        )

    # readers (distributor/audience/readers)
    def reader_limits(self, chat_id: int, *, paid: bool) -> tuple[Limit, ...]:
        """The limits of one message to a reader's chat, in the readers' own scope.

        Free messages also take a slot of the bot's shared ``telegram:bot`` scope, but their own
        scope is slower (29/s against 30/s): its next slot always opens after the shared one,
        so a channel post waiting for the shared slot gets it first and readers take the rest.
        Their own scope's burst of 2 lets a sender that woke late catch up (the shared scope,
        burst 1, still keeps the bot at 30/s).
        Paid broadcasts (``allow_paid_broadcast``) have Telegram's separate 1000/s allowance and
        leave the shared scope to channel posts. Per chat: 1/s with a burst of 3; 20/min in
        groups (negative ids).
        """
        if not self.enforced:
            return ()
        if paid:
            return (self._paid_readers(1), *self._chat_limits(chat_id))
        shared = Limit.at_most("telegram:bot", self.telegram_per_s, 1.0)
        own = Limit("telegram:readers", 1.0 / self.readers_per_s, 2)
        return (shared, own, *self._chat_limits(chat_id))

    def reader_round(self, *, paid: bool) -> int:
        """How many reader messages take their slots in one ``acquire`` (a round): paid, 50 ms
        of the paid rate; free, ``READERS_ROUND_S`` of the readers' rate, at most half the bot's
        per-second allowance, so a round the API handles late and the next one still fit in it."""
        if not self.enforced:
            return 64
        if paid:
            return self._paid_readers(1).burst
        per_round = round(self.readers_per_s * READERS_ROUND_S)
        return max(1, min(self.telegram_per_s // 2, per_round))

    def reader_round_limits(self, chat_ids: Sequence[int], *, paid: bool) -> tuple[Limit, ...]:
        """The limits of one round of reader messages (at most ``reader_round``), taken in one
        ``acquire``: the rate scopes count them together, each chat its own.

        A free round takes its slots in the shared scope and the readers' own scope at once,
        both without tolerance: the round may start only when both are free, and the readers'
        scope frees ``len(chat_ids)`` times 1.15 ms after the shared one, so a channel post
        that waited for the shared scope still goes before the next round.
        """
        if not self.enforced:
            return ()
        if len(chat_ids) == 1:
            return self.reader_limits(chat_ids[0], paid=paid)
        chats = [limit for chat in chat_ids for limit in self._chat_limits(chat)]
        count = len(chat_ids)
        if paid:
            return (self._paid_readers(count), *chats)
        shared = Limit("telegram:bot", count / self.telegram_per_s)
        return (shared, Limit("telegram:readers", count / self.readers_per_s), *chats)

    def _chat_limits(self, chat_id: int) -> list[Limit]:
        chat = f"telegram:chat:{chat_id}"
        limits = [Limit(chat, self.chat_interval_s, self.chat_burst)]
        if chat_id < 0:
            limits.append(Limit.at_most(f"{chat}:minute", self.chat_per_min, 60.0, self.chat_burst))
        return limits

    def _paid_readers(self, count: int) -> Limit:
        """``count`` slots of the paid readers' scope at once: GCRA with ``count`` times the
        interval and the burst (50 ms worth, so a late sender catches up) divided by it."""
        burst = max(1, round(self.readers_paid_per_s / 20))
        interval = 1.0 / self.readers_paid_per_s
        return Limit("telegram:readers:paid", interval * count, max(1, burst // count))


def chat_limits(limits: Sequence[Limit]) -> tuple[Limit, ...]:
    """The per-chat scopes among ``limits`` (what a chat's 429 holds), the chat's own first."""
    return tuple(limit for limit in limits if limit.scope.startswith("telegram:chat:"))


def budget_scope(destination: Destination) -> str | None:
    """The budget an X destination spends: its account's (several destinations may share one)."""
    if destination.platform != "x":
        return None
    return f"x:{(destination.credentials or 'default').lower()}"


class RateGovernor:
    """Shared rate limits in Redis; ``acquire`` never blocks, it says how long to wait.

    ``single_flight``: at most one call in flight per chat, so no call can be on its way to a
    chat while another call's 429 is arriving (its lock expires after ``flight_s``, longer than
    any call may take, should its holder die).
    """

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        table: RateTable | None = None,
        budget: PostBudget | None = None,
        *,
        single_flight: bool = True,
        flight_s: float = 60.0,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self.table = table or RateTable()
        self.budget = budget  # None: X posts are not budgeted (rate_limits=off)
        self.single_flight = single_flight
        self._flight_s = flight_s
        self._script = redis.register_script(script("distributor.publishing", "gcra"))
        self._hold = redis.register_script(script("distributor.publishing", "gcra_hold"))
        self._held = redis.register_script(script("distributor.publishing", "gcra_held"))

    def acquire(self, limits: Sequence[Limit]) -> float:
        """0.0 after taking a slot in every scope at once; else seconds to wait (nothing taken)."""
        if not limits:
            return 0.0
        keys = [self._keys.rate(limit.scope) for limit in limits]
        args: list[int] = []
        for limit in limits:
            args += [math.ceil(limit.interval_s * 1_000_000), limit.burst]
        wait_us = int(self._script(keys=keys, args=args))
        return wait_us / 1_000_000

    def acquire_within(
        self, limits: Sequence[Limit], max_wait_s: float, sleep: Callable[[float], None]
    ) -> float:
        """``acquire``, sleeping the waits while they add up to at most ``max_wait_s``: 0.0
        once the slots are taken, else the wait that would go past it (nothing taken; a long
        wait is the caller's to schedule, not to sleep in a worker)."""
        waited = 0.0
        while (wait := self.acquire(limits)) > 0:
            if waited + wait > max_wait_s:
                return wait
            sleep(wait)
            waited += wait
        return 0.0

    def acquire_for(self, destination: Destination) -> float:
        """``acquire`` the limits of one post to ``destination`` (per this governor's table)."""
        return self.acquire(self.table.limits_for(destination))

    # KEYS: one theoretical-arrival-time key per scope; ARGV: interval_us, burst for each scope.

    # holds: a platform's retry_after, for every worker
    def hold(self, limits: Sequence[Limit], seconds: float) -> None:
        """Nothing may be acquired in these scopes for ``seconds`` (from the Redis clock), and
        ``held`` says so; a longer hold already in place stays."""
        if not limits or seconds <= 0:
            return
        keys: list[str] = []
        args: list[int] = [math.ceil(seconds * 1_000_000)]
        for limit in limits:
            keys += [self._keys.rate(limit.scope), self._keys.rate_hold(limit.scope)]
            args += [math.ceil(limit.interval_s * 1_000_000), limit.burst]
        self._hold(keys=keys, args=args)

    def held(self, limits: Sequence[Limit]) -> float:
        """Seconds until the longest hold on these scopes ends (0.0: none); takes nothing."""
        if not limits:
            return 0.0
        keys = [self._keys.rate_hold(limit.scope) for limit in limits]
        return int(self._held(keys=keys)) / 1_000_000

    def hold_for(self, destination: Destination, seconds: float) -> None:
        """A 429 from a call to ``destination``'s chat: hold the chat's scopes. Telegram's 429
        does not say which limit it enforces; the bot-wide scope is kept by ``acquire`` alone."""
        self.hold(chat_limits(self.table.limits_for(destination)), seconds)

    @contextmanager
    def flight(self, destination: Destination, wait_s: float) -> Iterator[float]:
        """The turn to call ``destination``'s chat: yields 0.0 when the call may go now, else
        the seconds to wait (the chat is held, or another call stayed in flight for
        ``wait_s``). With ``single_flight`` the chat's lock is held until the block ends."""
        limits = self.table.limits_for(destination)
        chats = chat_limits(limits)
        if not chats:
            yield 0.0
            return
        if not self.single_flight:
            yield self.held(limits)
            return
        lock = self._redis.lock(
            self._keys.flight(chats[0].scope), timeout=self._flight_s, blocking_timeout=wait_s
        )
        if not lock.acquire():
            yield max(wait_s, chats[0].interval_s)
            return
        try:
            yield self.held(limits)
        finally:
            with suppress(LockError):  # it expired: the call outlived flight_s
                lock.release()

    # the X side: the budget learnt from X's answers
    def admit(
        self, destination: Destination, ticket: str, standing: Standing | None = None
    ) -> Admission:
        """One post's turn: the budget's verdict for a budgeted account, else the GCRA limits
        (held for the wait, with no queue)."""
        scope = budget_scope(destination)
        if scope is not None and self.budget is not None:
            return self.budget.admit(scope, ticket, standing or Standing(Tier.NEWS))
        wait = self.acquire_for(destination)
        return Admission(False, wake_s=wait) if wait > 0 else Admission(True)

    def budgeted(self, destination: Destination) -> bool:
        """Whether ``destination``'s posts are spent from a budget (and may be held for long)."""
        return self.budget is not None and budget_scope(destination) is not None

    def forget(self, destination: Destination, ticket: str) -> None:
        """The post left the budget's queue some other way (settled, skipped, unpublished)."""
        scope = budget_scope(destination)
        if scope is not None and self.budget is not None:
            self.budget.forget(scope, ticket)

    def refund(self, destination: Destination) -> None:
        """Give back the slot of a post that was admitted but never sent."""
        scope = budget_scope(destination)
        if scope is not None and self.budget is not None:
            self.budget.refund(scope)
