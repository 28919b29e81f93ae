"""The X budget end to end: the API, real Celery workers, the sandbox's small per-user window.

A burst posts what the window allows at once; the rest wait (Celery countdowns, no pacing) and
go in priority order each time the window reopens; the worker's console says they are held.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from distributor.models import Article
from distributor.publishing.priority import PriorityRules
from tests.support.spine import Spine, wait_until
from tests.support.xbudget import article

WINDOW_S = 6
ROUTING = """
defaults = ["x-main"]

[[destinations]]
id = "x-main"
platform = "x"
target = "newsdesk"

[priority]
categories = { Politik = 3, Daerah = 2, Bisnis = 1, Opini = 0 }
"""
RULES = PriorityRules(categories={"Politik": 3, "Daerah": 2, "Bisnis": 1, "Opini": 0})


def test_a_burst_posts_at_once_then_by_priority_as_the_window_reopens(
    make_spine: Any, tmp_path: Path
) -> None:
    routing = tmp_path / "routing.toml"
    routing.write_text(ROUTING, encoding="utf-8")
    spine: Spine = make_spine(routing_file=routing, x_budget_margin=0, x_budget_reserve=0)
    window = {"scope": "user", "requests": 2, "seconds": WINDOW_S, "headers": "rate"}
    config = {"x_limits": {"create_tweet": [window]}}
    httpx.patch(f"{spine.sandbox.url}/sandbox/config", json=config).raise_for_status()
    worker = spine.worker(concurrency=2)
    now = datetime.now(UTC).timestamp()
    categories = ["Opini", "Bisnis", "Politik", "Daerah", "Opini", "Politik"]
    burst = [article(n, c, at=now - 60 + n) for n, c in enumerate(categories)]
    for item in burst:
        event = {"type": "article.published", "article": item.model_dump(mode="json")}
        assert spine.publish(event).status_code == 202
    wait_until(lambda: len(live(spine)) == len(burst), timeout=60, what="every tweet")
    waves = split_waves(live(spine))
    assert [len(w) for w in waves] == [2, 2, 2], waves
    remaining = [item for item in burst if item.title not in waves[0]]
    ranked = [item.title for item in sorted(remaining, key=rank)]
    assert set(waves[1]) == set(ranked[:2]) and set(waves[2]) == set(ranked[2:])
    assert "held for x:default" in worker.read_log()


def rank(item: Article) -> float:
    return -RULES.standing(item).score


def live(spine: Spine) -> list[dict[str, Any]]:
    return [t for t in spine.sandbox.tweets() if not t["deleted"]]


def split_waves(tweets: list[dict[str, Any]]) -> list[list[str]]:
    """Titles grouped by window: a gap of more than half a window starts a new one."""
    waves: list[list[str]] = []
    last = None
    for tweet in sorted(tweets, key=lambda t: t["received_at"]):
        if last is None or tweet["received_at"] - last > WINDOW_S / 2:
            waves.append([])
        waves[-1].append(tweet["posted_text"].splitlines()[0].split(" https://")[0])
        last = tweet["received_at"]
    return waves
