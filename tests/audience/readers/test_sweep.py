"""The reader sweep: sends whose answer was lost are looked for, never sent again blindly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from distributor.audience.readers.fanout import plan_event
from distributor.audience.readers.records import Job
from distributor.audience.readers.sends import ReaderSends
from distributor.audience.readers.sweep import reader_probe, sweep
from distributor.models import ArticleEvent
from distributor.wiring import Container
from tests.support.readers import Sandbox, article, later_batch

Make = Callable[..., Container]
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def start(c: Container, sandbox: Sandbox, chats: list[int], article_id: str) -> Job:
    """Readers of Politik, and an article planned for them (no chunk run yet)."""
    for chat in chats:
        sandbox.chat(chat)
        c.subscriptions.touch(chat, "id")
        c.subscriptions.subscribe(chat, ["politik"])
    art = article(article_id, "Politik")
    c.articles.save(art)
    [planned] = plan_event(ArticleEvent(type="article.published", article=art), c.reader_sends,
                           c.catalogue)  # fmt: skip
    return planned.job


def run_sweep(c: Container, stale_s: float = 3600.0, sends: ReaderSends | None = None):  # type: ignore[no-untyped-def]
    return sweep(
        sends or c.reader_sends, c.subscriptions, c.articles,
        reader_probe(c.publisher("telegram")), min_age_s=0, stale_s=stale_s,
    )  # fmt: skip


def bot_messages(sandbox: Sandbox, chat: int) -> list[dict[str, object]]:
    return sandbox.from_bot(chat)


def test_a_send_whose_answer_was_lost_is_found_not_repeated(
    make_container: Make, sandbox: Sandbox
) -> None:
    c = make_container()
    job = start(c, sandbox, [501, 502], "sw-1")
    sandbox.fault(platform="telegram", method="sendMessage", kind="server_error", after=True)

    report = c.reader_chunks.run(job)
    assert report.counts["doubt"] == 1 and report.counts["send"] == 1
    [doubtful] = [chat for chat, r in c.reader_sends.records(job).items() if r.state == "?"]
    assert c.reader_chunks.run(job).counts["send"] == 0  # never sent again blindly
    assert run_sweep(c).found == 0  # waits for a later batch to bound the ids
    swept = run_sweep(c, stale_s=0)  # then looks without a bound: found is found
    assert swept.found == 1 and swept.again == [] and swept.closed == ["send:sw-1"]
    record = c.reader_sends.records(job)[doubtful]
    [message] = bot_messages(sandbox, doubtful)
    assert record.state == "s" and record.message_id == message["message_id"]
    assert len(bot_messages(sandbox, 501)) == len(bot_messages(sandbox, 502)) == 1
    forwarded = [m for m in sandbox.messages() if m["forwarded"]]
    assert forwarded and all(m["deleted"] for m in forwarded)  # probe copies are removed


def test_a_send_that_never_arrived_is_sent_once_after_the_search(
    make_container: Make, sandbox: Sandbox
) -> None:
    c = make_container()
    job = start(c, sandbox, [511], "sw-2")
    sandbox.fault(platform="telegram", method="sendMessage", kind="server_error")  # not taken

    assert c.reader_chunks.run(job).counts["doubt"] == 1
    later_batch(c, sandbox, 519)  # ids given out after its lease: 511's would be below
    swept = run_sweep(c)
    assert swept.not_sent == 1 and swept.again == [(job, [511])]
    c.reader_chunks.run(job, chats=[511])
    assert len(bot_messages(sandbox, 511)) == 1
    assert run_sweep(c).closed == ["send:sw-2"]


def test_without_a_probe_chat_a_doubt_is_held(make_container: Make, sandbox: Sandbox) -> None:
    c = make_container(telegram_probe_chat=None)
    job = start(c, sandbox, [521], "sw-3")
    sandbox.fault(platform="telegram", method="sendMessage", kind="server_error")

    c.reader_chunks.run(job)
    later_batch(c, sandbox, 529)
    swept = run_sweep(c)
    assert (swept.held, swept.again, swept.closed) == (1, [], ["send:sw-3"])
    assert c.reader_sends.records(job)[521].state == "?"
    assert bot_messages(sandbox, 521) == []


def test_expired_claims_become_doubts_and_stale_plans_are_run_again(
    make_container: Make, sandbox: Sandbox
) -> None:
    c = make_container()
    job = start(c, sandbox, [531, 532, 533], "sw-4")
    now = [c.reader_sends.now()]
    sends = ReaderSends(c.redis, c.keys, lease_s=5, clock=lambda: now[0])
    sends.claim(job, [531], "sw-4")  # a worker claimed 531 and died before sending

    assert run_sweep(c, sends=sends).again == []  # fresh: chunks may be on their way
    later_batch(c, sandbox, 539)
    now[0] += 10
    swept = run_sweep(c, stale_s=5, sends=sends)
    assert swept.expired == 1 and swept.not_sent == 1
    assert swept.again == [(job, [531, 532, 533])]
    c.reader_chunks.run(job, chats=[531, 532, 533])
    assert all(len(bot_messages(sandbox, chat)) == 1 for chat in (531, 532, 533))
    assert run_sweep(c).closed == ["send:sw-4"]
