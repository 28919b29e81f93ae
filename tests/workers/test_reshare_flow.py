"""Reshares against the sandbox (flood control on) through real workers and beats: the cooldown
refuses, force posts once per destination, X never sees a duplicate text, a scheduled reshare
fires once with two beats running, cancelling works, unpublish removes reshare posts too, and a
worker killed mid-reshare never makes it post twice."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from distributor.errors import PermanentError
from distributor.manage.tokens import SCOPES
from distributor.models import DeliveryState, RenderedPost
from distributor.queue.broker import create_celery
from distributor.queue.names import MAINTENANCE_QUEUE, RECONCILE
from tests.support.processes import Service
from tests.support.seed import seed_event
from tests.support.spine import Spine, wait_until

A = "reshare-me"
REF = f"/v1/articles/{A}/reshares"


def _published(spine: Spine) -> dict[str, str]:
    """Publish the seed article (tg-main and x-main), wait for both posts; the auth header."""
    event = seed_event(article_id=A)
    event["article"]["category"] = "Bisnis"
    assert spine.publish(event).status_code == 202
    wait_until(lambda: {d.state for d in spine.deliveries(A).values()} == {DeliveryState.SENT}
               and len(spine.deliveries(A)) == 2, what="the article posted")  # fmt: skip
    plain, _ = spine.container.tokens.create("desk", sorted(SCOPES), created_by="test",
                                             expires_in_s=3600)  # fmt: skip
    return {"Authorization": f"Bearer {plain}"}


def _reshare_states(spine: Spine, reshare_id: str) -> set[str]:
    found = spine.container.reshares.get(reshare_id)
    assert found is not None
    return {t.status.value for t in found.targets}


def _live(spine: Spine) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    messages = [m for m in spine.sandbox.messages("@visualjambi") if not m["deleted"]]
    return messages, [t for t in spine.sandbox.tweets() if not t["deleted"]]


def test_cooldown_force_distinct_tweets_and_unpublish(make_spine: Any) -> None:
    spine: Spine = make_spine()
    spine.worker()
    auth = _published(spine)

    refused = spine.api.post(REF, json={}, headers=auth)
    assert refused.status_code == 409 and "cooldown until" in refused.json()["error"]["message"]

    forced = spine.api.post(REF, json={"force": True}, headers=auth)
    assert forced.status_code == 202, forced.text
    first = forced.json()["id"]
    wait_until(lambda: _reshare_states(spine, first) == {"sent"}, what="both reshares sent")
    messages, tweets = _live(spine)
    assert len(messages) == 2 and len(tweets) == 2  # nothing from the refused one, one each
    assert not messages[0]["edited"] and messages[1]["message_id"] > messages[0]["message_id"]

    ids = [first]
    for n in (3, 4):  # the third and fourth post of the article on X
        again = spine.api.post(REF, json={"force": True, "destinations": ["x-main"]},
                               headers=auth)  # fmt: skip
        assert again.status_code == 202, again.text
        ids.append(again.json()["id"])
        wait_until(lambda: _reshare_states(spine, ids[-1]) == {"sent"}, what=f"tweet {n}")
    _, tweets = _live(spine)
    texts = [t["posted_text"] for t in tweets]
    assert len(texts) == 4 and len(set(texts)) == 4
    assert spine.container.ledger.failed_items() == []
    # the sandbox refuses a duplicate text as X does: what the reshares never sent
    with pytest.raises(PermanentError, match="duplicate content"):
        spine.container.publisher("x").publish(
            spine.container.routing.get("x-main"),
            RenderedPost(platform="x", method="tweet", text=texts[-1]),
        )

    gone = seed_event("article.unpublished", article_id=A)
    gone["article"]["category"] = "Bisnis"
    assert spine.publish(gone).status_code == 202
    wait_until(lambda: _live(spine) == ([], []), what="originals and reshares deleted")
    reshares = spine.container.ledger.list_deliveries(A, reshares=True)
    assert len(reshares) == 4 and {d.state for d in reshares} == {DeliveryState.DELETED}
    after = spine.api.post(REF, json={"force": True}, headers=auth)
    assert after.status_code == 409 and "unpublished" in after.json()["error"]["message"]


def test_a_scheduled_reshare_fires_once_with_two_beats_and_a_cancelled_one_never(
    make_spine: Any, tmp_path: Path
) -> None:
    spine: Spine = make_spine()
    worker = spine.worker()
    auth = _published(spine)
    beats = []
    for n in (1, 2):
        folder = tmp_path / f"beat{n}"
        folder.mkdir()
        beat = Service(["beat"], spine.env, tmp_path / f"beat{n}.log", cwd=folder)
        spine.services.append(beat.start("beat: Starting"))
        beats.append(beat)

    at = (datetime.now(UTC) + timedelta(seconds=5)).isoformat()
    kept = spine.api.post(REF, json={"force": True, "at": at}, headers=auth).json()
    dropped = spine.api.post(REF, json={"force": True, "at": at, "destinations": ["tg-main"]},
                             headers=auth).json()  # fmt: skip
    assert {d["status"] for d in kept["destinations"]} == {"scheduled"}
    assert spine.api.delete(f"/v1/reshares/{dropped['id']}", headers=auth).status_code == 200

    wait_until(lambda: _reshare_states(spine, kept["id"]) == {"sent"}, what="fired and sent")
    wait_until(lambda: spine.redis.zcard(spine.container.keys.reshare_firing()) == 0,
               what="settled")  # fmt: skip
    for beat in beats:  # both kept firing meanwhile: several rounds each after the due time
        fired = beat.read_log().count("distributor.fire_reshares")
        wait_until(lambda b=beat, f=fired: b.read_log().count("distributor.fire_reshares") >= f + 2,
                   timeout=20, what="two more firing rounds")  # fmt: skip
    messages, tweets = _live(spine)
    assert len(messages) == 2 and len(tweets) == 2  # the original and one reshare each
    received = re.findall(r"distributor\.deliver_reshare\[[^\]]+\] received", worker.read_log())
    assert len(received) == 2  # fired once: one delivery task per destination, never more
    assert _reshare_states(spine, dropped["id"]) == {"cancelled"}


def test_a_worker_killed_during_an_x_reshare_never_posts_it_twice(make_spine: Any) -> None:
    spine: Spine = make_spine()
    worker = spine.worker()
    auth = _published(spine)
    # X takes the reshare, then the answer hangs: the worker dies before recording it
    spine.sandbox.fault(platform="x", method="create_tweet", kind="hang", after=True,
                        hang_seconds=20)  # fmt: skip
    answer = spine.api.post(REF, json={"force": True, "destinations": ["x-main"]}, headers=auth)
    reshare_id = answer.json()["id"]
    wait_until(lambda: len(_live(spine)[1]) == 2, what="the reshare tweeted")
    wait_until(lambda: _reshare_states(spine, reshare_id) == {"sending"}, what="claimed")
    worker.kill()
    spine.worker()
    producer = create_celery(spine.settings)
    try:

        def settled() -> bool:
            producer.send_task(RECONCILE, queue=MAINTENANCE_QUEUE)
            time.sleep(0.5)
            return _reshare_states(spine, reshare_id) == {"sent"}

        wait_until(settled, timeout=60, what="found on the timeline, not posted again")
        time.sleep(spine.settings.visibility_timeout_s + 2)  # any late redelivery has happened
    finally:
        producer.close()
    _, tweets = _live(spine)
    assert len(tweets) == 2  # the original and the reshare, once
    [record] = spine.container.ledger.list_deliveries(A, reshares=True)
    assert record.message_ids == (tweets[-1]["id"],)  # the reshare's, not the original's
