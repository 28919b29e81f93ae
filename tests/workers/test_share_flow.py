"""Beat's share jobs through real workers: tweet metrics, trending on unpublish, the digest."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import httpx

from distributor.models import DeliveryState
from distributor.queue.broker import create_celery
from distributor.queue.names import MAINTENANCE_QUEUE, POLL_METRICS, SEND_DIGEST
from tests.support.seed import seed_event
from tests.support.shares import SITE_ORIGIN
from tests.support.spine import Spine, wait_until


def _run(spine: Spine, task: str) -> None:
    producer = create_celery(spine.settings)
    producer.send_task(task, queue=MAINTENANCE_QUEUE)
    producer.close()


def test_tweet_metrics_flow_into_share_counts_and_unpublish_leaves_trending(
    make_spine: Any,
) -> None:
    spine: Spine = make_spine()
    spine.worker()
    event = seed_event(article_id="art-mflow")
    assert spine.publish(event).status_code == 202
    wait_until(lambda: spine.deliveries("art-mflow").get("x-main") is not None
               and spine.deliveries("art-mflow")["x-main"].state is DeliveryState.SENT)  # fmt: skip
    [tweet] = spine.sandbox.tweets()
    metrics = {"retweet_count": 7, "quote_count": 2, "like_count": 30, "reply_count": 4}
    httpx.post(f"{spine.sandbox.url}/sandbox/x/tweets/{tweet['id']}/metrics", json=metrics)

    def shares() -> dict[str, Any]:
        return dict(spine.api.get("/v1/articles/art-mflow/shares").json())

    for _ in range(2):  # polling twice must not count the same retweets twice
        _run(spine, POLL_METRICS)
        wait_until(lambda: shares()["total"] == 9, what="9 platform shares (7 RT + 2 quotes)")
        time.sleep(0.5)
    assert shares()["platform"]["x"]["shares"] == 9
    top = spine.api.get("/v1/trending", params={"window": "now"}).json()
    assert "art-mflow" in str(top)
    out = subprocess.run(
        [sys.executable, "-m", "distributor", "trending", "--json"],
        env=spine.env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    [row] = json.loads(out.stdout)
    assert row["id"] == "art-mflow" and row["label"].startswith("9 shares")

    gone = seed_event("article.unpublished", article_id="art-mflow")
    assert spine.publish(gone).status_code == 202
    wait_until(lambda: "art-mflow" not in str(spine.api.get("/v1/trending").json()),
               what="the article off the board")  # fmt: skip


def test_daily_digest_is_posted_once_however_often_beat_fires(make_spine: Any) -> None:
    spine: Spine = make_spine(digest_chat="@visualjambi_politik", site_origins=[SITE_ORIGIN])
    spine.worker()
    event = seed_event(article_id="digested")
    event["article"]["category"] = "Bisnis"  # not routed to the politik channel
    assert spine.publish(event).status_code == 202
    wait_until(lambda: len(spine.deliveries("digested")) == 2)
    reader = {"User-Agent": "Mozilla/5.0 reader", "Origin": SITE_ORIGIN}
    assert spine.api.post("/v1/articles/digested/views", headers=reader).json()["counted"]

    for _ in range(3):
        _run(spine, SEND_DIGEST)
    wait_until(lambda: len(spine.sandbox.messages("@visualjambi_politik")) == 1, what="digest")
    time.sleep(2)
    [digest] = spine.sandbox.messages("@visualjambi_politik")
    assert "Terpopuler" in digest["text"]
    assert "Gubernur Al Haris" in digest["text"]
