"""Readers end to end: the bot process and `distributor worker` processes against the sandbox.

Readers subscribe through the sandbox (as they would in Telegram), an article is published
through the API, and each matching reader gets it once, edited and deleted with it; a worker
SIGKILLed in the middle of a fan-out to 2,000 readers still leaves every one with exactly one
message.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from distributor.audience.readers.records import Job
from distributor.queue.broker import create_celery
from distributor.queue.names import MAINTENANCE_QUEUE, READERS_SWEEP
from tests.support.processes import Service
from tests.support.readers import PROBE_CHAT, Sandbox, wait_for
from tests.support.seed import seed_event
from tests.support.spine import Spine

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _sandbox(spine: Spine) -> Sandbox:
    sandbox = Sandbox(spine.sandbox.url)
    sandbox.chat(PROBE_CHAT, "channel")
    return sandbox


def _got(sandbox: Sandbox, url: str) -> dict[int, int]:
    """Live messages that link ``url``, by private chat."""
    counts: dict[int, int] = {}
    for m in sandbox.from_bot():
        if m["chat_id"] > 0 and url in str(m["link_preview_options"]):
            counts[m["chat_id"]] = counts.get(m["chat_id"], 0) + 1
    return counts


def test_readers_subscribe_through_the_bot_and_get_each_article_once(make_spine: Any) -> None:
    spine: Spine = make_spine(telegram_probe_chat=str(PROBE_CHAT))
    sandbox = _sandbox(spine)
    bot = Service(["bot"], spine.env, spine.logs / "bot.log").start("distributor bot ready", 60)
    spine.services.append(bot)
    spine.worker()
    wanted = {8001: "/subscribe Politik", 8002: "/subscribe politik, al haris",
              8003: "/subscribe Opini", 8004: "/subscribe Politik"}  # fmt: skip
    for chat, text in wanted.items():
        sandbox.say(chat, text)
    sandbox.say(8005, "/subscribe Politik")
    sandbox.say(8005, "/stop")  # changed their mind
    subs = spine.container.subscriptions
    wait_for(lambda: subs.count() == 4, what="four readers")
    sandbox.patch_chat(8004, blocked=True)  # the bot hears of it: the reader is forgotten
    wait_for(lambda: subs.get(8004) is None, what="8004 forgotten")

    event = seed_event(article_id="rd-1")  # Politik, tags al haris, gubernur, rakor
    url = event["article"]["url"]
    assert spine.publish(event).status_code == 202
    got = wait_for(lambda: (g := _got(sandbox, url)) and len(g) == 2 and g, what="2 readers")
    time.sleep(1)  # nothing more arrives
    assert _got(sandbox, url) == {8001: 1, 8002: 1} == got  # 8002 matched twice: one message
    records = spine.container.reader_sends.records(Job("send", "rd-1"))
    assert {chat: r.state for chat, r in records.items()} == {8001: "s", 8002: "s"}

    event["type"], event["article"]["revision"] = "article.updated", 2
    event["article"]["title"] = "Judul baru"
    assert spine.publish(event).status_code == 202
    wait_for(lambda: all(m["text"].startswith("Judul baru") for m in sandbox.from_bot(8001)[-1:]),
             what="the reader's message edited")  # fmt: skip
    event["type"] = "article.unpublished"
    assert spine.publish(event).status_code == 202
    wait_for(lambda: _got(sandbox, url) == {}, what="readers' messages deleted")


def test_a_worker_killed_mid_fan_out_leaves_every_reader_with_one_message(
    make_spine: Any,
) -> None:
    spine: Spine = make_spine(
        telegram_probe_chat=str(PROBE_CHAT), visibility_timeout_s=8, lease_s=3,
        http_timeout_s=3, readers_paid_broadcast=True, readers_lanes=2, readers_in_flight=4,
        outbox_stale_s=20,
    )  # fmt: skip
    sandbox = _sandbox(spine)
    readers = list(range(100_001, 102_001))
    t0 = time.monotonic()
    sandbox.private_chats(readers)
    subs = spine.container.subscriptions
    for chat in readers:
        subs.touch(chat, "id")
    with spine.redis.pipeline(transaction=False) as pipe:
        for chat in readers:
            pipe.sadd(spine.container.keys.readers_of_topic("politik"), chat)
            pipe.sadd(spine.container.keys.reader_topics(chat), "politik")
        pipe.execute()
    print(f"setup {time.monotonic() - t0:.1f}s")
    worker = spine.worker()
    event = seed_event(article_id="rd-crash")
    url = event["article"]["url"]
    assert spine.publish(event).status_code == 202

    wait_for(lambda: len(_got(sandbox, url)) >= 300, what="the fan-out under way")
    worker.kill()  # SIGKILL: main process and pool
    killed_at = len(_got(sandbox, url))
    assert killed_at < len(readers), "the fan-out finished before the kill"
    spine.worker()
    producer = create_celery(spine.settings)
    t0 = time.monotonic()
    try:

        def everyone() -> bool:
            producer.send_task(READERS_SWEEP, queue=MAINTENANCE_QUEUE)  # settles the doubts
            time.sleep(1)
            return len(_got(sandbox, url)) == len(readers)

        wait_for(everyone, timeout=120, what="every reader reached")
        print(f"all reached {time.monotonic() - t0:.1f}s after the restart")
        time.sleep(spine.settings.visibility_timeout_s)  # any late redelivery has run

        def states() -> set[str]:
            # a doubt no later send bounds is looked for once outbox_stale_s has passed
            producer.send_task(READERS_SWEEP, queue=MAINTENANCE_QUEUE)
            time.sleep(1)
            job = Job("send", "rd-crash")
            return {r.state for r in spine.container.reader_sends.records(job).values()}

        wait_for(lambda: states() == {"s"}, timeout=60, what="every send recorded")
    finally:
        producer.close()
    got = _got(sandbox, url)
    assert set(got) == set(readers) and set(got.values()) == {1}
    print(f"killed after {killed_at} of {len(readers)} readers")
