"""The reconciler's probe of a Telegram chat, paced (docs/architecture.md, "Reconciler").

Telegram has no history API, so an in-doubt post is looked for by forwarding the channel's
messages one by one to the probe chat (``Prober.forward_probe``), all but those the ledger
recorded for other deliveries (``Keys.recorded_ids``). Each forward takes the
governor's slots for the probe chat and the bot and the probe chat's flight; a 429 holds the
probe chat for every worker. A pass spends at most its budget of forwards over all items; an
item's probe stops where the budget, the governor or a failure stopped it and the next pass
resumes there (its cursor, bound to the item's doubt); one probe per item at a time (a lock),
so two beat passes or processes never probe the same item at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import LockError

from distributor.errors import DeliveryError, RateLimited
from distributor.keys import Keys
from distributor.models import Destination
from distributor.publishers.base import Lookup, ProbeCopy, Prober, probe_step, search_gap
from distributor.publishing.ledger import InDoubtItem
from distributor.publishing.ledger.records import decode_hash
from distributor.publishing.ratelimit import RateGovernor

CURSOR_TTL_S = 7 * 86_400  # an item in doubt longer than this starts over
OTHERS = ProbeCopy(frozenset(), None)  # a message known to be another delivery's post


@dataclass(frozen=True, slots=True)
class NotYet:
    """The probe stopped before an answer (budget, governor, lock or a failed call): the item
    stays in doubt and the next pass goes on from where this one stopped."""

    reason: str


Verdict = tuple[str, ...] | None | NotYet  # ids found, () surely absent, None unknowable


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """How far and how fast probes go."""

    budget: int = 20  # forwards per pass, all items together
    max_probes: int = 1000  # forwards per item (over all passes) before it counts unknowable
    gap: int = 5  # missing ids in a row past the newest recorded one: the post is surely absent
    lock_s: float = 300.0  # an item's probe lock outlives any pass
    max_wait_s: float = 2.0  # a governor wait up to this is slept within the pass
    pass_s: float = 60.0  # a pass stops probing after this long (under the task's time limit)


class Probe:
    """Paced, resumable, single-flight probes; one ``start()`` per reconciler pass."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        governor: RateGovernor,
        settings: ProbeSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.governor = governor
        self.settings = settings or ProbeSettings()
        self.sleep = sleep

    def start(self) -> ProbePass:
        """A pass with a fresh budget of forwards."""
        return ProbePass(self, self.settings.budget)


class ProbePass:
    """One reconciler pass's probes, spending one budget."""

    def __init__(self, probe: Probe, budget: int) -> None:
        self._probe = probe
        self.governor = probe.governor
        self.left = budget
        self._ends = time.monotonic() + probe.settings.pass_s

    def find(
        self, prober: Prober, destination: Destination, lookup: Lookup, item: InDoubtItem
    ) -> Verdict:
        """Look for ``item``'s post at ``destination`` from where the last pass stopped."""
        if prober.probe_chat is None:
            return None
        p = self._probe
        name = item_name(item)
        lock = p.redis.lock(p.keys.probe_lock(name), timeout=p.settings.lock_s)
        if not lock.acquire(blocking=False):
            return NotYet("another pass is probing it")
        try:
            return self._scan(prober, destination, lookup, item, name)
        finally:
            with suppress(LockError):  # it expired: the pass outlived lock_s
                lock.release()

    def _scan(
        self, prober: Prober, destination: Destination, lookup: Lookup, item: InDoubtItem, name: str
    ) -> Verdict:
        p, settings = self._probe, self._probe.settings
        assert prober.probe_chat is not None
        probe_chat = Destination(id="probe", platform="telegram", target=prober.probe_chat)
        cursor_key = p.keys.probe_cursor(name)
        message_id, misses = self._cursor(cursor_key, item, lookup)
        recorded = self._recorded(destination, message_id)
        gap = search_gap(lookup, destination.target, settings.gap)
        while True:
            if message_id > lookup.after_id + settings.max_probes:
                p.redis.delete(cursor_key)
                return None  # too far to look: the destination's policy decides
            if message_id in recorded:  # another delivery's post: there, and not this one
                copy: ProbeCopy | None = OTHERS
            else:
                stopped = self._turn(probe_chat)
                if stopped is None:
                    stopped, copy = self._forward(prober, destination, probe_chat, message_id)
                if stopped is not None:
                    return stopped
            found, misses = probe_step(lookup, gap, message_id, misses, copy)
            if found == ():  # absent for now: a later pass (before min_age) re-reads only the end
                self._save(cursor_key, item, message_id - misses + 1 if misses else message_id, 0)
                return found
            message_id += 1
            if found is not None:
                p.redis.delete(cursor_key)
                return found
            self._save(cursor_key, item, message_id, misses)  # a pass killed now loses nothing

    def _turn(self, probe_chat: Destination) -> NotYet | None:
        """Take one forward of the budget and the governor's slots (sleeping a short wait)."""
        p = self._probe
        if self.left <= 0 or time.monotonic() > self._ends:
            return NotYet("the pass's probe budget (calls or time) is spent")
        limits = p.governor.table.limits_for(probe_chat)
        wait = p.governor.acquire_within(limits, p.settings.max_wait_s, p.sleep)
        if wait > 0:
            return NotYet(f"probe chat rate limited for {wait:.1f}s")
        self.left -= 1
        return None

    def _forward(
        self, prober: Prober, destination: Destination, probe_chat: Destination, message_id: int
    ) -> tuple[NotYet | None, ProbeCopy | None]:
        """One forward under the probe chat's flight; a 429 holds the probe chat."""
        p = self._probe
        with p.governor.flight(probe_chat, p.settings.max_wait_s) as held:
            if held > 0:
                return NotYet(f"probe chat held for {held:.1f}s"), None
            try:
                return None, prober.forward_probe(destination, message_id)
            except RateLimited as exc:
                if exc.retry_after is not None:
                    p.governor.hold_for(probe_chat, exc.retry_after)
                return NotYet(str(exc)), None
            except DeliveryError as exc:  # this id is read again next pass
                return NotYet(str(exc)), None

    def _recorded(self, destination: Destination, start: int) -> frozenset[int]:
        """Message ids the ledger recorded at ``destination`` from ``start`` on: other
        deliveries' posts, which need no forward (most of a busy channel's messages)."""
        key = self._probe.keys.recorded_ids(destination.id)
        found = self._probe.redis.zrangebyscore(key, start, "+inf")
        return frozenset(int(i) for i in found)  # type: ignore[arg-type]

    def _cursor(self, key: str, item: InDoubtItem, lookup: Lookup) -> tuple[int, int]:
        """(next message id, misses in a row) saved for this doubt, else the start."""
        raw = decode_hash(self._probe.redis.hgetall(key))
        if raw.get("doubt") != str(item.doubt) or "next" not in raw:
            return lookup.after_id + 1, 0
        return int(raw["next"]), int(raw.get("misses", 0))

    def _save(self, key: str, item: InDoubtItem, message_id: int, misses: int) -> None:
        pipe = self._probe.redis.pipeline()
        pipe.hset(key, mapping={"doubt": item.doubt, "next": message_id, "misses": misses})
        pipe.expire(key, CURSOR_TTL_S)
        pipe.execute()


def item_name(item: InDoubtItem) -> str:
    """The in-doubt delivery's name in probe keys."""
    d = item.delivery
    return f"{d.article_id}:{d.destination}:{d.revision}:{d.reshare or ''}"
