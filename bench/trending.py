"""Top-20 reads of a trending board holding 100,000 articles.

Fills the boards through ``Trending.record`` (the real Lua path) in pipelines, then times
``Trending.top(limit=20)`` (one pipelined HGET + ZREVRANGE) for the global board and a
category board, and prints p50 / p99 / max.

    PYTHONPATH=. .venv/bin/python bench/trending.py [--articles 100000] [--reads 5000]

Uses Redis db 11 under a throwaway namespace, deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid

from redis import Redis

from distributor.audience.trending import EVENT_KINDS, Trending
from distributor.keys import Keys

REDIS_URL = os.environ.get("DISTRIBUTOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
CATEGORIES = 12


def fill(board: Trending, redis: Redis, articles: int, start: float) -> None:
    rng = random.Random(7)
    pipe = redis.pipeline(transaction=False)
    for n in range(articles):
        kind = EVENT_KINDS[n % len(EVENT_KINDS)]
        t = start + rng.uniform(0, 86_400)
        count = 1 + int(rng.paretovariate(1.2))
        board.queue_record(pipe, f"art-{n}", f"Kategori {n % CATEGORIES}", kind, count, t)
        if len(pipe.command_stack) >= 1000:
            board.execute(pipe)
    board.execute(pipe)


def time_reads(board: Trending, reads: int, category: str | None) -> list[float]:
    out = []
    for _ in range(reads):
        start = time.perf_counter()
        entries = board.top("now", category, 20)
        out.append(time.perf_counter() - start)
        assert len(entries) == 20
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=5000)
    args = parser.parse_args()
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    keys = Keys(prefix=f"bench-{uuid.uuid4().hex[:8]}")
    now = time.time()
    board = Trending(redis, keys, clock=lambda: now + 86_400)
    try:
        began = time.perf_counter()
        fill(board, redis, args.articles, now)
        size = redis.zcard(keys.trend_board("now", "all"))
        print(f"filled {size} articles in {time.perf_counter() - began:.1f} s")
        time_reads(board, 200, None)  # warm-up
        for label, category in (("global", None), ("category", "Kategori 3")):
            lat = sorted(time_reads(board, args.reads, category))
            p99 = lat[int(0.99 * len(lat))] * 1e3
            print(
                f"top-20 {label:8s}  p50 {statistics.median(lat) * 1e3:.3f} ms"
                f"  p99 {p99:.3f} ms  max {lat[-1] * 1e3:.3f} ms"
                f"  ({len(lat)} reads; target p99 <= 2 ms)"
            )
    finally:
        stale = list(redis.scan_iter(f"{keys.prefix}:*", count=5000))
        for i in range(0, len(stale), 1000):
            redis.delete(*stale[i : i + 1000])
        redis.close()


if __name__ == "__main__":
    main()
