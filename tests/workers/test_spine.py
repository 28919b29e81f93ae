"""A published article reaches Telegram and X exactly once, through real workers."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from typing import Any

from distributor.models import DeliveryState
from distributor.queue.broker import create_celery
from distributor.queue.names import FAN_OUT, FAN_OUT_QUEUE
from tests.support.seed import seed_event
from tests.support.spine import Spine, wait_until


def _all_sent(spine: Spine, article_id: str, count: int) -> bool:
    deliveries = spine.deliveries(article_id)
    return len(deliveries) == count and all(
        d.state is DeliveryState.SENT for d in deliveries.values()
    )


def test_seed_article_posts_once_everywhere_and_status_shows_ids(make_spine: Any) -> None:
    spine: Spine = make_spine()
    spine.worker()
    event = seed_event()
    resp = spine.publish(event)
    assert resp.status_code == 202, resp.text

    article_id = event["article"]["id"]
    wait_until(lambda: _all_sent(spine, article_id, 3), what="three sent deliveries")
    main, politik = (
        spine.sandbox.messages("@visualjambi"),
        spine.sandbox.messages("@visualjambi_politik"),
    )
    tweets = spine.sandbox.tweets()
    assert len(main) == len(politik) == len(tweets) == 1
    assert "Gubernur Al Haris" in main[0]["caption"]
    assert event["article"]["url"] in json.dumps(main[0]["reply_markup"])
    assert tweets[0]["text"].startswith("Gubernur Al Haris")

    out = subprocess.run(
        [sys.executable, "-m", "distributor", "status", article_id, "--json"],
        env=spine.env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    status = {d["destination"]: d for d in json.loads(out.stdout)["deliveries"]}
    assert status["tg-main"]["state"] == "sent"
    assert status["tg-main"]["message_ids"] == [str(main[0]["message_id"])]
    assert status["x-main"]["message_ids"] == [tweets[0]["id"]]

    log = (spine.logs / "worker.log").read_text(encoding="utf-8")
    assert "HTTP Request: POST" in log  # httpx's request lines are written...
    assert spine.settings.telegram_token_value() not in log  # ...without the bot token


def test_same_event_five_times_at_once_posts_once(make_spine: Any) -> None:
    spine: Spine = make_spine()
    spine.worker()
    event = seed_event()
    results: list[dict[str, Any]] = []
    now = int(time.time())

    def send(signed_at: int) -> None:  # the CMS retrying: each request freshly signed
        results.append(spine.publish(event, signed_at).json())

    # five distinct signatures (a repeated one is a replay, refused before dedupe)
    threads = [threading.Thread(target=send, args=(now - i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r["event_id"] for r in results}) == 1
    assert sorted(r["duplicate"] for r in results) == [False, True, True, True, True]

    # and past the API's dedupe: five fan-outs of the same event straight onto the queue
    producer = create_celery(spine.settings)
    for _ in range(5):
        producer.send_task(FAN_OUT, kwargs={"event": event}, queue=FAN_OUT_QUEUE)
    producer.close()

    wait_until(lambda: _all_sent(spine, event["article"]["id"], 3), what="three sent deliveries")
    wait_until(lambda: spine.redis.llen(f"{spine.settings.namespace}:celery:{FAN_OUT_QUEUE}") == 0)
    assert len(spine.sandbox.messages("@visualjambi")) == 1
    assert len(spine.sandbox.messages("@visualjambi_politik")) == 1
    assert len(spine.sandbox.tweets()) == 1


def test_update_edits_in_place_and_unpublish_deletes(make_spine: Any) -> None:
    spine: Spine = make_spine()
    spine.worker()
    first = seed_event(article_id="lifecycle")
    first["article"]["category"] = "Bisnis"  # tg-main and x-main
    assert spine.publish(first).status_code == 202
    wait_until(lambda: _all_sent(spine, "lifecycle", 2), what="first revision sent")

    second = seed_event("article.updated", article_id="lifecycle", revision=2)
    second["article"].update(category="Bisnis", title="Gubernur Al Haris Tutup Rakor Politik")
    assert spine.publish(second).status_code == 202

    def edited() -> bool:
        [msg] = spine.sandbox.messages("@visualjambi")
        return bool(msg["edited"]) and "Tutup Rakor" in msg["caption"]

    wait_until(edited, what="the Telegram post edited in place")
    wait_until(lambda: _all_sent(spine, "lifecycle", 2), what="second revision settled")
    assert len(spine.sandbox.tweets()) == 1  # X cannot edit: the first post stays

    gone = seed_event("article.unpublished", article_id="lifecycle", revision=2)
    gone["article"]["category"] = "Bisnis"
    assert spine.publish(gone).status_code == 202
    wait_until(
        lambda: (
            all(m["deleted"] for m in spine.sandbox.messages())
            and all(t.get("deleted") for t in spine.sandbox.tweets())
        ),
        what="every post deleted",
    )
