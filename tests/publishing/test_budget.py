"""The post budget on a real Redis: the platform's word wins, margin and reserve, the queue."""

from __future__ import annotations

import threading

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.publishers.base import LimitReading
from distributor.publishing.budget import BudgetPolicy, Guess, PostBudget
from distributor.publishing.priority import PriorityRules, Standing, Tier
from tests.support.clock import T0, Clock
from tests.support.xbudget import article

NEWS = Standing(Tier.NEWS, 0, T0)
SCOPE = "x:default"


def reading(remaining: int, reset: float, limit: int = 10, family: str = "rate") -> LimitReading:
    return LimitReading(family, limit, remaining, reset, f"the {family} window")


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


def budget(redis: Redis, keys: Keys, clock: Clock, **policy: object) -> PostBudget:
    settings: dict[str, object] = {"margin": 0, "reserve": 0.0, "probe_s": 0.0, **policy}
    return PostBudget(redis, keys, BudgetPolicy(**settings), clock)  # type: ignore[arg-type]


def test_the_first_guess_spends_until_an_answer_replaces_it(
    redis_client: Redis, keys: Keys, clock: Clock
) -> None:
    b = budget(redis_client, keys, clock, guess=(Guess("user-24hour", 2, "guessed"),))
    assert [b.admit(SCOPE, f"t{n}", NEWS).admitted for n in range(3)] == [True, True, False]
    b.observe(SCOPE, [reading(7, T0 + 900)])
    assert set(b.windows(SCOPE)) == {"rate"}  # the guessed window is gone: X did not report it
    assert b.admit(SCOPE, "t2", NEWS).admitted


def test_answers_out_of_order_never_raise_the_count_of_a_window(
    redis_client: Redis, keys: Keys, clock: Clock
) -> None:
    b = budget(redis_client, keys, clock)
    b.observe(SCOPE, [reading(5, T0 + 900)])
    b.observe(SCOPE, [reading(6, T0 + 900)])  # an older answer arriving late
    assert b.windows(SCOPE)["rate"].remaining == 5
    b.observe(SCOPE, [reading(9, T0 + 1800)])  # a new window (or a restarted platform)
    assert b.windows(SCOPE)["rate"].remaining == 9
    b.observe(SCOPE, [reading(0, T0 - 1)])  # from a window that already ended
    assert b.windows(SCOPE)["rate"].remaining == 9


def test_margin_and_reserve_keep_posts_back_for_breaking_news(
    redis_client: Redis, keys: Keys, clock: Clock
) -> None:
    b = budget(redis_client, keys, clock, margin=1, reserve=0.2)
    b.observe(SCOPE, [reading(10, T0 + 900)])  # 1 never spent, 2 kept for breaking news
    news = [b.admit(SCOPE, f"n{n}", NEWS).admitted for n in range(9)]
    assert news == [True] * 7 + [False] * 2
    breaking = Standing(Tier.BREAKING, 0, T0)
    assert [b.admit(SCOPE, f"b{n}", breaking).admitted for n in range(3)] == [True, True, False]
    held = b.admit(SCOPE, "n8", NEWS)
    assert held.until == T0 + 900 and held.why == "the rate window" and held.ahead == 1


def test_the_queue_goes_by_tier_weight_then_newest(redis_client: Redis, keys: Keys) -> None:
    rules = PriorityRules(categories={"Politik": 3, "opini": 0})
    old_politik = rules.standing(article(1, "Politik", at=T0))
    new_politik = rules.standing(article(2, "politik", at=T0 + 60))
    opini = rules.standing(article(3, "Opini", at=T0 + 120))
    breaking = rules.standing(article(4, "Opini", at=T0 - 3600, tags=("breaking news",)))
    reshare = Standing(Tier.RESHARE, 9, T0 + 999)
    ranked = sorted([opini, old_politik, reshare, new_politik, breaking], key=lambda s: -s.score)
    assert ranked == [breaking, new_politik, old_politik, opini, reshare]
    assert breaking.reserve and not new_politik.reserve


def test_a_held_post_that_stops_asking_loses_its_place(
    redis_client: Redis, keys: Keys, clock: Clock
) -> None:
    b = budget(redis_client, keys, clock, grace_s=60.0)
    b.observe(SCOPE, [reading(0, T0 + 600)])
    high = Standing(Tier.NEWS, 5, T0)
    assert not b.admit(SCOPE, "lost", high).admitted  # its task is lost after this
    assert not b.admit(SCOPE, "alive", NEWS).admitted
    clock.advance(601)
    b.observe(SCOPE, [reading(1, T0 + 1200)])
    assert not b.admit(SCOPE, "alive", NEWS).admitted  # "lost" ranks first and may still ask
    clock.advance(60)
    assert b.admit(SCOPE, "alive", NEWS).admitted  # "lost" missed its wake by the grace
    assert b.holds() == []


def test_refund_and_forget(redis_client: Redis, keys: Keys, clock: Clock) -> None:
    b = budget(redis_client, keys, clock)
    b.observe(SCOPE, [reading(1, T0 + 600)])
    assert b.admit(SCOPE, "a", NEWS).admitted
    held = b.admit(SCOPE, "b", NEWS)
    assert not held.admitted and held.fresh and held.first
    (hold,) = b.holds()
    assert (hold.held, hold.until) == (1, T0 + 600)
    assert hold.describe().startswith("1 post held for x:default until ")
    b.refund(SCOPE)  # "a" was never sent after all
    assert b.admit(SCOPE, "b", NEWS).admitted and b.holds() == []
    assert not b.admit(SCOPE, "c", NEWS).admitted
    b.forget(SCOPE, "c")
    assert b.holds() == []
    assert b.admit(SCOPE, "d", NEWS).fresh  # the account was no longer held


def test_concurrent_admissions_never_spend_more_than_remains(
    redis_url: str, keys: Keys, clock: Clock
) -> None:
    seed = Redis.from_url(redis_url, decode_responses=True)
    budget(seed, keys, clock).observe(SCOPE, [reading(5, T0 + 600)])
    barrier = threading.Barrier(20)
    admitted: list[bool] = []

    def worker(n: int) -> None:
        client = Redis.from_url(redis_url, decode_responses=True)
        try:
            barrier.wait()
            admitted.append(budget(client, keys, clock).admit(SCOPE, f"t{n}", NEWS).admitted)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seed.close()
    assert admitted.count(True) == 5


def test_a_usage_cap_block_is_never_probed_and_ends_at_its_reset(
    redis_client: Redis, keys: Keys, clock: Clock
) -> None:
    b = budget(redis_client, keys, clock, probe_s=60.0)
    cap = LimitReading("usage-cap", 0, 0, T0 + 86_400, "the cap", probe=False)
    b.observe(SCOPE, [reading(9, T0 + 600), cap])
    clock.advance(3600)
    held = b.admit(SCOPE, "a", NEWS)
    assert not held.admitted and not held.probe and held.why == "the cap"
    assert held.wake_s == pytest.approx(86_400 - 3600)
    clock.advance(86_400)
    assert b.admit(SCOPE, "a", NEWS).admitted and "usage-cap" not in b.windows(SCOPE)


def test_the_first_held_post_asks_and_the_others_wait_for_its_answer(
    redis_client: Redis, keys: Keys, clock: Clock
) -> None:
    b = budget(redis_client, keys, clock, probe_s=30.0)
    b.observe(SCOPE, [reading(0, T0 + 86_400)])
    assert not b.admit(SCOPE, "a", NEWS).admitted  # just confirmed by X: no reason to ask
    clock.advance(31)  # unconfirmed for longer than probe_s (as after a restarted sandbox)
    asked = b.admit(SCOPE, "a", NEWS)
    assert asked.admitted and asked.probe
    newer = b.admit(SCOPE, "b", Standing(Tier.NEWS, 0, T0 + 5))
    assert not newer.admitted and newer.until is not None and newer.until < clock() + 10
    assert newer.why == "asking X whether the rate window is spent"  # not skipped meanwhile
    b.observe(SCOPE, [reading(9, T0 + 3600)])  # the probe's answer: the count was reset
    assert b.admit(SCOPE, "b", Standing(Tier.NEWS, 0, T0 + 5)).admitted
