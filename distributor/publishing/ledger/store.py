"""The delivery ledger: one record per (article, destination, revision), moved by Lua in Redis.

``pending → sending → sent | failed | in_doubt``, and ``deleted`` after an unpublish. The claim
``pending → sending`` stores a random lease token and expiry; every later write must present the
token (``LeaseLost`` otherwise). A ``sending`` record whose lease expired is never claimed again:
it becomes ``in_doubt`` and only the token holder (who knows what happened) or the reconciler
moves it on. Lease times come from the ``clock`` passed in (``time.time`` in production, a
controllable one in tests); every worker's clock must agree to well within ``lease_s``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from redis import Redis

from distributor.errors import DistributorError, LeaseLost
from distributor.keys import Keys
from distributor.lua import script
from distributor.models import Delivery, DeliveryState
from distributor.publishing.ledger.records import (
    Claim,
    ClaimMode,
    InDoubtItem,
    LivePost,
    Snapshot,
    UnpublishPlan,
    decode_delivery,
    decode_hash,
    decode_ids,
    decode_in_doubt,
    decode_live,
    decode_pairs,
    text_of,
)

_SCRIPTS = (
    "ensure", "claim", "expire", "transition", "resolve",
    "cancel", "deleted", "settle", "tombstone", "snapshot",
)  # fmt: skip


class Ledger:
    """Delivery records, their history, the live post and the in-doubt set, in Redis."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        lease_s: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._lease_s = lease_s
        self._clock = clock
        self._scripts = {
            name: redis.register_script(
                script("distributor.publishing.ledger", name, prelude="prelude")
            )
            for name in _SCRIPTS
        }

    def now(self) -> float:
        """The ledger's clock (seconds), the one lease and in-doubt times are measured on."""
        return self._clock()

    # reads
    def get(self, article_id: str, destination: str, revision: int) -> Delivery | None:
        """The record, or None when this delivery was never seen."""
        raw = decode_hash(
            self._redis.hgetall(self._keys.delivery(article_id, destination, revision))
        )
        return decode_delivery(raw) if raw else None

    def list_deliveries(self, article_id: str) -> list[Delivery]:
        """Every delivery of one article, ordered by destination then revision."""
        members = self._redis.smembers(self._keys.deliveries(article_id))
        found = [decode_delivery(raw) for raw in self._hashes(map(text_of, members)) if raw]
        return sorted(found, key=lambda d: (d.destination, d.revision))

    def history(self, article_id: str) -> list[dict[str, Any]]:
        """Every transition of one article's deliveries, oldest first."""
        lines = self._redis.lrange(self._keys.history(article_id), 0, -1)
        entries = [json.loads(line) for line in lines]
        for entry in entries:
            entry["message_ids"] = decode_ids(entry.get("message_ids", ""))
        return entries

    def live_post(self, article_id: str, destination: str) -> LivePost | None:
        """The revision, message ids and send method of the post standing now, if any."""
        return decode_live(
            decode_hash(self._redis.hgetall(self._keys.posted(article_id, destination)))
        )

    def snapshot(self, article_id: str, destination: str, revision: int) -> Snapshot:
        """``get``, ``live_post`` and ``list_deliveries`` in one round trip (one read-only
        script), so a delivery decides what to do without four trips to Redis."""
        keys = self._key_list(article_id, destination, revision)
        current, posted, *others = self._scripts["snapshot"](keys=keys, args=[0, 0, 0, 0])
        live = decode_live(decode_pairs(posted))
        found = [decode_delivery(raw) for raw in map(decode_pairs, others) if raw]
        found.sort(key=lambda d: (d.destination, d.revision))
        raw_current = decode_pairs(current)
        return Snapshot(decode_delivery(raw_current) if raw_current else None, live, found)

    def live_posts(self, article_id: str, destinations: Iterable[str]) -> dict[str, LivePost]:
        """``live_post`` of several destinations in one pipeline; those with a live post."""
        names = list(destinations)
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self._keys.posted(article_id, name))
        posts = {
            name: decode_live(decode_hash(raw))
            for name, raw in zip(names, pipe.execute(), strict=True)
        }
        return {name: post for name, post in posts.items() if post is not None}

    def high_water(self, destination: str) -> int:
        """The highest message id recorded at a destination (0 when none)."""
        return int(self._redis.hget(self._keys.high_water(), destination) or 0)

    def unpublished_revision(self, article_id: str, destination: str) -> int:
        """The highest revision unpublished at this destination (0 when none)."""
        return int(self._redis.hget(self._keys.posted(article_id, destination), "unpublished") or 0)

    def in_doubt_items(self) -> list[InDoubtItem]:
        """Every in-doubt delivery, oldest first."""
        members: list[tuple[bytes | str, float]] = self._redis.zrange(
            self._keys.in_doubt(), 0, -1, withscores=True
        )  # type: ignore[assignment]
        raws = self._hashes(text_of(key) for key, _ in members)
        pairs = zip(members, raws, strict=True)
        return [decode_in_doubt(raw, since) for (_, since), raw in pairs if raw]

    # transitions
    def ensure(self, article_id: str, destination: str, revision: int) -> Delivery:
        """Create the record as ``pending`` unless it exists; return it."""
        self.ensure_all(article_id, [destination], revision)
        found = self.get(article_id, destination, revision)
        assert found is not None
        return found

    def ensure_all(self, article_id: str, destinations: Iterable[str], revision: int) -> None:
        """``ensure`` for several destinations in one pipeline, without reading them back."""
        now, pipe = self._clock(), self._redis.pipeline(transaction=False)
        for name in destinations:
            argv: list[str | float] = [article_id, name, revision, now]
            self._scripts["ensure"](self._key_list(article_id, name, revision), argv, pipe)
        pipe.execute()

    def claim(
        self, article_id: str, destination: str, revision: int, action: ClaimMode = "post"
    ) -> Claim | None:
        """Take a pending delivery (creating it if new); None when it is not pending.

        A ``sending`` record whose lease expired becomes ``in_doubt`` here and is not taken.
        A revision at or below an unpublished one becomes ``deleted`` and is not taken.
        """
        token, now = secrets.token_hex(16), self._clock()
        result = self._run(
            "claim", article_id, destination, revision, now, self._lease_s, token, action
        )
        verdict, _, attempt = result.partition(":")
        if verdict != "claimed":
            return None
        lease_until = now + self._lease_s
        return Claim(article_id, destination, revision, token, lease_until, int(attempt), action)

    def expire_lease(self, article_id: str, destination: str, revision: int) -> str:
        """Turn this delivery's lease into ``in_doubt`` if it is ``sending`` and has expired;
        never claims. ``in_doubt``, ``live`` (still held) or ``gone`` (no longer sending)."""
        return self._run("expire", article_id, destination, revision, self._clock())

    def record_sent(self, claim: Claim, message_ids: Sequence[str], method: str = "") -> None:
        """The platform took the post: ``sent`` with its ids; it becomes the live post."""
        self._move(claim, DeliveryState.SENT, "", ",".join(message_ids), method)

    def release(self, claim: Claim, error: str) -> None:
        """Surely not posted: back to ``pending`` with the error, for a retry."""
        self._move(claim, DeliveryState.PENDING, error)

    def record_failed(self, claim: Claim, reason: str) -> None:
        """Surely not posted and never will be: ``failed`` with the reason."""
        self._move(claim, DeliveryState.FAILED, reason)

    def record_in_doubt(self, claim: Claim, reason: str) -> None:
        """The platform may have posted: ``in_doubt``, left to the reconciler."""
        self._move(claim, DeliveryState.IN_DOUBT, reason)

    def expire_leases(self) -> list[Delivery]:
        """Turn every ``sending`` record whose lease has expired into ``in_doubt``."""
        now = self._clock()
        expired: list[Delivery] = []
        due: list[bytes | str] = self._redis.zrangebyscore(self._keys.leases(), "-inf", now)  # type: ignore[assignment]
        for raw in self._hashes(map(text_of, due)):
            if not raw:
                continue
            where = (raw["article_id"], raw["destination"], int(raw["revision"]))
            if self._run("expire", *where, now) == "in_doubt":
                expired.append(
                    decode_delivery(decode_hash(self._redis.hgetall(self._keys.delivery(*where))))
                )
        return expired

    def resolve(
        self,
        delivery: Delivery,
        state: DeliveryState,
        reason: str,
        message_ids: Sequence[str] = (),
        method: str = "",
    ) -> bool:
        """Reconciler: move an ``in_doubt`` record to ``sent``, ``pending`` or ``deleted``.

        False when it is no longer in doubt (someone else settled it first).
        """
        if state not in (DeliveryState.SENT, DeliveryState.PENDING, DeliveryState.DELETED):
            raise DistributorError(f"cannot resolve an in-doubt delivery to {state}")
        where = (delivery.article_id, delivery.destination, delivery.revision)
        ids = ",".join(message_ids)
        return self._run("resolve", *where, self._clock(), state, reason, ids, method) == "ok"

    def settle(
        self,
        article_id: str,
        destination: str,
        revision: int,
        message_ids: Sequence[str],
        reason: str,
    ) -> bool:
        """A pending delivery needs no platform call (the standing post covers it, by policy or
        because a newer revision is live): ``sent`` with those ids. False if it was not pending."""
        ids = ",".join(message_ids)
        now = self._clock()
        return self._run("settle", article_id, destination, revision, now, ids, reason) == "ok"

    def unpublish(self, article_id: str, destination: str, revision: int) -> UnpublishPlan:
        """Mark revisions up to ``revision`` unpublished here: never claimed again, pending ones
        become ``deleted``. Returns what must still be deleted on the platform."""
        now = self._clock()
        self._run("tombstone", article_id, destination, revision, now)
        busy, ids, doubts = False, list[str](), list[int]()
        for old in self.list_deliveries(article_id):
            if old.destination != destination or old.revision > revision:
                continue
            self._run("cancel", article_id, destination, old.revision, now)
            current = self.get(article_id, destination, old.revision)
            assert current is not None
            busy = busy or current.state is DeliveryState.SENDING
            if current.state is DeliveryState.IN_DOUBT:
                doubts.append(current.revision)
            if current.state is DeliveryState.SENT:
                ids.extend(i for i in current.message_ids if i not in ids)
        return UnpublishPlan(busy, tuple(ids), tuple(doubts))

    def mark_deleted(self, article_id: str, destination: str, revision: int, reason: str) -> None:
        """The posts are gone: each ``sent`` revision up to ``revision`` becomes ``deleted``."""
        now = self._clock()
        for old in self.list_deliveries(article_id):
            if old.destination == destination and old.revision <= revision:
                self._run("deleted", article_id, destination, old.revision, now, reason)

    def note(
        self, article_id: str, destination: str, revision: int, event: str, reason: str
    ) -> None:
        """Add a history line that changes no state (e.g. an update skipped by policy)."""
        line = {"t": self._clock(), "destination": destination, "revision": revision}
        line.update(event=event, reason=reason)
        self._redis.rpush(self._keys.history(article_id), json.dumps(line))

    # internals
    def _move(
        self, claim: Claim, to: DeliveryState, reason: str, ids: str = "", method: str = ""
    ) -> None:
        where = (claim.article_id, claim.destination, claim.revision)
        args = (claim.token, to.value, reason, ids, method)
        result = self._run("transition", *where, self._clock(), *args)
        if result != "ok":
            raise LeaseLost(f"{'/'.join(map(str, where))}: lease lost ({result})")

    def _run(
        self,
        name: str,
        article_id: str,
        destination: str,
        revision: int,
        now: float,
        *extra: str | float,
    ) -> str:
        key_list = self._key_list(article_id, destination, revision)
        argv = [article_id, destination, revision, now, *extra]
        return str(self._scripts[name](keys=key_list, args=argv))

    def _key_list(self, article_id: str, destination: str, revision: int) -> list[str]:
        """KEYS of every ledger script (see ``prelude.lua``)."""
        keys = self._keys
        return [
            keys.delivery(article_id, destination, revision),
            keys.deliveries(article_id),
            keys.history(article_id),
            keys.leases(),
            keys.in_doubt(),
            keys.posted(article_id, destination),
            keys.high_water(),
        ]

    def _hashes(self, keys: Iterable[str]) -> list[dict[str, str]]:
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(key)
        return [decode_hash(raw) for raw in pipe.execute()]
