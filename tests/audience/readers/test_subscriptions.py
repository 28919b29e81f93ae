"""The subscription store: both directions stay in step through every change."""

from __future__ import annotations

from redis import Redis

from distributor.audience.readers.subscriptions import Subscriptions, language_of
from distributor.keys import Keys


def _readers_of(redis: Redis, keys: Keys, topic: str) -> set[str]:
    return {str(m) for m in redis.smembers(keys.readers_of_topic(topic))}


def test_subscribe_unsubscribe_and_forget_keep_both_sides(redis_client: Redis, keys: Keys) -> None:
    subs = Subscriptions(redis_client, keys)
    subs.touch(1, "id")
    assert subs.subscribe(1, ["Politik", "#Pemilu", "politik"]) == ["politik", "pemilu"]
    assert subs.subscribe(1, ["POLITIK"]) == []
    assert _readers_of(redis_client, keys, "politik") == {"1"}
    assert subs.unsubscribe(1, "#pemilu") and not subs.unsubscribe(1, "pemilu")
    assert subs.topics(1) == {"politik"} and _readers_of(redis_client, keys, "pemilu") == set()
    subs.set_digest(1, True, 9)
    assert subs.forget(1, "blocked") and not subs.forget(1, "blocked")
    assert _readers_of(redis_client, keys, "politik") == set() and subs.digest_readers(9) == []
    assert subs.get(1) is None and subs.count() == 0 and subs.removed() == {"blocked": 1}


def test_digest_hour_moves_and_migration_carries_everything(
    redis_client: Redis, keys: Keys
) -> None:
    subs = Subscriptions(redis_client, keys)
    subs.touch(-5, "en")
    subs.subscribe(-5, ["ekonomi"])
    subs.set_digest(-5, True, 7)
    subs.set_digest(-5, True, 20)
    assert subs.digest_readers(7) == [] and subs.digest_readers(20) == [-5]
    subs.note_message(-5, 40)
    subs.migrate(-5, -1005)
    reader = subs.get(-1005)
    assert reader is not None and (reader.language, reader.digest, reader.digest_hour) == (
        "en", True, 20,
    )  # fmt: skip
    assert reader.topics == ("ekonomi",) and subs.high_water(-1005) == 0  # ids are per chat
    assert subs.get(-5) is None and subs.digest_readers(20) == [-1005]
    assert _readers_of(redis_client, keys, "ekonomi") == {"-1005"}
    subs.set_digest(-1005, False, 20)
    assert subs.digest_readers(20) == [] and not subs.get(-1005).digest  # type: ignore[union-attr]


def test_language_follows_the_telegram_language_code() -> None:
    assert language_of("en-US") == "en" and language_of("id") == language_of(None) == "id"
    assert language_of("ms") == "id"
