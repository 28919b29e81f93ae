"""Reader jobs and send records in Redis, moved by Lua (docs/architecture.md, "Readers").

A job's plan is a list of chat ids written once (a redelivered fan-out finds it and stops), read
in chunks. A send is claimed right before it goes out and settled right after, in batches: one
script call claims every chat a sender is about to message, one settles what came back.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline

from distributor.audience.readers.records import RECORD_TTL_S, Job, Record, decode
from distributor.keys import Keys
from distributor.lua import script

META_TTL_S = 30 * 86_400  # an article is planned for readers once in this time
_SCRIPTS = ("plan_send", "plan_list", "claim", "settle", "swap")


@dataclass(frozen=True, slots=True)
class Settle:
    """How one claim ends: a record value, ``""`` (not sent: send again) or ``"?"`` (in doubt)."""

    chat: int
    value: str
    message_id: int = 0


class ReaderSends:
    """Plans, claims and records of reader jobs."""

    def __init__(
        self, redis: Redis, keys: Keys, lease_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._redis = redis
        self._keys = keys
        self.lease_s = lease_s
        self._clock = clock
        self._scripts = {
            name: redis.register_script(script("distributor.audience.readers", name))
            for name in _SCRIPTS
        }

    def now(self) -> float:
        """The clock leases are measured on."""
        return self._clock()

    # planning
    def plan_send(self, article_id: str, revision: int, topics: Iterable[str]) -> int | None:
        """Plan an article's send job to the readers of ``topics``; how many readers, or None
        when it was planned before (a redelivered or repeated publish)."""
        job = Job("send", article_id)
        keys = self._keys
        key_list = [
            keys.reader_article(article_id), keys.reader_plan(job.id), keys.readers_open(),
            keys.readers_digest(), keys.reader_plan(job.id) + ":union",
            *(keys.readers_of_topic(t) for t in sorted(set(topics))),
        ]  # fmt: skip
        args: list[str | int] = [repr(self._clock()), revision, RECORD_TTL_S, META_TTL_S, job.id]
        count = int(self._scripts["plan_send"](keys=key_list, args=args))
        return None if count < 0 else count

    def plan_list(self, job: Job, chats: Sequence[int]) -> int | None:
        """Plan ``job`` over ``chats``; how many, or None when it was planned before."""
        key_list = [self._keys.reader_plan(job.id), self._keys.readers_open()]
        args: list[str | int] = [repr(self._clock()), RECORD_TTL_S, job.id, *chats]
        count = int(self._scripts["plan_list"](keys=key_list, args=args))
        return None if count < 0 else count

    def chunk(self, job: Job, index: int, size: int) -> list[int]:
        """The chats of chunk ``index`` of the job's plan."""
        raw = self._redis.lrange(
            self._keys.reader_plan(job.id), index * size, (index + 1) * size - 1
        )
        return [int(chat) for chat in raw]

    def plan(self, job: Job) -> list[int]:
        """Every chat of the job's plan."""
        return [int(chat) for chat in self._redis.lrange(self._keys.reader_plan(job.id), 0, -1)]

    def plan_size(self, job: Job) -> int:
        """How many chats the job's plan holds."""
        return int(self._redis.llen(self._keys.reader_plan(job.id)))

    def meta(self, article_id: str) -> dict[str, str]:
        """The article's reader fan-out: ``planned`` (time), ``revision`` sent, ``gone``."""
        raw = self._redis.hgetall(self._keys.reader_article(article_id))
        return {str(k): str(v) for k, v in raw.items()}

    def set_revision(self, article_id: str, revision: int) -> None:
        """The revision readers should now have (an update)."""
        self._redis.hset(self._keys.reader_article(article_id), "revision", revision)

    def mark_gone(self, article_id: str) -> None:
        """Unpublished: no send of this article is claimed any more."""
        key = self._keys.reader_article(article_id)
        self._redis.hset(key, "gone", "1")
        self._redis.expire(key, META_TTL_S)

    # records
    def records(self, job: Job) -> dict[int, Record]:
        """Every record of the job's scope, by chat."""
        return {chat: decode(value) for chat, value in self.raw_all(job).items()}

    def raw_all(self, job: Job) -> dict[int, str]:
        """Every record of the job's scope as stored, by chat."""
        raw = self._redis.hgetall(self._keys.reader_sends(job.records))
        return {int(chat): str(value) for chat, value in raw.items()}

    def raw_records(self, job: Job, chats: Sequence[int]) -> list[str | None]:
        """The records of some chats as stored (None: no record)."""
        if not chats:
            return []
        values = self._redis.hmget(self._keys.reader_sends(job.records), [str(c) for c in chats])
        return [None if v is None else str(v) for v in values]

    def claim(
        self,
        job: Job,
        chats: Sequence[int],
        meta_of: str,
        token: str | None = None,
        settles: Sequence[Settle] = (),
    ) -> tuple[str, dict[int, str]]:
        """Claim chats for sending under ``token`` (a new one by default), after settling
        ``settles`` of the same token, in one round trip; (token, chat → ``ok`` or the state
        letter that stopped it, ``gone`` when the article was unpublished)."""
        token = token or secrets.token_hex(8)
        now = self._clock()
        keys = self._keys
        key_list = [
            keys.reader_sends(job.records), keys.reader_article(meta_of), keys.readers_all(),
            *(keys.reader(chat) for chat in chats), keys.readers_high_water(),
        ]  # fmt: skip
        args: list[str | int] = [repr(now), repr(now + self.lease_s), token, RECORD_TTL_S, *chats]
        pipe = self._redis.pipeline(transaction=False)
        if settles:
            self._queue_settle(pipe, job, token, settles)
        self._scripts["claim"](keys=key_list, args=args, client=pipe)
        answers = pipe.execute()[-1]
        return token, {chat: str(a) for chat, a in zip(chats, answers, strict=True)}

    def settle(self, job: Job, token: str, outcomes: Sequence[Settle]) -> int:
        """Record how claims ended; returns how many were no longer held by ``token``."""
        if not outcomes:
            return 0
        pipe = self._redis.pipeline(transaction=False)
        self._queue_settle(pipe, job, token, outcomes)
        return int(pipe.execute()[0])

    def _queue_settle(
        self, pipe: Pipeline, job: Job, token: str, outcomes: Sequence[Settle]
    ) -> None:
        keys = self._keys
        key_list = [
            keys.reader_sends(job.records), keys.readers_open(),
            *(keys.reader(o.chat) for o in outcomes),
            keys.readers_high_water(), keys.readers_claim_ids(),
        ]  # fmt: skip
        args: list[str | int] = [repr(self._clock()), token, job.id]
        for o in outcomes:
            args += [o.chat, o.value, o.message_id]
        self._scripts["settle"](keys=key_list, args=args, client=pipe)

    def bound_after(self, lease_until: float) -> int | None:
        """An id above any message sent under a claim whose lease ran out at ``lease_until``:
        the lowest id of a batch claimed after then (its lease ends ``lease_s`` later), less
        one; None while no such batch has settled."""
        key, after = self._keys.readers_claim_ids(), f"({lease_until + self.lease_s!r}"
        found: list[str] = self._redis.zrangebyscore(key, after, "+inf", 0, 1)  # type: ignore[assignment]
        return int(found[0]) - 1 if found else None

    def swap(self, job: Job, chat: int, expected: str, value: str) -> bool:
        """Replace a record still equal to ``expected`` (edits, deletes, the sweep)."""
        key_list = [self._keys.reader_sends(job.records), self._keys.readers_open()]
        args: list[str | int] = [chat, expected, value, repr(self._clock()), job.id]
        return bool(self._scripts["swap"](keys=key_list, args=args))

    def forget_record(self, job: Job, chat: int, expected: str) -> bool:
        """Drop a record still equal to ``expected`` (an in-doubt send found not sent)."""
        key, dropped = self._keys.reader_sends(job.records), False

        def drop(pipe: Pipeline) -> None:
            nonlocal dropped
            dropped = pipe.hget(key, str(chat)) == expected
            pipe.multi()
            if dropped:
                pipe.hdel(key, str(chat))

        self._redis.transaction(drop, key)
        return dropped

    # open jobs
    def open_jobs(self) -> list[tuple[Job, float]]:
        """Jobs not yet settled and when each last made progress."""
        raw: list[tuple[str, float]] = self._redis.zrange(  # type: ignore[assignment]
            self._keys.readers_open(), 0, -1, withscores=True
        )
        return [(Job.parse(job_id), float(score)) for job_id, score in raw]

    def close(self, job: Job) -> None:
        """The job is settled (or holds only what cannot be settled)."""
        self._redis.zrem(self._keys.readers_open(), job.id)
