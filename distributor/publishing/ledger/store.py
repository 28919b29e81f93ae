"""The delivery ledger: one record per (article, destination, revision), and one per reshare
(``Keys.reshare_delivery``, the same scripts), moved by Lua in Redis; the states are in
docs/architecture.md, "Ledger". Every write after the claim presents its lease token
(``LeaseLost`` otherwise); an expired ``sending`` record is never claimed again but becomes
``in_doubt`` for the token holder or the reconciler. Lease times come from the ``clock``
passed in; every worker's clock must agree to well within ``lease_s``.
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
from distributor.models import Delivery, DeliveryState
from distributor.publishing.ledger.records import (
    Claim,
    ClaimMode,
    FailedItem,
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
from distributor.publishing.ledger.scripts import LedgerScripts


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
        self._lua = LedgerScripts(redis, keys)
        self._run = self._lua.run

    def now(self) -> float:
        """The ledger's clock (seconds), the one lease and in-doubt times are measured on."""
        return self._clock()

    # reads
    def get(
        self, article_id: str, destination: str, revision: int, reshare: str = ""
    ) -> Delivery | None:
        """The record (of that reshare, when given), or None when it was never seen."""
        key = self._lua.key_list(article_id, destination, revision, reshare)[0]
        raw = decode_hash(self._redis.hgetall(key))
        return decode_delivery(raw) if raw else None

    def list_deliveries(self, article_id: str, *, reshares: bool = False) -> list[Delivery]:
        """Every delivery of one article's revisions (or reshares), by destination, revision."""
        index = self._keys.reshare_deliveries if reshares else self._keys.deliveries
        members = self._redis.smembers(index(article_id))
        found = [decode_delivery(raw) for raw in self._hashes(map(text_of, members)) if raw]
        return sorted(found, key=lambda d: (d.destination, d.revision, d.reshare or ""))

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
        keys = self._lua.key_list(article_id, destination, revision)
        current, posted, *others = self._lua.raw("snapshot", keys, [0, 0, 0, 0, ""])
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

    def last_post_at(self, article_id: str, destination: str) -> float | None:
        """When the article was last posted at the destination (original or reshare)."""
        raw = self._redis.hget(self._keys.posted(article_id, destination), "last_post_at")
        return float(raw) if raw else None

    def posts_at(
        self, article_ids: Sequence[str], destination: str
    ) -> dict[str, tuple[bool, float | None]]:
        """For each article: whether a post of it stands at the destination, and when it was
        last posted there; one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        for article_id in article_ids:
            pipe.hmget(self._keys.posted(article_id, destination), ["revision", "last_post_at"])
        return {
            article_id: (bool(revision), float(last) if last else None)
            for article_id, (revision, last) in zip(article_ids, pipe.execute(), strict=True)
        }

    def last_fresh_post(self, destination: str) -> float | None:
        """When an original (not reshared) post last went out at the destination."""
        raw = self._redis.hget(self._keys.fresh_posts(), destination)
        return float(raw) if raw else None

    def unpublished_revision(self, article_id: str, destination: str) -> int:
        """The highest revision unpublished at this destination (0 when none)."""
        return int(self._redis.hget(self._keys.posted(article_id, destination), "unpublished") or 0)

    def in_doubt_items(self) -> list[InDoubtItem]:
        """Every in-doubt delivery, oldest first."""
        return [decode_in_doubt(raw, at) for at, raw in self._indexed(self._keys.in_doubt())]

    def failed_items(self, newest: int = 0) -> list[FailedItem]:
        """Indexed failed deliveries (the ``newest`` many if given), oldest first."""
        indexed = self._indexed(self._keys.failed(), newest)
        return [FailedItem(decode_delivery(raw), at) for at, raw in indexed]

    def skipped_items(self, limit: int = 500) -> list[Delivery]:
        """Deliveries skipped in the last week, newest first."""
        found = [decode_delivery(raw) for _, raw in self._indexed(self._keys.skipped())]
        return [d for d in reversed(found) if d.state is DeliveryState.SKIPPED][:limit]

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
            self._run("ensure", article_id, name, revision, now, pipe=pipe)
        pipe.execute()

    def claim(
        self,
        article_id: str,
        destination: str,
        revision: int,
        action: ClaimMode = "post",
        reshare: str = "",
    ) -> Claim | None:
        """Take a pending delivery (creating it if new); None when it is not pending.

        A ``sending`` record whose lease expired becomes ``in_doubt`` here and is not taken.
        A revision at or below an unpublished one becomes ``deleted`` and is not taken (a
        reshare carries the revision it reshares, so an unpublish stops it the same way).
        """
        token, now = secrets.token_hex(16), self._clock()
        where = (article_id, destination, revision)
        args = (self._lease_s, token, action)
        result = self._run("claim", *where, now, *args, reshare=reshare)
        verdict, _, attempt = result.partition(":")
        if verdict != "claimed":
            return None
        lease_until = now + self._lease_s
        return Claim(*where, token, lease_until, int(attempt), action, reshare)

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

    def skip(self, article_id: str, destination: str, revision: int, reason: str) -> bool:
        """Too late to post (past the destination's ``max_delay``): ``pending → skipped`` with
        the reason. False when the delivery was not pending."""
        return self._run("skip", article_id, destination, revision, self._clock(), reason) == "ok"

    def unskip(self, article_id: str, destination: str, revision: int, reason: str) -> bool:
        """A skipped delivery sent by hand: ``pending``, ``max_delay`` from now (False: not so)."""
        now = self._clock()
        return self._run("unskip", article_id, destination, revision, now, reason) == "ok"

    def expire_leases(self) -> list[Delivery]:
        """Turn every ``sending`` record whose lease has expired into ``in_doubt``."""
        now = self._clock()
        expired: list[Delivery] = []
        due: list[bytes | str] = self._redis.zrangebyscore(self._keys.leases(), "-inf", now)  # type: ignore[assignment]
        for raw in self._hashes(map(text_of, due)):
            if not raw:
                continue
            where = (raw["article_id"], raw["destination"], int(raw["revision"]))
            reshare = raw.get("reshare", "")
            if self._run("expire", *where, now, reshare=reshare) == "in_doubt":
                found = self.get(*where, reshare)
                assert found is not None
                expired.append(found)
        return expired

    def resolve(
        self,
        delivery: Delivery,
        state: DeliveryState,
        reason: str,
        message_ids: Sequence[str] = (),
        method: str = "",
        doubt: int | None = None,
    ) -> bool:
        """Reconciler: move an ``in_doubt`` record to ``sent``, ``pending`` or ``deleted``.

        False when it is no longer in doubt (someone else settled it first) or, given the
        ``doubt`` the decision was made about (``InDoubtItem.doubt``), is in doubt anew.
        """
        if state not in (DeliveryState.SENT, DeliveryState.PENDING, DeliveryState.DELETED):
            raise DistributorError(f"cannot resolve an in-doubt delivery to {state}")
        where = (delivery.article_id, delivery.destination, delivery.revision)
        ids, reshare = ",".join(message_ids), delivery.reshare or ""
        args = (state, reason, ids, method, "" if doubt is None else doubt)
        return self._run("resolve", *where, self._clock(), *args, reshare=reshare) == "ok"

    def retry(self, delivery: Delivery, reason: str, *, undo: bool = False) -> bool:
        """A manager's retry: ``failed → pending`` with attempts from zero; with ``undo``
        (the send could not be queued) back to ``failed``. False when not in the from-state."""
        where = (delivery.article_id, delivery.destination, delivery.revision)
        moves = ("pending", "failed") if undo else ("failed", "pending")
        now, reshare = self._clock(), delivery.reshare or ""
        return self._run("retry", *where, now, *moves, reason, reshare=reshare) == "ok"

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
        for old in self._up_to(article_id, destination, revision):
            where, reshare = (article_id, destination, old.revision), old.reshare or ""
            self._run("cancel", *where, now, reshare=reshare)
            current = self.get(*where, reshare)
            assert current is not None
            busy = busy or current.state is DeliveryState.SENDING
            if current.state is DeliveryState.IN_DOUBT:
                doubts.append(current.revision)
            if current.state is DeliveryState.SENT:
                ids.extend(i for i in current.message_ids if i not in ids)
        return UnpublishPlan(busy, tuple(ids), tuple(doubts))

    def mark_deleted(self, article_id: str, destination: str, revision: int, reason: str) -> None:
        """The posts are gone: ``sent`` revisions (and reshares) up to ``revision`` → deleted."""
        now = self._clock()
        for old in self._up_to(article_id, destination, revision):
            where = (article_id, destination, old.revision)
            self._run("deleted", *where, now, reason, reshare=old.reshare or "")

    def note(
        self, article_id: str, destination: str, revision: int, event: str, reason: str
    ) -> None:
        """Add a history line that changes no state (e.g. an update skipped by policy)."""
        line = {"t": self._clock(), "destination": destination, "revision": revision}
        line.update(event=event, reason=reason)
        self._redis.rpush(self._keys.history(article_id), json.dumps(line))

    # internals
    def _up_to(self, article_id: str, destination: str, revision: int) -> list[Delivery]:
        """The records of revisions up to ``revision`` at a destination, and of their reshares."""
        found = self.list_deliveries(article_id) + self.list_deliveries(article_id, reshares=True)
        return [d for d in found if d.destination == destination and d.revision <= revision]

    def _move(
        self, claim: Claim, to: DeliveryState, reason: str, ids: str = "", method: str = ""
    ) -> None:
        where = (claim.article_id, claim.destination, claim.revision)
        args = (claim.token, to.value, reason, ids, method)
        result = self._run("transition", *where, self._clock(), *args, reshare=claim.reshare)
        if result != "ok":
            raise LeaseLost(f"{'/'.join(map(str, where))}: lease lost ({result})")

    def _indexed(self, index: str, newest: int = 0) -> list[tuple[float, dict[str, str]]]:
        """The records an index names (its ``newest`` last if given) and scores, oldest first."""
        found = self._redis.zrange(index, -newest if newest else 0, -1, withscores=True)
        members: list[tuple[bytes | str, float]] = found  # type: ignore[assignment]
        raws = self._hashes(text_of(key) for key, _ in members)
        return [(at, raw) for (_, at), raw in zip(members, raws, strict=True) if raw]

    def _hashes(self, keys: Iterable[str]) -> list[dict[str, str]]:
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(key)
        return [decode_hash(raw) for raw in pipe.execute()]
