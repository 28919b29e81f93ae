"""Session records in Redis: idle and absolute expiry, sign-out, revocation, no usable cookie
in the database."""

from __future__ import annotations

from redis import Redis

from distributor.desk.sessions import SessionStore
from distributor.keys import Keys
from tests.support.clock import Clock


def test_a_session_is_found_by_its_cookie_and_redis_never_holds_the_cookie(
    redis_client: Redis, keys: Keys
) -> None:
    store = SessionStore(redis_client, keys, idle_s=600, max_s=3600)
    cookie, manager = store.start("boss", {"deliveries:read"})
    found = store.find(cookie)
    assert found is not None and found.name == "boss" and found.csrf == manager.csrf
    assert found.can("deliveries:read") and not found.can("reshare")
    dump = {k: redis_client.hgetall(k) for k in redis_client.scan_iter(f"{keys.prefix}:*")
            if redis_client.type(k) == "hash"}  # fmt: skip
    assert cookie not in str(dump)
    assert 0 < redis_client.ttl(next(iter(dump))) <= 600  # the idle timeout
    assert store.find(cookie + "x") is None


def test_a_session_ends_at_its_absolute_expiry_even_when_used(
    redis_client: Redis, keys: Keys
) -> None:
    clock = Clock(1_000_000.0)
    store = SessionStore(redis_client, keys, idle_s=600, max_s=3600, clock=clock)
    cookie, _ = store.start("boss", {"deliveries:read"})
    clock.advance(3599)
    assert store.find(cookie) is not None
    clock.advance(2)
    assert store.find(cookie) is None
    assert not list(redis_client.scan_iter(keys.desk_session("*")))


def test_flash_messages_are_shown_once_and_sign_out_and_revocation_end_sessions(
    redis_client: Redis, keys: Keys
) -> None:
    store = SessionStore(redis_client, keys, idle_s=600, max_s=3600)
    first, _ = store.start("boss", {"deliveries:read"})
    second, _ = store.start("boss", {"deliveries:read"})
    other, _ = store.start("viewer", {"deliveries:read"})
    store.flash(first, "Recorded.")
    assert getattr(store.find(first), "flash", None) == "Recorded."
    assert getattr(store.find(first), "flash", None) == ""
    store.end(first)
    assert store.find(first) is None and store.find(second) is not None
    assert store.end_all("boss") == 1
    assert store.find(second) is None and store.find(other) is not None
