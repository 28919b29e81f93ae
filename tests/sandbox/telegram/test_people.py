"""What people do that the bot hears about (buttons, reactions, blocking), the webhook, and
the sending limits readers meet, with a real telegram.Bot against the sandbox."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import telegram
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter

from tests.support.sandbox import CHANNEL, GROUP, PRIVATE, messages
from tests.support.tls import self_signed, serving_https

Run = Any
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
BUTTON = telegram.InlineKeyboardMarkup(
    [[telegram.InlineKeyboardButton("Politik", callback_data="t:politik")]]
)


def inject(control: httpx.Client, **body: Any) -> httpx.Response:
    return control.post("/sandbox/telegram/updates", json=body)


def test_a_pressed_button_comes_as_a_callback_query_answered_once(
    bot_run: Run, control: httpx.Client
) -> None:
    sent = bot_run(lambda bot: bot.send_message(PRIVATE, "Pilih", reply_markup=BUTTON))
    pressed = inject(control, user_id=PRIVATE, callback_data="t:politik",
                     message_id=sent.message_id, language_code="en")  # fmt: skip
    assert pressed.status_code == 201

    async def go(bot: telegram.Bot) -> tuple[telegram.Update, bool]:
        [update] = await bot.get_updates(timeout=0)
        query = update.callback_query
        assert query is not None
        return update, await query.answer("Followed Politik")

    update, answered = bot_run(go)
    query = update.callback_query
    assert answered is True and query.data == "t:politik"
    assert query.from_user.language_code == "en" and query.message.message_id == sent.message_id
    [listed] = control.get("/sandbox/telegram/callbacks").json()
    assert listed["answer"]["text"] == "Followed Politik"
    with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
        bot_run(lambda bot: bot.answer_callback_query(query.id, "again"))
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        bot_run(lambda bot: bot.answer_callback_query("12345"))
    assert inject(control, user_id=PRIVATE, callback_data="t:nope",
                  message_id=sent.message_id).status_code == 422  # fmt: skip
    assert inject(control, user_id=PRIVATE, callback_data="t:politik",
                  message_id=999).status_code == 404  # fmt: skip


def test_edit_message_reply_markup(bot_run: Run) -> None:
    async def go(bot: telegram.Bot) -> telegram.Message:
        sent = await bot.send_message(PRIVATE, "Pilih", reply_markup=BUTTON)
        other = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("✅ Politik", callback_data="t:politik")]]
        )
        edited = await bot.edit_message_reply_markup(PRIVATE, sent.message_id, reply_markup=other)
        assert isinstance(edited, telegram.Message)
        await bot.edit_message_reply_markup(PRIVATE, sent.message_id, reply_markup=other)
        return edited

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        bot_run(go)


def test_reactions_reach_only_a_bot_that_asked_for_them(
    bot_run: Run, control: httpx.Client
) -> None:
    post = bot_run(lambda bot: bot.send_message(CHANNEL, "Berita"))
    counts = {"chat_id": CHANNEL, "message_id": post.message_id, "reactions": {"👍": 3, "❤": 2}}
    skipped = inject(control, **counts)
    assert skipped.status_code == 200 and skipped.json()["queued"] is False  # not by default

    async def go(bot: telegram.Bot) -> tuple[telegram.Update, ...]:
        await bot.get_updates(timeout=0, allowed_updates=["message_reaction_count",
                                                           "message_reaction"])  # fmt: skip
        async with httpx.AsyncClient(base_url=str(control.base_url)) as client:
            await client.post("/sandbox/telegram/updates", json=counts)
            await client.post("/sandbox/telegram/updates", json={
                "chat_id": GROUP, "message_id": group.message_id, "user_id": 42,
                "old_reaction": [], "new_reaction": ["🔥"]})  # fmt: skip
            await client.post("/sandbox/telegram/updates", json={"text": "not asked for"})
        return await bot.get_updates(timeout=0)

    group = bot_run(lambda bot: bot.send_message(GROUP, "Berita grup"))
    counted, reacted = bot_run(go)
    count = counted.message_reaction_count
    assert count.chat.id == CHANNEL and count.message_id == post.message_id
    assert {(r.type.emoji, r.total_count) for r in count.reactions} == {("👍", 3), ("❤", 2)}
    change = reacted.message_reaction
    assert change.user.id == 42 and [r.emoji for r in change.new_reaction] == ["🔥"]
    info = bot_run(lambda bot: bot.get_webhook_info())
    assert info.allowed_updates == ("message_reaction", "message_reaction_count")


def test_deleted_and_blocking_users_refuse_and_blocking_is_announced(
    bot_run: Run, control: httpx.Client
) -> None:
    control.post("/sandbox/telegram/chats", json={"id": 6001, "type": "private",
                                                  "deactivated": True})  # fmt: skip
    with pytest.raises(Forbidden, match="Forbidden: user is deactivated"):
        bot_run(lambda bot: bot.send_message(6001, "hai"))
    control.patch(f"/sandbox/telegram/chats/{PRIVATE}", json={"blocked": True})
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        bot_run(lambda bot: bot.send_message(PRIVATE, "hai"))
    [update] = bot_run(lambda bot: bot.get_updates(timeout=0))
    member = update.my_chat_member
    assert member.chat.id == PRIVATE and member.new_chat_member.status == "kicked"


def test_paid_broadcast_has_its_own_allowance(bot_run: Run, control: httpx.Client) -> None:
    limits = {"bot_per_second": 2, "paid_per_second": 4}
    control.patch("/sandbox/config", json={"flood": limits}).raise_for_status()
    specs = [{"id": 7100 + n, "type": "private"} for n in range(8)]
    control.post("/sandbox/telegram/chats/bulk", json=specs).raise_for_status()

    async def send(bot: telegram.Bot, first: int, count: int, paid: bool) -> None:
        for n in range(first, first + count):
            await bot.send_message(7100 + n, "hai", allow_paid_broadcast=paid or None)

    with pytest.raises(RetryAfter):
        bot_run(lambda bot: send(bot, 0, 3, False))  # the third free message is over 2/s
    bot_run(lambda bot: send(bot, 2, 4, True))  # paid ones are counted apart: 4 more go
    with pytest.raises(RetryAfter):
        bot_run(lambda bot: send(bot, 6, 1, True))
    paid = [m for m in messages(control) if m["allow_paid_broadcast"]]
    assert len(paid) == 4 and len(messages(control)) == 6


def test_secret_tokens_are_checked_as_telegram_does(bot_run: Run) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
        bot_run(lambda bot: bot.set_webhook("https://example.com/hook", secret_token="a b"))
    with pytest.raises(BadRequest, match=r"(?i)secret token is too long"):
        bot_run(lambda bot: bot.set_webhook("https://example.com/hook", secret_token="a" * 257))


def test_updates_are_posted_to_the_webhook_with_the_secret_token(
    bot_run: Run, control: httpx.Client, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    received: list[tuple[str | None, dict[str, Any]]] = []
    answers = [500]  # the first delivery fails, then the bot's server is fine
    hook = FastAPI()

    @hook.post("/hook")
    async def take(request: Request) -> JSONResponse:
        received.append((request.headers.get("x-telegram-bot-api-secret-token"),
                         await request.json()))  # fmt: skip
        return JSONResponse({}, status_code=answers.pop(0) if answers else 200)

    with serving_https(hook, cert, key) as base:

        async def go(bot: telegram.Bot) -> telegram.WebhookInfo:
            assert await bot.set_webhook(f"{base}/hook", certificate=cert.read_bytes(),
                                         secret_token="s3cret_-token")  # fmt: skip
            async with httpx.AsyncClient(base_url=str(control.base_url)) as client:
                await client.post("/sandbox/telegram/updates", json={"text": "/start"})
            for _ in range(100):
                info = await bot.get_webhook_info()
                if info.pending_update_count == 0 and len(received) == 2:
                    return info
                await asyncio.sleep(0.1)
            raise AssertionError(f"not delivered: {received}")

        info = bot_run(go)
    assert info.has_custom_certificate is True
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert [secret for secret, _ in received] == ["s3cret_-token"] * 2
    assert received[1][1]["message"]["text"] == "/start"  # the same update, again
    with pytest.raises(Conflict):
        bot_run(lambda bot: bot.get_updates(timeout=0))
