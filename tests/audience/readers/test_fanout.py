"""The reader fan-out with the real batch sender (python-telegram-bot) against the sandbox:
who gets an article, how often, and what refusals do to readers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from distributor.audience.readers.fanout import plan_event
from distributor.audience.readers.records import Job
from distributor.models import Article, ArticleEvent
from distributor.wiring import Container
from tests.support.readers import Sandbox, article

Make = Callable[..., Container]


def readers(c: Container, sandbox: Sandbox, topics: dict[int, list[str]]) -> None:
    """Readers who started the bot (their private chats exist) and chose ``topics``."""
    for chat, chosen in topics.items():
        if chat > 0:
            sandbox.chat(chat)
        c.subscriptions.touch(chat, "id")
        c.subscriptions.subscribe(chat, chosen)


def publish(c: Container, art: Article, kind: str = "article.published") -> list[str]:
    """What the fan-out task does for readers: store the article, plan, run every chunk."""
    c.articles.save(art, published=kind != "article.unpublished")
    if kind == "article.unpublished":
        c.articles.set_published(art.id, False)
    done = []
    for planned in plan_event(ArticleEvent(type=kind, article=art), c.reader_sends, c.catalogue):
        chunks = -(-planned.size // c.settings.readers_chunk)
        for chunk in range(chunks):
            report = c.reader_chunks.run(planned.job, chunk)
            assert not report.leftover
        done.append(planned.job.id)
    return done


def received(sandbox: Sandbox, url: str) -> dict[int, int]:
    """How many live messages linking ``url`` each chat holds."""
    counts: dict[int, int] = {}
    for message in sandbox.from_bot():
        if url in str(message["reply_markup"]) or url in str(message["link_preview_options"]):
            counts[message["chat_id"]] = counts.get(message["chat_id"], 0) + 1
    return counts


def test_an_article_reaches_exactly_the_matching_readers_once(
    make_container: Make, sandbox: Sandbox
) -> None:
    c = make_container(readers_chunk=2)
    readers(c, sandbox, {
        101: ["Politik"], 102: ["#Pemilu", "politik"], 103: ["Ekonomi"], 104: ["pemilu"],
        105: [],
    })  # fmt: skip
    c.subscriptions.subscribe(106, ["politik"])
    c.subscriptions.touch(106, "en")
    c.subscriptions.set_digest(106, True, 7)  # a digest instead of instant messages
    art = article("fan-1", "Politik", ["Pemilu", "Jambi"])

    assert publish(c, art) == ["send:fan-1"]
    assert received(sandbox, art.url) == {101: 1, 102: 1, 104: 1}  # 102 follows both: once
    # a redelivered event plans nothing, and running a chunk again sends nothing
    assert publish(c, art) == []
    report = c.reader_chunks.run(Job("send", "fan-1"), 0)
    assert report.counts["send"] == 0 and report.counts["skipped:s"] == 2
    assert received(sandbox, art.url) == {101: 1, 102: 1, 104: 1}
    message = sandbox.from_bot(101)[0]
    assert message["link_preview_options"]["url"] == art.url
    assert message["text"].startswith("Gubernur")
    assert c.reader_sends.records(Job("send", "fan-1"))[101].state == "s"


def test_blocked_and_deleted_readers_are_removed_and_counted(
    make_container: Make, sandbox: Sandbox
) -> None:
    c = make_container()
    readers(c, sandbox, {201: ["politik"], 202: ["politik"], 203: ["politik"]})
    sandbox.patch_chat(201, blocked=True)
    sandbox.patch_chat(202, deactivated=True)
    art = article("fan-2", "Politik")

    publish(c, art)
    assert received(sandbox, art.url) == {203: 1}
    assert c.subscriptions.get(201) is None and c.subscriptions.get(202) is None
    assert c.subscriptions.removed() == {"blocked": 1, "deactivated": 1}
    assert c.subscriptions.count() == 1
    records = c.reader_sends.records(Job("send", "fan-2"))
    assert (records[201].state, records[201].detail) == ("f", "blocked")
    publish(c, article("fan-3", "Politik"))  # the next article does not try them again
    assert c.subscriptions.removed() == {"blocked": 1, "deactivated": 1}


def test_a_migrated_group_is_followed(make_container: Make, sandbox: Sandbox) -> None:
    c = make_container()
    sandbox.chat(-4001, "group", migrate_to_chat_id=-1004001)
    readers(c, sandbox, {-4001: ["politik"]})
    art = article("fan-4", "Politik")

    publish(c, art)
    assert received(sandbox, art.url) == {-1004001: 1}
    assert c.subscriptions.get(-4001) is None
    assert c.subscriptions.topics(-1004001) == {"politik"}
    records = c.reader_sends.records(Job("send", "fan-4"))
    assert records[-4001].detail == "-1004001" and records[-1004001].state == "s"


def test_updates_edit_and_unpublishing_deletes_what_readers_got(
    make_container: Make, sandbox: Sandbox
) -> None:
    c = make_container()
    readers(c, sandbox, {301: ["politik"], 302: ["politik"]})
    first = article("fan-5", "Politik")
    publish(c, first)
    second = article("fan-5", "Politik", revision=2, title="Judul yang diperbarui")

    assert publish(c, second, "article.updated") == ["edit:fan-5:2"]
    for chat in (301, 302):
        [message] = sandbox.from_bot(chat)
        assert message["edited"] and message["text"].startswith("Judul yang diperbarui")
    assert publish(c, second, "article.updated") == []  # once per revision

    assert publish(c, second, "article.unpublished") == ["delete:fan-5"]
    assert sandbox.from_bot(301) == sandbox.from_bot(302) == []
    states = {r.state for r in c.reader_sends.records(Job("send", "fan-5")).values()}
    assert states == {"x"}
    # an unpublished article is never sent again, even by a late chunk
    assert c.reader_chunks.run(Job("send", "fan-5"), 0).counts["send"] == 0


def test_flood_answers_are_waited_out_and_sent_once(make_container: Make, sandbox: Sandbox) -> None:
    c = make_container()
    readers(c, sandbox, {401: ["politik"], 402: ["politik"]})
    sandbox.fault(platform="telegram", method="sendMessage", kind="rate_limit", retry_after=1)
    art = article("fan-6", "Politik")

    publish(c, art)
    assert received(sandbox, art.url) == {401: 1, 402: 1}


def test_a_digest_reader_gets_one_daily_message_of_their_topics(
    make_container: Make, sandbox: Sandbox
) -> None:
    c = make_container()
    readers(c, sandbox, {601: ["politik"], 602: ["olahraga"], 603: ["politik"]})
    c.subscriptions.set_digest(601, True, 7)
    c.subscriptions.set_digest(602, True, 7)
    c.subscriptions.touch(601, "en")
    now = c.reader_sends.now()
    for n, category in enumerate(["Politik", "Ekonomi", "Politik"]):
        art = article(
            f"dg-{n}",
            category,
            title=f"Berita {n}",
            published_at=datetime.fromtimestamp(now - 3600 * (n + 1), UTC).isoformat(),
        )
        assert publish(c, art) == ([f"send:dg-{n}"] if category == "Politik" else [])

    job = Job("digest", "2024-02-01", hour=7)
    assert c.reader_sends.plan_list(job, c.subscriptions.digest_readers(7)) == 2
    c.reader_chunks.run(job)
    c.reader_chunks.run(job)  # a second run (a repeated beat) sends nothing more
    [digest] = sandbox.from_bot(601)
    assert digest["text"].startswith("Your daily digest")
    assert "1. Berita 0" in digest["text"] and "2. Berita 2" in digest["text"]
    assert "Berita 1" not in digest["text"]  # Ekonomi is not theirs
    assert sandbox.from_bot(602) == []  # nothing on Olahraga today: no message
    assert c.reader_sends.records(job)[602].state == "n"
    assert len(sandbox.from_bot(603)) == 2  # instant reader: one message per article
