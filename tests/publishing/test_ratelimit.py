"""The rate governor on a real Redis: bursts, all-or-nothing scopes, concurrency, expiry."""

from __future__ import annotations

import threading
import time

import pytest
from pydantic import ValidationError
from redis import Redis

from distributor.config import Settings
from distributor.keys import Keys
from distributor.models import Destination
from distributor.publishing.ratelimit import Limit, RateGovernor, RateTable
from distributor.wiring import rate_table


@pytest.fixture
def governor(redis_client: Redis, keys: Keys) -> RateGovernor:
    return RateGovernor(redis_client, keys)


def test_burst_then_wait(governor: RateGovernor) -> None:
    limit = Limit("chat:a", interval_s=10.0, burst=3)
    assert [governor.acquire([limit]) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = governor.acquire([limit])
    assert 0 < wait <= 10.0


def test_slot_is_free_again_after_the_wait(governor: RateGovernor) -> None:
    limit = Limit("chat:b", interval_s=0.2)
    assert governor.acquire([limit]) == 0.0
    wait = governor.acquire([limit])
    assert wait > 0
    time.sleep(wait)
    assert governor.acquire([limit]) == 0.0


def test_scopes_are_all_or_nothing(governor: RateGovernor) -> None:
    roomy = Limit("bot", interval_s=100.0, burst=2)
    full = Limit("chat:c", interval_s=100.0)
    assert governor.acquire([full]) == 0.0
    assert governor.acquire([roomy, full]) > 0
    assert governor.acquire([roomy]) == 0.0
    assert governor.acquire([roomy]) == 0.0
    assert governor.acquire([roomy]) > 0


def test_scopes_are_independent(governor: RateGovernor) -> None:
    assert governor.acquire([Limit("chat:d", 100.0)]) == 0.0
    assert governor.acquire([Limit("chat:d", 100.0)]) > 0
    assert governor.acquire([Limit("chat:e", 100.0)]) == 0.0


def test_concurrent_acquires_never_exceed_the_burst(redis_url: str, keys: Keys) -> None:
    limit = Limit("shared", interval_s=100.0, burst=5)
    barrier = threading.Barrier(20)
    granted: list[float] = []

    def worker() -> None:
        client = Redis.from_url(redis_url, decode_responses=True)
        try:
            barrier.wait()
            granted.append(RateGovernor(client, keys).acquire([limit]))
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(0.0) == 5


def test_state_expires_when_idle(governor: RateGovernor, redis_client: Redis, keys: Keys) -> None:
    governor.acquire([Limit("idle", interval_s=2.0, burst=2)])
    ttl_ms = redis_client.pttl(keys.rate("idle"))
    assert 0 < ttl_ms <= 2_002


def test_at_most_keeps_any_window_under_the_count() -> None:
    limit = Limit.at_most("group", count=20, period_s=60.0, burst=3)
    # burst, then one per interval: in 60 s at most 3 + (60 / interval - 1) calls
    assert limit.burst + 60.0 / limit.interval_s - 1 <= 20
    with pytest.raises(ValueError, match="burst"):
        Limit.at_most("x", count=2, period_s=1.0, burst=3)
    with pytest.raises(ValueError, match="interval_s"):
        Limit("x", interval_s=0)


def test_limits_for_each_platform() -> None:
    table = RateTable()
    channel = Destination(id="tg", platform="telegram", target="@news")
    account = Destination(id="xa", platform="x", target="newsdesk")
    assert [lim.scope for lim in table.limits_for(channel)] == [
        "telegram:bot",
        "telegram:chat:@news",
        "telegram:chat:@news:minute",
    ]
    assert table.limits_for(account) == ()  # X posts are spent from the budget, not paced


def test_unenforced_table_takes_nothing_from_redis(redis_client: Redis, keys: Keys) -> None:
    governor = RateGovernor(redis_client, keys, RateTable.unenforced())
    channel = Destination(id="tg", platform="telegram", target="@news")
    account = Destination(id="xa", platform="x", target="newsdesk")
    assert governor.table.limits_for(channel) == () == governor.table.limits_for(account)
    assert all(governor.acquire_for(d) == 0.0 for _ in range(200) for d in (channel, account))
    assert list(redis_client.scan_iter(f"{keys.prefix}:*")) == []


def test_rate_limits_off_only_with_the_sandbox() -> None:
    with pytest.raises(ValidationError, match="only allowed with sandbox"):
        Settings(_env_file=None, rate_limits="off")  # type: ignore[call-arg]
    sandboxed = Settings(_env_file=None, rate_limits="off", sandbox=True)  # type: ignore[call-arg]
    assert rate_table(sandboxed).enforced is False
    governed = Settings(_env_file=None, sandbox=True, x_tier="free")  # type: ignore[call-arg]
    assert rate_table(governed) == RateTable()
