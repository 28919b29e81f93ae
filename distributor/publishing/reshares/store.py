"""Reshares in Redis: accepting one against its guard rails, cancelling, firing what is due
(once, whatever number of beats), and the X text each destination posts — every step one Lua
script, so two processes never both take the same thing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from redis import Redis

from distributor.keys import Keys
from distributor.lua import script
from distributor.publishing.ledger.records import decode_hash, text_of
from distributor.publishing.reshares.records import ReshareRequest, member, split_member

PACKAGE = "distributor.publishing.reshares"


@dataclass(frozen=True, slots=True)
class Plan:
    """One destination as the guard rails see it before acceptance."""

    destination: str
    due: float
    cooldown_s: float
    daily_cap: int | None
    day: str  # the newsroom-local day of ``due`` (the cap's)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Accepted (``ok``) or why not: ``cooldown`` (until when) or ``cap``."""

    destination: str
    verdict: str
    cooldown_until: float | None = None


@dataclass(frozen=True, slots=True)
class Stored:
    """A reshare as stored: its hash, its destinations still due (not fired), and the ledger
    record of each destination that has one (raw hash fields)."""

    fields: dict[str, str]
    due: set[str]
    records: dict[str, dict[str, str]]


def digest(text: str) -> str:
    """A short digest of a post's text (X compares texts; we keep only digests)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ReshareStore:
    """Reshare requests, the due and firing sets, the cooldown and cap bookkeeping."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._lua = {n: redis.register_script(script(PACKAGE, n)) for n in _SCRIPTS}

    def accept(self, request: ReshareRequest, plans: Sequence[Plan], now: float) -> list[Verdict]:
        """Store the reshare with the destinations that pass (cooldown unless forced, daily
        cap); nothing at all when none does."""
        k = self._keys
        keys = [k.reshare(request.id), k.reshare_calendar(), k.reshares_of(request.article_id),
                k.reshare_due()]  # fmt: skip
        args: list[str | float | int] = [request.id, request.model_dump_json(), now, len(plans)]
        for plan in plans:
            keys += [
                k.reshare_times(request.article_id, plan.destination),
                k.posted(request.article_id, plan.destination),
                k.reshare_day(plan.destination, plan.day),
            ]
            force = "1" if request.force else "0"
            args += [plan.destination, plan.due, plan.cooldown_s, force, plan.daily_cap or 0,
                     plan.day, plan.note]  # fmt: skip
        flat = [text_of(v) for v in self._lua["accept"](keys=keys, args=args)]
        return [
            Verdict(plan.destination, flat[2 * i], float(flat[2 * i + 1] or 0) or None)
            for i, plan in enumerate(plans)
        ]

    def fields(self, reshare_id: str) -> dict[str, str]:
        """The stored hash of a reshare ({} when unknown)."""
        return decode_hash(self._redis.hgetall(self._keys.reshare(reshare_id)))

    def request(self, reshare_id: str) -> ReshareRequest | None:
        """The stored request, or None."""
        raw = self._redis.hget(self._keys.reshare(reshare_id), "json")
        return ReshareRequest.model_validate_json(raw) if raw else None

    def waiting(self, reshare_id: str, destinations: Iterable[str]) -> set[str]:
        """The destinations of a reshare still in the due set (not fired)."""
        names = list(destinations)
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            pipe.zscore(self._keys.reshare_due(), member(reshare_id, name))
        return {name for name, score in zip(names, pipe.execute(), strict=True) if score}

    def many(self, ids: Sequence[str]) -> list[Stored]:
        """Several reshares in two round trips (the calendar's): each one's hash, which of its
        destinations are still due, and their ledger records as stored (unknown ids left out)."""
        pipe = self._redis.pipeline(transaction=False)
        for reshare_id in ids:
            pipe.hgetall(self._keys.reshare(reshare_id))
        found = [decode_hash(raw) for raw in pipe.execute() if raw]
        requests = [ReshareRequest.model_validate_json(fields["json"]) for fields in found]
        for request in requests:
            for dest in request.destinations:
                pipe.zscore(self._keys.reshare_due(), member(request.id, dest))
                pipe.hgetall(self._keys.reshare_delivery(request.article_id, dest, request.id))
        answers = iter(pipe.execute())
        out = []
        for request, fields in zip(requests, found, strict=True):
            due, records = set(), {}
            for dest in request.destinations:
                if next(answers):
                    due.add(dest)
                if record := decode_hash(next(answers)):
                    records[dest] = record
            out.append(Stored(fields, due, records))
        return out

    def calendar(self, start: float, end: float, limit: int = 500) -> list[str]:
        """Ids of reshares first due between ``start`` and ``end``, earliest first."""
        found: list[bytes | str] = self._redis.zrangebyscore(
            self._keys.reshare_calendar(), start, end, 0, limit
        )  # type: ignore[assignment]
        return [text_of(i) for i in found]

    def of_article(self, article_id: str) -> list[str]:
        """Every reshare id of one article."""
        return sorted(text_of(i) for i in self._redis.smembers(self._keys.reshares_of(article_id)))

    def cancel(self, request: ReshareRequest, reason: str) -> list[str]:
        """Cancel the destinations not fired yet; returns those cancelled."""
        k, fields = self._keys, self.fields(request.id)
        keys = [k.reshare(request.id), k.reshare_due()]
        for dest in request.destinations:
            day = fields.get(f"day:{dest}", "none")
            keys += [k.reshare_times(request.article_id, dest), k.reshare_day(dest, day)]
        args = [request.id, reason, *request.destinations]
        return [text_of(d) for d in self._lua["cancel"](keys=keys, args=args)]

    def fire(
        self, now: float, stale_s: float, members: Sequence[str] = (), limit: int = 200
    ) -> list[tuple[str, str]]:
        """(reshare id, destination) pairs to send now: the members named (if still due), or
        everything due plus what fired ``stale_s`` ago and is still unsettled."""
        keys = [self._keys.reshare_due(), self._keys.reshare_firing()]
        args: list[str | float] = [now, now + stale_s, limit, *members]
        return [split_member(text_of(m)) for m in self._lua["fire"](keys=keys, args=args)]

    def settled(self, reshare_id: str, destination: str) -> None:
        """The destination's delivery left ``pending``: no need to send it again."""
        self._redis.zrem(self._keys.reshare_firing(), member(reshare_id, destination))

    def choose_text(
        self, request: ReshareRequest, destination: str, earlier: Sequence[str],
        candidates: Sequence[str],
    ) -> int | None:  # fmt: skip
        """Index of the first candidate text never posted for the article on this account
        (``earlier``: texts posted outside reshares, the original's); None if none is new."""
        keys = [self._keys.reshare(request.id),
                self._keys.reshare_texts(request.article_id, destination)]  # fmt: skip
        args: list[str | int] = [destination, len(earlier), *map(digest, earlier)]
        args += map(digest, candidates)
        index = int(self._lua["text"](keys=keys, args=args))
        return None if index < 0 else index


_SCRIPTS = ("accept", "cancel", "fire", "text")
