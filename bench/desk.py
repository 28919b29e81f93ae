"""Server time of the desk's pages with 10,000 articles and 100,000 ledger records.

Fills a throwaway namespace through the real stores (the article store's save script, the
ledger's Lua, the trending script, ``Managers`` for reshares and the audit log): 10,000 articles
over 30 days, 5 destinations and 2 revisions each (100,000 delivery records), the newest two
days' deliveries taken to ``sent`` (some ``failed``, 20 ``in_doubt``), trending events for 2,000
articles, 300 reshares of 2 destinations over next week (a tenth cancelled, a seventh evergreen
picks) and 10,000 more audit entries. Then it signs in through the form and requests each page
in-process (the real app, no sockets), reading the server's own time from the desk's
``Server-Timing`` header. The baseline of the same run is the Readers page, which only renders
the layout for a signed-in manager (issue 11 is not merged).

    PYTHONPATH=. .venv/bin/python bench/desk.py [--articles 10000] [--requests 30]

Uses Redis db 10 (DISTRIBUTOR_BENCH_REDIS_URL) under a namespace deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from pydantic import SecretStr
from redis import Redis

from distributor.api.app import create_app
from distributor.config import ApiToken, Settings
from distributor.desk.guard import DEMO_SCOPES
from distributor.models import Article
from distributor.wiring import Container, build_container
from tests.support.desk import sign_in
from tests.support.seed import seed_article_dict

REDIS_URL = os.environ.get("DISTRIBUTOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
TOKEN = "bench-desk-token-0123456789"  # noqa: S105 (a throwaway namespace)
DESTINATIONS = ("tg-main", "tg-politik", "tg-daerah", "x-main", "x-daerah")
CATEGORIES = ("Politik", "Bisnis", "Daerah", "Olahraga", "Hukum", "Opini")
ROUTING = """defaults = ["tg-main", "x-main"]
[[destinations]]
id = "tg-main"
platform = "telegram"
target = "@visualjambi"
[[destinations]]
id = "tg-politik"
platform = "telegram"
target = "@visualjambi_politik"
[[destinations]]
id = "tg-daerah"
platform = "telegram"
target = "-1001234567890"
[[destinations]]
id = "x-main"
platform = "x"
target = "visualjambi"
[[destinations]]
id = "x-daerah"
platform = "x"
target = "visualjambi_daerah"
"""


def fill(c: Container, articles: int, now: float) -> list[Article]:
    """Articles, their records and a little audience, through the real stores."""
    rng = random.Random(12)
    base = seed_article_dict("x")
    made = []
    span = 30 * 86_400
    for n in range(articles):
        at = datetime.fromtimestamp(now - span * n / articles, UTC)
        article = Article.model_validate({
            **base, "id": f"b{n:05d}", "title": f"Berita nomor {n}: {base['title']}",
            "category": CATEGORIES[n % len(CATEGORIES)], "published_at": at.isoformat(),
        })  # fmt: skip
        c.articles.save(article)
        for revision in (1, 2):
            c.ledger.ensure_all(article.id, DESTINATIONS, revision)
        made.append(article)
    recent = [a for a in made if a.published_at.timestamp() > now - 2 * 86_400]
    doubts = 0
    for i, article in enumerate(recent):
        for destination in DESTINATIONS:
            claim = c.ledger.claim(article.id, destination, 1)
            assert claim is not None
            if i % 50 == 7:
                c.ledger.record_failed(claim, "Telegram refused: Forbidden: bot was kicked")
            elif i % 40 == 3 and doubts < 20:
                c.ledger.record_in_doubt(claim, "Telegram outcome unknown: timed out")
                doubts += 1
            else:
                c.ledger.record_sent(claim, [str(1000 + i)], "sendPhoto")
    pipe = c.redis.pipeline(transaction=False)
    for article in made[:2000]:
        for _ in range(rng.randint(1, 5)):
            t = now - rng.uniform(0, 86_400)
            c.trending.queue_record(pipe, article.id, article.category, "view", 1, t)
        if len(pipe.command_stack) >= 1000:
            c.trending.execute(pipe)
    c.trending.execute(pipe)
    return made


def plan_reshares(c: Container, recent: list[Article], now: float) -> date:
    """300 reshares of two destinations each over next week (Monday first), through
    ``Managers`` (so audited), a tenth cancelled and a seventh marked as evergreen picks; then
    10,000 more audit entries. Returns next Monday."""
    zone = ZoneInfo(c.settings.timezone)
    today = datetime.fromtimestamp(now, zone).date()
    monday = today + timedelta(days=7 - today.weekday())
    start = datetime.combine(monday, time(6), zone).timestamp()
    for n in range(300):
        article = recent[n % len(recent)]
        at = start + n * (7 * 86_400 - 12 * 3600) / 300
        if n % 7 == 3:
            answer = c.reshares.request(
                article.id,
                actor="evergreen",
                at=at,
                force=True,
                destinations=["tg-main", "x-main"],
                source="evergreen",
            )
        else:
            answer = c.managers.reshare(
                f"desk-{n % 5}", article.id, at=at, force=True, destinations=["tg-main", "x-main"]
            )
        if n % 10 == 0:
            c.managers.cancel_reshare("desk-0", answer.reshare_id)
    pipe = c.redis.pipeline(transaction=False)
    for n in range(10_000):
        pipe.xadd(
            c.keys.audit(),
            {
                "at": repr(now - 10_000 + n),
                "actor": f"cli:user{n % 7}",
                "action": "token.create",
                "target": f"t{n}",
                "outcome": "ok",
                "detail": "",
            },
        )
    pipe.execute()
    return monday


def server_ms(client: TestClient, path: str, requests: int) -> list[float]:
    out = []
    for _ in range(requests):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        out.append(float(response.headers["server-timing"].split("dur=")[1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    routing = Path(tempfile.mkdtemp()) / "routing.toml"
    routing.write_text(ROUTING)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        redis_url=REDIS_URL, namespace=f"bench-desk-{uuid.uuid4().hex[:8]}", routing_file=routing,
        tokens=[ApiToken(name="bench", token=SecretStr(TOKEN), scopes=DEMO_SCOPES)],
    )  # fmt: skip
    container = build_container(settings, enqueue=lambda *a, **k: None)
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        now = clock.time()
        started = clock.perf_counter()
        made = fill(container, args.articles, now)
        recent = [a for a in made if a.published_at.timestamp() > now - 86_400]
        live = [a for a in recent if container.ledger.live_posts(a.id, ["tg-main", "x-main"])]
        monday = plan_reshares(container, live, now)
        failed = len(container.ledger.failed_items())
        print(f"{failed} failed deliveries, {len(live)} articles live to reshare")
        records = sum(1 for _ in redis.scan_iter(f"{settings.namespace}:delivery:*", count=5000))
        took = clock.perf_counter() - started
        print(f"filled {len(made):,} articles, {records:,} delivery records in {took:.0f} s")
        print(f"load average {os.getloadavg()}")
        client = TestClient(create_app(container))
        assert sign_in(client, TOKEN).status_code == 303
        today = datetime.fromtimestamp(now, ZoneInfo(settings.timezone)).date()
        busy = (today - timedelta(days=1)).isoformat()
        reshared = live[0].id
        pages = {
            "baseline: Readers (layout only)": "/manage/readers",
            "Today (a full day, 50 rows)": f"/manage?day={busy}",
            "Today, second page": f"/manage?day={busy}&page=1",
            "Today rows (the live refresh)": f"/manage/today/rows?day={busy}",
            "Article (10 records, history)": f"/manage/articles/{made[10].id}",
            "Article (reshare form, its reshares)": f"/manage/articles/{reshared}",
            "Attention (20 in doubt, failed index)": "/manage/attention",
            "Calendar (300 reshares in the week)": f"/manage/calendar?week={monday}",
            "Calendar (this week, none)": "/manage/calendar",
            "Audit (newest 200 of 10,300)": "/manage/audit",
            "Audit (filtered: reads all 10,300)": "/manage/audit?actor=desk-1&action=reshare.",
            "Trending now": "/manage/trending?window=now",
            "Trending week": "/manage/trending?window=week",
        }
        print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, path in pages.items():
            server_ms(client, path, 3)  # warm up (templates compiled, scripts loaded)
            times = sorted(server_ms(client, path, args.requests))
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(f"{name:<40} {statistics.median(times):>8.1f} {p95:>8.1f} {times[-1]:>8.1f}")
        client.close()
    finally:
        keys = list(redis.scan_iter(f"{settings.namespace}:*", count=5000))
        for i in range(0, len(keys), 5000):
            redis.delete(*keys[i : i + 5000])
        redis.close()
        container.close()


if __name__ == "__main__":
    main()
