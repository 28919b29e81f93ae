"""The managers' hot spots on a real Redis, each beside a baseline from the same run.

- a reshare request (guard rails, one Lua accept, one Lua fire; sends collected) against the
  ledger's one-round-trip ``snapshot`` a delivery starts with;
- firing 1,000 due reshares at once (what one beat tick does after a busy evening);
- authenticating a stored token (one HGETALL, a SHA-256, one HSET) against a DISTRIBUTOR_TOKENS
  one (in memory, one HSET);
- one evergreen decision over 1,000 candidate articles (the heaviest tick);
- reading the newest 100 of 10,000 audit entries.

    PYTHONPATH=. .venv/bin/python bench/managers.py [--requests 2000]

Uses Redis db 11 (``DISTRIBUTOR_BENCH_REDIS_URL`` to change) under a throwaway namespace,
deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from redis import Redis

from bench._support import machine, percentiles
from distributor.config import ApiToken
from distributor.keys import Keys
from distributor.manage.audit import AuditLog
from distributor.manage.evergreen import Evergreen, Record
from distributor.manage.tokens import TokenStore
from distributor.models import Article, Destination
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import Ledger
from distributor.publishing.reshares.service import Reshares
from distributor.publishing.reshares.store import ReshareStore
from distributor.publishing.routing.loader import parse_routing

REDIS_URL = os.environ.get("DISTRIBUTOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
TZ = ZoneInfo("Asia/Jakarta")
ROUTING = """
defaults = ["tg-main", "x-main"]
[[destinations]]
id = "tg-main"
platform = "telegram"
target = "@bench"
[[destinations]]
id = "x-main"
platform = "x"
target = "bench"
[evergreen.tg-main]
interval_h = 3
min_age_days = 1
max_age_days = 400
"""


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def line(label: str, values: list[float]) -> str:
    p = percentiles(values)
    return f"{label:<34} p50 {p['p50']:7.3f} ms  p99 {p['p99']:7.3f} ms  ({len(values)})"


def article(n: int, age_days: float, now: float) -> Article:
    return Article.model_validate({
        "id": f"bench-{n}", "url": f"https://news.example.com/{n}", "title": f"Berita {n}",
        "category": "Politik", "published_at": datetime.fromtimestamp(now - age_days * 86_400, UTC),
    })  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    keys = Keys(prefix=f"bench-{uuid.uuid4().hex[:8]}")
    routing = parse_routing(ROUTING)
    ledger, articles = Ledger(redis, keys), ArticleStore(redis, keys)
    sent: list[tuple[str, Destination]] = []
    store = ReshareStore(redis, keys)
    reshares = Reshares(store, ledger, articles, routing, lambda r, d: sent.append((r, d)),
                        tz=TZ, stale_s=900)  # fmt: skip
    print(machine())
    try:
        now = time.time()
        count = 1000
        for n in range(count):  # published 2 to 300 days ago, posted at both destinations
            articles.save(article(n, 2 + n * 0.3, now))
            for dest in ("tg-main", "x-main"):
                claim = ledger.claim(f"bench-{n}", dest, 1)
                assert claim is not None
                ledger.record_sent(claim, [str(n + 1)])
        ids = iter(range(10**9))
        print(
            line(
                "baseline: ledger.snapshot",
                timed(
                    lambda: ledger.snapshot(f"bench-{next(ids) % count}", "tg-main", 1),
                    args.requests,
                ),
            )
        )
        print(line("reshare request (2 destinations)", timed(
            lambda: reshares.request(f"bench-{next(ids) % count}", actor="bench", force=True),
            args.requests)))  # fmt: skip

        for n in range(count):  # 1,000 destinations due at once
            reshares.request(f"bench-{n}", actor="bench", force=True, at=now + 60,
                             destinations=["tg-main"])  # fmt: skip
        sent.clear()
        later = Reshares(store, ledger, articles, routing, lambda r, d: sent.append((r, d)),
                         tz=TZ, stale_s=900, clock=lambda: now + 61)  # fmt: skip
        start, fired = time.perf_counter(), 0
        while (batch := later.fire_due()) > 0:
            fired += batch
        took = time.perf_counter() - start
        print(f"{'fire 1,000 due reshares':<34} {took * 1e3:7.1f} ms "
              f"({fired / took:,.0f}/s; {len(sent)} sent)")  # fmt: skip

        env = ApiToken(
            name="env", token=SecretStr("env-token-bench-0123"), scopes=frozenset({"reshare"})
        )
        tokens = TokenStore(redis, keys, [env])
        plain, _ = tokens.create("bench", ["reshare"], created_by="bench", expires_in_s=3600)
        print(
            line(
                "baseline: env token",
                timed(lambda: tokens.authenticate(env.token.get_secret_value()), args.requests),
            )
        )
        print(line("stored token (hash)", timed(lambda: tokens.authenticate(plain), args.requests)))

        audit = AuditLog(redis, keys)
        evergreen = Evergreen(redis, keys, routing, articles, ledger,
                              lambda a: Record(clicks=hash(a) % 500), reshares, audit, tz=TZ,
                              clock=lambda: now + 86_400)  # fmt: skip
        rules = routing.evergreen["tg-main"]
        print(line("evergreen decide, 1,000 articles", timed(
            lambda: evergreen.decide("tg-main", rules, now + 86_400, None), 20)))  # fmt: skip

        pipe = redis.pipeline(transaction=False)
        for n in range(10_000):
            entry = {"at": repr(now), "actor": "bench", "action": "reshare.create",
                     "target": f"bench-{n}", "outcome": "ok", "detail": ""}  # fmt: skip
            pipe.xadd(keys.audit(), entry)  # type: ignore[arg-type]
        pipe.execute()
        print(line("audit: newest 100 of 10,000", timed(lambda: audit.read(limit=100), 200)))
    finally:
        stale = list(redis.scan_iter(f"{keys.prefix}:*", count=5000))
        for i in range(0, len(stale), 1000):
            redis.delete(*stale[i : i + 1000])
        redis.close()


if __name__ == "__main__":
    main()
