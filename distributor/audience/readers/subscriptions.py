"""Readers and the topics they follow, in Redis both ways: readers by topic (what a fan-out
unions) and topics by reader (what ``/mine`` lists and ``/stop`` undoes)
(docs/architecture.md, "Readers").

A reader is a chat id: a person's private chat with the bot, or a group that subscribed. Each
change that touches both sides is one MULTI/EXEC transaction, watched where it reads first, so
a crash never leaves a reader in a topic set they did not choose.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from redis import Redis
from redis.client import Pipeline

from distributor.audience.readers.topics import topic_key
from distributor.keys import Keys

Language = Literal["id", "en"]
RemovalReason = Literal["blocked", "deactivated", "not_found", "stopped", "kicked"]
PRUNED: frozenset[str] = frozenset({"blocked", "deactivated", "not_found", "kicked"})
MAX_TOPICS = 100


class Reader(BaseModel):
    """One reader as exported (a JSON line of `distributor readers export`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chat_id: int = Field(ge=-(2**52), le=2**52)
    topics: tuple[str, ...] = Field(default=(), max_length=MAX_TOPICS)
    language: Language = "id"
    digest: bool = False
    digest_hour: int = Field(default=7, ge=0, le=23)
    since: float = 0.0


def language_of(code: str | None) -> Language:
    """English when the reader's Telegram ``language_code`` says so, else Indonesian."""
    return "en" if (code or "").lower().startswith("en") else "id"


class Subscriptions:
    """The subscription store."""

    def __init__(self, redis: Redis, keys: Keys, clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock

    def touch(self, chat_id: int, language: Language, digest_hour: int = 7) -> None:
        """Record the reader (first time) and the language they now use."""
        key = self._keys.reader(chat_id)
        pipe = self._redis.pipeline()
        pipe.hsetnx(key, "since", repr(self._clock()))
        pipe.hsetnx(key, "hour", digest_hour)
        pipe.hset(key, "lang", language)
        pipe.sadd(self._keys.readers_all(), chat_id)
        pipe.execute()

    def get(self, chat_id: int) -> Reader | None:
        """The reader with their topics, or None when unknown (never started, or stopped)."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.hgetall(self._keys.reader(chat_id))
        pipe.smembers(self._keys.reader_topics(chat_id))
        profile, topics = pipe.execute()
        if not profile:
            return None
        return Reader(
            chat_id=chat_id,
            topics=tuple(sorted(topics)),
            language="en" if profile.get("lang") == "en" else "id",
            digest=profile.get("digest") == "1",
            digest_hour=int(profile.get("hour") or 7),
            since=float(profile.get("since") or 0),
        )

    def topics(self, chat_id: int) -> set[str]:
        """The topic keys a reader follows."""
        return {str(t) for t in self._redis.smembers(self._keys.reader_topics(chat_id))}

    def subscribe(self, chat_id: int, topics: Iterable[str]) -> list[str]:
        """Follow topics (keys, see ``topic_key``); returns those that were new."""
        wanted = [key for t in topics if (key := topic_key(t))]
        mine = self._keys.reader_topics(chat_id)
        pipe = self._redis.pipeline()
        for topic in wanted:
            pipe.sadd(mine, topic)
            pipe.sadd(self._keys.readers_of_topic(topic), chat_id)
        pipe.sadd(self._keys.readers_all(), chat_id)
        added = pipe.execute()[:-1:2]
        return [topic for topic, new in zip(wanted, added, strict=True) if new]

    def unsubscribe(self, chat_id: int, topic: str) -> bool:
        """Stop following one topic; False when the reader did not follow it."""
        key = topic_key(topic)
        pipe = self._redis.pipeline()
        pipe.srem(self._keys.reader_topics(chat_id), key)
        pipe.srem(self._keys.readers_of_topic(key), chat_id)
        removed, _ = pipe.execute()
        return bool(removed)

    def set_digest(self, chat_id: int, on: bool, hour: int) -> None:
        """Daily digest at ``hour`` (local time) instead of instant messages, or back."""
        reader, keys = self._keys.reader(chat_id), self._keys

        def change(pipe: Pipeline) -> None:
            old = pipe.hget(reader, "hour")
            pipe.multi()
            if old is not None:
                pipe.srem(keys.readers_digest(int(old)), chat_id)
            pipe.hset(reader, mapping={"digest": "1" if on else "0", "hour": hour})
            if on:
                pipe.sadd(keys.readers_digest(), chat_id)
                pipe.sadd(keys.readers_digest(hour), chat_id)
            else:
                pipe.srem(keys.readers_digest(), chat_id)

        self._redis.transaction(change, reader)

    def forget(self, chat_id: int, reason: RemovalReason | None) -> bool:
        """Remove every trace of a reader and count why (unless ``reason`` is None); False when
        the reader was already unknown."""
        topics_key = self._keys.reader_topics(chat_id)

        known = False

        def remove(pipe: Pipeline) -> None:
            nonlocal known
            topics = {str(t) for t in pipe.smembers(topics_key)}
            hour = pipe.hget(self._keys.reader(chat_id), "hour")
            known = bool(pipe.sismember(self._keys.readers_all(), str(chat_id)))
            pipe.multi()
            self._drop(pipe, chat_id, topics, None if hour is None else str(hour))
            if known and reason is not None:
                pipe.hincrby(self._keys.readers_removed(), reason, 1)
            if known and reason in PRUNED:  # the platform took them: counted per topic
                for topic in topics:
                    pipe.hincrby(self._keys.readers_pruned(), topic, 1)

        self._redis.transaction(remove, topics_key)
        return known

    def migrate(self, old: int, new: int) -> None:
        """A group became a supergroup: its subscriptions move to the new chat id."""
        topics_key = self._keys.reader_topics(old)

        def move(pipe: Pipeline) -> None:
            topics = {str(t) for t in pipe.smembers(topics_key)}
            profile = {str(k): str(v) for k, v in pipe.hgetall(self._keys.reader(old)).items()}
            pipe.multi()
            self._drop(pipe, old, topics, profile.get("hour"))
            kept: dict[Any, str] = {k: v for k, v in profile.items() if k != "hw"}  # ids: per chat
            if kept:
                pipe.hset(self._keys.reader(new), mapping=kept)
            for topic in topics:
                pipe.sadd(self._keys.reader_topics(new), topic)
                pipe.sadd(self._keys.readers_of_topic(topic), new)
            pipe.sadd(self._keys.readers_all(), new)
            if profile.get("digest") == "1":
                pipe.sadd(self._keys.readers_digest(), new)
                pipe.sadd(self._keys.readers_digest(int(profile.get("hour") or 7)), new)

        self._redis.transaction(move, topics_key)

    def note_message(self, chat_id: int, message_id: int) -> None:
        """Remember the highest message id seen in a reader's chat: an in-doubt send is looked
        for after the one noted when it was claimed."""
        key = self._keys.reader(chat_id)
        current = int(self._redis.hget(key, "hw") or 0)
        if message_id > current and self._redis.exists(key):
            self._redis.hset(key, "hw", message_id)

    def high_water(self, chat_id: int) -> int:
        """The highest message id noted in a reader's chat (0 when none)."""
        return int(self._redis.hget(self._keys.reader(chat_id), "hw") or 0)

    def digest_readers(self, hour: int) -> list[int]:
        """Readers whose daily digest is due at ``hour``."""
        return sorted(int(chat) for chat in self._redis.smembers(self._keys.readers_digest(hour)))

    def count(self) -> int:
        """How many readers there are."""
        return int(self._redis.scard(self._keys.readers_all()))

    def removed(self) -> dict[str, int]:
        """How many readers were removed, by reason."""
        raw = self._redis.hgetall(self._keys.readers_removed())
        return {str(k): int(v) for k, v in raw.items()}

    def export(self) -> Iterator[Reader]:
        """Every reader, in chat id order."""
        ids = sorted(int(i) for i in self._redis.sscan_iter(self._keys.readers_all(), count=1000))
        for chat_id in ids:
            if (reader := self.get(chat_id)) is not None:
                yield reader

    def restore(self, readers: Iterable[Reader]) -> int:
        """Write readers as exported (their topics replace any they had); returns how many."""
        count = 0
        for reader in readers:
            self.forget(reader.chat_id, None)
            key = self._keys.reader(reader.chat_id)
            self._redis.hset(key, mapping={"since": repr(reader.since), "lang": reader.language})
            self.subscribe(reader.chat_id, reader.topics)
            self.set_digest(reader.chat_id, reader.digest, reader.digest_hour)
            count += 1
        return count

    def _drop(self, pipe: Pipeline, chat_id: int, topics: set[str], hour: str | None) -> None:
        for topic in topics:
            pipe.srem(self._keys.readers_of_topic(topic), chat_id)
        pipe.delete(self._keys.reader_topics(chat_id), self._keys.reader(chat_id))
        pipe.srem(self._keys.readers_all(), chat_id)
        pipe.srem(self._keys.readers_digest(), chat_id)
        if hour is not None:
            pipe.srem(self._keys.readers_digest(int(hour)), chat_id)
