"""A newsroom day on X against a 100-posts-per-24-hours user limit: the budget vs even pacing.

    PYTHONPATH=. .venv/bin/python bench/x_budget.py [--articles 150] [--seed 16]

The day: ``--articles`` articles in the seed's categories (Politik, Daerah, Bisnis, Opini), a
morning peak (45% between 06:00 and 10:00 WIB, 35% until 17:00, 20% until 23:00), 3% of them
breaking news. Both policies see the same day.

*budget* (this code): the real ``deliver()``, ledger, ``PostBudget`` (Lua) and governor on
Redis, the real formatter, a real tweepy client against the sandbox whose per-user window on
posting is 100 per 24 hours (and X's 1,667 per app). Time is moved, not waited for: one clock,
wall time plus an offset, drives the product and the sandbox together; each delivery that comes
back ``retry`` is run again at its ``retry_in``, as the task layer would. Default settings:
reserve 10% for breaking news, margin 1, max_delay 3 hours.

*even pacing* (the governor before this change): GCRA of 100 per 24 hours with a burst of 10,
one post per ~16 minutes after the burst, every post in arrival order, none ever skipped,
computed with the removed Lua's arithmetic on the same clock (no sandbox needed: it never
exceeds the window).

Redis: ``DISTRIBUTOR_BENCH_REDIS_URL`` (default the test database 8) under a throwaway
namespace, deleted at the end.
"""

from __future__ import annotations

import argparse
import heapq
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
from redis import Redis

from distributor.config import Settings
from distributor.formatting import FormatOptions, render
from distributor.keys import Keys
from distributor.models import Article, Destination
from distributor.publishers.base import LimitReading
from distributor.publishers.factory import build_x
from distributor.publishing.budget import PostBudget
from distributor.publishing.delivery import OutcomeKind, backoff, deliver
from distributor.publishing.ledger import Ledger
from distributor.publishing.priority import PriorityRules
from distributor.publishing.ratelimit import Limit, RateGovernor
from distributor.sandbox.config import SandboxConfig, XWindow
from distributor.sandbox.server import running_sandbox
from distributor.wiring import x_budget_policy

REDIS_URL = os.environ.get("DISTRIBUTOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
WIB = timezone(timedelta(hours=7))
DAY = 86_400
CATEGORIES = {"Politik": 0.30, "Daerah": 0.35, "Bisnis": 0.20, "Opini": 0.15}
RULES = PriorityRules(categories={"Politik": 3, "Daerah": 2, "Bisnis": 1, "Opini": 0})
ACCOUNT = Destination(id="x-main", platform="x", target="visualjambi")
SANDBOX = SandboxConfig(
    x_limits={
        "create_tweet": [
            XWindow(scope="user", requests=100, seconds=DAY, headers="24hour"),
            XWindow(scope="app", requests=1667, seconds=DAY, headers="24hour"),
        ]
    }
)


@dataclass
class Result:
    """What one policy did with the day."""

    delays: dict[str, float] = field(default_factory=dict)  # posted article → seconds late
    skipped: int = 0
    refused: int = 0  # 429s from X
    breaking: list[float] = field(default_factory=list)
    first_skip: float | None = None  # when the first post was given up


def newsroom_day(count: int, seed: int, midnight: float) -> list[Article]:
    """``count`` articles over one day in WIB with a morning peak, oldest first."""
    rng = random.Random(seed)
    spans = [(0.45, 6, 10), (0.35, 10, 17), (0.20, 17, 23)]
    out = []
    for n in range(count):
        pick, acc = rng.random(), 0.0
        start, end = spans[-1][1:]
        for share, lo, hi in spans:
            acc += share
            if pick < acc:
                start, end = lo, hi
                break
        at = midnight + rng.uniform(start, end) * 3600
        category = rng.choices(list(CATEGORIES), weights=list(CATEGORIES.values()))[0]
        out.append(
            Article(
                id=f"day-{n:03d}", url=f"https://visualjambi.com/berita/day-{n:03d}/",
                title=f"Berita {n:03d}: {category} hari ini", category=category,
                published_at=datetime.fromtimestamp(at, UTC), breaking=rng.random() < 0.03,
            )
        )  # fmt: skip
    return sorted(out, key=lambda a: a.published_at)


class MovedClock:
    """Wall time plus an offset that only moves forward, the sandbox's clock moved with it."""

    def __init__(self, sandbox_url: str) -> None:
        self.offset = 0.0
        self.sandbox_url = sandbox_url

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance_to(self, moment: float) -> None:
        step = moment - self()
        if step > 0:
            self.offset += step
            httpx.post(f"{self.sandbox_url}/sandbox/clock", json={"advance_seconds": step})


def run_budget(day: list[Article], clock: MovedClock, redis: Redis, keys: Keys) -> Result:
    """The day through the real deliver() and budget, against the sandbox."""
    settings = Settings(_env_file=None, sandbox=True, sandbox_url=clock.sandbox_url,  # type: ignore[call-arg]
                        x_probe_s=3600.0, routing_file=Path("routing.toml"))  # fmt: skip
    budget = PostBudget(redis, keys, x_budget_policy(settings), clock)
    governor = RateGovernor(redis, keys, budget=budget)
    ledger = Ledger(redis, keys, lease_s=60, clock=clock)

    def observe(readings: list[LimitReading]) -> None:
        budget.observe("x:default", readings)

    publisher = build_x(settings, None, observe, clock)  # type: ignore[arg-type]
    options = FormatOptions.from_settings(settings)
    result = Result()
    queue = [(a.published_at.timestamp(), n, a) for n, a in enumerate(day)]
    heapq.heapify(queue)
    while queue:
        at, n, item = heapq.heappop(queue)
        clock.advance_to(at)
        published = item.published_at.timestamp()
        if at == published:
            ledger.ensure(item.id, ACCOUNT.id, 1)  # the fan-out's record: max_delay starts
        outcome = deliver(
            item, ACCOUNT, "publish", ledger=ledger, governor=governor, publisher=publisher,
            render=lambda a, d: render(a, d, options), standing=RULES.standing(item),
            max_delay_s=settings.x_max_delay,
        )  # fmt: skip
        if outcome.kind is OutcomeKind.DONE:
            result.delays[item.id] = clock() - published
            if item.breaking:
                result.breaking.append(clock() - published)
        elif outcome.kind is OutcomeKind.SKIPPED:
            result.skipped += 1
            result.first_skip = result.first_skip or clock()
        elif outcome.kind is OutcomeKind.RETRY and outcome.retry_in is not None:
            result.refused += outcome.detail.startswith("X rate limit")
            heapq.heappush(queue, (clock() + outcome.retry_in, n, item))
        else:
            raise RuntimeError(f"{item.id}: unexpected {outcome}")
    return result


def run_even_pacing(day: list[Article], seed: int) -> Result:
    """The removed X limit: GCRA of 100 per 24 hours with a burst of 10 (``Limit.at_most``),
    its wait handed back as ``backoff(0, wait)``, first come first served."""
    limit = Limit.at_most("x:user", 100, DAY, 10)
    rng = random.Random(seed)
    result, tat = Result(), 0.0
    queue = [(a.published_at.timestamp(), n, a) for n, a in enumerate(day)]
    heapq.heapify(queue)
    while queue:
        at, n, item = heapq.heappop(queue)
        allow_at = max(tat, at) + limit.interval_s - limit.burst * limit.interval_s
        if allow_at > at:
            heapq.heappush(queue, (at + backoff(0, allow_at - at, rng=rng.random), n, item))
            continue
        tat = max(tat, at) + limit.interval_s
        result.delays[item.id] = at - item.published_at.timestamp()
        if item.breaking:
            result.breaking.append(at - item.published_at.timestamp())
    return result


def describe(name: str, result: Result, day: list[Article]) -> str:
    delays = sorted(result.delays.values())
    end = day[0].published_at.timestamp() + DAY
    by_day = sum(1 for a in day if a.id in result.delays
                 and a.published_at.timestamp() + result.delays[a.id] <= end)  # fmt: skip
    median = statistics.median(delays) if delays else 0.0
    p95 = delays[max(0, round(0.95 * len(delays)) - 1)] if delays else 0.0
    breaking = max(result.breaking, default=0.0)
    return (
        f"| {name} | {len(delays)} | {by_day} | {result.skipped} | {clock_text(median)} | "
        f"{clock_text(p95)} | {clock_text(breaking)} | {result.refused} |"
    )


def clock_text(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    load = os.getloadavg()
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    keys = Keys(prefix=f"bench-xbudget-{uuid.uuid4().hex[:8]}")
    started = time.perf_counter()
    try:
        with running_sandbox(SANDBOX) as url:
            clock = MovedClock(url)
            midnight = datetime.fromtimestamp(clock(), WIB).replace(hour=0, minute=0, second=0)
            day = newsroom_day(args.articles, args.seed, (midnight + timedelta(days=1)).timestamp())
            budget = run_budget(day, clock, redis, keys)
        paced = run_even_pacing(day, args.seed)
    finally:
        stale = list(redis.scan_iter(f"{keys.prefix}:*"))
        if stale:
            redis.delete(*stale)
        redis.close()
    breaking = sum(a.breaking for a in day)
    print(f"{len(day)} articles ({breaking} breaking), 100 posts / 24 h per user; "
          f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"replayed in {time.perf_counter() - started:.1f} s")  # fmt: skip
    print("| policy | posted | posted within the day | skipped | median delay | p95 delay "
          "| worst breaking | 429s |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(describe("budget: spend at once, by priority, max_delay 3 h", budget, day))
    print(describe("even pacing (before)", paced, day))
    if budget.first_skip is not None:
        first = datetime.fromtimestamp(budget.first_skip, WIB).strftime("%H:%M WIB")
        print(f"budget: the window's news share was spent by {first}; later news was skipped")


if __name__ == "__main__":
    main()
