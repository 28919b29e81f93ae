"""The outbox: every accepted event, kept until none of its deliveries is left ``pending``.

Celery's Redis transport pops a message (BRPOP) before it records it as unacknowledged, so a
worker whose main process dies in between (SIGKILL, OOM, power) takes that message with it: a
fan-out that never runs, or a delivery that stays ``pending`` for ever. The API therefore records
the event here in the same Lua step that sets its dedupe marker, before queueing it; a beat sweep
sends the fan-out again for an event that has been waiting longer than ``stale_s`` while a
planned delivery is missing or still ``pending``, and forgets it once none is. Sending again is
safe: fan-out and deliveries are idempotent through the ledger. An unpublish is forgotten once its
fan-out has run (its deletes leave no ``pending`` record to watch).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis import Redis

from distributor.keys import Keys
from distributor.lua import script
from distributor.models import ArticleEvent, DeliveryState
from distributor.publishing.ledger import Ledger
from distributor.publishing.routing import RoutingTable, plan

FanOutKwargs = dict[str, Any]  # {"event": <ArticleEvent JSON>, "event_id": str}


class Outbox:
    """Accepted events (fan-out kwargs by event id) and when each is next checked."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._add = redis.register_script(script("distributor.queue", "outbox_add_once"))

    def add_once(self, event_id: str, kwargs: FanOutKwargs, now: float, ttl_s: int) -> bool:
        """Set the event's dedupe marker (``ttl_s``) and record it, atomically; False (and
        nothing written) when the marker already exists."""
        keys = [self._keys.event(event_id), self._keys.outbox(), self._keys.outbox_events()]
        args: list[str | int] = [event_id, json.dumps(kwargs), f"{now:.3f}", ttl_s]
        return bool(self._add(keys=keys, args=args))

    def forget(self, event_id: str, *, marker: bool = False) -> None:
        """Drop the event (and its dedupe marker when ``marker``, so it can be sent again)."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.zrem(self._keys.outbox(), event_id)
        pipe.hdel(self._keys.outbox_events(), event_id)
        if marker:
            pipe.delete(self._keys.event(event_id))
        pipe.execute()

    def due(self, before: float, limit: int = 1000) -> list[tuple[str, FanOutKwargs | None]]:
        """Events last checked (or accepted) before ``before``, oldest first."""
        found = self._redis.zrangebyscore(self._keys.outbox(), "-inf", before, 0, limit)
        ids = [i.decode() if isinstance(i, bytes) else str(i) for i in found]
        if not ids:
            return []
        raws = self._redis.hmget(self._keys.outbox_events(), ids)
        return [(i, json.loads(raw) if raw else None) for i, raw in zip(ids, raws, strict=True)]

    def touch(self, event_id: str, now: float) -> None:
        """Check the event again ``stale_s`` after ``now``."""
        self._redis.zadd(self._keys.outbox(), {event_id: now}, xx=True)

    def __len__(self) -> int:
        return int(self._redis.zcard(self._keys.outbox()))


@dataclass
class SweepReport:
    """Event ids the sweep sent again, and those it forgot (settled)."""

    resent: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)


def sweep(
    outbox: Outbox,
    ledger: Ledger,
    routing: RoutingTable,
    send: Callable[[FanOutKwargs], None],
    *,
    now: float,
    stale_s: float,
) -> SweepReport:
    """Send the fan-out again for stale events with a delivery missing or pending; forget the
    settled ones. Each resent event waits another ``stale_s``."""
    report = SweepReport()
    for event_id, kwargs in outbox.due(now - stale_s):
        if kwargs is None or _settled(
            ArticleEvent.model_validate(kwargs["event"]), ledger, routing
        ):
            outbox.forget(event_id)
            report.settled.append(event_id)
            continue
        send(kwargs)
        outbox.touch(event_id, now)
        report.resent.append(event_id)
    return report


def _settled(event: ArticleEvent, ledger: Ledger, routing: RoutingTable) -> bool:
    """Whether every delivery this publish or update planned exists and left ``pending``."""
    if event.type == "article.unpublished":
        return False  # forgotten by its fan-out; still here means the fan-out never ran
    article = event.article
    live = list(ledger.live_posts(article.id, (d.id for d in routing.destinations)))
    planned = {dest.id for dest, action in plan(event, routing, live) if action != "unpublish"}
    states = {
        d.destination: d.state
        for d in ledger.list_deliveries(article.id)
        if d.revision == article.revision
    }
    return all(
        states.get(dest, DeliveryState.PENDING) is not DeliveryState.PENDING for dest in planned
    )


# KEYS: marker, outbox zset, outbox events hash; ARGV: event id, kwargs JSON, now, marker TTL
