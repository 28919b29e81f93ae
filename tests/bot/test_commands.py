"""Readers talk to the real bot process through the sandbox: subscribe, change, stop."""

from __future__ import annotations

from typing import Any

from tests.bot.conftest import BotUnderTest
from tests.support.readers import article, wait_for


def ask(bot: BotUnderTest, chat: int, text: str, **extra: Any) -> dict[str, Any]:
    """The reader writes ``text``; the bot's answer (its next message in the chat)."""
    before = len(bot.sandbox.from_bot(chat))
    bot.sandbox.say(chat, text, **extra)
    replies = wait_for(lambda: bot.sandbox.from_bot(chat)[before:], what=f"an answer to {text}")
    answer: dict[str, Any] = replies[0]
    return answer


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Picker buttons: text → callback_data."""
    rows = (message["reply_markup"] or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def test_a_reader_subscribes_changes_and_stops(bot: BotUnderTest) -> None:
    subs = bot.container.subscriptions
    welcome = ask(bot, 7001, "/start")
    assert welcome["text"].startswith("Halo R7001!")
    assert {"Politik", "Ekonomi", "Olahraga"} <= set(buttons(welcome))  # routing + settings

    answer = ask(bot, 7001, "/subscribe politik, #Pemilu")
    assert "Anda sekarang mengikuti Politik." in answer["text"]
    assert "Topik “#Pemilu” tidak dikenal. Lihat /topics." in answer["text"]  # no article yet
    assert subs.topics(7001) == {"politik"}

    answer = ask(bot, 7001, "/subscribe ekonmi")
    assert "Mungkin maksud Anda: Ekonomi?" in answer["text"]
    assert ask(bot, 7001, "/unsubscribe politik")["text"] == "Anda berhenti mengikuti Politik."
    assert "Mungkin maksud Anda" not in ask(bot, 7001, "/unsubscribe olahraga")["text"]
    assert ask(bot, 7001, "/mine")["text"].startswith("Anda belum mengikuti topik")

    answer = ask(bot, 7001, "/digest on 21")
    assert "pukul 21.00" in answer["text"]
    assert bot.container.subscriptions.digest_readers(21) == [7001]
    assert ask(bot, 7001, "/digest sometimes")["text"].startswith("Tulis /digest on")

    assert ask(bot, 7001, "/stop")["text"].startswith("Data Anda sudah dihapus")
    assert subs.get(7001) is None and subs.digest_readers(21) == []
    assert subs.removed()["stopped"] == 1


def test_english_when_the_reader_uses_it(bot: BotUnderTest) -> None:
    welcome = ask(bot, 7002, "/start", language_code="en-GB")
    assert welcome["text"].startswith("Hi R7002!")
    answer = ask(bot, 7002, "/subscribe Olahraga", language_code="en")
    assert answer["text"] == "You now follow Olahraga."
    assert ask(bot, 7002, "/whatever", language_code="en")["text"].startswith("/topics pick")
    assert bot.container.subscriptions.get(7002).language == "en"  # type: ignore[union-attr]


def test_the_topic_picker_toggles_with_a_callback_answer(bot: BotUnderTest) -> None:
    picker = ask(bot, 7003, "/topics")
    data = buttons(picker)["Ekonomi"]
    pressed = bot.sandbox.update(user_id=7003, callback_data=data, message_id=picker["message_id"])
    assert pressed.status_code == 201
    query_id = pressed.json()["callback_query"]["id"]

    def answered() -> dict[str, Any] | None:
        listed = bot.sandbox.callbacks()
        return next((q for q in listed if q["id"] == query_id and q["answered"]), None)

    query = wait_for(answered, what="answerCallbackQuery")
    assert query["answer"]["text"] == "Anda sekarang mengikuti Ekonomi."
    assert bot.container.subscriptions.topics(7003) == {"ekonomi"}
    redrawn = wait_for(lambda: "✅ Ekonomi" in buttons(bot.sandbox.from_bot(7003)[0]))
    assert redrawn
    again = bot.sandbox.update(user_id=7003, callback_data=data, message_id=picker["message_id"])
    assert again.status_code == 201
    wait_for(lambda: not bot.container.subscriptions.topics(7003), what="unfollowed")


def test_latest_and_popular(bot: BotUnderTest) -> None:
    assert ask(bot, 7004, "/latest")["text"] == "Belum ada artikel."
    c = bot.container
    for n in range(7):
        art = article(f"lp-{n}", "Politik", title=f"Judul nomor {n}",
                      published_at=f"2024-02-0{n + 1}T09:00:00+07:00")  # fmt: skip
        c.articles.save(art)
        c.catalogue.learn(art)
    c.articles.set_published("lp-6", False)
    c.catalogue.withdraw("lp-6")
    c.trending.record("lp-2", "Politik", "share_click", 5.0)
    latest = ask(bot, 7004, "/latest")["text"].splitlines()
    assert latest[0] == "Artikel terbaru:"
    assert [line.split(". ", 1)[1] for line in latest[1:]] == [
        f"Judul nomor {n}" for n in (5, 4, 3, 2, 1)
    ]
    popular = ask(bot, 7004, "/popular")["text"].splitlines()
    assert popular[:2] == ["Terpopuler saat ini:", "1. Judul nomor 2"]


def test_blocking_the_bot_forgets_the_reader(bot: BotUnderTest) -> None:
    ask(bot, 7005, "/subscribe Politik")
    bot.sandbox.patch_chat(7005, blocked=True)  # Telegram sends my_chat_member (kicked)
    wait_for(lambda: bot.container.subscriptions.get(7005) is None, what="forgotten")
    assert bot.container.subscriptions.removed()["blocked"] == 1


def test_reaction_counts_on_our_channel_post_feed_shares_once(bot: BotUnderTest) -> None:
    c = bot.container
    art = article("rx-1", "Politik")
    c.articles.save(art)
    posted = c.publisher("telegram").publish(
        c.routing.get("tg-main"), c.render(art, c.routing.get("tg-main"))
    )
    c.reactions.remember("@visualjambi", posted, art.id)  # what deliver_task records
    channel, message_id = -1001234500001, int(posted[0])
    sent = bot.sandbox.update(chat_id=channel, message_id=message_id, reactions={"👍": 3, "🔥": 1})
    assert sent.status_code == 201

    def engagement() -> int:
        platform = c.shares.counts(art.id).platform.get("telegram")
        return platform.engagement if platform is not None else 0

    wait_for(lambda: engagement() == 4, what="4 reactions counted")
    bot.sandbox.update(chat_id=channel, message_id=message_id, reactions={"👍": 5, "🔥": 1})
    wait_for(lambda: engagement() == 6, what="the new total, not 4 + 6")
    explained = c.trending.explain(art.id)
    assert explained is not None
    assert sum(i.events for i in explained.items if i.kind == "engagement") == 6
